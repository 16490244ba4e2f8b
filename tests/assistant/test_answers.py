"""Answers to the questions staff ask, over the real sample corpus: facts first, cited, or refused."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.models import REFUSAL
from assistant.service import Assistant

DOCS = Path(__file__).resolve().parents[2] / "data" / "documents"
ROADMAP = "feuille-de-route-orne-bilan-2025.pdf"
PRESS = "cp-charte-attractivite-2024-10-08.pdf"


@cache
def page_of(source: str, needle: str) -> int:
    """The PDF page holding a passage, read with pypdf: tests never hard-code page numbers."""
    for number, page in enumerate(PdfReader(DOCS / source).pages, start=1):
        if needle in " ".join(page.extract_text().split()):
            return number
    raise AssertionError(f"{needle!r} not in {source}")


def flat(text: str) -> str:
    return " ".join(text.split()).replace("\u202f", " ").replace("\u00a0", " ")


def cited(answer, source: str, needle: str) -> bool:
    page = page_of(source, needle)
    return any(c.source == source and c.page <= page <= (c.page_end or c.page) for c in answer.citations)


def test_crack_question_leads_with_220_000_and_gives_related_figures(assistant: Assistant):
    answer = assistant.ask("combien pour le plan crack ?")
    assert not answer.refused
    first_line = answer.text.splitlines()[0]
    assert "220 000 euros sur 3 ans" in first_line and "Drog’Aide 61" in first_line
    assert "44 000 euros" in answer.text and "258 000 euros" in answer.text
    assert cited(answer, ROADMAP, "220 000 euros sur 3 ans")
    assert re.search(r"44 000 euros[^\n]*\[\d\]", answer.text)  # the related figure carries its citation


def test_the_amount_is_said_once_without_repeating_its_sentence(assistant: Assistant):
    answer = assistant.ask("combien pour le plan crack ?")
    lead = answer.text.split("\nMontants liés :")[0]
    assert lead.count("220 000") == 1 and "Source :" not in answer.text
    assert answer.citations[0].excerpt.startswith("Afin de compléter")  # the whole sentence is the source's


@pytest.mark.parametrize("question", ["c'est quoi le PRS ?", "PTSM ça veut dire quoi"])
def test_a_link_alone_is_never_a_source(assistant: Assistant, question: str):
    answer = assistant.ask(question)
    assert not answer.refused and answer.citations
    assert not [c.excerpt for c in answer.citations if c.excerpt.startswith(("http", "www."))]
    assert "http" not in answer.text


def test_a_refusal_offers_the_closest_passages_verbatim(assistant: Assistant):
    answer = assistant.ask("budget plan crack dans le calvados")
    assert answer.refused and answer.text.startswith(REFUSAL) and answer.citations == ()
    assert 1 <= len(answer.closest) <= 3 and len({c.chunk_id for c in answer.closest}) == len(answer.closest)
    for closest in answer.closest:
        assert closest.document and closest.source in (ROADMAP, PRESS)
        assert closest.page == page_of(closest.source, flat(closest.text)[:40])
    assert any("crack" in c.text for c in answer.closest)


@pytest.mark.parametrize(
    "question",
    ["combien pour le plan crack", "combien pr le plan crack", "COMBIEN POUR LE PLAN CRACK ???", "plan crack budget"],
)
def test_questions_typed_the_way_staff_type_them(assistant: Assistant, question: str):
    answer = assistant.ask(question)
    assert "220 000" in answer.text
    assert cited(answer, ROADMAP, "220 000 euros sur 3 ans")


@pytest.mark.parametrize("figure", ["220 000 euros", "220000 euros", "220 k€", "0,22 M€"])
def test_figures_written_differently_find_the_same_passage(assistant: Assistant, figure: str):
    answer = assistant.ask(f"à quoi servent les {figure} ?")
    assert not answer.refused
    assert cited(answer, ROADMAP, "220 000 euros sur 3 ans")


@pytest.mark.parametrize(
    ("question", "expected", "source", "needle"),
    [
        ("quand a été créé le CRT au coeur de la foret", "1er novembre 2023", ROADMAP, "créé le 1er novembre 2023"),
        ("qui a signé la charte ?", "France Travail", PRESS, "ont signé le 8 octobre 2024"),
        ("où a eu lieu la journée de prévention du suicide", "Alençon", ROADMAP, "Centre Psychothérapique"),
        ("combien de projets soutenus aux trophées de l'attractivité", "10 projets", PRESS, "10 projets innovants"),
        ("combien de participants au copil maison des femmes", "cinquantaine", ROADMAP, "Une cinquantaine de"),
        ("combien par bénéficiaire pour un CRT", "900 €", ROADMAP, "900 € par bénéficiaire"),
    ],
)
def test_each_question_type_leads_with_its_fact(assistant: Assistant, question, expected, source, needle):
    answer = assistant.ask(question)
    assert not answer.refused, answer.text
    assert expected in answer.text.splitlines()[0]
    assert cited(answer, source, needle)


def test_list_question_gives_the_items(assistant: Assistant):
    answer = assistant.ask("les six axes de la feuille de route attractivité")
    items = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert len(items) == 6
    assert any("sinistralité" in item for item in items)


@pytest.mark.parametrize(
    ("question", "expansion"), [("c'est quoi un CRT", "centre"), ("PTSM ça veut dire quoi", "santé mentale")]
)
def test_definitions_expand_the_acronym_and_cite_the_documents(assistant: Assistant, question, expansion):
    answer = assistant.ask(question)
    assert not answer.refused
    assert expansion in answer.text.lower()
    assert answer.citations


def test_acronym_and_expansion_find_the_same_passages(assistant: Assistant):
    short = assistant.ask("c'est quoi le CRT")
    long = assistant.ask("c'est quoi un centre de ressources territorial")
    assert {c.chunk_id for c in short.citations} & {c.chunk_id for c in long.citations}


@pytest.mark.parametrize(
    "question",
    [
        "budget plan crack dans le calvados",  # a real fact, another department
        "combien de CRT en bretagne ?",
        "montant alloué à la maison des femmes en 2025",  # the document gives 2024
        "horaires de la piscine d'alençon",
        "recette de la teurgoule",
    ],
)
def test_questions_the_documents_do_not_answer_are_refused(assistant: Assistant, question: str):
    answer = assistant.ask(question)
    assert answer.refused
    assert answer.text.startswith(REFUSAL)
    assert answer.citations == ()
    assert "Feuille de route" in answer.text or "Charte" in answer.text  # closest documents are named


def test_follow_up_question_uses_the_previous_turn(assistant: Assistant):
    answer = assistant.ask("et pour les jeunes ?", history=["combien pour le plan crack ?"])
    assert "258 000 euros" in answer.text.splitlines()[0]


def test_citations_carry_every_field_and_verbatim_excerpts(assistant: Assistant):
    answer = assistant.ask("combien pour le plan crack ?")
    for citation in answer.citations:
        assert citation.n >= 1 and f"[{citation.n}]" in answer.text
        assert citation.title and citation.source.endswith(".pdf") and citation.page >= 1
        assert citation.section and citation.excerpt and isinstance(citation.score, float)
        pages = PdfReader(DOCS / citation.source).pages[citation.page - 1 : (citation.page_end or citation.page)]
        page_text = flat(" ".join(page.extract_text() for page in pages))
        # verbatim up to the PDF's line breaks: the excerpt's first words are on the cited pages
        assert flat(citation.excerpt)[:40] in page_text
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert numbers == {c.n for c in answer.citations}  # no number that maps to no passage


def test_empty_and_overlong_questions_get_a_clear_message(assistant: Assistant):
    assert assistant.ask("   ").refused
    long = assistant.ask("crack " * 400)
    assert long.refused and "trop longue" in long.text
