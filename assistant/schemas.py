"""The JSON the assistant hands to other programs: `ask --json` on the command line and the HTTP API share
these pydantic models, so that both say the same thing and the API's OpenAPI page documents it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.library import LibraryDocument
from assistant.models import Answer, Citation
from assistant.units import without_instructions
from index.models import Hit


class CitationOut(BaseModel):
    """One cited passage; [n] in the answer points here."""

    n: int
    source: str = Field(description="Nom du fichier cité.")
    title: str
    page: int
    page_end: int = 0
    section: str = ""
    excerpt: str = Field(description="Extrait cité, mot pour mot.")
    score: float
    chunk_id: str = ""
    ocr: bool = False
    date: str = ""

    @classmethod
    def of(cls, citation: Citation) -> CitationOut:
        return cls.model_validate(citation.to_json())


class ClosestOut(BaseModel):
    """A passage that came close to a refused question: a lead to read, not an answer."""

    document: str = Field(description="Titre du document.")
    source: str = Field(description="Nom du fichier.")
    page: int = Field(description="Page de la phrase la plus proche.")
    text: str = Field(description="La phrase du passage la plus proche de la question, mot pour mot.")
    page_end: int = 0
    section: str = ""
    chunk_id: str = ""
    score: float = 0.0
    ocr: bool = False


class AnswerOut(BaseModel):
    """An answer with its citations, or a refusal naming the closest documents and passages."""

    question: str
    answer: str
    refused: bool
    citations: list[CitationOut] = []
    mode: str = "extractif"
    timings_ms: dict[str, float] = {}
    related_documents: list[str] = []
    notes: list[str] = []
    closest: list[ClosestOut] = Field(
        [], description="Refus : les passages les plus proches de la question (pistes à lire, pas une réponse)."
    )

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        return cls.model_validate(answer.to_json())


class PassageOut(BaseModel):
    """A passage found by a search, with its score (hybrid: dense and lexical)."""

    rank: int
    score: float
    source: str
    title: str
    page: int
    page_end: int
    section: str
    chunk_id: str
    text: str

    @classmethod
    def of(cls, hit: Hit) -> PassageOut:
        chunk = hit.chunk
        # a sentence that speaks to a model is shown as "[…]": the passages may be fed to another model
        return cls(rank=hit.rank, score=round(hit.score, 6), source=chunk.source, title=chunk.title, page=chunk.page,
                   page_end=chunk.page_end, section=chunk.section, chunk_id=chunk.id,
                   text=without_instructions(chunk.text))


class DocumentOut(BaseModel):
    """An indexed document."""

    source: str
    title: str
    pages: int
    passages: int
    ingested_at: str = Field(description="Date d'ingestion, ISO 8601 (UTC).")
    uploaded: bool = Field(description="Envoyé par l'interface ou l'API : le retirer supprime aussi son fichier.")

    @classmethod
    def of(cls, document: LibraryDocument) -> DocumentOut:
        return cls(source=document.source, title=document.title, pages=document.pages, passages=document.chunks,
                   ingested_at=document.ingested_at, uploaded=document.uploaded)
