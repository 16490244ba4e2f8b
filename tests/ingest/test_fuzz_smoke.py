"""A short run of scripts/fuzz_ingest.py: mutated PDFs are read or skipped with a reason, never a crash.

The full run (300 mutants ingested into a scratch index) is `python scripts/fuzz_ingest.py`."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_ingest", REPO / "scripts" / "fuzz_ingest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_mutation_changes_the_bytes_and_is_seeded(fuzz: ModuleType):
    data = (REPO / "data" / "documents" / "cp-charte-attractivite-2024-10-08.pdf").read_bytes()
    for name, mutate in fuzz.MUTATIONS.items():
        once, again = mutate(data, random.Random(3)), mutate(data, random.Random(3))
        assert once == again and once != data, name


def test_sixty_mutants_are_read_or_skipped_in_french_without_a_crash(fuzz: ModuleType):
    report = fuzz.fuzz(count=60, seed=8, timeout=10, parse_only=True)
    assert report["crashes"] == 0, report["crash_samples"]
    assert report["unexpected_errors"] == 0, report["reasons"]
    assert report["ingested"] + report["skipped"] == 60
    assert report["ingested"] > 0 and report["skipped"] > 0  # the mutations bite, and not every time


@pytest.mark.slow  # ~20 s on a shared CPU: 150 mutants of office and web files, read
def test_mutants_of_word_opendocument_web_and_markdown_files_get_a_french_reason(fuzz: ModuleType):
    report = fuzz.fuzz(count=150, seed=10, timeout=10, parse_only=True, formats=True)
    assert report["crashes"] == 0, report["crash_samples"]
    assert report["unexpected_errors"] == 0, report["reasons"]  # zlib, zip versions, NUL bytes in a page
    assert any("Word" in r for r in report["reasons"]) and any("OpenDocument" in r for r in report["reasons"])
