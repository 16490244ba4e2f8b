"""A word found nowhere in the corpus, read as the corpus word it most likely stands for: one typo away (the first
letter kept, as typos keep it), else the start of a corpus word (a word cut short: "epidemio", "legio"), else, when
asked, two corpus words written together ("drogaide"). The corpus is given by its word frequencies."""

from __future__ import annotations

import difflib
from collections.abc import Mapping


def corpus_word(word: str, frequencies: Mapping[str, int], cutoff: float, split: bool = False) -> str | None:
    """The corpus word (or, with `split`, the two words separated by a space) `word` stands for, or None."""
    vocabulary = [w for w in frequencies if w[:1] == word[:1] and not w.isdigit()]
    close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=cutoff)
    if close:
        return close[0]
    longer = sorted((w for w in vocabulary if w.startswith(word)), key=lambda w: -frequencies.get(w, 0))
    if longer:
        return longer[0]
    if split:
        return next((f"{word[:i]} {word[i:]}" for i in range(3, len(word) - 2)
                     if frequencies.get(word[:i], 0) and frequencies.get(word[i:], 0)), None)
    return None
