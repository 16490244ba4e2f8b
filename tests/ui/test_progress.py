"""The command line's progress bar: shown for a long batch or a scan, counting files, in French."""

from index.ingesting import Step
from ui.progress import ConsoleProgress, stage_text


def test_a_short_batch_shows_no_bar_but_a_long_one_counts_its_files() -> None:
    short = ConsoleProgress()
    for number in (1, 2):
        short(Step("read", f"note-{number}.pdf", file=number, files=2))
    assert short.task is None
    long = ConsoleProgress()
    for number in range(1, 7):
        long(Step("read", f"note-{number}.pdf", file=number, files=6))
        long(Step("encode", f"note-{number}.pdf", total=12))  # not a file read: the bar stays where it is
    task = long.progress.tasks[0]
    assert (task.completed, task.total) == (5, 6)
    assert task.description == "Lecture de « note-6.pdf »…"


def test_a_scan_shows_the_bar_even_in_a_batch_of_one_with_its_page() -> None:
    progress = ConsoleProgress()
    progress(Step("read", "scan.pdf", file=1, files=1))
    progress(Step("ocr", "scan.pdf", done=1, total=4, file=1, files=1))
    description = progress.progress.tasks[0].description
    assert description == "Reconnaissance du texte (OCR) de « scan.pdf » : page numérisée 2 sur 4…"


def test_each_stage_reads_in_french() -> None:
    assert stage_text(Step("encode", "a.pdf", total=1)) == "Encodage de « a.pdf » : 1 passage…"
    assert stage_text(Step("write", "a.pdf", total=3)) == "Indexation de « a.pdf »…"
