"""« Mes discussions » without a browser: each answer is saved in the signed-in agent's conversation, which that
agent alone can list, reopen (same answer, same sources), rename and delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import gradio as gr
import pytest
from test_chat import Shelf, StreamingAssistant

from assistant.conversations import open_conversations
from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from ui.agents import LOCAL_AGENT, agent_of
from ui.chat import ChatHandlers
from ui.feedback import FeedbackHandlers
from ui.history import HistoryHandlers
from ui.services import Services

MARIE, PAUL = gr.Request(username="marie"), gr.Request(username="paul")


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path)
    return Services(
        assistant=cast(Any, StreamingAssistant()), library=cast(Any, Shelf()),
        feedback=FeedbackStore(tmp_path / "feedback.jsonl"), settings=settings,
        conversations=open_conversations(settings),
    )


def ask(chat: ChatHandlers, question: str, state: tuple[Any, ...] | None, request: gr.Request) -> tuple[Any, ...]:
    """The last step of an answer: (messages, turns, question box, feedback panel, conversation id)."""
    messages, turns, conversation_id = (state[0], state[1], state[4]) if state else ([], [], None)
    return list(chat.respond(question, messages, turns, conversation_id, request))[-1]


def choices(update: dict[str, Any]) -> list[tuple[str, str]]:
    return [tuple(choice) for choice in update["choices"]]


def test_the_agent_is_the_signed_in_user_or_the_local_agent():
    assert agent_of(MARIE) == "marie"
    assert agent_of(gr.Request()) == agent_of(None) == LOCAL_AGENT


def test_an_answered_conversation_is_listed_and_reopens_as_it_was_shown(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    first = ask(chat, "combien ?", None, MARIE)
    second = ask(chat, "et pour les jeunes ?", first, MARIE)
    conversation_id = second[4]
    assert conversation_id and conversation_id == first[4]
    listed, empty, title = history.listing(conversation_id, MARIE)
    [(label, value)] = choices(listed)
    assert value == conversation_id and label.startswith("combien ? · ") and listed["value"] == conversation_id
    assert empty["visible"] is False and title == "combien ?"
    # a reload: a new session, nothing in its state, the conversation picked from the list
    shown, turns, opened, title, _, _ = history.open(conversation_id, MARIE)
    assert shown["value"] == second[0]  # the same messages, sources and their passages included
    assert "<mark>220 000 euros sur 3 ans.</mark>" in shown["value"][1]["content"]
    assert [t["question"] for t in turns] == ["combien ?", "et pour les jeunes ?"] and opened == conversation_id
    assert turns[0]["answer"] == second[1][0]["answer"]
    # continued after reopening: the same conversation, its history sent to the assistant
    third = ask(chat, "et en 2026 ?", (shown["value"], turns, "", None, opened), MARIE)
    assert third[4] == conversation_id
    assert services.assistant.histories[-1] == ["combien ?", "et pour les jeunes ?"]  # type: ignore[attr-defined]


def test_another_agent_neither_lists_nor_opens_nor_deletes_it(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    maries = ask(chat, "combien ?", None, MARIE)[4]
    listed, empty, _ = history.listing(maries, PAUL)
    assert choices(listed) == [] and listed["value"] is None and empty["visible"] is True
    assert history.open(maries, PAUL)[2] is None
    history.delete(maries, PAUL)
    history.delete_all(PAUL)
    assert [value for _, value in choices(history.listing(None, MARIE)[0])] == [maries]
    # Paul's answers go to a conversation of his own even if Marie's id reached his session
    pauls = ask(chat, "et moi ?", ([], [], "", None, maries), PAUL)[4]
    assert pauls != maries and len(services.conversations.get("marie", maries).turns) == 1  # type: ignore[union-attr]


def test_rename_then_delete_after_confirmation(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    kept = ask(chat, "combien ?", None, MARIE)[4]
    gone = ask(chat, "autre sujet", None, MARIE)[4]
    listed, _, title, status = history.rename(kept, "Plan crack", MARIE)
    assert status == "Discussion renommée." and title == "Plan crack"
    assert choices(listed)[1][0].startswith("Plan crack · ")  # most recent first: « autre sujet » leads
    assert "vide" in history.rename(kept, "  ", MARIE)[3]
    assert history.ask_delete(gone, PAUL)[4].startswith("Ouvrez d'abord")  # not Paul's
    panel, text, yes, yes_all, _ = history.ask_delete(gone, MARIE)
    assert panel["visible"] and "« autre sujet »" in text and yes["visible"] and not yes_all["visible"]
    chat_update, turns, conversation_id, listed, *_ = history.delete(gone, MARIE)
    assert chat_update["value"] == [] and turns == [] and conversation_id is None
    assert [value for _, value in choices(listed)] == [kept]


def test_delete_all_asks_with_the_count_then_leaves_nothing(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    for question in ("un ?", "deux ?"):
        ask(chat, question, None, MARIE)
    ask(chat, "paul ?", None, PAUL)
    panel, text, yes, yes_all, _ = history.ask_delete_all(MARIE)
    assert panel["visible"] and "vos 2 discussions ?" in text and yes_all["visible"] and not yes["visible"]
    *_, listed, empty, title, panel, status = history.delete_all(MARIE)
    assert status == "2 discussions supprimées." and choices(listed) == [] and empty["visible"]
    assert len(choices(history.listing(None, PAUL)[0])) == 1
    assert history.ask_delete_all(MARIE)[4] == "Aucune discussion à supprimer."


def test_a_rating_carries_the_conversation_and_comes_back_on_reopening(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    messages, turns, _, _, conversation_id = ask(chat, "combien ?", None, MARIE)
    liked = gr.LikeData(None, {"index": 1, "value": messages[1]["content"], "liked": False})
    turns, feedback_id, panel, _ = FeedbackHandlers(services).like(turns, conversation_id, liked, MARIE)
    [record] = services.feedback.records()
    assert record["id"] == feedback_id and record["conversation"] == conversation_id and record["turn"] == 0
    assert record["user"] == "marie" and record["rating"] == "down" and panel["visible"]
    shown, turns, *_ = history.open(conversation_id, MARIE)
    assert shown["feedback_value"] == ["Dislike"] and turns[0]["feedback_id"] == feedback_id
