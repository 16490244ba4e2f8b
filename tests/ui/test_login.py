"""With accounts configured, the interface and the cited documents need a login (the real app, in process)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.settings import Settings
from ui.server import create_server

ORNE = "feuille-de-route-orne-bilan-2025.pdf"


def test_documents_and_config_need_a_login_when_accounts_are_set(corpus_dir: Path, tmp_path: Path):
    data_dir = Path(shutil.copytree(corpus_dir, tmp_path / "data"))
    app = create_server(Settings(data_dir=data_dir, ui_users="marie:secret1"))
    with TestClient(app) as client:
        assert client.get(f"/documents/{ORNE}").status_code == 401
        assert client.get(f"/visionneuse/{ORNE}?page=6").status_code == 401
        assert client.get(f"/visionneuse-boites/{ORNE}?page=6&passage=crack").status_code == 401
        assert client.get("/config").status_code == 401
        assert client.post("/login", data={"username": "marie", "password": "faux"}).status_code == 400
        assert client.post("/login", data={"username": "marie", "password": "secret1"}).status_code == 200
        response = client.get(f"/documents/{ORNE}")
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        assert client.get("/documents/..%2Fmanifest.json").status_code == 404
        viewer = client.get(f"/visionneuse/{ORNE}?page=6&passage=220%20000%20euros")
        assert viewer.status_code == 200 and "Télécharger le fichier" in viewer.text


def test_without_accounts_the_page_is_open_and_french(corpus_dir: Path, tmp_path: Path):
    data_dir = Path(shutil.copytree(corpus_dir, tmp_path / "data"))
    with TestClient(create_server(Settings(data_dir=data_dir))) as client:
        page = client.get("/", headers={"Accept-Language": "en-US", "Accept-Encoding": "gzip, br"})
        assert page.status_code == 200
        assert 'lang="fr"' in page.text.split(">", 2)[1] and 'navigator, "language"' in page.text
        assert "Se déconnecter" not in client.get("/config").text
        assert client.get(f"/documents/{ORNE}").status_code == 200


def test_beside_a_page_with_accounts_the_api_takes_its_session_or_a_token(corpus_dir: Path, tmp_path: Path):
    data_dir = Path(shutil.copytree(corpus_dir, tmp_path / "data"))
    app = create_server(Settings(data_dir=data_dir, ui_users="marie:secret1", api_tokens="outil-intranet"))
    question = {"question": "combien pour le plan crack ?"}
    with TestClient(app) as client:
        refused = client.post("/api/ask", json=question)
        assert refused.status_code == 401 and "Bearer" in refused.json()["detail"]
        tool = client.post("/api/ask", json=question, headers={"Authorization": "Bearer outil-intranet"})
        assert tool.status_code == 200 and tool.json()["citations"][0]["source"] == ORNE
        assert client.post("/login", data={"username": "marie", "password": "secret1"}).status_code == 200
        # the page's session, from the page (a browser sends its Origin; ui/security.py refuses a cookie without one)
        assert client.post("/api/ask", json=question, headers={"Origin": "http://testserver"}).status_code == 200
        assert client.get("/api/docs").status_code == 200


def test_beside_a_page_with_accounts_and_no_tokens_the_api_needs_the_session(corpus_dir: Path, tmp_path: Path):
    data_dir = Path(shutil.copytree(corpus_dir, tmp_path / "data"))
    with TestClient(create_server(Settings(data_dir=data_dir, ui_users="marie:secret1"))) as client:
        refused = client.get("/api/documents")
        assert refused.status_code == 401 and "Connexion requise" in refused.json()["detail"]
        assert client.post("/login", data={"username": "marie", "password": "secret1"}).status_code == 200
        assert [d["source"] for d in client.get("/api/documents").json()].count(ORNE) == 1


def test_with_accounts_the_page_links_to_sign_out_and_signing_out_ends_the_session(corpus_dir: Path, tmp_path: Path):
    data_dir = Path(shutil.copytree(corpus_dir, tmp_path / "data"))
    with TestClient(create_server(Settings(data_dir=data_dir, ui_users="marie:secret1"))) as client:
        assert client.post("/login", data={"username": "marie", "password": "secret1"}).status_code == 200
        assert "Se déconnecter" in client.get("/config").text
        assert client.get("/api/documents").status_code == 200
        client.get("/logout")
        assert client.get("/api/documents").status_code == 401
