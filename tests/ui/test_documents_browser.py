"""The Documents tab in headless Chromium at 1366×900, on the real app: the removal's confirmation shows where the
eye is (beside « Retirer de l'index », on screen), and an upload tells its stages in words as they come."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_app import RunningApp
from pdfs import write_note_pdf
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.integration]

ORNE = "feuille-de-route-orne-bilan-2025.pdf"
CHARTER = "cp-charte-attractivite-2024-10-08.pdf"
STAGES = ("Lecture de « ", "Reconnaissance du texte (OCR) de « ", "Encodage de « ", "Indexation de « ")
# every text the stage line shows, in order, as the agent sees it change (one entry per change)
RECORD_STAGES_JS = """() => {
  window.etapes = [];
  const target = document.querySelector("#etape-envoi");
  new MutationObserver(() => {
    const line = target.querySelector(".etape-texte");
    const text = line ? line.textContent.trim() : "";
    if (text && window.etapes[window.etapes.length - 1] !== text) window.etapes.push(text);
    if (line) window.etapeFont = getComputedStyle(line).fontFamily;
  }).observe(target, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def wide(browser: Browser, app: RunningApp) -> Iterator[Page]:
    """The Documents tab at 1366×900, the size the issue was seen at."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        tab.goto(app.url + "/")
        tab.get_by_placeholder("Votre question").wait_for()
        tab.get_by_role("tab", name="Documents").click()
        # the first load of a just-started app can take a while on a busy machine
        expect(tab.locator("#resume-documents")).to_contain_text("documents indexés", timeout=60_000)
        yield tab
    finally:
        context.close()


def choose(page: Page, option: str) -> None:
    page.get_by_label("Document à retirer").click()
    page.get_by_role("option", name=option).click()


def test_the_removal_confirmation_shows_beside_its_button_on_screen(wide: Page):
    choose(wide, ORNE)
    remove = wide.get_by_role("button", name="Retirer de l'index")
    remove.evaluate("button => button.scrollIntoView({block: 'end'})")  # as low on screen as it can be
    asked_at = remove.bounding_box()
    remove.click()
    confirm = wide.get_by_role("button", name="Oui, retirer")
    expect(confirm).to_be_in_viewport(ratio=1)
    expect(wide.get_by_text(f"Retirer « {ORNE} » de l'index ?")).to_be_in_viewport(ratio=1)
    shown_at = confirm.bounding_box()
    assert asked_at and shown_at and abs(shown_at["y"] - asked_at["y"]) < 150, (asked_at, shown_at)  # beside it
    wide.get_by_role("button", name="Annuler").click()
    expect(remove).to_be_visible()
    expect(confirm).to_be_hidden()
    remove.click()
    expect(confirm).to_be_visible()
    choose(wide, CHARTER)  # another choice: the question named the other document, so it goes
    expect(confirm).to_be_hidden()
    expect(remove).to_be_visible()
    expect(wide.locator("#documents")).to_contain_text(ORNE)  # nothing removed


def test_an_upload_tells_its_stages_in_words_in_the_pages_font(wide: Page, tmp_path: Path):
    note = write_note_pdf(
        tmp_path / "Note étapes.pdf",
        "Note de service : permanence des soins",
        ["La permanence des soins de Lisieux ouvre 17 lits supplémentaires le 5 janvier 2027."],
    )
    wide.evaluate(RECORD_STAGES_JS)
    wide.locator("#envoi input[type=file]").set_input_files(note)
    expect(wide.locator("#resultat-envoi")).to_contain_text("Note étapes.pdf : ajouté : 1 page", timeout=120_000)
    seen: list[str] = wide.evaluate("window.etapes")
    assert len(set(seen)) >= 2, seen
    assert all(text.startswith(STAGES) and "« Note étapes.pdf »" in text for text in seen), seen
    assert seen[0].startswith("Lecture de « ") and seen[-1].startswith("Indexation de « "), seen
    expect(wide.locator("#etape-envoi .etape-texte")).to_have_count(0)  # gone once done: the report says the rest
    # in the page's font, not Gradio's monospace timer
    font = wide.evaluate("getComputedStyle(document.querySelector('#resume-documents')).fontFamily")
    assert "mono" not in wide.evaluate("window.etapeFont").lower() and wide.evaluate("window.etapeFont") == font
    choose(wide, "Note étapes.pdf")  # the shared app as it was
    wide.get_by_role("button", name="Retirer de l'index").click()
    wide.get_by_role("button", name="Oui, retirer").click()
    expect(wide.locator("#resultat-retrait")).to_contain_text("retiré de l'index et supprimé")
