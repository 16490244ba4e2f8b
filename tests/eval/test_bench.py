"""The benchmark command as a user runs it, in its quick mode: it measures every part and writes both
reports. Shapes only: no figure is asserted (they depend on the machine)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from eval.bench import percentiles
from eval.process import CLI
from eval.synthetic import vary_markdown

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.integration
def test_quick_bench_measures_every_part_and_writes_json_and_markdown(tmp_path: Path):
    env = {**os.environ, "ARS_DATA_DIR": str(tmp_path / "untouched"), "HF_HUB_OFFLINE": "1",
           "ANONYMIZED_TELEMETRY": "False"}
    modes = "embedded,server" if (Path(sys.executable).parent / "chroma").exists() else "embedded"
    command = [*CLI, "bench", "--sizes", "200", "--quick",
               "--modes", modes, "--work-dir", str(tmp_path / "work"), "--out", str(tmp_path / "out")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Rapports :" in result.stdout
    assert not (tmp_path / "untouched").exists(), "the user's index is never written"

    report = json.loads((tmp_path / "out" / "bench.json").read_text(encoding="utf-8"))
    assert {"machine", "ingest", "query", "cold_start", "targets", "load_average"} <= report.keys()
    ingest = report["ingest"]
    assert ingest["chunks"] > 0 and ingest["pages"] > 0 and ingest["format"] == "pdf"
    assert set(ingest["stages"]) == {"parse", "chunk", "embed", "write"}
    assert ingest["encoded"] == ingest["distinct_texts"] == ingest["chunks"], "no passage repeats"
    assert ingest["ratio_to_encoder"] > 0 and ingest["peak_rss_mb"] > 0
    assert [(r["mode"], r["size"]) for r in report["query"]] == [(m, 200) for m in modes.split(",")]
    for row in report["query"]:
        assert row["chunks"] == 200 and row["encoder_fallbacks"] == 0  # vectors given, never encoded
        assert {"p50", "p95"} <= row["retrieval_ms"].keys() and {"p50", "p95"} <= row["answer_ms"].keys()
        assert row["serving_peak_rss_mb"] > 0 and row["disk_mb"] > 0
    for cold in report["cold_start"]:
        assert cold["ask_s"] > 0 and cold["ui_s"] > 0 and cold["status_s"] > 0 and cold["help_s"] > 0
    assert all({"name", "value", "target", "ok"} <= t.keys() for t in report["targets"])

    markdown = (tmp_path / "out" / "bench.md").read_text(encoding="utf-8")
    for heading in ("## Ingestion", "## Questions, démarrage, mémoire", "## Objectifs"):
        assert heading in markdown
    assert "| embarqué | 200 |" in markdown


def test_bad_sizes_are_refused_before_any_work(ars, tmp_path: Path):
    result = ars("bench", "--sizes", "mille", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0 and "1000,10000,100000" in result.stderr
    assert not (tmp_path / "out").exists()


def test_synthetic_documents_differ_from_the_sample_and_from_each_other():
    source = (REPO / "data" / "sources" / "feuille-de-route-orne-bilan-2025.md").read_text(encoding="utf-8")
    variants = [vary_markdown(source, n) for n in range(3)]
    titles = {title for title, _ in variants}
    assert len(titles) == 3
    paragraphs = [{line for line in text.splitlines() if len(line) > 200} for _, text in variants]
    assert paragraphs[0] != paragraphs[1] and not paragraphs[0] <= set(source.splitlines())
    assert all("2023-2028" in text for _, text in variants), "years are kept"


def test_percentiles_by_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    random.Random(0).shuffle(values)
    assert percentiles(values) == {"p50": 50.0, "p95": 95.0, "mean": 50.5, "max": 100.0}
