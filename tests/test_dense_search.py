"""Dense search over the bundled index: exact, and the same in every process.

Chroma rebuilds the HNSW graph of a small collection in each process that opens
it, so its approximate rankings (and the answers built on them) changed from one
start of the app to the next. Collections up to ``exact_search_max_rows`` are
searched exactly in memory instead; larger ones still go through Chroma.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "eval" / "questions.jsonl").open(encoding="utf-8")][:80]

_RANK_IN_CHILD = """
import json, sys
from rag.store.index import Index
from rag.settings import Settings
index = Index(Settings(index_dir=sys.argv[1], llm_base_url=None, llm_model=None, chroma_host=None)).load()
questions = json.loads(sys.stdin.read())
vectors = index.embedder.embed_queries(questions)
print(json.dumps([[[p for p, _ in index.vector_search(v, 30)], [p for p, _ in index.sentence_search(v, 30)]]
                  for v in vectors]))
"""


def _rankings_in_a_new_process(index_dir: Path) -> list:
    done = subprocess.run(
        [sys.executable, "-c", _RANK_IN_CHILD, str(index_dir)],
        input=json.dumps(QUESTIONS), capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_dense_rankings_are_the_same_in_every_process(built_index_dir):
    first = _rankings_in_a_new_process(built_index_dir)
    second = _rankings_in_a_new_process(built_index_dir)
    differing = [q for q, a, b in zip(QUESTIONS, first, second) if a != b]
    assert not differing, f"{len(differing)} of {len(QUESTIONS)} questions ranked differently, e.g. {differing[:3]}"


def test_sentence_search_ranks_passages_by_their_best_sentence_exactly(assistant):
    index = assistant.index
    ids = sorted(index.passages)
    stored = index.sentence_vectors(ids)
    for question in QUESTIONS[:20]:
        v = index.embedder.embed_queries([question])[0]
        sims = stored.vectors @ v
        best: dict[str, float] = {}
        for pid, sim in zip(stored.passage_ids, sims):
            best[pid] = max(best.get(pid, -1.0), float(sim))
        expected = sorted(best, key=lambda pid: (-best[pid], pid))[:10]
        got = index.sentence_search(v, 10)
        assert [pid for pid, _ in got] == expected, question
        assert np.allclose([s for _, s in got], [best[p] for p in expected], atol=1e-5)


def test_document_filter_applies_to_exact_search(assistant):
    index = assistant.index
    doc = sorted({p.doc_id for p in index.passages.values()})[0]
    v = index.embedder.embed_queries(["到2025年全省国际友好城市要达到多少对？"])[0]
    for ranking in (index.vector_search(v, 10, [doc]), index.sentence_search(v, 10, [doc])):
        assert ranking and all(index.passages[pid].doc_id == doc for pid, _ in ranking)


def test_a_collection_above_the_limit_is_searched_through_chroma(built_index_dir, embedder):
    from rag.store.index import Index

    exact = Index(make_settings(built_index_dir), embedder=embedder).load()
    approximate = Index(make_settings(built_index_dir, exact_search_max_rows=0), embedder=embedder).load()
    v = embedder.embed_queries(["到2025年全省国际友好城市要达到多少对？"])[0]
    assert approximate._exact_vectors("passages") is None and approximate._exact_vectors("sentences") is None
    assert exact._exact_vectors("passages") is not None
    # HNSW is approximate, but on an easy question its best passage is the exact one.
    assert approximate.vector_search(v, 5)[0][0] == exact.vector_search(v, 5)[0][0]
    assert approximate.sentence_search(v, 5)[0][0] == exact.sentence_search(v, 5)[0][0]
    # Sentence rows are read without their metadata: each row's passage comes from its id.
    ranked = approximate.sentence_search(v, 10)
    assert len(ranked) == 10 and all(pid in approximate.passages for pid, _ in ranked)
    assert len({pid for pid, _ in ranked}) == 10
