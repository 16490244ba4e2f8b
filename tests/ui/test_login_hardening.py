"""Sign-in hardening on the real `ars-assistant ui` over HTTP (and its login page in headless Chromium): failed logins
slowed per account and per address, even for the right password, in French; login cookies SameSite=Lax, HttpOnly,
Secure behind HTTPS; a session older than ARS_SESSION_HOURS reaches nothing, with passwords as with OpenID Connect.

The client addresses are set with X-Forwarded-For, which the server trusts from 127.0.0.1 as it would from a reverse
proxy (uvicorn's FORWARDED_ALLOW_IPS): each test has its own, so that the address throttle of one does not slow
another."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser_app import RunningApp, running_ui
from oidc_client import AGENT, OidcProvider
from playwright.sync_api import Browser, expect

from eval.process import CLI, NotReady, free_port, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ACCOUNTS = {"marie": "secret-marie", "paul": "secret-paul", "lea": "secret-lea", "zoe": "secret-zoe"}
OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
SHORT_SESSION_HOURS = 0.002  # 7.2 s: long enough to sign in and look, short enough to wait for its end


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` with four password accounts and short login delays (1 s, doubling, at most 4 s)."""
    home = tmp_path_factory.mktemp("ars-login")
    users = ",".join(f"{user}:{password}" for user, password in ACCOUNTS.items())
    settings = {"ARS_UI_USERS": users, "ARS_LOGIN_DELAY_S": "1", "ARS_LOGIN_MAX_DELAY_S": "4"}
    with running_ui(home, home / "data", settings) as running:
        yield running


def login(client: httpx.Client, user: str, password: str, address: str, **headers: str) -> httpx.Response:
    """POST /login as Gradio's login form does (with the page's Origin, as a browser sends it), from `address`."""
    https = headers.get("X-Forwarded-Proto") == "https"
    origin = str(client.base_url).rstrip("/").replace("http://", "https://" if https else "http://")
    return client.post("/login", data={"username": user, "password": password},
                       headers={"X-Forwarded-For": address, "Origin": origin, **headers})


def test_ten_failed_logins_make_even_the_right_password_wait_then_it_is_accepted(guarded_app: RunningApp):
    address = "203.0.113.10"
    with httpx.Client(base_url=guarded_app.url, timeout=60) as client:
        answers = [login(client, "paul", f"essai-{n}", address) for n in range(10)]
        assert [a.status_code for a in answers] == [400] * 5 + [429] * 5
        assert answers[0].json()["detail"] == "Nom ou mot de passe incorrect."
        right = login(client, "paul", ACCOUNTS["paul"], address)
        assert right.status_code == 429
        assert right.json()["detail"].startswith("Trop de tentatives de connexion échouées : réessayez dans ")
        wait = int(right.headers["Retry-After"])
        assert 1 <= wait <= 4
        assert client.get("/config").status_code == 401  # the refused attempt signed nobody in
        time.sleep(wait)
        assert login(client, "paul", ACCOUNTS["paul"], address).status_code == 200
        assert client.get("/config").status_code == 200


def test_failures_on_one_account_from_many_addresses_slow_that_account_only(guarded_app: RunningApp):
    with httpx.Client(base_url=guarded_app.url, timeout=60) as client:
        assert {login(client, "marie", "faux", f"198.51.100.{n}").status_code for n in range(5)} == {400}
        assert login(client, "marie", ACCOUNTS["marie"], "198.51.100.99").status_code == 429  # a fresh address
        assert login(client, "lea", ACCOUNTS["lea"], "198.51.100.99").status_code == 200  # another account


def test_the_login_cookies_are_lax_http_only_and_secure_behind_https(guarded_app: RunningApp):
    with httpx.Client(base_url=guarded_app.url, timeout=60) as client:
        plain = login(client, "lea", ACCOUNTS["lea"], "192.0.2.20").headers.get_list("set-cookie")
        behind_https = login(client, "lea", ACCOUNTS["lea"], "192.0.2.20",
                             **{"X-Forwarded-Proto": "https"}).headers.get_list("set-cookie")
    for cookies, secure in ((plain, False), (behind_https, True)):
        assert len(cookies) == 2 and all(c.startswith("access-token-") for c in cookies)
        for cookie in cookies:
            flags = [part.strip().lower() for part in cookie.split(";")[1:]]
            assert "samesite=lax" in flags and "httponly" in flags and "samesite=none" not in flags
            assert ("secure" in flags) is secure


def test_the_login_page_says_in_french_when_to_try_again(browser: Browser, guarded_app: RunningApp):
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  extra_http_headers={"X-Forwarded-For": "192.0.2.30"})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        tab.goto(guarded_app.url + "/")
        name, password = tab.locator("input[type=text]").first, tab.locator("input[type=password]")
        for _ in range(5):
            name.fill("zoe")
            password.fill("faux")
            tab.keyboard.press("Enter")
            expect(password).to_have_value("")  # Gradio empties the form after a refusal
        expect(tab.get_by_text("Identifiants incorrects")).to_be_visible()
        name.fill("zoe")
        password.fill(ACCOUNTS["zoe"])
        tab.keyboard.press("Enter")
        expect(tab.get_by_role("alert")).to_contain_text("Trop de tentatives de connexion échouées : réessayez dans")
        time.sleep(1.5)
        tab.keyboard.press("Enter")  # the same name and password, once the wait is over
        tab.get_by_placeholder("Votre question").wait_for()
    finally:
        context.close()


def test_a_password_session_older_than_session_hours_reaches_nothing(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("ars-session")
    settings = {"ARS_UI_USERS": "marie:secret-marie", "ARS_SESSION_HOURS": str(SHORT_SESSION_HOURS)}
    with running_ui(home, home / "data", settings) as app, httpx.Client(base_url=app.url, timeout=60) as client:
        assert login(client, "marie", "secret-marie", "192.0.2.40").status_code == 200
        signed_in_at = time.monotonic()
        assert client.get("/api/documents").status_code == 200 and client.get("/config").status_code == 200
        time.sleep(max(0.0, signed_in_at + SHORT_SESSION_HOURS * 3600 + 0.5 - time.monotonic()))
        expired = client.get("/api/documents")
        assert expired.status_code == 401 and "Connexion requise" in expired.json()["detail"]
        assert client.get("/config").status_code == 401  # the page's data: the login form again


@pytest.fixture(scope="module")
def short_oidc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The test OpenID Connect provider (tests/oidc, its own instance) and `ars-assistant ui` signing in with it,
    sessions of SHORT_SESSION_HOURS."""
    assert (OIDC_DIR / "node_modules" / "oidc-provider").is_dir(), (
        "oidc-provider absent : lancez `make install-dev` (npm ci --prefix tests/oidc).")
    home = tmp_path_factory.mktemp("ars-oidc-session")
    provider = OidcProvider(f"http://127.0.0.1:{free_port()}", free_port())
    provider_env = {**os.environ, "PORT": provider.url.rsplit(":", 1)[1], "APP_URL": provider.app_url,
                    "CLIENT_ID": provider.client_id, "CLIENT_SECRET": provider.client_secret}
    app_env = {**os.environ, "ARS_DATA_DIR": str(home / "data"), "ARS_OIDC_ISSUER": provider.url,
               "ARS_OIDC_CLIENT_ID": provider.client_id, "ARS_OIDC_CLIENT_SECRET": provider.client_secret,
               "ARS_SESSION_SECRET": "secret-de-session-des-tests-assez-long-0123456789",
               "ARS_SESSION_HOURS": str(SHORT_SESSION_HOURS), "GRADIO_ANALYTICS_ENABLED": "False",
               "PYTHONUNBUFFERED": "1"}
    provider_log, app_log = home / "provider.log", home / "ui.log"
    try:
        with serving(["node", str(OIDC_DIR / "provider.mjs")], provider.url + "/.well-known/openid-configuration",
                     env=provider_env, cwd=home, log=provider_log, timeout_s=30), \
             serving([*CLI, "ui", "--port", str(provider.app_port)], provider.app_url + "/api/health", env=app_env,
                     cwd=home, log=app_log):
            yield RunningApp(provider.app_url, home / "data", app_log)
    except NotReady:
        pytest.fail(f"the provider or the app did not start:\n{provider_log.read_text()}\n{app_log.read_text()}")


def test_an_openid_connect_session_older_than_session_hours_reaches_nothing(short_oidc: RunningApp):
    with httpx.Client(base_url=short_oidc.url, timeout=60, follow_redirects=True) as client:
        form = client.get("/connexion")  # to the provider's sign-in form
        assert "Mot de passe" in form.text
        back = client.post(str(form.url), data={"login": AGENT[0], "password": AGENT[1]})
        signed_in_at = time.monotonic()
        assert str(back.url).rstrip("/") == short_oidc.url, back.text[:300]  # back on the page, signed in
        cookie = next(c for r in back.history for c in r.headers.get_list("set-cookie") if c.startswith("ars_session=")
                      and "Max-Age" in c)
        flags = [part.strip().lower() for part in cookie.split(";")[1:]]
        assert "max-age=8" in flags and "samesite=lax" in flags and "httponly" in flags  # 7.2 s, rounded up
        assert client.get("/api/documents").status_code == 200 and client.get("/config").status_code == 200
        time.sleep(max(0.0, signed_in_at + 9.5 - time.monotonic()))  # the signed time counts whole seconds
        assert client.get("/api/documents").status_code == 401
        assert client.get("/config").status_code == 401
        page = client.get("/", follow_redirects=False)  # the page sends to the provider's sign-in again
        assert page.status_code == 302 and page.headers["location"] == "/connexion"
