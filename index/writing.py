"""The write side of an index: add, replace and remove documents, each write under the write lock.

Every write goes Chroma first (upsert by deterministic id, so a redo never duplicates), then the lexical index,
then the manifest, which commits (index/index.py says why a crash loses at most the document being written).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from index.manifest import write_atomic
from index.models import DocumentRecord
from index.state import IndexState
from ingest.models import Chunk

log = logging.getLogger(__name__)

NewDocument = tuple[DocumentRecord, Sequence[Chunk], Mapping[str, Any] | None]  # record, chunks, fiche


class Writer:
    """The writes of an index, over the stores Index (index/index.py) opened and shares."""

    def __init__(self, state: IndexState, lock: Callable[[], AbstractContextManager[None]]) -> None:
        """`lock` holds the write lock (and the server's lease) for a batch of writes (Index's `_writing`)."""
        self._state = state
        self._lock = lock

    # -- writing -----------------------------------------------------------------------------

    def add_document(
        self, record: DocumentRecord, chunks: Sequence[Chunk], fiche: Mapping[str, Any] | None = None
    ) -> bool:
        """Index a document's chunks (and its fiche: JSON-able facts about it); False (and no work) when this
        file is already indexed.

        A document with the same source but another doc_id (the file changed) is replaced.
        """
        return self.add_documents([(record, chunks, fiche)])[0]

    def add_documents(
        self, documents: Sequence[NewDocument], on_encoded: Callable[[], None] | None = None
    ) -> list[bool]:
        """`add_document` for several documents at once, in one write of each store: one encoder request for
        all their chunks, one Chroma upsert, one manifest save (each write has a fixed cost).
        A crash loses these documents together, and the next ingest redoes them. `on_encoded` hears when their
        vectors are ready and the writing starts."""
        todo: list[tuple[DocumentRecord, list[Chunk], Mapping[str, Any] | None]] = []
        for record, chunks, fiche in documents:
            chunks = list(chunks)
            _check_chunks(record, chunks)
            todo.append((record, chunks, fiche))
        done: list[bool] = []
        with self._lock():
            while todo:
                # Two versions of one file in a group: the later one replaces the earlier, in another write.
                sources: set[str] = set()
                cut = 0
                while cut < len(todo) and todo[cut][0].source not in sources:
                    sources.add(todo[cut][0].source)
                    cut += 1
                done.extend(self._add(todo[:cut], on_encoded))
                todo = todo[cut:]
        return done

    def is_indexed(self, record: DocumentRecord) -> bool:
        """True if this very file (same bytes, same name) is already indexed: `add_document` would do nothing."""
        current = self._state.manifest.records.get(record.doc_id)
        return current is not None and current.source == record.source

    def _add(
        self,
        documents: list[tuple[DocumentRecord, list[Chunk], Mapping[str, Any] | None]],
        on_encoded: Callable[[], None] | None = None,
    ) -> list[bool]:
        added = [not self.is_indexed(record) for record, _, _ in documents]
        new = [d for d, keep in zip(documents, added, strict=True) if keep]
        if not new:
            return added
        start, embedding = time.perf_counter(), self._state.chroma.timings["embed"]
        replaced = {record.source: record.doc_id for record, _, _ in new}
        stale = [r for r in self._state.manifest.records.values() if replaced.get(r.source, r.doc_id) != r.doc_id]
        fiches = {f"fiche:{r.doc_id}": json.dumps(f, ensure_ascii=False) for r, _, f in new if f is not None}
        for record, _, fiche in new:
            if fiche is not None:  # before the manifest, which commits: a fiche may outlive a crash, never lack
                write_atomic(self._state.fiche_path(record.doc_id), fiches[f"fiche:{record.doc_id}"])
        if self._state.server is not None:
            self._state.server.put_fiches(fiches)
            for record, _, _ in new:
                self._state.server.send_original(record)
        chunks = [c for _, doc_chunks, _ in new for c in doc_chunks]
        # New version in before the old one goes out: a crash in between keeps the old version.
        self._state.chroma.add(chunks, on_encoded)
        self._state.chroma.delete_documents(r.doc_id for r in stale)
        self._state.lexical.remove_documents(r.doc_id for r in stale)
        self._state.lexical.add(chunks)
        records = dict(self._state.manifest.records)  # a new dict: searches may be iterating the current one
        for old in stale:
            records.pop(old.doc_id, None)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for record, doc_chunks, _ in new:
            records[record.doc_id] = replace(record, chunks=len(doc_chunks), ingested_at=now,
                                             model=self._state.model_name)
        self._state.manifest.records = records
        self._state.commit()
        self._state.write_seconds += time.perf_counter() - start - (self._state.chroma.timings["embed"] - embedding)
        if self._state.encode_sentences:
            encoding = time.perf_counter()
            encoded = self._state.sentences.ensure(chunks)  # after the commit: the cache is not part of it
            self._state.chroma.timings["embed"] += time.perf_counter() - encoding
            log.info("%d new sentence vectors", encoded)
        log.info("indexed %d document(s), %d chunks, replaced %d", len(new), len(chunks), len(stale))
        return added

    def remove(self, key: str) -> list[DocumentRecord]:
        """Remove the documents whose doc_id or source is `key`; returns what was removed."""
        with self._lock():
            gone = [r for r in self._state.manifest.records.values() if key in (r.doc_id, r.source)]
            self._drop(gone)
        return gone

    def prune(self, existing_sources: Iterable[str]) -> list[DocumentRecord]:
        """Remove the documents whose source is not in `existing_sources` (their file is gone)."""
        keep = set(existing_sources)
        with self._lock():
            gone = [r for r in self._state.manifest.records.values() if r.source not in keep]
            self._drop(gone)
        return gone

    def _drop(self, records: Sequence[DocumentRecord]) -> None:
        if not records:
            return
        doc_ids = [r.doc_id for r in records]
        self._state.chroma.delete_documents(doc_ids)
        self._state.lexical.remove_documents(doc_ids)
        gone = set(doc_ids)
        self._state.manifest.records = {d: r for d, r in self._state.manifest.records.items() if d not in gone}
        self._state.commit()
        for doc_id in doc_ids:
            self._state.fiche_path(doc_id).unlink(missing_ok=True)

    def reset(self) -> None:
        """Empty the index (and label it with the current embedding model)."""
        with self._lock():
            self._state.clear_manifest()
            self._state.chroma.reset()
            self._state.lexical.rebuild([])

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many `add_document`/`remove` calls: the BM25 index is rebuilt once, at the end.

        Holds the write lock throughout: another process cannot write meanwhile (it gets a UserError).
        """
        with self._lock():
            with self._state.lexical.batch():
                yield
                committing = time.perf_counter()
            self._state.write_seconds += time.perf_counter() - committing  # the lexical index's one commit


def _check_chunks(record: DocumentRecord, chunks: Sequence[Chunk]) -> None:
    # A caller bug, not a user error: mixed documents or duplicate ids would corrupt the counts.
    if any((c.doc_id, c.source) != (record.doc_id, record.source) for c in chunks):
        raise ValueError(f"chunks of another document passed with {record.doc_id} ({record.source})")
    if len({c.id for c in chunks}) != len(chunks):
        raise ValueError(f"duplicate chunk ids in {record.doc_id}")
