"""Acronyms a text spells without writing them: « contrat d'engagement de service public » spells CESP,
« Île-de-France » IDF, « Hôpitaux universitaires de Strasbourg » HUS.

An agent types the acronym; the page often writes the words out and never the acronym (or defines it on another
page). The initials of every run of consecutive words are read twice: with every word (« I-de-F ») and with the
French stop words skipped (« C-E-S-P »). Linear in the text's length: a fixed number of runs per word.
"""

from __future__ import annotations

from lang.tokens import is_stop_word, plain_words

SHORTEST, LONGEST = 3, 6  # two letters are spelled by chance in any page; seven-letter acronyms are rare


def initialisms(text: str) -> set[str]:
    """Every acronym of SHORTEST to LONGEST letters that runs of consecutive words of `text` spell."""
    words = [w for w in plain_words(text) if not w[0].isdigit()]
    content = [w for w in words if not is_stop_word(w)]
    out: set[str] = set()
    for run in (words, content):
        letters = "".join(w[0] for w in run)
        for start in range(len(letters)):
            for length in range(SHORTEST, LONGEST + 1):
                if start + length <= len(letters):
                    out.add(letters[start:start + length])
    return out


def looks_like_acronym(word: str) -> bool:
    """A word an agent may type for an acronym: 3 to 6 letters, all capitals or all lower case."""
    return SHORTEST <= len(word) <= LONGEST and word.isalpha() and (word.isupper() or word.islower())
