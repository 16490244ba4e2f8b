"""Word, text and Markdown files become the same headings, paragraphs and items as PDFs."""

from __future__ import annotations

from pathlib import Path

import docx

from ingest.pipeline import Skipped, discover, parse_file
from ingest.split import chunk_document


def test_docx_headings_paragraphs_lists_and_page_breaks(tmp_path: Path):
    document = docx.Document()
    document.core_properties.title = "Note sur les CRT"
    document.add_heading("Centres de ressources territoriaux", level=1)
    document.add_paragraph("L’ARS dote chaque CRT à hauteur de 900 € par bénéficiaire du dispositif.")
    document.add_paragraph("télémédecine assistée", style="List Bullet")
    document.add_page_break()
    document.add_heading("Enveloppe", level=2)
    document.add_paragraph("Une enveloppe globale annuelle de 400 000€.")
    path = tmp_path / "note.docx"
    document.save(str(path))

    doc = parse_file(path)
    assert doc.title == "Note sur les CRT"
    kinds = [(b.kind, b.text, b.page) for b in doc.blocks]
    assert ("heading", "Centres de ressources territoriaux", 1) in kinds
    assert ("item", "télémédecine assistée", 1) in kinds
    assert ("paragraph", "Une enveloppe globale annuelle de 400 000€.", 2) in kinds
    chunk = next(c for c in chunk_document(doc) if "400 000€" in c.text)
    assert (chunk.section, chunk.page) == ("Enveloppe", 2)


def test_markdown_and_text_with_cp1252_accents(tmp_path: Path):
    md = tmp_path / "fiche.md"
    md.write_text("# Fiche MILDECA\n\nLa mission interministérielle\nde lutte contre les drogues.\n\n"
                  "- premier point\n- second point\n", "utf-8")
    doc = parse_file(md)
    assert doc.title == "Fiche MILDECA"
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "item", "item"]
    assert doc.blocks[1].text == "La mission interministérielle de lutte contre les drogues."

    txt = tmp_path / "ancien.txt"
    txt.write_bytes("Comité de pilotage réuni à Alençon.\fPage deux : prévention.".encode("cp1252"))
    doc = parse_file(txt)
    assert doc.page_count == 2
    assert doc.blocks[0].text == "Comité de pilotage réuni à Alençon."
    assert doc.blocks[1].page == 2
    assert doc.title == "Comité de pilotage réuni à Alençon"  # no heading: the first line, not the file name


def test_a_text_file_without_heading_is_titled_by_its_first_line_kept_short(tmp_path: Path):
    note = tmp_path / "note_2025-03.txt"
    note.write_text("\n\n  Note de service : fermeture estivale des centres de vaccination. Les centres de Caen et "
                    "de Lisieux ferment du 1er au 15 août.\nSuite du texte.\n", "utf-8")
    assert parse_file(note).title == "Note de service : fermeture estivale des centres de vaccination"
    long = tmp_path / "long.txt"
    line = "Compte rendu " + "de la réunion du comité de pilotage " * 8
    long.write_text(line + "\n\nTexte.", "utf-8")
    title = parse_file(long).title
    assert title.endswith("…") and len(title) <= 121 and line.startswith(title[:-1] + " ")  # cut between words
    item = tmp_path / "liste.md"
    item.write_text("- Permanences des pharmacies de garde\n- Calvados\n", "utf-8")
    assert parse_file(item).title == "Permanences des pharmacies de garde"  # the bullet is not part of the title
    heading = tmp_path / "rapport.md"
    heading.write_text("Brouillon\n\n# Rapport annuel 2024\n\nTexte.", "utf-8")
    assert parse_file(heading).title == "Rapport annuel 2024"  # a heading still wins over the first line


def test_the_eval_corpus_text_documents_keep_their_heading_as_title():
    real = Path(__file__).resolve().parents[2] / "eval" / "real" / "dev" / "docs"
    path = sorted(real.glob("*.txt"))[0]
    heading = path.read_text("utf-8").splitlines()[0].removeprefix("# ").strip()
    assert parse_file(path).title == heading


def test_folders_are_walked_recursively_and_hidden_files_ignored(tmp_path: Path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "profond.md").write_text("# Profond\n\nTexte.", "utf-8")
    (tmp_path / "a" / ".cache.md").write_text("caché", "utf-8")
    (tmp_path / "haut.txt").write_text("Texte.", "utf-8")
    found = discover([tmp_path])
    assert sorted(p.name for p in found.files) == ["haut.txt", "profond.md"]
    assert found.skipped == []


def test_text_file_with_only_blank_lines_is_skipped(tmp_path: Path):
    path = tmp_path / "blanc.txt"
    path.write_text("\n\n   \n", "utf-8")
    from ingest.pipeline import try_parse

    result = try_parse(path)
    assert isinstance(result, Skipped)
    assert "aucun texte" in result.reason


ODT = "copil-sante-mentale-orne-2024.odt"
HTML = "actualite-campagne-grippe-2024.html"
# Text of the site around the article: menus, cookie banner, breadcrumb, related links, sharing, footer.
BOILERPLATE = ["cookies", "Tout accepter", "Votre santé", "Espace presse", "Fil d'Ariane", "Accueil",
               "À lire aussi", "Canicule", "Partager", "Mentions légales", "Plan du site", "Claude Monet",
               "lettre d'information", "Rechercher"]


def test_odt_headings_lists_tables_and_page_breaks(formats_corpus: Path):
    doc = parse_file(formats_corpus / ODT)
    assert doc.title == "Compte rendu du comité de pilotage santé mentale de l'Orne"
    kinds = [(b.kind, b.level, b.text, b.page) for b in doc.blocks]
    assert ("heading", 2, "Participants", 1) in kinds
    assert ("heading", 3, "Équipe mobile psychiatrie précarité", 1) in kinds
    assert ("item", 0, "la maison des adolescents de l'Orne ;", 1) in kinds
    assert ("heading", 2, "Financements 2024", 2) in kinds  # after the page break
    assert doc.page_count == 2
    chunk = next(c for c in chunk_document(doc) if "214 personnes" in c.text)
    assert (chunk.section, chunk.page) == ("Équipe mobile psychiatrie précarité", 1)


def test_broken_odt_is_skipped_with_its_reason(tmp_path: Path):
    path = tmp_path / "abime.odt"
    path.write_bytes(b"PK\x03\x04 pas un vrai document")
    from ingest.pipeline import try_parse

    result = try_parse(path)
    assert isinstance(result, Skipped) and "OpenDocument illisible" in result.reason


def test_web_page_keeps_the_article_with_its_title_and_date_and_drops_the_site_around_it(formats_corpus: Path):
    doc = parse_file(formats_corpus / HTML)
    assert doc.title == "Vaccination contre la grippe : la campagne 2024-2025 est lancée"
    assert doc.date == "2024-10-15"
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings[1:] == ["Qui peut se faire vacciner gratuitement ?", "Où se faire vacciner ?",
                            "Chiffres clés en Normandie"]
    chunks = chunk_document(doc)
    text = "\n".join(c.text for c in chunks)
    assert "1 250 pharmacies normandes" in text and "- les femmes enceintes ;" in text
    assert "- Personnes vaccinées — Hiver 2023-2024 : 612 000" in text
    for phrase in BOILERPLATE:
        assert phrase not in text, phrase
    assert all(c.date == "2024-10-15" and c.metadata()["date"] == "2024-10-15" for c in chunks)


def test_web_page_without_an_article_is_skipped(tmp_path: Path):
    path = tmp_path / "menu.htm"
    path.write_text("<html><body><nav><a href='/'>Accueil</a></nav></body></html>", "utf-8")
    from ingest.pipeline import try_parse

    result = try_parse(path)
    assert isinstance(result, Skipped) and "aucun texte d'article" in result.reason


def test_new_formats_are_discovered(tmp_path: Path):
    for name in ("a.odt", "b.html", "c.HTM"):
        (tmp_path / name).write_bytes(b"x")
    found = discover([tmp_path])
    assert sorted(p.name for p in found.files) == ["a.odt", "b.html", "c.HTM"]


def test_short_web_page_in_windows_1252_keeps_only_its_notice_and_guesses_no_date(tmp_path: Path):
    path = tmp_path / "avis.htm"
    path.write_bytes(
        "<html><head><meta charset='windows-1252'><title>Avis</title></head><body>"
        "<nav><ul><li>Accueil</li><li>Actualités</li></ul></nav>"
        "<main><h1>Fermeture estivale</h1><p>Le service sera fermé du 5 au 19 août 2024.</p></main>"
        "<footer>Mentions légales</footer></body></html>".encode("cp1252")
    )
    doc = parse_file(path)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Fermeture estivale"),
        ("paragraph", "Le service sera fermé du 5 au 19 août 2024."),
    ]
    assert doc.date == ""  # "2024" in the text is not a publication date
