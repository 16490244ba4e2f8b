"""Ingest orchestration for the CLI and the UI: files -> documents -> chunks -> storage, with a summary."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.models import Chunk, Document
from ingest.pipeline import Skipped, discover, try_parse
from ingest.split import chunk_document

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
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    note: str = ""

    def __str__(self) -> str:
        if self.note:
            return self.note
        lines = [
            f"Ingestion terminée en {self.seconds:.1f} s : {self.files} fichier(s) trouvé(s), "
            f"{self.ingested} ingéré(s), {self.unchanged} déjà à jour, {len(self.skipped)} ignoré(s).",
            f"Ajouté à l'index : {self.pages} page(s), {self.chunks} passage(s).",
        ]
        if self.skipped:
            lines.append("Fichiers ignorés :")
            lines.extend(f"  - {s.path} : {s.reason}" for s in self.skipped)
        if self.warnings:
            lines.append("Avertissements :")
            lines.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(lines)


class ChunkStore:
    """Chunks on disk, one JSON-lines file per document plus a manifest written last (atomically)."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "chunks"
        self.manifest_path = data_dir / "manifest.json"

    def manifest(self) -> dict[str, dict[str, Any]]:
        if not self.manifest_path.exists():
            return {}
        data: dict[str, dict[str, Any]] = json.loads(self.manifest_path.read_text("utf-8"))
        return data

    def has(self, doc_id: str) -> bool:
        return doc_id in self.manifest()

    def put(self, doc: Document, chunks: list[Chunk]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        manifest = self.manifest()
        # A changed file replaces the chunks of its previous version.
        for old_id in [k for k, v in manifest.items() if v["source"] == doc.source and k != doc.doc_id]:
            (self.root / f"{old_id}.jsonl").unlink(missing_ok=True)
            del manifest[old_id]
        _write_atomic(
            self.root / f"{doc.doc_id}.jsonl",
            "".join(json.dumps({"text": c.text, **c.metadata()}, ensure_ascii=False) + "\n" for c in chunks),
        )
        manifest[doc.doc_id] = {
            "source": doc.source,
            "title": doc.title,
            "path": doc.path,
            "pages": doc.page_count,
            "chunks": len(chunks),
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _write_atomic(self.manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1))

    def chunks(self) -> list[Chunk]:
        out: list[Chunk] = []
        for doc_id in self.manifest():
            path = self.root / f"{doc_id}.jsonl"
            for line in path.read_text("utf-8").splitlines():
                row = json.loads(line)
                out.append(Chunk.from_metadata(row.pop("text"), row))
        return out

    def reset(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.manifest_path.unlink(missing_ok=True)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def run_ingest(settings: Any, paths: list[Path], reset: bool = False, if_empty: bool = False) -> IngestReport:
    """Ingest files and folders; bad files are skipped with their reason, the batch goes on."""
    start = time.perf_counter()
    store = ChunkStore(settings.data_dir)
    if reset:
        store.reset()
    if if_empty and store.manifest():
        docs = store.manifest()
        return IngestReport(note=f"Index déjà prêt : {len(docs)} document(s) ; rien à ingérer.")
    found = discover(paths)
    report = IngestReport(files=len(found.files) + len(found.skipped), skipped=list(found.skipped))
    for path, result in _with_progress(found.files):
        if isinstance(result, Skipped):
            report.skipped.append(result)
            continue
        if store.has(result.doc_id):
            report.unchanged += 1
            continue
        chunks = chunk_document(result, settings.chunk_size, settings.chunk_overlap)
        store.put(result, chunks)
        report.ingested += 1
        report.pages += result.page_count
        report.chunks += len(chunks)
        report.warnings.extend(f"{path} : {w}" for w in result.warnings)
    report.seconds = time.perf_counter() - start
    return report


def _with_progress(files: list[Path]) -> Any:
    """Parse files one by one, with a progress bar on long batches."""
    from rich.progress import Progress

    with Progress(transient=True, disable=len(files) < 5) as progress:
        task = progress.add_task("Lecture des documents", total=len(files))
        for path in files:
            progress.update(task, description=f"Lecture de {path.name}")
            yield path, try_parse(path)
            progress.advance(task)


def index_status(settings: Any) -> dict[str, Any]:
    """Counts of the index for `status`."""
    manifest = ChunkStore(settings.data_dir).manifest()
    return {
        "documents": len(manifest),
        "chunks": sum(int(d["chunks"]) for d in manifest.values()),
        "pages": sum(int(d["pages"]) for d in manifest.values()),
        "data_dir": str(Path(settings.data_dir).resolve()),
    }
