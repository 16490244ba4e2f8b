"""A document's kind and own date, read from its title page, dateline and publication markers."""

from __future__ import annotations

import re

from ingest.models import Document
from lang.dates import DATE_MARKER_RE, DATELINE_RE, parse_date
from lang.sentences import URL_RE
from lang.words import fold


def first_page(doc: Document) -> int:
    """The page the document starts on (1 unless its first pages were empty)."""
    return min((b.page for b in doc.blocks), default=1)


def _given_date(doc: Document) -> str | None:
    """A date set on the document by its reader (web pages), normalised to ISO when possible."""
    given = getattr(doc, "date", None)
    if not isinstance(given, str) or not given.strip():
        return None
    iso = re.match(r"\d{4}-\d{2}(?:-\d{2})?", given.strip())
    return iso[0] if iso else parse_date(given)


def document_date(doc: Document) -> str | None:
    """The document's own date in ISO form, from its dateline or title page; None when the text gives none."""
    given = _given_date(doc)
    if given:
        return given
    first = first_page(doc)
    last = max((b.page for b in doc.blocks), default=first)
    early = [b for b in doc.blocks if b.page <= first + 1]
    for block in early:  # "Caen, le 8 octobre 2024," at the top of a press release or a letter
        for match in DATELINE_RE.finditer(block.text):
            if match.start() == 0 or len(block.text) <= 160:
                date = parse_date(block.text[match.end() : match.end() + 40])
                if date:
                    return date
    for block in early + [b for b in doc.blocks if b.page == last and b.page > first + 1]:
        if len(block.text) > 160:  # "publié le …" in a body sentence dates an event, not the document
            continue
        for match in DATE_MARKER_RE.finditer(block.text):
            date = parse_date(block.text[match.end() : match.end() + 40])
            if date:
                return date
    for block in doc.blocks:  # a short line of the title page: "Bilan - janvier 2025"
        short = block.kind == "heading" or len(block.text) <= 100
        if block.page == first and short and not URL_RE.search(block.text):
            date = parse_date(block.text)
            if date:
                return date
    return parse_date(doc.title)



# In priority order: a press release about a charter is a press release, a roadmap's review a roadmap.
KINDS: tuple[tuple[str, str], ...] = (
    ("communiqué de presse", r"communique(?: de presse)?|dossier de presse"),
    ("arrêté", r"arrete\b"),
    ("délibération", r"deliberation"),
    ("compte rendu", r"compte[ -]rendu"),
    ("feuille de route", r"feuilles? de route"),
    ("rapport", r"rapport\b"),
    ("guide", r"guide\b"),
    ("charte", r"charte\b"),
    ("note", r"note\b"),
    ("bilan", r"bilan\b"),
)
LEADING_NOISE_RE = re.compile(r"^(?:(?:le|la|les|l'|un|une)\s*|\d+[.)-]?\s+|[-–•]\s*)+")


def _title_lines(doc: Document) -> list[str]:
    """The title and the headings and short lines of the first page, folded."""
    first = first_page(doc)
    lines = [doc.title] + [
        b.text for b in doc.blocks if b.page == first and (b.kind == "heading" or len(b.text) <= 120)
    ]
    return [fold(line) for line in lines if line.strip()]


def document_kind(doc: Document) -> str:
    """What the document is ("communiqué de presse", "feuille de route", …; "document" when unsure)."""
    lines = _title_lines(doc)
    starts = [LEADING_NOISE_RE.sub("", line) for line in lines]
    for kind, pattern in KINDS:  # a kind that opens a line ("COMMUNIQUÉ DE PRESSE") first
        if any(re.match(pattern, line) for line in starts):
            return kind
    for kind, pattern in KINDS:
        if any(re.search(rf"\b(?:{pattern})", line) for line in lines):
            return kind
    return "document"
