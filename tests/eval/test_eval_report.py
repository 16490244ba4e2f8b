"""Report files in French, and UI feedback turned into candidate questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from assistant.models import REFUSAL, Answer, Citation
from eval.questions import load_questions
from eval.report import print_report, write_reports
from eval.run import feedback_to_questions, run_eval
from ingest.errors import UserError

DOC = "orne.pdf"
PAGE = "L’ARS a publié un appel à candidatures le 11 mai 2023. Le CRT a été créé le 1er novembre 2023."


class ScriptedAssistant:
    """Deterministic stand-in: the report code is under test, not the answers."""

    def ask(self, question: str) -> Answer:
        if "quand" in question:
            citation = Citation(1, DOC, "Orne", 3, "", "Le CRT a été créé le 1er novembre 2023.", 1.0)
            return Answer(question, "Le 1er novembre 2023 [1].", (citation,))
        return Answer(question, REFUSAL, (), refused=True)


@pytest.fixture
def report(tmp_path: Path) -> dict:
    rows = [
        {"id": "a1", "question": "crt cree quand", "must_contain": [["1er novembre 2023"]], "source": DOC,
         "page": 3, "category": "date", "profile": "facile", "refuse": False},
        {"id": "a2", "question": "enveloppe crt", "must_contain": [["400 000"]], "source": DOC,
         "page": 3, "category": "montant", "profile": "facile", "refuse": False},
        {"id": "a3", "question": "meteo", "must_contain": [], "source": None, "page": None,
         "category": "hors_corpus", "profile": "facile", "refuse": True},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return run_eval(ScriptedAssistant(), path, page_text=lambda s, p: PAGE if (s, p) == (DOC, 3) else None)


def test_reports_are_written_with_failures_listed(report: dict, tmp_path: Path) -> None:
    files = write_reports(report, tmp_path / "reports")
    assert json.loads(files.json.read_text(encoding="utf-8"))["answer_accuracy"] == 0.5
    assert files.chart.read_bytes().startswith(b"\x89PNG")
    text = files.markdown.read_text(encoding="utf-8")
    assert "## Échecs (1)" in text
    assert "a2 — enveloppe crt" in text and "refus à tort" in text and "400 000" in text
    assert "a1 —" not in text  # a success is not a failure
    assert f"]({files.chart.name})" in text  # the chart sits beside the Markdown


def test_terminal_table_has_french_headings(report: dict) -> None:
    console = Console(record=True, width=120)
    print_report(report, console)
    out = console.export_text()
    assert "Réponses exactes" in out and "Refus justifiés" in out and "Latence p95" in out
    assert "50,0 %" in out and "Catégorie" in out and "Échecs : 1" in out


def test_feedback_thumbs_down_become_candidate_questions(tmp_path: Path) -> None:
    records = [
        {"question": "combien pour le plan crack ?", "answer": "44 000 €", "rating": "down",
         "comment": "c'est 220 000 €", "time": "2025-02-01T10:00:00",
         "citations": [{"n": 1, "source": "orne.pdf", "page": 6, "excerpt": "..."}]},
        {"question": "c'est quoi un CRT", "answer": "...", "rating": "up", "comment": "", "citations": []},
        {"question": "qui signe la charte", "answer": REFUSAL, "rating": "down", "comment": "refus à tort",
         "citations": []},
    ]
    feedback = tmp_path / "retours.jsonl"
    feedback.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\nnot json\n", "utf-8")
    out = tmp_path / "candidats.jsonl"
    assert feedback_to_questions(feedback, out) == 2
    first, second = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert first["question"] == "combien pour le plan crack ?" and first["comment"] == "c'est 220 000 €"
    assert (first["source"], first["page"], first["must_contain"]) == ("orne.pdf", 6, [])
    assert (first["category"], first["profile"], first["refuse"]) == ("retour", "moyenne", False)
    assert second["source"] is None and second["page"] is None
    # A candidate is used only once a reviewer has written its facts from the document.
    with pytest.raises(UserError, match="must_contain"):
        load_questions(out)
    first["must_contain"] = [["220 000"]]
    out.write_text(json.dumps(first, ensure_ascii=False) + "\n", encoding="utf-8")
    assert load_questions(out)[0].category == "retour"


def test_bad_question_files_say_which_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    good = {"id": "x", "question": "q", "must_contain": [["a"]], "source": DOC, "page": 1,
            "category": "date", "profile": "facile", "refuse": False}
    path.write_text(json.dumps(good) + "\n" + json.dumps(good | {"category": "autre"}) + "\n", "utf-8")
    with pytest.raises(UserError, match="ligne 2.*catégorie inconnue"):
        load_questions(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n", "utf-8")
    with pytest.raises(UserError, match="en double"):
        load_questions(path)
    with pytest.raises(UserError, match="introuvable"):
        load_questions(tmp_path / "absent.jsonl")


def test_the_comparison_puts_each_suite_under_every_scorer_side_by_side() -> None:
    from eval.report import comparison_markdown

    def report(answers: float, traps: float) -> dict[str, object]:
        return {"answer_accuracy": answers, "refusal_accuracy": traps, "false_refusal_rate": 0.1,
                "citation_accuracy": 0.8, "latency_ms": {"p50": 52.4, "p95": 203.0}}

    table = comparison_markdown({"appris": {"reel-dev": report(0.713, 0.678), "reel-test": report(0.692, 0.68)},
                                 "lecteur": {"reel-dev": report(0.728, 0.678), "reel-test": report(0.701, 0.681)}})
    rows = table.splitlines()[2:]
    assert rows == [
        "| reel-dev | appris | 71,3 % | 67,8 % | 10,0 % | 80,0 % | 52 ms / 203 ms |",
        "| reel-dev | lecteur | 72,8 % | 67,8 % | 10,0 % | 80,0 % | 52 ms / 203 ms |",
        "| reel-test | appris | 69,2 % | 68,0 % | 10,0 % | 80,0 % | 52 ms / 203 ms |",
        "| reel-test | lecteur | 70,1 % | 68,1 % | 10,0 % | 80,0 % | 52 ms / 203 ms |",
    ]


@pytest.mark.slow  # ingests the sample corpus, then asks with each scorer
def test_eval_compares_the_answer_scorers_on_the_same_questions(ars, tmp_path: Path) -> None:
    result = ars("eval", "eval/questions.jsonl", "--comparer", "--json", "--limit", "3",
                 "--reports", str(tmp_path / "r"), data_dir=tmp_path / "vide")
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert list(figures) == ["manuel", "appris", "lecteur"]
    for by_suite in figures.values():
        assert by_suite["questions"]["questions"] == 3 and "p95" in by_suite["questions"]["latency_ms"]
    table = (tmp_path / "r" / "comparaison.md").read_text("utf-8")
    assert "| questions | manuel |" in table and "| questions | lecteur |" in table
