"""The question set is well-formed and every expected fact is written in the page it cites."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from eval.metrics import contains_fact
from eval.questions import CATEGORIES, PROFILES, Question, load_questions
from ingest.clean import is_running_line, running_lines

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "questions.jsonl"
REAL_DEV = ROOT / "eval" / "real" / "dev" / "questions.jsonl"
DOCUMENTS = ROOT / "data" / "documents"

# Facts that run across a page break of the source document. The trophies' two kinds of
# attractiveness are printed "(attractivité" at the foot of page 2 and "métier)" at the top of
# page 3 of the press release: the fact is read from page 2 followed by page 3.
SPANS_PAGE_BREAK = {"q128"}


FORMATS = ROOT / "eval" / "formats"  # scans, tables, .odt and .html that the eval ingests beside the sample


def locate(source: str) -> Path:
    return DOCUMENTS / source if (DOCUMENTS / source).is_file() else FORMATS / source


@cache
def pdf_pages(source: str) -> tuple[str, ...]:
    """The text of each page as pypdf reads it; for a scan or another format, as ingested (OCR, .odt, .html)."""
    path = locate(source)
    if path.suffix == ".pdf":
        pages = tuple(page.extract_text() or "" for page in PdfReader(path).pages)
        if all(text.strip() for text in pages):
            return pages
    from ingest.pipeline import parse_file

    doc = parse_file(path)
    return tuple(doc.page_text(n) for n in range(1, doc.page_count + 1))


def body(source: str, page: int) -> str:
    """A page's text without the running header and footer (they sit between two pages' text)."""
    pages = [text.splitlines() for text in pdf_pages(source)]
    keys = running_lines(pages)
    return "\n".join(line for line in pages[page - 1] if not is_running_line(line, keys))


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(QUESTIONS)


def test_question_set_is_large_and_covers_every_category_and_profile(questions: list[Question]) -> None:
    assert len(questions) >= 110
    assert sum(q.refuse for q in questions) >= 18
    categories = Counter(q.category for q in questions)
    # contacts and purposes are asked about on the real corpus (eval/real), which the sample corpus lacks
    assert set(CATEGORIES) - {"retour", "contact", "objectif"} <= set(categories), categories
    real = Counter(q.category for q in load_questions(REAL_DEV))
    assert set(CATEGORIES) - {"retour"} <= set(real), real
    assert set(PROFILES) <= {q.profile for q in questions}
    assert len({q.id for q in questions}) == len(questions)
    assert len({q.question.strip().lower() for q in questions}) == len(questions), "a question is repeated"


def test_lines_are_typed_as_documented() -> None:
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert {"id", "question", "must_contain", "source", "page", "category", "profile", "refuse"} <= set(row)
        assert isinstance(row["id"], str) and isinstance(row["question"], str) and row["question"].strip()
        assert isinstance(row["refuse"], bool)
        assert all(isinstance(v, str) for fact in row["must_contain"] for v in fact)
        if row["refuse"]:
            assert row["must_contain"] == [] and row["source"] is None and row["page"] is None
            assert row["category"] == "hors_corpus"
        else:
            assert row["must_contain"], row["id"]
            assert isinstance(row["source"], str) and isinstance(row["page"], int)
            assert row["category"] != "hors_corpus"


def test_cited_pages_exist(questions: list[Question]) -> None:
    for question in questions:
        for source, page in question.passages:
            assert locate(source).is_file(), f"{question.id}: {source}"
            assert 1 <= page <= len(pdf_pages(source)), f"{question.id}: {source} p. {page}"


def test_every_expected_fact_is_in_its_cited_pdf_page(questions: list[Question]) -> None:
    """Proves the set is written from the documents: each fact, in one of its variants, is on the page."""
    missing = []
    for question in questions:
        for source, page in question.passages:
            text = pdf_pages(source)[page - 1]
            if question.id in SPANS_PAGE_BREAK and page < len(pdf_pages(source)):
                text = body(source, page) + "\n" + body(source, page + 1)
            missing += [
                f"{question.id} {source} p. {page}: {fact[0]!r}"
                for fact in question.must_contain
                if not contains_fact(text, fact)
            ]
    assert not missing, "\n".join(missing)


def test_multi_document_questions_are_answered_in_both_documents(questions: list[Question]) -> None:
    for question in (q for q in questions if q.profile == "multi-document"):
        assert len({source for source, _ in question.passages}) == 2, question.id


@pytest.mark.parametrize("name", ["questions-formats.jsonl", "questions-holdout.jsonl"])
def test_the_other_question_sets_cite_pages_that_hold_their_facts(name: str) -> None:
    """The formats set (scans, tables, .odt, .html) and the held-out set, written after the main set was
    tuned, obey the same rule: each expected fact is on a page it cites."""
    questions = load_questions(ROOT / "eval" / name)
    assert len(questions) >= 12
    missing = [
        f"{q.id} {q.source} p. {q.page}: {fact[0]!r}"
        for q in questions
        for fact in q.must_contain
        if not any(contains_fact(pdf_pages(source)[page - 1], fact) for source, page in q.passages)
    ]
    assert not missing, "\n".join(missing)
