"""Runs the eval over the real assistant: the glue between Settings, the index and eval/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.factory import build_assistant, open_index
from assistant.ingesting import run_ingest
from assistant.settings import Settings


def evaluate(
    settings: Settings,
    questions: Path | None,
    scratch: Path,
    limit: int | None = None,
    reports_dir: Path = Path("eval/reports"),
) -> tuple[dict[str, Any], Any]:
    """Metrics and report files; an empty index is replaced by the sample corpus and the formats fixtures
    (scans, tables, .odt, .html) ingested in `scratch`, and asked about with both question sets."""
    from eval.metrics import PdfPageText
    from eval.report import write_reports
    from eval.run import DEFAULT_QUESTIONS, FORMATS_DIR, FORMATS_QUESTIONS, run_eval

    folders = [settings.documents_dir]
    default_questions = [DEFAULT_QUESTIONS]
    if open_index(settings).status()["documents"] == 0:
        settings = settings.model_copy(update={"data_dir": scratch})
        if FORMATS_DIR.is_dir():
            folders.append(FORMATS_DIR)
            default_questions.append(FORMATS_QUESTIONS)
        run_ingest(settings, folders)
    assistant = build_assistant(settings)
    report = run_eval(
        assistant, [questions] if questions else default_questions, page_text=PdfPageText(*folders), limit=limit
    )
    return report, write_reports(report, reports_dir)
