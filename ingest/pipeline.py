"""Files in, Documents and Chunks out: discovery, per-format reading, and a batch summary."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.errors import SkipFile, UserError
from ingest.html import read_html
from ingest.models import Block, Document
from ingest.ocr import OcrOptions
from ingest.odt import read_odt
from ingest.pdf import OcrProgress, page_ranges, read_pdf
from ingest.text import read_docx, read_text

log = logging.getLogger(__name__)

_SURROGATE_RE = re.compile("[\ud800-\udfff]")  # a broken PDF font map can decode to one; UTF-8 cannot store it
_INVISIBLE = ("Cc", "Cf", "Cs", "Zl", "Zp")  # control, format, lone surrogate, line and paragraph separators
SUPPORTED = (".pdf", ".docx", ".odt", ".html", ".htm", ".txt", ".md")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file left out of a batch, with the French reason shown to the user."""

    path: Path
    reason: str


@dataclass(slots=True)
class Discovery:
    """Files found under the paths given, and the ones that cannot be read."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def discover(paths: Iterable[Path]) -> Discovery:
    """Walk files and folders (recursively, sorted, hidden files ignored); a missing path is a UserError."""
    found = Discovery()
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise UserError(f"Erreur : '{path}' n'existe pas. Donnez un fichier ou un dossier de documents.")
        candidates = [path] if path.is_file() else sorted(_walk(path))
        for file in candidates:
            resolved = file.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if file.suffix.lower() in SUPPORTED:
                found.files.append(file)
            else:
                found.skipped.append(Skipped(file, unsupported_reason(file)))
    return found


def unsupported_reason(path: Path) -> str:
    """French reason for a file whose format is not read."""
    suffix = path.suffix.lower() or "sans extension"
    return f"format non pris en charge ({suffix}) ; formats acceptés : {', '.join(SUPPORTED)}"


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(("." , "~$")):
                yield Path(root) / name


def printable(text: str, replacement: str = "") -> str:
    """`text` fit to show and store: bytes that were not UTF-8 (a file name, a command-line argument) become
    "\ufffd"; control and invisible format characters (line breaks, escapes, right-to-left overrides) become
    `replacement`."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte ("\ud800" sent in a question's JSON)
        text = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return "".join(replacement if unicodedata.category(c) in _INVISIBLE else c for c in text)


def cited_name(name: str) -> str:
    """A file's name as cited and listed: printable, with no path separator ("\\" is one on Windows)."""
    return printable(name).replace("\\", "_").replace("/", "_").strip() or "document"


def content_id(data: bytes) -> str:
    """Document id: the same bytes always give the same id."""
    return hashlib.sha256(data).hexdigest()[:16]


def parse_file(path: Path, ocr: OcrOptions | None = None, on_ocr_page: OcrProgress | None = None) -> Document:
    """Read one file into a Document; SkipFile carries the French reason when it cannot be read.

    Scanned PDF pages are read by OCR with `ocr` options; `on_ocr_page` hears of each page before it is read.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SkipFile(f"fichier illisible ({exc.strerror or exc}) ; vérifiez ses droits d'accès") from exc
    if not data:
        raise SkipFile("fichier vide (0 octet)")
    suffix = path.suffix.lower()
    warnings: list[str] = []
    blocks: list[Block]
    date, ocr_seconds = "", 0.0
    ocr_pages: tuple[int, ...] = ()
    if suffix == ".pdf":
        content = read_pdf(path, ocr, on_ocr_page)
        title, page_count, blocks = content.title, content.page_count, list(content.blocks)
        ocr_pages, ocr_seconds = content.ocr_pages, content.ocr_seconds
        warnings.extend(content.warnings)
        if content.empty_pages:
            pages = page_ranges(content.empty_pages)
            warnings.append(f"pages sans texte : {pages} (elles ne sont pas indexées)")
    elif suffix == ".docx":
        title, page_count, blocks = read_docx(path)
    elif suffix == ".odt":
        title, page_count, blocks = read_odt(path)
    elif suffix in (".html", ".htm"):
        page = read_html(path)
        title, page_count, blocks, date = page.title, 1, list(page.blocks), page.date
    elif suffix in (".txt", ".md"):
        title, page_count, blocks = read_text(path)
    else:
        raise SkipFile(unsupported_reason(path))
    if not any(block.text.strip() for block in blocks):
        raise SkipFile("aucun texte à indexer dans ce fichier")
    blocks = [replace(b, text=_SURROGATE_RE.sub("\ufffd", b.text)) if _SURROGATE_RE.search(b.text) else b
              for b in blocks]
    return Document(
        doc_id=content_id(data),
        source=cited_name(path.name),
        title=printable(title) or _title_from_name(path),
        path=printable(str(path.resolve())),  # a name that is not UTF-8 cannot be stored: see Library.resolve
        page_count=page_count,
        blocks=tuple(blocks),
        warnings=tuple(warnings),
        date=date,
        ocr_pages=tuple(ocr_pages),
        ocr_seconds=ocr_seconds,
    )


def _title_from_name(path: Path) -> str:
    words = printable(path.stem).replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() if words else cited_name(path.name)


def try_parse(
    path: Path, ocr: OcrOptions | None = None, on_ocr_page: OcrProgress | None = None
) -> Document | Skipped:
    """parse_file for batches: a bad file becomes a Skipped with its reason, never an exception."""
    try:
        return parse_file(path, ocr, on_ocr_page)
    except SkipFile as exc:
        return Skipped(path, str(exc))
    except MemoryError:
        raise  # not this file's fault alone: the caller knows the memory limit and says so (ingest/worker.py)
    except Exception as exc:  # a reader bug on one file must not stop the batch; the log keeps the trace
        log.exception("unexpected failure while reading %s", path)
        return Skipped(path, f"lecture impossible (erreur inattendue : {type(exc).__name__}) ; signalez ce fichier")
