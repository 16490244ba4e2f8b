"""The HTTP API through real HTTP: `ars-assistant api` in a subprocess (uvicorn on 127.0.0.1) over a copy of
the ingested sample corpus, called by the `openai` client and by httpx as other tools would; and the same
routes served beside the page by `ars-assistant ui`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from browser_app import RunningApp, copy_data_dir, running_api

from assistant.schemas import AnswerOut
from eval.load import load_questions, run_load

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "jeton-de-test"
CRACK = "combien pour le plan crack ?"
CRACK_SOURCE = "feuille-de-route-orne-bilan-2025.pdf"


@pytest.fixture(scope="module")
def api_url(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`ars-assistant api` with two tokens over a copy of the corpus."""
    home = tmp_path_factory.mktemp("ars-api")
    data_dir = copy_data_dir(corpus_dir, home / "data")
    with running_api(home, {"ARS_DATA_DIR": str(data_dir), "ARS_API_TOKENS": f"autre-jeton,{TOKEN}"}) as url:
        yield url


@pytest.fixture
def http(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as client:
        yield client


def model(api_url: str, key: str = TOKEN) -> openai.OpenAI:
    return openai.OpenAI(base_url=api_url + "/v1", api_key=key, max_retries=0)


def test_an_openai_client_gets_the_cited_answer(api_url: str):
    client = model(api_url)
    assert [m.id for m in client.models.list().data] == ["ars-assistant"]
    reply = client.chat.completions.create(model="ars-assistant", messages=[{"role": "user", "content": CRACK}])
    text = reply.choices[0].message.content or ""
    assert text.startswith("220 000 euros sur 3 ans") and "\nSources :\n[1] " in text
    assert f"({CRACK_SOURCE}, p. 6)" in text
    citations = (reply.model_extra or {})["citations"]
    assert citations[0]["source"] == CRACK_SOURCE and citations[0]["page"] == 6 and citations[0]["excerpt"] in text


def test_a_streamed_answer_is_the_same_answer_in_pieces(api_url: str):
    client = model(api_url)
    messages = [{"role": "system", "content": "Réponds en français."}, {"role": "user", "content": CRACK}]
    plain = client.chat.completions.create(model="ars-assistant", messages=messages).choices[0].message.content
    pieces, last = [], None
    for chunk in client.chat.completions.create(model="ars-assistant", messages=messages, stream=True):
        pieces.extend(c.delta.content for c in chunk.choices if c.delta.content)
        last = chunk
    assert len(pieces) >= 2 and "".join(pieces) == plain
    assert last is not None and last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["citations"][0]["source"] == CRACK_SOURCE


def test_a_follow_up_is_read_with_the_previous_question(api_url: str, http: httpx.Client):
    messages = [{"role": "user", "content": CRACK}, {"role": "assistant", "content": "220 000 euros…"},
                {"role": "user", "content": [{"type": "text", "text": "et pour les jeunes ?"}]}]
    text = model(api_url).chat.completions.create(model="m", messages=messages).choices[0].message.content or ""
    same = http.post("/api/ask", json={"question": "et pour les jeunes ?", "history": [CRACK]}).json()
    assert not same["refused"] and text.startswith(same["answer"])


def test_the_token_is_required_and_checked(api_url: str):
    with pytest.raises(openai.AuthenticationError) as refused:
        model(api_url, key="mauvais-jeton").chat.completions.create(
            model="ars-assistant", messages=[{"role": "user", "content": CRACK}]
        )
    assert "ARS_API_TOKENS" in str(refused.value)
    for headers in ({}, {"Authorization": "Bearer mauvais-jeton"}, {"Authorization": f"Basic {TOKEN}"}):
        response = httpx.post(api_url + "/api/ask", json={"question": CRACK}, headers=headers)
        assert response.status_code == 401 and "jeton d'accès absent ou invalide" in response.json()["detail"]
    assert httpx.get(api_url + "/api/documents", headers={"Authorization": "Bearer autre-jeton"}).status_code == 200
    # a load balancer's health check needs no token
    health = httpx.get(api_url + "/api/health").json()
    assert health["status"] == "ok" and health["documents"] == 2 and health["passages"] > 0


def test_the_service_warms_up_by_itself_after_start(api_url: str):
    # The entity recogniser and the encoders load in the background once the port is open: a load balancer
    # waits for `warm` instead of making the first agent's question wait seconds for them. Nothing is asked here.
    deadline = time.monotonic() + 120
    while not (health := httpx.get(api_url + "/api/health").json())["warm"]:
        assert time.monotonic() < deadline, f"still not warm after 120 s: {health}"
        time.sleep(0.5)


def test_ask_returns_the_json_of_the_command_line(http: httpx.Client):
    body = http.post("/api/ask", json={"question": CRACK}).json()
    answer = AnswerOut.model_validate(body)
    assert not answer.refused and "220 000" in answer.answer and answer.citations[0].source == CRACK_SOURCE
    refused = AnswerOut.model_validate(http.post("/api/ask", json={"question": "meteo caen demain"}).json())
    assert refused.refused and refused.answer.startswith("Je ne trouve pas") and not refused.citations
    assert http.post("/api/ask", json={}).status_code == 422


def test_a_refusal_carries_the_closest_passages(http: httpx.Client):
    refused = AnswerOut.model_validate(http.post("/api/ask", json={"question": "budget plan crack dans le calvados"})
                                       .json())
    assert refused.refused and refused.answer.startswith("Je ne trouve pas") and not refused.citations
    assert 1 <= len(refused.closest) <= 3 and any("crack" in c.text for c in refused.closest)
    indexed = {d["source"] for d in http.get("/api/documents").json()}
    assert all(c.source in indexed and c.document and c.page >= 1 for c in refused.closest)
    # each closest sentence is a passage of its page, as /api/search gives it
    passages = http.get("/api/search", params={"q": refused.closest[0].text, "k": 3}).json()["passages"]
    assert any(refused.closest[0].text in p["text"] for p in passages)


def test_the_streamed_ask_ends_with_the_whole_answer(http: httpx.Client):
    with http.stream("POST", "/api/ask/stream", json={"question": CRACK}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [block for block in response.read().decode().split("\n\n") if block.strip()]
    kinds = [block.split("\n")[0] for block in events]
    assert kinds[0] == "event: partial" and kinds[-1] == "event: answer"
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert final["citations"][0]["source"] == CRACK_SOURCE and "220 000" in final["answer"]


def test_search_gives_scored_passages(http: httpx.Client):
    found = http.get("/api/search", params={"q": "plan crack", "k": 3}).json()["passages"]
    assert [p["rank"] for p in found] == [1, 2, 3]
    assert found[0]["score"] >= found[1]["score"] >= found[2]["score"] and "crack" in found[0]["text"].lower()
    assert http.get("/api/search", params={"q": ""}).status_code == 422


def test_documents_are_listed_added_refused_and_removed(http: httpx.Client, tmp_path: Path):
    listed = {d["source"] for d in http.get("/api/documents").json()}
    assert CRACK_SOURCE in listed and len(listed) == 2
    refused = http.post("/api/documents", files={"file": ("rapport.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert refused.status_code == 422 and "format non pris en charge" in refused.json()["detail"]
    empty = http.post("/api/documents", files={"file": ("vide.pdf", b"", "application/pdf")})
    assert empty.status_code == 422 and "vide.pdf" in empty.json()["detail"]
    note = "Note de service\n\nLe comité de pilotage des maisons sport-santé se réunit le 14 mars 2026 à Évreux.\n"
    added = http.post("/api/documents", files={"file": ("note comité.txt", note.encode(), "text/plain")})
    assert added.status_code == 201, added.text
    source = added.json()["source"]
    answer = http.post("/api/ask", json={"question": "quand se réunit le comité des maisons sport-santé ?"}).json()
    assert "14 mars 2026" in answer["answer"] and answer["citations"][0]["source"] == source
    assert http.get("/api/documents").json() and len(http.get("/api/documents").json()) == 3
    removed = http.delete(f"/api/documents/{source}")
    assert removed.status_code == 200 and removed.json()["removed"][0]["uploaded"] is True
    after = http.post("/api/ask", json={"question": "quand se réunit le comité des maisons sport-santé ?"}).json()
    assert all(c["source"] != source for c in after["citations"])
    gone = http.delete(f"/api/documents/{source}")
    assert gone.status_code == 404 and "n'est pas dans l'index" in gone.json()["detail"]


def test_the_openapi_page_lists_every_route(api_url: str):
    spec = httpx.get(api_url + "/api/openapi.json").json()
    routes = {(path, method) for path, methods in spec["paths"].items() for method in methods}
    assert routes >= {("/api/ask", "post"), ("/api/ask/stream", "post"), ("/api/search", "get"),
                      ("/api/documents", "get"), ("/api/documents", "post"), ("/api/documents/{source}", "delete"),
                      ("/api/health", "get"), ("/v1/chat/completions", "post"), ("/v1/models", "get"),
                      ("/api/documents/{source}/file", "get")}
    assert httpx.get(api_url + "/api/docs").status_code == 200


def test_twenty_programs_asking_at_once_through_the_api(api_url: str):
    report = run_load(api_url, load_questions(), clients=20, total=100, time_limit=240, api_token=TOKEN, api=True)
    print("\n" + json.dumps(report, ensure_ascii=False))
    assert report["errors"] == 0, report["error_samples"]
    assert report["answers"] == report["questions_asked"] == 100


def test_the_page_serves_the_api_beside_it(app: RunningApp):
    # the page has no login and no token is set: the API is as open as the page, on 127.0.0.1
    answer = httpx.post(app.url + "/api/ask", json={"question": CRACK}, timeout=120).json()
    assert answer["citations"][0]["source"] == CRACK_SOURCE
    reply = openai.OpenAI(base_url=app.url + "/v1", api_key="sans-jeton", max_retries=0).chat.completions.create(
        model="ars-assistant", messages=[{"role": "user", "content": CRACK}]
    )
    assert "220 000" in (reply.choices[0].message.content or "")
