"""Fixtures shared by tests/ingest and tests/assistant: builders of the formats corpus and of hostile PDFs."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

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
