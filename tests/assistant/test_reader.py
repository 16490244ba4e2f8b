"""The reader: its committed weights load, were trained on today's dev questions (never the locked split), and
read a question with its candidate sentences well enough to put the one that answers first."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.engine import Candidate
from assistant.reader import READER_FILE, Reader, pair_ids, shared
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
    meta.update(changes.pop("meta", {}))
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


def test_a_candidates_logit_does_not_depend_on_the_others_read_with_it() -> None:
    # the pairs of a question are read in one pass: no token of one may leak into another's attention or pooling
    reader = shared()
    question = "quel est le budget du plan crack en Normandie ?"
    pool = [("Plan crack", "Le plan crack est doté de 2,5 millions d'euros pour la Normandie."),
            ("", "Il finance des maraudes."),
            ("Rapport annuel de l'agence régionale de santé", "Les crédits du plan ont été délégués aux "
             "associations d'addictologie de Caen, de Rouen et du Havre au cours du premier semestre de l'année.")]
    together = reader.scores(question, pool)
    alone = np.array([reader.scores(question, [pair])[0] for pair in pool])
    assert np.abs(together - alone).max() < 1e-4


def test_the_weights_load_once_at_warm_up_not_when_the_reader_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.reader as module

    built: list[object] = []

    class Counted(module.Encoder):
        def __init__(self, *args: object, **kwargs: object) -> None:
            built.append(self)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "Encoder", Counted)
    reader = Reader()
    assert built == []  # a process that never reads (a command listing the fiches) never pays for them
    threads = [threading.Thread(target=reader.warm_up) for _ in range(2)]  # the warm-up and a first question
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader.scores("combien de lits ?", [("", "L'hôpital compte 300 lits.")])
    assert len(built) == 1


HOLDS = """
import json, threading
from threadpoolctl import threadpool_info
from assistant.reader import Reader

def blas():
    return sorted({pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"})

before = blas()
reader = Reader(threads=1)
built = blas()
warm = threading.Thread(target=reader.warm_up)  # as the service's warm-up thread does
warm.start()
warm.join()
print(json.dumps({"before": before, "built": built, "loaded": blas()}))
"""


def test_a_reader_asked_for_one_thread_holds_the_process_blas_to_one_once_loaded() -> None:
    # a fresh process, as a server's: numpy's BLAS starts with two threads, and the reader is loaded by another
    # thread than the ones that will read
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    run = subprocess.run([sys.executable, "-c", HOLDS], env=env, capture_output=True, text=True, timeout=120,
                         check=True)
    assert json.loads(run.stdout) == {"before": [2], "built": [2], "loaded": [1]}


def test_the_torch_model_trained_and_the_numpy_one_served_give_the_same_scores() -> None:
    # scripts/train_reader.py trains torch modules (lower layers run once and kept in float16, upper layers with
    # the head); the run time reads the saved weights with numpy: both must compute the same thing
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import train_reader
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    reader = shared()
    question = "en quelle année le dispositif d'appui à la coordination a-t-il été créé ?"
    pool = [("Plan régional de santé", "Le dispositif d'appui à la coordination a été créé en 2019."),
            ("", "La conférence régionale de la santé et de l'autonomie se réunit deux fois par an."),
            ("Rapport", "Le DAC accompagne les professionnels du parcours de santé des personnes âgées.")]
    served = reader.scores(question, pool)
    first = int(reader.meta["first_trained"])
    item = train_reader.Item(0, [pair_ids(reader.tokenizer, question, t, s, reader.window) for t, s in pool], [],
                             np.zeros(len(pool)))
    train_reader.lower_outputs(reader.encoder, first, [item])
    model = train_reader.Upper(reader.encoder, first)  # its layers start from the reader's (committed) weights
    with np.load(READER_FILE) as data:
        model.head.weight.data.copy_(torch.from_numpy(data["head.w"].astype(np.float32))[None])
        model.head.bias.data.fill_(float(data["head.b"]))
    with torch.no_grad():
        trained = model(*train_reader.batch([item])).numpy()
    # training keeps the lower layers' output in float16: 2e-4 apart here; e5's tanh GELU instead of its erf
    # one, on either side, would be 2e-3 apart
    assert np.abs(trained - served).max() < 1e-3
    assert trained.argmax() == served.argmax()
