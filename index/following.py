"""Following a Chroma server: this process's copies of the index brought to what other processes published."""

from __future__ import annotations

import logging
import threading
import time

from index.lock import WriteLock
from index.state import IndexState
from ingest.models import Chunk

log = logging.getLogger(__name__)


class ServerFollower:
    """Brings the manifest, the lexical index and the sentence vectors under the data dir to the server's registry."""

    def __init__(self, state: IndexState, lock: WriteLock) -> None:
        """`lock` is the index's local write lock, taken (if free) before following."""
        self._state = state
        self._lock = lock
        self._checked = 0.0  # when the registry's version was last looked at
        self._following = threading.Lock()

    def sync(self, migrate: bool = False) -> bool:
        """Bring this process's copies (manifest, lexical index, sentence vectors) to the registry on the server,
        reading only the documents that changed; True when something changed. Callers hold the local write
        lock. A collection indexed before the registry existed is published from the manifest (`migrate`: with
        the server's write lease)."""
        assert self._state.server is not None
        version = self._state.server.version()
        if version is None:
            if migrate and self._state.manifest.records:
                self._state.commit()
            return False
        if version == self._state.server.served:
            return False
        records = self._state.server.records()
        old = self._state.manifest.records
        fresh = [d for d, r in records.items() if old.get(d) != r]
        gone = [d for d, r in old.items() if records.get(d) != r]
        chunks: list[Chunk] = []
        if fresh or gone:
            with self._state.reading_store() as store:
                chunks = store.of_documents(fresh)
            with self._state.lexical.batch():
                self._state.lexical.remove_documents(gone)
                self._state.lexical.add(chunks)
            for doc_id in gone:
                self._state.fiche_path(doc_id).unlink(missing_ok=True)
        self._state.manifest.records = records
        self._state.manifest.save()
        self._state.server.served_now(records, version)
        if chunks:  # the vectors the writer sent; encoding the rest would block this search for minutes
            self._state.sentences.ensure(chunks, encode=False)
        if fresh or gone:
            log.info("following the server: %d document(s) in, %d out", len(fresh), len(gone))
        return bool(fresh or gone)

    def follow(self, every: float = 0.0) -> bool:
        """With a Chroma server, take in what another process published (at most once every `every` seconds:
        by default at each search, one small read; never waiting for a write of this process); True when the
        documents changed."""
        if self._state.server is None or time.monotonic() - self._checked < every:
            return False
        if not self._following.acquire(blocking=False):
            return False
        try:
            self._checked = time.monotonic()
            if self._state.server.version() in (None, self._state.server.served):
                return False  # one small read per `every` seconds while nothing changes
            if not self._lock.try_acquire():
                return False
            try:
                return self.sync()
            finally:
                self._lock.release()
        finally:
            self._following.release()
