"""What the assistant hands out: answers with numbered citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

REFUSAL = "Je ne trouve pas cette information dans les documents indexés."
RELATED_HEADING = "Montants liés :"  # heads the other amounts of the lead's section, after an amount answer


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
class Closest:
    """A passage that came close to a question the assistant refused: a lead to read, never an answer."""

    document: str  # document title
    source: str  # file name
    page: int  # the page of `text`
    text: str  # the sentence of the passage that came closest, verbatim
    page_end: int = 0
    section: str = ""
    chunk_id: str = ""
    score: float = 0.0
    ocr: bool = False

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
    closest: tuple[Closest, ...] = ()  # a refusal's closest passages, best first

    def _closest_lines(self) -> list[str]:
        lines = ["", "Passages les plus proches (ce n'est pas une réponse, à lire pour chercher plus loin) :"]
        for c in self.closest:
            pages = f"p. {c.page}" if c.page_end in (0, c.page) else f"p. {c.page}-{c.page_end}"
            lines.append(f"- {c.document} ({c.source}, {pages})")
            lines.append(f"    « {c.text} »")
        return lines

    def with_sources(self) -> str:
        """The answer and its numbered sources as plain text: the terminal, the clipboard, the HTTP API."""
        lines = [self.text]
        if self.citations:
            lines += ["", "Sources :"]
            for c in self.citations:
                pages = f"p. {c.page}" if c.page_end in (0, c.page) else f"p. {c.page}-{c.page_end}"
                section = f" — {c.section}" if c.section else ""
                scan = " — texte reconnu par OCR, à vérifier sur le scan" if c.ocr else ""
                lines.append(f"[{c.n}] {c.title} ({c.source}, {pages}){section}{scan}")
                lines.append(f"    « {c.excerpt} »")
        if self.closest:
            lines += self._closest_lines()
        return "\n".join(lines)

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
            "closest": [c.to_json() for c in self.closest],
        }
