"""The real app, once per session: the sample corpus ingested into a temp data dir, `ars-assistant ui` in a
subprocess on a free port, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_app import MAX_UPLOAD_MB, REPO, RunningApp, copy_data_dir, free_port
from playwright.sync_api import Browser, Page

from assistant.ingesting import run_ingest
from assistant.settings import Settings

CHROMIUM = Path(os.environ.get("ARS_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the sample corpus, ingested with the real embedding model."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("ars-ui-corpus"), documents_dir=REPO / "data" / "documents")
    report = run_ingest(settings, [settings.documents_dir])
    assert report.ingested == 2, str(report)
    return settings.data_dir


@pytest.fixture(scope="session")
def app(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` serving a copy of the corpus; stopped (by its pid) at the end of the session."""
    home = tmp_path_factory.mktemp("ars-ui-app")
    data_dir = copy_data_dir(corpus_dir, home / "data")
    port = free_port()
    log = home / "ui.log"
    env = {
        **os.environ,
        "ARS_DATA_DIR": str(data_dir),
        "ARS_UI_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-c", "from ui.cli import main; main()", "ui", "--port", str(port)]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"the UI exited with code {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the UI did not answer on {url} within 120 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield RunningApp(url, data_dir, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.url)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(app.url + "/")
    tab.get_by_placeholder("Votre question").wait_for()
    yield tab
    context.close()
