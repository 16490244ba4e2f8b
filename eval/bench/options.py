"""What `ars-assistant bench` measures (BenchOptions), where its inputs lie, and its targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"
RENDERER = REPO / "scripts" / "render_corpus.py"
QUESTIONS = REPO / "eval" / "questions.jsonl"
DEFAULT_OUT = Path("eval/reports")
MB = 1024 * 1024

TARGETS = {
    "ingest_ratio": 1.3,  # whole ingest / raw encoder on the same chunks
    "answer_p95_ms": 300.0,  # warm, largest size, default (embedded) mode
    "cold_ask_s": 5.0,
    "serving_rss_mb": 2048.0,  # at the largest size
}


@dataclass(slots=True)
class BenchOptions:
    """What to measure; the defaults are the full run whose table is in docs/evaluation.md (« Performances »)."""

    sizes: list[int] = field(default_factory=lambda: [1000, 10_000, 100_000])
    modes: list[str] = field(default_factory=lambda: ["embedded", "server"])
    quick: bool = False  # a smoke run: one small document, a few questions, one run of each cold start
    ingest_documents: int = 20  # synthetic PDFs ingested for real (half of each sample document)
    questions: Path = QUESTIONS
    max_questions: int | None = None
    cold_runs: int = 3
    top_k: int = 8
    out_dir: Path = DEFAULT_OUT
    work_dir: Path | None = None  # kept when given; a temporary folder otherwise
    note: str = ""  # written in the report (e.g. "other jobs were using the CPU")

    def __post_init__(self) -> None:
        if self.quick:
            self.ingest_documents = min(self.ingest_documents, 1)
            self.max_questions = min(self.max_questions or 6, 6)
            self.cold_runs = 1
