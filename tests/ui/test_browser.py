"""The app as an agent uses it, in headless Chromium: ask, read the sources, open the PDF, discover the documents,
upload, give feedback."""

from __future__ import annotations

import http.client
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_app import MAX_UPLOAD_MB, RunningApp, ask, wait_warm
from pdfs import write_note_pdf
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORNE = "feuille-de-route-orne-bilan-2025.pdf"
ORNE_TITLE = "Feuille de route départementale de l’Orne – Bilan janvier 2025"
NOTE_FACT = (
    "La campagne de vaccination antigrippale des agents de l'ARS Normandie commencera le 14 octobre 2026 "
    "au siège de Caen, avec 350 doses réservées."
)


@pytest.fixture(scope="module", autouse=True)
def warm(app: RunningApp) -> None:
    """The app's models loaded before the first question: on a busy machine the first answer waits for them, and
    the first test's 5 s expectations timed out."""
    wait_warm(app.url)


def test_an_answer_shows_the_amount_and_cites_the_orne_roadmap(page: Page, app: RunningApp):
    answer = ask(page, "combien pour le plan crack ?")
    expect(answer).to_contain_text("220 000")
    citation = answer.locator(".citation").first
    expect(citation).to_contain_text("Feuille de route départementale de l’Orne")
    expect(citation).to_contain_text(ORNE)
    expect(citation.locator("mark")).to_contain_text("220 000 euros")
    expect(citation).to_contain_text("p. 6")

    link = citation.get_by_role("link", name="Voir le passage, page 6")
    href = link.get_attribute("href") or ""
    assert href.startswith(f"/visionneuse/{ORNE}?page=6&passage=")  # the viewer: tests/ui/test_viewer_browser.py
    response = page.request.get(f"{app.url}/documents/{ORNE}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_a_follow_up_question_uses_the_conversation(page: Page):
    ask(page, "combien pour le plan crack ?")
    follow_up = ask(page, "et pour les jeunes ?")
    expect(follow_up).to_contain_text("258 000")


def example_buttons(page: Page) -> Locator:
    examples = page.locator(".exemples button").filter(visible=True)
    expect(examples.first).to_be_visible()  # filled once the page has loaded
    return examples


def test_an_example_question_is_asked_in_one_click(page: Page):
    example = example_buttons(page).first
    question = example.inner_text()
    example.click()
    expect(page.locator('[data-testid="user"]').last).to_contain_text(question)
    answer = page.locator('[data-testid="bot"]').last
    expect(answer.locator(".citation").first).to_be_visible()  # every example was checked to be answered


def test_a_question_outside_the_documents_is_clearly_refused(page: Page):
    answer = ask(page, "budget plan crack dans le calvados")
    expect(answer.locator(".refus")).to_contain_text("Je ne trouve pas cette information dans les documents indexés.")
    expect(answer.locator(".citation")).to_have_count(0)


def test_the_copy_button_puts_the_answer_and_its_sources_on_the_clipboard(page: Page):
    ask(page, "combien pour le plan crack ?")
    page.get_by_role("button", name="Copier la dernière réponse").click()
    expect(page.get_by_text("Réponse copiée dans le presse-papiers.")).to_be_visible()
    deadline, copied = time.monotonic() + 10, ""
    while "Sources :" not in copied and time.monotonic() < deadline:
        time.sleep(0.2)
        copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("220 000 euros") and f"({ORNE}, p. 6)" in copied and "<" not in copied


def test_thumbs_down_with_a_comment_is_stored_in_the_feedback_file(page: Page, app: RunningApp):
    ask(page, "c'est quoi un CRT ?")
    page.locator('[data-testid="bot"]').last.hover()
    page.get_by_role("button", name="Je n'aime pas").last.click()
    expect(page.locator("#retour-statut")).to_contain_text("Merci")
    comment = page.get_by_label("Commentaire (facultatif)")
    expect(comment).to_be_in_viewport()  # the box is moved under the rated answer first: typing waits for it
    comment.fill("Il manque le montant par bénéficiaire.")
    expect(comment).to_have_value("Il manque le montant par bénéficiaire.")
    page.get_by_role("button", name="Envoyer le commentaire").click()
    expect(page.locator("#commentaire-statut")).to_contain_text("Commentaire enregistré")
    feedback = app.data_dir / "feedback.jsonl"
    records = [json.loads(line) for line in feedback.read_text(encoding="utf-8").splitlines()]
    mine = [r for r in records if r["question"] == "c'est quoi un CRT ?" and r["rating"] == "down"]
    assert len(mine) == 1, records
    assert mine[0]["comment"] == "Il manque le montant par bénéficiaire."
    assert mine[0]["answer"] and mine[0]["citations"][0]["source"] == ORNE
    assert isinstance(mine[0]["citations"][0]["page"], int) and mine[0]["time"]


def open_discover(page: Page) -> None:
    page.get_by_role("tab", name="Découvrir").click()
    expect(page.locator("#fiches article.fiche").first).to_be_visible()
    expect(page.locator("#glossaire tbody tr").first).to_be_visible()


def test_discover_shows_the_glossary_with_its_pages_and_filters_it_as_you_type(page: Page):
    open_discover(page)
    glossary = page.locator("#glossaire")
    cts = glossary.locator('tr[data-sigle="CTS"]')
    expect(cts).to_contain_text("Conseil territorial de santé")
    # the corpus only spells CTS out (« …avec chaque Conseil territorial de santé (CTS). »): no definition
    expect(cts).to_contain_text("Défini nulle part dans les documents")
    expect(cts).not_to_contain_text("chaque Conseil territorial de santé (CTS)")
    spelled_out = cts.locator(".origine a")
    expect(spelled_out).to_contain_text("p. 2")
    expect(spelled_out).to_have_attribute("href", re.compile(rf"^/visionneuse/{ORNE}\?page=2&passage=Cette"))
    expect(glossary.locator('tr[data-sigle="MILDECA"]')).to_contain_text("mission interministérielle de lutte")
    expect(glossary.locator('tr[data-sigle="FIR"]')).to_contain_text("non tirée des documents")

    search = page.get_by_label("Rechercher un sigle ou un mot de son développé")
    search.fill("mildeca")
    rows = glossary.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("MILDECA")
    search.fill("Territorial")  # a word of the expansion, whatever its case
    expect(glossary.locator('tr[data-sigle="CTS"]')).to_be_visible()
    expect(glossary.locator('tr[data-sigle="MILDECA"]')).to_have_count(0)
    search.fill("")
    expect(glossary.locator('tr[data-sigle="MILDECA"]')).to_be_visible()


def test_discover_shows_the_orne_roadmap_fiche_linked_to_its_pages(page: Page):
    open_discover(page)
    fiche = page.locator("#fiches article.fiche").filter(has=page.get_by_role("heading", name=ORNE_TITLE))
    expect(fiche).to_contain_text("feuille de route")
    expect(fiche).to_contain_text("janvier 2025")
    expect(fiche).to_contain_text("13 pages · 40 passages")
    heading = fiche.get_by_role("link", name="Maison des Femmes Santé de l’Orne")
    expect(heading).to_have_attribute("href", re.compile(rf"^/visionneuse/{ORNE}\?page=4&passage=Maison"))
    figure = fiche.locator("table.chiffres tr").filter(has_text="220 000 euros")
    expect(figure).to_contain_text("Drog’Aide 61")
    figure_link = figure.get_by_role("link", name="p. 6")
    expect(figure_link).to_have_attribute("href", re.compile(rf"^/visionneuse/{ORNE}\?page=6&passage="))
    expect(fiche.locator(".entites")).to_contain_text("Drog’Aide 61")
    expect(fiche.get_by_role("button", name="combien pour le plan crack ?")).to_be_visible()


def test_a_suggested_question_is_asked_in_the_chat_in_one_click(page: Page):
    open_discover(page)
    page.locator("#fiches").get_by_role("button", name="combien pour le plan crack ?").click()
    expect(page.get_by_role("tab", name="Discussion")).to_have_attribute("aria-selected", "true")
    expect(page.locator('[data-testid="user"]').last).to_contain_text("combien pour le plan crack ?")
    answer = page.locator('[data-testid="bot"]').last
    expect(answer.locator(".citation").first).to_be_visible()
    expect(answer).to_contain_text("220 000")
    expect(answer.locator(".citation").first).to_contain_text(ORNE)


def test_the_chat_examples_are_suggested_questions_of_the_documents(page: Page):
    examples = example_buttons(page).all_inner_texts()
    open_discover(page)
    suggested = page.locator("#fiches button.question").all_inner_texts()
    assert examples and set(examples) <= set(suggested), (examples, suggested)
    assert "combien pour le plan crack ?" in suggested


def open_documents(page: Page) -> None:
    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#documents")).to_contain_text(ORNE)


def test_an_uploaded_pdf_is_listed_answered_from_and_can_be_removed(page: Page, app: RunningApp, tmp_path: Path):
    note = write_note_pdf(
        tmp_path / "Note vaccination 2026.pdf",
        "Note de service : vaccination antigrippale des agents",
        [NOTE_FACT, "Les agents s'inscrivent auprès du service de santé au travail avant le 30 septembre 2026."],
    )
    open_documents(page)
    page.locator("#envoi input[type=file]").set_input_files(note)
    report = page.locator("#resultat-envoi")
    expect(report).to_contain_text("Note vaccination 2026.pdf : ajouté : 1 page,", timeout=60_000)
    table = page.locator("#documents")
    expect(table).to_contain_text("Note de service : vaccination antigrippale des agents")
    expect(page.locator("#resume-documents")).to_contain_text("3 documents indexés")
    assert (app.data_dir / "uploads" / "Note vaccination 2026.pdf").read_bytes() == note.read_bytes()

    open_discover(page)
    page.get_by_role("button", name="Actualiser", exact=True).click()
    expect(page.get_by_role("heading", name="Note de service : vaccination antigrippale des agents")).to_be_visible()

    page.get_by_role("tab", name="Discussion").click()
    answer = ask(page, "quand commence la campagne de vaccination antigrippale des agents ?")
    expect(answer).to_contain_text("14 octobre 2026")
    expect(answer.locator(".citation").first).to_contain_text("Note vaccination 2026.pdf")

    open_documents(page)
    page.get_by_label("Document à retirer").click()
    page.get_by_role("option", name="Note vaccination 2026.pdf").click()
    page.get_by_role("button", name="Retirer de l'index").click()
    page.get_by_role("button", name="Oui, retirer").click()
    expect(page.locator("#resultat-retrait")).to_contain_text("retiré de l'index et supprimé")
    expect(table).not_to_contain_text("vaccination")
    assert not (app.data_dir / "uploads" / "Note vaccination 2026.pdf").exists()
    open_discover(page)
    page.get_by_role("button", name="Actualiser", exact=True).click()
    expect(page.locator("#fiches")).not_to_contain_text("vaccination")
    expect(page.locator("#fiches")).to_contain_text(ORNE_TITLE)


def test_bad_uploads_are_refused_with_the_french_reason(page: Page, app: RunningApp, tmp_path: Path):
    fake = tmp_path / "faux.pdf"
    fake.write_bytes(os.urandom(4096))
    program = tmp_path / "outil.exe"
    program.write_bytes(b"MZ" + os.urandom(1024))
    open_documents(page)
    page.locator("#envoi input[type=file]").set_input_files([fake, program])
    report = page.locator("#resultat-envoi")
    expect(report).to_contain_text("faux.pdf : ce n'est pas un PDF (en-tête %PDF absent)", timeout=60_000)
    expect(report).to_contain_text("outil.exe : format non pris en charge (.exe) ; formats acceptés : .pdf")
    uploads = app.data_dir / "uploads"
    assert not (uploads / "faux.pdf").exists() and not (uploads / "outil.exe").exists()


def test_a_file_over_the_size_limit_is_refused_in_french_before_upload(page: Page, tmp_path: Path):
    big = tmp_path / "rapport-annuel.pdf"
    big.write_bytes(b"%PDF-1.4\n" + os.urandom(int((MAX_UPLOAD_MB + 0.5) * 1024 * 1024)))
    open_documents(page)
    page.locator("#envoi input[type=file]").set_input_files(big)
    expect(page.locator("#envoi-erreur")).to_contain_text(
        f"Fichier trop volumineux : « rapport-annuel.pdf » (1,5 Mo). Taille maximale : {MAX_UPLOAD_MB} Mo"
    )
    expect(page.locator("#resultat-envoi")).not_to_contain_text("rapport-annuel.pdf")


@pytest.mark.parametrize(
    "path",
    [
        "/documents/../../../../etc/passwd",
        "/documents/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/documents/%2Fetc%2Fpasswd",
        "/documents/data/documents/" + ORNE,
        "/documents/manifest.json",
        "/documents/pyproject.toml",
    ],
)
def test_the_document_route_serves_indexed_files_only(app: RunningApp, path: str):
    address = urlsplit(app.url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
    connection.request("GET", path)  # sent as is: http.client does not normalise ".."
    response = connection.getresponse()
    body = response.read()
    assert response.status == 404, (path, response.status)
    assert b"root:" not in body and b"%PDF" not in body


def test_two_sessions_keep_their_own_conversations(page: Page, browser: Browser, app: RunningApp):
    ask(page, "qui a signé la charte ?")
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        other.goto(app.url + "/")
        other.get_by_placeholder("Votre question").wait_for()
        expect(other.locator('[data-testid="user"]')).to_have_count(0)
        follow_up = ask(other, "et pour les jeunes ?")  # no previous question here: not read as a follow-up
        expect(follow_up).not_to_contain_text("258 000")
    finally:
        other.context.close()


def test_the_layout_fits_a_narrow_window(browser: Browser, app: RunningApp):
    context = browser.new_context(viewport={"width": 380, "height": 800})
    try:
        narrow = context.new_page()
        narrow.goto(app.url + "/")
        narrow.get_by_placeholder("Votre question").wait_for()
        answer = ask(narrow, "combien pour le plan crack ?")
        expect(answer).to_contain_text("220 000")
        expect(narrow.get_by_role("button", name="Envoyer", exact=True)).to_be_in_viewport()
        overflow = narrow.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page {overflow}px wider than the window"
        open_discover(narrow)
        narrow.get_by_label("Rechercher un sigle ou un mot de son développé").fill("cts")
        expect(narrow.locator("#glossaire tbody tr")).to_have_count(1)
        overflow = narrow.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"Découvrir {overflow}px wider than the window"
    finally:
        context.close()
