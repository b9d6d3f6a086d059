"""Chroma server mode: a real ``chroma run`` on loopback, shared by several readers and one writer.

The module starts its own ``chroma run`` (from the installed chromadb package) on
a free port with a temporary data path and stops it at the end. The session
index is moved into it with ``Index.import_from`` (vectors copied, nothing
re-embedded); then questions are asked through it — in this process and in two
separate processes with their own empty keyword caches — and documents are
ingested and deleted through it.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import PLAN_ID, REVIEW_ID, ROOT, SMALL_DOC, make_settings

pytestmark = pytest.mark.slow

QUESTIONS = [
    "国际友好城市建设要达到什么目标？",
    "2025年湖南外事工作怎样服务企业出海？",
    "湖南与香港、澳门的合作交流有哪些举措？",
    "What are Hunan's goals for foreign affairs during the 14th Five-Year Plan?",
]



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on 127.0.0.1:<free port>, stopped when the module ends."""
    data = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    log = open(data / "server.log", "w")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not start: {(data / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _server_settings(tmp_path_factory, server, name: str, **overrides):
    host, port = server
    return make_settings(tmp_path_factory.mktemp(name), chroma_host=host, chroma_port=port, **overrides)


@pytest.fixture(scope="module")
def server_settings(tmp_path_factory, chroma_server, built_index_dir, embedder):
    """Settings of an app host in server mode; the session index is imported into the server."""
    from rag.store.index import Index

    settings = _server_settings(tmp_path_factory, chroma_server, "host-a")
    report = Index(settings, embedder=embedder).import_from(Index(make_settings(built_index_dir), embedder=embedder))
    assert set(report.added) == {PLAN_ID, REVIEW_ID}
    return settings


def _answers(assistant) -> list[dict]:
    out = []
    for q in QUESTIONS:
        r = assistant.ask(q)
        out.append({"answer": r.answer.text, "retrieved": [h.passage.id for h in r.retrieved]})
    return out


def test_server_answers_like_the_embedded_index(server_settings, tmp_path_factory, chroma_server, embedder, assistant):
    """Imported into the server, the index answers exactly as the embedded one — also on a host
    with no keyword cache, which rebuilds BM25 from the passages stored in Chroma."""
    from rag.store.index import Index
    from rag.pipeline import Assistant

    want = _answers(assistant)
    assert _answers(Assistant(server_settings, embedder=embedder)) == want
    fresh = _server_settings(tmp_path_factory, chroma_server, "host-fresh")
    index = Index(fresh, embedder=embedder).load()
    assert (fresh.index_dir / "keyword" / index.manifest.generation / "ids.json").is_file()
    assert not (fresh.index_dir / "chroma").exists(), "server mode keeps no local Chroma store"
    assert _answers(Assistant(fresh, index=index)) == want


_ASK_SCRIPT = """
import json, sys
from rag.pipeline import Assistant
a = Assistant()
out = []
for q in json.loads(sys.argv[1]):
    r = a.ask(q)
    out.append({"answer": r.answer.text, "retrieved": [h.passage.id for h in r.retrieved]})
print(json.dumps({"generation": a.index.manifest.generation, "pid": __import__("os").getpid(), "answers": out}, ensure_ascii=False))
"""


def test_two_processes_give_the_same_answers(server_settings, chroma_server, tmp_path, assistant):
    """Two app processes (each its own keyword cache, as on two hosts) behind one Chroma server."""
    host, port = chroma_server
    procs = []
    for name in ("proc-1", "proc-2"):
        env = _env(RAG_CHROMA_HOST=host, RAG_CHROMA_PORT=str(port), RAG_INDEX_DIR=str(tmp_path / name))
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", _ASK_SCRIPT, json.dumps(QUESTIONS, ensure_ascii=False)],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
        )
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    one, two = results
    assert one["pid"] != two["pid"] and one["generation"] == two["generation"]
    assert one["answers"] == two["answers"] == _answers(assistant)


def test_ingest_ask_delete_through_the_server(server_settings, tmp_path, embedder):
    """A writer ingests and deletes through the server; a reader elsewhere picks each change up."""
    from rag.store.index import Index
    from rag.pipeline import Assistant

    reader = Assistant(server_settings, index=Index(server_settings, embedder=embedder))
    writer = Index(server_settings, embedder=embedder)
    doc = tmp_path / "translators.txt"
    doc.write_text(SMALL_DOC, encoding="utf-8")
    report = writer.upsert([doc])
    assert report.added == ["translators"], report.summary()

    assert not reader.index.is_current()
    reader.refresh()
    assert "translators" in reader.index.manifest.documents
    r = reader.ask("外事翻译实训基地依托哪所大学设立？")
    assert any(c.passage.doc_id == "translators" for c in r.answer.citations), r.answer.text
    assert "湖南师范大学" in r.answer.text
    assert reader.index.document_text("translators").title.startswith("湖南省外事翻译人才培养试点方案")

    report = writer.delete(["translators"])
    assert report.deleted == ["translators"]
    reader.refresh()
    assert set(reader.index.manifest.documents) == {PLAN_ID, REVIEW_ID}
    r = reader.ask("外事翻译实训基地依托哪所大学设立？")
    assert all(c.passage.doc_id != "translators" for c in r.answer.citations)
    # Only the published generation and the one before it are kept in the server.
    names = [c.name for c in writer.client.list_collections() if c.name.startswith("passages-")]
    assert len(names) == 2


def test_writer_lease_is_exclusive_across_processes(server_settings):
    """The single-writer rule in server mode is a lease record in rag-meta, not a local file."""
    from rag.store.index import IndexBusyError, _ServerWriterLock

    with _ServerWriterLock(server_settings, timeout=0):
        with pytest.raises(IndexBusyError, match=rf"being updated by pid {os.getpid()} on "):
            with _ServerWriterLock(server_settings, timeout=0.6):
                pass
        # Another process (another host, as far as Chroma can tell), e.g. `rag ingest`:
        env = _env(
            RAG_CHROMA_HOST=server_settings.chroma_host,
            RAG_CHROMA_PORT=str(server_settings.chroma_port),
            RAG_INDEX_DIR=str(server_settings.index_dir.parent / "other-host"),
            RAG_INGEST_LOCK_TIMEOUT="1",
        )
        proc = subprocess.run(
            [sys.executable, "-m", "rag.cli", "ingest", "--corpus", str(ROOT / "corpus")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert f"being updated by pid {os.getpid()} on" in proc.stderr
    # Released: the next writer gets in at once.
    with _ServerWriterLock(server_settings, timeout=0):
        pass


def test_stale_lease_of_a_dead_writer_is_broken_and_the_dead_writer_cannot_publish(server_settings):
    from rag.store.index import IndexBusyError, _ServerWriterLock

    dead = _ServerWriterLock(server_settings, timeout=0, ttl=1.0)
    dead.__enter__()
    dead._stop.set()  # the holder "dies": no more heartbeats, no release
    dead._thread.join()
    time.sleep(1.2)
    with _ServerWriterLock(server_settings, timeout=3):
        with pytest.raises(IndexBusyError, match="lost its writer lease"):
            dead.check()  # it would have been refused at publish time
    dead.__exit__(None, None, None)  # releasing a lease it no longer holds is harmless


class _TokenProxy(BaseHTTPRequestHandler):
    """A stand-in for the reverse proxy (nginx/Envoy) that checks the bearer token."""

    protocol_version = "HTTP/1.1"
    upstream: tuple[str, int] = ("127.0.0.1", 0)
    token = "s3cret-token"
    seen: list[str] = []

    def _forward(self):
        auth = self.headers.get("Authorization")
        type(self).seen.append(auth or "")
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else None
        if auth != f"Bearer {self.token}":
            body = b'{"error":"Unauthorized","message":"missing or wrong token"}'
            self.send_response(401)
        else:
            conn = http.client.HTTPConnection(*self.upstream, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "authorization")}
            conn.request(self.command, self.path, body=data, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server"):
                    self.send_header(k, v)
            conn.close()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

    def log_message(self, *args):
        pass


def test_token_is_sent_and_checked_by_the_proxy_in_front(server_settings, chroma_server, tmp_path):
    """chroma run (1.x) checks no token itself; RAG_CHROMA_TOKEN is sent as a bearer token
    for the reverse proxy in front of it to check (docs/operations.md)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from rag.store.index import Index, IndexUnavailableError

    host, port = chroma_server
    # The bare server takes any token (or none): it must never be exposed beyond the host/VPC.
    bare = chromadb.HttpClient(host=host, port=port, headers={"Authorization": "Bearer wrong"},
                               settings=ChromaSettings(anonymized_telemetry=False))
    assert bare.heartbeat() > 0

    _TokenProxy.upstream = (host, port)
    _TokenProxy.seen = []
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _TokenProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        proxy_port = proxy.server_address[1]
        good = make_settings(tmp_path / "good", chroma_host=host, chroma_port=proxy_port, chroma_token=_TokenProxy.token)
        manifest = Index(good).read_manifest()
        assert manifest is not None and set(manifest.documents) >= {PLAN_ID, REVIEW_ID}
        assert _TokenProxy.seen and all(a == f"Bearer {_TokenProxy.token}" for a in _TokenProxy.seen)
        for token in ("wrong", None):
            bad = make_settings(tmp_path / "bad", chroma_host=host, chroma_port=proxy_port, chroma_token=token)
            with pytest.raises(IndexUnavailableError, match=f"Cannot reach the Chroma server at {host}:{proxy_port}"):
                Index(bad).read_manifest()
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_doctor_in_server_mode(server_settings, tmp_path):
    from rag.doctor import run_doctor

    out = io.StringIO()
    assert run_doctor(server_settings, out=out) == 0, out.getvalue()
    text = out.getvalue()
    assert f"server http://127.0.0.1:{server_settings.chroma_port}" in text
    assert "documents" in text and "all checks passed" in text
    assert len(text.splitlines()) <= 20, "one screen"

    down = make_settings(tmp_path / "down", chroma_host="127.0.0.1", chroma_port=_free_port())
    out = io.StringIO()
    assert run_doctor(down, out=out) == 1
    assert "FAIL  chroma" in out.getvalue() and "SKIP  index" in out.getvalue()

    llm_down = server_settings.model_copy(update={"llm_base_url": f"http://127.0.0.1:{_free_port()}/v1", "llm_model": "x"})
    out = io.StringIO()
    assert run_doctor(llm_down, out=out) == 1
    assert "FAIL  llm" in out.getvalue() and "/models" in out.getvalue()


def test_doctor_in_embedded_mode(built_index_dir):
    from rag.doctor import run_doctor

    out = io.StringIO()
    assert run_doctor(make_settings(built_index_dir), out=out) == 0, out.getvalue()
    assert "embedded at" in out.getvalue() and "2 documents" in out.getvalue()
    assert "no ingest running" in out.getvalue()


def test_same_model_under_another_path_is_not_a_different_model(tmp_path):
    """Hosts may install the model folder at different paths; that must not force a re-embed."""
    from rag.store.index import Manifest, _model_id
    from rag.settings import DEFAULT_MODEL_DIR

    link = tmp_path / "elsewhere"
    link.symlink_to(DEFAULT_MODEL_DIR)
    m = Manifest("g", str(DEFAULT_MODEL_DIR), 0.0, {}, _model_id(str(DEFAULT_MODEL_DIR)))
    assert m.same_model(str(link))
    assert not m.same_model(str(tmp_path / "another-model"))
