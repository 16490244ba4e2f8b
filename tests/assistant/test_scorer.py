"""The learned scorer: its committed coefficients load and match the code's features and the dev data they were
fitted on; with them, the sentence that holds the asked fact and the question's words is quoted, and a question
whose evidence is weak is refused."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.engine import Ask, Candidate
from assistant.scorer import CANDIDATE_FEATURES, SCORER_FILE, LearnedScorer, candidate_matrix, pick
from index.models import Hit
from ingest.models import Chunk

ROOT = Path(__file__).resolve().parents[2]


def candidate(text: str, *, own: float, similarity: float, fact: bool, index: int = 0, chunk: Chunk | None = None,
              score: float = 1.0) -> Candidate:
    chunk = chunk or Chunk("d1", "plan.pdf", "Plan", 1, 1, "", text, 0)
    return Candidate(text=text, hit=Hit(chunk, score, 1), index=index, kind="sentence", own=own,
                     similarity=similarity, fact=fact, retrieval=score, passage_own=own)


def test_the_committed_coefficients_load_and_were_fitted_on_todays_dev_questions() -> None:
    scorer = LearnedScorer.load()
    data = json.loads(SCORER_FILE.read_text(encoding="utf-8"))
    assert len(scorer.weights) == len(CANDIDATE_FEATURES)
    files = [ROOT / name for name in data["fitted_on"]["questions"]]
    assert all("test" not in f.parent.name for f in files)  # never the locked split
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    assert digest == data["fitted_on"]["sha256"], "dev questions changed: refit with scripts/fit_scorer.py --write"
    cv = data["cross_validation"]
    assert cv["rules+learned"]["overall"] > cv["rules+hand"]["overall"]  # why it is the default


def test_coefficients_written_for_other_features_are_refused(tmp_path: Path) -> None:
    data = json.loads(SCORER_FILE.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    other = tmp_path / "scorer.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="fit_scorer"):
        LearnedScorer.load(other)


def test_the_sentence_with_the_amount_and_the_question_words_is_quoted_first() -> None:
    ask = Ask(text="combien pour le plan crack", kind="montant", terms=("plan", "crack"))
    chunk = Chunk("d1", "plan.pdf", "Plan", 1, 1, "", "x", 0)
    found = [
        candidate("Le plan crack mobilise les acteurs du département.", own=1.0, similarity=0.86, fact=False,
                  chunk=chunk),
        candidate("Le plan crack est doté de 220 000 euros sur trois ans.", own=1.0, similarity=0.88, fact=True,
                  index=1, chunk=chunk),
        candidate("La journée a réuni 40 personnes.", own=0.0, similarity=0.78, fact=True, index=2, chunk=chunk),
    ]
    chosen = pick(ask, found, LearnedScorer.load())
    assert chosen and "220 000 euros" in chosen[0].text


def test_a_question_whose_best_sentence_shares_nothing_with_it_is_refused() -> None:
    ask = Ask(text="combien de cas de dengue a cayenne en 2019", kind="nombre", terms=("dengu", "cayenn", "2019"))
    found = [candidate("La journée a réuni 40 personnes.", own=0.0, similarity=0.72, fact=True),
             candidate("Le forum compte 12 stands.", own=0.0, similarity=0.71, fact=True, index=1)]
    assert pick(ask, found, LearnedScorer.load()) == []


def test_features_are_finite_and_one_row_per_candidate() -> None:
    ask = Ask(text="qui porte le cls", kind="personne_organisme", terms=("port", "cls"))
    found = [candidate(f"Phrase {i}.", own=i / 3, similarity=0.8 + i / 100, fact=bool(i % 2), index=i)
             for i in range(3)]
    matrix = candidate_matrix(ask, found)
    assert matrix.shape == (3, len(CANDIDATE_FEATURES)) and np.isfinite(matrix).all()


def test_the_reading_in_context_is_overruled_only_beyond_the_fitted_margin() -> None:
    ask = Ask(text="combien pour le plan crack", kind="montant", terms=("plan", "crack"))
    chunk = Chunk("d1", "plan.pdf", "Plan", 1, 1, "", "x", 0)
    good = candidate("Le plan crack est doté de 220 000 euros sur trois ans.", own=1.0, similarity=0.88, fact=True,
                     chunk=chunk)
    weak = candidate("La journée a réuni 40 personnes.", own=0.0, similarity=0.74, fact=True, index=1, chunk=chunk)
    scorer = replace(LearnedScorer.load(), overrule_above=0.0)
    read_weak = {(chunk.id, weak.text)}
    assert scorer.overrules(ask, [good, weak], read_weak)  # the scorer prefers the amount of the plan by far
    assert not scorer.overrules(ask, [good, weak], {(chunk.id, good.text)})  # it agrees with the reading
    assert not scorer.overrules(ask, [good, weak], read_weak, above=math.inf)  # the reading always answers first
    assert not replace(scorer, overrule_above=math.inf).overrules(ask, [good, weak], read_weak)


@pytest.mark.parametrize(("said", "answered"), [("Le SAS du Cher réunit 40 médecins régulateurs.", True),
                                                ("Le SAS du Cher a traité 12 000 appels.", False)])
def test_a_count_question_is_answered_by_a_count_of_what_it_asks(said: str, answered: bool) -> None:
    ask = Ask(text="combien de médecins au sas du cher", kind="nombre", terms=("medecin", "sas", "cher"),
              counted="medecin")
    found = [candidate(said, own=2 / 3, similarity=0.85, fact=True)]
    found[0].counts = answered  # as engine.candidates sets it: a number stands before the noun counted
    # as the reading in context marks either sentence (assistant/extract.py): its best, every question word read
    found[0].rule, found[0].coverage = 0.0, 1.0
    assert bool(pick(ask, found, LearnedScorer.load())) is answered
