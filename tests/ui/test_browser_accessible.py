"""The page as a screen reader and a phone meet it (issue 27, items 5 and 6): no serious or critical axe-core
violation on any tab, with what it shows after use (an answer's source cards, a refusal's closest passages, the
list of discussions and its ✎/🗑 buttons, the Documents tab's removal confirmation); labels in plain French text,
one h1 and headings that outline the page, every tab in view on a 380 px phone. The viewer's checks are in
test_viewer_browser.py."""

from __future__ import annotations

import re

import pytest
from axe import serious_violations
from browser_app import RunningApp, ask, open_page
from playwright.sync_api import Browser, Page, ViewportSize, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ORNE = "feuille-de-route-orne-bilan-2025.pdf"
CRACK = "combien pour le plan crack ?"
REFUSED = "budget plan crack dans le calvados"
PHONE: ViewportSize = {"width": 380, "height": 800}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
# Gradio's own English, and its translation keys shown untranslated (« common.complete »)
ENGLISH = re.compile(r"message|chatbot|More tabs|Loading|Click to|upload|drop file", re.IGNORECASE)
I18N_KEY = re.compile(r"^[a-z_]{2,40}\.[a-z_]{2,40}$")


def show_tab(page: Page, name: str) -> None:
    """Open a tab and wait for what it shows once loaded."""
    page.get_by_role("tab", name=name).click()
    if name == "Découvrir":
        expect(page.locator("#fiches article.fiche").first).to_be_visible()
        expect(page.locator("#glossaire tbody tr").first).to_be_visible()
    elif name == "Documents":
        expect(page.locator("#documents")).to_contain_text(ORNE)
    page.wait_for_timeout(500)  # Gradio's fade-in of the tab's content: contrast is measured once it is done


def headings(page: Page, within: str = "body") -> list[tuple[int, str]]:
    """The visible headings of the page (or of the first visible element matching `within`), in order."""
    found = page.evaluate("""(within) => {
        const root = Array.from(document.querySelectorAll(within)).find((e) => e.getClientRects().length > 0);
        return Array.from(root.querySelectorAll("h1, h2, h3, h4, h5, h6"))
          .filter((h) => h.getClientRects().length > 0)
          .map((h) => [Number(h.tagName[1]), h.textContent.trim()]);
    }""", within)
    return [(int(level), str(text)) for level, text in found]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "380px"])
def test_no_tab_has_a_serious_accessibility_violation(browser: Browser, app: RunningApp, viewport: ViewportSize):
    with open_page(browser, app.url, viewport=viewport, warm=True) as page:
        ask(page, CRACK)  # the chat with an answer and its source cards
        refusal = ask(page, REFUSED)  # and a refusal with its closest passages
        expect(refusal.locator(".proches .proche").first).to_be_visible()
        page.wait_for_timeout(500)
        found = {"Discussion": serious_violations(page)}
        # the list of discussions, with each line's ✎ and 🗑 named in French
        panel = page.locator("#liste-discussions")
        if viewport is PHONE:  # beside the chat on a wide screen; opened by its button on a phone
            page.get_by_role("button", name="Mes discussions").click()
        expect(panel).to_be_in_viewport()
        # (the app is shared by the session's tests: an earlier one may have asked the same question)
        expect(page.get_by_role("button", name=f"Renommer « {CRACK} »").first).to_be_visible()
        expect(page.get_by_role("button", name=f"Supprimer « {CRACK} »").first).to_be_visible()
        page.wait_for_timeout(500)  # the side panel's slide-in: contrast is measured once it is done
        found["Mes discussions"] = serious_violations(page)
        if viewport is PHONE:  # the panel covers the phone's screen: close it to reach the tabs
            page.get_by_role("button", name="Mes discussions").click()
            expect(panel).not_to_be_in_viewport()
        show_tab(page, "Découvrir")
        found["Découvrir"] = serious_violations(page)
        show_tab(page, "Documents")
        found["Documents"] = serious_violations(page)
        # the removal's confirmation, shown beside « Retirer de l'index » (nothing is removed: « Annuler »)
        page.get_by_label("Document à retirer").click()
        page.get_by_role("option", name=ORNE).click()
        page.get_by_role("button", name="Retirer de l'index").click()
        expect(page.get_by_role("button", name="Oui, retirer")).to_be_visible()
        page.wait_for_timeout(500)
        found["Documents, confirmation"] = serious_violations(page)
        page.get_by_role("button", name="Annuler").click()
    assert found == {tab: [] for tab in found}, "\n".join(
        f"{tab}: {line}" for tab, lines in found.items() for line in lines)


def test_labels_are_plain_french_text(browser: Browser, app: RunningApp):
    with open_page(browser, app.url, viewport=DESKTOP, warm=True) as page:
        answer = ask(page, CRACK)
        expect(answer).to_have_attribute("aria-label", "Réponse de l'assistant")  # not the answer's HTML
        expect(page.locator('[data-testid="user"]').last).to_have_attribute("aria-label", "Votre question")
        expect(page.get_by_role("log")).to_have_attribute("aria-label", "Discussion avec l'assistant")
        # what the live regions announce when an event ends: recorded from now on
        page.evaluate("""() => {
          window.announced = [];
          new MutationObserver((records) => records.forEach((record) => {
            const node = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
            const region = node && node.closest("[aria-live]:not([role=log]), [role=status], [role=alert]");
            const text = region ? region.textContent.trim() : "";
            if (text) window.announced.push(text);
          })).observe(document.body, { subtree: true, childList: true, characterData: true });
        }""")
        labels = {}
        for tab in ("Discussion", "Découvrir", "Documents"):
            show_tab(page, tab)
            labels[tab] = page.evaluate(
                "() => Array.from(document.querySelectorAll('[aria-label]'), (e) => e.getAttribute('aria-label'))")
        page.get_by_role("button", name="Actualiser la liste").click()
        page.wait_for_function("() => window.announced.length > 0")
        announced = page.evaluate("window.announced")
    wrong = [(tab, label) for tab, found in labels.items() for label in found
             if "<" in label or ENGLISH.search(label) or I18N_KEY.match(label)]
    assert not wrong, wrong
    assert "Terminé" in announced and not [a for a in announced if I18N_KEY.match(a) or "common." in a], announced


def test_one_h1_and_headings_that_outline_each_tab(browser: Browser, app: RunningApp):
    with open_page(browser, app.url, viewport=DESKTOP, warm=True) as page:
        for tab in ("Discussion", "Découvrir", "Documents"):
            show_tab(page, tab)
            found = headings(page)
            assert [text for level, text in found if level == 1] == ["ARS Assistant"], (tab, found)
            # the tab's own outline: its sections are h2 under the page's h1, no level skipped (an h3 right
            # under the h1, an h4 under an h2)
            outline = [(1, "ARS Assistant"), *headings(page, '[role="tabpanel"]')]
            skipped = [(a, b) for a, b in zip(outline, outline[1:], strict=False) if b[0] > a[0] + 1]
            assert not skipped, (tab, skipped)


def test_on_a_phone_every_tab_is_in_view_without_a_menu(browser: Browser, app: RunningApp):
    with open_page(browser, app.url, viewport=PHONE, warm=True) as page:
        for name in ("Discussion", "Découvrir", "Documents"):
            expect(page.get_by_role("tab", name=name)).to_be_in_viewport(ratio=1)
        expect(page.get_by_role("button", name=re.compile("More tabs|Autres onglets"))).to_have_count(0)
        show_tab(page, "Documents")  # reached in one tap
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page {overflow}px wider than the window"
