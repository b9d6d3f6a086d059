"""Step 7: scoring answers against a hand-written evaluation set.

Implements the contract of the evaluation format: read any JSONL set, run a
system on every question, write ``results.jsonl``, ``summary.json`` (every
metric, overall and per tag) and ``report.md``. The metrics are computed from
``results.jsonl`` and the set alone, so a results file from any system can be
scored the same way.
"""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

# --------------------------------------------------------------------- the set


@dataclass
class EvalQuestion:
    """One question of an evaluation set."""

    id: str
    question: str
    lang: str
    answerable: bool
    answer_facts: list[str]
    gold: list[dict]
    tags: list[str] = field(default_factory=list)


class DatasetError(ValueError):
    """An evaluation set that does not follow the format; the message names the line."""


def load_dataset(path: Path) -> list[EvalQuestion]:
    """Read a JSONL evaluation set, checking each line's fields."""
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            q = EvalQuestion(
                id=str(d["id"]),
                question=str(d["question"]),
                lang=str(d.get("lang", "zh")),
                answerable=bool(d.get("answerable", True)),
                answer_facts=list(d.get("answer_facts", [])),
                gold=list(d.get("gold", [])),
                tags=list(d.get("tags", [])),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path}:{n}: not a valid question ({exc})") from exc
        if q.id in seen:
            raise DatasetError(f"{path}:{n}: duplicate id {q.id}")
        seen.add(q.id)
        questions.append(q)
    if not questions:
        raise DatasetError(f"{path}: no questions")
    return questions


# --------------------------------------------------------------------- matching


def norm(text: str) -> str:
    """NFKC, no whitespace, lower case: the format's normalisation for matching."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).lower()


def _lcs_len(a: str, b: str) -> int:
    """Length of the longest common substring (dynamic programming, O(len a × len b))."""
    if not a or not b:
        return 0
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def is_relevant(passage: dict, gold: list[dict]) -> bool:
    """A passage is relevant when it contains a gold quote (or half of one across a boundary)."""
    text = norm(passage.get("text", ""))
    for g in gold:
        if g.get("doc") and passage.get("doc") and g["doc"] != passage["doc"]:
            continue
        quote = norm(g.get("quote", ""))
        if not quote:
            continue
        if quote in text or _lcs_len(text, quote) * 2 >= len(quote):
            return True
    return False


def fact_found(fact: str, answer: str) -> bool:
    """True when any alternative of ``fact`` ("A|B") appears in the answer."""
    a = norm(answer)
    return any(norm(alt) and norm(alt) in a for alt in fact.split("|"))


# --------------------------------------------------------------------- metrics


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def _percentile(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    i = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return round(s[i], 2)


def per_question_scores(q: EvalQuestion, r: dict, k: int) -> dict:
    """The per-question quantities every metric is an average of."""
    retrieved = r.get("retrieved", [])
    out: dict = {"answerable": q.answerable, "abstained": bool(r.get("abstained")), "latency": r.get("latency_ms", 0.0)}
    out["answer_len"] = len(r.get("answer", ""))
    if q.answerable:
        rel = [is_relevant(p, q.gold) for p in retrieved]
        out["hit"] = 1.0 if any(rel[:k]) else 0.0
        first = next((i for i, x in enumerate(rel[:10]) if x), None)
        out["rr"] = 0.0 if first is None else 1.0 / (first + 1)
        import math

        dcg = sum(1.0 / math.log2(i + 2) for i, x in enumerate(rel[:10]) if x)
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(10, max(1, sum(rel[:10])))))
        out["ndcg"] = dcg / ideal if ideal else 0.0
        facts = q.answer_facts
        out["facts"] = [fact_found(f, r.get("answer", "")) for f in facts]
        cits = r.get("citations", [])
        out["cit_rel"] = [is_relevant(c, q.gold) for c in cits]
    return out


def summarise(questions: list[EvalQuestion], results: list[dict], k: int) -> dict:
    """All metrics of the format, overall and per tag."""
    by_id = {r["id"]: r for r in results}
    scores = {q.id: per_question_scores(q, by_id[q.id], k) for q in questions if q.id in by_id}

    def block(qs: list[EvalQuestion]) -> dict:
        s = [scores[q.id] for q in qs if q.id in scores]
        ans = [x for x in s if x["answerable"]]
        un = [x for x in s if not x["answerable"]]
        facts = [f for x in ans for f in x["facts"]]
        cits = [c for x in ans for c in x["cit_rel"]]
        lat = [x["latency"] for x in s]
        return {
            "n": len(s),
            "n_answerable": len(ans),
            "n_unanswerable": len(un),
            f"recall@{k}": _mean([x["hit"] for x in ans]),
            "mrr@10": _mean([x["rr"] for x in ans]),
            "ndcg@10": _mean([x["ndcg"] for x in ans]),
            "fact_recall": _mean([1.0 if f else 0.0 for f in facts]),
            "citation_precision": _mean([1.0 if c else 0.0 for c in cits]),
            "abstention_accuracy": _mean([1.0 if x["abstained"] else 0.0 for x in un]),
            "false_abstention": _mean([1.0 if x["abstained"] else 0.0 for x in ans]),
            "latency_p50_ms": _percentile(lat, 0.5),
            "latency_p95_ms": _percentile(lat, 0.95),
            "answer_chars_median": statistics.median([x["answer_len"] for x in ans]) if ans else None,
        }

    tags = sorted({t for q in questions for t in q.tags})
    return {
        "k": k,
        "overall": block(questions),
        "per_tag": {t: block([q for q in questions if t in q.tags]) for t in tags},
        "per_lang": {lang: block([q for q in questions if q.lang == lang]) for lang in sorted({q.lang for q in questions})},
    }


# --------------------------------------------------------------------- running


def run_system(
    answer_fn: Callable[[EvalQuestion], dict], questions: Iterable[EvalQuestion], progress: bool = True
) -> list[dict]:
    """Run ``answer_fn`` on every question; each result gets the question's id."""
    from tqdm import tqdm

    qs = list(questions)
    out = []
    for q in tqdm(qs, desc="questions", disable=not progress, unit="q"):
        started = time.perf_counter()
        r = answer_fn(q)
        r.setdefault("latency_ms", (time.perf_counter() - started) * 1000)
        r["id"] = q.id
        r["question"] = q.question
        out.append(r)
    return out


def write_results(out_dir: Path, results: list[dict]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "results.jsonl", "w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def ours_answer_fn(assistant, k: int) -> Callable[[EvalQuestion], dict]:
    """The product as configured, as an evaluation system."""

    def answer(q: EvalQuestion) -> dict:
        return assistant.ask(q.question, k=k, qid=q.id).to_dict()

    return answer


def run_eval(dataset: Path, out_dir: Path, k: int = 5, systems: list[str] | None = None, settings=None) -> str:
    """Run the systems on a dataset and write results, summary and report; returns a short summary."""
    from rag.pipeline import Assistant
    from rag.report import write_report
    from rag.settings import get_settings

    settings = settings or get_settings()
    questions = load_dataset(dataset)
    systems = systems or ["ours"]
    assistant = Assistant(settings)
    summaries: dict[str, dict] = {}
    all_results: dict[str, list[dict]] = {}
    for name in systems:
        if name == "ours":
            fn = ours_answer_fn(assistant, k)
        else:
            from rag.baselines import make_system

            fn = make_system(name, assistant, k)
        results = run_system(fn, questions)
        target = out_dir if len(systems) == 1 else out_dir / name
        write_results(target, results)
        summary = summarise(questions, results, k)
        summary["system"] = name
        summary["mode"] = assistant.mode if name == "ours" else "extractive"
        summary["dataset"] = str(dataset)
        summary["model"] = settings.model
        (target).mkdir(parents=True, exist_ok=True)
        (target / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        summaries[name] = summary
        all_results[name] = results
    write_report(out_dir, questions, summaries, all_results, k)
    lines = []
    for name, s in summaries.items():
        o = s["overall"]
        lines.append(
            f"{name}: Recall@{k} {o[f'recall@{k}']}  MRR@10 {o['mrr@10']}  fact recall {o['fact_recall']}  "
            f"citation precision {o['citation_precision']}  abstention {o['abstention_accuracy']}  "
            f"false abstention {o['false_abstention']}  p50 {o['latency_p50_ms']} ms  p95 {o['latency_p95_ms']} ms  "
            f"median answer {o['answer_chars_median']} chars"
        )
    return "\n".join(lines)
