"""Bounded load test: N concurrent Gradio API clients asking the app for a fixed time.

    .venv/bin/python bench/load_test.py                      # start app.py, 20 clients, 120 s
    .venv/bin/python bench/load_test.py --clients 5 --duration 30
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:7860/   # an app already running

Each client is a ``gradio_client.Client`` in its own thread that asks one
question at a time through the app's ``/ask`` API (question, history, doc
filter) — a closed loop, so at most N requests are ever in flight, the run
stops after ``--duration`` seconds and every request has a timeout. Questions
come from ``eval/questions.jsonl``; every 5th carries a conversation history
and every 7th a document filter, so those paths are exercised too.

While it runs, the resident memory (RSS) of the app's process tree is sampled
every second. At the end it prints and writes, under the ``## Load`` heading of
``bench/RESULTS.md`` (other sections of that file are left alone):
throughput, latency p50/p95/p99, errors, and the memory trace (also drawn to
``bench/load_rss.png`` when matplotlib is there). ``--variants default,arena2``
measures the app twice, the second time with ``MALLOC_ARENA_MAX=2``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
PLOT = ROOT / "bench" / "load_rss.png"
SECTION = "## Load"


# ---------------------------------------------------------------- the app
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int, log_path: Path, extra_env: dict | None = None) -> subprocess.Popen:
    """Start ``app.py`` on loopback (its own process group, so it can be stopped cleanly)."""
    env = dict(os.environ, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), PYTHONUNBUFFERED="1")
    env.update(extra_env or {})
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    log = open(log_path, "w")
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ready(url: str, proc: subprocess.Popen | None, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the app exited with status {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=2) as r:
                health = json.loads(r.read())
                if health.get("status") == "ok":
                    return health
                last = str(health)
        except OSError as exc:
            last = str(exc)
        time.sleep(1)
    raise SystemExit(f"the app was not ready after {timeout:.0f}s ({last})")


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # the group we started: app.py and its children only
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# ---------------------------------------------------------------- memory
def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                out += [int(c) for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
        todo += _children(p)
    return total / 1024


class MemorySampler(threading.Thread):
    def __init__(self, pid: int, every: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float]] = []
        self._stop_event = threading.Event()
        self.t0 = time.monotonic()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append((time.monotonic() - self.t0, tree_rss_mb(self.pid)))
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


# ---------------------------------------------------------------- load
@dataclass
class Outcome:
    started: float
    seconds: float
    ok: bool
    error: str = ""
    abstained: bool | None = None


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, o: Outcome) -> None:
        with self.lock:
            self.outcomes.append(o)


def load_questions() -> tuple[list[str], list[str]]:
    questions, docs = [], set()
    with open(ROOT / "eval" / "questions.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                questions.append(d["question"])
                docs.update(g["doc"] for g in d.get("gold", []))
    return questions, sorted(docs)


def client_loop(n: int, url: str, questions: list[str], docs: list[str], deadline: float, timeout: float, run: Run, t0: float):
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, httpx_kwargs={"timeout": timeout})
    except Exception as exc:  # counted as one error; this client does not run
        run.add(Outcome(time.monotonic() - t0, 0.0, False, f"connect: {exc.__class__.__name__}: {exc}"[:200]))
        return
    i = n * 17  # each client starts elsewhere in the question list
    while time.monotonic() < deadline:
        q = questions[i % len(questions)]
        history = [questions[(i - 1) % len(questions)]] if i % 5 == 0 else []
        doc_ids = [docs[i % len(docs)]] if docs and i % 7 == 0 else []
        i += 1
        started = time.monotonic()
        try:
            job = client.submit(q, history, doc_ids, api_name="/ask")
            result = job.result(timeout=timeout)
            ok = isinstance(result, dict) and "answer" in result
            run.add(Outcome(started - t0, time.monotonic() - started, ok, "" if ok else f"bad result: {str(result)[:120]}",
                            result.get("abstained") if ok else None))
        except Exception as exc:
            run.add(Outcome(started - t0, time.monotonic() - started, False, f"{exc.__class__.__name__}: {exc}"[:200]))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    if len(samples) < 3:
        return 0.0
    xs, ys = [t for t, _ in samples], [m for _, m in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs) or 1.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 60


# ---------------------------------------------------------------- report
@dataclass
class Variant:
    """One measured configuration of the app (e.g. the default allocator, or MALLOC_ARENA_MAX=2)."""

    name: str
    env: dict
    stats: dict = field(default_factory=dict)
    mem: list[tuple[float, float]] = field(default_factory=list)  # (seconds since load start, MB)
    health: dict = field(default_factory=dict)


VARIANTS = {
    "default": {},
    "arena2": {"MALLOC_ARENA_MAX": "2"},
}


def compute_stats(run: Run, measured: float, clients: int, mem: list[tuple[float, float]], rss_idle: float | None,
                  load_window: tuple[float, float]) -> tuple[dict, list[tuple[float, float]]]:
    """Latency and throughput of the requests started in the first ``measured`` seconds of load;
    errors over the whole run; memory over the whole run (slope over its second half)."""
    head = [o for o in run.outcomes if o.started <= load_window[0] + measured]
    oks = [o for o in head if o.ok]
    errors = [o for o in run.outcomes if not o.ok]
    lat = [o.seconds * 1000 for o in oks]
    # Requests that started before the deadline finish after it: divide by the real span.
    duration = max(o.started + o.seconds for o in head) - load_window[0] if head else measured
    in_run = [(t - load_window[0], m) for t, m in mem if load_window[0] <= t <= load_window[1]]
    span = load_window[1] - load_window[0]
    half = [(t, m) for t, m in in_run if t >= span / 2]
    stats = {
        "clients": clients,
        "duration_s": round(duration, 1),
        "requests": len(head),
        "ok": len(oks),
        "errors": len(errors),
        "requests_whole_run": len(run.outcomes),
        "load_s": round(load_window[1] - load_window[0]),
        "throughput_rps": round(len(oks) / duration, 2) if duration else 0.0,
        "p50_ms": round(percentile(lat, 50)),
        "p95_ms": round(percentile(lat, 95)),
        "p99_ms": round(percentile(lat, 99)),
        "max_ms": round(max(lat)) if lat else None,
        "abstained": sum(1 for o in oks if o.abstained),
        "rss_idle_mb": round(rss_idle) if rss_idle else None,
        "rss_start_mb": round(in_run[0][1]) if in_run else None,
        "rss_after_30s_mb": round(next((m for t, m in in_run if t >= 30), in_run[-1][1])) if in_run else None,
        "rss_end_mb": round(in_run[-1][1]) if in_run else None,
        "rss_max_mb": round(max(m for _, m in in_run)) if in_run else None,
        "rss_slope_second_half_mb_per_min": round(slope_mb_per_min(half), 1),
        "error_kinds": dict(Counter(o.error.split(":")[0] for o in errors).most_common(5)),
    }
    return stats, in_run


def _label(v: Variant) -> str:
    return "default (glibc malloc)" if not v.env else ", ".join(f"`{k}={val}`" for k, val in v.env.items())


def render_section(variants: list[Variant], clients: int, duration: float, started_app: bool, soak: float = 0) -> str:
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    health = variants[0].health
    lines = [
        SECTION,
        "",
        f"`bench/load_test.py`: {clients} concurrent `gradio_client` clients, each asking one question at a time "
        f"through the app's `/ask` API (question, history, document filter) on loopback for {duration:.0f} s — a "
        f"closed loop, so at most {clients} requests are in flight, and every request has a timeout. Questions "
        "cycle through `eval/questions.jsonl` (328); every 5th request carries a conversation history, every 7th a "
        "document filter. The app answers `RAG_CONCURRENCY_LIMIT` (2) questions at a time and queues the rest, "
        "so the latency below is mostly waiting in Gradio's queue; throughput is what the 2 CPUs deliver."
        + (f" Latency and throughput are those of the first {duration:.0f} s; the clients then kept asking until "
           f"{soak:.0f} s so that the memory trace shows where RSS settles (errors are counted over the whole "
           f"{soak:.0f} s)." if soak > duration else ""),
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} on {platform.machine()} with {os.cpu_count()} CPUs shared with other "
        f"work (1-min load average at the end: {load:.1f}); index generation `{health.get('generation')}` "
        f"({health.get('documents')} documents, {health.get('passages')} passages), mode `{health.get('mode')}`; "
        f"{'app.py started by the script, one process per configuration' if started_app else 'app already running'}.",
        "",
        "| configuration | requests | errors | throughput | p50 | p95 | p99 | max | RSS idle → +30 s → end | RSS slope, 2nd half |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for v in variants:
        st = v.stats
        lines.append(
            f"| {_label(v)} | {st['requests']} | {st['errors']} | {st['throughput_rps']:.2f} q/s | "
            f"{st['p50_ms'] / 1000:.2f} s | {st['p95_ms'] / 1000:.2f} s | {st['p99_ms'] / 1000:.2f} s | "
            f"{(st['max_ms'] or 0) / 1000:.2f} s | {st['rss_idle_mb']} → {st['rss_after_30s_mb']} → {st['rss_end_mb']} MB | "
            f"{st['rss_slope_second_half_mb_per_min']:+.1f} MB/min |"
        )
    lines.append("")
    for v in variants:
        if v.stats["errors"]:
            lines += [f"Errors ({_label(v)}): " + ", ".join(f"{k} × {n}" for k, n in v.stats["error_kinds"].items()), ""]
    lines += ["Memory trace — RSS (MB) of the app's process tree, sampled every second, shown every "
              f"{10 if variants[0].stats.get('load_s', 0) <= 150 else 30} s of load:", ""]
    step = 10 if variants[0].stats.get("load_s", 0) <= 150 else 30
    ticks = _every(variants[0].mem, step)
    lines.append("| t (s) | " + " | ".join(f"{t:.0f}" for t, _ in ticks) + " |")
    lines.append("|---|" + "---:|" * len(ticks))
    for v in variants:
        row = _every(v.mem, step)
        lines.append(f"| {_label(v)} | " + " | ".join(f"{m:.0f}" for _, m in row) + " |")
    lines.append("")
    if PLOT.exists():
        lines += [f"![RSS during the load test]({PLOT.name})", ""]
    lines += [_reading(variants), ""]
    lines += [
        f"Reproduce: `.venv/bin/python bench/load_test.py --clients {clients} --duration {duration:.0f} "
        + (f"--soak {soak:.0f} " if soak > duration else "")
        + f"--variants {','.join(v.name for v in variants)}`.",
        "",
    ]
    return "\n".join(lines)


FLAT_MB_PER_MIN = 5.0


def _reading(variants: list[Variant]) -> str:
    """What the numbers say, derived from them (not written in advance)."""
    errors = sum(v.stats["errors"] for v in variants)
    parts = ["No request failed." if not errors else f"{errors} requests failed (see above)."]
    flat = {v.name: abs(v.stats["rss_slope_second_half_mb_per_min"]) < FLAT_MB_PER_MIN for v in variants}
    for v in variants:
        st = v.stats
        parts.append(
            f"{_label(v)}: memory rose {st['rss_after_30s_mb'] - st['rss_idle_mb']} MB in the first 30 s of load "
            f"(working buffers warming up), then {'stayed level' if flat[v.name] else 'kept creeping'} "
            f"({st['rss_slope_second_half_mb_per_min']:+.1f} MB/min over the second half)."
        )
    if flat.get("arena2") and not flat.get("default", True):
        parts.append(
            "Since capping glibc's malloc arenas removes the creep, it is the allocator keeping one arena per "
            "worker thread (Gradio runs handlers on a thread pool), not a leak; the deployment recipe in "
            "docs/operations.md sets `MALLOC_ARENA_MAX=2`."
        )
    return " ".join(parts)


def _every(samples: list[tuple[float, float]], step: float) -> list[tuple[float, float]]:
    out, next_t = [], 0.0
    for t, m in samples:
        if t >= next_t:
            out.append((t, m))
            next_t += step
    return out


def plot(variants: list[Variant]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(7, 2.8), dpi=110)
    for v in variants:
        ax.plot([t for t, _ in v.mem], [m for _, m in v.mem], lw=1.3, label=_label(v).replace("`", ""))
    ax.set_xlabel("seconds of load (20 clients)")
    ax.set_ylabel("RSS of the app (MB)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(PLOT)
    plt.close(fig)


def write_section(text: str, path: Path = RESULTS, section: str = SECTION) -> None:
    """Replace the ``section`` (``## Load``) of RESULTS.md (or append it), leaving other sections alone."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    lines = old.splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip() == section), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "\n".join(lines[:start] + text.rstrip("\n").splitlines() + ([""] if end < len(lines) else []) + lines[end:]) + "\n"
    path.write_text(new, encoding="utf-8")


# ---------------------------------------------------------------- main
def measure(variant: Variant, args, url: str | None) -> Variant:
    """Start the app (unless --url), let it settle, load it for --duration seconds, stop it."""
    proc = None
    if url is None:
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        log_path = Path(tempfile.gettempdir()) / f"rag-load-app-{variant.name}.log"
        print(f"[{variant.name}] starting app.py on {url} (log: {log_path}) …", flush=True)
        proc = start_app(port, log_path, variant.env)
    try:
        variant.health = wait_ready(url, proc)
        print(f"[{variant.name}] ready: {variant.health}", flush=True)
        sampler = MemorySampler(proc.pid) if proc else None
        if sampler:
            sampler.start()
            time.sleep(args.settle)
        rss_idle = sampler.samples[-1][1] if sampler and sampler.samples else None
        questions, docs = load_questions()
        run = Run()
        t0 = sampler.t0 if sampler else time.monotonic()
        load_start = time.monotonic() - t0
        deadline = time.monotonic() + max(args.duration, args.soak)
        threads = [
            threading.Thread(target=client_loop, args=(n, url, questions, docs, deadline, args.timeout, run, t0), daemon=True)
            for n in range(args.clients)
        ]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            time.sleep(5)
            bad = sum(1 for o in run.outcomes if not o.ok)
            rss = f", RSS {sampler.samples[-1][1]:.0f} MB" if sampler and sampler.samples else ""
            print(f"[{variant.name}]  t={time.monotonic() - t0 - load_start:5.0f}s  {len(run.outcomes)} answered, "
                  f"{bad} errors{rss}", flush=True)
        load_end = time.monotonic() - t0
        if sampler:
            sampler.stop()
        variant.stats, variant.mem = compute_stats(
            run, args.duration, args.clients, sampler.samples if sampler else [], rss_idle, (load_start, load_end)
        )
        print(json.dumps({"variant": variant.name, **variant.stats}, ensure_ascii=False), flush=True)
        return variant
    finally:
        if proc is not None:
            stop_app(proc)


def load_arguments(description: str, duration: float, duration_help: str) -> argparse.ArgumentParser:
    """The options every load test takes: --clients, --duration, --timeout, --url."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=duration, help=duration_help)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before one request counts as an error")
    ap.add_argument("--url", help="an app already running (default: start app.py on a free port)")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = load_arguments(__doc__.split("\n\n")[0], 120.0, "seconds of load per configuration")
    ap.add_argument("--variants", default="default",
                    help=f"comma-separated app configurations to measure, one app process each: {', '.join(VARIANTS)}")
    ap.add_argument("--soak", type=float, default=0.0,
                    help="keep the load going until this many seconds for the memory trace (latency: first --duration s)")
    ap.add_argument("--settle", type=float, default=10.0, help="seconds of idle memory sampling before the load")
    ap.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        ap.error(f"unknown variant(s) {unknown}; known: {list(VARIANTS)}")
    if args.url and len(names) > 1:
        ap.error("--url measures the app that is running: give one variant")
    variants = [measure(Variant(n, VARIANTS[n]), args, args.url) for n in names]
    if not args.no_write:
        if variants[0].mem:
            plot(variants)
        write_section(render_section(variants, args.clients, args.duration, args.url is None, args.soak))
        print(f"wrote the '{SECTION}' section of {RESULTS}")
    return 0 if all(v.stats["errors"] == 0 for v in variants) else 1


if __name__ == "__main__":
    sys.exit(main())
