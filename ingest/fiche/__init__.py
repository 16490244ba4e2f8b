"""A document's fiche read from its text alone: date, kind, outline, key figures, named bodies and the
acronyms it defines. No model, no index; the questions staff could ask about it are written from it
(ingest/fiche/describe.py)."""

from __future__ import annotations

from dataclasses import replace

from ingest.facts.instructions import is_instruction
from ingest.fiche.acronyms import acronym_pages, definitions, occurrences
from ingest.fiche.entities import entities
from ingest.fiche.figures import key_figures
from ingest.fiche.header import document_date, document_kind
from ingest.fiche.outline import outline
from ingest.fiche.records import Definition, Fiche, KeyFigure, OutlineEntry
from ingest.models import Document

__all__ = [
    "Definition", "Fiche", "KeyFigure", "OutlineEntry", "acronym_pages", "definitions", "document_date",
    "document_kind", "entities", "key_figures", "occurrences", "outline", "quotable", "read_fiche",
]


def read_fiche(doc: Document) -> Fiche:
    """The fiche of a document, without suggested questions (ingest.fiche.describe.describe adds them)."""
    return quotable(Fiche(
        doc_id=doc.doc_id,
        source=doc.source,
        title=doc.title,
        kind=document_kind(doc),
        date=document_date(doc),
        pages=doc.page_count,
        outline=tuple(outline(doc)),
        key_figures=tuple(key_figures(doc)),
        entities=tuple(entities(doc)),
        definitions=tuple(definitions(doc)),
        acronyms=acronym_pages(doc),
    ))


def quotable(fiche: Fiche) -> Fiche:
    """The fiche without the headings, key figures and definitions whose text speaks to a model (a fiche
    stored before they were told apart has them): the fiche is shown, and its questions are asked."""
    return replace(
        fiche,
        outline=tuple(o for o in fiche.outline if not is_instruction(o.heading)),
        key_figures=tuple(f for f in fiche.key_figures if not is_instruction(f.sentence)),
        definitions=tuple(d for d in fiche.definitions if not is_instruction(d.sentence)),
    )
