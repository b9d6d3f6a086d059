"""Step 5: question → ranked passages (hybrid retrieval).

Chinese questions get two rankings — dense (e5 cosine over Chroma) and BM25
over jieba tokens — fused by reciprocal rank fusion, which needs no score
calibration between the two. Questions without Chinese get the dense ranking
alone: BM25 over English words against Chinese text only adds noise.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from rag.boilerplate import empty_passage, formula_sentences
from rag.glossary import chinese_terms, counted_lists, english_entities, formal_terms, indicator_terms
from rag.store import Index
from rag.keyword import FILLER_WORDS, has_cjk, is_chinese, longest_common_substring, tokenize
from rag.passages import METADATA_HEADING, Passage
from rag.documents import passage_time
from rag.places import longest_first
from rag.query import AFTER_NAME, analyse, under_review
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
    # Sub-questions of a multi-part question ("…多少对？又接待了几批次…？") and their vectors.
    parts: list[tuple[str, np.ndarray]] = field(default_factory=list)
    # The boxes/chapters/sections the question names, by number or by title (see Retriever.named_structures),
    # and those each part names.
    refs: list[str] = field(default_factory=list)
    part_refs: list[list[str]] = field(default_factory=list)
    # Where each candidate stood in the whole question's own BM25 and vector rankings (1 = first), for the
    # app's retrieval test; a hit absent from a ranking was not among its candidates.
    keyword_ranks: dict[str, int] = field(default_factory=dict)
    vector_ranks: dict[str, int] = field(default_factory=dict)
    # The scoping rules that chose the documents searched (:attr:`rag.scope.Scope.rules`: "scope.title", …).
    scoped_by: list[str] = field(default_factory=list)

    @property
    def names_document(self) -> bool:
        """The question named the documents searched, by their 文号 or their title (quoted or not)."""
        return bool({"scope.doc_number", "scope.title"} & set(self.scoped_by))

    @property
    def best_dense(self) -> float:
        """The highest cosine similarity among the hits (0 when none)."""
        return max((h.dense for h in self.hits if h.dense is not None), default=0.0)


_QUESTION_WORD_RE = re.compile(
    r"吗|呢|什么|哪|多少|几|怎么|怎样|如何|谁|是否|有没有|能否|\?|？|\b(what|which|how|who|when|where|why|does|do|is|are)\b",
    re.I,
)


_EN_STOP = frozenset("what which how who when where why does do did is are was were the a an of in to for and or by with on at as it its this that there their many much".split())


def _content_words(text: str) -> list[str]:
    if has_cjk(text):
        return [t for t in tokenize(text) if t not in FILLER_WORDS]
    return [w for w in re.findall(r"[a-z0-9'-]+", text.lower()) if w not in _EN_STOP]


# "A和B各/分别…", "既有A又有B": one clause asking about two things at once.
_EACH_RE = re.compile(r"各|分别|两[个项份者]|二者|既")
_CONJUNCTIONS = frozenset("和 与 及 以及 跟 同".split())
# Words that end a conjunct: particles, localisers, quantifiers and the "each" words themselves.
_CONJUNCT_STOP = frozenset("的 里 在 上 中 内 对 把 将 为 以 是 有 各 各有 各自 分别 两个 两项 两份 二者 要 都 ， , 、 “ ” 《 》 年".split())
_BOTH_RE = re.compile(r"既(?:有|是|要)?(.{1,10}?)又(?:有|是|要)?(.{1,10}?)(?=[，,。？?；]|$)")


# "2024年的地区生产总值增速和2025年的目标分别是多少": two years, each with what is asked of it.
_DATED_PAIR_RE = re.compile(
    r"((?:19|20)\d\d年的?)([^和与及跟，,、？?]{1,24}?)(?:和|与|及|以及|跟)((?:19|20)\d\d年的?)([^，,？?]{1,24}?)(?=各|分别|又|都|是|为|[？?]|$)"
)
# What the second year's conjunct asks when it names only the stage: the first's subject, at that stage.
_STAGE_ONLY_RE = re.compile(r"(?:预期|增长|增速)?(?:目标|计划|任务|实际|结果|完成情况|情况)")


def coordinated_parts(clause: str) -> list[str]:
    """"杂交水稻和中医药两个专项行动各有什么量化目标" → one question per conjunct.

    A clause that asks the same thing of two subjects ("各", "分别", "既…又…")
    is answered in two places; each part keeps the clause's frame with one of
    the subjects, so each can find its own passage. Two years, each with its own
    conjunct ("2024年的地区生产总值增速和2025年的目标分别是多少") give a part a
    year; a conjunct naming only the stage ("目标") is of the first's subject.
    Returns [] otherwise.
    """
    if not _EACH_RE.search(clause):
        return []
    dated = _DATED_PAIR_RE.search(clause)
    if dated:
        head, tail = clause[: dated.start()], re.sub(r"^(?:各自?|分别|又|都)", "", clause[dated.end():])
        first, second = dated.group(2), dated.group(4)
        if _STAGE_ONLY_RE.fullmatch(second):
            second = first + second
        return [f"{head}{dated.group(1)}{first}{tail}", f"{head}{dated.group(3)}{second}{tail}"]
    both = _BOTH_RE.search(clause)
    if both:
        head, tail = clause[: both.start()], clause[both.end():]
        return [f"{head}{both.group(1)}{tail}", f"{head}{both.group(2)}{tail}"]
    import jieba

    tokens = jieba.lcut(clause)
    for i, tok in enumerate(tokens):
        if tok not in _CONJUNCTIONS or i == 0 or i + 1 >= len(tokens):
            continue
        lo = i
        while lo > 0 and i - lo < 2 and tokens[lo - 1] not in _CONJUNCT_STOP:
            lo -= 1
        hi = i + 1
        while hi < len(tokens) and hi - i <= 2 and tokens[hi] not in _CONJUNCT_STOP:
            hi += 1
        if lo == i or hi == i + 1:
            continue
        head, tail = "".join(tokens[:lo]), "".join(tokens[hi:])
        left, right = "".join(tokens[lo:i]), "".join(tokens[i + 1 : hi])
        return [f"{head}{left}{tail}", f"{head}{right}{tail}"]
    return []


# A clause framing the question rather than stating a topic of its own: "从十三五的实践里",
# "对外文化交流", "港澳工作方面", "截至2025年底", "总体上看".
_FRAME_RE = re.compile(
    r"^(?:从|在|对|对于|关于|就|按照|根据|围绕|针对|结合|通过|截至|截止|到)|(?:里|中|方面|上看|来看|期间|时候?|那阵子)$"
    r"|^(?:from|in|on|for|regarding|according to|as for)\b",
    re.I,
)


def _stands_alone(clause: str, context: list[str]) -> bool:
    """Whether the one asking clause of a question can be searched for without the rest.

    "规划要推动湘港澳高层交往，2025年省长去香港和谁座谈了？" asks something the
    first clause does not; in "从十三五的实践里，规划总结出要把握哪几条？" the
    first clause frames the question, and the asking clause alone drifts to
    another passage (the 基本原则 that also say 把握).
    """
    return not any(_FRAME_RE.search(c) for c in context)


# A clause asking only where the rest of the question is laid down: "是哪一条规定的", "依据哪个文件", "出自哪里",
# "which article says so".
_ASKS_SOURCE_RE = re.compile(
    r"^(?:这|这个|这一?条?)?(?:是|在|由|按|根据|依据)?(?:哪|那)(?:一|个|份|部)?(?:条|款|项|章|节|文件|法规|规定|条例)(?:规定|写|说|明确|提)?的?(?:吗|呢)?$"
    r"|^(?:依据|根据|出处)(?:是什么|是哪)|^出自哪|^\s*(?:which|what) (?:article|provision|section|document) (?:says|sets|lays)",
    re.I,
)


def sub_questions(question: str) -> list[str]:
    """The parts of a multi-part question, each asking something itself.

    "十三五期间友城总数到了多少对？又接待了几批次外国元首来湘？" has two parts;
    "规划要推动湘港澳高层交往，2025年省长去香港和谁座谈了？" has one asking
    clause besides the whole; "杂交水稻和中医药两个专项行动各有什么量化目标？"
    asks one thing of two subjects (see :func:`coordinated_parts`). Returns []
    for a single question.
    """
    # A Chinese question's comma may be typed half-width ("2024年全省GDP增长了多少,2025年增长目标定的多少?").
    clauses = [
        c.strip()
        for c in re.split(
            # "… how large is the zone and until what date does the term run": "and" opening another asking clause.
            r"[？?；;！!]|，|,(?=\s*(?:and|what|which|how|who|when|where)\b)|(?<=[\u4e00-\u9fff\d]),(?=[\u4e00-\u9fff\d])"
            r"|\s+and\s+(?=(?:how|what|which|who|when|where|until (?:what|when|which))\b)",
            question,
        )
        if c.strip()
    ]

    def asks(clause: str) -> bool:
        # A part must carry a topic of its own ("有什么支持" alone does not); "是哪一条规定的" asks where the rest
        # is said, which the answer's citation shows.
        return bool(_QUESTION_WORD_RE.search(clause)) and len(_content_words(clause)) >= 2 and not _ASKS_SOURCE_RE.search(clause)

    asking = [c for c in clauses if asks(c)]
    if len(clauses) < 2 or not asking or (len(asking) == 1 and asking[0] == question.strip("？?")):
        asking = []
    elif len(asking) == 1 and not _stands_alone(asking[0], [c for c in clauses if c != asking[0]]):
        asking = []
    elif len(asking) > 1:
        # A frame belongs to the part it opens: "…？到2025年，回顾说…聚焦在哪方面？" asks about 2025.
        merged: list[str] = []
        for prev, clause in zip([""] + clauses, clauses):
            if asks(clause) and prev and not asks(prev) and _FRAME_RE.search(prev):
                clause = prev + clause if is_chinese(question) else f"{prev}, {clause}"
            merged.append(clause)
        asking = [c for c in merged if asks(c)]
    if is_chinese(question):
        expanded: list[str] = []
        for clause in asking or [question]:
            expanded.extend(coordinated_parts(clause) or ([clause] if asking else []))
        asking = expanded
    return asking[:3]


# A question about a document itself rather than what it says.
_ABOUT_DOCUMENT_RE = re.compile(
    r"这篇|本文|这份|该文|此文|这一?期|本期|哪家媒体|哪个媒体|来源|出处|发布|发文|挂网|索引号|编辑是|作者|标题|题目|什么时候发|哪天发"
    r"|\b(published|publication date|source of (the|this) (article|document)|title of)\b",
    re.I,
)
_CN_DIGITS = "零一二三四五六七八九"
_BOX_REF_RE = re.compile(r"专栏\s*(\d+)(?:\s*[—-]\s*(\d+))?")
_PART_REF_RE = re.compile(r"第\s*([一二三四五六七八九十\d]+)\s*([章节])")


def _cn_number(n: int) -> str:
    """3 → 三, 12 → 十二 (chapters and sections are numbered in Chinese)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (_CN_DIGITS[tens] if tens > 1 else "") + "十" + (_CN_DIGITS[ones] if ones else "")


def structure_refs(question: str) -> list[str]:
    """Boxes, chapters and sections a question names: "专栏1和第三章" → ["专栏1", "第三章"].

    Users cite the plan by its structure; the locator of every passage knows
    it, so such a reference is matched exactly rather than by similarity
    ("专栏1" and "专栏6" embed almost alike).
    """
    refs = []
    for m in _BOX_REF_RE.finditer(question):
        refs.append(f"专栏{m.group(1)}" + (f"—{m.group(2)}" if m.group(2) else ""))
    for m in _PART_REF_RE.finditer(question):
        num = m.group(1)
        refs.append(f"第{_cn_number(int(num)) if num.isdigit() else num}{m.group(2)}")
    return refs


# The label a heading starts with: "专栏8—1 …" (group 1: "专栏8"), "第三章 …", "第六节 …".
_HEADING_LABEL_RE = re.compile(r"(专栏\d+)(?:—\d+)?(?!\d)|第[一二三四五六七八九十]+[章节]")


def heading_matches(headings: tuple[str, ...], ref: str) -> bool:
    """True when a heading path contains the box/chapter/section ``ref`` ("专栏8" matches 专栏8—1)."""
    for h in headings:
        h = h.replace(" ", "")
        # "专栏1" must not match 专栏10.
        if h.startswith(ref) and not h[len(ref) : len(ref) + 1].isdigit():
            return True
    return False


def english_keyword_query(question: str) -> str:
    """The Chinese terms BM25 searches for an English question; the countries it names count twice.

    A country is the most specific thing an English question names ("Lao
    localities … sister-city layout"); topic words like 友城 occur in dozens of
    passages and would otherwise outvote it.
    """
    countries = [c for _, names in english_entities(question) for c in names]
    return " ".join(chinese_terms(question) + counted_lists(question) + countries)


def dense_query(question: str) -> str:
    """An English question with the Chinese terms it names appended ("dairy" → 奶制品).

    e5-small matches English questions to Chinese passages loosely; averaged with
    the question's own vector, this one puts the passages' own words into the query.
    Measured: mean of both +2 English questions on the bundled set, none lost; the
    expanded vector alone +2 and −2.
    """
    if is_chinese(question):
        return question
    terms = chinese_terms(question) + counted_lists(question)
    return f"{question} ({' '.join(terms)})" if terms else question


def rrf(rankings: list[list[str]] | list[tuple[list[str], float]], k: int = 60) -> dict[str, float]:
    """Weighted reciprocal rank fusion: Σ w/(k + rank) over the rankings an id appears in.

    ``rankings`` holds plain rankings (weight 1) or (ranking, weight) pairs.
    """
    scores: dict[str, float] = {}
    for entry in rankings:
        ranking, weight = entry if isinstance(entry, tuple) else (entry, 1.0)
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return scores


class Retriever:
    """Hybrid retrieval over an :class:`~rag.store.Index`."""

    OTHER_STAGE_WEIGHT = 0.8  # a target asked: the fused score of a passage under a review heading
    OTHER_YEAR_WEIGHT = 0.8  # one year asked: the fused score of a dated passage that speaks of another year
    EMPTY_WEIGHT = 0.5  # a passage that says nothing but who issued a document and when (rag.boilerplate)
    PLACE_WEIGHT = 2.0  # a place asked of another's document: the fused score of its passages that name the place

    def __init__(self, index: Index, settings: Settings, use_dense: bool = True, use_keyword: bool = True) -> None:
        self.index = index
        self.settings = settings
        self.use_dense = use_dense
        self.use_keyword = use_keyword
        self.use_sentences = True  # the best-sentence ranking (part of the dense half)

    @cached_property
    def formulas(self) -> frozenset[str]:
        """The opening and closing formulas the indexed documents repeat (:func:`rag.boilerplate.formula_sentences`)."""
        return formula_sentences(self.index.passages.values())

    @cached_property
    def _empty(self) -> frozenset[str]:
        """The passages that say nothing but a document's publication (:func:`rag.boilerplate.empty_passage`)."""
        return frozenset(pid for pid, p in self.index.passages.items() if empty_passage(p, self.formulas))

    @cached_property
    def _records(self) -> dict:
        """Each indexed document's record, by id."""
        return self.index.records()

    def _of_other_year(self, p: Passage, year: str) -> bool:
        """``p`` is of a dated document (a report; not a plan spanning years, not an undated regulation) and
        speaks of another year than ``year``: neither its headings, its words nor its time (a 2024 report's
        review is of 2023, its plan of 2024; :func:`rag.documents.passage_time`) name it."""
        r = self._records.get(p.doc_id)
        if r is None or not r.year or r.period:
            return False
        return f"{year}年" not in " ".join(p.headings) + passage_time(p.headings, p.text, r) + p.text

    @cached_property
    def _regions(self) -> dict[str, str]:
        """Each document's province-level region (:attr:`rag.documents.DocumentRecord.region`)."""
        return {doc_id: record.region for doc_id, record in self.index.records().items()}

    def _within(self, query: str, doc_ids: list[str] | None) -> str:
        """The keyword query searched within ``doc_ids``: less the province they are all of ("在辽宁开公司…辽宁省
        政府…" within 辽宁's report). The scope already says it; as a search word it is rare in the index and
        would rank the passages that name the province (a byline, a slogan) above those that answer."""
        if not doc_ids:
            return query
        regions = {self._regions.get(d, "") for d in doc_ids}
        if len(regions) != 1:
            return query
        (region,) = regions
        for place in analyse(query).places:
            if place.level == "province" and place.name == region:
                for name in sorted({place.full_name, place.name} - {""}, key=longest_first):
                    query = query.replace(name, " ")
        return query

    def _place_passages_first(self, query, fused: dict[str, float]) -> None:
        """A province or city asked of a document neither of it nor on it ("第五次大督查表扬的典型经验里，浙江有哪几项"):
        within the document ranked first, the passages that name the place weigh :data:`PLACE_WEIGHT` times more
        (a national notice's items "45.浙江省…" against its opening, which names every province or none)."""
        asked = [p for p in query.places if p.level in ("province", "city")]
        if not asked or not fused:
            return
        top = self.index.passages.get(max(fused, key=fused.get))
        if top is None or self._regions.get(top.doc_id, "") in {p.region for p in asked}:
            return
        names = {n for p in asked for n in (p.name, p.full_name) if n}
        if any(n in top.doc_title for n in names):
            return  # a document on the place ("国务院关于河北雄安新区总体规划的批复"): all of it is about it
        for pid in fused:
            p = self.index.passages.get(pid)
            if p is not None and p.doc_id == top.doc_id and any(n in p.text for n in names):
                fused[pid] *= self.PLACE_WEIGHT

    @cached_property
    def _structure_map(self) -> dict[str, list[Passage]]:
        """Passages under each box/chapter/section label ("专栏8—1", "专栏8", "第三章"), built once."""
        out: dict[str, list[Passage]] = {}
        for p in self.index.passages.values():
            for h in p.headings:
                h = h.replace(" ", "")
                m = _HEADING_LABEL_RE.match(h)
                if m:
                    for label in {m.group(0), m.group(1) or m.group(0), h}:
                        out.setdefault(label, []).append(p)
        return out

    # A question names a heading by title when it spells most of the title: "县域开放发展试点是怎么选县的？"
    # names 专栏9 县域开放发展试点行动. Shorter common runs are shared words ("国际合作").
    TITLE_MIN_CHARS = 5
    TITLE_MIN_SHARE = 0.6

    @cached_property
    def _titles(self) -> tuple[dict[str, str], dict[str, set[str]]]:
        """Box/chapter/section headings by title, and the titles holding each 5-character run; built once."""
        by_title: dict[str, str] = {}
        for heading in self._structure_map:
            m = _HEADING_LABEL_RE.match(heading)
            title = heading[m.end():] if m else ""
            if len(title) >= self.TITLE_MIN_CHARS:
                by_title[title] = heading
        n = self.TITLE_MIN_CHARS
        runs: dict[str, set[str]] = {}
        for title in by_title:
            for i in range(len(title) - n + 1):
                runs.setdefault(title[i : i + n], set()).add(title)
        return by_title, runs

    def named_structures(self, question: str) -> list[str]:
        """The boxes, chapters and sections a question names, by number ("专栏9") or by title.

        A title counts when the question spells at least 60% of it; of several, the
        best-spelled wins ("科技创新国际合作专项行动" names 专栏2, not 专栏1
        先进制造业国际合作专项行动, which shares "国际合作专项行动").
        """
        refs = structure_refs(question)
        by_title, runs = self._titles
        text = re.sub(r"\s+", "", question)
        n = self.TITLE_MIN_CHARS
        near = {t for i in range(len(text) - n + 1) for t in runs.get(text[i : i + n], ())}
        share = {t: longest_common_substring(t, text) / len(t) for t in near}
        best = max(share.values(), default=0.0)
        if best >= self.TITLE_MIN_SHARE:
            refs += [by_title[t] for t in sorted(near) if share[t] == best and by_title[t] not in refs]
        return refs

    @cached_property
    def _document_openings(self) -> list[Passage]:
        """Each document's metadata passage and first passage, built once."""
        first: dict[str, Passage] = {}
        meta = []
        for p in self.index.passages.values():
            if METADATA_HEADING in p.headings:
                meta.append(p)
            elif p.doc_id not in first or p.order < first[p.doc_id].order:
                first[p.doc_id] = p
        return meta + list(first.values())

    @staticmethod
    def _in_order(passages, rankings, doc_ids) -> list[str]:
        """Ids of ``passages`` (in ``doc_ids`` if given), best-ranked by ``rankings`` first."""
        order = {pid: i for ranking in rankings for i, (pid, _) in enumerate(ranking)}
        allowed = set(doc_ids) if doc_ids else None
        kept = {p.id: p for p in passages if allowed is None or p.doc_id in allowed}
        return sorted(kept, key=lambda pid: (order.get(pid, len(order)), kept[pid].doc_id, kept[pid].order))

    def _structure_ranking(self, refs: list[str], *rankings, doc_ids=None) -> list[str]:
        """Passages under the boxes/chapters/sections ``refs``, best-ranked first."""
        if not refs:
            return []
        found = [p for r in refs for p in self._structure_map.get(r, [])]
        return self._in_order(found, rankings, doc_ids)

    QUOTED_MAX = 30  # a quoted name said in more passages than this (or this share of them) is a common
    QUOTED_SHARE = 0.03  # term, not a lead

    def _quoted_ranking(self, query: str, *rankings, doc_ids=None) -> list[str]:
        """The passages that say every Chinese name ``query`` quotes (“六保”), in ``rankings``' order then the
        documents'; empty when there is none or when the names are common (more than :attr:`QUOTED_MAX` passages)."""
        names = [re.sub(r"[\W_]+", "", n) for n in analyse(query).quoted if has_cjk(n)]
        names = [n for n in names if len(n) >= 2]
        if not names:
            return []
        heads = [n[:2] for n in names]  # a cheap first look; the bare text decides ("黑神话：悟空")
        # Counted over all documents: a name every report of a series says ("十四五") leads nowhere in one of them.
        found = [
            p for p in self.index.passages.values()
            if all(h in p.text for h in heads) and all(n in re.sub(r"[\W_]+", "", p.embedding_text()) for n in names)
        ]
        if len(found) > min(self.QUOTED_MAX, max(2, int(self.QUOTED_SHARE * len(self.index.passages)))):
            return []
        return self._in_order(found, rankings, doc_ids)

    def _document_ranking(self, query: str, *rankings, doc_ids=None) -> list[str]:
        """For a question about a document itself (its source, date, title): each document's opening.

        The title, date, source and index number live in a document's metadata
        passage and its first passage, which no question about content resembles.
        """
        if not _ABOUT_DOCUMENT_RE.search(query):
            return []
        ranked = self._in_order(self._document_openings, rankings, doc_ids)
        # "这篇回顾是哪家媒体发的？" names its document by a word of its title (回顾): only the openings of
        # the documents named count. Among thousands of documents, rank in the other lists alone puts
        # first the opening of whichever document the question's other words resemble.
        named = self._documents_named(query)
        if named:
            ranked = [pid for pid in ranked if self.index.passages[pid].doc_id in named]
        return ranked

    def _documents_named(self, query: str) -> set[str]:
        """The documents whose title holds the most of the question's words (none if it holds none)."""
        words = {w for w in tokenize(query) if len(w) >= 2}
        if not words:
            return set()
        hits = {doc: sum(w in title for w in words) for doc, title in self._document_titles.items()}
        best = max(hits.values(), default=0)
        return {doc for doc, n in hits.items() if n == best} if best else set()

    @cached_property
    def _document_titles(self) -> dict[str, str]:
        """doc id → title, once."""
        return {p.doc_id: p.doc_title for p in self._document_openings}

    def retrieve(self, question: str, k: int | None = None, doc_ids: list[str] | None = None) -> Retrieval:
        """Rank passages for ``question``; ``doc_ids`` restricts to some documents."""
        k = k or self.settings.top_k
        depth = max(self.settings.candidate_k, k)
        timings: dict[str, float] = {}
        lang = "zh" if is_chinese(question) else "en"

        parts = sub_questions(question)
        queries = [question, *parts]
        refs = [self.named_structures(q) for q in queries]
        t = time.perf_counter()
        # An English question's vector is the mean of its own and its glossary-expanded text's (one batch).
        expanded = [i for i, q in enumerate(queries) if dense_query(q) != q]
        encoded = self.index.embedder.embed_queries(queries + [dense_query(queries[i]) for i in expanded])
        vectors = [np.asarray(v, dtype=np.float32) for v in encoded[: len(queries)]]
        for i, v in zip(expanded, encoded[len(queries) :]):
            mixed = vectors[i] + np.asarray(v, dtype=np.float32)
            vectors[i] = mixed / (np.linalg.norm(mixed) or 1.0)
        timings["embed"] = (time.perf_counter() - t) * 1000

        # Each part of a multi-part question adds its own rankings at a lower weight,
        # so a part can bring in the passage that answers it (e.g. the other document).
        rankings: list[tuple[list[str], float]] = []
        dense_of: dict[str, float] = {}
        kw_of: dict[str, float] = {}
        timings["vector"] = timings["keyword"] = 0.0
        for i, (query, vec) in enumerate(zip(queries, vectors)):
            t = time.perf_counter()
            dense = self.index.vector_search(vec, depth, doc_ids) if self.use_dense else []
            sentence = self.index.sentence_search(vec, depth, doc_ids) if self.use_dense and self.use_sentences else []
            timings["vector"] += (time.perf_counter() - t) * 1000

            t = time.perf_counter()
            # BM25 over English words against Chinese text is noise; for an English
            # question it searches the Chinese terms the glossary finds in it, if any.
            keyword_query = (
                f"{self._within(query, doc_ids)} {' '.join(formal_terms(query) + indicator_terms(query))}"
                if is_chinese(query)
                else english_keyword_query(query)
            )
            use_kw = self.use_keyword and bool(keyword_query.strip())
            keyword = self.index.keyword_search(keyword_query, depth, doc_ids) if use_kw else []
            timings["keyword"] += (time.perf_counter() - t) * 1000
            weight = 1.0 if i == 0 else self.settings.part_weight
            for ranking, w in (
                ([pid for pid, _ in dense], 1.0),
                ([pid for pid, _ in sentence], 1.0),
                ([pid for pid, _ in keyword], self.settings.keyword_weight),
                (self._structure_ranking(refs[i], keyword, dense, doc_ids=doc_ids), self.settings.keyword_weight),
                (self._document_ranking(query, keyword, dense, doc_ids=doc_ids), self.settings.keyword_weight),
                (self._quoted_ranking(query, keyword, dense, doc_ids=doc_ids), self.settings.keyword_weight),
            ):
                if ranking and weight * w > 0:
                    rankings.append((ranking, weight * w))
            if i == 0:
                dense_of, kw_of = dict(dense), dict(keyword)
                keyword_ranks = {pid: r for r, (pid, _) in enumerate(keyword, 1)}
                vector_ranks = {pid: r for r, (pid, _) in enumerate(dense, 1)}
            else:
                for pid, score in dense:
                    dense_of.setdefault(pid, score)

        t = time.perf_counter()
        fused = rrf(rankings, self.settings.rrf_k)
        query = analyse(question)
        # One year asked ("2023年经济实际增长了多少"), not a report's ("2025年政府工作报告…") nor a 文号's: the passages
        # that speak of it come before those of a document's other years (the 2023 report's review is of 2022).
        years = query.asked_years
        for pid in fused:
            # A byline or a notice's addressees answer only who issued a document and when.
            if pid in self._empty and not query.asks_publication:
                fused[pid] *= self.EMPTY_WEIGHT
            p = self.index.passages.get(pid)
            if p is None:
                continue
            # A target asked ("今年打算…", "目标是多少"): a report's review of last year is not where it stands.
            if query.stage == "target" and under_review(p.headings):
                fused[pid] *= self.OTHER_STAGE_WEIGHT
            if len(years) == 1 and self._of_other_year(p, years[0]):
                fused[pid] *= self.OTHER_YEAR_WEIGHT
        self._place_passages_first(query, fused)
        ordered = sorted(fused, key=lambda pid: (-fused[pid], -dense_of.get(pid, 0.0)))
        # A passage ranked by BM25 alone has no similarity yet; the gate needs one for every
        # hit (in a large index the dense top 30 can miss every passage that answers).
        unscored = [pid for pid in ordered[: max(k, 10)] if pid not in dense_of and pid in self.index.passages]
        if unscored:
            for pid, vec in self.index.passage_vectors(unscored).items():
                dense_of[pid] = float(vec @ np.asarray(vectors[0], dtype=np.float32))
        hits = [
            Hit(self.index.passages[pid], fused[pid], dense_of.get(pid), kw_of.get(pid))
            for pid in ordered[: max(k, 10)]
            if pid in self.index.passages
        ]
        timings["fusion"] = (time.perf_counter() - t) * 1000
        return Retrieval(
            question, vectors[0], hits, lang, timings, parts=list(zip(parts, vectors[1:])), refs=refs[0], part_refs=refs[1:],
            keyword_ranks=keyword_ranks, vector_ranks=vector_ranks,
        )
