"""Hostile clients against the real app on loopback (FastAPI + Gradio served by uvicorn in a thread):
a login flood at 20 attempts a second while users ask in the chat, unauthenticated and oversized uploads,
lone surrogates and invalid UTF-8 through the JSON API, the Gradio API and the chat's answer stream."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import make_settings
from faultkit import ANSWER_FACT, QUESTION, free_port, rag

pytestmark = pytest.mark.slow

PASSWORD = "flood-test-pw"


@pytest.fixture(scope="module")
def app(tmp_path_factory, built_index_dir, embedder):
    """The app with an admin password, on a copy of the session index, and its Gradio config."""
    from rag.app.service import AppService

    root = tmp_path_factory.mktemp("abuse")
    shutil.copytree(built_index_dir, root / "index", ignore=shutil.ignore_patterns("ingest.lock", "ingest.owner"))
    settings = make_settings(root / "index", corpus_dir=root / "corpus", admin_password=PASSWORD,
                             feedback_path=root / "feedback.jsonl")
    service = AppService(settings, embedder=embedder)
    url, srv, thread = _serve(service, settings)
    config = json.loads(urllib.request.urlopen(url + "/config", timeout=30).read())
    yield {"url": url, "config": config, "service": service}
    srv.should_exit = True
    thread.join(timeout=15)


def _event(config, elem_id: str, trigger: str) -> tuple[int, int]:
    """(fn_index, component id) of the event ``trigger`` of the component with ``elem_id``."""
    comp = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    dep = next(d for d in config["dependencies"] if [comp["id"], trigger] in d["targets"])
    return dep["id"], comp["id"]


def _post(url: str, body: bytes | dict, headers: dict | None = None, timeout: float = 60) -> tuple[int, bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _login(app, password: str) -> tuple[int, str, float]:
    fn, trigger = _event(app["config"], "rag-admin-login", "click")
    started = time.monotonic()
    status, body = _post(app["url"] + "/gradio_api/run/predict",
                         {"fn_index": fn, "trigger_id": trigger, "data": [password, None],
                          "session_hash": uuid.uuid4().hex[:10]})  # a fresh session each time, as a flood does
    return status, body.decode("utf-8", "replace"), time.monotonic() - started


def _chat(app, question: str) -> tuple[bool, str]:
    """Ask through the chat's answer stream (Gradio's queue, server-sent events); (success, last output)."""
    fn, trigger = _event(app["config"], "rag-send", "click")
    session = uuid.uuid4().hex[:10]
    status, body = _post(app["url"] + "/gradio_api/queue/join",
                         json.dumps({"fn_index": fn, "trigger_id": trigger, "data": [question, [], None],
                                     "session_hash": session, "event_data": None}).encode())
    if status != 200:
        return False, f"HTTP {status}: {body[:200]!r}"
    with urllib.request.urlopen(f"{app['url']}/gradio_api/queue/data?session_hash={session}", timeout=120) as r:
        for raw in r:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("msg") == "process_completed":
                out = msg.get("output", {})
                return bool(msg.get("success")), json.dumps(out, ensure_ascii=False)
    return False, "stream ended without a result"


def test_login_flood_locks_out_without_starving_the_chat(app):
    """20 wrong logins a second from fresh sessions for 5 s while 8 users ask in the chat: every question
    is answered, the flood is locked out by address (answered at once, never queued)."""
    results, flood_times = [], []
    stop = threading.Event()

    def flood():
        while not stop.is_set():
            t0 = time.monotonic()
            status, body, took = _login(app, "wrong-guess")
            flood_times.append((status, took, "尝试次数过多" in body))
            time.sleep(max(0.0, 0.05 - (time.monotonic() - t0)))

    flooders = [threading.Thread(target=flood) for _ in range(2)]  # 2 × 10/s
    for f in flooders:
        f.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: _chat(app, QUESTION), range(16)))
        time.sleep(max(0.0, 5.0 - len(results) * 0))
    finally:
        stop.set()
        for f in flooders:
            f.join()
    failed = [out for ok, out in results if not ok or ANSWER_FACT not in out]
    assert not failed, failed[:2]
    assert len(flood_times) >= 80 and all(status == 200 for status, _, _ in flood_times)
    assert sum(locked for _, _, locked in flood_times) >= len(flood_times) - 3  # locked after 3 failures
    took = sorted(t for _, t, _ in flood_times)
    assert took[int(len(took) * 0.95)] < 1.0  # answered at once: no sleep, no queue
    # The right password is refused too while the address is locked, with the time to wait. Attempts
    # during a lockout do not lengthen it, so the flood may stop just as one ends: one more wrong guess
    # then starts the next (longer) lockout; the check runs with at least 2 s of it left.
    deadline = time.monotonic() + 30
    while app["service"].guard.wait_for("127.0.0.1") < 2:
        assert time.monotonic() < deadline
        _login(app, "wrong-guess")
        time.sleep(0.1)
    assert "尝试次数过多" in _login(app, PASSWORD)[1]
    assert app["service"].guard.wait_for("127.0.0.1") > 0


def _post_refused_early(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST ``body``, reading the reply even when the server answers and closes before the body is sent
    (it refuses without reading: the client then sees a broken pipe while its reply is already there)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.putrequest("POST", parts.path)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            conn.putheader(name, value)
        conn.endheaders()
        try:
            for start in range(0, len(body), 65536):
                conn.send(body[start : start + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


def test_upload_needs_an_admin_login_on_the_server_and_a_size_limit(app, tmp_path):
    """Gradio's upload route: refused (403) without an admin login, before anything is written; with one,
    an oversized body is refused (413) by its Content-Length before it is read."""
    import os
    import tempfile

    root = os.environ.get("GRADIO_TEMP_DIR") or os.path.join(tempfile.gettempdir(), "gradio")
    before = sum(len(files) for _, _, files in os.walk(root)) if os.path.isdir(root) else 0
    boundary = "xYzBoundary"
    payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n"
               f"Content-Type: text/plain\r\n\r\n{'政策' * 200_000}\r\n--{boundary}--\r\n").encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, body = _post_refused_early(app["url"] + "/gradio_api/upload", payload, headers)
    assert status == 403 and b"admin" in body
    after = sum(len(files) for _, _, files in os.walk(root)) if os.path.isdir(root) else 0
    assert after == before
    guard = app["service"].guard
    guard._admins["127.0.0.1"] = time.time() + 60  # what a successful login records for this address
    try:
        req = urllib.request.Request(app["url"] + "/gradio_api/upload", data=b"x" * 10,
                                     headers={**headers, "Content-Length": str(41 * 1000 * 1000)})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=30)
        assert err.value.code == 413
    finally:
        guard.logout("127.0.0.1")


BAD_TEXT = ["\ud800" + QUESTION, QUESTION + "\udfff", "\udcff\udcfe"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_lone_surrogates_get_an_answer_or_one_clear_message(app, text):
    """A lone surrogate in the question, history or filter: the JSON API, the Gradio API and the chat's
    answer stream answer (or refuse with one message), never a 500 or a broken stream."""
    body = json.dumps({"question": text, "history": [text], "doc_ids": [text]})  # \\ud800 escapes
    status, got = _post(app["url"] + "/api/ask", body.encode())
    assert status in (200, 400), got[:300]
    reply = json.loads(got)
    if status == 200:
        assert ANSWER_FACT in reply["answer"]
    else:
        assert reply["error"]["message"]
    ok, out = _chat(app, text)
    assert ok, out
    if QUESTION in text:
        assert ANSWER_FACT in out


def test_invalid_utf8_bodies_and_argv_get_one_clear_message(app, tmp_path):
    """Bytes that are not UTF-8: a 400 with a message from the API, an answer in the chat, one line from the CLI."""
    raw = b'{"question": "\xff\xfe' + QUESTION.encode() + b'"}'
    status, got = _post(app["url"] + "/api/ask", raw)
    reply = json.loads(got)
    assert status == 400, got
    message = reply["error"]["message"] if "error" in reply else reply["detail"]
    assert "pars" in message.lower() or "json" in message.lower() or "utf" in message.lower(), got
    fn, trigger = _event(app["config"], "rag-send", "click")
    session = uuid.uuid4().hex[:10]
    join = (b'{"fn_index": %d, "trigger_id": %d, "session_hash": "%s", "event_data": null, "data": ["\xff\xfe'
            % (fn, trigger, session.encode()) + QUESTION.encode() + b'", [], null]}')
    status, got = _post(app["url"] + "/gradio_api/queue/join", join)
    assert status == 200, got
    for args in (("ask", "\udcff\udcfe"), ("ask", "--doc", "\udcff", QUESTION), ("ingest", "--corpus", "/tmp/\udcff")):
        done = rag(*args, index_dir=tmp_path / "none")
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
        lines = [ln for ln in done.stderr.splitlines() if ln.startswith("rag: ")]
        assert len(lines) == 1 and "\\udc" not in lines[0], done.stderr


def test_login_backoff_doubles_per_address_and_locks_the_account_across_addresses():
    """The limiter itself (real clock, short times): free failures, then lockouts that double; a spread
    guess from many addresses locks the account for a new address too; the right password clears."""
    from rag.app.guard import LoginGuard

    guard = LoginGuard(free=3, account_free=10, base=0.2, cap=5.0)
    for _ in range(3):
        assert guard.check("x", PASSWORD, "10.0.0.1") == (False, 0)
    ok, wait = guard.check("x", PASSWORD, "10.0.0.1")
    assert not ok and wait == 1  # 0.2 s, shown rounded up
    assert guard.check(PASSWORD, PASSWORD, "10.0.0.1") == (False, 1)  # locked: not even compared
    time.sleep(0.25)
    guard.check("x", PASSWORD, "10.0.0.1")
    first = guard._by_key["ip:10.0.0.1"].locked_until - time.time()
    assert 0.3 < first <= 0.4  # doubled
    other = LoginGuard(free=3, account_free=10, base=0.2, cap=5.0)
    for n in range(11):
        other.check("x", PASSWORD, f"10.0.1.{n}")  # one guess per address: no address is locked
    assert other.wait_for("10.0.2.1") >= 1  # but the account is, for everyone
    time.sleep(0.45)
    fresh = LoginGuard()
    fresh.check("x", PASSWORD, "10.0.0.9")
    assert fresh.check(PASSWORD, PASSWORD, "10.0.0.9") == (True, 0)
    assert fresh.is_admin("10.0.0.9") and "ip:10.0.0.9" not in fresh._by_key


def _serve(service, settings):
    """The app served by uvicorn as ``rag.app.server`` configures it, in a thread; (url, server, thread)."""
    import uvicorn

    from rag.app.server import create_app, server_config

    port = free_port()
    srv = uvicorn.Server(server_config(create_app(service, "127.0.0.1", port), "127.0.0.1", port, settings))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}", srv, thread


@pytest.mark.parametrize("trusted, forwarded_is_client", [("127.0.0.1", True), ("10.9.9.9", False)])
def test_the_client_behind_a_trusted_proxy_is_the_forwarded_address(app, trusted, forwarded_is_client):
    """Behind a proxy listed in RAG_FORWARDED_ALLOW_IPS the client is the X-Forwarded-For address: a
    remote user forwarded by a proxy on this machine is not "loopback" for the API (no keys: 403); the login
    limits and the admin session read the same address. From an unlisted proxy the header is ignored."""
    service = app["service"]
    settings = service.settings.model_copy(update={"forwarded_allow_ips": trusted})
    url, srv, _ = _serve(service, settings)
    try:
        direct, _ = _post(url + "/api/ask", {"question": QUESTION})
        assert direct == 200
        status, body = _post(url + "/api/ask", {"question": QUESTION}, {"X-Forwarded-For": "203.0.113.7"})
        if forwarded_is_client:
            assert status == 403 and b"no_api_keys" in body
        else:
            assert status == 200 and ANSWER_FACT in json.loads(body)["answer"]
    finally:
        srv.should_exit = True
