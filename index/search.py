"""The read side of an index: searches (BM25, vectors, both fused) and what is indexed, never waiting for a write.

A write replaces the manifest's records and the lexical index's snapshot by swapping one reference each, so
a search during a write sees the index before or after it; only reopening the Chroma client makes a search
wait (the store guard, index/lock.py ReadWriteLock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import numpy as np

from index.fusion import fuse_rrf, fuse_scores
from index.models import DocumentRecord, Hit, TermFrequencies
from index.state import IndexState
from ingest.models import Chunk


class Searcher:
    """The searches and descriptions of an index, over the stores Index (index/index.py) opened and shares."""

    def __init__(self, state: IndexState, follow: Callable[[], bool]) -> None:
        """`follow` takes in what another process published on a Chroma server (Index.follow), before a search."""
        self._state = state
        self._follow = follow

    # -- searching ---------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, *, fusion: Literal["scores", "rrf"] = "scores") -> list[Hit]:
        """The `k` best chunks for `query`, BM25 and vector results fused (see index/fusion.py)."""
        if k <= 0 or not query.strip():
            return []
        depth = max(4 * k, 20)  # fusion needs candidates beyond k: a chunk ranked 8th by both may win
        self._follow()
        lexical = self._state.lexical.search(query, depth)
        with self._state.reading_store() as store:
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
        found = self._state.lexical.search(query, k)
        with self._state.reading_store() as store:
            chunks = store.get([i for i, _ in found])
        return _ranked([(chunks[i], score) for i, score in found if i in chunks])

    def search_dense(self, query: str, k: int = 5) -> list[Hit]:
        """The `k` nearest chunks by cosine similarity of embeddings."""
        if k <= 0 or not query.strip():
            return []
        self._follow()
        with self._state.reading_store() as store:
            return _ranked(self._committed(store.search(query, k)))

    def _committed(self, found: list[tuple[Chunk, float]]) -> list[tuple[Chunk, float]]:
        """Chunks of documents the manifest lists: not those another process is writing right now."""
        records = self._state.manifest.records
        return [(c, s) for c, s in found if c.doc_id in records]

    def following(self, chunk: Chunk, count: int = 2) -> list[Chunk]:
        """The chunks right after `chunk` in its document (a list that goes on, the rest of a section)."""
        with self._state.reading_store() as store:
            return store.at_positions(chunk.doc_id, range(chunk.position + 1, chunk.position + 1 + count))

    def query_vector(self, text: str) -> np.ndarray:
        """The unit vector of a question (memoised)."""
        return self._state.sentences.query(text)

    def sentence_vectors(self, sentences: Sequence[str], encode_missing: int = 0) -> dict[str, np.ndarray]:
        """Unit vectors of sentences of the indexed chunks (see index/sentences.py)."""
        return self._state.sentences.get(sentences, encode_missing)

    # -- describing --------------------------------------------------------------------------

    def document_frequencies(self) -> TermFrequencies:
        """For each lexical token (lang/tokens.py `tokens`), how many chunks hold it; `total` chunks."""
        return self._state.lexical.frequencies()

    def documents_holding(self, terms: Iterable[str], among: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
        """For each lexical token, the documents (of `among`, when given) that hold it anywhere (index/lexical.py)."""
        return self._state.lexical.documents_holding(terms, among)

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Stored chunks by id (e.g. a citation's chunk_id); ids not stored are left out."""
        with self._state.reading_store() as store:
            return store.get(list(ids))

    def ocr_pages(self, doc_id: str) -> frozenset[int]:
        """The pages of a document whose chunks were read by OCR (scanned pages)."""
        with self._state.reading_store() as store:
            return store.ocr_pages(doc_id)

    def documents(self) -> list[DocumentRecord]:
        """Indexed documents, sorted by source."""
        self._follow()
        return sorted(self._state.manifest.records.values(), key=lambda r: (r.source, r.doc_id))

    @property
    def version(self) -> object:
        """Changes (by identity) whenever the set of indexed documents changes: a key for caches."""
        return self._state.manifest.records

    def status(self) -> dict[str, Any]:
        """Counts and settings of the index, for `ars-assistant status`."""
        records = self._state.manifest.records.values()
        with self._state.reading_store() as store:
            chunks, location = store.count(), store.location
        return {
            "documents": len(records),
            "chunks": chunks,
            "pages": sum(r.pages for r in records),
            "embedding_model": self._state.model_name,
            "data_dir": str(self._state.data_dir.resolve()),
            "store": location,
            "collection": self._state.collection,
        }

    def chunk_ids(self) -> dict[str, list[str]]:
        """Sorted chunk ids as seen by Chroma ("dense") and by the lexical index ("lexical")."""
        with self._state.reading_store() as store:
            dense = sorted(store.scan())
        return {"dense": dense, "lexical": self._state.lexical.ids()}


def _ranked(scored: Sequence[tuple[Chunk, float]]) -> list[Hit]:
    return [Hit(chunk=c, score=s, rank=r) for r, (c, s) in enumerate(scored, start=1)]
