"""OCR of scanned PDF pages: pages rendered with pypdfium2, read by Tesseract (French model) into positioned lines."""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

from ingest.clean import normalize_text
from ingest.layout import Line

log = logging.getLogger(__name__)

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-fra"
MAX_SIDE_PX = 6000
# Heights of letter parts as shares of the font size (typical text faces): a word's box spans from its
# tallest part to its lowest, so each word gives an estimate of the font size whatever its letters.
CAP_ACCENTS = set("ÀÂÄÉÈÊËÎÏÔÖÙÛÜÇ")
ASCENDING = set("bdfhijklABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789àâäéèêëîïôöùûüÿ'’?!%€&")
DESCENDING = set("gjpqyQç,;()[]{}/|@$")
TOP_SHARES = ((CAP_ACCENTS, 0.92), (ASCENDING, 0.74), (set("t"), 0.66))
X_HEIGHT = 0.53
DESCENT = 0.22


class OcrUnavailable(Exception):
    """OCR cannot run on this machine or this file (e.g. Tesseract or its French model missing); French message."""


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How scanned pages are read."""

    timeout: float = 60.0  # seconds per page: one bad scan must not block a batch
    dpi: int = 300  # Tesseract reads best around 300 dpi
    language: str = "fra"


@dataclass(frozen=True, slots=True)
class OcrPage:
    """The lines read on one page, or why none were (a French reason)."""

    lines: list[Line]
    seconds: float
    failure: str = ""


@dataclass(frozen=True, slots=True)
class PageTsv:
    """Tesseract's TSV of one page, and the image it read (pixels, and dots per inch of the PDF page)."""

    tsv: str
    width_px: int
    height_px: int
    dpi: float


def tesseract(language: str = "fra") -> str:
    """Path of the Tesseract program, after checking it has the language; OcrUnavailable otherwise."""
    path = shutil.which("tesseract")
    if path is None:
        raise OcrUnavailable(f"Tesseract (OCR) n'est pas installé ; installez-le : {INSTALL_HINT}")
    if language not in _languages(path):
        raise OcrUnavailable(f"le modèle « {language} » de Tesseract manque ; installez-le : {INSTALL_HINT}")
    return path


@lru_cache(maxsize=4)
def _languages(path: str) -> frozenset[str]:
    try:
        done = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OcrUnavailable(f"Tesseract ne répond pas ({exc}) ; réinstallez-le : {INSTALL_HINT}") from exc
    # The first line is a sentence ("List of available languages in ..."), the others are codes.
    return frozenset(line.strip() for line in done.stdout.splitlines()[1:] if line.strip())


class PageReader:
    """Reads scanned pages of one PDF; open it with `with`, then call `read(page_index)`."""

    def __init__(self, path: Path, options: OcrOptions) -> None:
        self.path = path
        self.options = options
        self.program = tesseract(options.language)
        self._pdf: Any = None

    def __enter__(self) -> PageReader:
        import pypdfium2  # its wheel ships the PDFium binary; imported here so text-only ingests skip it

        try:
            self._pdf = pypdfium2.PdfDocument(str(self.path))
        except pypdfium2.PdfiumError as exc:
            raise OcrUnavailable("PDFium ne peut pas afficher ses pages ; ré-exportez le PDF puis réessayez") from exc
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self._pdf is not None:
            self._pdf.close()

    @property
    def pages(self) -> int:
        return len(self._pdf)

    def tsv(self, index: int) -> PageTsv:
        """Tesseract's TSV of page `index` (0-based); OcrUnavailable with a French reason when it cannot be read."""
        import pypdfium2

        try:
            page = self._pdf[index]
            try:
                # a poster-sized page at 300 dpi would take gigabytes: cap the image's longest side
                scale = min(self.options.dpi / 72, MAX_SIDE_PX / max(page.get_size()))
                image = page.render(scale=scale).to_pil().convert("L")
            finally:
                page.close()
        except pypdfium2.PdfiumError as exc:
            log.warning("cannot render page %d of %s: %r", index + 1, self.path.name, exc)
            raise OcrUnavailable("page numérisée impossible à afficher") from exc
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        # One thread per page: Tesseract's own threads slow it down on small shared machines.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        command = [self.program, "stdin", "stdout", "-l", self.options.language, "--psm", "3", "tsv"]
        try:
            done = subprocess.run(
                command, input=buffer.getvalue(), capture_output=True, env=env, timeout=self.options.timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrUnavailable(f"OCR abandonnée après {self.options.timeout:g} s") from exc
        if done.returncode != 0:
            log.warning("tesseract failed on page %d of %s: %s", index + 1, self.path.name, done.stderr[-500:])
            raise OcrUnavailable("échec de Tesseract")
        return PageTsv(done.stdout.decode("utf-8", "replace"), image.width, image.height, scale * 72)

    def read(self, index: int) -> OcrPage:
        """Lines of page `index` (0-based) as Tesseract reads them, positioned in PDF points."""
        start = time.perf_counter()
        try:
            page = self.tsv(index)
        except OcrUnavailable as exc:
            return OcrPage([], time.perf_counter() - start, str(exc))
        return OcrPage(tsv_lines(page.tsv, page.height_px, page.dpi), time.perf_counter() - start)


def tsv_lines(tsv: str, height_px: int, dpi: float) -> list[Line]:
    """Lines of Tesseract's TSV output, in reading order, with baselines and sizes in PDF points."""
    scale = 72 / dpi
    words: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            words.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
    lines: list[Line] = []
    paragraph: tuple[str, str] | None = None
    for (block, par, _), group in words.items():
        boxes = [(int(w["left"]), int(w["top"]), int(w["width"]), int(w["height"]), w["text"]) for w in group]
        bottom = max(top + h for _, top, _, h, _ in boxes)
        size = _font_size(boxes) * scale
        line = Line(y=(height_px - bottom) * scale, size=round(size * 2) / 2)  # half points: steady body size
        # Tesseract's paragraphs: a page of one-line paragraphs has no typical line gap to go by
        line.opens_paragraph, paragraph = (block, par) != paragraph, (block, par)
        previous = ""
        for left, _, width, _, text in boxes:
            text = _euro(normalize_text(text), previous)
            line.add_run(left * scale, (left + width) * scale, line.y or 0.0, text, line.size)
            previous = text
        line.text = " ".join(cell.text for cell in line.cells)
        line.chars = sum(len(cell.text) for cell in line.cells)
        line.sizes = [line.size]
        if line.text:
            lines.append(line)
    return lines


def _euro(word: str, previous: str) -> str:
    """Tesseract often reads "€" as "£" after a figure; French agency documents count in euros."""
    if "£" in word and (word[:1].isdigit() or (word.startswith("£") and previous[-1:].isdigit())):
        return word.replace("£", "€")
    return word


def _font_size(boxes: list[tuple[int, int, int, int, str]]) -> float:
    """Font size of a line in pixels: the median of its words' estimates (box height over the letters' span)."""
    estimates = [height / _span(text) for _, _, _, height, text in boxes if sum(c.isalnum() for c in text) >= 2]
    if not estimates:
        estimates = [height / _span(text) for _, _, _, height, text in boxes]
    return statistics.median(estimates)


def _span(text: str) -> float:
    """Share of the font size between the top of a word's tallest letter and the bottom of its lowest."""
    letters = set(text)
    top = next((share for chars, share in TOP_SHARES if letters & chars), X_HEIGHT)
    return top + (DESCENT if letters & DESCENDING else 0.0)
