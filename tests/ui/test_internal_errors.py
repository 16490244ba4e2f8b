"""Bugs happen: when the assistant or the library fails inside the real app, the page says so in French and
shows no stack trace, no exception text, no file path of the server. The detail goes to the server's log."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from browser_app import open_page
from playwright.sync_api import Browser, Page, expect

from assistant.factory import open_index, run_ingest
from assistant.feedback import FeedbackStore
from assistant.library import Library, UploadResult
from assistant.models import Answer
from assistant.settings import Settings
from eval.process import free_port
from index.ingesting import OnStep
from ui.chat import ERROR_TEXT
from ui.documents import LIST_ERROR
from ui.server import NOT_FOUND, create_server
from ui.services import Services

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "/srv/ars/secret"  # in every exception message below: it must never reach the page
ORNE = "feuille-de-route-orne-bilan-2025.pdf"
GONE = "note-provisoire.txt"


class FailingAssistant:
    def ask_stream(self, question: str, history: Sequence[str] = ()) -> Iterator[Answer]:
        raise RuntimeError(f"KeyError in {SECRET}/assistant/service.py line 42")


class FailingLibrary(Library):
    """The real library, except that listing and adding fail as a bug would."""

    def documents(self) -> Any:
        raise OSError(f"[Errno 5] Input/output error: '{SECRET}/collections/ars/manifest.json'")

    def add(self, path: Path, name: str | None = None, on_step: OnStep | None = None) -> UploadResult:
        raise ValueError(f"cannot copy {path} to {SECRET}/uploads")


@dataclass
class Served:
    url: str
    data_dir: Path


@pytest.fixture(scope="module")
def failing_app(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The real server (create_server) around failing services, on a free port of 127.0.0.1, in a thread."""
    data_dir = Path(shutil.copytree(corpus_dir, tmp_path_factory.mktemp("ars-ui-errors") / "data"))
    settings = Settings(data_dir=data_dir)
    index = open_index(settings)
    gone = data_dir.parent / GONE
    gone.write_text("Note provisoire : 7 lits à Flers.\n", encoding="utf-8")
    assert run_ingest(settings, [gone], index=index).ingested == 1
    gone.unlink()  # indexed, then its file deleted (or moved) on the server
    services = Services(
        assistant=FailingAssistant(),  # type: ignore[arg-type]
        library=FailingLibrary(settings, index),
        feedback=FeedbackStore(data_dir / "feedback.jsonl"),
        settings=settings,
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_server(settings, services), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.1)
    yield Served(f"http://127.0.0.1:{port}", data_dir)
    server.should_exit = True
    thread.join(15)


@pytest.fixture
def page(browser: Browser, failing_app: Served) -> Iterator[Page]:
    with open_page(browser, failing_app.url) as tab:
        yield tab


def assert_nothing_leaks(page: Page, served: Served) -> None:
    for text in (page.inner_text("body"), page.content()):
        for leak in ("Traceback", "RuntimeError", "OSError", "ValueError", "Errno", SECRET, str(served.data_dir)):
            assert leak not in text, leak


def test_a_failing_assistant_gives_a_french_message_and_no_detail(page: Page, failing_app: Served):
    page.get_by_placeholder("Votre question").fill("combien pour le plan crack ?")
    page.keyboard.press("Enter")
    expect(page.locator('[data-testid="bot"]').last).to_contain_text(ERROR_TEXT)
    assert_nothing_leaks(page, failing_app)


def test_a_failing_library_gives_french_messages_and_no_detail(page: Page, failing_app: Served, tmp_path: Path):
    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#resume-documents")).to_contain_text(LIST_ERROR.split(" à cause")[0])
    page.get_by_role("button", name="Actualiser la liste").click()
    expect(page.locator("#resume-documents")).to_contain_text(LIST_ERROR.split(" à cause")[0])
    note = tmp_path / "note.txt"
    note.write_text("Note : 12 lits.\n", encoding="utf-8")
    page.locator("#envoi input[type=file]").set_input_files(note)
    expect(page.locator("#resultat-envoi")).to_contain_text("note.txt : erreur inattendue", timeout=60_000)
    assert_nothing_leaks(page, failing_app)


def test_a_cited_file_gone_from_the_disk_is_a_french_404_without_a_path(page: Page, failing_app: Served):
    assert page.request.get(f"{failing_app.url}/documents/{ORNE}").status == 200
    response = page.request.get(f"{failing_app.url}/documents/{GONE}")
    assert response.status == 404 and response.text() == NOT_FOUND
    config = page.request.get(f"{failing_app.url}/config").text()
    assert str(failing_app.data_dir) not in config and SECRET not in config
