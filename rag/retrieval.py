"""Step 5: question → ranked passages (hybrid retrieval).

Chinese questions get two rankings — dense (e5 cosine over Chroma) and BM25
over jieba tokens — fused by reciprocal rank fusion, which needs no score
calibration between the two. Questions without Chinese get the dense ranking
alone: BM25 over English words against Chinese text only adds noise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rag.glossary import chinese_terms
from rag.index import Index
from rag.keyword import has_cjk
from rag.passages import Passage
from rag.settings import Settings


@dataclass
class Hit:
    """One retrieved passage with the evidence for its rank."""

    passage: Passage
    score: float  # fused score (RRF), higher is better
    dense: float | None = None  # cosine similarity, when in the dense candidates
    keyword: float | None = None  # BM25 score, when in the keyword candidates

    def to_dict(self) -> dict:
        """The ``retrieved`` entry of the evaluation contract."""
        return {
            "doc": self.passage.doc_id,
            "locator": self.passage.locator,
            "text": self.passage.text,
            "score": round(self.score, 6),
        }


@dataclass
class Retrieval:
    """The result of retrieving for one question."""

    question: str
    query_vector: np.ndarray
    hits: list[Hit]
    lang: str
    timings: dict[str, float] = field(default_factory=dict)  # stage → milliseconds

    @property
    def best_dense(self) -> float:
        """The highest cosine similarity among the hits (0 when none)."""
        return max((h.dense for h in self.hits if h.dense is not None), default=0.0)


def rrf(rankings: list[list[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal rank fusion: Σ 1/(k + rank) over the rankings an id appears in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return scores


class Retriever:
    """Hybrid retrieval over an :class:`~rag.index.Index`."""

    def __init__(self, index: Index, settings: Settings, use_dense: bool = True, use_keyword: bool = True) -> None:
        self.index = index
        self.settings = settings
        self.use_dense = use_dense
        self.use_keyword = use_keyword

    def retrieve(self, question: str, k: int | None = None, doc_ids: list[str] | None = None) -> Retrieval:
        """Rank passages for ``question``; ``doc_ids`` restricts to some documents."""
        k = k or self.settings.top_k
        depth = max(self.settings.candidate_k, k)
        timings: dict[str, float] = {}
        lang = "zh" if has_cjk(question) else "en"

        t = time.perf_counter()
        qvec = self.index.embedder.encode_queries([question])[0]
        timings["embed"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        dense = self.index.vector_search(qvec, depth, doc_ids) if self.use_dense else []
        timings["vector"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        # BM25 over English words against Chinese text is noise; for an English
        # question it searches the Chinese terms the glossary finds in it, if any.
        keyword_query = question if lang == "zh" else " ".join(chinese_terms(question))
        use_kw = self.use_keyword and bool(keyword_query.strip())
        keyword = self.index.keyword_search(keyword_query, depth, doc_ids) if use_kw else []
        timings["keyword"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        rankings = [r for r in ([pid for pid, _ in dense], [pid for pid, _ in keyword]) if r]
        fused = rrf(rankings, self.settings.rrf_k)
        dense_of, kw_of = dict(dense), dict(keyword)
        ordered = sorted(fused, key=lambda pid: (-fused[pid], -dense_of.get(pid, 0.0)))
        hits = [
            Hit(self.index.passages[pid], fused[pid], dense_of.get(pid), kw_of.get(pid))
            for pid in ordered[: max(k, 10)]
            if pid in self.index.passages
        ]
        timings["fusion"] = (time.perf_counter() - t) * 1000
        return Retrieval(question, qvec, hits, lang, timings)
