"""The Chroma vector store: the only module that knows Chroma.

Embedded (`chromadb.PersistentClient`) by default, a Chroma server (`chromadb.HttpClient`) when a
host is given. Chunks keep their deterministic ids (`Chunk.id`) so writing a chunk twice
overwrites it, and flat metadata (`Chunk.metadata()`, plus a hash of the text). The collection's
metadata names the embedding model and its dimension: opening it with another model is refused,
because vectors of two models in one collection make every search wrong without any error.

A passage whose text is already stored (the unchanged pages of a new version of a file, a
paragraph repeated across documents) takes its vector from Chroma instead of the encoder: the
encoder is by far the slowest step of an ingest.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.errors import UserError
from ingest.models import Chunk

log = logging.getLogger(__name__)
# chromadb is imported where a store is opened, not here: it takes seconds to import, and the modules that
# only name these classes (assistant.service, hence the UI and its tests) should not pay for it.

MODEL_KEY = "embedding_model"
DIMENSION_KEY = "embedding_dimension"
TEXT_HASH_KEY = "text_hash"
_PAGE = 2000  # rows per `get` when scanning the whole collection
_LOOKUP = 500  # text hashes per `get` when looking for vectors already computed
_OPENING = threading.Lock()
Vector = Sequence[float]


def http_client(host: str, port: int) -> Any:
    import chromadb  # lazy: see the note under `log`
    from chromadb.config import Settings

    try:
        client = chromadb.HttpClient(host=host, port=port, settings=Settings(anonymized_telemetry=False))
        client.heartbeat()
    except Exception as exc:  # chromadb raises ValueError, httpx or its own errors
        raise UserError(
            f"Erreur : le serveur Chroma http://{host}:{port} ne répond pas. "
            "Démarrez-le (`chroma run`) ou vérifiez l'hôte et le port."
        ) from exc
    return client


def text_hash(text: str) -> str:
    """The key under which a passage's vector can be reused: same text, same vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class ChromaStore:
    """Chunks, their texts and vectors in one Chroma collection."""

    def __init__(
        self,
        embeddings: Embeddings,
        model_name: str,
        dimension: Callable[[], int],
        persist_dir: Path | None = None,
        host: str | None = None,
        port: int = 8000,
        collection: str = "ars",
        reset: bool = False,
    ) -> None:
        """Open (or create) `collection`; `dimension` is called only to create it; `reset` empties it."""
        import chromadb  # lazy: see the note under `log`
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False)
        self.host, self.port, self.name = host, port, collection
        self.model_name = model_name
        if host:
            self._client: Any = http_client(host, port)
        else:
            if persist_dir is None:
                raise ValueError("persist_dir is required without a host")
            persist_dir.mkdir(parents=True, exist_ok=True)
            with _OPENING:  # two threads creating a client for one path at once break chromadb's client cache
                self._client = chromadb.PersistentClient(path=str(persist_dir), settings=settings)
        self._dimension = dimension
        self._embeddings = embeddings
        if reset:
            self._delete_collection()
        self._collection = self._open_collection()
        self._max_batch = int(self._client.get_max_batch_size())
        # Seconds spent computing vectors and writing them, for ingest reports and the benchmark.
        self.timings: dict[str, float] = {"embed": 0.0, "write": 0.0}
        self.encoded = 0  # passages run through the encoder
        self.reused_vectors = 0  # passages whose vector came from the store, not the encoder

    @property
    def location(self) -> str:
        """ "embedded" or "server http://host:port"."""
        return f"server http://{self.host}:{self.port}" if self.host else "embedded"

    def _open_collection(self) -> Any:
        from chromadb.errors import NotFoundError

        try:
            collection = self._client.get_collection(self.name, embedding_function=None)
        except NotFoundError:
            return self._create_collection()
        found = (collection.metadata or {}).get(MODEL_KEY)
        if found != self.model_name:
            if found is None and collection.count() == 0:
                # An empty collection made by someone else (e.g. by hand): recreate it as ours.
                self._delete_collection()
                return self._create_collection()
            raise UserError(
                f"Erreur : l'index '{self.name}' a été construit avec le modèle d'embeddings "
                f"'{found or 'inconnu'}', pas '{self.model_name}'. Réindexez avec "
                "`ars-assistant ingest --reset` ou reprenez le modèle d'origine."
            )
        return collection

    def _create_collection(self) -> Any:
        return self._client.get_or_create_collection(
            self.name,
            embedding_function=None,
            metadata={MODEL_KEY: self.model_name, DIMENSION_KEY: self._dimension()},
            configuration={"hnsw": {"space": "cosine"}},
        )

    def _delete_collection(self) -> None:
        from chromadb.errors import NotFoundError

        with contextlib.suppress(NotFoundError):
            self._client.delete_collection(self.name)

    def close(self) -> None:
        """Let go of the embedded database, so that a new store of this process loads another's writes.

        Chroma shares one database per path among the clients of a process: it is only let go of when
        the last of them closes.
        """
        if self.host is None:
            with _OPENING:
                self._client.close()

    def continue_counts(self, previous: ChromaStore) -> None:
        """Carry on the timings and encoder counts of the store this one replaces (a reopened client)."""
        self.timings = dict(previous.timings)
        self.encoded, self.reused_vectors = previous.encoded, previous.reused_vectors

    # -- writing -----------------------------------------------------------------------------

    def _vectors(self, chunks: Sequence[Chunk]) -> dict[str, Vector]:
        """Vectors by text hash: the stored vector of an identical text, else the encoder's (one call for
        all the texts not found, each distinct text once)."""
        start = time.perf_counter()
        wanted = {text_hash(c.text): c.text for c in chunks}
        stored = self._stored_vectors(sorted(wanted))
        known = dict(stored)
        missing = {h: t for h, t in wanted.items() if h not in known}
        if missing:
            known.update(zip(missing, self._embeddings.embed_documents(list(missing.values())), strict=True))
        self.encoded += len(missing)
        self.reused_vectors += len(stored)
        self.timings["embed"] += time.perf_counter() - start
        return known

    def _stored_vectors(self, hashes: Sequence[str]) -> dict[str, Vector]:
        found: dict[str, Vector] = {}
        if not hashes:
            return found
        for start in range(0, len(hashes), _LOOKUP):
            page = self._collection.get(
                where={TEXT_HASH_KEY: {"$in": list(hashes[start : start + _LOOKUP])}},
                include=["embeddings", "metadatas"],
            )
            embeddings = page.get("embeddings")
            if embeddings is None:
                continue
            for meta, vector in zip(page["metadatas"] or [], embeddings, strict=True):
                key = (meta or {}).get(TEXT_HASH_KEY)
                if isinstance(key, str):
                    found[key] = vector
        return found

    def add(self, chunks: Sequence[Chunk], on_encoded: Callable[[], None] | None = None) -> None:
        """Upsert chunks with their vectors (reused or computed), in Chroma-sized batches; `on_encoded` hears when
        the vectors are ready and the writing starts (a progress display)."""
        if not chunks:
            return
        hashes = [text_hash(c.text) for c in chunks]
        by_hash = self._vectors(chunks)
        vectors = [by_hash[h] for h in hashes]
        if on_encoded is not None:
            on_encoded()
        start = time.perf_counter()
        for first in range(0, len(chunks), self._max_batch):
            part = chunks[first : first + self._max_batch]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[first : first + self._max_batch], dtype=np.float32),
                metadatas=[{**c.metadata(), TEXT_HASH_KEY: h} for c, h in zip(part, hashes[first:], strict=False)],
                documents=[c.text for c in part],
            )
        self.timings["write"] += time.perf_counter() - start

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        """Delete every chunk of these documents."""
        wanted = sorted(set(doc_ids))
        start = time.perf_counter()
        for first in range(0, len(wanted), 100):
            self._collection.delete(where={"doc_id": {"$in": wanted[first : first + 100]}})
        self.timings["write"] += time.perf_counter() - start

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete chunks by id."""
        for first in range(0, len(ids), self._max_batch):
            self._collection.delete(ids=list(ids[first : first + self._max_batch]))

    def reset(self) -> None:
        """Drop the collection and create it empty, labelled with the current model."""
        self._delete_collection()
        self._collection = self._create_collection()

    # -- reading -----------------------------------------------------------------------------

    def registry(self) -> ChromaRegistry | None:
        """The table beside the chunks that every process of a Chroma server shares; None when embedded."""
        return ChromaRegistry(self._client, self.name) if self.host else None

    def of_documents(self, doc_ids: Sequence[str]) -> list[Chunk]:
        """Every chunk of these documents."""
        found: list[Chunk] = []
        wanted = sorted(set(doc_ids))
        for first in range(0, len(wanted), 100):
            page = self._collection.get(where={"doc_id": {"$in": wanted[first : first + 100]}},
                                        include=["metadatas", "documents"])
            found.extend(Chunk.from_metadata(text or "", dict(meta or {}))
                         for meta, text in zip(page["metadatas"], page["documents"], strict=True))
        return found

    def ocr_pages(self, doc_id: str) -> frozenset[int]:
        """The pages covered by a document's chunks that were read by OCR."""
        found = self._collection.get(where={"$and": [{"doc_id": doc_id}, {"ocr": True}]}, include=["metadatas"])
        return frozenset(page for meta in found["metadatas"] or [] if meta
                         for page in range(int(str(meta["page"])), int(str(meta.get("page_end", meta["page"]))) + 1))

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self._collection.count())

    def scan(self) -> dict[str, str]:
        """Every chunk id with its doc_id."""
        found: dict[str, str] = {}
        for ids, metas, _ in self._pages(["metadatas"]):
            for chunk_id, meta in zip(ids, metas, strict=True):
                found[chunk_id] = str((meta or {}).get("doc_id", ""))
        return found

    def chunks(self) -> Iterator[Chunk]:
        """Every stored chunk, rebuilt from its text and metadata."""
        for _, metas, docs in self._pages(["metadatas", "documents"]):
            for meta, text in zip(metas, docs, strict=True):
                yield Chunk.from_metadata(text or "", dict(meta or {}))

    def _pages(self, include: list[str]) -> Iterator[tuple[list[str], list[Any], list[Any]]]:
        offset = 0
        while True:
            page = self._collection.get(include=include, limit=_PAGE, offset=offset)
            ids = list(page["ids"])
            if not ids:
                return
            metas = list(page.get("metadatas") or [None] * len(ids))
            docs = list(page.get("documents") or [None] * len(ids))
            yield ids, metas, docs
            offset += len(ids)

    def get(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by id; ids not stored are left out."""
        if not ids:
            return {}
        page = self._collection.get(ids=list(ids), include=["metadatas", "documents"])
        return {
            chunk_id: Chunk.from_metadata(text or "", dict(meta or {}))
            for chunk_id, meta, text in zip(page["ids"], page["metadatas"], page["documents"], strict=True)
        }

    def at_positions(self, doc_id: str, positions: Sequence[int]) -> list[Chunk]:
        """Chunks of one document at the given positions, in position order."""
        if not positions:
            return []
        where: dict[str, Any] = {"$and": [{"doc_id": doc_id}, {"position": {"$in": list(positions)}}]}
        page = self._collection.get(where=where, include=["metadatas", "documents"])
        chunks = [Chunk.from_metadata(text or "", dict(meta or {}))
                  for meta, text in zip(page["metadatas"], page["documents"], strict=True)]
        return sorted(chunks, key=lambda c: c.position)

    def search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """The `k` nearest chunks to `query` with their cosine similarity, best first."""
        if k <= 0:
            return []
        vector = self._embeddings.embed_query(query)
        found = self._collection.query(
            query_embeddings=[list(vector)], n_results=k, include=["metadatas", "documents", "distances"]
        )
        metas, texts, distances = (found.get(key) or [[]] for key in ("metadatas", "documents", "distances"))
        # An embedded client keeps the vectors it loaded: a chunk another process deleted since is still
        # found, without its text or metadata (as langchain-chroma did, it is left out).
        return [
            (Chunk.from_metadata(text, dict(meta)), 1.0 - float(distance))
            for meta, text, distance in zip(metas[0], texts[0], distances[0], strict=True)
            if text is not None and meta is not None
        ]


class ChromaRegistry:
    """A small key-value table in its own collection beside the chunks (`<name>__registry`), on the server: the
    documents registry, the fiches, the collection's version and the writer's lease live there, so that any
    process of any machine serves the same collection. Values are text (JSON); each key has a kind."""

    def __init__(self, client: Any, name: str) -> None:
        self._collection = client.get_or_create_collection(
            f"{name}__registry", embedding_function=None, configuration={"hnsw": {"space": "l2"}}
        )

    @classmethod
    def connect(cls, host: str, port: int, name: str) -> ChromaRegistry:
        """The registry of collection `name` on the server at host:port."""
        return cls(http_client(host, port), name)

    def get(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        page = self._collection.get(ids=list(keys), include=["documents"])
        return {key: text or "" for key, text in zip(page["ids"], page["documents"], strict=True)}

    def of_kind(self, kind: str) -> dict[str, str]:
        found: dict[str, str] = {}
        offset = 0
        while True:
            page = self._collection.get(where={"kind": kind}, include=["documents"], limit=_PAGE, offset=offset)
            if not page["ids"]:
                return found
            found.update((key, text or "") for key, text in zip(page["ids"], page["documents"], strict=True))
            offset += len(page["ids"])

    def put(self, kind: str, values: dict[str, str]) -> None:
        keys = list(values)
        for first in range(0, len(keys), 500):
            part = keys[first : first + 500]
            self._collection.upsert(
                ids=part, documents=[values[k] for k in part], metadatas=[{"kind": kind}] * len(part),
                embeddings=np.zeros((len(part), 1), dtype=np.float32),
            )

    def delete(self, keys: Sequence[str]) -> None:
        for first in range(0, len(keys), 500):
            self._collection.delete(ids=list(keys[first : first + 500]))

    def delete_kind(self, kind: str) -> None:
        self._collection.delete(where={"kind": kind})
