"""What every request and response of the web server and of the API goes through (one ASGI middleware, outermost):

- same origin only: a request that changes something (POST, PUT, PATCH, DELETE) is accepted only from the app's
  own origin or one listed in ARS_ALLOWED_ORIGINS, judged by its Origin header, else its Referer; one with neither
  (a program: curl, a script with a bearer token) only when it carries no cookie, since cookies are what another
  site can borrow. A cross-origin read (a fetch that sends Origin) from anywhere else is refused too, and no
  Access-Control-Allow-* header is ever sent to another origin (Gradio's own CORS layer reflects any origin when
  the host is not localhost, and trusts any localhost port when it is: its headers are removed here);
- headers against framing and sniffing on every response;
- body sizes bounded while the body streams: over the limit, a French 413 before reading (Content-Length) or as
  soon as the limit is passed (chunked);
- an unexpected exception is logged with its trace and answered with a French JSON 500, never a trace.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings
from ingest.errors import UserError
from ui.body_limits import BodyLimit, PartCounter, body_limit, boundary
from ui.errors import INTERNAL, error_bytes

log = logging.getLogger(__name__)

Origin = tuple[str, str, int]  # scheme, host, port: what a browser compares

DEFAULT_PORTS = {"http": 80, "https": 443}
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
FRAME_ANCESTORS = "frame-ancestors 'self'"
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"

FOREIGN = ("Requête refusée : elle vient d'un autre site ({origin}) que l'assistant. Ouvrez l'assistant à sa "
           "propre adresse. Si ce site doit l'appeler (un proxy inverse qui change l'adresse, un portail de "
           "confiance), l'administrateur peut l'ajouter à ARS_ALLOWED_ORIGINS.")
COOKIE_WITHOUT_ORIGIN = ("Requête refusée : elle porte un cookie de session mais ni en-tête Origin ni Referer, "
                         "comme une requête forgée par un autre site. Un programme s'authentifie par l'en-tête "
                         "« Authorization: Bearer <jeton> », sans cookie, ou envoie l'en-tête Origin de "
                         "l'assistant.")


def parse_origin(text: str) -> Origin | None:
    """The (scheme, host, port) of an origin or URL ("https://a.fr", "http://127.0.0.1:7860/x"); None if it is none
    ("null", garbage)."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def allowed_origins(settings: Settings) -> frozenset[Origin]:
    """The origins of ARS_ALLOWED_ORIGINS; a value that is not an origin stops the start, said in French."""
    found = set()
    for entry in (e.strip() for e in (settings.allowed_origins or "").split(",")):
        if not entry:
            continue
        origin = parse_origin(entry)
        path = urlsplit(entry).path if origin else ""
        if origin is None or path not in ("", "/") or "@" in entry:
            raise UserError(f"Erreur : ARS_ALLOWED_ORIGINS : « {entry} » n'est pas une origine. Écrivez "
                            "schéma://hôte[:port], sans chemin, par exemple https://assistant.ars.fr.")
        found.add(origin)
    return frozenset(found)


class Guard:
    """The ASGI middleware described at the top of this module."""

    def __init__(self, app: ASGIApp, allowed: Iterable[Origin] = (), upload_limit: int = 50 * 1024 * 1024,
                 trust_forwarded_host: bool = False) -> None:
        self.app = app
        self.allowed = frozenset(allowed)
        self.upload_limit = upload_limit
        self.trust_forwarded_host = trust_forwarded_host

    # -- origins ------------------------------------------------------------------------------

    def own(self, scope: Scope, headers: Headers) -> Origin | None:
        """The app's origin as the browser sees it: the request's scheme and Host (behind a proxy that rewrites
        the host: its X-Forwarded-* headers, only when trusted by the settings)."""
        given = str(scope.get("scheme") or "http")
        scheme = {"ws": "http", "wss": "https"}.get(given, given)
        host = headers.get("host") or ""
        if self.trust_forwarded_host:
            host = (headers.get("x-forwarded-host") or host).split(",")[0].strip()
            scheme = (headers.get("x-forwarded-proto") or scheme).split(",")[0].strip().lower()
        return parse_origin(f"{scheme}://{host}") if host else None

    def _trusted(self, claimed: str, own: Origin | None) -> bool:
        origin = parse_origin(claimed)
        return origin is not None and (origin == own or origin in self.allowed)

    def _refusal(self, scope: Scope, headers: Headers, own: Origin | None) -> str | None:
        """Why this request is refused (French), None when it may go on."""
        origin = headers.get("origin")
        if origin is not None:  # a browser said where the request comes from: any method
            return None if self._trusted(origin, own) else FOREIGN.format(origin=origin[:100])
        if scope["method"] not in CHANGING:
            return None  # a read, a link followed, a page opened: the browser shows it to its own origin only
        referer = headers.get("referer")
        if referer is not None:
            return None if self._trusted(referer, own) else FOREIGN.format(origin=_origin_text(referer))
        return COOKIE_WITHOUT_ORIGIN if "cookie" in headers else None

    # -- the middleware -----------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin is not None and not self._trusted(origin, self.own(scope, headers)):
                await send({"type": "websocket.close", "code": 1008})  # before the handshake: an HTTP 403
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path, method = scope["path"], scope["method"]
        own = self.own(scope, headers)
        origin = headers.get("origin")
        cors = origin if origin is not None and parse_origin(origin) in self.allowed - {own} else None
        refusal = self._refusal(scope, headers, own)
        if refusal is not None:
            log.warning("refused %s %s from origin %r (referer %r)", method, path, origin, headers.get("referer"))
            await _answer(send, path, 403, refusal)
            return
        if method == "OPTIONS" and origin is not None and "access-control-request-method" in headers:
            await _preflight(send, origin, headers.get("access-control-request-headers"))
            return
        content_type = headers.get("content-type") or ""
        limit = body_limit(method, path, content_type, self.upload_limit)
        declared = _content_length(headers)
        if declared is not None and declared > limit.total:
            # refused before reading a byte of the body; the connection is closed, the rest never read
            await _answer(send, path, 413, limit.over_total(declared), close=True)
            return
        found = boundary(content_type) if limit.part is not None else None
        await self._serve(scope, receive, send, limit, PartCounter(found) if found else None, cors)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, limit: BodyLimit, parts: PartCounter | None,
                     cors: str | None) -> None:
        received, started = 0, False
        cut: str | None = None  # why the body was cut, once it was

        async def limited_receive() -> Message:
            nonlocal received, cut
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                received += len(body)
                if received > limit.total:
                    cut = limit.over_total(received, more=True)
                elif parts is not None and limit.part is not None and parts.feed(body) > limit.part:
                    cut = limit.over_part()
                if cut is not None:
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut is not None:
                return  # the app's answer to a cut body (a 400 or 500 of its parser) gives way to the 413
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": _secured(message.get("headers", []), cors)}
            await send(message)

        path = scope["path"]
        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            pass
        except ClientDisconnect:
            return  # the client went away: nobody to answer
        except Exception:
            if started or cut is not None:
                raise
            log.exception("unexpected error on %s %s", scope["method"], path)
            await _answer(send, path, 500, INTERNAL)
            return
        if cut is not None and not started:
            await _answer(send, path, 413, cut, close=True)


class BodyTooLarge(Exception):
    """Raised from the app's receive once the body passes its limit: the app's reading stops there."""


def _origin_text(url: str) -> str:
    origin = parse_origin(url)
    return f"{origin[0]}://{origin[1]}:{origin[2]}" if origin else "origine inconnue"


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.strip().isdigit() else None


def _secured(raw: list[tuple[bytes, bytes]], cors: str | None) -> list[tuple[bytes, bytes]]:
    """The response's headers without any CORS header of the inner apps (Gradio's), with the security headers,
    and CORS headers only for an origin of ARS_ALLOWED_ORIGINS."""
    headers = MutableHeaders(raw=[(k, v) for k, v in raw if not k.lower().startswith(b"access-control-")])
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    policy = headers.get("content-security-policy")
    if policy is None:
        headers["Content-Security-Policy"] = FRAME_ANCESTORS
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = f"{policy.rstrip('; ')}; {FRAME_ANCESTORS}"
    if cors is not None:
        headers["Access-Control-Allow-Origin"] = cors
        headers["Access-Control-Allow-Credentials"] = "true"
        headers.add_vary_header("Origin")
    return headers.raw


async def _answer(send: Send, path: str, status: int, message: str, close: bool = False) -> None:
    """A French JSON error, with the security headers."""
    body = error_bytes(path, status, message)
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        raw.append((b"connection", b"close"))
    if status == 503 or status == 429:
        raw.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": status, "headers": _secured(raw, None)})
    await send({"type": "http.response.body", "body": body})


async def _preflight(send: Send, origin: str, requested: str | None) -> None:
    """The answer to a trusted origin's preflight (an origin of ARS_ALLOWED_ORIGINS: the app's own never asks)."""
    raw = [(b"content-length", b"0")]
    headers = MutableHeaders(raw=_secured(raw, origin))
    headers["Access-Control-Allow-Methods"] = CORS_METHODS
    headers["Access-Control-Max-Age"] = "600"
    if requested:
        headers["Access-Control-Allow-Headers"] = requested[:500]
    await send({"type": "http.response.start", "status": 204, "headers": headers.raw})
    await send({"type": "http.response.body", "body": b""})


def install_security(app: FastAPI, settings: Settings, upload_limit: int) -> None:
    """Guard every request of `app` (add it last: the outermost middleware sees every response's headers)."""
    app.add_middleware(Guard, allowed=allowed_origins(settings), upload_limit=upload_limit,
                       trust_forwarded_host=settings.trust_forwarded_host)

