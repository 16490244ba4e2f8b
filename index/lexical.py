"""BM25 over the chunks, on French tokens from lang/tokens.py, saved under one directory in segments.

An add writes a small new segment instead of rebuilding everything: each segment holds the term
counts of some chunks (a compressed term -> (row, tf) matrix) and never changes once written;
removing chunks only marks their rows deleted. Scores are computed at query time from the
segments' postings with the statistics of the whole index (chunk count, mean length, document
frequency of each term), so they are those of one BM25 (Lucene variant, k1=1.5, b=0.75) over
all live chunks, whatever the segments. Small segments are merged into bigger ones as they pile
up (each chunk is rewritten O(log n) times over the life of the index); `batch()` makes a whole
ingest run one commit. Layout, so a crash at any point leaves the previous version readable:

    seg-<g>-<n>/      postings.npz + meta.json (terms, chunk ids, doc ids), written once
    state.json        {"format": 2, "generation": g, "segments": [{"name", "deleted": [rows]}],
                       "count", "fingerprint"}, replaced atomically last

Readers never lock: everything a search reads hangs from one immutable snapshot that a commit
builds aside and swaps in with a single assignment, so a search during a commit sees the old
index or the new one, never half of each.

`fingerprint` digests the set of chunk ids: the index compares it with Chroma's ids to detect a
lexical index that lags behind, and adds or drops just the chunks that differ. Ids are content
hashes plus positions, so equal ids mean equal texts.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from index.manifest import write_atomic
from index.models import TermFrequencies
from index.segments import Segment, Snapshot, assemble, digest, id_hash, merge_small
from ingest.models import Chunk
from lang.tokens import tokens

log = logging.getLogger(__name__)

FORMAT = 2
K1, B = 1.5, 0.75  # bm25s' defaults, which the index used before segments

def fingerprint(ids: Iterable[str]) -> str:
    """Order-independent digest of a set of chunk ids (a sum of hashes, so it can be kept up to date)."""
    return digest(sum(id_hash(i) for i in set(ids)))


def chunk_tokens(chunk: Chunk) -> list[str]:
    """The tokens a chunk is indexed under: its title and section count as words of its text."""
    return tokens(f"{chunk.title}\n{chunk.section}\n{chunk.text}")


class LexicalIndex:
    """BM25 search over chunk ids; add/remove are staged and applied by `commit()`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._snap = Snapshot()
        # Staged by the writer (callers hold the index's write lock); searches never read these.
        self._pending: dict[str, tuple[str, list[str]]] = {}  # chunk id -> (doc id, tokens)
        self._removed_docs: set[str] = set()  # doc ids whose committed chunks go
        self._removed_ids: set[str] = set()  # committed chunks that go
        self._drop_all = False  # `rebuild`: every committed chunk goes
        self._dirty = False
        self._batch_depth = 0
        self._load()

    # -- persistence -------------------------------------------------------------------------

    @property
    def _state_path(self) -> Path:
        return self.directory / "state.json"

    def _read_state(self) -> dict[str, Any] | None:
        try:
            state = json.loads(self._state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return state if isinstance(state, dict) else {}

    def _load(self) -> None:
        error: Exception | None = None
        # A writer in another process may swap segments between our reads: read again.
        for _ in range(3):
            try:
                state = self._read_state()
                if state is None:
                    self._snap = Snapshot()
                    return
                if state.get("format") != FORMAT:
                    raise ValueError(f"lexical index format {state.get('format', 1)}, expected {FORMAT}")
                self._snap = self._snapshot_from(state)
                return
            except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
                error = exc
        # Lost or damaged files (a power cut, a hand edit, an older format): empty, with a fingerprint
        # that matches no store, so the index fills it again from Chroma when it repairs.
        log.warning("lexical index %s unreadable (%s); it will be rebuilt", self.directory, error)
        self._snap = Snapshot(unreadable=True)

    def _snapshot_from(self, state: dict[str, Any]) -> Snapshot:
        segments, live = [], []
        for entry in state["segments"]:
            segment = Segment.load(self.directory / str(entry["name"]))
            deleted = np.asarray(entry.get("deleted", []), dtype=np.int64)
            mask = None
            if len(deleted):
                mask = np.ones(len(segment), dtype=bool)
                mask[deleted] = False
            segments.append(segment)
            live.append(mask)
        # The fingerprint is trusted rather than recomputed: hashing every id would slow every start.
        snap = assemble(segments, live, int(state["generation"]), str(state["token"]), int(state["fingerprint"], 16))
        if snap.count != state["count"]:
            raise ValueError("lexical index state does not match its segments")
        return snap

    def refresh(self) -> bool:
        """Reload from disk if another process committed since; True if it did. Staged changes are dropped."""
        state = self._read_state()
        token = None if state is None else state.get("token")
        if token == self._snap.token and not self._snap.unreadable and state is not None:
            return False
        self._clear_staged()
        self._load()
        return True

    def _clear_staged(self) -> None:
        self._pending.clear()
        self._removed_docs.clear()
        self._removed_ids.clear()
        self._drop_all = False
        self._dirty = False

    def _remove_unreferenced(self, keep: set[str]) -> None:
        # Only a committing writer (holding the index's write lock) may delete segments.
        for path in self.directory.iterdir():
            if path.is_dir() and path.name.startswith(("seg-", "gen-")) and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # -- reading -----------------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """Digest of the committed chunk ids (see `fingerprint()`); "unreadable" for damaged files."""
        return self._snap.fingerprint

    def __len__(self) -> int:
        return self._snap.count

    def ids(self) -> list[str]:
        """Committed chunk ids, sorted."""
        found: list[str] = []
        for segment, live in self._snap.parts():
            found.extend((segment.ids if live is None else segment.ids[live]).tolist())
        return sorted(found)

    def frequencies(self) -> TermFrequencies:
        """How many committed chunks hold each token; an immutable view, computed once per commit."""
        snap = self._snap
        cached = snap.cache.get("frequencies")
        if cached is None:
            counts: dict[str, int] = {}
            for segment, live in snap.parts():
                if not segment.terms:
                    continue
                if live is None:
                    per_term = np.diff(segment.indptr)
                else:
                    per_term = np.add.reduceat(live[segment.rows].astype(np.int64), segment.indptr[:-1])
                if not counts:
                    counts = dict(zip(segment.terms, per_term.tolist(), strict=True))
                    continue
                for term, n in zip(segment.terms, per_term.tolist(), strict=True):
                    counts[term] = counts.get(term, 0) + n
            cached = TermFrequencies(MappingProxyType({t: n for t, n in counts.items() if n}), snap.count)
            snap.cache["frequencies"] = cached
        return cached

    def documents_holding(self, terms: Iterable[str], among: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
        """For each token, the ids of the documents (of `among` only, when given) with a committed chunk that holds
        it (empty if none): what a whole document says, beyond the passages a search returned."""
        snap = self._snap
        found: dict[str, set[str]] = {term: set() for term in terms}
        scope = None if among is None else set(among)
        for segment, live in snap.parts():
            keep = live
            if scope is not None:
                # a common token ("2024") is in most chunks: only the rows of the documents asked about are read
                names, codes = _document_codes(snap, segment)
                wanted = [n for n, name in enumerate(names) if name in scope]
                keep = np.isin(codes, wanted)
                if live is not None:
                    keep &= live
            for term, docs in found.items():
                j = segment.columns.get(term)
                if j is None:
                    continue
                rows = segment.rows[segment.indptr[j] : segment.indptr[j + 1]]
                if keep is not None:
                    rows = rows[keep[rows]]
                docs.update(segment.doc_ids[rows].tolist())
        return {term: frozenset(docs) for term, docs in found.items()}

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to `k` (chunk id, BM25 score) pairs, best first (ties: by id, descending); only chunks
        sharing a token with `query`."""
        snap = self._snap
        if k <= 0 or snap.count == 0 or snap.total_length == 0:
            return []
        wanted = Counter(tokens(query))
        if not wanted:
            return []
        # Postings of each query term in each segment, live rows only, and the term's document frequency.
        postings: list[list[tuple[int, np.ndarray, np.ndarray]]] = []  # per segment: (term n, rows, tf)
        df = [0] * len(wanted)
        terms = list(wanted)
        for segment, live in snap.parts():
            found = []
            for n, term in enumerate(terms):
                j = segment.columns.get(term)
                if j is None:
                    continue
                start, end = segment.indptr[j], segment.indptr[j + 1]
                rows, tf = segment.rows[start:end], segment.tf[start:end]
                if live is not None:
                    alive = live[rows]
                    rows, tf = rows[alive], tf[alive]
                if len(rows):
                    found.append((n, rows, tf))
                    df[n] += len(rows)
            postings.append(found)
        if not any(df):
            return []
        total = snap.count
        idf = [math.log(1 + (total - d + 0.5) / (d + 0.5)) for d in df]
        weights = [idf[n] * wanted[term] for n, term in enumerate(terms)]  # a repeated word counts again
        mean_length = snap.total_length / total
        candidates: list[tuple[float, str]] = []
        for segment, found in zip(snap.segments, postings, strict=True):
            if not found:
                continue
            scores = np.zeros(len(segment), dtype=np.float64)
            for n, rows, tf in found:
                norm = K1 * ((1 - B) + B * segment.lengths[rows] / mean_length)
                scores[rows] += weights[n] * (tf / (norm + tf))
            candidates.extend(_top(scores, segment.ids, k))
        candidates.sort(reverse=True)
        return [(chunk_id, score) for score, chunk_id in candidates[:k]]

    # -- writing -----------------------------------------------------------------------------

    def add(self, chunks: Iterable[Chunk]) -> None:
        """Stage chunks (upsert by id); applied at the next commit."""
        for chunk in chunks:
            self._pending[chunk.id] = (chunk.doc_id, chunk_tokens(chunk))
            self._dirty = True
        self._commit_unless_batch()

    def remove_documents(self, doc_ids: Iterable[str]) -> None:
        """Stage the removal of every chunk of these documents."""
        gone = set(doc_ids)
        if not gone:
            return
        for chunk_id in [i for i, (d, _) in self._pending.items() if d in gone]:
            del self._pending[chunk_id]
            self._dirty = True
        committed = gone & self._snap.documents
        if committed:
            self._removed_docs |= committed
            self._dirty = True
        self._commit_unless_batch()

    def remove_ids(self, ids: Iterable[str]) -> None:
        """Stage the removal of these chunks (repairs: chunks Chroma no longer holds)."""
        gone = set(ids)
        if not gone:
            return
        for chunk_id in gone & set(self._pending):
            del self._pending[chunk_id]
        self._removed_ids |= gone
        self._dirty = True
        self._commit_unless_batch()

    def rebuild(self, chunks: Iterable[Chunk]) -> None:
        """Replace the whole index with these chunks and commit."""
        self._clear_staged()
        self._drop_all = True
        self._dirty = True
        with self.batch():
            self.add(chunks)

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
        """Write the staged changes as a new segment (merging small ones), then point state.json at it."""
        if not self._dirty:
            return
        old = self._snap
        generation = old.generation + 1
        segments: list[Segment] = []
        live: list[np.ndarray | None] = []
        id_sum = 0 if self._drop_all else old.id_sum
        if not self._drop_all:
            removed_docs = list(self._removed_docs)
            removed_ids = list(self._removed_ids | set(self._pending))  # an upsert replaces the committed chunk
            for segment, mask in old.parts():
                kill = np.zeros(len(segment), dtype=bool)
                if removed_docs:
                    kill |= np.isin(segment.doc_ids, removed_docs)
                if removed_ids:
                    kill |= np.isin(segment.ids, removed_ids)
                if mask is not None:
                    kill &= mask
                if kill.any():
                    id_sum -= sum(id_hash(i) for i in segment.ids[kill].tolist())
                    mask = (np.ones(len(segment), dtype=bool) if mask is None else mask) & ~kill
                if mask is not None and not mask.any():
                    continue  # every row deleted: the segment goes
                segments.append(segment)
                live.append(mask)
        written: list[Segment] = []
        if self._pending:
            entries = [(i, d, t) for i, (d, t) in self._pending.items()]
            written.append(Segment.build(f"seg-{generation}-0", entries))
            segments.append(written[-1])
            live.append(None)
            id_sum += sum(id_hash(i) for i in self._pending)
        segments, live, merged = merge_small(segments, live, generation)
        written.extend(merged)
        names = {s.name for s in segments}
        for segment in written:
            if segment.name in names:  # not an intermediate merge
                shutil.rmtree(self.directory / segment.name, ignore_errors=True)  # a killed commit's leftovers
                segment.save(self.directory / segment.name)
        snap = assemble(segments, live, generation, uuid.uuid4().hex, id_sum)
        state = {
            "format": FORMAT,
            "generation": generation,
            "token": snap.token,
            "count": snap.count,
            "fingerprint": snap.fingerprint,
            "segments": [
                {"name": s.name, "deleted": [] if m is None else np.flatnonzero(~m).tolist()}
                for s, m in zip(segments, live, strict=True)
            ],
        }
        write_atomic(self._state_path, json.dumps(state) + "\n")
        self._snap = snap  # the swap: searches from now on read the new snapshot
        self._clear_staged()
        self._remove_unreferenced(names)


def _document_codes(snap: Snapshot, segment: Segment) -> tuple[list[str], np.ndarray]:
    """A segment's distinct document ids and, by row, the position of its document among them (cached per snapshot;
    a segment never changes)."""
    key = f"documents:{segment.name}"
    cached = snap.cache.get(key)
    if cached is None:
        names, codes = np.unique(segment.doc_ids, return_inverse=True)
        cached = (names.tolist(), codes)
        snap.cache[key] = cached
    return cached


def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> list[tuple[float, str]]:
    """The `k` best (score, id) of one segment, ties included (the caller breaks them by id)."""
    hits = np.flatnonzero(scores > 0)
    if len(hits) > k:
        kth = np.partition(scores[hits], len(hits) - k)[len(hits) - k]
        hits = hits[scores[hits] >= kth]
    return [(float(scores[i]), str(ids[i])) for i in hits.tolist()]
