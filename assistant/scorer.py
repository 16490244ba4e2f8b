"""The general engine's learned scorer: a linear model over each candidate sentence's features, and a
learned answer/refuse decision over the question's best candidates.

The coefficients are fitted on the real corpus's dev split by scripts/fit_scorer.py (the candidate weights
listwise, a softmax over each question's candidates; scipy and scikit-learn there, dev tools) and committed as
JSON (assistant/resources/scorer.json); here they are applied with numpy.
Every feature is general: none names a document, a question or a word.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.engine import STRICT_FACTS, Weights, answering, choose

if TYPE_CHECKING:
    from assistant.engine import Ask, Candidate
    from assistant.reader import Reader

SCORER_FILE = Path(__file__).with_name("resources") / "scorer.json"

CANDIDATE_FEATURES = (
    "retrieval", "hit_rank", "own", "passage_own", "similarity", "similarity_gap", "similarity_rank",
    "neighbour_gap", "fact", "fact_strict", "counts", "heading", "item", "intro", "demoted", "length",
    "first", "number", "own_rank", "rule", "rule_top", "coverage", "hard_ok", "precise", "pinned", "passage_pinned",
    "pinned_own", "passage_own_gap",
)
DECISION_FEATURES = (
    "top_logit", "margin", "top_similarity", "top_own", "top_passage_own", "top_retrieval", "strict",
    "general", "candidates", "facts_share", "top_rule", "top_hard_ok", "best_rule_in_pool", "counted",
    "top_counts", "top_coverage", "top_pinned",
)


def candidate_matrix(ask: Ask, found: Sequence[Candidate]) -> np.ndarray:
    """One row of CANDIDATE_FEATURES per candidate."""
    n = len(found)
    if not n:
        return np.zeros((0, len(CANDIDATE_FEATURES)))
    similarity = np.array([c.similarity for c in found])
    own = np.array([c.own for c in found])
    best_passage_own = max(c.passage_own for c in found)
    hit_rank = {score: rank for rank, score in enumerate(sorted({c.hit.score for c in found}, reverse=True))}
    by_position = {(c.hit.chunk.id, c.index): c.similarity for c in found}
    best = float(similarity.max())
    sim_rank = _ranks(similarity)
    own_rank = _ranks(own)
    strict = ask.kind in STRICT_FACTS
    rows = []
    for i, c in enumerate(found):
        around = [by_position.get((c.hit.chunk.id, c.index + d)) for d in (-1, 1)]
        neighbour = max((s for s in around if s is not None), default=c.similarity)
        rows.append((
            c.retrieval, 1.0 / (1 + hit_rank[c.hit.score]), c.own, c.passage_own, c.similarity,
            c.similarity - best, 1.0 / (1 + sim_rank[i]), neighbour - best, float(c.fact),
            float(c.fact and strict), float(c.counts), float(c.kind == "heading"), float(c.kind == "item"),
            float(c.kind == "intro"), float(c.demoted), math.log1p(len(c.text.split())) / 4, float(c.index == 0),
            float(any(ch.isdigit() for ch in c.text)), 1.0 / (1 + own_rank[i]), c.rule, float(c.rule == 0.0),
            c.coverage, float(c.hard_ok), float(c.precise), c.pinned, c.passage_pinned,
            # the question's words count most where the sentence also names what the question pins
            c.pinned * c.own, c.passage_own - best_passage_own,
        ))
    return np.array(rows, dtype=float)


def decision_row(ask: Ask, ranked: Sequence[Candidate]) -> np.ndarray:
    """DECISION_FEATURES of a question whose candidates are scored and sorted, best first."""
    top = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else top.score - 5.0
    return np.array((
        top.score, top.score - second, top.similarity, top.own, top.passage_own, top.retrieval,
        float(ask.kind in STRICT_FACTS), float(ask.kind == "general"), math.log1p(len(ranked)) / 4,
        sum(c.fact for c in ranked) / len(ranked), top.rule, float(top.hard_ok),
        float(any(c.rule == 0.0 for c in ranked)), float(bool(ask.counted)), float(top.counts),
        top.coverage, top.pinned,
    ), dtype=float)


@dataclass(frozen=True, slots=True)
class LearnedScorer:
    """Candidate weights, decision weights and the engine's two thresholds, as fitted."""

    weights: np.ndarray
    bias: float
    decision_weights: np.ndarray
    decision_bias: float
    answer_above: float = 0.5  # probability that the best sentence answers, rather than a trap
    second_within: float = 1.0  # a sibling sentence this close in logit is quoted too
    # the reading in context answers first unless the scorer prefers another sentence by more than this (logits)
    overrule_above: float = math.inf

    def score(self, ask: Ask, found: Sequence[Candidate]) -> None:
        """Sets each candidate's score (a logit: how likely it holds the answer)."""
        if found:
            for candidate, value in zip(found, candidate_matrix(ask, found) @ self.weights + self.bias, strict=True):
                candidate.score = float(value)

    def answers(self, ask: Ask, ranked: Sequence[Candidate]) -> bool:
        """Whether the best candidate is more likely an answer than a sign that the documents lack it."""
        if not ranked:
            return False
        z = float(decision_row(ask, ranked) @ self.decision_weights + self.decision_bias)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))) >= self.answer_above

    def overrules(
        self, ask: Ask, found: Sequence[Candidate], read: set[tuple[str, str]], above: float | None = None
    ) -> bool:
        """Whether the scorer answers with another sentence than the reading in context's (`read`: (chunk id,
        text) of the sentences it quotes) and prefers it to each of them by more than `above` (a logit
        difference; the fitted `overrule_above` by default)."""
        pool = answering(ask, found)
        self.score(ask, pool)
        ranked = sorted(pool, key=lambda c: c.score, reverse=True)
        mine = [c.score for c in pool if (c.hit.chunk.id, c.text) in read]
        if not mine or not self.answers(ask, ranked):
            return False
        return ranked[0].score - max(mine) > (self.overrule_above if above is None else above)

    @classmethod
    def load(cls, path: Path = SCORER_FILE) -> LearnedScorer:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != CANDIDATE_FEATURES or tuple(data["decision_features"]) != DECISION_FEATURES:
            raise ValueError(f"{path}: features differ from the code's; refit with scripts/fit_scorer.py")
        return cls(
            weights=np.array(data["weights"], dtype=float), bias=float(data["bias"]),
            decision_weights=np.array(data["decision_weights"], dtype=float),
            decision_bias=float(data["decision_bias"]),
            answer_above=float(data["answer_above"]), second_within=float(data["second_within"]),
            overrule_above=float(data.get("overrule_above", math.inf)),
        )


def pick(ask: Ask, found: Sequence[Candidate], scorer: LearnedScorer, reader: Reader | None = None) -> list[Candidate]:
    """The sentences to quote, best first, or none when the scorer (or the reader) refuses."""
    pool = answering(ask, found)
    scorer.score(ask, pool)
    ranked = sorted(pool, key=lambda c: c.score, reverse=True)
    if not scorer.answers(ask, ranked):
        return []
    second = scorer.second_within
    if reader is not None:
        ranked = reader.rerank(ask.text, ranked)
        second = reader.second_within
    return choose(ask, ranked, Weights(refuse_below=-math.inf, second_within=second))


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=int)
    ranks[order] = np.arange(len(values))
    return ranks
