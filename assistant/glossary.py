"""The glossary of acronyms: one list that drives query expansion and definitions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from lang.tokens import tokens
from lang.words import fold_accents


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


# A sentence defines a term when the term (or its expansion) is its subject and the verb says what the term is or
# does: « Le CTS est une instance… », « Les CAARUD sont des structures… », « Le PTSM vise à… », « CTS : instance
# qui… ». A sentence where the term only appears (« …avec chaque Conseil territorial de santé (CTS). ») does not.
_DETERMINERS = frozenset({"le", "la", "l", "les", "un", "une", "des", "ce", "cet", "cette", "ces", "chaque"})
_DEFINING_VERBS = tuple(
    tuple(phrase.split())
    for phrase in (
        "est un", "est une", "est le", "est la", "est l", "est celui", "est celle", "est charge", "est chargee",
        "est compose", "est composee", "est constitue", "est constituee", "est issu", "est issue",
        "sont des", "sont les", "sont charges", "sont chargees", "sont composes", "sont composees",
        "designe", "designent", "regroupe", "regroupent", "rassemble", "rassemblent", "reunit", "reunissent",
        "correspond a", "correspondent a", "constitue", "constituent", "represente", "representent",
        "consiste", "consistent", "se definit", "se definissent", "definit", "vise a", "visent a",
        "a pour", "ont pour", "permet de", "permettent de", "accueille", "accueillent", "coordonne", "coordonnent",
        "organise", "organisent", "fixe", "fixent", "finance", "financent",
    )
)
_MAX_APPOSITION_WORDS = 15  # « Le CTS, créé par la loi de 2016, réunit… »: the words between the commas
_MIN_COLON_WORDS = 3  # « CTS : instance qui réunit… » says more than « CTS : Conseil territorial de santé »
_CLAUSE_MARKS = frozenset({",", ":", ";", "–", "—"})
_BRACKETS_RE = re.compile(r"\([^()]*\)")  # negated class, one quantifier: linear
_SENTENCE_TOKEN_RE = re.compile(r"[a-z0-9]+|[,:;–—]")  # a word or a clause mark; two disjoint branches


def defines(sentence: str, term: str, expansion: str = "") -> bool:
    """True when `sentence` says what `term` is or does (the term or its expansion as subject of a defining verb),
    not when it merely spells the acronym out in passing."""
    text = _BRACKETS_RE.sub(" ", fold_accents(sentence.lower().replace("’", "'")))
    tokens = _SENTENCE_TOKEN_RE.findall(text)
    if tokens and tokens[0] in _DETERMINERS:
        tokens = tokens[1:]
    subjects = [words for words in (_words(term), _words(expansion)) if words]
    end = next((e for e in (_after(tokens, words) for words in subjects) if e is not None), None)
    if end is None:
        return False
    rest = tokens[end:]
    while rest and rest[0].isdigit():  # « Le PRS 2023-2028 est… »
        rest = rest[1:]
    if rest[:1] == [":"] or rest[:1] == ["–"] or rest[:1] == ["—"]:
        said = rest[1:]
        for words in subjects:  # « CTS : Conseil territorial de santé, instance… »: the expansion is no definition
            said = said[_after(said, words) or 0:]
        return sum(w not in _CLAUSE_MARKS for w in said) >= _MIN_COLON_WORDS
    if rest[:1] == [","]:  # an apposition, then the verb
        end = next((i for i, w in enumerate(rest[1:], 1) if w == ","), None)
        if end is None or end - 1 > _MAX_APPOSITION_WORDS:
            return False
        rest = rest[end + 1:]
    return any(tuple(rest[: len(verb)]) == verb for verb in _DEFINING_VERBS)


def _after(tokens: list[str], words: list[str]) -> int | None:
    """Where `tokens` go on after starting with `words` (commas inside them skipped), None if they do not."""
    at = 0
    for word in words:
        while at < len(tokens) and tokens[at] == ",":
            at += 1
        if at >= len(tokens) or tokens[at] != word:
            return None
        at += 1
    return at


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold_accents(text.lower().replace("’", "'")))


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
