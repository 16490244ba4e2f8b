"""The reading in context feeds the general engine: each candidate sentence carries that reading's verdict
(its place, year and figure checks, its coverage of the question), and an answer is completed with what the
question asks that its lead sentence lacks."""

from __future__ import annotations

import math

from assistant.answer import compose
from assistant.engine import Candidate
from assistant.extract import annotate, score_units, select
from assistant.glossary import Glossary
from assistant.question import analyse
from index.models import Hit
from ingest.models import Chunk

CAEN = (
    "Le centre de santé de Caen a ouvert en mars 2024. Son budget de fonctionnement est de 310 000 euros par an.\n"
    "Le centre de santé de Rouen a ouvert en juin 2022."
)


def _hit(text: str, doc: str = "d1", rank: int = 1) -> Hit:
    return Hit(Chunk(doc, f"{doc}.pdf", "Centres de santé", 1, 1, "", text, 0), score=1.0 / rank, rank=rank)


def _weight(term: str) -> float:
    return 1.0


def test_a_candidate_about_another_town_carries_the_readings_verdict():
    question = analyse("le centre de santé de Caen a ouvert quand ?", Glossary())
    hit = _hit(CAEN)
    units = score_units(question, [hit], _weight, {})
    found = [Candidate(text=u.text, hit=hit, index=i, kind=u.kind) for i, u in enumerate(units)]
    annotate(found, units)
    by_text = {c.text: c for c in found}
    caen = by_text["Le centre de santé de Caen a ouvert en mars 2024."]
    rouen = by_text["Le centre de santé de Rouen a ouvert en juin 2022."]
    assert caen.rule == 0.0 and caen.hard_ok and caen.coverage > rouen.coverage
    assert rouen.rule < 0.0
    # a candidate the reading never saw keeps the neutral defaults, not another sentence's verdict
    stray = Candidate(text="Une phrase d'ailleurs.", hit=_hit("Une phrase d'ailleurs.", "d2"), index=0, kind="sentence")
    annotate([stray], units)
    assert stray.rule == -2.0 and math.isclose(stray.coverage, 0.0)


def test_an_answer_asked_two_facts_quotes_the_sentence_that_holds_the_second():
    question = analyse("centre de santé de Caen : date d'ouverture et budget", Glossary())
    hit = _hit(CAEN)
    units = score_units(question, [hit], _weight, {})
    lead = next(u for u in units if "mars 2024" in u.text)
    composed = compose(question, [lead], units)
    assert composed is not None
    text, citations = composed
    assert "mars 2024" in text and "310 000 euros" in text
    assert len(citations) == 2


def test_the_reading_answers_first_only_when_a_sentence_covers_the_question():
    hit = _hit(CAEN)
    covered = analyse("quand a ouvert le centre de santé de Caen", Glossary())
    assert select(covered, score_units(covered, [hit], _weight, {}))
    elsewhere = analyse("quand a ouvert le centre de santé de Lisieux", Glossary())
    assert not select(elsewhere, score_units(elsewhere, [hit], _weight, {}))


def test_only_a_plain_question_may_have_its_reading_overruled_by_the_scorer():
    # one fact, asked plainly: the learned scorer may prefer another sentence
    for plain in ("combien pour le plan crack ?", "qui porte le CLS de Lisieux", "le centre de Caen a ouvert quand"):
        assert analyse(plain, Glossary()).plain, plain
    # what only the reading in context reads: two facts, a document's own date, a list of so many things, a term
    for other in ("la stratégie adoptée quand et combien de priorités", "le bilan il date de quand",
                  "les 2 types d'attractivité", "CTS c'est quoi"):
        assert not analyse(other, Glossary()).plain, other
