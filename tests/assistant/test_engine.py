"""The general answer engine: answer types, ordinary words versus specific ones, and answers on real agency
pages that no rule was written for (two pages of the real corpus's dev split, ingested for real)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.engine import answer_kind, surface_words
from assistant.factory import build_assistant
from assistant.ingesting import run_ingest
from assistant.lexicon import is_common_word
from assistant.service import Assistant
from assistant.settings import Settings

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
