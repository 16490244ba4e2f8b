"""The web server: the Gradio app mounted on FastAPI, plus /documents/<source> for the cited files."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

from assistant.factory import read_limits
from assistant.settings import Settings
from lang.plural import counted
from ui.api import Caller, install_api
from ui.api_docs import api_app
from ui.app import build_app
from ui.auth import load_accounts
from ui.gradio_text import gradio_text
from ui.login import install_login, login_script
from ui.oidc import SIGN_IN, SIGN_OUT, install_oidc, load_oidc, session_user
from ui.page import FrenchPage, page_script
from ui.render import DOCUMENTS_ROUTE
from ui.security import allowed_origins, install_security
from ui.services import Services, check_port, open_services
from ui.viewer import install_viewer

log = logging.getLogger(__name__)

STYLE = Path(__file__).with_name("style.css")
NOT_FOUND = "Document introuvable : il n'est pas (ou plus) dans l'index, ou son fichier a été déplacé."
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

def check_suggestions(services: Services) -> None:
    """Check the suggested questions of every document now, so that the first page opened shows them at once."""
    if services.discovery is None:
        return
    try:
        services.discovery.examples()
    except Exception:
        log.exception("checking the suggested questions failed; they will be checked when a page asks for them")


def start_checking_suggestions(services: Services) -> threading.Thread:
    """check_suggestions in the background: the server answers meanwhile (a page opened early waits for it)."""
    thread = threading.Thread(target=check_suggestions, args=(services,), name="suggestions", daemon=True)
    thread.start()
    return thread


def theme() -> gr.themes.Base:
    """Sober, high-contrast theme with system fonts (no font download: the app works offline)."""
    system = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue,
        neutral_hue=gr.themes.colors.slate,
        font=system,
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


def create_server(settings: Settings, services: Services | None = None) -> FastAPI:
    """The FastAPI app serving the interface at / and the indexed documents at /documents/<source>."""
    oidc = load_oidc(settings)  # before the accounts: both at once is refused there
    accounts = load_accounts(settings)
    services = services or open_services(settings)
    gradio_app: dict[str, Any] = {}

    def who(request: Any) -> Caller | None:
        """The signed-in caller of a page or API request (anyone when there is no login), None when not signed in."""
        if oidc is not None:
            user = session_user(request)
            return Caller(user.id, oidc.is_admin(user)) if user else None
        if accounts:
            name = _gradio_user(request, gradio_app.get("app"))
            return Caller(name, admin=accounts.is_admin(name)) if name else None
        return Caller("anonyme", admin=True)

    def can_edit(request: gr.Request | None) -> bool:
        caller = who(getattr(request, "request", None))
        return caller is not None and caller.admin

    sign_out = SIGN_OUT if oidc else "/logout" if accounts else None
    demo = build_app(services, can_edit=can_edit, sign_out=sign_out)
    demo.queue(default_concurrency_limit=settings.ui_concurrency)
    app = api_app()  # the API's routes and its offline documentation page, the page mounted beside them

    def document(source: str, request: Request) -> Response:  # sync: FastAPI runs it in a thread
        """An indexed document's file; any other name, or a path, is refused."""
        if who(request) is None:
            if oidc is not None:  # a citation opened after the session ended: sign in, then the document
                return RedirectResponse(f"{SIGN_IN}?suite={DOCUMENTS_ROUTE}/{source}", status_code=302)
            return PlainTextResponse("Connexion requise : ouvrez d'abord l'interface.", status_code=401)
        path = services.library.resolve(source)
        if path is None:
            log.info("refused document request %r", source)
            return PlainTextResponse(NOT_FOUND, status_code=404)
        media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        inline = media_type != MEDIA_TYPES[".docx"]
        return FileResponse(
            path,
            media_type=media_type,
            filename=path.name,
            content_disposition_type="inline" if inline else "attachment",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-cache"},
        )

    # before the mount at "/": the mount would otherwise take every path
    app.add_api_route(DOCUMENTS_ROUTE + "/{source:path}", document, methods=["GET", "HEAD"], include_in_schema=False)
    # the viewer: a cited document at its page, the passage highlighted; same login as the documents
    install_viewer(app, services.library, lambda request: who(request) is not None, SIGN_IN if oidc else None,
                   ocr_concurrency=settings.viewer_ocr_concurrency, limits=read_limits(settings))
    # the HTTP API beside the page: a token, or the page's own session when it has a login
    install_api(app, services, session=who if accounts or oidc else None)
    if oidc is not None:
        install_oidc(app, oidc)
    limit = services.library.max_upload_bytes
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        server_name=settings.ui_host,
        server_port=settings.ui_port,
        auth=accounts.credentials() or None,
        # OpenID Connect: the session's user is the handlers' gr.Request.username (None: not signed in)
        auth_dependency=(lambda request: (user := session_user(request)) and user.id) if oidc else None,
        auth_message="Connectez-vous avec le compte fourni par votre administrateur." if accounts else None,
        max_file_size=limit + 1024 * 1024,  # the French check in the page and in Library.add comes first
        footer_links=[],
        show_error=False,
        ssr_mode=False,
        theme=theme(),
        css_paths=[STYLE],
        i18n=gradio_text(),  # « Téléverser », not Gradio's « télécharger », for an upload
    )
    app.add_middleware(FrenchPage, script=page_script(limit, services.library.max_upload_text) + login_script(
        bool(accounts)))
    gradio_app["app"] = next(r.app for r in app.routes if getattr(r, "path", None) == "" and hasattr(r, "app"))
    install_login(app, gradio_app["app"], settings, passwords=bool(accounts))
    install_security(app, settings, limit)  # last: the outermost middleware (same origin, headers, sizes, errors)
    return app


def _gradio_user(request: Any, gradio_app: Any) -> str | None:
    """Same session as the interface: the user whose live token Gradio's login cookie names."""
    if request is None or gradio_app is None:
        return None
    cookie_id = gradio_app.cookie_id
    cookies = request.cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    user = gradio_app.tokens.get(token) if token else None
    return str(user) if user is not None else None


def serve(settings: Settings) -> None:
    """Run the interface until Ctrl+C."""
    oidc = load_oidc(settings)  # a mistake in the sign-in settings stops here, before the model loads
    accounts = load_accounts(settings)
    allowed_origins(settings)  # a mistake there stops here too
    check_port(settings.ui_host, settings.ui_port)
    services = open_services(settings)
    app = create_server(settings, services)
    start_checking_suggestions(services)
    documents = len(services.library.documents())
    url = f"http://{settings.ui_host}:{settings.ui_port}"
    indexed = counted(documents, "document indexé", "documents indexés")
    print(f"Interface ARS Assistant : {url}  ({indexed} ; Ctrl+C pour arrêter)", flush=True)
    if not documents:
        print("L'index est vide : ajoutez des documents dans l'onglet Documents, ou lancez "
              "`ars-assistant ingest data/documents`.", flush=True)
    if oidc is not None:
        print(f"Connexion OpenID Connect : {oidc.issuer} (adresse de retour à déclarer : {url}/connexion/retour, "
              "ou son équivalent derrière le proxy inverse)",
              flush=True)
    if accounts:
        print(accounts.describe(), flush=True)
    if settings.ui_host not in ("127.0.0.1", "localhost", "::1") and not accounts and oidc is None:
        print("Attention : interface ouverte sur le réseau sans connexion ; définissez ARS_OIDC_ISSUER "
              "(OpenID Connect), ou ARS_UI_USERS ou ARS_UI_USERS_FILE.", flush=True)
    uvicorn.run(app, host=settings.ui_host, port=settings.ui_port, log_level="warning")
