"""Ingest orchestration: files -> documents -> chunks -> this index, with a summary (progress is shown by the
caller, ui/progress.py, from the steps it is told of). It lives on the index's floor, the lowest that both reads
files (ingest/) and writes passages; assistant/factory.py wires it to the settings for the CLI, the page and the API.

The encoder is by far the slowest step, so the rest is arranged around it: files are read, cleaned,
chunked and described (each in a child process with time and memory limits, see ingest/worker.py and
ingest/prepare.py: no untrusted text is worked on in this process) in a thread while the encoder
(C code, which releases the GIL) works on the chunks of the files before; and small documents
are written several at a time (one Chroma upsert, one manifest save for the group), since each write
has a fixed cost of tens of milliseconds.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.index import Index
from index.models import DocumentRecord
from ingest import prepare
from ingest.models import Chunk, Document
from ingest.pipeline import Discovery, Skipped, cited_name, content_id, printable
from ingest.worker import run_limited
from lang.plural import counted, plural

log = logging.getLogger(__name__)

WRITE_GROUP = 64  # chunks written together, at least (a group ends early rather than wait for the reader)
READ_AHEAD = 8  # parsed documents waiting for the encoder, at most
STAGES = ("parse", "chunk", "embed", "write")


@dataclass(frozen=True, slots=True)
class Step:
    """Where an ingest stands, for a progress display: a file being read, one of its scanned pages read by OCR,
    its passages encoded, then written to the index."""

    stage: str  # "read" | "ocr" | "encode" | "write"
    source: str  # the file's name as cited
    done: int = 0  # ocr: scanned pages of the file read before this one
    total: int = 0  # ocr: scanned pages of the file; encode and write: passages
    file: int = 0  # read and ocr: the file's number in the batch (from 1)
    files: int = 0  # read and ocr: files in the batch


OnStep = Callable[[Step], None]


@dataclass(slots=True)
class IngestReport:
    """What a batch did, for the summary line and for tests."""

    files: int = 0
    ingested: int = 0
    unchanged: int = 0
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    ocr_pages: int = 0  # pages read by OCR: slow, so counted apart
    ocr_seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    note: str = ""
    # Seconds per stage: parse (read + clean), chunk (split + fiche; both in the reading child), embed (encoder),
    # write (Chroma, BM25, manifest). Parsing runs beside the encoder, so the stages add up to more than `seconds`.
    stages: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    encoded: int = 0  # passages run through the encoder
    reused: int = 0  # passages whose vector was already stored (same text): not encoded again

    def __str__(self) -> str:
        if self.note:
            return self.note
        lines = [
            f"Ingestion terminée en {self.seconds:.1f} s : "
            f"{counted(self.files, 'fichier trouvé', 'fichiers trouvés')}, "
            f"{counted(self.ingested, 'ingéré', 'ingérés')}, {self.unchanged} déjà à jour, "
            f"{counted(len(self.skipped), 'ignoré', 'ignorés')}.",
            f"Ajouté à l'index : {counted(self.pages, 'page', 'pages')}, "
            f"{counted(self.chunks, 'passage', 'passages')}.",
        ]
        if self.ocr_pages:
            lines.append(
                "Reconnaissance de caractères (OCR) : "
                f"{counted(self.ocr_pages, 'page numérisée lue', 'pages numérisées lues')} "
                f"en {self.ocr_seconds:.1f} s ; vérifiez les passages cités sur le scan."
            )
        if self.reused:
            lines.append(f"Vecteurs réutilisés : {counted(self.reused, 'passage', 'passages')} au texte déjà indexé, "
                         f"{plural(self.reused, 'non recalculé', 'non recalculés')}.")
        if self.pruned:
            lines.append(f"Retirés de l'index (fichiers disparus) : {', '.join(self.pruned)}")
        if self.skipped:
            lines.append("Fichiers ignorés :")
            lines.extend(f"  - {printable(str(s.path))} : {s.reason}" for s in self.skipped)
        if self.warnings:
            lines.append("Avertissements :")
            lines.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(lines)


def ingest_files(
    index: Index,
    found: Discovery,
    options: prepare.IngestOptions,
    if_empty: bool = False,
    prune: bool = False,
    on_step: OnStep | None = None,
) -> IngestReport:
    """Ingest the files found into `index`; bad files are skipped with their reason, the batch goes on.

    `prune`: documents whose file is not among those found leave the index.
    `on_step`: told of each stage of each file (see Step), from the reading thread or this one.
    """
    start = time.perf_counter()
    known = {r.doc_id for r in index.documents()}
    if if_empty and known:
        return IngestReport(note=f"Index déjà prêt : {counted(len(known), 'document', 'documents')} ; rien à ingérer.")
    report = IngestReport(files=len(found.files) + len(found.skipped), skipped=list(found.skipped))
    timings, counts = dict(index.timings), dict(index.encoder_counts)
    with index.batch():
        parsed = _parsed(found.files, known, options, report.stages, on_step)
        for group in _groups(parsed):
            _add(index, group, report, on_step)
        if prune:
            report.pruned = [r.source for r in index.prune(cited_name(p.name) for p in found.files)]
    report.stages["embed"] = index.timings["embed"] - timings["embed"]
    report.stages["write"] = index.timings["write"] - timings["write"]
    report.encoded = index.encoder_counts["encoded"] - counts["encoded"]
    report.reused = index.encoder_counts["reused"] - counts["reused"]
    report.seconds = time.perf_counter() - start
    return report


@dataclass(slots=True)
class _Parsed:
    """One file, read and chunked (or skipped, or None when already indexed)."""

    path: Path
    result: Document | Skipped | None
    chunks: list[Chunk] = field(default_factory=list)
    fiche: dict[str, Any] | None = None


def _add(index: Index, group: list[_Parsed], report: IngestReport, on_step: OnStep | None = None) -> None:
    """Index the documents of `group` in one write (one encoder call for all their chunks)."""
    documents = [(item, item.result) for item in group if isinstance(item.result, Document)]
    on_encoded = None
    if on_step is not None and documents:
        names = ", ".join(doc.source for _, doc in documents)
        chunks = sum(len(item.chunks) for item, _ in documents)
        on_step(Step("encode", names, total=chunks))

        def on_encoded() -> None:
            on_step(Step("write", names, total=chunks))

    added = index.add_documents([(DocumentRecord.of(doc), item.chunks, item.fiche) for item, doc in documents],
                                on_encoded)
    was_added = {id(item): ok for (item, _), ok in zip(documents, added, strict=True)}
    for item in group:
        result = item.result
        if result is None or (isinstance(result, Document) and not was_added[id(item)]):
            report.unchanged += 1
        elif isinstance(result, Skipped):
            report.skipped.append(result)
        else:
            report.ingested += 1
            report.pages += result.page_count
            report.chunks += len(item.chunks)
            report.ocr_pages += len(result.ocr_pages)
            report.ocr_seconds += result.ocr_seconds
            report.warnings.extend(f"{printable(str(item.path))} : {w}" for w in result.warnings)


def _groups(parsed: _ReadAhead) -> Iterator[list[_Parsed]]:
    """Parsed files in groups written together: at least WRITE_GROUP chunks, or fewer when the next file
    is not read yet (better to encode now than to leave the encoder idle)."""
    group: list[_Parsed] = []
    size = 0
    for item in parsed:
        group.append(item)
        size += len(item.chunks)
        if size >= WRITE_GROUP or not parsed.ready():
            yield group
            group, size = [], 0
    if group:
        yield group


class _ReadAhead:
    """Iterate over what `produce` yields, produced in a thread up to READ_AHEAD items ahead."""

    _END = object()

    def __init__(self, produce: Callable[[], Iterator[_Parsed]]) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=READ_AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(produce,), name="ingest-reader", daemon=True)
        self._thread.start()

    def _run(self, produce: Callable[[], Iterator[_Parsed]]) -> None:
        try:
            for item in produce():
                while not self._stop.is_set():
                    try:
                        self._queue.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    return
            self._queue.put(self._END)
        except BaseException as exc:  # handed to the consuming thread, which raises it
            self._queue.put(exc)

    def ready(self) -> bool:
        """True if the next item is already produced."""
        return not self._queue.empty()

    def __iter__(self) -> Iterator[_Parsed]:
        try:
            while True:
                item = self._queue.get()
                if item is self._END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()


def _parsed(
    files: list[Path],
    known: set[str],
    options: prepare.IngestOptions,
    stages: dict[str, float],
    on_step: OnStep | None = None,
) -> _ReadAhead:
    """The files read, cleaned, chunked and described (in the reading child) in a thread, in order."""

    def produce() -> Iterator[_Parsed]:
        for path, result in _prepared(files, known, options, stages, on_step):
            if isinstance(result, prepare.Prepared):
                yield _Parsed(path, result.document, list(result.chunks), result.fiche)
            else:
                yield _Parsed(path, result)

    return _ReadAhead(produce)


def _prepared(
    files: list[Path],
    known: set[str],
    options: prepare.IngestOptions,
    stages: dict[str, float] | None = None,
    on_step: OnStep | None = None,
) -> Iterator[tuple[Path, prepare.Prepared | Skipped | None]]:
    """Prepare files one by one; None for a file already indexed. A display (ui/progress.py) hears of each
    file read and each scanned page read by OCR through `on_step`.

    Each file is read, chunked and described in a child process stopped after ARS_PARSE_TIMEOUT seconds
    (OCR pages aside; 0: no limit, in this process) and limited to ARS_PARSE_MEMORY_MB.
    """
    reader, limits = options.reader(), options.limits
    for number, path in enumerate(files, start=1):
        name = cited_name(path.name)

        def on_ocr_page(page: int, done: int, total: int, name: str = name, number: int = number) -> None:
            if on_step is not None:
                on_step(Step("ocr", name, done, total, file=number, files=len(files)))

        start = time.perf_counter()
        result = None
        if _file_id(path) not in known:
            if on_step is not None:
                on_step(Step("read", name, file=number, files=len(files)))
            result = run_limited(reader, path, limits.timeout, limits.ocr, on_ocr_page, memory_mb=limits.memory_mb)
        if stages is not None:
            chunking = result.seconds if isinstance(result, prepare.Prepared) else 0.0
            stages["parse"] += time.perf_counter() - start - chunking
            stages["chunk"] += chunking
        yield path, result


def _file_id(path: Path) -> str | None:
    try:
        return content_id(path.read_bytes())
    except OSError:
        return None  # try_parse reports it
