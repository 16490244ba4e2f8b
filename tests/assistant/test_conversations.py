"""The conversation store on real SQLite files: each agent sees only their own conversations, deleting is real,
old conversations go, a reopened answer is the answer that was given."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.conversations import ConversationStore, database_url, open_conversations
from assistant.models import Answer, Citation, Closest
from assistant.settings import Settings
from ingest.errors import UserError

CITATION = Citation(
    n=1, source="feuille-de-route.pdf", title="Feuille de route", page=4, section="Axe 2 — Prévention",
    excerpt="220 000 euros sur 3 ans.", score=0.8125, chunk_id="abc-4-2", page_end=5, ocr=True, date="2025-01",
)
ANSWER = Answer(
    question="combien pour le plan crack ?", text="Le plan prévoit 220 000 euros sur 3 ans [1].",
    citations=(CITATION,), mode="extractif", timings_ms={"total": 12.5}, notes=("Réponse extractive.",),
)


def store_in(tmp_path: Path, history_days: int = 0) -> ConversationStore:
    return open_conversations(Settings(data_dir=tmp_path, history_days=history_days))


def rows(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "conversations.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_the_default_database_is_a_sqlite_file_in_the_data_directory(tmp_path: Path):
    assert database_url(Settings(data_dir=tmp_path)) == f"sqlite:///{tmp_path.resolve()}/conversations.sqlite3"
    assert database_url(Settings(data_dir=tmp_path, database_url="postgresql+psycopg://u:p@h/ars")).startswith(
        "postgresql+psycopg://")
    store_in(tmp_path)
    assert (tmp_path / "conversations.sqlite3").is_file()


def test_a_reopened_conversation_shows_the_same_answers_and_citations(tmp_path: Path):
    store = store_in(tmp_path)
    conversation_id, first = store.append("marie", None, "combien pour le plan crack ?", ANSWER)
    near = Closest(document="Feuille de route", source="feuille-de-route.pdf", page=6, text="Le plan crack [...].",
                   chunk_id="d:6:1", score=0.4)
    refusal = Answer(question="et la météo ?", text="Je ne trouve pas.", refused=True,
                     related_documents=("feuille-de-route.pdf",), closest=(near,))
    same_id, second = store.append("marie", conversation_id, "et la météo ?", refusal)
    assert (same_id, first, second) == (conversation_id, 0, 1)
    reopened = store_in(tmp_path).get("marie", conversation_id)  # another process, same file
    assert reopened is not None
    assert [t.question for t in reopened.turns] == ["combien pour le plan crack ?", "et la météo ?"]
    assert reopened.turns[0].answer == ANSWER and reopened.turns[1].answer == refusal
    assert reopened.summary.title == "combien pour le plan crack ?"


def test_two_agents_never_see_each_others_conversations(tmp_path: Path):
    store = store_in(tmp_path)
    maries, _ = store.append("marie", None, "question de Marie", ANSWER)
    pauls, _ = store.append("paul", None, "question de Paul", ANSWER)
    assert [c.id for c in store.conversations("marie")] == [maries]
    assert [c.title for c in store.conversations("paul")] == ["question de Paul"]
    assert store.get("paul", maries) is None
    assert not store.rename("paul", maries, "volé") and not store.delete("paul", maries)
    assert not store.set_feedback("paul", maries, 0, "f1", "down")
    # Paul writing into Marie's conversation id starts a conversation of his own
    other, position = store.append("paul", maries, "intrus", ANSWER)
    assert other not in (maries, pauls) and position == 0
    assert [len(c.turns) for c in [store.get("marie", maries)] if c] == [1]
    assert store.delete_all("paul") == 2
    assert [c.title for c in store.conversations("marie")] == ["question de Marie"]


def test_the_list_is_most_recent_first_and_renaming_keeps_the_turns(tmp_path: Path):
    store = store_in(tmp_path)
    older, _ = store.append("marie", None, "première", ANSWER)
    newer, _ = store.append("marie", None, "deuxième", ANSWER)
    assert [c.id for c in store.conversations("marie")] == [newer, older]
    store.append("marie", older, "suite de la première", ANSWER)
    assert [c.id for c in store.conversations("marie")] == [older, newer]
    assert store.rename("marie", older, "  Plan   crack\n2025 ")
    assert not store.rename("marie", older, "   ")
    conversation = store.get("marie", older)
    assert conversation is not None and conversation.summary.title == "Plan crack 2025"
    assert len(conversation.turns) == 2


def test_delete_all_removes_every_row_of_the_agent_from_the_database(tmp_path: Path):
    store = store_in(tmp_path)
    for question in ("un", "deux", "trois"):
        conversation_id, _ = store.append("marie", None, question, ANSWER)
        store.append("marie", conversation_id, question + " bis", ANSWER)
    pauls, _ = store.append("paul", None, "question de Paul", ANSWER)
    assert store.delete_all("marie") == 3
    assert rows(tmp_path, "SELECT agent FROM conversations") == [("paul",)]
    assert rows(tmp_path, "SELECT conversation_id, question FROM turns") == [(pauls, "question de Paul")]
    assert store.delete("paul", pauls) and rows(tmp_path, "SELECT count(*) FROM turns") == [(0,)]


def test_feedback_is_kept_on_its_turn(tmp_path: Path):
    store = store_in(tmp_path)
    conversation_id, position = store.append("marie", None, "combien ?", ANSWER)
    assert store.set_feedback("marie", conversation_id, position, "f1", "down")
    conversation = store.get("marie", conversation_id)
    assert conversation is not None and (conversation.turns[0].feedback_id, conversation.turns[0].rating) == (
        "f1", "down")


def test_conversations_untouched_for_longer_than_the_retention_go(tmp_path: Path):
    store = store_in(tmp_path)
    old, _ = store.append("marie", None, "ancienne", ANSWER)
    recent, _ = store.append("paul", None, "récente", ANSWER)
    long_ago = (datetime.now(UTC) - timedelta(days=100)).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(tmp_path / "conversations.sqlite3") as db:
        db.execute("UPDATE conversations SET updated = ?, created = ? WHERE id = ?", (long_ago, long_ago, old))
    assert store_in(tmp_path, history_days=0).get("marie", old) is not None  # 0: kept forever
    store_in(tmp_path, history_days=90)  # a start-up purges
    assert rows(tmp_path, "SELECT id FROM conversations") == [(recent,)]
    assert rows(tmp_path, "SELECT count(*) FROM turns") == [(1,)]
    assert store.purge(30, now=datetime.now(UTC) + timedelta(days=31)) == 1
    assert rows(tmp_path, "SELECT count(*) FROM conversations") == [(0,)]


def test_a_bad_database_url_is_a_french_error_without_the_password(tmp_path: Path):
    with pytest.raises(UserError) as bad:
        open_conversations(Settings(data_dir=tmp_path, database_url="pas une url"))
    assert "ARS_DATABASE_URL" in str(bad.value)
    with pytest.raises(UserError) as driver:
        open_conversations(Settings(data_dir=tmp_path, database_url="nosuchdb://u:secret@h/ars"))
    assert "psycopg" in str(driver.value) and "secret" not in str(driver.value)


def test_answers_saved_at_the_same_time_from_many_sessions_are_all_kept(tmp_path: Path):
    store = store_in(tmp_path)
    conversation_id, _ = store.append("marie", None, "début", ANSWER)

    def ask(number: int) -> int:
        return store.append("marie", conversation_id, f"question {number}", ANSWER)[1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        positions = sorted(pool.map(ask, range(40)))
    assert positions == list(range(1, 41))
    conversation = store.get("marie", conversation_id)
    assert conversation is not None and len(conversation.turns) == 41


def test_while_serving_a_write_purges_once_the_purge_is_due(tmp_path: Path):
    url = database_url(Settings(data_dir=tmp_path))
    daily = ConversationStore(url, history_days=90)  # purged at start-up: not again before a day
    always = ConversationStore(url, history_days=90, purge_every_s=0)  # as if a day passed before each write
    old, _ = daily.append("marie", None, "ancienne", ANSWER)
    long_ago = (datetime.now(UTC) - timedelta(days=100)).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(tmp_path / "conversations.sqlite3") as db:
        db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (long_ago, old))
    daily.append("paul", None, "récente", ANSWER)
    assert daily.get("marie", old) is not None
    always.append("paul", None, "encore une", ANSWER)
    assert daily.get("marie", old) is None
    assert [c.title for c in daily.conversations("paul")] == ["encore une", "récente"]
