"""Sign-in with an OpenID Connect provider (ProConnect…): authorization code flow with PKCE (Authlib), the user
kept in a signed session cookie. Routes: /connexion (to the provider), /connexion/retour (its answer),
/deconnexion (session cleared, then the provider's own logout when it has one)."""

from __future__ import annotations

import html
import logging
import math
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.settings import Settings
from ingest.errors import UserError
from ui.tokens import ProviderTokens

log = logging.getLogger(__name__)

SIGN_IN, CALLBACK, SIGN_OUT, SIGNED_OUT = "/connexion", "/connexion/retour", "/deconnexion", "/deconnexion/terminee"
SESSION_COOKIE = "ars_session"
MIN_SECRET = 32


@dataclass(frozen=True, slots=True)
class User:
    sub: str
    email: str
    name: str
    groups: tuple[str, ...]

    @property
    def id(self) -> str:
        """The stable id handlers see as gr.Request.username: the email, else the provider's subject."""
        return self.email or self.sub

    @classmethod
    def of(cls, claims: dict[str, Any], groups_claim: str) -> User:
        """The user named by ID-token / userinfo claims (ProConnect: given_name and usual_name)."""
        name = " ".join(str(claims[k]) for k in ("given_name", "usual_name") if claims.get(k)) or str(
            claims.get("name") or "")
        raw = claims.get(groups_claim) or []
        groups = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
        return cls(str(claims["sub"]), str(claims.get("email") or ""), name, tuple(str(g) for g in groups))


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    groups_claim: str
    admin_groups: frozenset[str]
    admin_emails: frozenset[str]  # casefolded: a provider may spell an address with capitals
    session_secret: str
    secret_generated: bool
    # the session cookie's lifetime (ARS_SESSION_HOURS): its signed timestamp, set at sign-in, is checked against it
    session_s: int = 10 * 3600

    def is_admin(self, user: User) -> bool:
        """May add and remove documents: in an admin group or listed by email, or everyone when neither is set."""
        if not self.admin_groups and not self.admin_emails:
            return True
        return bool(self.admin_groups.intersection(user.groups)) or (
            bool(user.email) and user.email.casefold() in self.admin_emails
        )

    def tokens(self) -> ProviderTokens:
        return ProviderTokens(self.issuer, self.client_id)


def load_oidc(settings: Settings) -> OidcConfig | None:
    """The sign-in configuration, None without ARS_OIDC_ISSUER; a UserError names what is missing or wrong."""
    if not settings.oidc_issuer:
        if settings.oidc_client_id or settings.oidc_client_secret:
            raise UserError("Erreur : ARS_OIDC_CLIENT_ID est défini sans ARS_OIDC_ISSUER. Donnez l'adresse du "
                            "fournisseur d'identité, par exemple ARS_OIDC_ISSUER=https://auth.agentconnect.gouv.fr/api/v2.")
        return None
    issuer = settings.oidc_issuer.strip().rstrip("/")
    parsed = urlparse(issuer)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UserError(f"Erreur : ARS_OIDC_ISSUER « {settings.oidc_issuer} » n'est pas une adresse http(s). "
                        "Exemple : ARS_OIDC_ISSUER=https://auth.agentconnect.gouv.fr/api/v2.")
    missing = [name for name, value in (("ARS_OIDC_CLIENT_ID", settings.oidc_client_id),
                                        ("ARS_OIDC_CLIENT_SECRET", settings.oidc_client_secret)) if not value]
    if missing:
        raise UserError(f"Erreur : ARS_OIDC_ISSUER est défini mais pas {' ni '.join(missing)}. Recopiez-les depuis "
                        "l'espace partenaire du fournisseur d'identité.")
    if settings.ui_users or settings.ui_users_file:
        raise UserError("Erreur : deux modes de connexion à la fois (ARS_OIDC_ISSUER et ARS_UI_USERS ou "
                        "ARS_UI_USERS_FILE). Gardez-en un : OpenID Connect pour un service partagé, la liste de "
                        "comptes pour un seul poste.")
    if "openid" not in settings.oidc_scopes.split():
        raise UserError(f"Erreur : ARS_OIDC_SCOPES « {settings.oidc_scopes} » doit contenir « openid ».")
    secret = settings.session_secret
    if secret is not None and len(secret) < MIN_SECRET:
        raise UserError(f"Erreur : ARS_SESSION_SECRET trop court ({len(secret)} caractères) : il en faut au moins "
                        f"{MIN_SECRET}. Tirez-en un avec "
                        "`python -c \"import secrets; print(secrets.token_urlsafe(32))\"`.")
    admins = frozenset(g.strip() for g in (settings.admin_groups or "").split(",") if g.strip())
    emails = frozenset(e.strip().casefold() for e in (settings.admin_emails or "").split(",") if e.strip())
    wrong = sorted(e for e in emails if "@" not in e)
    if wrong:
        raise UserError(f"Erreur : ARS_ADMIN_EMAILS contient « {wrong[0]} », qui n'est pas un courriel. Donnez des "
                        "adresses séparées par des virgules, par exemple ARS_ADMIN_EMAILS=marie.dupont@ars.sante.fr.")
    return OidcConfig(issuer, str(settings.oidc_client_id), str(settings.oidc_client_secret), settings.oidc_scopes,
                      settings.oidc_groups_claim, admins, emails, secret or secrets.token_urlsafe(32), secret is None,
                      max(1, math.ceil(settings.session_hours * 3600)))


def session_user(request: Any) -> User | None:
    """The signed-in user of a request (a Starlette request or anything with its scope), from the session cookie."""
    scope = getattr(request, "scope", None)
    session = scope.get("session") if isinstance(scope, dict) else None
    data = session.get("user") if isinstance(session, dict) else None
    if not isinstance(data, dict):
        return None
    return User(str(data["sub"]), str(data["email"]), str(data["name"]), tuple(data["groups"]))


class SignInFirst:
    """ASGI middleware: the page opened without a session goes to the provider's sign-in (not Gradio's 401)."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...] = ("/",)) -> None:
        self.app, self.paths = app, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and scope["path"] in self.paths
        if page and not (scope.get("session") or {}).get("user"):
            await RedirectResponse(SIGN_IN, status_code=302)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install_oidc(app: FastAPI, config: OidcConfig) -> None:
    """The sign-in routes and the session cookie on `app`; call before the Gradio mount at "/" takes every path."""
    if config.secret_generated:
        log.warning("ARS_SESSION_SECRET is not set: a random one was drawn, sessions end when the server restarts "
                    "(several replicas need one shared ARS_SESSION_SECRET)")
    oauth = OAuth()
    oauth.register(
        "provider",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": config.scopes, "code_challenge_method": "S256"},
    )
    provider: Any = oauth.create_client("provider")

    async def sign_in(request: Request, suite: str = "/") -> Response:
        request.session.pop("user", None)
        # only a path of this site: "//host" and "/\\host" would send the user elsewhere after signing in
        request.session["next"] = suite if suite.startswith("/") and not suite.startswith(("//", "/\\")) else "/"
        try:
            return await provider.authorize_redirect(request, str(request.url_for("oidc_callback")))
        except (httpx.HTTPError, ValueError, KeyError, RuntimeError):
            log.exception("the OpenID Connect provider %s could not be reached", config.issuer)
            return _page("Fournisseur d'identité injoignable", "Le service de connexion ne répond pas pour le "
                         "moment. Réessayez dans un instant ; si cela dure, prévenez l'administrateur.", 502)

    async def callback(request: Request) -> Response:
        try:
            token = await provider.authorize_access_token(request)
            claims = dict(token.get("userinfo") or {})
            more = await _userinfo(provider, token)
            if more.get("sub", claims["sub"]) != claims["sub"]:  # OpenID Connect Core 5.3.2: same user, or none
                raise ValueError("userinfo names another subject than the ID token")
            claims.update(more)
        except OAuthError as exc:
            log.warning("sign-in refused: %s %s", exc.error, exc.description)
            return _page("Connexion interrompue", "La connexion n'a pas abouti (refusée, expirée ou ouverte dans "
                         "un autre onglet). Recommencez.", 400)
        except (httpx.HTTPError, ValueError, KeyError, JoseError) as exc:
            log.warning("sign-in failed: %r", exc)
            return _page("Connexion impossible", "La réponse du fournisseur d'identité n'a pas pu être vérifiée. "
                         "Recommencez ; si cela se répète, prévenez l'administrateur.", 400)
        user = User.of(claims, config.groups_claim)
        request.session["user"] = {"sub": user.sub, "email": user.email, "name": user.name, "groups": list(user.groups)}
        request.session["id_token"] = token.get("id_token")
        log.info("signed in: %s (admin: %s)", user.id, config.is_admin(user))
        return RedirectResponse(request.session.pop("next", "/"), status_code=302)

    async def sign_out(request: Request) -> Response:
        id_token = request.session.get("id_token")
        request.session.clear()
        done = str(request.url_for("oidc_signed_out"))
        try:
            metadata = await provider.load_server_metadata()
            if metadata.get("end_session_endpoint") and id_token:
                return await provider.logout_redirect(request, post_logout_redirect_uri=done, id_token_hint=id_token)
        except (httpx.HTTPError, ValueError):
            log.warning("the provider's logout could not be reached; the local session is closed", exc_info=True)
        return RedirectResponse(done, status_code=302)

    def signed_out() -> Response:
        return _page("Vous êtes déconnecté", "Votre session est terminée.", 200, link="Se connecter")

    app.add_api_route(SIGN_IN, sign_in, methods=["GET"], include_in_schema=False)
    app.add_api_route(CALLBACK, callback, methods=["GET"], name="oidc_callback", include_in_schema=False)
    app.add_api_route(SIGN_OUT, sign_out, methods=["GET"], include_in_schema=False)
    app.add_api_route(SIGNED_OUT, signed_out, methods=["GET"], name="oidc_signed_out", include_in_schema=False)
    # the redirect must see the session: SessionMiddleware is added last, so it runs first
    app.add_middleware(SignInFirst)
    app.add_middleware(SessionMiddleware, secret_key=config.session_secret, session_cookie=SESSION_COOKIE,
                       max_age=config.session_s, same_site="lax")


async def _userinfo(provider: Any, token: dict[str, Any]) -> dict[str, Any]:
    """The userinfo claims (where ProConnect puts email and names): JSON, or a JWT signed by the provider."""
    metadata = await provider.load_server_metadata()
    if not metadata.get("userinfo_endpoint") or not token.get("access_token"):
        return {}
    response = await provider.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if response.headers.get("content-type", "").startswith("application/jwt"):
        keys = KeySet.import_key_set(await provider.fetch_jwk_set())
        return dict(jwt.decode(response.text.strip(), keys).claims)
    data = response.json()
    return data if isinstance(data, dict) else {}


def _page(title: str, text: str, status: int, link: str = "Réessayer") -> HTMLResponse:
    """A small French page for the sign-in's outcomes."""
    body = (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)} – ARS Assistant'
            f'</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto">'
            f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
            f'<p><a href="{SIGN_IN}">{html.escape(link)}</a></p></body></html>')
    return HTMLResponse(body, status_code=status)
