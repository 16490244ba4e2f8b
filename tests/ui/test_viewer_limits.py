"""Issue 25: the viewer reads a document shown as text (.txt, .md, .html, .odt, .docx) in the ingest's reading
child, under ARS_PARSE_TIMEOUT, ARS_PARSE_MEMORY_MB and ARS_PARSE_MAX_CHARS, never in the serving process.

A web page that takes seconds to read, in a running `ars-assistant ui` with a 2 s limit: the viewer gives its
French message at the limit while /api/health keeps answering within a second (measured), and the next
document opens. Then each limit alone, on DocumentTexts, and its cache: a document read once is kept, and
reloads of a document being read wait for that one reading."""

from __future__ import annotations

import html
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from browser_app import HealthPoller, running_ui, wait_warm

from assistant.factory import read_limits, run_ingest
from assistant.settings import Settings
from ingest.errors import SkipFile
from ingest.prepare import Limits, read_limited
from ui import text_view
from ui.render import viewer_url
from ui.text_view import DocumentTexts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
import hostile_files  # noqa: E402  (the builders of tests/ingest/)

TIMEOUT = 2  # seconds; the slow page takes ~8 s to read on an idle machine
NOTE = "Plan crack\n\nLe plan crack dispose de 220 000 euros sur 3 ans pour Drog’Aide 61.\n"
SLOW = "page-lente.html"


@pytest.mark.integration
@pytest.mark.slow
def test_a_page_too_slow_to_read_gives_the_viewers_message_at_the_limit_while_the_service_answers(tmp_path: Path):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / SLOW).write_bytes(hostile_files.slow_html(60_000))
    (documents / "note.txt").write_text(NOTE, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")  # the default limits at ingest: both are indexed
    report = run_ingest(settings, [documents])
    assert report.ingested == 2, str(report)
    with running_ui(tmp_path, settings.data_dir, {"ARS_PARSE_TIMEOUT": str(TIMEOUT)}) as app:
        wait_warm(app.url)
        poller = HealthPoller(app.url)
        poller.start()
        try:
            start = time.monotonic()
            slow = httpx.get(app.url + viewer_url(SLOW, 1, "Le plan crack dispose"), timeout=120)
            slow_took = time.monotonic() - start
            note = httpx.get(app.url + viewer_url("note.txt", 1, "Le plan crack dispose de 220 000 euros"),
                             timeout=60)
        finally:
            poller.stop.set()
            poller.join(60)
    message = html.unescape(slow.text)
    assert slow.status_code == 422, message[:500]
    assert f"Ce document ne peut plus être lu : lecture interrompue après {TIMEOUT} s" in message, message[:500]
    assert "ARS_PARSE_TIMEOUT" in message
    assert slow_took < TIMEOUT + 10, f"{slow_took:.1f}s"
    assert note.status_code == 200 and '<mark class="surlignage">Le plan crack dispose de 220 000 euros' in note.text
    assert len(poller.durations) >= slow_took / 1.5, poller.durations
    slowest = max(poller.durations)
    assert slowest < 1.0, f"/api/health took {slowest:.2f}s (answers: {len(poller.durations)})"


@pytest.mark.parametrize(
    ("name", "content", "limits", "reason"),
    [
        (SLOW, hostile_files.slow_html(60_000), Limits(1, 0, 0), "lecture interrompue après 1 s"),
        ("long.txt", ("Plan crack\n\n" + NOTE * 500_000).encode(), Limits(60, 50, 0),  # 42 MB, read+decoded
         "fichier trop gros à lire en mémoire (plus de 50 Mo)"),
        ("note.txt", NOTE.encode(), Limits(60, 0, 20), "texte trop long"),
    ],
    ids=["ARS_PARSE_TIMEOUT", "ARS_PARSE_MEMORY_MB", "ARS_PARSE_MAX_CHARS"],
)
def test_each_reading_limit_applies_to_the_viewer(
    tmp_path: Path, request: pytest.FixtureRequest, name: str, content: bytes, limits: Limits, reason: str
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SkipFile) as refused:
        DocumentTexts(limits).blocks(path)
    assert reason in str(refused.value) and request.node.callspec.id in str(refused.value)


def test_a_document_read_once_is_kept_and_not_read_again(tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text(NOTE, encoding="utf-8")
    texts = DocumentTexts(read_limits(Settings(data_dir=tmp_path)))
    blocks, pages = texts.blocks(path)
    assert pages == 1 and any("220 000 euros" in b.text for b in blocks)
    assert texts.blocks(path)[0] is blocks


def test_reloads_of_a_document_being_read_wait_for_that_one_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / SLOW
    path.write_bytes(hostile_files.slow_html(60_000))
    readings: list[Path] = []

    def counted(path: Path, limits: Limits) -> object:  # the real reading child, counted
        readings.append(path)
        return read_limited(path, limits)

    monkeypatch.setattr(text_view, "read_limited", counted)
    texts = DocumentTexts(Limits(1, 0, 0))

    def reload(_: int) -> str:
        with pytest.raises(SkipFile) as refused:
            texts.blocks(path)
        return str(refused.value)

    with ThreadPoolExecutor(4) as pool:
        reasons = list(pool.map(reload, range(4)))
    assert readings == [path] and all("lecture interrompue après 1 s" in r for r in reasons), reasons
    reload(0)  # a refusal is not kept: the host may be less busy next time
    assert readings == [path, path]
