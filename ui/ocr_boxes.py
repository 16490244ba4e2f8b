"""Where a cited passage sits on a scanned page: the page read again by Tesseract, word by word, with boxes.

A scan has no text layer to highlight, so the viewer draws boxes over the page image; they come from the
same OCR as the ingest (ingest/ocr.py: PDFium renders the page, Tesseract reads it), here kept word by word.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
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


class ScanReader:
    """Reads scanned pages into words, keeping the last pages read (files are identified by path and mtime)."""

    def __init__(self, options: OcrOptions | None = None, size: int = CACHE_PAGES) -> None:
        self.options = options or OcrOptions()
        self.size = size
        self._pages: OrderedDict[tuple[str, int, int], list[OcrWord]] = OrderedDict()
        self._lock = threading.Lock()
        self._reading = threading.Lock()  # one page read at a time: OCR takes a core for seconds

    def words(self, path: Path, page: int) -> list[OcrWord]:
        """The words of page `page` (1-based) of the PDF at `path`; OcrUnavailable if it cannot be read."""
        key = (str(path), path.stat().st_mtime_ns, page)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        with self._reading:
            with self._lock:
                found = self._pages.get(key)  # read meanwhile by another request
            if found is None:
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
