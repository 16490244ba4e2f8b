"""A document of one 200 KB word (issue 25's upload that froze the service), or of one run of a separator, is
cut into sentences and has its facts and its fiche with suggested questions within seconds, as any short
document does."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType

import pytest

from ingest.fiche.describe import describe
from ingest.pipeline import parse_file
from lang.kinds import kinds_of
from lang.sentences import block_sentences

LIMIT = 3.0  # CPU s; before the fix the letters alone took minutes (quadratic URL_RE)


class _Frozen(Exception):
    pass


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Frozen


@pytest.mark.parametrize(
    "text",
    ["a" * 200_000, "aB3é_" * 40_000, "a@" * 100_000, "1" * 200_000, "x" + " " * 200_000 + "y",
     "CAARUD" + "\n" * 200_000, "a-" * 100_000, "1 " * 100_000],
    ids=["letters", "mixed", "at-signs", "digits", "spaces", "blank-lines", "hyphens", "numbers"],
)
def test_a_document_of_one_huge_word_is_read_in_seconds(tmp_path: Path, text: str) -> None:
    path = tmp_path / "mot.txt"
    path.write_text(text, encoding="utf-8")
    previous = signal.signal(signal.SIGVTALRM, _stop)
    start = time.thread_time()
    try:
        signal.setitimer(signal.ITIMER_VIRTUAL, LIMIT)
        doc = parse_file(path)
        sentences = [s for block in doc.blocks for s in block_sentences(block.text)]
        kinds = [kinds_of(s) for s in sentences]
        fiche = describe(doc)
    except _Frozen:
        pytest.fail(f"still working after {LIMIT} s of CPU")
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
    assert "".join(sentences).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert len(kinds) == len(sentences)
    assert fiche.source == "mot.txt"
    assert time.thread_time() - start < LIMIT
