"""The sample corpus ingested once per session into a real embedded Chroma, with the real e5 model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
