"""Signing in with OpenID Connect, in headless Chromium against a real provider (tests/oidc): open the app, sign in at
the provider, come back to the page; admins (by group) manage documents, the others read and ask; sign out."""

from __future__ import annotations

import json

from browser_app import RunningApp
from oidc_client import ADMIN, AGENT, OidcProvider, sign_in_form, signed_in
from playwright.sync_api import Browser, Page, expect

ORNE = "feuille-de-route-orne-bilan-2025.pdf"
PROVIDER_FORM = "Connexion au fournisseur d'identité de test"


def documents_tab(tab: Page) -> None:
    tab.get_by_role("tab", name="Documents").click()
    expect(tab.locator("#documents")).to_contain_text(ORNE)


def test_an_agent_signs_in_at_the_provider_asks_and_reads_but_cannot_manage_documents(
    browser: Browser, oidc_app: RunningApp
):
    with signed_in(browser, oidc_app.url, AGENT) as tab:
        assert tab.url.rstrip("/") == oidc_app.url  # back on the page, not on the provider
        expect(tab.locator("#compte")).to_contain_text("paul.martin@ars.test")
        tab.get_by_placeholder("Votre question").fill("combien pour le plan crack ?")
        tab.keyboard.press("Enter")
        answer = tab.locator('[data-testid="bot"]').last
        expect(answer.locator(".citation").first).to_contain_text(ORNE)
        expect(answer).to_contain_text("220 000")
        # the handlers know who asks (gr.Request.username): the feedback names the agent
        answer.hover()
        tab.get_by_role("button", name="Je n'aime pas").last.click()
        expect(tab.locator("#retour-statut")).to_contain_text("Merci")
        feedback = [json.loads(line) for line in (oidc_app.data_dir / "feedback.jsonl").read_text().splitlines()]
        assert [r["user"] for r in feedback if r["rating"] == "down"] == ["paul.martin@ars.test"]
        cited = tab.request.get(f"{oidc_app.url}/documents/{ORNE}")  # the session opens the cited files
        assert cited.status == 200 and cited.body().startswith(b"%PDF")
        viewer = answer.locator(".citation a").first.get_attribute("href")
        assert viewer and tab.request.get(oidc_app.url + viewer).status == 200

        # the conversation is kept under the signed-in agent: reload, find it in « Mes discussions », reopen it
        tab.goto(oidc_app.url + "/")  # a new visit: the chat starts empty (a reload would keep it open)
        tab.get_by_placeholder("Votre question").wait_for()
        expect(tab.locator('[data-testid="bot"]')).to_have_count(0)
        tab.locator("#liste-discussions li").filter(has_text="combien pour le plan crack").locator(
            "[data-action=open]").click()
        reopened = tab.locator('[data-testid="bot"]').last
        expect(reopened).to_contain_text("220 000")
        expect(reopened.locator(".citation").first).to_contain_text(ORNE)

        documents_tab(tab)
        expect(tab.locator("#envoi")).to_be_hidden()
        expect(tab.get_by_role("button", name="Retirer de l'index")).to_be_hidden()
        upload = tab.request.post(f"{oidc_app.url}/api/documents", headers={"Origin": oidc_app.url},  # as the page
                                  multipart={"file": {"name": "note.txt", "mimeType": "text/plain",
                                                      "buffer": b"Une note."}})
        assert upload.status == 403 and "administrateurs" in upload.json()["detail"]
        assert tab.request.get(f"{oidc_app.url}/api/documents").status == 200  # reading is allowed


def test_an_admin_sees_the_upload_and_removal_controls(browser: Browser, oidc_app: RunningApp):
    with signed_in(browser, oidc_app.url, ADMIN) as tab:
        documents_tab(tab)
        expect(tab.locator("#envoi")).to_be_visible()
        expect(tab.get_by_role("button", name="Retirer de l'index")).to_be_visible()


def test_signing_out_ends_the_session(browser: Browser, oidc_app: RunningApp, oidc_provider: OidcProvider):
    with signed_in(browser, oidc_app.url, AGENT) as tab:
        tab.get_by_role("link", name="Se déconnecter").click()
        expect(tab.get_by_role("heading", name="Vous êtes déconnecté")).to_be_visible()
        assert tab.request.get(f"{oidc_app.url}/api/documents").status == 401
        cited = tab.request.get(f"{oidc_app.url}/documents/{ORNE}")  # a citation link: sign in first
        assert cited.url.startswith(oidc_provider.url) and PROVIDER_FORM in cited.text()
        viewer = tab.request.get(f"{oidc_app.url}/visionneuse/{ORNE}?page=6&passage=crack")  # the viewer too
        assert viewer.url.startswith(oidc_provider.url) and PROVIDER_FORM in viewer.text()
        tab.goto(oidc_app.url + "/")  # the page asks to sign in again, at the provider (its session ended too)
        expect(tab.get_by_role("heading", name=PROVIDER_FORM)).to_be_visible()
        assert tab.url.startswith(oidc_provider.url)
        sign_in_form(tab, ("paul", "faux"))
        expect(tab.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect.")
