"""What a chat model wrote, read back: its citation markers renumbered, its sentences with the passages
they cite, and the figures and dates those passages vouch for (the guard's evidence)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.answer import citation_for
from assistant.models import Citation
from assistant.units import is_instruction, units_of
from index.models import Hit
from lang.amounts import NUMBER_NAMES, Figure, numbers_in
from lang.dates import dates_in
from lang.sentences import SENTENCE_SPLIT_RE
from lang.tokens import tokens

# Citation markers the models write: [1], [1, 3], [1][2], [passage 2], (passage 2).
MARKER_RE = re.compile(
    r"\[\s*(?:passages?\s*(?:n°\s*)?)?(?P<a>\d{1,3}(?:\s*(?:[,;–-]|et)\s*\d{1,3})*)\s*\]"
    r"|\(\s*passages?\s*(?:n°\s*)?(?P<b>\d{1,3}(?:\s*(?:[,;–-]|et)\s*\d{1,3})*)\s*\)",
    re.IGNORECASE,
)
# A marker still being written at the end of a partial text ("[", "[1", "(passage").
OPEN_MARKER_RE = re.compile(r"(?:\[[^\]\n]{0,20}|\(\s*pass[^)\n]{0,20})$", re.IGNORECASE)
THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)


def figures_in(text: str) -> list[Figure]:
    """Dates, then the other numbers of an answer; citation markers are not figures."""
    dates = dates_in(text)
    markers = [m.span() for m in MARKER_RE.finditer(text)]
    numbers = numbers_in(text, [(d.start, d.end) for d in dates] + markers)
    return sorted(dates + numbers, key=lambda f: f.start)


@dataclass(slots=True)
class Evidence:
    """The figures a set of passages can vouch for."""

    numbers: set[tuple[Decimal, str]] = field(default_factory=set)
    dates: set[tuple[int | None, int, int | None]] = field(default_factory=set)

    @classmethod
    def of(cls, text: str) -> Evidence:
        numbers = {(f.value, f.unit) for f in numbers_in(text) if f.value is not None}
        # a date's day and year count as numbers too; so do numbers written in words ("trois ans")
        words = re.findall(r"[a-zé]+", text.lower())
        numbers |= {(Decimal(NUMBER_NAMES[w]), "") for w in words if w in NUMBER_NAMES}
        return cls(numbers, {f.date for f in dates_in(text) if f.date})

    def __or__(self, other: Evidence) -> Evidence:
        return Evidence(self.numbers | other.numbers, self.dates | other.dates)

    def has_number(self, value: Decimal, unit: str = "") -> bool:
        return any(v == value and (not unit or u == unit) for v, u in self.numbers)

    def supports(self, figure: Figure) -> bool:
        """Whether the figure is written in these passages (same value, same unit or date)."""
        if figure.date is None:
            return figure.value is not None and self.has_number(figure.value, figure.unit)
        day, month, year = figure.date
        for p_day, p_month, p_year in self.dates:
            if p_month != month or (day is not None and p_day != day):
                continue
            if year is None or p_year == year or (p_year is None and self.has_number(Decimal(year))):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Passage:
    """One numbered passage given to the model."""

    hit: Hit
    sentences: tuple[str, ...]  # verbatim sentences of the chunk that may be quoted
    evidence: Evidence
    words: frozenset[str]  # lexical tokens (lang.tokens.tokens) of the passage, title and section


def passage_of(hit: Hit) -> Passage:
    """A hit as a passage: its quotable sentences and its figures, instruction-like sentences left out."""
    text = hit.chunk.text
    candidates = [s for s, _kind in units_of(hit)] or [line.strip() for line in text.split("\n")]
    sentences = tuple(s for s in candidates if s and s in text and not is_instruction(s))
    kept = [s for s in re.split(r"(?<=[.!?…])\s+|\n", text) if not is_instruction(s)]
    # the title and section are given with the passage: "le bilan de janvier 2025 [1]" is sourced
    given = " \n".join([hit.chunk.title, hit.chunk.section, *kept])
    return Passage(hit, sentences, Evidence.of(given), frozenset(tokens(given)))


@dataclass(slots=True)
class Sentence:
    text: str  # without citation markers
    cites: list[int] = field(default_factory=list)  # 0-based passage indexes


@dataclass(slots=True)
class ModelDraft:
    """A generated text read back: markers renumbered, sentences with the passages they cite."""

    text: str  # as shown: markers renumbered from 1, numbers without a passage removed
    lines: list[list[Sentence]]
    order: list[int]  # passage indexes in order of first citation
    dropped: list[int]  # cited numbers that match no passage

    def sentences(self) -> Iterator[tuple[Sentence, list[int] | None]]:
        """Each sentence with the passages vouching for it: its own citations, else the next ones of
        its paragraph ("... 3 ans. Il finance X [1]."), else the previous ones; None when its
        paragraph cites nothing."""
        for line in self.lines:
            for i, sentence in enumerate(line):
                cited = sentence.cites
                if not cited:
                    later = [s.cites for s in line[i + 1 :] if s.cites]
                    earlier = [s.cites for s in line[:i] if s.cites]
                    cited = later[0] if later else earlier[-1] if earlier else []
                yield sentence, cited or None


def _numbers(marker: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", marker)]


def read_draft(raw: str, n_passages: int) -> ModelDraft:
    """Renumber the citation markers of a generated text and split it into cited sentences."""
    order: list[int] = []
    dropped: list[int] = []
    out: list[str] = []
    lines: list[list[Sentence]] = []
    for line in raw.split("\n"):
        sentences = [Sentence("")]
        shown = ""
        position = 0
        for match in MARKER_RE.finditer(line):
            piece = line[position : match.start()]
            _add_text(sentences, piece)
            shown += piece
            valid = []
            for number in _numbers(match.group("a") or match.group("b")):
                if 1 <= number <= n_passages:
                    valid.append(number - 1)
                elif number not in dropped:
                    dropped.append(number)
            valid = list(dict.fromkeys(valid))
            for index in valid:
                if index not in order:
                    order.append(index)
            target = sentences[-1] if sentences[-1].text.strip() or len(sentences) == 1 else sentences[-2]
            target.cites.extend(i for i in valid if i not in target.cites)
            if valid:
                shown += "".join(f"[{order.index(i) + 1}]" for i in valid)
            elif shown.endswith(" ") and (match.end() == len(line) or not line[match.end()].isalnum()):
                shown = shown[:-1]  # the removed marker leaves no double space nor "euros ."
            position = match.end()
        tail = line[position:]
        _add_text(sentences, tail)
        out.append(shown + tail)
        lines.append([s for s in sentences if s.text.strip()])
    return ModelDraft("\n".join(out), lines, order, dropped)


def _add_text(sentences: list[Sentence], piece: str) -> None:
    parts = SENTENCE_SPLIT_RE.split(piece)
    sentences[-1].text += parts[0]
    sentences.extend(Sentence(p) for p in parts[1:])


def citations_of(draft: ModelDraft, passages: Sequence[Passage]) -> list[Citation]:
    """One citation per cited passage, numbered by first use, quoting the chunk sentence closest to
    the generated sentences that cite it."""
    citing: dict[int, list[str]] = {}
    for sentence, cited in draft.sentences():
        for index in cited or ():
            citing.setdefault(index, []).append(sentence.text)
    out = []
    for n, index in enumerate(draft.order, start=1):
        passage = passages[index]
        out.append(citation_for(n, passage.hit, _excerpt(passage, " ".join(citing.get(index, [])))))
    return out


def _excerpt(passage: Passage, generated: str) -> str:
    """The chunk sentence sharing most words with the generated text (numbers count double); verbatim."""
    wanted = set(tokens(generated))
    best, best_score = "", -1.0
    for sentence in passage.sentences:
        shared = wanted & set(tokens(sentence))
        score = len(shared) + sum(1 for t in shared if t[:1].isdigit())
        if score > best_score:
            best, best_score = sentence, score
    if best:
        return best
    text = passage.hit.chunk.text
    return next((line.strip() for line in text.split("\n") if line.strip()), text)


def union(passages: Sequence[Passage]) -> Evidence:
    evidence = Evidence()
    for passage in passages:
        evidence = evidence | passage.evidence
    return evidence


def visible(raw: str) -> str:
    """The answer without a reasoning model's <think> block."""
    return THINK_RE.sub("", raw).lstrip()
