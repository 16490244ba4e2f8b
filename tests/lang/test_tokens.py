"""French normalisation for lexical search: the same tokens however a user writes a word or an amount."""

from __future__ import annotations

import pytest

from lang.amounts import joined_figures
from lang.tokens import normalize_numbers, strip_elisions, tokens
from lang.words import fold_accents


@pytest.mark.parametrize(
    "amount",
    ["220 000", "220000", "220 000 €", "220 000€", "220\u202f000 €", "220 k€", "220 K€", "0,22 M€", "220.000 euros"],
)
def test_every_way_of_writing_an_amount_gives_one_number_token(amount: str) -> None:
    assert [t for t in tokens(amount) if t[0].isdigit()] == ["220000"]


def test_euro_sign_and_word_are_the_same_token() -> None:
    assert tokens("400 000€") == tokens("400 000 euros") == tokens("400 k€") == ["400000", "euros"]


def test_millions_and_decimals() -> None:
    assert tokens("1,5 million d'euros") == ["1500000", "euros"]
    assert tokens("2 Md€") == ["2000000000", "euros"]
    assert tokens("1 200,50 €") == tokens("1200.5 euros")


def test_percentages_stay_numbers() -> None:
    assert tokens("1,9%") == tokens("1,9 %") == ["1.9", "pourcent"]


def test_a_year_is_not_glued_to_the_amount_after_it() -> None:
    assert tokens("en 2022 220 000 euros sur 3 ans")[:3] == ["2022", "220000", "euros"]
    assert normalize_numbers("2023-2028") == "2023-2028"


def test_elisions_are_stripped_with_either_apostrophe() -> None:
    assert strip_elisions("l'ars d’une qu'il j'ai n'est s'agit c'est jusqu'à") == "ars une il ai est agit est à"
    # A name with an apostrophe inside is not an elision.
    assert "drog" in tokens("Drog'Aide 61")


def test_accents_and_ligatures_are_folded() -> None:
    assert fold_accents("Santé, cœur, Éducation, âgées") == "Sante, coeur, Education, agees"


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Conseil territorial de santé (CTS)", "conseil territorial de sante cts"),
        ("prévention des addictions auprès des jeunes", "prevention addiction aupres jeunes"),
        ("financée", "financement"),
        ("L'ARS Normandie", "ars normandie"),
        ("Alençon", "ALENCON"),
    ],
)
def test_query_without_accents_or_with_another_form_matches(written: str, typed: str) -> None:
    assert tokens(written) == tokens(typed)


def test_stop_words_are_dropped() -> None:
    assert tokens("le centre d'accueil et d'accompagnement à la réduction des risques") == [
        "centr",
        "accueil",
        "accompagn",
        "reduct",
        "risqu",
    ]


@pytest.mark.parametrize(
    ("question", "figure"),
    [("les 265 000 € pour le CH Jacques-Coeur", "265000"), ("700 ou 710 millions ?", "710000000"),
     ("0,22 M€ pour Caen", "220000")],
)
def test_a_question_s_figures_are_joined_as_its_tokens_write_them_and_its_words_keep_their_case(
    question: str, figure: str
) -> None:
    joined = joined_figures(question)
    assert figure in joined.split() and figure in tokens(question)
    assert [w for w in joined.split() if w.isalpha() and w[0].isupper()] == [
        w for w in question.split() if w.isalpha() and w[0].isupper()
    ]
