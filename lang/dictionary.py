"""Common French words: the French dictionary that pyspellchecker ships (words with their frequency in a
large corpus of French; proper names are left out of it).

The answerer asks of a question's word whether it is ordinary French ("bosse", "financement", "temps")
or something specific (a town, an acronym, a programme's name): a specific word must be found in the
evidence, an ordinary one only weighs in the score. No word list of ours decides it.
"""

from __future__ import annotations

from functools import cache

from lang.words import fold_accents

# Words seen fewer times than this in the dictionary's corpus are too rare to call common (typos, names).
MIN_COUNT = 10


@cache
def _words() -> frozenset[str]:
    from spellchecker import SpellChecker

    frequencies = SpellChecker(language="fr", distance=1).word_frequency
    return frozenset(fold_accents(word) for word, count in frequencies.items() if count >= MIN_COUNT)


def load_dictionary() -> None:
    """Read the dictionary now (about a second): a serving process does it at start-up."""
    _words()


def is_common_word(word: str) -> bool:
    """True for a word of the French dictionary, typed with or without accents, singular or plural."""
    word = fold_accents(word.lower().strip("'’-"))
    if not word.replace("-", "").isalpha():
        return False
    words = _words()
    forms = {word}
    # plurals, and participles typed without their accent ("signee" for "signée")
    for end in ("s", "x", "e", "es"):
        if word.endswith(end) and len(word) > len(end) + 2:
            forms.add(word[: -len(end)])
    # "existe-t-il", "ferme-t-elle": the euphonic t between a verb and its pronoun is not a word
    return any(f in words for f in forms) or all(part in words for part in word.split("-") if len(part) > 1)
