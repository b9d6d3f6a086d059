"""The evaluation report a person reads: ``report.md`` with tables and PNG plots.

One report covers every system of a run: the verdict (does ``ours`` beat each
baseline by more than the noise?), the gate, the headline figures with 95%
intervals, paired differences, plots (metric bars with error bars, per-tag
heat maps, latency distributions, the paired differences), latency by stage,
per-tag and per-language tables, and for each system the questions it got
wrong with what it retrieved.
"""

from __future__ import annotations

from pathlib import Path

HEADLINE = [
    "recall@{k}", "mrr@10", "ndcg@10", "fact_recall", "citation_precision", "citation_support",
    "abstention_accuracy", "false_abstention", "latency_p50_ms", "latency_p95_ms", "answer_chars_median",
]
LABELS = {
    "mrr@10": "MRR@10", "ndcg@10": "nDCG@10", "fact_recall": "fact recall", "citation_precision": "citation precision",
    "citation_support": "citation support", "abstention_accuracy": "abstention acc.", "false_abstention": "false abstention",
    "latency_p50_ms": "p50 ms", "latency_p95_ms": "p95 ms", "answer_chars_median": "median chars",
}
# The figures on which the acceptance asks ``ours`` to beat every baseline.
ACCEPTANCE = ["mrr@10", "fact_recall", "citation_precision"]
STAGES = ["embed", "vector", "keyword", "fusion", "answer"]


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("recall@", "Recall@"))


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) <= 1.0 else f"{v:.1f}"
    return str(v)


def _fmt_ms(v) -> str:
    return "–" if v is None else f"{v:.1f}"


def _fmt_ci(v, ci) -> str:
    if v is None:
        return "–"
    if not ci:
        return _fmt(v)
    return f"{_fmt(v)} [{_fmt(ci[0])}–{_fmt(ci[1])}]"


def _fmt_diff(d) -> str:
    if d is None:
        return "–"
    return f"{d:+.3f}" if abs(d) <= 1.0 else f"{d:+.1f}"


def _short(text: str, n: int = 70) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


# ------------------------------------------------------------------ plots


def _plots(out_dir: Path, summaries: dict, results: dict, comparisons: dict, k: int) -> list[tuple[str, str]]:
    """Write the PNG plots; returns (title, file name) pairs (empty when matplotlib is missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError:
        return []
    made: list[tuple[str, str]] = []
    names = list(summaries)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = {n: colours[i % len(colours)] for i, n in enumerate(names)}
    ratio = [m.format(k=k) for m in HEADLINE[:8]]

    # 1. Metric bars per system, with 95% intervals.
    fig, ax = plt.subplots(figsize=(12, 4.8))
    width = 0.8 / max(1, len(names))
    x = np.arange(len(ratio))
    for i, name in enumerate(names):
        o = summaries[name]["overall"]
        vals = [o.get(m) if o.get(m) is not None else np.nan for m in ratio]
        lo, hi = [], []
        for m, v in zip(ratio, vals):
            ci = (o.get("ci") or {}).get(m)
            lo.append(max(0.0, v - ci[0]) if ci and not np.isnan(v) else 0.0)
            hi.append(max(0.0, ci[1] - v) if ci and not np.isnan(v) else 0.0)
        ax.bar(x + (i - (len(names) - 1) / 2) * width, vals, width, yerr=[lo, hi], capsize=2,
               label=name, color=colour[name], error_kw={"elinewidth": 0.8})
    ax.set_xticks(x, [_label(m) for m in ratio], rotation=15)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share (95% bootstrap CI)")
    ax.set_title("Headline metrics per system (false abstention: lower is better)")
    ax.legend(ncol=len(names), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_dir / "metrics.png", dpi=110)
    plt.close(fig)
    made.append(("Headline metrics with 95% intervals", "metrics.png"))

    # 2. Per-tag breakdown: heat maps of three figures, tags × systems.
    tags = sorted({t for s in summaries.values() for t in s.get("per_tag", {})})
    if tags:
        shown = ["mrr@10", "fact_recall", "citation_precision", "abstention_accuracy"]
        fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown) + 1.5, 0.38 * len(tags) + 1.6), sharey=True)
        for ax, m in zip(axes, shown):
            grid = np.full((len(tags), len(names)), np.nan)
            for i, t in enumerate(tags):
                for j, n in enumerate(names):
                    v = summaries[n].get("per_tag", {}).get(t, {}).get(m)
                    if v is not None:
                        grid[i, j] = v
            im = ax.imshow(np.ma.masked_invalid(grid), vmin=0, vmax=1, cmap="RdYlGn", aspect="auto")
            for i in range(len(tags)):
                for j in range(len(names)):
                    if not np.isnan(grid[i, j]):
                        ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=7)
            ax.set_xticks(range(len(names)), names, rotation=40, ha="right", fontsize=8)
            ax.set_title(_label(m), fontsize=10)
        axes[0].set_yticks(range(len(tags)), [f"{t} ({summaries[names[0]]['per_tag'].get(t, {}).get('n', '?')})" for t in tags], fontsize=8)
        fig.colorbar(im, ax=axes, shrink=0.6)
        fig.suptitle("Per-tag breakdown (tag (questions)); blank = not applicable", fontsize=10)
        fig.savefig(out_dir / "per_tag.png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        made.append(("Per-tag breakdown", "per_tag.png"))

    # 3. Latency: distribution per system, and stage medians where recorded.
    staged = {n: rs for n, rs in results.items() if any(r.get("timings_ms") for r in rs)}
    fig, axes = plt.subplots(1, 2 if staged else 1, figsize=(12 if staged else 7, 4.2))
    axes = np.atleast_1d(axes)
    ax = axes[0]
    for n, rs in results.items():
        lat = np.sort([max(0.01, float(r.get("latency_ms", 0.0))) for r in rs])
        if lat.size:
            ax.step(lat, np.arange(1, lat.size + 1) / lat.size, where="post", label=n, color=colour.get(n))
    ax.set_xscale("log")
    ax.axhline(0.95, color="grey", lw=0.6, ls="--")
    ax.set_xlabel("latency per question (ms, log scale)")
    ax.set_ylabel("share of questions answered within")
    ax.set_title("Latency distribution (dashed: p95)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    if staged:
        ax = axes[1]
        bottom = np.zeros(len(staged))
        for stage in STAGES:
            vals = []
            for rs in staged.values():
                xs = [float(r.get("timings_ms", {}).get(stage, 0.0)) for r in rs if r.get("timings_ms")]
                vals.append(float(np.median(xs)) if xs else 0.0)
            ax.bar(list(staged), vals, bottom=bottom, label=stage)
            bottom += np.array(vals)
        ax.set_ylabel("median ms per stage (stacked)")
        ax.set_title("Where the time goes")
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_dir / "latency.png", dpi=110)
    plt.close(fig)
    made.append(("Latency", "latency.png"))

    # 4. Paired differences, ours minus each baseline, with 95% intervals.
    if comparisons:
        metrics = [m for m in ratio if m != "ndcg@10"]
        base = list(comparisons)
        fig, ax = plt.subplots(figsize=(9, 0.32 * len(metrics) * len(base) + 1.5))
        y, ticks, labels = 0, [], []
        for m in metrics:
            for b in base:
                c = comparisons[b].get(m) or {}
                if c.get("diff") is not None and c.get("ci"):
                    ax.errorbar(c["diff"], y, xerr=[[c["diff"] - c["ci"][0]], [c["ci"][1] - c["diff"]]],
                                fmt="o", color=colour.get(b), capsize=3, ms=4,
                                mfc=colour.get(b) if c.get("significant") else "white")
                ticks.append(y)
                labels.append(f"{_label(m)} vs {b}")
                y += 1
            y += 0.6
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(ticks, labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("ours minus baseline (95% paired bootstrap CI); filled = larger than the noise")
        ax.set_title("Paired differences (false abstention: negative is better)")
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        fig.savefig(out_dir / "comparison.png", dpi=110)
        plt.close(fig)
        made.append(("Paired differences, ours minus each baseline", "comparison.png"))
    return made


# ------------------------------------------------------------------ the report


def _misses(questions, rs: list[dict]) -> list[str]:
    from rag.evaluation import fact_found, is_relevant

    by_q = {q.id: q for q in questions}
    lines = []
    for r in rs:
        q = by_q.get(r["id"])
        if q is None:
            continue
        why = None
        if q.answerable:
            missing = [f for f in q.answer_facts if not fact_found(f, r.get("answer", ""))]
            found = any(is_relevant(p, q.gold) for p in r.get("retrieved", []))
            if r.get("abstained"):
                why = "abstained" + (f" ({r['abstain_reason']})" if r.get("abstain_reason") else "")
            elif not found:
                why = "no relevant passage retrieved"
            elif missing:
                why = "missing " + ", ".join(f"“{f}”" for f in missing)
        elif not r.get("abstained"):
            why = "answered an unanswerable question"
        if why is None:
            continue
        lines.append(f"- **`{q.id}`** {_md_cell(q.question)} — {why}")
        if not r.get("abstained"):
            lines.append(f"  - answer: {_md_cell(_short(r.get('answer', ''), 120))}")
        got = []
        for i, p in enumerate(r.get("retrieved", [])[:3], start=1):
            mark = "✓" if q.answerable and is_relevant(p, q.gold) else "✗"
            got.append(f"{i}. {mark} {_md_cell(_short(p.get('locator') or p.get('doc', ''), 60))}")
        lines.append("  - retrieved: " + ("; ".join(got) if got else "nothing"))
    return lines


def write_report(
    out_dir: Path,
    questions,
    summaries: dict[str, dict],
    results: dict[str, list[dict]],
    k: int,
    comparisons: dict | None = None,
    thresholds: dict | None = None,
) -> Path:
    """Write ``report.md`` (and its plots) for one or several systems."""
    from rag.evaluation import compare_all, gate_failures

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if comparisons is None:
        comparisons = compare_all(questions, results, k) if len(results) > 1 else {}
    keys = [h.format(k=k) for h in HEADLINE]
    first = next(iter(summaries.values()))
    o1 = first["overall"]
    boot = first.get("bootstrap", {})
    lines = ["# Evaluation report", ""]
    lines.append(
        f"Dataset `{first.get('dataset')}`: {o1['n']} questions ({o1['n_answerable']} answerable, "
        f"{o1['n_unanswerable']} unanswerable); k = {k}; embedding model `{first.get('model')}`. "
        f"Intervals are 95% bootstrap intervals ({boot.get('reps', '?')} resamples of the questions, seed {boot.get('seed', '?')}); "
        "a paired difference is *larger than the noise* when its interval excludes 0."
    )
    try:
        from rag.baselines import DESCRIPTIONS
    except ImportError:
        DESCRIPTIONS = {}
    lines += ["", "| system | what it is |", "|---|---|"]
    for name in summaries:
        lines.append(f"| {name} | {DESCRIPTIONS.get(name, summaries[name].get('mode', ''))} |")

    # Verdict.
    if comparisons:
        lines += ["", "## Verdict", ""]
        all_ok = True
        rows = []
        for b, comp in comparisons.items():
            cells = []
            for m in ACCEPTANCE:
                c = comp.get(m) or {}
                ok = c.get("better") == "a"
                all_ok &= ok
                ci = c.get("ci")
                ci_txt = f" [{_fmt_diff(ci[0])}, {_fmt_diff(ci[1])}]" if ci else ""
                cells.append(f"{'✅' if ok else '❌'} {_fmt_diff(c.get('diff'))}{ci_txt}")
            rows.append(f"| {b} | " + " | ".join(cells) + " |")
        lines.append(
            ("**ours beats every baseline on " if all_ok else "**ours does not beat every baseline on ")
            + ", ".join(_label(m) for m in ACCEPTANCE)
            + " by more than the noise.** Differences are ours minus the baseline, with 95% paired intervals:"
        )
        lines += ["", "| baseline | " + " | ".join(_label(m) for m in ACCEPTANCE) + " |", "|---|" + "---|" * len(ACCEPTANCE)]
        lines += rows

    # Gate.
    if thresholds and "ours" in summaries and thresholds.get("k", k) == k:
        from rag.evaluation import target_misses

        o = summaries["ours"]["overall"]
        failures = gate_failures(summaries["ours"], thresholds)
        targets = thresholds.get("targets") or {}
        misses = target_misses(summaries["ours"], thresholds)

        def ok(v, rule) -> bool:
            return v is not None and v >= rule.get("min", float("-inf")) and v <= rule.get("max", float("inf"))

        def limit(rule) -> str:
            return f"≥ {rule['min']}" if "min" in rule else f"≤ {rule['max']}"

        verdict = "**PASS**" if not failures else f"**FAIL** — {len(failures)} of {len(thresholds['metrics'])} thresholds missed."
        if targets:
            verdict += (" Issue targets: all met." if not misses else f" Issue targets: {len(misses)} of {len(targets)} not met yet.")
        lines += ["", "## Quality gate (`eval/thresholds.json`)", "", verdict, "",
                  "| metric | gate floor | ours | 95% CI | meets gate | " + ("issue target | meets target |" if targets else ""),
                  "|---|---|---|---|---|" + ("---|---|" if targets else "")]
        for m, rule in thresholds["metrics"].items():
            v = o.get(m)
            ci = (o.get("ci") or {}).get(m)
            row = (f"| {_label(m)} | {limit(rule)} | {_fmt(v)} | {_fmt(ci[0]) + '–' + _fmt(ci[1]) if ci else '–'} | "
                   f"{'✅' if ok(v, rule) else '❌'} |")
            if targets and m in targets:
                row += f" {limit(targets[m])} | {'✅' if ok(v, targets[m]) else '❌'} |"
            lines.append(row)

    # Headline.
    lines += ["", "## Headline (value [95% CI])", "", "| system | " + " | ".join(_label(x) for x in keys) + " |",
              "|---|" + "---|" * len(keys)]
    for name, s in summaries.items():
        o = s["overall"]
        lines.append(f"| {name} | " + " | ".join(_fmt_ci(o.get(x), (o.get("ci") or {}).get(x)) for x in keys) + " |")
    lines.append("")
    lines.append(
        f"Citation support counts {o1.get('n_support_sentences', '?')} answer sentences for the first system; a sentence "
        f"is supported when its cited passage contains it (score ≥ {first.get('support_threshold', 0.5)} by `rag.support`)."
    )

    plots = _plots(out_dir, summaries, results, comparisons, k)
    if plots:
        lines += ["", "## Plots", ""]
        for title, name in plots:
            lines += [f"### {title}", "", f"![{title}]({name})", ""]

    # Paired comparisons.
    if comparisons:
        lines += ["", "## Paired comparison: ours minus each baseline", ""]
        for b, comp in comparisons.items():
            lines += [f"### ours vs {b} ({comp.get('_n', '?')} questions)", "",
                      "| metric | ours | " + b + " | difference | 95% CI | larger than noise? |", "|---|---|---|---|---|---|"]
            for m in keys:
                c = comp.get(m)
                if not c:
                    continue
                ci = c.get("ci")
                verdict = "–"
                if c.get("significant"):
                    verdict = {"a": "yes — ours better", "b": f"yes — {b} better"}.get(c.get("better"), "yes")
                elif c.get("diff") is not None:
                    verdict = "no"
                lines.append(f"| {_label(m)} | {_fmt(c.get('a'))} | {_fmt(c.get('b'))} | {_fmt_diff(c.get('diff'))} | "
                             f"{'[' + _fmt_diff(ci[0]) + ', ' + _fmt_diff(ci[1]) + ']' if ci else '–'} | {verdict} |")
            lines.append("")

    # Latency by stage.
    staged = {n: rs for n, rs in results.items() if any(r.get("timings_ms") for r in rs)}
    if staged:
        lines += ["", "## Latency by stage (ms)", "", "| system | " + " | ".join(f"{s} p50 / p95" for s in STAGES) + " | total p50 / p95 |",
                  "|---|" + "---|" * (len(STAGES) + 1)]
        from rag.evaluation import _percentile

        for n, rs in staged.items():
            cells = []
            for stage in STAGES:
                xs = [float(r["timings_ms"][stage]) for r in rs if stage in r.get("timings_ms", {})]
                cells.append(f"{_fmt_ms(_percentile(xs, 0.5))} / {_fmt_ms(_percentile(xs, 0.95))}" if xs else "–")
            tot = [float(r.get("latency_ms", 0.0)) for r in rs]
            cells.append(f"{_fmt_ms(_percentile(tot, 0.5))} / {_fmt_ms(_percentile(tot, 0.95))}")
            lines.append(f"| {n} | " + " | ".join(cells) + " |")

    # Per tag, all systems.
    tags = sorted({t for s in summaries.values() for t in s.get("per_tag", {})})
    if tags and len(summaries) > 1:
        for m in ["mrr@10", "fact_recall", "citation_precision", "abstention_accuracy"]:
            lines += ["", f"## Per tag — {_label(m)}", "", "| tag | n | " + " | ".join(summaries) + " |",
                      "|---|---|" + "---|" * len(summaries)]
            for t in tags:
                n = first.get("per_tag", {}).get(t, {}).get("n", "")
                lines.append(f"| {t} | {n} | " + " | ".join(
                    _fmt_ci(s.get("per_tag", {}).get(t, {}).get(m), (s.get("per_tag", {}).get(t, {}).get("ci") or {}).get(m))
                    for s in summaries.values()) + " |")
    for name, s in summaries.items():
        if len(summaries) > 1 and name != "ours":
            continue
        cols = keys[:9]
        lines += ["", f"## Per tag — {name}, every figure", "", "| tag | n | " + " | ".join(_label(c) for c in cols) + " |",
                  "|---|---|" + "---|" * len(cols)]
        for group in ("per_tag", "per_lang"):
            for tag, b in s.get(group, {}).items():
                label = tag if group == "per_tag" else f"lang: {tag}"
                lines.append(f"| {label} | {b['n']} | " + " | ".join(_fmt(b.get(c)) for c in cols) + " |")

    # Wrong questions.
    lines += ["", "## Questions each system got wrong", "",
              "Wrong: an answerable question abstained on, with no relevant passage retrieved, or with an answer fact "
              "missing; an unanswerable question answered. ✓/✗ marks whether each of the top 3 retrieved passages is relevant."]
    for name, rs in results.items():
        misses = _misses(questions, rs)
        count = sum(1 for line in misses if line.startswith("- "))
        lines += ["", f"### {name} — {count} wrong", "", "<details><summary>show</summary>", ""] + misses + ["", "</details>"]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
