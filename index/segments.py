"""The lexical index's segments: immutable term -> (row, tf) matrices written once, the snapshot a search
reads, and the merge policy that keeps their number logarithmic (see index/lexical.py for the layout)."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MERGE_FACTOR = 4  # a segment is merged into the one before it once that one is less than 4 times bigger
MAX_SEGMENTS = 16
MOD = 1 << 128


def id_hash(chunk_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(chunk_id.encode(), digest_size=16).digest(), "big")


def digest(total: int) -> str:
    return f"{total % MOD:032x}"


@dataclass(frozen=True, eq=False)
class Segment:
    """Term counts of some chunks: column j of the matrix is term j, rows are chunks."""

    name: str
    ids: np.ndarray  # chunk ids (str), by row
    doc_ids: np.ndarray  # doc ids (str), by row
    lengths: np.ndarray  # tokens per chunk, by row
    terms: list[str]  # by column
    indptr: np.ndarray  # column j's postings are rows[indptr[j]:indptr[j + 1]]
    rows: np.ndarray
    tf: np.ndarray
    columns: dict[str, int] = field(default_factory=dict)  # term -> column

    def __post_init__(self) -> None:
        if not self.columns:
            self.columns.update((t, j) for j, t in enumerate(self.terms))

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, name: str, entries: Sequence[tuple[str, str, list[str]]]) -> Segment:
        """A segment of (chunk id, doc id, tokens) entries."""
        columns: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        for row, (_, _, chunk_tokens) in enumerate(entries):
            for term, count in Counter(chunk_tokens).items():
                cols.append(columns.setdefault(term, len(columns)))
                rows.append(row)
                tfs.append(count)
        col = np.asarray(cols, dtype=np.int64)
        order = np.argsort(col, kind="stable")  # by term, rows ascending inside each term
        counts = np.bincount(col, minlength=len(columns))
        return cls(
            name=name,
            ids=strings([e[0] for e in entries]),
            doc_ids=strings([e[1] for e in entries]),
            lengths=np.asarray([len(e[2]) for e in entries], dtype=np.int32),
            terms=list(columns),
            indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            rows=np.asarray(rows, dtype=np.int32)[order],
            tf=np.asarray(tfs, dtype=np.float32)[order],
            columns=columns,
        )

    @classmethod
    def merge(cls, name: str, parts: Sequence[tuple[Segment, np.ndarray | None]]) -> Segment:
        """One segment holding the live rows of `parts` ((segment, live mask or None), in order)."""
        union = sorted(set().union(*(s.terms for s, _ in parts)))
        position = {t: j for j, t in enumerate(union)}
        post_terms, post_rows, post_tf = [], [], []
        ids, doc_ids, lengths = [], [], []
        offset = 0
        for segment, live in parts:
            keep = np.ones(len(segment), dtype=bool) if live is None else live
            new_row = np.cumsum(keep) - 1 + offset
            column_of = np.asarray([position[t] for t in segment.terms], dtype=np.int64)
            terms_of_postings = np.repeat(column_of, np.diff(segment.indptr))
            alive = keep[segment.rows]
            post_terms.append(terms_of_postings[alive])
            post_rows.append(new_row[segment.rows[alive]])
            post_tf.append(segment.tf[alive])
            ids.append(segment.ids[keep])
            doc_ids.append(segment.doc_ids[keep])
            lengths.append(segment.lengths[keep])
            offset += int(keep.sum())
        terms = np.concatenate(post_terms) if post_terms else np.zeros(0, dtype=np.int64)
        rows = np.concatenate(post_rows) if post_rows else np.zeros(0, dtype=np.int64)
        tf = np.concatenate(post_tf) if post_tf else np.zeros(0, dtype=np.float32)
        counts = np.bincount(terms, minlength=len(union))
        used = np.flatnonzero(counts)  # terms whose every chunk was deleted go
        renumber = np.full(len(union), -1, dtype=np.int64)
        renumber[used] = np.arange(len(used))
        terms = renumber[terms]
        order = np.lexsort((rows, terms))
        return cls(
            name=name,
            ids=concat_strings(ids),
            doc_ids=concat_strings(doc_ids),
            lengths=np.concatenate(lengths).astype(np.int32) if lengths else np.zeros(0, dtype=np.int32),
            terms=[union[j] for j in used.tolist()],
            indptr=np.concatenate([[0], np.cumsum(counts[used])]).astype(np.int64),
            rows=rows[order].astype(np.int32),
            tf=tf[order].astype(np.float32),
        )

    def save(self, directory: Path) -> None:
        """Write the segment's files and flush them to disk (state.json will point at them)."""
        directory.mkdir(parents=True, exist_ok=True)
        postings = directory / "postings.npz"
        with postings.open("wb") as f:
            np.savez(f, indptr=self.indptr, rows=self.rows, tf=self.tf, lengths=self.lengths)
            f.flush()
            os.fsync(f.fileno())
        meta = {"terms": self.terms, "ids": self.ids.tolist(), "doc_ids": self.doc_ids.tolist()}
        with (directory / "meta.json").open("w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())

    @classmethod
    def load(cls, directory: Path) -> Segment:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        with np.load(directory / "postings.npz") as arrays:
            indptr, rows, tf, lengths = (arrays[k] for k in ("indptr", "rows", "tf", "lengths"))
        segment = cls(
            name=directory.name,
            ids=strings(meta["ids"]),
            doc_ids=strings(meta["doc_ids"]),
            lengths=lengths,
            terms=list(meta["terms"]),
            indptr=indptr,
            rows=rows,
            tf=tf,
        )
        n = len(segment.ids)
        if not (len(segment.doc_ids) == len(lengths) == n and len(indptr) == len(segment.terms) + 1
                and len(rows) == len(tf) == int(indptr[-1]) and (n == 0 or len(rows) == 0 or int(rows.max()) < n)):
            raise ValueError(f"inconsistent lexical segment {directory}")
        return segment


def strings(values: Sequence[str]) -> np.ndarray:
    return np.asarray(values, dtype=str) if len(values) else np.zeros(0, dtype="<U1")


def concat_strings(parts: list[np.ndarray]) -> np.ndarray:
    parts = [p for p in parts if len(p)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype="<U1")


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything a search reads, never changed once built: commits build a new one and swap it in."""

    segments: tuple[Segment, ...] = ()
    live: tuple[np.ndarray | None, ...] = ()  # per segment: rows still indexed (None: all of them)
    count: int = 0
    total_length: int = 0
    id_sum: int = 0  # sum of the live ids' hashes: the fingerprint, kept up to date
    documents: frozenset[str] = frozenset()  # doc ids with at least one live chunk
    generation: int = 0
    token: str = ""  # tells this commit from any other, even of another process
    unreadable: bool = False
    cache: dict[str, Any] = field(default_factory=dict)  # frequencies, computed on first use

    @property
    def fingerprint(self) -> str:
        return "unreadable" if self.unreadable else digest(self.id_sum)

    def parts(self) -> Iterator[tuple[Segment, np.ndarray | None]]:
        return zip(self.segments, self.live, strict=True)


def assemble(
    segments: Sequence[Segment], live: Sequence[np.ndarray | None], generation: int, token: str, id_sum: int
) -> Snapshot:
    count = total_length = 0
    documents: set[str] = set()
    for segment, mask in zip(segments, live, strict=True):
        count += live_size(segment, mask)
        total_length += int((segment.lengths if mask is None else segment.lengths[mask]).sum())
        documents.update((segment.doc_ids if mask is None else segment.doc_ids[mask]).tolist())
    return Snapshot(
        segments=tuple(segments),
        live=tuple(live),
        count=count,
        total_length=total_length,
        id_sum=id_sum % MOD,
        documents=frozenset(documents),
        generation=generation,
        token=token,
    )


def live_size(segment: Segment, mask: np.ndarray | None) -> int:
    return len(segment) if mask is None else int(mask.sum())


def merge_small(
    segments: list[Segment], live: list[np.ndarray | None], generation: int
) -> tuple[list[Segment], list[np.ndarray | None], list[Segment]]:
    """Merge the newest segments while the one before is not much bigger (a binary counter, in effect),
    and any segment that is mostly deleted rows; returns the segments, their masks and the new ones."""
    made: list[Segment] = []
    n = 0

    def merge(parts: list[tuple[Segment, np.ndarray | None]]) -> Segment:
        nonlocal n
        n += 1
        segment = Segment.merge(f"seg-{generation}-{n}", parts)
        made.append(segment)
        return segment

    pairs = list(zip(segments, live, strict=True))
    # Mostly deleted rows: rewrite the segment alone, so deleted rows do not pile up.
    pairs = [(merge([p]), None) if p[1] is not None and live_size(*p) < len(p[0]) / 2 else p for p in pairs]
    while len(pairs) >= 2 and (
        live_size(*pairs[-2]) < MERGE_FACTOR * live_size(*pairs[-1]) or len(pairs) > MAX_SEGMENTS
    ):
        pairs[-2:] = [(merge(pairs[-2:]), None)]
    return [s for s, _ in pairs], [m for _, m in pairs], made
