"""« Mes discussions » in headless Chromium, on the real app with two accounts: a conversation outlives a reload,
reopens with its answer and its sources, and another agent never sees it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_app import SCREENSHOTS, RunningApp, copy_data_dir, running_ui
from playwright.sync_api import Browser, Locator, Page, expect

ACCOUNTS = {"agent1": "motdepasse-1", "agent2": "motdepasse-2"}
QUESTION = "combien pour le plan crack ?"


@pytest.fixture(scope="module")
def accounts_app(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` with two accounts (ARS_UI_USERS) on a copy of the corpus; stopped by its pid."""
    home = tmp_path_factory.mktemp("ars-ui-history")
    users = ",".join(f"{user}:{password}" for user, password in ACCOUNTS.items())
    with running_ui(home, copy_data_dir(corpus_dir, home / "data"), {"ARS_UI_USERS": users}) as running:
        yield running


@contextmanager
def signed_in(browser: Browser, url: str, user: str, width: int = 1280) -> Iterator[Page]:
    """A fresh browser session signed in as `user` through Gradio's login form, on the chat."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        tab.goto(url + "/")
        tab.locator("input[type=password]").wait_for()
        tab.locator("input[type=text]").first.fill(user)
        tab.locator("input[type=password]").fill(ACCOUNTS[user])
        tab.keyboard.press("Enter")
        tab.get_by_placeholder("Votre question").wait_for()
        yield tab
    finally:
        context.close()


def ask(page: Page, question: str) -> Locator:
    page.get_by_placeholder("Votre question").fill(question)
    page.keyboard.press("Enter")
    answer = page.locator('[data-testid="bot"]').last
    expect(answer.locator(".citation, .refus").first).to_be_visible()
    return answer


def conversations(page: Page) -> Locator:
    """The entries of « Mes discussions »."""
    return page.locator("#liste-discussions label")


def test_a_conversation_outlives_a_reload_and_only_its_agent_sees_it(browser: Browser, accounts_app: RunningApp):
    with signed_in(browser, accounts_app.url, "agent1") as page:
        expect(page.get_by_text("Aucune discussion enregistrée")).to_be_visible()
        expect(ask(page, QUESTION)).to_contain_text("220 000")
        expect(conversations(page)).to_have_count(1)
        sidebar, chat = page.locator("#mes-discussions").bounding_box(), page.locator("#discussion").bounding_box()
        assert sidebar and chat and chat["x"] >= sidebar["x"] + sidebar["width"], "the list covers the chat"
        page.reload()
        page.get_by_placeholder("Votre question").wait_for()
        expect(page.locator('[data-testid="bot"]')).to_have_count(0)  # a new page starts a new conversation
        entry = conversations(page).filter(has_text=QUESTION)
        expect(entry).to_have_count(1)
        entry.click()
        answer = page.locator('[data-testid="bot"]').last
        expect(answer).to_contain_text("220 000")
        citation = answer.locator(".citation").first
        expect(citation).to_contain_text("feuille-de-route-orne-bilan-2025.pdf")
        expect(citation.locator("mark")).to_contain_text("220 000 euros")
        expect(page.get_by_label("Titre de la discussion ouverte")).to_have_value(QUESTION)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "discussions.png"))
        # a follow-up goes into the same conversation
        ask(page, "et pour les jeunes ?")
        expect(conversations(page)).to_have_count(1)
        with signed_in(browser, accounts_app.url, "agent2") as other:
            expect(other.get_by_text("Aucune discussion enregistrée")).to_be_visible()
            expect(conversations(other)).to_have_count(0)
            expect(other.locator("#mes-discussions").get_by_text(QUESTION)).to_have_count(0)

    database = accounts_app.data_dir / "conversations.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT agent, title FROM conversations").fetchall() == [("agent1", QUESTION)]
        assert db.execute("SELECT position FROM turns ORDER BY position").fetchall() == [(0,), (1,)]


def test_an_agent_renames_deletes_and_deletes_all_after_confirming(browser: Browser, accounts_app: RunningApp):
    with signed_in(browser, accounts_app.url, "agent2") as page:
        ask(page, "qui a signé la charte ?")
        page.get_by_role("button", name="Nouvelle discussion").click()
        expect(page.locator('[data-testid="bot"]')).to_have_count(0)
        ask(page, QUESTION)
        expect(conversations(page)).to_have_count(2)
        page.get_by_label("Titre de la discussion ouverte").fill("Plan crack Orne")
        page.get_by_role("button", name="Renommer").click()
        expect(conversations(page).first).to_contain_text("Plan crack Orne")
        page.get_by_role("button", name="Supprimer", exact=True).click()
        expect(page.get_by_text("Supprimer la discussion « Plan crack Orne » ?")).to_be_visible()
        page.get_by_role("button", name="Annuler").click()
        expect(conversations(page)).to_have_count(2)
        page.get_by_role("button", name="Supprimer", exact=True).click()
        page.get_by_role("button", name="Oui, supprimer").click()
        expect(conversations(page)).to_have_count(1)
        expect(page.locator('[data-testid="bot"]')).to_have_count(0)
        page.get_by_role("button", name="Tout supprimer").click()
        expect(page.get_by_text("Supprimer votre discussion ?")).to_be_visible()
        page.get_by_role("button", name="Oui, tout supprimer").click()
        expect(page.get_by_text("Aucune discussion enregistrée")).to_be_visible()
    with sqlite3.connect(accounts_app.data_dir / "conversations.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM conversations WHERE agent = 'agent2'").fetchone() == (0,)


def test_on_a_phone_the_list_opens_on_demand_and_gives_way_to_the_chat(browser: Browser, accounts_app: RunningApp):
    with signed_in(browser, accounts_app.url, "agent1", width=380) as page:
        if not conversations(page).count():
            ask(page, QUESTION)
            page.reload()
        expect(page.get_by_placeholder("Votre question")).to_be_in_viewport()
        expect(page.locator("#liste-discussions")).not_to_be_in_viewport()  # closed: the chat is not covered
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page {overflow}px wider than the window"
        page.get_by_role("button", name="Mes discussions").click()
        entry = conversations(page).first
        expect(entry).to_be_in_viewport()
        entry.click()
        expect(page.locator('[data-testid="bot"]').first).to_contain_text("220 000")
        expect(page.locator("#liste-discussions")).not_to_be_in_viewport()  # the list gave way to the chat
        expect(page.get_by_placeholder("Votre question")).to_be_in_viewport()
