"""The way in for new agents: the glossary drawn from the documents, the fiches, the suggested questions
and the versions of a document, over the real sample corpus and real PDFs made here."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, cast

import pytest
from fpdf import FPDF

from assistant.catalog import Catalog, GlossaryEntry, series_key
from assistant.discover import Discovery
from assistant.factory import build_assistant, run_ingest
from assistant.models import Answer, Citation
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.fiche import Fiche

ROADMAP = "feuille-de-route-orne-bilan-2025.pdf"
PRESS = "cp-charte-attractivite-2024-10-08.pdf"
FONTS = Path("/usr/share/fonts/truetype/dejavu")


@pytest.fixture(scope="module")
def discovery(assistant: Assistant) -> Discovery:
    return Discovery(assistant)


def entry(catalog: Catalog, term: str):
    (found,) = catalog.glossary(term)
    return found


@pytest.mark.parametrize(
    ("term", "source", "page", "words"),
    [
        ("CTS", ROADMAP, 2, "conseil territorial de santé"),
        ("MILDECA", ROADMAP, 6, "mission interministérielle de lutte contre les drogues"),
        ("CAARUD", ROADMAP, 7, "centre d’accueil et d’accompagnement"),
        ("PTSM", ROADMAP, 5, "projet territorial de santé mentale"),
        ("PRS", PRESS, 1, "projet régional de santé"),
    ],
)
def test_glossary_entries_come_from_the_documents_with_their_page(
    assistant: Assistant, term: str, source: str, page: int, words: str
):
    found = entry(assistant.catalog, term)
    assert (found.origin, found.source, found.page) == ("document", source, page)
    assert words in found.expansion.lower()
    assert term in found.definition and found.expansion in found.definition  # the defining sentence, verbatim
    assert (source, page) in found.occurrences


def test_a_term_only_in_the_base_glossary_says_so(assistant: Assistant):
    found = entry(assistant.catalog, "FIR")
    assert found.origin == "base" and found.page is None
    assert found.to_json()["note"] == "définition générale, non tirée des documents"


def test_the_glossary_lists_no_term_that_nothing_defines(assistant: Assistant):
    # « IDF : Région Île-de-France. » defines nothing; the sample corpus does not define it either
    listed = {e.term for e in assistant.catalog.glossary()}
    assert {"IDF", "ARA", "HDF", "PACA"}.isdisjoint(listed) and {"CTS", "PRS", "FIR", "IDE"} <= listed
    assert entry(assistant.catalog, "IDF").expansion == "Île-de-France"  # asked for by name, still found
    assert any(t.term == "IDF" for t in assistant.glossary.terms)  # and still expanded in questions


def test_a_general_definition_that_only_restates_the_expansion_defines_nothing():
    def base(expansion: str, definition: str) -> GlossaryEntry:
        return GlossaryEntry("X", expansion, definition, "base")

    assert not base("Hauts-de-France", "Région Hauts-de-France.").defined
    assert not base("comité de pilotage", "Comité de pilotage.").defined
    assert base("infirmier diplômé d'État", "Infirmier titulaire du diplôme d'État.").defined
    assert GlossaryEntry("X", "Hauts-de-France", "Région Hauts-de-France.", "document").defined


def test_the_glossary_drives_query_expansion(assistant: Assistant):
    # one source of truth: the expansion written in the document is the one the questions are read with
    expansions = {t.expansion for t in assistant.glossary.terms if t.term == "MILDECA"}
    assert "mission interministérielle de lutte contre les drogues et les conduites addictives" in expansions


def test_cest_quoi_la_mildeca_is_answered_from_its_definition_with_a_citation(assistant: Assistant):
    answer = assistant.ask("c'est quoi la MILDECA ?")
    assert not answer.refused
    assert answer.text.startswith("MILDECA : mission interministérielle de lutte contre les drogues")
    first = answer.citations[0]
    assert (first.source, first.page) == (ROADMAP, 6) and "(MILDECA)" in first.excerpt


def test_fiches_of_the_sample_documents(discovery: Discovery):
    fiches = {f["source"]: f for f in discovery.documents_json()}
    roadmap, press = fiches[ROADMAP], fiches[PRESS]
    assert (roadmap["date"], press["date"]) == ("2025-01", "2024-10-08")
    assert (roadmap["kind"], press["kind"]) == ("feuille de route", "communiqué de presse")
    assert (roadmap["pages"], roadmap["chunks"]) == (13, 40)
    crack = next(k for k in roadmap["key_figures"] if k["value"] == "220 000 euros")
    assert crack["page"] == 6 and "Drog’Aide 61" in crack["sentence"]
    assert {"heading": "Maison des Femmes Santé de l’Orne", "page": 4} in roadmap["outline"]
    assert roadmap["superseded_by"] is None and press["superseded_by"] is None


def test_every_suggested_question_is_answered_citing_its_document(assistant: Assistant, discovery: Discovery):
    for fiche in discovery.fiches():
        questions = discovery.suggested_questions(fiche)
        assert len(questions) >= 3, fiche.source
        for question in questions:
            answer = assistant.ask(question)
            assert not answer.refused, question
            assert fiche.source in {c.source for c in answer.citations}, question
    assert "combien pour le plan crack ?" in discovery.examples(limit=12)


class SlowAssistant:
    """Answers every question from note.pdf, slowly, and counts the questions asked."""

    catalog = object()

    def __init__(self) -> None:
        self.asked: list[str] = []

    def ask(self, question: str) -> Answer:
        self.asked.append(question)
        time.sleep(0.05)
        citation = Citation(n=1, source="note.pdf", title="Note", page=1, section="", excerpt="x", score=1.0)
        return Answer(question=question, text="x [1]", citations=(citation,))


def test_two_sessions_opening_discover_at_once_check_each_question_once():
    assistant = SlowAssistant()
    discovery = Discovery(cast(Any, assistant))
    fiche = Fiche(doc_id="d1", source="note.pdf", title="Note", kind="note", date=None, pages=1,
                  questions=("combien ?", "quand ?"))
    results: list[tuple[str, ...]] = []
    threads = [threading.Thread(target=lambda: results.append(discovery.suggested_questions(fiche)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [("combien ?", "quand ?")] * 3
    assert assistant.asked == ["combien ?", "quand ?"]


def test_glossary_and_documents_commands_print_json(ars, corpus_settings: Settings):
    glossary = json.loads(ars("glossary", "--json", data_dir=corpus_settings.data_dir).stdout)
    cts = next(e for e in glossary if e["term"] == "CTS")
    assert {k: cts[k] for k in ("origin", "source", "page")} == {"origin": "document", "source": ROADMAP, "page": 2}
    # the roadmap only spells CTS out: defined nowhere in the documents, the general definition given instead
    assert cts["defines"] is False and cts["general_definition"].startswith("Instance de démocratie sanitaire")
    text = ars("glossary", "CTS", data_dir=corpus_settings.data_dir).stdout
    assert "défini nulle part dans les documents" in text and "chaque Conseil territorial" not in text
    assert all(set(e) >= {"term", "expansion", "definition", "origin", "source", "page", "occurrences"}
               for e in glossary)
    documents = json.loads(ars("documents", "--json", data_dir=corpus_settings.data_dir).stdout)
    assert {d["source"] for d in documents} == {ROADMAP, PRESS}
    assert all(set(d) >= {"source", "title", "kind", "date", "pages", "chunks", "outline", "key_figures",
                          "suggested_questions", "superseded_by"} for d in documents)


# --- two versions of one roadmap


def roadmap_pdf(path: Path, month_year: str, amount: str, extra: str) -> Path:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Feuille de route départementale du Calvados – Bilan {month_year}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 9, "Feuille de route départementale du Calvados", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, f"Bilan - {month_year}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 8, "Télésurveillance des patients diabétiques", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, f"L’ARS Normandie consacre {amount} à la télésurveillance des patients diabétiques "
                         f"du Calvados. {extra}", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("versions")
    roadmap_pdf(folder / "fdr-calvados-2024.pdf", "janvier 2024", "120 000 euros",
                "Le comité de suivi se réunit à Lisieux chaque trimestre.")
    roadmap_pdf(folder / "fdr-calvados-2025.pdf", "janvier 2025", "175 000 euros",
                "Le dispositif couvre désormais tout le département.")
    settings = Settings(data_dir=tmp_path_factory.mktemp("versions-data"), documents_dir=folder)
    assert run_ingest(settings, [folder]).ingested == 2
    return build_assistant(settings)


def test_titles_that_differ_by_their_date_are_versions_of_one_document():
    assert series_key("Feuille de route de l’Orne – Bilan janvier 2025") == series_key(
        "Feuille de route de l’Orne – Bilan janvier 2024"
    )
    assert series_key("Feuille de route de l’Orne – Bilan 2025") != series_key("Feuille de route du Calvados 2025")


def test_the_newest_version_answers_and_the_older_is_marked_superseded(versions: Assistant):
    answer = versions.ask("combien pour la télésurveillance des patients diabétiques ?")
    assert "175 000 euros" in answer.text and "120 000" not in answer.text.split("\n")[0]
    assert answer.citations[0].source == "fdr-calvados-2025.pdf"
    assert answer.citations[0].date == "2025-01"
    documents = {d["source"]: d for d in Discovery(versions).documents_json()}
    assert documents["fdr-calvados-2024.pdf"]["superseded_by"] == "fdr-calvados-2025.pdf"
    assert documents["fdr-calvados-2025.pdf"]["superseded_by"] is None


def test_an_answer_only_in_the_older_version_says_it_was_replaced(versions: Assistant):
    answer = versions.ask("où se réunit le comité de suivi ?")
    assert not answer.refused
    assert answer.text.startswith("Selon « Feuille de route départementale du Calvados – Bilan janvier 2024 » "
                                  "(janvier 2024), remplacé par")
    assert "(janvier 2025)" in answer.text.split("\n")[0]
    assert "Lisieux" in answer.text
