"""Throughput of the two question paths under 20 concurrent clients, with the load average printed.

    .venv/bin/python bench/bench_throughput.py                   # start app.py, 20 clients, 60 s per path
    .venv/bin/python bench/bench_throughput.py --clients 20 --duration 300 --url http://127.0.0.1:7860/

    .venv/bin/python bench/bench_throughput.py --rate 30         # the same 20 clients, 30 questions/s in all

Path 1 is the JSON API (``POST /api/ask``), path 2 the chat (the answer event through Gradio's queue
and its server-sent events, as the browser does it). Each client asks one question at a time from
``eval/questions.jsonl``. Without ``--rate`` the clients never pause (closed loop: the figures are the
server's capacity, and the latency is mostly waiting, by Little's law about clients / answers-per-second).
With ``--rate R`` the clients together send R questions a second, evenly spaced (client i's k-th question
is due at (i + k * clients) / R s; a client whose answer is late sends its next question at once, so at
most ``clients`` are in flight, and the latency counts from when the question was due). Printed per path: answers/s, latency p50/p95/p99, errors, the offered
rate, and the 1-minute load average before and after (the machine may be shared: read the figures with
it). The issue's targets (#21): p95 <= 0.3 s (JSON API) and <= 1 s (chat), >= 30 answers/s, 0 errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import free_port, load_questions, percentile, start_app, stop_app, wait_ready  # noqa: E402


def ask_json(url: str, question: str, timeout: float) -> bool:
    """One question through ``/api/ask``; True when an answer came back."""
    req = urllib.request.Request(url.rstrip("/") + "/api/ask", data=json.dumps({"question": question}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return "answer" in json.loads(r.read())


def chat_event(url: str) -> tuple[int, int]:
    """(fn_index, trigger id) of the chat's send button."""
    config = json.loads(urllib.request.urlopen(url.rstrip("/") + "/config", timeout=30).read())
    comp = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "rag-send")
    dep = next(d for d in config["dependencies"] if [comp["id"], "click"] in d["targets"])
    return dep["id"], comp["id"]


def ask_chat(url: str, question: str, timeout: float, event: tuple[int, int]) -> bool:
    """One question through the chat's answer stream; True when it completed successfully."""
    session = uuid.uuid4().hex[:10]
    body = {"fn_index": event[0], "trigger_id": event[1], "data": [question, [], None], "session_hash": session,
            "event_data": None}
    req = urllib.request.Request(url.rstrip("/") + "/gradio_api/queue/join", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=timeout).read()
    with urllib.request.urlopen(f"{url.rstrip('/')}/gradio_api/queue/data?session_hash={session}", timeout=timeout) as r:
        for raw in r:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return bool(msg.get("success"))
    return False


def run_path(name: str, one, clients: int, duration: float, questions: list[str], rate: float | None = None) -> dict:
    """``clients`` threads calling ``one(question)`` for ``duration`` seconds, back to back or, with
    ``rate``, paced to ``rate`` questions a second in all; the figures."""
    lat, errors, lock = [], [], threading.Lock()
    start = time.monotonic()
    deadline = start + duration
    load_before = os.getloadavg()[0]

    def loop(n: int) -> None:
        i, k, due = n * 17, 0, None
        while time.monotonic() < deadline:
            if rate:
                due = start + (n + k * clients) / rate
                k += 1
                if due >= deadline:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
            q = questions[i % len(questions)]
            i += 1
            # Paced, a question's time counts from when it was due: a late send is the server's delay too.
            t = due if rate else time.monotonic()
            try:
                ok = one(q)
                err = "" if ok else "no answer"
            except Exception as exc:  # counted, not raised
                ok, err = False, f"{exc.__class__.__name__}: {str(exc)[:80]}"
            with lock:
                (lat.append(time.monotonic() - t) if ok else errors.append(err))

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(n,)) for n in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.monotonic() - started
    return {
        "path": name, "clients": clients, "offered_per_s": rate or "as fast as answered", "seconds": round(took, 1), "answers": len(lat),
        "answers_per_s": round(len(lat) / took, 1), "p50_s": round(percentile(lat, 50), 3),
        "p95_s": round(percentile(lat, 95), 3), "p99_s": round(percentile(lat, 99), 3), "errors": len(errors),
        "first_error": errors[0] if errors else "", "load_1min_before": round(load_before, 2),
        "load_1min_after": round(os.getloadavg()[0], 2), "cores": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    """Start the app (unless ``--url``), measure both paths, print one JSON line per path."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds per path")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--url", help="an app already running (default: start app.py on a free port)")
    ap.add_argument("--paths", default="api,chat", help="comma-separated: api,chat")
    ap.add_argument("--rate", type=float, help="questions per second from all clients together (default: no pause)")
    args = ap.parse_args(argv)
    questions, _ = load_questions()
    proc = None
    url = args.url
    if not url:
        port = free_port()
        proc = start_app(port, Path(tempfile.gettempdir()) / f"bench-throughput-{port}.log")
        url = f"http://127.0.0.1:{port}/"
    try:
        wait_ready(url, proc)
        for name in args.paths.split(","):
            if name == "api":
                one = lambda q: ask_json(url, q, args.timeout)  # noqa: E731
            else:
                event = chat_event(url)
                one = lambda q: ask_chat(url, q, args.timeout, event)  # noqa: E731
            print(json.dumps(run_path(name, one, args.clients, args.duration, questions, args.rate), ensure_ascii=False), flush=True)
    finally:
        if proc is not None:
            stop_app(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
