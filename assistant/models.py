"""What the assistant hands out: answers with numbered citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

REFUSAL = "Je ne trouve pas cette information dans les documents indexés."


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited passage: [n] in the answer text points here."""

    n: int
    source: str  # file name
    title: str  # document title
    page: int
    section: str
    excerpt: str  # verbatim substring of the chunk text
    score: float
    chunk_id: str = ""
    page_end: int = 0
    ocr: bool = False  # the passage was read by OCR from a scan: the user should check the page
    date: str = ""  # the document's date, ISO ("2024-10-08", "2025-01"), when known

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Answer:
    """A French answer, its citations, and whether the assistant declined to answer."""

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    refused: bool = False
    mode: str = "extractif"  # "extractif" | "llm" | "llm->extractif" (guard fell back)
    timings_ms: dict[str, float] = field(default_factory=dict)
    related_documents: tuple[str, ...] = ()  # closest documents named in a refusal
    notes: tuple[str, ...] = ()  # e.g. why a chat-model answer was replaced

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "mode": self.mode,
            "timings_ms": self.timings_ms,
            "related_documents": list(self.related_documents),
            "notes": list(self.notes),
        }
