"""The CI gate: the real assistant over the question set must stay above the thresholds in Settings."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from eval.process import CLI

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.integration
@pytest.mark.slow
def test_eval_command_passes_the_gate_and_writes_reports(tmp_path: Path):
    env = {**os.environ, "ARS_DATA_DIR": str(tmp_path / "vide"), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    command = [*CLI, "eval", "--json",
               "--reports", str(tmp_path / "rapports")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=1800)
    suites = json.loads(result.stdout)
    summary = {name: {k: r[k] for k in ("answer_accuracy", "refusal_accuracy")} for name, r in suites.items()}
    assert result.returncode == 0, f"{summary} {result.stderr}"
    assert set(suites) == {"exemple", "formats", "reel-dev", "reel-test"}
    for name, report in suites.items():
        assert report["citation_validity"] == 1.0, name  # every excerpt shown is in its cited page
        assert {"p50", "p95"} <= report["latency_ms"].keys() and report["by_category"]
        assert (tmp_path / "rapports" / name / "rapport.md").exists()
    assert suites["reel-dev"]["questions"] >= 400 and suites["reel-test"]["questions"] >= 250
    assert suites["exemple"]["questions"] >= 100 and suites["exemple"]["refusal_questions"] >= 15
    # the locked split: aggregates only, in the output and in its reports
    assert "failures" not in suites["reel-test"] and "failures_hidden" in suites["reel-test"]
    locked = (tmp_path / "rapports" / "reel-test" / "rapport.json").read_text("utf-8")
    assert '"results"' not in locked and '"failures"' not in locked
    assert (tmp_path / "rapports" / "exemple" / "exactitude-par-categorie.png").stat().st_size > 1000


@pytest.mark.slow  # ingests the sample corpus
def test_eval_gate_fails_below_a_threshold(ars, tmp_path: Path):
    # A question whose expected fact is in no document: the assistant cannot reach the threshold.
    questions = tmp_path / "questions.jsonl"
    line = {"id": "x1", "question": "combien pour le plan crack ?", "must_contain": [["999 999 euros"]],
            "source": "feuille-de-route-orne-bilan-2025.pdf", "page": 6, "category": "montant",
            "profile": "facile", "refuse": False}
    questions.write_text(json.dumps(line, ensure_ascii=False) + "\n", "utf-8")
    result = ars("eval", str(questions), "--reports", str(tmp_path / "r"), data_dir=tmp_path / "vide")
    assert result.exit_code == 1
    assert "Seuil non atteint : questions : justesse des réponses 0.000" in result.stderr
