"""The benchmark's pool of really ingested documents (texts and real vectors), and growing an index from it.

The ingest measure keeps what it ingested: records, chunks, fiches and the vectors the encoder
gave. Larger indexes are then grown from the pool without paying the encoder again: first the
pool's documents, then varied copies (eval/synthetic.py) whose vectors are the real ones moved a
little. They go through `Index.add_document` like any document, with an embedding model that
answers from a table: BM25 and Chroma hold real texts, Chroma real-looking vectors, and the sentence
vector store a vector for every sentence (the ingest's own, else the sentence's chunk's), as after a
real ingest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from eval.synthetic import PoolDocument, synthetic_documents, text_key
from index.embeddings import E5Embeddings, dimension_of, model_name_of
from index.index import Index
from index.models import DocumentRecord
from index.sentences import sentences_of
from ingest.models import Chunk
from lang.sentences import chunk_sentences


class MemoE5(E5Embeddings):
    """The real default model; a passage already embedded by this object is not embedded again.

    For tests and benchmarks that index the same texts many times (fresh indexes, mutants of one seed): fast
    without faking a single vector, and the same `model_name`, so indexes see the default model.
    """

    def __init__(self) -> None:
        super().__init__()
        self.memo: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            self.memo.update(zip(missing, super().embed_documents(missing), strict=True))
        return [self.memo[t] for t in texts]


class RecordingEmbeddings(Embeddings):
    """Another model's vectors, each passage's kept in `table` as it is computed."""

    def __init__(self, base: Embeddings) -> None:
        self.base = base
        self.model_name = model_name_of(base)
        self.dimension = dimension_of(base)
        self.table: dict[str, np.ndarray] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.base.embed_documents(texts)
        for text, vector in zip(texts, vectors, strict=True):
            self.table[text] = np.asarray(vector, dtype=np.float32)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)


class TableEmbeddings(Embeddings):
    """Vectors looked up in `table` (filled by the caller); a text not in it goes to the real model."""

    def __init__(self, base: Embeddings) -> None:
        self.base = base
        self.model_name = model_name_of(base)
        self.dimension = dimension_of(base)
        self.table: dict[str, np.ndarray] = {}
        self.fallbacks = 0  # texts the table did not have: encoded for real

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in self.table]
        if missing:
            self.fallbacks += len(missing)
            for text, vector in zip(missing, self.base.embed_documents(missing), strict=True):
                self.table[text] = np.asarray(vector, dtype=np.float32)
        return [self.table[t].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)


def save_pool(index: Index, embeddings: RecordingEmbeddings, folder: Path) -> int:
    """Write the documents of `index` with their vectors under `folder`; returns the number of chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    chunks = index.get_chunks(index.chunk_ids()["dense"])
    missing = sorted({c.text for c in chunks.values()} - set(embeddings.table))
    if missing:  # vectors reused from the store were not computed by this process
        embeddings.embed_documents(missing)
    documents: list[dict[str, Any]] = []
    vectors: list[np.ndarray] = []
    for record in index.documents():
        own = sorted((c for c in chunks.values() if c.doc_id == record.doc_id), key=lambda c: c.position)
        documents.append({
            "record": record.to_json(),
            "fiche": index.fiche(record.doc_id),
            "chunks": [{"text": c.text, "meta": c.metadata()} for c in own],
        })
        vectors.extend(embeddings.table[c.text] for c in own)
    (folder / "documents.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    np.save(folder / "vectors.npy", np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1))
    # the sentence vectors the ingest stored, so that a grown index has them as a really ingested one does
    sentences = sentences_of(chunks.values())
    stored = index.sentence_vectors(sentences)
    kept = [s for s in sentences if s in stored]
    (folder / "sentences.json").write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    np.save(folder / "sentence_vectors.npy",
            np.asarray([stored[s] for s in kept], dtype=np.float32).reshape(len(kept), -1))
    return len(vectors)


def load_sentence_vectors(folder: Path) -> dict[str, np.ndarray]:
    """The sentence vectors written by `save_pool` (none for a pool written before them)."""
    if not (folder / "sentences.json").exists():
        return {}
    texts = json.loads((folder / "sentences.json").read_text(encoding="utf-8"))
    return dict(zip(texts, np.load(folder / "sentence_vectors.npy"), strict=True))


def load_pool(folder: Path) -> list[PoolDocument]:
    """The documents written by `save_pool`."""
    documents = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "vectors.npy")
    pool, row = [], 0
    for doc in documents:
        chunks = tuple(Chunk.from_metadata(c["text"], c["meta"]) for c in doc["chunks"])
        pool.append(PoolDocument(DocumentRecord.from_json(doc["record"]), chunks, vectors[row : row + len(chunks)],
                                 doc["fiche"]))
        row += len(chunks)
    return [d for d in pool if d.chunks]


def _documents(pool: list[PoolDocument], first: bool, variant: int, seen: set[int]) -> Iterator[tuple[Any, int]]:
    if first:
        for doc in pool:
            yield doc, variant
    for synthetic in synthetic_documents(pool, variant, seen):
        yield synthetic, synthetic.variant + 1


GROUP = 1000  # chunks written together


def grow(index: Index, embeddings: TableEmbeddings, pool_folder: Path, seen_path: Path, target: int,
         next_variant: int) -> int:
    """Add documents until `index` holds `target` chunks (the last one cut short); returns the next variant."""
    pool = load_pool(pool_folder)
    real_sentences = load_sentence_vectors(pool_folder)
    seen = set(np.load(seen_path).tolist()) if seen_path.exists() else set()
    count = index.status()["chunks"]
    if count == 0:
        seen |= {text_key(c.text) for d in pool for c in d.chunks}
    group: list[tuple[DocumentRecord, list[Chunk], dict[str, Any] | None]] = []

    def write() -> None:
        add_documents = getattr(index, "add_documents", None)  # one write for many documents, when available
        if add_documents is not None:
            add_documents(group)
        else:
            for document in group:
                index.add_document(*document)
        group.clear()
        embeddings.table = {}

    with index.batch():
        for doc, after in _documents(pool, count == 0, next_variant, seen):
            if count >= target:
                break
            chunks = list(doc.chunks[: target - count])
            embeddings.table.update((c.text, v) for c, v in zip(chunks, doc.vectors, strict=False))
            # a sentence the ingest encoded keeps its vector; a variant's changed sentence takes its chunk's
            embeddings.table.update(
                (sentence, real_sentences.get(sentence, v))
                for c, v in zip(chunks, doc.vectors, strict=False) for sentence in chunk_sentences(c.text)
            )
            group.append((doc.record, chunks, doc.fiche))
            count += len(chunks)
            next_variant = after
            if sum(len(part) for _, part, _ in group) >= GROUP:
                write()
        write()
    np.save(seen_path, np.asarray(sorted(seen), dtype=np.uint64))
    return next_variant
