"""The Gradio app: a chat over the documents, the Découvrir tab, the documents tab and feedback on answers.

Shared by all sessions: the services (assistant, library, feedback store, discovery with its cache of
checked suggested questions), which are thread-safe.
Everything about one conversation lives in that session's gr.State.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.feedback import Rating
from assistant.models import Answer
from ingest.errors import UserError
from ui.discover import QUESTION_CLICK_JS, FicheView, fiches_html, glossary_html
from ui.render import PENDING, WAITING, answer_markdown, documents_table, literal
from ui.services import Services

log = logging.getLogger(__name__)

EXAMPLE_SLOTS = 6
EXAMPLES = (  # shown only when the corpus gives no suggested question (an empty index)
    "combien pour le plan crack ?",
    "c'est quoi un CRT ?",
    "qui a signé la charte ?",
    "date du 1er copil maison des femmes",
)
ERROR_TEXT = (
    "Une erreur inattendue a empêché de répondre. Réessayez ; si elle se répète, prévenez "
    "l'administrateur (le détail est dans le journal du serveur)."
)
LIST_ERROR = (
    "La liste des documents n'a pas pu être lue à cause d'une erreur inattendue. Réessayez avec « Actualiser "
    "la liste » ; si elle se répète, prévenez l'administrateur (le détail est dans le journal du serveur)."
)
EMPTY_CHAT = (
    "**Posez une question sur les documents indexés.**\n\n"
    "Chaque réponse cite ses sources (document, page, passage) ; si les documents ne contiennent pas "
    "l'information, l'assistant le dit."
)
Messages = list[dict[str, Any]]
Turns = list[dict[str, Any]]  # per session: {"question", "answer": Answer, "feedback_id", "rating"}


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _user_message(text: str) -> dict[str, Any]:
    return {"role": "user", "content": literal(text)}


def _bot_message(content: str) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


class ChatHandlers:
    """Event handlers; every per-conversation value comes in and goes out through gr.State."""

    def __init__(self, services: Services) -> None:
        self.s = services

    # -- chat --------------------------------------------------------------------------------

    def respond(self, question: str, messages: Messages | None, turns: Turns | None) -> Iterator[tuple[Any, ...]]:
        """Stream the answer to `question`; yields (chat messages, turns, question box, feedback panel).

        Each step yields new lists: a step already handed out is never changed by the next one.
        """
        messages, turns = list(messages or []), list(turns or [])
        question = (question or "").strip()
        hide = gr.update(visible=False)
        if not question:
            yield [*messages], [*turns], "", gr.update()
            return
        messages += [_user_message(question), _bot_message(PENDING)]
        yield [*messages], [*turns], "", hide
        if self.s.library.busy:
            messages[-1] = _bot_message(WAITING)
            yield [*messages], [*turns], "", hide
        history = [t["question"] for t in turns]
        final: Answer | None = None
        try:
            with self.s.library.reading():
                for partial in self.s.assistant.ask_stream(question, history):
                    final = partial
                    messages[-1] = _bot_message(answer_markdown(partial, pending=True))
                    yield [*messages], [*turns], "", hide
            if final is None:
                raise RuntimeError("ask_stream yielded nothing")
            passages = self.s.library.passages([c.chunk_id for c in final.citations if c.chunk_id])
            messages[-1] = _bot_message(answer_markdown(final, passages))
        except Exception:
            log.exception("answering %r failed", question)
            messages[-1] = _bot_message(f'<div class="refus" role="alert"><p>{_esc(ERROR_TEXT)}</p></div>')
            final = Answer(question=question, text=ERROR_TEXT, refused=True)
        turns.append({"question": question, "answer": final, "feedback_id": None, "rating": None})
        yield [*messages], [*turns], "", hide

    def examples(self) -> list[str]:
        """The chat's example questions: suggested questions of the corpus, the fixed list for an empty one."""
        if self.s.discovery is None:
            return list(EXAMPLES)
        with self.s.library.reading():
            found = self.s.discovery.examples(EXAMPLE_SLOTS)
        return found or list(EXAMPLES)

    def example_buttons(self) -> list[Any]:
        """Updates of the example buttons: one question each, the buttons left over hidden."""
        questions = self.examples()[:EXAMPLE_SLOTS]
        shown = [gr.update(value=q, visible=True) for q in questions]
        return shown + [gr.update(visible=False)] * (EXAMPLE_SLOTS - len(shown))

    def clear(self) -> tuple[Any, ...]:
        """A new conversation: no messages, no history, no pending feedback."""
        return [], [], None, gr.update(visible=False), ""

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

    # -- discover ----------------------------------------------------------------------------

    def glossary(self, query: str | None) -> str:
        """The glossary table, filtered by what is typed in its search box."""
        discovery = self.s.discovery
        if discovery is None:
            return glossary_html([], query)
        with self.s.library.reading():
            entries = discovery.catalog.glossary()
            titles = {f.source: f.title for f in discovery.fiches()}
        return glossary_html(entries, query, titles)

    def fiches(self) -> str:
        """The fiche of every indexed document, with its checked suggested questions."""
        discovery = self.s.discovery
        if discovery is None:
            return fiches_html([])
        chunks = {d.source: d.chunks for d in self.s.library.documents()}
        with self.s.library.reading():
            views = [
                FicheView(
                    fiche=f,
                    chunks=chunks.get(f.source, 0),
                    questions=discovery.suggested_questions(f),
                    superseded_by=discovery.superseded_by(f),
                )
                for f in discovery.fiches()
            ]
        return fiches_html(views)

    def discover(self, query: str | None) -> tuple[Any, ...]:
        """The Découvrir tab (glossary, fiches) and the chat's example buttons, from the current index."""
        return (self.glossary(query), self.fiches(), *self.example_buttons())

    def reload_discover(self, query: str | None) -> tuple[Any, ...]:
        """The Découvrir tab again, after re-reading the index (another process may have ingested documents)."""
        if not self.s.library.reload():
            gr.Warning("Une ingestion est en cours : les fiches seront complètes quand elle sera terminée.")
        return self.discover(query)

    def open_question(self, event: gr.EventData) -> tuple[Any, ...]:
        """A suggested question clicked in Découvrir: the chat tab, and the question to ask there."""
        data = event._data if isinstance(event._data, dict) else {}
        question = str(data.get("question") or "").strip()
        if not question:
            return gr.update(), ""
        return gr.Tabs(selected="discussion"), question

    # -- feedback ----------------------------------------------------------------------------

    def like(self, turns: Turns | None, data: gr.LikeData, request: gr.Request) -> tuple[Any, ...]:
        """Store a thumb up/down at once; a thumb down opens the comment box."""
        turns = list(turns or [])
        index = data.index if isinstance(data.index, int) else data.index[0]
        number = index // 2  # each turn is one question and one answer message
        if not 0 <= number < len(turns):
            return turns, None, gr.update(visible=False), ""
        turn = dict(turns[number])
        rating: Rating | None = "up" if data.liked is True else "down" if data.liked is False else None
        if rating is None:  # the thumb was clicked again: the rating is withdrawn
            turns[number] = {**turn, "rating": None}
            return turns, None, gr.update(visible=False), ""
        answer: Answer = turn["answer"]
        if turn["feedback_id"] and self.s.feedback.update(turn["feedback_id"], rating=rating):
            feedback_id = turn["feedback_id"]
        else:
            feedback_id = self.s.feedback.add(
                answer.question, answer.text, answer.citations, rating, user=getattr(request, "username", None)
            )
        turns[number] = {**turn, "feedback_id": feedback_id, "rating": rating}
        thanks = "Merci pour votre retour." if rating == "up" else "Merci : ce retour servira à améliorer l'assistant."
        return turns, feedback_id, gr.update(visible=True), f"{thanks} Vous pouvez ajouter un commentaire."

    def comment(self, feedback_id: str | None, text: str) -> tuple[Any, ...]:
        """Attach the comment to the last rated answer."""
        if not feedback_id:
            return gr.update(), "Cliquez d'abord sur « J'aime » ou « Je n'aime pas » sous une réponse.", gr.update()
        if not (text or "").strip():
            return gr.update(), "Le commentaire est vide.", gr.update()
        self.s.feedback.update(feedback_id, comment=text)
        return "", "Commentaire enregistré, merci.", gr.update(visible=False)

    # -- documents ---------------------------------------------------------------------------

    def reload(self) -> tuple[Any, ...]:
        """The documents again, after re-reading the index (another process may have ingested some)."""
        try:
            if not self.s.library.reload():
                gr.Warning("Une ingestion est en cours : la liste sera complète quand elle sera terminée.")
        except Exception:
            log.exception("reloading the index failed")
            return "", f"**{LIST_ERROR}**", gr.update(choices=[], value=None)
        return self.documents()

    def documents(self) -> tuple[Any, ...]:
        """The table of indexed documents, its summary line and the choices of the removal list."""
        try:
            docs = self.s.library.documents()
        except Exception:  # the page must still open; the detail goes to the log, never to the page
            log.exception("listing the documents failed")
            return "", f"**{LIST_ERROR}**", gr.update(choices=[], value=None)
        pages = sum(d.pages for d in docs)
        chunks = sum(d.chunks for d in docs)
        summary = (
            f"**{len(docs)} document(s)** indexé(s) : {pages} page(s), {chunks} passage(s)."
            if docs
            else "**Aucun document indexé.** Ajoutez des fichiers ci-dessous."
        )
        choices = [(f"{d.title} ({d.source})", d.source) for d in docs]
        return documents_table(docs), summary, gr.update(choices=choices, value=None)

    def upload(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        """Index uploaded files one by one; each gets a line saying what became of it."""
        paths = [Path(f) for f in files or []]
        lines = []
        for number, path in enumerate(paths, start=1):
            name = path.name
            progress((number - 1) / max(1, len(paths)), desc=f"Lecture et indexation de {name} ({number}/{len(paths)})")
            try:
                result = self.s.library.add(path, name)
            except UserError as exc:  # e.g. an ingest from the command line holds the index
                lines.append(f"- ✗ **{literal(name)}** : {literal(str(exc))}")
                continue
            except Exception:
                log.exception("upload of %s failed", name)
                lines.append(f"- ✗ **{literal(name)}** : erreur inattendue ; le détail est dans le journal.")
                continue
            mark = "✓" if result.ok else "✗"
            lines.append(f"- {mark} **{literal(result.source)}** : {literal(result.message)}")
        progress(1.0, desc="Terminé")
        report = "\n".join(lines) if lines else "Aucun fichier reçu."
        return (None, report, *self.documents())

    def ask_removal(self, source: str | None) -> tuple[Any, ...]:
        if not source:
            return gr.update(visible=False), "", "Choisissez d'abord un document dans la liste."
        return gr.update(visible=True), f"Retirer « {literal(source)} » de l'index ?", ""

    def remove(self, source: str | None) -> tuple[Any, ...]:
        """Remove the chosen document; the result line says whether its file was deleted."""
        if not source:
            return (gr.update(visible=False), "Choisissez d'abord un document dans la liste.", *self.documents())
        try:
            gone = self.s.library.remove(source)
        except UserError as exc:
            return (gr.update(visible=False), literal(str(exc)), *self.documents())
        if not gone:
            message = f"« {literal(source)} » n'est plus dans l'index."
        elif all(d.uploaded for d in gone):
            message = f"✓ « {literal(source)} » retiré de l'index et supprimé."
        else:
            message = (
                f"✓ « {literal(source)} » retiré de l'index. Son fichier d'origine n'est pas supprimé : "
                "il reviendra si vous réingérez son dossier."
            )
        return (gr.update(visible=False), message, *self.documents())


def build_app(services: Services) -> gr.Blocks:
    """The whole interface; the caller mounts it (ui.server) so that it can serve the documents too."""
    h = ChatHandlers(services)
    max_size = services.library.max_upload_text
    # Gradio keeps its own copy of each upload: hourly, copies older than two hours go (they are health documents)
    with gr.Blocks(title="ARS Assistant", analytics_enabled=False, delete_cache=(3600, 7200)) as demo:
        turns = gr.State([])
        feedback_id = gr.State(None)
        picked = gr.State("")  # a suggested question clicked in Découvrir, on its way to the chat
        copy_buffer = gr.Textbox(visible=False, elem_id="copie-texte")
        with gr.Row(elem_classes="entete"):
            gr.Markdown(
                "# ARS Assistant\nQuestions sur les documents de l'ARS Normandie : chaque réponse cite ses sources.",
                elem_classes="titre",
            )
        with gr.Tabs() as tabs:
            with gr.Tab("Discussion", id="discussion"):
                chatbot = gr.Chatbot(
                    label="Discussion",
                    show_label=False,
                    elem_id="discussion",
                    height="62vh",
                    min_height=320,
                    placeholder=EMPTY_CHAT,
                    buttons=[],  # copied messages would carry the HTML of the sources: our buttons copy plain text
                    feedback_options=("Like", "Dislike"),
                    layout="panel",
                    latex_delimiters=[],
                    autoscroll=True,
                )
                with gr.Row(equal_height=True, elem_classes="saisie"):
                    question = gr.Textbox(
                        label="Votre question",
                        show_label=False,
                        placeholder="Votre question sur les documents… (Entrée pour envoyer)",
                        max_length=1000,
                        scale=8,
                        min_width=220,
                        autofocus=True,
                        elem_id="question",
                    )
                    send = gr.Button("Envoyer", variant="primary", scale=1, min_width=110, elem_id="envoyer")
                with gr.Row(elem_classes="exemples"):
                    gr.Markdown("Exemples :", elem_classes="exemples-titre")
                    # filled on page load with the suggested questions of the corpus
                    examples = [
                        gr.Button("", size="sm", variant="secondary", min_width=120, visible=False)
                        for _ in range(EXAMPLE_SLOTS)
                    ]
                with gr.Row(elem_classes="actions"):
                    copy = gr.Button("Copier la dernière réponse", size="sm", elem_id="copier")
                    copy_everything = gr.Button("Copier toute la discussion", size="sm", elem_id="copier-tout")
                    new_chat = gr.Button("Nouvelle discussion", size="sm", elem_id="nouvelle")
                with gr.Group(visible=False, elem_id="retour") as feedback_panel:
                    feedback_status = gr.Markdown("", elem_id="retour-statut")
                    with gr.Row(equal_height=True):
                        comment = gr.Textbox(
                            label="Commentaire (facultatif)",
                            placeholder="Qu'est-ce qui manque ou est faux ? Quelle réponse attendiez-vous ?",
                            lines=2,
                            max_lines=6,
                            max_length=2000,
                            scale=8,
                            elem_id="commentaire",
                        )
                        send_comment = gr.Button(
                            "Envoyer le commentaire", scale=1, min_width=140, elem_id="envoyer-commentaire"
                        )
                comment_status = gr.Markdown("", elem_id="commentaire-statut")

            with gr.Tab("Découvrir", id="decouvrir"):
                with gr.Row(equal_height=True, elem_classes="entete-decouvrir"):
                    gr.Markdown(
                        "Pour bien démarrer : la fiche de chaque document (plan, chiffres clés, questions à poser "
                        "en un clic) et le [glossaire des sigles](#titre-glossaire). Chaque numéro de page ouvre "
                        "le document à cette page.",
                        elem_id="intro-decouvrir",
                    )
                    refresh_discover = gr.Button("Actualiser", size="sm", elem_id="actualiser-decouvrir")
                gr.Markdown("## Fiches des documents", elem_id="titre-fiches")
                fiches = gr.HTML("", elem_id="fiches", js_on_load=QUESTION_CLICK_JS)
                gr.Markdown("## Glossaire des sigles", elem_id="titre-glossaire")
                search = gr.Textbox(
                    label="Rechercher un sigle ou un mot de son développé",
                    placeholder="ex. : CTS, mildeca, santé mentale",
                    max_length=100,
                    elem_id="recherche-sigle",
                )
                glossary = gr.HTML("", elem_id="glossaire", js_on_load=None)

            with gr.Tab("Documents", id="documents"):
                with gr.Row(equal_height=True, elem_classes="entete-documents"):
                    summary = gr.Markdown("", elem_id="resume-documents")
                    refresh = gr.Button("Actualiser la liste", size="sm", elem_id="actualiser")
                table = gr.HTML("", elem_id="documents")
                gr.Markdown(
                    "### Ajouter des documents\nPDF (numérisés compris), DOCX, ODT, HTML, TXT ou MD ; "
                    f"{max_size} au plus par fichier."
                )
                upload = gr.File(
                    label=f"Déposez vos fichiers ici ou cliquez pour les choisir ({max_size} max. par fichier)",
                    file_count="multiple",
                    type="filepath",
                    height=160,
                    elem_id="envoi",
                )
                gr.HTML('<div id="envoi-erreur" role="alert" aria-live="assertive"></div>', elem_id="envoi-erreur-bloc")
                upload_report = gr.Markdown("", elem_id="resultat-envoi")
                gr.Markdown("### Retirer un document")
                with gr.Row(equal_height=True):
                    to_remove = gr.Dropdown(
                        label="Document à retirer", choices=[], value=None, scale=4, elem_id="a-retirer"
                    )
                    remove = gr.Button("Retirer de l'index", variant="stop", scale=1, min_width=150)
                with gr.Group(visible=False) as confirm_panel:
                    confirm_text = gr.Markdown("")
                    with gr.Row():
                        confirm = gr.Button("Oui, retirer", variant="stop", elem_id="confirmer-retrait")
                        cancel = gr.Button("Annuler")
                removal_report = gr.Markdown("", elem_id="resultat-retrait")

        # -- wiring ----------------------------------------------------------------------------
        chat_outputs = [chatbot, turns, question, feedback_panel]
        # the API name of a question, for scripts (eval/load.py): client.predict(text, [], api_name="/question")
        question.submit(h.respond, [question, chatbot, turns], chat_outputs, api_name="question")
        send.click(h.respond, [question, chatbot, turns], chat_outputs)
        for button in examples:  # a button's value is its question
            button.click(h.respond, [button, chatbot, turns], chat_outputs)
        cleared = [chatbot, turns, feedback_id, feedback_panel, comment_status]
        new_chat.click(h.clear, None, cleared)
        chatbot.clear(h.clear, None, cleared)  # the chat's own bin icon: the history goes too
        to_clipboard = "(t) => { if (t) { navigator.clipboard.writeText(t); } return []; }"
        copy.click(h.copy_last, turns, copy_buffer).then(None, copy_buffer, None, js=to_clipboard)
        copy_everything.click(h.copy_all, turns, copy_buffer).then(None, copy_buffer, None, js=to_clipboard)
        chatbot.like(h.like, turns, [turns, feedback_id, feedback_panel, feedback_status])
        comment_events = [comment, comment_status, feedback_panel]
        send_comment.click(h.comment, [feedback_id, comment], comment_events)
        comment.submit(h.comment, [feedback_id, comment], comment_events)

        discover_outputs = [glossary, fiches, *examples]
        demo.load(h.discover, search, discover_outputs)
        refresh_discover.click(h.reload_discover, search, discover_outputs)
        # change, not input: Gradio's input event follows key presses only, and a pasted word must filter too
        search.change(h.glossary, search, glossary, trigger_mode="always_last", show_progress="hidden")
        # a suggested question: the chat tab, then the question answered as if typed
        opened = fiches.click(h.open_question, None, [tabs, picked])
        opened.then(None, None, None, js="() => { window.scrollTo({ top: 0 }); }")
        opened.then(h.respond, [picked, chatbot, turns], chat_outputs)

        doc_outputs = [table, summary, to_remove]
        demo.load(h.documents, None, doc_outputs)
        refresh.click(h.reload, None, doc_outputs)
        uploaded = upload.upload(h.upload, upload, [upload, upload_report, *doc_outputs], concurrency_limit=1)
        uploaded.then(h.discover, search, discover_outputs)  # the new documents' fiches and questions
        remove.click(h.ask_removal, to_remove, [confirm_panel, confirm_text, removal_report])
        cancel.click(lambda: gr.update(visible=False), None, confirm_panel)
        removed = confirm.click(h.remove, to_remove, [confirm_panel, removal_report, *doc_outputs], concurrency_limit=1)
        removed.then(h.discover, search, discover_outputs)
    return demo
