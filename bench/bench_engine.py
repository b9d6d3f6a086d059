"""The old engine (sentence-transformers on torch) against the new (the ONNX export), measured in one run.

    python bench/bench_engine.py [--engines torch,onnx:onnxruntime,onnx,onnx::int8] [--large eval/corpora/multidoc]
                                 [--docs N] [--asks 5] [--keep DIR] [--json FILE]

An engine is a value of ``RAG_ENGINE``, optionally with the ONNX runtime after a colon
(``RAG_ONNX_RUNTIME``: ``onnx:onnxruntime`` runs everything on ONNX Runtime; plain ``onnx``
is the default, OpenVINO for passages), and optionally the questions' graph after a second colon
(``RAG_ONNX_QUERY_PRECISION``: ``onnx::int8`` embeds questions with the int8 graph). For each engine every figure comes from a fresh
child process, so imports, model loads and memory are each engine's own:

* **ingest** of the bundled corpus and of the large corpus (default
  ``eval/corpora/multidoc``: the 93 documents of ``../shared/corpora``, copied
  into the repository for the multi-document evaluation) into fresh index
  folders — wall time, texts (passages + sentences) embedded per second, peak RSS;
* **cold ``rag ask``** on the bundled index — the whole process, as a user at a
  shell or a cron job pays it: wall time and peak RSS (median of ``--asks`` runs);
* **serving** on the large index — one process answers every question of
  ``eval/multidoc.jsonl`` (after three warm-up questions): question-embedding
  p50/p95, answer p50/p95 (``Result.latency_ms``), resident memory after.

Prints a table with each engine's ratio to the first and the issue's targets; ``--json`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_pipeline import machine, percentile  # noqa: E402  (bench/ is the script's folder)

QUESTION = "到2025年全省国际友好城市要达到多少对？"
# The targets (new engine).
TARGETS = {
    "cold_ask_s": 2.0, "cold_ask_rss_mb": 500.0, "embed_p50_ms": 6.0, "answer_p95_ms": 25.0,
    "ingest_large_s": 150.0, "ingest_large_rss_mb": 1000.0, "serving_rss_mb": 600.0,
}


def run_child(args: list[str], engine: str, timeout: float = 3600) -> tuple[float, float, str]:
    """Run a command with ``RAG_ENGINE`` (and ``RAG_ONNX_RUNTIME``, ``RAG_ONNX_QUERY_PRECISION``) of ``engine``; (wall seconds,
    peak RSS MB of the child, stdout).

    The peak RSS is the child's own, as GNU time reports it (``/usr/bin/time -f %M``).
    """
    name, _, rest = engine.partition(":")
    runtime, _, query_precision = rest.partition(":")
    env = {**os.environ, "RAG_ENGINE": name, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "RAG_ONNX_RUNTIME": runtime or "auto",
           "RAG_ONNX_QUERY_PRECISION": query_precision or "fp32"}
    with tempfile.NamedTemporaryFile("r", suffix=".time") as rusage:
        started = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rusage.name, *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:4])}… failed ({proc.returncode}): {proc.stderr[-2000:]}")
        rss = int(rusage.read().split()[-1]) / 1024
    return wall, rss, proc.stdout


def rag(*args: str) -> list[str]:
    """The ``rag`` command run by this interpreter."""
    return [sys.executable, "-c", "import sys; from rag.cli import main; sys.exit(main())", *args]


def child_ingest(index: str, corpus: str) -> None:
    """(child) Ingest ``corpus`` into ``index``; print passages and sentences embedded."""
    from rag.store.index import Index
    from rag.settings import Settings

    settings = Settings(index_dir=Path(index), corpus_dir=Path(corpus), llm_base_url=None, llm_model=None,
                        chroma_host=None)
    idx = Index(settings)
    report = idx.ingest(Path(corpus))
    sentences = idx.client.get_collection(idx._names(report.generation)[1]).count()
    print(json.dumps({"passages": report.passages, "sentences": sentences, "documents": len(report.added)}))


def child_serve(index: str, dataset: str) -> None:
    """(child) Open ``index``, answer every question of ``dataset``; print latencies and RSS."""
    from bench_pipeline import rss_mb

    from rag.evaluation import load_dataset
    from rag.pipeline import Assistant
    from rag.settings import Settings

    settings = Settings(index_dir=Path(index), llm_base_url=None, llm_model=None, chroma_host=None)
    assistant = Assistant(settings)
    questions = [q.question for q in load_dataset(Path(dataset))]
    for q in questions[:3]:  # warm-up: first-call costs (jieba dictionary, kernels)
        assistant.ask(q)
    embed, total = [], []
    for q in questions:
        r = assistant.ask(q)
        embed.append(r.timings.get("embed", 0.0))
        total.append(r.latency_ms)
    print(json.dumps({"questions": len(questions), "embed_ms": embed, "answer_ms": total, "rss_mb": rss_mb()}))


def measure(engine: str, large: Path, dataset: Path, asks: int, root: Path,
            reuse: tuple[Path, Path] | None = None) -> dict:
    """Every figure of one engine; with ``reuse`` (bundled, large index folders) no ingest is measured."""
    me = [sys.executable, str(Path(__file__).resolve())]
    out: dict = {"engine": engine}
    bundled, big = reuse or (root / engine.replace(":", "-") / "bundled", root / engine.replace(":", "-") / "large")
    for name, corpus, folder in (() if reuse else (("bundled", ROOT / "corpus", bundled), ("large", large, big))):
        shutil.rmtree(folder, ignore_errors=True)
        print(f"[{engine}] ingest {name} corpus ({corpus})", flush=True)
        wall, rss, text = run_child([*me, "_ingest", str(folder), str(corpus)], engine)
        counts = json.loads(text.strip().splitlines()[-1])
        texts = counts["passages"] + counts["sentences"]
        out[f"ingest_{name}"] = {"s": round(wall, 1), "rss_mb": round(rss), "texts": texts,
                                 "texts_per_s": round(texts / wall, 1), **counts}
    print(f"[{engine}] cold `rag ask` ×{asks}", flush=True)
    runs = [run_child(rag("ask", "--index", str(bundled), QUESTION), engine) for _ in range(asks)]
    walls, rsss = sorted(r[0] for r in runs), sorted(r[1] for r in runs)
    out["cold_ask"] = {"s": round(percentile(walls, 0.5), 2), "rss_mb": round(percentile(rsss, 0.5)),
                       "runs_s": [round(w, 2) for w in walls]}
    print(f"[{engine}] serving: every question of {dataset.name} on the large index", flush=True)
    _, peak, text = run_child([*me, "_serve", str(big), str(dataset)], engine)
    got = json.loads(text.strip().splitlines()[-1])
    out["serving"] = {
        "questions": got["questions"],
        "embed_p50_ms": round(percentile(got["embed_ms"], 0.5), 2),
        "embed_p95_ms": round(percentile(got["embed_ms"], 0.95), 2),
        "answer_p50_ms": round(percentile(got["answer_ms"], 0.5), 2),
        "answer_p95_ms": round(percentile(got["answer_ms"], 0.95), 2),
        "rss_mb": round(got["rss_mb"]), "peak_rss_mb": round(peak),
    }
    return out


ROWS = [  # label, path into the figures, lower is better
    ("cold `rag ask`, bundled index: wall s", ("cold_ask", "s"), "cold_ask_s"),
    ("cold `rag ask`: peak RSS MB", ("cold_ask", "rss_mb"), "cold_ask_rss_mb"),
    ("question embedding p50 ms (large index)", ("serving", "embed_p50_ms"), "embed_p50_ms"),
    ("question embedding p95 ms", ("serving", "embed_p95_ms"), None),
    ("answer p50 ms", ("serving", "answer_p50_ms"), None),
    ("answer p95 ms", ("serving", "answer_p95_ms"), "answer_p95_ms"),
    ("serving RSS MB (after all questions)", ("serving", "rss_mb"), "serving_rss_mb"),
    ("ingest bundled corpus: s", ("ingest_bundled", "s"), None),
    ("ingest bundled: texts/s", ("ingest_bundled", "texts_per_s"), None),
    ("ingest large corpus: s", ("ingest_large", "s"), "ingest_large_s"),
    ("ingest large: texts/s", ("ingest_large", "texts_per_s"), None),
    ("ingest large: peak RSS MB", ("ingest_large", "rss_mb"), "ingest_large_rss_mb"),
]


def table(old: dict, *news: dict) -> str:
    """Markdown table: the old engine, each new one with its ratio to the old, the target and
    whether the last (the default) meets it."""
    head = "".join(f" {n['engine']} | / old |" for n in news)
    lines = [f"| | old ({old['engine']}) |{head} target |", "|---|---|" + "---|---|" * len(news) + "---|"]
    for label, (a, b), target in ROWS:
        if a not in old or any(a not in n for n in news):
            continue
        o = old[a][b]
        cells = "".join(f" {n[a][b]:g} | {n[a][b] / o:.2f} |" if o else f" {n[a][b]:g} | – |" for n in news)
        goal = ""
        if target:
            limit = TARGETS[target]
            goal = f"≤ {limit:g}: {'met' if news[-1][a][b] <= limit else 'NOT met'}"
        lines.append(f"| {label} | {o:g} |{cells} {goal} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_ingest":
        child_ingest(*argv[1:])
        return 0
    if argv and argv[0] == "_serve":
        child_serve(*argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="torch,onnx:onnxruntime,onnx",
                        help="old,new… (RAG_ENGINE, optionally :RAG_ONNX_RUNTIME and :RAG_ONNX_QUERY_PRECISION)")
    parser.add_argument("--large", default=str(ROOT / "eval" / "corpora" / "multidoc"),
                        help="the large corpus (default: the 93 documents of ../shared/corpora, copied)")
    parser.add_argument("--docs", type=int, default=0,
                        help="only the first N files of the large corpus (sorted by path; 0 = all)")
    parser.add_argument("--dataset", default=str(ROOT / "eval" / "multidoc.jsonl"), help="questions for serving")
    parser.add_argument("--asks", type=int, default=5, help="cold `rag ask` runs per engine")
    parser.add_argument("--keep", help="build the indexes here and keep them (default: a temporary folder)")
    parser.add_argument("--reuse", nargs=2, metavar=("BUNDLED_INDEX", "LARGE_INDEX"),
                        help="measure asks and serving on these built index folders (no ingest figures); "
                        "an fp32 index serves both engines")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    info = machine()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    with tempfile.TemporaryDirectory(prefix="rag-bench-engine-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        large = Path(args.large)
        if args.docs:
            files = sorted(f for f in large.rglob("*") if f.is_file() and not f.name.startswith("."))[: args.docs]
            large = root / "large-corpus"
            shutil.rmtree(large, ignore_errors=True)
            large.mkdir(parents=True)
            for f in files:
                shutil.copy2(f, large / f.name)
        reuse = tuple(Path(r) for r in args.reuse) if args.reuse else None
        figures = [measure(e, large, Path(args.dataset), args.asks, root, reuse) for e in engines]
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print()
    print(f"machine: {info['cpu']}, {info['cores']} cores, load average {info['load_average']} → "
          f"{info['load_average_end']}")
    if len(figures) >= 2:
        print(table(*figures))
    else:
        print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "engines": figures}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
