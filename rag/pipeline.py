"""The service layer: one :class:`Assistant` that the CLI, the app and the evaluation share.

``Assistant.ask`` runs the whole path for one question — validate the
question, rewrite a follow-up with the conversation's context, retrieve,
decide whether the evidence can answer, compose the cited answer (extractive,
or through an LLM when one is configured) — and returns a :class:`Result` whose
``to_dict`` is exactly one line of the evaluation contract's ``results.jsonl``.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field

from rag.answer import Answer, EvidenceGate, ExtractiveAnswerer
from rag.index import Index
from rag.keyword import has_cjk
from rag.retrieval import Hit, Retrieval, Retriever
from rag.settings import Settings, get_settings

log = logging.getLogger("rag.pipeline")

MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """A question that cannot be asked (empty, nothing but punctuation…); the message is for the user."""


def clean_question(question: str | None) -> tuple[str, list[str]]:
    """Normalise a user's question; returns it and notices about what was changed.

    Control characters and NULs are dropped; a very long question is cut to
    ``MAX_QUESTION_CHARS`` with a notice rather than refused.
    """
    notices: list[str] = []
    text = "" if question is None else str(question)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("请输入问题。 / Please type a question.")
    if not re.search(r"[\w\u3400-\u9fff]", text):
        raise QuestionError("问题里没有可检索的文字。 / The question has no words to search for.")
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS]
        notices.append(f"问题过长，只使用了前 {MAX_QUESTION_CHARS} 个字符。 / The question was cut to {MAX_QUESTION_CHARS} characters.")
    return text, notices


@dataclass
class Result:
    """Everything about one answered question."""

    id: str | None
    question: str
    answer: Answer
    retrieved: list[Hit]
    latency_ms: float
    timings: dict[str, float] = field(default_factory=dict)
    searched: str | None = None  # the question as rewritten for search, when it differs
    lang: str = "zh"
    notices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """One line of ``results.jsonl`` (the evaluation contract), plus diagnostic fields."""
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer.text,
            "abstained": self.answer.abstained,
            "citations": [c.to_dict() for c in self.answer.citations],
            "retrieved": [h.to_dict() for h in self.retrieved],
            "latency_ms": round(self.latency_ms, 2),
            "mode": self.answer.mode,
            "notices": self.notices + self.answer.notices,
            "abstain_reason": self.answer.reason,
            "related": [
                {"doc": p.doc_id, "locator": p.locator, "text": p.text} for p in self.answer.related
            ],
            "searched": self.searched or self.question,
            "lang": self.lang,
            "timings_ms": {k: round(v, 2) for k, v in self.timings.items()},
        }


class Assistant:
    """Answers questions about the indexed documents, with citations."""

    def __init__(self, settings: Settings | None = None, index: Index | None = None, embedder=None) -> None:
        self.settings = settings or get_settings()
        self.index = index or Index(self.settings, embedder=embedder)
        if self.index.manifest is None:
            self.index.load()
        self._build()

    def _build(self) -> None:
        corpus_text = "\n".join(p.text for p in self.index.passages.values())
        self.gate = EvidenceGate(self.settings, corpus_text)
        self.retriever = Retriever(self.index, self.settings)
        self.extractive = ExtractiveAnswerer(self.index, self.settings, self.gate)
        self.llm = None
        if self.settings.llm_enabled:
            from rag.llm import LLMAnswerer

            self.llm = LLMAnswerer(self.settings, self.extractive)

    def refresh(self) -> None:
        """Pick up a newly published index generation (another process ingested)."""
        if self.index.refresh():
            self._build()

    @property
    def mode(self) -> str:
        """``llm`` when an LLM endpoint is configured, else ``extractive``."""
        return "llm" if self.llm is not None else "extractive"

    def rewrite(self, question: str, history: list[str] | None) -> str:
        """The question to search for, given the user's earlier questions in this conversation."""
        if not history:
            return question
        if self.llm is not None:
            return self.llm.condense(question, history) or rewrite_follow_up(question, history)
        return rewrite_follow_up(question, history)

    def ask(
        self,
        question: str,
        history: list[str] | None = None,
        doc_ids: list[str] | None = None,
        k: int | None = None,
        qid: str | None = None,
    ) -> Result:
        """Answer one question (see the module doc). Raises :class:`QuestionError` for unusable input."""
        started = time.perf_counter()
        text, notices = clean_question(question)
        searched = self.rewrite(text, history)
        k = k or self.settings.top_k
        retrieval = self.retriever.retrieve(searched, k=k, doc_ids=doc_ids or None)
        t = time.perf_counter()
        if self.llm is not None:
            answer = self.llm.answer(searched, retrieval, k)
        else:
            answer = self.extractive.answer(searched, retrieval, k)
        timings = dict(retrieval.timings)
        timings["answer"] = (time.perf_counter() - t) * 1000
        latency = (time.perf_counter() - started) * 1000
        result = Result(
            id=qid,
            question=text,
            answer=answer,
            retrieved=retrieval.hits[:k],
            latency_ms=latency,
            timings=timings,
            searched=searched if searched != text else None,
            lang="zh" if has_cjk(text) else "en",
            notices=notices,
        )
        log.info(
            "question answered",
            extra={
                "event": "ask",
                "latency_ms": round(latency, 1),
                "timings_ms": {k_: round(v, 1) for k_, v in timings.items()},
                "mode": answer.mode,
                "abstained": answer.abstained,
                "question": text,
            },
        )
        return result


# ---------------------------------------------------------------- follow-ups
_ANAPHORA_RE = re.compile(
    r"^(那|那么|还有|另外|其中|它|它们|这个|那个|这些|那些|第[一二三四五六七八九十\d]+个|上面|前面|后者|前者)|"
    r"(呢[？?]?$)|^(and|what about|how about|what of|and the|the (first|second|third|last) one)\b",
    re.I,
)


def rewrite_follow_up(question: str, history: list[str]) -> str:
    """Rewrite a short or anaphoric follow-up with the previous question's subject, no LLM.

    "那非洲呢？" after "我们想去东南亚开拓市场，有什么支持？" becomes
    "我们想去东南亚开拓市场，有什么支持？ 非洲". A question that stands on its own
    is returned unchanged.
    """
    if not history:
        return question
    previous = history[-1].strip()
    short = len(question) <= (12 if has_cjk(question) else 30)
    if not (_ANAPHORA_RE.search(question) or short):
        return question
    core = re.sub(r"^(那么|那|还有|另外|其中|and|what about|how about)\s*", "", question, flags=re.I)
    core = re.sub(r"呢?[？?。.!！]*$", "", core).strip()
    if not core:
        return previous
    return f"{previous} {core}"
