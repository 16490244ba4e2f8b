"""Sentence vectors, computed once and kept by text hash: the answerer compares a question with each
sentence of the retrieved passages, and encoding them at question time would cost ~50 ms a sentence.

The store is a cache (SQLite beside the index): deleting it loses nothing, sentences missing from it are
encoded on demand. Vectors are unit-normalised and stored as int8 (384 bytes a sentence, cosine error
below 0.01), so that 100k passages (~600k sentences) take about 250 MB.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from index.shared_sentences import SharedSentences
from ingest.models import Chunk
from lang.sentences import chunk_sentences

_SCALE = 127.0
_LOOKUP = 500  # hashes per SELECT (SQLite's variable limit is higher; this keeps statements small)
_QUERY_MEMO = 128


def sentence_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def sentences_of(chunks: Iterable[Chunk]) -> list[str]:
    """Every answer unit of the chunks, once."""
    return list(dict.fromkeys(s for chunk in chunks for s in chunk_sentences(chunk.text)))


class SentenceVectors:
    """Unit vectors of sentences (passage side of the model) and of questions (query side)."""

    def __init__(self, path: Path, embeddings: Embeddings, shared: SharedSentences | None = None) -> None:
        self.path = Path(path)
        self.embeddings = embeddings
        self.shared = shared  # with a Chroma server: the vectors every process shares (index/shared_sentences.py)
        self._local = threading.local()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
            self._local.db = db
        return db

    def query(self, text: str) -> np.ndarray:
        """The question's unit vector (memoised: retrieval and answer ask for the same one)."""
        with self._queries_lock:
            if text in self._queries:
                self._queries.move_to_end(text)
                return self._queries[text]
        vector = _unit(np.asarray(self.embeddings.embed_query(text), dtype=np.float32))
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > _QUERY_MEMO:
                self._queries.popitem(last=False)
        return vector

    def get(self, texts: Sequence[str], encode_missing: int = 0) -> dict[str, np.ndarray]:
        """Stored vectors of these sentences; up to `encode_missing` absent ones are encoded and stored."""
        keys = {sentence_key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        hashes = list(keys)
        db = self._db()
        for start in range(0, len(hashes), _LOOKUP):
            part = hashes[start : start + _LOOKUP]
            marks = ",".join("?" * len(part))
            for key, blob in db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                found[keys[key]] = np.frombuffer(blob, dtype=np.int8).astype(np.float32) / _SCALE
        if len(found) < len(keys) and self.shared is not None:
            found.update(self._take_shared([t for t in keys.values() if t not in found]))
        missing = [t for t in dict.fromkeys(texts) if t not in found][: max(0, encode_missing)]
        if missing:
            found.update(self.add(missing))
        return found

    def _take_shared(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of these sentences that the server has, kept here too."""
        assert self.shared is not None
        keys = {sentence_key(t): t for t in texts}
        found = {keys[k]: v for k, v in self.shared.get(list(keys)).items()}
        self._store(found)
        return {t: np.round(v * _SCALE) / _SCALE for t, v in found.items()}  # as read back from the store

    def _store(self, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        db = self._db()
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(sentence_key(t), np.round(v * _SCALE).astype(np.int8).tobytes()) for t, v in vectors.items()],
            )

    def add(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Encode and store these sentences (those already stored are skipped by the caller)."""
        if not texts:
            return {}
        vectors = [_unit(np.asarray(v, dtype=np.float32)) for v in self.embeddings.embed_documents(list(texts))]
        encoded = dict(zip(texts, vectors, strict=True))
        self._store(encoded)
        if self.shared is not None:
            self.shared.put({sentence_key(t): v for t, v in encoded.items()})
        return encoded

    def ensure(self, chunks: Iterable[Chunk], encode: bool = True) -> int:
        """Store the vectors of the sentences of these chunks: those the server has are taken from it, the others
        encoded (unless not `encode`: a replica following the server leaves them to the questions that need
        them); returns how many were encoded. The vectors this process had but the server lacks are sent."""
        texts = sentences_of(chunks)
        known = self.get(texts)
        if not encode:
            return 0
        if self.shared is not None:
            on_server = set(self.shared.get([sentence_key(t) for t in known]))
            self.shared.put({sentence_key(t): v for t, v in known.items() if sentence_key(t) not in on_server})
        todo = [t for t in texts if t not in known]
        for start in range(0, len(todo), 64):
            self.add(todo[start : start + 64])
        return len(todo)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
