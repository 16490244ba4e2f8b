"""A citation of a sentence on page 2 of a passage that starts on page 1 says « p. 2 » in the API and in the page,
and its link opens the viewer at page 2 with the sentence highlighted (real `ars-assistant api` and `ui`
processes over a real two-page PDF, real headless Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import two_page_note as granville
from browser_app import RunningApp, copy_data_dir, open_page, running_api, running_ui, wait_warm
from playwright.sync_api import Browser, expect

from assistant.factory import run_ingest
from assistant.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def note_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory of the two-page note, ingested once; each server gets its own copy."""
    home = tmp_path_factory.mktemp("note-pages")
    documents = home / "documents"
    documents.mkdir()
    granville.write_note(documents)
    settings = Settings(data_dir=home / "data")
    assert run_ingest(settings, [documents]).ingested == 1
    return settings.data_dir


@pytest.fixture(scope="module")
def note_app(note_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    home = tmp_path_factory.mktemp("note-ui")
    with running_ui(home, copy_data_dir(note_data, home / "data")) as running:
        yield running


def test_the_api_cites_the_page_of_the_quoted_sentence(note_data: Path, tmp_path: Path):
    with running_api(tmp_path, {"ARS_DATA_DIR": str(copy_data_dir(note_data, tmp_path / "data"))}) as url:
        body = httpx.post(url + "/api/ask", json={"question": granville.GRANT_QUESTION}, timeout=120).json()
    assert not body["refused"] and "48 000 euros" in body["answer"]
    [citation] = [c for c in body["citations"] if c["excerpt"] == granville.GRANT]
    assert (citation["page"], citation["page_end"]) == (2, 2)


@pytest.mark.browser
def test_the_citation_opens_page_two_with_the_sentence_highlighted(browser: Browser, note_app: RunningApp):
    wait_warm(note_app.url)  # the first answer waits for the models: more than the 5 s of `expect` on a busy machine
    with open_page(browser, note_app.url) as page:
        page.get_by_placeholder("Votre question").fill(granville.GRANT_QUESTION)
        page.keyboard.press("Enter")
        citation = page.locator('[data-testid="bot"]').last.locator(".citation").first
        expect(citation).to_contain_text(granville.GRANT)
        expect(citation.locator(".cit-tete")).to_contain_text(f"{granville.TITLE} · p. 2")
        with page.context.expect_page() as opened:
            citation.get_by_role("link", name="Voir le passage, page 2").click()
        viewer = opened.value
        expect(viewer.locator("#document")).to_have_attribute("data-pret", "oui", timeout=60_000)
        assert parse_qs(urlsplit(viewer.url).query)["page"] == ["2"]
        expect(viewer.locator("#numero")).to_have_text("Page 2 / 2")
        expect(viewer.locator("#etat")).to_have_text("Passage surligné.")
        marked = " ".join(" ".join(viewer.locator("mark.surlignage").all_text_contents()).split())
        assert marked == granville.GRANT
        expect(viewer.locator("mark.surlignage").first).to_be_in_viewport()
