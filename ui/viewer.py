"""The document viewer: a cited document opened at its page, the cited passage highlighted.

    /visionneuse/<source>?page=N&passage=<cited text>   the viewer page
    /visionneuse-boites/<source>?page=N&passage=...     boxes of the passage on a scanned PDF page (JSON)
    /visionneuse-fichiers/<file>                        its script, styles and the vendored pdf.js

A PDF is drawn in the browser by pdf.js (ui/static/pdfjs, vendored by scripts/vendor_pdfjs.py) from
/documents/<source>; the script finds the passage in the page's text layer, or asks for its OCR boxes when
the page is a scan. Other formats are shown as text, read again by the ingest's readers (ui/text_view.py).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from assistant.library import LibraryDocument
from ingest.errors import SkipFile
from ingest.ocr import OcrUnavailable
from ingest.prepare import Limits
from ui.ocr_boxes import OcrBusy, ScanReader, passage_boxes
from ui.render import DOCUMENTS_ROUTE, MAX_PASSAGE_CHARS, VIEWER_ROUTE, document_url
from ui.text_view import DocumentTexts, TextView, render

log = logging.getLogger(__name__)

BOXES_ROUTE = "/visionneuse-boites"
STATIC_ROUTE = "/visionneuse-fichiers"
STATIC = Path(__file__).with_name("static")
STATIC_TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".css": "text/css"}
LOGIN = "Connexion requise : ouvrez d'abord l'interface, connectez-vous, puis rouvrez ce lien."
NOT_FOUND = "Document introuvable : il n'est pas (ou plus) dans l'index, ou son fichier a été déplacé."
NOT_SCANNED = ("Cette page n'est pas numérisée : son texte se surligne directement, sans lecture par OCR. "
               "Rouvrez le passage depuis sa citation.")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-cache",
    # the page runs only the app's own files; pdf.js draws fonts and images from data in memory
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "font-src 'self' data: blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'"
    ),
}

LoggedIn = Callable[[Request], bool]


class Documents(Protocol):
    """What the viewer needs of the library (assistant/library.py): the file of a cited source, the titles."""

    def resolve(self, source: str) -> Path | None: ...

    def documents(self) -> list[LibraryDocument]: ...

    def ocr_pages(self, source: str) -> frozenset[int]: ...


def install_viewer(app: FastAPI, library: Documents, logged_in: LoggedIn, sign_in: str | None = None,
                   ocr_concurrency: int = 2, *, limits: Limits) -> None:
    """Add the viewer's routes to `app` (before the interface is mounted at "/", which would take every path).

    `sign_in`: where a reader who is not signed in is sent (with `?suite=` the viewer's address), else a 401.
    `ocr_concurrency`: scanned pages read at once for their boxes (one per client).
    `limits`: of the reading child that reads a document shown as text (the ingest's: ARS_PARSE_*)."""
    scans = ScanReader(concurrency=ocr_concurrency)
    texts = DocumentTexts(limits)

    def viewer(source: str, request: Request, page: str = "1", passage: str = "") -> Response:
        """The viewer page of an indexed document (sync: FastAPI runs it in a thread)."""
        if not logged_in(request):
            if sign_in is not None:  # a citation opened after the session ended: sign in, then this page
                back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"{sign_in}?suite={quote(back, safe='')}", status_code=302)
            return PlainTextResponse(LOGIN, status_code=401)
        path = library.resolve(source)
        if path is None:
            return _message_page("Document introuvable", NOT_FOUND, 404)
        number = _page_number(page)
        if number is None:
            return _message_page("Page invalide", f"Numéro de page invalide : « {page[:20]} ». "
                                 "Donnez un nombre entier à partir de 1, par exemple ?page=3.", 400)
        passage = " ".join(passage.split())[:MAX_PASSAGE_CHARS]
        title = next((d.title for d in library.documents() if d.source == source), source)
        if path.suffix.lower() == ".pdf":
            return _page(title, source, number, _pdf_body(source, number, passage))
        try:
            blocks, pages = texts.blocks(path)
        except SkipFile as exc:
            return _message_page("Document illisible", f"Ce document ne peut plus être lu : {exc}.", 422)
        view = render(blocks, pages, passage, number)
        return _page(title, source, number, _text_body(view, number, passage), pages=view.pages)

    def boxes(source: str, request: Request, page: str = "1", passage: str = "") -> Response:
        """The passage's boxes on a scanned page: {"boites": [{x, y, width, height, text}], "message": ""}."""
        if not logged_in(request):
            return JSONResponse({"boites": [], "message": LOGIN}, status_code=401)
        path = library.resolve(source)
        number = _page_number(page)
        if path is None or path.suffix.lower() != ".pdf" or number is None:
            return JSONResponse({"boites": [], "message": NOT_FOUND}, status_code=404)
        if number not in library.ocr_pages(source):  # a text page: pdf.js highlights it, OCR would only cost
            return JSONResponse({"boites": [], "message": NOT_SCANNED}, status_code=422)
        try:
            words = scans.words(path, number, request.client.host if request.client else "")
        except OcrBusy as exc:
            return JSONResponse({"boites": [], "message": str(exc)}, status_code=429, headers={"Retry-After": "5"})
        except OcrUnavailable as exc:
            log.warning("no OCR boxes for %s page %d: %s", source, number, exc)
            return JSONResponse({"boites": [], "message": f"Surlignage impossible sur ce scan : {exc}."},
                                status_code=503)
        found = passage_boxes(words, passage[:MAX_PASSAGE_CHARS])
        return JSONResponse({"boites": [b.to_json() for b in found], "message": ""}, headers=HEADERS)

    app.add_api_route(VIEWER_ROUTE + "/{source:path}", viewer, methods=["GET"], include_in_schema=False)
    app.add_api_route(BOXES_ROUTE + "/{source:path}", boxes, methods=["GET"], include_in_schema=False)
    app.add_api_route(STATIC_ROUTE + "/{name:path}", _static, methods=["GET", "HEAD"], include_in_schema=False)


def _static(name: str) -> Response:
    """A file of ui/static (the viewer's script and styles, pdf.js); any other path is refused."""
    try:  # a NUL or another control character in the name is no file of ours (and resolve() would fail)
        path = None if any(ord(c) < 32 for c in name) else (STATIC / name).resolve()
    except (OSError, ValueError):
        path = None
    if path is None or not path.is_relative_to(STATIC.resolve()) or not path.is_file() or \
            path.suffix not in STATIC_TYPES:
        return PlainTextResponse("Fichier introuvable.", status_code=404)
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix],
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"})


def _page_number(page: str) -> int | None:
    return int(page) if page.strip().isdigit() and 0 < int(page) < 100_000 else None


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _pdf_body(source: str, page: int, passage: str) -> str:
    return (
        # tabindex: a page zoomed for reading scrolls sideways, and a keyboard must reach that scroll too
        f'<main id="document" class="visionneuse-pdf" tabindex="0" data-fichier="{_attr(document_url(source))}" '
        f'data-page="{page}" data-passage="{_attr(passage)}" '
        f'data-boites="{_attr(BOXES_ROUTE + "/" + quote(source, safe=""))}">'
        '<div class="page-pdf" id="page-pdf"><canvas aria-hidden="true"></canvas>'
        '<div class="textLayer"></div><div class="boites"></div></div>'
        "</main>"
        f'<script type="module" src="{STATIC_ROUTE}/viewer.js"></script>'
    )


def _text_body(view_result: TextView, page: int, passage: str) -> str:
    if not passage:
        status = ""
    elif not view_result.found:
        status = "Passage introuvable dans le texte du document : il a peut-être changé depuis son indexation."
    elif view_result.page_found not in (0, page):
        status = f"Passage surligné, trouvé en page {view_result.page_found}."
    else:
        status = "Passage surligné."
    return (
        f'<main id="document" class="visionneuse-texte" data-page="{page}">'
        f'<p id="etat-texte" class="etat" role="status">{_esc(status)}</p>'
        f'<article class="texte">{view_result.body}</article></main>'
        f'<script type="module" src="{STATIC_ROUTE}/viewer.js"></script>'
    )


def _page(title: str, source: str, page: int, body: str, pages: int = 0) -> HTMLResponse:
    """The viewer page: a toolbar (title, page, previous/next, download) above the document."""
    pdf = source.lower().endswith(".pdf")
    navigation = (
        '<nav class="pages" aria-label="Pages">'
        '<button type="button" id="precedente" aria-label="Page précédente" disabled>‹ Précédente</button>'
        f'<span id="numero" aria-live="polite">Page {page}</span>'
        '<button type="button" id="suivante" aria-label="Page suivante" disabled>Suivante ›</button>'
        # shown once the page is zoomed for reading (a phone): back to the whole page, and again
        '<button type="button" id="zoom" hidden>Page entière</button></nav>'
        if pdf
        else (f'<p class="pages"><span id="numero">Page {page} / {pages}</span></p>' if pages > 1 else "")
    )
    pdf_css = f'<link rel="stylesheet" href="{STATIC_ROUTE}/pdfjs/text_layer.css">' if pdf else ""
    document = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)} — page {page} — ARS Assistant</title>"
        f'<link rel="stylesheet" href="{STATIC_ROUTE}/viewer.css">{pdf_css}</head><body>'
        '<header class="barre">'
        f'<h1 class="titre" title="{_attr(source)}">{_esc(title)}</h1>'
        f"{navigation}"
        f'<a class="telecharger" href="{_attr(DOCUMENTS_ROUTE + "/" + quote(source, safe=""))}" download>'
        "Télécharger le fichier</a></header>"
        + ('<p id="etat" class="etat" role="status">Chargement de la page…</p>' if pdf else "")
        + body
        + "</body></html>"
    )
    return HTMLResponse(document, headers=HEADERS)


def _message_page(title: str, message: str, status: int) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_esc(title)} — ARS Assistant</title><link rel="stylesheet" href="{STATIC_ROUTE}/viewer.css">'
        f'</head><body><main class="message"><h1>{_esc(title)}</h1><p role="alert">{_esc(message)}</p>'
        "</main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=HEADERS)
