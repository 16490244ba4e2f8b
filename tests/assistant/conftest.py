"""The sample corpus ingested once per session into a real embedded Chroma, with the real e5 model; the local
llama.cpp server of the chat-model tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_server import gemma_gguf, llama_server

from assistant.factory import build_assistant
from assistant.ingesting import run_ingest
from assistant.service import Assistant
from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[2]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("ars-data"), documents_dir=REPO / "data" / "documents")
    report = run_ingest(settings, [settings.documents_dir])
    assert report.ingested == 2, str(report)
    return settings


@pytest.fixture(scope="session")
def assistant(corpus_settings: Settings) -> Assistant:
    return build_assistant(corpus_settings)


@pytest.fixture(scope="session")
def gemma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A llama.cpp server (OpenAI-compatible) serving Gemma 3 270M on 127.0.0.1, once per session."""
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with llama_server(gemma_gguf(), log) as url:
        yield url
