"""Searches in threads of a process whose embedded Chroma client is reopened because another process wrote.

The interface keeps one Index open and answers questions in several threads without any lock against writes;
`ars-assistant ingest` run beside it replaces documents (their old chunks deleted), and "Actualiser" reloads
the index, which reopens its Chroma client to see the other's vectors. Between the other's commit and the
reload, the old client still finds the deleted chunks' vectors (without their text); during the reopen, a
search must not use the client being closed. Neither may fail a question.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import traceback
from pathlib import Path

import ars_corpus
import pytest
import replace_worker

from index.embeddings import E5Embeddings
from index.index import Index

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
WRITES = 12
THREADS = 3


def test_searches_never_fail_while_another_process_replaces_documents_and_the_client_is_reopened(
    tmp_path: Path, e5: E5Embeddings
) -> None:
    data_dir = tmp_path / "data"
    index = Index(data_dir, embeddings=e5)
    with index.batch():
        for source in ars_corpus.DOCUMENTS:
            index.add_document(*ars_corpus.document(source))
    encoded = index.encoder_counts["encoded"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    writer = subprocess.Popen(
        [sys.executable, replace_worker.__file__, str(data_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO,
    )
    assert writer.stdin is not None and writer.stdout is not None
    stop = threading.Event()
    failures: list[str] = []
    searches = [0] * THREADS

    def ask(number: int) -> None:
        while not stop.is_set():
            try:
                index.search("plan crack Alençon", 3)
                index.search_dense("centres de ressources territoriaux", 3)
                searches[number] += 1
            except Exception:  # noqa: BLE001 - any failure is the finding
                failures.append(traceback.format_exc())
                return

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(THREADS)]
    try:
        assert writer.stdout.readline().strip() == "READY"
        for thread in threads:
            thread.start()
        for _ in range(WRITES):
            writer.stdin.write("suivant\n")
            writer.stdin.flush()
            assert writer.stdout.readline().strip() == "DONE"
            index.reload_from_disk()  # what Library.reload does: the client is reopened
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        writer.stdin.close()
        writer.wait(120)

    assert not failures, failures[0]
    assert all(searches), searches
    assert writer.returncode == 0
    ids = index.chunk_ids()
    records = index.documents()
    assert len(records) == len(ars_corpus.DOCUMENTS)
    assert ids["dense"] == ids["lexical"] and len(ids["dense"]) == sum(r.chunks for r in records)
    assert len(index.search_dense("contrat local de santé", 1000)) == len(ids["dense"])  # the other's vectors
    assert index.search_lexical("Version 11 révisée", 1)[0].chunk.text.startswith("Version 11")
    assert index.encoder_counts["encoded"] >= encoded  # carried over to the reopened client
