"""The real app, once per session: the sample corpus ingested into a temp data dir, `ars-assistant ui` in a
subprocess on a free port, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_app import MAX_UPLOAD_MB, RunningApp, copy_data_dir, open_page
from playwright.sync_api import Browser, Page

from assistant.ingesting import run_ingest
from assistant.settings import Settings
from eval.process import CLI, NotReady, free_port, serving

CHROMIUM = Path(os.environ.get("ARS_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCAN = "arrete-centre-sante-vire-scan.pdf"
WEB_PAGE = "actualite-campagne-grippe-2024.html"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def corpus_dir(corpus_settings: Settings) -> Path:
    """The data directory of the sample corpus ingested once per session (tests/conftest.py); copy it to write."""
    return corpus_settings.data_dir


@pytest.fixture(scope="session")
def app(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` serving a copy of the corpus; stopped (by its pid) at the end of the session."""
    home = tmp_path_factory.mktemp("ars-ui-app")
    with running_ui(home, copy_data_dir(corpus_dir, home / "data")) as running:
        yield running


@pytest.fixture(scope="session")
def formats_app(formats_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` serving the scanned PDF and the web page of the formats corpus (read by OCR and by the
    web page reader), for the viewer's tests."""
    home = tmp_path_factory.mktemp("ars-ui-formats")
    documents = home / "documents"
    documents.mkdir()
    for name in (SCAN, WEB_PAGE):
        shutil.copy(formats_corpus / name, documents / name)
    settings = Settings(data_dir=home / "data")
    report = run_ingest(settings, [documents])
    assert report.ingested == 2 and report.ocr_pages == 2, str(report)
    with running_ui(home, settings.data_dir) as running:
        yield running


@contextmanager
def running_ui(home: Path, data_dir: Path) -> Iterator[RunningApp]:
    """`ars-assistant ui` on a free port serving `data_dir`, until the block ends (stopped by its pid)."""
    port = free_port()
    log = home / "ui.log"
    env = {
        **os.environ,
        "ARS_DATA_DIR": str(data_dir),
        "ARS_UI_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    }
    url = f"http://127.0.0.1:{port}"
    try:
        with serving([*CLI, "ui", "--port", str(port)], url + "/", env=env, cwd=home, log=log):
            yield RunningApp(url, data_dir, log)
    except NotReady as exc:
        what = f"exited with code {exc.process.returncode}" if exc.exited else f"did not answer on {url} within 120 s"
        pytest.fail(f"the UI {what}:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium; missing Chromium fails the tests (run `sudo make system-deps`), never skips."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"Chromium absent ({CHROMIUM}) : installez-le avec `sudo make system-deps`."
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, app: RunningApp) -> Iterator[Page]:
    """A fresh browser session (own cookies, own Gradio session) at 1280 px, on the app's page."""
    with open_page(browser, app.url, clipboard=True) as tab:
        yield tab
