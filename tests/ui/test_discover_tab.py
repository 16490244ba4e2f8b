"""The Découvrir tab without a browser: the glossary filter, the fiches' page links, the chat's examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import gradio as gr

from assistant.catalog import GlossaryEntry
from assistant.feedback import FeedbackStore
from assistant.library import LibraryDocument
from assistant.settings import Settings
from ingest.fiche import Fiche, KeyFigure, OutlineEntry
from ui.discover import (
    EXAMPLE_SLOTS,
    EXAMPLES,
    DiscoverHandlers,
    FicheView,
    fiche_html,
    fiches_html,
    filter_glossary,
    glossary_html,
    short_title,
)
from ui.render import viewer_url
from ui.services import Services

ORNE = "feuille-de-route-orne-bilan-2025.pdf"
ORNE_TITLE = "Feuille de route départementale de l’Orne – Bilan janvier 2025"
CTS = GlossaryEntry(
    term="CTS", expansion="Conseil territorial de santé", origin="document", source=ORNE, page=2,
    definition="Cette déclinaison prend la forme d’une feuille de route, co-construite avec chaque Conseil "
    "territorial de santé (CTS).",
    occurrences=((ORNE, 2), (ORNE, 2), (ORNE, 9)),
    general="Instance de démocratie sanitaire d'un territoire, qui réunit élus, professionnels et usagers.",
)
MILDECA = GlossaryEntry(
    term="MILDECA", expansion="mission interministérielle de lutte contre les drogues et les conduites addictives",
    definition="Des subventions attribuées par la MILDECA.", origin="document", source=ORNE, page=6,
    occurrences=((ORNE, 6),),
)
CAARUD = GlossaryEntry(
    term="CAARUD", expansion="centre d’accueil et d’accompagnement à la réduction des risques",
    definition="L’accueil au CAARUD est renforcé.", origin="document", source=ORNE, page=7,
)
FIR = GlossaryEntry(
    term="FIR", expansion="Fonds d'intervention régional", origin="base",
    definition="Enveloppe <b>budgétaire</b> dont l'ARS dispose.",
)
ENTRIES = [CAARUD, CTS, FIR, MILDECA]
CAARUD_ELSEWHERE = GlossaryEntry(  # an acronym of no base glossary
    term="ZZARUD", expansion="zone d’accueil", definition="L’accueil au ZZARUD est renforcé.", origin="document",
    source=ORNE, page=7,
)

ROADMAP = Fiche(
    doc_id="a3463507ca0de64c", source=ORNE, title=ORNE_TITLE, kind="feuille de route", date="2025-01", pages=13,
    outline=(
        OutlineEntry("Feuille de route départementale de l’Orne", 1, 1),
        OutlineEntry("Chantier : Garantir l’accès aux soins", 4, 3),
        OutlineEntry("Maison des Femmes Santé de l’Orne", 4, 3),
    ),
    key_figures=(
        KeyFigure("220 000 euros", "Le financement de deux projets : 220 000 euros sur 3 ans pour Drog’Aide 61.", 6,
                  "amount"),
    ),
    entities=("ARS Normandie", "Drog’Aide 61"),
)
OLD_ROADMAP = Fiche(doc_id="0ld0ld0ld0ld0ld0", source="fdr-orne-2024.pdf", title="Feuille de route de l’Orne – 2024",
                    kind="feuille de route", date="2024-01", pages=10)


def test_the_glossary_filter_takes_an_acronym_or_words_of_the_expansion_whatever_the_accents_and_case():
    assert filter_glossary(ENTRIES, "mildeca") == [MILDECA]
    assert filter_glossary(ENTRIES, "  Territorial  ") == [CTS]
    assert filter_glossary(ENTRIES, "REGIONAL") == [FIR]  # "régional" in the expansion
    assert filter_glossary(ENTRIES, "drogues lutte") == [MILDECA]  # every word, in any order
    assert filter_glossary(ENTRIES, "d'accueil") == [CAARUD]  # a straight apostrophe finds the typographic one
    assert filter_glossary(ENTRIES, "c") == [CAARUD, CTS, MILDECA]  # a part of a word is enough
    assert filter_glossary(ENTRIES, "") == ENTRIES and filter_glossary(ENTRIES, None) == ENTRIES
    assert filter_glossary(ENTRIES, "calvados") == []


def test_a_document_entry_links_where_it_is_spelled_out_and_the_pages_that_use_it():
    shown = glossary_html(ENTRIES, "cts", {ORNE: ORNE_TITLE})
    assert shown.count("<tr data-sigle=") == 1 and "1 sigle sur 4" in shown
    assert '<th scope="row" data-label="Sigle" class="sigle">CTS</th>' in shown
    spelled_out = viewer_url(ORNE, 2, CTS.definition).replace("&", "&amp;")
    assert spelled_out.startswith(f"/visionneuse/{ORNE}?page=2&amp;passage=Cette%20d%C3%A9clinaison")
    assert f'Développé dans : <a href="{spelled_out}"' in shown
    link = f'href="{viewer_url(ORNE, 2, "CTS").replace("&", "&amp;")}"'  # pages using it: the acronym highlighted
    assert f"{short_title(ORNE_TITLE)}, p. 2</a>" in shown and short_title(ORNE_TITLE).endswith("…")
    # "employé dans": each page once, linked
    assert shown.count(f'{link} target="_blank" rel="noopener" title="{ORNE_TITLE}, page 2">p. 2</a>') == 1
    assert f'href="/visionneuse/{ORNE}?page=9&amp;passage=CTS"' in shown


def test_a_sentence_that_only_spells_the_acronym_out_is_not_shown_as_its_definition():
    shown = glossary_html(ENTRIES, "cts", {ORNE: ORNE_TITLE})
    assert "co-construite avec chaque Conseil territorial" not in shown  # where « CTS » is written, not what it is
    assert "Défini nulle part dans les documents." in shown and "Défini dans :" not in shown
    # the base glossary's general definition, said to be general
    assert "Instance de démocratie sanitaire" in shown and "Définition générale, non tirée des documents" in shown
    alone = glossary_html([CAARUD_ELSEWHERE], "", {ORNE: ORNE_TITLE})  # no general definition either
    assert "Défini nulle part dans les documents." in alone and "générale" not in alone
    assert "L’accueil au ZZARUD est renforcé." not in alone and "Développé dans :" in alone


def test_a_sentence_that_says_what_the_acronym_is_is_its_definition_with_its_page():
    defining = GlossaryEntry(
        term="CTS", expansion="Conseil territorial de santé", origin="document", source=ORNE, page=3,
        definition="Le Conseil territorial de santé (CTS) est une instance de concertation du territoire.",
    )
    shown = glossary_html([defining], "cts", {ORNE: ORNE_TITLE})
    assert '<p class="phrase">Le Conseil territorial de santé (CTS) est une instance de concertation' in shown
    assert f'Défini dans : <a href="{viewer_url(ORNE, 3, defining.definition).replace("&", "&amp;")}"' in shown
    assert "Défini nulle part" not in shown and "générale" not in shown


def test_a_base_entry_says_its_definition_is_not_from_the_documents_and_is_escaped():
    shown = glossary_html(ENTRIES, "FIR")
    assert "Définition générale, non tirée des documents" in shown
    assert "Pas dans les documents indexés" in shown and "/visionneuse/" not in shown
    assert "<b>" not in shown and "&lt;b&gt;budgétaire&lt;/b&gt;" in shown


def test_no_glossary_entry_matching_says_so():
    shown = glossary_html(ENTRIES, "<calvados>")
    assert "Aucun sigle ne correspond à « &lt;calvados&gt; »" in shown and "<table" not in shown


def test_a_fiche_links_its_outline_and_key_figures_to_their_pages():
    view = FicheView(ROADMAP, chunks=40, questions=("combien pour le plan crack ?", "c'est quoi le « CTS » ?"))
    shown = fiche_html(view)
    assert f'<h3 id="fiche-{ROADMAP.doc_id}-titre">{ORNE_TITLE}</h3>' in shown
    assert '<span class="nature">feuille de route</span> · <time datetime="2025-01">janvier 2025</time>' in shown
    assert "13 pages · 40 passages" in shown
    heading = viewer_url(ORNE, 4, "Maison des Femmes Santé de l’Orne").replace("&", "&amp;")
    assert (f'<a href="{heading}" target="_blank" rel="noopener" title="{ORNE_TITLE}, page 4">'
            "Maison des Femmes Santé de l’Orne</a>") in shown
    assert '<li class="niveau-1"><a' in shown and '<li class="niveau-0"><a' in shown
    assert "220\u00a0000 euros</th>" in shown and "<mark>220 000 euros</mark> sur 3 ans" in shown
    assert f'href="{viewer_url(ORNE, 6, ROADMAP.key_figures[0].sentence).replace("&", "&amp;")}"' in shown
    assert "<li>Drog’Aide 61</li>" in shown
    assert ('<button type="button" class="question" data-question="c&#x27;est quoi le « CTS » ?">'
            "c'est quoi le « CTS » ?</button>") in shown
    assert "Remplacé par" not in shown


def test_a_superseded_fiche_names_its_newer_version_and_comes_after_the_current_ones():
    old = FicheView(OLD_ROADMAP, chunks=30, superseded_by=ROADMAP)
    shown = fiches_html([old, FicheView(ROADMAP, chunks=40)])
    assert shown.index(ORNE_TITLE) < shown.index(OLD_ROADMAP.title)
    assert f'Remplacé par <a href="#fiche-{ROADMAP.doc_id}">{ORNE_TITLE}</a> (janvier 2025)' in shown
    assert "Aucune question suggérée pour ce document." in shown
    assert fiches_html([]).startswith('<p class="vide">Aucun document indexé')


class FakeDiscovery:
    """Stands in for assistant.discover.Discovery over one document."""

    def __init__(self, examples: list[str]) -> None:
        self._examples = examples
        self.catalog = self

    def examples(self, limit: int = 6) -> list[str]:
        return self._examples[:limit]

    def glossary(self, term: str | None = None) -> list[GlossaryEntry]:
        return ENTRIES

    def fiches(self) -> list[Fiche]:
        return [ROADMAP]

    def suggested_questions(self, fiche: Fiche) -> tuple[str, ...]:
        return tuple(self._examples)

    def superseded_by(self, fiche: Fiche) -> Fiche | None:
        return None


class Shelf:
    def documents(self) -> list[LibraryDocument]:
        return [LibraryDocument(ORNE, ORNE_TITLE, 13, 40, "2025-07-01T08:00:00+00:00", False)]


def handlers(tmp_path: Path, discovery: FakeDiscovery | None) -> DiscoverHandlers:
    return DiscoverHandlers(Services(
        assistant=cast(Any, None), library=cast(Any, Shelf()), feedback=FeedbackStore(tmp_path / "f.jsonl"),
        settings=Settings(data_dir=tmp_path), discovery=cast(Any, discovery),
    ))


def test_the_chat_examples_are_the_suggested_questions_and_the_fixed_list_only_for_an_empty_corpus(tmp_path: Path):
    suggested = ["combien pour le plan crack ?", "c'est quoi le CTS ?"]
    h = handlers(tmp_path, FakeDiscovery(suggested))
    assert h.examples() == suggested
    buttons = h.example_buttons()
    assert len(buttons) == EXAMPLE_SLOTS
    assert [b.get("value") for b in buttons if b["visible"]] == suggested
    assert handlers(tmp_path, FakeDiscovery([])).examples() == list(EXAMPLES)
    assert handlers(tmp_path, None).examples() == list(EXAMPLES)


def test_the_discover_tab_shows_the_glossary_the_fiches_and_the_number_of_passages(tmp_path: Path):
    glossary, fiches, *buttons = handlers(tmp_path, FakeDiscovery(["combien pour le plan crack ?"])).discover("cts")
    assert glossary.count("<tr data-sigle=") == 1 and "40 passages" in fiches
    assert 'data-question="combien pour le plan crack ?"' in fiches and len(buttons) == EXAMPLE_SLOTS


def test_a_clicked_suggested_question_opens_the_chat_tab(tmp_path: Path):
    h = handlers(tmp_path, FakeDiscovery([]))
    tabs, question = h.open_question(gr.EventData(None, {"question": " combien pour le plan crack ? "}))
    assert question == "combien pour le plan crack ?" and tabs.selected == "discussion"
    assert h.open_question(gr.EventData(None, None)) == ({"__type__": "update"}, "")
