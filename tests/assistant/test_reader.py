"""The reader: its committed weights load, were trained on today's dev questions (never the locked split), and
read a question with its candidate sentences well enough to put the one that answers first."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from assistant.engine import Candidate
from assistant.reader import READER_FILE, Reader, shared
from index.models import Hit
from ingest.models import Chunk

ROOT = Path(__file__).resolve().parents[2]


def candidates(*texts: str, title: str = "Plan régional de santé") -> list[Candidate]:
    chunk = Chunk("d1", "prs.pdf", title, 1, 1, "", " ".join(texts), 0)
    return [Candidate(text=t, hit=Hit(chunk, 1.0, 1), index=i, kind="sentence", score=-i) for i, t in enumerate(texts)]


def test_the_committed_reader_was_trained_on_todays_dev_questions() -> None:
    meta = shared().meta
    files = [ROOT / name for name in meta["questions"]]
    assert files and all("test" not in f.parent.name for f in files)  # never the locked split
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    assert digest == meta["sha256"], "dev questions changed: retrain with scripts/train_reader.py --write"


def test_the_sentence_that_answers_is_read_first_whatever_the_scorer_said() -> None:
    # the scorer put the sentence that only repeats the question's words first
    found = candidates(
        "Le dispositif d'appui à la coordination accompagne les professionnels du parcours de santé.",
        "Le dispositif d'appui à la coordination a été créé en 2019 dans chaque département.",
        "La conférence régionale de la santé et de l'autonomie se réunit deux fois par an.",
    )
    ranked = shared().rerank("en quelle année le dispositif d'appui à la coordination a-t-il été créé ?", found)
    assert ranked[0].text.startswith("Le dispositif d'appui à la coordination a été créé en 2019")


def test_candidates_beyond_the_pool_stay_after_it_in_their_order() -> None:
    reader = shared()
    found = candidates(*(f"Phrase numéro {i} du document sur les urgences." for i in range(reader.pool + 3)))
    ranked = reader.rerank("combien de passages aux urgences ?", found)
    assert [c.index for c in ranked[reader.pool :]] == list(range(reader.pool, reader.pool + 3))
    assert min(c.score for c in ranked[: reader.pool]) > max(c.score for c in ranked[reader.pool :])


def _with(tmp_path: Path, **changes: object) -> Path:
    """The committed weights with some entries changed (the real e5 layers underneath)."""
    with np.load(READER_FILE) as data:
        stored = {name: data[name] for name in data.files}
    meta = json.loads(bytes(stored["meta"]).decode())
    meta.update(changes.pop("meta", {}))  # type: ignore[call-overload]
    stored["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    stored.update({k: np.asarray(v, dtype=np.float32) for k, v in changes.items()})
    path = tmp_path / "reader.npz"
    np.savez(path, **stored)
    return path


@pytest.mark.parametrize("decides", [True, False])
def test_a_reader_that_decides_refuses_when_no_answer_beats_every_candidate(tmp_path: Path, decides: bool) -> None:
    reader = Reader(_with(tmp_path, none=1e6, meta={"decides": decides}))
    ranked = reader.rerank("combien de lits ?", candidates("L'hôpital compte 300 lits."))
    assert (ranked == []) is decides
