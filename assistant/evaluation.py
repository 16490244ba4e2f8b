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
    """Metrics and report files; an empty index is replaced by the sample corpus ingested in `scratch`."""
    from eval.metrics import PdfPageText
    from eval.report import write_reports
    from eval.run import DEFAULT_QUESTIONS, run_eval

    if open_index(settings).status()["documents"] == 0:
        settings = settings.model_copy(update={"data_dir": scratch})
        run_ingest(settings, [settings.documents_dir])
    assistant = build_assistant(settings)
    report = run_eval(
        assistant, questions or DEFAULT_QUESTIONS, page_text=PdfPageText(settings.documents_dir), limit=limit
    )
    return report, write_reports(report, reports_dir)
