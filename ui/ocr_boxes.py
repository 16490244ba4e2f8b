"""Where a cited passage sits on a scanned page: the page read again by Tesseract, word by word, with boxes.

A scan has no text layer to highlight, so the viewer draws boxes over the page image; they come from the
same OCR as the ingest (ingest/ocr.py: PDFium renders the page, Tesseract reads it), here kept word by word.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.ocr import OcrOptions, OcrUnavailable, PageReader
from ui.passage import longest_run, words

CACHE_PAGES = 16  # pages kept read: a user pages back and forth around the cited page


@dataclass(frozen=True, slots=True)
class OcrWord:
    """A word read on the page, its box as shares of the page's width and height (0..1, from the top left)."""

    text: str
    line: tuple[int, int, int]  # Tesseract's (block, paragraph, line)
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Box:
    """One highlight over a line of the page: its box (0..1 of the page) and the words it covers."""

    x: float
    y: float
    width: float
    height: float
    text: str

    def to_json(self) -> dict[str, float | str]:
        return asdict(self)


def tsv_words(tsv: str, width_px: int, height_px: int) -> list[OcrWord]:
    """The words of Tesseract's TSV output in reading order, with boxes relative to the image."""
    found = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        found.append(OcrWord(
            text=text,
            line=(int(row["block_num"]), int(row["par_num"]), int(row["line_num"])),
            x=int(row["left"]) / width_px,
            y=int(row["top"]) / height_px,
            width=int(row["width"]) / width_px,
            height=int(row["height"]) / height_px,
        ))
    return found


def passage_boxes(page: Sequence[OcrWord], passage: str) -> list[Box]:
    """Boxes of the passage's words on the page (its longest part read alike), one per line; [] if absent."""
    # a word of the page may hold punctuation ("2024,") or two words ("l'ARS"): compare its pieces
    pieces = [(index, piece.folded) for index, word in enumerate(page) for piece in words(word.text)]
    start, _, length = longest_run([folded for _, folded in pieces], [w.folded for w in words(passage)])
    if not length:
        return []
    chosen = sorted({index for index, _ in pieces[start : start + length]})
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for index in chosen:
        lines.setdefault(page[index].line, []).append(page[index])
    boxes = []
    for group in lines.values():
        left, top = min(w.x for w in group), min(w.y for w in group)
        right, bottom = max(w.x + w.width for w in group), max(w.y + w.height for w in group)
        boxes.append(Box(left, top, right - left, bottom - top, " ".join(w.text for w in group)))
    return boxes


class OcrBusy(Exception):
    """No page can be read now: this client already has one being read, or too many are (French message)."""


BUSY_CLIENT = ("Surlignage sur le scan en attente : une page numérisée est déjà en cours de lecture (OCR) pour vous. "
               "Réessayez dans quelques secondes.")
BUSY_SERVER = ("Surlignage sur le scan momentanément indisponible : trop de pages numérisées sont en cours de "
               "lecture (OCR). Réessayez dans quelques secondes.")


class OcrSlots:
    """Who may start an OCR now: one page at a time per client, at most `total` at once; the others are told to
    come back (OcrBusy) rather than queued, so that requests sent in a burst cannot hold the cores for minutes."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._reading: set[str] = set()
        self._lock = threading.Lock()

    @contextmanager
    def taken(self, client: str) -> Iterator[None]:
        with self._lock:
            if client in self._reading:
                raise OcrBusy(BUSY_CLIENT)
            if len(self._reading) >= self.total:
                raise OcrBusy(BUSY_SERVER)
            self._reading.add(client)
        try:
            yield
        finally:
            with self._lock:
                self._reading.discard(client)


class ScanReader:
    """Reads scanned pages into words, keeping the last pages read (files are identified by path and mtime)."""

    def __init__(self, options: OcrOptions | None = None, size: int = CACHE_PAGES, concurrency: int = 1) -> None:
        self.options = options or OcrOptions()
        self.size = size
        self.slots = OcrSlots(concurrency)
        self._pages: OrderedDict[tuple[str, int, int], list[OcrWord]] = OrderedDict()
        self._lock = threading.Lock()

    def words(self, path: Path, page: int, client: str = "") -> list[OcrWord]:
        """The words of page `page` (1-based) of the PDF at `path`; OcrUnavailable if it cannot be read, OcrBusy
        when `client` already has a page being read or too many are (a page read before is given at once)."""
        key = (str(path), path.stat().st_mtime_ns, page)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        with self.slots.taken(client):
            found = self._read(path, page)
        with self._lock:
            self._pages[key] = found
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return found

    def _read(self, path: Path, page: int) -> list[OcrWord]:
        with PageReader(path, self.options) as reader:  # the ingest's own rendering and Tesseract call
            if not 1 <= page <= reader.pages:
                raise OcrUnavailable(f"le document n'a pas de page {page}")
            found = reader.tsv(page - 1)
        return tsv_words(found.tsv, found.width_px, found.height_px)
