"""Benchmark of scale-out on this machine: one Chroma server, the sample corpus ingested once, then 1 and 2
serving replicas (`ars-assistant api`, each with its own data dir) under the same load through POST /api/ask.

    python -m eval.replicas [--clients 20] [--questions 200]

Reports (JSON on stdout): questions per second and latency percentiles with 1 and 2 replicas, and whether the
two replicas give identical answers (text and citations) to every question of eval/questions.jsonl. The
processes it starts (Chroma server, ingest, replicas) are stopped by their pid at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from eval.load import QUESTIONS_FILE, load_questions, run_load
from eval.process import CLI, NotReady, chroma_command, free_port, heartbeat_url, serving

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def _process(command: Sequence[str], env: dict[str, str], ready_url: str, log: Path) -> Iterator[str]:
    """A process answering on `ready_url` within 180 s; terminated (then killed) by its pid at the end."""
    try:
        with serving(command, ready_url, env=env, log=log, timeout_s=180, ready=lambda _response: True):
            yield ready_url
    except NotReady as exc:
        if exc.exited:
            raise SystemExit(f"{command[-1]} s'est arrêté : voir {log}") from None
        raise SystemExit(f"{ready_url} ne répond pas après 180 s : voir {log}") from None


def _replica(stack: ExitStack, work: Path, name: str, server: dict[str, str]) -> str:
    port = free_port()
    env = {**os.environ, **server, "ARS_DATA_DIR": str(work / name)}
    url = f"http://127.0.0.1:{port}"
    stack.enter_context(_process([*CLI, "api", "--port", str(port)], env, url + "/api/health", work / f"{name}.log"))
    return url


def _answer(url: str, question: str) -> dict[str, Any]:
    request = urllib.request.Request(url + "/api/ask", data=json.dumps({"question": question}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        body = json.loads(response.read())
    return {"answer": body["answer"], "citations": [(c["source"], c["page"], c["excerpt"]) for c in body["citations"]]}


def _load(urls: Sequence[str], questions: Sequence[str], clients: int, total: int) -> dict[str, Any]:
    """`total` questions from `clients` askers spread evenly over the replicas, all at once."""
    reports: list[dict[str, Any]] = []
    threads = [
        threading.Thread(target=lambda u=url: reports.append(
            run_load(u, questions, clients=clients // len(urls), total=total // len(urls), api=True)))
        for url in urls
    ]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - start
    answers = sum(r["answers"] for r in reports)
    return {
        "replicas": len(urls),
        "answers": answers,
        "errors": sum(r["errors"] for r in reports),
        "throughput_qps": round(answers / seconds, 2),
        "latency_p50_ms": max(r["latency_ms"]["p50"] for r in reports),
        "latency_p95_ms": max(r["latency_ms"]["p95"] for r in reports),
    }


def run(clients: int, total: int, questions_file: Path = QUESTIONS_FILE) -> dict[str, Any]:
    questions = load_questions(questions_file)
    with tempfile.TemporaryDirectory(prefix="ars-replicas-") as folder, ExitStack() as stack:
        work = Path(folder)
        chroma_port = free_port()
        stack.enter_context(_process(chroma_command(work / "chroma", chroma_port),
                                     {**os.environ, "ANONYMIZED_TELEMETRY": "False"}, heartbeat_url(chroma_port),
                                     work / "chroma.log"))
        server = {"ARS_CHROMA_HOST": "127.0.0.1", "ARS_CHROMA_PORT": str(chroma_port)}
        subprocess.run([*CLI, "ingest", str(REPO / "data" / "documents")], check=True, capture_output=True,
                       env={**os.environ, **server, "ARS_DATA_DIR": str(work / "ingest")})
        first = _replica(stack, work, "replica-1", server)
        one = _load([first], questions, clients, total)
        second = _replica(stack, work, "replica-2", server)
        two = _load([first, second], questions, clients, total)
        different = [q for q in questions if _answer(first, q) != _answer(second, q)]
    return {"clients": clients, "questions": total, "runs": [one, two], "answers_compared": len(questions),
            "answers_different": len(different), "different_samples": different[:5]}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Débit et latence avec 1 puis 2 répliques (JSON sur stdout).")
    parser.add_argument("--clients", type=int, default=20, help="questionneurs simultanés (défaut 20)")
    parser.add_argument("--questions", type=int, default=200, help="questions posées par mesure (défaut 200)")
    args = parser.parse_args(argv)
    report = run(args.clients, args.questions)
    print(json.dumps(report, ensure_ascii=False))
    sys.exit(1 if report["answers_different"] or any(r["errors"] for r in report["runs"]) else 0)


if __name__ == "__main__":
    main()
