"""The Discussion tab's handlers: an answer streamed into the chat (and saved in the agent's conversation),
a new conversation, copies to the clipboard.

Everything about one conversation comes in and goes out through gr.State: the handlers are shared by all sessions.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

from assistant.conversations import StoredTurn
from assistant.models import Answer
from ui.agents import agent_of
from ui.render import PENDING, answer_markdown, literal
from ui.services import Services

log = logging.getLogger(__name__)

ERROR_TEXT = (
    "Une erreur inattendue a empêché de répondre. Réessayez ; si elle se répète, prévenez "
    "l'administrateur (le détail est dans le journal du serveur)."
)
Messages = list[dict[str, Any]]
# per session: {"question", "answer": Answer, "feedback_id", "rating", "position": its place in the saved
# conversation, None when it was not saved}
Turns = list[dict[str, Any]]
SAVE_FAILED = "La réponse s'affiche mais n'a pas pu être enregistrée dans « Mes discussions » (voir le journal)."


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _user_message(text: str) -> dict[str, Any]:
    return {"role": "user", "content": literal(text)}


def _bot_message(content: str) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


class ChatHandlers:
    """The chat's event handlers; every per-conversation value comes in and goes out through gr.State."""

    def __init__(self, services: Services) -> None:
        self.s = services

    def respond(
        self,
        question: str,
        messages: Messages | None,
        turns: Turns | None,
        conversation_id: str | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer to `question`; yields (chat messages, turns, question box, feedback panel,
        conversation id). The answer is saved in the agent's conversation (created at its first question).

        Each step yields new lists: a step already handed out is never changed by the next one.
        """
        messages, turns = list(messages or []), list(turns or [])
        question = (question or "").strip()
        hide = gr.update(visible=False)
        if not question:
            yield [*messages], [*turns], "", gr.update(), conversation_id
            return
        messages += [_user_message(question), _bot_message(PENDING)]
        yield [*messages], [*turns], "", hide, conversation_id
        history = [t["question"] for t in turns]
        final: Answer | None = None
        try:
            for partial in self.s.assistant.ask_stream(question, history):
                final = partial
                messages[-1] = _bot_message(answer_markdown(partial, pending=True))
                yield [*messages], [*turns], "", hide, conversation_id
            if final is None:
                raise RuntimeError("ask_stream yielded nothing")
            messages[-1] = _bot_message(self._shown(final))
        except Exception:
            log.exception("answering %r failed", question)
            messages[-1] = _bot_message(f'<div class="refus" role="alert"><p>{_esc(ERROR_TEXT)}</p></div>')
            final = Answer(question=question, text=ERROR_TEXT, refused=True)
            turns.append({"question": question, "answer": final, "feedback_id": None, "rating": None, "position": None})
            yield [*messages], [*turns], "", hide, conversation_id  # a failure is not kept in the conversation
            return
        conversation_id, position = self._save(question, final, conversation_id, request)
        turns.append({"question": question, "answer": final, "feedback_id": None, "rating": None, "position": position})
        yield [*messages], [*turns], "", hide, conversation_id

    def _shown(self, answer: Answer) -> str:
        """An answer as the chat shows it."""
        return answer_markdown(answer)

    def _save(self, question: str, answer: Answer, conversation_id: str | None,
              request: gr.Request | None) -> tuple[str | None, int | None]:
        """(conversation id, position) of the answer saved in the agent's conversation; unchanged if not saved."""
        if self.s.conversations is None:
            return conversation_id, None
        try:
            return self.s.conversations.append(agent_of(request), conversation_id, question, answer)
        except Exception:  # the answer was given: losing its copy in the history must not hide it
            log.exception("saving the answer to %r in the conversation history failed", question)
            gr.Warning(SAVE_FAILED)
            return conversation_id, None

    def replay(self, stored: Sequence[StoredTurn]) -> tuple[Messages, Turns]:
        """A saved conversation as the chat shows it: (chat messages, turns)."""
        messages: Messages = []
        turns: Turns = []
        for turn in stored:
            messages += [_user_message(turn.question), _bot_message(self._shown(turn.answer))]
            turns.append({"question": turn.question, "answer": turn.answer, "feedback_id": turn.feedback_id,
                          "rating": turn.rating, "position": turn.position})
        return messages, turns

    def clear(self) -> tuple[Any, ...]:
        """A new conversation (saved at its first answer): (chat, turns, feedback id, feedback panel, comment status,
        conversation id)."""
        return gr.update(value=[], feedback_value=[]), [], None, gr.update(visible=False), "", None

    def copy_last(self, turns: Turns | None) -> str:
        """The last answer with its sources as plain text, for the clipboard."""
        if not turns:
            gr.Warning("Aucune réponse à copier pour l'instant.")
            return ""
        gr.Info("Réponse copiée dans le presse-papiers.")
        return turns[-1]["answer"].with_sources()

    def copy_all(self, turns: Turns | None) -> str:
        """The whole conversation as plain text, for the clipboard."""
        if not turns:
            gr.Warning("Aucune réponse à copier pour l'instant.")
            return ""
        gr.Info("Discussion copiée dans le presse-papiers.")
        return "\n\n".join(f"Question : {t['question']}\n{t['answer'].with_sources()}" for t in turns or [])
