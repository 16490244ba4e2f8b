"""`ars-assistant ingest` over folders no one should have: hostile names, then hostile files.

Good files under hostile names are ingested and cited under printable names; hostile files are each skipped
with a French reason, the output is clean UTF-8 without a traceback, and the index they fail to enter is left
exactly as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from eval.process import CLI
from ingest.pipeline import cited_name

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 2


def note_pdf(path: Path, title: str, sentence: str) -> Path:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.multi_cell(0, 6, sentence, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write(folder: Path, raw_name: bytes, data: bytes) -> bytes:
    with open(os.fsencode(folder) + b"/" + raw_name, "wb") as handle:
        handle.write(data)
    return raw_name


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ, "ARS_DATA_DIR": str(data_dir), "ARS_PARSE_TIMEOUT": str(TIMEOUT_S), "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    return subprocess.run([*CLI, *args], capture_output=True, env=env, timeout=600, cwd=REPO)


def clean_output(result: subprocess.CompletedProcess[bytes]) -> str:
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")  # strict: valid UTF-8
    assert result.returncode == 0, err[-3000:]
    assert "Traceback" not in out + err, err[-3000:]
    assert all(line.isprintable() for line in out.splitlines()), out
    return out


# A sentence per file, each with its own figure, so each answer names one file.
NAMED = {
    b"rapport\nsur deux lignes.pdf": "Le dispositif de vaccination mobile du Perche compte 37 infirmiers.",
    b"note\x1b[2J\x1b[31mrouge.pdf": "La maison de sante de Putanges accueille 14 internes en 2025.",
    b"dossier\\sous-dossier\\bilan.pdf": "Le centre de Sees a realise 5 210 consultations de tabacologie.",
    b"bilan-ann\xe9e-2024.pdf": "La permanence de Tinchebray a recu 812 appels en 2024.",
    b"\xe2\x80\xaefdp.pdf": "Le bus de depistage de Vimoutiers a parcouru 9 400 kilometres.",
}


def test_hostile_names_are_ingested_under_printable_names_and_hostile_files_leave_the_index_as_it_was(
    tmp_path: Path, hostile: ModuleType
):
    data_dir = tmp_path / "data"
    names = tmp_path / "noms"
    names.mkdir()
    for number, (raw, sentence) in enumerate(NAMED.items()):
        made = note_pdf(tmp_path / f"n{number}.pdf", f"Note {number}", sentence)
        write(names, raw, made.read_bytes())
    out = clean_output(run("ingest", str(names), data_dir=data_dir))
    assert f"{len(NAMED)} ingérés" in out and "0 ignoré." in out, out

    status = json.loads(clean_output(run("status", "--json", data_dir=data_dir)))
    expected = {cited_name(os.fsdecode(raw)) for raw in NAMED}
    assert set(status["sources"]) == expected
    assert all(s.isprintable() and "\\" not in s and "/" not in s for s in status["sources"])
    answer = json.loads(clean_output(run("ask", "--json", "combien d'appels à la permanence de Tinchebray ?",
                                         data_dir=data_dir)))
    assert "812 appels" in answer["answer"]
    assert answer["citations"][0]["source"] == "bilan-ann\ufffde-2024.pdf"

    # -- hostile files into that index: every one refused, nothing written
    bad = tmp_path / "mauvais"
    bad.mkdir()
    good = note_pdf(tmp_path / "g.pdf", "Modèle", "Le plan crack dispose de 220 000 euros.").read_bytes()
    locked = tmp_path / "locked.pdf"
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "g.pdf"))
    writer.encrypt(user_password="secret", owner_password="proprietaire", algorithm="AES-256")
    writer.write(locked)
    reasons = {
        write(bad, b"lent.pdf", hostile.slow_pdf()): f"lecture interrompue après {TIMEOUT_S} s",
        write(bad, b"arbre-profond.pdf", hostile.deep_page_tree_pdf()): "PDF trop complexe à lire",
        write(bad, b"tableaux-imbriques.pdf", hostile.nested_arrays_pdf()): "endommagé",
        write(bad, b"tronque.pdf", good[: len(good) // 2]): "endommagé",
        write(bad, b"aleatoire.pdf", os.urandom(5000)): "ce n'est pas un PDF",
        write(bad, b"vide\n.pdf", b""): "fichier vide (0 octet)",
        write(bad, b"verrouill\xe9.pdf", locked.read_bytes()): "mot de passe",
        write(bad, b"script.sh", b"#!/bin/sh\nrm -rf /\n"): "format non pris en charge (.sh)",
    }
    collection = data_dir / "collections" / "ars"
    before = {p.name: p.read_bytes() for p in (collection / "manifest.json", collection / "lexical" / "state.json")}
    out = clean_output(run("ingest", str(bad), data_dir=data_dir))
    assert "0 ingéré," in out and f"{len(reasons)} ignorés" in out, out
    for raw, reason in reasons.items():
        shown = cited_name(os.fsdecode(raw))
        line = next((line for line in out.splitlines() if shown in line), None)
        assert line is not None and reason in line, (shown, out)
    after = {p.name: p.read_bytes() for p in (collection / "manifest.json", collection / "lexical" / "state.json")}
    assert after == before
    status_after = json.loads(clean_output(run("status", "--json", data_dir=data_dir)))
    assert status_after == status
