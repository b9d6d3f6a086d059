"""API keys: ``rag keys create / list / revoke``, the loopback rule, 401 and 429, keys never logged;
and the API in LLM mode (the model is :class:`fake_openai.FakeOpenAI`, a real HTTP server).

One ``python app.py`` of its own (see ``test_app_server.start_app``), listening on all interfaces so that
a caller from the machine's non-loopback address can be told from one on loopback.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import httpx
import pytest

from conftest import ROOT
from fake_openai import FakeOpenAI, Reply, passages_of
from test_app_server import start_app

FRIEND_Q = "到2025年友好城市要达到多少对"
MODEL = "policy-qa"
BURST = 10
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": FRIEND_Q}]}
DIFY = {"knowledge_id": MODEL, "query": FRIEND_Q, "retrieval_setting": {"top_k": 2, "score_threshold": 0.0}}


def _outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    for info in infos:
        if not info[4][0].startswith("127."):
            return info[4][0]
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout.split()
    except (OSError, subprocess.SubprocessError):
        out = []
    return next((a for a in out if re.match(r"^\d+\.\d+\.\d+\.\d+$", a) and not a.startswith("127.")), None)


def _reply(body: dict) -> Reply:
    ps = passages_of(body)
    n = next((i for i, p in enumerate(ps, start=1) if "120对" in p), None)
    if n is None:
        return Reply("文件中未找到答案。")
    return Reply(f"根据规划，到2025年，全省友好城市力争达到120对。[{n}]", chunk_size=3)


@pytest.fixture(scope="module")
def fake():
    with FakeOpenAI(default=_reply) as server:
        yield server


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, built_index_dir, fake):
    root = tmp_path_factory.mktemp("guarded")
    keys_path = root / "secrets" / "api-keys.json"
    env = dict(GRADIO_SERVER_NAME="0.0.0.0", RAG_API_KEYS_PATH=str(keys_path), RAG_API_BURST=str(BURST),
               RAG_API_RATE_PER_MINUTE="6", RAG_LLM_BASE_URL=fake.base_url, RAG_LLM_MODEL="fake",
               RAG_LLM_TIMEOUT="20")
    app = start_app(root, built_index_dir, env)
    app.keys_path = keys_path
    yield app
    app.stop()


def rag_keys(app, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_API_KEYS_PATH=str(app.keys_path), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "rag.cli", "keys", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def created_key(app, name: str) -> str:
    """``rag keys create name``: the key, from the last line it prints."""
    done = rag_keys(app, "create", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def keys(guarded):
    """Two keys made with the CLI (first used after the no-key test, which runs first in this module)."""
    return {name: created_key(guarded, name) for name in ("ops", "limited")}


# ---------------------------------------------------------------- before any key
def test_without_keys_the_api_answers_only_on_loopback(guarded):
    assert not guarded.keys_path.exists()
    local = httpx.post(guarded.url + "v1/chat/completions", json=CHAT, timeout=60)
    assert local.status_code == 200 and "120" in local.json()["choices"][0]["message"]["content"]
    outside = _outside_address()
    if outside is None:
        pytest.skip("this machine has no non-loopback address to call from")
    base = f"http://{outside}:{guarded.port}/"
    r = httpx.post(base + "v1/chat/completions", json=CHAT, timeout=60)
    assert r.status_code == 403 and r.json()["error"]["code"] == "no_api_keys"
    assert "rag keys create" in r.json()["error"]["message"]
    r = httpx.post(base + "dify/retrieval", json=DIFY, timeout=60)
    assert r.status_code == 403 and r.json()["error_code"] == 1002
    assert httpx.get(base, timeout=30).status_code == 200  # the app's page is not the API


# ---------------------------------------------------------------- keys
def test_create_prints_the_key_last_and_stores_only_its_hash(guarded, keys):
    key = created_key(guarded, "reader")
    assert re.fullmatch(r"rag-[A-Za-z0-9_-]{40,}", key)
    stored = guarded.keys_path.read_text(encoding="utf-8")
    assert key not in stored and "reader" in [k["name"] for k in json.loads(stored)["keys"]]
    assert oct(guarded.keys_path.stat().st_mode & 0o777) == "0o600"
    listing = rag_keys(guarded, "list")
    assert listing.returncode == 0 and "reader" in listing.stdout and key not in listing.stdout
    again = rag_keys(guarded, "create", "reader")
    assert again.returncode == 2 and "exists" in again.stderr
    r = httpx.get(guarded.url + "api/documents", headers=bearer(key), timeout=30)
    assert r.status_code == 200 and len(r.json()["documents"]) == 2
    keys["reader"] = key  # checked against the log at the end


@pytest.mark.parametrize(
    "headers, code, dify_code",
    [
        ({}, "missing_api_key", 1001),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "invalid_authorization_header", 1001),
        ({"Authorization": "Bearer"}, "invalid_authorization_header", 1001),
        (bearer("rag-not-a-real-key"), "invalid_api_key", 1002),
    ],
)
def test_missing_or_wrong_key_is_401_even_on_loopback(guarded, keys, headers, code, dify_code):
    r = httpx.post(guarded.url + "v1/chat/completions", json=CHAT, headers=headers, timeout=60)
    assert r.status_code == 401 and r.json()["error"]["code"] == code
    r = httpx.post(guarded.url + "dify/retrieval", json=DIFY, headers=headers, timeout=60)
    assert r.status_code == 401 and r.json()["error_code"] == dify_code
    r = httpx.post(guarded.url + "v1/chat/completions", content=b"{broken", headers=headers, timeout=60)
    assert r.status_code == 401  # who calls is checked before what they sent
    assert httpx.get(guarded.url + "api/documents", headers=headers, timeout=60).status_code == 401


def test_a_key_opens_the_api_from_anywhere(guarded, keys):
    from openai import OpenAI

    client = OpenAI(base_url=guarded.url + "v1", api_key=keys["ops"], max_retries=0, timeout=60)
    assert [m.id for m in client.models.list().data] == [MODEL]
    outside = _outside_address()
    if outside:
        r = httpx.post(f"http://{outside}:{guarded.port}/dify/retrieval", json=DIFY, headers=bearer(keys["ops"]), timeout=60)
        assert r.status_code == 200 and r.json()["records"]


# ---------------------------------------------------------------- LLM mode
def test_llm_answer_plain_and_streamed_is_the_checked_one(guarded, keys, fake):
    from openai import OpenAI

    client = OpenAI(base_url=guarded.url + "v1", api_key=keys["ops"], max_retries=0, timeout=60)
    fake.requests.clear()
    reply = client.chat.completions.create(model=MODEL, messages=CHAT["messages"])
    content = reply.choices[0].message.content
    # the model's answer, its marker renumbered to the first reference
    assert content == "根据规划，到2025年，全省友好城市力争达到120对。[1]"
    refs = reply.model_extra["references"]
    assert [r["n"] for r in refs] == [1] and "120对" in refs[0]["text"]
    chunks = [c.model_dump() for c in client.chat.completions.create(model=MODEL, messages=CHAT["messages"], stream=True)]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == content and chunks[0]["references"] == chunks[-1]["references"] == refs
    assert len(fake.chat_requests) == 2


def test_llm_mode_answers_outlines_from_the_records_without_the_model(guarded, keys, fake):
    fake.requests.clear()
    r = httpx.post(guarded.url + "v1/chat/completions", headers=bearer(keys["ops"]), timeout=60,
                   json={"model": MODEL, "messages": [{"role": "user", "content": "规划一共分几章？"}]})
    body = r.json()
    assert r.status_code == 200 and not body["abstained"] and "章" in body["choices"][0]["message"]["content"]
    assert fake.chat_requests == []


# ---------------------------------------------------------------- rate, revoke, logs
def test_past_its_rate_a_key_gets_429_with_retry_after(guarded, keys):
    codes = [httpx.get(guarded.url + "v1/models", headers=bearer(keys["limited"]), timeout=30) for _ in range(BURST + 2)]
    assert [r.status_code for r in codes[:BURST]] == [200] * BURST
    limited = codes[-1]
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert 1 <= int(limited.headers["Retry-After"]) <= 10
    # another key has its own bucket
    assert httpx.get(guarded.url + "v1/models", headers=bearer(keys["ops"]), timeout=30).status_code == 200


def test_revoked_key_stops_working_and_no_key_is_ever_logged(guarded, keys):
    done = rag_keys(guarded, "revoke", "ops")
    assert done.returncode == 0, done.stderr
    r = httpx.get(guarded.url + "v1/models", headers=bearer(keys["ops"]), timeout=30)
    assert r.status_code == 401
    assert rag_keys(guarded, "revoke", "ops").returncode == 2
    log = guarded.log()
    assert "question answered" in log  # the log is written …
    for key in keys.values():
        assert key not in log and key[4:] not in log  # … and holds no key


def test_key_store_writes_atomically(tmp_path):
    from rag.api.keys import KeyNameError, KeyStore

    store = KeyStore(tmp_path / "k.json")
    key = store.create("a")
    assert store.verify(key) == "a" and store.verify(key + "x") is None
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]  # no temporary file left
    with pytest.raises(KeyNameError):
        store.create("a b")
    other = KeyStore(tmp_path / "k.json")  # another process sees it
    assert other.verify(key) == "a"
    store.revoke("a")
    assert other.verify(key) is None
