"""The ars-assistant command as a user runs it: ingest, status, ask (text, JSON, stdin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARS_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    command = [sys.executable, "-c", "from ui.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, input=stdin, timeout=300, cwd=REPO)


def test_reingesting_unchanged_files_does_nothing_and_says_so(corpus_settings: Settings):
    result = run("ingest", "data/documents", data_dir=corpus_settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "0 ingéré(s), 2 déjà à jour" in result.stdout
    status = json.loads(run("status", "--json", data_dir=corpus_settings.data_dir).stdout)
    assert status["documents"] == 2 and status["chunks"] > 20 and status["store"] == "embedded"


def test_ask_prints_the_answer_and_its_sources_in_french(corpus_settings: Settings):
    result = run("ask", "combien pour le plan crack ?", data_dir=corpus_settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "220 000 euros" in result.stdout
    assert "Sources :" in result.stdout and "feuille-de-route-orne-bilan-2025.pdf, p. 6" in result.stdout


def test_ask_json_has_the_documented_fields(corpus_settings: Settings):
    result = run("ask", "--json", "c'est quoi un CRT ?", data_dir=corpus_settings.data_dir)
    answer = json.loads(result.stdout)
    assert {"question", "answer", "refused", "citations", "mode", "timings_ms"} <= answer.keys()
    assert answer["refused"] is False and answer["mode"] == "extractif"
    citation = answer["citations"][0]
    assert {"n", "source", "title", "page", "section", "excerpt", "score"} <= citation.keys()


def test_ask_reads_one_question_per_line_on_stdin(corpus_settings: Settings):
    questions = "combien pour le plan crack ?\n\nrecette de la teurgoule\nqui a signé la charte ?\n"
    result = run("ask", "--json", "-", data_dir=corpus_settings.data_dir, stdin=questions)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == [
        "combien pour le plan crack ?", "recette de la teurgoule", "qui a signé la charte ?"
    ]
    assert [a["refused"] for a in answers] == [False, True, False]


def test_ask_on_an_empty_index_says_what_to_do(tmp_path: Path):
    result = run("ask", "combien pour le plan crack ?", data_dir=tmp_path)
    assert result.returncode == 1
    assert "l'index est vide" in result.stderr and "ars-assistant ingest" in result.stderr
    assert "Traceback" not in result.stderr
