"""The BM25 index on its own: persisted, one rebuild per batch, readable after a crash."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import ars_corpus
import pytest

from index.fusion import fuse_rrf, fuse_scores
from index.lexical import LexicalIndex, fingerprint


def _loaded(directory: Path) -> LexicalIndex:
    lexical = LexicalIndex(directory)
    with lexical.batch():
        for _, chunks in ars_corpus.all_documents():
            lexical.add(chunks)
    return lexical


def _generation(directory: Path) -> int:
    return int(json.loads((directory / "state.json").read_text())["generation"])


def test_a_batch_is_one_commit_and_survives_reopening(tmp_path: Path) -> None:
    lexical = _loaded(tmp_path)
    assert _generation(tmp_path) == 1
    reopened = LexicalIndex(tmp_path)
    assert reopened.ids() == lexical.ids()
    assert reopened.fingerprint == fingerprint(lexical.ids())
    assert reopened.search("CAARUD", 3) == lexical.search("CAARUD", 3)
    assert [p.name for p in tmp_path.glob("gen-*")] == ["gen-1"]


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


def test_empty_index(tmp_path: Path) -> None:
    lexical = LexicalIndex(tmp_path)
    assert lexical.search("santé", 5) == []
    lexical.rebuild([])
    assert LexicalIndex(tmp_path).fingerprint == fingerprint([])


def test_leftovers_of_a_killed_commit_are_ignored_then_cleaned(tmp_path: Path) -> None:
    lexical = _loaded(tmp_path)
    half_written = tmp_path / "gen-2"
    half_written.mkdir()
    (half_written / "corpus.json").write_text("{ truncated")
    reopened = LexicalIndex(tmp_path)
    assert reopened.ids() == lexical.ids()
    record, _ = ars_corpus.document("orne-crt.pdf")
    reopened.remove_documents([record.doc_id])
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == ["gen-2"]
    assert json.loads((half_written / "corpus.json").read_text())["ids"] == reopened.ids()


@pytest.mark.parametrize("damage", ["lost", "truncated"])
def test_damaged_generation_reads_as_empty_with_a_fingerprint_no_store_has(tmp_path: Path, damage: str) -> None:
    ids = _loaded(tmp_path).ids()
    corpus = tmp_path / "gen-1" / "corpus.json"
    if damage == "lost":
        corpus.unlink()
    else:
        corpus.write_text(corpus.read_text()[:100])
    reopened = LexicalIndex(tmp_path)
    assert reopened.ids() == []
    assert reopened.fingerprint not in (fingerprint(ids), fingerprint([]))


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
