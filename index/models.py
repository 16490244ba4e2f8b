"""Records the index hands out: search hits and the manifest's document entries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field

from ingest.models import Chunk, Document


@dataclass(frozen=True, slots=True)
class Hit:
    """A chunk found by a search, with its score and its 1-based rank in the result list."""

    chunk: Chunk
    score: float  # higher is better; scale depends on the search (cosine, BM25 or fused)
    rank: int


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One ingested document, as listed in the manifest."""

    doc_id: str  # content hash of the file: same bytes, same id
    source: str  # file name as cited to the user
    title: str
    path: str = ""
    pages: int = 0
    chunks: int = 0  # filled in by the index: number of chunks stored
    ingested_at: str = ""  # filled in by the index: ISO 8601, UTC
    model: str = ""  # filled in by the index: embedding model name

    @classmethod
    def of(cls, document: Document) -> DocumentRecord:
        """The record of a parsed document, before indexing."""
        return cls(
            doc_id=document.doc_id,
            source=document.source,
            title=document.title,
            path=document.path,
            pages=document.page_count,
        )

    def to_json(self) -> dict[str, str | int]:
        """Plain dict for the JSON manifest."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DocumentRecord:
        """Rebuild a record written by `to_json`."""
        return cls(
            doc_id=str(data["doc_id"]),
            source=str(data["source"]),
            title=str(data.get("title", "")),
            path=str(data.get("path", "")),
            pages=int(str(data.get("pages", 0))),
            chunks=int(str(data.get("chunks", 0))),
            ingested_at=str(data.get("ingested_at", "")),
            model=str(data.get("model", "")),
        )


@dataclass(frozen=True)
class TermFrequencies(Mapping[str, int]):
    """How many chunks hold each lexical token (lang/tokens.py `tokens`), out of `total` chunks."""

    counts: Mapping[str, int] = field(default_factory=dict)
    total: int = 0

    def __getitem__(self, term: str) -> int:
        return self.counts[term]

    def __iter__(self) -> Iterator[str]:
        return iter(self.counts)

    def __len__(self) -> int:
        return len(self.counts)
