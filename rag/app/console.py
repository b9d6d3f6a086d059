"""The retrieval test (检索测试): why a passage was or was not found, for maintainers.

For one question it reports what answering works from, without writing
feedback or changing anything: the question as analysed (:class:`rag.query.Query`:
its parts, terms and the conditions recognised), the passages retrieved with
their BM25, vector and fused ranks and scores, the evidence sentences the
extractive answerer chose, each evidence-gate rule's verdict with its reason
code (:meth:`rag.gate.EvidenceGate.verdicts`), and the outcome of the real
answering path (answered, or not found and why).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.keyword import tokenize
from rag.pipeline import Assistant, clean_question


@dataclass
class RankedPassage:
    """One retrieved passage and the evidence for its rank."""

    rank: int  # fused rank, 1 = best
    fused: float  # the fused (RRF) score
    bm25_rank: int | None  # rank in the question's BM25 ranking (None: not among its candidates)
    bm25: float | None
    vector_rank: int | None  # rank in the question's vector ranking (None: not among its candidates)
    vector: float | None  # cosine similarity
    doc: str
    title: str
    locator: str
    text: str


@dataclass
class ConsoleReport:
    """Everything the retrieval test shows for one question."""

    question: str
    searched: str
    parts: list[str]
    terms: list[str]
    topic_terms: list[str]
    conditions: list[tuple[str, str]]  # (field of the Query, value) for each field the question filled
    scope: list[str]  # the documents the question was scoped to (empty: all)
    passages: list[RankedPassage]
    evidence: list[str]  # the sentences the extractive answerer chose
    verdicts: list = field(default_factory=list)  # rag.gate.RuleVerdict, in the order the gate runs them
    answered: bool = False
    mode: str = ""
    abstain_reason: str = ""
    answer: str = ""


_QUERY_FIELDS = (
    "years", "relative_years", "places", "national", "doc_numbers", "titles", "kinds", "dated_kinds", "articles",
    "items", "latest", "answer_types", "condition", "listed", "quoted", "asks_publication", "stage",
)


def _shown(value) -> str:
    if hasattr(value, "name") and hasattr(value, "level"):  # a Place
        return f"{value.name}（{value.level}）"
    if hasattr(value, "text") and hasattr(value, "op"):  # a figures Condition
        return value.text
    if isinstance(value, (tuple, list, set, frozenset)):
        return "、".join(_shown(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
    return str(value)


def query_conditions(query) -> list[tuple[str, str]]:
    """The fields of a :class:`rag.query.Query` the question filled, as (name, value) for display."""
    out = []
    for name in _QUERY_FIELDS:
        value = getattr(query, name, None)
        if value in (None, False, "", 0) or (hasattr(value, "__len__") and not isinstance(value, str) and not len(value)):
            continue
        out.append((name, _shown(value)))
    return out


def retrieval_test(assistant: Assistant, question: str, k: int | None = None, doc_ids: list[str] | None = None) -> ConsoleReport:
    """Run the retrieval test for ``question`` (see the module doc). Raises :class:`rag.pipeline.QuestionError`
    for an unusable question (empty, too long…), with the same message the chat gives."""
    text, _ = clean_question(question)
    k = k or assistant.settings.top_k
    query, scope, retrieval = assistant.scoped_retrieval(text, k, doc_ids or None)
    titles = {d: r.title for d, r in assistant.records.items()}
    passages = [
        RankedPassage(
            rank=i,
            fused=h.score,
            bm25_rank=retrieval.keyword_ranks.get(h.passage.id),
            bm25=h.keyword,
            vector_rank=retrieval.vector_ranks.get(h.passage.id),
            vector=h.dense,
            doc=h.passage.doc_id,
            title=titles.get(h.passage.doc_id, h.passage.doc_id),
            locator=h.passage.locator,
            text=h.passage.text,
        )
        for i, h in enumerate(retrieval.hits, 1)
    ]
    extractive = assistant.extractive
    chosen = extractive.select(text, retrieval, k)
    verdicts = extractive.gate_verdicts(text, retrieval, chosen, query)
    result = assistant.ask(text, doc_ids=doc_ids or None, k=k)
    return ConsoleReport(
        question=text,
        searched=retrieval.question,
        parts=[p for p, _ in retrieval.parts],
        terms=list(dict.fromkeys(tokenize(text))),
        topic_terms=assistant.gate.topic_terms(text),
        conditions=query_conditions(query),
        scope=list(scope.doc_ids or []),
        passages=passages,
        evidence=[c.text for c in chosen],
        verdicts=verdicts,
        answered=not result.answer.abstained,
        mode=result.answer.mode,
        abstain_reason=result.answer.reason or "",
        answer=result.answer.text,
    )
