"""Fixtures shared by the test folders: the sample corpus ingested once per session (real embedded Chroma, real
e5 model), builders of the formats corpus and of hostile PDFs, a real Chroma server."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from assistant.factory import build_assistant
from assistant.ingesting import run_ingest
from assistant.service import Assistant
from assistant.settings import Settings
from eval.process import CHROMA, NotReady, chroma_command, free_port, heartbeat_url, serving

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def formats() -> ModuleType:
    """scripts/render_formats.py: builders of scanned PDFs, table PDFs, .odt files and web pages."""
    return _load("render_formats", REPO / "scripts" / "render_formats.py")


@pytest.fixture(scope="session")
def hostile() -> ModuleType:
    """tests/ingest/hostile_pdfs.py: builders of hostile PDFs (slow to read, deeply nested, huge)."""
    return _load("hostile_pdfs", REPO / "tests" / "ingest" / "hostile_pdfs.py")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def formats_corpus(formats: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The formats corpus (scan, tables, .odt, .html) rendered afresh into a temporary folder."""
    folder = tmp_path_factory.mktemp("formats")
    formats.render(folder)
    return folder


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real `chroma run` on a free port, stopped (that PID only) at the end of the session."""
    if not CHROMA.exists():
        pytest.skip(f"no chroma executable next to {sys.executable}")
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    try:
        with serving(chroma_command(root / "data", port), heartbeat_url(port), log=root / "server.log",
                     env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}, timeout_s=60, poll_s=0.2):
            yield ChromaServer("127.0.0.1", port)
    except NotReady:
        raise RuntimeError(f"chroma server did not start, see {root / 'server.log'}") from None


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("ars-data"), documents_dir=REPO / "data" / "documents")
    report = run_ingest(settings, [settings.documents_dir])
    assert report.ingested == 2, str(report)
    return settings


@pytest.fixture(scope="session")
def assistant(corpus_settings: Settings) -> Assistant:
    return build_assistant(corpus_settings)
