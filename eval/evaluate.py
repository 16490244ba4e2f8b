"""Runs the eval over the real assistant: the glue between Settings, the index and eval/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.factory import build_assistant, open_index, run_ingest
from assistant.settings import Settings


def evaluate(
    settings: Settings,
    questions: Path | None,
    scratch: Path,
    limit: int | None = None,
    reports_dir: Path = Path("eval/reports"),
    extended: bool = False,
) -> dict[str, tuple[dict[str, Any], Any]]:
    """Metrics and report files per suite. With a question file, that one suite ("questions") over the index
    (the sample corpus if it is empty). Without, every default suite (sample corpus, formats, real corpus
    dev and locked test; `extended`: the extended dev too) over one index of all their documents, ingested in
    `scratch` when the index is empty; a locked suite's report holds aggregates only."""
    from eval.metrics import PdfPageText
    from eval.report import write_reports
    from eval.run import Suite, default_suites, locked_view, run_eval

    suites = [Suite("questions", questions, settings.documents_dir)] if questions else list(
        default_suites(settings.documents_dir, extended)
    )
    folders = list(dict.fromkeys(s.documents for s in suites if s.documents.is_dir()))
    if open_index(settings).status()["documents"] == 0:
        settings = settings.model_copy(update={"data_dir": scratch})
        run_ingest(settings, folders)
    assistant = build_assistant(settings)
    page_text = PdfPageText(*folders)
    out: dict[str, tuple[dict[str, Any], Any]] = {}
    for suite in suites:
        report = run_eval(assistant, suite.questions, page_text=page_text, limit=limit)
        if suite.locked:
            report = locked_view(report)
        folder = reports_dir if questions else reports_dir / suite.name
        out[suite.name] = (report, write_reports(report, folder))
    return out
