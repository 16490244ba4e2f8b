"""« Mes discussions » in headless Chromium, on the real app with three accounts: a conversation is created by its
first question, never by a page load; a reload keeps it open (no duplicate, its context kept); it reopens with its
answer and its sources; it is renamed and deleted from its own line; « Nouvelle discussion » forgets the old
context; another agent never sees it."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_app import SCREENSHOTS, RunningApp, copy_data_dir, running_ui
from playwright.sync_api import Browser, Locator, Page, expect

ACCOUNTS = {"agent1": "motdepasse-1", "agent2": "motdepasse-2", "agent3": "motdepasse-3"}
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
    """The answer to `question`, once finished: its sources (or refusal) are shown only after it is saved."""
    before = page.locator('[data-testid="bot"]').count()
    page.get_by_placeholder("Votre question").fill(question)
    page.keyboard.press("Enter")
    answer = page.locator('[data-testid="bot"]').nth(before)
    expect(answer.locator(".citation, .refus").first).to_be_visible()
    return answer


def conversations(page: Page) -> Locator:
    """The entries of « Mes discussions »."""
    return page.locator("#liste-discussions li.discussion")


def answers(page: Page) -> Locator:
    return page.locator('[data-testid="bot"]')


def test_two_reloads_add_no_conversation_and_only_its_agent_sees_it(browser: Browser, accounts_app: RunningApp):
    with signed_in(browser, accounts_app.url, "agent1") as page:
        expect(page.get_by_text("Aucune discussion enregistrée")).to_be_visible()
        for _ in range(2):  # a page load creates no conversation
            page.reload()
            page.get_by_placeholder("Votre question").wait_for()
        expect(page.get_by_text("Aucune discussion enregistrée")).to_be_visible()
        expect(ask(page, QUESTION)).to_contain_text("220 000")
        expect(conversations(page)).to_have_count(1)
        sidebar, chat = page.locator("#mes-discussions").bounding_box(), page.locator("#discussion").bounding_box()
        assert sidebar and chat and chat["x"] >= sidebar["x"] + sidebar["width"], "the list covers the chat"
        for _ in range(2):  # a reload keeps the open conversation: no duplicate when the agent goes on
            page.reload()
            page.get_by_placeholder("Votre question").wait_for()
            expect(answers(page).last).to_contain_text("220 000")
        expect(conversations(page)).to_have_count(1)
        expect(ask(page, "et pour les jeunes ?")).to_contain_text("258 000")  # its context kept too
        expect(conversations(page)).to_have_count(1)
        # a new visit of the page (no conversation in its address) starts afresh; the list reopens the old one
        page.goto(accounts_app.url + "/")
        page.get_by_placeholder("Votre question").wait_for()
        expect(conversations(page)).to_have_count(1)
        expect(answers(page)).to_have_count(0)
        entry = conversations(page).filter(has_text=QUESTION)
        entry.get_by_role("button", name=QUESTION, exact=True).click()
        answer = answers(page).first
        expect(answer).to_contain_text("220 000")
        citation = answer.locator(".citation").first
        expect(citation).to_contain_text("feuille-de-route-orne-bilan-2025.pdf")
        expect(citation.locator("mark")).to_contain_text("220 000 euros")
        expect(answers(page)).to_have_count(2)
        expect(entry.get_by_role("button", name=QUESTION, exact=True)).to_have_attribute("aria-current", "true")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "discussions.png"))
        with signed_in(browser, accounts_app.url, "agent2") as other:
            expect(other.get_by_text("Aucune discussion enregistrée")).to_be_visible()
            expect(conversations(other)).to_have_count(0)
            expect(other.locator("#mes-discussions").get_by_text(QUESTION)).to_have_count(0)
            other.goto(page.url)  # agent1's address, conversation id included: nothing of it opens
            other.get_by_placeholder("Votre question").wait_for()
            expect(other.get_by_text("Aucune discussion enregistrée")).to_be_visible()
            expect(answers(other)).to_have_count(0)

    database = accounts_app.data_dir / "conversations.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT agent, title FROM conversations").fetchall() == [("agent1", QUESTION)]
        assert db.execute("SELECT position FROM turns ORDER BY position").fetchall() == [(0,), (1,)]


def test_a_new_conversation_forgets_the_old_context_and_the_chat_has_no_other_clear(browser: Browser,
                                                                                     accounts_app: RunningApp):
    with signed_in(browser, accounts_app.url, "agent3") as page:
        ask(page, QUESTION)
        expect(ask(page, "et pour les jeunes ?")).to_contain_text("258 000")  # a follow-up keeps its context
        # the chat's own bin icon is gone: « Nouvelle discussion » is the one control that starts afresh
        expect(page.locator("#discussion").get_by_role("button", name=re.compile("Effacer|Clear"))).to_have_count(0)
        page.get_by_role("button", name="Nouvelle discussion").click()
        expect(answers(page)).to_have_count(0)
        expect(page.locator("#liste-discussions [aria-current=true]")).to_have_count(0)
        expect(ask(page, "et pour les jeunes ?")).not_to_contain_text("258 000")  # nothing of the old one
        expect(conversations(page)).to_have_count(2)
        expect(conversations(page).first).to_contain_text("et pour les jeunes ?")
        page.get_by_role("button", name="Tout supprimer").click()
        page.get_by_role("button", name="Oui, tout supprimer").click()
        expect(page.get_by_text("Aucune discussion enregistrée")).to_be_visible()


def test_an_agent_renames_and_deletes_a_conversation_from_its_own_line(browser: Browser, accounts_app: RunningApp):
    with signed_in(browser, accounts_app.url, "agent2") as page:
        ask(page, "qui a signé la charte ?")
        page.get_by_role("button", name="Nouvelle discussion").click()
        expect(answers(page)).to_have_count(0)
        ask(page, QUESTION)
        expect(conversations(page)).to_have_count(2)
        expect(page.locator("#liste-discussions h3")).to_have_text(["Aujourd'hui"])  # grouped by date
        charter = conversations(page).filter(has_text="qui a signé la charte ?")
        charter.get_by_role("button", name="Renommer « qui a signé la charte ? »").click()
        title = page.get_by_label("Nouveau titre de la discussion")
        expect(title).to_be_focused()
        title.fill("Charte attractivité")
        title.press("Enter")
        renamed = conversations(page).filter(has_text="Charte attractivité")
        expect(renamed).to_have_count(1)
        expect(answers(page).last).to_contain_text("220 000")  # the open conversation stayed open
        renamed.get_by_role("button", name="Supprimer « Charte attractivité »").click()
        question = renamed.get_by_text("Supprimer « Charte attractivité » ?")
        expect(question).to_be_visible()  # asked on the item's own line
        page.get_by_role("button", name="Annuler").click()
        expect(question).to_have_count(0)
        expect(conversations(page)).to_have_count(2)
        renamed.get_by_role("button", name="Supprimer « Charte attractivité »").click()
        renamed.get_by_role("button", name="Oui, supprimer").click()
        expect(conversations(page)).to_have_count(1)
        expect(answers(page).last).to_contain_text("220 000")  # another conversation went: this one stays
        current = conversations(page).first
        current.get_by_role("button", name=f"Supprimer « {QUESTION} »").click()
        current.get_by_role("button", name="Oui, supprimer").click()
        expect(page.get_by_text("Aucune discussion enregistrée")).to_be_visible()
        expect(answers(page)).to_have_count(0)  # the open one went: the chat starts afresh
        expect(page.get_by_role("button", name="Tout supprimer")).to_have_count(0)  # nothing left to delete
    with sqlite3.connect(accounts_app.data_dir / "conversations.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM conversations WHERE agent = 'agent2'").fetchone() == (0,)


def test_on_a_phone_the_list_opens_on_demand_and_gives_way_to_the_chat(browser: Browser, accounts_app: RunningApp):
    with signed_in(browser, accounts_app.url, "agent1", width=380) as page:
        if not conversations(page).count():
            ask(page, QUESTION)
            page.goto(accounts_app.url + "/")
        expect(page.get_by_placeholder("Votre question")).to_be_in_viewport()
        expect(page.locator("#liste-discussions")).not_to_be_in_viewport()  # closed: the chat is not covered
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page {overflow}px wider than the window"
        page.get_by_role("button", name="Mes discussions").click()
        entry = conversations(page).first
        expect(entry).to_be_in_viewport()
        entry.locator("[data-action=open]").click()
        expect(answers(page).first).to_contain_text("220 000")
        expect(page.locator("#liste-discussions")).not_to_be_in_viewport()  # the list gave way to the chat
        expect(page.get_by_placeholder("Votre question")).to_be_in_viewport()
