"""The app as a process: ``python app.py`` on a free loopback port, ``/health``, host/port, queue limits.

This module also holds the harness the browser and API tests share: one
``app.py`` subprocess per test session (started on first use), with
``RAG_INDEX_DIR`` pointing to a private copy of the session index, its own copy
of the corpus (uploads and deletes land there) and ``RAG_ADMIN_PASSWORD`` set.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, make_settings

ADMIN_PASSWORD = "s3cret-admin-pw"
START_TIMEOUT = 150.0


@dataclass
class RunningApp:
    url: str
    port: int
    proc: subprocess.Popen
    root: Path
    index_dir: Path
    corpus_dir: Path
    feedback_path: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def get_json(self, path: str) -> dict:
        with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=10) as r:
            return json.loads(r.read().decode("utf-8"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


_APP: RunningApp | None = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(root: Path, built_index_dir: Path, extra_env: dict | None = None) -> RunningApp:
    """Copy the index and the corpus under ``root`` and run ``python app.py`` on them."""
    index_dir, corpus_dir = root / "index", root / "corpus"
    shutil.copytree(built_index_dir, index_dir, ignore=shutil.ignore_patterns("ingest.lock", "ingest.owner"))
    shutil.copytree(CORPUS, corpus_dir)
    feedback = root / "feedback" / "feedback.jsonl"
    log_path = root / "app.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "GRADIO_"))}
    env.update(
        RAG_INDEX_DIR=str(index_dir),
        RAG_CORPUS_DIR=str(corpus_dir),
        RAG_FEEDBACK_PATH=str(feedback),
        RAG_ADMIN_PASSWORD=ADMIN_PASSWORD,
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_SERVER_PORT=str(port),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    app = RunningApp(f"http://127.0.0.1:{port}/", port, proc, root, index_dir, corpus_dir, feedback, log_path)
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{app.log()[-3000:]}")
        try:
            if app.get_json("/health").get("status") == "ok":
                return app
        except OSError:
            pass
        time.sleep(0.5)
    app.stop()
    raise RuntimeError(f"app.py did not become healthy in {START_TIMEOUT}s:\n{app.log()[-3000:]}")


def shared_app(tmp_path_factory, built_index_dir) -> RunningApp:
    """The session's app process (started on first use, stopped at exit)."""
    global _APP
    if _APP is None or _APP.proc.poll() is not None:
        _APP = start_app(tmp_path_factory.mktemp("app"), built_index_dir)
        atexit.register(_APP.stop)
    return _APP


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, built_index_dir):
    app = shared_app(tmp_path_factory, built_index_dir)
    yield app
    app.stop()


# ---------------------------------------------------------------- tests
def test_health_reports_generation_and_document_count(app_server, built_index_dir, embedder):
    from rag.store.index import Index

    health = app_server.get_json("/health")
    manifest = Index(make_settings(app_server.index_dir), embedder=embedder).read_manifest()
    assert health["status"] == "ok"
    assert health["generation"] == manifest.generation
    assert health["documents"] == len(manifest.documents) == 2
    assert health["passages"] > 50 and health["mode"] == "extractive"


def test_listens_on_the_configured_loopback_port(app_server):
    assert f"Open http://127.0.0.1:{app_server.port}/" in app_server.log()
    with urllib.request.urlopen(app_server.url, timeout=10) as r:
        page = r.read().decode("utf-8")
    assert r.status == 200 and "<html" in page.lower()
    # loaded once at start: the log shows one model load, not one per request
    assert app_server.log().count("Loading the model and the index") == 1


def test_host_and_port_default_to_loopback_7860(monkeypatch):
    from rag.app.server import host_and_port

    monkeypatch.delenv("GRADIO_SERVER_NAME", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_PORT", raising=False)
    assert host_and_port() == ("127.0.0.1", 7860)
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "8123")
    assert host_and_port() == ("0.0.0.0", 8123)
    monkeypatch.setenv("GRADIO_SERVER_PORT", "eighty")
    with pytest.raises(SystemExit):
        host_and_port()


def _elem_ids(demo) -> set[str]:
    return {c.get("props", {}).get("elem_id") for c in demo.config["components"]} - {None}


def test_admin_tab_is_absent_without_a_password(built_index_dir, assistant):
    from rag.app.service import AppService
    from rag.app.ui import build_demo

    without = build_demo(AppService(make_settings(built_index_dir, admin_password=None), assistant=assistant))
    secret = "Xq9-unique-admin-secret"
    with_pw = build_demo(AppService(make_settings(built_index_dir, admin_password=secret), assistant=assistant))
    assert "rag-tab-admin" not in _elem_ids(without) and "rag-upload" not in _elem_ids(without)
    assert {"rag-tab-admin", "rag-admin-password", "rag-upload", "rag-delete", "rag-reindex"} <= _elem_ids(with_pw)
    assert secret not in json.dumps(with_pw.config, ensure_ascii=False, default=str)  # the password never reaches the page


def test_queue_and_concurrency_limits_suit_a_small_machine(built_index_dir, assistant):
    from rag.app.service import AppService
    from rag.app.ui import build_demo

    settings = make_settings(built_index_dir, admin_password="pw", concurrency_limit=2)
    demo = build_demo(AppService(settings, assistant=assistant))
    fns = list(demo.fns.values())
    answering = [f for f in fns if f.concurrency_id == "answer"]
    assert len(answering) >= 4  # submit, send, example chips, API
    assert all(f.concurrency_limit == 2 for f in answering)
    admin = [f for f in fns if f.concurrency_id == "admin"]
    assert admin and all(f.concurrency_limit == 1 for f in admin)
    assert demo._queue.max_size and demo._queue.max_size <= 128
    assert demo.max_threads <= 16 and demo._queue.max_thread_count == demo.max_threads
    public = [f.api_name for f in fns if f.api_visibility == "public"]
    assert public == ["ask"]  # every UI event is private; the API is one endpoint



def test_uploads_stay_in_the_process_own_folder_which_goes_at_shutdown(tmp_path, built_index_dir):
    """Gradio keeps an uploaded file in a temporary folder: the app gives each process its own, takes an
    upload only after an admin login, and removes the folder with everything in it when it is stopped."""
    import uuid

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    app = start_app(tmp_path / "app", built_index_dir, {"TMPDIR": str(tmp)})
    try:
        folders = list(tmp.glob("rag-uploads-*"))
        assert len(folders) == 1 and folders[0].is_dir()
        config = app.get_json("/config")
        comp = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "rag-admin-login")
        dep = next(d for d in config["dependencies"] if [comp["id"], "click"] in d["targets"])
        body = {"fn_index": dep["id"], "trigger_id": comp["id"], "data": [ADMIN_PASSWORD, None],
                "session_hash": uuid.uuid4().hex[:10]}
        req = urllib.request.Request(app.url + "gradio_api/run/predict", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            assert r.status == 200
        boundary = "rAgBoundary"
        payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"notice.txt\"\r\n"
                   f"Content-Type: text/plain\r\n\r\n关于开展外事工作的通知\r\n--{boundary}--\r\n").encode()
        req = urllib.request.Request(app.url + "gradio_api/upload", data=payload,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            stored = json.loads(r.read())
        assert stored and Path(stored[0]).is_file()
        assert Path(stored[0]).resolve().is_relative_to(folders[0].resolve())
    finally:
        app.stop()  # SIGTERM, as a service manager stops it
    # uvicorn shuts down gracefully, then ends the process by the signal it got (so a service manager
    # sees it): exit handlers do not run, and the folder must already be gone.
    assert app.proc.returncode in (0, -15), app.log()[-2000:]
    assert not folders[0].exists()
