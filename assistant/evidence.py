"""What the retrieved passages hold, as the general engine checks a question's constraints against it: each
passage's stems and surface words (title and section included), and those of a document's passages together."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.models import Hit
from lang.counting import WORD_RE
from lang.initials import initialisms
from lang.tokens import ELISION, tokens
from lang.words import fold_accents

SPELLED = "^"  # marks an acronym the words spell (« ^cesp »), apart from the words themselves


def surface_words(text: str) -> set[str]:
    """Folded lower-case words of a text, singular and plural: how names and acronyms are matched."""
    out: set[str] = set()
    for word in WORD_RE.findall(ELISION.sub(" ", fold_accents(text.lower()))):
        for part in {word, *word.split("-")}:
            out.add(part)
            out.add(part[:-1] if part.endswith("s") and len(part) > 3 else part + "s")
    return out


def passage_text(hit: Hit) -> str:
    return f"{hit.chunk.title} {hit.chunk.section} {hit.chunk.text}"


def passage_stems(hits: Sequence[Hit]) -> dict[str, set[str]]:
    """Per passage (chunk id): the stems of its text, title and section."""
    return {hit.chunk.id: set(tokens(passage_text(hit))) for hit in hits}


def sentence_evidence(text: str, spelled: bool = True) -> set[str]:
    """The surface words of a text and, with `spelled` (a question asks for an acronym), the acronyms its words
    spell, marked with SPELLED."""
    words = surface_words(text)
    return words | {SPELLED + a for a in initialisms(text)} if spelled else words


def passage_evidence(hits: Sequence[Hit], stems: dict[str, set[str]], spelled: bool = True) -> dict[str, set[str]]:
    """Per passage (chunk id): its stems (from `passage_stems`), the surface words of its text, title and
    section, and (with `spelled`) the acronyms they spell."""
    return {hit.chunk.id: stems[hit.chunk.id] | sentence_evidence(passage_text(hit), spelled) for hit in hits}


def document_words(hit: Hit) -> set[str]:
    """What names the document rather than any passage: its file name's words and its publication year. A page
    saved as « dengue-ajaccio-2013 » is about 2013 even if its text only says « jeudi 7 novembre »."""
    name = re.sub(r"[-_.]+", " ", hit.chunk.source.rsplit(".", 1)[0])
    return set(tokens(name)) | surface_words(name) | ({hit.chunk.date[:4]} if hit.chunk.date[:4].isdigit() else set())


def by_document(hits: Sequence[Hit], passages: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per document: the evidence of its passages (`passage_evidence`) together, and the words that name it."""
    evidence: dict[str, set[str]] = {}
    for hit in hits:
        if hit.chunk.doc_id not in evidence:
            evidence[hit.chunk.doc_id] = document_words(hit)
        evidence[hit.chunk.doc_id].update(passages[hit.chunk.id])
    return evidence
