"""The index facade: French hybrid search (BM25 + e5 vectors) over documents kept in Chroma.

Three stores, one source of truth:

    Chroma      chunks, texts, vectors               the truth for chunks
    lexical/    BM25 over tokens of those chunks     derived from Chroma, can always be rebuilt
    manifest    documents fully indexed              the commit record, written last, atomically

Crash safety (SIGKILL at any instant of an ingest): every write goes Chroma first (upsert by
deterministic id, so a redo never duplicates), then the lexical index, then the manifest. A
document is therefore in the manifest only once all its chunks are in Chroma. At open, `repair()`
restores the invariants: chunks of a document the manifest does not list are orphans of an
interrupted write and are deleted; a manifest entry whose chunk count in Chroma is wrong is
dropped with its chunks, so the next ingest redoes it; then if the lexical index's fingerprint
(digest of its chunk ids) differs from Chroma's ids, the chunks it lacks are added to it from
the texts stored in Chroma and those Chroma lacks are dropped. The lexical index may lag behind
during a batch (one commit per ingest run), never the manifest, so the loss on a crash is at
most the document being written.

Checking all that means reading every chunk id from Chroma, which takes seconds for a large
index, so it is done only when needed: a writer leaves a `writing` mark on disk while it writes
and removes it once the three stores agree; at open (and when taking the write lock) the full
repair runs only if the mark is there, or if the chunk counts of the manifest, Chroma and the
lexical index differ.

Processes: one writer at a time (index/lock.py); a writer reloads the manifest and the lexical
index when another process changed them, and repairs if needed, when it takes the lock, so a
process opened earlier never writes from a stale view. An embedded Chroma client keeps in memory
the vectors it loaded: when the manifest shows that another process has committed since, the
client is reopened too (`Library.reload` relies on it). Threads: searches need no write lock; a
write replaces the manifest's records and the lexical index's snapshot by swapping one reference
each, so a search during a write sees the index before or after it. Reopening the Chroma client
is the one moment a search waits: it holds the client it uses until it is done, and the reopening
waits for those searches and keeps new ones waiting until the new client is there. A process that
opens the index while another writes does not repair it, and sees the other's changes only
once it reopens the index or writes itself. One data directory per collection: a manifest
describes one collection; a collection with chunks but no manifest (another machine's data
directory, say) is refused rather than emptied.

With a Chroma server, processes of several machines share one collection, each with its own data
directory. The commit record is then the registry on the server (`<collection>__registry`: one
record per document, the fiches, a version), written where the manifest is written, right after
it; the manifest, the lexical index, the fiches and the sentence vectors under the data directory
are this process's copies, rebuilt from the server when missing. A process follows the others by
reading the registry's version at each search and, when it changed, only the documents that
changed. One writer at a time among all the machines: a lease on the server (index/lock.py
ServerLease) besides the local file lock; repairs that delete from Chroma run only under it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from index.embeddings import DEFAULT_MODEL, dimension_of, make_embeddings, model_name_of
from index.fusion import fuse_rrf, fuse_scores
from index.lexical import LexicalIndex, fingerprint
from index.lock import ReadWriteLock, ServerLease, WriteLock
from index.manifest import Manifest, write_atomic
from index.models import DocumentRecord, Hit, TermFrequencies
from index.sentences import SentenceVectors
from index.store import ChromaRegistry, ChromaStore
from ingest.errors import UserError
from ingest.models import Chunk

log = logging.getLogger(__name__)

NewDocument = tuple[DocumentRecord, Sequence[Chunk], Mapping[str, Any] | None]  # record, chunks, fiche
REPAIR_KEYS = ("orphan_documents", "orphan_chunks", "dropped_documents", "lexical_rebuilt")
FILE_PART_BYTES = 512 * 1024  # an original file goes to the server in parts of this size (base64 text)


class Index:
    """Documents' chunks, searchable by words (BM25), by meaning (vectors) or both (fused)."""

    def __init__(
        self,
        data_dir: Path,
        embeddings: Embeddings | None = None,
        embedding_model: str = DEFAULT_MODEL,
        chroma_host: str | None = None,
        chroma_port: int = 8000,
        collection: str = "ars",
        *,
        reset: bool = False,
        encode_sentences: bool = True,
        lease_seconds: float = 30.0,
    ) -> None:
        """Open the index under `data_dir` and repair it; `reset=True` empties it first (`ingest --reset`).

        Opening an index built with another embedding model raises `UserError` unless `reset`.
        """
        self.data_dir = Path(data_dir)
        self.embeddings = embeddings if embeddings is not None else make_embeddings(embedding_model)
        self.model_name = model_name_of(self.embeddings)
        self.collection = collection
        self._home = self.data_dir / "collections" / collection
        self._manifest = Manifest(self._home / "manifest.json")
        self._lexical = LexicalIndex(self._home / "lexical")
        self._lock = WriteLock(self._home / "write.lock")
        # a cache: deleted with the data dir or not, it refills; one file per model, vectors never mix
        sentences_file = self._home / f"sentences-{_safe_name(self.model_name)}.sqlite"
        self._sentences = SentenceVectors(sentences_file, self.embeddings)
        self._encode_sentences = encode_sentences  # off: sentences are encoded when a question first needs them
        self._store_guard = ReadWriteLock()  # searches share the Chroma client; reopening it takes it alone
        # with a Chroma server, the registry on the server is the commit record every process serves from;
        # the manifest and the lexical index under data_dir are this process's copies (see _sync_from_server)
        self._chroma_address = (chroma_host, chroma_port)
        self._registry = ChromaRegistry.connect(chroma_host, chroma_port, collection) if chroma_host else None
        self._lease = ServerLease(self._registry, lease_seconds) if self._registry is not None else None
        self._published: dict[str, DocumentRecord] = {}  # the registry's records as this process last saw them
        self._served: str | None = None  # the registry's version this process serves
        self._checked = 0.0  # when the registry's version was last looked at
        self._following = threading.Lock()
        writer = self._lock.acquire()
        leased = False
        try:
            if writer and self._lease is not None:
                leased = self._lease.acquire() is None
            if reset and not writer:
                raise self._busy()
            if reset and self._lease is not None and not leased:
                raise self._busy(server=True)
            if reset:
                self._clear_manifest()  # first: a crash mid-reset leaves orphans, which repair deletes
            self._store = self._open_store(reset)
            if writer and self._registry is not None:
                self._sync_from_server(migrate=leased)
            if not self._manifest.exists and self._served is None:
                stored = self._store.count()
                if stored:
                    raise UserError(
                        f"Erreur : la collection Chroma '{collection}' ({self._store.location}) contient "
                        f"{stored} passages mais le manifeste '{self._manifest.path}' est absent. Réindexez "
                        "avec `ars-assistant ingest --reset` ou reprenez le dossier de données d'origine."
                    )
                if writer:
                    self._manifest.save()
            # What opening had to fix, for the caller to mention. Another process writing is not a
            # crash: leave its half-written document alone.
            self.repair_report = self._repair_if_needed() if writer and (self._lease is None or leased) else {}
        finally:
            if leased and self._lease is not None:
                self._lease.release()
            if writer:
                self._lock.release()
        if not writer:
            log.info("%s is being written by another process: opened read-only, not repaired", self._home)
        self._write_seconds = 0.0

    @property
    def _mark(self) -> Path:
        return self._home / "writing"

    def _set_mark(self) -> None:
        if self._mark.exists():
            return
        write_atomic(self._mark, f"{os.getpid()}\n")  # durable before the first write it announces

    def _repair_if_needed(self) -> dict[str, int]:
        """The full repair when the last write did not finish or the stores' counts disagree; else nothing."""
        expected = sum(r.chunks for r in self._manifest.records.values())
        if (
            self._mark.exists()
            or self._lexical.fingerprint == "unreadable"
            or len(self._lexical) != expected
            or self._store.count() != expected
        ):
            return self.repair()
        return dict.fromkeys(REPAIR_KEYS, 0)

    def close(self) -> None:
        """Let go of the embedded database: the next Index of this process on this directory loads it afresh.

        Chroma shares one in-memory database per directory among the open clients of a process; vectors
        written since by another process are seen only by a client opened after all of them are closed.
        """
        with self._store_guard.writing():
            self._store.close()
        self._sentences.close()

    def _reopen_store(self) -> None:
        """A new embedded Chroma client in place of ours, once the searches using ours are done."""
        with self._store_guard.writing():
            old = self._store
            old.close()
            self._store = self._open_store()
            self._store.continue_counts(old)

    @contextmanager
    def _chroma(self) -> Iterator[ChromaStore]:
        """The Chroma store for a read outside the write lock: not reopened until the read is done."""
        with self._store_guard.reading():
            yield self._store

    def _busy(self, server: bool = False) -> UserError:
        holder = (self._lease.holder() if self._lease is not None else None) if server else None
        if server:
            who = f", machine {holder.get('host', '?')}, processus {holder.get('pid', '?')}" if holder else ""
            return UserError(
                f"Erreur : une autre ingestion est en cours sur le serveur Chroma (collection '{self.collection}'"
                f"{who}). Attendez qu'elle se termine puis relancez la commande."
            )
        return UserError(
            f"Erreur : une autre ingestion est en cours dans '{self.data_dir}'. "
            "Attendez qu'elle se termine puis relancez la commande."
        )

    def _open_store(self, reset: bool = False) -> ChromaStore:
        host, port = self._chroma_address
        return ChromaStore(
            self.embeddings,
            self.model_name,
            lambda: dimension_of(self.embeddings),
            persist_dir=None if host else self.data_dir / "chroma",
            host=host,
            port=port,
            collection=self.collection,
            reset=reset,
        )

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the write lock; on first taking it, reload from disk what another process may have changed."""
        if not self._lock.acquire():
            raise self._busy()
        outermost = self._lock.depth == 1
        finished = False
        leased = False
        try:
            if outermost and self._lease is not None:
                leased = self._lease.acquire() is None
                if not leased:
                    raise self._busy(server=True)
                self._sync_from_server(migrate=True)
            elif outermost and self._manifest.changed_on_disk():
                # another process committed since we last read or wrote the manifest: an embedded Chroma
                # client keeps the vectors it loaded in memory, so a new one is opened to see the other's
                if self._chroma_address[0] is None:
                    self._reopen_store()
                self._manifest = Manifest(self._manifest.path)
            if outermost:
                self._lexical.refresh()
                self._repair_if_needed()
                self._set_mark()
            yield
            finished = True
        finally:
            if outermost and finished:
                self._mark.unlink(missing_ok=True)  # the stores agree again
            if leased and self._lease is not None:
                self._lease.release()
            self._lock.release()

    def _commit(self) -> None:
        """Save the manifest; with a Chroma server, then publish it: the registry is what every process serves."""
        self._manifest.save()
        if self._registry is None:
            return
        current = self._manifest.records
        changed = {f"doc:{d}": json.dumps(r.to_json(), ensure_ascii=False)
                   for d, r in current.items() if self._published.get(d) != r}
        gone = [d for d in self._published if d not in current]
        if changed:
            self._registry.put("record", changed)
        if gone:
            sent = self._registry.get([f"file:{d}" for d in gone])
            counts = {d: int(json.loads(sent.get(f"file:{d}") or "{}").get("parts", 0)) for d in gone}
            parts = [f"file:{d}:{n}" for d, count in counts.items() for n in range(count)]
            keys = [f"{kind}:{d}" for d in gone for kind in ("doc", "fiche", "file")]
            self._registry.delete(keys + parts)
        version = uuid.uuid4().hex
        self._registry.put("version", {"version": version})  # last: replicas follow once it changes
        self._published, self._served = dict(current), version

    def _sync_from_server(self, migrate: bool = False) -> bool:
        """Bring this process's copies (manifest, lexical index, sentence vectors) to the registry on the server,
        reading only the documents that changed; True when something changed. Callers hold the local write
        lock. A collection indexed before the registry existed is published from the manifest (`migrate`: with
        the server's write lease)."""
        assert self._registry is not None
        version = self._registry.get(["version"]).get("version")
        if version is None:
            if migrate and self._manifest.records:
                self._commit()
            return False
        if version == self._served:
            return False
        records: dict[str, DocumentRecord] = {}
        for text in self._registry.of_kind("record").values():
            record = DocumentRecord.from_json(json.loads(text))
            records[record.doc_id] = record
        old = self._manifest.records
        fresh = [d for d, r in records.items() if old.get(d) != r]
        gone = [d for d, r in old.items() if records.get(d) != r]
        chunks: list[Chunk] = []
        if fresh or gone:
            with self._chroma() as store:
                chunks = store.of_documents(fresh)
            with self._lexical.batch():
                self._lexical.remove_documents(gone)
                self._lexical.add(chunks)
            for doc_id in gone:
                self._fiche_path(doc_id).unlink(missing_ok=True)
        self._manifest.records = records
        self._manifest.save()
        self._published, self._served = dict(records), version
        if chunks and self._encode_sentences:
            self._sentences.ensure(chunks)
        if fresh or gone:
            log.info("following the server: %d document(s) in, %d out", len(fresh), len(gone))
        return bool(fresh or gone)

    def follow(self, every: float = 0.0) -> bool:
        """With a Chroma server, take in what another process published (at most once every `every` seconds:
        by default at each search, one small read; never waiting for a write of this process); True when the
        documents changed."""
        if self._registry is None or time.monotonic() - self._checked < every:
            return False
        if not self._following.acquire(blocking=False):
            return False
        try:
            self._checked = time.monotonic()
            if self._registry.get(["version"]).get("version") in (None, self._served):
                return False  # one small read per `every` seconds while nothing changes
            if not self._lock.try_acquire():
                return False
            try:
                return self._sync_from_server()
            finally:
                self._lock.release()
        finally:
            self._following.release()

    # -- writing -----------------------------------------------------------------------------

    def add_document(
        self, record: DocumentRecord, chunks: Sequence[Chunk], fiche: Mapping[str, Any] | None = None
    ) -> bool:
        """Index a document's chunks (and its fiche: JSON-able facts about it); False (and no work) when this
        file is already indexed.

        A document with the same source but another doc_id (the file changed) is replaced.
        """
        return self.add_documents([(record, chunks, fiche)])[0]

    def add_documents(self, documents: Sequence[NewDocument]) -> list[bool]:
        """`add_document` for several documents at once, in one write of each store: one encoder request for
        all their chunks, one Chroma upsert, one manifest save (each write has a fixed cost).
        A crash loses these documents together, and the next ingest redoes them."""
        todo: list[tuple[DocumentRecord, list[Chunk], Mapping[str, Any] | None]] = []
        for record, chunks, fiche in documents:
            chunks = list(chunks)
            _check_chunks(record, chunks)
            todo.append((record, chunks, fiche))
        done: list[bool] = []
        with self._writing():
            while todo:
                # Two versions of one file in a group: the later one replaces the earlier, in another write.
                sources: set[str] = set()
                cut = 0
                while cut < len(todo) and todo[cut][0].source not in sources:
                    sources.add(todo[cut][0].source)
                    cut += 1
                done.extend(self._add(todo[:cut]))
                todo = todo[cut:]
        return done

    def is_indexed(self, record: DocumentRecord) -> bool:
        """True if this very file (same bytes, same name) is already indexed: `add_document` would do nothing."""
        current = self._manifest.records.get(record.doc_id)
        return current is not None and current.source == record.source

    def _add(self, documents: list[tuple[DocumentRecord, list[Chunk], Mapping[str, Any] | None]]) -> list[bool]:
        added = [not self.is_indexed(record) for record, _, _ in documents]
        new = [d for d, keep in zip(documents, added, strict=True) if keep]
        if not new:
            return added
        start, embedding = time.perf_counter(), self._store.timings["embed"]
        replaced = {record.source: record.doc_id for record, _, _ in new}
        stale = [r for r in self._manifest.records.values() if replaced.get(r.source, r.doc_id) != r.doc_id]
        fiches = {f"fiche:{r.doc_id}": json.dumps(f, ensure_ascii=False) for r, _, f in new if f is not None}
        for record, _, fiche in new:
            if fiche is not None:  # before the manifest, which commits: a fiche may outlive a crash, never lack
                write_atomic(self._fiche_path(record.doc_id), fiches[f"fiche:{record.doc_id}"])
        if fiches and self._registry is not None:
            self._registry.put("fiche", fiches)
        if self._registry is not None:
            for record, _, _ in new:
                self._send_original(record)
        chunks = [c for _, doc_chunks, _ in new for c in doc_chunks]
        # New version in before the old one goes out: a crash in between keeps the old version.
        self._store.add(chunks)
        self._store.delete_documents(r.doc_id for r in stale)
        self._lexical.remove_documents(r.doc_id for r in stale)
        self._lexical.add(chunks)
        records = dict(self._manifest.records)  # a new dict: searches may be iterating the current one
        for old in stale:
            records.pop(old.doc_id, None)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for record, doc_chunks, _ in new:
            records[record.doc_id] = replace(record, chunks=len(doc_chunks), ingested_at=now, model=self.model_name)
        self._manifest.records = records
        self._commit()
        self._write_seconds += time.perf_counter() - start - (self._store.timings["embed"] - embedding)
        if self._encode_sentences:
            encoding = time.perf_counter()
            encoded = self._sentences.ensure(chunks)  # after the commit: the cache is not part of it
            self._store.timings["embed"] += time.perf_counter() - encoding
            log.info("%d new sentence vectors", encoded)
        log.info("indexed %d document(s), %d chunks, replaced %d", len(new), len(chunks), len(stale))
        return added

    def remove(self, key: str) -> list[DocumentRecord]:
        """Remove the documents whose doc_id or source is `key`; returns what was removed."""
        with self._writing():
            gone = [r for r in self._manifest.records.values() if key in (r.doc_id, r.source)]
            self._drop(gone)
        return gone

    def prune(self, existing_sources: Iterable[str]) -> list[DocumentRecord]:
        """Remove the documents whose source is not in `existing_sources` (their file is gone)."""
        keep = set(existing_sources)
        with self._writing():
            gone = [r for r in self._manifest.records.values() if r.source not in keep]
            self._drop(gone)
        return gone

    def _drop(self, records: Sequence[DocumentRecord]) -> None:
        if not records:
            return
        doc_ids = [r.doc_id for r in records]
        self._store.delete_documents(doc_ids)
        self._lexical.remove_documents(doc_ids)
        gone = set(doc_ids)
        self._manifest.records = {d: r for d, r in self._manifest.records.items() if d not in gone}
        self._commit()
        for doc_id in doc_ids:
            self._fiche_path(doc_id).unlink(missing_ok=True)

    def _send_original(self, record: DocumentRecord) -> None:
        """With a Chroma server, the document's file goes there too (before the commit, like its fiche), so that
        a process of any machine can open the cited page."""
        assert self._registry is not None
        try:
            data = Path(record.path).read_bytes()
        except OSError:
            return  # no file (a test's chunks): nothing to open, as on the machine that ingested it
        count = max(1, -(-len(data) // FILE_PART_BYTES))
        for n in range(count):
            part = data[n * FILE_PART_BYTES : (n + 1) * FILE_PART_BYTES]
            self._registry.put("file-part", {f"file:{record.doc_id}:{n}": base64.b64encode(part).decode()})
        self._registry.put("file", {f"file:{record.doc_id}": json.dumps({"parts": count, "name": record.source})})

    def original(self, record: DocumentRecord) -> Path | None:
        """The file of an indexed document: where it was ingested from when this machine has it, else (with a
        Chroma server) a copy of the one sent to the server, kept under the data dir."""
        path = Path(record.path) if record.path else None
        if path is not None and path.is_file():
            return path
        if self._registry is None:
            return None
        copy = self._home / "originals" / record.doc_id / record.source
        if copy.is_file():
            return copy
        meta = self._registry.get([f"file:{record.doc_id}"]).get(f"file:{record.doc_id}")
        if not meta:
            return None
        keys = [f"file:{record.doc_id}:{n}" for n in range(int(json.loads(meta)["parts"]))]
        parts = self._registry.get(keys)
        if len(parts) != len(keys):
            return None
        copy.parent.mkdir(parents=True, exist_ok=True)
        incoming = copy.with_name(f".{copy.name}.{uuid.uuid4().hex}")
        incoming.write_bytes(b"".join(base64.b64decode(parts[k]) for k in keys))
        incoming.replace(copy)
        return copy

    def _fiche_path(self, doc_id: str) -> Path:
        return self._home / "fiches" / f"{doc_id}.json"

    def fiche(self, doc_id: str) -> dict[str, Any] | None:
        """The fiche stored with a document at ingest, or None (indexed before fiches existed)."""
        path = self._fiche_path(doc_id)
        text: str | None
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            # with a Chroma server, a process that did not ingest the document reads it there, then keeps a copy
            key = f"fiche:{doc_id}"
            text = self._registry.get([key]).get(key) if self._registry is not None else None
            if not text:
                return None
            write_atomic(path, text)
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def reset(self) -> None:
        """Empty the index (and label it with the current embedding model)."""
        with self._writing():
            self._clear_manifest()
            self._store.reset()
            self._lexical.rebuild([])

    def _clear_manifest(self) -> None:
        self._manifest.records = {}
        if self._registry is not None:
            for kind in ("record", "fiche", "file", "file-part"):
                self._registry.delete_kind(kind)
            self._published = {}
        self._commit()

    @contextmanager
    def batch(self) -> Iterator[Index]:
        """Group many `add_document`/`remove` calls: the BM25 index is rebuilt once, at the end.

        Holds the write lock throughout: another process cannot write meanwhile (it gets a UserError).
        """
        with self._writing():
            with self._lexical.batch():
                yield self
                committing = time.perf_counter()
            self._write_seconds += time.perf_counter() - committing  # the lexical index's one commit

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent by this Index computing vectors ("embed") and writing the stores ("write")."""
        return {"embed": self._store.timings["embed"], "write": self._write_seconds}

    @property
    def encoder_counts(self) -> dict[str, int]:
        """Passages run through the encoder, and passages whose vector was reused from the store."""
        return {"encoded": self._store.encoded, "reused": self._store.reused_vectors}

    def repair(self) -> dict[str, int]:
        """Make Chroma, the lexical index and the manifest agree again after a crash; returns what it did."""
        by_doc: dict[str, set[str]] = {}
        for chunk_id, doc_id in self._store.scan().items():
            by_doc.setdefault(doc_id, set()).add(chunk_id)
        records = self._manifest.records
        incomplete = [r for r in records.values() if len(by_doc.get(r.doc_id, ())) != r.chunks]
        if incomplete:
            dropped = {r.doc_id for r in incomplete}
            self._manifest.records = {d: r for d, r in records.items() if d not in dropped}
        orphans = sorted(set(by_doc) - set(self._manifest.records))
        if orphans:
            self._store.delete_documents(orphans)
        if incomplete:
            self._commit()
        kept_ids = {i for d in self._manifest.records for i in by_doc.get(d, ())}
        rebuilt = fingerprint(kept_ids) != self._lexical.fingerprint
        if rebuilt:
            self._repair_lexical(kept_ids)
        report = dict(zip(REPAIR_KEYS, (len(orphans), sum(len(by_doc[d]) for d in orphans), len(incomplete),
                                        int(rebuilt)), strict=True))
        if orphans or incomplete or rebuilt:
            log.warning("repaired index %s: %s", self.data_dir, report)
        return report

    def _repair_lexical(self, kept_ids: set[str]) -> None:
        """Bring the lexical index to exactly `kept_ids`: add what it lacks from Chroma's texts, drop the rest."""
        if self._lexical.fingerprint == "unreadable":
            self._lexical.rebuild(self._store.chunks())
            return
        present = set(self._lexical.ids())
        missing = sorted(kept_ids - present)
        with self._lexical.batch():
            self._lexical.remove_ids(present - kept_ids)
            for first in range(0, len(missing), 2000):
                self._lexical.add(self._store.get(missing[first : first + 2000]).values())

    # -- searching ---------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, *, fusion: Literal["scores", "rrf"] = "scores") -> list[Hit]:
        """The `k` best chunks for `query`, BM25 and vector results fused (see index/fusion.py)."""
        if k <= 0 or not query.strip():
            return []
        depth = max(4 * k, 20)  # fusion needs candidates beyond k: a chunk ranked 8th by both may win
        self.follow()
        lexical = self._lexical.search(query, depth)
        with self._chroma() as store:
            dense = self._committed(store.search(query, depth))
            dense_scores = [(c.id, s) for c, s in dense]
            fused = fuse_scores(lexical, dense_scores) if fusion == "scores" else fuse_rrf(lexical, dense_scores)
            best = fused[:k]
            chunks = {c.id: c for c, _ in dense}
            chunks.update(store.get([i for i, _ in best if i not in chunks]))
        return _ranked([(chunks[i], score) for i, score in best if i in chunks])

    def search_lexical(self, query: str, k: int = 5) -> list[Hit]:
        """The `k` best chunks by BM25 on French tokens (accents, elisions, numbers normalised)."""
        if k <= 0:
            return []
        found = self._lexical.search(query, k)
        with self._chroma() as store:
            chunks = store.get([i for i, _ in found])
        return _ranked([(chunks[i], score) for i, score in found if i in chunks])

    def search_dense(self, query: str, k: int = 5) -> list[Hit]:
        """The `k` nearest chunks by cosine similarity of embeddings."""
        if k <= 0 or not query.strip():
            return []
        self.follow()
        with self._chroma() as store:
            return _ranked(self._committed(store.search(query, k)))

    def _committed(self, found: list[tuple[Chunk, float]]) -> list[tuple[Chunk, float]]:
        """Chunks of documents the manifest lists: not those another process is writing right now."""
        records = self._manifest.records
        return [(c, s) for c, s in found if c.doc_id in records]

    def following(self, chunk: Chunk, count: int = 2) -> list[Chunk]:
        """The chunks right after `chunk` in its document (a list that goes on, the rest of a section)."""
        with self._chroma() as store:
            return store.at_positions(chunk.doc_id, range(chunk.position + 1, chunk.position + 1 + count))

    def query_vector(self, text: str) -> np.ndarray:
        """The unit vector of a question (memoised)."""
        return self._sentences.query(text)

    def sentence_vectors(self, sentences: Sequence[str], encode_missing: int = 0) -> dict[str, np.ndarray]:
        """Unit vectors of sentences of the indexed chunks (see index/sentences.py)."""
        return self._sentences.get(sentences, encode_missing)

    # -- describing --------------------------------------------------------------------------

    def document_frequencies(self) -> TermFrequencies:
        """For each lexical token (index/text.py `tokens`), how many chunks hold it; `total` chunks."""
        return self._lexical.frequencies()

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Stored chunks by id (e.g. a citation's chunk_id); ids not stored are left out."""
        with self._chroma() as store:
            return store.get(list(ids))

    def documents(self) -> list[DocumentRecord]:
        """Indexed documents, sorted by source."""
        self.follow()
        return sorted(self._manifest.records.values(), key=lambda r: (r.source, r.doc_id))

    @property
    def version(self) -> object:
        """Changes (by identity) whenever the set of indexed documents changes: a key for caches."""
        return self._manifest.records

    def status(self) -> dict[str, Any]:
        """Counts and settings of the index, for `ars-assistant status`."""
        records = self._manifest.records.values()
        with self._chroma() as store:
            chunks, location = store.count(), store.location
        return {
            "documents": len(records),
            "chunks": chunks,
            "pages": sum(r.pages for r in records),
            "embedding_model": self.model_name,
            "data_dir": str(self.data_dir.resolve()),
            "store": location,
            "collection": self.collection,
        }

    def chunk_ids(self) -> dict[str, list[str]]:
        """Sorted chunk ids as seen by Chroma ("dense") and by the lexical index ("lexical")."""
        with self._chroma() as store:
            dense = sorted(store.scan())
        return {"dense": dense, "lexical": self._lexical.ids()}


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]


def _check_chunks(record: DocumentRecord, chunks: Sequence[Chunk]) -> None:
    # A caller bug, not a user error: mixed documents or duplicate ids would corrupt the counts.
    if any((c.doc_id, c.source) != (record.doc_id, record.source) for c in chunks):
        raise ValueError(f"chunks of another document passed with {record.doc_id} ({record.source})")
    if len({c.id for c in chunks}) != len(chunks):
        raise ValueError(f"duplicate chunk ids in {record.doc_id}")


def _ranked(scored: Sequence[tuple[Chunk, float]]) -> list[Hit]:
    return [Hit(chunk=c, score=s, rank=r) for r, (c, s) in enumerate(scored, start=1)]
