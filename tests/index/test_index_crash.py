"""SIGKILL during a real ingest, then open again and finish: the index equals a clean ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import crash_worker
import pytest

from index.embeddings import E5Embeddings
from index.index import Index

WORKER = Path(crash_worker.__file__)
REPO = Path(__file__).resolve().parents[2]
QUERIES = ["220 k€ Drog'Aide", "conseil territorial de sante", "Version révisée en 2025", "CAARUD", "1,9 %"]


def _snapshot(index: Index) -> dict[str, Any]:
    """Everything a clean ingest and a repaired one must share (not the ingestion dates)."""
    ids = index.chunk_ids()
    return {
        "documents": [(r.doc_id, r.source, r.pages, r.chunks) for r in index.documents()],
        "dense_ids": ids["dense"],
        "lexical_ids": ids["lexical"],
        "chunks": index.status()["chunks"],
        # Every vector is searchable, not only listed.
        "vectors": len(index.search_dense("santé en Normandie", 1000)),
        "lexical_hits": [[h.chunk.id for h in index.search_lexical(q, 5)] for q in QUERIES],
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, e5: E5Embeddings) -> dict[str, Any]:
    index = Index(tmp_path_factory.mktemp("clean"), embeddings=e5)
    crash_worker.ingest(index)
    snapshot = _snapshot(index)
    assert snapshot["dense_ids"] == snapshot["lexical_ids"]
    assert snapshot["chunks"] == snapshot["vectors"] == len(snapshot["dense_ids"])
    return snapshot


def _run_and_kill(args: list[str], kill_after: float | None) -> list[str]:
    """Start the worker; SIGKILL it when it says PAUSED or `kill_after` s after READY; return its output."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=WORKER.parent,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    timer: threading.Timer | None = None
    try:
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("READY") and kill_after is not None:
                timer = threading.Timer(kill_after, proc.send_signal, [signal.SIGKILL])
                timer.start()
            if line.startswith("PAUSED"):
                proc.send_signal(signal.SIGKILL)
    finally:
        if timer is not None:
            timer.cancel()
        proc.wait(timeout=120)
        stderr = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == -signal.SIGKILL, f"worker was not killed: {lines} {stderr[-2000:]}"
    return lines


@pytest.mark.integration  # the writer is a process of its own, killed
@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "kill_at"),
    [
        ("embedded", "chroma-add:5"),  # mid-batch: chunks in Chroma, document not committed
        ("embedded", "chroma-delete:2"),  # replacing a changed file: new version in, old out, not committed
        ("embedded", "manifest-save:14"),  # committed, BM25 index not yet rebuilt
        ("embedded", "time:1.2"),  # whatever it was doing, Chroma's own writes included
        pytest.param("server", "chroma-add:9", marks=pytest.mark.integration),
        pytest.param("server", "time:1.0", marks=pytest.mark.integration),
        # the next writer is another replica, with a data dir of its own: the server holds what it needs
        pytest.param("server-elsewhere", "chroma-add:9", marks=pytest.mark.integration),
    ],
)
def test_killed_ingest_is_repaired_and_finishes_like_a_clean_one(
    backend: str,
    kill_at: str,
    tmp_path: Path,
    e5: E5Embeddings,
    clean: dict[str, Any],
    request: pytest.FixtureRequest,
) -> None:
    collection = f"crash-{uuid.uuid4().hex[:10]}"
    options: dict[str, Any] = {"embeddings": e5, "collection": collection}
    args = [str(tmp_path / "data"), collection]
    if backend.startswith("server"):
        server = request.getfixturevalue("chroma_server")
        options |= {"chroma_host": server.host, "chroma_port": server.port}
        args += ["--host", server.host, "--port", str(server.port)]
    event, _, value = kill_at.partition(":")
    if event == "time":
        lines = _run_and_kill([*args, "--slow", "0.05"], kill_after=float(value))
    else:
        lines = _run_and_kill([*args, "--pause-at", kill_at], kill_after=None)
    assert "DONE" not in lines  # killed mid-ingest, not after

    time.sleep(0.2)  # a server may still be finishing the killed client's last request
    data_dir = tmp_path / ("elsewhere" if backend == "server-elsewhere" else "data")
    index = Index(data_dir, **options)
    if event in ("chroma-add", "chroma-delete", "manifest-save"):
        assert any(index.repair_report.values()), "the kill left nothing to repair"
    crash_worker.ingest(index)
    assert _snapshot(index) == clean
    assert _snapshot(Index(data_dir, **options)) == clean
