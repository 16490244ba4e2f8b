"""PDF reading with pypdf: page lines with their layout, then headings, paragraphs, list items and table rows.

Pages without a text layer (scans) are read by OCR (ingest/ocr.py); page numbers stay those of the PDF.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

from ingest.clean import is_running_line, normalize_text, running_lines, squash, vocabulary
from ingest.errors import SkipFile
from ingest.layout import Line, page_blocks
from ingest.models import Block
from ingest.ocr import OcrOptions, OcrUnavailable, PageReader

log = logging.getLogger(__name__)

BOLD_FONT_RE = re.compile(r"bold|black|heavy|semibold|demibold|,b$", re.IGNORECASE)
GENERIC_TITLES = re.compile(r"^(untitled|sans titre|document|microsoft word\b.*|diapositive \d+)$", re.I)
# A page with fewer characters than this besides running headers, and an image, is a scan: a
# stamped page number or a digital signature must not hide it from OCR.
MIN_TEXT = 20
OcrProgress = Callable[[int, int, int], None]  # (page number, pages done, pages to read)


@dataclass(frozen=True, slots=True)
class PdfContent:
    """What a PDF yields before chunking."""

    title: str
    page_count: int
    blocks: tuple[Block, ...]
    empty_pages: tuple[int, ...]  # pages with no text, even after OCR
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR
    ocr_seconds: float = 0.0
    warnings: tuple[str, ...] = ()  # French, for the ingest summary


def open_pdf(path: Path) -> PdfReader:
    """Open a PDF, trying the empty password on encrypted files; SkipFile with a French reason otherwise."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise SkipFile("ce n'est pas un PDF (en-tête %PDF absent) ; vérifiez le fichier ou son extension")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise SkipFile("PDF protégé par un mot de passe ; enregistrez-en une copie non protégée")
        page_count = len(reader.pages)
    except SkipFile:
        raise
    except FileNotDecryptedError as exc:
        raise SkipFile("PDF protégé par un mot de passe ; enregistrez-en une copie non protégée") from exc
    except (LimitReachedError, RecursionError) as exc:
        log.info("cannot open %s: %r", path.name, exc)
        raise SkipFile(
            "PDF trop complexe à lire (structure trop profonde ou trop volumineuse) ; ré-exportez-le depuis le "
            "logiciel d'origine ou découpez-le"
        ) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        log.info("cannot open %s: %r", path.name, exc)
        raise SkipFile("PDF illisible ou endommagé ; ré-exportez-le depuis le logiciel d'origine") from exc
    if page_count == 0:
        raise SkipFile("le PDF ne contient aucune page")
    return reader


def read_pdf(path: Path, ocr: OcrOptions | None = None, on_ocr_page: OcrProgress | None = None) -> PdfContent:
    """Read a PDF into structured blocks; pages are numbered from 1, scanned pages are read by OCR."""
    reader = open_pdf(path)
    pages: list[list[Line]] = []
    for index, page in enumerate(reader.pages):
        try:
            pages.append(_page_lines(page))
        except MemoryError:
            raise  # the reading child's memory limit: the whole file is refused (ingest/worker.py)
        except Exception as exc:  # a broken page must not lose the rest of the document
            log.warning("page %d of %s unreadable: %r", index + 1, path.name, exc)
            pages.append([])
    keys = running_lines([[line.text for line in lines] for lines in pages])
    scans = [i for i, page in enumerate(reader.pages) if _is_scan(page, pages[i], keys)]
    warnings: list[str] = []
    ocr_pages: list[int] = []
    seconds = 0.0
    if scans:
        try:
            ocr_pages, seconds = _read_scans(path, scans, pages, ocr or OcrOptions(), warnings, on_ocr_page)
        except OcrUnavailable as exc:
            if not _has_text(pages):
                raise SkipFile(f"PDF numérisé (sans texte) : {exc}") from exc
            warnings.append(f"pages numérisées non lues ({_page_list(scans)}) : {exc}")
        keys = running_lines([[line.text for line in lines] for lines in pages])
    if not _has_text(pages):
        if warnings:
            raise SkipFile(f"aucun texte lu dans ce PDF numérisé ({' ; '.join(warnings)})")
        if ocr_pages:
            raise SkipFile("aucun texte reconnu par l'OCR dans ce PDF numérisé ; vérifiez la qualité du scan")
        raise SkipFile("aucun texte dans ce PDF ; il ne contient ni texte ni image à lire (OCR)")
    vocab = vocabulary(line.text for lines in pages for line in lines)
    blocks: list[Block] = []
    empty_pages: list[int] = []
    for number, lines in enumerate(pages, start=1):
        found = page_blocks(_trim_running(lines, keys), number, vocab)
        if not found:
            empty_pages.append(number)
        blocks.extend(found)
    if not blocks:  # every line repeats on every page: headers and footers only, nothing to cite
        raise SkipFile("aucun texte à indexer : chaque page ne porte que les mêmes en-têtes ou pieds de page")
    return PdfContent(
        title=_title(reader, blocks),
        page_count=len(pages),
        blocks=tuple(blocks),
        empty_pages=tuple(empty_pages),
        ocr_pages=tuple(ocr_pages),
        ocr_seconds=seconds,
        warnings=tuple(warnings),
    )


def _read_scans(
    path: Path,
    scans: list[int],
    pages: list[list[Line]],
    options: OcrOptions,
    warnings: list[str],
    on_ocr_page: OcrProgress | None,
) -> tuple[list[int], float]:
    """OCR the scanned pages in place; returns the pages read (1-based) and the seconds spent."""
    done: list[int] = []
    seconds = 0.0
    with PageReader(path, options) as scanner:
        for count, index in enumerate(scans):
            if on_ocr_page is not None:
                on_ocr_page(index + 1, count, len(scans))
            result = scanner.read(index)
            seconds += result.seconds
            if result.failure:
                warnings.append(f"page {index + 1} : {result.failure}")
                continue
            log.info("OCR of page %d of %s: %d lines in %.1fs", index + 1, path.name, len(result.lines), result.seconds)
            pages[index] = result.lines
            done.append(index + 1)
    return done, seconds


def _has_text(pages: list[list[Line]]) -> bool:
    return any(line.text.strip() for lines in pages for line in lines)


def _page_list(indexes: list[int]) -> str:
    return page_ranges(i + 1 for i in indexes)


def page_ranges(numbers: Iterable[int]) -> str:
    """Page numbers as French readers list them, runs of three or more shortened: "2, 5-9, 12"."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{run[0]}-{run[-1]}" if len(run) >= 3 else ", ".join(map(str, run)) for run in runs]
    return ", ".join(parts)


def _is_scan(page: Any, lines: list[Line], keys: set[str]) -> bool:
    """A page whose text, running headers aside, is too short to be its content, and that shows an image."""
    text = sum(line.chars for line in lines if not is_running_line(line.text, keys))
    return text < MIN_TEXT and _has_image(page)


def _has_image(page: Any) -> bool:
    """Whether the page draws an image, directly or inside a form XObject."""
    try:
        return _xobjects_have_image(page.get("/Resources"), depth=0)
    except Exception:  # broken resources: no OCR rather than no document
        log.debug("cannot inspect images", exc_info=True)
        return False


def _xobjects_have_image(resources: Any, depth: int) -> bool:
    if resources is None or depth > 2:
        return False
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return False
    for ref in xobjects.get_object().values():
        xobject = ref.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            return True
        if subtype == "/Form" and _xobjects_have_image(xobject.get("/Resources"), depth + 1):
            return True
    return False


def _page_lines(page: Any) -> list[Line]:
    """Visual lines of a page with their runs of text placed; the text is what pypdf's extract_text produces."""
    lines: list[Line] = [Line()]
    widths = _FontWidths()

    def visit(text: str, cm: list[float], tm: list[float], font: dict[str, Any] | None, size: float) -> None:
        if not text:
            return
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str(font.get("/BaseFont", "")) if font else ""
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i > 0:
                lines.append(Line())
            if not part:
                continue
            line = lines[-1]
            line.text += part
            visible = len(part.strip())
            if visible:
                if line.y is None:
                    line.y = y
                line.chars += visible
                line.sizes.append(size * scale)
                if BOLD_FONT_RE.search(name):
                    line.bold_chars += visible
                # pypdf writes a space before a run that starts after a gap: the run starts at x all the same
                run = normalize_text(part)
                line.add_run(x, x + widths.width(font, run.strip(), size * abs(tm[0] * cm[0] or 1.0)), y, run,
                             size * scale)

    page.extract_text(visitor_text=visit)
    out = []
    for line in lines:
        line.text = normalize_text(line.text).strip()
        if line.text:
            line.size = max(line.sizes) if line.sizes else 0.0
            out.append(line)
    return out


class _FontWidths:
    """Text widths from a PDF font's metrics (pypdf's Font), with an average-glyph fallback."""

    def __init__(self) -> None:
        self._fonts: dict[int, Any] = {}

    def width(self, font: dict[str, Any] | None, text: str, size: float) -> float:
        metrics = self._fonts.get(id(font)) if font is not None else None
        if font is not None and id(font) not in self._fonts:
            metrics = self._fonts[id(font)] = _font_metrics(font)
        if metrics is not None:
            try:
                return float(metrics.get_text_width(text)) * size / 1000
            except Exception:  # odd width tables: the estimate below is good enough to find cells
                log.debug("font width failed", exc_info=True)
        return 0.5 * size * len(text)


def _font_metrics(font: dict[str, Any]) -> Any:
    try:
        from pypdf.generic._font import Font  # not public API: without it, widths are estimated

        return Font.from_font_resource(font)  # type: ignore[arg-type]
    except Exception:
        return None


def _trim_running(lines: list[Line], keys: set[str]) -> list[Line]:
    """Drop repeated headers/footers and page numbers, only at the top and bottom of the page."""
    start, end = 0, len(lines)
    while start < end and start < 3 and is_running_line(lines[start].text, keys):
        start += 1
    while end > start and len(lines) - end < 3 and is_running_line(lines[end - 1].text, keys):
        end -= 1
    return lines[start:end]


def _title(reader: PdfReader, blocks: list[Block]) -> str:
    """The document's title: its metadata if meaningful, else its first large heading."""
    raw = ""
    try:
        meta = reader.metadata  # read on first access: a damaged info dictionary raises here
        raw = str(meta.title or "") if meta else ""
    except Exception:  # broken metadata objects are common and never worth losing a file
        raw = ""
    title = squash(normalize_text(raw))
    if title and not GENERIC_TITLES.match(title) and not title.lower().endswith((".doc", ".docx", ".pdf")):
        return title
    headings = [b for b in blocks if b.kind == "heading"]
    if headings:
        best = min(headings[:5], key=lambda b: (b.level, b.page))
        return best.text
    return ""
