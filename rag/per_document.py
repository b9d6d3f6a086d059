"""One answer per document, when several documents of the same kind each answer a question.

"2025年经济增长预期目标是多少？" over the national report and several provinces' reports
has as many answers as documents. Quoting the best-ranked sentence would give one
document's figure as the answer for all; instead each document that answers gets its
own line, labelled with the document and cited:

    以下2份文件各有说法（另有2份文件也有相关内容）：
    2025年四川省政府工作报告：
    地区生产总值增长5.5%左右……[1]
    2025年云南省政府工作报告：
    ……[2]

It applies when the question is not scoped to one document, asks for a figure or a
list, and the best-ranked passages come from two or more documents of the same kind
from different issuers or years. Each document's evidence passes the gate on its own;
at most :data:`MAX_DOCUMENTS` are shown.

A "which" question that puts a condition on a figure ("哪些省份把城镇新增就业目标定在
100万人以上？", :class:`rag.figures.Condition`) is searched deeper (:data:`WIDE` passages)
and answered only by the documents whose sentence states a figure meeting it, for the
thing asked about; asked for provinces, the national documents are left out.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answer import LEAD_EN, Answer, Citation, ExtractiveAnswerer, compose
from rag.documents import DocumentRecord, reports_results
from rag.figures import Condition
from rag.gate import _said, subject_words
from rag.places import NATIONAL
from rag.query import ASKS_FIRST_RE, RANKED_FIRST_RE, TARGET_WORDS_RE, Query
from rag.retrieval import Retrieval

MAX_DOCUMENTS = 5
SENTENCES_PER_DOCUMENT = 2
CLOSE_DOCUMENT = 0.12  # a second document answers too when its best passage's fused score is this close to the first's
CLOSE = 0.05  # a second sentence of a document is shown when it scores this close to its best
# How deep in the ranking a document may first appear and still be asked.
DEPTH = 10
# How many passages a question with a condition on a figure is searched for (each document's sentence is checked).
WIDE = 60
# Words of a "which" question that name the documents' issuers as a class, not what a figure measures.
_CLASS_WORDS = frozenset("省份 省区 省市 地方 哪些地方 城市 哪几个 哪个 听说 超过 定在 达到 规模".split())
_ASKS_PROVINCES_RE = re.compile(r"哪些?(?:个)?省|哪几个?省|哪些地方|哪些地区|which (provinces|regions)", re.I)
_TARGET_EN_RE = re.compile(r"\b(?:target|goal|aim|plan)", re.I)
_EACH_RE = re.compile(r"分别|各自|各[省市地]|哪些(省|市|地方|城市|地区|年)|哪几(个|年)|\beach\b|\brespectively\b|which (provinces|regions|years)", re.I)


def wants_several(query: Query) -> bool:
    """True when the question asks for a figure or a list (which several documents may each give), or which
    documents' figure meets a condition ("哪个省份把失业率目标定在5.8%左右？")."""
    return (
        bool(query.answer_types & {"count", "amount", "list"}) or bool(_EACH_RE.search(query.text))
        or query.condition is not None
    )


def _label(record: DocumentRecord | None, title: str) -> str:
    return (record.title if record and record.title else title) or "?"


class PerDocument:
    """Compose the per-document answer (see the module doc)."""

    def __init__(self, extractive: ExtractiveAnswerer, records: dict[str, DocumentRecord], retriever=None) -> None:
        self.extractive = extractive
        self.records = records
        self.retriever = retriever  # searches deeper for a question with a condition on a figure

    def candidates(self, retrieval: Retrieval, k: int, depth: int = DEPTH, close: bool = False) -> list[str]:
        """The documents of the best-ranked passages, in rank order, when they are several of one kind (with
        ``close``, when the second also ranks close to the first: see :data:`CLOSE_DOCUMENT`)."""
        docs = list(dict.fromkeys(h.passage.doc_id for h in retrieval.hits[:depth]))
        top = list(dict.fromkeys(h.passage.doc_id for h in retrieval.hits[:k]))
        if len(top) < 2:
            return []
        first = self.records.get(top[0])
        if first is None or not first.kind:
            return []
        same = [d for d in docs if (r := self.records.get(d)) is not None and r.kind == first.kind]
        distinct = {(self.records[d].region, self.records[d].city, self.records[d].year) for d in same}
        if len(same) < 2 or len(distinct) < 2 or same[1] not in top:
            return []
        # A second document ranked well below the first is not another answer but a neighbour: the question
        # speaks of the first ("…关于完善政府网站的提案，答复说采取了哪些措施" over several replies).
        if close:
            best = {d: max(h.score for h in retrieval.hits[:depth] if h.passage.doc_id == d) for d in same[:2]}
            if best[same[1]] < best[same[0]] - CLOSE_DOCUMENT:
                return []
        return same

    def answer(self, query: Query, retrieval: Retrieval, k: int, doc_ids: list[str] | None) -> Answer | None:
        """The per-document answer, or None when one answer serves (one document, or one that answers)."""
        if (doc_ids and len(doc_ids) == 1) or query.articles or not wants_several(query):
            return None
        question = query.text
        if query.condition is not None and self.retriever is not None:
            met = self._meeting(query, self.retriever.retrieve(question, k=WIDE, doc_ids=doc_ids), k)
            if met:
                return compose_per_document(
                    question, met[:MAX_DOCUMENTS], len(met) - MAX_DOCUMENTS, self.records, query.condition
                )
        # Asked of each ("分别是多少", "各省"), every document answers, however far down it ranks.
        docs = self.candidates(retrieval, k, close=not _EACH_RE.search(question))
        if not docs:
            return None
        numeric = bool(query.answer_types & {"count", "amount"}) or bool(re.search(r"多少|几|how (many|much)", question, re.I))
        first = bool(ASKS_FIRST_RE.search(question))
        answered: list[tuple[str, list]] = []
        for doc in docs:
            hits = [h for h in retrieval.hits if h.passage.doc_id == doc]
            sub = replace(retrieval, hits=hits)
            chosen = self.extractive.select(question, sub, k)
            if not chosen:
                continue
            # The document's best sentence, and the next best only when nearly as good; in document order.
            best = sorted(chosen, key=lambda c: -c.score)
            keep = {id(c) for c in best[:SENTENCES_PER_DOCUMENT] if c.score >= best[0].score - CLOSE}
            chosen = [c for c in chosen if id(c) in keep]
            if numeric and not any(re.search(r"\d|[一二两三四五六七八九十百千万]+[万亿]?[个项家人元%]", c.text) for c in chosen):
                continue  # a figure is asked; this document's best sentences state none
            if first and not any(RANKED_FIRST_RE.search(c.text) for c in chosen):
                continue  # who ranks first is asked; this document's sentences rank nothing first
            if not self.extractive.decide(question, sub, chosen, query).answerable:
                continue
            answered.append((doc, chosen))
        if first and len(answered) == 1:  # one document ranks anything first: it alone is quoted, with its name
            return compose_per_document(question, answered, 0, self.records)
        if len(answered) < 2:
            return None
        # A year's figure asked with no word of a target (a question asking both has no one stage either).
        dated = bool(query.years) and not TARGET_WORDS_RE.search(question) and not _TARGET_EN_RE.search(question)
        answered = _same_stage(query.stage, answered, self.records, dated)
        if len(answered) == 1:  # one document answers at the stage asked: it alone is quoted
            return compose(question, [(c.passage, c.text) for c in answered[0][1]])
        shown, more = answered[:MAX_DOCUMENTS], len(answered) - MAX_DOCUMENTS
        return compose_per_document(question, shown, more, self.records)


    def _meeting(self, query: Query, retrieval: Retrieval, k: int) -> list[tuple[str, list]]:
        """The documents whose best sentence meeting the question's condition passes the gate, with it."""
        condition = query.condition
        clause = query.text.replace(condition.text, " ")
        subject = tuple(w for w in subject_words(clause) if w not in _CLASS_WORDS)
        provinces = bool(_ASKS_PROVINCES_RE.search(query.text))

        def names(clause: str) -> bool:
            """The clause names what the figure measures: half of the subject's words at least (a compound by its parts)."""
            return 2 * sum(_said(w, clause) for w in subject) >= len(subject)

        out = []
        for doc in self.candidates(retrieval, k, depth=WIDE):
            record = self.records.get(doc)
            if provinces and record is not None and record.region in ("", NATIONAL):
                continue
            hits = [h for h in retrieval.hits if h.passage.doc_id == doc]
            sub = replace(retrieval, hits=hits)
            sentences = self.extractive.sentences(query.text, sub, k)
            meeting = [c for c in sentences if condition.met_in(c.text, names)]
            if not meeting:
                continue
            chosen = meeting[:1]
            if self.extractive.decide(query.text, sub, chosen, query).answerable:
                out.append((doc, chosen))
        return out


def _same_stage(stage: str, answered: list[tuple[str, list]], records: dict, dated: bool = False) -> list[tuple[str, list]]:
    """Keep the documents whose evidence is of the stage asked (:attr:`Query.stage`): a result question
    ("2023年实际完成了多少") keeps only the reviews when some document reviews it, a target question the plans when
    some plans it. A report of 2023 states the 2023 target; the report of 2024 reviews the 2023 result. A year's
    figure asked at no stage (``dated``: "2021年全国粮食产量是多少？") is what it came to: when one document reports
    it and another only sets it as a target, the report answers."""
    def review(chosen: list) -> bool:  # the evidence reports what happened
        return any(reports_results(c.passage.headings, records.get(c.passage.doc_id)) for c in chosen)

    reviews = [a for a in answered if review(a[1])]
    plans = [a for a in answered if not review(a[1]) and any(TARGET_WORDS_RE.search(c.text) for c in a[1])]
    if not stage:
        return reviews if dated and reviews and plans and len(reviews) + len(plans) == len(answered) else answered
    if stage == "result" and reviews:
        # A report's plan states no result: "2022年实际增长了多少" is answered by the 2023 report's review,
        # not by the 2022 report's outlook.
        return reviews
    if stage == "target" and plans:
        return [a for a in answered if a not in reviews]
    return answered


def compose_per_document(
    question: str, answered: list[tuple[str, list]], more: int, records: dict, condition: Condition | None = None
) -> Answer:
    """Each document's label as a lead-in line, then its sentences with their markers. With ``condition``,
    the lead says the documents are those whose figure meets it."""
    zh = bool(re.search(r"[\u4e00-\u9fff]", question))
    citations: dict[str, Citation] = {}
    n = len(answered)
    if zh:
        said = f"的数字符合条件（{condition.describe('zh')}）" if condition else "各有说法"
        lines = [f"以下{n}份文件{said}" + (f"（另有{more}份文件也符合）" if condition and more > 0 else f"（另有{more}份文件也有相关内容）" if more > 0 else "") + "："]
    else:
        said = f"state a figure meeting the condition ({condition.describe('en')})" if condition else "each say"
        lines = [f"{LEAD_EN[:-1]}, {n} document{'s' if n > 1 else ''} {said}" + (f" ({more} more also do)" if more > 0 else "") + ":"]
    if n == 1 and condition is None:
        lines = []  # one document: its name, then its sentences
    for doc, chosen in answered:
        title = chosen[0].passage.doc_title
        lines.append(f"{_label(records.get(doc), title)}：")
        parts = []
        for c in chosen:
            cit = citations.get(c.passage.id) or citations.setdefault(c.passage.id, Citation(len(citations) + 1, c.passage))
            cit.sentences.append(c.text)
            parts.append(f"{c.text.strip()}[{cit.n}]")
        lines.append(("" if zh else "\n").join(parts))
    return Answer("\n".join(lines), list(citations.values()), abstained=False)
