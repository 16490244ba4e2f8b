"""Roles with password accounts, on the real `ars-assistant ui` over HTTP and in headless Chromium: an account marked
« :admin » or named in ARS_ADMIN_EMAILS adds and removes documents, any other reads and asks (403 from the API, no
controls in the Documents tab); ARS_ADMIN_GROUPS, which password accounts cannot carry, stops the start-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from browser_app import RunningApp, running_ui
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ACCOUNTS = {"marie.dupont@ars.test": "secret-marie", "paul": "secret-paul", "lea": "secret:lea"}
USERS = "marie.dupont@ars.test:secret-marie,paul:secret-paul,lea:secret:lea:admin"  # lea's password holds a ":"
NOTE = ("note-roles.txt", b"Note de service : permanence des soins le samedi matin.", "text/plain")


@pytest.fixture(scope="module")
def roles_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` with three password accounts: marie named in ARS_ADMIN_EMAILS, lea marked « :admin », paul
    neither (an empty index: the roles do not need documents); stopped by its pid."""
    home = tmp_path_factory.mktemp("ars-roles")
    settings = {"ARS_UI_USERS": USERS, "ARS_ADMIN_EMAILS": "Marie.Dupont@ars.test"}
    with running_ui(home, home / "data", settings) as running:
        yield running


@contextmanager
def signed_in_client(app: RunningApp, user: str) -> Iterator[httpx.Client]:
    """An HTTP client logged in as `user` through Gradio's login form (POST /login), as the page does (with its
    Origin: a request with a session cookie and no Origin is refused as forged)."""
    with httpx.Client(base_url=app.url, timeout=60, headers={"Origin": app.url}) as client:
        response = client.post("/login", data={"username": user, "password": ACCOUNTS[user]})
        assert response.status_code == 200, response.text
        yield client


def test_an_agent_neither_marked_nor_named_gets_403_on_adding_and_removing_documents(roles_app: RunningApp):
    with signed_in_client(roles_app, "paul") as paul:
        assert paul.get("/api/documents").status_code == 200  # reading is allowed
        refused = paul.post("/api/documents", files={"file": NOTE})
        assert refused.status_code == 403 and "réservée aux administrateurs" in refused.json()["detail"]
        assert paul.delete(f"/api/documents/{NOTE[0]}").status_code == 403
        assert NOTE[0] not in [d["source"] for d in paul.get("/api/documents").json()]


def test_the_admin_named_in_admin_emails_and_the_one_marked_admin_manage_documents(roles_app: RunningApp):
    with signed_in_client(roles_app, "marie.dupont@ars.test") as marie, signed_in_client(roles_app, "lea") as lea:
        added = marie.post("/api/documents", files={"file": NOTE})
        assert added.status_code == 201, added.text
        assert NOTE[0] in [d["source"] for d in lea.get("/api/documents").json()]
        assert lea.delete(f"/api/documents/{NOTE[0]}").status_code == 200
    assert "administrateurs : marie.dupont@ars.test, lea." in roles_app.log.read_text()  # the start line


@contextmanager
def page_of(browser: Browser, app: RunningApp, user: str) -> Iterator[Page]:
    """A fresh browser session logged in as `user` through Gradio's login page, on the Documents tab."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        tab.goto(app.url + "/")
        tab.locator("input[type=password]").wait_for()
        tab.locator("input[type=text]").first.fill(user)
        tab.locator("input[type=password]").fill(ACCOUNTS[user])
        tab.keyboard.press("Enter")
        tab.get_by_placeholder("Votre question").wait_for()
        tab.get_by_role("tab", name="Documents").click()
        expect(tab.locator("#resume-documents")).to_contain_text("indexé")  # the tab has loaded
        yield tab
    finally:
        context.close()


def test_in_the_page_only_admins_see_the_upload_and_removal_controls(browser: Browser, roles_app: RunningApp):
    with page_of(browser, roles_app, "paul") as tab:
        expect(tab.get_by_role("button", name="Actualiser la liste")).to_be_visible()
        expect(tab.locator("#envoi")).to_be_hidden()
        expect(tab.get_by_role("button", name="Retirer de l'index")).to_be_hidden()
    with page_of(browser, roles_app, "marie.dupont@ars.test") as tab:
        expect(tab.locator("#envoi")).to_be_visible()
        expect(tab.get_by_role("button", name="Retirer de l'index")).to_be_visible()


def test_admin_groups_with_password_accounts_stop_the_start_up_in_one_french_line(ars, tmp_path):
    refused = ars("ui", data_dir=tmp_path, env={"ARS_UI_USERS": "marie:secret1", "ARS_ADMIN_GROUPS": "ars-admin"})
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("Erreur : ARS_ADMIN_GROUPS ne s'applique pas aux comptes par mot de passe")
