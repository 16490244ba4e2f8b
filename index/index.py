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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
from langchain_core.embeddings import Embeddings

from index.embeddings import DEFAULT_MODEL, dimension_of, make_embeddings, model_name_of
from index.following import ServerFollower
from index.lexical import LexicalIndex
from index.lock import ServerLease, WriteLock
from index.manifest import Manifest, write_atomic
from index.models import DocumentRecord, Hit, TermFrequencies
from index.published import Publication
from index.repair import NOTHING_DONE, needs_repair, repair
from index.search import Searcher
from index.sentences import SentenceVectors
from index.shared_sentences import SharedSentences
from index.state import IndexState
from index.store import ChromaRegistry, ChromaStore
from index.writing import NewDocument, Writer
from ingest.errors import UserError
from ingest.models import Chunk

log = logging.getLogger(__name__)


class Index:
    """Documents' chunks, searchable by words (BM25), by meaning (vectors) or both (fused).

    This class opens the stores, holds the locks and follows the server; it hands the stores (index/state.py) to
    a searcher (index/search.py) and a writer (index/writing.py) and delegates to them; the repair is in
    index/repair.py, the server's registry in index/published.py.
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
        home = self.data_dir / "collections" / collection
        # a cache: deleted with the data dir or not, it refills; one file per model, vectors never mix
        sentences_file = home / f"sentences-{_safe_name(self.model_name)}.sqlite"
        shared = (SharedSentences.connect(chroma_host, chroma_port, collection, self.model_name)
                  if chroma_host else None)
        # with a Chroma server, the registry on the server is the commit record every process serves from;
        # the manifest and the lexical index under data_dir are this process's copies (see index/following.py)
        registry = ChromaRegistry.connect(chroma_host, chroma_port, collection) if chroma_host else None
        self.state = IndexState(
            data_dir=self.data_dir,
            home=home,
            model_name=self.model_name,
            collection=collection,
            manifest=Manifest(home / "manifest.json"),
            lexical=LexicalIndex(home / "lexical"),
            sentences=SentenceVectors(sentences_file, self.embeddings, shared),
            server=Publication(registry, home / "originals") if registry is not None else None,
            encode_sentences=encode_sentences,
        )
        self._lock = WriteLock(home / "write.lock")
        self._follower = ServerFollower(self.state, self._lock)
        self._searcher = Searcher(self.state, self._follower.follow)
        self._writer = Writer(self.state, self._writing)
        self._chroma_address = (chroma_host, chroma_port)
        self._lease = ServerLease(registry, lease_seconds) if registry is not None else None
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
                self.state.clear_manifest()  # first: a crash mid-reset leaves orphans, which repair deletes
            self.state.store = self._open_store(reset)
            if writer and self.state.server is not None:
                self._follower.sync(migrate=leased)
            if not self.state.manifest.exists and (self.state.server is None or self.state.server.served is None):
                stored = self.state.chroma.count()
                if stored:
                    raise UserError(
                        f"Erreur : la collection Chroma '{collection}' ({self.state.chroma.location}) contient "
                        f"{stored} passages mais le manifeste '{self.state.manifest.path}' est absent. Réindexez "
                        "avec `ars-assistant ingest --reset` ou reprenez le dossier de données d'origine."
                    )
                if writer:
                    self.state.manifest.save()
            # What opening had to fix, for the caller to mention. Another process writing is not a
            # crash: leave its half-written document alone.
            self.repair_report = self._repair_if_needed() if writer and (self._lease is None or leased) else {}
        finally:
            if leased and self._lease is not None:
                self._lease.release()
            if writer:
                self._lock.release()
        if not writer:
            log.info("%s is being written by another process: opened read-only, not repaired", self.state.home)

    @property
    def _mark(self) -> Path:
        return self.state.home / "writing"

    def _set_mark(self) -> None:
        if self._mark.exists():
            return
        write_atomic(self._mark, f"{os.getpid()}\n")  # durable before the first write it announces

    def _repair_if_needed(self) -> dict[str, int]:
        """The full repair when the last write did not finish or the stores' counts disagree; else nothing."""
        if needs_repair(self._mark, self.state.manifest, self.state.lexical, self.state.chroma):
            return self.repair()
        return dict(NOTHING_DONE)

    def close(self) -> None:
        """Let go of the embedded database: the next Index of this process on this directory loads it afresh.

        Chroma shares one in-memory database per directory among the open clients of a process; vectors
        written since by another process are seen only by a client opened after all of them are closed.
        """
        with self.state.store_guard.writing():
            self.state.chroma.close()
        self.state.sentences.close()

    def _reopen_store(self) -> None:
        """A new embedded Chroma client in place of ours, once the searches using ours are done."""
        with self.state.store_guard.writing():
            old = self.state.chroma
            old.close()
            self.state.store = self._open_store()
            self.state.chroma.continue_counts(old)

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
                self._follower.sync(migrate=True)
            elif outermost and self.state.manifest.changed_on_disk():
                # another process committed since we last read or wrote the manifest: an embedded Chroma
                # client keeps the vectors it loaded in memory, so a new one is opened to see the other's
                if self._chroma_address[0] is None:
                    self._reopen_store()
                self.state.manifest = Manifest(self.state.manifest.path)
            if outermost:
                self.state.lexical.refresh()
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

    def reload_from_disk(self) -> None:
        """Take in what another process committed since this one last read or wrote: its manifest, its lexical
        index and (embedded Chroma) its vectors, by a new client. UserError when another process is writing."""
        with self._writing():
            pass  # taking the write lock is what reloads (see _writing)

    def follow(self, every: float = 0.0) -> bool:
        """With a Chroma server, take in what another process published (see ServerFollower.follow)."""
        return self._follower.follow(every)

    def original(self, record: DocumentRecord) -> Path | None:
        """The file of an indexed document: where it was ingested from when this machine has it, else (with a
        Chroma server) a copy of the one sent to the server, kept under the data dir."""
        path = Path(record.path) if record.path else None
        if path is not None and path.is_file():
            return path
        return self.state.server.original(record) if self.state.server is not None else None

    def fiche(self, doc_id: str) -> dict[str, Any] | None:
        """The fiche stored with a document at ingest, or None (indexed before fiches existed)."""
        path = self.state.fiche_path(doc_id)
        text: str | None
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            # with a Chroma server, a process that did not ingest the document reads it there, then keeps a copy
            text = self.state.server.fiche(doc_id) if self.state.server is not None else None
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
        return {"embed": self.state.chroma.timings["embed"], "write": self.state.write_seconds}

    @property
    def encoder_counts(self) -> dict[str, int]:
        """Passages run through the encoder, and passages whose vector was reused from the store."""
        return {"encoded": self.state.chroma.encoded, "reused": self.state.chroma.reused_vectors}

    def repair(self) -> dict[str, int]:
        """Make Chroma, the lexical index and the manifest agree again after a crash; returns what it did."""
        return repair(self.state.chroma, self.state.lexical, self.state.manifest, self.state.commit, self.data_dir)

    # -- the searcher's and the writer's, for the callers of the index ------------------------

    def search(self, query: str, k: int = 5, *, fusion: Literal["scores", "rrf"] = "scores") -> list[Hit]:
        return self._searcher.search(query, k, fusion=fusion)

    def search_lexical(self, query: str, k: int = 5) -> list[Hit]:
        return self._searcher.search_lexical(query, k)

    def search_dense(self, query: str, k: int = 5) -> list[Hit]:
        return self._searcher.search_dense(query, k)

    def following(self, chunk: Chunk, count: int = 2) -> list[Chunk]:
        return self._searcher.following(chunk, count)

    def query_vector(self, text: str) -> np.ndarray:
        return self._searcher.query_vector(text)

    def sentence_vectors(self, sentences: Sequence[str], encode_missing: int = 0) -> dict[str, np.ndarray]:
        return self._searcher.sentence_vectors(sentences, encode_missing)

    def document_frequencies(self) -> TermFrequencies:
        return self._searcher.document_frequencies()

    def documents_holding(self, terms: Iterable[str], among: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
        return self._searcher.documents_holding(terms, among)

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        return self._searcher.get_chunks(ids)

    def ocr_pages(self, doc_id: str) -> frozenset[int]:
        return self._searcher.ocr_pages(doc_id)

    def documents(self) -> list[DocumentRecord]:
        return self._searcher.documents()

    @property
    def version(self) -> object:
        return self._searcher.version

    def status(self) -> dict[str, Any]:
        return self._searcher.status()

    def chunk_ids(self) -> dict[str, list[str]]:
        return self._searcher.chunk_ids()

    def add_document(
        self, record: DocumentRecord, chunks: Sequence[Chunk], fiche: Mapping[str, Any] | None = None
    ) -> bool:
        return self._writer.add_document(record, chunks, fiche)

    def add_documents(
        self, documents: Sequence[NewDocument], on_encoded: Callable[[], None] | None = None
    ) -> list[bool]:
        return self._writer.add_documents(documents, on_encoded)

    def is_indexed(self, record: DocumentRecord) -> bool:
        return self._writer.is_indexed(record)

    def remove(self, key: str) -> list[DocumentRecord]:
        return self._writer.remove(key)

    def prune(self, existing_sources: Iterable[str]) -> list[DocumentRecord]:
        return self._writer.prune(existing_sources)

    def reset(self) -> None:
        self._writer.reset()

    @contextmanager
    def batch(self) -> Iterator[Self]:
        """Group many writes under one hold of the write lock, the BM25 index rebuilt once (see Writer.batch)."""
        with self._writer.batch():
            yield self


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]
