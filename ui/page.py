"""Scripts put at the top of the app's HTML page: French whatever the browser language (Gradio's own labels
included, ui/labels.py), uploads size-checked.

Gradio picks the language of its own labels ("Drop File Here", "Like"…) from navigator.language
when its first script runs; Blocks' `head` is added later, too late for that. So the page itself is
rewritten on its way out: `<html lang="fr">` (screen readers read French) and this script first.
"""

from __future__ import annotations

import json
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.labels import labels_script

_HTML_LANG = re.compile(rb'<html\b([^<>]*?)\blang="[^"]*"')  # [^<>]: a scan from each "<html" stops at the next tag
PAGE_SCRIPT = """<script>
(() => {
  try {
    Object.defineProperty(navigator, "language", { get: () => "fr-FR" });
    Object.defineProperty(navigator, "languages", { get: () => ["fr-FR", "fr"] });
  } catch (e) {}
  const LIMIT = %(limit)d, LIMIT_TEXT = %(limit_text)s;
  const tooBig = (files) => Array.from(files || []).filter((f) => f.size > LIMIT);
  const say = (text) => { const box = document.getElementById("envoi-erreur"); if (box) box.textContent = text; };
  const refuse = (event, big) => {
    event.preventDefault();
    event.stopImmediatePropagation();
    const names = big.map((f) => "« " + f.name + " » (" + (f.size / 1048576).toFixed(1).replace(".", ",") + " Mo)");
    say("Fichier trop volumineux : " + names.join(", ") + ". Taille maximale : " + LIMIT_TEXT +
      " par fichier. Découpez le document ou demandez à l'administrateur de relever la limite.");
  };
  // capture phase: runs before Gradio's own handlers, which would upload the file
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    const big = tooBig(input.files);
    if (big.length) { refuse(event, big); input.value = ""; } else { say(""); }
  }, true);
  document.addEventListener("drop", (event) => {
    const big = tooBig(event.dataTransfer && event.dataTransfer.files);
    if (big.length) refuse(event, big); else say("");
  }, true);
})();
</script>"""


def page_script(limit_bytes: int, limit_text: str) -> str:
    """The script, with the upload size limit of the settings, and the one that puts Gradio's labels in French."""
    return PAGE_SCRIPT % {"limit": limit_bytes, "limit_text": json.dumps(limit_text)} + labels_script()


class FrenchPage:
    """ASGI middleware: on GET of the app's page, `lang="fr"` and the script at the start of <head>."""

    def __init__(self, app: ASGIApp, script: str, paths: tuple[str, ...] = ("/",)) -> None:
        self.app = app
        self.script = script.encode()
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        # ask for the page uncompressed, so that it can be edited (it is small)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: Message | None = None
        body = b""

        async def rewrite(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            response_headers = MutableHeaders(raw=list(start["headers"]))
            if response_headers.get("content-type", "").startswith("text/html"):
                body = self._edit(body)
                response_headers["content-length"] = str(len(body))
            await send({**start, "headers": response_headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)

    def _edit(self, page: bytes) -> bytes:
        page = _HTML_LANG.sub(rb'<html\1lang="fr"', page, count=1)
        head = page.find(b"<head>")
        if head < 0:
            return page
        at = head + len(b"<head>")
        return page[:at] + self.script + page[at:]
