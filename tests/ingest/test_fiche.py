"""The document fiche on the sample corpus and on small hand-made documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.fiche import (
    Definition,
    Fiche,
    definitions,
    document_date,
    document_kind,
    entities,
    key_figures,
    occurrences,
    outline,
)
from ingest.fiche.describe import describe, question_candidates
from ingest.models import Block, Document
from ingest.pipeline import parse_file
from lang.words import fold

DOCUMENTS = Path(__file__).resolve().parents[2] / "data" / "documents"


@pytest.fixture(scope="module")
def roadmap() -> Document:
    return parse_file(DOCUMENTS / "feuille-de-route-orne-bilan-2025.pdf")


@pytest.fixture(scope="module")
def press() -> Document:
    return parse_file(DOCUMENTS / "cp-charte-attractivite-2024-10-08.pdf")


def make_doc(blocks: list[Block], title: str = "Document de travail") -> Document:
    return Document("abc123", "doc.pdf", title, "/tmp/doc.pdf", max((b.page for b in blocks), default=1), tuple(blocks))


@dataclass(frozen=True, slots=True)
class WebDocument(Document):
    """A Document with the optional date a web-page reader may set."""

    date: str | None = None


# --- date ------------------------------------------------------------------------------------


def test_sample_dates_come_from_the_title_page_and_the_dateline(roadmap: Document, press: Document) -> None:
    assert document_date(roadmap) == "2025-01"  # "Bilan - janvier 2025": month only, no day written
    assert document_date(press) == "2024-10-08"  # "Caen, le 8 octobre 2024,"


def test_dateline_wins_over_dates_of_events() -> None:
    doc = make_doc([
        Block("heading", "Note d'information", 1),
        Block("paragraph", "Rouen, le 3 mars 2023", 1, 0),
        Block("paragraph", "La réunion du 12 mai 2024 a réuni les partenaires du territoire autour du projet.", 2, 0),
    ])
    assert document_date(doc) == "2023-03-03"


def test_dates_of_events_in_the_body_are_not_the_document_date() -> None:
    body = (
        "Le comité de pilotage s'est réuni le 12 mai 2024 à Caen pour faire le point sur les projets "
        "financés par l'agence dans les cinq départements de la région."
    )
    doc = make_doc([Block("heading", "Projets territoriaux", 1), Block("paragraph", body, 1, 0)])
    assert document_date(doc) is None


def test_document_without_any_date_gives_none() -> None:
    doc = make_doc([Block("heading", "Présentation", 1), Block("paragraph", "Le CRT aide les aidants.", 1, 0)])
    assert document_date(doc) is None


def test_update_marker_gives_the_date() -> None:
    doc = make_doc([Block("paragraph", "Mis à jour le 14/02/2025", 1, 0), Block("paragraph", "Texte.", 1, 0)])
    assert document_date(doc) == "2025-02-14"


def test_date_set_by_the_reader_is_preferred() -> None:
    doc = WebDocument(
        "abc", "page.html", "Page", "/tmp/page.html", 1,
        (Block("paragraph", "Caen, le 8 octobre 2024", 1, 0),), date="2024-11-05T09:30:00",
    )
    assert document_date(doc) == "2024-11-05"


# --- kind and outline ------------------------------------------------------------------------


def test_sample_kinds(roadmap: Document, press: Document) -> None:
    assert document_kind(roadmap) == "feuille de route"  # not "bilan", although "Bilan - janvier 2025" is there
    assert document_kind(press) == "communiqué de presse"  # not "charte", the subject of the release


def test_kind_of_other_documents() -> None:
    decree = make_doc([Block("heading", "ARRÊTÉ N° 2024-118 portant composition du CTS de l'Orne", 1)])
    plain = make_doc([Block("paragraph", "Quelques informations pratiques.", 1, 0)], title="Informations")
    assert document_kind(decree) == "arrêté"
    assert document_kind(plain) == "document"


def test_outline_has_the_sections_with_their_page(roadmap: Document) -> None:
    entries = outline(roadmap)
    pages = {e.heading: e.page for e in entries}
    assert pages["Création du CRT « Au cœur de la forêt »"] == 3
    assert pages["Maison des Femmes Santé de l’Orne"] == 4
    assert "Bilan - janvier 2025" not in pages  # the date line of the cover is no section
    assert [e.page for e in entries] == sorted(e.page for e in entries)


def test_outline_drops_labels_datelines_and_repeats(press: Document) -> None:
    headings = [e.heading for e in outline(press)]
    assert "COMMUNIQUÉ DE PRESSE" not in headings
    assert any(h.startswith("Une charte partenariale") for h in headings)
    repeated = make_doc([
        Block("heading", "Rapport d'activité", 1),
        Block("heading", "Caen, le 2 avril 2024", 1),
        Block("heading", "Les missions", 1, 2),
        Block("heading", "Rapport d'activité", 2),
    ])
    assert [(e.heading, e.page) for e in outline(repeated)] == [("Rapport d'activité", 1), ("Les missions", 1)]


# --- key figures -----------------------------------------------------------------------------


def test_key_figures_quote_their_sentence_and_page(roadmap: Document) -> None:
    figures = key_figures(roadmap)
    crack = next(f for f in figures if f.value == "220 000 euros")
    assert crack.page == 6 and crack.kind == "amount"
    assert "220 000 euros" in crack.sentence and "Drog’Aide 61" in crack.sentence
    for figure in figures:  # every sentence is a verbatim slice of a block of its page
        assert figure.value in figure.sentence
        assert any(figure.sentence in b.text for b in roadmap.blocks if b.page == figure.page)


def test_key_figures_cover_amounts_counts_percentages_and_dates(roadmap: Document, press: Document) -> None:
    figures = key_figures(roadmap)
    kinds = [f.kind for f in figures]
    assert kinds == sorted(kinds, key=["amount", "count", "percent", "date"].index)  # amounts first
    values = {f.value for f in figures}
    assert {"400 000€", "900 €", "258 000 euros"} <= values
    assert "1,9%" in values and "1er novembre 2023" in values
    assert "5 centres de ressources territoriaux" in values or "12 priorités d’action" in values
    assert len(values) == len(figures) <= 12
    assert not any(v.isdigit() for v in values)  # no year alone, no page number
    assert "10 projets" in {f.value for f in key_figures(press)}


def test_key_figures_ignore_links_years_and_page_numbers() -> None:
    doc = make_doc([
        Block("paragraph", "Voir https://www.normandie.ars.sante.fr/7-feuilles-de-route page 12 du rapport.", 1, 0),
        Block("paragraph", "En 2024, le programme a reçu 35 000 € pour 4 ateliers.", 1, 0),
    ])
    values = [f.value for f in key_figures(doc)]
    assert values == ["35 000 €", "4 ateliers"]


# --- definitions and occurrences -------------------------------------------------------------


def test_definitions_of_the_samples(roadmap: Document, press: Document) -> None:
    found = {d.term: d for d in definitions(roadmap) + definitions(press)}
    # The CTS is spelled out on the second PDF page (the first one is the cover).
    assert (found["CTS"].expansion, found["CTS"].page) == ("Conseil territorial de santé", 2)
    assert found["MILDECA"].page == 6
    assert found["MILDECA"].expansion == (
        "mission interministérielle de lutte contre les drogues et les conduites addictives"
    )
    assert found["CAARUD"].page == 7
    assert found["CAARUD"].expansion == (
        "centre d’accueil et d’accompagnement à la réduction des risques pour les usagers de la drogue"
    )
    assert found["CSAPA"].expansion == "centre de soins, d’accompagnement et de prévention en addictologie"
    assert found["PTSM"].page in (5, 12) and found["PTSM"].expansion.startswith("Projet")
    assert found["PRS"].expansion == "Projet régional de santé"  # "2023-2028" is not part of the name
    for definition in found.values():
        assert definition.term in definition.sentence and definition.expansion in definition.sentence


def test_definition_patterns_of_agency_documents() -> None:
    doc = make_doc([
        Block("paragraph", "Une journée organisée par le PTSM (Projet territorial de santé mentale) de l’Orne.", 1, 0),
        Block("item", "CAARUD : centre d'accueil et d'accompagnement à la réduction des risques pour usagers "
              "de drogues", 1, 0),
        Block("paragraph", "Les crédits de la MILDECA (Mission interministérielle de lutte contre les drogues et "
              "les conduites addictives) sont reconduits.", 2, 0),
        Block("paragraph", "Une 2nde édition des 7 Projets territoriaux de santé mentale de Normandie (ETSM).", 2, 0),
    ])
    found = {d.term: (d.expansion, d.page) for d in definitions(doc)}
    assert found["PTSM"] == ("Projet territorial de santé mentale", 1)
    assert found["CAARUD"][0].startswith("centre d'accueil et d'accompagnement")
    assert found["MILDECA"] == (
        "Mission interministérielle de lutte contre les drogues et les conduites addictives", 2
    )
    assert "ETSM" not in found  # "Projets territoriaux…" does not spell ETSM


def test_plural_expansion_after_a_number() -> None:
    text = "Lancement des 7 Projets territoriaux de santé mentale de Normandie (PTSM)."
    doc = make_doc([Block("paragraph", text, 1, 0)])
    assert [(d.term, d.expansion) for d in definitions(doc)] == [("PTSM", "Projets territoriaux de santé mentale")]


def test_acronym_whose_initials_do_not_match_is_no_definition() -> None:
    doc = make_doc([
        Block("paragraph", "Le comité de pilotage régional (XYZ) s'est réuni à Caen.", 1, 0),
        Block("paragraph", "Les acteurs du territoire (Drog’Aide 61, CSAPA) se coordonnent.", 1, 0),
        Block("paragraph", "Le groupe de travail (ARS) rendra ses conclusions.", 1, 0),
    ])
    assert definitions(doc) == []


def test_occurrences_find_the_term_or_its_expansion(roadmap: Document) -> None:
    pages = occurrences(roadmap, ["CRT", "PTSM"])
    assert 3 in pages["CRT"]
    assert {5, 12} <= set(pages["PTSM"])
    doc = make_doc([
        Block("paragraph", "Chaque Conseil territorial de santé (CTS) est consulté.", 1, 0),
        Block("paragraph", "Le conseil territorial de santé se réunit deux fois par an.", 2, 0),
        Block("paragraph", "Les actes (cts) ne sont pas des sigles.", 3, 0),
    ])
    assert occurrences(doc, ["CTS"]) == {"CTS": [1, 2]}  # the acronym is matched case-sensitively
    assert occurrences(doc, [Definition("CTS", "Conseil territorial de santé", "", 1)]) == {"CTS": [1, 2]}


# --- entities --------------------------------------------------------------------------------


def test_entities_name_bodies_and_programmes(roadmap: Document, press: Document) -> None:
    named = entities(roadmap)
    assert 5 <= len(named) <= 15 and len({fold(n) for n in named}) == len(named)
    assert named[0] == "ARS Normandie"  # the most frequent name comes first
    for expected in ("Drog’Aide 61", "Addictions France", "Réflexe Santé", "Conseil National de la Refondation"):
        assert expected in named
    assert any("Maison des Femmes" in n for n in named)
    assert not any(n.split()[0] in {"Le", "La", "Les", "Dans", "Création"} for n in named)
    assert not any("BOUCHET" in n or "SUDRE" in n for n in named)  # people are not bodies
    assert {"ARS Normandie", "France Travail", "Assurance Maladie"} <= set(entities(press))


# --- questions and the fiche -----------------------------------------------------------------


def test_question_candidates_of_the_roadmap(roadmap: Document) -> None:
    questions = describe(roadmap).questions
    assert 6 <= len(questions) <= 10
    assert len({fold(q) for q in questions}) == len(questions)
    assert all(q.endswith(" ?") for q in questions)
    assert any(q.startswith("combien") and "crack" in q for q in questions)
    defined = {d.term for d in definitions(roadmap)}
    assert any(q.startswith("c'est quoi") and q.split()[-2] in defined for q in questions)


def test_question_candidates_of_the_press_release(press: Document) -> None:
    questions = describe(press).questions
    assert 6 <= len(questions) <= 10
    assert any("six objectifs" in q for q in questions)
    assert any(q.startswith("quand") for q in questions)


def test_fiche_bundles_everything_and_survives_json(roadmap: Document) -> None:
    fiche = describe(roadmap)
    assert (fiche.title, fiche.pages, fiche.kind, fiche.date) == (roadmap.title, 13, "feuille de route", "2025-01")
    assert fiche.outline and fiche.key_figures and fiche.entities and fiche.definitions
    data = fiche.to_json()
    text = json.dumps(data, ensure_ascii=False)
    assert Fiche.from_json(json.loads(text)) == fiche
    assert Fiche.from_json(text) == fiche
    assert all(isinstance(v, (str, int, list)) or v is None for v in data.values())
    assert list(question_candidates(Fiche.from_json(text))) == list(fiche.questions)


def test_empty_document_gives_an_empty_fiche() -> None:
    fiche = describe(make_doc([], title="Vide"))
    assert (fiche.date, fiche.kind, fiche.outline, fiche.key_figures, fiche.questions) == (None, "document", (), (), ())
