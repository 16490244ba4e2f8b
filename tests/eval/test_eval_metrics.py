"""Metrics of an evaluation run, measured on a scripted assistant.

A deterministic fake assistant is right here: the code under test is the scoring, so each answer
is prepared to hit one case (a right answer, a missing fact, a wrong refusal, a citation rank...).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from assistant.models import REFUSAL, Answer, Citation
from eval.metrics import PdfPageText, excerpt_found, normalize, percentile
from eval.run import run_eval
from ingest.pipeline import parse_file
from ingest.split import chunk_document

ROOT = Path(__file__).resolve().parents[2]
DOC = "orne.pdf"
PAGES = {
    (DOC, 5): "Journée de prévention du suicide à Alençon, le 13 septembre 2024.",
    (DOC, 6): "l’ARS Normandie a déclenché en\n2022 le financement de deux projets majeurs : "
    "220 000 euros sur 3 ans pour un\nprojet porté par l’association Drog’Aide 61",
    (DOC, 7): "L’accueil au centre d’accueil (CAARUD) est renforcé.",
}
EXCERPT_6 = "220 000 euros sur 3 ans pour un projet porté par l’association Drog’Aide 61"


def page_text(source: str, page: int) -> str | None:
    return PAGES.get((source, page))


def cite(n: int, page: int, excerpt: str = EXCERPT_6, page_end: int = 0, source: str = DOC) -> Citation:
    return Citation(
        n=n, source=source, title="Orne", page=page, section="", excerpt=excerpt, score=1.0, page_end=page_end
    )


class ScriptedAssistant:
    """Returns the prepared Answer for each question text, like the real Assistant.ask would."""

    def __init__(self, answers: Mapping[str, tuple[str, tuple[Citation, ...], bool]]) -> None:
        self.answers = answers

    def ask(self, question: str) -> Answer:
        text, citations, refused = self.answers[question]
        return Answer(question=question, text=text, citations=citations, refused=refused)


def write_questions(path: Path, rows: list[dict[str, Any]]) -> Path:
    lines = []
    for i, row in enumerate(rows, start=1):
        base = {"id": f"t{i:02d}", "source": DOC, "page": 6, "category": "montant", "profile": "facile"}
        base["refuse"] = False
        lines.append(json.dumps(base | row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


CRACK = [["220 000", "220000"], ["3 ans", "trois ans"]]


def evaluate(tmp_path: Path, answers: Mapping[str, tuple[str, tuple[Citation, ...], bool]], **extra: Any) -> dict:
    rows = [{"question": q, "must_contain": CRACK} | extra for q in answers]
    path = write_questions(tmp_path / "q.jsonl", rows)
    return run_eval(ScriptedAssistant(answers), path, page_text=page_text)


def test_right_answer_with_right_citation_counts_right(tmp_path: Path) -> None:
    report = evaluate(tmp_path, {"combien pour le plan crack ?": ("220 000 € sur 3 ans [1].", (cite(1, 6),), False)})
    assert report["answer_accuracy"] == 1.0
    assert report["citation_accuracy"] == 1.0
    assert report["retrieval_recall_at_1"] == 1.0 and report["mrr"] == 1.0
    assert report["citation_validity"] == 1.0
    assert report["false_refusal_rate"] == 0.0
    assert report["failures"] == []


def test_a_missing_fact_makes_the_answer_wrong(tmp_path: Path) -> None:
    report = evaluate(tmp_path, {"plan crack ?": ("220 000 € pour Drog'Aide 61 [1].", (cite(1, 6),), False)})
    assert report["answer_accuracy"] == 0.0
    assert report["citation_accuracy"] == 1.0  # the citation is still right
    [failure] = report["failures"]
    assert "3 ans" in failure["reason"] and failure["got"].startswith("220 000")


def test_refusing_an_answerable_question_is_a_false_refusal(tmp_path: Path) -> None:
    report = evaluate(
        tmp_path,
        {
            "combien pour le plan crack ?": (REFUSAL, (), True),
            "montant drog aide": ("220 000 € sur 3 ans [1].", (cite(1, 6),), False),
        },
    )
    assert report["false_refusal_rate"] == 0.5
    assert report["answer_accuracy"] == 0.5
    assert "refus à tort" in report["failures"][0]["reason"]


@pytest.mark.parametrize("figure", ["220 000", "220\u00a0000", "220\u202f000", "220000", "220.000"])
def test_thousands_separators_are_normalised(tmp_path: Path, figure: str) -> None:
    answer = (f"{figure} euros sur trois ans [1]", (cite(1, 6),), False)
    report = evaluate(tmp_path, {"combien pour le plan crack": answer})
    assert report["answer_accuracy"] == 1.0


def test_normalisation_folds_case_accents_apostrophes_and_spaces() -> None:
    assert normalize("Drog’Aide 61 — ALENÇON – Mamers") == normalize("drog'aide 61 - alencon-mamers")
    assert normalize("1,9 %") == normalize("1,9%") != normalize("19%")
    assert normalize("900 €") == "900€" and normalize("900 euros") != normalize("900 €")  # no €/euros magic
    assert normalize("le 13 septembre 2024 200 personnes").endswith("2024 200 personnes")  # not a thousands group


def test_a_citation_page_range_containing_the_page_counts(tmp_path: Path) -> None:
    spanning = cite(1, 5, excerpt="13 septembre 2024. … 220 000 euros sur 3 ans", page_end=7)
    report = evaluate(tmp_path, {"crack": ("220 000 € sur 3 ans [1]", (spanning,), False)})
    assert report["citation_accuracy"] == 1.0 and report["citation_validity"] == 1.0


def test_an_excerpt_absent_from_the_cited_page_lowers_citation_validity(tmp_path: Path) -> None:
    invented = cite(2, 6, excerpt="320 000 euros sur 5 ans pour la ville de Caen")
    unknown_doc = cite(3, 6, source="absent.pdf")
    answer = ("220 000 € sur 3 ans [1][2][3]", (cite(1, 6), invented, unknown_doc), False)
    report = evaluate(tmp_path, {"crack": answer})
    assert report["citation_validity"] == pytest.approx(1 / 3)
    assert "[2], [3]" in report["failures"][0]["reason"]


def test_recall_and_mrr_follow_the_rank_of_the_first_right_citation(tmp_path: Path) -> None:
    wrong = cite(1, 7, excerpt="CAARUD")
    answers = {
        "rang 1": ("220 000 € sur 3 ans", (cite(1, 6), wrong), False),
        "rang 2": ("220 000 € sur 3 ans", (wrong, cite(2, 6)), False),
        "rang 6": ("220 000 € sur 3 ans", (wrong,) * 5 + (cite(6, 6),), False),
        "jamais": ("220 000 € sur 3 ans", (wrong,), False),
    }
    report = evaluate(tmp_path, answers)
    assert report["retrieval_recall_at_1"] == 0.25
    assert report["retrieval_recall_at_5"] == 0.5
    assert report["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 6 + 0) / 4)
    assert report["citation_accuracy"] == 0.75
    assert [r["rank"] for r in report["results"]] == [1, 2, 6, None]


def test_an_alternate_passage_counts_as_the_expected_one(tmp_path: Path) -> None:
    alt = cite(1, 5, excerpt="13 septembre 2024")
    report = evaluate(
        tmp_path, {"crack": ("220 000 € sur 3 ans [1]", (alt,), False)}, alternates=[{"source": DOC, "page": 5}]
    )
    assert report["citation_accuracy"] == 1.0


def test_refusal_questions_score_refusals(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {"question": "budget crack calvados", "must_contain": [], "source": None, "page": None,
         "category": "hors_corpus", "profile": "piège", "refuse": True},
        {"question": "meteo caen", "must_contain": [], "source": None, "page": None,
         "category": "hors_corpus", "profile": "facile", "refuse": True},
        {"question": "plan crack", "must_contain": CRACK},
    ]
    answers = {
        "budget crack calvados": ("220 000 € sur 3 ans [1]", (cite(1, 6),), False),  # answered: wrong
        "meteo caen": (REFUSAL, (), True),
        "plan crack": ("220 000 € sur 3 ans [1]", (cite(1, 6),), False),
    }
    report = run_eval(ScriptedAssistant(answers), write_questions(tmp_path / "q.jsonl", rows), page_text=page_text)
    assert report["questions"] == 3 and report["refusal_questions"] == 2
    assert report["refusal_accuracy"] == 0.5
    assert report["answer_accuracy"] == 1.0  # over answerable questions only
    assert report["by_category"]["hors_corpus"] == {"n": 2, "accuracy": 0.5}
    assert report["by_profile"]["piège"]["accuracy"] == 0.0
    assert [f["id"] for f in report["failures"]] == ["t01"]


def test_limit_and_latency(tmp_path: Path) -> None:
    answers = {f"q{i}": ("220 000 € sur 3 ans [1]", (cite(1, 6),), False) for i in range(5)}
    rows = [{"question": q, "must_contain": CRACK} for q in answers]
    report = run_eval(ScriptedAssistant(answers), write_questions(tmp_path / "q.jsonl", rows), page_text, limit=3)
    assert report["questions"] == 3
    assert 0 <= report["latency_ms"]["p50"] <= report["latency_ms"]["p95"]


def test_percentile_interpolates() -> None:
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([100] * 19 + [2000], 95) == pytest.approx(100 + 0.05 * 1900)
    assert percentile([], 50) is None


def test_default_page_text_reads_the_real_pdf_pages() -> None:
    pages = PdfPageText(ROOT / "data" / "documents")
    assert "220 000" in (pages("feuille-de-route-orne-bilan-2025.pdf", 6) or "")
    assert pages("feuille-de-route-orne-bilan-2025.pdf", 99) is None
    assert pages("absent.pdf", 1) is None


def test_excerpts_of_real_ingested_chunks_are_found_in_their_pdf_pages() -> None:
    """Chunks are cleaned (hyphens rejoined, bullets as "- "): still valid against the raw pypdf pages."""
    pages = PdfPageText(ROOT / "data" / "documents")
    path = ROOT / "data" / "documents" / "feuille-de-route-orne-bilan-2025.pdf"
    for chunk in chunk_document(parse_file(path)):
        cited = [pages(chunk.source, p) or "" for p in range(chunk.page, chunk.page_end + 1)]
        assert excerpt_found(chunk.text, cited), (chunk.page, chunk.text[:80])
        neighbour = pages(chunk.source, chunk.page % 13 + 1) or ""
        assert not excerpt_found(chunk.text, [neighbour])
