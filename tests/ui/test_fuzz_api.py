"""scripts/fuzz_api.py, small, against a real `ars-assistant api` over a copy of the sample corpus: hostile
questions (long words, lone surrogates, wrong JSON shapes…) and hostile files (mutants, zip and flate bombs,
deep nesting, one long word…) get French answers or refusals, never a crash or a bare 500, and /api/health
answers throughout. The full run (10,000 questions, 2,000 files) is the script's default; its figures are in
docs/exploitation.md (« Fiabilité »)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from browser_app import REPO, copy_data_dir, running_api

sys.path.insert(0, str(REPO / "scripts"))

from fuzz_api import TOKEN, fuzz  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_small_fuzz_run_ends_with_no_crash_no_bare_500_and_health_answering(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
):
    home = tmp_path_factory.mktemp("ars-fuzz")
    data_dir = copy_data_dir(corpus_dir, home / "data")
    settings = {"ARS_DATA_DIR": str(data_dir), "ARS_API_TOKENS": TOKEN, "ARS_PARSE_TIMEOUT": "30"}
    with running_api(home, settings) as url:
        report = fuzz(url, TOKEN, questions=300, files=40, seed=7, workers=2, scratch=home, max_seconds=900)
    assert report["questions"] == 300 and report["files"] == 40, report
    assert report["crashes"] == 0, report["crash_samples"]
    assert report["bare_500"] == 0, report["bare_500_samples"]
    assert report["files_refused"] > 0 and report["files_accepted"] > 0  # both kinds were really tried
    assert report["health_failures"] == 0 and report["health_checks"] > 10, report
