"""The service layer: one :class:`Assistant` that the CLI, the app and the evaluation share.

``Assistant.stream`` runs the whole path for one question — validate the
question, rewrite a follow-up with the conversation's context, retrieve,
decide whether the evidence can answer, compose the cited answer (extractive,
or through an LLM when one is configured) — and yields it as :class:`Step` s:
what is searched, the answer's text as it is written, then the :class:`Result`,
whose ``to_dict`` is exactly one line of the evaluation contract's
``results.jsonl``. ``Assistant.ask`` is that stream run to its end; the app,
the HTTP API and the CLI all ask through these two.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

from rag.about import AboutDocuments
from rag.articles import Articles
from rag.facts import RESULT, TARGET, extract_all
from rag.romanised import register as register_names
from rag.targets import Targets, question_terms
from rag.per_document import PerDocument
from rag.answer import Answer, EvidenceGate, ExtractiveAnswerer, abstention, not_held, quoted_in_order, with_lead
from rag.glossary import REGIONS_ZH
from rag.places import longest_first
from rag.store import Index
from rag.keyword import is_chinese
from rag.documents import select_documents, superseded
from rag.query import _ACHIEVED_RE, ASKS_DONE_RE, Query, analyse, other_stage, under_review
from rag.retrieval import Hit, Retrieval, Retriever
from rag.scope import Scope, scope_for
from rag.memory import release_free_memory
from rag.settings import Settings, get_settings

log = logging.getLogger("rag.pipeline")

MAX_QUESTION_CHARS = 2000
BROAD_DEPTH = 12  # passages searched for a broad question (its answer lists up to 8)


class QuestionError(ValueError):
    """A question that cannot be asked (empty, nothing but punctuation…); the message is for the user."""


# Scripts of languages the assistant does not read: (range, Chinese name, English name).
_OTHER_SCRIPTS = (
    ("\u3040-\u30ff", "日语", "Japanese"),
    ("\uac00-\ud7af\u1100-\u11ff", "韩语", "Korean"),
    ("\u0400-\u04ff", "俄语等西里尔字母语言", "a language written in Cyrillic"),
    ("\u0600-\u06ff", "阿拉伯语等", "Arabic or a language in its script"),
    ("\u0e00-\u0e7f", "泰语", "Thai"),
    ("\u0900-\u097f", "印地语等", "Hindi or a language in its script"),
    ("\u0370-\u03ff", "希腊语", "Greek"),
    ("\u0590-\u05ff", "希伯来语", "Hebrew"),
)


# Function words of languages in Latin script, for telling them from English (never place names or topics).
_LATIN_FUNCTION_WORDS = (
    ("法语", "French", frozenset("le la les des du est une dans pour avec combien quel quelle quels sont qui au aux".split())),
    ("西班牙语", "Spanish", frozenset("el los las del es una para con cuántos cuántas cuál qué son por como tiene tienen hay".split())),
    ("德语", "German", frozenset("der die das und ist nicht mit wie viele welche sind von für ein eine".split())),
    ("葡萄牙语", "Portuguese", frozenset("os as não uma com quantos quantas qual são pelo pela para".split())),
)
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and is are was were what which how many much does do did in on for to with by an from".split()
)


def other_language(text: str) -> tuple[str, str] | None:
    """(Chinese name, English name) of the language a question is in when it is neither Chinese nor English.

    Told by script: kana make a question Japanese even among kanji; letters of another script must be
    at least a third of the question's letters (a Russian name in a Chinese question is fine).
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    for chars, zh, en in _OTHER_SCRIPTS:
        n = len(re.findall(f"[{chars}]", text))
        if n and (zh == "日语" and n >= 2 or n * 3 >= len(letters)):
            return zh, en
    if not re.search(r"[\u3400-\u9fff]", text):
        words = set(re.findall(r"[^\W\d_]+", text.lower()))
        if not words & _ENGLISH_FUNCTION_WORDS:
            for zh, en, function_words in _LATIN_FUNCTION_WORDS:
                if len(words & function_words) >= 2:
                    return zh, en
    return None


# "22年" before what a year of reports speaks of (its report, GDP, targets, results), not a count of years ("近10年",
# "干了20年"). Years 2010–2029.
_SHORT_YEAR_RE = re.compile(
    r"(?<![\d.．近前后去多这那几每余第个了])([12]\d)年(?=的?(?:国务院|全国|国家|全省|全市|省|市)?(?:政府工作)?报告|GDP|gdp|经济|全年|"
    r"全国|国内|城镇|居民|粮食|目标|预期|实际|定的|财政|赤字|物价|进出口|外贸|春节|国庆|元旦|放假)"
    # …or opening the question or a clause ("18年说要再减少多少"), unless it counts years ("15年来", "20年以上").
    r"|(?:^|(?<=[，,。？?！!；;：:\s]))([12]\d)年(?![来内间以多前后里]|左右|时间|期间|之)"
)


def clean_question(question: str | None) -> tuple[str, list[str]]:
    """Normalise a user's question; returns it and notices about what was changed.

    Control characters, NULs and lone surrogates are dropped; a very long question is cut to
    ``MAX_QUESTION_CHARS`` with a notice rather than refused.
    """
    notices: list[str] = []
    text = "" if question is None else str(question)
    # Control and format characters, and lone surrogates (not text; they cannot be written as UTF-8).
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("请输入问题。 / Please type a question.")
    if not re.search(r"[\w\u3400-\u9fff]", text):
        raise QuestionError("问题里没有可检索的文字。 / The question has no words to search for.")
    other = other_language(text)
    if other:
        raise QuestionError(
            f"目前只能用中文或英文提问（这个问题像是{other[0]}）。 / Questions can be asked in Chinese or English only "
            f"(this one looks like {other[1]})."
        )
    # A year written with two digits, as people type it ("22年GDP增长目标", "16年报告里"): the documents write 2022.
    text = _SHORT_YEAR_RE.sub(lambda m: f"20{m.group(1) or m.group(2)}年", text)
    # Colloquial question words, as the documents' readers would say them: "有啥实惠" is "有什么实惠", "咋办" "怎么办".
    text = text.replace("啥", "什么").replace("咋", "怎么")
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
    # What is known of each cited document: title, issuer, date, kind, 文号, and whether a later one follows.
    documents: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """One line of ``results.jsonl`` (the evaluation contract), plus diagnostic fields."""
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer.text,
            "abstained": self.answer.abstained,
            "citations": [
                {**c.to_dict(), "document": self.documents.get(c.passage.doc_id, {})} for c in self.answer.citations
            ],
            "retrieved": [h.to_dict() for h in self.retrieved],
            "latency_ms": round(self.latency_ms, 2),
            "mode": self.answer.mode,
            "notices": self.notices + self.answer.notices,
            "abstain_reason": self.answer.reason,
            "related": [
                {"doc": p.doc_id, "locator": p.locator, "text": p.text, **({"ocr": p.ocr_mark} if p.ocr_mark else {})}
                for p in self.answer.related
            ],
            "searched": self.searched or self.question,
            "lang": self.lang,
            "timings_ms": {k: round(v, 2) for k, v in self.timings.items()},
        }


@dataclass
class Step:
    """One step of answering (see :meth:`Assistant.stream`).

    ``searching``: ``searched`` is the question as rewritten for search (None when unchanged).
    ``delta``: ``text`` is the next piece of the answer; ``draft`` is True for an LLM's text as it
    arrives, which the ``done`` step's answer replaces (markers renumbered, unsupported sentences
    dropped, or the extractive answer instead). ``done``: ``result`` is the :class:`Result`.
    """

    kind: str
    searched: str | None = None
    text: str = ""
    draft: bool = False
    result: Result | None = None


class Assistant:
    """Answers questions about the indexed documents, with citations."""

    def __init__(self, settings: Settings | None = None, index: Index | None = None, embedder=None) -> None:
        self.settings = settings or get_settings()
        self.index = index or Index(self.settings, embedder=embedder)
        if self.index.manifest is None:
            self.index.load()
        self._build()

    def _build(self) -> None:
        from rag.keyword import tokenize

        tokenize("预热")  # load jieba's dictionary now, not on the first user's question
        texts = [p.embedding_text() for p in self.index.passages.values()]
        documents: dict[str, list[str]] = {}
        for p in self.index.passages.values():
            documents.setdefault(p.doc_id, []).append(p.embedding_text())
        self.gate = EvidenceGate(self.settings, "\n".join(texts), texts, {d: "\n".join(t) for d, t in documents.items()})
        # English questions' pinyin names are read against the documents' own words (rag.romanised).
        register_names(self.index.keyword.vocabulary() if self.index.keyword is not None else [])
        self.retriever = Retriever(self.index, self.settings)
        self.records = self.index.records()
        self.superseded = superseded(self.records)
        if self.index.passages:
            # Chroma opens a collection's vector index on its first query (about 2 s at
            # 600k sentence rows): do it now, not on a user's question. Any word of the documents will do.
            first = next(iter(self.index.passages.values()))
            self.retriever.retrieve(first.doc_title or first.text[:20], k=1)
        self.extractive = ExtractiveAnswerer(self.index, self.settings, self.gate, self.records, self.retriever.formulas)
        self.extractive.states_figure = lambda query, pid, sentence: bool(self.targets.lead(query, pid, sentence))
        self.home_places = _home_places(self.records)
        self.about = AboutDocuments(self.index.passages)
        self.articles = Articles(self.index.passages, self.about.titles)
        self.per_document = PerDocument(self.extractive, self.records, self.retriever)
        self.llm = None
        if self.settings.llm_enabled:
            from rag.llm import LLMAnswerer

            self.llm = LLMAnswerer(self.settings, self.extractive)
        release_free_memory()

    @cached_property
    def targets(self) -> Targets:
        """The targets and results of the indexed documents, matched (:mod:`rag.targets`); worked out on
        first use from the index's passages."""
        return Targets(extract_all(self.index.passages, self.records), self.index.passages, self.records)

    def refresh(self) -> None:
        """Pick up a newly published index generation (another process ingested)."""
        if self.index.refresh():
            self.__dict__.pop("targets", None)
            self._build()

    @property
    def mode(self) -> str:
        """``llm`` when an LLM endpoint is configured, else ``extractive``."""
        return "llm" if self.llm is not None else "extractive"

    def answer(self, question: str, retrieval: Retrieval, k: int, **context) -> Answer:
        """The answer to ``question`` from ``retrieval``'s evidence (or an abstention), an LLM asked in one
        request; ``context`` is ``doc_ids``, ``scope`` and ``query`` as :meth:`answer_steps` takes them."""
        return next(p for kind, p in self.answer_steps(question, retrieval, k, live=False, **context) if kind == "final")

    def answer_steps(
        self,
        question: str,
        retrieval: Retrieval,
        k: int,
        doc_ids: list[str] | None = None,
        scope: Scope | None = None,
        query: Query | None = None,
        live: bool = True,
    ) -> Iterator[tuple[str, object]]:
        """:meth:`answer` step by step: ``("draft", text)`` pieces while an LLM writes (only when ``live``:
        otherwise the model is asked in one request), then ``("final", Answer)``.

        ``query`` is the question analysed (:func:`rag.query.analyse`; worked out here when not given),
        ``scope`` what :func:`rag.scope.scope_for` made of it (None: the question was not scoped).

        The answers the records give (a document not held, its articles, outline or publication
        facts) come first in either mode, without the model; then the LLM's answer, or one line per
        document for several documents of one kind, or the extractive answer.
        """
        query = query or analyse(question)
        answer = self.from_records(question, retrieval, doc_ids, scope, query)
        if answer is not None:
            yield ("final", answer)
            return
        if self.llm is not None and live:
            for kind, payload in self.llm.stream(question, retrieval, k):
                if kind == "final":
                    answer = payload
                else:
                    yield ("draft", payload)
        elif self.llm is not None:
            answer = self.llm.answer(question, retrieval, k)
        else:
            # Several documents of one kind, each with its own figure: one line per document.
            answer = self.per_document.answer(query, retrieval, k, doc_ids) or self._led(
                query, self.extractive.answer(question, retrieval, k, query)
            )
            if not answer.abstained and query.asks_verdict and self._figureless_verdict(query, answer):
                # "2024年全国新能源汽车产量的目标完成了没有": the documents state that indicator in figures
                # elsewhere, yet neither a target nor a result of it is found here; a sentence without a figure
                # cannot say whether a target was met.
                answer = abstention(question, retrieval.hits[:k], "targets.no_figure: neither a target nor a result "
                                    "of the indicator asked is found for the year and documents asked")
            if not answer.abstained and ASKS_DONE_RE.search(query.text) and all(
                self._planned(s, c.passage) for c in answer.citations for s in c.sentences
            ):
                # "这个做到了吗" answered only by what the plan sets: say that no outcome is reported.
                answer.text += ("\n以上为文件中的目标或部署；文件中未找到其实际完成情况。" if query.lang == "zh" else
                                "\nThese are the documents' targets or plans; how they turned out is not found in the documents.")
            if answer.abstained and answer.reason.startswith("gate.target_not_result"):
                # A result asked, the sentences found set targets: the result the documents report of that year,
                # often in the next year's report ("2022年全国城镇新增就业实际是多少": the 2023 report's review)…
                terms = question_terms(query)
                reported = self.targets.answer(query, terms, doc_ids, only=RESULT)
                # …or none: the answer is still "not found", and it says so beside the target the documents set
                # ("目标120对[1]；文件中未找到2025年的实际数字").
                half = None if reported is not None else self.targets.answer(query, terms, doc_ids, only=TARGET)
                if reported is not None:
                    answer = reported
                elif half is not None:
                    half.abstained, half.reason, half.related = True, answer.reason, answer.related
                    answer = half
        yield ("final", self.articles.label_answer(query, answer))

    def _led(self, query: Query, answer: Answer) -> Answer:
        """A figure asked ("…目标定了多少", "去年…达到多少", "What is Sichuan's 2025 target for …"): the answer
        opens with the clause that states it, what kind of figure it is and its year ("全社会研发投入强度达3.35%左右
        （2025年目标）[1]"), taken from the first sentence quoted from the first passage with a clause that names
        what is asked with a figure of the asked measure (:meth:`Targets.lead`)."""
        if answer.abstained or not answer.citations or query.asks_verdict or not query.asks_figure:
            return answer
        # The first sentence that states it, of the passage quoted first.
        quoted = quoted_in_order(answer)
        for citation, sentence in (q for q in quoted if q[0] is quoted[0][0]):
            facts = self.targets.lead(query, citation.passage.id, sentence)
            if len(facts) == 1:
                line, whole = self.targets.lead_line(query, facts[0], citation.n, sentence)
                return with_lead(answer, line, citation, sentence, whole)
            if facts:
                break  # several figures answer alike ("分别增长5.5%左右、6%左右…"): the sentence itself is the answer
        return answer

    def _figureless_verdict(self, query: Query, answer) -> bool:
        """A verdict asked of an indicator the documents state in figures (a target or result of it is held for
        some place or year), answered by sentences that give no figure."""
        terms = question_terms(query)
        if not terms or any(re.search(r"\d", s) for c in answer.citations for s in c.sentences):
            return False
        return bool(self.targets.match(terms, RESULT, []) or self.targets.match(terms, TARGET, []))

    def _planned(self, sentence: str, passage) -> bool:
        """The sentence sets a target or plans a step (a plan's text outside its look back, or a target's words
        outside any review), rather than reporting what was done."""
        if other_stage("result", sentence, passage.headings):
            return True
        record = self.records.get(passage.doc_id)
        return bool(record and record.period) and not under_review(passage.headings) and not _ACHIEVED_RE.search(sentence)

    def from_records(
        self, question: str, retrieval: Retrieval, doc_ids: list[str] | None, scope: Scope | None, query: Query
    ) -> Answer | None:
        """The answer the index's own records give, in either mode, or None: "not held" when the question
        names documents the deployment lacks; a document's articles, outline or publication facts."""
        if scope is not None and scope.missing:
            return not_held(question, retrieval.hits[: self.settings.top_k], scope)  # reason: scope.not_held.*
        named = retrieval.names_document
        return (
            (self.targets.answer(query, question_terms(query), doc_ids or None) if query.asks_verdict else None)
            or self.articles.answer(query, retrieval, doc_ids or None, named)
            or self.articles.item_answer(query, retrieval, doc_ids or None)
            or self.about.answer(question, retrieval, doc_ids or None, named)
        )

    def scoped_retrieval(self, searched: str, k: int, doc_ids: list[str] | None = None):
        """The question analysed, scoped to the documents it names, and the passages retrieved from those:
        (query, scope, retrieval). What :meth:`ask` and the app's streaming path both start from."""
        query = analyse(searched)
        scope = scope_for(query, self.records, doc_ids or None)
        # A broad question ("有什么支持") is answered from every passage that answers it: search deeper.
        depth = max(k, BROAD_DEPTH) if query.broad else k
        retrieval = self.retriever.retrieve(searched, k=depth, doc_ids=scope.doc_ids or None)
        retrieval.scoped_by = list(scope.rules)
        return query, scope, retrieval

    def select(self, kinds=None, issuers=None, years=None, doc_ids=None) -> list[str]:
        """The indexed documents matching a filter by kind, issuer (or region) and year (see
        :func:`rag.documents.select_documents`); what ``ask(doc_ids=…)`` takes."""
        return select_documents(self.records, kinds, issuers, years, doc_ids)

    def document_facts(self, doc_ids) -> dict[str, dict]:
        """What a citation shows of its document: "title · issuer · date", kind, 文号, and "非最新" when a later
        document of the same series (kind, issuer, region) is indexed."""
        out = {}
        for d in sorted(doc_ids):
            r = self.records.get(d)
            if r is None:
                continue
            out[d] = {
                "title": r.title, "issuer": r.issuer, "date": r.date, "kind": r.kind, "doc_number": r.doc_number,
                "label": r.citation_label(), "superseded": d in self.superseded,
            }
        return out

    def rewrite(self, question: str, history: list[str] | None) -> str:
        """The question to search for, given the user's earlier questions in this conversation."""
        if not history:
            return question
        if self.llm is not None:
            return self.llm.condense(question, history) or rewrite_follow_up(question, history, self.home_places)
        return rewrite_follow_up(question, history, self.home_places)

    def ask(self, question: str, **options) -> Result:
        """Answer one question (see the module doc). Raises :class:`QuestionError` for unusable input.

        The same path as :meth:`stream` (``options``: ``history``, ``doc_ids``, ``k``, ``qid``), run to its
        end; an LLM is asked in one plain request."""
        *_, done = self.stream(question, **options, live=False)
        return done.result

    def stream(
        self,
        question: str,
        history: list[str] | None = None,
        doc_ids: list[str] | None = None,
        k: int | None = None,
        qid: str | None = None,
        live: bool = True,
    ) -> Iterator[Step]:
        """Answer one question step by step: ``searching``, ``delta`` s, then ``done`` (see :class:`Step`).

        An LLM's text arrives as draft deltas token by token (when ``live``), and ``done`` carries the
        checked answer that replaces them; any other answer (extractive, from the records, or the
        extractive one an LLM's fell back to before it wrote) comes as one delta of the whole text.
        Raises :class:`QuestionError` for unusable input before the first step.
        """
        started = time.perf_counter()
        text, notices = clean_question(question)
        searched = self.rewrite(text, history)
        yield Step("searching", searched=searched if searched != text else None)
        k = k or self.settings.top_k
        query, scope, retrieval = self.scoped_retrieval(searched, k, doc_ids)
        t = time.perf_counter()
        answer, drafted = None, False
        for kind, payload in self.answer_steps(searched, retrieval, k, scope.doc_ids or None, scope, query, live):
            if kind == "draft":
                drafted = True
                yield Step("delta", text=payload, draft=True)
            else:
                answer = payload
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
            lang="zh" if is_chinese(text) else "en",
            notices=notices,
            documents=self.document_facts({c.passage.doc_id for c in answer.citations}),
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
        if not drafted:
            yield Step("delta", text=answer.text)
        yield Step("done", searched=result.searched, text=answer.text, result=result)

    def search(self, query: str, k: int, doc_ids: list[str] | None = None) -> list[Hit]:
        """The ``k`` passages retrieved for ``query`` (scoped to the documents it names, within ``doc_ids``),
        best first; what a retriever-only caller (the Dify API) gets. Raises :class:`QuestionError`."""
        text, _ = clean_question(query)
        return self.scoped_retrieval(text, k, doc_ids)[2].hits[:k]


def _home_places(records: dict) -> frozenset[str]:
    """The places the indexed documents speak for (their regions and cities, short and full names)."""
    from rag.places import china

    regions = {r.region for r in records.values() if r.region} | {r.city for r in records.values() if r.city}
    return frozenset(regions | {p.full_name for p in china() if p.name in regions})


# ---------------------------------------------------------------- follow-ups
_ANAPHORA_RE = re.compile(
    r"^(那|那么|还有|另外|其中|它|它们|这个|那个|这些|那些|第[一二三四五六七八九十\d]+个|上面|前面|后者|前者)|"
    r"(呢[？?]?$)|^(and|what about|how about|what of|and the|the (first|second|third|last) one)\b",
    re.I,
)
_LEAD_RE = re.compile(r"^(那么|那|还有|另外|其中|and then|and|what about|how about|what of)[\s,，]*", re.I)
_TAIL_RE = re.compile(r"(的情况|方面|的)?\s*呢?\s*[？?。.!！]*$")

# Words for the place the documents speak for: never the subject a follow-up replaces. The
# documents' own regions (their issuers') are added per deployment (see Assistant.home_places).
_HOME_ZH = frozenset({"我省", "全省", "本省", "本市", "全市", "我市", "省", "市", "国内", "中国", "我国", "全国"})
_REGIONS_EN = (
    "southeast asia", "south asia", "central asia", "west asia", "northeast asia", "east asia", "asia", "africa",
    "europe", "central and eastern europe", "eastern europe", "western europe", "northern europe", "middle east",
    "latin america", "north america", "south america", "caribbean", "oceania", "asean", "european union",
    "hong kong", "macau", "macao", "the belt and road",
)
_CONNECTORS = {"、", "和", "与", "及", "以及", "或", "或者", ",", "，", "/"}


def _posseg():
    from rag.wordcut import posseg

    return posseg()


_PLACES: dict[str, object] = {}


def _place_words_zh() -> set[str]:
    if "zh" not in _PLACES:
        from rag.glossary import COUNTRIES

        words = set(REGIONS_ZH)
        for names in COUNTRIES.values():
            words.update(n for n in names if not n.startswith(("中", "对")) and n not in ("葡语",))
        _PLACES["zh"] = words
    return _PLACES["zh"]  # type: ignore[return-value]


def _place_words_en() -> list[str]:
    if "en" not in _PLACES:
        from rag.glossary import COUNTRIES

        _PLACES["en"] = sorted(set(_REGIONS_EN) | set(COUNTRIES), key=longest_first)
    return _PLACES["en"]  # type: ignore[return-value]


def _is_place_zh(word: str, flag: str, places: set[str], home: frozenset[str] = frozenset()) -> bool:
    if word in _HOME_ZH or word in home:
        return False
    return word in places or (flag == "ns" and word not in {"友城", "友好城市"})


def _substitute_zh(previous: str, core: str, home: frozenset[str] = frozenset()) -> str | None:
    """``previous`` with its (first) foreign place replaced by ``core``, when ``core`` is a place."""
    places = _place_words_zh()
    core_tokens = [(w, f) for w, f in _posseg().lcut(core) if w.strip()]
    if not core_tokens or len(core) > 12:
        return None
    core_is_place = core in places or all(
        _is_place_zh(w, f, places, home) or f in ("j", "nz", "nt") or w in _CONNECTORS for w, f in core_tokens
    )
    if not core_is_place:
        return None
    # A follow-up swaps a place of its own kind: "那日本呢？" after "湖南与德国…" swaps 德国, not 湖南.
    from rag.places import find_places

    core_levels = {p.level for p in find_places(core)}
    if core_levels and not core_levels & {"province", "city"}:
        home = home | {name for name, _ in _posseg().lcut(previous) if any(
            p.level in ("province", "city", "national") for p in find_places(name))}
    tokens = _posseg().lcut(previous)
    spans: list[tuple[int, int]] = []  # character spans of runs of places ("日本、韩国")
    pos = 0
    run: tuple[int, int] | None = None
    pending = 0  # a connector seen after a place, not yet confirmed by another place
    for word, flag in tokens:
        end = pos + len(word)
        if _is_place_zh(word, flag, places, home):
            run = (run[0], end) if run is not None else (pos, end)
            pending = 0
        elif run is not None and word in _CONNECTORS and not pending:
            pending = 1
        else:
            if run is not None:
                spans.append(run)
            run, pending = None, 0
        pos = end
    if run is not None:
        spans.append(run)
    if not spans:
        return None
    a, b = spans[0]
    return previous[:a] + core + previous[b:]


def _substitute_en(previous: str, core: str) -> str | None:
    words = _place_words_en()
    key = re.sub(r"^the\s+", "", core.strip().lower())
    if key not in words:
        return None
    for word in words:
        m = re.search(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])", previous, flags=re.I)
        if m:
            return previous[: m.start()] + core.strip() + previous[m.end() :]
    return None


def _rewrite_one(question: str, previous: str, home: frozenset[str] = frozenset()) -> str:
    question = question.strip()
    if not previous:
        return question
    zh = is_chinese(question)
    short = len(question) <= (12 if zh else 30)
    if not (_ANAPHORA_RE.search(question) or short):
        return question
    core = _TAIL_RE.sub("", _LEAD_RE.sub("", question)).strip()
    if not core:
        return previous
    swapped = _substitute_zh(previous, core, home) if zh else _substitute_en(previous, core)
    if swapped and swapped != previous:
        return swapped
    return f"{previous} {core}"


def rewrite_follow_up(question: str, history: list[str], home: frozenset[str] = frozenset()) -> str:
    """Rewrite a short or anaphoric follow-up with the conversation's subject, no LLM.

    ``history`` holds the user's earlier questions, oldest first, as typed; each
    is first resolved against the ones before it, so a chain of follow-ups
    keeps its subject. When the follow-up names a place and the previous
    question has one, the place is swapped: "那非洲呢？" after
    "我们想去东南亚开拓市场，有什么支持？" becomes "我们想去非洲开拓市场，有什么支持？"
    (and "What about Africa?" swaps the English place name). Otherwise the
    follow-up's words are appended to the previous question ("第二个呢？" →
    "<previous question> 第二个"). A question that stands on its own is returned
    unchanged. ``home`` names the places the documents speak for (their issuers' regions),
    which a follow-up never replaces.
    """
    if not history:
        return question
    previous = ""
    for earlier in history:
        if earlier and earlier.strip():
            previous = _rewrite_one(earlier, previous, home) if previous else earlier.strip()
    if not previous:
        return question
    return _rewrite_one(question, previous, home)
