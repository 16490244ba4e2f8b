"""French text normalisation for lexical search: pure functions, same recipe for passages and queries.

`tokens(text)` lowercases, writes every amount the same way ("220 000 €", "220 k€", "0,22 M€"
-> "220000 euros"), strips elisions (l', d', qu'...), folds accents, drops French stop words and
stems what is left, so a query with or without accents or with another way of writing a number
yields the same tokens as the passage.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from lang.amounts import format_number, normalize_numbers
from lang.words import fold_accents

# Apostrophes seen in PDFs: ASCII, typographic right quote, modifier letter, acute accent.
_APOSTROPHES = "'’ʼ´`"
# l', d', qu'... before a word: the one pattern of elisions, for the index's tokens and the answerer's words alike
ELISION = re.compile(rf"\b(?:jusqu|lorsqu|puisqu|quoiqu|qu|[ldjnsctm])[{_APOSTROPHES}]", re.IGNORECASE)

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")

# Snowball's French list (accents folded) plus frequent words that carry no meaning in a query.
_STOP_WORDS_TEXT = """
    a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions
    aurons auront aux avaient avais avait avec avez aviez avions avons ayant ayante ayantes
    ayants ayez ayons c ce ceci cela celle celles celui ces cet cette ceux d dans de des du elle
    elles en es est et etaient etais etait etant etante etantes etants ete etee etees etes etiez
    etions eu eue eues eumes eurent eus eusse eussent eusses eussiez eussions eut eutes eux
    furent fus fusse fussent fusses fussiez fussions fut fumes futes il ils j je l la le les leur
    leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ont ou par pas plus pour qu
    quand que quel quelle quelles quels qui quoi s sa sans se sera serai seraient serais serait
    seras serez seriez serions serons seront ses si soient sois soit sommes son sont soyez soyons
    suis sur t ta te tes toi ton tu un une vos votre vous y
    combien comment
"""
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def strip_elisions(text: str) -> str:
    """Drop elided articles and pronouns ("l'ARS" -> "ARS", "qu’il" -> "il"); lowercase input."""
    return ELISION.sub("", text)


def normalize(text: str) -> str:
    """Lowercase, numbers written one way, elisions stripped, accents folded."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = normalize_numbers(text)
    text = strip_elisions(text)
    return fold_accents(text)


@cache
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: C extension, imported on first use only

    return Stemmer.Stemmer("french")


@lru_cache(maxsize=1 << 16)  # a corpus has a few tens of thousands of distinct words
def _stem(word: str) -> str:
    if _NUMBER.fullmatch(word):
        return format_number(Decimal(word))  # "1.50" and "1.5" are the same number
    # Folded participles ("financee") fool the Snowball stemmer, which expects "financée".
    word = re.sub(r"ee(s?)$", r"e\1", word)
    return str(_stemmer().stemWord(word))


def plain_words(text: str) -> list[str]:
    """The normalised words of `text` (see `normalize`), stop words kept, nothing stemmed."""
    return _TOKEN.findall(normalize(text))


def is_stop_word(word: str) -> bool:
    """A French stop word ("de", "la", "et"), given normalised."""
    return word in _STOP_WORDS


def tokens(text: str) -> list[str]:
    """Lexical tokens of `text`: normalised, French stop words removed, stemmed."""
    return list(_tokens(text))


@lru_cache(maxsize=8192)  # answering a question reads the same passages, sentences and headings many times
def _tokens(text: str) -> tuple[str, ...]:
    words = _TOKEN.findall(normalize(text))
    return tuple(_stem(w) for w in words if w not in _STOP_WORDS and (len(w) > 1 or w.isdigit()))
