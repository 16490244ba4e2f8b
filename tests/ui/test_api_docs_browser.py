"""The API's documentation page works offline: a real `ars-assistant api` and headless Chromium with every request
that would leave 127.0.0.1 cut off, as on an agency workstation without internet."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_app import running_api
from playwright.sync_api import Browser, Route, expect

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]


def test_the_api_docs_show_the_routes_in_french_with_the_network_cut_off(browser: Browser, tmp_path: Path):
    with running_api(tmp_path, {"ARS_DATA_DIR": str(tmp_path / "data")}) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        left: list[str] = []

        def only_this_machine(route: Route) -> None:
            if route.request.url.startswith(url + "/"):
                route.continue_()
            else:  # a CDN, a validator, a font: what an offline workstation cannot reach
                left.append(route.request.url)
                route.abort()

        context.route("**/*", only_this_machine)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url + "/api/docs")
        ask = page.locator('.opblock-summary-path[data-path="/api/ask"]')
        expect(ask).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("API de l'assistant ARS")
        expect(page.locator(".opblock-summary-description", has_text="Poser une question").first).to_be_visible()
        for route in ("/api/search", "/api/documents/{source}", "/v1/chat/completions", "/api/health"):
            expect(page.locator(f'.opblock-summary-path[data-path="{route}"]').first).to_be_visible()
        # every route says in French what it does: no summary is FastAPI's English default made of the function name
        summaries = page.locator(".opblock-summary-description").all_inner_texts()
        assert len(summaries) >= 10 and "Ask Stream" not in summaries and "Health" not in summaries
        assert page.evaluate("document.documentElement.lang") == "fr"
        context.close()
        assert left == []
        log = next(tmp_path.glob("api-*.log")).read_text()
        assert "0 document indexé ;" in log  # an empty index, said in French, without « document(s) »
