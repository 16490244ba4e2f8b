"""Hardening of the web server and the API (ui/security.py, ui/errors.py, the viewer's OCR limits), over real HTTP:
`ars-assistant ui` and `ars-assistant api` in subprocesses, called by httpx and by raw sockets as an attacker or a
careless program would. What a browser does with these answers is in tests/ui/test_security_browser.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser_app import RunningApp, copy_data_dir, running_api, running_ui
from security_apps import SCAN_PASSAGE, SCAN_PDF, TEXT_PDF, TOKEN, raw_request

from eval.process import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PORTAL = "https://portail.ars.test"  # listed in ARS_ALLOWED_ORIGINS of the open app
FRAMING = {"x-frame-options": "SAMEORIGIN", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


@pytest.fixture(scope="module")
def open_app(security_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`ars-assistant ui` without login (127.0.0.1), one OCR at a time for the viewer, a trusted portal origin."""
    home = tmp_path_factory.mktemp("ars-security-ui")
    settings = {"ARS_VIEWER_OCR_CONCURRENCY": "1", "ARS_ALLOWED_ORIGINS": PORTAL}
    with running_ui(home, copy_data_dir(security_corpus, home / "data"), settings) as running:
        yield running


@pytest.fixture(scope="module")
def api(security_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`ars-assistant api` with a token and a 1 MB upload limit; its URL and its home (where its log is)."""
    home = tmp_path_factory.mktemp("ars-security-api")
    data_dir = copy_data_dir(security_corpus, home / "data")
    settings = {"ARS_DATA_DIR": str(data_dir), "ARS_API_TOKENS": TOKEN, "ARS_UI_MAX_UPLOAD_MB": "1"}
    with running_api(home, settings) as url:
        yield url, home


def sources(url: str) -> list[str]:
    listed = httpx.get(f"{url}/api/documents", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert listed.status_code == 200, listed.text
    return sorted(d["source"] for d in listed.json())


def assert_french_json(response: httpx.Response | bytes, *words: str) -> str:
    body = json.loads(response if isinstance(response, bytes) else response.content)
    message = body["error"]["message"] if "error" in body else body["detail"]
    assert isinstance(message, str) and "Traceback" not in message
    for word in words:
        assert word in message, message
    return message


def test_every_response_forbids_framing_and_sniffing(open_app: RunningApp):
    for path in ["/", "/config", "/api/health", f"/documents/{TEXT_PDF}", f"/visionneuse/{TEXT_PDF}?page=1",
                 "/visionneuse-fichiers/viewer.js", "/api/nexiste-pas", f"/visionneuse-boites/{TEXT_PDF}?page=1"]:
        response = httpx.get(open_app.url + path, timeout=30)
        for name, value in FRAMING.items():
            assert response.headers.get(name) == value, (path, name)
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"], path
    viewer = httpx.get(f"{open_app.url}/visionneuse/{TEXT_PDF}?page=1", timeout=30)
    assert "default-src 'self'" in viewer.headers["content-security-policy"]  # the viewer's own policy is kept


def test_another_origin_can_neither_change_nor_read_anything(open_app: RunningApp):
    before = sources(open_app.url)
    note = {"file": ("piege.txt", b"Le budget du plan est de 999 000 euros.", "text/plain")}
    port = open_app.url.rsplit(":", 1)[1]
    for origin in [f"http://127.0.0.1:{free_port()}", f"http://localhost:{port}", "https://evil.example", "null"]:
        foreign = {"Origin": origin}
        with httpx.Client(base_url=open_app.url, headers=foreign, timeout=30) as attacker:
            refused = [
                attacker.post("/api/documents", files=note),
                attacker.delete(f"/api/documents/{TEXT_PDF}"),
                attacker.post("/gradio_api/upload", files={"files": note["file"]}),
                attacker.post("/api/ask", json={"question": "combien pour le dispositif ?"}),
                attacker.options("/api/documents", headers={"Access-Control-Request-Method": "DELETE"}),
                attacker.get("/config"),
                attacker.get("/api/documents"),
            ]
        for response in refused:
            assert response.status_code == 403, (origin, response.request.url, response.text)
            assert_french_json(response, "autre site", "ARS_ALLOWED_ORIGINS")
            assert not any(h.startswith("access-control-") for h in response.headers), response.headers
    # a deployment's host name (Gradio reflected any origin there), and a form posted from another site's page
    deployed = httpx.get(f"{open_app.url}/config", headers={"Host": "assistant.ars.fr", "Origin": "https://a.evil"},
                         timeout=30)
    assert deployed.status_code == 403 and "access-control-allow-origin" not in deployed.headers
    posted = httpx.post(f"{open_app.url}/api/documents", files=note, headers={"Referer": "https://a.evil/page"},
                        timeout=30)
    assert posted.status_code == 403
    # a cookie without Origin nor Referer: what a forged request would look like, refused; a program without
    # cookie is not a browser acting for someone, and the app's own page is the app
    ask = {"question": "quel budget pour le dispositif de coordination ?"}
    cookie = httpx.post(f"{open_app.url}/api/ask", json=ask, headers={"Cookie": "session=volee"}, timeout=60)
    assert cookie.status_code == 403 and "Bearer" in assert_french_json(cookie, "cookie")
    assert httpx.post(f"{open_app.url}/api/ask", json=ask, timeout=60).status_code == 200
    own = httpx.post(f"{open_app.url}/api/ask", json=ask, headers={"Origin": open_app.url, "Cookie": "a=b"}, timeout=60)
    assert own.status_code == 200 and "48 000" in own.json()["answer"]
    assert sources(open_app.url) == before


def test_an_origin_listed_in_the_settings_gets_cors(open_app: RunningApp):
    preflight = httpx.options(f"{open_app.url}/api/ask", headers={
        "Origin": PORTAL, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == PORTAL
    assert preflight.headers["access-control-allow-credentials"] == "true"
    listed = httpx.get(f"{open_app.url}/api/documents", headers={"Origin": PORTAL}, timeout=30)
    assert listed.status_code == 200 and listed.headers["access-control-allow-origin"] == PORTAL


def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(open_app: RunningApp, api: tuple[str, Path]):
    url, _ = api
    before = sources(url)
    said = {"/api/documents": "Fichier trop volumineux (381,5 Mo) ; taille maximale : 1 Mo",
            "/gradio_api/upload": "Envoi trop volumineux (381,5 Mo) ; taille maximale : 20 Mo par envoi, 1 Mo par "
                                  "fichier"}  # a drop of several files is one request there
    for base, path in [(url, "/api/documents"), (open_app.url, "/api/documents"), (open_app.url, "/gradio_api/upload")]:
        host = base.split("//", 1)[1]
        head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 400000000\r\n\r\n")
        response = raw_request(base, head)  # 400 MB announced, not one byte sent: the answer must not wait for it
        assert response.status == 413, response.head
        assert response.seconds < 5
        assert_french_json(response.body, said[path])
    assert sources(url) == before


def test_a_chunked_upload_is_cut_once_past_the_limit(open_app: RunningApp, api: tuple[str, Path]):
    url, _ = api
    before = sources(url)
    start = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="enorme.txt"\r\n'
             b"Content-Type: text/plain\r\n\r\n")
    piece = b"x" * 65536
    body = [start, *[piece] * 160]  # one file of 10 MB: over the limit (1 MB and the multipart margin)
    chunks = [f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in body]
    for base, path in [(url, "/api/documents"), (open_app.url, "/gradio_api/upload")]:
        host = base.split("//", 1)[1]
        head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n")
        response = raw_request(base, head, chunks)
        assert response.status == 413, (path, response.head, response.body[:300])
        assert_french_json(response.body, "Fichier trop volumineux (plus de 2,", "Mo) ; taille maximale : 1 Mo")
    assert sources(url) == before
    # several files under the limit in one drop (the page sends them together) pass, whatever their sum
    files = [("files", (f"note-{n}.txt", b"x" * 900_000, "text/plain")) for n in range(3)]
    several = httpx.post(f"{open_app.url}/gradio_api/upload", files=files, timeout=60)
    assert several.status_code == 200 and len(several.json()) == 3
    uploads = open_app.data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_hostile_inputs_get_a_french_json_answer_never_a_bare_500(open_app: RunningApp, api: tuple[str, Path]):
    url, home = api
    token = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    lone_surrogate = b'{"question": "crack \\ud800 ?"}'  # JSON allows it; no UTF-8 can carry it
    chat = b'{"model": "ars-assistant", "messages": [{"role": "user", "content": "crack \\ud800 ?"}]}'
    with httpx.Client(base_url=url, headers=token, timeout=120) as client:
        answered = client.post("/api/ask", content=lone_surrogate)
        assert answered.status_code == 200 and "\ufffd" in answered.json()["question"]
        assert client.post("/api/ask/stream", content=lone_surrogate).status_code == 200
        completion = client.post("/v1/chat/completions", content=chat)
        assert completion.status_code == 200 and completion.json()["choices"][0]["message"]["content"]
        cases = [
            ("/api/ask", b'{"question": "crack', 400, "pas du JSON valide"),
            ("/api/ask", b"\xff\xfe{}", 400, "pas du JSON valide"),
            ("/api/ask", b'{"question": 3}', 422, "« question » : doit être un texte"),
            ("/api/ask", b'{"question": "x", "history": "y"}', 422, "« history » : doit être une liste"),
            ("/api/ask", b"[]", 422, "Requête invalide"),
            ("/v1/chat/completions", b'{"messages": 5}', 422, "« messages » : doit être une liste"),
            ("/api/ask", b'{"question": "' + b"a" * (9 * 1024 * 1024) + b'"}', 413, "Requête trop volumineuse"),
        ]
        for path, body, status, words in cases:
            response = client.post(path, content=body)
            assert response.status_code == status, (path, body[:40], response.text[:300])
            assert_french_json(response, words)
        assert client.post("/v1/chat/completions", content=b"{").json()["error"]["type"] == "invalid_request_error"
        assert_french_json(client.get("/api/nexiste-pas"), "Adresse inconnue")
        assert_french_json(client.put("/api/ask"), "Méthode non autorisée")
        assert_french_json(client.get("/api/documents/%00/file"), "introuvable")
    for path in ["/visionneuse-fichiers/..%00/x", "/visionneuse/..%00?page=1", "/visionneuse-boites/%00?page=1",
                 "/documents/..%00"]:
        host = open_app.url.split("//", 1)[1]
        response = raw_request(open_app.url, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
        assert response.status == 404, (path, response.head)
        assert b"introuvable" in response.body
    logs = [*home.glob("api-*.log"), open_app.log]
    for log in logs:
        assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace"), log


def test_ocr_boxes_only_for_scanned_pages_and_one_at_a_time(open_app: RunningApp):
    boxes = f"{open_app.url}/visionneuse-boites"
    start = time.monotonic()
    text_page = httpx.get(f"{boxes}/{TEXT_PDF}", params={"page": 1, "passage": "48 000 euros"}, timeout=30)
    assert text_page.status_code == 422 and "pas numérisée" in text_page.json()["message"]
    assert time.monotonic() - start < 2  # no OCR ran (a page takes seconds)
    found: dict[str, httpx.Response] = {}

    def read_page_two() -> None:
        found["first"] = httpx.get(f"{boxes}/{SCAN_PDF}", params={"page": 2, "passage": SCAN_PASSAGE}, timeout=120)

    first = threading.Thread(target=read_page_two)
    first.start()
    time.sleep(0.5)  # its OCR has started (it takes seconds)
    same_client = httpx.get(f"{boxes}/{SCAN_PDF}", params={"page": 1, "passage": "Vire"}, timeout=30)
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as other:
        other_client = other.get(f"{boxes}/{SCAN_PDF}", params={"page": 1, "passage": "Vire"})
        first.join(120)
        assert found["first"].status_code == 200 and found["first"].json()["boites"]
        for busy in (same_client, other_client):
            assert busy.status_code == 429 and busy.headers["retry-after"] == "5"
            assert "Réessayez dans quelques secondes" in busy.json()["message"]
        assert "pour vous" in same_client.json()["message"]
        start = time.monotonic()
        again = other.get(f"{boxes}/{SCAN_PDF}", params={"page": 2, "passage": SCAN_PASSAGE})
        assert again.status_code == 200 and again.json() == found["first"].json()
        assert time.monotonic() - start < 2  # read once: kept for everyone

