"""An ingest's progress as people read it: the stage of a file in French, and the command line's bar."""

from __future__ import annotations

from rich.progress import Progress, TaskID

from index.ingesting import Step
from lang.plural import counted

SHOWN_FROM = 5  # files in a batch from which the command line shows its bar (a scan shows it anyway: OCR is slow)


def stage_text(step: Step) -> str:
    """What an ingest is doing, in French: « Lecture de « x.pdf »… », « OCR de « x.pdf » : page 2 sur 5… »."""
    name = f"« {step.source} »"
    if step.stage == "ocr":
        return f"Reconnaissance du texte (OCR) de {name} : page numérisée {step.done + 1} sur {step.total}…"
    if step.stage == "encode":
        return f"Encodage de {name} : {counted(step.total, 'passage', 'passages')}…"
    if step.stage == "write":
        return f"Indexation de {name}…"
    return f"Lecture de {name}…"


class ConsoleProgress:
    """The command line's bar over the files of a batch, told of each step (from the reading thread too: rich's
    Progress takes a lock). Transient: once the batch is done, only its summary stays on screen."""

    def __init__(self) -> None:
        self.progress = Progress(transient=True)
        self.task: TaskID | None = None

    def __enter__(self) -> ConsoleProgress:
        return self

    def __exit__(self, *_: object) -> None:
        if self.task is not None:
            self.progress.stop()

    def __call__(self, step: Step) -> None:
        if not step.files:
            return  # encoding and writing steps: the bar counts files read
        if self.task is None:
            if step.files < SHOWN_FROM and step.stage != "ocr":
                return
            self.task = self.progress.add_task("Lecture des documents", total=step.files)
            if self.progress.console.is_terminal:
                self.progress.start()
        self.progress.update(self.task, completed=step.file - 1, description=stage_text(step))
