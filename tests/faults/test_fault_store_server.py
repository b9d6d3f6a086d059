"""Faults of a Chroma server, injected for real: a ``chroma run`` subprocess is SIGSTOPped (hung) and
SIGKILLed (crashed) under the app and under an ingest.

The app runs in this process behind a real HTTP server on loopback (uvicorn, the FastAPI app with the
Gradio mount), its store on a ``chroma run`` of its own into which the session index is imported.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import CORPUS, make_settings
from faultkit import ANSWER_FACT, QUESTION, ChromaServer, assert_one_clear_line, free_port, passage_ids, rag, start_rag, wait_for_line

pytestmark = pytest.mark.slow

READ_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A ``chroma run`` of this module's own (restartable on the same data and port)."""
    root = tmp_path_factory.mktemp("chroma-faults")
    srv = ChromaServer(root / "db", free_port()).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def settings(tmp_path_factory, server, built_index_dir, embedder):
    """Server-mode settings (short timeouts) with the session index imported into the server."""
    from rag.store import Index

    s = make_settings(tmp_path_factory.mktemp("host"), chroma_host="127.0.0.1", chroma_port=server.port,
                      chroma_read_timeout=READ_TIMEOUT, chroma_connect_timeout=1.0)
    Index(s, embedder=embedder).import_from(Index(make_settings(built_index_dir), embedder=embedder))
    return s


@pytest.fixture(scope="module")
def app(settings, embedder):
    """The app (FastAPI + Gradio) served by uvicorn on a free loopback port, in a thread."""
    import uvicorn

    from rag.app.server import create_app
    from rag.app.service import AppService

    port = free_port()
    service = AppService(settings, embedder=embedder)
    config = uvicorn.Config(create_app(service, "127.0.0.1", port), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the app did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=15)


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _ask(app: str) -> tuple[int, dict, float]:
    req = urllib.request.Request(app + "/api/ask", data=json.dumps({"question": QUESTION}).encode(),
                                 headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read()), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), time.monotonic() - started


def test_hung_server_gives_a_clear_answer_within_the_timeouts_and_recovers(app, server, settings, embedder):
    """SIGSTOP: the running app keeps answering from the generation it holds in memory (its vectors are
    searched there), within the timeouts instead of hanging; /health/ready says not ready while
    /health/live stays up; a new process, which must open the index from the store, gets one clear line;
    after SIGCONT everything is as before."""
    before = passage_ids(settings, embedder)
    status, body, _ = _ask(app)
    assert status == 200 and ANSWER_FACT in body["answer"]
    assert _get(app + "/health/ready")[0] == 200
    server.pause()
    try:
        status, body, took = _ask(app)
        assert status == 200 and ANSWER_FACT in body["answer"], body
        assert took < 3 * READ_TIMEOUT + 5
        code, ready = _get(app + "/health/ready")
        assert code == 503 and ready["checks"]["store"] == "unreachable", ready
        assert _get(app + "/health/live") == (200, {"status": "live"})
        done = rag("ask", QUESTION, chroma_host="127.0.0.1", chroma_port=server.port, index_dir=settings.index_dir,
                   chroma_read_timeout=READ_TIMEOUT, timeout=60)
        assert done.returncode == 2
        assert_one_clear_line(done.stderr, "unreachable")
    finally:
        server.resume()
    status, body, _ = _ask(app)
    assert status == 200 and ANSWER_FACT in body["answer"]
    assert _get(app + "/health/ready")[0] == 200
    assert passage_ids(settings, embedder) == before


def test_server_killed_mid_ingest_one_line_then_lease_taken_over(app, server, settings, embedder, tmp_path):
    """SIGKILL of `chroma run` while an ingest embeds: the ingest ends with one clear line; after a restart
    nothing is lost, the dead ingest's lease is taken over at once, and the next ingest completes."""
    before = passage_ids(settings, embedder)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in CORPUS.iterdir():
        (corpus / f.name).write_bytes(f.read_bytes())
    text = (CORPUS / "hunan-foreign-affairs-review-2025-part3.txt").read_text(encoding="utf-8")
    (corpus / "hubei-review.txt").write_text(text.replace("湖南", "湖北"), encoding="utf-8")
    common = dict(chroma_host="127.0.0.1", chroma_port=server.port, index_dir=tmp_path / "writer",
                  chroma_read_timeout=READ_TIMEOUT, chroma_connect_timeout=1.0)
    proc = start_rag("ingest", "--corpus", str(corpus), **common)
    try:
        wait_for_line(proc, "embedding passages")
        server.kill()
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2
    assert_one_clear_line(err, "document store became unreachable", "rag ingest")
    status, body, _ = _ask(app)  # the running app answers from the generation it holds
    assert status == 200 and ANSWER_FACT in body["answer"], body
    assert _get(app + "/health/ready")[0] == 503  # but says it cannot reach the store
    server.start()
    assert passage_ids(settings, embedder) == before
    doctor = rag("doctor", **common)
    assert "died without releasing the writer lease" in doctor.stdout and "ingest running" not in doctor.stdout, doctor.stdout
    status, body, _ = _ask(app)
    assert status == 200 and ANSWER_FACT in body["answer"]
    started = time.monotonic()
    done = rag("ingest", "--corpus", str(corpus), timeout=300, **common)
    assert done.returncode == 0 and "1 added" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "waiting" not in done.stderr  # the dead writer's lease was taken over, not waited out
    after = passage_ids(settings, embedder)
    assert set(before) < set(after)
