"""What the index's searcher and writer share: the stores of one collection, opened by Index (index/index.py).

The manifest and the Chroma client are replaced while the index is open (another process committed, the
client is reopened to see its vectors): both sides read them here at each use, never keep their own copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index.lexical import LexicalIndex
from index.lock import ReadWriteLock
from index.manifest import Manifest
from index.published import Publication
from index.sentences import SentenceVectors
from index.store import ChromaStore


@dataclass(eq=False)
class IndexState:
    """The stores of one collection and the facts about them that both reads and writes need."""

    data_dir: Path
    home: Path  # the collection's folder under data_dir
    model_name: str
    collection: str
    manifest: Manifest
    lexical: LexicalIndex
    sentences: SentenceVectors
    server: Publication | None  # with a Chroma server: the registry every process serves from
    encode_sentences: bool  # off: sentences are encoded when a question first needs them
    store: ChromaStore | None = None  # opened once the manifest is cleared (a reset clears it first)
    store_guard: ReadWriteLock = field(default_factory=ReadWriteLock)  # reopening the client takes it alone
    write_seconds: float = 0.0

    @property
    def chroma(self) -> ChromaStore:
        """The Chroma store, once opened."""
        assert self.store is not None, "the Chroma store is opened by Index.__init__"
        return self.store

    @contextmanager
    def reading_store(self) -> Iterator[ChromaStore]:
        """The Chroma store for a read outside the write lock: not reopened until the read is done."""
        with self.store_guard.reading():
            yield self.chroma

    def fiche_path(self, doc_id: str) -> Path:
        return self.home / "fiches" / f"{doc_id}.json"

    def commit(self) -> None:
        """Save the manifest; with a Chroma server, then publish it: the registry is what every process serves."""
        self.manifest.save()
        if self.server is not None:
            self.server.publish(self.manifest.records)

    def clear_manifest(self) -> None:
        """Commit an empty manifest (and registry): the first step of a reset."""
        self.manifest.records = {}
        if self.server is not None:
            self.server.clear()
        self.commit()
