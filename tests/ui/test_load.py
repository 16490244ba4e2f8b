"""Twenty people asking at once through the Gradio API of the real app: every question answered, none fails."""

from __future__ import annotations

import json

import pytest
from browser_app import RunningApp

from eval.load import load_questions, percentile, run_load

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CLIENTS = 20
TOTAL = 100
TIME_LIMIT_S = 240


def test_twenty_concurrent_askers_get_every_answer_without_an_error(app: RunningApp):
    report = run_load(app.url, load_questions(), clients=CLIENTS, total=TOTAL, time_limit=TIME_LIMIT_S)
    print("\n" + json.dumps(report, ensure_ascii=False))
    assert report["errors"] == 0, report["error_samples"]
    assert report["answers"] == report["questions_asked"] == TOTAL, "time limit reached before the last question"
    assert report["throughput_qps"] > 0 and 0 < report["latency_ms"]["p50"] <= report["latency_ms"]["p95"]


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile([], 0.95)) == (50.0, 95.0, 0.0)
