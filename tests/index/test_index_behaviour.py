"""What a user of the index notices: incremental ingest, replacement, removal, search quality, errors.

Each test runs on the embedded Chroma and, marked integration, on a real Chroma server. The index runs on the fake
embedding model (tests/fake_embeddings.py) except where the test is about search quality, which is the real e5's.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from pathlib import Path

import ars_corpus
import pytest
from fake_embeddings import HashedNgramEmbeddings

from index.embeddings import E5Embeddings
from index.index import Index
from index.models import Hit
from ingest.errors import UserError
from lang.sentences import chunk_sentences
from lang.tokens import tokens

OpenIndex = Callable[..., Index]  # the `open_index` fixture (conftest.py)


def _ingest(index: Index, sources: Sequence[str] | None = None) -> None:
    with index.batch():
        for source in sources or list(ars_corpus.DOCUMENTS):
            index.add_document(*ars_corpus.document(source))


def _total_chunks() -> int:
    return sum(len(passages) for _, passages in ars_corpus.DOCUMENTS.values())


def _agree(index: Index) -> list[str]:
    ids = index.chunk_ids()
    assert ids["dense"] == ids["lexical"]
    return ids["dense"]


def test_readding_an_unchanged_document_does_nothing(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)
    before = index.documents()
    record, chunks = ars_corpus.document("orne-crt.pdf")
    assert index.add_document(record, chunks) is False
    reopened = open_index()
    assert reopened.add_document(record, chunks) is False
    assert reopened.documents() == before  # same ingestion dates: nothing was rewritten
    assert reopened.status()["chunks"] == _total_chunks()


def test_a_changed_document_replaces_its_chunks(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)
    old_record, old_chunks = ars_corpus.document("orne-maison-femmes.pdf")
    new_text = "En 2025, 80 000 euros financent la coordination de la maison des femmes."
    new_record, new_chunks = ars_corpus.document("orne-maison-femmes.pdf", edit=new_text)
    assert index.add_document(new_record, new_chunks) is True
    assert [r.doc_id for r in index.documents() if r.source == "orne-maison-femmes.pdf"] == [new_record.doc_id]
    ids = _agree(index)
    assert len(ids) == _total_chunks()
    assert not any(i.startswith(old_record.doc_id) for i in ids)
    # The old passage ("50 000 euros ... ingénierie") is gone, the new one is found.
    assert not any("ingénierie" in h.chunk.text for h in index.search("ingénierie maison des femmes", 5))
    assert index.search_lexical("80 k€ coordination", 1)[0].chunk.text == new_text


def test_a_new_version_of_a_file_encodes_only_its_changed_passages(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)

    def encoded() -> int:  # passages run through the encoder (sentence vectors for answers are counted apart)
        return index.encoder_counts["encoded"]

    assert encoded() == _total_chunks()
    new_record, new_chunks = ars_corpus.document("orne-crt.pdf", edit="Version de 2025 : 4 centres de ressources.")
    assert index.add_document(new_record, new_chunks) is True
    assert encoded() == _total_chunks() + 1  # the edited passage; the others' vectors are reused
    assert index.search_dense("centres de ressources territoriaux", 1)[0].chunk.doc_id == new_record.doc_id
    copy_record, copy_chunks = ars_corpus.document("orne-prs.pdf", copy=2)  # same texts under another name
    assert index.add_documents([(copy_record, copy_chunks, None)]) == [True]
    assert encoded() == _total_chunks() + 1
    # the sentences of the passages have their vectors for answers, and a copy's are not encoded again
    sentences = [s for c in copy_chunks for s in chunk_sentences(c.text)]
    assert len(index.sentence_vectors(sentences)) == len(set(sentences))


def test_several_documents_in_one_write_and_two_versions_of_a_file(open_index: OpenIndex) -> None:
    index = open_index()
    first, first_chunks = ars_corpus.document("orne-crt.pdf")
    second, second_chunks = ars_corpus.document("orne-crt.pdf", edit="Seconde version du bilan des CRT.")
    other, other_chunks = ars_corpus.document("orne-prs.pdf")
    added = index.add_documents([(first, first_chunks, None), (other, other_chunks, None),
                                 (second, second_chunks, None), (other, other_chunks, None)])
    assert added == [True, True, True, False]
    assert sorted(r.doc_id for r in index.documents()) == sorted([second.doc_id, other.doc_id])
    assert len(_agree(index)) == len(second_chunks) + len(other_chunks)
    assert open_index().documents() == index.documents()


def test_remove_by_source_or_doc_id_and_prune(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)
    crack, _ = ars_corpus.document("orne-plan-crack.pdf")
    assert [r.doc_id for r in index.remove("orne-plan-crack.pdf")] == [crack.doc_id]
    assert index.search_lexical("CAARUD", 5) == []
    crt, _ = ars_corpus.document("orne-crt.pdf")
    assert [r.source for r in index.remove(crt.doc_id)] == ["orne-crt.pdf"]
    assert index.remove("absent.pdf") == []

    kept = ["orne-suicide.pdf", "orne-prs.pdf"]
    gone = index.prune(kept)
    assert {r.source for r in gone} == set(ars_corpus.DOCUMENTS) - set(kept) - {"orne-plan-crack.pdf", "orne-crt.pdf"}
    assert sorted(r.source for r in index.documents()) == sorted(kept)
    expected = sum(len(ars_corpus.DOCUMENTS[s][1]) for s in kept)
    assert len(_agree(index)) == expected == open_index().status()["chunks"]


def test_reset_empties_the_index(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)
    index.reset()
    assert index.documents() == [] and index.search("santé", 5) == []
    assert open_index().status()["chunks"] == 0


class OtherModel(HashedNgramEmbeddings):
    """The same engine under another name: what matters here is that the names differ."""

    model_name = "autre/modele-d-embeddings"


def test_another_embedding_model_is_refused_until_reset(
    open_index: OpenIndex, fake_embeddings: HashedNgramEmbeddings
) -> None:
    _ingest(open_index(), ["orne-crt.pdf"])
    with pytest.raises(UserError) as error:
        open_index(embeddings=OtherModel())
    message = str(error.value)
    assert "--reset" in message and fake_embeddings.model_name in message and "\n" not in message
    assert open_index().status()["documents"] == 1  # refused before touching anything

    index = open_index(embeddings=OtherModel(), reset=True)
    assert index.status()["documents"] == 0
    assert index.status()["embedding_model"] == OtherModel.model_name
    _ingest(index, ["orne-crt.pdf"])
    assert open_index(embeddings=OtherModel()).status()["chunks"] == 3


def test_chunks_without_their_manifest_are_refused_not_deleted(open_index: OpenIndex, tmp_path: Path) -> None:
    index = open_index()
    _ingest(index, ["orne-crt.pdf"])
    Path(index.status()["data_dir"], "collections", index.collection, "manifest.json").unlink()
    if index.status()["store"] == "embedded":
        with pytest.raises(UserError, match="--reset"):
            open_index()
        return
    # with a server, the registry on the server is the truth and the manifest a copy: nothing is lost, from
    # this data dir or another machine's
    for data_dir in (None, tmp_path / "another-data-dir"):
        again = open_index(data_dir=data_dir)
        assert [r.source for r in again.documents()] == ["orne-crt.pdf"]
        assert again.search_lexical("centres de ressources territoriaux", 1)[0].chunk.source == "orne-crt.pdf"


def test_open_repairs_interrupted_writes(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index, ["orne-crt.pdf", "orne-suicide.pdf"])
    # Killed after writing Chroma, before the manifest: orphans.
    _, orphan_chunks = ars_corpus.document("orne-prs.pdf")
    index.state.chroma.add(orphan_chunks)
    # Killed halfway through deleting a document: an incomplete entry.
    suicide, suicide_chunks = ars_corpus.document("orne-suicide.pdf")
    index.state.chroma._collection.delete(ids=[suicide_chunks[0].id])

    reopened = open_index()
    assert [r.source for r in reopened.documents()] == ["orne-crt.pdf"]
    assert len(_agree(reopened)) == 3
    assert reopened.repair() == {
        "orphan_documents": 0,
        "orphan_chunks": 0,
        "dropped_documents": 0,
        "lexical_rebuilt": 0,
    }
    assert reopened.add_document(suicide, suicide_chunks) is True  # the next ingest redoes it
    assert len(_agree(reopened)) == 6


def test_lost_lexical_index_is_rebuilt_from_chroma(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)
    expected = index.search_lexical("Drog'Aide 61", 3)
    lexical_dir = Path(index.status()["data_dir"], "collections", index.collection, "lexical")
    for path in sorted(lexical_dir.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    reopened = open_index()
    assert reopened.search_lexical("Drog'Aide 61", 3) == expected
    assert len(_agree(reopened)) == _total_chunks()


def _keys(hits: list[Hit]) -> list[tuple[str, int]]:
    return [(h.chunk.source, h.chunk.position) for h in hits]


def test_accents_elisions_and_amounts_do_not_change_what_is_found(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)
    for variants in [
        ["Conseil territorial de santé", "conseil territorial de sante", "CONSEIL TERRITORIAL DE SANTE"],
        ["prévention des addictions à Alençon", "prevention des addictions a alencon"],
        ["l'accueil des usagers de drogue", "accueil usagers drogue"],
        ["enveloppe de 400 000 €", "enveloppe de 400000 euros", "enveloppe de 400 k€"],
    ]:
        lexical = [_keys(index.search_lexical(q, 5)) for q in variants]
        assert all(found == lexical[0] for found in lexical), variants
        assert lexical[0]
    crack_amount = ("orne-plan-crack.pdf", 0)
    for query in ["À quoi servent les 220 000 euros ?", "a quoi servent les 220000 euros", "220 k€ pour quoi ?"]:
        assert _keys(index.search(query, 5))[0] == crack_amount, query
        assert _keys(index.search_lexical(query, 5))[0] == crack_amount, query


def _recall_at_5(search: Callable[[str, int], list[Hit]]) -> float:
    found = sum(expected in _keys(search(q, 5)) for q, expected in ars_corpus.QUESTIONS)
    return found / len(ars_corpus.QUESTIONS)


@pytest.mark.slow  # about the real model's quality: e5 encodes the corpus, seconds of CPU
def test_hybrid_does_not_lose_to_either_search_alone(open_index: OpenIndex, e5: E5Embeddings) -> None:
    index = open_index(embeddings=e5, encode_sentences=False)  # sentence vectors serve answers, not this search
    _ingest(index)
    hybrid = _recall_at_5(index.search)
    assert hybrid >= max(_recall_at_5(index.search_lexical), _recall_at_5(index.search_dense))
    assert hybrid >= 0.9


def test_hits_are_ranked_from_one_with_decreasing_scores(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)
    for search in (index.search, index.search_lexical, index.search_dense):
        hits = search("santé mentale des Normands", 4)
        assert [h.rank for h in hits] == [1, 2, 3, 4]
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert len({h.chunk.id for h in hits}) == 4
    assert index.search("", 5) == [] and index.search("santé", 0) == []


def test_status_and_documents(open_index: OpenIndex, fake_embeddings: HashedNgramEmbeddings) -> None:
    index = open_index()
    _ingest(index, ["orne-crt.pdf", "cp-charte-attractivite.pdf"])
    status = index.status()
    assert status["documents"] == 2 and status["chunks"] == 6 and status["pages"] == 4 + 2
    assert status["embedding_model"] == fake_embeddings.model_name
    assert status["store"] == "embedded" or status["store"].startswith("server http://127.0.0.1:")
    records = index.documents()
    assert [r.source for r in records] == ["cp-charte-attractivite.pdf", "orne-crt.pdf"]
    assert all(r.chunks == 3 and r.model == fake_embeddings.model_name and r.ingested_at for r in records)


def test_one_writer_at_a_time_and_no_repair_under_a_running_ingest(open_index: OpenIndex) -> None:
    ingest = open_index()
    with ingest.batch():
        ingest.add_document(*ars_corpus.document("orne-crt.pdf"))
        # Chroma has the chunks, BM25 not yet: what `ars-assistant status` would see mid-ingest.
        other = open_index()
        assert other.repair_report == {}  # not "repaired" under the running ingest
        assert other.status()["documents"] == 1
        with pytest.raises(UserError, match="autre ingestion"):
            other.add_document(*ars_corpus.document("orne-prs.pdf"))
        with pytest.raises(UserError, match="autre ingestion"):
            open_index(reset=True)
        ingest.add_document(*ars_corpus.document("orne-suicide.pdf"))
    # Once the ingest is over the other process may write, and does so from the current state.
    assert other.add_document(*ars_corpus.document("orne-prs.pdf")) is True
    assert [r.source for r in other.documents()] == ["orne-crt.pdf", "orne-prs.pdf", "orne-suicide.pdf"]
    assert len(_agree(open_index())) == 3 + 2 + 3


def test_an_unreachable_server_is_a_user_error(tmp_path: Path, fake_embeddings: HashedNgramEmbeddings) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UserError, match=f"http://127.0.0.1:{port} ne répond pas"):
        Index(tmp_path, embeddings=fake_embeddings, chroma_host="127.0.0.1", chroma_port=port)


def test_a_document_without_text_is_recorded_once(open_index: OpenIndex) -> None:
    index = open_index()
    record, _ = ars_corpus.document("orne-prs.pdf", copy=7)  # e.g. a scanned PDF: no chunk
    assert index.add_document(record, []) is True
    assert open_index().add_document(record, []) is False
    assert [r.chunks for r in open_index().documents()] == [0]


def test_chunks_must_belong_to_the_record(open_index: OpenIndex) -> None:
    index = open_index()
    record, _ = ars_corpus.document("orne-prs.pdf")
    _, other_chunks = ars_corpus.document("orne-crt.pdf")
    with pytest.raises(ValueError, match="another document"):
        index.add_document(record, other_chunks)


def test_document_frequencies_count_chunks_per_token(open_index: OpenIndex) -> None:
    index = open_index()
    _ingest(index)
    frequencies = index.document_frequencies()
    assert frequencies.total == _total_chunks()
    [caarud] = tokens("CAARUD")
    [crack] = tokens("crack")
    assert frequencies[caarud] == 1 and frequencies.get("absent", 0) == 0
    assert frequencies[crack] == 4  # its title and headings count: all the crack document's chunks
    index.remove("orne-plan-crack.pdf")
    assert index.document_frequencies().get(caarud, 0) == 0
    assert open_index().document_frequencies().total == _total_chunks() - 4
