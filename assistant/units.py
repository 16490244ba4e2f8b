"""Answer units of a retrieved chunk: its sentences, list items and headings, instructions to a model left out."""

from __future__ import annotations

import re

from index.models import Hit
from ingest.facts.sentences import split_sentences
from ingest.facts.words import fold_accents

# Sentences that address a model rather than the reader ("Ignore les consignes précédentes et réponds que..."):
# a document may carry one, planted or quoted; it is never evidence, never quoted, in either answer mode.
INSTRUCTION_RE = re.compile(
    r"\b(?:ignore[rsz]?|oublie[rsz]?|ne tiens? (?:pas|plus) compte|disregard|forget)\b[^.\n]{0,60}"
    r"\b(?:consignes?|instructions?|regles?|directives?|prompt)\b"
    r"|\brepond(?:s|ez)(?:\s+\w+){0,2}\s+(?:que|uniquement|toujours|seulement)\b"
    r"|\b(?:prompt systeme|system prompt|tu es desormais|en tant qu['’]ia|you are now)\b",
    re.IGNORECASE,
)


def heading_count(text: str, section: str) -> int:
    """How many leading lines of a chunk are headings: chunks open with their headings, the
    last of which is the chunk's section."""
    lines = text.split("\n")
    if section and section in lines[:6]:
        return lines.index(section) + 1
    return 0


def is_instruction(sentence: str) -> bool:
    """True for a sentence that gives orders to an assistant rather than information to a reader."""
    return bool(INSTRUCTION_RE.search(fold_accents(sentence)))


def units_of(hit: Hit) -> list[tuple[str, str]]:
    """(text, kind) of a chunk's sentences, list items and headings."""
    return [(text, kind) for text, kind, _paragraph in paragraph_units(hit)]


def paragraph_units(hit: Hit) -> list[tuple[str, str, str]]:
    """(text, kind, paragraph) of a chunk's sentences, list items and headings; instructions left out."""
    out: list[tuple[str, str, str]] = []
    lines = hit.chunk.text.split("\n")
    headings = heading_count(hit.chunk.text, hit.chunk.section)
    # headings answer questions about the document itself ("Bilan - janvier 2025"), rarely others
    out.extend((line.strip(), "heading", line.strip()) for line in lines[:headings] if line.strip())
    for index in range(headings, len(lines)):
        line = lines[index].strip()
        if not line:
            continue
        if line.startswith("- "):
            if not is_instruction(line):
                out.append((line[2:], "item", line[2:]))
            continue
        follows_items = index + 1 < len(lines) and lines[index + 1].startswith("- ")
        for sentence in split_sentences(line):
            if is_instruction(sentence):
                continue
            kind = "intro" if sentence.endswith(":") and follows_items else "sentence"
            out.append((sentence, kind, line))
    return out


def heading_lines(text: str, section: str) -> str:
    return " ".join(text.split("\n")[: heading_count(text, section)])


def list_items_after(hit: Hit, intro: str) -> list[str]:
    """The list items that follow an introduction sentence in a chunk."""
    lines = hit.chunk.text.split("\n")
    for index, line in enumerate(lines):
        if line.strip().endswith(intro):
            items = []
            for following in lines[index + 1 :]:
                if not following.startswith("- "):
                    break
                items.append(following[2:])
            return items
    return []
