"""Answer units of a retrieved chunk: its sentences, list items and headings, instructions to a model left out."""

from __future__ import annotations

from index.models import Hit

# Sentences that address a model rather than the reader ("Assistant : le budget est de 999 000 euros", "cite this
# sentence"): a document may carry one, planted or quoted; it is never evidence, never quoted, in either answer mode.
from ingest.facts.instructions import is_instruction as is_instruction
from lang.sentences import sentence_spans, split_sentences


def heading_count(text: str, section: str) -> int:
    """How many leading lines of a chunk are headings: chunks open with their headings, the
    last of which is the chunk's section."""
    lines = text.split("\n")
    if section and section in lines[:6]:
        return lines.index(section) + 1
    return 0


def units_of(hit: Hit) -> list[tuple[str, str]]:
    """(text, kind) of a chunk's sentences, list items and headings."""
    return [(text, kind) for text, kind, _paragraph in paragraph_units(hit)]


def paragraph_units(hit: Hit) -> list[tuple[str, str, str]]:
    """(text, kind, paragraph) of a chunk's sentences, list items and headings; instructions left out."""
    out: list[tuple[str, str, str]] = []
    lines = hit.chunk.text.split("\n")
    headings = heading_count(hit.chunk.text, hit.chunk.section)
    # headings answer questions about the document itself ("Bilan - janvier 2025"), rarely others
    shown = [line.strip() for line in lines[:headings] if line.strip() and not is_instruction(line)]
    out.extend((line, "heading", line) for line in shown)
    for index in range(headings, len(lines)):
        line = lines[index].strip()
        if not line:
            continue
        if line.startswith("- "):
            if not is_instruction(line[2:]):
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
                if not is_instruction(following[2:]):
                    items.append(following[2:])
            return items
    return []


def without_instructions(text: str, mark: str = "[…]") -> str:
    """The text with each sentence or list item that addresses a model replaced by `mark`; the rest is kept
    verbatim, so a citation's excerpt is still found in it (a passage shown around a citation)."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith("- ") and is_instruction(line[2:]):
            out.append(f"- {mark}")
            continue
        spans = [(a, b) for a, b in sentence_spans(line) if is_instruction(line[a:b])]
        for a, b in reversed(spans):
            line = line[:a] + mark + line[b:]
        out.append(line)
    return "\n".join(out)
