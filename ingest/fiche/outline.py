"""A document's outline: its section headings with their page, datelines and labels left out."""

from __future__ import annotations

import re

from ingest.fiche.header import KINDS
from ingest.fiche.records import OutlineEntry
from ingest.models import Document
from lang.dates import DATE_MARKER_RE, DATELINE_RE, DAY_DATE_RE, MONTH_DATE_RE, NUMERIC_DATE_RE
from lang.sentences import URL_RE
from lang.words import fold

KIND_LABELS = {fold(kind) for kind, _ in KINDS} | {"communique", "dossier de presse", "sommaire", "annexe", "annexes"}
PAGE_LABEL_RE = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|sur)\s*\d{1,4})?$", re.IGNORECASE)


def _is_noise_heading(text: str) -> bool:
    """Headings that are no section: the dateline, "Bilan - janvier 2025", "COMMUNIQUÉ DE PRESSE", a link."""
    stripped = text.strip()
    if not stripped or URL_RE.fullmatch(stripped) or PAGE_LABEL_RE.match(stripped):
        return True
    if DATELINE_RE.match(stripped) or DATE_MARKER_RE.match(stripped):
        return True
    rest = fold(NUMERIC_DATE_RE.sub(" ", MONTH_DATE_RE.sub(" ", DAY_DATE_RE.sub(" ", stripped))))
    rest = re.sub(r"[^\w' ]+", " ", rest).strip()
    rest = " ".join(rest.split())
    return not rest or rest in KIND_LABELS or (rest != fold(stripped) and len(rest.split()) <= 1)


def section_headings(doc: Document) -> list[str]:
    """For each block, the nearest heading above it that is a real section ("" before the first)."""
    sections: list[str] = []
    current = ""
    for block in doc.blocks:
        if block.kind == "heading" and not _is_noise_heading(block.text):
            current = block.text
        sections.append(current)
    return sections


def outline(doc: Document) -> list[OutlineEntry]:
    """Headings in reading order with their page, without datelines, kind labels and repeats."""
    entries: list[OutlineEntry] = []
    seen: set[str] = set()
    for block in doc.blocks:
        if block.kind != "heading" or _is_noise_heading(block.text):
            continue
        key = fold(block.text)
        if key in seen:
            continue
        seen.add(key)
        entries.append(OutlineEntry(block.text, block.page, block.level))
    return entries
