"""Helpers of the sign-in tests: the test provider's address and client, a browser tab signed in through it, and
tokens obtained from it the way a tool would (authorization code flow with PKCE, by hand)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlparse

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey
from playwright.sync_api import Browser, Page

ID_TOKEN_TTL_S = 2  # short, so that the expiry test waits little (plus the API's 10 s of clock leeway)
ADMIN, AGENT = ("marie", "marie-mdp"), ("paul", "paul-mdp")  # tests/oidc/provider.mjs: marie is in the admin group


@dataclass(frozen=True)
class OidcProvider:
    url: str
    app_port: int
    client_id: str = "ars-assistant"
    client_secret: str = field(default="secret-de-test-du-client", repr=False)

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"


def sign_in_form(tab: Page, account: tuple[str, str]) -> None:
    """Fill and send the provider's sign-in form (the tab is on it)."""
    tab.get_by_label("Identifiant").fill(account[0])
    tab.get_by_label("Mot de passe").fill(account[1])
    tab.get_by_role("button", name="Se connecter").click()


@contextmanager
def signed_in(browser: Browser, app_url: str, account: tuple[str, str]) -> Iterator[Page]:
    """A fresh browser session that opened the app, went through the provider's sign-in, and is back on the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        tab.goto(app_url + "/")
        tab.get_by_role("heading", name="Connexion au fournisseur d'identité de test").wait_for()
        sign_in_form(tab, account)
        tab.get_by_placeholder("Votre question").wait_for()
        yield tab
    finally:
        context.close()


def provider_tokens(provider: OidcProvider, account: tuple[str, str]) -> dict[str, str]:
    """The provider's tokens (id_token, access_token) for `account`, asked for as the app would (code flow, PKCE);
    the redirect back to the app is not followed: its code is exchanged here."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    callback = provider.app_url + "/connexion/retour"
    with httpx.Client(timeout=10) as client:
        response = client.get(provider.url + "/auth", params={
            "client_id": provider.client_id, "response_type": "code", "redirect_uri": callback,
            "scope": "openid email given_name usual_name groups", "state": "etat", "nonce": "nonce",
            "code_challenge": challenge, "code_challenge_method": "S256"})
        for _ in range(10):
            if response.status_code == 200 and "Mot de passe" in response.text:  # the sign-in form
                response = client.post(str(response.url), data={"login": account[0], "password": account[1]})
                continue
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(callback):
                code = parse_qs(urlparse(location).query)["code"][0]
                break
            response = client.get(location)
        else:
            raise AssertionError(f"no code from the provider: {response.status_code} {response.text[:300]}")
        token = client.post(provider.url + "/token", auth=(provider.client_id, provider.client_secret), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": callback, "code_verifier": verifier})
        token.raise_for_status()
        return dict(token.json())


def forged_token(provider: OidcProvider, subject: str = "marie") -> str:
    """A token with every right claim, signed by a key the provider never published."""
    key = RSAKey.generate_key(2048, parameters={"kid": "cle-contrefaite"})
    now = int(time.time())
    claims = {"iss": provider.url, "aud": provider.client_id, "sub": subject, "email": "marie.dupont@ars.test",
              "groups": ["ars-admin-documents"], "iat": now, "exp": now + 600}
    return jwt.encode({"alg": "RS256", "kid": "cle-contrefaite"}, claims, key)
