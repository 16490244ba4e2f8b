"""Issue 25, finding 1, as an attacker would do it: hostile uploads to a real `ars-assistant api` while a load
balancer polls /api/health. Every health answer must come in under a second (measured), and each upload
must get its French refusal (or be indexed) within ARS_PARSE_TIMEOUT: all the work on the file's text runs
in the limited reading child, none in the serving process."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest
from browser_app import HealthPoller, running_api, wait_warm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
import hostile_files  # noqa: E402  (the builders of tests/ingest/)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "jeton-de-test-0123456789"
TIMEOUT = 20


def _upload(url: str, name: str, data: bytes) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    response = httpx.post(
        url + "/api/documents", files={"file": (name, data)}, headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=TIMEOUT * 3 + 60,
    )
    return response, time.monotonic() - start


def test_health_answers_within_a_second_while_hostile_files_are_uploaded(tmp_path: Path):
    settings = {"ARS_DATA_DIR": str(tmp_path / "data"), "ARS_API_TOKENS": TOKEN, "ARS_PARSE_TIMEOUT": str(TIMEOUT)}
    with running_api(tmp_path / "api", settings) as url:
        wait_warm(url)
        poller = HealthPoller(url)
        poller.start()
        try:
            long_word, long_word_took = _upload(url, "mot-long.txt", hostile_files.long_word_text(200_000))
            bomb, bomb_took = _upload(url, "bombe.odt", hostile_files.odt_text_bomb(20))
            good, _ = _upload(url, "note.txt", b"Le plan crack dispose de 220 000 euros sur 3 ans.\n")
        finally:
            poller.stop.set()
            poller.join(60)
    # the long word: indexed, or refused in French at the time limit
    assert long_word.status_code in (201, 422), long_word.text
    if long_word.status_code == 422:
        assert f"lecture interrompue après {TIMEOUT} s" in long_word.json()["detail"], long_word.text
    assert long_word_took < TIMEOUT + 30, f"{long_word_took:.0f}s"
    assert bomb.status_code == 422 and "document OpenDocument refusé" in bomb.json()["detail"], bomb.text
    assert bomb_took < TIMEOUT, f"{bomb_took:.0f}s"
    assert good.status_code == 201, good.text  # and the service still indexes
    slowest = max(poller.durations)
    assert len(poller.durations) >= (long_word_took + bomb_took) / 1.5, poller.durations
    assert slowest < 1.0, f"/api/health took {slowest:.2f}s (answers: {len(poller.durations)})"
