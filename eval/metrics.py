"""Scoring one answer against its question, and the aggregate metrics of a run."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.models import Answer, Citation
from eval.questions import Question
from lang.words import fold

log = logging.getLogger(__name__)

# page_text(source, page) -> the text of that page of that document, or None if unknown.
PageText = Callable[[str, int], str | None]

APOSTROPHES = dict.fromkeys(map(ord, "’‘ʼ`´′"), "'")
QUOTES = dict.fromkeys(map(ord, "«»“”„"), '"')
DASHES = dict.fromkeys(map(ord, "‐‑‒–—−"), "-")
# "220 000", "220 000" (NBSP, made a space by NFKC) and "220.000" all become "220000";
# the look-arounds keep decimals ("1,9") and years followed by a number ("2024 200") apart.
THOUSANDS_RE = re.compile(r"(?<![\d.,])(\d{1,3})((?:[ .]\d{3})+)(?![\d]|[.,]\d)")
ELLIPSIS_RE = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.")


def normalize(text: str) -> str:
    """Text folded for matching: lower case, no accents, one apostrophe, plain spaces, bare numbers."""
    # NFKC first: "ℌ" or "Ⅻ" are read as the letters they stand for before lower case
    text = fold(unicodedata.normalize("NFKC", text), ligatures=True, apostrophes=False, spaces=False)
    text = text.translate(APOSTROPHES).translate(QUOTES).translate(DASHES)
    text = re.sub(r"(?<=\w)-\s*\n\s*(?=\w)", "-", text)  # "Seine-\nMaritime" is one word
    text = " ".join(text.split())
    # "Alençon – Mamers", "2023 - 2028": a dash between words reads the same with or without spaces.
    text = re.sub(r"(?<=\w) ?- ?(?=\w)", "-", text)
    text = THOUSANDS_RE.sub(lambda m: m.group(1) + re.sub(r"[ .]", "", m.group(2)), text)
    return re.sub(r" (?=[%€])", "", text)  # "1,9 %" == "1,9%", "900 €" == "900€"


def contains_fact(text: str, variants: Iterable[str], normalized: bool = False) -> bool:
    """True if any variant occurs in the text as whole words (after normalisation)."""
    haystack = text if normalized else normalize(text)
    for variant in variants:
        needle = normalize(variant)
        if not needle:
            continue
        pattern = re.escape(needle)
        # Whole words only where the fact starts/ends with a letter or digit: "3 ans" must not match "13 ans".
        if needle[0].isalnum():
            pattern = r"(?<![a-z0-9])" + pattern
        if needle[-1].isalnum():
            pattern += r"(?![a-z0-9])"
        if re.search(pattern, haystack):
            return True
    return False


def missing_facts(text: str, must_contain: Sequence[Sequence[str]]) -> list[str]:
    """The facts absent from the text, each named by its first variant."""
    haystack = normalize(text)
    return [fact[0] for fact in must_contain if not contains_fact(haystack, fact, normalized=True)]


def skeleton(text: str) -> str:
    """Letters and digits only, normalised.

    Ingestion rejoins hyphenated line ends, turns bullets into "- " and drops running headers, so a
    verbatim chunk excerpt and the raw PDF page differ in layout but never in their sequence of words.
    """
    return re.sub(r"[^a-z0-9]", "", normalize(text))


def _longest_prefix_in(needle: str, haystack: str) -> int:
    """Length of the longest prefix of needle found in haystack (membership is monotonic: bisect)."""
    low, high = 0, len(needle)
    while low < high:
        mid = (low + high + 1) // 2
        if needle[:mid] in haystack:
            low = mid
        else:
            high = mid - 1
    return low


def _found_across(piece: str, pages: Sequence[str]) -> bool:
    """True if piece is in one page, or runs on from the end of one page to the next ones."""
    for start in range(len(pages)):
        rest = piece
        for page in pages[start:]:
            if rest in page:
                return True
            taken = _longest_prefix_in(rest, page)
            if taken == 0:
                break
            rest = rest[taken:]
    return False


def excerpt_found(excerpt: str, page_texts: Sequence[str]) -> bool:
    """True if the excerpt (ellipses allowed between verbatim pieces) is in the pages, in order of pages."""
    pages = [skeleton(text) for text in page_texts]
    pieces = [skeleton(p) for p in ELLIPSIS_RE.split(excerpt)]
    pieces = [p for p in pieces if p]
    return bool(pieces) and all(_found_across(piece, pages) for piece in pieces)


def citation_pages(citation: Citation) -> range:
    """Pages covered by a citation (page_end 0 means a single page)."""
    return range(citation.page, max(citation.page, citation.page_end) + 1)


def cites(citation: Citation, source: str, page: int) -> bool:
    """True if the citation points at that page of that document (a page range containing it counts)."""
    return Path(citation.source).name == Path(source).name and page in citation_pages(citation)


def citation_valid(citation: Citation, page_text: PageText) -> bool:
    """True if the citation's excerpt is in the text of the cited page(s) of the cited document."""
    texts = [page_text(citation.source, page) for page in citation_pages(citation)]
    known = [t for t in texts if t is not None]
    return len(known) == len(texts) and excerpt_found(citation.excerpt, known)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """What one answer got right and wrong."""

    question: Question
    answer: Answer
    latency_ms: float
    missing: tuple[str, ...] = ()  # facts absent from the answer (first variant of each)
    rank: int | None = None  # 1-based rank of the first citation of an expected passage
    invalid_citations: tuple[int, ...] = ()  # n of citations whose excerpt is not in the cited page
    reasons: tuple[str, ...] = field(default_factory=tuple)  # French, for the failure list

    @property
    def answerable(self) -> bool:
        return not self.question.refuse

    @property
    def answer_correct(self) -> bool:
        """Answerable question: not refused and every fact present."""
        return self.answerable and not self.answer.refused and not self.missing

    @property
    def citation_correct(self) -> bool:
        return self.rank is not None

    @property
    def correct(self) -> bool:
        """The answer is right: the facts for an answerable question, a refusal for the others."""
        return self.answer.refused if self.question.refuse else self.answer_correct

    @property
    def failed(self) -> bool:
        return bool(self.reasons)

    def to_json(self) -> dict[str, Any]:
        q = self.question
        return {
            "id": q.id,
            "question": q.question,
            "category": q.category,
            "profile": q.profile,
            "refuse": q.refuse,
            "refused": self.answer.refused,
            "correct": self.correct,
            "citation_correct": self.citation_correct if self.answerable else None,
            "rank": self.rank,
            "missing": list(self.missing),
            "invalid_citations": list(self.invalid_citations),
            "latency_ms": round(self.latency_ms, 1),
            "answer": self.answer.text,
            "citations": [_cited(c) for c in self.answer.citations],
            "mode": self.answer.mode,
        }


def _cited(citation: Citation) -> str:
    pages = citation_pages(citation)
    span = f"p. {pages[0]}" if len(pages) == 1 else f"p. {pages[0]}-{pages[-1]}"
    return f"{citation.source} {span}"


def _passage(source: str, page: int) -> str:
    return f"{source} p. {page}"


def score(question: Question, answer: Answer, latency_ms: float, page_text: PageText) -> QuestionResult:
    """Score one answer: facts, expected citation and its rank, excerpt validity, failure reasons."""
    reasons: list[str] = []
    missing: list[str] = []
    rank: int | None = None
    if question.refuse:
        if not answer.refused:
            reasons.append("répond alors que l'information n'est dans aucun document")
    else:
        missing = missing_facts(answer.text, question.must_contain)
        for position, citation in enumerate(answer.citations, start=1):
            if any(cites(citation, source, page) for source, page in question.passages):
                rank = position
                break
        if answer.refused:
            reasons.append("refus à tort : la réponse est dans les documents")
        elif missing:
            reasons.append("fait(s) manquant(s) : " + " ; ".join(missing))
        if rank is None:
            reasons.append(
                "passage attendu non cité ("
                + " ou ".join(_passage(s, p) for s, p in question.passages)
                + ")"
            )
    invalid = tuple(c.n for c in answer.citations if not citation_valid(c, page_text))
    if invalid:
        reasons.append("extrait introuvable dans la page citée : " + ", ".join(f"[{n}]" for n in invalid))
    return QuestionResult(
        question=question,
        answer=answer,
        latency_ms=latency_ms,
        missing=tuple(missing),
        rank=rank,
        invalid_citations=invalid,
        reasons=tuple(reasons),
    )


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ratio(hits: int, total: int) -> float | None:
    """hits / total, or None when there is nothing to measure (never a misleading 0 or 1)."""
    return hits / total if total else None


def _groups(results: Sequence[QuestionResult], key: Callable[[Question], str]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[QuestionResult]] = {}
    for result in results:
        groups.setdefault(key(result.question), []).append(result)
    return {
        name: {"n": len(group), "accuracy": _ratio(sum(r.correct for r in group), len(group))}
        for name, group in sorted(groups.items())
    }


def _expected(question: Question) -> str:
    if question.refuse:
        return "refus (information absente des documents)"
    facts = " ; ".join(" | ".join(fact) for fact in question.must_contain)
    return f"{facts} — {_passage(question.source or '?', question.page or 0)}"


def aggregate(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """The run's metrics: accuracy, citations, retrieval, refusals, latency, breakdowns and failures."""
    answerable = [r for r in results if r.answerable]
    refusals = [r for r in results if not r.answerable]
    ranks = [r.rank for r in answerable]
    citations = sum(len(r.answer.citations) for r in results)
    invalid = sum(len(r.invalid_citations) for r in results)
    latencies = [r.latency_ms for r in results]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return {
        "questions": len(results),
        "refusal_questions": len(refusals),
        "answer_accuracy": _ratio(sum(r.answer_correct for r in answerable), len(answerable)),
        "citation_accuracy": _ratio(sum(r.citation_correct for r in answerable), len(answerable)),
        "retrieval_recall_at_1": _ratio(sum(1 for k in ranks if k is not None and k <= 1), len(answerable)),
        "retrieval_recall_at_5": _ratio(sum(1 for k in ranks if k is not None and k <= 5), len(answerable)),
        "mrr": sum(1 / k for k in ranks if k is not None) / len(answerable) if answerable else None,
        "refusal_accuracy": _ratio(sum(r.answer.refused for r in refusals), len(refusals)),
        "false_refusal_rate": _ratio(sum(r.answer.refused for r in answerable), len(answerable)),
        "citation_validity": _ratio(citations - invalid, citations),
        "citations_checked": citations,
        "latency_ms": {
            "p50": round(p50, 1) if p50 is not None else None,
            "p95": round(p95, 1) if p95 is not None else None,
        },
        "by_category": _groups(results, lambda q: q.category),
        "by_profile": _groups(results, lambda q: q.profile),
        "by_format": _groups(results, lambda q: q.format),
        "failures": [
            {
                "id": r.question.id,
                "question": r.question.question,
                "category": r.question.category,
                "expected": _expected(r.question),
                "got": r.answer.text,
                "citations": [_cited(c) for c in r.answer.citations],
                "reason": " ; ".join(r.reasons),
            }
            for r in results
            if r.failed
        ],
    }


class PdfPageText:
    """page_text for documents in folders: PDF pages as pypdf reads them, scans and other formats as ingested."""

    def __init__(self, *documents_dirs: Path | str) -> None:
        self.documents_dirs = [Path(d) for d in documents_dirs]
        self._pages: dict[str, list[str] | None] = {}

    def __call__(self, source: str, page: int) -> str | None:
        name = Path(source).name
        if name not in self._pages:
            self._pages[name] = self._read(name)
        pages = self._pages[name]
        if pages is None or not 1 <= page <= len(pages):
            return None
        return pages[page - 1]

    def _find(self, name: str) -> Path | None:
        for folder in self.documents_dirs:
            direct = folder / name
            if direct.is_file():
                return direct
            # Ingestion walks sub-folders too, and cites the bare file name.
            found = next((p for p in sorted(folder.rglob(name)) if p.is_file()), None)
            if found is not None:
                return found
        return None

    def _read(self, name: str) -> list[str] | None:
        path = self._find(name)
        if path is None:
            log.warning("cited document %s not found under %s", name, ", ".join(map(str, self.documents_dirs)))
            return None
        if path.suffix.lower() == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(path, strict=False)
            printed = [page.extract_text() or "" for page in reader.pages]
            if all(text.strip() for text in printed):
                # a table row is cited with its column headers ("Eure — Dotation 2023 : 512 300 €"), as the
                # ingested page reads it: either reading of the page vouches for an excerpt
                from ingest.pipeline import parse_file

                doc = parse_file(path)
                return [f"{text}\n{doc.page_text(n)}" for n, text in enumerate(printed, start=1)]
        # a scan's pages have no text layer: use the pages as ingested (read by OCR); .docx, .odt, .html,
        # .txt and .md have no printed pages: use the ingested pages they were cited from.
        from ingest.pipeline import parse_file

        doc = parse_file(path)
        return [doc.page_text(number) for number in range(1, doc.page_count + 1)]
