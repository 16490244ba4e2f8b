"""Bad input never stops a batch: each bad file is named with a French reason, good files go in."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from ingest.pipeline import Skipped, discover, try_parse

GOOD = [[("h1", "Plan crack"), ("p", "220 000 euros sur 3 ans pour Drog’Aide 61.")]]


def encrypted(src: Path, dest: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password=user_password, owner_password="proprietaire", algorithm="AES-256")
    writer.write(dest)
    return dest


def scanned(dest: Path) -> Path:
    """A PDF whose only page is the scan of a blank form: an image, no text layer, nothing for OCR to read."""
    image = Image.new("RGB", (1200, 1600), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 1100, 1500), outline="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=210)
    pdf.output(str(dest))
    return dest


def no_pages(dest: Path) -> Path:
    with dest.open("wb") as handle:
        PdfWriter().write(handle)
    return dest


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory, write_pdf: Callable[..., Path]) -> dict[str, Path]:
    """One of each bad file beside a good PDF, made once for the module: tests read them, never change them."""
    tmp_path = tmp_path_factory.mktemp("bad-files")
    good = write_pdf(tmp_path / "bon.pdf", GOOD)
    data = good.read_bytes()
    files = {
        "locked": encrypted(good, tmp_path / "verrouille.pdf", "secret"),
        "truncated": tmp_path / "tronque.pdf",
        "random": tmp_path / "aleatoire.pdf",
        "random_header": tmp_path / "entete.pdf",
        "empty": tmp_path / "vide.pdf",
        "no_pages": no_pages(tmp_path / "sans-page.pdf"),
        "scanned": scanned(tmp_path / "scan.pdf"),
        "unsupported": tmp_path / "budget.xlsx",
        "bad_docx": tmp_path / "abime.docx",
    }
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["random"].write_bytes(os.urandom(4096))
    files["random_header"].write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    files["empty"].write_bytes(b"")
    files["unsupported"].write_bytes(b"PK\x03\x04 pas un vrai classeur")
    files["bad_docx"].write_bytes(os.urandom(2048))
    return files


EXPECTED_REASON = {
    "locked": "mot de passe",
    "truncated": "endommagé",
    "random": "pas un PDF",
    "random_header": "endommagé",
    "empty": "vide",
    "no_pages": "aucune page",
    "scanned": "OCR",
    "unsupported": "format non pris en charge (.xlsx)",
    "bad_docx": "Word illisible",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED_REASON))
def test_each_bad_file_is_skipped_with_its_french_reason(bad_files, kind):
    path = bad_files[kind]
    result = try_parse(path) if kind != "unsupported" else discover([path]).skipped[0]
    assert isinstance(result, Skipped)
    assert EXPECTED_REASON[kind] in result.reason


def test_pdf_encrypted_with_the_empty_password_is_read(make_pdf, tmp_path):
    path = encrypted(make_pdf("bon.pdf", GOOD), tmp_path / "proprietaire.pdf", "")
    doc = try_parse(path)
    assert not isinstance(doc, Skipped)
    assert any("220 000 euros" in b.text for b in doc.blocks)


def test_a_batch_mixing_good_and_bad_files_ingests_the_good_ones(ars, bad_files, write_pdf, tmp_path):
    folder = shutil.copytree(bad_files["locked"].parent, tmp_path / "lot")  # this test adds files: its own copy
    write_pdf(folder / "autre.pdf", [[("h1", "Santé mentale"), ("p", "La santé mentale est la Grande cause 2025.")]])
    (folder / "note.txt").write_text("Note de service\n\nLe COPIL se réunit le 12 décembre 2024.\n", "utf-8")
    result = ars("ingest", str(folder), data_dir=tmp_path / "data")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    out = result.stdout
    assert "3 ingérés" in out  # bon.pdf, autre.pdf, note.txt
    assert f"{len(bad_files)} ignorés" in out
    for kind, path in bad_files.items():
        line = next(line for line in out.splitlines() if path.name in line)
        assert EXPECTED_REASON[kind] in line
    status = ars("status", "--json", data_dir=tmp_path / "data")
    assert '"documents": 3' in status.stdout


def test_missing_path_is_one_french_line_and_exit_code_1(ars, tmp_path):
    result = ars("ingest", str(tmp_path / "nulle-part"), data_dir=tmp_path / "data")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Erreur :")
    assert "n'existe pas" in result.stderr
    assert "Traceback" not in result.stderr
