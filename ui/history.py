"""« Mes discussions »: the signed-in agent's saved conversations, reopened, renamed, deleted.

The agent is the signed-in user's name (Gradio's login or OpenID Connect); without a login every conversation
belongs to one local agent. Handlers read and change that agent's conversations only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.conversations import ConversationStore, ConversationSummary
from ingest.plural import counted
from ui.agents import agent_of
from ui.chat import ChatHandlers
from ui.render import format_date
from ui.services import Services

LABEL_CHARS = 70
EMPTY_LIST = "Aucune discussion enregistrée pour l'instant : vos questions et leurs réponses s'afficheront ici."

# Gradio's sidebar covers the whole width of a narrow screen: there it starts closed and closes once a
# conversation is picked. Its toggle gets a French name.
SIDEBAR_JS = """() => {
  const toggle = document.querySelector("#mes-discussions .toggle-button");
  if (toggle) { toggle.setAttribute("aria-label", "Mes discussions"); }
  return {__type__: "update", open: window.innerWidth > 900};
}"""
SIDEBAR_GIVES_WAY_JS = "() => (window.innerWidth > 900 ? {__type__: 'update'} : {__type__: 'update', open: false})"


def _hidden() -> Any:
    return gr.update(visible=False)


def label(summary: ConversationSummary) -> str:
    """A conversation as listed: its title (cut) and when it was last continued."""
    title = summary.title if len(summary.title) <= LABEL_CHARS else summary.title[: LABEL_CHARS - 1] + "…"
    return f"{title} · {format_date(summary.updated.isoformat())}"


@dataclass(frozen=True)
class HistoryView:
    """The sidebar's components, for app.py to wire."""

    sidebar: gr.Sidebar
    picker: gr.Radio
    empty: gr.Markdown
    title: gr.Textbox
    rename: gr.Button
    delete: gr.Button
    delete_all: gr.Button
    confirm_panel: gr.Group
    confirm_text: gr.Markdown
    confirm: gr.Button
    confirm_all: gr.Button
    cancel: gr.Button
    status: gr.Markdown


def history_sidebar() -> HistoryView:
    """The « Mes discussions » sidebar, closed at first: opened on a wide screen by the page (app.py), on a phone
    by its toggle, so that it never covers the chat unasked."""
    with gr.Sidebar(label="Mes discussions", open=False, width=300, elem_id="mes-discussions") as sidebar:
        gr.Markdown("## Mes discussions", elem_id="titre-discussions")
        empty = gr.Markdown(EMPTY_LIST, elem_id="aucune-discussion")
        picker = gr.Radio(choices=[], value=None, label="Rouvrir une discussion", show_label=False, visible=False,
                          elem_id="liste-discussions", elem_classes="discussions")
        with gr.Group(elem_id="gestion-discussion"):
            title = gr.Textbox(label="Titre de la discussion ouverte", max_length=120, max_lines=1,
                               placeholder="Ouvrez ou commencez une discussion", elem_id="titre-discussion")
            with gr.Row():
                rename = gr.Button("Renommer", size="sm", min_width=80, elem_id="renommer")
                delete = gr.Button("Supprimer", size="sm", variant="stop", min_width=80, elem_id="supprimer")
        delete_all = gr.Button("Tout supprimer", size="sm", variant="stop", elem_id="tout-supprimer")
        with gr.Group(visible=False, elem_id="confirmation-discussions") as confirm_panel:
            confirm_text = gr.Markdown("")
            with gr.Row():
                confirm = gr.Button("Oui, supprimer", variant="stop", size="sm", visible=False,
                                    elem_id="confirmer-suppression")
                confirm_all = gr.Button("Oui, tout supprimer", variant="stop", size="sm", visible=False,
                                        elem_id="confirmer-tout")
                cancel = gr.Button("Annuler", size="sm", elem_id="annuler-suppression")
        status = gr.Markdown("", elem_id="statut-discussions")
        gr.Markdown(
            "Vos discussions ne sont visibles que par vous. Elles sont effacées après une période sans activité "
            "fixée par l'administrateur ; « Tout supprimer » les efface toutes dès maintenant.",
            elem_classes="note",
        )
    return HistoryView(sidebar, picker, empty, title, rename, delete, delete_all, confirm_panel, confirm_text,
                       confirm, confirm_all, cancel, status)


class HistoryHandlers:
    """The sidebar's handlers; the open conversation's id comes in and goes out through gr.State."""

    def __init__(self, services: Services, chat: ChatHandlers) -> None:
        self.s, self.chat = services, chat

    @property
    def store(self) -> ConversationStore | None:
        return self.s.conversations

    def listing(self, current: str | None, request: gr.Request | None = None) -> tuple[Any, Any, Any]:
        """The agent's conversations, most recent first, the open one selected: (list, « none yet » note, title of
        the open one)."""
        summaries = self.store.conversations(agent_of(request)) if self.store is not None else []
        choices = [(label(s), s.id) for s in summaries]
        opened = next((s for s in summaries if s.id == current), None)
        picker = gr.update(choices=choices, value=opened.id if opened else None, visible=bool(summaries))
        return picker, gr.update(visible=not summaries), opened.title if opened else ""

    def open(self, conversation_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Reopen a conversation: (chat messages, turns, conversation id, title box, status, feedback panel)."""
        found = self.store.get(agent_of(request), conversation_id) if self.store and conversation_id else None
        if found is None:
            gr.Warning("Cette discussion n'existe plus (supprimée ou expirée).")
            return gr.update(), gr.update(), None, "", "", gr.update(visible=False)
        messages, turns = self.chat.replay(found.turns)
        thumbs = [{"up": "Like", "down": "Dislike"}.get(t["rating"] or "") for t in turns]
        chat = gr.update(value=messages, feedback_value=thumbs)
        return chat, turns, found.summary.id, found.summary.title, "", gr.update(visible=False)

    def rename(self, conversation_id: str | None, title: str, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Rename the open conversation: (list, « none yet » note, title box, status)."""
        if not conversation_id:
            return (gr.update(), gr.update(), gr.update(),
                    "Ouvrez d'abord une discussion dans la liste (ou posez une question).")
        if not (title or "").strip():
            return gr.update(), gr.update(), gr.update(), "Le titre est vide : écrivez-le puis « Renommer »."
        done = self.store is not None and self.store.rename(agent_of(request), conversation_id, title)
        status = "Discussion renommée." if done else "Cette discussion n'existe plus (supprimée ou expirée)."
        return *self.listing(conversation_id, request), status

    def ask_delete(self, conversation_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Ask before deleting the open conversation: (panel, its text, yes, yes-all, status)."""
        found = self.store.get(agent_of(request), conversation_id) if self.store and conversation_id else None
        if found is None:
            return _hidden(), "", _hidden(), _hidden(), "Ouvrez d'abord la discussion à supprimer dans la liste."
        text = f"Supprimer la discussion « {found.summary.title} » ? Elle sera effacée définitivement."
        return gr.update(visible=True), text, gr.update(visible=True), _hidden(), ""

    def ask_delete_all(self, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Ask before deleting all of the agent's conversations: (panel, its text, yes, yes-all, status)."""
        count = len(self.store.conversations(agent_of(request))) if self.store is not None else 0
        if not count:
            return _hidden(), "", _hidden(), _hidden(), "Aucune discussion à supprimer."
        text = ("Supprimer votre discussion ? Elle sera effacée définitivement, avec ses questions et ses réponses."
                if count == 1 else f"Supprimer vos {count} discussions ? Elles seront effacées définitivement, "
                "avec leurs questions et leurs réponses.")
        return gr.update(visible=True), text, _hidden(), gr.update(visible=True), ""

    def delete(self, conversation_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Delete the open conversation and start a new one: see _emptied."""
        done = bool(conversation_id) and self.store is not None and self.store.delete(agent_of(request),
                                                                                       str(conversation_id))
        return self._emptied("Discussion supprimée." if done else "Cette discussion n'existe plus.", request)

    def delete_all(self, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Delete every conversation of the agent and start a new one: see _emptied."""
        count = self.store.delete_all(agent_of(request)) if self.store is not None else 0
        return self._emptied(f"{counted(count, 'discussion supprimée', 'discussions supprimées')}.", request)

    def _emptied(self, status: str, request: gr.Request | None) -> tuple[Any, ...]:
        # (chat, turns, conversation id, list, « none yet » note, title box, confirmation panel, status)
        chat = gr.update(value=[], feedback_value=[])
        return chat, [], None, *self.listing(None, request), _hidden(), status

    def leave(self) -> tuple[Any, ...]:
        """A new conversation: none selected in the list, no title yet (list, title box, status)."""
        return gr.update(value=None), "", ""
