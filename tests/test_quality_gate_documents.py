"""The quality gate on documents of other collections: questions of ``eval/multidoc.jsonl`` about the real
documents in ``tests/fixtures/documents`` (two regulations, a notice, two provincial and two national
reports), asked over an index of those documents (built once per session), against the floors in
``eval/thresholds.json`` (``documents``).

The full multi-document set (93 documents in one index) takes a separate index of about a quarter of
an hour to build; ``make eval-multidoc`` runs it. This gate keeps the mechanisms that set measures
(document records, scoping, articles, per-document answers, the gate's rules) from sliding between runs.
"""

from __future__ import annotations

import json
from pathlib import Path

from rag.evaluation import gate_failures, load_dataset, ours_answer_fn, run_system, summarise

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "eval" / "multidoc.jsonl"
FIXTURE_DOCS = {p.stem for p in (ROOT / "tests" / "fixtures" / "documents").iterdir()}
# Unanswerable questions about the same documents (a figure they do not give, an article they do not
# have) or about provinces they do not include.
UNANSWERABLE = {
    "md-nat-006", "md-nat-010", "md-nat-011", "md-nat-012", "md-pa-016", "md-pb-002", "md-pb-029", "md-pb-042",
    "md-gov-044", "md-gov-045",
}


def questions():
    out = []
    for q in load_dataset(DATASET):
        docs = {g["doc"] for g in q.gold}
        if (q.answerable and docs and docs <= FIXTURE_DOCS) or q.id in UNANSWERABLE:
            out.append(q)
    return out


def test_documents_quality_gate(documents_assistant):
    qs = questions()
    assert len(qs) >= 35 and sum(not q.answerable for q in qs) == len(UNANSWERABLE)
    results = run_system(ours_answer_fn(documents_assistant, 5), qs, progress=False)
    summary = summarise(qs, results, 5, ci=False)
    thresholds = json.loads((ROOT / "eval" / "thresholds.json").read_text(encoding="utf-8"))["documents"]
    overall = summary.get("overall", summary)
    print(json.dumps({k: overall.get(k) for k in thresholds["metrics"]}, ensure_ascii=False))
    failures = gate_failures(summary, thresholds)
    assert not failures, "\n".join(failures)
