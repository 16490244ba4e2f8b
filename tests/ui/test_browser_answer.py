"""An answer read in one glance (issue 27), in headless Chromium on the real app: the figure said once, the chat on
the answer's first line, each [n] opening its passage, a refusal offering the closest passages, and the comment box
of a rated answer under that answer."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_app import RunningApp, ask, wait_warm
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORNE = "feuille-de-route-orne-bilan-2025.pdf"
CRACK = "combien pour le plan crack ?"


@pytest.fixture(scope="module", autouse=True)
def warm(app: RunningApp) -> None:
    """The app's models loaded before the first question: on a busy machine the first answer waits for them."""
    wait_warm(app.url)


def spaced(text: str) -> str:
    return " ".join(text.split())


def outside_sources(answer: Locator) -> str:
    """The answer's text without its sources block (folded parts included: they are read when opened)."""
    return answer.evaluate("e => { const c = e.cloneNode(true); c.querySelectorAll('.sources').forEach("
                           "s => s.remove()); return c.textContent; }")


def open_viewer(page: Page, link: Locator) -> Page:
    """Click a link to a passage; the viewer's tab once its page is drawn and marked."""
    with page.context.expect_page() as opened:
        link.click()
    viewer = opened.value
    expect(viewer.locator("#document")).to_have_attribute("data-pret", "oui", timeout=60_000)
    return viewer


def test_the_answer_says_its_figure_once_and_its_sources_are_compact_cards(page: Page):
    answer = ask(page, CRACK)
    text = outside_sources(answer)
    assert text.count("220 000") == 1, text
    assert "Source :" not in text
    related = answer.locator("details.montants")
    expect(related).to_have_count(1)
    expect(related).not_to_have_attribute("open", "")  # folded away: one click shows them
    expect(related.locator("summary")).to_have_text("Montants liés (2)")
    card = answer.locator(".citation").first
    expect(card.locator(".cit-tete")).to_contain_text("Feuille de route départementale de l’Orne")
    expect(card.locator(".cit-tete")).to_contain_text("· p. 6")
    expect(card.locator("mark")).to_contain_text("220 000 euros sur 3 ans")
    expect(card.get_by_role("link", name="Voir le passage, page 6")).to_be_visible()


def test_after_an_answer_the_chat_shows_its_first_line(page: Page):
    ask(page, "c'est quoi un CRT ?")
    answer = ask(page, CRACK)
    page.wait_for_timeout(1000)  # what Gradio's own scrolling would have done by now is done
    first_line = answer.locator("p").first
    expect(first_line).to_contain_text("220 000 euros")
    panel = page.locator("#discussion").evaluate_handle(
        "e => { const m = e.querySelector('[data-testid=\"bot\"]'); for (let n = m; n; n = n.parentElement) {"
        " const o = getComputedStyle(n).overflowY; if (o === 'auto' || o === 'scroll') return n; } return null; }"
    )
    top, bottom = panel.evaluate("n => [n.getBoundingClientRect().top, n.getBoundingClientRect().bottom]")
    line = first_line.bounding_box()
    assert line is not None and top <= line["y"] and line["y"] + line["height"] <= bottom, (top, bottom, line)
    expect(page.locator('[data-testid="user"]').last).to_be_in_viewport()  # the question just above it


def test_a_citation_marker_shows_its_quote_and_opens_the_viewer(page: Page):
    answer = ask(page, CRACK)
    marker = answer.locator(".reponse a.ref").first
    expect(marker).to_have_text("[1]")
    quote = marker.get_attribute("title") or ""
    assert "p. 6" in quote and "220 000 euros sur 3 ans" in quote, quote
    viewer = open_viewer(page, marker)
    address = urlsplit(viewer.url)
    assert address.path == f"/visionneuse/{ORNE}" and parse_qs(address.query)["page"] == ["6"]
    expect(viewer.locator("#etat")).to_have_text("Passage surligné.")
    highlighted = spaced(" ".join(viewer.locator("mark.surlignage").all_text_contents()))
    assert "220 000 euros sur 3 ans" in highlighted


def test_a_refusal_offers_the_closest_passages_with_a_working_link(page: Page):
    answer = ask(page, "budget plan crack dans le calvados")
    expect(answer.locator(".refus")).to_contain_text("Je ne trouve pas cette information dans les documents indexés.")
    expect(answer.locator(".citation")).to_have_count(0)
    closest = answer.locator(".proches")
    expect(closest.locator(".proches-titre")).to_contain_text("Ce n'est pas une réponse")
    cards = closest.locator(".proche")
    assert 1 <= cards.count() <= 3
    card = cards.filter(has_text="crack").first  # the sentence that came closest is about the Orne's plan crack
    sentence = spaced(card.locator(".cit-extrait").inner_text()).strip("« »")
    link = card.locator(".cit-pied a")
    expect(link).to_have_text(re.compile(r"^Voir le passage, page \d+"))
    viewer = open_viewer(page, link)
    expect(viewer.locator("#etat")).to_have_text("Passage surligné.")
    assert spaced(" ".join(viewer.locator("mark.surlignage").all_text_contents())) == sentence


def test_the_comment_box_opens_under_the_answer_it_rates(page: Page, app: RunningApp):
    ask(page, "c'est quoi un CRT ?")
    ask(page, CRACK)
    first = page.locator('[data-testid="bot"]').first
    first.scroll_into_view_if_needed()
    first.hover()
    like = page.get_by_role("button", name="J'aime").first
    dislike = page.get_by_role("button", name="Je n'aime pas").first
    like_box, dislike_box = like.bounding_box(), dislike.bounding_box()
    assert like_box and dislike_box and like_box["x"] < dislike_box["x"]  # 👍 before 👎
    assert min(like_box["width"], like_box["height"], dislike_box["width"], dislike_box["height"]) >= 44
    dislike.click()
    box = page.locator("#retour").first
    expect(box.locator("#retour-statut")).to_contain_text("Merci")
    comment = page.get_by_label("Commentaire (facultatif)")
    expect(comment).to_be_in_viewport()
    rated, next_question = first.bounding_box(), page.locator('[data-testid="user"]').last.bounding_box()
    shown = box.bounding_box()
    assert rated and next_question and shown
    # under the rated answer, above the next question
    assert rated["y"] + rated["height"] <= shown["y"] and shown["y"] + shown["height"] <= next_question["y"]
    comment.fill("Il manque le nombre de CRT par département.")
    page.get_by_role("button", name="Envoyer le commentaire").click()
    expect(page.locator("#commentaire-statut")).to_contain_text("Commentaire enregistré")
    records = [json.loads(line) for line in (app.data_dir / "feedback.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(r["question"] == "c'est quoi un CRT ?" and r["comment"] == "Il manque le nombre de CRT par département."
               for r in records)
