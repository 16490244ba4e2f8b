"""Feedback on answers: stored as JSON lines, updated with a comment, exported as candidate eval questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.feedback import FeedbackStore, clean_comment, feedback_path
from assistant.models import Citation
from assistant.settings import Settings

CITATION = Citation(
    n=1, source="feuille-de-route-orne-bilan-2025.pdf", title="Feuille de route", page=6, section="Plan crack",
    excerpt="220 000 euros sur 3 ans", score=0.9,
)


def test_a_rating_is_stored_with_its_question_answer_and_citations(tmp_path: Path):
    store = FeedbackStore(feedback_path(Settings(data_dir=tmp_path)))
    record_id = store.add("combien pour le plan crack ?", "220 000 euros [1]", [CITATION], "down", user="marie")
    (record,) = store.records()
    assert record["id"] == record_id and record["rating"] == "down" and record["user"] == "marie"
    assert record["question"] == "combien pour le plan crack ?" and record["answer"] == "220 000 euros [1]"
    assert record["citations"][0]["source"] == CITATION.source and record["citations"][0]["page"] == 6
    assert record["time"].endswith("+00:00") and record["comment"] == ""
    assert (tmp_path / "feedback.jsonl").exists()


def test_a_comment_and_a_changed_rating_update_the_record_in_place(tmp_path: Path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    first = store.add("q1", "a1", [], "up")
    second = store.add("q2", "a2", [], "up")
    with store.path.open("a", encoding="utf-8") as out:
        out.write("ligne abîmée\n")
    assert store.update(second, rating="down", comment="  Il manque le montant total.\x07 ")
    assert not store.update("inconnu", comment="x")
    records = {r["id"]: r for r in store.records()}
    assert records[first]["rating"] == "up" and records[first]["comment"] == ""
    assert records[second]["rating"] == "down" and records[second]["comment"] == "Il manque le montant total."
    assert "ligne abîmée" in store.path.read_text(encoding="utf-8"), "unreadable lines are kept as they were"


def test_ratings_are_up_or_down_and_comments_are_bounded(tmp_path: Path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    with pytest.raises(ValueError):
        store.add("q", "a", [], "bof")  # type: ignore[arg-type]
    assert len(clean_comment("x" * 10_000)) == 2000
    assert clean_comment("ligne 1\nligne 2\x00") == "ligne 1\nligne 2"


def test_feedback_export_writes_thumbs_down_as_candidate_questions(ars, tmp_path: Path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    store.add("combien pour le plan crack ?", "220 000 euros [1]", [CITATION], "down", comment="Il manque le total.")
    store.add("qui a signé la charte ?", "Le préfet [1]", [], "up")
    out = tmp_path / "candidates.jsonl"
    result = ars("feedback", "export", "--out", str(out), data_dir=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "1 question candidate écrite" in result.stdout and "(2 retours, dont 1 négatif)" in result.stdout
    (candidate,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert candidate["question"] == "combien pour le plan crack ?" and candidate["comment"] == "Il manque le total."
    assert candidate["source"] == CITATION.source and candidate["page"] == 6 and candidate["category"] == "retour"


def test_feedback_export_without_feedback_says_where_it_comes_from(ars, tmp_path: Path):
    result = ars("feedback", "export", data_dir=tmp_path)
    assert result.exit_code == 1
    assert "aucun retour enregistré" in result.stderr and "ars-assistant ui" in result.stderr
