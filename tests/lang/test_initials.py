"""Acronyms a text spells with the initials of its words."""

from __future__ import annotations

import pytest

from lang.initials import initialisms, looks_like_acronym


@pytest.mark.parametrize(
    ("written_out", "acronym"),
    [
        ("le contrat d'engagement de service public", "cesp"),  # elision and stop words skipped
        ("l'ARS Île-de-France", "idf"),  # every word, « de » included
        ("les Hôpitaux universitaires de Strasbourg", "hus"),
        ("le pôle d'équilibre territorial et rural", "petr"),
        ("Centre-Val de Loire", "cvl"),
    ],
)
def test_words_written_out_spell_their_acronym(written_out: str, acronym: str):
    assert acronym in initialisms(written_out)


def test_only_consecutive_words_spell_and_two_letters_never_count():
    spelled = initialisms("Le centre de santé ouvre. Une aide régionale suit.")
    assert "cds" in spelled
    assert "cs" not in spelled  # two letters: any page spells them by chance
    assert "cdsx" not in spelled


def test_what_an_agent_types_for_an_acronym():
    assert looks_like_acronym("CESP") and looks_like_acronym("cesp")
    assert not looks_like_acronym("Lisieux")  # a name
    assert not looks_like_acronym("ab") and not looks_like_acronym("PRAPS2")
