"""The local llama.cpp server of the chat-model tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_server import gemma_gguf, llama_server

REPO = Path(__file__).resolve().parents[2]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def gemma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A llama.cpp server (OpenAI-compatible) serving Gemma 3 270M on 127.0.0.1, once per session."""
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with llama_server(gemma_gguf(), log) as url:
        yield url
