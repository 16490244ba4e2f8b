"""Everything done to one file's content at ingest: read, check its length, chunk and describe it.

It runs in the reading child of ingest/worker.py (`IngestOptions.reader()` is what the ingest gives it), so that
ARS_PARSE_TIMEOUT and ARS_PARSE_MEMORY_MB cover all the work on an untrusted file's text, and the serving
process only encodes and stores the chunks. The readers that come after the ingest (the viewer's text of a
document, the fiche of a document indexed before fiches existed) run in the same child with the same
`Limits`. Kept light (no index, no model): the fork server imports it.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.fiche import Fiche
from ingest.fiche.describe import describe
from ingest.models import Chunk, Document
from ingest.ocr import OcrOptions
from ingest.pdf import OcrProgress
from ingest.pipeline import Skipped, try_parse
from ingest.split import chunk_document
from ingest.worker import run_limited

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A file read, chunked and described, ready to be encoded and stored."""

    document: Document
    chunks: tuple[Chunk, ...]
    fiche: dict[str, Any]
    seconds: float  # spent chunking and describing (the "chunk" stage of the ingest report)


@dataclass(frozen=True, slots=True)
class Options:
    """What the child needs of the settings (plain values: they travel to it pickled)."""

    chunk_size: int
    chunk_overlap: int
    max_chars: int  # 0: no limit


@dataclass(frozen=True, slots=True)
class Limits:
    """What reading one file may cost (ARS_PARSE_TIMEOUT, ARS_PARSE_MEMORY_MB, ARS_PARSE_MAX_CHARS; 0: no limit),
    and how its scanned pages are read."""

    timeout: float
    memory_mb: int
    max_chars: int
    ocr: OcrOptions = OcrOptions()


def too_long_reason(chars: int, max_chars: int) -> str:
    """French reason for a document whose text is longer than the limit."""
    return (
        f"texte trop long ({_count(chars)} caractères ; maximum {_count(max_chars)}) : découpez le document, "
        "ou relevez la limite (ARS_PARSE_MAX_CHARS)"
    )


def _count(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def prepare_file(
    options: Options, path: Path, ocr: OcrOptions | None = None, on_ocr_page: OcrProgress | None = None
) -> Prepared | Skipped:
    """Read `path`, then chunk and describe it; a Skipped with its French reason when it cannot be used."""
    result = read_file(options.max_chars, path, ocr, on_ocr_page)
    if isinstance(result, Skipped):
        return result
    start = time.perf_counter()
    try:
        chunks = chunk_document(result, options.chunk_size, options.chunk_overlap)
        fiche = describe(result).to_json()
    except MemoryError:
        raise  # the child's memory limit: ingest/worker.py gives the reason
    except Exception as exc:  # a bug on one file must not stop the batch; the log keeps the trace
        log.exception("unexpected failure while chunking %s", path)
        return Skipped(path, f"découpage impossible (erreur inattendue : {type(exc).__name__}) ; signalez ce fichier")
    return Prepared(result, tuple(chunks), fiche, time.perf_counter() - start)


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How an ingest cuts files into passages, and what reading each may cost (built from the settings by
    assistant/factory.py)."""

    chunk_size: int
    chunk_overlap: int
    limits: Limits

    def reader(self) -> functools.partial[Prepared | Skipped]:
        """`prepare_file` with these options, as ingest/worker.py runs it in its child (a partial pickles)."""
        return functools.partial(prepare_file, Options(self.chunk_size, self.chunk_overlap, self.limits.max_chars))


def read_file(
    max_chars: int, path: Path, ocr: OcrOptions | None = None, on_ocr_page: OcrProgress | None = None
) -> Document | Skipped:
    """`try_parse`, then a Skipped when the text is longer than `max_chars` (0: no limit)."""
    result = try_parse(path, ocr, on_ocr_page)
    if isinstance(result, Skipped):
        return result
    chars = sum(len(block.text) for block in result.blocks)
    if max_chars and chars > max_chars:
        return Skipped(path, too_long_reason(chars, max_chars))
    return result


def describe_file(
    max_chars: int, path: Path, ocr: OcrOptions | None = None, on_ocr_page: OcrProgress | None = None
) -> Fiche | Skipped:
    """The fiche of `path` (read as `read_file` does); a Skipped with its French reason when it cannot be read."""
    result = read_file(max_chars, path, ocr, on_ocr_page)
    if isinstance(result, Skipped):
        return result
    try:
        return describe(result)
    except MemoryError:
        raise  # the child's memory limit: ingest/worker.py gives the reason
    except Exception as exc:  # a bug on one file must not stop the caller; the log keeps the trace
        log.exception("unexpected failure while describing %s", path)
        return Skipped(path, f"description impossible (erreur inattendue : {type(exc).__name__}) ; signalez ce fichier")


def read_limited(path: Path, limits: Limits) -> Document | Skipped:
    """`read_file` in the limited reading child (ingest/worker.py), for a reader that comes after the ingest."""
    reader = functools.partial(read_file, limits.max_chars)
    return run_limited(reader, path, limits.timeout, limits.ocr, memory_mb=limits.memory_mb)


def describe_limited(path: Path, limits: Limits) -> Fiche | Skipped:
    """`describe_file` in the limited reading child: the fiche of a document indexed before fiches existed."""
    reader = functools.partial(describe_file, limits.max_chars)
    return run_limited(reader, path, limits.timeout, limits.ocr, memory_mb=limits.memory_mb)
