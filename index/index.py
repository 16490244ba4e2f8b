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

import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from index.embeddings import DEFAULT_MODEL, dimension_of, make_embeddings, model_name_of
from index.lexical import LexicalIndex
from index.lock import ReadWriteLock, ServerLease, WriteLock
from index.manifest import Manifest, write_atomic
from index.models import DocumentRecord
from index.published import Publication
from index.repair import NOTHING_DONE, needs_repair, repair
from index.search import Searching
from index.sentences import SentenceVectors
from index.shared_sentences import SharedSentences
from index.store import ChromaRegistry, ChromaStore
from index.writing import Writing
from ingest.errors import UserError
from ingest.models import Chunk

log = logging.getLogger(__name__)


class Index(Searching, Writing):
    """Documents' chunks, searchable by words (BM25), by meaning (vectors) or both (fused).

    This class opens the stores, holds the locks and follows the server; its searches are in index/search.py,
    its writes in index/writing.py, the repair in index/repair.py, the server's registry in index/published.py.
    """

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
        shared = (SharedSentences.connect(chroma_host, chroma_port, collection, self.model_name)
                  if chroma_host else None)
        self._sentences = SentenceVectors(sentences_file, self.embeddings, shared)
        self._encode_sentences = encode_sentences  # off: sentences are encoded when a question first needs them
        self._store_guard = ReadWriteLock()  # searches share the Chroma client; reopening it takes it alone
        # with a Chroma server, the registry on the server is the commit record every process serves from;
        # the manifest and the lexical index under data_dir are this process's copies (see _sync_from_server)
        self._chroma_address = (chroma_host, chroma_port)
        registry = ChromaRegistry.connect(chroma_host, chroma_port, collection) if chroma_host else None
        self._server = Publication(registry, self._home / "originals") if registry is not None else None
        self._lease = ServerLease(registry, lease_seconds) if registry is not None else None
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
            if writer and self._server is not None:
                self._sync_from_server(migrate=leased)
            if not self._manifest.exists and (self._server is None or self._server.served is None):
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
        if needs_repair(self._mark, self._manifest, self._lexical, self._store):
            return self.repair()
        return dict(NOTHING_DONE)

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
        if self._server is not None:
            self._server.publish(self._manifest.records)

    def _sync_from_server(self, migrate: bool = False) -> bool:
        """Bring this process's copies (manifest, lexical index, sentence vectors) to the registry on the server,
        reading only the documents that changed; True when something changed. Callers hold the local write
        lock. A collection indexed before the registry existed is published from the manifest (`migrate`: with
        the server's write lease)."""
        assert self._server is not None
        version = self._server.version()
        if version is None:
            if migrate and self._manifest.records:
                self._commit()
            return False
        if version == self._server.served:
            return False
        records = self._server.records()
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
        self._server.served_now(records, version)
        if chunks:  # the vectors the writer sent; encoding the rest would block this search for minutes
            self._sentences.ensure(chunks, encode=False)
        if fresh or gone:
            log.info("following the server: %d document(s) in, %d out", len(fresh), len(gone))
        return bool(fresh or gone)

    def follow(self, every: float = 0.0) -> bool:
        """With a Chroma server, take in what another process published (at most once every `every` seconds:
        by default at each search, one small read; never waiting for a write of this process); True when the
        documents changed."""
        if self._server is None or time.monotonic() - self._checked < every:
            return False
        if not self._following.acquire(blocking=False):
            return False
        try:
            self._checked = time.monotonic()
            if self._server.version() in (None, self._server.served):
                return False  # one small read per `every` seconds while nothing changes
            if not self._lock.try_acquire():
                return False
            try:
                return self._sync_from_server()
            finally:
                self._lock.release()
        finally:
            self._following.release()

    def original(self, record: DocumentRecord) -> Path | None:
        """The file of an indexed document: where it was ingested from when this machine has it, else (with a
        Chroma server) a copy of the one sent to the server, kept under the data dir."""
        path = Path(record.path) if record.path else None
        if path is not None and path.is_file():
            return path
        return self._server.original(record) if self._server is not None else None

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
            text = self._server.fiche(doc_id) if self._server is not None else None
            if not text:
                return None
            write_atomic(path, text)
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

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
        return repair(self._store, self._lexical, self._manifest, self._commit, self.data_dir)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]
