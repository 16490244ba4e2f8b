"""A page of another site, in headless Chromium, tries to act for an agent of the real app: read /config and the
document list, upload a document, delete one, frame the page. The victim's browser is signed in (ARS_UI_USERS), or
the app is open without login; the other site is another port of 127.0.0.1, `localhost` against `127.0.0.1`, or
another host name (Chromium maps *.test to 127.0.0.1, as a real deployment's name would be). Nothing is readable,
nothing changes."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_app import RunningApp, copy_data_dir, running_ui
from playwright.sync_api import Browser, Page
from security_apps import ACCOUNTS, TEXT_PDF, TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path(os.environ.get("ARS_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--host-resolver-rules=MAP *.test 127.0.0.1"]
USER = "marie"

# What the other site's script does, with the victim's cookies when the browser has some (credentials: include).
ATTACK = """async ([victim, doc]) => {
  const out = {};
  async function attempt(name, path, init = {}) {
    try {
      const response = await fetch(victim + path, { credentials: "include", ...init });
      out[name] = { status: response.status, text: (await response.text()).slice(0, 300) };
    } catch (error) {
      out[name] = { blocked: String(error) };
    }
  }
  const file = (field) => {
    const form = new FormData();
    form.append(field, new Blob(["Le budget du plan est de 999 000 euros."], { type: "text/plain" }), "piege.txt");
    return form;
  };
  await attempt("config", "/config");
  await attempt("documents", "/api/documents");
  await attempt("upload", "/api/documents", { method: "POST", body: file("file") });
  await attempt("upload-sans-cors", "/api/documents", { method: "POST", body: file("file"), mode: "no-cors" });
  await attempt("envoi-gradio", "/gradio_api/upload", { method: "POST", body: file("files"), mode: "no-cors" });
  await attempt("delete", "/api/documents/" + encodeURIComponent(doc), { method: "DELETE" });
  await attempt("delete-sans-cors", "/api/documents/" + encodeURIComponent(doc), { method: "DELETE", mode: "no-cors" });
  return out;
}"""
READS = ("config", "documents")
CHANGES = ("upload", "upload-sans-cors", "envoi-gradio", "delete", "delete-sans-cors")


class OtherSite(BaseHTTPRequestHandler):
    """Any path: a plain page of the other site (its script is run by the test in the page)."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = b"<!doctype html><html lang='fr'><title>Autre site</title><p>Une page d'un autre site.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the signature of http.server
        pass


@pytest.fixture(scope="module")
def other_site() -> Iterator[int]:
    """The other site's port on 127.0.0.1 (reached as 127.0.0.1, localhost or evil.test)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), OtherSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def chromium(browser: Browser) -> Iterator[Browser]:
    """Headless Chromium (from the session's Playwright) that resolves *.test to 127.0.0.1."""
    mapped = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield mapped
    mapped.close()


@pytest.fixture(scope="module")
def signed_in_app(security_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` with a password account (and a token, for the test to list the documents itself)."""
    home = tmp_path_factory.mktemp("ars-attack-accounts")
    users = ",".join(f"{user}:{password}" for user, password in ACCOUNTS.items())
    settings = {"ARS_UI_USERS": users, "ARS_API_TOKENS": TOKEN}
    with running_ui(home, copy_data_dir(security_corpus, home / "data"), settings) as running:
        yield running


@pytest.fixture(scope="module")
def open_app(security_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` without login."""
    home = tmp_path_factory.mktemp("ars-attack-open")
    with running_ui(home, copy_data_dir(security_corpus, home / "data")) as running:
        yield running


def sources(url: str) -> list[str]:
    listed = httpx.get(f"{url}/api/documents", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert listed.status_code == 200, listed.text
    return sorted(d["source"] for d in listed.json())


def attack(tab: Page, site: str, victim: str) -> dict[str, dict[str, Any]]:
    """Open the other site's page in `tab` and run its script against `victim`; what each attempt got."""
    tab.goto(site + "/piege.html")
    results: dict[str, dict[str, Any]] = tab.evaluate(ATTACK, [victim, TEXT_PDF])
    return results


def assert_nothing_read_or_changed(results: dict[str, dict[str, Any]], where: str) -> None:
    for name in (*READS, "upload", "delete"):
        assert "blocked" in results[name], (where, name, results[name])  # no answer reaches the other site's script
    for name in ("upload-sans-cors", "envoi-gradio", "delete-sans-cors"):
        assert results[name] in ({"status": 0, "text": ""}, {"blocked": results[name].get("blocked")}), results[name]


def frame_is_refused(tab: Page, site: str, victim: str) -> bool:
    """Whether Chromium refuses to show the victim's page inside the other site's page."""
    tab.goto(site + "/cadre.html")
    tab.evaluate("""(url) => new Promise((done) => {
        const frame = document.createElement("iframe");
        frame.src = url; frame.onload = done; document.body.append(frame); setTimeout(done, 10000);
    })""", victim + "/")
    framed = [f for f in tab.frames if f != tab.main_frame]
    return len(framed) == 1 and not framed[0].url.startswith(victim)


def test_another_site_cannot_act_with_a_signed_in_agents_session(chromium: Browser, signed_in_app: RunningApp,
                                                                  other_site: int):
    victim = signed_in_app.url
    before = sources(victim)
    assert TEXT_PDF in before
    context = chromium.new_context()
    try:
        agent = context.new_page()
        agent.set_default_timeout(30_000)
        agent.goto(victim + "/")
        agent.locator("input[type=text]").first.fill(USER)
        agent.locator("input[type=password]").fill(ACCOUNTS[USER])
        agent.keyboard.press("Enter")
        agent.get_by_placeholder("Votre question").wait_for()
        # the agent's own page reads the list with the session: the cookie is there for the other site to borrow
        own = agent.evaluate("async () => (await fetch('/api/documents', {credentials: 'include'})).json()")
        assert TEXT_PDF in [d["source"] for d in own]
        tab = context.new_page()  # the other site, in the same browser, while the agent is signed in
        sites = (f"http://127.0.0.1:{other_site}", f"http://localhost:{other_site}")
        results = {site: attack(tab, site, victim) for site in sites}
        assert sources(victim) == before  # nothing added, nothing removed
        for site in sites:
            assert_nothing_read_or_changed(results[site], site)
            assert frame_is_refused(tab, site, victim)
    finally:
        context.close()


def test_another_site_cannot_read_or_change_an_open_app(chromium: Browser, open_app: RunningApp, other_site: int):
    port = open_app.url.rsplit(":", 1)[1]
    deployed = f"http://assistant.test:{port}"  # a host name that is not localhost: Gradio reflected any origin
    before = sources(open_app.url)
    context = chromium.new_context()
    try:
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        pairs = [(f"http://127.0.0.1:{other_site}", open_app.url), (f"http://localhost:{other_site}", open_app.url),
                 (f"http://evil.test:{other_site}", open_app.url), (f"http://evil.test:{other_site}", deployed)]
        results = {pair: attack(tab, *pair) for pair in pairs}
        assert sources(open_app.url) == before  # nothing added, nothing removed
        for (site, victim), got in results.items():
            assert_nothing_read_or_changed(got, f"{site} -> {victim}")
        # the app's own page still works at that name (same origin)
        tab.goto(deployed + "/")
        tab.get_by_placeholder("Votre question").wait_for()
        own = tab.evaluate("async () => (await fetch('/api/documents')).json()")
        assert TEXT_PDF in [d["source"] for d in own]
    finally:
        context.close()
