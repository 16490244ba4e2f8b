"""Tune the general answer engine's weights on the real corpus's dev split, never on the locked test split.

Every dev question is asked once through the real assistant (an index holding eval/real and the sample
corpus, e.g. the one `ars-assistant eval` builds): the rule-based answer and each candidate sentence's
features are kept; then a grid of Weights is scored without asking again, as the service would answer
(rules first, the engine when they find nothing). Prints the best settings by overall dev accuracy.

    ARS_DATA_DIR=/tmp/ars-eval .venv/bin/python scripts/tune_engine.py
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.answer import compose
from assistant.engine import Ask, Candidate, Weights, candidates, choose, constraints_of, idf, rank, read_question
from assistant.extract import score_units
from assistant.factory import build_assistant
from assistant.question import analyse
from assistant.settings import Settings
from eval.metrics import missing_facts
from eval.questions import Question, load_questions

DEV = Path(__file__).resolve().parents[1] / "eval" / "real" / "dev" / "questions.jsonl"
GRID = {
    "similarity": (1.0, 2.0, 4.0),
    "fact": (0.2, 0.35, 0.5),
    "counts": (0.2, 0.4),
    "refuse_below": (0.9, 1.0, 1.1, 1.2, 1.3),
    "second_within": (0.3, 0.5),
}


@dataclass
class Case:
    question: Question
    ask: Ask
    rules: str | None  # the rule-based answer's text, None when it refused
    found: list[Candidate]


def collect(questions: Sequence[Path] = (DEV,)) -> list[Case]:
    """Each question asked once: the rule-based answer and the engine's candidates with their features."""
    assistant = build_assistant(Settings(answer_scorer="manuel"))
    frequencies = assistant.index.document_frequencies()
    cases = []
    for question in (q for path in questions for q in load_questions(path)):
        parsed = assistant._spellcheck(analyse(question.question, assistant.glossary))
        hits = assistant.retrieve(parsed)
        units = score_units(parsed, hits, assistant._weight(), assistant._alternates)
        composed = compose(parsed, units, assistant.index.following, lead=assistant._definition_lead(parsed, hits))
        ask = read_question(question.question, frequencies)
        found = candidates(
            ask, hits, idf(frequencies), assistant.index.query_vector(ask.text),
            lambda texts: assistant.index.sentence_vectors(texts, encode_missing=64),
            constraints_of(ask, hits, frequencies, assistant._alternates),
        )
        cases.append(Case(question, ask, composed[0] if composed else None, found))
    return cases


def accuracy(cases: list[Case], weights: Weights) -> tuple[float, float]:
    """(answerable questions right, traps refused) with these weights."""
    right = refused = answerable = traps = 0
    for case in cases:
        text = case.rules
        if text is None:
            chosen = choose(case.ask, rank(case.found, weights), weights)
            text = "\n".join(c.text for c in chosen) if chosen else None
        if case.question.refuse:
            traps += 1
            refused += text is None
        else:
            answerable += 1
            right += text is not None and not missing_facts(text, case.question.must_contain)
    return right / max(1, answerable), refused / max(1, traps)


def main() -> None:
    cases = collect()
    answerable = sum(not c.question.refuse for c in cases)
    results = []
    for values in itertools.product(*GRID.values()):
        weights = replace(Weights(), **dict(zip(GRID, values, strict=True)))
        right, refused = accuracy(cases, weights)
        overall = (right * answerable + refused * (len(cases) - answerable)) / len(cases)
        results.append((overall, right, refused, values))
    print("current", accuracy(cases, Weights()))
    for overall, right, refused, values in sorted(results, reverse=True)[:10]:
        print(f"{overall:.3f} answers {right:.3f} traps {refused:.3f}", dict(zip(GRID, values, strict=True)))


if __name__ == "__main__":
    main()
