"""The real app, once per session: the sample corpus ingested into a temp data dir, `ars-assistant ui` in a
subprocess on a free port, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from browser_app import RunningApp, copy_data_dir, open_page, running_ui
from oidc_client import ID_TOKEN_TTL_S, OidcProvider
from playwright.sync_api import Browser, Page
from security_apps import ingest_corpus

from assistant.factory import run_ingest
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


OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """The real OpenID Connect provider of tests/oidc (oidc-provider on node) on a free port, with its client for
    the app that `oidc_app` starts on `app_port`; ID tokens live ID_TOKEN_TTL_S seconds (the expiry test)."""
    assert (OIDC_DIR / "node_modules" / "oidc-provider").is_dir(), (
        "oidc-provider absent : lancez `make install-dev` (npm ci --prefix tests/oidc).")
    home = tmp_path_factory.mktemp("oidc-provider")
    provider = OidcProvider(f"http://127.0.0.1:{free_port()}", free_port())
    env = {**os.environ, "PORT": provider.url.rsplit(":", 1)[1], "APP_URL": provider.app_url,
           "CLIENT_ID": provider.client_id, "CLIENT_SECRET": provider.client_secret,
           "ID_TOKEN_TTL": str(ID_TOKEN_TTL_S)}
    log = home / "provider.log"
    try:
        with serving(["node", str(OIDC_DIR / "provider.mjs")], provider.url + "/.well-known/openid-configuration",
                     env=env, cwd=home, log=log, timeout_s=30):
            yield provider
    except NotReady:
        pytest.fail(f"the OpenID Connect test provider did not start:\n{log.read_text()}")


@pytest.fixture(scope="session")
def oidc_app(corpus_dir: Path, oidc_provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[RunningApp]:
    """`ars-assistant ui` signing in with `oidc_provider`; admins: the group ars-admin-documents (marie, not paul)."""
    home = tmp_path_factory.mktemp("ars-oidc-app")
    data_dir = copy_data_dir(corpus_dir, home / "data")
    log = home / "ui.log"
    env = {
        **os.environ,
        "ARS_DATA_DIR": str(data_dir),
        "ARS_OIDC_ISSUER": oidc_provider.url,
        "ARS_OIDC_CLIENT_ID": oidc_provider.client_id,
        "ARS_OIDC_CLIENT_SECRET": oidc_provider.client_secret,
        "ARS_OIDC_SCOPES": "openid email given_name usual_name groups",
        "ARS_ADMIN_GROUPS": "ars-admin-documents",
        "ARS_SESSION_SECRET": "secret-de-session-des-tests-assez-long-0123456789",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    }
    url = oidc_provider.app_url
    try:
        with serving([*CLI, "ui", "--port", str(oidc_provider.app_port)], url + "/api/health", env=env, cwd=home,
                     log=log):
            yield RunningApp(url, data_dir, log)
    except NotReady as exc:
        what = f"exited with code {exc.process.returncode}" if exc.exited else f"did not answer on {url} within 120 s"
        pytest.fail(f"the UI {what}:\n{log.read_text()}")


@pytest.fixture(scope="session")
def security_corpus(formats: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The security tests' data directory (a text PDF and a scan read by OCR), ingested once for all of them."""
    return ingest_corpus(formats, tmp_path_factory.mktemp("ars-security-corpus"))
