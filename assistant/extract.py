"""Answer units (sentences, list items) of retrieved chunks, scored against a question."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.question import ORDINAL_RE, Question
from index.models import Hit
from index.text import tokens
from ingest.split import split_sentences
from ingest.tables import row_cells

MONEY_RE = re.compile(
    r"(?:(?:près de|environ|plus de|moins de|jusqu’à|jusqu'à)\s)?"
    r"\d{1,3}(?:[ .\u00a0\u202f]\d{3})*(?:,\d+)?\s?(?:€|k€|M€|euros?\b|millions? d[’']euros|milliards? d[’']euros)"
)
NUMBER_RE = re.compile(r"(?<![\w,.])\d+(?:[ .]\d{3})*(?:,\d+)?(?![\w])")
YEAR_RE = re.compile(r"^(19|20)\d{2}$")
MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
DATE_RE = re.compile(
    rf"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s)?(?:\d{{1,2}}(?:er)?\s)?(?:{MONTHS})(?:\s\d{{4}})?"
    rf"|(?:en|depuis|dès|d’ici|d'ici|fin|début)\s(?:19|20)\d{{2}}|(?:19|20)\d{{2}}-(?:19|20)\d{{2}}",
    re.IGNORECASE,
)
NAME_RE = re.compile(r"(?:[A-ZÀ-Ý][\w’'-]+|[A-Z]{2,})(?:\s(?:de\s|d’|du\s|des\s|la\s)?[A-ZÀ-Ý][\w’'-]+)*")
Weights = Callable[[str], float]
DEFINING_RE = re.compile(
    r"\b(est une?|sont des|désigne|consiste|vise|visent|permet|a pour (?:but|objectif)|il s[’']agit|"
    r"répond|renforce|dispositif|structure|programme|projet de)\b|\(\w+\)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence or list item of a retrieved chunk, with how well it answers the question."""

    text: str  # verbatim substring of the chunk text
    hit: Hit
    kind: str  # "sentence" | "item" | "intro" (a sentence ending with ":" followed by items)
    coverage: float  # weighted share of the question's words found in the unit or its context
    matched: frozenset[str]
    has_fact: bool  # carries the kind of fact asked for (amount, number, date, name...)
    hard_ok: bool  # every place/year/figure of the question is in the unit or its section
    score: float
    counts: bool = False  # a number in the unit counts a noun of the question ("10 projets")
    missing: frozenset[str] = frozenset()  # question words found nowhere near the unit


def heading_count(text: str, section: str) -> int:
    """How many leading lines of a chunk are headings: chunks open with their headings, the
    last of which is the chunk's section."""
    lines = text.split("\n")
    if section and section in lines[:6]:
        return lines.index(section) + 1
    return 0


def units_of(hit: Hit) -> list[tuple[str, str]]:
    """(text, kind) of a chunk's sentences, list items and headings."""
    return [(text, kind) for text, kind, _paragraph in paragraph_units(hit)]


def paragraph_units(hit: Hit) -> list[tuple[str, str, str]]:
    """(text, kind, paragraph) of a chunk's sentences, list items and headings."""
    out: list[tuple[str, str, str]] = []
    lines = hit.chunk.text.split("\n")
    headings = heading_count(hit.chunk.text, hit.chunk.section)
    # headings answer questions about the document itself ("Bilan - janvier 2025"), rarely others
    out.extend((line.strip(), "heading", line.strip()) for line in lines[:headings] if line.strip())
    for index in range(headings, len(lines)):
        line = lines[index].strip()
        if not line:
            continue
        if line.startswith("- "):
            out.append((line[2:], "item", line[2:]))
            continue
        follows_items = index + 1 < len(lines) and lines[index + 1].startswith("- ")
        for sentence in split_sentences(line):
            kind = "intro" if sentence.endswith(":") and follows_items else "sentence"
            out.append((sentence, kind, line))
    return out


NUMBER_NAMES = {"un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6",
                "sept": "7", "huit": "8", "neuf": "9", "dix": "10", "onze": "11", "douze": "12", "vingt": "20"}


def number_words(text: str) -> set[str]:
    """Digits of the numbers written in words ("six axes" -> "6"), to match "les 6 axes"."""
    return {NUMBER_NAMES[w] for w in re.findall(r"[a-zé]+", text.lower()) if w in NUMBER_NAMES}


def has_fact(text: str, kind: str) -> bool:
    """Whether a unit carries the kind of fact the question asks for."""
    if kind == "montant":
        return bool(MONEY_RE.search(text))
    if kind == "nombre":
        return any(not YEAR_RE.match(n.replace(" ", "")) for n in NUMBER_RE.findall(text)) or bool(
            re.search(r"\b(une? |deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|cinquantaine|vingtaine|"
                      r"centaine|dizaine)\b", text, re.IGNORECASE)
        )
    if kind == "date":
        return bool(DATE_RE.search(text) or re.search(r"\b(?:19|20)\d{2}\b", text))
    if kind == "qui":
        return bool(NAME_RE.search(text[1:]))
    if kind == "pourcentage":
        return bool(re.search(r"\d\s?%|pour ?cent", text))
    return True


NUMBER_WORDS = (
    r"\d+(?:[ .]\d{3})*|(?:une\s+)?(?:cinquantaine|vingtaine|trentaine|quarantaine|centaine|dizaine)|"
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze"
)  # not "un"/"une": an article, not a count
COUNTED_RE = re.compile(rf"(?<![\w,.])(?:{NUMBER_WORDS})\s+(?:de\s+|d[’']\s*)?([^\W\d_][\w’'-]*)", re.I)


def ordinals_of(text: str) -> set[str]:
    """Ordinals written in a text, as "2e" ("2ème", "2nde", "second" all give "2e")."""
    found = {f"{n}e" for n in ORDINAL_RE.findall(text)}
    if re.search(r"\bseconde?\b|\bdeuxième\b", text, re.I):
        found.add("2e")
    return found


# What a question counts and how the documents count it: "combien de participants" is answered by
# "200 personnes", "combien de temps" by "3 ans".
COUNT_SYNONYMS = {
    "particip": {"person"}, "gen": {"person"}, "habit": {"person"}, "public": {"person"},
    "temp": {"an", "ans", "anne", "mois", "jour", "semain"}, "dure": {"an", "ans", "anne", "mois", "jour"},
}


def _derived(term: str, words: set[str]) -> bool:
    """True when a word of the unit shares the term's root ("signatur"/"sign", "construit"/"construct")."""
    if len(term) < 4 or term.isdigit():
        return False
    for word in words:
        short, long = (term, word) if len(term) <= len(word) else (word, term)
        if len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 5:
            return True
        common = len(os.path.commonprefix([term, word]))
        if common >= 6 and common >= len(short) - 3:
            return True
    return False


def counted_nouns(text: str) -> set[str]:
    """Stems of the nouns that numbers count in a text ("10 projets", "une cinquantaine de participants")."""
    out: set[str] = set()
    for match in COUNTED_RE.finditer(text):
        out.update(tokens(match.group(1)))
    return out


def score_units(
    question: Question,
    hits: Sequence[Hit],
    weight: Weights,
    alternates: dict[str, set[str]],
) -> list[Unit]:
    """Every unit of the hits, best first."""
    soft = set(question.soft)

    def weight_of(term: str) -> float:
        # a verb may be worded otherwise in the passage: it weighs half as much as a noun
        return weight(term) * (0.5 if term in soft else 1.0)

    total = sum(weight_of(t) for t in question.terms) or 1.0
    units: list[Unit] = []
    siblings: dict[tuple[str, str], set[str]] = {}
    for hit in hits:
        key = (hit.chunk.doc_id, hit.chunk.section)
        siblings.setdefault(key, set()).update(tokens(hit.chunk.text))
    for hit in hits:
        headings = _heading_lines(hit.chunk.text, hit.chunk.section)
        headings_tokens = set(tokens(f"{hit.chunk.section} {headings}"))
        context = headings_tokens | set(tokens(hit.chunk.title))
        chunk_tokens = set(tokens(hit.chunk.text))
        section_tokens = siblings[(hit.chunk.doc_id, hit.chunk.section)]
        for text, kind, paragraph in paragraph_units(hit):
            own = set(tokens(text)) | number_words(text)
            # the year of a sentence is often set earlier in its paragraph ("Depuis 2021, ..."); its
            # place must be in the sentence itself, its section or its document's title
            near = set(tokens(paragraph)) | number_words(paragraph)
            matched: set[str] = set()
            missing: set[str] = set()
            got = 0.0
            for term in question.terms:
                # A word of the unit counts fully; the section's heading, the chunk, or another
                # retrieved chunk of the same section support the unit less.
                derivable = term in soft or term.endswith(("atur", "ation", "ment", "ag"))
                spelled = term in own or (term in alternates and alternates[term] <= own)
                if spelled or (derivable and _derived(term, own)):
                    share = 1.0
                elif term in context:
                    share = 0.6
                elif term in chunk_tokens:
                    share = 0.45
                elif term in section_tokens:
                    share = 0.4
                else:
                    missing.add(term)
                    continue
                got += share * weight_of(term)
                matched.add(term)
            coverage = got / total
            fact = has_fact(text, question.kind)
            counted = set(question.counted or question.terms)
            counted |= {stem for term in counted for stem in COUNT_SYNONYMS.get(term, ())}
            counted |= {stem for term in counted for stem in alternates.get(term, ())}  # "7 Projets" counts PTSM
            counts = bool(counted_nouns(text) & counted)
            # "10 projets" answers "combien de projets" better than any "8 octobre"
            fact_bonus = 0.35 if fact and question.kind == "nombre" and counts else 0.2 if fact else 0.0
            ordinals = ordinals_of(f"{text} {hit.chunk.section}")
            # a year in the document's title is its publication date, not the year of every figure
            hard_ok = all(
                h in own
                or h in ordinals
                or (h in near | headings_tokens if h[:1].isdigit() else h in context)
                for h in question.hard
            )
            score = coverage + fact_bonus + 0.04 / hit.rank
            if kind == "heading":
                score -= 0.3
            if kind == "intro" and question.kind == "liste":
                score += 0.2
            if question.kind == "qui":
                # names the question does not already hold are the likely answer
                names = [n for n in NAME_RE.findall(text[1:]) if not set(tokens(n)) <= set(question.terms)]
                score += min(0.3, 0.1 * len(names))
            if question.kind == "definition" and DEFINING_RE.search(text):
                score += 0.15
            if not hard_ok:
                score -= 0.5
            units.append(
                Unit(text, hit, kind, coverage, frozenset(matched), fact, hard_ok, score, counts, frozenset(missing))
            )
    units.sort(key=lambda u: u.score, reverse=True)
    return units


def _heading_lines(text: str, section: str) -> str:
    return " ".join(text.split("\n")[: heading_count(text, section)])


def list_items_after(hit: Hit, intro: str) -> list[str]:
    """The list items that follow an introduction sentence in a chunk."""
    lines = hit.chunk.text.split("\n")
    for index, line in enumerate(lines):
        if line.strip().endswith(intro):
            items = []
            for following in lines[index + 1 :]:
                if not following.startswith("- "):
                    break
                items.append(following[2:])
            return items
    return []


CLAUSE_SEP_RE = re.compile(r",\s|;\s|:\s|\set\s|\sainsi que\s|\savec\s")


def money_segments(text: str) -> list[tuple[str, str]]:
    """(amount, clause) pairs: the clause holding each amount, extended over the clauses after it
    that hold no amount ("220 000 euros sur 3 ans pour un projet [...] dédié au crack")."""
    row = row_cells(text)
    if row is not None:  # a table row: each amount goes with the row's label and its own column header
        label, cells = row
        return [(m.group(0), f"{label} — {cell}") for cell in cells if (m := MONEY_RE.search(cell))]
    cuts = [0] + [m.start() for m in CLAUSE_SEP_RE.finditer(text)] + [len(text)]
    spans = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    amounts = list(MONEY_RE.finditer(text))
    out: list[tuple[str, str]] = []
    for i, match in enumerate(amounts):
        start = next((a for a, b in spans if a <= match.start() < b), 0)
        end = amounts[i + 1].start() if i + 1 < len(amounts) else len(text)
        # stop at the last clause boundary before the next amount
        boundary = max((a for a, _ in spans if match.end() <= a <= end), default=end)
        end = boundary if i + 1 < len(amounts) else len(text)
        clause = text[start:end]
        clause = re.sub(r"^(?:,\s|;\s|:\s|\set\s|\savec\s|\sainsi que\s)", "", clause)
        out.append((match.group(0), clause.strip().rstrip(" .,;:")))
    return out
