"""Find a cited passage in a page's text or in OCR words, whatever the case, accents, spacing and hyphenation.

A page and the passage are both cut into folded words; the passage is where the longest run of its words
appears in the page's words in the same order (the whole passage when the page has it, else the longest
part of it, so that a passage cut across pages or misread by OCR is still found). The viewer's script
(ui/static/viewer.js) does the same on the PDF text layer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lang.words import fold as fold_text

MIN_WORDS = 3  # a shorter run is a coincidence ("de la"), unless the passage itself is that short
_WORD = re.compile(r"[^\W_]+")
# a word cut at a line end ("vacci-\nnation"): the hyphen, the line break, then a lower-case letter
_CUT = re.compile(r"(?<=[^\W\d_])-\s+(?=[a-zà-ÿœæ])")


@dataclass(frozen=True, slots=True)
class Word:
    """A folded word and where it is in the original text (characters `start` to `end`)."""

    folded: str
    start: int
    end: int


def fold(word: str) -> str:
    """A word as compared: lower case, no accents, ligatures spelt out."""
    return fold_text(word, ligatures=True, apostrophes=False, spaces=False)  # as viewer.js's fold: toLowerCase, NFKD


def words(text: str) -> list[Word]:
    """The words of `text`, a word cut by a hyphen at a line end counted once (with its offsets in `text`)."""
    found: list[Word] = []
    joined_at = {m.start() for m in _CUT.finditer(text)}
    for match in _WORD.finditer(text):
        previous = found[-1] if found else None
        if previous is not None and previous.end in joined_at:
            found[-1] = Word(previous.folded + fold(match.group()), previous.start, match.end())
        else:
            found.append(Word(fold(match.group()), match.start(), match.end()))
    return found


def longest_run(page: Sequence[str], passage: Sequence[str]) -> tuple[int, int, int]:
    """(first index in `page`, first index in `passage`, length) of the longest run of `passage`'s words found
    in order in `page`; the first one when several are as long; length 0 when it is shorter than MIN_WORDS
    (or than the passage)."""
    best_length, best_end, best_passage_end = 0, 0, 0
    previous = [0] * (len(passage) + 1)
    for i, word in enumerate(page, start=1):
        current = [0] * (len(passage) + 1)
        for j, other in enumerate(passage, start=1):
            if word == other:
                current[j] = previous[j - 1] + 1
                if current[j] > best_length:
                    best_length, best_end, best_passage_end = current[j], i, j
        previous = current
    if best_length < min(MIN_WORDS, len(passage)):
        return 0, 0, 0
    return best_end - best_length, best_passage_end - best_length, best_length


def find(text: str, passage: str) -> tuple[int, int] | None:
    """Character span (start, end) of the passage in `text`, or of its longest part found; None if absent."""
    page, cited = words(text), words(passage)
    start, cited_start, length = longest_run([w.folded for w in page], [w.folded for w in cited])
    if not length:
        return None
    begin, end = page[start].start, page[start + length - 1].end
    # the passage's own punctuation around its words ("« ", ".") when the page has it too
    head = passage[: cited[0].start].lstrip() if cited_start == 0 else ""
    tail = passage[cited[-1].end :].rstrip() if cited_start + length == len(cited) else ""
    if head and text[max(begin - len(head), 0) : begin] == head:
        begin -= len(head)
    if tail and text[end : end + len(tail)] == tail:
        end += len(tail)
    return begin, end
