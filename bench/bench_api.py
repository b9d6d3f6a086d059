"""Load test of the HTTP API: N concurrent clients asking the app's API for a fixed time.

    .venv/bin/python bench/bench_api.py                     # start app.py, 20 clients, 60 s
    .venv/bin/python bench/bench_api.py --clients 5 --duration 15 --no-write
    .venv/bin/python bench/bench_api.py --url http://127.0.0.1:7860/ --key rag-…   # an app already running

The app is started with an API key of its own (a keys file in a temporary
folder, a rate high enough not to limit the run), so every request goes through
the key check. Each client is a thread with the official ``openai`` client and
an ``httpx`` client, asking one question at a time (a closed loop) from
``eval/questions.jsonl``: a plain chat completion, every 3rd streamed, every
5th with the previous question as conversation, every 7th a Dify retrieval
instead. A request counts as an error unless it returns 200 with an answer (or
records) and, for a chat, a ``references`` list. At the end it prints the
throughput, p50/p95/p99 and the errors, and writes them under ``## API load`` in
``bench/RESULTS.md`` (other sections are left alone).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import (  # noqa: E402
    free_port, load_arguments, load_questions, percentile, start_app, stop_app, wait_ready, write_section,
)

SECTION = "## API load"
MODEL = "policy-qa"


def one_request(i: int, questions: list[str], client, http) -> tuple[str, bool, str]:
    """Ask the i-th request of a client; (kind, ok, error)."""
    q = questions[i % len(questions)]
    if i % 7 == 0:
        r = http.post("/dify/retrieval", json={"knowledge_id": MODEL, "query": q,
                                               "retrieval_setting": {"top_k": 5, "score_threshold": 0.0}})
        ok = r.status_code == 200 and isinstance(r.json().get("records"), list)
        return "dify", ok, "" if ok else f"HTTP {r.status_code}: {r.text[:120]}"
    messages = [{"role": "user", "content": q}]
    if i % 5 == 0:
        messages.insert(0, {"role": "user", "content": questions[(i - 1) % len(questions)]})
    if i % 3 == 0:
        chunks = [c.model_dump() for c in client.chat.completions.create(model=MODEL, messages=messages, stream=True)]
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
        ok = bool(text) and isinstance(chunks[0].get("references"), list) and isinstance(chunks[-1].get("references"), list)
        return "stream", ok, "" if ok else "empty stream or no references"
    reply = client.chat.completions.create(model=MODEL, messages=messages)
    ok = bool(reply.choices[0].message.content) and isinstance((reply.model_extra or {}).get("references"), list)
    return "chat", ok, "" if ok else "empty answer or no references"


def client_loop(n: int, url: str, key: str, questions: list[str], deadline: float, timeout: float, out: list, lock):
    import httpx
    from openai import OpenAI

    client = OpenAI(base_url=url.rstrip("/") + "/v1", api_key=key, max_retries=0, timeout=timeout)
    with httpx.Client(base_url=url, timeout=timeout, headers={"Authorization": f"Bearer {key}"}) as http:
        i = n * 17  # each client starts elsewhere in the question list
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                kind, ok, error = one_request(i, questions, client, http)
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
                kind, ok, error = "?", False, f"{exc.__class__.__name__}: {exc}"[:200]
            with lock:
                out.append((kind, time.monotonic() - started, ok, error))
            i += 1


def run(args) -> dict:
    """Start the app (unless --url), load it for --duration seconds; the figures."""
    proc, key = None, args.key
    url = args.url
    if url is None:
        from rag.api.keys import KeyStore

        folder = Path(tempfile.mkdtemp(prefix="rag-bench-api-"))
        key = KeyStore(folder / "api-keys.json").create("bench")
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        log_path = folder / "app.log"
        print(f"starting app.py on {url} (log: {log_path}) …", flush=True)
        proc = start_app(port, log_path, {"RAG_API_KEYS_PATH": str(folder / "api-keys.json"),
                                          "RAG_API_RATE_PER_MINUTE": "1000000", "RAG_API_BURST": "100000"})
    try:
        health = wait_ready(url, proc)
        print(f"ready: {health}", flush=True)
        questions, _ = load_questions()
        load_before = os.getloadavg()[0]
        out: list = []
        lock = threading.Lock()
        t0 = time.monotonic()
        deadline = t0 + args.duration
        threads = [threading.Thread(target=client_loop, args=(n, url, key, questions, deadline, args.timeout, out, lock),
                                    daemon=True) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        load_after = os.getloadavg()[0]
    finally:
        if proc is not None:
            stop_app(proc)
    lat = [s * 1000 for _, s, ok, _ in out if ok]
    errors = Counter(e for _, _, ok, e in out if not ok)
    return {
        "clients": args.clients, "duration_s": round(elapsed, 1), "requests": len(out),
        "by_kind": dict(Counter(k for k, *_ in out)), "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(5)), "throughput_rps": round(len(out) / elapsed, 2),
        "p50_ms": round(percentile(lat, 50)), "p95_ms": round(percentile(lat, 95)), "p99_ms": round(percentile(lat, 99)),
        "mode": health.get("mode"), "load_average": [round(load_before, 1), round(load_after, 1)],
    }


def render(stats: dict) -> str:
    """The ``## API load`` section of RESULTS.md."""
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(stats["by_kind"].items()))
    return "\n".join([
        SECTION, "",
        f"`bench/bench_api.py`: {stats['clients']} concurrent API clients (official `openai` client and `httpx`, "
        f"each with the app's API key) for {stats['duration_s']:.0f} s against a fresh `app.py` "
        f"({stats['mode']} mode) on the bundled corpus; measured {time.strftime('%Y-%m-%d')}, 1-minute load average "
        f"{stats['load_average'][0]} → {stats['load_average'][1]} on 2 cores (the machine was shared).", "",
        "| requests | errors | throughput | p50 | p95 | p99 |", "|---|---|---|---|---|---|",
        f"| {stats['requests']} ({kinds}) | **{stats['errors']}** | {stats['throughput_rps']} req/s | "
        f"{stats['p50_ms']} ms | {stats['p95_ms']} ms | {stats['p99_ms']} ms |", "",
        "Answering runs on `RAG_CONCURRENCY_LIMIT` (2) threads, as in the app, so with 20 clients most of a "
        "request's time is its wait for a turn: the latency grows with the number of clients, the throughput does not.",
    ])


def main(argv: list[str] | None = None) -> int:
    ap = load_arguments(__doc__.split("\n\n")[0], 60.0, "seconds of load")
    ap.add_argument("--key", help="the API key for --url (not needed when the app has no key and runs here)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = ap.parse_args(argv)
    stats = run(args)
    print(json.dumps(stats, ensure_ascii=False))
    print(f"{stats['errors']} errors; p50 {stats['p50_ms']} ms, p95 {stats['p95_ms']} ms, p99 {stats['p99_ms']} ms; "
          f"{stats['throughput_rps']} requests/s")
    if not args.no_write:
        write_section(render(stats), section=SECTION)
        print(f"wrote the '{SECTION}' section of bench/RESULTS.md")
    return 0 if stats["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
