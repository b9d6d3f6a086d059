"""What the fault tests share: running the real ``rag`` CLI as a process, a real ``chroma run``,
reading the passage ids an index answers from, and asserting "one clear line, no traceback"."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "国际友好城市建设要达到什么目标？"
ANSWER_FACT = "120对"  # what the bundled plan says about sister cities


def env(**extra) -> dict:
    """A child's environment: this process's, without RAG_* settings, offline, plus ``extra``."""
    out = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "GRADIO_"))}
    out.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1",
               PYTHONPATH=str(ROOT), RAG_LLM_BASE_URL="", RAG_LLM_MODEL="")
    out.update({k: str(v) for k, v in extra.items()})
    return out


def rag(*args: str, timeout: float = 300, **settings) -> subprocess.CompletedProcess:
    """Run ``python -m rag.cli <args>`` with ``RAG_<KEY>`` settings; the finished process."""
    extra = {f"RAG_{k.upper()}": v for k, v in settings.items()}
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], cwd=ROOT, env=env(**extra),
                          capture_output=True, text=True, timeout=timeout, errors="replace")


def start_rag(*args: str, **settings) -> subprocess.Popen:
    """Start ``python -m rag.cli <args>`` in the background (stderr to a pipe, lines as they come)."""
    extra = {f"RAG_{k.upper()}": v for k, v in settings.items()}
    return subprocess.Popen([sys.executable, "-m", "rag.cli", *args], cwd=ROOT, env=env(**extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")


def wait_for_line(proc: subprocess.Popen, needle: str, timeout: float = 120) -> str:
    """Read ``proc``'s stderr until a line contains ``needle`` (progress bars count, by their \\r pieces)."""
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        ch = proc.stderr.read(1)
        if not ch:
            raise AssertionError(f"process ended before {needle!r}: {seen[-2000:]}")
        seen += ch
        if needle in seen:
            return seen
    raise AssertionError(f"no {needle!r} within {timeout}s: {seen[-2000:]}")


def assert_one_clear_line(stderr: str, *words: str) -> str:
    """No traceback, and the user-facing message is one ``rag:`` line containing ``words``; that line."""
    assert "Traceback" not in stderr, stderr[-3000:]
    lines = [ln for ln in stderr.splitlines() if ln.startswith("rag: ")]
    assert len(lines) == 1, stderr[-3000:]
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def passage_ids(settings, embedder) -> list[str]:
    """The ids of the passages the index answers from (loaded the way the app loads them).

    Other processes write the store in these tests, so this process's cached handle is dropped first."""
    from rag.store import Index
    from rag.store.base import forget_embedded

    forget_embedded(settings.index_dir / "chroma")
    try:
        return sorted(Index(settings, embedder=embedder).load().passages)
    finally:
        forget_embedded(settings.index_dir / "chroma")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ChromaServer:
    """A real ``chroma run`` on loopback that tests can stop (SIGSTOP), resume, kill and restart."""

    path: Path
    port: int
    proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "ChromaServer":
        """Start (or restart, on the same data and port) and wait for its heartbeat."""
        chroma = Path(sys.executable).parent / "chroma"
        log = open(self.path.parent / "chroma-server.log", "a")
        self.proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, env=env(),
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("chroma run did not start")
                time.sleep(0.2)

    def pause(self) -> None:
        """SIGSTOP: the server accepts connections (the kernel does) but never answers."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after :meth:`pause`."""
        self.proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Terminate politely (the end of the module)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
