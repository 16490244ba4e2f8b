"""Sign-in hardening: failed password logins throttled per account and per client address, password sessions that
expire, and the flags of every login cookie (SameSite=Lax, HttpOnly, Secure over HTTPS).

Gradio owns the password login (POST /login, its tokens in `app.tokens`, cookies `access-token-<id>`); this module
wraps it rather than replacing it: an ASGI middleware in front of /login, and an expiring mapping in place of the
plain dict of tokens, so that every check Gradio and this app make (`app.tokens.get`) sees expired sessions gone.

The throttle's state is in memory, per process: each replica throttles on its own (an attacker spread over N
replicas gets N times the attempts, still exponentially slowed), and a restart forgets it."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings
from ui.oidc import SESSION_COOKIE

LOGIN_PATHS = ("/login", "/login/")
MAX_LOGIN_BODY = 64 * 1024  # a login form is a few hundred bytes; more is not read
MAX_KEYS = 10_000  # accounts and addresses remembered at most: a flood of invented names cannot fill the memory
MAX_NAME = 200  # an invented account name is remembered by its first characters only
FORGET_S = 15 * 60  # failures forgotten after this long without a new one (and no delay running)
SESSION_COOKIES = ("access-token-", SESSION_COOKIE + "=")  # Gradio's login cookies (by prefix), the OpenID Connect one
WRONG = "Nom ou mot de passe incorrect."
TOO_BIG = "Demande de connexion trop longue : envoyez seulement le nom et le mot de passe."


@dataclass(slots=True)
class _Failures:
    count: int = 0
    until: float = 0.0  # no attempt accepted before this time (monotonic clock)
    last: float = 0.0


class Throttle:
    """Failed logins per key (an account, a client address): after `free` failures, every further attempt waits
    `delay_s`, then twice as long after each new failure, up to `max_delay_s`; an attempt made while waiting is
    refused without being counted, even with the right password. A success forgets its account's failures."""

    def __init__(self, free: int, delay_s: float, max_delay_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.delay_s, self.max_delay_s, self.clock = free, delay_s, max_delay_s, clock
        self._keys: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def wait_s(self, keys: Iterable[str]) -> float:
        """Seconds before one of these keys may try again (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [f.until - now for k in keys if (f := self._keys.get(k)) is not None]
        return max([0.0, *waits])

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                failures = self._keys.get(key) or self._remember(key, now)
                failures.count += 1
                failures.last = now
                beyond = failures.count - self.free
                if beyond >= 0:  # the exponent is bounded: 2**60 s is far beyond any cap
                    failures.until = now + min(self.max_delay_s, self.delay_s * 2 ** min(beyond, 60))

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def _remember(self, key: str, now: float) -> _Failures:
        if len(self._keys) >= MAX_KEYS:
            self._forget(now)
        if len(self._keys) >= MAX_KEYS:  # still full: the key that failed longest ago goes
            del self._keys[min(self._keys, key=lambda k: self._keys[k].last)]
        failures = self._keys[key] = _Failures()
        return failures

    def _forget(self, now: float) -> None:
        quiet = [k for k, f in self._keys.items() if f.until <= now and now - f.last > max(FORGET_S, self.max_delay_s)]
        for key in quiet:
            del self._keys[key]


def throttle_keys(account: str, client: str) -> tuple[str, str]:
    """The throttle's keys of an attempt: the account as typed (case and spaces aside) and the client address."""
    return "compte:" + account.strip().casefold()[:MAX_NAME], "adresse:" + client


def wait_text(seconds: float) -> str:
    """"3 s", "2 min": how long to wait, rounded up."""
    whole = max(1, math.ceil(seconds))
    return f"{whole} s" if whole < 60 else f"{math.ceil(whole / 60)} min"


def too_many(seconds: float) -> str:
    return (f"Trop de tentatives de connexion échouées : réessayez dans {wait_text(seconds)}. Vérifiez le nom et le "
            "mot de passe ; en cas d'oubli, demandez-les à votre administrateur.")


class ExpiringTokens(MutableMapping[str, str]):
    """Gradio's login tokens (token -> user name), each forgotten `max_age_s` after its login: in place of Gradio's
    dict, so that an old session is refused everywhere, and tokens never logged out do not pile up."""

    def __init__(self, max_age_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_s, self.clock = max_age_s, clock
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def __getitem__(self, token: str) -> str:
        with self._lock:
            user, since = self._tokens[token]
            if self.clock() - since >= self.max_age_s:
                del self._tokens[token]
                raise KeyError(token)
            return user

    def __setitem__(self, token: str, user: str) -> None:
        with self._lock:
            self._sweep()
            self._tokens[token] = (user, self.clock())

    def __delitem__(self, token: str) -> None:
        with self._lock:
            del self._tokens[token]

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            self._sweep()
            return iter(list(self._tokens))

    def __len__(self) -> int:
        with self._lock:
            self._sweep()
            return len(self._tokens)

    def _sweep(self) -> None:
        now = self.clock()
        for token in [t for t, (_, since) in self._tokens.items() if now - since >= self.max_age_s]:
            del self._tokens[token]


def with_flags(cookie: str, secure: bool) -> str:
    """A Set-Cookie value with SameSite=Lax and HttpOnly, and Secure exactly when `secure` (Gradio says None)."""
    parts = [part.strip() for part in cookie.split(";")]
    kept = [parts[0], *(p for p in parts[1:] if p and p.split("=", 1)[0].strip().lower() not in
                        ("samesite", "secure", "httponly"))]
    return "; ".join([*kept, "HttpOnly", "SameSite=Lax", *(["Secure"] if secure else [])])


class SignInGuard:
    """ASGI middleware: POST /login throttled (`throttle` None: no password login), and the login cookies of every
    response given their flags. Added last, it runs first: it sees the OpenID Connect session cookie too."""

    def __init__(self, app: ASGIApp, throttle: Throttle | None, cookie_secure: bool) -> None:
        self.app, self.throttle, self.cookie_secure = app, throttle, cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.cookie_secure or scope.get("scheme") == "https"  # uvicorn: X-Forwarded-Proto of a trusted proxy

        async def flagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookies = headers.getlist("set-cookie")
                if any(c.startswith(SESSION_COOKIES) for c in cookies):
                    del headers["set-cookie"]
                    for cookie in cookies:
                        headers.append("set-cookie", with_flags(cookie, secure) if cookie.startswith(
                            SESSION_COOKIES) else cookie)
            await send(message)

        if self.throttle is not None and scope["method"] == "POST" and scope["path"] in LOGIN_PATHS:
            await self._login(scope, receive, flagged)
        else:
            await self.app(scope, receive, flagged)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.throttle is not None
        body = await _read_body(receive, MAX_LOGIN_BODY)
        if body is None:
            await JSONResponse({"detail": TOO_BIG}, status_code=413)(scope, receive, send)
            return
        try:
            account = (await Request(scope, _replay(body, receive)).form()).get("username")
        except (HTTPException, ValueError):  # an unreadable form: no account to count; Gradio refuses it
            account = None
        client = scope.get("client")
        keys = throttle_keys(account if isinstance(account, str) else "", client[0] if client else "inconnue")
        wait = self.throttle.wait_s(keys)
        if wait > 0:
            headers = {"Retry-After": str(max(1, math.ceil(wait)))}
            await JSONResponse({"detail": too_many(wait)}, status_code=429, headers=headers)(scope, receive, send)
            return
        answer: list[Message] = []  # a login's answer is small: kept whole, to be replaced when it is a refusal

        async def keep(message: Message) -> None:
            answer.append(message)

        await self.app(scope, _replay(body, receive), keep)
        status = next((m["status"] for m in answer if m["type"] == "http.response.start"), 500)
        if status == 400:  # Gradio: wrong name or password, said in English
            self.throttle.failed(keys)
            await JSONResponse({"detail": WRONG}, status_code=400)(scope, receive, send)
            return
        if status == 200:
            self.throttle.succeeded(keys[0])
        for message in answer:
            await send(message)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request's body, None beyond `limit` bytes."""
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return body
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return body


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """A `receive` giving `body` once, then the client's own messages (its disconnection)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


LOGIN_SCRIPT = """<script>
(() => {
  // Gradio's login form says nothing on a refusal other than 400: show the server's French reason (429: wait)
  const fetch0 = window.fetch;
  window.fetch = async (input, init) => {
    const response = await fetch0(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const login = /\\/login\\/?$/.test(new URL(url, location.href).pathname);
    if (!init || init.method !== "POST" || !login) return response;
    let box = document.getElementById("connexion-refusee");
    if (response.status === 200 || response.status === 400) {  // signed in, or Gradio's own message
      if (box) box.remove();
      return response;
    }
    let text = "La connexion a échoué ; réessayez dans un instant.";
    try { text = (await response.clone().json()).detail || text; } catch (e) {}
    if (!box) {
      box = document.createElement("p");
      box.id = "connexion-refusee";
      box.setAttribute("role", "alert");
      box.style.cssText = "color:#b91c1c;font-weight:600;max-width:480px;margin:1rem auto;text-align:center";
      const form = document.querySelector("form, .wrap, main") || document.body;
      form.parentNode ? form.parentNode.insertBefore(box, form) : document.body.prepend(box);
    }
    box.textContent = text;
    return response;
  };
})();
</script>"""


def install_login(app: Any, gradio_app: Any, settings: Settings, passwords: bool) -> None:
    """On `app` (before it starts): the cookie flags, and with password accounts (`passwords`) the throttled
    /login and Gradio's tokens replaced by expiring ones. Call before install_security, which stays outermost."""
    throttle = None
    if passwords:
        gradio_app.tokens = ExpiringTokens(settings.session_hours * 3600)
        throttle = Throttle(settings.login_free_attempts, settings.login_delay_s, settings.login_max_delay_s)
    app.add_middleware(SignInGuard, throttle=throttle, cookie_secure=settings.cookie_secure)


def login_script(passwords: bool) -> str:
    """The script the page needs for the login form ('' without password accounts)."""
    return LOGIN_SCRIPT if passwords else ""

