"""The Documents tab's handlers: the list of indexed documents, uploads and removals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from ingest.errors import UserError
from ingest.plural import counted
from ui.render import documents_table, literal
from ui.services import Services

log = logging.getLogger(__name__)

NOT_ADMIN = ("Seuls les administrateurs ajoutent ou retirent des documents ; demandez l'accès à votre "
             "administrateur.")
LIST_ERROR = (
    "La liste des documents n'a pas pu être lue à cause d'une erreur inattendue. Réessayez avec « Actualiser "
    "la liste » ; si elle se répète, prévenez l'administrateur (le détail est dans le journal du serveur)."
)


class DocumentsHandlers:
    """Listing, adding and removing documents through the library (which lets writes take turns)."""

    def __init__(self, services: Services, can_edit: Callable[[gr.Request | None], bool] | None = None) -> None:
        self.s = services
        self.can_edit = can_edit or (lambda request: True)

    def editing(self, request: gr.Request) -> Any:
        """The upload and removal controls, shown only to those who may add and remove documents."""
        return gr.update(visible=self.can_edit(request))

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
            f"**{counted(len(docs), 'document indexé', 'documents indexés')}** : "
            f"{counted(pages, 'page', 'pages')}, {counted(chunks, 'passage', 'passages')}."
            if docs
            else "**Aucun document indexé.** Ajoutez des fichiers ci-dessous."
        )
        choices = [(f"{d.title} ({d.source})", d.source) for d in docs]
        return documents_table(docs), summary, gr.update(choices=choices, value=None)

    def upload(
        self, files: list[str] | None, request: gr.Request, progress: gr.Progress = gr.Progress()  # noqa: B008
    ) -> tuple[Any, ...]:
        """Index uploaded files one by one; each gets a line saying what became of it."""
        if not self.can_edit(request):  # the controls are hidden, but an event can be sent by hand
            return (None, NOT_ADMIN, *self.documents())
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

    def remove(self, source: str | None, request: gr.Request) -> tuple[Any, ...]:
        """Remove the chosen document; the result line says whether its file was deleted."""
        if not self.can_edit(request):
            return (gr.update(visible=False), NOT_ADMIN, *self.documents())
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
