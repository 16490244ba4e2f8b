"""A document's key figures: amounts, counts, percentages and event dates, each with its sentence and page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.facts.instructions import is_instruction
from ingest.fiche.outline import section_headings
from ingest.fiche.records import KeyFigure
from ingest.models import Document
from lang.amounts import FIGURE_AMOUNT_RE, FIGURE_PERCENT_RE, INTEGER_RE, SPELLED_COUNT_RE
from lang.dates import DATELINE_RE, DAY_DATE_RE, MONTH_DATE_RE, MONTH_NUMBERS, YEAR
from lang.sentences import URL_RE, block_sentences
from lang.words import SMALL_WORDS, fold

RANGE_RE = re.compile(r"\s(?:à|ou)\s\d+")
NEXT_WORD_RE = re.compile(r"(?<! ) +([^\W\d_][\w’'-]*)")  # from a run's first space: linear on long runs
NOT_REFERENCE_RE = re.compile(r"(?:page|p\.|n°|no|article|art\.|§)\s*$", re.IGNORECASE)
ADJECTIVE_RE = re.compile(  # from a word's start: retried inside a long word, it was quadratic
    r"(?<![a-zà-ÿ-])[a-zà-ÿ-]+(?:aux|ales?|els?|elles?|iques?|ifs?|ives?|aires?|é|ée|ées|és|eux|euses?|iens?|iennes?|istes?)"
)
WORDS_BEFORE_NOUN = {
    "premiers", "premieres", "derniers", "dernieres", "nouveaux", "nouvelles", "grands", "grandes", "petits",
    "principaux", "principales", "autres", "jeunes",
}
# Counts of time are durations, not things: "sur 3 ans", "ces 20 dernières années".
NOT_COUNTED = {
    "ans", "annees", "mois", "jours", "semaines", "heures", "minutes", "secondes", "fois", "euros", "h",
    "reprises", *MONTH_NUMBERS,
}
KIND_ORDER = {"amount": 0, "count": 1, "percent": 2, "date": 3}


@dataclass(frozen=True, slots=True)
class _Found:
    kind: str
    value: str
    sentence: str
    page: int
    section: str
    order: tuple[int, int, int]  # block, sentence, offset: reading order


def _count_phrase(text: str, start: int, end: int) -> str | None:
    """"5 centres de ressources territoriaux" from the number at start..end, or None when no plural noun follows."""
    pos = end
    ranged = RANGE_RE.match(text, pos)
    if ranged:
        pos = ranged.end()
    words: list[tuple[str, int]] = []
    while len(words) < 6:
        match = NEXT_WORD_RE.match(text, pos)
        if not match:
            break
        words.append((match[1], match.end()))
        pos = match.end()
    if not words:
        return None
    i = 1 if fold(words[0][0]) in WORDS_BEFORE_NOUN and len(words) > 1 else 0
    noun = fold(words[i][0])
    if noun in NOT_COUNTED or noun in SMALL_WORDS or not noun.endswith(("s", "x", "z")) or words[i][0].isupper():
        return None
    stop, j = words[i][1], i + 1
    if j < len(words) and ADJECTIVE_RE.fullmatch(words[j][0].lower()):
        stop, j = words[j][1], j + 1
    complement = False
    if j + 1 < len(words) and fold(words[j][0]) in ("de", "des", "du") and fold(words[j + 1][0]) not in SMALL_WORDS:
        stop, j, complement = words[j + 1][1], j + 2, True
    elif j < len(words) and re.match(r"d['’][^\W\d_]", words[j][0]):
        stop, j, complement = words[j][1], j + 1, True
    if complement and j < len(words) and ADJECTIVE_RE.fullmatch(words[j][0].lower()):
        stop = words[j][1]
    return text[start:stop]


def _after_reference(sentence: str, at: int) -> bool:
    """True when the number at `at` follows "page", "n°", "article"…: a reference, not a count.

    Searched in the few characters before the spaces that precede it: searched in the whole text before each
    number, it was quadratic on a long run of numbers ("1 1 1 …").
    """
    end = at
    while end > 0 and sentence[end - 1].isspace():  # what `\s*$` skips
        end -= 1
    return bool(NOT_REFERENCE_RE.search(sentence, max(0, end - len("article")), at))


def _figures_in(sentence: str) -> Iterator[tuple[str, str, int]]:
    """(kind, value, offset) of the figures of one sentence, links excluded."""
    taken: list[tuple[int, int]] = [m.span() for m in URL_RE.finditer(sentence)]

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    patterns = (
        ("amount", FIGURE_AMOUNT_RE), ("percent", FIGURE_PERCENT_RE), ("date", DAY_DATE_RE), ("date", MONTH_DATE_RE)
    )
    for kind, regex in patterns:
        for match in regex.finditer(sentence):
            if free(*match.span()):
                taken.append(match.span())
                yield kind, match[0].strip(), match.start()
    for match in INTEGER_RE.finditer(sentence):
        digits = match[1]
        if not free(*match.span()) or _after_reference(sentence, match.start()):
            continue
        # a year alone, or "1 …"; compared as text: int() refuses a number of more than 4,300 digits
        if re.fullmatch(YEAR, digits) or re.sub(r"\D", "", digits).lstrip("0") in ("", "1"):
            continue
        phrase = _count_phrase(sentence, match.start(), match.end())
        if phrase:
            taken.append((match.start(), match.start() + len(phrase)))
            yield "count", phrase, match.start()
    if sentence.rstrip().endswith(":"):  # "Six objectifs ont ainsi été définis … :" introduces a list
        for match in SPELLED_COUNT_RE.finditer(sentence):
            phrase = _count_phrase(sentence, match.start(), match.end())
            if phrase and free(match.start(), match.start() + len(phrase)):
                yield "count", phrase, match.start()


def _all_figures(doc: Document) -> list[_Found]:
    """Every figure of the body in reading order, one per value (and one per sentence but for amounts)."""
    sections = section_headings(doc)
    found: list[_Found] = []
    seen_values: set[tuple[str, str]] = set()
    seen_sentences: set[tuple[str, str]] = set()
    for index, block in enumerate(doc.blocks):
        if block.kind == "heading" or DATELINE_RE.match(block.text):
            continue
        for number, sentence in enumerate(block_sentences(block.text)):
            if is_instruction(sentence):
                continue  # a sentence that speaks to a model is never quoted
            for kind, value, offset in sorted(_figures_in(sentence), key=lambda f: f[2]):
                key = (kind, re.sub(r"[\s\u00a0\u202f]", "", fold(value)))
                if key in seen_values or (kind != "amount" and (kind, sentence) in seen_sentences):
                    continue
                seen_values.add(key)
                seen_sentences.add((kind, sentence))
                found.append(_Found(kind, value, sentence, block.page, sections[index], (index, number, offset)))
    return found


def key_figures(doc: Document, limit: int = 12) -> list[KeyFigure]:
    """Amounts, counts, percentages and event dates with their sentence and page; amounts first."""
    found = _all_figures(doc)
    pools = {kind: [f for f in found if f.kind == kind] for kind in KIND_ORDER}
    # Precise dates ("1er novembre 2023") before months ("novembre 2024").
    pools["date"].sort(key=lambda f: (not DAY_DATE_RE.search(f.value), f.order))
    chosen = pools["amount"][: max(1, limit // 2)]
    rest = [pools["count"], pools["percent"], pools["date"]]
    # The other half goes round-robin so that a page of counts does not hide every date.
    while len(chosen) < limit and any(rest):
        for pool in rest:
            if pool and len(chosen) < limit:
                chosen.append(pool.pop(0))
    leftovers = [f for f in found if f not in chosen]
    chosen += leftovers[: max(0, limit - len(chosen))]
    chosen.sort(key=lambda f: (KIND_ORDER[f.kind], f.order))
    return [KeyFigure(f.value, f.sentence, f.page, f.kind, f.section) for f in chosen]
