"""Questions on a scanned PDF, tables, an .odt and a saved web page, answered by the real assistant and cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.factory import build_assistant, run_ingest
from assistant.models import Answer
from assistant.service import Assistant
from assistant.settings import Settings
from index.ingesting import IngestReport

SCAN = "arrete-centre-sante-vire-scan.pdf"
TABLES = "dotations-prevention-2023.pdf"
ODT = "copil-sante-mentale-orne-2024.odt"
HTML = "actualite-campagne-grippe-2024.html"


@pytest.fixture(scope="module")
def ingested(formats_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, IngestReport]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("ars-formats"))
    report = run_ingest(settings, [formats_corpus])
    assert report.ingested == 4, str(report)
    return settings, report


@pytest.fixture(scope="module")
def assistant(ingested: tuple[Settings, IngestReport]) -> Assistant:
    return build_assistant(ingested[0])


def cites(answer: Answer, source: str, page: int) -> bool:
    return any(c.source == source and c.page <= page <= (c.page_end or c.page) for c in answer.citations)


def test_ocr_is_counted_apart_in_the_ingest_summary(ingested: tuple[Settings, IngestReport]):
    report = ingested[1]
    assert report.ocr_pages == 2 and report.ocr_seconds > 0
    assert "Reconnaissance de caractères (OCR) : 2 pages numérisées lues" in str(report)


def test_a_scanned_page_is_answered_from_its_page_and_the_citation_says_ocr(assistant: Assistant):
    answer = assistant.ask("quelle aide au démarrage pour le centre de santé de Vire ?")
    assert not answer.refused
    assert "85 000 euros" in answer.text.splitlines()[0]
    assert cites(answer, SCAN, 2)
    lead = next(c for c in answer.citations if c.source == SCAN)
    assert lead.ocr
    assert "texte reconnu par OCR" in answer.with_sources()
    assert assistant.ask("quand ouvre le centre de santé de Vire Normandie ?").text.count("2 septembre 2024")


@pytest.mark.parametrize(
    ("question", "right", "wrong", "page"),
    [
        ("quelle dotation pour l'Eure en 2023 ?", "512 300 €", ["480 000", "645 800", "305 000"], 2),
        ("dotation 2022 de l'Orne", "298 700 €", ["305 000", "480 000", "610 000"], 2),
        ("couverture vaccinale contre la grippe dans la Manche en 2023", "58,9 %", ["56,2", "53,0", "55,7"], 3),
    ],
)
def test_a_table_figure_is_answered_for_its_row_and_column(
    assistant: Assistant, question: str, right: str, wrong: list[str], page: int
):
    answer = assistant.ask(question)
    lead = answer.text.splitlines()[0]
    assert right in lead, answer.text
    assert not any(figure in lead for figure in wrong), lead
    assert cites(answer, TABLES, page)
    assert not any(c.ocr for c in answer.citations)


def test_odt_minutes_are_answered_and_cited_with_their_page(assistant: Assistant):
    answer = assistant.ask("combien de personnes suivies par l'équipe mobile psychiatrie précarité en 2024 ?")
    assert "214 personnes" in answer.text and cites(answer, ODT, 1)
    answer = assistant.ask("combien pour la maison des adolescents ?")
    assert "95 000 €" in answer.text.splitlines()[0] and cites(answer, ODT, 2)


def test_web_page_article_is_answered_and_its_site_boilerplate_is_not(assistant: Assistant):
    answer = assistant.ask("combien de pharmacies ont participé à la campagne de vaccination en 2023 ?")
    assert "1 250 pharmacies" in answer.text and cites(answer, HTML, 1)
    assert all(c.title == "Vaccination contre la grippe : la campagne 2024-2025 est lancée"
               for c in answer.citations if c.source == HTML)
    cookies = assistant.ask("combien de temps sont conservés les cookies du site ?")  # only in the cookie banner
    assert cookies.refused
