"""Facts in French sentences, one detector per kind: amounts, dates, counts, percentages, contacts,
people and organisations, places. The answerer asks which kinds a sentence holds; names, organisations
and places come from spaCy's French named-entity recogniser (fr_core_news_sm), the rest from the
written forms French administrative texts use for figures."""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache
from typing import Any

MONTHS = ("janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août", "aout",
          "septembre", "octobre", "novembre", "décembre", "decembre")
_MONTH = "|".join(MONTHS)
NUMBER = r"\d{1,3}(?:[  .\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
AMOUNT_RE = re.compile(
    rf"(?:{NUMBER})\s?(?:(?:k|K|M|Md|Mds|millions?|milliards?|mille)\s?(?:d['’]\s?)?)?(?:€|euros?\b|EUR\b)"
    rf"|(?:{NUMBER})\s?(?:M€|k€|K€|Md€)"
)
DATE_RE = re.compile(
    rf"\b(?:\d{{1,2}}(?:er)?\s+)?(?:{_MONTH})(?:\s+(?:19|20)\d{{2}})?\b|\b\d{{1,2}}/\d{{1,2}}/(?:19|20)?\d{{2}}\b"
    r"|\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")
NUMBER_RE = re.compile(rf"(?<![\w,.])(?:{NUMBER})(?![\w])")
COUNT_WORDS_RE = re.compile(
    r"\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|cent|mille|"
    r"dizaines?|vingtaine|trentaine|quarantaine|cinquantaine|centaines?|milliers?)\b",
    re.IGNORECASE,
)
PERCENT_RE = re.compile(r"\d\s?%|\bpour\s?cent\b", re.IGNORECASE)
CONTACT_RE = re.compile(
    r"\b0\d(?:[ .]?\d{2}){4}\b|\+33\s?\d|\b1[0-9]{1,2}\b(?=\s*\(|\s*(?:ou|,|\.|$))|[\w.+-]+@[\w-]+\.[\w.]+"
    r"|https?://\S+|\bwww\.\S+|\b[\w-]+\.(?:fr|gouv\.fr|com|org)\b",
    re.IGNORECASE,
)
_YEAR_IN_TEXT = re.compile(r"(?<![\d,.])(?:19[5-9]\d|20[0-4]\d)(?!\d|,\d)")
_YEAR_SPAN = re.compile(r"(?<![\d,.])((?:19|20)\d{2})\s?[-–/]\s?((?:19|20)\d{2})(?!\d|,\d)")
FACT_KINDS = ("montant", "date", "nombre", "pourcentage", "contact", "personne_organisme", "lieu")


def has_amount(text: str) -> bool:
    return bool(AMOUNT_RE.search(text))


def has_date(text: str) -> bool:
    return bool(DATE_RE.search(text))


def has_count(text: str) -> bool:
    """A number that is not a year, or a number written in words ("trois", "une centaine")."""
    numbers = [n for n in NUMBER_RE.findall(text) if not YEAR_RE.match(n)]
    return bool(numbers or COUNT_WORDS_RE.search(text))


def years_of(text: str) -> frozenset[int]:
    """The years a text names, spans included ("le PRS 2023-2028" names 2025 too)."""
    found = {int(y) for y in _YEAR_IN_TEXT.findall(text)}
    for start, end in _YEAR_SPAN.findall(text):
        if 0 < int(end) - int(start) <= 30:
            found.update(range(int(start), int(end) + 1))
    return frozenset(found)


def has_percent(text: str) -> bool:
    return bool(PERCENT_RE.search(text))


def has_contact(text: str) -> bool:
    return bool(CONTACT_RE.search(text))


@cache
def _ner() -> Any:
    import spacy

    # only the recogniser and the layer it reads: the parser and lemmatizer are not needed here
    return spacy.load("fr_core_news_sm", exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler"])


_NER_LOCK = threading.Lock()


@lru_cache(maxsize=20000)
def entities(text: str) -> frozenset[str]:
    """Labels of the named entities of a sentence: PER, ORG, LOC, MISC."""
    with _NER_LOCK:  # a spaCy pipeline is not meant to be called from two threads at once
        doc = _ner()(text)
    return frozenset(e.label_ for e in doc.ents)


def kinds_of(text: str, with_entities: bool = False) -> frozenset[str]:
    """Every kind of fact the sentence holds; names and places only `with_entities` (the costlier part)."""
    found = set()
    if has_amount(text):
        found.add("montant")
    if has_date(text):
        found.add("date")
    if has_count(text):
        found.add("nombre")
    if has_percent(text):
        found.add("pourcentage")
    if has_contact(text):
        found.add("contact")
    if with_entities:
        labels = entities(text)
        if labels & {"PER", "ORG"}:
            found.add("personne_organisme")
        if "LOC" in labels:
            found.add("lieu")
    return frozenset(found)
