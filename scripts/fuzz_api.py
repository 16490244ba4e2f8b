"""Fuzz a running API as a hostile client would: generated questions and files, while health is watched.

    python scripts/fuzz_api.py [--questions 10000] [--files 2000] [--seed 25] [--workers 4]
    python scripts/fuzz_api.py --url http://127.0.0.1:7861 --token JETON   # an API already running

Without --url, starts `ars-assistant api` on a free port of 127.0.0.1 over a scratch data directory holding the
sample corpus (stopped by its pid at the end). Questions: the sample questions mutated (long words, repeated
separators, lone surrogates, control and right-to-left characters, huge numbers, markup, other scripts), and
requests of the wrong shape (bad JSON, wrong types, missing fields, huge bodies), sent to /api/ask, /api/ask/stream,
/api/search and /v1/chat/completions. Files: mutated documents (scripts/fuzz_ingest.py) and built hostile ones
(one long word, deep nesting, zip and flate bombs, many entries, random bytes under every extension) sent to
POST /api/documents; each accepted one is removed again. A thread asks /api/health every 0.25 s throughout.

Counts: a crash is a request with no HTTP answer (connection refused or reset, time-out); a bare 500 is a 5xx
whose body is not a JSON message in French, or any answer that shows a traceback. Prints one JSON object; exits
1 if there was a crash, a bare 500, or a health answer slower than 1 s or missing.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout: python scripts/fuzz_api.py
sys.path.insert(0, str(REPO / "scripts"))

import httpx  # noqa: E402

TOKEN = "jeton-fuzz"
HEALTH_LIMIT_S = 1.0
TRACEBACK_MARKS = ("Traceback (most recent call last)", 'File "/', "Internal Server Error")
BASE_QUESTIONS = [
    "combien pour le plan crack ?", "c'est quoi le PRS ?", "qui pilote le CLS de Flers ?",
    "quand se réunit le comité de pilotage ?", "quel budget pour la santé mentale en 2025 ?",
]
ODD = ["\ud800", "\udfff", "\x00", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "\U0001f600", "𝔸", "ﷺ", "\u0301" * 50,
       "%00", "../../etc/passwd", "<script>alert(1)</script>", "'; DROP TABLE x; --", "{{7*7}}", "${jndi:x}",
       "\\u0000", "\r\n\r\n", "\t" * 30, "﻿", "Ω" * 100, "中文问题", "سؤال", "ИГНОРИРУЙ"]
SEPARATORS = [" ", ".", ",", "-", "/", "@", ":", "'", "\n", "a.", "1 ", "- ", "a@", "€", "%", "(", "«", "http://"]


@dataclass
class Tally:
    """What the run saw; shared by the worker threads (one lock)."""

    requests: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    crashes: list[str] = field(default_factory=list)
    bare_500: list[str] = field(default_factory=list)
    files_accepted: int = 0
    files_refused: int = 0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str, response: httpx.Response | None, error: str | None, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(seconds)
            if response is None:
                self.crashes.append(f"{what}: {error}"[:300])
                return
            self.statuses[response.status_code] += 1
            if _is_bare(response):
                self.bare_500.append(f"{what} -> {response.status_code} {response.text[:200]!r}"[:400])


def _is_bare(response: httpx.Response) -> bool:
    """A 5xx without a French JSON message, or any answer showing a traceback."""
    body = response.text[:20000]
    if any(mark in body for mark in TRACEBACK_MARKS):
        return True
    if response.status_code < 500:
        return False
    try:
        data = response.json()
    except ValueError:
        return True
    message = json.dumps(data, ensure_ascii=False)
    return not any(word in message for word in (" le ", " la ", " les ", " de ", " un ", " une ", " réessayez"))


def mutate_text(text: str, draw: random.Random) -> str:
    """One hostile variant of a question."""
    kind = draw.randrange(9)
    if kind == 0:  # one long word
        return draw.choice("ab1é@.") * draw.choice([1_000, 10_000, 40_000, 100_000])
    if kind == 1:  # repeated separators
        return draw.choice(SEPARATORS) * draw.choice([500, 5_000, 50_000])
    if kind == 2:
        at = draw.randrange(len(text) + 1)
        return text[:at] + "".join(draw.choices(ODD, k=draw.randint(1, 6))) + text[at:]
    if kind == 3:
        return text + " " + str(draw.choice([10**30, -1, 2**63, 1e308, "NaN", "999 999 999 999 €"]))
    if kind == 4:
        return "".join(chr(draw.randint(1, 0x2FFFF)) for _ in range(draw.randint(1, 300)))
    if kind == 5:
        return " ".join(draw.choices(text.split() + ODD, k=draw.randint(1, 400)))
    if kind == 6:
        return ""
    if kind == 7:
        return "(" * draw.randint(1, 20000) + text
    return text


def question_requests(count: int, draw: random.Random) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(name, method+path, httpx request arguments) for `count` hostile question requests."""
    for _ in range(count):
        question = mutate_text(draw.choice(BASE_QUESTIONS), draw)
        shape = draw.randrange(12)
        if shape < 5:
            body: Any = {"question": question, "history": draw.choice([[], [question[:200]], ["x"] * 50])}
            yield "ask", "POST /api/ask", {"content": _raw_json(body)}
        elif shape == 5:
            yield "stream", "POST /api/ask/stream", {"content": _raw_json({"question": question})}
        elif shape == 6:
            yield "search", "GET /api/search", {"params": {"q": question[:5000], "k": draw.choice([1, 5, 50, 0, -3,
                                                                                               10**9])}}
        elif shape in (7, 8):
            messages: Any = [{"role": draw.choice(["user", "system", "assistant", "tool", "x"]), "content": question}]
            if draw.random() < 0.3:
                messages = draw.choice([[], None, "texte", [{"role": "user"}], [{"content": [{"type": "text",
                                                                                               "text": question}]}]])
            body = {"model": "ars-assistant", "messages": messages, "stream": draw.random() < 0.3}
            yield "chat", "POST /v1/chat/completions", {"content": _raw_json(body)}
        elif shape == 9:  # the wrong shape
            bad = draw.choice([b"{", b"[]", b"null", b'{"question": 3}', b'{"question": null}', b'{"question": []}',
                               b'{"question": {"a": 1}}', b"\xff\xfe\x00", b'{"question": "' + b"a" * 2_000_000 + b'"}',
                               b"[" * 100_000, b'{"question": "x", "history": "pas une liste"}'])
            yield "bad-json", "POST /api/ask", {"content": bad}
        elif shape == 10:
            yield "bad-json", "POST /v1/chat/completions", {"content": draw.choice(
                [b"{", b"{}", b'{"messages": 1}', b'{"messages": [{"role": 1, "content": 2}]}', b"\x00" * 1000])}
        else:
            path = draw.choice(["/api/documents/" + question[:300], "/api/documents/..%2F..%2Fetc/file",
                                "/api/documents/%00/file", "/api/documents/" + "a" * 5000 + "/file", "/v1/models"])
            yield "get", "GET " + path, {}


def _raw_json(body: Any) -> bytes:
    """JSON as a hostile client sends it: lone surrogates written as \\ud800 escapes, which json.dumps allows."""
    return json.dumps(body).encode("ascii")


def hostile_files(count: int, draw: random.Random, scratch: Path) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of `count` hostile files: mutants of real documents and built ones."""
    from fuzz_ingest import MUTATIONS, seeds

    originals = [(p.read_bytes(), p.suffix) for p in seeds(scratch, formats=True)]
    builders: list[Callable[[random.Random], tuple[str, bytes]]] = [
        _long_word, _separators, _deep_html, _zip_bomb, _many_entries, _flate_bomb_pdf, _random_bytes, _deep_docx,
    ]
    for number in range(count):
        if draw.random() < 0.5:
            data, suffix = draw.choice(originals)
            for name in draw.sample(sorted(MUTATIONS), draw.choice([1, 1, 2, 3])):
                data = MUTATIONS[name](data, draw) if data else data
            yield f"mutant-{number}{suffix}", data
        else:
            name, data = draw.choice(builders)(draw)
            yield f"{number}-{name}", data


def _long_word(draw: random.Random) -> tuple[str, bytes]:
    size = draw.choice([50_000, 200_000, 1_000_000])
    return "mot-long.txt", (draw.choice("ab1é@.") * size).encode()


def _separators(draw: random.Random) -> tuple[str, bytes]:
    return "separateurs.md", (draw.choice(SEPARATORS) * draw.choice([10_000, 200_000])).encode()


def _deep_html(draw: random.Random) -> tuple[str, bytes]:
    depth = draw.choice([1_000, 10_000, 100_000])
    tag = draw.choice(["div", "table><tr><td", "ul><li", "b"])
    return "profond.html", (f"<html><body>{('<' + tag + '>') * depth}texte</body></html>").encode()


def _odf(entries: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _odt_content(text: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            f"<text:p>{text}</text:p></office:text></office:body></office:document-content>").encode()


def _zip_bomb(draw: random.Random) -> tuple[str, bytes]:
    size = draw.choice([20_000_000, 200_000_000])
    text = draw.choice(["a", "a ", "Le plan crack. "]) * (size // 15)
    if draw.random() < 0.5:
        return "bombe.odt", _odf({"content.xml": _odt_content(text)})
    return "bombe.docx", _docx(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")


def _docx(body: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                         '</Relationships>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                         f'.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    return out.getvalue()


def _deep_docx(draw: random.Random) -> tuple[str, bytes]:
    depth = draw.choice([1_000, 50_000])
    return "profond.docx", _docx("<w:p>" * depth + "<w:r><w:t>texte</w:t></w:r>" + "</w:p>" * depth)


def _many_entries(draw: random.Random) -> tuple[str, bytes]:
    entries = {f"Pictures/{n}.xml": b"x" for n in range(draw.choice([5_000, 50_000]))}
    entries["content.xml"] = _odt_content("Le plan crack est doté de 220 000 euros.")
    return "entrees.odt", _odf(entries, zipfile.ZIP_STORED)


def _flate_bomb_pdf(draw: random.Random) -> tuple[str, bytes]:
    size = draw.choice([50_000_000, 500_000_000])
    chunk = zlib.compressobj(9)
    stream = b"".join(chunk.compress(b"BT /F1 12 Tf (a) Tj ET\n" * 4096) for _ in range(size // 94208)) + chunk.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return "bombe.pdf", out.getvalue()


def _random_bytes(draw: random.Random) -> tuple[str, bytes]:
    suffix = draw.choice([".pdf", ".docx", ".odt", ".html", ".htm", ".txt", ".md", ".exe", "", ".PDF", ".zip"])
    name = draw.choice(["hasard", "../../évasion", "a" * 300, "nul\x00", "ligne\nnouvelle", "﻿bom", "con"])
    return name + suffix, draw.randbytes(draw.choice([0, 1, 100, 100_000]))


class Health(threading.Thread):
    """Asks /api/health every 0.25 s until stopped; keeps each latency and each failure."""

    def __init__(self, url: str) -> None:
        super().__init__(name="health", daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stop.is_set():
                start = time.monotonic()
                try:
                    status = client.get(self.url + "/api/health").status_code
                    if status != 200:
                        self.failures.append(f"status {status}")
                except httpx.HTTPError as exc:
                    self.failures.append(type(exc).__name__)
                self.latencies.append(time.monotonic() - start)
                self.stop.wait(0.25)


def send(client: httpx.Client, tally: Tally, what: str, route: str, arguments: dict[str, Any]) -> None:
    method, _, path = route.partition(" ")
    headers = {"Content-Type": "application/json"} if "content" in arguments else {}
    start = time.monotonic()
    try:
        response = client.request(method, path, headers=headers, **arguments)
    except httpx.HTTPError as exc:
        tally.record(f"{what} {route}", None, type(exc).__name__, time.monotonic() - start)
        return
    tally.record(f"{what} {route}", response, None, time.monotonic() - start)


def upload(client: httpx.Client, tally: Tally, name: str, data: bytes) -> None:
    start = time.monotonic()
    try:
        response = client.post("/api/documents", files={"file": (name, data, "application/octet-stream")})
    except httpx.HTTPError as exc:
        tally.record(f"upload {name[:60]!r}", None, type(exc).__name__, time.monotonic() - start)
        return
    tally.record(f"upload {name[:60]!r}", response, None, time.monotonic() - start)
    if response.status_code == 201:
        with tally.lock:
            tally.files_accepted += 1
        source = response.json().get("source")
        if source:
            send(client, tally, "remove", "DELETE /api/documents/" + httpx.URL(source).raw_path.decode(), {})
    else:
        with tally.lock:
            tally.files_refused += 1


@contextmanager
def started_api(scratch: Path) -> Iterator[str]:
    """`ars-assistant api` over a scratch copy of the sample corpus, on a free port; stopped by its pid."""
    from eval.process import CLI, free_port, serving

    data = scratch / "data"
    env = {**os.environ, "ARS_DATA_DIR": str(data), "ARS_API_TOKENS": TOKEN, "HF_HUB_OFFLINE": "1",
           "ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1", "ARS_PARSE_TIMEOUT": "30"}
    import subprocess

    subprocess.run([*CLI, "ingest", str(REPO / "data" / "documents")], env=env, check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serving([*CLI, "api", "--port", str(port)], url + "/api/health", env=env, cwd=scratch,
                 log=scratch / "api.log"):
        yield url


def fuzz(url: str, token: str, questions: int, files: int, seed: int, workers: int, scratch: Path,
         max_seconds: float = 3600) -> dict[str, Any]:
    """Send the questions (`workers` at a time) and the files (one at a time) until done or `max_seconds`."""
    draw = random.Random(seed)
    tally = Tally()
    health = Health(url)
    health.start()
    start = time.monotonic()
    deadline = start + max_seconds
    headers = {"Authorization": f"Bearer {token}"}
    sent_files = 0
    asked = [0]
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client, ThreadPoolExecutor(workers) as pool:

        def ask(request: tuple[str, str, dict[str, Any]]) -> None:
            if time.monotonic() < deadline:
                send(client, tally, *request)
                with tally.lock:
                    asked[0] += 1

        jobs = [pool.submit(ask, request) for request in question_requests(questions, draw)]
        # one upload at a time beside the questions: the service ingests one document at a time anyway
        for name, data in hostile_files(files, draw, scratch):
            if time.monotonic() >= deadline:
                break
            upload(client, tally, name, data)
            sent_files += 1
            if sent_files % 100 == 0:
                _progress(start, tally, sent_files)
        for job in jobs:
            job.result()
    health.stop.set()
    health.join()
    slow = [s for s in health.latencies if s >= HEALTH_LIMIT_S]
    return {
        "url": url,
        "seed": seed,
        "questions": asked[0],
        "files": sent_files,
        "stopped_at_time_limit": time.monotonic() >= deadline,
        "requests": tally.requests,
        "statuses": dict(sorted(tally.statuses.items())),
        "files_accepted": tally.files_accepted,
        "files_refused": tally.files_refused,
        "crashes": len(tally.crashes),
        "bare_500": len(tally.bare_500),
        "crash_samples": tally.crashes[:5],
        "bare_500_samples": tally.bare_500[:5],
        "health_checks": len(health.latencies),
        "health_failures": len(health.failures),
        "health_slow": len(slow),
        "health_p95_ms": round(1000 * _p95(health.latencies), 1),
        "health_max_ms": round(1000 * max(health.latencies, default=0), 1),
        "request_p50_ms": round(1000 * statistics.median(tally.latencies), 1) if tally.latencies else 0,
        "seconds": round(time.monotonic() - start, 1),
    }


def _progress(start: float, tally: Tally, files: int) -> None:
    with tally.lock:
        print(f"{time.monotonic() - start:.0f} s : {tally.requests} requêtes, {files} fichiers, "
              f"{len(tally.crashes)} plantage(s), {len(tally.bare_500)} erreur(s) 500 brute(s)", file=sys.stderr,
              flush=True)


def _p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))] if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description="Fuzz de l'API en marche : questions et fichiers hostiles.")
    parser.add_argument("--url", help="API déjà lancée (sinon une API est démarrée sur le corpus d'exemple)")
    parser.add_argument("--token", default=TOKEN, help="jeton ARS_API_TOKENS de l'API donnée par --url")
    parser.add_argument("--questions", type=int, default=10_000, help="requêtes de questions (défaut 10 000)")
    parser.add_argument("--files", type=int, default=2_000, help="fichiers envoyés (défaut 2 000)")
    parser.add_argument("--seed", type=int, default=25, help="graine du hasard (défaut 25)")
    parser.add_argument("--workers", type=int, default=4, help="clients de questions simultanés (défaut 4)")
    parser.add_argument("--max-seconds", type=float, default=3600, help="durée au plus, s (défaut 3600)")
    args = parser.parse_args()
    # `timeout` or Ctrl+C: leave through the context managers, so the API we started is stopped (by its pid)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    scratch = Path(tempfile.mkdtemp(prefix="ars-fuzz-api-"))
    try:
        if args.url:
            report = fuzz(args.url, args.token, args.questions, args.files, args.seed, args.workers, scratch,
                          args.max_seconds)
        else:
            with started_api(scratch) as url:
                report = fuzz(url, TOKEN, args.questions, args.files, args.seed, args.workers, scratch,
                              args.max_seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    failed = report["crashes"] or report["bare_500"] or report["health_failures"] or report["health_slow"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
