"""The Gradio app: a chat over the documents, the Découvrir tab, the documents tab and feedback on answers.

This module lays the page out and wires its events; the handlers are in one module per part: ui/chat.py,
ui/history.py (« Mes discussions »), ui/feedback.py, ui/discover.py, ui/documents.py.

Shared by all sessions: the services (assistant, library, feedback store, conversation store, discovery with its
cache of checked suggested questions), which are thread-safe.
The open conversation lives in that session's gr.State; each answer is also saved in the agent's conversation.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import gradio as gr
from gradio.events import Dependency

from ui.chat import ChatHandlers
from ui.chat_view import ANSWER_START_JS, FEEDBACK_UNDER_ANSWER_JS
from ui.discover import EXAMPLE_SLOTS, QUESTION_CLICK_JS, DiscoverHandlers
from ui.documents import SHOW_CONFIRMATION_JS, DocumentsHandlers
from ui.feedback import FeedbackHandlers
from ui.history import SIDEBAR_JS, WANTED_JS, HistoryHandlers, history_sidebar
from ui.services import Services

EMPTY_CHAT = (
    "**Posez une question sur les documents indexés.**\n\n"
    "Chaque réponse cite ses sources (document, page, passage) ; si les documents ne contiennent pas "
    "l'information, l'assistant le dit."
)


def _account(sign_out: str | None, request: gr.Request | None) -> str:
    """Who is signed in, and the link to sign out (nothing when the page has no login)."""
    if sign_out is None:
        return ""
    who = html.escape(getattr(request, "username", None) or "")
    return f'<span class="utilisateur">{who}</span> <a href="{sign_out}" id="se-deconnecter">Se déconnecter</a>'


def build_app(
    services: Services, can_edit: Callable[[gr.Request | None], bool] | None = None, sign_out: str | None = None
) -> gr.Blocks:
    """The whole interface; the caller mounts it (ui.server) so that it can serve the documents too.
    `can_edit`: may this request's user add and remove documents (default: everyone); `sign_out`: the URL of
    « Se déconnecter » when the page has a login."""
    chat, discover = ChatHandlers(services), DiscoverHandlers(services)
    feedback, docs = FeedbackHandlers(services), DocumentsHandlers(services, can_edit)
    history = HistoryHandlers(services, chat)
    max_size = services.library.max_upload_text
    # Gradio keeps its own copy of each upload: hourly, copies older than two hours go (they are health documents)
    with gr.Blocks(title="ARS Assistant", analytics_enabled=False, delete_cache=(3600, 7200)) as demo:
        turns = gr.State([])
        conversation_id = gr.State(None)  # the saved conversation shown in the chat; None until its first answer
        feedback_id = gr.State(None)
        picked = gr.State("")  # a suggested question clicked in Découvrir, on its way to the chat
        copy_buffer = gr.Textbox(visible=False, elem_id="copie-texte")
        with gr.Row(elem_classes="entete"):
            gr.Markdown(
                "# ARS Assistant\nQuestions sur les documents de l'ARS Normandie : chaque réponse cite ses sources.",
                elem_classes="titre",
            )
            account = gr.HTML(_account(sign_out, None), elem_id="compte", visible=sign_out is not None)
        past = history_sidebar()
        with gr.Tabs(overflow_behavior="wrap") as tabs:  # on a phone every tab shows, none behind « ⋯ »
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
                    autoscroll=False,  # ANSWER_START_JS shows each answer from its start, not the end of its sources
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
                with gr.Column(elem_id="gestion-documents") as editing:  # hidden on load for those who may not edit
                    gr.Markdown(
                        "## Ajouter des documents\nPDF (numérisés compris), DOCX, ODT, HTML, TXT ou MD ; "
                        f"{max_size} au plus par fichier."
                    )
                    upload = gr.File(
                        label=f"Fichiers à téléverser ({max_size} max. par fichier)",
                        file_count="multiple",
                        type="filepath",
                        height=160,
                        elem_id="envoi",
                    )
                    gr.HTML('<div id="envoi-erreur" role="alert" aria-live="assertive"></div>',
                            elem_id="envoi-erreur-bloc")
                    upload_stage = gr.HTML("", elem_id="etape-envoi", js_on_load=None)  # the stage under way
                    upload_report = gr.Markdown("", elem_id="resultat-envoi")
                    gr.Markdown("## Retirer un document")
                    with gr.Row(equal_height=True, elem_id="retrait"):
                        to_remove = gr.Dropdown(
                            label="Document à retirer", choices=[], value=None, scale=4, elem_id="a-retirer"
                        )
                        remove = gr.Button("Retirer de l'index", variant="stop", scale=1, min_width=150,
                                           elem_id="retirer")
                        # the confirmation takes the button's place: where the eye is, never below the fold
                        with gr.Column(visible=False, scale=2, min_width=260,
                                       elem_id="confirmation-retrait") as confirm_panel:
                            confirm_text = gr.Markdown("")
                            with gr.Row():
                                confirm = gr.Button("Oui, retirer", variant="stop", size="sm", min_width=100,
                                                    elem_id="confirmer-retrait")
                                cancel = gr.Button("Annuler", size="sm", min_width=80)
                    removal_report = gr.Markdown("", elem_id="resultat-retrait")

        # -- wiring ----------------------------------------------------------------------------
        chat_outputs = [chatbot, turns, question, feedback_panel, conversation_id]

        def answered(event: Dependency) -> None:
            """Once answered (and saved), the list of conversations shows the current one first."""
            event.then(history.listing, conversation_id, past.listing, show_progress="hidden")

        asked = [question, chatbot, turns, conversation_id]
        # the API name of a question, for scripts (eval/load.py): client.predict(text, [], api_name="/question")
        answered(question.submit(chat.respond, asked, chat_outputs, api_name="question"))
        answered(send.click(chat.respond, asked, chat_outputs))
        for button in examples:  # a button's value is its question
            answered(button.click(chat.respond, [button, chatbot, turns, conversation_id], chat_outputs))
        # the one control that starts a new conversation (the chat's own bin icon is not shown: no .clear event)
        cleared = [chatbot, turns, feedback_id, feedback_panel, comment_status, conversation_id]
        new_chat.click(chat.clear, None, cleared).then(history.listing, conversation_id, past.listing)
        to_clipboard = "(t) => { if (t) { navigator.clipboard.writeText(t); } return []; }"
        copy.click(chat.copy_last, turns, copy_buffer).then(None, copy_buffer, None, js=to_clipboard)
        copy_everything.click(chat.copy_all, turns, copy_buffer).then(None, copy_buffer, None, js=to_clipboard)
        rating = [turns, feedback_id, feedback_panel, feedback_status]
        rated = chatbot.like(feedback.like, [turns, conversation_id], rating)
        rated.then(None, None, None, js=FEEDBACK_UNDER_ANSWER_JS)  # the comment box under the answer it rates
        demo.load(None, None, None, js=ANSWER_START_JS)
        comment_events = [comment, comment_status, feedback_panel]
        send_comment.click(feedback.comment, [feedback_id, comment], comment_events)
        comment.submit(feedback.comment, [feedback_id, comment], comment_events)

        # « Mes discussions »: at load, the list, and the conversation named in the page's address reopened (a
        # reload keeps the open conversation); opened beside the chat on a wide screen only (it covers a phone's)
        shown = [chatbot, turns, conversation_id, past.listing, past.status, feedback_panel]
        demo.load(history.resume, past.wanted, shown, js=WANTED_JS)
        demo.load(None, None, past.sidebar, js=SIDEBAR_JS)
        past.listing.click(history.act, conversation_id, [*shown, comment_status, feedback_id])

        discover_outputs = [glossary, fiches, *examples]
        demo.load(discover.discover, search, discover_outputs)
        refresh_discover.click(discover.reload_discover, search, discover_outputs)
        # change, not input: Gradio's input event follows key presses only, and a pasted word must filter too
        search.change(discover.glossary, search, glossary, trigger_mode="always_last", show_progress="hidden")
        # a suggested question: the chat tab, then the question answered as if typed
        opened = fiches.click(discover.open_question, None, [tabs, picked])
        opened.then(None, None, None, js="() => { window.scrollTo({ top: 0 }); }")
        answered(opened.then(chat.respond, [picked, chatbot, turns, conversation_id], chat_outputs))

        doc_outputs = [table, summary, to_remove]
        demo.load(docs.documents, None, doc_outputs)
        demo.load(docs.editing, None, editing)
        if sign_out:

            def signed_in_as(request: gr.Request) -> str:
                return _account(sign_out, request)

            demo.load(signed_in_as, None, account)
        refresh.click(docs.reload, None, doc_outputs)
        # the stages in words and a bar in the page's font, instead of Gradio's « 0.0% » overlay
        uploaded = upload.upload(docs.upload, upload, [upload, upload_stage, upload_report, *doc_outputs],
                                 concurrency_limit=1, show_progress="hidden")
        uploaded.then(discover.discover, search, discover_outputs)  # the new documents' fiches and questions
        asked_removal = remove.click(docs.ask_removal, to_remove, [confirm_panel, confirm_text, removal_report, remove])
        asked_removal.then(None, None, None, js=SHOW_CONFIRMATION_JS)
        cancel.click(docs.cancel_removal, None, [confirm_panel, remove])
        # another choice while asked: the question (and its « Oui ») would name the wrong document
        to_remove.input(docs.cancel_removal, None, [confirm_panel, remove], show_progress="hidden")
        removal_outputs = [confirm_panel, remove, removal_report, *doc_outputs]
        removed = confirm.click(docs.remove, to_remove, removal_outputs, concurrency_limit=1)
        removed.then(discover.discover, search, discover_outputs)
    return demo
