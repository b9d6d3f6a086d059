"""The evaluation report a person reads: ``report.md`` with tables (and plots when matplotlib is there)."""

from __future__ import annotations

from pathlib import Path

HEADLINE = ["recall@{k}", "mrr@10", "ndcg@10", "fact_recall", "citation_precision", "abstention_accuracy", "false_abstention", "latency_p50_ms", "latency_p95_ms", "answer_chars_median"]


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if v <= 1.0 else f"{v:.1f}"
    return str(v)


def write_report(out_dir: Path, questions, summaries: dict[str, dict], results: dict[str, list[dict]], k: int) -> Path:
    """Write ``report.md``: headline table per system, per-tag table, and the misses."""
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = [h.format(k=k) for h in HEADLINE]
    lines = ["# Evaluation report", ""]
    first = next(iter(summaries.values()))
    lines.append(f"Dataset: `{first.get('dataset')}` — {first['overall']['n']} questions "
                 f"({first['overall']['n_answerable']} answerable, {first['overall']['n_unanswerable']} unanswerable); "
                 f"k = {k}; model `{first.get('model')}`.")
    lines += ["", "## Headline", "", "| system | mode | " + " | ".join(keys) + " |", "|---|---|" + "---|" * len(keys)]
    for name, s in summaries.items():
        lines.append(f"| {name} | {s.get('mode')} | " + " | ".join(_fmt(s["overall"].get(key)) for key in keys) + " |")
    for name, s in summaries.items():
        lines += ["", f"## Per tag — {name}", "", "| tag | n | " + " | ".join(keys[:7]) + " |", "|---|---|" + "---|" * 7]
        for tag, b in s["per_tag"].items():
            lines.append(f"| {tag} | {b['n']} | " + " | ".join(_fmt(b.get(key)) for key in keys[:7]) + " |")
    from rag.evaluation import fact_found, is_relevant

    by_q = {q.id: q for q in questions}
    for name, rs in results.items():
        misses = []
        for r in rs:
            q = by_q[r["id"]]
            if q.answerable:
                missing = [f for f in q.answer_facts if not fact_found(f, r.get("answer", ""))]
                found = any(is_relevant(p, q.gold) for p in r.get("retrieved", []))
                if r.get("abstained") or missing or not found:
                    why = "abstained" if r.get("abstained") else ("not retrieved" if not found else "missing " + ", ".join(missing))
                    misses.append(f"- `{q.id}` {q.question} — {why}")
            elif not r.get("abstained"):
                misses.append(f"- `{q.id}` {q.question} — answered an unanswerable question")
        lines += ["", f"## Questions {name} got wrong ({len(misses)})", ""] + misses
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
