"""The HTTP API beside a page signed in with OpenID Connect: the provider's tokens, checked (real provider)."""

from __future__ import annotations

import time

import httpx
from browser_app import RunningApp
from oidc_client import ADMIN, AGENT, ID_TOKEN_TTL_S, OidcProvider, forged_token, provider_tokens

from ui.tokens import LEEWAY_S


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_api_takes_a_valid_provider_token_and_refuses_missing_forged_and_expired_ones(
    oidc_app: RunningApp, oidc_provider: OidcProvider
):
    agent = provider_tokens(oidc_provider, AGENT)
    issued = time.time()
    with httpx.Client(base_url=oidc_app.url, timeout=60) as api:
        missing = api.get("/api/documents")
        assert missing.status_code == 401 and "Accès refusé" in missing.json()["detail"]
        forged = api.get("/api/documents", headers=bearer(forged_token(oidc_provider)))
        assert forged.status_code == 401 and "jeton invalide" in forged.json()["detail"]
        opaque = api.get("/api/documents", headers=bearer("pas-un-jeton"))
        assert opaque.status_code == 401

        listed = api.get("/api/documents", headers=bearer(agent["id_token"]))
        assert listed.status_code == 200 and len(listed.json()) == 2
        asked = api.post("/api/ask", json={"question": "combien pour le plan crack ?"},
                         headers=bearer(agent["id_token"]))
        assert asked.status_code == 200 and asked.json()["citations"]

        time.sleep(max(0.0, issued + ID_TOKEN_TTL_S + LEEWAY_S + 1 - time.time()))
        expired = api.get("/api/documents", headers=bearer(agent["id_token"]))
        assert expired.status_code == 401 and "jeton expiré" in expired.json()["detail"]


def test_only_the_admin_group_may_add_or_remove_documents_through_the_api(
    oidc_app: RunningApp, oidc_provider: OidcProvider
):
    agent, admin = provider_tokens(oidc_provider, AGENT), provider_tokens(oidc_provider, ADMIN)
    with httpx.Client(base_url=oidc_app.url, timeout=60) as api:
        refused = api.delete("/api/documents/inconnu.pdf", headers=bearer(agent["id_token"]))
        assert refused.status_code == 403 and "administrateurs" in refused.json()["detail"]
        upload = api.post("/api/documents", files={"file": ("note.txt", b"Une note.", "text/plain")},
                          headers=bearer(agent["id_token"]))
        assert upload.status_code == 403
        # the admin passes the check: the document is simply not there
        assert api.delete("/api/documents/inconnu.pdf", headers=bearer(admin["id_token"])).status_code == 404
