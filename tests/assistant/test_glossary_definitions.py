"""A glossary definition is a sentence that says what the acronym is or does, not one where it is spelled out in
passing (issue 27: « some definitions are just the sentence where the acronym appears »)."""

from __future__ import annotations

import time

import pytest

from assistant.catalog import _glossary
from assistant.glossary import Term, defines
from ingest.fiche import Definition, Fiche

CTS = ("CTS", "Conseil territorial de santé")
PRS = ("PRS", "Projet régional de santé")
PTSM = ("PTSM", "Projet territorial de santé mentale")
CAARUD = ("CAARUD", "centre d’accueil et d’accompagnement à la réduction des risques pour les usagers de drogues")
CSAPA = ("CSAPA", "centre de soins, d’accompagnement et de prévention en addictologie")


@pytest.mark.parametrize(("sentence", "term"), [
    ("Le Conseil territorial de santé (CTS) est une instance de démocratie sanitaire qui réunit élus et usagers.",
     CTS),
    ("Le CTS, créé par la loi de modernisation de 2016, réunit les acteurs de santé du territoire.", CTS),
    ("CTS : instance de démocratie sanitaire propre à chaque territoire.", CTS),
    ("Les CAARUD sont des structures médico-sociales qui accueillent les usagers de drogues.", CAARUD),
    ("Le PRS 2023-2028 fixe les priorités de santé de la région pour cinq ans.", PRS),
    ("Le PTSM (Projet territorial de santé mentale) vise à organiser les parcours en psychiatrie.", PTSM),
    ("Un CSAPA a pour mission d’accompagner les personnes ayant une conduite addictive.", CSAPA),
    ("Le centre de soins, d’accompagnement et de prévention en addictologie (CSAPA) désigne une structure "
     "médico-sociale.", CSAPA),
])
def test_a_sentence_that_says_what_the_acronym_is_defines_it(sentence: str, term: tuple[str, str]):
    assert defines(sentence, *term)


@pytest.mark.parametrize(("sentence", "term"), [
    # the sample corpus's sentences: the acronym is spelled out, never defined
    ("Cette déclinaison prend la forme d’une feuille de route départementale, résultat d’une co-construction avec "
     "chaque Conseil territorial de santé (CTS).", CTS),
    ("Dans ce contexte, l’ARS Normandie, dans son Projet régional de santé 2023-2028 (PRS), a fait du renforcement "
     "de l’offre de formation l’une de ses douze priorités d’action.", PRS),
    ("A l’occasion de la journée mondiale de prévention du suicide, une conférence-débat a été organisée par le "
     "PTSM (Projet territorial de santé mentale) de l’Orne le 13 septembre 2024.", PTSM),
    ("L’accueil au centre d’accueil et d’accompagnement à la réduction des risques pour les usagers de drogues "
     "(CAARUD) est renforcé à travers le recrutement d’un éducateur spécialisé.", CAARUD),
    ("Le centre de soins, d’accompagnement et de prévention en addictologie (CSAPA, Addictions France) assure avec "
     "le centre hospitalier la coordination de la prise en charge.", CSAPA),
    # an expansion alone is no definition
    ("CTS : Conseil territorial de santé.", CTS),
    ("IDF : Région Île-de-France.", ("IDF", "Région Île-de-France")),
    ("Le CTS.", CTS),
    ("", CTS),
])
def test_a_sentence_that_only_names_the_acronym_does_not_define_it(sentence: str, term: tuple[str, str]):
    assert not defines(sentence, *term)


@pytest.mark.parametrize("sentence", [
    "CTS, " + "a " * 100_000,  # an apposition that never ends
    "(" * 100_000 + "CTS est une instance",  # brackets that never close
    "Le CTS est une instance" + " (a)" * 30_000,
    "CTS" * 100_000,
])
def test_a_hostile_sentence_is_judged_at_once(sentence: str):
    start = time.perf_counter()
    defines(sentence, *CTS)
    assert time.perf_counter() - start < 1.0


def test_a_document_entry_says_whether_its_sentence_defines_and_carries_the_general_definition():
    spelled_out = "Une feuille de route co-construite avec chaque Conseil territorial de santé (CTS)."
    defining = "Le Projet régional de santé (PRS) fixe les priorités de la région pour cinq ans."
    definitions = (Definition("CTS", CTS[1], spelled_out, 2), Definition("PRS", PRS[1], defining, 3))
    fiche = Fiche(doc_id="d1", source="fdr.pdf", title="Feuille de route", kind="feuille de route", date=None,
                  pages=3, definitions=definitions)
    base = (Term("CTS", CTS[1], "Instance de démocratie sanitaire d'un territoire."),
            Term("PRS", PRS[1], "Projet régional de santé."))  # only restates its expansion: no definition
    cts, prs = _glossary(base, {"d1": fiche}, {})
    assert (cts.term, cts.defines, cts.general) == ("CTS", False, "Instance de démocratie sanitaire d'un territoire.")
    assert (prs.term, prs.defines, prs.general) == ("PRS", True, "")
    assert cts.to_json()["defines"] is False and cts.to_json()["general_definition"].startswith("Instance")
