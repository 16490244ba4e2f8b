"""Thumbs up/down on answers, kept as JSON lines under the data directory (read by eval.run.feedback_to_questions)."""

from __future__ import annotations

import json
import logging
import os
import threading
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.models import Citation
from assistant.settings import Settings

log = logging.getLogger(__name__)

FEEDBACK_FILE = "feedback.jsonl"
MAX_COMMENT_CHARS = 2000
Rating = Literal["up", "down"]


def feedback_path(settings: Settings) -> Path:
    """Where the feedback of this data directory is kept."""
    return settings.data_dir / FEEDBACK_FILE


def clean_comment(text: str) -> str:
    """A comment without control characters (newlines kept), trimmed to a sane length."""
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return kept.strip()[:MAX_COMMENT_CHARS]


class FeedbackStore:
    """Append-only in spirit: a record is added on a thumb, then updated in place when a comment follows."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()  # one UI process, many sessions: appends and rewrites never interleave

    def add(
        self,
        question: str,
        answer: str,
        citations: Sequence[Citation],
        rating: Rating,
        comment: str = "",
        user: str | None = None,
        conversation: str | None = None,
        turn: int | None = None,
    ) -> str:
        """Store one rating of an answer; returns the record id (to attach a comment later). `conversation` and
        `turn`: where the answer is kept in the agent's saved conversations (assistant.conversations)."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        record: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "question": question,
            "answer": answer,
            "rating": rating,
            "comment": clean_comment(comment),
            "citations": [
                {"n": c.n, "source": c.source, "title": c.title, "page": c.page, "section": c.section,
                 "excerpt": c.excerpt}
                for c in citations
            ],
        }
        if user:
            record["user"] = user
        if conversation:
            record["conversation"] = conversation
            if turn is not None:
                record["turn"] = turn
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        log.info("feedback %s: %s", record["id"], rating)
        return str(record["id"])

    def update(self, record_id: str, *, rating: Rating | None = None, comment: str | None = None) -> bool:
        """Change the rating or the comment of a stored record; False if there is no such record."""
        if rating is not None and rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        with self._lock:
            if not self.path.exists():
                return False
            lines = self.path.read_text(encoding="utf-8").splitlines()
            found = False
            for i, line in enumerate(lines):
                record = _parse(line)
                if record is None or record.get("id") != record_id:
                    continue  # other records, even unreadable lines, are written back untouched
                found = True
                if rating is not None:
                    record["rating"] = rating
                if comment is not None:
                    record["comment"] = clean_comment(comment)
                record["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
                lines[i] = json.dumps(record, ensure_ascii=False)
            if found:
                self._write(lines)
        return found

    def records(self) -> list[dict[str, Any]]:
        """Every stored record, oldest first."""
        with self._lock:
            return self._read()

    def _read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        records = []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), start=1):
            record = _parse(line)
            if record is not None:
                records.append(record)
            elif line.strip():
                log.warning("%s line %d: not a JSON object, left out", self.path, number)
        return records

    def _write(self, lines: list[str]) -> None:
        # a crash mid-write leaves the previous file whole: write aside, then rename over it
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.tmp")
        with tmp.open("w", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(self.path)


def _parse(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None
