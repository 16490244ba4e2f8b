"""Scanned PDF pages are read by OCR (Tesseract, French model), for real: page numbers kept, chunks flagged."""

from __future__ import annotations

import difflib
import io
import os
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from pypdf import PdfReader, PdfWriter

from eval.process import CLI
from ingest.models import Document
from ingest.ocr import OcrOptions
from ingest.pipeline import Skipped, parse_file, try_parse
from ingest.split import chunk_document

SCAN = "arrete-centre-sante-vire-scan.pdf"
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-fra"


def flat(text: str) -> str:
    return " ".join(text.split())


def accuracy(expected: str, read: str) -> float:
    """Characters of the expected text found, in order, in the text read (difflib's matching blocks)."""
    matcher = difflib.SequenceMatcher(None, expected, read, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected)


def page_source(formats: ModuleType, page: int) -> str:
    return flat(" ".join(str(content) for _, content in formats.SCAN_PAGES[page - 1]))


def page_read(doc: Document, page: int) -> str:
    return flat(" ".join(b.text for b in doc.blocks if b.page == page))


def mixed_pdf(formats: ModuleType, dest: Path) -> Path:
    """Page 1 typed (text layer), page 2 scanned (image only), as when an annex is scanned into a report."""
    typed = formats.text_pdf([[("h1", "Rapport d'activité du centre de santé"),
                               ("p", "Le centre de santé a reçu 4 200 patients en 2024.")]], "Rapport")
    scanned = formats.scan_pdf([formats.SCAN_PAGES[1]], "Annexe")
    writer = PdfWriter()
    for data in (typed, scanned):
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    writer.write(dest)
    return dest


def test_scanned_pdf_is_read_by_ocr_on_its_own_pages(formats: ModuleType, formats_corpus: Path):
    progress: list[tuple[int, int, int]] = []
    doc = parse_file(formats_corpus / SCAN, on_ocr_page=lambda *args: progress.append(args))
    assert doc.ocr_pages == (1, 2)
    assert progress == [(1, 0, 2), (2, 1, 2)]  # one call per page, before it is read
    assert doc.ocr_seconds > 0
    assert doc.title.startswith("Arrêté n° 2024-0412")
    for page in (1, 2):
        assert accuracy(page_source(formats, page), page_read(doc, page)) > 0.97
    assert "aide au démarrage de 85 000 euros" in page_read(doc, 2)
    assert "2 septembre 2024" in page_read(doc, 1)
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "Article 3 : financement" in headings  # a larger line on a scan is still a heading
    chunks = chunk_document(doc)
    assert chunks and all(c.ocr for c in chunks)
    money = next(c for c in chunks if "85 000 euros" in c.text)
    assert (money.page, money.section) == (2, "Article 3 : financement")
    assert money.metadata()["ocr"] is True


def test_mixed_pdf_reads_typed_pages_with_pypdf_and_scanned_pages_by_ocr(formats: ModuleType, tmp_path: Path):
    doc = parse_file(mixed_pdf(formats, tmp_path / "rapport.pdf"))
    assert doc.ocr_pages == (2,)
    assert "4 200 patients" in page_read(doc, 1)
    assert "85 000 euros" in page_read(doc, 2)
    flags = {c.page: c.ocr for c in chunk_document(doc)}
    assert flags == {1: False, 2: True}


def test_without_tesseract_a_scan_is_skipped_with_the_packages_to_install(
    formats: ModuleType, formats_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    mixed = mixed_pdf(formats, tmp_path / "rapport.pdf")
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without tesseract
    result = try_parse(formats_corpus / SCAN)
    assert isinstance(result, Skipped)
    assert INSTALL in result.reason and "numérisé" in result.reason
    partial = try_parse(mixed)  # the typed page is still read; the summary says what was not
    assert isinstance(partial, Document)
    assert "4 200 patients" in page_read(partial, 1) and page_read(partial, 2) == ""
    assert any(INSTALL in w and "2" in w for w in partial.warnings)


def test_a_page_over_the_ocr_time_limit_is_given_up(formats_corpus: Path):
    result = try_parse(formats_corpus / SCAN, OcrOptions(timeout=0.01))
    assert isinstance(result, Skipped)
    assert "OCR abandonnée après 0.01 s" in result.reason


@pytest.mark.integration
@pytest.mark.slow
def test_a_batch_with_a_scan_and_no_tesseract_goes_on(formats_corpus: Path, tmp_path: Path):
    folder = tmp_path / "lot"
    folder.mkdir()
    (folder / SCAN).write_bytes((formats_corpus / SCAN).read_bytes())
    (folder / "note.txt").write_text("Note de service\n\nLe COPIL se réunit le 12 décembre 2024.\n", "utf-8")
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty), "ARS_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    command = [*CLI, "ingest", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "1 ingéré," in result.stdout and "1 ignoré." in result.stdout
    line = next(line for line in result.stdout.splitlines() if SCAN in line)
    assert INSTALL in line
