"""Step 6: retrieved passages → a short answer whose every sentence cites its passage.

The default answerer needs no LLM. It picks the sentences of the evidence that
answer the question (scored by the question–sentence cosine, precomputed at
index time, plus the share of the question's terms they contain), keeps the
document's order, and puts ``[n]`` after each sentence, ``n`` numbering the
cited passages.

Before any answer is composed, :class:`EvidenceGate` decides — deterministically,
from retrieval scores and what kind of answer the question wants — whether the
evidence can answer at all. When it cannot, the answer says so plainly and
shows the nearest passages as "可能相关", without citation markers. The same
gate runs before an LLM is called (see :mod:`rag.llm`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from rag.keyword import has_cjk, tokenize
from rag.passages import Passage
from rag.retrieval import Hit, Retrieval
from rag.settings import Settings

NOT_FOUND_ZH = "文件中未找到这个问题的答案。"
NOT_FOUND_EN = "The documents do not contain the answer to this question."
RELATED_ZH = "以下段落可能相关："
RELATED_EN = "Possibly related passages (in Chinese):"
LEAD_EN = "According to the documents (quoted in Chinese):"


@dataclass
class Citation:
    """A passage an answer cites, with its marker number and the sentences quoted from it."""

    n: int
    passage: Passage
    sentences: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The ``citations`` entry of the evaluation contract (plus the marker and quoted sentences)."""
        return {
            "n": self.n,
            "doc": self.passage.doc_id,
            "doc_title": self.passage.doc_title,
            "locator": self.passage.locator,
            "text": self.passage.text,
            "quoted": self.sentences,
        }


@dataclass
class Answer:
    """What the answerer says: the text, what it cites, or why it abstained."""

    text: str
    citations: list[Citation]
    abstained: bool
    reason: str = ""  # why the gate abstained
    related: list[Passage] = field(default_factory=list)  # "可能相关" when abstaining
    mode: str = "extractive"
    notices: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- answer types
_ASKS = {
    "fee": re.compile(r"费用|收费|多少钱|价格|花费|费是|手续费|\bfees?\b|\bcost|\bprice|\bcharge", re.I),
    "phone": re.compile(r"电话|联系方式|热线|手机号|邮箱|传真|\bphone|hotline|e-?mail|contact (number|details|info)", re.I),
    "contact": re.compile(r"联系人|对接人|找谁|负责人是谁|contact person|who (should|do) (i|we) contact", re.I),
    "address": re.compile(r"地址|在哪里办公|办公地点|办事大厅|窗口在哪|\baddress|where is the office", re.I),
    "website": re.compile(r"网址|网站|链接|\bwebsite|\burl\b", re.I),
    "date": re.compile(r"什么时候|何时|哪一天|哪天|几月几[日号]|截止日期|\bwhen\b|what date|deadline", re.I),
    "count": re.compile(
        r"多少|几[个项批次对家名人位场届条张国年所]|数量|数目|how many|how much|number of|what percentage|金额",
        re.I,
    ),
    "list": re.compile(r"哪些|有哪|哪几|列举|包括什么|包括哪|都有什么|分别是|\bwhich\b.*\bare\b|what are|\blist\b", re.I),
}
_HAS = {
    "fee": re.compile(r"\d[\d,.]*\s*(元|美元|万元|亿元|块)|收费|免费|费用"),
    "phone": re.compile(r"\d{3,4}-?\d{7,8}|1[3-9]\d{9}|@[\w.-]+\.\w+"),
    "contact": re.compile(r"联系人|联系电话|负责人[:：]"),
    "address": re.compile(r"地址[:：]|[路街道巷]\d+号|\d+号[楼室]"),
    "website": re.compile(r"https?://|www\.|\.gov\.cn|\.com"),
    "date": re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|今年|明年|年底|年内|期间|以前|之前"),
    "count": re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个项批次对家名人位场届条张国所种大]|若干|多家"),
}
_YEAR_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_BOX_REF_RE = re.compile(r"专栏\s*(\d+)")


@lru_cache(maxsize=1)
def _posseg():
    import jieba.posseg

    return jieba.posseg


def asked_types(question: str) -> set[str]:
    """What kinds of answer a question asks for (fee, phone, count, list, …)."""
    found = {kind for kind, rx in _ASKS.items() if rx.search(question)}
    if "list" in found:
        found.discard("count")  # "有哪几个" asks for a list, not a number
    if re.search(r"几[个项]?(方面|措施|举措|重点|任务|名片)", question) or re.search(r"哪几|有几个方面", question):
        found.discard("count")
        found.add("list")
    return found


def named_entities(question: str) -> list[str]:
    """Places, people and organisation names jieba tags in a Chinese question."""
    out = []
    for word, flag in _posseg().lcut(question):
        if flag in ("ns", "nr", "nt", "nrt", "nrfg") and len(word) >= 2:
            out.append(word)
    return out


@dataclass
class GateDecision:
    """The evidence gate's verdict."""

    answerable: bool
    reason: str = ""


class EvidenceGate:
    """Decides, before any answer is written, whether the evidence can answer.

    Dense similarity alone does not separate answerable from unanswerable
    questions (e5 scores bunch at 0.8–0.9), so the gate combines a similarity
    floor with rules about the *kind* of answer wanted: a year, box or name the
    corpus never mentions; a fee, phone number, address or contact the evidence
    does not contain; a count whose evidence holds no number.
    """

    def __init__(self, settings: Settings, corpus_text: str) -> None:
        self.settings = settings
        self._corpus = re.sub(r"\s+", "", corpus_text)
        self._years = set(_YEAR_RE.findall(self._corpus))

    def decide(self, question: str, retrieval: Retrieval, evidence_text: str) -> GateDecision:
        """Return whether ``evidence_text`` (the chosen sentences and their passages) can answer."""
        if not retrieval.hits:
            return GateDecision(False, "nothing retrieved")
        if retrieval.best_dense < self.settings.abstain_threshold:
            return GateDecision(False, f"best similarity {retrieval.best_dense:.2f} below the floor")
        for year in _YEAR_RE.findall(question):
            if year not in self._years:
                return GateDecision(False, f"the documents never mention the year {year}")
        for box in _BOX_REF_RE.findall(question):
            if f"专栏{box}" not in self._corpus:
                return GateDecision(False, f"there is no 专栏{box}")
        if has_cjk(question):
            for name in named_entities(question):
                if name not in self._corpus:
                    return GateDecision(False, f"the documents never mention {name}")
        else:
            from rag.glossary import english_entities

            for english, chinese in english_entities(question):
                if not any(c in self._corpus for c in chinese):
                    return GateDecision(False, f"the documents never mention {english}")
        evidence = re.sub(r"\s+", "", evidence_text)
        for kind in asked_types(question):
            rx = _HAS.get(kind)
            if rx is not None and not rx.search(evidence):
                return GateDecision(False, f"the question asks for a {kind} the evidence does not contain")
        return GateDecision(True)


# ---------------------------------------------------------------- composing
_ITEM_PREFIX_RE = re.compile(r"^\s*(\d{1,2}[\.．、]|——)\s*")


def _coverage(terms: list[str], text: str) -> float:
    if not terms:
        return 0.0
    return sum(1 for t in terms if t in text) / len(terms)


@dataclass
class _Candidate:
    passage_rank: int
    passage: Passage
    position: int
    text: str
    score: float


class ExtractiveAnswerer:
    """Composes cited answers from evidence sentences, with no LLM."""

    def __init__(self, index, settings: Settings, gate: EvidenceGate) -> None:
        self.index = index
        self.settings = settings
        self.gate = gate

    def select(self, question: str, retrieval: Retrieval, k: int) -> list[_Candidate]:
        """Score every sentence of the top-``k`` passages and choose the answering ones."""
        hits = retrieval.hits[:k]
        if not hits:
            return []
        ids = [h.passage.id for h in hits]
        sv = self.index.sentence_vectors(ids)
        if not sv.sentences:
            return []
        cos = sv.vectors @ np.asarray(retrieval.query_vector, dtype=np.float32)
        terms = list(dict.fromkeys(tokenize(question)))
        types = asked_types(question)
        rank_of = {pid: r for r, pid in enumerate(ids)}
        position: dict[str, int] = {}
        cands: list[_Candidate] = []
        for pid, sentence, c in zip(sv.passage_ids, sv.sentences, cos):
            r = rank_of[pid]
            pos = position.get(pid, 0)
            position[pid] = pos + 1
            passage = self.index.passages[pid]
            score = float(c) + 0.15 * _coverage(terms, sentence) - 0.01 * r
            if "count" in types and re.search(r"\d", sentence):
                score += 0.03
            if len(sentence) < 12:  # item titles and fragments say little on their own
                score -= 0.05
            cands.append(_Candidate(r, passage, pos, sentence, score))
        cands.sort(key=lambda c: -c.score)
        best = cands[0].score
        margin = 0.045 if "list" in types else 0.03
        chosen = [c for c in cands if c.score >= best - margin][: self.settings.max_answer_sentences]
        # Keep the passages' rank order, and each passage's own sentence order.
        chosen.sort(key=lambda c: (c.passage_rank, c.position))
        return chosen

    def answer(self, question: str, retrieval: Retrieval, k: int | None = None) -> Answer:
        """Answer from the evidence, or abstain."""
        k = k or self.settings.top_k
        chosen = self.select(question, retrieval, k)
        evidence = " ".join(c.text for c in chosen)
        decision = self.gate.decide(question, retrieval, evidence)
        if not decision.answerable or not chosen:
            return abstention(question, retrieval.hits[:k], decision.reason or "no evidence sentences")
        return compose(question, [(c.passage, c.text) for c in chosen])


def compose(question: str, quoted: list[tuple[Passage, str]]) -> Answer:
    """Write the answer text: each quoted sentence followed by its passage's marker."""
    citations: dict[str, Citation] = {}
    parts = []
    for passage, sentence in quoted:
        cit = citations.get(passage.id)
        if cit is None:
            cit = citations[passage.id] = Citation(len(citations) + 1, passage)
        cit.sentences.append(sentence)
        clean = _ITEM_PREFIX_RE.sub("", sentence).strip()
        parts.append(f"{clean}[{cit.n}]")
    body = "".join(parts) if has_cjk(question) else "\n".join(parts)
    text = body if has_cjk(question) else f"{LEAD_EN}\n{body}"
    return Answer(text, list(citations.values()), abstained=False)


def abstention(question: str, hits: list[Hit], reason: str) -> Answer:
    """The "not in the documents" answer, with the nearest passages as 可能相关."""
    zh = has_cjk(question)
    related = [h.passage for h in hits[:3]]
    text = NOT_FOUND_ZH if zh else NOT_FOUND_EN
    if related:
        text += "\n" + (RELATED_ZH if zh else RELATED_EN)
        for p in related:
            text += f"\n· {p.locator}"
    return Answer(text, [], abstained=True, reason=reason, related=related)
