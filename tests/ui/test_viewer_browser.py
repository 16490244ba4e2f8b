"""The viewer as a user meets it: a citation opens its document at the page, the cited passage highlighted —
in a text PDF, in a scanned PDF (boxes read by OCR) and in a web page — on a desktop and on a 380 px phone, where
the page is zoomed until the passage reads; no serious axe-core violation (tests/ui/axe.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from axe import serious_violations
from browser_app import SCREENSHOTS, RunningApp, ask, open_page
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORNE = "feuille-de-route-orne-bilan-2025.pdf"
SCAN = "arrete-centre-sante-vire-scan.pdf"
WEB_PAGE = "actualite-campagne-grippe-2024.html"


def spaced(text: str) -> str:
    """Text as read, whatever the line breaks: the highlight of a PDF is cut at its lines."""
    return " ".join(text.split())


def open_cited(page: Page, citation: Locator, page_number: int) -> Page:
    """Click the citation's link to its passage; the viewer's tab, once its page is drawn and marked."""
    with page.context.expect_page() as opened:
        citation.get_by_role("link", name=f"Voir le passage, page {page_number}").click()
    viewer = opened.value
    expect(viewer.locator("#document")).to_have_attribute("data-pret", "oui", timeout=60_000)
    return viewer


def highlighted(viewer: Page) -> str:
    return spaced(" ".join(viewer.locator("mark.surlignage").all_text_contents()))


def test_a_citation_opens_the_pdf_at_its_page_with_the_cited_sentence_highlighted(page: Page, app: RunningApp):
    answer = ask(page, "combien pour le plan crack ?")
    citation = answer.locator(".citation").first
    sentence = spaced(citation.locator("mark").inner_text())
    viewer = open_cited(page, citation, 6)
    address = urlsplit(viewer.url)
    assert address.path == f"/visionneuse/{ORNE}" and parse_qs(address.query)["page"] == ["6"]
    expect(viewer.get_by_role("heading", level=1)).to_have_text("Feuille de route départementale de l’Orne – "
                                                                "Bilan janvier 2025")
    expect(viewer.locator("#numero")).to_have_text("Page 6 / 13")
    expect(viewer.locator("#etat")).to_have_text("Passage surligné.")
    assert "220 000 euros" in sentence and highlighted(viewer) == sentence
    expect(viewer.locator("mark.surlignage").first).to_be_in_viewport()
    expect(viewer.get_by_role("link", name="Télécharger le fichier")).to_have_attribute("href", f"/documents/{ORNE}")
    assert not serious_violations(viewer)

    viewer.get_by_role("button", name="Page suivante").click()
    expect(viewer.locator("#numero")).to_have_text("Page 7 / 13")
    expect(viewer.locator("mark.surlignage")).to_have_count(0)
    expect(viewer.locator("#etat")).to_have_text("Page 7 ; le passage cité est en page 6.")
    assert parse_qs(urlsplit(viewer.url).query)["page"] == ["7"]
    viewer.get_by_role("button", name="Page précédente").click()
    expect(viewer.locator("#numero")).to_have_text("Page 6 / 13")
    expect(viewer.locator("mark.surlignage").first).to_be_visible()


def test_on_a_380_px_phone_the_passage_opens_readable_and_in_view(browser: Browser, app: RunningApp):
    with open_page(browser, app.url) as page:
        citation = ask(page, "combien pour le plan crack ?").locator(".citation").first
        sentence = spaced(citation.locator("mark").inner_text())
        href = citation.get_by_role("link", name="Voir le passage, page 6").get_attribute("href") or ""
    context = browser.new_context(viewport={"width": 380, "height": 800}, device_scale_factor=2)
    try:
        viewer = context.new_page()
        viewer.goto(app.url + href)
        expect(viewer.locator("#document")).to_have_attribute("data-pret", "oui", timeout=60_000)
        assert highlighted(viewer) == sentence
        # zoomed until the highlighted lines read without pinching (the page fitted to 380 px made them ~6 px high)
        heights = [box["height"] for mark in viewer.locator("mark.surlignage").all()
                   if (box := mark.bounding_box()) is not None]
        assert heights and min(heights) >= 12, heights
        # the page scrolls sideways inside the viewer, never the whole window; the passage's start is in view
        overflow = viewer.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"viewer {overflow}px wider than the window"
        first = viewer.locator("mark.surlignage").first.bounding_box()
        assert first is not None and 0 <= first["x"] < 380 and 0 <= first["y"] < 800, first
        assert not serious_violations(viewer)
        # the whole page in one tap, and the reading zoom again
        viewer.get_by_role("button", name="Page entière").click()
        expect(viewer.get_by_role("button", name="Agrandir")).to_be_visible()
        expect(viewer.locator("#document")).to_have_attribute("data-pret", "oui")
        box = viewer.locator("#page-pdf").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 380, box
        viewer.get_by_role("button", name="Agrandir").click()
        expect(viewer.locator("#document")).to_have_attribute("data-pret", "oui")
        expect(viewer.locator("mark.surlignage").first).to_be_visible()
        box = viewer.locator("#page-pdf").bounding_box()
        assert box is not None and box["width"] > 380, box
    finally:
        context.close()


def test_a_citation_of_a_scanned_pdf_highlights_the_words_read_by_ocr(browser: Browser, formats_app: RunningApp):
    with open_page(browser, formats_app.url) as page:
        answer = ask(page, "quelle aide au démarrage pour le centre de santé de Vire ?")
        citation = answer.locator(".citation").filter(has_text=SCAN).first
        sentence = spaced(citation.locator("mark").inner_text())
        viewer = open_cited(page, citation, 2)
        expect(viewer.locator("#numero")).to_have_text("Page 2 / 2")
        expect(viewer.locator("#etat")).to_have_text(
            "Passage surligné (texte reconnu par OCR, à vérifier sur le scan).")
        marks = viewer.locator(".boites mark.surlignage")
        expect(marks.first).to_be_visible()
        assert "85 000" in sentence and highlighted(viewer) == sentence
        # the boxes lie over the scan, each on its line of the passage
        page_box = viewer.locator("#page-pdf").bounding_box()
        assert page_box is not None
        for mark in marks.all():
            box = mark.bounding_box()
            assert box is not None and page_box["y"] < box["y"] < page_box["y"] + page_box["height"]
            assert 5 < box["height"] < 60, box
        viewer.wait_for_timeout(300)
        viewer.screenshot(path=str(SCREENSHOTS / "viewer-scan.png"))


def test_a_citation_of_a_web_page_shows_its_text_with_the_passage_highlighted(browser: Browser,
                                                                              formats_app: RunningApp):
    with open_page(browser, formats_app.url) as page:
        answer = ask(page, "quand commence la campagne de vaccination contre la grippe ?")
        citation = answer.locator(".citation").filter(has_text=WEB_PAGE).first
        sentence = spaced(citation.locator("mark").inner_text())
        viewer = open_cited(page, citation, 1)
        expect(viewer.get_by_role("heading", level=2).first).to_contain_text("Vaccination contre la grippe")
        expect(viewer.locator("#etat-texte")).to_have_text("Passage surligné.")
        assert "15 octobre 2024" in sentence and highlighted(viewer) == sentence
        expect(viewer.locator("mark.surlignage").first).to_be_in_viewport()
        expect(viewer.locator("article.texte")).not_to_contain_text("cookies")  # the site's banner is left out
        expect(viewer.get_by_role("link", name="Télécharger le fichier")).to_have_attribute(
            "href", f"/documents/{WEB_PAGE}")


def test_the_viewer_explains_a_wrong_address_in_french(page: Page, app: RunningApp):
    page.goto(f"{app.url}/visionneuse/inconnu.pdf?page=2")
    expect(page.get_by_role("alert")).to_contain_text("Document introuvable")
    page.goto(f"{app.url}/visionneuse/{ORNE}?page=dix")
    expect(page.get_by_role("alert")).to_have_text(re.compile(r"Numéro de page invalide : « dix »\. Donnez un nombre"))
    assert page.request.get(f"{app.url}/visionneuse/..%2F..%2Fpyproject.toml").status == 404
    assert page.request.get(f"{app.url}/visionneuse-fichiers/..%2Fserver.py").status == 404
