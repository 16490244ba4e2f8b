"""The page speaks French whatever the browser's language: « téléverser » for an upload (Gradio's French says
« télécharger », which means download), real plurals, a glossary without terms nothing defines."""

from __future__ import annotations

import pytest
from browser_app import RunningApp
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("locale", ["fr-FR", "en-US"])
def test_the_documents_tab_says_upload_in_french_with_real_plurals(browser: Browser, app: RunningApp, locale: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app.url + "/")
    page.get_by_role("tab", name="Documents").click()
    drop = page.locator("#envoi")
    expect(drop).to_contain_text("Cliquez pour téléverser des fichiers", timeout=30_000)
    expect(drop).to_contain_text("Déposez vos fichiers ici")
    assert "télécharg" not in drop.inner_text().lower() and "upload" not in drop.inner_text().lower()
    summary = page.locator("#resume-documents")
    expect(summary).to_contain_text("documents indexés", timeout=60_000)  # listed once the page has loaded
    assert "(s)" not in summary.inner_text()
    page.get_by_role("tab", name="Découvrir").click()
    glossary = page.locator("#glossaire")
    expect(glossary.locator('tr[data-sigle="CTS"]')).to_be_visible()
    expect(glossary.locator('tr[data-sigle="IDF"]')).to_have_count(0)  # « Région Île-de-France. » defines nothing
    assert "(s)" not in glossary.inner_text()
    context.close()
