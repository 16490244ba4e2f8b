"""Sentences of French prose: where they end, as verbatim spans of a block, and the answer units of a chunk."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A sentence ends with . ! ? … (or a closing quote after them) followed by a space and a capital
# or a digit; "M. Dupont" and "n° 3" are rare enough in agency prose to accept the odd extra cut.
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[»”\")]?\s+(?=(?:[«\"“(]\s?)?[A-ZÀ-ÖØ-Þ0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, each with its final punctuation."""
    return [s.strip() for s in SENTENCE_END_RE.split(text) if s.strip()]


def chunk_sentences(text: str) -> list[str]:
    """The answer units of a chunk's text: each list item whole, each other line cut into sentences."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line.startswith("- "):
            out.append(line[2:].strip())
        elif line:
            out.extend(split_sentences(line))
    return [s for s in out if s]


# Links and mail addresses: a sentence does not end inside one. A mail address is matched from the start of
# its word and split at the word's first "@" (any later "@" gives the same span): retried from every position,
# or at every "@", `\S+@\S+` was quadratic on a long word.
URL_RE = re.compile(r"https?://\S+|www\.\S+|(?<!\S)\S[^\s@]*+@\S+\.\w+")
CLOSERS = "»”\")"  # the sentence splitter drops one of these after a full stop


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a block; every span is a verbatim slice of the text."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:
            continue
        end = start + len(sentence)
        if end < len(text) and text[end] in CLOSERS:
            end += 1
        spans.extend(_split_after_urls(text, start, end))
        cursor = end
    return spans


def _split_after_urls(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A link with no full stop after it ("…/territoires Dans l’Orne, …") still ends a sentence."""
    for url in URL_RE.finditer(text, start, end):
        after = re.match(r"(?<!\s)\s+(?=[A-ZÀ-ÖØ-Þ])", text[url.end() : end])  # from a run's start only
        if after:
            yield start, url.end()
            start = url.end() + after.end()
    yield start, end


def block_sentences(text: str) -> list[str]:
    """The sentences of a block as verbatim slices (see sentence_spans)."""
    return [text[a:b] for a, b in sentence_spans(text)]


# A generated answer's sentences (the chat model's text, one sentence after each . ! ? …).
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+")


# A sentence that opens on a pronoun reads with the sentence before it, which names what the pronoun stands for:
# personal pronouns ("Elle se décline…", "Ce dernier…") always; demonstratives ("Ce dispositif…", "Cela…") where
# the caller reads sentences alone (the answer engine), not where it reads them in their paragraph.
_PERSONAL_START_RE = re.compile(
    r"^(?:Elle|Il|Elles|Ils|Celle-ci|Celui-ci|Ceux-ci|Celles-ci|Ce dernier|Cette dernière)\b"
)
_DEMONSTRATIVE_START_RE = re.compile(r"^(?:Cette|Ce|Ces|Cela)\b")


def refers_back(sentence: str, demonstratives: bool = False) -> bool:
    """True when the sentence opens on a pronoun (and, if asked, a demonstrative) standing for an earlier one."""
    return bool(_PERSONAL_START_RE.match(sentence) or (demonstratives and _DEMONSTRATIVE_START_RE.match(sentence)))
