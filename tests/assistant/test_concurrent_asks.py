"""Questions asked while another process ingests: answers keep coming, nothing is corrupted.

`ars-assistant ingest` writes short notes into a copy of the sample corpus's index. Meanwhile threads of this
process, each with its own Index (as separate users' processes would have), ask in a loop, and `ars-assistant
ask` processes start one after another, each opening the index at some instant of the writes. Every question
gets an answer (the sample corpus is there all along), no process fails, and afterwards the index needs no
repair and holds everything.

A reader never waits for the writer and never gets an "index en cours d'écriture" message: it reads the last
committed state (manifest and BM25 generation are replaced atomically) plus what Chroma already holds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from short_notes import COUNT, MemoE5, start_ingest, wait_for_writes, write_corpus

from assistant.library import Library
from assistant.service import Assistant
from assistant.settings import Settings
from eval.process import CLI
from index.index import Index

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
THREADS = 3
CRACK = "combien pour le plan crack ?"
QUESTIONS = [CRACK, "combien d'internes à Sées ?", "qui a signé la charte ?", "c'est quoi un CRT ?"]


def ask_process(data_dir: Path, question: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARS_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    return subprocess.run([*CLI, "ask", "--json", question], capture_output=True, text=True, env=env, timeout=300,
                          cwd=REPO)


def test_questions_are_answered_while_another_process_ingests_and_nothing_is_corrupted(
    corpus_settings: Settings, tmp_path: Path
):
    data_dir = Path(shutil.copytree(corpus_settings.data_dir, tmp_path / "data"))
    corpus = write_corpus(tmp_path / "notes")
    e5 = MemoE5()
    e5.embed_query("préchauffage")  # the model loads once, before the threads share it
    stop = threading.Event()
    answers: list[tuple[str, Any]] = []
    failures: list[str] = []
    processes: list[subprocess.CompletedProcess[str]] = []

    def reader(number: int) -> None:
        try:
            index = Index(data_dir, embeddings=e5)  # opened while the other process writes
            assistant = Assistant(index)
            turn = number
            while not stop.is_set():
                question = QUESTIONS[turn % len(QUESTIONS)]
                answers.append((question, assistant.ask(question)))
                turn += 1
            index.close()
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            failures.append(f"reader {number}: {exc!r}")

    def asker() -> None:
        turn = 0
        while not stop.is_set():
            processes.append(ask_process(data_dir, QUESTIONS[turn % len(QUESTIONS)]))
            turn += 1

    writer = start_ingest(corpus, data_dir)
    wait_for_writes(writer, data_dir)
    threads = [threading.Thread(target=reader, args=(n,)) for n in range(THREADS)] + [threading.Thread(target=asker)]
    for thread in threads:
        thread.start()
    out, err = writer.communicate(timeout=600)
    stop.set()
    for thread in threads:
        thread.join(300)
    print(f"\n{len(answers)} answers in threads, {len(processes)} ask processes during the ingest")

    assert writer.returncode == 0 and f"{COUNT} ingérés" in out.decode(), err.decode()[-3000:]
    assert not failures, failures
    assert len(answers) >= 2 * THREADS and processes
    for question, answer in answers:
        assert answer.text, question
        if question == CRACK:
            assert "220 000 euros" in answer.text and answer.citations
    for done in processes:
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
        answer = json.loads(done.stdout)
        if answer["question"] == CRACK:
            assert "220 000 euros" in answer["answer"]

    index = Index(data_dir, embeddings=e5)  # as the next writer would: it repairs if anything is amiss
    clean = {"orphan_documents": 0, "orphan_chunks": 0, "dropped_documents": 0, "lexical_rebuilt": 0}
    assert index.repair_report == clean and index.repair() == clean
    ids = index.chunk_ids()
    records = index.documents()
    assert len(records) == COUNT + 2
    assert ids["dense"] == ids["lexical"] and len(ids["dense"]) == sum(r.chunks for r in records)
    assert len(index.search_dense("contrat local de santé", 1000)) == len(ids["dense"])
    assert "9 internes" in Assistant(index).ask("combien d'internes à Sées ?").text


def test_the_interface_sees_the_vectors_another_process_ingested_once_it_reloads(
    corpus_settings: Settings, tmp_path: Path
):
    """The interface keeps one Index open for days; `ars-assistant ingest` runs beside it."""
    settings = Settings(data_dir=Path(shutil.copytree(corpus_settings.data_dir, tmp_path / "data")))
    library = Library(settings, Index(settings.data_dir, embeddings=MemoE5()))
    before = len(library.index.search_dense("contrat local de santé", 1000))
    writer = start_ingest(write_corpus(tmp_path / "notes"), settings.data_dir)
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err.decode()[-3000:]
    assert library.reload()  # "Actualiser la liste"
    assert len(library.index.search_dense("contrat local de santé", 1000)) == before + COUNT
    hit = library.index.search("internes à Sées contrat local de santé", 1)[0]
    assert hit.chunk.source.startswith("cls-") and "Sées" in hit.chunk.text
