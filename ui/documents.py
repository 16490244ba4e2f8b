"""The Documents tab's handlers: the list of indexed documents, uploads (their progress shown stage by stage)
and removals (confirmed in the place of the button that asked)."""

from __future__ import annotations

import html
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from index.ingesting import OnStep, Step
from ingest.errors import UserError
from lang.plural import counted
from ui.progress import stage_text
from ui.render import documents_table, literal
from ui.services import Services

log = logging.getLogger(__name__)

NOT_ADMIN = ("Seuls les administrateurs ajoutent ou retirent des documents ; demandez l'accès à votre "
             "administrateur.")
LIST_ERROR = (
    "La liste des documents n'a pas pu être lue à cause d'une erreur inattendue. Réessayez avec « Actualiser "
    "la liste » ; si elle se répète, prévenez l'administrateur (le détail est dans le journal du serveur)."
)


# The removal's confirmation brought wholly on screen once shown (after the page has drawn it).
SHOW_CONFIRMATION_JS = """() => { window.requestAnimationFrame(() => {
  const box = document.querySelector("#confirmation-retrait");
  if (box) { box.scrollIntoView({block: "nearest"}); }
}); }"""

# How far along a file is at the start of each stage (OCR moves from the first to the second figure, page by page).
STAGE_SHARE = {"read": 0.05, "ocr": 0.1, "encode": 0.6, "write": 0.9}
OCR_SHARE = 0.5


def stage_html(step: Step, number: int, count: int) -> str:
    """The upload's current stage: a bar that moves with the stages (and OCR pages), and the stage in words."""
    share = STAGE_SHARE.get(step.stage, 0.0)
    if step.stage == "ocr" and step.total:
        share += OCR_SHARE * step.done / step.total
    percent = round(100 * (number - 1 + share) / max(1, count))
    which = f"Fichier {number} sur {count} : " if count > 1 else ""
    text = html.escape(which + stage_text(step))
    return (
        f'<div class="etape-envoi" role="status"><progress max="100" value="{percent}" '
        f'aria-label="Avancement du téléversement"></progress> <span class="etape-texte">{text}</span></div>'
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

    def upload(self, files: list[str] | None, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Index uploaded files one by one, each stage shown as it comes (see stage_html); each file then gets a
        line saying what became of it. Yields (upload box, stage, report, table, summary, removal choices).

        The files are ingested in a thread (their reading in its limited child, as always) that hands its steps
        over a queue, so that this generator can show each one the moment it happens."""
        if not self.can_edit(request):  # the controls are hidden, but an event can be sent by hand
            yield (None, "", NOT_ADMIN, *self.documents())
            return
        paths = [Path(f) for f in files or []]
        events: queue.Queue[tuple[int, Step | str] | None] = queue.Queue()
        worker = threading.Thread(target=self._ingest, args=(paths, events), name="upload", daemon=True)
        worker.start()
        lines: list[str] = []
        unchanged = gr.update()
        while (event := events.get()) is not None:
            number, what = event
            if isinstance(what, Step):
                yield (unchanged, stage_html(what, number, len(paths)), unchanged, unchanged, unchanged, unchanged)
            else:
                lines.append(what)
                yield (unchanged, unchanged, "\n".join(lines), unchanged, unchanged, unchanged)
        worker.join()
        yield (None, "", "\n".join(lines) if lines else "Aucun fichier reçu.", *self.documents())

    def _ingest(self, paths: list[Path], events: queue.Queue[tuple[int, Step | str] | None]) -> None:
        """Add each file, putting its steps then its result line on `events`; None once all are done."""
        try:
            for number, path in enumerate(paths, start=1):

                def on_step(step: Step, number: int = number) -> None:
                    events.put((number, step))

                events.put((number, self._added(path, on_step)))
        finally:
            events.put(None)

    def _added(self, path: Path, on_step: OnStep) -> str:
        """The report line of one uploaded file, once added (or refused)."""
        name = path.name
        on_step(Step("read", name))  # shown at once, even when the file is refused before its reading
        try:
            result = self.s.library.add(path, name, on_step)
        except UserError as exc:  # e.g. an ingest from the command line holds the index
            return f"- ✗ **{literal(name)}** : {literal(str(exc))}"
        except Exception:
            log.exception("upload of %s failed", name)
            return f"- ✗ **{literal(name)}** : erreur inattendue ; le détail est dans le journal."
        mark = "✓" if result.ok else "✗"
        return f"- {mark} **{literal(result.source)}** : {literal(result.message)}"

    def ask_removal(self, source: str | None) -> tuple[Any, ...]:
        """Ask before removing, in the place of « Retirer de l'index » (where the eye is): (confirmation, its text,
        result line, the button)."""
        if not source:
            return _hidden(), "", "Choisissez d'abord un document dans la liste.", _shown()
        return _shown(), f"Retirer « {literal(source)} » de l'index ?", "", _hidden()

    def cancel_removal(self) -> tuple[Any, ...]:
        """The button back in place of the confirmation: (confirmation, button)."""
        return _hidden(), _shown()

    def remove(self, source: str | None, request: gr.Request) -> tuple[Any, ...]:
        """Remove the chosen document; the result line says whether its file was deleted. Returns (confirmation,
        button, result line, table, summary, removal choices)."""
        if not self.can_edit(request):
            return (_hidden(), _shown(), NOT_ADMIN, *self.documents())
        if not source:
            return (_hidden(), _shown(), "Choisissez d'abord un document dans la liste.", *self.documents())
        try:
            gone = self.s.library.remove(source)
        except UserError as exc:
            return (_hidden(), _shown(), literal(str(exc)), *self.documents())
        if not gone:
            message = f"« {literal(source)} » n'est plus dans l'index."
        elif all(d.uploaded for d in gone):
            message = f"✓ « {literal(source)} » retiré de l'index et supprimé."
        else:
            message = (
                f"✓ « {literal(source)} » retiré de l'index. Son fichier d'origine n'est pas supprimé : "
                "il reviendra si vous réingérez son dossier."
            )
        return (_hidden(), _shown(), message, *self.documents())


def _hidden() -> Any:
    return gr.update(visible=False)


def _shown() -> Any:
    return gr.update(visible=True)
