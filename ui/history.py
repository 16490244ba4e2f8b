"""« Mes discussions »: the signed-in agent's saved conversations, grouped by date, each reopened, renamed or
deleted from its own line, as in the chat tools agents know.

The agent is the signed-in user's name (Gradio's login or OpenID Connect); without a login every conversation
belongs to one local agent. Handlers read and change that agent's conversations only.

A conversation is created by its first answer (ui/chat.py), never by a page load. The open conversation's id is
kept in the page's address (`?discussion=<id>`): a reload reopens it, so that the next question follows it up
instead of starting a duplicate.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import gradio as gr

from assistant.conversations import ConversationStore, ConversationSummary
from lang.plural import counted
from ui.agents import agent_of
from ui.chat import ChatHandlers
from ui.render import format_date
from ui.services import Services

LABEL_CHARS = 70
EMPTY_LIST = "Aucune discussion enregistrée pour l'instant : vos questions et leurs réponses s'afficheront ici."
GONE = "Cette discussion n'existe plus (supprimée ou expirée)."
URL_PARAMETER = "discussion"
TODAY, YESTERDAY, LAST_WEEK, OLDER = "Aujourd'hui", "Hier", "7 derniers jours", "Plus ancien"

# Gradio's sidebar covers the whole width of a narrow screen: there it starts closed and closes once a
# conversation is picked. Its toggle gets a French name.
SIDEBAR_JS = """() => {
  const toggle = document.querySelector("#mes-discussions .toggle-button");
  if (toggle) { toggle.setAttribute("aria-label", "Mes discussions"); }
  return {__type__: "update", open: window.innerWidth > 900};
}"""

# The conversation to reopen on page load: the one named in the page's address, if any.
WANTED_JS = f"""() => [new URLSearchParams(window.location.search).get("{URL_PARAMETER}") || ""]"""

# The list's behaviour in the page. Rename and delete are asked for in place, on the item's own line (a field for
# the new title; « Supprimer ? Oui / Annuler »), and only the answer goes to the server, as a click event carrying
# {action, id, title}. After each server update the page's address follows the open conversation (without a new
# history entry), so that a reload reopens it.
LIST_JS = f"""
const setAddress = () => {{
  const root = element.querySelector("[data-current]");
  if (!root) return;
  const address = new URL(window.location.href);
  if (root.dataset.current) address.searchParams.set("{URL_PARAMETER}", root.dataset.current);
  else address.searchParams.delete("{URL_PARAMETER}");
  if (address.href !== window.location.href) window.history.replaceState(window.history.state, "", address);
}};
watch("value", setAddress);
const button = (text, action, extra) => {{
  const b = document.createElement("button");
  b.type = "button"; b.textContent = text; b.dataset.action = action; b.className = extra || "";
  return b;
}};
const closeForms = () => {{
  element.querySelectorAll(".en-cours").forEach((e) => e.remove());
  for (const e of element.querySelectorAll("[data-hidden-by-form]")) {{
    e.hidden = false; delete e.dataset.hiddenByForm;
  }}
}};
const confirmBox = (anchor, text, yes, what) => {{
  closeForms();
  const box = document.createElement("div");
  box.className = "confirmation en-cours"; box.setAttribute("role", "alert");
  const p = document.createElement("p"); p.textContent = text; box.append(p);
  const yesButton = button(yes, "confirm", "danger"); yesButton.dataset.what = what;
  box.append(yesButton, button("Annuler", "cancel"));
  anchor.after(box);
  yesButton.focus();
}};
const renameForm = (item) => {{
  closeForms();
  const title = item.querySelector("[data-action=open]");
  const form = document.createElement("form");
  form.className = "renommer en-cours";
  const input = document.createElement("input");
  input.type = "text"; input.maxLength = 120; input.value = item.dataset.title;
  input.setAttribute("aria-label", "Nouveau titre de la discussion");
  form.append(input, button("Renommer", "save", "primaire"), button("Annuler", "cancel"));
  form.querySelector("[data-action=save]").type = "submit";
  form.addEventListener("submit", (event) => {{
    event.preventDefault();
    const text = input.value.trim();
    if (text) trigger("click", {{action: "rename", id: item.dataset.id, title: text}});
    closeForms();
  }});
  input.addEventListener("keydown", (event) => {{ if (event.key === "Escape") closeForms(); }});
  for (const e of item.querySelectorAll(".ligne")) {{ e.hidden = true; e.dataset.hiddenByForm = "1"; }}
  item.append(form);
  input.focus(); input.select();
}};
element.addEventListener("click", (event) => {{
  const clicked = event.target.closest("button[data-action]");
  if (!clicked || !element.contains(clicked)) return;
  const item = clicked.closest("[data-id]");
  const action = clicked.dataset.action;
  if (action === "open") {{
    trigger("click", {{action: "open", id: item.dataset.id}});
    const toggle = document.querySelector("#mes-discussions .toggle-button");
    if (window.innerWidth <= 900 && toggle) toggle.click();  /* on a phone the list gives way to the chat */
  }} else if (action === "rename") {{
    renameForm(item);
  }} else if (action === "delete") {{
    confirmBox(item.querySelector(".ligne"),
               "Supprimer « " + item.dataset.title + " » ? Elle sera effacée définitivement.", "Oui, supprimer",
               "delete:" + item.dataset.id);
  }} else if (action === "delete_all") {{
    confirmBox(clicked, clicked.dataset.question, "Oui, tout supprimer", "delete_all");
  }} else if (action === "cancel") {{
    closeForms();
  }} else if (action === "confirm") {{
    const [what, id] = clicked.dataset.what.split(":");
    trigger("click", {{action: what, id: id || ""}});
    closeForms();
  }}
}});
"""


# Drawn, not emoji: a machine without an emoji font shows 🗑 as an empty box.
PENCIL = (
    '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="16" height="16" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
    '<path d="M12 20h9"/><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"/></svg>'
)
BIN = (
    '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="16" height="16" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
    '<path d="M3 6h18"/><path d="M8 6V4h8v2"/><path d="M19 6l-1 14H6L5 6"/><path d="M10 11v6M14 11v6"/></svg>'
)


def _paris() -> tzinfo:
    """Paris time when the time zone database is there (as ui.render.format_date), else UTC."""
    with contextlib.suppress(KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("Europe/Paris")
    return UTC


def group_of(moment: datetime, today: date, zone: tzinfo | None = None) -> str:
    """The date group a conversation last continued at `moment` is listed under, seen from `today`."""
    day = moment.astimezone(zone or _paris()).date()
    if day >= today:
        return TODAY
    if day == today - timedelta(days=1):
        return YESTERDAY
    if day > today - timedelta(days=7):
        return LAST_WEEK
    return OLDER


def grouped(
    summaries: Sequence[ConversationSummary], now: datetime | None = None
) -> list[tuple[str, list[ConversationSummary]]]:
    """The conversations under their date groups, in the list's order (groups from the most recent)."""
    zone = _paris()
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    groups: dict[str, list[ConversationSummary]] = {}
    for summary in summaries:
        groups.setdefault(group_of(summary.updated, today, zone), []).append(summary)
    return [(name, groups[name]) for name in (TODAY, YESTERDAY, LAST_WEEK, OLDER) if name in groups]


def short_title(title: str) -> str:
    """A title as listed: cut to fit the sidebar."""
    return title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1] + "…"


def _item(summary: ConversationSummary, current: str | None) -> str:
    title, shown = html.escape(summary.title), html.escape(short_title(summary.title), quote=False)
    opened = ' aria-current="true"' if summary.id == current else ""
    when = html.escape(format_date(summary.updated.isoformat()))
    return (
        f'<li class="discussion{" ouverte" if opened else ""}" data-id="{html.escape(summary.id)}" '
        f'data-title="{title}"><div class="ligne">'
        f'<button type="button" class="titre" data-action="open"{opened} title="{title} · {when}">{shown}</button>'
        f'<button type="button" class="icone" data-action="rename" aria-label="Renommer « {title} »" '
        f'title="Renommer">{PENCIL}</button>'
        f'<button type="button" class="icone" data-action="delete" aria-label="Supprimer « {title} »" '
        f'title="Supprimer">{BIN}</button></div></li>'
    )


def list_html(summaries: Sequence[ConversationSummary], current: str | None, now: datetime | None = None) -> str:
    """The agent's conversations grouped by date, the open one marked, each with its rename and delete buttons,
    then « Tout supprimer » (when there is something to delete). `data-current` carries the open one's id."""
    shown = current if any(s.id == current for s in summaries) else None
    head = f'<div class="discussions" data-current="{html.escape(shown or "")}">'
    if not summaries:
        return f'{head}<p class="vide">{html.escape(EMPTY_LIST)}</p></div>'
    parts = [head]
    for name, members in grouped(summaries, now):
        items = "".join(_item(s, shown) for s in members)
        parts.append(f'<section class="groupe"><h3>{html.escape(name, quote=False)}</h3><ul>{items}</ul></section>')
    count = len(summaries)
    question = (
        "Supprimer votre discussion ? Elle sera effacée définitivement, avec ses questions et ses réponses."
        if count == 1
        else f"Supprimer vos {count} discussions ? Elles seront effacées définitivement, avec leurs questions "
        "et leurs réponses."
    )
    parts.append(
        '<div class="tout-supprimer"><button type="button" data-action="delete_all" '
        f'data-question="{html.escape(question)}">Tout supprimer</button></div></div>'
    )
    return "".join(parts)


@dataclass(frozen=True)
class HistoryView:
    """The sidebar's components, for app.py to wire."""

    sidebar: gr.Sidebar
    listing: gr.HTML
    status: gr.Markdown
    wanted: gr.Textbox  # the conversation named in the page's address, on its way to the server at page load


def history_sidebar() -> HistoryView:
    """The « Mes discussions » sidebar, closed at first: opened on a wide screen by the page (app.py), on a phone
    by its toggle, so that it never covers the chat unasked."""
    with gr.Sidebar(label="Mes discussions", open=False, width=300, elem_id="mes-discussions") as sidebar:
        gr.Markdown("## Mes discussions", elem_id="titre-discussions")
        listing = gr.HTML(list_html([], None), elem_id="liste-discussions", js_on_load=LIST_JS)
        status = gr.Markdown("", elem_id="statut-discussions")
        gr.Markdown(
            "Vos discussions ne sont visibles que par vous. Elles sont effacées après une période sans activité "
            "fixée par l'administrateur ; « Tout supprimer » les efface toutes dès maintenant.",
            elem_classes="note",
        )
        wanted = gr.Textbox(visible=False, elem_id="discussion-demandee")
    return HistoryView(sidebar, listing, status, wanted)


class HistoryHandlers:
    """The sidebar's handlers; the open conversation's id comes in and goes out through gr.State."""

    def __init__(self, services: Services, chat: ChatHandlers) -> None:
        self.s, self.chat = services, chat

    @property
    def store(self) -> ConversationStore | None:
        return self.s.conversations

    def listing(self, current: str | None, request: gr.Request | None = None) -> str:
        """The agent's conversations grouped by date, most recent first, the open one marked."""
        summaries = self.store.conversations(agent_of(request)) if self.store is not None else []
        return list_html(summaries, current)

    def open(self, conversation_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Reopen a conversation: (chat messages, turns, conversation id, list, status, feedback panel)."""
        found = self.store.get(agent_of(request), conversation_id) if self.store and conversation_id else None
        if found is None:
            return gr.update(), gr.update(), gr.update(), self.listing(None, request), GONE, gr.update()
        messages, turns = self.chat.replay(found.turns)
        thumbs = [{"up": "Like", "down": "Dislike"}.get(t["rating"] or "") for t in turns]
        chat = gr.update(value=messages, feedback_value=thumbs)
        listed = self.listing(found.summary.id, request)
        return chat, turns, found.summary.id, listed, "", gr.update(visible=False)

    def resume(self, wanted: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """At page load, the conversation named in the page's address reopened (a reload keeps it), or none:
        (chat messages, turns, conversation id, list, status, feedback panel)."""
        wanted = (wanted or "").strip()
        if wanted and self.store is not None and self.store.get(agent_of(request), wanted) is not None:
            return self.open(wanted, request)
        # gone, someone else's, or none asked for: a new conversation, created by its first question
        return gr.update(), gr.update(), None, self.listing(None, request), "", gr.update()

    def act(self, current: str | None, event: gr.EventData, request: gr.Request | None = None) -> tuple[Any, ...]:
        """A click in the list, {action, id, title}: open, rename, delete or delete_all. Returns (chat messages,
        turns, conversation id, list, status, feedback panel, comment status, feedback id), gr.update() for what
        stays as it is: the chat's feedback state is left alone unless the chat changes."""
        data = event._data if isinstance(getattr(event, "_data", None), dict) else {}
        action, target = str(data.get("action") or ""), str(data.get("id") or "")
        kept = (gr.update(), gr.update())
        if action == "open":
            opened = self.open(target, request)
            if opened[2] == target:
                return *opened, "", None
            # gone meanwhile (another tab, retention): the open conversation stays open, and marked so
            return *self._unchanged_chat(current, GONE, request), *kept
        if action == "rename":
            status = self.rename(target, str(data.get("title") or ""), request)
            return *self._unchanged_chat(current, status, request), *kept
        if action == "delete":
            done = bool(target) and self.store is not None and self.store.delete(agent_of(request), target)
            status = "Discussion supprimée." if done else GONE
            if target == current:  # the open one is gone: the chat starts afresh, its context with it
                return *self._emptied(status, request), "", None
            return *self._unchanged_chat(current, status, request), *kept
        if action == "delete_all":
            count = self.store.delete_all(agent_of(request)) if self.store is not None else 0
            status = f"{counted(count, 'discussion supprimée', 'discussions supprimées')}."
            return *self._emptied(status, request), "", None
        return tuple(gr.update() for _ in range(8))

    def rename(self, conversation_id: str, title: str, request: gr.Request | None = None) -> str:
        """Rename one of the agent's conversations; returns the status line."""
        if not (title or "").strip():
            return "Le titre est vide : écrivez-le puis « Renommer »."
        done = self.store is not None and self.store.rename(agent_of(request), conversation_id, title)
        return "Discussion renommée." if done else GONE

    def _unchanged_chat(self, current: str | None, status: str, request: gr.Request | None) -> tuple[Any, ...]:
        return gr.update(), gr.update(), gr.update(), self.listing(current, request), status, gr.update()

    def _emptied(self, status: str, request: gr.Request | None) -> tuple[Any, ...]:
        chat = gr.update(value=[], feedback_value=[])
        return chat, [], None, self.listing(None, request), status, gr.update(visible=False)
