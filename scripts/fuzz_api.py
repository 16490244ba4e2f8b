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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout: python scripts/fuzz_api.py
sys.path.insert(0, str(REPO / "scripts"))

import httpx  # noqa: E402
from fuzz_inputs import hostile_files, question_requests  # noqa: E402

TOKEN = "jeton-fuzz"
HEALTH_LIMIT_S = 1.0
TRACEBACK_MARKS = ("Traceback (most recent call last)", 'File "/', "Internal Server Error")
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
        # a long document takes minutes to encode on 2 cores: a slow upload is no crash
        response = client.post("/api/documents", files={"file": (name, data, "application/octet-stream")},
                               timeout=900)
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
        if (scratch / "api.log").exists():  # the server's side of any 5xx or slow answer: kept for the inquiry
            shutil.copy(scratch / "api.log", Path.cwd() / "fuzz-api.log")
            print(f"journal de l'API : {Path.cwd() / 'fuzz-api.log'}", file=sys.stderr)
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    failed = report["crashes"] or report["bare_500"] or report["health_failures"] or report["health_slow"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
