"""The OpenAI-compatible chat API, called with the official ``openai`` client (plain and streamed) and ``httpx``.

Runs against the session's ``python app.py`` process (see ``test_app_server``): loopback, no API key created,
so the API answers without a key. Real model, real Chroma, the bundled corpus.
"""

from __future__ import annotations

import json

import httpx
import pytest

from conftest import PLAN_ID, REVIEW_ID
from test_app_server import shared_app

FRIEND_Q = "到2025年友好城市要达到多少对"
SEA_Q = "我们想去东南亚开拓市场，有什么支持？"
UNANSWERABLE_Q = "办理APEC商务旅行卡要交多少费用？"
MODEL = "policy-qa"


@pytest.fixture(scope="module")
def app(tmp_path_factory, built_index_dir):
    return shared_app(tmp_path_factory, built_index_dir)


@pytest.fixture(scope="module")
def client(app):
    from openai import OpenAI

    return OpenAI(base_url=app.url + "v1", api_key="not-needed-on-loopback", max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def http(app):
    with httpx.Client(base_url=app.url, timeout=60) as c:
        yield c


def ask(client, *messages, **extra):
    msgs = [{"role": r, "content": c} for r, c in messages]
    return client.chat.completions.create(model=MODEL, messages=msgs, **extra)


def streamed(client, *messages, **extra):
    """(content joined from the chunks, the chunks as dicts)."""
    chunks = [c.model_dump() for c in ask(client, *messages, stream=True, **extra)]
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]), chunks


# ---------------------------------------------------------------- models
def test_models_lists_the_assistant(client):
    models = client.models.list()
    assert [m.id for m in models.data] == [MODEL]


# ---------------------------------------------------------------- answers
def test_answer_keeps_its_markers_and_references(client, http):
    reply = ask(client, ("user", FRIEND_Q))
    content = reply.choices[0].message.content
    assert reply.object == "chat.completion" and reply.choices[0].finish_reason == "stop"
    assert "120" in content and "[1]" in content
    refs = reply.model_extra["references"]
    assert reply.model_extra["abstained"] is False
    assert refs and all({"n", "doc", "title", "locator", "text", "url"} <= set(r) for r in refs)
    first = next(r for r in refs if r["n"] == 1)
    assert "120对" in first["text"] and first["doc"] == PLAN_ID and first["title"].startswith("湖南省外事港澳工作")
    # every marker in the text names a reference
    assert {int(n) for n in __import__("re").findall(r"\[(\d+)\]", content)} <= {r["n"] for r in refs}
    # the reference's address opens the source viewer on that passage
    page = http.get(first["url"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'id="rag-target"' in page.text and "力争达到120对" in page.text


def test_answer_is_the_one_the_library_gives(client, assistant):
    reply = ask(client, ("user", SEA_Q))
    expected = assistant.ask(SEA_Q)
    assert reply.choices[0].message.content == expected.answer.text
    assert [(r["n"], r["doc"], r["text"]) for r in reply.model_extra["references"]] == [
        (c.n, c.passage.doc_id, c.passage.text) for c in expected.answer.citations
    ]


def test_stream_has_references_first_and_last_and_the_same_answer(client):
    text, chunks = streamed(client, ("user", FRIEND_Q))
    plain = ask(client, ("user", FRIEND_Q))
    assert text == plain.choices[0].message.content and "120" in text
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[0]["references"] == chunks[-1]["references"] == plain.model_extra["references"]
    assert any("120对" in r["text"] for r in chunks[0]["references"])


def test_stream_is_server_sent_events_ending_with_done(http):
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": FRIEND_Q}]}
    with http.stream("POST", "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = [ln for ln in r.iter_lines() if ln]
    assert all(ln.startswith("data: ") for ln in lines) and lines[-1] == "data: [DONE]"
    first = json.loads(lines[0][6:])
    assert first["references"] and first["abstained"] is False


def test_earlier_messages_make_a_follow_up_understood(client):
    reply = ask(client, ("system", "You are helpful."), ("user", SEA_Q), ("assistant", "……"), ("user", "那非洲呢？"))
    extra = reply.model_extra
    assert "非洲" in extra["searched"] and "开拓市场" in extra["searched"]
    assert not extra["abstained"] and any("非洲" in r["text"] for r in extra["references"])
    text, chunks = streamed(client, ("user", SEA_Q), ("user", "那非洲呢？"))
    assert text == reply.choices[0].message.content


def test_abstention_is_an_ordinary_message(client):
    reply = ask(client, ("user", UNANSWERABLE_Q))
    assert reply.model_extra["abstained"] is True and reply.model_extra["references"] == []
    assert reply.choices[0].message.content.startswith("文件中未找到") and reply.choices[0].finish_reason == "stop"
    text, chunks = streamed(client, ("user", UNANSWERABLE_Q))
    assert text == reply.choices[0].message.content
    assert chunks[0]["abstained"] is True and chunks[-1]["abstained"] is True


def test_outline_answer_comes_from_the_records(client):
    reply = ask(client, ("user", "规划一共分几章？"))
    content = reply.choices[0].message.content
    assert not reply.model_extra["abstained"] and "章" in content and reply.model_extra["references"]


def test_document_filter(client):
    reply = ask(client, ("user", SEA_Q), extra_body={"doc_ids": [REVIEW_ID]})
    assert {r["doc"] for r in reply.model_extra["references"]} <= {REVIEW_ID}
    reply = ask(client, ("user", SEA_Q), extra_body={"doc_ids": ["no-such-doc"]})
    assert any("No indexed document matches" in n for n in reply.model_extra["notices"])


def test_content_given_as_parts(http):
    body = {"model": MODEL, "messages": [{"role": "user", "content": [{"type": "text", "text": FRIEND_Q}]}]}
    r = http.post("/v1/chat/completions", json=body)
    assert r.status_code == 200 and "120" in r.json()["choices"][0]["message"]["content"]


# ---------------------------------------------------------------- bad input
def _error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and err["code"] == code and err["message"]
    return err


def test_unknown_model_through_the_client(client):
    import openai

    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": FRIEND_Q}])
    assert info.value.status_code == 404 and "policy-qa" in info.value.message


@pytest.mark.parametrize(
    "content, status, code",
    [
        (b"{not json", 400, "invalid_json"),
        (json.dumps({"model": MODEL, "messages": [{"role": "system", "content": "x"}]}), 400, "no_user_message"),
        (json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "   "}]}), 400, "no_user_message"),
        (json.dumps({"model": MODEL, "messages": []}), 400, "no_user_message"),
        (json.dumps({"model": MODEL}), 400, "invalid_request"),
        (json.dumps({"model": MODEL, "messages": "hello"}), 400, "invalid_request"),
        (json.dumps({"messages": [{"role": "user", "content": "hi"}]}), 400, "invalid_request"),
        (json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "长" * 100_000}]}), 400, "question_too_long"),
        (json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "？？？"}]}), 400, "invalid_question"),
        (json.dumps([1, 2]), 400, "invalid_request"),
    ],
)
def test_bad_requests_get_an_error_object(http, content, status, code):
    r = http.post("/v1/chat/completions", content=content, headers={"content-type": "application/json"})
    _error(r, status, code)


def test_wrong_content_type_is_415(http):
    body = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": FRIEND_Q}]})
    _error(http.post("/v1/chat/completions", content=body, headers={"content-type": "text/plain"}), 415,
           "unsupported_media_type")
    _error(http.post("/v1/chat/completions", data={"model": MODEL}), 415, "unsupported_media_type")


def test_lone_surrogate_in_the_question_is_dropped(http):
    body = '{"model": "%s", "messages": [{"role": "user", "content": "\\ud800%s"}]}' % (MODEL, FRIEND_Q)
    r = http.post("/v1/chat/completions", content=body.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 200 and "120" in r.json()["choices"][0]["message"]["content"]
    r = http.post("/api/ask", content=('{"question": "\\udfff%s"}' % FRIEND_Q).encode(),
                  headers={"content-type": "application/json"})
    assert r.status_code == 200 and "120" in r.json()["answer"]


# ---------------------------------------------------------------- /api/ask, /api/documents, /docs
def test_api_ask_returns_one_results_line(http, assistant):
    r = http.post("/api/ask", json={"question": "那非洲呢？", "history": [SEA_Q]})
    got = r.json()
    expected = assistant.ask("那非洲呢？", history=[SEA_Q]).to_dict()
    volatile = {"latency_ms", "timings_ms"}
    assert {k: v for k, v in got.items() if k not in volatile} == {k: v for k, v in expected.items() if k not in volatile}
    _error(http.post("/api/ask", json={"question": ""}), 400, "invalid_question")
    _error(http.post("/api/ask", json={"q": FRIEND_Q}), 400, "invalid_request")


def test_api_documents_lists_the_indexed_documents(http):
    docs = http.get("/api/documents").json()["documents"]
    assert {d["doc_id"] for d in docs} == {PLAN_ID, REVIEW_ID}
    plan = next(d for d in docs if d["doc_id"] == PLAN_ID)
    assert plan["title"].startswith("湖南省外事港澳工作") and plan["passages"] > 10 and plan["superseded"] is False
    assert http.get(plan["url"]).status_code == 200
    assert http.get("/source/no-such-doc").status_code == 404


def test_openapi_documents_every_route(http):
    spec = http.get("/openapi.json").json()
    assert {"/v1/models", "/v1/chat/completions", "/dify/retrieval", "/api/ask", "/api/documents"} <= set(spec["paths"])
    page = http.get("/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    assert http.get("/").status_code == 200  # the app is still at /


def test_unknown_route_or_method_is_an_error_object(http):
    _error(http.get("/v1/chat/completions"), 405, "method_not_allowed")
    _error(http.post("/v1/embeddings", json={}), 404, "not_found")
    assert http.get("/dify/retrieval").json()["error_code"] == 405
