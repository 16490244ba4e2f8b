"""What the retrieved passages hold, as the general engine checks a question's constraints against it: each
passage's stems and surface words (title and section included), and those of a document's passages together."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.models import Hit
from lang.counting import WORD_RE
from lang.tokens import tokens
from lang.words import fold_accents

ELIDED = re.compile(r"\b(?:jusqu|lorsqu|puisqu|qu|[ldjnsctm])['’]", re.I)  # l', d', qu'...


def surface_words(text: str) -> set[str]:
    """Folded lower-case words of a text, singular and plural: how names and acronyms are matched."""
    out: set[str] = set()
    for word in WORD_RE.findall(ELIDED.sub(" ", fold_accents(text.lower()))):
        for part in {word, *word.split("-")}:
            out.add(part)
            out.add(part[:-1] if part.endswith("s") and len(part) > 3 else part + "s")
    return out


def passage_text(hit: Hit) -> str:
    return f"{hit.chunk.title} {hit.chunk.section} {hit.chunk.text}"


def passage_stems(hits: Sequence[Hit]) -> dict[str, set[str]]:
    """Per passage (chunk id): the stems of its text, title and section."""
    return {hit.chunk.id: set(tokens(passage_text(hit))) for hit in hits}


def passage_evidence(hits: Sequence[Hit], stems: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per passage (chunk id): its stems (from `passage_stems`) and the surface words of its text, title and
    section."""
    return {hit.chunk.id: stems[hit.chunk.id] | surface_words(passage_text(hit)) for hit in hits}


def by_document(hits: Sequence[Hit], passages: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per document: the evidence of its passages (`passage_evidence`) together."""
    evidence: dict[str, set[str]] = {}
    for hit in hits:
        evidence.setdefault(hit.chunk.doc_id, set()).update(passages[hit.chunk.id])
    return evidence
