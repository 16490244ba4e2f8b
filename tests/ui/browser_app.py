"""Helpers of the UI tests: where screenshots go, the running app's address, a browser tab on a page, a running
`ars-assistant api`, a load balancer's health checks. The PDF an agent would upload is in tests/pdfs.py."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from eval.process import CLI, NotReady, free_port, serving

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
MAX_UPLOAD_MB = 1  # small, so that the size limit is tested with a small file


@dataclass(frozen=True)
class RunningApp:
    url: str
    data_dir: Path
    log: Path


def ask(page: Page, question: str) -> Locator:
    """Type a question, press Enter, and return the finished answer (sources or refusal shown)."""
    page.get_by_placeholder("Votre question").fill(question)
    page.keyboard.press("Enter")
    answers = page.locator('[data-testid="bot"]')
    answer = answers.last
    expect(answer.locator(".citation, .refus").first).to_be_visible()
    return answer


def copy_data_dir(corpus_dir: Path, target: Path) -> Path:
    """A private copy of the ingested corpus: two processes never write one Chroma directory."""
    shutil.copytree(corpus_dir, target)
    return target


@contextmanager
def open_page(browser: Browser, url: str, clipboard: bool = False, viewport: ViewportSize | None = None,
              warm: bool = False) -> Iterator[Page]:
    """A fresh browser session (own cookies, own Gradio session), 1280 px wide unless `viewport` says otherwise,
    on the page at `url`, ready; with `warm`, once the app's models are loaded (the first answer then comes within
    the expectations' 5 s)."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    if warm:
        wait_warm(url)
    tab.goto(url + "/")
    tab.get_by_placeholder("Votre question").wait_for()
    try:
        yield tab
    finally:
        context.close()


@contextmanager
def running_api(home: Path, settings: dict[str, str]) -> Iterator[str]:
    """`ars-assistant api` on a free port of 127.0.0.1 with these ARS_ settings; its URL until stopped (by its pid)."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / f"api-{port}.log"
    env = {**os.environ, **settings, "PYTHONUNBUFFERED": "1"}
    url = f"http://127.0.0.1:{port}"
    try:
        with serving([*CLI, "api", "--port", str(port)], url + "/api/health", env=env, cwd=home, log=log):
            yield url
    except NotReady as exc:
        what = f"exited with code {exc.process.returncode}" if exc.exited else f"did not answer on {url} within 120 s"
        pytest.fail(f"the API {what}:\n{log.read_text()}")


@contextmanager
def running_ui(home: Path, data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[RunningApp]:
    """`ars-assistant ui` on a free port serving `data_dir` (`extra_env`: more ARS_* settings), until the block
    ends (stopped by its pid)."""
    port = free_port()
    log = home / "ui.log"
    env = {
        **os.environ,
        "ARS_DATA_DIR": str(data_dir),
        "ARS_UI_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    url = f"http://127.0.0.1:{port}"
    try:
        with serving([*CLI, "ui", "--port", str(port)], url + "/", env=env, cwd=home, log=log):
            yield RunningApp(url, data_dir, log)
    except NotReady as exc:
        what = f"exited with code {exc.process.returncode}" if exc.exited else f"did not answer on {url} within 120 s"
        pytest.fail(f"the UI {what}:\n{log.read_text()}")


class HealthPoller(threading.Thread):
    """GET /api/health every 0.2 s, as a load balancer would; records how long each answer took (a failure
    counts as infinitely long)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.durations: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stop.is_set():
                start = time.monotonic()
                try:
                    ok = client.get(self.url + "/api/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.durations.append(time.monotonic() - start if ok else float("inf"))
                self.stop.wait(0.2)


def wait_warm(url: str) -> None:
    """Wait until the app at `url` says it is warm (its models loaded): health answers are measured after."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if httpx.get(url + "/api/health", timeout=30).json().get("warm"):
            return
        time.sleep(0.5)
    pytest.fail("the app never became warm")
