"""The real corpus's splits are well-formed: every expected fact is in its documents, no page is in two splits
nor reserved, traps are about a quarter. The locked test split is only checked for form, never read for tuning."""

from __future__ import annotations

import json

import pytest

from eval.metrics import contains_fact, normalize
from eval.questions import load_questions
from eval.run import REAL_DIR, default_suites

SPLITS = ("dev", "dev-etendu", "test")
RESERVED = REAL_DIR.parents[2] / "shared" / "reserved-pages.txt"


def sources(split: str) -> list[dict[str, str]]:
    lines = (REAL_DIR / split / "sources.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize("split", SPLITS)
def test_every_question_of_a_split_holds_its_facts_in_its_documents(split: str) -> None:
    folder = REAL_DIR / split
    files = {s["file"] for s in sources(split)}
    assert files == {p.name for p in (folder / "docs").iterdir()}, split
    questions = load_questions(folder / "questions.jsonl")
    assert len({q.id for q in questions}) == len(questions)
    traps = [q for q in questions if q.refuse]
    assert 0.2 <= len(traps) / len(questions) <= 0.3, split
    texts = {name: normalize((folder / "docs" / name).read_text(encoding="utf-8")) for name in files}
    missing = []
    for q in questions:
        if q.refuse:
            assert not q.must_contain and q.source is None, q.id
            continue
        held = "\n".join(texts[source] for source, _ in q.passages)
        missing += [f"{q.id}: {fact}" for fact in q.must_contain if not contains_fact(held, fact, normalized=True)]
    assert not missing, missing[:10]


def test_no_page_is_in_two_splits_nor_reserved() -> None:
    seen: dict[str, str] = {}
    for split in SPLITS:
        for source in sources(split):
            url = source["url"].rstrip("/")
            assert url not in seen, f"{url}: {seen.get(url)} and {split}"
            seen[url] = split
    names = [source["file"] for split in SPLITS for source in sources(split)]
    assert len(names) == len(set(names))
    if RESERVED.is_file():  # ../shared beside the clone, as in CI
        reserved = {line.strip().rstrip("/") for line in RESERVED.read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.startswith("#")}
        assert not reserved & seen.keys()


def test_the_extended_dev_split_is_a_suite_of_its_own_outside_the_ci_gate() -> None:
    assert "reel-dev-etendu" not in {s.name for s in default_suites()}
    extended = {s.name: s for s in default_suites(extended=True)}
    assert len(load_questions(extended["reel-dev-etendu"].questions)) >= 2500
    assert len(sources("dev")) + len(sources("dev-etendu")) >= 300
