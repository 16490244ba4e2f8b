"""The chat handler without a browser: partial answers stream into the last message, the history is per session."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from assistant.feedback import FeedbackStore
from assistant.models import Answer, Citation
from assistant.settings import Settings
from ui.chat import ChatHandlers
from ui.services import Services

CITATION = Citation(
    n=1, source="note.pdf", title="Note", page=2, section="", excerpt="220 000 euros sur 3 ans.", score=1.0,
    chunk_id="c1",
)


class StreamingAssistant:
    """Stands in for a remote chat model: three partial answers, the last one with its citation."""

    def __init__(self) -> None:
        self.histories: list[list[str]] = []

    def ask_stream(self, question: str, history: Sequence[str] = ()) -> Iterator[Answer]:
        self.histories.append(list(history))
        yield Answer(question=question, text="220", mode="llm")
        yield Answer(question=question, text="220 000 euros", mode="llm")
        yield Answer(question=question, text="220 000 euros [1].", citations=(CITATION,), mode="llm")


def test_partial_answers_stream_in_and_the_last_one_shows_its_sources(tmp_path: Path):
    assistant = StreamingAssistant()
    services = Services(
        assistant=cast(Any, assistant), library=cast(Any, None), feedback=FeedbackStore(tmp_path / "f.jsonl"),
        settings=Settings(data_dir=tmp_path),
    )
    handlers = ChatHandlers(services)
    steps = list(handlers.respond("combien ?", [], []))
    shown = [messages[-1]["content"] for messages, *_ in steps]
    assert "Recherche dans les documents" in shown[0]
    cursor = '<span class="curseur" aria-hidden="true"> ▍</span>'
    assert f"<p>220{cursor}</p>" in shown[1] and f"<p>220 000 euros{cursor}</p>" in shown[2]
    assert "Sources" not in shown[3]
    assert "<mark>220 000 euros sur 3 ans.</mark>" in shown[-1] and "▍" not in shown[-1]
    messages, turns, box, _, _ = steps[-1]
    assert box == "" and [m["role"] for m in messages] == ["user", "assistant"]
    list(handlers.respond("et pour les jeunes ?", messages, turns))
    assert assistant.histories == [[], ["combien ?"]]
