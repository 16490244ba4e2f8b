"""Ingest orchestration for the CLI and the UI: files -> documents -> chunks -> storage, with a summary."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.factory import open_index
from assistant.settings import Settings
from index.models import DocumentRecord
from ingest.fiche import describe
from ingest.models import Document
from ingest.ocr import OcrOptions
from ingest.pipeline import Skipped, cited_name, content_id, discover, printable
from ingest.split import chunk_document
from ingest.worker import parse_limited

if TYPE_CHECKING:
    from index.index import Index

log = logging.getLogger(__name__)


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

    def __str__(self) -> str:
        if self.note:
            return self.note
        lines = [
            f"Ingestion terminée en {self.seconds:.1f} s : {self.files} fichier(s) trouvé(s), "
            f"{self.ingested} ingéré(s), {self.unchanged} déjà à jour, {len(self.skipped)} ignoré(s).",
            f"Ajouté à l'index : {self.pages} page(s), {self.chunks} passage(s).",
        ]
        if self.ocr_pages:
            lines.append(
                f"Reconnaissance de caractères (OCR) : {self.ocr_pages} page(s) numérisée(s) lue(s) "
                f"en {self.ocr_seconds:.1f} s ; vérifiez les passages cités sur le scan."
            )
        if self.pruned:
            lines.append(f"Retirés de l'index (fichiers disparus) : {', '.join(self.pruned)}")
        if self.skipped:
            lines.append("Fichiers ignorés :")
            lines.extend(f"  - {printable(str(s.path))} : {s.reason}" for s in self.skipped)
        if self.warnings:
            lines.append("Avertissements :")
            lines.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(lines)


def run_ingest(
    settings: Settings,
    paths: list[Path],
    reset: bool = False,
    if_empty: bool = False,
    prune: bool = False,
    index: Index | None = None,
) -> IngestReport:
    """Ingest files and folders into the index; bad files are skipped with their reason, the batch goes on.

    `index`: an index already open in this process (the UI's), so that its searches see the new documents.
    """
    start = time.perf_counter()
    found = discover(paths)  # a missing path stops here, before the index is touched
    if index is None:
        index = open_index(settings, reset=reset)
    elif reset:
        index.reset()
    known = {r.doc_id for r in index.documents()}
    if if_empty and known:
        return IngestReport(note=f"Index déjà prêt : {len(known)} document(s) ; rien à ingérer.")
    report = IngestReport(files=len(found.files) + len(found.skipped), skipped=list(found.skipped))
    with index.batch():
        ocr = OcrOptions(timeout=settings.ocr_page_timeout)
        for path, result in _with_progress(found.files, known, ocr, settings.parse_timeout):
            if result is None:
                report.unchanged += 1
                continue
            if isinstance(result, Skipped):
                report.skipped.append(result)
                continue
            chunks = chunk_document(result, settings.chunk_size, settings.chunk_overlap)
            if index.add_document(DocumentRecord.of(result), chunks, describe(result).to_json()):
                report.ingested += 1
                report.pages += result.page_count
                report.chunks += len(chunks)
                report.ocr_pages += len(result.ocr_pages)
                report.ocr_seconds += result.ocr_seconds
                report.warnings.extend(f"{printable(str(path))} : {w}" for w in result.warnings)
            else:
                report.unchanged += 1
        if prune:
            report.pruned = [r.source for r in index.prune(cited_name(p.name) for p in found.files)]
    report.seconds = time.perf_counter() - start
    return report


def _with_progress(
    files: list[Path], known: set[str], ocr: OcrOptions, timeout: float
) -> Iterator[tuple[Path, Document | Skipped | None]]:
    """Parse files one by one with a progress bar on long batches; None for a file already indexed.

    Each file is read in a child process stopped after `timeout` seconds (OCR pages aside; 0: no limit).

    OCR pages show in the same bar, one by one; a scan shows the bar even in a short batch, since OCR is slow.
    """
    from rich.progress import Progress

    with Progress(transient=True, disable=len(files) < 5) as progress:
        task = progress.add_task("Lecture des documents", total=len(files))
        for path in files:
            progress.update(task, description=f"Lecture de {cited_name(path.name)}")

            def on_ocr_page(page: int, done: int, total: int, name: str = cited_name(path.name)) -> None:
                if progress.disable and progress.console.is_terminal:
                    progress.disable = False
                    progress.start()
                progress.update(task, description=f"OCR de {name} : page {page} ({done + 1}/{total})")

            yield path, None if _file_id(path) in known else parse_limited(path, timeout, ocr, on_ocr_page)
            progress.advance(task)


def _file_id(path: Path) -> str | None:
    try:
        return content_id(path.read_bytes())
    except OSError:
        return None  # try_parse reports it


def index_status(settings: Settings) -> dict[str, Any]:
    """Counts of the index for `status`."""
    return open_index(settings).status()
