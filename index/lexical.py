"""BM25 over the chunks (bm25s), on French tokens from index/text.py, saved under one directory.

bm25s cannot add to an index, so each commit rebuilds the matrix from the stored tokens (cheap:
no re-tokenising, milliseconds for thousands of chunks); `batch()` makes a whole ingest run one
commit. Layout, so a crash at any point leaves the previous version readable:

    gen-<n>/          bm25s matrix + corpus.json (ids, doc ids, tokens) of generation n
    state.json        {"generation": n, "count": ..., "fingerprint": ...}, replaced atomically last

`fingerprint` hashes the sorted chunk ids: the index compares it with Chroma's ids at open and
rebuilds from Chroma's texts when they differ. Ids are content hashes plus positions, so equal
ids mean equal texts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.manifest import write_atomic
from index.models import TermFrequencies
from index.text import tokens
from ingest.models import Chunk

log = logging.getLogger(__name__)


def fingerprint(ids: Iterable[str]) -> str:
    """Order-independent digest of a set of chunk ids."""
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:32]


class LexicalIndex:
    """BM25 search over chunk ids; add/remove are staged and applied by `commit()`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._generation = 0
        self._fingerprint = fingerprint([])
        self._ids: list[str] = []
        self._docs: dict[str, str] = {}  # chunk id -> doc_id
        self._tokens: dict[str, list[str]] = {}
        self._bm25: Any = None
        self._frequencies: TermFrequencies | None = None
        self._dirty = False
        self._batch_depth = 0
        self._load()

    # -- persistence -------------------------------------------------------------------------

    @property
    def _state_path(self) -> Path:
        return self.directory / "state.json"

    def _gen_dir(self, generation: int) -> Path:
        return self.directory / f"gen-{generation}"

    def _load(self) -> None:
        error: Exception | None = None
        # A writer in another process may swap generations between our two reads: read again.
        for _ in range(3):
            if not self._state_path.exists():
                return
            try:
                state = json.loads(self._state_path.read_text(encoding="utf-8"))
                corpus = json.loads((self._gen_dir(state["generation"]) / "corpus.json").read_text("utf-8"))
                ids = list(corpus["ids"])
                self._docs = dict(zip(ids, corpus["doc_ids"], strict=True))
                self._tokens = dict(zip(ids, corpus["tokens"], strict=True))
            except (OSError, ValueError, KeyError) as exc:
                error = exc
                continue
            self._generation = int(state["generation"])
            self._fingerprint = str(state["fingerprint"])
            self._ids = ids
            return
        # Lost or damaged files (a power cut, a hand edit): empty, with a fingerprint that matches no
        # store, so the index rebuilds it from Chroma when it repairs.
        log.warning("lexical index %s unreadable (%s); it will be rebuilt", self.directory, error)
        self._fingerprint = "unreadable"
        self._docs, self._tokens = {}, {}

    def _remove_other_generations(self) -> None:
        # Only a committing writer (holding the index's write lock) may delete generations.
        keep = self._gen_dir(self._generation).name
        for path in self.directory.glob("gen-*"):
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)

    def _bm25_index(self) -> Any:
        if self._bm25 is None and self._ids:
            import bm25s

            try:
                self._bm25 = bm25s.BM25.load(str(self._gen_dir(self._generation)), show_progress=False)
            except (OSError, ValueError):  # replaced by another process's commit since we loaded
                # Mid-batch, staged removals have no tokens left: empty rows keep the row numbers.
                self._bm25 = self._build([self._tokens.get(i, []) for i in self._ids])
        return self._bm25

    @staticmethod
    def _build(corpus: list[list[str]]) -> Any:
        if not any(corpus):
            return None  # bm25s fails on a corpus without a single token (only stop words, say)
        import bm25s

        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        return bm25

    # -- reading -----------------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """Digest of the committed chunk ids (see `fingerprint()`)."""
        return self._fingerprint

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> list[str]:
        """Committed chunk ids, sorted."""
        return list(self._ids)

    def frequencies(self) -> TermFrequencies:
        """How many chunks hold each token (staged changes included); cached until the next change."""
        if self._frequencies is None:
            counts: Counter[str] = Counter()
            for chunk_tokens in self._tokens.values():
                counts.update(set(chunk_tokens))
            self._frequencies = TermFrequencies(dict(counts), len(self._tokens))
        return self._frequencies

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to `k` (chunk id, BM25 score) pairs, best first; only chunks sharing a token with `query`."""
        bm25 = self._bm25_index()
        if bm25 is None:
            return []
        query_tokens = [t for t in tokens(query) if t in bm25.vocab_dict]
        if not query_tokens:
            return []
        scores = bm25.get_scores(query_tokens)
        order = scores.argsort(kind="stable")[::-1][:k]
        return [(self._ids[i], float(scores[i])) for i in order if scores[i] > 0]

    # -- writing -----------------------------------------------------------------------------

    def add(self, chunks: Iterable[Chunk]) -> None:
        """Stage chunks (upsert by id); applied at the next commit."""
        for chunk in chunks:
            self._tokens[chunk.id] = tokens(f"{chunk.title}\n{chunk.section}\n{chunk.text}")
            self._docs[chunk.id] = chunk.doc_id
            self._dirty = True
            self._frequencies = None
        self._commit_unless_batch()

    def remove_documents(self, doc_ids: Iterable[str]) -> None:
        """Stage the removal of every chunk of these documents."""
        gone = set(doc_ids)
        for chunk_id in [i for i, d in self._docs.items() if d in gone]:
            del self._docs[chunk_id]
            del self._tokens[chunk_id]
            self._dirty = True
            self._frequencies = None
        self._commit_unless_batch()

    def rebuild(self, chunks: Iterable[Chunk]) -> None:
        """Replace the whole index with these chunks and commit."""
        self._docs.clear()
        self._tokens.clear()
        self._dirty = True
        self._frequencies = None
        self.add(chunks)
        self.commit()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Apply every add/remove made inside the block in one commit, even if the block fails."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            self._commit_unless_batch()

    def _commit_unless_batch(self) -> None:
        if self._batch_depth == 0:
            self.commit()

    def commit(self) -> None:
        """Rebuild BM25 from the staged tokens and save a new generation, then point state.json at it."""
        if not self._dirty:
            return
        self._ids = sorted(self._tokens)
        generation = self._generation + 1
        gen_dir = self._gen_dir(generation)
        shutil.rmtree(gen_dir, ignore_errors=True)
        gen_dir.mkdir(parents=True)
        self._bm25 = self._build([self._tokens[i] for i in self._ids])
        if self._bm25 is not None:
            self._bm25.save(str(gen_dir), show_progress=False)
        corpus = {
            "ids": self._ids,
            "doc_ids": [self._docs[i] for i in self._ids],
            "tokens": [self._tokens[i] for i in self._ids],
        }
        (gen_dir / "corpus.json").write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
        self._fingerprint = fingerprint(self._ids)
        state = {"generation": generation, "count": len(self._ids), "fingerprint": self._fingerprint}
        write_atomic(self._state_path, json.dumps(state) + "\n")
        self._generation = generation
        self._dirty = False
        self._remove_other_generations()
