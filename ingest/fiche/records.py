"""What a fiche holds: the records stored beside the index, and their JSON form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """A heading of the document and the page it starts on."""

    heading: str
    page: int
    level: int


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """A figure worth quoting, with the verbatim sentence that holds it."""

    value: str  # as written: "220 000 euros", "1,9%", "1er novembre 2023"
    sentence: str  # verbatim substring of the block text
    page: int
    kind: str  # "amount" | "count" | "percent" | "date"
    section: str = ""  # nearest heading above the figure ("" before the first heading)


@dataclass(frozen=True, slots=True)
class Definition:
    """An acronym the document spells out, where it does so first."""

    term: str  # "CTS"
    expansion: str  # "Conseil territorial de santé", casing as written
    sentence: str  # verbatim substring of the block text
    page: int


@dataclass(frozen=True, slots=True)
class Fiche:
    """Everything the index keeps about a document besides its chunks."""

    doc_id: str
    source: str
    title: str
    kind: str
    date: str | None  # ISO "2024-10-08" or "2025-01"; None when the text gives none
    pages: int
    outline: tuple[OutlineEntry, ...] = ()
    key_figures: tuple[KeyFigure, ...] = ()
    entities: tuple[str, ...] = ()
    definitions: tuple[Definition, ...] = ()
    questions: tuple[str, ...] = ()
    acronyms: tuple[tuple[str, tuple[int, ...]], ...] = ()  # every acronym written, with its pages

    def to_json(self) -> dict[str, Any]:
        """JSON-able dict of lists and flat dicts (json.dumps it to store it as one string)."""
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "kind": self.kind,
            "date": self.date,
            "pages": self.pages,
            "outline": [{"heading": o.heading, "page": o.page, "level": o.level} for o in self.outline],
            "key_figures": [
                {"value": f.value, "sentence": f.sentence, "page": f.page, "kind": f.kind, "section": f.section}
                for f in self.key_figures
            ],
            "entities": list(self.entities),
            "definitions": [
                {"term": d.term, "expansion": d.expansion, "sentence": d.sentence, "page": d.page}
                for d in self.definitions
            ],
            "questions": list(self.questions),
            "acronyms": [{"term": term, "pages": list(pages)} for term, pages in self.acronyms],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> Fiche:
        """Rebuild a fiche from `to_json()` output, or from that output dumped to a JSON string."""
        raw: Mapping[str, Any] = json.loads(data) if isinstance(data, str) else data
        date = raw.get("date")
        return cls(
            doc_id=str(raw["doc_id"]),
            source=str(raw["source"]),
            title=str(raw["title"]),
            kind=str(raw["kind"]),
            date=str(date) if date else None,
            pages=int(raw["pages"]),
            outline=tuple(
                OutlineEntry(str(o["heading"]), int(o["page"]), int(o["level"])) for o in raw.get("outline", [])
            ),
            key_figures=tuple(
                KeyFigure(
                    str(f["value"]), str(f["sentence"]), int(f["page"]), str(f["kind"]), str(f.get("section", ""))
                )
                for f in raw.get("key_figures", [])
            ),
            entities=tuple(str(e) for e in raw.get("entities", [])),
            definitions=tuple(
                Definition(str(d["term"]), str(d["expansion"]), str(d["sentence"]), int(d["page"]))
                for d in raw.get("definitions", [])
            ),
            questions=tuple(str(q) for q in raw.get("questions", [])),
            acronyms=tuple(
                (str(a["term"]), tuple(int(p) for p in a["pages"])) for a in raw.get("acronyms", [])
            ),
        )
