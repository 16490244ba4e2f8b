"""Scale-out as deployed: a real `chroma run` server, one `ars-assistant ingest` process and two serving replicas
(`ars-assistant api`) with data dirs of their own, the first started before anything was ingested."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_app import REPO, running_api

from eval.process import CLI

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CRACK = "combien pour le plan crack ?"
ORNE = "feuille-de-route-orne-bilan-2025.pdf"


def _cited(url: str) -> tuple[str, list[tuple[str, int, str]]]:
    body = httpx.post(url + "/api/ask", json={"question": CRACK}, timeout=120).json()
    return body["answer"], [(c["source"], c["page"], c["excerpt"]) for c in body["citations"]]


def test_replicas_over_one_chroma_server(chroma_server: Any, tmp_path: Path):
    server = {"ARS_CHROMA_HOST": chroma_server.host, "ARS_CHROMA_PORT": str(chroma_server.port)}
    with running_api(tmp_path / "a", {**server, "ARS_DATA_DIR": str(tmp_path / "a" / "data")}) as a:
        assert httpx.get(a + "/api/health").json()["documents"] == 0
        ingest = subprocess.run(
            [*CLI, "ingest", str(REPO / "data/documents")],
            env={**os.environ, **server, "ARS_DATA_DIR": str(tmp_path / "worker" / "data")},
            capture_output=True, text=True, timeout=600,
        )
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        b_dir = tmp_path / "b" / "data"
        with running_api(tmp_path / "b", {**server, "ARS_DATA_DIR": str(b_dir)}) as b:
            # the replica started before the ingest and the one started after answer alike
            answer_a, cited_a = _cited(a)
            assert "220 000" in answer_a and cited_a[0][:2] == (ORNE, 6)
            assert _cited(b) == (answer_a, cited_a)
            # the cited file opens from a replica that never saw the ingest's disk
            original = httpx.get(f"{b}/api/documents/{ORNE}/file")
            assert original.status_code == 200 and original.headers["content-type"] == "application/pdf"
            assert original.content == (REPO / "data/documents" / ORNE).read_bytes()
            # removed through B: A no longer cites it at its next question
            assert httpx.delete(f"{b}/api/documents/{ORNE}").status_code == 200
            after = httpx.post(a + "/api/ask", json={"question": CRACK}, timeout=120).json()
            assert after["refused"] and all(c["source"] != ORNE for c in after["citations"])
        # B's disk lost: restarted on an empty data dir, it serves what the server holds
        shutil.rmtree(b_dir)
        with running_api(tmp_path / "b", {**server, "ARS_DATA_DIR": str(b_dir)}) as b:
            listed = [d["source"] for d in httpx.get(b + "/api/documents").json()]
            assert listed == [d["source"] for d in httpx.get(a + "/api/documents").json()]
            assert len(listed) == 1 and ORNE not in listed


def test_two_ingests_started_together_on_two_machines_end_in_the_clean_result(chroma_server: Any, tmp_path: Path):
    server = {"ARS_CHROMA_HOST": chroma_server.host, "ARS_CHROMA_PORT": str(chroma_server.port),
              "ARS_COLLECTION": "ensemble"}
    command = [*CLI, "ingest", str(REPO / "data/documents")]
    runs = [
        subprocess.Popen(command, env={**os.environ, **server, "ARS_DATA_DIR": str(tmp_path / name)},
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name in ("machine-1", "machine-2")
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    codes = [run.returncode for run in runs]
    assert 0 in codes, outputs
    for code, output in zip(codes, outputs, strict=True):
        # the one that found the other writing says so in French, and loses nothing
        assert code == 0 or "autre ingestion est en cours sur le serveur Chroma" in output, output
    again = subprocess.run(command, env={**os.environ, **server, "ARS_DATA_DIR": str(tmp_path / "machine-2")},
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "0 ingéré," in again.stdout, again.stdout + again.stderr
    status = subprocess.run([*CLI, "status", "--json"], env={**os.environ, **server,
                            "ARS_DATA_DIR": str(tmp_path / "machine-3")}, capture_output=True, text=True, timeout=120)
    served = json.loads(status.stdout)
    assert served["documents"] == 2 and served["chunks"] == 52, served
