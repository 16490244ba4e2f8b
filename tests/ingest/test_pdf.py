"""PDF reading: pages, headings, cleaning, as a reader of the chunks would see them."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import parse_file
from ingest.split import chunk_document

CRACK = (
    "Afin de compléter cette offre d’accompagnement, l’ARS Normandie a déclenché en 2022 le financement "
    "de deux projets majeurs : 220 000 euros sur 3 ans pour un projet porté par l’association Drog’Aide 61 "
    "et spécifiquement dédié à la prise en compte du crack."
)


def roadmap(make_pdf) -> Path:
    return make_pdf(
        "feuille.pdf",
        [
            [("h1", "Feuille de route de test"), ("p", "Bilan - janvier 2025")],
            [
                ("h1", "Mettre en œuvre le plan crack"),
                ("p", CRACK),
                ("p", "Au total, près de 44 000 € ont été dédiés."),
            ],
            [
                ("h1", "Améliorer la santé mentale"),
                ("h2", "Chantier : Prévenir la crise suicidaire"),
                ("raw", "Une organi-\nsation du travail médico-\nsocial avec une sage-\nfemme de Seine-\nMaritime."),
                ("p", "Cette feuille de route s’articule autour de six axes :"),
                ("li", "informer, orienter, valoriser les métiers auprès du public jeune ;"),
                ("li", "adapter l’appareil de formation aux besoins."),
            ],
        ],
        title="Feuille de route de test – Bilan 2025",
        footer="Feuille de route de test Bilan - janvier 2025",
    )


def test_pages_are_numbered_from_one_as_in_a_viewer(make_pdf):
    doc = parse_file(roadmap(make_pdf))
    assert doc.page_count == 3
    pages = {b.page for b in doc.blocks}
    assert pages == {1, 2, 3}
    crack = next(b for b in doc.blocks if "Drog’Aide 61" in b.text)
    assert crack.page == 2


def test_running_header_footer_and_page_numbers_are_removed_but_body_kept(make_pdf):
    doc = parse_file(roadmap(make_pdf))
    everything = "\n".join(b.text for b in doc.blocks)
    assert "Agence régionale de santé Normandie" not in everything
    assert "— page" not in everything
    # The footer's words that are also content are still there where the content has them.
    assert "Bilan - janvier 2025" in everything


def test_hyphenated_line_ends_are_rejoined_and_compounds_kept(make_pdf):
    doc = parse_file(roadmap(make_pdf))
    text = next(b.text for b in doc.blocks if "organisation" in b.text)
    assert "organisation du travail médico-social avec une sage-femme de Seine-Maritime." in text
    assert "organi-" not in text


def test_broken_lines_join_into_one_paragraph(make_pdf):
    doc = parse_file(roadmap(make_pdf))
    # The crack paragraph wraps over several lines in the PDF; it must come back as one block.
    block = next(b for b in doc.blocks if b.text.startswith("Afin de compléter"))
    assert block.text == CRACK
    assert block.kind == "paragraph"


def test_headings_and_list_items_are_recognised(make_pdf):
    doc = parse_file(roadmap(make_pdf))
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "Mettre en œuvre le plan crack" in headings
    assert "Chantier : Prévenir la crise suicidaire" in headings
    items = [b.text for b in doc.blocks if b.kind == "item"]
    assert items == [
        "informer, orienter, valoriser les métiers auprès du public jeune ;",
        "adapter l’appareil de formation aux besoins.",
    ]


def test_chunks_carry_title_source_page_and_nearest_heading(make_pdf):
    doc = parse_file(roadmap(make_pdf))
    chunks = chunk_document(doc)
    crack = next(c for c in chunks if "220 000 euros" in c.text)
    assert crack.title == "Feuille de route de test – Bilan 2025"
    assert crack.source == "feuille.pdf"
    assert (crack.page, crack.section) == (2, "Mettre en œuvre le plan crack")
    axes = next(c for c in chunks if "six axes" in c.text)
    assert axes.section == "Chantier : Prévenir la crise suicidaire"
    assert "- adapter l’appareil de formation aux besoins." in axes.text  # list kept with its introduction


def test_unicode_survives_extraction(make_pdf):
    doc = parse_file(roadmap(make_pdf))
    text = "\n".join(b.text for b in doc.blocks)
    for expected in ("œ", "€", "é", "’", "44 000 €"):
        assert expected in text


def test_title_falls_back_to_first_big_heading(make_pdf):
    path = make_pdf("sans-titre.pdf", [[("h1", "Rapport d’activité 2024"), ("p", "Un paragraphe.")]])
    assert parse_file(path).title == "Rapport d’activité 2024"


def test_same_file_gives_same_ids_and_changed_file_new_ones(make_pdf, tmp_path):
    first = chunk_document(parse_file(roadmap(make_pdf)))
    copy = tmp_path / "copie.pdf"
    copy.write_bytes((tmp_path / "feuille.pdf").read_bytes())
    again = chunk_document(parse_file(tmp_path / "feuille.pdf"))
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    changed = make_pdf("feuille.pdf", [[("h1", "Autre version"), ("p", CRACK)]])
    assert chunk_document(parse_file(changed))[0].doc_id != first[0].doc_id
