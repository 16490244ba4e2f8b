"""« Mes discussions » without a browser: each answer is saved in the signed-in agent's conversation, which that
agent alone can list, reopen (same answer, same sources), rename and delete."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import gradio as gr
import pytest
from test_chat import StreamingAssistant

from assistant.conversations import ConversationSummary, open_conversations
from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from ui.agents import LOCAL_AGENT, agent_of
from ui.chat import ChatHandlers
from ui.feedback import FeedbackHandlers
from ui.history import EMPTY_LIST, HistoryHandlers, grouped
from ui.services import Services

MARIE, PAUL = gr.Request(username="marie"), gr.Request(username="paul")


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path)
    return Services(
        assistant=cast(Any, StreamingAssistant()), library=cast(Any, None),
        feedback=FeedbackStore(tmp_path / "feedback.jsonl"), settings=settings,
        conversations=open_conversations(settings),
    )


def ask(chat: ChatHandlers, question: str, state: tuple[Any, ...] | None, request: gr.Request) -> tuple[Any, ...]:
    """The last step of an answer: (messages, turns, question box, feedback panel, conversation id)."""
    messages, turns, conversation_id = (state[0], state[1], state[4]) if state else ([], [], None)
    return list(chat.respond(question, messages, turns, conversation_id, request))[-1]


def listed_ids(listing: str) -> list[str]:
    """The conversations of the list, in its order."""
    return re.findall(r'<li class="discussion[^"]*" data-id="([0-9a-f]+)"', listing)


def click(action: str, conversation_id: str = "", title: str = "") -> gr.EventData:
    """A click in the list as the page sends it (ui.history.LIST_JS)."""
    return gr.EventData(None, {"action": action, "id": conversation_id, "title": title})


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
    listing = history.listing(conversation_id, MARIE)
    assert listed_ids(listing) == [conversation_id] and f'data-current="{conversation_id}"' in listing
    assert "<h3>Aujourd'hui</h3>" in listing and 'aria-current="true"' in listing
    assert 'aria-label="Renommer « combien ? »"' in listing and 'aria-label="Supprimer « combien ? »"' in listing
    # a reload: a new session, nothing in its state; the page's address names the conversation, which reopens
    shown, turns, opened, listing, status, _ = history.resume(conversation_id, MARIE)
    assert shown["value"] == second[0]  # the same messages, sources and their passages included
    assert "<mark>220 000 euros sur 3 ans.</mark>" in shown["value"][1]["content"]
    assert [t["question"] for t in turns] == ["combien ?", "et pour les jeunes ?"] and opened == conversation_id
    assert turns[0]["answer"] == second[1][0]["answer"] and status == ""
    assert history.act(None, click("open", conversation_id), MARIE)[:3] == (shown, turns, opened)
    # continued after reopening: the same conversation, its history sent to the assistant
    third = ask(chat, "et en 2026 ?", (shown["value"], turns, "", None, opened), MARIE)
    assert third[4] == conversation_id
    assert services.assistant.histories[-1] == ["combien ?", "et pour les jeunes ?"]  # type: ignore[attr-defined]


def test_a_page_load_creates_nothing_and_opens_nothing_it_should_not(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    for wanted in ("", "0" * 32, "pas-un-identifiant"):
        _, _, opened, listing, _, _ = history.resume(wanted, MARIE)
        assert opened is None and listed_ids(listing) == [] and EMPTY_LIST.split(" :")[0] in html.unescape(listing)
        assert "Tout supprimer" not in listing  # nothing to delete: no button
    assert services.conversations.conversations("marie") == []  # type: ignore[union-attr]


def test_another_agent_neither_lists_nor_opens_nor_deletes_it(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    maries = ask(chat, "combien ?", None, MARIE)[4]
    assert listed_ids(history.listing(maries, PAUL)) == [] and 'data-current=""' in history.listing(maries, PAUL)
    assert history.resume(maries, PAUL)[2] is None  # Marie's address pasted into Paul's browser
    assert history.act(None, click("open", maries), PAUL)[2] != maries
    history.act(maries, click("delete", maries), PAUL)
    history.act(None, click("rename", maries, "Piraté"), PAUL)
    history.act(None, click("delete_all"), PAUL)
    assert listed_ids(history.listing(None, MARIE)) == [maries] and "Piraté" not in history.listing(None, MARIE)
    # Paul's answers go to a conversation of his own even if Marie's id reached his session
    pauls = ask(chat, "et moi ?", ([], [], "", None, maries), PAUL)[4]
    assert pauls != maries and len(services.conversations.get("marie", maries).turns) == 1  # type: ignore[union-attr]


def test_rename_and_delete_one_conversation_from_its_line(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    kept = ask(chat, "combien ?", None, MARIE)[4]
    gone = ask(chat, "autre <b>sujet</b>", None, MARIE)[4]
    assert "autre &lt;b&gt;sujet&lt;/b&gt;" in history.listing(gone, MARIE)  # a title is text, never markup
    chat_update, _, _, listing, status, *_ = history.act(gone, click("rename", kept, "Plan crack"), MARIE)
    assert status == "Discussion renommée." and chat_update == gr.update()  # the open conversation stays open
    assert listed_ids(listing) == [gone, kept] and 'data-title="Plan crack"' in listing
    assert "vide" in history.act(gone, click("rename", kept, "  "), MARIE)[4]
    # deleting another conversation than the open one leaves the chat as it is
    chat_update, turns, conversation_id, listing, status, *_ = history.act(gone, click("delete", kept), MARIE)
    assert status == "Discussion supprimée." and chat_update == gr.update() and conversation_id == gr.update()
    assert listed_ids(listing) == [gone]
    # deleting the open one empties the chat, and its context with it
    chat_update, turns, conversation_id, listing, status, panel, comment, feedback = history.act(
        gone, click("delete", gone), MARIE)
    assert chat_update["value"] == [] and turns == [] and conversation_id is None and listed_ids(listing) == []
    assert history.act(None, click("delete", gone), MARIE)[4].startswith("Cette discussion n'existe plus")
    # a line left on screen after its conversation went (another tab): the open one stays open and marked
    kept_open = ask(chat, "encore ?", None, MARIE)[4]
    chat_update, _, conversation_id, listing, status, *_ = history.act(kept_open, click("open", gone), MARIE)
    assert chat_update == gr.update() and conversation_id == gr.update() and status.startswith("Cette discussion")
    assert f'data-current="{kept_open}"' in listing


def test_delete_all_asks_with_the_count_then_leaves_nothing(services: Services):
    chat = ChatHandlers(services)
    history = HistoryHandlers(services, chat)
    for question in ("un ?", "deux ?"):
        ask(chat, question, None, MARIE)
    ask(chat, "paul ?", None, PAUL)
    assert 'data-question="Supprimer vos 2 discussions ?' in history.listing(None, MARIE)
    chat_update, turns, conversation_id, listing, status, *_ = history.act(None, click("delete_all"), MARIE)
    assert status == "2 discussions supprimées." and listed_ids(listing) == [] and chat_update["value"] == []
    assert len(listed_ids(history.listing(None, PAUL))) == 1
    assert "Supprimer votre discussion ?" in history.listing(None, PAUL)


def test_conversations_are_grouped_by_day_in_paris_time():
    now = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    ages = {"a": timedelta(hours=1), "b": timedelta(hours=11, minutes=30),  # 23:30 UTC = 00:30 in Paris: today
            "c": timedelta(hours=12, minutes=30), "d": timedelta(days=3), "e": timedelta(days=30)}
    summaries = [ConversationSummary(k, k, now - age, now - age) for k, age in ages.items()]
    groups = [(name, [s.id for s in members]) for name, members in grouped(summaries, now)]
    assert groups == [("Aujourd'hui", ["a", "b"]), ("Hier", ["c"]), ("7 derniers jours", ["d"]),
                      ("Plus ancien", ["e"])]


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
