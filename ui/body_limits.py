"""How big a request's body may be, checked while it streams (ui/security.py cuts it there).

An upload route takes the library's upload limit per file: each part of its multipart body is counted as it
arrives, with the margin Gradio's own max_file_size has (a file a little over the limit gets the library's French
reason, with its size). Gradio's upload route carries every file of a drop in one request, so it may hold several
files; the API's one file. Any other request (a question, an OpenAI chat history, a Gradio event) gets a few MB.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.library import human_size

MULTIPART_SLACK = 1024 * 1024  # the part's headers and the rest of the envelope, as Gradio's max_file_size margin
MAX_REQUEST_BYTES = 8 * 1024 * 1024
UPLOAD_FILES = {"/api/documents": 1, "/gradio_api/upload": 20}  # files one request of an upload route may carry

TOO_LARGE = ("Fichier trop volumineux ({size}) ; taille maximale : {limit}. Découpez le document ou demandez à "
             "l'administrateur de relever la limite (ARS_UI_MAX_UPLOAD_MB).")
TOO_LARGE_BATCH = ("Envoi trop volumineux ({size}) ; taille maximale : {limit} par envoi, {per_file} par fichier. "
                   "Envoyez les documents en plusieurs fois.")
TOO_LARGE_REQUEST = ("Requête trop volumineuse ({size}) ; taille maximale : {limit}. Raccourcissez la question ou "
                     "l'historique envoyé.")


def megabytes(count: int) -> str:
    """A limit as users read it: "1 Mo", "50 Mo", "1,5 Mo"."""
    return f"{count / (1024 * 1024):.2f}".rstrip("0").rstrip(".").replace(".", ",") + " Mo"


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The bytes a request's body may have in all, and in one part of a multipart body (None: parts not counted)."""

    total: int
    part: int | None
    files: int  # 0 for a request that is no upload
    upload_limit: int

    def over_total(self, size: int, more: bool = False) -> str:
        """The French refusal of a body of `size` bytes (`more`: at least that many, it was cut there)."""
        said = ("plus de " if more else "") + human_size(size)
        if not self.files:
            return TOO_LARGE_REQUEST.format(size=said, limit=megabytes(self.total))
        if self.files == 1:
            return TOO_LARGE.format(size=said, limit=megabytes(self.upload_limit))
        return TOO_LARGE_BATCH.format(size=said, limit=megabytes(self.upload_limit * self.files),
                                      per_file=megabytes(self.upload_limit))

    def over_part(self) -> str:
        """The French refusal of one file past the limit (cut there: its size is not known)."""
        assert self.part is not None
        return TOO_LARGE.format(size="plus de " + human_size(self.part), limit=megabytes(self.upload_limit))


def body_limit(method: str, path: str, content_type: str, upload_limit: int) -> BodyLimit:
    """The limit of a request to `path`; the parts of an upload are counted when its multipart boundary is known."""
    files = UPLOAD_FILES.get(path.rstrip("/"), 0) if method == "POST" else 0
    if not files:
        return BodyLimit(MAX_REQUEST_BYTES, None, 0, upload_limit)
    per_file = upload_limit + MULTIPART_SLACK
    return BodyLimit(per_file * files, per_file if boundary(content_type) else None, files, upload_limit)


def boundary(content_type: str) -> bytes | None:
    """The boundary of a multipart/form-data body, from its Content-Type; None for any other body."""
    kind, *params = content_type.split(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for param in params:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary" and value.strip().strip('"'):
            return value.strip().strip('"').encode("latin-1", "replace")
    return None


class PartCounter:
    """The size of the part of a multipart body being received, fed chunk by chunk: the bytes since the last
    delimiter (CRLF, "--", boundary: what the parser splits on), one rfind a chunk."""

    def __init__(self, boundary: bytes) -> None:
        self.delimiter = b"\r\n--" + boundary
        self.tail = b""  # the end of the previous chunk, where a delimiter may begin
        self.size = 0

    def feed(self, data: bytes) -> int:
        """Count `data`; the size of the part it ends in."""
        window = self.tail + data
        at = window.rfind(self.delimiter)
        self.size = len(window) - at - len(self.delimiter) if at >= 0 else self.size + len(data)
        self.tail = window[-(len(self.delimiter) - 1):]
        return self.size
