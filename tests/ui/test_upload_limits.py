"""The upload limits hold without the page's script: a client of the Gradio API sending a file too big or of the
wrong type gets the French refusal, and nothing is stored under the data directory."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from browser_app import MAX_UPLOAD_MB, RunningApp
from gradio_client import Client, handle_file

pytestmark = [pytest.mark.integration]


def stored_uploads(app: RunningApp) -> set[str]:
    uploads = app.data_dir / "uploads"
    return {p.name for p in uploads.iterdir()} if uploads.exists() else set()


def test_uploads_over_the_limit_or_of_the_wrong_type_are_refused_without_the_page(app: RunningApp, tmp_path: Path):
    # far over the limit: the server refuses it (413) before storing anything
    before = stored_uploads(app)
    big = b"%PDF-1.4\n" + os.urandom(int((MAX_UPLOAD_MB + 1.5) * 1024 * 1024))
    response = httpx.post(f"{app.url}/gradio_api/upload", files={"files": ("enorme.pdf", big, "application/pdf")},
                          timeout=60)
    assert response.status_code == 413
    assert stored_uploads(app) == before
    # a Gradio API client: each refused in French, none stored
    over = tmp_path / "rapport-annuel.pdf"  # over ARS_UI_MAX_UPLOAD_MB, under Gradio's own margin
    over.write_bytes(b"%PDF-1.4\n" + os.urandom(int((MAX_UPLOAD_MB + 0.5) * 1024 * 1024)))
    program = tmp_path / "outil.exe"
    program.write_bytes(b"MZ" + os.urandom(1024))
    script = tmp_path / "..\\..\\evil.sh"
    script.write_bytes(b"#!/bin/sh\n")
    before = stored_uploads(app)
    client = Client(app.url, verbose=False)
    try:
        result = client.predict([handle_file(over), handle_file(program), handle_file(script)], api_name="/upload")
    finally:
        client.close()
    report = result[2]  # (the file box, the stage under way, the report, the document list…)
    assert "rapport-annuel.pdf** : fichier trop volumineux (1,5 Mo) ; taille maximale : 1 Mo" in report
    assert "outil.exe** : format non pris en charge (.exe)" in report
    assert "format non pris en charge (.sh)" in report
    assert stored_uploads(app) == before
