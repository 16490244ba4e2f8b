"""`ars-assistant ingest` killed (SIGKILL) at random instants of its writes, several times: the next run always
completes the index to exactly what a clean run gives — same documents, chunk ids in Chroma and in the lexical
index, fiches, and answers.

The kill instants are drawn (seeded) over the write phase measured on the clean run: from the first document
fiche written to the end of the process. The corpus is many short documents, so that a kill lands between, or
inside, many commits within seconds.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF

from assistant.ingesting import run_ingest
from assistant.service import Assistant
from assistant.settings import Settings
from index.embeddings import E5Embeddings
from index.index import Index

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 5
SEED = 8
TOWNS = ["Alençon", "Argentan", "Flers", "L'Aigle", "Mortagne-au-Perche", "Domfront", "Sées", "Vimoutiers",
         "Gacé", "La Ferté-Macé", "Bellême", "Tinchebray", "Putanges", "Écouché", "Rânes", "Trun"]
COUNT = len(TOWNS)
QUESTIONS = ["combien d'internes à Sées ?", "combien de consultations à Flers ?", "qui coordonne le contrat de Trun ?"]


def write_corpus(folder: Path) -> Path:
    """Short notes (PDF, Markdown, text), one chunk each, each with its own figure."""
    folder.mkdir(parents=True)
    for number, town in enumerate(TOWNS):
        title = f"Contrat local de santé de {town}"
        body = (f"À {town}, le contrat local de santé 2024 finance {number + 3} internes et "
                f"{(number + 1) * 1_150} consultations. Il est coordonné par Mme Claire {town.upper()[:3]}ARD.")
        stem = f"cls-{number:02d}"
        if number % 3 == 0:
            pdf = FPDF()
            pdf.add_font("DejaVu", "", str(_font()))
            pdf.set_title(title)
            pdf.add_page()
            pdf.set_font("DejaVu", "", 12)
            pdf.multi_cell(0, 6, f"{title}\n\n{body}")
            pdf.output(str(folder / f"{stem}.pdf"))
        elif number % 3 == 1:
            (folder / f"{stem}.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
        else:
            (folder / f"{stem}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return folder


def _font() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


class MemoE5(E5Embeddings):
    """The real default model; texts already embedded in this module are not embedded again."""

    def __init__(self) -> None:
        super().__init__()
        self._memo: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, super().embed_documents(missing), strict=True))
        return [self._memo[t] for t in texts]


def start_ingest(corpus: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ARS_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    command = [sys.executable, "-c", "from assistant.cli import main; main()", "ingest", str(corpus)]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_writes(process: subprocess.Popen[bytes], data_dir: Path, limit_s: float = 180) -> float:
    """Block until the first fiche is written (the write phase has begun); returns when that was seen."""
    fiches = data_dir / "collections" / "ars" / "fiches"
    deadline = time.monotonic() + limit_s
    while not (fiches.exists() and any(fiches.iterdir())):
        if process.poll() is not None:
            err = process.stderr.read() if process.stderr else b""
            raise AssertionError(f"ingest ended before writing: {err.decode()[-2000:]}")
        assert time.monotonic() < deadline, "no write within the time limit"
        time.sleep(0.01)
    return time.monotonic()


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
    assert process.returncode == 0 and f"{COUNT} ingéré(s)" in out.decode(), err.decode()[-2000:]
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
