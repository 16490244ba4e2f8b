"""The glossary of acronyms: one list that drives query expansion and definitions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from index.text import tokens
from ingest.facts.words import fold_accents


@dataclass(frozen=True, slots=True)
class Term:
    """An acronym, its expansion and a one-line French definition."""

    term: str
    expansion: str
    definition: str
    origin: str = "base"  # "base": shipped with the project; "document": defined in the corpus


@cache
def base_glossary() -> tuple[Term, ...]:
    """The base glossary of French health-administration acronyms shipped with the project."""
    raw = resources.files("assistant").joinpath("resources/glossaire.json").read_text("utf-8")
    return tuple(Term(**entry) for entry in json.loads(raw))


@cache
def synonyms() -> dict[str, frozenset[str]]:
    """Stem -> stems of the words that say the same ("débute" for "commence"), from a shipped word list."""
    raw = resources.files("assistant").joinpath("resources/synonymes.json").read_text("utf-8")
    out: dict[str, set[str]] = {}
    for group in json.loads(raw):
        stems = {" ".join(tokens(word)) for word in group} - {""}
        for stem in stems:
            out.setdefault(stem, set()).update(stems - {stem})
    return {stem: frozenset(others) for stem, others in out.items()}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", " ", fold_accents(text.lower().replace("’", "'"))).strip()


class Glossary:
    """Acronym <-> expansion lookups, accent- and case-insensitive."""

    def __init__(self, terms: tuple[Term, ...] | None = None) -> None:
        self.terms = terms if terms is not None else base_glossary()
        self._by_term = {t.term.lower(): t for t in self.terms}

    def get(self, term: str) -> Term | None:
        return self._by_term.get(term.lower().strip())

    def acronyms_in(self, text: str) -> list[Term]:
        """Glossary terms written in the text as acronyms (any case, whole words)."""
        words = set(re.findall(r"[A-Za-z0-9]+", text))
        return [t for t in self.terms if t.term in words or t.term.lower() in {w.lower() for w in words}]

    def expansions_in(self, text: str) -> list[Term]:
        """Glossary terms whose expansion is written out in the text."""
        key = f" {_key(text)} "
        return [t for t in self.terms if f" {_key(t.expansion)} " in key]

    def expand(self, text: str) -> str:
        """The text plus each acronym's expansion and each expansion's acronym, for retrieval."""
        extra = [t.expansion for t in self.acronyms_in(text)] + [t.term for t in self.expansions_in(text)]
        return text if not extra else f"{text} ({'; '.join(dict.fromkeys(extra))})"
