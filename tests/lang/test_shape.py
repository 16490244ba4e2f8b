"""A sentence quoted as a source must read as a statement: a link, a menu or a heading alone never does."""

from __future__ import annotations

import pytest

from lang.shape import is_statement

PASSAGE = (
    "Mettre en œuvre le plan crack et réduire les addictions\n"
    "Bilan - janvier 2025\n"
    "Caen, le 8 octobre 2024,\n"
    "Afin de compléter cette offre, l’ARS a financé 220 000 euros sur 3 ans.\n"
    "- Maison des femmes\n"
    "Service Communication ARS Normandie Mél : ars-normandie-presse@ars.sante.fr"
)


@pytest.mark.parametrize("sentence", [
    "https://www.normandie.ars.sante.fr/ projet-regional-de-sante-2023-2028-12-priorites-daction",
    "www.ars.sante.fr",
    "Lien : https://www.normandie.ars.sante.fr/7-feuilles-de-route",
    "Accueil | Actualités | Espace presse | Contact",
    "Accueil › Votre santé › Prévention › Addictions",
    "Accueil • Nos missions • Nos publications",
    "Mettre en œuvre le plan crack et réduire les addictions",  # a line of its own with no full stop: a title
])
def test_links_menus_and_headings_alone_are_not_statements(sentence: str):
    assert not is_statement(sentence, PASSAGE)


@pytest.mark.parametrize("sentence", [
    "Afin de compléter cette offre, l’ARS a financé 220 000 euros sur 3 ans.",
    "Bilan - janvier 2025",  # a date alone says when: it answers « il date de quand »
    "Caen, le 8 octobre 2024,",
    "Service Communication ARS Normandie Mél : ars-normandie-presse@ars.sante.fr",
    "Maison des femmes",  # a list item, not a line of its own
    "Pour consulter la feuille de route, connectez-vous au site https://www.normandie.ars.sante.fr/ de l’ARS.",
    "Le plan | la stratégie",  # two parts are not a menu
    "Mettre en œuvre le plan crack",  # the same words, but inside a line of prose
])
def test_prose_facts_and_list_items_are_statements(sentence: str):
    assert is_statement(sentence, PASSAGE)


def test_hostile_shapes_are_judged_at_once():
    for text in ("a" * 200_000, "| " * 100_000, "/" * 200_000, "- " * 100_000):
        assert isinstance(is_statement(text, text), bool)
