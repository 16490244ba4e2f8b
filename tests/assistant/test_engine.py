"""The general answer engine: answer types, ordinary words versus specific ones, and answers on real agency
pages that no rule was written for (two pages of the real corpus's dev split, ingested for real)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.engine import answer_kind, surface_words
from assistant.factory import build_assistant
from assistant.ingesting import run_ingest
from assistant.service import Assistant
from assistant.settings import Settings
from lang.dates import years_of
from lang.dictionary import is_common_word

REPO = Path(__file__).resolve().parents[2]
REAL_DEV = REPO / "eval" / "real" / "dev" / "docs"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("numero pour signaler un moustique tigre", "contact"),
        ("c quoi le sas", "definition"),
        ("la campagne commence quand ?", "date"),
        ("montant de l'aap nutrition", "montant"),
        ("combien de communes colonisees", "nombre"),
        ("qui porte le cls de lisieux", "personne_organisme"),
        ("taux de couverture vaccinale hpv", "pourcentage"),
    ],
)
def test_the_answer_type_comes_from_the_words_that_ask(question: str, kind: str):
    assert answer_kind(question) == kind


def test_ordinary_french_is_told_from_names_and_acronyms():
    for word in ("bosse", "financement", "temps", "signee", "hopital"):
        assert is_common_word(word), word
    for word in ("lorient", "cls", "ehpad", "saint-claude"):
        assert not is_common_word(word), word


def test_names_are_matched_as_written_not_stemmed():
    words = surface_words("L’ARS de Saint-Martin")
    assert {"ars", "saint-martin", "martin"} <= words and "martinique" not in words


def test_the_years_a_text_names_spans_included():
    assert years_of("Le PRS 2023-2028 fixe les priorités") >= {2023, 2025, 2028}
    assert years_of("En 2022, 1 897 cas ont été notifiés, dont 31 en Bretagne.") == {2022}
    assert not years_of("12 000 euros pour 2 000 personnes, soit 2,2021 par tête")


@pytest.fixture(scope="module")
def real_pages(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("pages")
    for name in ("grand-est-lav-bilan-2020.txt", "normandie-cls-lisieux.txt"):
        shutil.copy(REAL_DEV / name, folder / name)
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), documents_dir=REPO / "data" / "documents")
    report = run_ingest(settings, [settings.documents_dir, folder])
    assert report.ingested == 4, str(report)
    return build_assistant(settings)


@pytest.mark.slow
def test_a_page_nobody_tuned_for_is_answered_with_its_fact(real_pages: Assistant):
    answer = real_pages.ask("combien de pieges pondoirs en grand est en 2020 ?")
    assert not answer.refused, answer.text
    assert "305" in answer.text
    assert answer.citations[0].source == "grand-est-lav-bilan-2020.txt"
    # short: the fact in at most two sentences of the document
    assert len([line for line in answer.text.split("\n") if line.strip()]) <= 2


@pytest.mark.slow
def test_a_question_about_another_place_is_refused_with_the_closest_document(real_pages: Assistant):
    answer = real_pages.ask("combien de pieges pondoirs dans le finistere en 2020 ?")
    assert answer.refused, answer.text
    assert any("moustique" in title.lower() or "LAV" in title for title in answer.related_documents), answer.text


@pytest.mark.slow
def test_a_question_about_another_year_is_refused(real_pages: Assistant):
    # the page counts the traps of 2020 (its title's year) and names 2019 elsewhere: 305 is not 2019's figure
    answer = real_pages.ask("combien de pieges pondoirs en grand est en 2019 ?")
    assert answer.refused, answer.text
