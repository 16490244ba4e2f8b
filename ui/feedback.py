"""The handlers of feedback on answers: a thumb up or down stored at once, then an optional comment."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.feedback import Rating
from assistant.models import Answer
from ui.agents import agent_of
from ui.chat import Turns
from ui.services import Services


class FeedbackHandlers:
    """Ratings and comments of the chat's answers, kept in the feedback store."""

    def __init__(self, services: Services) -> None:
        self.s = services

    def like(
        self, turns: Turns | None, conversation_id: str | None, data: gr.LikeData, request: gr.Request
    ) -> tuple[Any, ...]:
        """Store a thumb up/down at once (tied to the turn of the saved conversation); a thumb down opens the
        comment box."""
        turns = list(turns or [])
        index = data.index if isinstance(data.index, int) else data.index[0]
        number = index // 2  # each turn is one question and one answer message
        if not 0 <= number < len(turns):
            return turns, None, gr.update(visible=False), ""
        turn = dict(turns[number])
        rating: Rating | None = "up" if data.liked is True else "down" if data.liked is False else None
        position = turn.get("position")
        if rating is None:  # the thumb was clicked again: the rating is withdrawn
            turns[number] = {**turn, "rating": None}
            self._tie(request, conversation_id, position, turn["feedback_id"], None)
            return turns, None, gr.update(visible=False), ""
        answer: Answer = turn["answer"]
        if turn["feedback_id"] and self.s.feedback.update(turn["feedback_id"], rating=rating):
            feedback_id = turn["feedback_id"]
        else:
            feedback_id = self.s.feedback.add(
                answer.question, answer.text, answer.citations, rating, user=getattr(request, "username", None),
                conversation=conversation_id if position is not None else None, turn=position,
            )
        turns[number] = {**turn, "feedback_id": feedback_id, "rating": rating}
        self._tie(request, conversation_id, position, feedback_id, rating)
        thanks = "Merci pour votre retour." if rating == "up" else "Merci : ce retour servira à améliorer l'assistant."
        return turns, feedback_id, gr.update(visible=True), f"{thanks} Vous pouvez ajouter un commentaire."

    def _tie(self, request: gr.Request, conversation_id: str | None, position: int | None,
             feedback_id: str | None, rating: Rating | None) -> None:
        if self.s.conversations is not None and conversation_id and position is not None:
            self.s.conversations.set_feedback(agent_of(request), conversation_id, position, feedback_id, rating)

    def comment(self, feedback_id: str | None, text: str) -> tuple[Any, ...]:
        """Attach the comment to the last rated answer."""
        if not feedback_id:
            return gr.update(), "Cliquez d'abord sur « J'aime » ou « Je n'aime pas » sous une réponse.", gr.update()
        if not (text or "").strip():
            return gr.update(), "Le commentaire est vide.", gr.update()
        self.s.feedback.update(feedback_id, comment=text)
        return "", "Commentaire enregistré, merci.", gr.update(visible=False)
