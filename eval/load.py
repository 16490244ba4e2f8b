"""Load test of the running interface: concurrent askers through the Gradio API or the HTTP API; throughput,
latency, errors.

    python -m eval.load --url http://127.0.0.1:7860 [--clients 20] [--questions 100] [--time-limit 300]
    python -m eval.load --start [--clients 20] [--questions 100]     # starts `ars-assistant ui` itself
    python -m eval.load --url http://127.0.0.1:7861 --api [--token JETON]   # POST /api/ask instead

Each asker is a Gradio client with its own session, as a browser tab would be (or, with --api, an HTTP
client of POST /api/ask); it asks the questions of eval/questions.jsonl in turn (`/question`, the event of
the question box) until the count or the time limit is reached. An error is an exception, an empty answer
or the "erreur inattendue" message. Prints one JSON object: questions asked, errors, seconds, throughput
(questions per second), latency percentiles (ms).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from eval.process import CLI, NotReady, free_port, serving

QUESTIONS_FILE = Path(__file__).with_name("questions.jsonl")
ERROR_MARK = "erreur inattendue"  # ui/chat.py ERROR_TEXT: an exception inside the app


def load_questions(path: Path = QUESTIONS_FILE) -> list[str]:
    """The questions of an evaluation file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def answer_text(messages: Any) -> str:
    """The text of the last chat message (Gradio gives a list of parts or a string)."""
    if not messages:
        return ""
    content = messages[-1].get("content") if isinstance(messages[-1], dict) else None
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (`share` in 0..1) of `values`; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def run_load(
    url: str,
    questions: Sequence[str],
    clients: int = 20,
    total: int = 100,
    time_limit: float = 300.0,
    auth: tuple[str, str] | None = None,
    api_token: str | None = None,
    api: bool = False,
) -> dict[str, Any]:
    """Ask `total` questions with `clients` concurrent clients (Gradio's, or POST /api/ask with `api`); the
    figures of the run."""
    lock = threading.Lock()
    next_question = 0
    latencies: list[float] = []
    errors: list[str] = []
    empty: list[str] = []
    start = time.monotonic()
    deadline = start + time_limit

    def take() -> int | None:
        nonlocal next_question
        with lock:
            if next_question >= total or time.monotonic() > deadline:
                return None
            next_question += 1
            return next_question - 1

    def asker() -> None:
        try:
            client = _ApiClient(url, api_token) if api else _GradioClient(url, auth)
        except Exception as exc:  # noqa: BLE001 - a client that cannot connect is an error of the run
            with lock:
                errors.append(f"connexion : {exc!r}")
            return
        while (number := take()) is not None:
            question = questions[number % len(questions)]
            asked = time.monotonic()
            try:
                text = client.ask(question)
            except Exception as exc:  # noqa: BLE001
                with lock:
                    errors.append(f"{question} : {exc!r}")
                continue
            took = time.monotonic() - asked
            with lock:
                latencies.append(took)
                if not text.strip():
                    empty.append(question)
                elif ERROR_MARK in text:
                    errors.append(f"{question} : {ERROR_MARK}")
        client.close()

    threads = [threading.Thread(target=asker, name=f"asker-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - start
    answered = len(latencies)
    return {
        "url": url,
        "clients": clients,
        "questions_asked": next_question,
        "answers": answered,
        "errors": len(errors) + len(empty),
        "error_samples": (errors + [f"{q} : réponse vide" for q in empty])[:5],
        "seconds": round(seconds, 2),
        "throughput_qps": round(answered / seconds, 2) if seconds else 0.0,
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50) * 1000),
            "p95": round(percentile(latencies, 0.95) * 1000),
            "max": round(max(latencies, default=0.0) * 1000),
            "mean": round(sum(latencies) / answered * 1000) if answered else 0,
        },
    }


class _GradioClient:
    """A browser tab's session: the question box's event."""

    def __init__(self, url: str, auth: tuple[str, str] | None) -> None:
        from gradio_client import Client

        # the page's own origin, as a browser tab sends it: with the login's cookie, the server refuses a
        # request that says neither where it comes from (ui/security.py)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        self.client = Client(url, auth=auth, verbose=False, headers={"Origin": origin})

    def ask(self, question: str) -> str:
        messages, *_ = self.client.predict(question, [], api_name="/question")
        return answer_text(messages)

    def close(self) -> None:
        self.client.close()


class _ApiClient:
    """Another program: POST /api/ask with a bearer token."""

    def __init__(self, url: str, token: str | None) -> None:
        import httpx

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=url, headers=headers, timeout=120)

    def ask(self, question: str) -> str:
        response = self.client.post("/api/ask", json={"question": question})
        response.raise_for_status()
        return str(response.json()["answer"])

    def close(self) -> None:
        self.client.close()


@contextmanager
def started_interface(startup_s: float = 180) -> Iterator[str]:
    """`ars-assistant ui` on a free port of 127.0.0.1 (settings from the environment); stopped (by pid) after."""
    port = free_port()
    command = [*CLI, "ui", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    url = f"http://127.0.0.1:{port}"
    try:
        with serving(command, url + "/", env=env, timeout_s=startup_s, ready=lambda _response: True):
            yield url
    except NotReady as exc:
        if exc.exited:
            stderr = exc.process.stderr
            raise SystemExit(f"l'interface s'est arrêtée : {(stderr.read() if stderr else b'')!r}") from None
        raise SystemExit(f"l'interface ne répond pas sur {url} après {startup_s:g} s") from None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Test de charge de l'interface par l'API Gradio (JSON sur stdout).")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="adresse de l'interface, par exemple http://127.0.0.1:7860")
    where.add_argument("--start", action="store_true", help="lance `ars-assistant ui` sur un port libre")
    parser.add_argument("--clients", type=int, default=20, help="questionneurs simultanés (défaut 20)")
    parser.add_argument("--questions", type=int, default=100, help="questions posées en tout (défaut 100)")
    parser.add_argument("--time-limit", type=float, default=300, help="durée maximale en secondes (défaut 300)")
    parser.add_argument("--file", type=Path, default=QUESTIONS_FILE, help="fichier de questions (JSONL)")
    parser.add_argument("--user", help="compte « nom:motdepasse » quand l'interface demande une connexion")
    parser.add_argument("--api", action="store_true", help="questions par POST /api/ask plutôt que par la page")
    parser.add_argument("--token", help="jeton d'accès de l'API (ARS_API_TOKENS du serveur)")
    args = parser.parse_args(argv)
    questions = load_questions(args.file)
    auth: tuple[str, str] | None = None
    if args.user:
        name, _, password = args.user.partition(":")
        auth = (name, password)
    if args.start:
        with started_interface() as url:
            report = run_load(url, questions, args.clients, args.questions, args.time_limit, auth, args.token, args.api)
    else:
        report = run_load(
            args.url, questions, args.clients, args.questions, args.time_limit, auth, args.token, args.api
        )
    print(json.dumps(report, ensure_ascii=False))
    sys.exit(1 if report["errors"] else 0)


if __name__ == "__main__":
    main()
