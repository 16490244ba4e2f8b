"""What a French question counts ("combien de communes" -> the stem of "communes") and whether a sentence counts
it: a number, written in figures or in words, standing before that noun."""

from __future__ import annotations

import re

from lang.amounts import COUNT_WORDS
from lang.tokens import tokens
from lang.words import fold_accents

_COUNTED_ASK = re.compile(r"\b(?:combien|nombre|nb|nbre|nbr)\s+(?:de\s+|d\s+)?(?:\w+\s+)??([a-z]{3,})")
_COUNT_TOKEN = re.compile(rf"^(?:\d+|{COUNT_WORDS})$")
# a word, hyphenated ones whole ("Saint-Lô", "rougeole-oreillons"): how the engine and the counts split text
WORD_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# words a figure may stand before the noun it counts ("305 dispositifs constituant le réseau de pièges"); an article
# counts only just before it ("un médecin")
COUNT_REACH, ARTICLE_REACH = 6, 3


def counted_noun(question: str) -> str:
    """The stem of what a question counts ("combien de médecins" -> "medecin"), "" when it counts nothing. Elided
    words are expected written out ("combien d'élèves" as "combien d élèves")."""
    counted = _COUNTED_ASK.search(fold_accents(question.lower()))
    return next(iter(tokens(counted.group(1))), "") if counted else ""


def counts(text: str, stem: str) -> bool:
    """True when a number stands before the counted noun ("92 communes", "trois médecins", "un médecin")."""
    words = WORD_RE.findall(fold_accents(text.lower()).replace("\u202f", " ").replace("\u00a0", " "))
    return any(
        next(iter(tokens(word)), "") == stem and (
            any(_COUNT_TOKEN.match(w) for w in words[max(0, at - COUNT_REACH) : at])
            or any(w in ("un", "une") for w in words[max(0, at - ARTICLE_REACH) : at])
        )
        for at, word in enumerate(words)
    )
