"""A table row becomes one line with its column headers, in PDFs, Word and OpenDocument files alike."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import docx
import matplotlib
from fpdf import FPDF

from ingest.pipeline import parse_file
from ingest.split import chunk_document
from ingest.tables import row_texts


def rows_of(path: Path) -> list[tuple[int, str]]:
    return [(b.page, b.text) for b in parse_file(path).blocks if b.kind == "row"]


def test_pdf_table_rows_carry_their_column_headers_and_page(formats_corpus: Path):
    path = formats_corpus / "dotations-prevention-2023.pdf"
    rows = rows_of(path)
    assert (2, "Eure — Dotation 2022 : 480 000 € ; Dotation 2023 : 512 300 € ; Structures financées : 9") in rows
    assert (3, "Manche — Couverture 2022 : 57,3 % ; Couverture 2023 : 58,9 %") in rows
    assert len(rows) == 6 + 5  # header rows are folded into every row, not repeated as text
    # the rows of one table stay in one chunk, under the table's heading
    chunk = next(c for c in chunk_document(parse_file(path)) if "Eure — Dotation" in c.text)
    assert chunk.section == "Dotations par département" and chunk.page == 2
    assert all(f"- {name} — Dotation 2022" in chunk.text for name in ("Calvados", "Manche", "Orne", "Seine-Maritime"))


def test_wrapped_cells_join_their_row_and_text_around_the_table_stays_prose(formats: ModuleType, tmp_path: Path):
    rows = [
        ["Action", "Porteur", "Montant"],
        ["Équipe mobile", "Centre hospitalier d'Alençon-Mamers, pour les communes du Perche ornais", "180 000 €"],
        ["Maison des adolescents", "Association Passerelle", "95 000 €"],
        ["Premiers secours", "Croix-Rouge", "32 000 €"],
    ]
    path = tmp_path / "actions.pdf"
    path.write_bytes(formats.text_pdf([[("h2", "Actions financées"), ("p", "Trois actions sont financées."),
                                        ("table", rows), ("p", "Les conventions sont annuelles.")]], "Actions"))
    doc = parse_file(path)
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert ("paragraph", "Trois actions sont financées.") in kinds
    assert ("paragraph", "Les conventions sont annuelles.") in kinds
    row = next(text for kind, text in kinds if kind == "row" and text.startswith("Équipe mobile"))
    assert row == ("Équipe mobile — Porteur : Centre hospitalier d'Alençon-Mamers, pour les communes du Perche "
                   "ornais ; Montant : 180 000 €")


def test_bulleted_lists_and_bold_words_are_not_tables(tmp_path: Path):
    pdf = FPDF()
    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf.add_font("DejaVu", "", str(font / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(font / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 11)
    for item in ("la prévention des addictions ;", "la santé mentale des jeunes ;", "l'accès aux soins."):
        pdf.cell(10, 6, "•")  # bullet and text as two runs far apart, as Word exports hanging indents
        pdf.cell(0, 6, item, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, "Le **plan crack** finance **deux projets** : un à Alençon, un à Flers, pour un total de "
                   "**478 000 euros** sur **trois ans**, avec un comité de suivi réuni **deux fois par an**.",
                   markdown=True)
    path = tmp_path / "liste.pdf"
    pdf.output(str(path))
    blocks = parse_file(path).blocks
    assert not [b for b in blocks if b.kind == "row"]
    assert any("478 000 euros sur trois ans" in b.text and b.kind == "paragraph" for b in blocks)


def test_docx_table_rows_come_in_document_order_under_their_heading(tmp_path: Path):
    document = docx.Document()
    document.add_heading("Dotations 2023", level=1)
    document.add_paragraph("Répartition par département :")
    table = document.add_table(rows=3, cols=3)
    for r, cells in enumerate([["Département", "Dotation 2023", "Structures"],
                               ["Eure", "512 300 €", "9"], ["Orne", "305 000 €", "6"]]):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    document.add_heading("Suite", level=1)
    document.add_paragraph("Texte après le tableau.")
    path = tmp_path / "dotations.docx"
    document.save(str(path))
    doc = parse_file(path)
    texts = [(b.kind, b.text) for b in doc.blocks]
    eure = texts.index(("row", "Eure — Dotation 2023 : 512 300 € ; Structures : 9"))
    assert texts.index(("heading", "Dotations 2023")) < eure < texts.index(("heading", "Suite"))
    chunk = next(c for c in chunk_document(doc) if "Eure" in c.text)
    assert chunk.section == "Dotations 2023" and "- Orne — Dotation 2023 : 305 000 €" in chunk.text


def test_odt_table_rows_carry_their_headers(formats_corpus: Path):
    rows = rows_of(formats_corpus / "copil-sante-mentale-orne-2024.odt")
    assert (2, "Maison des adolescents — Montant 2024 : 95 000 €") in rows


def test_row_texts_without_a_header_row():
    assert row_texts([["Eure", "512 300 €", "9"], ["Orne", "305 000 €", "6"]]) == [
        "Eure — 512 300 € ; 9",
        "Orne — 305 000 € ; 6",
    ]
    assert row_texts([["Poste", "Montant"], ["Loyer", ""], ["", "12 000 €"]]) == ["Loyer", "Montant : 12 000 €"]


def test_two_columns_of_prose_written_line_by_line_are_not_a_table(tmp_path: Path):
    left = ["La feuille de route départementale de l'Orne", "fixe six axes de travail pour la période 2023",
            "à 2025, validés par le comité de pilotage du", "12 décembre 2022 avec les élus du territoire."]
    right = ["Le plan crack finance deux projets portés par", "des associations du territoire, dont un projet",
             "de prévention des addictions chez les jeunes", "à Alençon, pour 258 000 euros sur trois ans."]
    pdf = FPDF()
    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf.add_font("DejaVu", "", str(font / "DejaVuSans.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 9)
    for a, b in zip(left, right, strict=True):  # each visual line spans both columns, as some exporters write
        pdf.cell(95, 5, a)
        pdf.cell(95, 5, b, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "colonnes.pdf"
    pdf.output(str(path))
    assert not [b for b in parse_file(path).blocks if b.kind == "row"]
