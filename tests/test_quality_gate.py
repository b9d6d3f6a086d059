"""The quality gate of ``make test``: the bundled set through the product, against ``eval/thresholds.json``.

The first test fails when a headline figure of ``ours`` falls below its
threshold (``metrics`` of the file), naming every figure that misses (with its
95% interval) in one message; issue targets kept beside the gate (``targets``)
that are not met yet are reported as a warning. The second shows the gate has teeth: with retrieval replaced by a
random ranking, the same gate reports failure.
"""

from __future__ import annotations

import copy
import json
import random
import warnings
from pathlib import Path

import pytest

from rag.evaluation import (
    gate_failures,
    load_dataset,
    load_thresholds,
    ours_answer_fn,
    run_system,
    summarise,
    target_misses,
    write_results,
)

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "eval" / "questions.jsonl"


def _evaluate(assistant, k: int, out: Path | None = None) -> dict:
    questions = load_dataset(DATASET)
    results = run_system(ours_answer_fn(assistant, k), questions, progress=False)
    summary = summarise(questions, results, k)
    if out is not None:
        from rag.report import write_report

        summary.update(system="ours", dataset=str(DATASET), model=assistant.settings.model)
        write_results(out, results)
        (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        write_report(out, questions, {"ours": summary}, {"ours": results}, k, thresholds=load_thresholds())
    return summary


class RandomRanking:
    """A broken retriever: the real question embedding, but passages in a random order.

    Each hit keeps its true cosine similarity, so the evidence gate sees ordinary
    scores and the answerer answers from whatever it is handed.
    """

    def __init__(self, real, seed: int = 7) -> None:
        self.real = real
        self.rng = random.Random(seed)

    def retrieve(self, question, k=None, doc_ids=None):
        from rag.retrieval import Hit, Retrieval

        r = self.real.retrieve(question, k=k, doc_ids=doc_ids)
        index = self.real.index
        cosine = dict(index.vector_search(r.query_vector, len(index.passages)))
        ids = sorted(index.passages)
        self.rng.shuffle(ids)
        depth = max(k or 5, 10)
        hits = [Hit(index.passages[i], 1.0 / (60 + n), cosine.get(i), None) for n, i in enumerate(ids[:depth], start=1)]
        return Retrieval(r.question, r.query_vector, hits, r.lang, r.timings)


@pytest.mark.slow
def test_quality_gate(assistant, artifacts):
    thresholds = load_thresholds()
    summary = _evaluate(assistant, thresholds["k"], out=artifacts / "quality-gate")
    failures = gate_failures(summary, thresholds)
    misses = target_misses(summary, thresholds)
    if misses:  # the gate's floors may sit below the targets: say which are not met yet
        warnings.warn("issue targets not met yet: " + "; ".join(misses), stacklevel=1)
    assert not failures, (
        f"quality gate failed on {DATASET.name} ({summary['overall']['n']} questions), "
        f"{len(failures)} of {len(thresholds['metrics'])} thresholds missed:\n  - " + "\n  - ".join(failures)
        + f"\n(report: {artifacts / 'quality-gate' / 'report.md'})"
    )


@pytest.mark.slow
def test_gate_fails_when_retrieval_is_random(assistant):
    thresholds = load_thresholds()
    broken = copy.copy(assistant)
    broken.retriever = RandomRanking(assistant.retriever)
    summary = _evaluate(broken, thresholds["k"])
    failures = gate_failures(summary, thresholds)
    assert failures, "a random ranking passed the quality gate"
    failed = {line.split(" ", 1)[0] for line in failures}
    assert {"recall@5", "mrr@10", "fact_recall", "citation_precision"} <= failed
