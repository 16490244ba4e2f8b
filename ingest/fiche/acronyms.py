"""Acronyms: the ones a document spells out (its definitions), and where each acronym is written."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ingest.facts.instructions import is_instruction
from ingest.fiche.records import Definition
from ingest.models import Document
from lang.sentences import sentence_spans
from lang.words import SMALL_WORDS, fold

ACRONYM_RE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,9}(?![\w-])")


def acronym_pages(doc: Document) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Each acronym written in the document ("CRT", "MILDECA") with the pages it appears on, so that a
    glossary can say where a term is used, whether the document defines it or not."""
    pages: dict[str, set[int]] = {}
    for block in doc.blocks:
        for term in ACRONYM_RE.findall(block.text):
            if uppercase_enough(term) and not term.isdigit():
                pages.setdefault(term, set()).add(block.page)
    return tuple((term, tuple(sorted(found))) for term, found in sorted(pages.items()))



ACRONYM = r"[A-Z][A-Za-z0-9&]*[A-Z0-9]"
ACRONYM_FIRST_RE = re.compile(rf"(?<![\w-])(?P<term>{ACRONYM})\s*\((?P<body>[^()]{{3,300}})\)")
ACRONYM_AFTER_RE = re.compile(rf"\(\s*(?P<term>{ACRONYM})\s*(?:[,;/–-][^()]*)?\)")
# The line's own leading spaces only: `^\s*` ran over every blank line below each line start (quadratic).
ACRONYM_COLON_RE = re.compile(
    rf"^[^\S\n]*(?:[-•–]\s*)?(?P<term>{ACRONYM})\s*(?::|=|\s[–—-])\s*(?P<body>.+)$", re.MULTILINE
)
TOKEN_RE = re.compile(
    r"(?P<elision>(?<![^\W\d_])(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’])|(?P<word>[^\W_]+(?:[-‐][^\W_]+)*)",
    re.IGNORECASE,
)
HARD_STOP_RE = re.compile(r"[.;:!?()\[\]«»\"“”\n]")
# Small words an acronym may skip; a few of them may also give it a letter (MILDECA: drogues *et* conduites).
SKIPPABLE = SMALL_WORDS | {"l", "d", "s", "qu", "c"}
LETTER_WORDS = {"et", "en", "pour", "sur", "a", "aux"}


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int
    kind: str  # "word" | "small" | "number"

    @property
    def initials(self) -> str:
        return "".join(fold(part)[:1] for part in re.split(r"[-‐]", self.text) if part)


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    tokens = []
    for match in TOKEN_RE.finditer(text, start, end):
        word = match[0]
        if match["elision"] or fold(word) in SKIPPABLE:
            kind = "small"
        elif word[0].isdigit():
            kind = "number"
        else:
            kind = "word"
        tokens.append(_Token(word, match.start(), match.end(), kind))
    return tokens


def _letters(term: str) -> str:
    return fold("".join(ch for ch in term if ch.isupper()))


def _consumed(token: _Token, letters: str, at: int) -> list[int]:
    """How many acronym letters from `at` this token can stand for (none, one, or one per hyphen part)."""
    if token.kind == "number":
        return []
    initials = token.initials
    if token.kind == "small":
        return [1] if fold(token.text) in LETTER_WORDS and initials[:1] == letters[at] else []
    options = [1] if initials[:1] == letters[at] else []
    if len(initials) > 1 and letters.startswith(initials, at):
        options.append(len(initials))
    return options


def _align(tokens: list[_Token], letters: str, starts: Iterable[int], trailing: int) -> tuple[int, int] | None:
    """Token span (start, end) whose initials spell the letters, small words skipped; None when none fits.

    Skipping a content word costs 1 (CAARUD skips "risques"); at most `trailing` content words may
    follow the span before the bracket ("… de santé mentale de Normandie (PTSM)").
    """
    memo: dict[tuple[int, int], tuple[float, int] | None] = {}

    def rest(i: int, at: int) -> tuple[float, int] | None:
        if (i, at) in memo:
            return memo[(i, at)]
        best: tuple[float, int] | None = None
        for used in _consumed(tokens[i], letters, at):
            base = 0.1 if tokens[i].kind == "small" else 0.0
            nxt = at + used
            options: list[tuple[float, int]] = []
            if nxt == len(letters):
                options.append((base, i))
            else:
                skipped = 0.0
                for k in range(i + 1, len(tokens)):
                    sub = rest(k, nxt)
                    if sub:
                        options.append((base + skipped + sub[0], sub[1]))
                    skipped += 0 if tokens[k].kind == "small" else 1
                    if skipped > 2:
                        break
            for option in options:
                if best is None or option < best:
                    best = option
        memo[(i, at)] = best
        return best

    budget = 1 if len(letters) <= 4 else 2
    found: list[tuple[float, int, int]] = []
    for s in starts:
        if tokens[s].kind != "word" or tokens[s].initials[:1] != letters[0]:
            continue
        result = rest(s, 0)
        if result is None or int(result[0]) > budget:
            continue
        cost, e = result
        after = sum(1 for t in tokens[e + 1 :] if t.kind == "word")
        if after > trailing:
            continue
        found.append((cost + after, e - s, s))
    if not found:
        return None
    _, length, s = min(found)
    return s, s + length


def _expansion_of(text: str, term: str, start: int, end: int, before: bool) -> str | None:
    """The words of text[start:end] that spell the acronym: before the bracket or after the acronym."""
    letters = _letters(term)
    if len(letters) < 2 or len(letters) > 10:
        return None
    tokens = _tokens(text, start, end)
    if not tokens:
        return None
    if before:
        starts: Iterable[int] = range(len(tokens) - 1, -1, -1)
        span = _align(tokens, letters, starts, trailing=2)
    else:
        first = next((i for i, t in enumerate(tokens) if t.kind != "small"), None)
        if first is None:
            return None
        span = _align(tokens, letters, [first], trailing=len(tokens))
    if span is None or span[1] - span[0] < 1:
        return None
    return text[tokens[span[0]].start : tokens[span[1]].end]


def _segment_start(text: str, end: int) -> int:
    """Start of the clause ending at `end`: after the last full stop, colon, bracket or quote."""
    stops = [m.end() for m in HARD_STOP_RE.finditer(text, 0, end)]
    return stops[-1] if stops else 0


def _definitions_in(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, term, expansion) of the acronyms a block spells out."""
    for match in ACRONYM_AFTER_RE.finditer(text):  # "Conseil territorial de santé (CTS)"
        expansion = _expansion_of(text, match["term"], _segment_start(text, match.start()), match.start(), True)
        if expansion:
            yield match.start(), match["term"], expansion
    for match in ACRONYM_FIRST_RE.finditer(text):  # "PTSM (Projet territorial de santé mentale)"
        expansion = _expansion_of(text, match["term"], match.start("body"), match.end("body"), False)
        if expansion:
            yield match.start(), match["term"], expansion
    for match in ACRONYM_COLON_RE.finditer(text):  # "CAARUD : centre d'accueil …"
        body_end = HARD_STOP_RE.search(text, match.start("body"), match.end("body"))
        end = body_end.start() if body_end else match.end("body")
        expansion = _expansion_of(text, match["term"], match.start("body"), end, False)
        if expansion:
            yield match.start(), match["term"], expansion


def uppercase_enough(term: str) -> bool:
    upper = sum(ch.isupper() for ch in term)
    return upper >= 2 and upper >= 0.6 * sum(ch.isalpha() for ch in term) and len(term) <= 12


def definitions(doc: Document) -> list[Definition]:
    """Acronyms the document spells out, with the sentence and page of their first definition."""
    out: dict[str, Definition] = {}
    for block in doc.blocks:
        spans = sentence_spans(block.text)
        for offset, term, expansion in sorted(_definitions_in(block.text)):
            if term in out or not uppercase_enough(term):
                continue
            sentence = next((block.text[a:b] for a, b in spans if a <= offset < b), block.text)
            if is_instruction(sentence):
                continue  # never quoted as a definition
            out[term] = Definition(term, expansion, sentence, block.page)
    return list(out.values())


def _term_re(term: str) -> re.Pattern[str]:
    if uppercase_enough(term):  # acronyms are case-sensitive: "CRT", not "crt"
        return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
    return re.compile(rf"(?<!\w){re.escape(fold(term))}(?!\w)")


def occurrences(doc: Document, terms: Iterable[str | Definition]) -> dict[str, list[int]]:
    """Pages where each term, or the expansion the document gives it, is written."""
    pages = sorted({b.page for b in doc.blocks})
    raw = {p: " ".join(b.text for b in doc.blocks if b.page == p) for p in pages}
    folded = {p: fold(text) for p, text in raw.items()}
    known: dict[str, Definition] | None = None
    out: dict[str, list[int]] = {}
    for item in terms:
        if isinstance(item, Definition):
            term, expansion = item.term, item.expansion
        else:
            if known is None:
                known = {d.term: d for d in definitions(doc)}
            term = item
            expansion = known[item].expansion if item in known else ""
        term_re = _term_re(term)
        haystack = raw if uppercase_enough(term) else folded
        expansion_re = re.compile(rf"(?<!\w){re.escape(fold(expansion))}(?!\w)") if expansion else None
        out[term] = [
            p for p in pages
            if term_re.search(haystack[p]) or (expansion_re is not None and expansion_re.search(folded[p]))
        ]
    return out
