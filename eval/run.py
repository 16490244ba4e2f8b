"""Run an assistant over the question set, and turn UI feedback into candidate questions."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from assistant.models import Answer
from eval.metrics import PageText, PdfPageText, QuestionResult, aggregate, normalize, score
from eval.questions import Question, load_questions

__all__ = ["FORMATS_DIR", "FORMATS_QUESTIONS", "AssistantLike", "Suite", "default_suites", "feedback_to_questions",
           "load_questions", "locked_view", "run_eval"]

log = logging.getLogger(__name__)

DEFAULT_QUESTIONS = Path(__file__).with_name("questions.jsonl")
# Scans, tables, OpenDocument and web pages (scripts/render_formats.py), asked about in questions-formats.jsonl
FORMATS_DIR = Path(__file__).with_name("formats")
FORMATS_QUESTIONS = Path(__file__).with_name("questions-formats.jsonl")
DEFAULT_DOCUMENTS = Path("data/documents")  # same default as Settings.documents_dir
REAL_DIR = Path(__file__).with_name("real")  # public agency pages, split by document into dev and test


@dataclass(frozen=True, slots=True)
class Suite:
    """A question set and the documents it asks about. A locked suite is reported as aggregates only."""

    name: str
    questions: Path
    documents: Path
    locked: bool = False


def default_suites(documents_dir: Path = DEFAULT_DOCUMENTS, extended: bool = False) -> tuple[Suite, ...]:
    """The sample corpus, the formats fixtures, and the real corpus's dev and locked test splits; with
    `extended`, the extended dev split too (the CI gate leaves it out: ingesting it takes ~10 min)."""
    return (
        Suite("exemple", DEFAULT_QUESTIONS, documents_dir),
        Suite("formats", FORMATS_QUESTIONS, FORMATS_DIR),
        Suite("reel-dev", REAL_DIR / "dev" / "questions.jsonl", REAL_DIR / "dev" / "docs"),
        *([Suite("reel-dev-etendu", REAL_DIR / "dev-etendu" / "questions.jsonl", REAL_DIR / "dev-etendu" / "docs")]
          if extended else []),
        Suite("reel-test", REAL_DIR / "test" / "questions.jsonl", REAL_DIR / "test" / "docs", locked=True),
    )


def locked_view(report: dict[str, Any]) -> dict[str, Any]:
    """A locked split's report: its aggregate figures, never its answers nor its failures one by one."""
    hidden = {"results", "failures"}
    return {k: v for k, v in report.items() if k not in hidden} | {"failures_hidden": len(report.get("failures", []))}


class AssistantLike(Protocol):
    """What the evaluation needs from an assistant: one question in, one Answer out."""

    def ask(self, question: str) -> Answer: ...


def run_eval(
    assistant: AssistantLike,
    questions_path: Path | str | Sequence[Path] = DEFAULT_QUESTIONS,
    page_text: PageText | None = None,
    limit: int | None = None,
    on_result: Callable[[QuestionResult], None] | None = None,
) -> dict[str, Any]:
    """Ask every question (or the first `limit`), score the answers and return the metrics report.

    page_text(source, page) gives the text a citation excerpt must be found in; by default the
    PDF pages under data/documents. on_result is called after each question (progress display).
    """
    paths = [Path(questions_path)] if isinstance(questions_path, str | Path) else list(questions_path)
    questions: list[Question] = [q for path in paths for q in load_questions(path)]
    if limit is not None:
        questions = questions[: max(0, limit)]
    page_text = page_text or PdfPageText(DEFAULT_DOCUMENTS)
    results: list[QuestionResult] = []
    for question in questions:
        start = time.perf_counter()
        answer = assistant.ask(question.question)
        latency_ms = (time.perf_counter() - start) * 1000
        result = score(question, answer, latency_ms, page_text)
        log.debug("%s correct=%s rank=%s %.0f ms", question.id, result.correct, result.rank, latency_ms)
        results.append(result)
        if on_result is not None:
            on_result(result)
    report = aggregate(results)
    report["questions_file"] = " + ".join(map(str, paths))
    report["generated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["results"] = [r.to_json() for r in results]
    return report


def feedback_to_questions(feedback_jsonl: Path | str, out_path: Path | str) -> int:
    """Write thumbs-down feedback as candidate eval questions (facts left to fill in); returns how many.

    Thumbs up, unreadable lines and repeated questions are skipped; the file is rewritten each time.
    """
    feedback_jsonl, out_path = Path(feedback_jsonl), Path(out_path)
    candidates: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(feedback_jsonl.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            log.warning("%s line %d: not JSON, skipped", feedback_jsonl, number)
            continue
        if not isinstance(record, dict) or record.get("rating") != "down":
            continue
        question = str(record.get("question") or "").strip()
        key = normalize(question)
        if not question or key in seen:
            continue
        seen.add(key)
        citations = record.get("citations") or []
        first = citations[0] if citations and isinstance(citations[0], dict) else {}
        page = first.get("page")
        candidates.append(
            {
                "id": f"retour-{len(candidates) + 1:03d}",
                "question": question,
                "must_contain": [],  # to fill in by a reviewer, from the document, before use
                "source": first.get("source"),
                "page": page if isinstance(page, int) else None,
                "category": "retour",
                "profile": "moyenne",
                "refuse": False,
                "comment": str(record.get("comment") or ""),
                "answer": str(record.get("answer") or ""),  # what the assistant said, for the reviewer
                "time": record.get("time"),
            }
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as out:
        for candidate in candidates:
            out.write(json.dumps(candidate, ensure_ascii=False) + "\n")
    return len(candidates)
