"""The dev questions asked once through the real assistant, for fitting the scorer and training the reader.

Each case keeps the engine's reading of the question and its candidate sentences with every feature (the
sentence read in context included), so that fitting never asks again. Built from the dev split only, never the
locked test split; cached on disk, keyed by the questions' SHA-256.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answer import compose
from assistant.engine import Ask, Candidate
from assistant.extract import score_units, select
from assistant.factory import build_assistant
from assistant.question import analyse
from assistant.settings import Settings
from eval.questions import Question, load_questions

ROOT = Path(__file__).resolve().parents[1]
DEV = (ROOT / "eval" / "real" / "dev" / "questions.jsonl", ROOT / "eval" / "real" / "dev-etendu" / "questions.jsonl")


@dataclass
class Case:
    question: Question
    ask: Ask
    found: list[Candidate]
    rules: str | None = None  # the answer of the reading in context (which answers first), None when it finds none
    read: frozenset[tuple[str, str]] = frozenset()  # (chunk id, text) of the sentences that answer quotes
    plain: bool = True  # the question asks one fact plainly (question.Question.plain): the scorer may overrule


def collect(questions: Sequence[Path] = DEV) -> list[Case]:
    """Each question asked once, as the service reads it: the engine's candidates with their features."""
    assistant = build_assistant(Settings(answer_scorer="manuel"))
    weight, alternates = assistant.weight_function(), assistant.alternates
    cases = []
    for question in (q for path in questions for q in load_questions(path)):
        parsed = assistant.spellcheck(analyse(question.question, assistant.glossary))
        hits = assistant.retrieve(parsed)
        units = score_units(parsed, hits, weight, alternates)
        ask, found = assistant.engine_reading(parsed, hits, units, encode_missing=64)
        lead = assistant.definition_lead(parsed, hits)
        covering = select(parsed, units)
        composed = compose(parsed, covering, units, assistant.index.following, lead=lead) if covering else None
        read = frozenset((u.hit.chunk.id, u.text) for u in covering or ())
        cases.append(Case(question, ask, found, composed[0] if composed else None, read, parsed.plain))
    return cases


def questions_digest(questions: Sequence[Path]) -> str:
    return hashlib.sha256(b"".join(path.read_bytes() for path in questions)).hexdigest()


def load_cases(questions: Sequence[Path], cache: Path) -> list[Case]:
    """Every question asked once (slow: the whole dev split), or the cache of the last run on the same questions."""
    digest = questions_digest(questions)
    cached = pickle.loads(cache.read_bytes()) if cache.is_file() else None
    if cached is not None and cached[0] == digest:
        return cached[1]
    cases = collect(questions)
    cache.write_bytes(pickle.dumps((digest, cases)))
    return cases
