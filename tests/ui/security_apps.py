"""What the security tests attack: a small corpus ingested for real (a text PDF and a scanned PDF read by OCR), and
requests sent as raw bytes where an HTTP client would hide what the server does (a body announced but never sent)."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

from pdfs import write_note_pdf

from assistant.factory import run_ingest
from assistant.settings import Settings

TEXT_PDF = "note-victime.pdf"
SCAN_PDF = "arrete-scan.pdf"
SCAN_PASSAGE = "accorde au centre de santé une aide au démarrage de 85 000 euros"  # on page 2 of the scan
ACCOUNTS = {"marie": "secret-de-marie-1"}
TOKEN = "jeton-des-tests-de-securite"


def ingest_corpus(formats: ModuleType, home: Path) -> Path:
    """The data directory of a text PDF and a two-page scan (OCR), ingested by the real pipeline."""
    documents = home / "documents"
    documents.mkdir(parents=True)
    write_note_pdf(documents / TEXT_PDF, "Note de service de la victime",
                   ["Le budget du dispositif de coordination est de 48 000 euros pour 2025."])
    (documents / SCAN_PDF).write_bytes(formats.scan_pdf(formats.SCAN_PAGES, formats.SCAN_TITLE))
    settings = Settings(data_dir=home / "data")
    report = run_ingest(settings, [documents])
    assert report.ingested == 2 and report.ocr_pages == 2, str(report)
    return settings.data_dir


@dataclass(frozen=True)
class RawResponse:
    status: int
    head: str
    body: bytes
    seconds: float  # from the first byte sent to the response read


def raw_request(url: str, head: str, parts: Iterable[bytes] = (), timeout: float = 20) -> RawResponse:
    """Send `head` (request line and headers), then `parts` of the body one by one while the server has not
    answered; return its answer as soon as it comes, however much of the body was sent."""
    where = urlsplit(url)
    start = time.monotonic()
    with socket.create_connection((where.hostname, where.port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1"))
        for part in parts:
            if select.select([sock], [], [], 0)[0]:
                break  # answered before the end of the body
            try:
                sock.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                break
        received = b""
        while b"\r\n\r\n" not in received or len(received) < _expected(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    seconds = time.monotonic() - start
    head_bytes, _, body = received.partition(b"\r\n\r\n")
    text = head_bytes.decode("latin-1")
    return RawResponse(int(text.split(" ", 2)[1]), text, body, seconds)


def _expected(received: bytes) -> int:
    head, _, _ = received.partition(b"\r\n\r\n")
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return len(head) + 4 + int(value)
    return len(received) + 1  # unknown length: read until the server closes
