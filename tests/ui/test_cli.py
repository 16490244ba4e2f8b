"""The ars-assistant command as a user runs it: ingest, status, ask (text, JSON, stdin) in process; then each
command once as a real process (the console entry point, its imports, its exit code)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from assistant.settings import Settings
from eval.process import CLI

REPO = Path(__file__).resolve().parents[2]


def test_reingesting_unchanged_files_does_nothing_and_says_so(ars, corpus_settings: Settings):
    result = ars("ingest", "data/documents", data_dir=corpus_settings.data_dir)
    assert result.exit_code == 0, result.stderr
    assert "0 ingéré, 2 déjà à jour" in result.stdout
    status = json.loads(ars("status", "--json", data_dir=corpus_settings.data_dir).stdout)
    assert status["documents"] == 2 and status["chunks"] > 20 and status["store"] == "embedded"


def test_ask_prints_the_answer_and_its_sources_in_french(ars, corpus_settings: Settings):
    result = ars("ask", "combien pour le plan crack ?", data_dir=corpus_settings.data_dir)
    assert result.exit_code == 0, result.stderr
    assert "220 000 euros" in result.stdout
    assert "Sources :" in result.stdout and "feuille-de-route-orne-bilan-2025.pdf, p. 6" in result.stdout


def test_ask_json_has_the_documented_fields(ars, corpus_settings: Settings):
    result = ars("ask", "--json", "c'est quoi un CRT ?", data_dir=corpus_settings.data_dir)
    answer = json.loads(result.stdout)
    assert {"question", "answer", "refused", "citations", "mode", "timings_ms"} <= answer.keys()
    assert answer["refused"] is False and answer["mode"] == "extractif"
    citation = answer["citations"][0]
    assert {"n", "source", "title", "page", "section", "excerpt", "score"} <= citation.keys()


def test_a_refusal_gives_its_closest_passages_in_json_and_in_text(ars, corpus_settings: Settings):
    question = "budget plan crack dans le calvados"
    answer = json.loads(ars("ask", "--json", question, data_dir=corpus_settings.data_dir).stdout)
    assert answer["refused"] is True and answer["citations"] == []
    closest = answer["closest"]
    assert 1 <= len(closest) <= 3
    assert all({"document", "source", "page", "text"} <= c.keys() and c["text"] and c["page"] >= 1 for c in closest)
    assert any("crack" in c["text"] for c in closest)
    shown = ars("ask", question, data_dir=corpus_settings.data_dir).stdout
    assert shown.startswith("Je ne trouve pas cette information") and "ce n'est pas une réponse" in shown
    assert f"« {closest[0]['text']} »" in shown and f"({closest[0]['source']}, p. {closest[0]['page']})" in shown
    crack = ars("ask", "--json", "combien pour le plan crack ?", data_dir=corpus_settings.data_dir)
    answered = json.loads(crack.stdout)
    assert answered["closest"] == []  # an answer is not followed by leads


def test_ask_reads_one_question_per_line_on_stdin(ars, corpus_settings: Settings):
    questions = "combien pour le plan crack ?\n\nrecette de la teurgoule\nqui a signé la charte ?\n"
    result = ars("ask", "--json", "-", data_dir=corpus_settings.data_dir, input=questions)
    assert result.exit_code == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == [
        "combien pour le plan crack ?", "recette de la teurgoule", "qui a signé la charte ?"
    ]
    assert [a["refused"] for a in answers] == [False, True, False]


def test_ask_on_an_empty_index_says_what_to_do(ars, tmp_path: Path):
    result = ars("ask", "combien pour le plan crack ?", data_dir=tmp_path)
    assert result.exit_code == 1
    assert "l'index est vide" in result.stderr and "ars-assistant ingest" in result.stderr
    assert "Traceback" not in result.stderr


# One run per command as a real process: ui, api, eval and bench have theirs in tests/ui/conftest.py (the app),
# tests/ui/browser_app.py (running_api), tests/eval/test_eval_gate.py and tests/eval/test_bench.py.
SMOKE = {
    "help": (["--help"], 0, "ars-assistant ingest data/documents"),
    "ingest": (["ingest", "data/documents"], 0, "2 déjà à jour"),
    "status": (["status"], 0, "Documents : 2"),
    "ask": (["ask", "combien pour le plan crack ?"], 0, "220 000 euros"),
    "glossary": (["glossary", "CTS"], 0, "CTS"),
    "documents": (["documents"], 0, "feuille-de-route-orne-bilan-2025.pdf"),
    "remove": (["remove", "absent.pdf"], 1, "aucun document « absent.pdf » dans l'index"),
    "feedback export": (["feedback", "export"], 1, "aucun retour enregistré"),
}


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("command", list(SMOKE))
def test_each_command_runs_as_a_process(command: str, corpus_settings: Settings, tmp_path: Path):
    args, code, expected = SMOKE[command]
    env = {**os.environ, "ARS_DATA_DIR": str(corpus_settings.data_dir), "HF_HUB_OFFLINE": "1",
           "ANONYMIZED_TELEMETRY": "False"}
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=300, cwd=REPO)
    assert result.returncode == code, result.stderr
    assert expected in (result.stdout if code == 0 else result.stderr)
    assert "Traceback" not in result.stderr
