"""Benchmark of the product on the bundled corpus: index build time, query latency by stage, peak memory.

    python bench/bench_pipeline.py [--dataset eval/questions.jsonl] [--corpus corpus] [--repeat 1] [--json FILE]

Builds a fresh index of the corpus in a temporary folder (the model load is
timed apart from the build), then asks every question of the dataset through
``Assistant.ask`` with no LLM and prints p50/p95 per stage (embed, keyword,
vector, fusion, answer — ``Result.timings``) and end to end, and the process's
peak resident memory. Target (issue 2): p95 ≤ 150 ms per question on the
2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

STAGES = ["embed", "keyword", "vector", "fusion", "answer"]
TARGET_P95_MS = 150.0


def rss_mb() -> float:
    """Current resident memory of this process (MB)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB; Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(xs: list[float], q: float) -> float:
    """Nearest-rank percentile, as the evaluation reports it."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))] if s else float("nan")


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from rag.engine.base import ingest_threads
    from rag.settings import get_settings

    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "engine": get_settings().engine,
        "threads": ingest_threads(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def stage_table(timings: list[dict], totals: list[float]) -> list[tuple[str, float, float, float]]:
    rows = []
    for stage in STAGES:
        xs = [t.get(stage, 0.0) for t in timings]
        rows.append((stage, percentile(xs, 0.5), percentile(xs, 0.95), sum(xs) / len(xs)))
    rows.append(("total", percentile(totals, 0.5), percentile(totals, 0.95), sum(totals) / len(totals)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default=str(ROOT / "eval" / "questions.jsonl"))
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--repeat", type=int, default=1, help="ask every question this many times")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    from rag.engine import get_embedder
    from rag.evaluation import load_dataset
    from rag.store.index import Index
    from rag.pipeline import Assistant
    from rag.settings import Settings

    info = machine()
    rss_start = rss_mb()
    t = time.perf_counter()
    base = Settings(llm_base_url=None, llm_model=None, chroma_host=None)
    embedder = get_embedder(base.model, base.query_prompt, base.passage_prompt)
    model_load_s = time.perf_counter() - t
    rss_model = rss_mb()

    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", corpus_dir=Path(args.corpus),
                            llm_base_url=None, llm_model=None, chroma_host=None)
        t = time.perf_counter()
        report = Index(settings, embedder=embedder).ingest(Path(args.corpus))
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        assistant = Assistant(settings, embedder=embedder)
        open_s = time.perf_counter() - t
        rss_index = rss_mb()
        size_mb = sum(f.stat().st_size for f in (Path(tmp) / "index").rglob("*") if f.is_file()) / 2**20

        questions = load_dataset(Path(args.dataset))
        for q in questions[:3]:  # warm-up: first-call costs (jieba dictionary, torch kernels)
            assistant.ask(q.question)
        timings, totals = [], []
        for _ in range(max(1, args.repeat)):
            for q in questions:
                r = assistant.ask(q.question)
                timings.append(r.timings)
                totals.append(r.latency_ms)
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]

    rows = stage_table(timings, totals)
    p95 = rows[-1][2]
    out = {
        "machine": info,
        "corpus": {"documents": len(report.added), "passages": report.passages, "index_mb_on_disk": round(size_mb, 2)},
        "model_load_s": round(model_load_s, 2),
        "index_build_s": round(build_s, 2),
        "index_open_s": round(open_s, 2),
        "queries": len(totals),
        "latency_ms": {name: {"p50": round(a, 2), "p95": round(b, 2), "mean": round(c, 2)} for name, a, b, c in rows},
        "memory_mb": {"start": round(rss_start, 1), "after_model": round(rss_model, 1),
                      "after_index": round(rss_index, 1), "peak": round(peak_rss_mb(), 1)},
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": p95 <= TARGET_P95_MS,
    }

    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, Python {info['python']}, "
          f"engine {info['engine']} ({info['threads']} threads for passages), load average {info['load_average']} → {info['load_average_end']}")
    print(f"corpus: {out['corpus']['documents']} documents, {report.passages} passages; index {size_mb:.1f} MB on disk")
    print(f"model load {model_load_s:.1f} s; index build {build_s:.1f} s (fresh folder, passages + sentences embedded); "
          f"index open {open_s:.2f} s")
    print()
    print(f"query latency over {len(totals)} questions (no LLM), ms:")
    print(f"  {'stage':<8} {'p50':>8} {'p95':>8} {'mean':>8}")
    for name, a, b, c in rows:
        print(f"  {name:<8} {a:8.1f} {b:8.1f} {c:8.1f}")
    m = out["memory_mb"]
    print()
    print(f"memory (RSS): start {m['start']:.0f} MB, after model {m['after_model']:.0f} MB, "
          f"after index {m['after_index']:.0f} MB, peak {m['peak']:.0f} MB")
    print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if out['meets_target'] else 'NOT met'} (p95 {p95:.1f} ms)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
