"""Runs the eval over the real assistant: the glue between Settings, the index and eval/."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.factory import build_assistant, open_index, run_ingest
from assistant.settings import Settings

if TYPE_CHECKING:
    from eval.metrics import PdfPageText
    from eval.run import Suite

# the answer scorers `ars-assistant eval --comparer` sets side by side (Settings.answer_scorer)
SCORERS = ("manuel", "appris", "lecteur")


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
    from eval.report import write_reports
    from eval.run import locked_view, run_eval

    settings, suites, page_text = _prepared(settings, questions, scratch, extended)
    assistant = build_assistant(settings)
    out: dict[str, tuple[dict[str, Any], Any]] = {}
    for suite in suites:
        report = run_eval(assistant, suite.questions, page_text=page_text, limit=limit)
        if suite.locked:
            report = locked_view(report)
        folder = reports_dir if questions else reports_dir / suite.name
        out[suite.name] = (report, write_reports(report, folder))
    return out


def compare(
    settings: Settings,
    questions: Path | None,
    scratch: Path,
    limit: int | None = None,
    extended: bool = False,
    scorers: Sequence[str] = SCORERS,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Metrics per answer scorer, then per suite, over the same index (no report files: the figures side by side
    are the report); a locked suite gives its aggregates only."""
    from eval.run import locked_view, run_eval

    settings, suites, page_text = _prepared(settings, questions, scratch, extended)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for scorer in scorers:
        assistant = build_assistant(settings.model_copy(update={"answer_scorer": scorer}))
        out[scorer] = {}
        for suite in suites:
            report = run_eval(assistant, suite.questions, page_text=page_text, limit=limit)
            out[scorer][suite.name] = locked_view(report) if suite.locked else report
    return out


def _prepared(
    settings: Settings, questions: Path | None, scratch: Path, extended: bool
) -> tuple[Settings, list[Suite], PdfPageText]:
    """The suites to run, and the settings of an index holding their documents (ingested in `scratch` when the
    configured index is empty)."""
    from eval.metrics import PdfPageText
    from eval.run import Suite, default_suites

    suites = [Suite("questions", questions, settings.documents_dir)] if questions else list(
        default_suites(settings.documents_dir, extended)
    )
    folders = list(dict.fromkeys(s.documents for s in suites if s.documents.is_dir()))
    if open_index(settings).status()["documents"] == 0:
        settings = settings.model_copy(update={"data_dir": scratch})
        run_ingest(settings, folders)
    return settings, suites, PdfPageText(*folders)
