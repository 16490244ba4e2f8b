"""Fixtures shared by tests/ingest and tests/assistant: the builders of scripts/render_formats.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def formats() -> ModuleType:
    """scripts/render_formats.py: builders of scanned PDFs, table PDFs, .odt files and web pages."""
    spec = importlib.util.spec_from_file_location("render_formats", REPO / "scripts" / "render_formats.py")
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
