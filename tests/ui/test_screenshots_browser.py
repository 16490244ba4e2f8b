"""The screenshots of the README and docs/ (docs/screenshots), taken from the real app in headless Chromium on a
1366×900 screen and a 380×800 phone: the chat with an answer and its source cards, a refusal with its closest
passages, Découvrir, Documents and the viewer. Each is taken once what it shows is on screen, and on neither
screen does a page scroll sideways (on a phone, text cut at the right edge would go unread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_app import SCREENSHOTS, RunningApp, ask, open_page
from playwright.sync_api import Browser, Page, ViewportSize, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.integration]

ORNE = "feuille-de-route-orne-bilan-2025.pdf"
CRACK = "combien pour le plan crack ?"
REFUSED = "budget plan crack dans le calvados"
SCREENS: dict[str, ViewportSize] = {"": {"width": 1366, "height": 900}, "-telephone": {"width": 380, "height": 800}}


@pytest.fixture(params=list(SCREENS), ids=["1366px", "380px"])
def screen(request: pytest.FixtureRequest) -> str:
    """The suffix of the screenshots' names: "" on the desktop screen, "-telephone" on the phone."""
    return str(request.param)


@pytest.fixture
def shown(browser: Browser, app: RunningApp, screen: str) -> Iterator[Page]:
    """The app's page on this screen, its models loaded (the first answer comes within the expectations' time)."""
    with open_page(browser, app.url, viewport=SCREENS[screen], warm=True) as page:
        yield page


def shoot(page: Page, name: str) -> None:
    """Check that the page does not scroll sideways, then write docs/screenshots/<name>.png of the screen."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name}: page {overflow}px wider than the window"
    page.wait_for_timeout(500)  # Gradio's fades and the side panel's slide are over
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_the_screenshots_show_each_tab_as_an_agent_uses_it(shown: Page, screen: str):
    page = shown
    answer = ask(page, CRACK)
    card = answer.locator(".citation").first
    expect(card.locator("mark")).to_contain_text("220 000 euros")
    # the chat lands on the question and the answer's first line (test_browser_answer.py), with the cards below
    expect(page.locator('[data-testid="user"]').last).to_be_in_viewport()
    expect(answer.locator(".cit-tete").first).to_be_visible()
    shoot(page, f"chat{screen}")

    # the viewer, before the next question (the answer located above is the chat's last one)
    with page.context.expect_page() as opened:
        card.get_by_role("link", name="Voir le passage, page 6").click()
    viewer = opened.value
    expect(viewer.locator("#document")).to_have_attribute("data-pret", "oui", timeout=60_000)
    expect(viewer.locator("mark.surlignage").first).to_be_in_viewport()
    shoot(viewer, f"viewer-pdf{screen}")
    viewer.close()

    refusal = ask(page, REFUSED)
    expect(refusal.locator(".refus")).to_contain_text("Je ne trouve pas cette information")
    expect(refusal.locator(".proches .proche").first).to_be_in_viewport()
    shoot(page, f"refus{screen}")

    page.get_by_role("tab", name="Découvrir").click()
    expect(page.locator("#fiches article.fiche").first).to_be_in_viewport()
    expect(page.locator("#glossaire tbody tr").first).to_be_attached()
    shoot(page, f"decouvrir{screen}")

    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#documents")).to_contain_text(ORNE)
    expect(page.locator("#documents")).to_be_in_viewport()
    shoot(page, f"documents{screen}")
