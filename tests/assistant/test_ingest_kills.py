"""`ars-assistant ingest` killed (SIGKILL) at random instants of its writes, several times: the next run always
completes the index to exactly what a clean run gives — same documents, chunk ids in Chroma and in the lexical
index, fiches, and answers.

The kill instants are drawn (seeded) over the write phase measured on the clean run: from the first document
fiche written to the end of the process. The corpus is many short documents, so that a kill lands between, or
inside, many commits within seconds.
"""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from short_notes import COUNT, MemoE5, start_ingest, wait_for_writes, write_corpus

from assistant.factory import run_ingest
from assistant.service import Assistant
from assistant.settings import Settings
from index.index import Index

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROUNDS = 5
SEED = 8
QUESTIONS = ["combien d'internes à Sées ?", "combien de consultations à Flers ?", "qui coordonne le contrat de Trun ?"]
def committed(data_dir: Path) -> int:
    """Documents in the manifest right now (the commit record)."""
    manifest = data_dir / "collections" / "ars" / "manifest.json"
    return len(json.loads(manifest.read_text(encoding="utf-8"))["documents"]) if manifest.exists() else 0


def snapshot(index: Index) -> dict[str, Any]:
    """What a clean ingest and a completed one must share (not the ingestion dates)."""
    ids = index.chunk_ids()
    assistant = Assistant(index)
    return {
        "documents": [(r.doc_id, r.source, r.title, r.pages, r.chunks) for r in index.documents()],
        "dense_ids": ids["dense"],
        "lexical_ids": ids["lexical"],
        "chunks": index.status()["chunks"],
        "vectors": len(index.search_dense("contrat local de santé", 1000)),
        "fiches": {r.doc_id: index.fiche(r.doc_id) for r in index.documents()},
        "answers": [(a.text, [(c.source, c.page, c.excerpt) for c in a.citations])
                    for a in map(assistant.ask, QUESTIONS)],
    }


def test_ingest_killed_at_random_instants_is_completed_by_the_next_run_to_the_clean_result(tmp_path: Path):
    corpus = write_corpus(tmp_path / "corpus")
    e5 = MemoE5()
    # the clean run: the real command, to the end; it also times the write phase
    clean_dir = tmp_path / "clean"
    process = start_ingest(corpus, clean_dir)
    writing = wait_for_writes(process, clean_dir)
    out, err = process.communicate(timeout=300)
    write_phase = time.monotonic() - writing
    assert process.returncode == 0 and f"{COUNT} ingérés" in out.decode(), err.decode()[-2000:]
    clean = snapshot(Index(clean_dir, embeddings=e5))
    assert len(clean["documents"]) == COUNT and clean["dense_ids"] == clean["lexical_ids"]
    assert "9 internes" in clean["answers"][0][0], clean["answers"][0]

    draw = random.Random(SEED)
    mid_write = 0
    for round_number in range(ROUNDS):
        data_dir = tmp_path / f"round-{round_number}"
        delay = draw.uniform(0, write_phase)
        process = start_ingest(corpus, data_dir)
        wait_for_writes(process, data_dir)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)  # this process only
        out, _ = process.communicate(timeout=60)
        killed = process.returncode == -signal.SIGKILL
        done = committed(data_dir)
        mid_write += killed and done < COUNT
        print(f"round {round_number}: killed {delay:.2f}s into a {write_phase:.2f}s write phase, "
              f"{done}/{COUNT} documents committed")

        index = Index(data_dir, embeddings=e5)  # opening repairs what the kill left
        report = run_ingest(Settings(data_dir=data_dir), [corpus], index=index)
        assert report.ingested + report.unchanged == COUNT and not report.skipped, str(report)
        assert index.repair() == {"orphan_documents": 0, "orphan_chunks": 0, "dropped_documents": 0,
                                  "lexical_rebuilt": 0}
        assert snapshot(index) == clean, f"round {round_number}"
        assert snapshot(Index(data_dir, embeddings=e5)) == clean, f"round {round_number}, reopened"
    assert mid_write >= 3, f"only {mid_write} of {ROUNDS} kills landed inside the writes"
