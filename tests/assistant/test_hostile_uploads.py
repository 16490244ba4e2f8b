"""Hostile files through the real ingest (`run_ingest`, reading children and all): the work on their text
(reading, chunking, the fiche) runs in the limited child, so a file whose text is slow to work on costs at
most ARS_PARSE_TIMEOUT, never the calling process's time (issue 25, finding 1)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from assistant.factory import open_index, run_ingest
from assistant.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
import hostile_files  # noqa: E402  (the builders of tests/ingest/)

TIMEOUT = 10.0
GOOD = "# Plan crack\n\nLe plan crack dispose de 220 000 euros sur 3 ans pour Drog’Aide 61.\n"


@pytest.mark.slow
def test_a_long_word_and_an_odt_bomb_cost_at_most_the_time_limit_and_the_batch_goes_on(tmp_path: Path):
    folder = tmp_path / "lot"
    folder.mkdir()
    (folder / "mot-long.txt").write_bytes(hostile_files.long_word_text(200_000))
    (folder / "bombe.odt").write_bytes(hostile_files.odt_text_bomb(20))
    (folder / "bon.txt").write_text(GOOD, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "ars", parse_timeout=TIMEOUT)
    start = time.monotonic()
    report = run_ingest(settings, [folder])
    elapsed = time.monotonic() - start
    reasons = {s.path.name: s.reason for s in report.skipped}
    assert "bombe.odt" in reasons and reasons["bombe.odt"].startswith("document OpenDocument refusé"), reasons
    # the long word: read (once its sentence splitting is linear) or stopped at the limit, in French
    if "mot-long.txt" in reasons:
        assert reasons["mot-long.txt"].startswith(f"lecture interrompue après {TIMEOUT:g} s"), reasons
    assert report.ingested == 3 - len(reasons)
    # before, its fiche ran in this process, unbounded: minutes for 200 KB (quadratic URL_RE)
    assert elapsed < TIMEOUT * 2 + 60, f"{elapsed:.0f}s"


def test_a_document_longer_than_the_text_limit_is_refused_in_french(tmp_path: Path):
    note = tmp_path / "long.txt"
    note.write_text("# Rapport\n\n" + "Les équipes mobiles interviennent chaque semaine. " * 1000, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "ars", parse_max_chars=20_000)
    report = run_ingest(settings, [note])
    assert report.ingested == 0
    assert report.skipped[0].reason.startswith("texte trop long (")
    assert "maximum 20\u202f000" in report.skipped[0].reason and "ARS_PARSE_MAX_CHARS" in report.skipped[0].reason


@pytest.mark.slow
def test_chunks_and_fiche_made_in_the_child_are_those_made_in_process(tmp_path: Path):
    """The same document, chunked and described in the child (a time limit) and in this process (none)."""
    note = tmp_path / "note.txt"
    note.write_text(GOOD + "\n## Équipes\n\nLe CSAPA (centre de soins) compte 12 équipes mobiles.\n", encoding="utf-8")
    limited = run_ingest(Settings(data_dir=tmp_path / "a", parse_timeout=30), [note])
    direct = run_ingest(Settings(data_dir=tmp_path / "b", parse_timeout=0), [note])
    assert limited.ingested == direct.ingested == 1
    assert limited.chunks == direct.chunks > 0
    assert _fiche(tmp_path / "a") == _fiche(tmp_path / "b") is not None


def _fiche(data_dir: Path) -> dict[str, object] | None:
    index = open_index(Settings(data_dir=data_dir))
    (record,) = index.documents()
    return index.fiche(record.doc_id)
