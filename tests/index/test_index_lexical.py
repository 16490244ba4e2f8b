"""The BM25 index on its own: persisted, one commit per batch, small commits for single documents,
readable after a crash and while it is being written."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import ars_corpus
import pytest

from index.fusion import fuse_rrf, fuse_scores
from index.lexical import LexicalIndex, chunk_tokens, fingerprint
from lang.tokens import tokens


def _loaded(directory: Path) -> LexicalIndex:
    lexical = LexicalIndex(directory)
    with lexical.batch():
        for _, chunks in ars_corpus.all_documents():
            lexical.add(chunks)
    return lexical


def _generation(directory: Path) -> int:
    return int(json.loads((directory / "state.json").read_text())["generation"])


def _same(found: list[tuple[str, float]], expected: list[tuple[str, float]]) -> bool:
    return [i for i, _ in found] == [i for i, _ in expected] and [s for _, s in found] == pytest.approx(
        [s for _, s in expected], rel=1e-5
    )


def _segments(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("seg-*"))


def test_a_batch_is_one_commit_and_survives_reopening(tmp_path: Path) -> None:
    lexical = _loaded(tmp_path)
    assert _generation(tmp_path) == 1
    reopened = LexicalIndex(tmp_path)
    assert reopened.ids() == lexical.ids()
    assert reopened.fingerprint == fingerprint(lexical.ids())
    assert reopened.search("CAARUD", 3) == lexical.search("CAARUD", 3)
    assert len(_segments(tmp_path)) == 1


def test_search_finds_amounts_however_written(tmp_path: Path) -> None:
    lexical = _loaded(tmp_path)
    record, chunks = ars_corpus.document("orne-plan-crack.pdf")
    expected = chunks[0].id
    for query in ["220 000 euros", "220000 €", "220 k€", "0,22 M€"]:
        assert lexical.search(query, 1)[0][0] == expected, query


def test_remove_documents_and_unknown_words(tmp_path: Path) -> None:
    lexical = _loaded(tmp_path)
    record, _ = ars_corpus.document("orne-plan-crack.pdf")
    lexical.remove_documents([record.doc_id])
    assert lexical.search("CAARUD", 5) == []
    assert lexical.search("mot inconnu xyzzy", 5) == []
    assert lexical.search("", 5) == []
    assert LexicalIndex(tmp_path).ids() == lexical.ids()


def test_the_documents_holding_a_word_anywhere(tmp_path: Path) -> None:
    lexical = _loaded(tmp_path)
    crack, _ = ars_corpus.document("orne-plan-crack.pdf")
    holding = lexical.documents_holding(tokens("CAARUD Alençon xyzzy"))
    assert holding[tokens("CAARUD")[0]] == {crack.doc_id}
    assert crack.doc_id in holding[tokens("Alençon")[0]]
    assert holding["xyzzy"] == frozenset()
    # asked about some documents only, it answers for those only
    assert lexical.documents_holding(tokens("Alençon"), among=["autre"]) == {tokens("Alençon")[0]: frozenset()}
    caarud = tokens("CAARUD")[0]
    assert lexical.documents_holding([caarud], among=[crack.doc_id, "autre"]) == {caarud: {crack.doc_id}}
    lexical.remove_documents([crack.doc_id])  # a removed document holds nothing any more
    assert lexical.documents_holding(tokens("CAARUD")) == {tokens("CAARUD")[0]: frozenset()}


def test_empty_index(tmp_path: Path) -> None:
    lexical = LexicalIndex(tmp_path)
    assert lexical.search("santé", 5) == []
    lexical.rebuild([])
    assert LexicalIndex(tmp_path).fingerprint == fingerprint([])


def test_leftovers_of_a_killed_commit_are_ignored_then_cleaned(tmp_path: Path) -> None:
    lexical = _loaded(tmp_path)
    half_written = tmp_path / f"seg-{_generation(tmp_path) + 1}-0"
    half_written.mkdir()
    (half_written / "meta.json").write_text("{ truncated")
    reopened = LexicalIndex(tmp_path)
    assert reopened.ids() == lexical.ids()
    record, chunks = ars_corpus.document("orne-crt.pdf", copy=1)
    reopened.add(chunks)  # its segment takes the name the killed commit had started to write
    assert LexicalIndex(tmp_path).ids() == reopened.ids() == sorted([*lexical.ids(), *(c.id for c in chunks)])
    reopened.remove_documents([record.doc_id])
    state = json.loads((tmp_path / "state.json").read_text())
    assert _segments(tmp_path) == sorted(s["name"] for s in state["segments"])  # nothing else left
    assert LexicalIndex(tmp_path).ids() == lexical.ids()


@pytest.mark.parametrize("damage", ["lost", "truncated", "old format"])
def test_damaged_files_read_as_empty_with_a_fingerprint_no_store_has(tmp_path: Path, damage: str) -> None:
    ids = _loaded(tmp_path).ids()
    [segment] = _segments(tmp_path)
    meta = tmp_path / segment / "meta.json"
    if damage == "lost":
        meta.unlink()
    elif damage == "truncated":
        meta.write_text(meta.read_text()[:100])
    else:  # an index written before segments: state.json without a format
        state = json.loads((tmp_path / "state.json").read_text())
        (tmp_path / "state.json").write_text(json.dumps({"generation": 1, "fingerprint": state["fingerprint"]}))
    reopened = LexicalIndex(tmp_path)
    assert reopened.ids() == []
    assert reopened.fingerprint not in (fingerprint(ids), fingerprint([]))


def test_one_document_at_a_time_gives_the_scores_of_one_batch(tmp_path: Path) -> None:
    whole = _loaded(tmp_path / "whole")
    incremental = LexicalIndex(tmp_path / "incremental")
    for _, chunks in ars_corpus.all_documents():
        incremental.add(chunks)  # one commit each: a small segment, no rebuild of what is there
    extra, extra_chunks = ars_corpus.document("orne-crt.pdf", copy=1)
    incremental.add(extra_chunks)
    incremental.remove_documents([extra.doc_id])
    assert len(_segments(tmp_path / "incremental")) < len(ars_corpus.DOCUMENTS)  # small segments were merged
    for query in ["CAARUD", "220 000 euros Drog'Aide", "santé mentale des Normands", "conseil territorial"]:
        assert _same(incremental.search(query, 10), whole.search(query, 10)), query
    assert incremental.fingerprint == whole.fingerprint == fingerprint(whole.ids())
    assert dict(incremental.frequencies()) == dict(whole.frequencies())


def test_scores_are_those_of_bm25s_over_the_same_tokens(tmp_path: Path) -> None:
    bm25s = pytest.importorskip("bm25s")
    lexical = _loaded(tmp_path)
    chunks = sorted((c for _, cs in ars_corpus.all_documents() for c in cs), key=lambda c: c.id)
    reference = bm25s.BM25()
    reference.index([chunk_tokens(c) for c in chunks], show_progress=False)
    for query in ["CAARUD", "220 000 euros", "santé mentale des Normands", "prévention prévention addictions"]:
        words = [t for t in tokens(query) if t in reference.vocab_dict]
        scores = reference.get_scores(words)
        expected = sorted(((float(s), c.id) for s, c in zip(scores, chunks, strict=True) if s > 0), reverse=True)
        assert _same(lexical.search(query, 5), [(i, s) for s, i in expected[:5]]), query


def test_searches_during_commits_see_the_index_before_or_after(tmp_path: Path) -> None:
    lexical = _loaded(tmp_path)
    record, chunks = ars_corpus.document("orne-plan-crack.pdf", copy=1)
    before = lexical.search("CAARUD", 5)
    lexical.add(chunks)
    after = lexical.search("CAARUD", 5)
    lexical.remove_documents([record.doc_id])
    seen: list[list[tuple[str, float]]] = []
    frequencies: set[int] = set()
    failures: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                seen.append(lexical.search("CAARUD", 5))
                frequencies.add(lexical.frequencies().total)
        except BaseException as exc:  # reported below: a thread's exception would be lost
            failures.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(15):
            lexical.add(chunks)
            lexical.remove_documents([record.doc_id])
    finally:
        stop.set()
        reader.join(10)
    assert not failures
    assert seen and all(found in (before, after) for found in seen)
    assert frequencies <= {len(lexical), len(lexical) + len(chunks)}
    with pytest.raises(TypeError):
        lexical.frequencies().counts["crack"] = 0  # type: ignore[index]


@pytest.mark.parametrize("fuse", ["scores", "rrf"])
def test_fusion_keeps_chunks_found_by_either_side(fuse: str) -> None:
    lexical = [("a", 9.0), ("b", 3.0)]
    dense = [("c", 0.9), ("a", 0.8), ("d", 0.7)]
    fused = fuse_scores(lexical, dense) if fuse == "scores" else fuse_rrf(lexical, dense)
    assert fused[0][0] == "a"  # first and second: beats first and absent
    assert {i for i, _ in fused} == {"a", "b", "c", "d"}
    assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)


def test_chunks_without_any_word_left(tmp_path: Path) -> None:
    record, chunks = ars_corpus.document("orne-prs.pdf")
    empty = [replace(c, text="- le la les -", title="", section="") for c in chunks]
    lexical = LexicalIndex(tmp_path)
    lexical.add(empty)
    assert lexical.search("le", 5) == [] and len(lexical) == 2
    assert LexicalIndex(tmp_path).search("santé", 5) == []
