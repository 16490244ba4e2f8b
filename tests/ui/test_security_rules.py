"""The rules of ui/security.py, ui/errors.py and the viewer's OCR slots, in process and fast (make test-fast): the
same guard as the real server, around a small app that records what reached it. The real server and Chromium are
in tests/ui/test_security.py and tests/ui/test_security_browser.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from assistant.settings import Settings
from ingest.errors import UserError
from ui.api import clean_text
from ui.body_limits import MULTIPART_SLACK, PartCounter
from ui.errors import install_errors
from ui.ocr_boxes import OcrBusy, OcrSlots
from ui.security import Guard, allowed_origins, parse_origin

LIMIT = 1024 * 1024
PORTAL = "https://portail.ars.test"


@pytest.fixture
def client() -> Iterator[tuple[TestClient, list[int]]]:
    """A guarded app whose upload route counts the bytes it read, and whose /bug route fails as a bug would."""
    app = FastAPI()
    read: list[int] = []

    @app.post("/api/documents")
    async def upload(request: Request) -> dict[str, int]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        read.append(size)
        return {"lu": size}

    @app.post("/gradio_api/upload")
    async def gradio_upload(request: Request) -> dict[str, int]:
        return await upload(request)

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ping": "pong"}

    @app.get("/bug")
    def bug() -> None:
        raise RuntimeError("/srv/ars/secret: KeyError")

    install_errors(app)
    app.add_middleware(Guard, allowed=allowed_origins(Settings(allowed_origins=PORTAL)), upload_limit=LIMIT)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, read


def test_origins_are_compared_by_scheme_host_and_port():
    assert parse_origin("HTTPS://Portail.ars.test") == parse_origin("https://portail.ars.test:443/page")
    assert parse_origin("http://127.0.0.1:7860") != parse_origin("http://localhost:7860")
    assert parse_origin("null") is None and parse_origin("http://[::1") is None
    with pytest.raises(UserError, match="« https://portail.ars.test/chemin » n'est pas une origine"):
        allowed_origins(Settings(allowed_origins="https://portail.ars.test/chemin"))
    with pytest.raises(UserError, match="« \\* » n'est pas une origine"):
        allowed_origins(Settings(allowed_origins=f"{PORTAL}, *"))


def test_a_change_needs_the_apps_origin_and_a_cookie_needs_one(client: tuple[TestClient, list[int]]):
    test_client, read = client
    own = {"Origin": "http://testserver"}
    assert test_client.post("/api/documents", content=b"x", headers=own).status_code == 200
    assert test_client.post("/api/documents", content=b"x").status_code == 200  # a program: no cookie, no origin
    for headers in ({"Origin": "http://evil.test"}, {"Referer": "http://evil.test/page"}, {"Cookie": "session=1"},
                    {"Origin": "null", "Cookie": "session=1"}):
        refused = test_client.post("/api/documents", content=b"x", headers=headers)
        assert refused.status_code == 403 and "Requête refusée" in refused.json()["detail"], headers
    assert read == [1, 1]  # the refused ones never reached the app
    listed = test_client.get("/ping", headers={"Origin": PORTAL})
    assert listed.headers["access-control-allow-origin"] == PORTAL
    assert "access-control-allow-origin" not in test_client.get("/ping", headers=own).headers
    assert test_client.get("/ping", headers={"Origin": "http://localhost"}).status_code == 403


def test_a_body_past_the_limit_is_cut_while_it_streams(client: tuple[TestClient, list[int]]):
    test_client, read = client

    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MB, sent chunked: no Content-Length to refuse it on
            yield b"x" * 65536

    cut = test_client.post("/api/documents", content=chunks())
    assert cut.status_code == 413 and "Fichier trop volumineux (plus de" in cut.json()["detail"]
    assert read == []  # the app stopped reading at the limit and its own answer gave way to the 413
    declared = test_client.post("/api/documents", content=b"x" * (LIMIT + MULTIPART_SLACK + 1))
    assert declared.status_code == 413 and "taille maximale : 1 Mo" in declared.json()["detail"]


def test_each_file_of_a_drop_is_counted_as_it_streams(client: tuple[TestClient, list[int]]):
    test_client, read = client
    files = [("files", (f"note-{n}.txt", b"x" * 900_000, "text/plain")) for n in range(3)]
    assert test_client.post("/gradio_api/upload", files=files).status_code == 200  # 2.7 MB, each file under 1 MB
    head = b'--b\r\nContent-Disposition: form-data; name="files"; filename="gros.txt"\r\n\r\n'

    def one_big_file() -> Iterator[bytes]:
        yield head
        for _ in range(48):  # 3 MB in one part, far under the 20 files a drop may carry
            yield b"x" * 65536

    cut = test_client.post("/gradio_api/upload", content=one_big_file(),
                           headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert cut.status_code == 413 and "Fichier trop volumineux (plus de 2,0 Mo)" in cut.json()["detail"]
    assert len(read) == 1


def test_a_part_is_counted_from_its_delimiter_even_across_chunks():
    counter = PartCounter(b"b")
    assert counter.feed(b"--b\r\nheaders\r\n\r\n" + b"x" * 10) == 26
    assert counter.feed(b"x" * 5 + b"\r") == 32
    assert counter.feed(b"\n--b\r\n" + b"y" * 4) == 6  # the delimiter straddled the two chunks
    assert counter.feed(b"y-\r\n--bz") == 1


def test_a_bug_is_a_french_json_500_without_its_detail(client: tuple[TestClient, list[int]]):
    test_client, _ = client
    failed = test_client.get("/bug")
    assert failed.status_code == 500 and "Erreur interne du serveur" in failed.json()["detail"]
    assert "secret" not in failed.text and "KeyError" not in failed.text
    assert failed.headers["x-frame-options"] == "SAMEORIGIN"


def test_questions_lose_what_utf8_cannot_carry():
    assert clean_text("crack \ud800 ?\x00") == "crack \ufffd ?\ufffd"
    assert clean_text("l’ARS 220 000 €") == "l’ARS 220 000 €"


def test_ocr_slots_one_per_client_and_a_few_in_all():
    slots = OcrSlots(total=2)
    with slots.taken("a"):
        with pytest.raises(OcrBusy, match="pour vous"), slots.taken("a"):
            pass
        with slots.taken("b"), pytest.raises(OcrBusy, match="trop de pages"), slots.taken("c"):
            pass
    with slots.taken("a"), slots.taken("c"):  # freed after each read, failed or not
        pass
