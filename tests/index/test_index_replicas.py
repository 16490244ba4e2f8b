"""Replicas over one Chroma server: processes with data dirs of their own serve the same collection, follow
what another wrote within one search, lose nothing with their data dir, and write one at a time (a real
`chroma run`; each Index stands for a process of another machine, its data dir for that machine's disk)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ars_corpus
import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from index.embeddings import E5Embeddings, dimension_of, model_name_of
from index.index import Index
from index.sentences import sentences_of
from ingest.errors import UserError

pytestmark = pytest.mark.integration

Replica = Callable[[str], Index]


@pytest.fixture
def replica(chroma_server: Any, tmp_path: Path, e5: E5Embeddings) -> Replica:
    collection = f"r-{uuid.uuid4().hex[:10]}"

    def open_replica(name: str, **options: Any) -> Index:
        options.setdefault("embeddings", e5)
        return Index(tmp_path / name, collection=collection, chroma_host=chroma_server.host,
                     chroma_port=chroma_server.port, **options)

    return open_replica


def _ingest(index: Index, sources: list[str]) -> None:
    with index.batch():
        for source in sources:
            index.add_document(*ars_corpus.document(source))


def _seen(index: Index, query: str) -> list[tuple[str, float]]:
    return [(h.chunk.id, round(h.score, 6)) for h in index.search(query, 5)]


QUERY = "centres de ressources territoriaux"


def test_replicas_serve_what_one_ingest_wrote(replica: Replica) -> None:
    early = replica("serving-a")  # started before anything was ingested
    worker = replica("ingest")
    _ingest(worker, ["orne-crt.pdf", "orne-suicide.pdf"])
    late = replica("serving-b")
    expected = _seen(worker, QUERY)
    assert expected
    for serving in (early, late):
        assert _seen(serving, QUERY) == expected  # same passages, same scores: BM25 included
        assert [r.source for r in serving.documents()] == ["orne-crt.pdf", "orne-suicide.pdf"]
        assert serving.fiche(serving.documents()[0].doc_id) == worker.fiche(worker.documents()[0].doc_id)


def test_a_document_removed_through_one_replica_leaves_the_others_at_their_next_search(replica: Replica) -> None:
    a, b = replica("a"), replica("b")
    _ingest(a, ["orne-crt.pdf", "orne-suicide.pdf"])
    assert "orne-crt.pdf" in {h.chunk.source for h in b.search(QUERY, 5)}
    assert [r.source for r in b.remove("orne-crt.pdf")] == ["orne-crt.pdf"]
    assert "orne-crt.pdf" not in {h.chunk.source for h in a.search(QUERY, 5)}  # one search later
    assert [r.source for r in a.documents()] == ["orne-suicide.pdf"]
    assert a.search_dense(QUERY, 50) and all(h.chunk.source != "orne-crt.pdf" for h in a.search_dense(QUERY, 50))


class CountingEmbeddings(Embeddings):
    """The real model, counting the passages and sentences it is asked to encode."""

    def __init__(self, base: E5Embeddings) -> None:
        self.base, self.model_name, self.dimension = base, model_name_of(base), dimension_of(base)
        self.encoded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.encoded += len(texts)
        return self.base.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)


def test_a_replica_takes_the_sentence_vectors_the_ingest_computed(replica: Replica, e5: E5Embeddings) -> None:
    # Encoding every sentence of a large corpus takes a replica hours on 2 cores: it takes them from the server.
    worker = replica("ingest")
    _ingest(worker, ["orne-crt.pdf", "orne-suicide.pdf"])
    model = CountingEmbeddings(e5)
    serving = replica("serving", embeddings=model)
    assert serving.search(QUERY, 5)
    sentences = sentences_of(serving.get_chunks(serving.chunk_ids()["dense"]).values())
    assert len(sentences) >= 10
    taken = serving.sentence_vectors(sentences)  # nothing encoded on demand here
    computed = worker.sentence_vectors(sentences)
    assert model.encoded == 0 and set(taken) == set(computed) == set(sentences)
    assert all(float(np.dot(taken[s], computed[s])) > 0.99 for s in sentences)


def test_a_replica_that_loses_its_data_dir_loses_nothing(replica: Replica, tmp_path: Path) -> None:
    worker = replica("ingest")
    _ingest(worker, ["orne-crt.pdf", "orne-suicide.pdf"])
    serving = replica("serving")
    expected = _seen(serving, QUERY)
    del serving
    shutil.rmtree(tmp_path / "serving")
    again = replica("serving")
    assert _seen(again, QUERY) == expected and len(again.documents()) == 2
    assert again.repair_report == dict.fromkeys(again.repair_report, 0)


def test_two_writers_on_two_machines_take_turns(replica: Replica) -> None:
    a, b = replica("a"), replica("b")
    with a.batch():
        a.add_document(*ars_corpus.document("orne-crt.pdf"))
        with pytest.raises(UserError, match="autre ingestion est en cours sur le serveur Chroma"):
            b.add_document(*ars_corpus.document("orne-suicide.pdf"))
    # once the first is done, the second writes, and both see the two documents
    assert b.add_document(*ars_corpus.document("orne-suicide.pdf"))
    for index in (a, b):
        index.search(QUERY, 1)
        assert sorted(r.source for r in index.documents()) == ["orne-crt.pdf", "orne-suicide.pdf"]
    assert a.status()["chunks"] == sum(r.chunks for r in a.documents())
