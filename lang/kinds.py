"""Which kinds of fact a sentence holds: amounts, dates, counts, percentages, contacts, people and
organisations, places. The answerer asks which kinds a sentence holds; names, organisations and places
come from spaCy's French named-entity recogniser (fr_core_news_sm), the rest from the written forms
French administrative texts use for figures."""

from __future__ import annotations

import re

from lang.amounts import AMOUNT_RE, COUNT_WORDS_RE, NUMBER_RE, PERCENT_RE
from lang.dates import DATE_RE, YEAR_RE
from lang.people import entity_labels

# A mail address or a domain is tried from the start of its word only (past leading hyphens for a domain):
# retried from every letter, they were quadratic on a long word. It only tells whether a sentence holds a contact.
CONTACT_RE = re.compile(
    r"\b0\d(?:[ .]?\d{2}){4}\b|\+33\s?\d|\b1[0-9]{1,2}\b(?=\s*\(|\s*(?:ou|,|\.|$))"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+|https?://\S+|\bwww\.\S+|(?<![\w-])-*\b[\w-]+\.(?:fr|gouv\.fr|com|org)\b",
    re.IGNORECASE,
)
FACT_KINDS = ("montant", "date", "nombre", "pourcentage", "contact", "personne_organisme", "lieu")


def has_amount(text: str) -> bool:
    return bool(AMOUNT_RE.search(text))


def has_date(text: str) -> bool:
    return bool(DATE_RE.search(text))


def has_count(text: str) -> bool:
    """A number that is not a year, or a number written in words ("trois", "une centaine")."""
    numbers = [n for n in NUMBER_RE.findall(text) if not YEAR_RE.match(n)]
    return bool(numbers or COUNT_WORDS_RE.search(text))


def has_percent(text: str) -> bool:
    return bool(PERCENT_RE.search(text))


def has_contact(text: str) -> bool:
    return bool(CONTACT_RE.search(text))


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
        labels = entity_labels(text)
        if labels & {"PER", "ORG"}:
            found.add("personne_organisme")
        if "LOC" in labels:
            found.add("lieu")
    return frozenset(found)
