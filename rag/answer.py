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
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from rag.boilerplate import BYLINE_RE, addresses_audience, formula_sentences, is_formula, says_nothing
from rag.headings import classify_heading, cn_to_int, is_signature, name_and_post
from rag.keyword import FILLER_WORDS, is_chinese, tokenize
from rag.passages import METADATA_HEADING, Passage, answer_sentences, is_article, split_sentences
from rag.places import find_places, longest_first
from rag.wordcut import posseg
from rag.retrieval import Hit, Retrieval, heading_matches
from rag.settings import Settings
from rag.documents import passage_time, review_part
from rag.figures import figures
from rag.glossary import counted_lists
from rag.gate import DAY_RE, EvidenceGate, GateDecision, framing_word, subject_nouns  # noqa: F401  (the gate runs before any answer is composed)
from rag.query import (
    FREQUENCY_RE,
    RANKED_FIRST_RE,
    SPAN_FIGURE_RE,
    _ACHIEVED_RE,
    _HAS,
    _TARGET_RE,
    _YEAR_RE,
    _dated,
    _find_places,
    _names_other_place,
    _place_kinds,
    years_asked,
    Query,
    abroad_names,
    analyse,
    asks_about_box,
    has_measure,
    other_stage,
    question_terms,
)


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
            **({"ocr": self.passage.ocr_mark} if self.passage.ocr_mark else {}),  # "OCR识别 96%": read from a scan
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


# ---------------------------------------------------------------- composing
_ITEM_PREFIX_RE = re.compile(r"^\s*(\d{1,2}[\.．、]|——)\s*")
# A numbered item's title standing alone as a sentence: "1. 进一步完善友城布局。"
_NUMBERED_TITLE_RE = re.compile(r"^\s*\d{1,2}[\.．、]\s*[^，,；;：:]{2,22}[。；;]?$")
_ITEM_START_RE = re.compile(r"^\s*(\d{1,2}[\.．、]|——|[（(][一二三四五六七八九十\d]+[)）])")


def _names_any(text: str, groups: list[tuple[str, ...]]) -> bool:
    """``text`` holds a term of one of ``groups``."""
    return any(t in text for g in groups for t in g)


def _enumerates(text: str) -> bool:
    """True when a sentence lists three or more items ("A、B、C")."""
    return text.count("、") >= 2


def _items_in(sentence: str) -> int:
    """How many items the longest "A、B、C" run of ``sentence`` lists."""
    return max((part.count("、") + 1 for part in re.split(r"[，,；;：:。]", sentence)), default=0)


def _novelty(terms: list[str], sentence: str) -> float:
    """Share of a sentence's characters (letters, digits, CJK) not spelled by question terms."""
    covered = bytearray(len(sentence))
    for t in terms:
        if not t:
            continue
        at = sentence.find(t)
        while at >= 0:
            covered[at : at + len(t)] = b"\x01" * len(t)
            at = sentence.find(t, at + len(t))
    content = [i for i, ch in enumerate(sentence) if ch.isalnum()]
    if not content:
        return 0.0
    return sum(1 for i in content if not covered[i]) / len(content)


def _adds_term(groups: list[tuple[str, ...]], sentence: str, said: str) -> bool:
    """True when ``sentence`` names a term of ``groups`` that ``said`` (the sentences chosen so far) lacks.

    A group holds the spellings of one thing (产业链, 供应链): a sentence spelling it another way adds nothing.
    """
    return any(any(t in sentence for t in g) and not any(t in said for t in g) for g in groups)



# A body's own unit, whose posts are not the body's ("办公室主任" is not the committee's 主任).
_SUB_UNITS = "办公室|秘书处|工作组|专家组|联络组|办事机构"
_SUB_UNIT_RE = re.compile(rf"(?:{_SUB_UNITS})$")


def _posts_asked(roles: str) -> list[str]:
    """The posts ``roles`` (a who-question, :func:`_roles_text`) asks who holds, with the unit they are of when it
    names one ("办公室主任")."""
    from rag.query import _TITLES

    return list(dict.fromkeys(
        m.group(0) for m in re.finditer(rf"(?:{_SUB_UNITS})?(?:组长|副组长|召集人|{_TITLES})", roles)
    ))


# The places a question asks, by what they are, with what it says of them: "试点地区有哪些", "哪些成效突出的试点地区".
_PLACES_ASKED_RE = re.compile(
    r"([^\W的]{1,4}(?:地区|城市|省份|省市|地市|区域|口岸|港口))(?:有|是|包括)(?:哪些|哪几个)"
    r"|哪(?:些|几个)([^，,。？?；;]{1,10}?(?:地区|城市|省份|国家))(?=[？?，,。；;]|$)"
)


def _places_phrase(squashed: str) -> str:
    """What the places a Chinese question asks are, with what it says of them ("试点地区", "成效突出试点地区"), or ''
    when it says no more than their kind ("哪些地区")."""
    m = _PLACES_ASKED_RE.search(squashed)
    phrase = next((g for g in m.groups() if g), "").replace("的", "") if m else ""
    return phrase if len(phrase) >= 4 else ""


@lru_cache(maxsize=1024)
def _four_character_nouns(text: str) -> tuple[str, ...]:
    """The four-character nouns of ``text`` (a modifier and a head of two characters each: "常务会议"), cut once per
    question (every document's sentences of a per-document answer are scored against it)."""
    from rag.keyword import noun_words

    return tuple(w for w, _ in noun_words(re.sub(r"\s+", "", text)) if len(w) == 4 and re.fullmatch(r"[\u4e00-\u9fff]{4}", w))


@lru_cache(maxsize=256)
def _part_words(part: str) -> tuple[str, ...]:
    """The words of two characters or more a field's part is made of ("投资贷款" → 投资, 贷款)."""
    from rag.keyword import noun_words

    return tuple(w for w, _ in noun_words(part) if len(w) >= 2 and w != part)


def _sibling_in(word: str, sentence: str) -> bool:
    """``sentence`` names a sibling of ``word``: a dictionary word with the same head and another modifier of the
    same length ("全体会议" of "常务会议")."""
    from rag.wordcut import word_frequency

    head, at = word[2:], sentence.find(word[2:])
    while at >= 0:
        other = sentence[at - 2 : at + 2] if at >= 2 else ""
        if other and other != word and word_frequency(other):
            return True
        at = sentence.find(head, at + 1)
    return False


def _says_who_holds(sentence: str, posts: list[str]) -> bool:
    """``sentence`` says who holds one of ``posts`` ("办公室主任由民航总局副局长杨国庆担任")."""
    return any(re.search(rf"{p}由[^，。；]{{2,30}}?(?:担任|兼任)", sentence) for p in posts)


def _role_asked(role: str, roles: str) -> bool:
    """A member list's ``role`` ("主任") is the one the question (``roles``, :func:`_roles_text`) asks: it says it
    other than as the post of a unit of the body ("协调委员会主任是谁", not "办公室主任是谁")."""
    return any(not _SUB_UNIT_RE.search(roles[: m.start()]) for m in re.finditer(re.escape(role), roles))


def _names_label(label: str, squashed: str) -> bool:
    """The question (``squashed``) names an item by its label ("国庆节" of "七、国庆节：…"), or by the label less
    its "节" ("19年国庆放几天假")."""
    return bool(label) and (label in squashed or len(label) > 2 and label.endswith("节") and label[:-1] in squashed)


def _names_field(field: str, text: str) -> bool:
    """``text`` names a field a question names: the field's words, or, for a field of two characters naming two
    things ("税费": taxes and fees), both of them ("…适用增值税免征政策…免收…通行费")."""
    return field in text or bool(re.fullmatch(r"[\u4e00-\u9fff]{2}", field)) and all(ch in text for ch in field)


def _coverage(terms: list[str], text: str) -> float:
    if not terms:
        return 0.0
    return sum(1 for t in terms if t in text) / len(terms)


# The sentence closing a document's lead, announcing what follows: "…，现提出以下意见：", "现将有关事项通知如下：",
# "…，制定本方案。", "…现印发给你们，请认真贯彻执行。", "现答复如下：".
_LEAD_END_RE = re.compile(
    r"(?:提出(?:如下|以下)意见|(?:通知|答复|报告|函告)如下|制定本(?:方案|办法|规定|意见|计划|规划|细则)|现印发给你们[^。]*)[：:。]?$"
)
_CITED_TITLE_RE = re.compile(r"《[^《》]{0,80}》")


def _own_words(sentence: str, question: str) -> str:
    """A sentence less the titles of other documents it cites, unless the question names a title too.

    "根据…《湖南省国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》,制定本规划" spells
    "十四五" and "远景目标" only as the name of another document; it states neither.
    """
    return sentence if "《" in question else _CITED_TITLE_RE.sub("《》", sentence)


@dataclass
class _Candidate:
    passage_rank: int
    passage: Passage
    position: int  # sentence number within the passage
    text: str
    score: float  # against the whole question
    part_scores: list[float] = field(default_factory=list)  # against each sub-question

    @property
    def key(self) -> tuple[str, int]:
        return (self.passage.id, self.position)




class ExtractiveAnswerer:
    """Composes cited answers from evidence sentences, with no LLM.

    Selection favours one passage: the best sentence's passage supplies the
    answer; another passage is cited when it answers a part of a multi-part
    question, continues the best passage's list, or holds the lead-in of a
    quoted article item. A second passage that merely scores nearly as well
    cites more and answers no more (on the bundled and multi-document sets it
    found no fact that the best passage did not).
    """

    SAME_PASSAGE_MARGIN = 0.04
    RANK_PENALTY = 0.03  # per rank of the sentence's passage: retrieval's judgement counts too
    YEAR_BONUS = 0.04  # the evidence is dated the year the question names
    STRUCTURE_BONUS = 0.08  # the question names this passage's box/chapter/section
    SHORT_SECTION = 6  # passages: a section this short is on one subject (see _continued_list)
    PART_GAIN = 0.02  # how much better a part's own best sentence must answer it
    LIST_NOUN_BONUS = 0.08  # "哪几条路": a sentence listing things of that name ("…之路、…之路、…之路")
    LEAD_IN_BONUS = 0.10  # a list asked: the sentence announcing one in the question's words ("重点做好以下工作：")
    TARGET_LIST_BONUS = 0.1  # targets asked, all of them: a sentence setting at least TARGETS_LISTED figures
    TARGETS_LISTED = 3
    BODIES_LISTED = 3  # a sentence naming this many bodies lists them
    LIST_BONUS = 0.03  # a list question's answer enumerates
    ASKED_WORDS_BONUS = 0.06  # a list asked: a sentence naming a word of it beyond the document's title
    FIRST_BONUS = 0.03  # who ranks first is asked, and the sentence ranks something first ("居全国第1位")
    FORMULA_PENALTY = 0.2  # a sentence said word for word in several documents is a formula
    ITEM_TITLE_PENALTY = 0.05
    ECHO_NOVELTY = 0.3  # below this share of its own words, a sentence only restates the question
    ECHO_PENALTY = 0.05
    COVERAGE_WEIGHT = 0.15
    SPAN_PENALTY = 0.08  # one year's figure asked: a figure of several years ("年均", "五年累计") is another's
    SIBLING_PENALTY = 0.06  # a sentence naming a sibling of the thing asked ("全体会议" for "常务会议"), not it
    STAGE_PENALTY = 0.04  # a target asked, the sentence reviews a result (or the other way round)
    OTHER_PLACE_PENALTY = 0.08  # asked about 北欧, the sentence speaks of 中东欧 (_names_other_place); 0.05 half as good, 0.12 the same
    LABEL_WEIGHT = 0.05  # an item labelled with what the question names ("七、国庆节：…") gains, its siblings lose
    PENALTY_BONUS = 0.08  # "会被罚多少": a sentence of a passage that sets a penalty (its article's lead-in may)
    FREQUENCY_BONUS = 0.12  # "多久开一次": a sentence stating how often ("每月召开三次")
    DATE_BONUS = 0.03  # a date asked: a sentence giving one (as a count asked gains a figure)
    DEADLINE_AFTER = 3  # …or a sentence this many after the one chosen, setting the deadline of the work it said
    MEASURE_BONUS = 0.08  # "多少户": a sentence counting in 户 ("505户1748人"); the gate refuses any other
    WHO_BONUS = 0.20  # "组长是谁": the line of a member list holding that role
    ORG_BONUS = 0.05  # "由哪个部门负责": a sentence naming a department or body (as a date or a figure asked)
    FACT_BONUS = 0.04  # a figure asked: a sentence stating that very figure (rag.targets: its subject, measure, year)
    LEAD_MARGIN = 0.1  # an English question: a body sentence this close to the lead's best answers instead
    PLACES_BONUS = 0.08  # "哪些地区/国家" asked: a sentence naming several places names them (as OTHER_PLACE_PENALTY)

    def _own_groups(self, j: int, parts: list) -> list[tuple[str, ...]]:
        """The topic words (:meth:`EvidenceGate.topic_groups`) of part ``j`` of a question in ``parts`` that no other
        part names: what it asks of ("粮食产量" beside "糖料蔗种植面积")."""
        if len(parts) < 2:
            return []  # one asking clause beside the whole question: nothing to set it apart from
        others = "".join(p for i, (p, _) in enumerate(parts) if i != j)
        # Not a year, nor a word that frames any figure question (实际, 目标, 增长): those say when or which stage.
        return [g for g in self.gate.topic_groups(parts[j][0])
                if not any(t in others or t.isdigit() or framing_word(t) for t in g)]

    def _time_of(self, passage: Passage) -> str:
        """The years ``passage`` speaks of beyond its words (its document's year; see rag.documents.passage_time),
        worked out once per passage: every candidate sentence and every part of a question asks it."""
        if passage.id not in self._time_cache:
            record = self.records.get(passage.doc_id)
            self._time_cache[passage.id] = (
                passage.doc_title  # no record (an older index): the title's year, as before
                if record is None
                else passage_time(passage.headings, passage.text, record) + " " + _title_period(passage.doc_title)
            )
        return self._time_cache[passage.id]

    def __init__(self, index, settings: Settings, gate: EvidenceGate, records: dict | None = None,
                 formulas: frozenset[str] | None = None) -> None:
        self.index = index
        self.settings = settings
        self.gate = gate
        self.records = records if records is not None else index.records()
        self.boilerplate = formula_sentences(index.passages.values()) if formulas is None else formulas
        self._list_cache: dict[tuple[str, ...], tuple[list[_Candidate], list[list[int]]]] = {}
        self._label_cache: dict[str, tuple[list[str], list[str]]] = {}
        self._time_cache: dict[str, str] = {}
        self._announcing_cache: dict[str, list[str]] = {}
        self._places_cache: dict[str, list[str]] = {}
        self._preamble_cache: dict[str, bool] = {}
        self._lead_cache: dict[str, int] = {}
        # (query, passage id, sentence) → whether the sentence states the figure asked; set by the pipeline,
        # which holds the documents' facts (rag.targets.Targets.lead).
        self.states_figure = None

    def _candidates(self, query: Query, retrieval: Retrieval, ids: list[str], first_rank: int = 0) -> list[_Candidate]:
        """Every sentence of the passages ``ids`` (ranked ``first_rank``, ``first_rank`` + 1, …), scored
        against the question and its parts."""
        question = query.text
        if not ids:
            return []
        sv = self.index.sentence_vectors(ids)
        if not sv.sentences:
            return []
        cos = sv.vectors @ np.asarray(retrieval.query_vector, dtype=np.float32)
        part_cos = [sv.vectors @ np.asarray(v, dtype=np.float32) for _, v in retrieval.parts]
        part_queries = [analyse(p) for p, _ in retrieval.parts]
        part_texts = [pq.roles_text for pq in part_queries]  # where each part's role asked is looked for
        part_stages = [pq.stage for pq in part_queries]
        part_measures = [pq.measures for pq in part_queries]
        terms = query.terms
        part_terms = [pq.terms for pq in part_queries]
        types = query.answer_types
        measures = query.measures
        rank_of = {pid: first_rank + r for r, pid in enumerate(ids)}
        refs = retrieval.refs
        part_refs = retrieval.part_refs or [[] for _ in retrieval.parts]
        reports = {str(y) for y in query.naming_reports}  # "2025年政府工作报告…2024年增长了多少": 2025 names the report
        years = [y for y in query.named_years if y not in reports]
        part_years = [years_asked(p) for p, _ in retrieval.parts]
        past = query.asks_past
        asks_first = query.asks_first
        counts = bool(types & {"count", "amount"}) and not query.asks_span
        one_year = len(years) == 1 and counts
        asked_places = query.places_asked
        labels = _item_labels(sv.passage_ids, sv.sentences)
        squashed = query.squashed
        roles = query.roles_text
        # The posts a who-question asks, written as it writes them ("办公室主任"): a sentence saying who holds one
        # ("办公室主任由民航总局副局长杨国庆担任") answers as a member list's line does. Of a question in several,
        # the first's; the others' count for their parts ("组长是谁？办公室主任由谁兼任？": the list, then the sentence).
        posts = _posts_asked(re.split(r"[？?]", roles)[0]) if "who" in types else []
        part_posts = [_posts_asked(t) if "who" in types else [] for t in part_texts]
        # The bodies a who-question names ("水利部", "国家发展改革委"): a member list's line of the one asked.
        orgs = [m[-3:] for m in _ORG_NAMED_RE.findall(squashed)] if "who" in types else []
        # An English question names a label by its Chinese term ("National Day": 国庆节).
        named_in = squashed if query.lang == "zh" else squashed + "".join(query.chinese_terms)
        named_labels = {label for label in labels if _names_label(label, named_in)}
        asks_figure = self.states_figure is not None and query.asks_figure
        if asks_figure:
            from rag.targets import question_terms as figure_terms, reads_as_asked

            figure_words = figure_terms(query)
        # A list of things of one name asked ("哪几条路", "哪几种“经济”"): the name its items end with.
        asked_noun = (m.group("n") if (m := _ASKED_NOUN_RE.search(squashed)) and "list" in types else "")
        # Targets asked, all of them ("主要预期目标有哪些", "定了哪些目标"): the sentence setting several, each a figure
        # with its 左右/以上/以内, is their list; a plan's general requirements, as long, set none.
        targets_listed = _asks_targets(query)
        # A list asked: the question's words beyond its document's title, which a lead-in announcing it says.
        lead_words = (
            query.words_beyond(retrieval.hits[0].passage.doc_title) if "list" in types and retrieval.hits else []
        )
        cands: list[_Candidate] = []
        for i, ((pid, pos), sentence) in enumerate(zip(sv.keys(), sv.sentences)):
            r = rank_of[pid]
            bonus = -self.RANK_PENALTY * r
            passage = self.index.passages[pid]
            if "body" in types and _BODY_IN_RE.search(sentence):
                bonus += self.ORG_BONUS  # "应急部为专用号牌及配套行驶证件的核发主管单位"
                if "list" in types and len(_BODY_IN_RE.findall(sentence)) >= self.BODIES_LISTED:
                    bonus += self.ORG_BONUS  # bodies asked as a list ("由哪些部门组成"): "由教育部、发展改革委、…组成"
            # "组长是谁": "组长：韩正 国务院副总理" of the member list; of a question in parts, for the part naming it.
            line = name_and_post(sentence) if "who" in types else None
            role = line[0] if line else ""
            if orgs:
                # "水利部派的成员是谁": "魏山忠 水利部副部长", the member the body asked sends, not the list's first.
                who = self.WHO_BONUS if line and any(org in line[2] for org in orgs) else 0.0
            else:
                who = self.WHO_BONUS if role and _role_asked(role, roles) else 0.0
            if posts and not who and _says_who_holds(sentence, posts):
                who = self.WHO_BONUS
            if "places" in types and _names_places(sentence) >= 2:
                bonus += self.PLACES_BONUS  # "确定北京、吉林、…10个省（区、市）和…拉萨市作为试点地区"
            if named_labels and labels[i]:
                # "2019年国庆节放几天": of the items 一、元旦：… 七、国庆节：…, the one the question names.
                bonus += self.LABEL_WEIGHT if labels[i] in named_labels else -self.LABEL_WEIGHT
            if "penalty" in types and _HAS["penalty"].search(self.index.passages[pid].text):
                bonus += self.PENALTY_BONUS  # "会被罚多少": a sentence of an article that sets a penalty
            if "duration" in types and _HAS["duration"].search(sentence):
                bonus += self.DATE_BONUS  # "多长时间内公开": "…作出之日起7个工作日内…公开"
            if "frequency" in types and FREQUENCY_RE.search(sentence):
                bonus += self.FREQUENCY_BONUS  # "多久开一次": "国务院常务会议一般每月召开三次"
            if "date" in types and _DATE_IN_RE.search(sentence):
                bonus += self.DATE_BONUS  # "什么时候之前完成": a sentence giving a date or deadline
            counted = 0.0  # of a question in parts, each part's own measure counts for it ("多少次？…多少人死亡？")
            if "count" in types or "amount" in types:
                bonus += 0.03 if re.search(r"\d", _YEAR_RE.sub("", sentence)) else 0.0  # a year counts nothing
                counted = self._measured(sentence, measures, types)
            if asks_figure and self.states_figure(query, pid, sentence):
                bonus += self.FACT_BONUS  # "粮食产量616亿斤左右" in a long sentence of targets, for "How much grain…"
            elif asks_figure and not reads_as_asked(sentence, squashed, figure_words):
                # Its words, but another thing: "云南工业“新三样”增加值增长8.2%" for 规模以上工业增加值.
                bonus -= self.FACT_BONUS
            if is_signature(sentence):
                # "国办发〔2018〕124号", "2018年12月18日": a document's number or date line answers its publication only.
                bonus -= 0.08 if query.asks_publication else self.FORMULA_PENALTY
            elif classify_heading(sentence) is not None:
                # A heading line names a topic but states nothing; it answers only "which 专栏/节".
                if not (query.asks_box and sentence.startswith("专栏")):
                    bonus -= 0.08
            elif len(sentence) < 12:
                bonus -= 0.05  # item titles and fragments say little on their own
            elif "list" not in types and _NUMBERED_TITLE_RE.match(sentence):
                bonus -= self.ITEM_TITLE_PENALTY  # "2. “十四五”发展目标。" names what the item's text states
            elif _novelty(terms, sentence) < self.ECHO_NOVELTY:
                bonus -= self.ECHO_PENALTY  # restates the question's own words, adds nothing
            if asks_first and RANKED_FIRST_RE.search(sentence):
                bonus += self.FIRST_BONUS
            if lead_words and self._announces_asked(sentence, squashed, lead_words):
                bonus += self.LEAD_IN_BONUS  # "要重点做好哪几项": "…重点做好以下工作：" announces them
            elif lead_words and not query.broad:
                # "联席会议由哪些部门和单位组成": "…由教育部、…9个部门和单位组成" says what is asked; "同意建立…联席会议制度"
                # only restates the document's title. (A broad question's measures seldom name its words: "哪些措施".)
                bonus += self.ASKED_WORDS_BONUS if any(w in sentence for w in lead_words) else 0.0
            if asked_noun and len(re.findall(re.escape(asked_noun) + r"[、，,和及与]", sentence)) >= 2:
                bonus += self.LIST_NOUN_BONUS  # "哪几条路": "坚定走好创新引领之路、能源转化之路、…之路"
            if targets_listed:
                # Counted over the whole sentence: a list of targets may run in clauses ("经济增长6％左右；城镇调查失业率
                # 5.5％左右，…；").
                set_here = _targets_set(_full_sentence(passage.text, sentence))
                bonus += self.TARGET_LIST_BONUS if set_here >= self.TARGETS_LISTED else 0.0 if set_here else -self.TARGET_LIST_BONUS
            if "list" in types and _enumerates(sentence):
                bonus += self.LIST_BONUS
                if query.listed and _items_in(sentence) >= query.listed:
                    bonus += self.LIST_BONUS  # "哪六项": it lists at least six
            if is_formula(sentence, self.boilerplate):
                bonus -= self.FORMULA_PENALTY  # "现在，我代表国务院，向大会报告政府工作…" answers nothing
            if not query.asks_publication and (METADATA_HEADING in passage.headings or BYLINE_RE.search(sentence)):
                # A page's information table, a report's byline ("2025年1月13日在…大会…会议上…作政府工作报告"):
                # they answer who issued it and when, no more.
                bonus -= self.FORMULA_PENALTY
            # A target asked, the sentence reviews a result (or the other way round); of a question in parts, each
            # part's own stage ("…当年GDP增长目标定在多少？…2021年实际增长了多少？").
            stage_penalty = self.STAGE_PENALTY if query.stage and other_stage(query.stage, sentence, passage.headings) else 0.0
            # One year's figure asked; "五年年均增长5.2%" is another period's (of a part naming one year, for it).
            span = bool(SPAN_FIGURE_RE.search(sentence))
            span_penalty = self.SPAN_PENALTY if one_year and span else 0.0
            if asked_places and _names_other_place(sentence + " ".join(passage.headings), asked_places):
                bonus -= self.OTHER_PLACE_PENALTY
            own = _own_words(sentence, question)
            score = float(cos[i]) + self.COVERAGE_WEIGHT * _coverage(terms, own) + bonus + counted + who - stage_penalty - span_penalty
            score += self._structure_bonus(passage, refs) + self._year_bonus(passage, sentence, years or self._relative(passage, query), past)
            parts = [
                float(pc[i])
                + self.COVERAGE_WEIGHT * _coverage(pt, own)
                + bonus
                + (self._measured(sentence, pm, types) if pm and ("count" in types or "amount" in types) else counted)
                + (self.WHO_BONUS if role and _role_asked(role, ps) or pp and _says_who_holds(sentence, pp) else 0.0)
                - (
                    (self.STAGE_PENALTY if other_stage(pst, sentence, passage.headings) else 0.0) if pst else stage_penalty
                )
                - (self.SPAN_PENALTY if span and (one_year or len(py) == 1 and counts) else 0.0)
                + self._structure_bonus(passage, pr)
                + self._year_bonus(passage, sentence, py, past)
                for pc, pt, pr, py, ps, pst, pp, pm in zip(
                    part_cos, part_terms, part_refs, part_years, part_texts, part_stages, part_posts, part_measures
                )
            ]
            cands.append(_Candidate(r, passage, pos, sentence, score, parts))
        # A thing named like the one asked ("全体会议" for "常务会议": another modifier of the same head) speaks of
        # another thing, when other sentences name the one asked: those sentences come first. Not of a broad
        # question, a list or a field, whose kin are part of it ("医疗卫生方面重点抓什么": 公共卫生 too).
        narrow = not (query.broad or "list" in types)
        # (An English question's subject is read from its Chinese terms: "plenary meeting" is 全体会议.)
        subject = query.subject if query.lang == "zh" else "，".join(t for t in terms if len(t) == 4)
        asked = [
            w for w in (_four_character_nouns(subject) if narrow else ())
            if not re.search(re.escape(w) + "(?:方面|领域|工作|事业)", subject) and any(w in c.text for c in cands)
        ]
        if asked:
            for c in cands:
                if any(w not in c.text and _sibling_in(w, c.text) for w in asked):
                    c.score -= self.SIBLING_PENALTY
        return cands

    def _measured(self, sentence: str, measures, types) -> float:
        """:attr:`MEASURE_BONUS` when ``sentence`` counts the very thing asked (one of ``measures``: "27家" for "多少家"),
        or gives a sum of money when an amount is asked ("安排了多少钱": "已在国债中安排该项目2亿元")."""
        if measures and any(has_measure(sentence, m) for m in measures):
            return self.MEASURE_BONUS
        return self.MEASURE_BONUS if "amount" in types and _HAS["amount"].search(sentence) else 0.0

    def _relative(self, passage: Passage, query) -> list[str]:
        """The years the question's relative words (去年, 上一年, 今年) mean in ``passage``'s document (a 2019
        report's 上一年 is 2018), when it names no year of its own."""
        record = (self.records or {}).get(passage.doc_id)
        if record is None or not query.relative_years:
            return []
        return [str(y) for w in query.relative_years if (y := record.resolve_relative_year(w))]

    def _year_bonus(self, passage: Passage, sentence: str, years: list[str], past: bool = False) -> float:
        """The question names a year: evidence dated that year, in the sentence or its locator, gains.

        "2025年省长去德国见了哪家企业" is answered by the 2025 review, not by the
        plan's intention to visit Germany; cosine similarity barely tells them apart.
        A question about what happened ("did … in 2025", "实际", "办了") weighs a
        dated result double; a target set for that year ("到2025年力争…") counts once.
        """
        if not years:
            return 0.0
        where = sentence + " ".join(passage.headings) + self._time_of(passage)
        if not any(y in where for y in years):
            return 0.0
        if past and not (_TARGET_RE.search(sentence) and not _ACHIEVED_RE.search(sentence)):
            return 2 * self.YEAR_BONUS  # asked what happened in 2025, and this is no target ("到2025年力争…")
        return self.YEAR_BONUS

    def _structure_bonus(self, passage: Passage, refs: list[str]) -> float:
        """Named box/chapter/section: its own passages gain, another numbered box loses."""
        if not refs:
            return 0.0
        if any(heading_matches(passage.headings, r) for r in refs):
            return self.STRUCTURE_BONUS
        if passage.box and any(r.startswith("专栏") for r in refs):
            return -self.STRUCTURE_BONUS
        return 0.0

    def sentences(self, question: str, retrieval: Retrieval, k: int, query: Query | None = None) -> list[_Candidate]:
        """Every sentence of the ``k`` best-ranked passages, scored against the question (best first). ``query``:
        the question analysed, when the caller has it."""
        query = query or analyse(question)
        cands = self._candidates(query, retrieval, self._read(query, retrieval, k))
        return sorted(cands, key=lambda c: -c.score)

    EACH_CLAUSES = 4  # "各…多少": at most this many clauses after one chosen, to its sentence's end
    LEAD_IN_TAIL = 20  # …the two written together within this many characters of its end
    LEAD_IN_WORDS = 2  # a list's lead-in saying at least this many of the question's own words is read
    ROSTER_DOCS = 2  # a role asked for is looked up in the member lists of this many best-ranked documents

    def _announced(self, query: Query, chosen: list[_Candidate]) -> bool:
        """A sentence ``chosen`` announces a list in the question's words (:meth:`_announces_asked`)."""
        if not chosen:
            return False
        own = query.words_beyond(chosen[0].passage.doc_title)
        squashed = query.squashed
        return any(self._announces_asked(c.text, squashed, own) for c in chosen)

    def _announces_asked(self, sentence: str, squashed: str, own: list[str]) -> bool:
        """``sentence`` announces a list ("…重点做好以下工作：") in the question's words: :attr:`LEAD_IN_WORDS` of
        ``own`` (the question's words beyond its document's title), two of them written together as the question
        writes them ("重点做好") in its last :attr:`LEAD_IN_TAIL` characters, not only words said of anything
        ("加强…合作")."""
        if not _ANNOUNCES_RE.search(sentence.strip()) or sum(w in sentence for w in own) < self.LEAD_IN_WORDS:
            return False
        # …said where it announces the list, not anywhere in a long sentence.
        tail = re.sub(r"\s", "", sentence)[-self.LEAD_IN_TAIL :]
        return any(a + b in squashed and a + b in tail for a in own for b in own if a != b)

    def _announcing(self, passage: Passage) -> list[str]:
        """The sentences of ``passage`` that announce a list ("…重点做好以下工作："), whatever the question; worked
        out once per passage."""
        if passage.id not in self._announcing_cache:
            self._announcing_cache[passage.id] = [
                s for s in answer_sentences(passage.text) if _ANNOUNCES_RE.search(s.strip())
            ]
        return self._announcing_cache[passage.id]

    PLACES_NAMED = 3  # a sentence naming this many places is a list of them

    def _naming_places(self, passage: Passage) -> list[str]:
        """The sentences of ``passage`` naming :attr:`PLACES_NAMED` places or more, worked out once per passage."""
        if passage.id not in self._places_cache:
            self._places_cache[passage.id] = [
                s for s in answer_sentences(passage.text) if s.count("、") >= 2 and _names_places(s) >= self.PLACES_NAMED
            ]
        return self._places_cache[passage.id]

    def _read(self, query: Query, retrieval: Retrieval, k: int) -> list[str]:
        """The passages whose sentences may answer: the ``k`` best-ranked; when the question asks who holds a role
        it names ("联席会议的召集人是谁？"), the passages of the best-ranked documents whose member list gives that
        role ("召集人：孙春兰 国务院副总理"), as a list of names is seldom retrieved for a question in words; when it
        asks a list, those whose sentence announcing a list says :attr:`LEAD_IN_WORDS` of the question's words
        ("重点做好以下工作："); when it asks places, those whose sentence names them with a word of the question
        beyond the document's title ("确定北京、吉林、…作为试点地区")."""
        ids = [h.passage.id for h in retrieval.hits[:k]]
        types = query.answer_types
        if "who" not in types and "list" not in types and "places" not in types:
            return ids
        roles = query.roles_text
        squashed = query.squashed if query.chinese else roles
        docs = list(dict.fromkeys(h.passage.doc_id for h in retrieval.hits[:k]))[: self.ROSTER_DOCS]
        for doc in docs:
            # Read as ranked just below the document's best passage: the document is the one retrieved.
            at = 1 + next(i for i, h in enumerate(retrieval.hits[:k]) if h.passage.doc_id == doc)
            title = next(h.passage.doc_title for h in retrieval.hits[:k] if h.passage.doc_id == doc)
            # A list asked ("符合哪些条件的社团可以保留", "要重点做好哪几项试点任务"): the sentence announcing it in
            # the question's own words ("符合下列要求的社会团体予以保留。", "重点做好以下工作：").
            own = query.words_beyond(title) if "list" in types else []
            phrase = _places_phrase(squashed) if "places" in types else ""
            for p in self.index.doc_passages(doc):
                if "who" in types and any(
                    (line := name_and_post(s)) and line[0] and _role_asked(line[0], roles) for s in p.text.splitlines()
                ) or own and any(self._announces_asked(s, squashed, own) for s in self._announcing(p)) or (
                    # Places asked by what they are ("试点地区有哪些"): the sentence naming them as that ("确定北京、
                    # 吉林、…10个省（区、市）和西藏自治区拉萨市作为试点地区").
                    phrase and any(phrase in s for s in self._naming_places(p))
                ):
                    # Retrieved lower down or not at all, it is read as ranked just below the document's best.
                    if p.id in ids[:at]:
                        continue
                    if p.id in ids:
                        ids.remove(p.id)
                    ids.insert(at, p.id)
        return ids

    def select(self, question: str, retrieval: Retrieval, k: int, passed_over: frozenset = frozenset(),
               query: Query | None = None) -> list[_Candidate]:
        """Choose the sentences that answer the question (see the class doc); never those ``passed_over``
        (their keys: (passage id, position)). ``query``: the question analysed, when the caller has it."""
        query = query or analyse(question)
        cands = self._candidates(query, retrieval, self._read(query, retrieval, k))
        cands = [c for c in cands if c.key not in passed_over] if passed_over else cands
        if not query.asks_publication:
            # A 文号 or date line, a byline, a notice's addressees, a page's information table state nothing but
            # the document's publication: never an answer, nor a companion of one.
            cands = [
                c for c in cands
                if not says_nothing(c.text) and METADATA_HEADING not in c.passage.headings and not _lists_attachments(c.passage.text)
            ]
        if query.asks_plan:
            # A review's sentences report what was done; they answer only when no plan's sentence was retrieved.
            cands = [c for c in cands if not self._reviews(c.passage)] or cands
        if not cands:
            return []
        types = query.answer_types
        by_score = sorted(cands, key=lambda c: -c.score)
        best = by_score[0]
        if query.lang != "zh" and "why" not in types and not query.asks_publication and self._leads(best):
            # An English question names its document in words its lead restates ("Under the 2018 guideline on legality
            # review…": "…合法性审核机制…，现提出以下意见"); with no word of its own to match, the lead outscores the
            # body that answers. The lead picks the document; the answer comes from its body, when a sentence there
            # is nearly as close.
            body = next((c for c in by_score if c.passage.doc_id == best.passage.doc_id and not self._leads(c)), None)
            if body is not None and body.score >= best.score - self.LEAD_MARGIN:
                best = body
        chosen: dict[tuple[str, int], _Candidate] = {best.key: best}
        limit = self.settings.max_answer_sentences
        in_best = [c for c in cands if c.passage.id == best.passage.id]

        # Companions from the best passage.
        for c in by_score[1:]:
            if len(chosen) >= limit:
                break
            if c.passage.id == best.passage.id and c.score >= best.score - self.SAME_PASSAGE_MARGIN:
                chosen[c.key] = c
        by_key = {c.key: c for c in cands}
        # A list question gets the items of the best passage's list.
        if "list" in types:
            items = self._list_items(best, in_best)
            for c in items + self._items_continued(query, retrieval, best, items, cands):
                chosen.setdefault(c.key, c)
            # "必须坚持…；必须立足…；必须坚持外事为民…。" is one enumeration cut at its semicolons.
            c = best
            for _ in range(self.MAX_LIST_ITEMS):
                nxt = by_key.get((c.passage.id, c.position + 1))
                if nxt is None or not c.text.rstrip().endswith(("；", ";")):
                    break
                chosen.setdefault(nxt.key, nxt)
                c = nxt
        # A post held by several ("副主任：陈宝生 教育部部长", then "王晓晖 中央宣传部副部长…", "丁向阳 国务院副秘书长"): the
        # lines after the post's own, each a name and post with no title of its own, are its other holders.
        if "who" in types:
            for c in list(chosen.values()):
                line = name_and_post(c.text)
                if not (line and line[0] and _role_asked(line[0], query.roles_text)):
                    continue
                for nxt in self._lines_after(query, retrieval, c, by_key, cands, self.MAX_HOLDERS):
                    held = name_and_post(nxt.text)
                    if not held or held[0]:
                        break
                    chosen.setdefault(nxt.key, nxt)
        # A list question whose chosen sentences list nothing at all: the list often runs
        # on in the next passage of the same section or box ("…生活配套设施。" → "建设游泳池、咖啡馆…").
        if "list" in types and not any("、" in c.text for c in chosen.values()):
            follow = self._continued_list(query, retrieval, best, cands)
            if follow is not None:
                chosen.setdefault(follow.key, follow)
        # Each part of a multi-part question gets its own best sentence, unless
        # the sentences already chosen answer that part about as well.
        # A document's preamble ("现将…通知如下") says why and what follows; a part is answered from its body, and
        # from the name list the preamble announces ("秘书长：朱之文 教育部副部长").
        body = cands if self._preamble(best.passage) else [
            c for c in cands if not self._preamble(c.passage) or name_and_post(c.text)
        ] or cands
        for j, (part, _) in enumerate(retrieval.parts):
            # A part naming a year ("2025年一年又去了多少国家") is answered only by evidence of that
            # year, in the sentence or where it is cited from: a sentence on the 十三五 does not
            # cover it, however alike it reads. A part naming a plan period ("十三五期间…") is not
            # answered by evidence dated only in other years (the 2025 review).
            years = years_asked(part)
            part_query = analyse(part)
            # Its time too: a 2025 report's "一、过去一年工作回顾" is of 2024.
            dated = [c for c in body if _dated(self._said([c]) + self._time_of(c.passage), years, part_query.period_years)]
            # A part naming a year by the document's own ("去年粮食产量是多少？今年的目标…"): of the year it means.
            relative = next(iter(part_query.relative_years), "")
            if not years and relative:
                dated = [c for c in body if self._in_year(c, relative)]
            dated_keys = {c.key for c in dated}
            top = max(dated or body, key=lambda c: c.part_scores[j])
            # A sentence of the other stage covers no part ("…目标定在多少" is not answered by "增长8.1%"); nor does one
            # naming none of the words that set this part apart from the others ("对粮食产量和糖料蔗种植面积分别提出了
            # 什么目标": "糖料蔗种植面积稳定在1100万亩以上" does not cover 粮食产量).
            stage = part_query.stage
            own = self._own_groups(j, retrieval.parts)
            covered = max(
                (c.part_scores[j] for c in chosen.values()
                 if c.key in dated_keys and not (stage and other_stage(stage, c.text, c.passage.headings))
                 and (not own or _names_any(c.text, own))),
                default=float("-inf"),
            )
            said = self._said(chosen.values()) + " ".join(self._time_of(c.passage) for c in chosen.values())
            # Like another passage, a part's sentence must bring something of the part's own: a
            # topic word or year the chosen sentences lack, or the 专栏/章/节 the part names. A part
            # naming nothing ("and how many countries did they cover") brings nothing.
            part_groups = self.gate.topic_groups(part) + [(y,) for y in years]
            if not years and relative and dated and (meant := self._year_meant(top, relative)):
                part_groups += [(str(meant),)]
            # …or the stage the part asks, which no sentence chosen is of (the target beside last year's result).
            brings = bool(retrieval.part_refs and retrieval.part_refs[j]) or _adds_term(
                part_groups, self._said([top]) + self._time_of(top.passage), said
            ) or bool(stage) and covered == float("-inf") and not other_stage(stage, top.text, top.passage.headings)
            if top.part_scores[j] - covered >= self.PART_GAIN and brings:
                chosen.setdefault(top.key, top)

        # A list intro ("…主要目标:"), a bare item title ("2035年远景目标。") or a heading
        # ("专栏8—2 …重点国家") says nothing by itself: the sentence after it, in the same passage, does.
        for c in list(chosen.values()):
            if c.text.rstrip().endswith((":", "：")) or len(c.text) < 16 or classify_heading(c.text) is not None:
                nxt = by_key.get((c.passage.id, c.position + 1))
                if nxt is not None:
                    chosen.setdefault(nxt.key, nxt)

        # A date asked, given by none of the sentences chosen: a deadline said after the work it sets, in the same
        # passage, referring back to it ("…要制定具体的实施办法…。…以上工作要在2019年2月底前完成。").
        if "date" in types and not any(_DATE_IN_RE.search(_YEAR_ONLY_RE.sub("", c.text)) for c in chosen.values()):
            for c in list(chosen.values()):
                for step in range(1, self.DEADLINE_AFTER + 1):
                    nxt = by_key.get((c.passage.id, c.position + step))
                    if nxt is not None and _REFERS_BACK_RE.match(nxt.text.strip()) and _DATE_IN_RE.search(nxt.text):
                        chosen.setdefault(nxt.key, nxt)
                        break

        # "各/分别…多少", "each": one clause answers for one of them; the clauses after it, to the sentence's end,
        # for the others ("…合建3个自动气象站；与澳门地球物理暨气象局合建2个自动气象站。").
        if query.asks_each:
            for c in list(chosen.values()):
                nxt = c
                for _ in range(self.EACH_CLAUSES):
                    if not nxt.text.rstrip().endswith(("；", ";")):
                        break
                    nxt = by_key.get((c.passage.id, nxt.position + 1))
                    if nxt is None:
                        break
                    chosen.setdefault(nxt.key, nxt)
        # An item of an article ("（二）…接受有利益冲突的…委托；") says what is done, its lead-in what follows
        # ("…有下列行为之一的，…可以处10万元以下的罚款…："): the lead-in is quoted with it.
        leads: dict[tuple[str, int], list[_Candidate]] = {}
        for c in list(chosen.values()):
            lead = self._article_lead(query, retrieval, c, cands)
            if lead:
                leads[c.key] = [x for x in lead if x.key not in chosen]
                chosen.update((x.key, x) for x in lead)
        result = sorted(chosen.values(), key=lambda c: (c.passage_rank, c.position))
        if leads:  # each lead-in just before its item
            placed = {x.key for xs in leads.values() for x in xs}
            ordered = []
            for c in result:
                if c.key in placed:
                    continue
                ordered += leads.get(c.key, []) + [c]
            result = ordered
        # A target asked: a review's sentences beside a plan's report last year's results, not the target. Not
        # when a part asks a result ("2024年粮食总产量是多少？2025年的目标是多少？").
        if query.stage == "target" and all(analyse(part).stage == "target" for part, _ in retrieval.parts):
            planned = [c for c in result if not self._reviews(c.passage)]
            result = planned or result
        return result

    def _year_meant(self, c: _Candidate, relative: str) -> int | None:
        """The calendar year ``relative`` ("去年", "今年") means in ``c``'s document (None: a document of no year)."""
        record = self.records.get(c.passage.doc_id)
        return record.resolve_relative_year(relative) if record is not None else None

    def _in_year(self, c: _Candidate, relative: str) -> bool:
        """``c`` speaks of the year ``relative`` means in its document: in its words or where it stands (a 2025
        report's review is of 2024, its "去年")."""
        meant = self._year_meant(c, relative)
        return bool(meant) and str(meant) in self._said([c]) + self._time_of(c.passage)

    def _reviews(self, p: Passage) -> bool:
        """``p`` reports what was done: it stands under a review's heading ("一、2024年工作回顾"), or in a report's
        part headed by what was achieved ("一、…在接续奋斗中新福建建设取得新成效")."""
        return review_part(p.headings, self.records.get(p.doc_id))

    def _general_requirements(self, p: Passage) -> bool:
        """``p`` sets out a plan's general requirements ("今年工作的总体要求是：以…为指导，…坚持稳中求进工作总基调")
        or its guiding thought: it names every field in a line, and none of its measures."""
        if _GENERAL_REQUIREMENTS_RE.search(p.text):
            return True
        # …or opens the part with the year's place, and sets out no numbered measure ("（一）着力扩大国内需求。").
        lines = [x for x in p.text.split("\n") if x.strip() and x.strip() not in p.headings]
        return bool(lines) and bool(_YEARS_PLACE_RE.match(lines[0].strip())) and not any(
            _ITEM_MARK_RE.match(x.strip()) for x in lines)

    def _leads(self, c: _Candidate) -> bool:
        """``c`` is a sentence of its document's lead (see :meth:`_lead_length`), not a name list's line."""
        return c.position < self._lead_length(c.passage) and not name_and_post(c.text)

    def _lead_length(self, p: Passage) -> int:
        """How many of ``p``'s answer sentences are a document's lead: those up to the one announcing what follows
        ("…现提出以下意见。", "…现将有关事项通知如下：", "…制定本方案。"); 0 when it holds none."""
        if p.id not in self._lead_cache:
            said = answer_sentences(p.text)
            self._lead_cache[p.id] = next(
                (len(said) - i for i, t in enumerate(reversed(said)) if _LEAD_END_RE.search(t.strip())), 0
            )
        return self._lead_cache[p.id]

    def _preamble(self, p: Passage) -> bool:
        """``p`` is one of the lead paragraphs of a document in headed parts ("为…，现提出以下意见", "现将…通知如下"):
        they say why and what follows, not what is done."""
        if p.headings:
            return False
        if p.id in self._preamble_cache:
            return self._preamble_cache[p.id]
        start = next(
            (q.order for q in self.index.doc_passages(p.doc_id) if q.headings and METADATA_HEADING not in q.headings), None
        )
        self._preamble_cache[p.id] = start is not None and p.order < start
        return self._preamble_cache[p.id]

    def _article_lead(self, query: Query, retrieval: Retrieval, item: _Candidate, cands: list[_Candidate]) -> list[_Candidate]:
        """The lead-in ("…有下列行为之一的，…可以处10万元以下的罚款；情节严重的，…：") of the article whose numbered
        item ``item`` is: its sentences from the article's start to the one ending in a colon; [] for any other."""
        p = item.passage
        if not _ARTICLE_ITEM_RE.match(item.text) or not p.headings or not is_article(p.headings[-1]):
            return []
        passages = [p]
        before = self.index.neighbours(p)[0]
        while before is not None and before.headings == p.headings and len(passages) < 4:
            passages.insert(0, before)
            before = self.index.neighbours(before)[0]
        style = _item_style(item.text)
        top: list[_Candidate] = []  # the article's own lead-in, up to its colon
        sub: _Candidate | None = None  # an enclosing item of another numbering ending in a colon ("（五）经营所得：")
        closed = False
        for c in self._sentences_of(query, retrieval, passages, cands):
            if (c.passage.order, c.position) >= (p.order, item.position):
                break
            text = c.text.strip()
            if text == p.headings[-1]:
                continue
            marked = _ARTICLE_ITEM_RE.match(text)
            if marked:
                closed = True
                if _item_style(text) != style:
                    sub = c if text.endswith(("：", ":")) else None
            elif not closed:
                top.append(c)
                closed = text.endswith(("：", ":"))
        if not top or not top[-1].text.rstrip().endswith(("：", ":")):
            return [sub] if sub else []
        return top + ([sub] if sub else [])

    @staticmethod
    def _said(chosen) -> str:
        """What the chosen sentences say, with the places they are cited from (headings, document title).

        A citation shows its locator, so "2025" in the review's title is said by any
        sentence quoted from it.
        """
        return "".join(c.text + " ".join(c.passage.headings) + c.passage.doc_title for c in chosen)

    def _continued_list(
        self, query: Query, retrieval: Retrieval, best: _Candidate, cands: list[_Candidate]
    ) -> _Candidate | None:
        """The best enumerating sentence of the passages next to the best one, in its section, when the section
        is short (:attr:`SHORT_SECTION` passages at most): a short section is on one subject, and its list may run
        across a passage boundary. A report's section runs for pages; its next passage is on another subject."""
        p = best.passage
        if sum(q.headings == p.headings for q in self.index.doc_passages(p.doc_id)) > self.SHORT_SECTION:
            return None
        neighbours = [q for q in self.index.neighbours(p) if q is not None and q.headings == p.headings]
        found = [c for c in self._sentences_of(query, retrieval, neighbours, cands) if _enumerates(c.text)]
        return max(found, key=lambda c: c.score, default=None)

    def _sentences_of(
        self, query: Query, retrieval: Retrieval, passages: list[Passage], cands: list[_Candidate]
    ) -> list[_Candidate]:
        """The scored sentences of ``passages``, in reading order; a passage outside the top k is scored the same way."""
        ids = {p.id for p in passages}
        found = [c for c in cands if c.passage.id in ids]
        missing = [p.id for p in passages if not any(c.passage.id == p.id for c in found)]
        if missing:
            found += self._candidates(query, retrieval, missing, first_rank=len(retrieval.hits))
        return sorted(found, key=lambda c: (c.passage.order, c.position))

    MAX_LIST_ITEMS = 8
    MAX_HOLDERS = 40  # the holders of one post a member list gives, line after line

    def _lines_after(self, query: Query, retrieval: Retrieval, c: _Candidate, by_key: dict, cands: list[_Candidate],
                     most: int) -> list[_Candidate]:
        """Up to ``most`` sentences after ``c`` in reading order: the rest of its passage, then the next passage of
        the same section (a member list cut between two passages: "…李干杰 生态环境部部长" | "宁吉喆 统计局局长…")."""
        out: list[_Candidate] = []
        nxt = by_key.get((c.passage.id, c.position + 1))
        while nxt is not None and len(out) < most:
            out.append(nxt)
            nxt = by_key.get((c.passage.id, nxt.position + 1))
        after = self.index.neighbours(c.passage)[1]
        if len(out) < most and after is not None and after.headings == c.passage.headings:
            out += self._sentences_of(query, retrieval, [after], cands)[: most - len(out)]
        return out

    def _items_continued(
        self, query: Query, retrieval: Retrieval, best: _Candidate, items: list[_Candidate], cands: list[_Candidate]
    ) -> list[_Candidate]:
        """The items of a list that runs on into the next passage of the same section.

        "2. 基本原则:——坚持党管外事。…——坚持以人民为中心。…" ends one passage and
        "——坚持服务大局。…" opens the next: the question asks for the whole list.
        """
        if not items or len(items) >= self.MAX_LIST_ITEMS:
            return []
        marker = _ITEM_START_RE.match(items[-1].text).group(1)
        dash = marker.startswith("——")
        after = self.index.neighbours(best.passage)[1]
        if after is None or after.headings != best.passage.headings:
            return []
        theirs = self._sentences_of(query, retrieval, [after], cands)
        # The next passage must open with an item of the same kind ("——…" after "——…", "3." after "2.").
        if not theirs or not (m := _ITEM_START_RE.match(theirs[0].text)) or m.group(1).startswith("——") != dash:
            return []
        more = [c for c in theirs if (m := _ITEM_START_RE.match(c.text)) and m.group(1).startswith("——") == dash]
        return more[: self.MAX_LIST_ITEMS - len(items)]

    @staticmethod
    def _list_items(best: _Candidate, in_best: list[_Candidate]) -> list[_Candidate]:
        """The item titles of a list in the best passage (lines starting "——", "1." …)."""
        items = [c for c in in_best if _ITEM_START_RE.match(c.text)]
        if len(items) < 2:
            return []
        # Item sentences usually open with their title ("——开放型经济蓬勃发展。"); keep those.
        return items[:8]

    ITEM_SENTENCES = 6  # an item of a broad answer quotes at most this many sentences after its title
    BROAD_LINES = 36  # a broad answer quotes at most this many lines; the items left out are counted

    def _item_body(self, title: _Candidate, listed: set, most: int, alone: bool = False) -> list[_Candidate]:
        """The sentences that set out the item ``title`` opens, in reading order: those after it in its passage
        (or the next one, when the title closes its passage), up to the next item, title or heading ("一是…。"
        then its measures up to "二是…"), at most ``most``. ``listed``: the keys of the other titles the answer
        lists."""
        passages = self._body_passages(title.passage.doc_id)
        seq, _ = self._lists(passages)
        at = next((i for i, c in enumerate(seq) if c.key == title.key), None)
        if at is None:
            return []
        body: list[_Candidate] = []
        last = title.passage
        # A title announcing a list ("（二）符合下列要求的社会团体予以保留。") has that list, numbered in another
        # style ("1.…", "2.…"), for its body.
        mark = _ITEM_MARK_RE.match(title.text)
        announces = bool(re.search(r"下列|以下|如下", title.text))
        for c in seq[at + 1 :]:
            if len(body) >= most or c.key in listed or c.passage.headings != title.passage.headings:
                break
            # The next passage continues the item when the title closes its own passage, or, for an item listed
            # alone, when it follows on under the same headings.
            if alone and c.passage.id != last.id and c.passage.order != last.order + 1:
                break
            if not alone and c.passage.id != title.passage.id and (body or c.passage.order != title.passage.order + 1):
                break
            last = c.passage
            text = c.text.strip()
            if alone and re.fullmatch(r"[（(][^（）()]{1,30}[）)]", text):
                continue  # "（生态环境部指导）": who guides the measure before, not a heading of the item
            # An item listed alone gives its own short lead sentences too ("筑牢危险废物源头防线。"); they end an
            # item only where it is one of several.
            sub = _ITEM_MARK_RE.match(text)
            announced = bool(announces and sub and mark and sub.lastgroup != mark.lastgroup)
            if not announced and (
                sub or (not alone and (_ITEM_START_RE.match(text) or is_measure_title(text)))
                or classify_heading(text) is not None or text in c.passage.headings
            ):
                break
            if len(text) >= 8 and not says_nothing(text):
                body.append(c)
        return body

    def _with_bodies(self, titles: list[_Candidate], more: int = 0) -> tuple[list[_Candidate], int]:
        """Each of ``titles`` followed by its item's sentences (:meth:`_item_body`), whole items up to
        :attr:`BROAD_LINES` lines; the items left out are added to ``more``."""
        listed = {c.key for c in titles}
        # Every title is listed when the budget allows; their bodies share what is left of it.
        # An item listed alone is given whole, up to the line budget.
        alone = len(titles) == 1
        share = max(1, min(self.ITEM_SENTENCES, (self.BROAD_LINES - len(titles)) // max(1, len(titles))))
        most = self.BROAD_LINES - 1 if alone else share
        lines: list[_Candidate] = []
        for n, title in enumerate(titles):
            item = [title] + [c for c in self._item_body(title, listed, most, alone) if c.key not in listed]
            if lines and len(lines) + len(item) > self.BROAD_LINES:
                return lines, more + len(titles) - n
            lines += item
            listed |= {c.key for c in item}
        return lines, more

    def decide(self, question: str, retrieval: Retrieval, chosen: list[_Candidate], query=None) -> GateDecision:
        """The gate's verdict on the sentences ``chosen``: read with the passages, headings and time they are
        quoted from."""
        evidence = " ".join(c.text for c in chosen)
        cited_from = " ".join(dict.fromkeys(c.passage.embedding_text() + " " + self._time_of(c.passage) for c in chosen))
        quoted = [(c.text, c.passage.headings) for c in chosen]
        return self.gate.decide(question, retrieval, evidence, cited_from, query, quoted)

    def gate_verdicts(self, question: str, retrieval: Retrieval, chosen: list, query=None) -> list:
        """Every gate rule's verdict on the sentences ``chosen`` (the input :meth:`decide` gives the gate), for
        the app's retrieval test: :meth:`rag.gate.EvidenceGate.verdicts`."""
        evidence = " ".join(c.text for c in chosen)
        cited_from = " ".join(dict.fromkeys(c.passage.embedding_text() + " " + self._time_of(c.passage) for c in chosen))
        quoted = [(c.text, c.passage.headings) for c in chosen]
        return self.gate.verdicts(question, retrieval, evidence, cited_from, query, quoted)

    def answer(self, question: str, retrieval: Retrieval, k: int | None = None, query=None) -> Answer:
        """Answer from the evidence, or abstain. ``query``: the question analysed, when the caller has it."""
        k = k or self.settings.top_k
        query = query or analyse(question)
        chosen = self._whole_items(query, self.select(question, retrieval, k, query=query))
        if query.asks_publication:
            chosen = self._own_records(query, chosen, retrieval)
        decision = self.decide(question, retrieval, chosen, query)
        if not decision.answerable and chosen and decision.code in self.RUNNER_UP_CODES:
            chosen, decision = self._runner_up(query, retrieval, k, chosen, decision)
        if not decision.answerable and chosen and decision.code == "gate.figure_missing":
            # A target sentence for a year asked that opens its paragraph's list ("到2025年，农机装备品类基本齐全，…。"
            # then "全国农机总动力稳定在11亿千瓦左右，…。"): the sentences after it that set the figures.
            run = self._horizon_run(query, chosen)
            again = self.decide(question, retrieval, run, query) if run else None
            if again is not None and again.answerable:
                chosen, decision = run, again
        if not decision.answerable and chosen and decision.code == "gate.names_missing":
            # The best sentence names the part asked among others ("在知识产权保护、…等方面"); the part's own items,
            # when the document lists them, are the answer.
            listed = self.named_sections(query, retrieval, chosen)
            if listed and self.decide(question, retrieval, listed[0], query).answerable:
                return compose_broad(question, [(c.passage, c.text) for c in listed[0]], listed[1])
        if not decision.answerable or not chosen:
            reason = f"{decision.code}: {decision.reason}" if decision.code else "answer.no_evidence: no evidence sentences"
            return abstention(question, retrieval.hits[:k], reason)
        if self._sets_targets(query, chosen):
            # Targets asked, all of them, and the best sentence sets them ("主要预期目标是：经济增长6％左右；…"): that
            # sentence is the answer, not a list near it ("实现上述目标，必须…" then "（一）…").
            # Every clause of that sentence ("经济增长6％左右；城镇调查失业率5.5％左右，…；"); of the others chosen, those
            # setting targets too (a plan's general requirements set none).
            best = max(chosen, key=lambda c: c.score)
            full = _targets_run(best.passage.text, _full_sentence(best.passage.text, best.text))
            sentences, _ = self._labelled(best.passage)
            clauses = [_Candidate(best.passage_rank, best.passage, j, t, best.score) for j, t in enumerate(sentences)
                       if t.strip() and t.strip() in full]
            others = [c for c in chosen if not (c.passage.id == best.passage.id and c.text.strip() in full)
                      and _targets_set(_full_sentence(c.passage.text, c.text))]
            return compose(question, [(c.passage, c.text) for c in clauses + others])
        parts = self.chapter_parts(query, retrieval, chosen) or self.labelled_item(query, chosen)
        if parts:
            return compose_broad(question, [(c.passage, c.text) for c in parts[0]], parts[1])
        if not query.broad and "list" in query.answer_types:
            # A list asked ("提出了哪些项目和问题") whose best evidence announces a list: the list's items; a list
            # asked of a part the question names ("知识产权保护方面都有哪几项"): that part's items.
            listed = (
                self.named_sections(query, retrieval, chosen)
                or self.enumeration(query, retrieval, chosen)
                # …not the names of bodies, places or people, which one sentence gives ("由哪些部门统一归口管理").
                or (None if query.answer_types & {"body", "places", "who"} else self.short_document(query, retrieval, chosen))
            )
            if listed:
                return compose_broad(question, [(c.passage, c.text) for c in self._of_place(query, listed[0])], listed[1])
        if query.broad:
            items, more = self.broad_items(query, retrieval, chosen)
            if _asks_field_targets(query):
                items = self._setting_figures(items)
            return compose_broad(question, [(c.passage, c.text) for c in items], more)
        return compose(question, [(c.passage, c.text) for c in self._of_place(query, chosen)])

    def _setting_figures(self, items: list[_Candidate]) -> list[_Candidate]:
        """Targets asked of a field ("在数字经济方面定了哪些发展目标"): of a broad answer's ``items``, those setting a
        figure and the titles heading them ("提升医疗卫生服务能力。", "（三）…"), when any sets one."""
        setting = [c for c in items if figures(c.text) or _is_title_line(c, self.RUN_IN_CHARS[1])]
        return setting if any(figures(c.text) for c in setting) else items

    def _said_most(self, query: Query, retrieval: Retrieval) -> set[str]:
        """The one document retrieved whose text (its information table aside) holds the most of the question's words,
        or none when two hold as many."""
        words = [t for t in query.terms if len(t) >= 2 and not t.isdigit()]
        texts = {d: "\n".join(p.text for p in self.index.doc_passages(d) if METADATA_HEADING not in p.headings)
                 for d in dict.fromkeys(h.passage.doc_id for h in retrieval.hits)}
        held = {d: sum(w in text for w in words) for d, text in texts.items()}
        most = max(held.values(), default=0)
        best = [d for d, n in held.items() if n == most]
        return set(best) if most and len(best) == 1 else set()

    def _own_records(self, query: Query, chosen: list[_Candidate], retrieval: Retrieval) -> list[_Candidate]:
        """``chosen`` for a question on a document's number, date or issuer that names the document by what it says
        ("答复关于建立免费法律查询网站建议的那份文件，发文字号是什么"): a line of a document's information table
        ("发文字号：国办函〔2006〕69号") is that of the document the other sentences chosen are from. A line of
        another document's table gives way to the same line of theirs, when it has one; else it is left out. With no
        such sentence chosen, the document retrieved whose text says most of the question (:meth:`_said_most`)."""
        said = {c.passage.doc_id for c in chosen if METADATA_HEADING not in c.passage.headings} or self._said_most(query, retrieval)
        if len(said) != 1:
            return chosen
        doc = next(iter(said))
        out: list[_Candidate] = []
        for c in chosen:
            if METADATA_HEADING not in c.passage.headings or c.passage.doc_id == doc:
                out.append(c)
                continue
            label = re.split(r"[：:]", c.text, maxsplit=1)[0].strip()
            own = next((_Candidate(c.passage_rank, p, j, t, c.score)
                        for p in self.index.doc_passages(doc) if METADATA_HEADING in p.headings
                        for j, t in enumerate(answer_sentences(p.text))
                        if label and re.split(r"[：:]", t, maxsplit=1)[0].strip() == label), None)
            if own is not None and own.key not in {x.key for x in out}:
                out.append(own)
        return out

    def _sets_targets(self, query: Query, chosen: list[_Candidate]) -> bool:
        """Targets asked, all of them ("主要预期目标有哪些"), and the best of ``chosen`` is in a sentence setting
        :attr:`TARGETS_LISTED` or more, each a figure with its 左右/以上/以内."""
        if not chosen or not _asks_targets(query):
            return False
        best = max(chosen, key=lambda c: c.score)
        return _targets_set(_full_sentence(best.passage.text, best.text)) >= self.TARGETS_LISTED

    def _of_place(self, query: Query, items: list[_Candidate]) -> list[_Candidate]:
        """The items of a list on the province or city asked, when some name it and the others name other provinces
        or cities ("第五次大督查表扬的典型经验里，浙江有哪几项": "45.浙江省…", "46.浙江省湖州市…", not "44.江苏省…").
        A document of the place asked, or on it, is all about it: its items are kept."""
        asked = {p.region for p in query.places if p.level in ("province", "city")}
        if not asked:
            return items
        names = {n for p in query.places if p.level in ("province", "city") for n in (p.name, p.full_name) if n}

        def regions(c: _Candidate) -> set[str]:
            record = self.records.get(c.passage.doc_id)
            if (record is not None and record.region in asked) or any(n in c.passage.doc_title for n in names):
                return asked
            # Named in full ("江苏省淮安市"): a short name may be part of another ("左权县河南村煤矿").
            return {p.region for p in find_places(c.text) if p.level in ("province", "city") and p.full_name in c.text}

        named = [regions(c) for c in items]
        if not any(r & asked for r in named):
            return items
        return [c for c, r in zip(items, named) if not r or r & asked]

    def broad_items(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int]:
        """A broad question's items (and how many more qualified): the first of the document's parts named, the
        fields it sets measures on, a run-in part quoted, an announced list, its outline, a short reply's every
        point, a report's subsection, else every passage that answers (:meth:`widen`)."""
        # A lead-in chosen that announces the list in the question's words ("重点做好以下工作：" for "要重点做好
        # 哪些工作") says which of the document's lists is asked: its items come before an outline's.
        announced = self._announced(query, chosen)
        listed = self.enumeration(query, retrieval, chosen) if announced else None
        return (
            self.named_sections(query, retrieval, chosen)
            or self.field_items(query, retrieval, chosen)
            or self.run_in_part(query, retrieval, chosen)
            or listed
            or self.outline(query, retrieval, chosen)
            or (None if announced else self.enumeration(query, retrieval, chosen))
            # A short reply's every point, when no list of its own answers ("采取了以下几方面的措施：一、…").
            or self.short_document(query, retrieval, chosen)
            or self.subsection(query, retrieval, chosen)
            or self.widen(query, retrieval, chosen)
        )

    # Refusals about what the best sentence states (another thing's figure, another unit, no figure at all):
    # a sentence scoring nearly as well may state the very figure asked. Which of two near-equal sentences
    # ranks first must not decide between an answer and a refusal.
    HORIZON_RUN = 6  # a target sentence for a year is followed by at most this many sentences setting figures

    def _horizon_run(self, query: Query, chosen: list[_Candidate]) -> list[_Candidate] | None:
        """The best of ``chosen``, a sentence opening with a year the question names as a deadline ("到2025年，…"),
        with the sentences after it in its paragraph that state figures, in order; None when it is not such a
        sentence or none follows."""
        best = max(chosen, key=lambda c: c.score)
        m = re.match(r"\s*(?:到|至)((?:19|20)\d\d)年", best.text)
        if not m or int(m.group(1)) not in set(query.horizons) | set(query.years):
            return None
        sentences, _ = self._labelled(best.passage)
        at = best.position
        if not (0 <= at < len(sentences)) or sentences[at].strip() != best.text.strip():
            return None
        run = []
        for j in range(at + 1, min(len(sentences), at + 1 + self.HORIZON_RUN)):
            if not figures(sentences[j]):
                break
            run.append(_Candidate(best.passage_rank, best.passage, j, sentences[j], best.score))
        return [best] + run if run else None

    RUNNER_UP_CODES = ("gate.figure_not_of_subject", "gate.unit_mismatch", "gate.answer_kind_missing")
    RUNNER_UP_MARGIN = 0.03
    # A kind of answer missing (a date, a day, a fee) is looked for a little further down: the runner-up must then
    # give that kind itself, which a sentence near the top seldom does by chance.
    RUNNER_UP_KIND_MARGIN = 0.05

    def _runner_up(self, query: Query, retrieval: Retrieval, k: int, chosen: list[_Candidate],
                   decision: GateDecision) -> tuple[list[_Candidate], GateDecision]:
        """``chosen`` refused by one of :attr:`RUNNER_UP_CODES`: the sentences chosen without its best one, when
        their best scores within :attr:`RUNNER_UP_MARGIN` of it, states the figure asked (the documents' facts say
        so) or gives the kind of answer asked (a date, a day), and the gate accepts them; else as it was."""
        question = query.text
        # A figure missing (a count, an amount) is judged as a figure: a digit alone states none.
        kind = decision.code == "gate.answer_kind_missing" and not re.search(r"\b(?:count|amount)\b", decision.reason)
        if not kind and (self.states_figure is None or not query.asks_figure):
            return chosen, decision
        best = max(chosen, key=lambda c: c.score)
        others = self._whole_items(query, self.select(question, retrieval, k, frozenset({best.key}), query=query))
        top = max(others, key=lambda c: c.score, default=None)
        if top is None or top.score < best.score - (self.RUNNER_UP_KIND_MARGIN if kind else self.RUNNER_UP_MARGIN):
            return chosen, decision
        # The documents' facts must say that sentence states the figure asked (its subject, measure and year); a
        # kind of answer asked (a date, a day, a fee), that it gives one.
        if kind:
            kinds = [_HAS[k] for k in query.answer_types if k in _HAS and k not in ("count", "amount")]
            if not kinds or not all(rx.search(top.text) for rx in kinds) or (
                "date" in query.answer_types and "day" in decision.reason and not DAY_RE.search(top.text)
            ):
                return chosen, decision
        elif not self.states_figure(query, top.passage.id, top.text):
            return chosen, decision
        again = self.decide(question, retrieval, others, query)
        return (others, again) if again.answerable else (chosen, decision)

    def _whole_items(self, query: Query, chosen: list[_Candidate]) -> list[_Candidate]:
        """``chosen``, each sentence of an item the question names by its label ("七、国庆节：10月1日至7日放假调休，
        共7天。", "1.摸底排查。…") followed by the rest of that item in its paragraph ("9月29日（星期日）、10月12日
        （星期六）上班。", "该项工作于2019年4月底前完成。")."""
        question = query.text
        squashed = re.sub(r"\s", "", question)
        keys = {c.key for c in chosen}
        out: list[_Candidate] = []
        for c in chosen:
            out.append(c)
            sentences, labels = self._labelled(c.passage)
            label = labels[c.position] if c.position < len(labels) else ""
            if not _names_label(label, squashed):
                continue
            for j in range(c.position + 1, len(sentences)):
                # The item ends with its paragraph (a new line of the passage starts with the sentence).
                starts_line = ("\n" + sentences[j][:12]) in c.passage.text
                if labels[j] != label or (c.passage.id, j) in keys or starts_line:
                    break
                out.append(_Candidate(c.passage_rank, c.passage, j, sentences[j], c.score))
        return out

    BROAD_ITEMS = 8  # a broad answer lists at most this many passages' measures, then says how many more
    BROAD_MARGIN = 0.10  # …each passage's best sentence scoring within this of the best sentence
    BROAD_SENTENCE_MARGIN = 0.12  # …and, of a listed passage, every measure within this of its best sentence
    BROAD_PER_PASSAGE = 6  # …at most this many from one passage

    OUTLINE_SHARE = 2 / 3  # an outline answers when at least this share of the passages retrieved is one document's
    OUTLINE_MIN_TITLES = 6  # …whose body is a run of at least this many numbered measures ("（三）完善农机装备创新体系。")
    OUTLINE_MARGIN = 0.15  # …each listed scoring within this of the best sentence
    OUTLINE_TITLE_SHARE = 0.4  # …and the document's title holding at least this share of the question's words
    OUTLINE_NEAREST = 3  # …and, asked of a part no title or measure names, the items nearest the question in meaning

    def outline(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int] | None:
        """A broad question on one document whose measures are numbered titles ("（三）完善农机装备创新体系。",
        "（一）带量采购，以量换价。", "1.摸底排查。", as a 意见, 方案 or 通知 sets them out): its measures are those
        titles, not the paragraphs that restate its subject. When most passages retrieved are one such document's
        and its title names the question's subject, the answer lists its titles, best first up to
        :attr:`BROAD_ITEMS` passages, in the document's order. A question that names something only some of the
        document's passages speak of (职工的安置和社保 in a 转制 document) gets the titles naming it, else those
        scoring nearly as well as the best one; a question on the document's whole subject ("药品集中采购试点有哪些
        具体措施") gets all of them. Each title is followed by the sentences that set its measure out
        (:meth:`_with_bodies`). A document with attachments is read in its own text first (:func:`_before_attachment`).
        None for any other question (and for one naming a place abroad, which :meth:`widen` answers)."""
        hits = retrieval.hits
        if not hits or not chosen or query.asks_abroad:
            return None  # a place abroad asked: the items on it are picked from the passages (:meth:`widen`)
        doc = hits[0].passage.doc_id
        if sum(h.passage.doc_id == doc for h in hits) < self.OUTLINE_SHARE * len(hits):
            return None
        # The question is on the document's own subject: its title holds a good part of the question's words
        # ("农业机械化", "农机装备" in 《…加快推进农业机械化和农机装备产业转型升级的指导意见》), which a report
        # covering many subjects does not.
        # The title's kind, places and years ("2025年北京市政府工作报告") say which document, not its subject.
        record = self.records.get(doc)
        title = _title_subject(hits[0].passage.doc_title, record.kind if record else "")
        words = [t for t in query.terms if len(t) >= 2 and not t.isdigit()]
        if not words or sum(t in title for t in words) < self.OUTLINE_TITLE_SHARE * len(words):
            return None
        passages = self._body_passages(doc)
        # The document's own text before its attachments, when that sets out measures or parts of its own (a notice's
        # "三、…道路优先通行权" and "四、…政策保障", not its attachment's "（一）汽车号牌。" of plate designs); else
        # the whole, attachments included (a cover letter whose attachment is the plan).
        body = _before_attachment(passages)
        for scope in ([body, passages] if body and len(body) < len(passages) else [passages]):
            cands = self._candidates(query, retrieval, [p.id for p in scope])
            # The titles of its measures, not the labels of its opening part ("一、总体要求 › （二）指导思想。").
            titles = [c for c in cands if is_measure_title(c.text) and not _labels_part(c.passage.headings)]
            if len(titles) >= self.OUTLINE_MIN_TITLES:
                break
            parts = self._parts(cands, query)
            # (Parts that set nothing out beyond their headings leave it to the attachment: "一、推广的改革举措（共23项）".)
            if scope is passages or (parts and len(parts[0]) > len({c.passage.headings[:1] for c in parts[0]})):
                return parts
        for c in titles:  # each read as if retrieved first: the document, not a passage's rank, is the answer
            c.score += self.RANK_PENALTY * c.passage_rank
        subject = query.subject_terms
        whole = not _narrows(subject, hits[0].passage.doc_title, [p.text for p in passages],  # its kind ("意见") too
                             [h for p in passages for h in p.headings])
        # Asked of a part, the best title must answer nearly as well as the best sentence; the others are
        # weighed against it.
        top = max(c.score for c in titles)
        if not whole and top < max(c.score for c in chosen) - self.OUTLINE_MARGIN:
            return None
        near = sorted((c for c in titles if whole or c.score >= top - self.OUTLINE_MARGIN), key=lambda c: -c.score)
        if not whole:
            # Titles that name the part asked ("（十二）发展农机社会化服务组织。" for "对农机社会化服务组织有哪些
            # 扶持政策") are its answer, when some do.
            # Those naming most of its words: "（五）…强化危险废物全面安全管控。" for "在强化危险废物全面安全管控方面",
            # not every title saying 废物.
            topical = self._topic_words(query.subject, hits[0].passage.doc_title, nouns=True)
            held = _words_held(near, topical)
            most = max(held.values(), default=0)
            named = [c for c in near if most and held[c.key] == most]
            # No title names it, but the heading they stand under does ("（十）加大基础设施建设力度。" under
            # "五、大力促进贫困地区休闲农业和乡村旅游提质升级" for "休闲农业和乡村旅游"): that part's titles.
            if not named:
                under = {c.key: sum(w in " ".join(c.passage.headings) for w in topical) for c in near}
                most = max(under.values(), default=0)
                named = [c for c in near if most >= 2 and under[c.key] == most]
            # No title names the field the question names ("在投融资和金融服务方面" of "（十九）完善相关投入机制。"):
            # the measures whose sentences speak of it most ("…金融产品和融资模式").
            field = [w for part in query.field_parts for w in tokenize(part) if w in topical]
            if not named and field:
                keys = {c.key for c in titles}
                said = {c.key: sum(w in " ".join(b.text for b in self._item_body(c, keys, self.BROAD_LINES)) for w in field)
                        for c in near}
                most = max(said.values(), default=0)
                named = [c for c in near if most and said[c.key] == most]
            # No title names a noun of it: those naming another of its words ("予以保留" for "可以保留").
            if not named and not field:
                held = _words_held(near, self._topic_words(query.subject, hits[0].passage.doc_title))
                most = max(held.values(), default=0)
                named = [c for c in near if most and held[c.key] == most]
            # Nothing names it (an English question, whose words are not the document's): the items whose sentences
            # are nearest the question in meaning.
            if not named:
                named = self._nearest_titles(retrieval, near, {c.key for c in titles}, self.OUTLINE_NEAREST)
            near = named or near
        listed: list[_Candidate] = []
        for c in near:
            if len({x.passage.id for x in listed} | {c.passage.id}) > self.BROAD_ITEMS:
                break
            listed.append(c)
        if len(listed) < 2 and len(listed) == len(near):
            return None if len(listed) < 1 or whole else self._with_bodies(listed)
        listed.sort(key=lambda c: (c.passage.order, c.position))
        return self._with_bodies(listed, len(near) - len(listed))

    def _nearest_titles(self, retrieval: Retrieval, titles: list[_Candidate], keys: set, most: int) -> list[_Candidate]:
        """The ``most`` of ``titles`` whose items (title and body) hold the sentences nearest the question's vector."""
        vector = np.asarray(retrieval.query_vector, dtype=np.float32)
        bodies = {c.key: [c] + self._item_body(c, keys, self.BROAD_LINES) for c in titles}
        sv = self.index.sentence_vectors(list(dict.fromkeys(b.passage.id for body in bodies.values() for b in body)))
        at = {key: row for row, key in enumerate(sv.keys())}
        near = {k: max((float(sv.vectors[at[b.key]] @ vector) for b in body if b.key in at), default=-1.0)
                for k, body in bodies.items()}
        return sorted(titles, key=lambda c: -near[c.key])[:most]

    OUTLINE_MIN_PARTS = 3

    def _parts(self, cands: list[_Candidate], query: Query) -> tuple[list[_Candidate], int] | None:
        """A document on the question's whole subject whose numbered parts are headings with no numbered measures
        under them ("一、关于黄金地质勘探问题" … in a 复函): each part's heading and what it sets out, in order.
        ``cands``: the document's sentences. None when it has fewer than :attr:`OUTLINE_MIN_PARTS` such parts.

        Measures asked ("提出了哪些应对措施", "要求抓好哪些工作") of a report whose parts tell what happened and
        then what is proposed ("一、基本情况 … 四、建议意见", "三、关于进一步加强…工作的意见"): the parts proposing,
        whole, not the first lines of every part."""
        seq = sorted(cands, key=lambda c: (c.passage.order, c.position))
        heads = list(dict.fromkeys(c.passage.headings[0] for c in seq if c.passage.headings
                                   and re.match(r"[一二三四五六七八九十]+、", c.passage.headings[0])
                                   and not _labels_part((c.passage.headings[0],))))
        proposing = [h for h in heads if _PROPOSING_PART_RE.search(h)]
        if len(heads) >= self.OUTLINE_MIN_PARTS and 0 < len(proposing) < len(heads) and query.asks_measures:
            # (Not a bare line under a heading of its own closing the part: the signature, "国家地震局".)
            lines = [c for c in seq if c.passage.headings and c.passage.headings[0] in proposing and not says_nothing(c.text)
                     and not (len(c.passage.headings) > 1 and c.text.strip() == c.passage.headings[-1]
                              and not _ITEM_MARK_RE.match(c.text))]
            if len(lines) >= 2:
                return lines[: self.BROAD_LINES], max(0, len(lines) - self.BROAD_LINES)
        lines: list[_Candidate] = []
        parts = 0
        for i, c in enumerate(seq):
            heading = c.passage.headings[0] if c.passage.headings else ""
            if c.position != 0 or c.text.strip() != heading or not re.match(r"[一二三四五六七八九十]+、", heading):
                continue
            if _labels_part((heading,)):
                continue
            parts += 1
            lines.append(c)
        if parts < self.OUTLINE_MIN_PARTS:
            return None
        # The parts the question names by their headings ("主要职能是什么？有哪些工作规则和工作要求？" of a reply whose
        # parts are 一、主要职能 … 四、工作要求): those parts, not the others.
        squashed = query.squashed
        duties = query.asks_duties

        def names(heading: str) -> bool:
            name = _heading_name(heading)
            # Whole ("工作规则"), by its closing noun ("按什么规则开会"), or, asked what a body is responsible for,
            # the part on its functions ("主要职能" for "主要负责哪些工作").
            return ((len(name) >= 3 and name in squashed)
                    or (len(name) >= 4 and name[-2:] in squashed and name[-2:] not in _GENERIC_PART_NOUNS)
                    or (duties and bool(re.search(r"职能|职责", name))))

        named = [c for c in lines if names(c.text)]
        return self._with_bodies(named or lines)


    def named_sections(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int] | None:
        """A broad question whose field names parts of the document that answers it ("在功能建设和运维管理上有哪些
        要求" of an 意见 whose parts are "三、加强功能建设" and "四、规范运维管理"): the answer is those parts, each
        as its numbered items' titles ("（一）推进政务公开，强化解读回应。") with the sentences that set each out,
        or, for a part with no numbered items, its sentences scoring nearly as well as its best. Only when the
        parts named are fewer than half of the document's: a field matching most parts names none. None for any
        other question."""
        if not chosen or not (query.fields or "list" in query.answer_types):
            return None
        best = max(chosen, key=lambda c: c.score)
        passages = [p for p in self.index.doc_passages(best.passage.doc_id) if p.headings and METADATA_HEADING not in p.headings]
        tops = list(dict.fromkeys(p.headings[0] for p in passages))
        entries = False  # a part named whole, listed entry by entry
        if query.fields:
            # A part the document's title holds is its whole subject ("农机装备产业" of 《…农业机械化和农机装备产业转型
            # 升级的指导意见》): :meth:`outline` answers that.
            parts = {p for p in query.field_parts if p not in best.passage.doc_title}
            named = [h for h in tops if any(p in h for p in parts)]
            # A part no heading names whole ("投资贷款" beside "二、关于理顺黄金工业投资渠道问题") is named by half its
            # nouns or more that the title does not hold ("投资"), when it has two or more and exactly one heading
            # holds that many — and only beside a part named whole ("勘探资金": the question names the parts).
            for part in parts if named else ():
                if any(part in h for h in named):
                    continue
                words = [w for w in _part_words(part) if w not in best.passage.doc_title]
                # (A part of one noun, "管理上", is too general to name one part by it.)
                holding = [h for h in tops if len(words) >= 2 and 2 * sum(w in h for w in words) >= len(words)]
                if len(holding) == 1 and holding[0] not in named:
                    named.append(holding[0])
            named = [h for h in tops if h in named]
        else:
            # A list asked of a part the question names in its heading's words ("下放科技管理权限具体要落实哪几项" of
            # "三、深入推进下放科技管理权限工作"): the one part holding most of them, at least PART_WORDS, of a policy
            # document (a report's or a plan's chapters are read by :meth:`enumeration`), listing numbered items.
            if not self._one_subject(best.passage.doc_id):
                return None
            # A numbered part the question names by its whole heading ("部门委员来自哪些部门" of "（一）部门委员") is
            # listed entry by entry, numbered or not (not an attachment headed by the document's name).
            squashed = query.squashed
            whole = [h for h in tops if _bare(h.strip()) != h.strip() and len(_heading_name(h)) >= 3 and _heading_name(h) in squashed]
            entries = len(whole) == 1
            words = query.words_beyond(best.passage.doc_title)
            held = {h: sum(w in h for w in words) for h in tops}
            most = max(held.values(), default=0)
            named = [h for h in tops if held[h] == most] if most >= self.PART_WORDS else []
            named = whole if entries else named if len(named) == 1 else []
        if not named or 2 * len(named) > len(tops):
            return None
        lines: list[_Candidate] = []
        for heading in named:
            body = [p for p in passages if p.headings[0] == heading]
            seq = sorted(self._candidates(query, retrieval, [p.id for p in body]), key=lambda c: (c.passage.order, c.position))
            seq = [c for c in seq if c.text.strip() != heading]
            # Numbered items, titled ("（一）推进政务公开，强化解读回应。") or stated whole ("（二十三）…转制为企业后，
            # 五年内免征企业所得税。").
            items = [i for i, c in enumerate(seq) if _SUBSECTION_TITLE_RE.match(c.text) or _MEASURE_TITLE_RE.match(c.text)
                     or _ITEM_MARK_RE.match(c.text)]
            if len(items) >= 2:
                lines += self._with_bodies([seq[i] for i in items])[0]
            elif entries:
                # (Not the signature closing the document under a heading of its own: "国务院办公厅", the date.)
                lines += [c for c in seq if c.passage.headings == (heading,) and not says_nothing(c.text.strip())]
            elif not query.fields:
                return None  # a part named by its heading's words, with no numbered items: no list of its own
            elif seq:
                top = max(c.score for c in seq)
                lines += [c for c in seq if c.score >= top - self.BROAD_SENTENCE_MARGIN and len(c.text) >= 16][: self.BROAD_PER_PASSAGE]
        if not lines:
            return None
        return lines[: self.BROAD_LINES], max(0, len(lines) - self.BROAD_LINES)

    PART_WORDS = 3  # a list asked of a part named by at least this many of its heading's words (named_sections)
    MANY_SUBJECT_KINDS = frozenset({"政府工作报告", "报告", "规划", "纲要", "回顾"})
    FIELD_LINES = 2  # a broad question's named field: at most this many of its document's sentences naming it
    FIELD_SHARE = 0.5  # …and only a field fewer than this share of the document's sentences name (not its subject)

    SHORT_DOCUMENT_SENTENCES = 18  # a document of at most this many sentences (a reply, a letter) …
    SHORT_DOCUMENT_CHARS = 1000  # … and characters is answered whole by a broad question on it

    def short_document(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int] | None:
        """A broad question, or a list asked that no numbered list answers, answered from a short document (a reply
        to a deputy's suggestion, a letter approving a bid: a few paragraphs, each on another point): every sentence
        it states, in its order. Such a document is no list of measures under headings, and what it says on each
        point asked (who pays, what comes next) is a sentence or two of its own. None unless all the sentences
        chosen are from one document that short."""
        docs = {c.passage.doc_id for c in chosen}
        if len(docs) != 1:
            return None
        doc_id = docs.pop()
        passages = self._body_passages(doc_id)
        if sum(len(p.text) for p in passages) > self.SHORT_DOCUMENT_CHARS:
            return None
        cands = self._candidates(query, retrieval, [p.id for p in passages])
        last = max(p.order for p in passages)
        lines = [
            c for c in sorted(cands, key=lambda c: (c.passage.order, c.position))
            if len(re.sub(r"\W", "", c.text)) >= 8 and not says_nothing(c.text) and not is_formula(c.text, self.boilerplate)
            and not c.text.rstrip().endswith(("：", ":", "收悉。"))
            # The closing passage's heading line is who signs it ("国务院办公厅 中央军委办公厅").
            and not (c.passage.order == last and c.text.strip() in c.passage.headings)
        ]
        if not lines or len(lines) > self.SHORT_DOCUMENT_SENTENCES:
            return None
        return lines, 0

    def _one_subject(self, doc_id: str) -> bool:
        """The document is a policy document on one subject, not a report or a plan (:attr:`MANY_SUBJECT_KINDS`)."""
        record = self.records.get(doc_id)
        return record is not None and record.kind not in self.MANY_SUBJECT_KINDS

    def field_items(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int] | None:
        """A broad question naming fields a policy document (not a report or a plan: :attr:`MANY_SUBJECT_KINDS`)
        sets measures on apart ("农机化那个指导意见在金融、保险、税费上有哪些支持措施"): for each field, the
        document's best sentences naming it ("落实农机服务金融支持政策…", "鼓励发展农机保险…", "…按规定减免相关
        税费"), in the document's order. A field the title holds, or most of its sentences name, is the document's
        whole subject and picks nothing. None unless two fields and at least half of them are found, or an English
        question's quoted Chinese field names a measure's title (then that item, with what it sets out)."""
        if not chosen or not query.field_parts:
            return None
        best = max(chosen, key=lambda c: c.score)
        # A report or a plan speaks of each field in a part of its own (:meth:`subsection`, :meth:`widen`).
        if not self._one_subject(best.passage.doc_id):
            return None
        doc_title = best.passage.doc_title
        # A place is no field here: the passages on it are picked where they stand (:meth:`widen`).
        fields = [f for f in dict.fromkeys(query.field_parts) if f not in doc_title and not find_places(f)]
        if not fields:
            return None
        passages = self._body_passages(best.passage.doc_id)
        cands = [c for c in self._candidates(query, retrieval, [p.id for p in passages])
                 if len(c.text) >= 16 or is_measure_title(c.text)]
        if not cands:
            return None
        picked: dict[tuple[str, int], _Candidate] = {}
        found = 0
        for f in fields:
            naming = [c for c in cands if _names_field(f, c.text)]
            if not naming or len(naming) > self.FIELD_SHARE * len(cands):
                continue
            found += 1
            for c in sorted(naming, key=lambda c: -c.score)[: self.FIELD_LINES]:
                picked.setdefault(c.key, c)
        # One field that a part of the document is on is answered by that part (:meth:`subsection`, :meth:`outline`),
        # unless it is the Chinese an English question quotes and a measure's own title names it.
        if not picked or 2 * found < len(fields) or (
            found < 2 and (query.lang == "zh" or not any(is_measure_title(c.text) for c in picked.values()))
        ):
            return None
        lines = sorted(picked.values(), key=lambda c: (c.passage.order, c.position))
        # A measure's or a part's title naming the field ("（十二）多措并举打造“双师型”教师队伍。", "二、关于…供应价格
        # 和经营费用负担问题。"): the item, with what it sets out.
        listed = {c.key for c in lines}
        whole: list[_Candidate] = []
        for c in lines:
            whole += [c] + ([b for b in self._item_body(c, listed, self.ITEM_SENTENCES) if b.key not in listed]
                            if is_item_title(c.text) else [])
        return whole[: self.BROAD_LINES], max(0, len(whole) - self.BROAD_LINES)

    def _body_passages(self, doc_id: str) -> list[Passage]:
        """A document's passages in reading order, its information table (:data:`METADATA_HEADING`) aside."""
        return [p for p in self.index.doc_passages(doc_id) if METADATA_HEADING not in p.headings]

    def _labelled(self, passage: Passage) -> tuple[list[str], list[str]]:
        """A passage's sentences and each one's item label (:func:`_item_labels`), worked out once per passage."""
        found = self._label_cache.get(passage.id)
        if found is None:
            if len(self._label_cache) >= 1024:
                self._label_cache.clear()
            sentences = answer_sentences(passage.text)
            found = self._label_cache[passage.id] = (sentences, _item_labels([passage.id] * len(sentences), sentences))
        return found

    def _lists(self, passages: list[Passage]) -> tuple[list[_Candidate], list[list[int]]]:
        """A document's sentences in reading order, unscored (a list is found by its numbering, and its lines are
        quoted in order, not ranked), and its numbered lists (:func:`_numbered_runs`); kept per document, by
        its passages' ids (content hashes)."""
        key = tuple(p.id for p in passages)
        found = self._list_cache.get(key)
        if found is None:
            if len(self._list_cache) >= 256:
                self._list_cache.clear()
            seq = [_Candidate(0, p, i, t, 0.0) for p in passages for i, t in enumerate(answer_sentences(p.text))]
            found = self._list_cache[key] = (seq, _numbered_runs(seq))
        return found

    def _one_item(self, query, own: list[str], titles: list[_Candidate], said: str) -> bool:
        """The question asks of one item of a list, not of the list (``titles``; ``said``: its lead-in).

        A question naming fields ("在治理大气污染、保护生态环境方面"): the fields found in titles are all found in
        the same one, and none is only in the lead-in ("生态环境保护" of "…在加强生态文明建设上实现新突破。…对
        生态环境的满意度" before "一是…二是…三是全社会推进绿色低碳转型"). Any other: the specific words of it
        found in only one title in three or fewer all point to the same title ("湖北提出的主辅分离问题…" of a
        letter's five matters), and its lead-in, which speaks of the whole list, says no specific noun of it."""
        rare = max(1, len(titles) / 3)

        def found(words: list[str]) -> set[int]:
            hits = [{i for i, c in enumerate(titles) if w in c.text} for w in words if self._specific(w)]
            return set().union(*[h for h in hits if 1 <= len(h) <= rare])

        if query.field_parts:
            words = [[w for w in tokenize(p) if len(w) >= 2] + [p] + _shared_runs(p, titles) for p in query.field_parts]
            each = [found(ws) for ws in words]
            # A field its lead-in speaks of and no title does is the list's own subject.
            if any(not hits and any(w in said and self.gate.share(w) <= self.LEAD_SHARE for w in ws)
                   for hits, ws in zip(each, words)):
                return False
            return len(set().union(*each)) == 1
        specific = [w for w in own if self._specific(w)]
        if query.lang == "en" and len(titles) >= self.EN_ONE_ITEM_TITLES:
            # An English question's Chinese words are the glossary's general ones ("消费" for "consumer spending"):
            # one of them in one title only of a long list, and not in its lead-in, points to that item.
            pointing = [{i for i, c in enumerate(titles) if w in c.text} for w in own if w not in said]
            if any(len(h) == 1 for h in pointing) and len(set().union(*[h for h in pointing if len(h) == 1])) == 1:
                return True
        return not any(w in said and is_noun(w) for w in specific) and len(found(specific)) == 1

    EN_ONE_ITEM_TITLES = 4  # an English question's word in one title only points to that item in a list this long

    SPECIFIC_SHARE = 0.05  # a word in at most this share of passages says what the question is about
    LEAD_SHARE = 0.15  # a field's word in a list's lead-in, in at most this share of passages, ties it to the list

    def _specific(self, word: str) -> bool:
        """``word`` is rare enough in the indexed passages to say what a question is about ("乡村全面振兴", not
        "推进" or "重点")."""
        return self.gate.share(word) <= self.SPECIFIC_SHARE

    ENUMERATION_ITEMS = 12  # an announced list's titles are listed up to this many, then how many more
    ENUMERATION_MIN_ITEMS = 2
    ENUMERATION_MIN_LONG = 3  # a list of long items is read as one from this many
    ENUMERATION_LEAD = 4  # a lead-in chosen is at most this many sentences before the list's first item
    COUNTED_PASSAGES = 5  # an English question's counted list is looked for in this many passages found first
    ENUMERATION_TITLE_CHARS = 8  # item titles this long (median) name measures or matters, not bare labels
    ENUMERATION_INTRODUCED_CHARS = 6  # …or this long, when the lead-in chosen announces them ("（二）形成标准规范。")

    def enumeration(
        self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]
    ) -> tuple[list[_Candidate], int] | None:
        """A broad question answered by a sentence that announces a list ("我们采取了以下几方面的措施：",
        "现将有关情况函复如下："): the answer is the list's item titles ("一、研究制定指导性文件，规范…。",
        "二、关于支持国有企业主辅分离问题。"), every one, in order, however far the list runs through the
        document. The items are the ones written in the text, numbered alike and in sequence (a nested
        "（一）…" list under an item is not one of them); items the reader made headings are a document's parts,
        which :meth:`outline` and :meth:`subsection` answer from. "一是…二是…三是…" is such a list too, announced
        by its own numbering. Each title is followed by the sentences that set its item out. A broad question
        announced a list of long items, each a sentence ("一、对深化商事制度改革成效显著…的市…，优先纳入…。"),
        gets those sentences. None when no sentence
        chosen is the list's lead-in, a title or an item's opening, when the question's words point to one item,
        or when the list is of bare labels ("一、主要职能")."""
        if not chosen or query.asks_abroad:
            return None
        best = max(chosen, key=lambda c: c.score)
        passages = self._body_passages(best.passage.doc_id)
        seq, runs = self._lists(passages)
        keys = {c.key for c in chosen}
        ats = [i for i, c in enumerate(seq) if c.key in keys]  # the chosen sentences' places in the document
        # The question's words that are not the document's subject (its title's).
        own = query.words_beyond(best.passage.doc_title)
        squashed = query.squashed
        for run in runs:
            first = run[0]
            titles = [seq[i] for i in run]
            lead = seq[max(0, first - 3) : first]
            # Anchored: a sentence chosen is the list's lead-in, one of its titles, or the one opening an item.
            if not any(first - self.ENUMERATION_LEAD <= at < first or at in run or at - 1 in run for at in ats):
                continue
            # "一是…二是…" enumerates by itself; a list numbered otherwise is announced ("…如下：").
            announced = bool(_ENUM_ITEM_RE.match(titles[0].text).group("shi")) or any(
                _ANNOUNCES_RE.search(c.text.strip()) for c in lead
            )
            # Items the reader made headings are a document's parts, answered by :meth:`outline` and
            # :meth:`subsection`, unless the sentence chosen is the lead-in announcing them in the question's words
            # ("重点做好以下工作：" for "要重点做好哪几项试点任务").
            headed = any(c.text.strip().rstrip("。；;") in c.passage.headings for c in titles)
            introduced = any(first - self.ENUMERATION_LEAD <= at < first for at in ats) and any(
                self._announces_asked(c.text, squashed, own) for c in lead
            )
            if (
                len(titles) < self.ENUMERATION_MIN_ITEMS
                or not announced
                or headed and not introduced
                or sorted(len(_bare(c.text)) for c in titles)[len(titles) // 2]
                < (self.ENUMERATION_INTRODUCED_CHARS if introduced else self.ENUMERATION_TITLE_CHARS)
            ):
                continue
            if self._one_item(query, own, titles, "".join(c.text for c in lead)):
                continue
            # A list on something else: its titles say none of the question's words, nor does a lead-in announce
            # it in the question's words ("重点做好以下工作：" for "要重点做好哪几项").
            if len(own) > 2 and not any(any(w in c.text for c in titles) for w in own) and not introduced and not any(
                _ANNOUNCES_RE.search(c.text.strip()) and _echoes(c.text, squashed) for c in lead
            ):
                continue
            if "places" in query.answer_types and not any(_names_places(c.text) for c in titles):
                continue  # places asked ("哪些地区"); a list of measures names none
            # Each item's title, and the sentences that set it out; an article's items after its lead-in, which says
            # what follows from them ("专利代理师有下列行为之一的，…予以警告，可以处5万元以下的罚款；…：").
            items, more = self._with_bodies([seq[i] for i in run[: self.ENUMERATION_ITEMS]], max(0, len(titles) - self.ENUMERATION_ITEMS))
            listed = {x.key for x in items}
            lead_in = [c for c in self._article_lead(query, retrieval, seq[first], seq) if c.key not in listed]
            return lead_in + items, more
        # A list of long items, each a sentence of its own ("一、对深化商事制度改革成效显著…的市…，优先纳入…。"),
        # announced by a lead-in chosen ("现将调整后的督查激励措施…通知如下："): its items, in order.
        for run in _numbered_runs(seq, titled_only=False) if query.broad or "list" in query.answer_types else ():
            first = run[0]
            lead = seq[max(0, first - 3) : first]
            if len(run) < self.ENUMERATION_MIN_LONG or not any(first - self.ENUMERATION_LEAD <= at < first for at in ats):
                continue
            # Long items, not titles (a list of those is read above) nor the reader's headings. "一是…二是…" items,
            # long and short mixed ("一是新建改造50个社区养老工程、…，让老年人…。二是为2万名高危人群进行…筛查。"),
            # are such a list, announced by their own numbering.
            items = [seq[i] for i in run]
            mark = _ITEM_MARK_RE.match(items[0].text)
            shi = bool(mark.group("shi") or mark.group("circ"))  # numbering that announces itself: "一是…", "①…"
            titled = sum(bool(_ENUM_ITEM_RE.match(c.text)) for c in items)
            if (titled == len(items) if shi else 2 * titled >= len(items)) or any(
                c.text.strip().rstrip("。；;") in c.passage.headings for c in items
            ):
                continue
            # A lead-in announces the list ("…通知如下："); "一是…" items need none when the sentence right before
            # them, chosen, says what the question asks in its words ("今年再办好15件民生实事。" for "15件民生实事都包括
            # 哪些"), not a narrower subject ("…要大幅降低非税负担。" for "降成本方面有哪些措施").
            # An English question names the list by its count ("the 'ten key livelihood projects'": 十大), which the
            # sentence before the items writes ("扎实办好“十大重点民生实事”。") and the items bear out (①…⑩).
            if not any(_ANNOUNCES_RE.search(c.text.strip()) for c in lead) and not (
                shi and lead and lead[-1].key in keys
                and (_echoes(lead[-1].text, squashed) or not query.chinese and _asks_count(query, lead[-1].text, len(run)))
            ):
                continue
            # A list too long to give whole, asked of a field ("对农业农村和脱贫攻坚工作成效明显的地方有哪些激励"): the
            # items nearest the field in meaning (the field's own vector against each item's), in order.
            # (A field the document's title holds is its whole subject: "对真抓实干、成效明显的地方" of "关于对真抓实干
            # 成效明显地方进一步加大激励支持力度的通知".)
            title = best.passage.doc_title
            parts = ["".join(w for w in tokenize(f) if w not in title) for f in query.field_parts
                     if f.replace("的", "") not in title]
            parts = [f for f in parts if len(f) >= 2]
            if len(run) > self.ENUMERATION_ITEMS and parts:
                items = self._nearest_items("、".join(parts), [seq[i] for i in run], self.FIELD_ITEMS)
                return self._with_bodies(items, len(run) - len(items))
            return self._with_bodies([seq[i] for i in run[: self.ENUMERATION_ITEMS]], max(0, len(run) - self.ENUMERATION_ITEMS))
        # A list announced by its count with no numbers ("实施城建“六大攻坚行动”。实施重大基础设施建设攻坚行动。…
        # 实施提升轨道交通分担率攻坚行动。…"), the lead chosen: its items.
        # (An English question's count, "the six … campaigns", is searched for, not a topic word: the sentence naming
        # the list is looked for in the passages found first, chosen or not.)
        counts = () if query.chinese else counted_lists(query.text)
        found = {h.passage.id for h in retrieval.hits[: self.COUNTED_PASSAGES]}
        named = [i for i, c in enumerate(seq) if c.passage.id in found and any(t in c.text for t in counts)]
        for at in list(dict.fromkeys(ats + named)):
            items = _counted_items(seq, at)
            if items and (_asks_count(query, seq[at].text) or _echoes(seq[at].text, squashed)):
                return self._with_bodies(items)
        return None

    PARTS_MIN = 3  # a chapter is divided into parts when it has this many numbered titles or more
    HEADING_CORE_CHARS = 4  # a heading is named by a question writing this many characters of it or more

    def chapter_parts(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int] | None:
        """A question asking what parts a chapter is divided into ("把今年的重点工作分成了哪几大块", "部署了哪些方面的
        政府工作任务"): the titles opening its parts ("一是聚焦全方位扩大内需，着力提消费促投资", "（一）着力稳定宏观
        经济大盘，…。"), in order, each cited. The chapter is the heading of the best evidence's document that the
        question writes, its number and year aside ("三、2025年重点工作": 重点工作); its parts are the first list of
        numbered titles spanning most of it. None when the question asks no parts, names a field of its own, names no heading,
        or the heading has fewer than :attr:`PARTS_MIN` parts."""
        if not query.asks_parts or not chosen or query.field_parts:
            return None  # (a field named, "在民生持续改善方面安排了哪几方面的重点工作", asks that part's own)
        best = max(chosen, key=lambda c: c.score)
        passages = self._body_passages(best.passage.doc_id)
        squashed = query.squashed
        named: tuple[str, ...] = ()
        for p in passages:
            for depth in range(len(p.headings)):
                # The heading's core, or one of the things it joins ("目标任务和重点工作": 重点工作), written whole.
                pieces = [_heading_core(p.headings[depth])]
                pieces += re.split(r"[和与及、]", pieces[0])
                if any(len(x) >= self.HEADING_CORE_CHARS and x in squashed for x in pieces) and depth + 1 > len(named):
                    named = tuple(p.headings[: depth + 1])  # the deepest heading named
        asked = re.sub(r"政府工作报告|government work report", "", squashed if query.chinese else query.text.lower())
        if not named and _THIS_YEAR_RE.search(asked) and _WORK_ASKED_RE.search(asked):
            # This year's work asked of a report ("今年重点做好哪几方面工作"): its chapter on the year's work, headed
            # with the report's year or 今年 ("二、2025年工作安排", "二、对今年政府工作的建议").
            year = re.search(r"(?:19|20)\d\d", best.passage.doc_title)
            marks = ["今年"] + ([f"{year.group(0)}年"] if year else [])
            # (The longest such chapter: "三、2025年重点工作任务", not "二、2025年工作总体要求".)
            chapters = Counter(p.headings[0] for p in passages if p.headings and _PART_NUMBER_RE.match(p.headings[0])
                               and any(m in p.headings[0] for m in marks) and re.search(r"工作|任务", p.headings[0]))
            named = (chapters.most_common(1)[0][0],) if chapters else ()
        if not named:
            return None
        seq, runs = self._lists([p for p in passages if tuple(p.headings[: len(named)]) == named])
        runs = [run for run in runs if len(run) >= self.PARTS_MIN]
        if not runs:
            return None
        # The list dividing the chapter is the one spanning most of it, not a short list in its opening ("做好今年工作，
        # 一是坚定发展信心。二是…" before "（一）大力提振消费。…").
        titles = [seq[i] for i in max(runs, key=lambda run: (run[-1] - run[0], -run[0]))]
        shown = titles[: self.ENUMERATION_ITEMS]
        return shown, len(titles) - len(shown)

    def labelled_item(self, query: Query, chosen: list[_Candidate]) -> tuple[list[_Candidate], int] | None:
        """A question asking what a document's item labelled with a word of the kind 意见 and 方案 open with says
        ("总体上要达到什么目标" of "（四）试点目标。到2020年，…"; "基本原则有哪些" of "（三）基本原则。"): that item, whole.
        The label is a numbered run-in title of two to six characters; the question asks its last word (目标, 原则)
        as what it wants (:data:`_LABEL_ASKED`), and the best evidence's document has one such label ending in
        it, or one the question writes whole. None otherwise, and for a broad question, whose parts the broad
        answer gives."""
        if not chosen or query.broad:
            return None  # (a broad question's parts are the broad answer's: named_sections, outline …)
        best = max(chosen, key=lambda c: c.score)
        passages = self._body_passages(best.passage.doc_id)
        seq, _ = self._lists(passages)
        labels = [(c, m.group(1)) for c in seq for m in [_ITEM_LABEL_RE.match(c.text.strip())] if m]
        squashed = query.squashed if query.chinese else ""
        asked = [(c, label) for c, label in labels
                 if any(re.search(_LABEL_ASKED.format(noun=re.escape(n)), squashed) for n in (label, label[-2:]))]
        whole = [(c, label) for c, label in asked if label in squashed]
        found = whole if len(whole) == 1 else asked if len(asked) == 1 else []
        if not found:
            return None
        return self._with_bodies([found[0][0]])

    RUN_IN_CHARS = (4, 20)  # a paragraph's run-in title is this short ("促进外贸创新发展。")

    def run_in_part(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int] | None:
        """A broad question quoting a paragraph's run-in title word for word ("提出了哪些促进外贸创新发展的措施" of
        "促进外贸创新发展。面对外需持续低迷…一要…二要…"): the part it titles, sentence by sentence, up to the next
        paragraph opening with a title of its own ("积极有效利用外资。"), a numbered title or another heading. The
        title opens its paragraph, is short (:attr:`RUN_IN_CHARS`), has no comma and no figure, and is found in a
        retrieved passage of the best evidence's document. None when no such title is quoted, or when the
        question names more than the titles it quotes ("发展高原特色农业、保障粮食安全" quotes only the second)."""
        if not chosen:
            return None
        best = max(chosen, key=lambda c: c.score)
        squashed = query.squashed
        shortest, longest = self.RUN_IN_CHARS

        def title_of(sentences: list[str]) -> str:
            title = re.sub(r"\s+", "", sentences[0]).rstrip("。；;") if sentences else ""
            return title if (shortest <= len(title) <= longest and not re.search(r"[，,、：:；;\d]", title)
                             and not _ITEM_START_RE.match(title)) else ""

        def next_title(sentences: list[str]) -> bool:
            # The next part's title says what to do ("合理扩大有效投资。", "积极培育新兴产业和未来产业。"); a short
            # statement opening a paragraph of the same part says what is ("婴幼儿照护事关千家万户。").
            title = title_of(sentences)
            if not title:
                return False
            tags = [w.flag for w in posseg().cut(title)]
            # Opening with nouns, it still says what to do when a verb follows them ("高标准高质量建设雄安新区。").
            return tags[0] not in ("n", "r", "m", "nr", "ns", "t") or (
                tags[0] == "n" and any(t in ("v", "vn") for t in tags[1:]) and tags[-1].startswith("n"))

        lines = [  # the document's lines in reading order: passage, first sentence's position, sentences
            (p, at, sentences)
            for p in self.index.doc_passages(best.passage.doc_id) if METADATA_HEADING not in p.headings
            for at, sentences in _lines_of(p.text)
        ]
        retrieved = {h.passage.id for h in retrieval.hits}
        quoted: list[str] = []
        picked: list[_Candidate] = []
        for n, (passage, at, sentences) in enumerate(lines):
            title = title_of(sentences)
            if passage.id not in retrieved or not title or not _quotes_title(title, squashed) or title in quoted:
                continue
            if title in best.passage.doc_title or _DOCUMENT_KIND_END_RE.search(title):
                continue  # a document's own name heading its text ("国家职业教育改革实施方案"), not a part's title
            quoted.append(title)
            for m in range(n, len(lines)):
                p, first, line = lines[m]
                if m > n and (not line or next_title(line) or _SUBSECTION_TITLE_RE.match(line[0])
                              or p.headings != passage.headings):
                    break
                picked += [_Candidate(0, p, first + i, text, best.score) for i, text in enumerate(line) if not says_nothing(text)]
        if not quoted or len(picked) < 2:
            return None
        # The question's other nouns, beyond the titles it quotes and its document's title, name another part.
        other = [w for w in subject_nouns(query) if w not in FILLER_WORDS and w not in ("方面", "领域")
                 and not any(w in t for t in quoted) and w not in best.passage.doc_title]
        if other:
            return None
        return picked[: self.BROAD_LINES], max(0, len(picked) - self.BROAD_LINES)

    FIELD_ITEMS = 8  # of a list too long to give whole, asked of a field, the items nearest the field

    def _nearest_items(self, field: str, items: list[_Candidate], most: int) -> list[_Candidate]:
        """The ``most`` of ``items`` whose sentence vectors are nearest the vector of ``field``, in reading order."""
        vector = np.asarray(self.index.embedder.embed_queries([field])[0], dtype=np.float32)
        sv = self.index.sentence_vectors(list(dict.fromkeys(c.passage.id for c in items)))
        at = {key: row for row, key in enumerate(sv.keys())}
        scored = [(float(sv.vectors[at[c.key]] @ vector) if c.key in at else -1.0, n) for n, c in enumerate(items)]
        keep = sorted(n for _, n in sorted(scored, reverse=True)[:most])
        return [items[n] for n in keep]

    SUBSECTION_PASSAGES = 8  # a subsection's body is read up to this many passages

    def subsection(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int] | None:
        """A broad question whose evidence holds a report's numbered subsection title ("（二）下好创新先手棋，一体
        推进教育科技人才发展。" for "科技创新和人才方面打算怎么做"): the subsection's body is the answer. Its
        passages, from the title to the next title numbered alike, give every measure they state, in reading
        order, up to :attr:`BROAD_LINES`. None when no sentence chosen is such a title (a report's review's, for a
        question on this year's plans), or a place abroad is asked (:meth:`widen`)."""
        if query.asks_abroad:
            return None
        cands = self._candidates(query, retrieval, [h.passage.id for h in retrieval.hits])
        titles = [c for c in chosen if _SUBSECTION_TITLE_RE.match(c.text)]
        # A title among the retrieved passages' sentences that answers nearly as well as the best chosen one
        # ("（二）激发市场主体活力，着力优化营商环境。" for "为优化营商环境、激发市场主体活力提出了哪些举措").
        top = max(c.score for c in chosen)
        k = self.settings.top_k
        retrieved = [c for c in cands if c.passage_rank < k and _SUBSECTION_TITLE_RE.match(c.text)]
        # A title naming more of the subject's words ("十、建设绿色低碳之城。" beside "一、原则同意《…总体规划》。" for
        # "对建设绿色低碳城市提出了哪些要求") is the part asked, whatever its score.
        topical = self._topic_words(query.subject, chosen[0].passage.doc_title)
        held = _words_held(retrieved + titles, topical)
        if titles and retrieved:
            most = max(held[c.key] for c in retrieved)
            if most > max(held[c.key] for c in titles):
                titles = [c for c in retrieved if held[c.key] == most]
        titles = titles or [c for c in retrieved if c.score >= top - self.BROAD_MARGIN]
        # A report's review tells what was done last year: a question on this year's plans is not answered by it.
        if query.asks_plan:
            titles = [c for c in titles if not self._reviews(c.passage)]
        if not titles:
            return None
        best = max(titles, key=lambda c: (held.get(c.key, 0), c.score))
        # A title naming only a part of a word asked ("（六）聚力生态环境治理" for 营商环境: its 环境) is on another subject.
        fragments = {w for w in topical if any(w != o and w in o for o in topical)}
        named = {w for w in topical if w in best.text}
        if named and named <= fragments:
            return None
        marker = _title_style(_SUBSECTION_TITLE_RE.match(best.text))
        following = [q for q in self.index.doc_passages(best.passage.doc_id) if q.order >= best.passage.order]
        body: list[_Candidate] = []
        for q in following[: self.SUBSECTION_PASSAGES]:
            if q.headings[:1] != best.passage.headings[:1]:
                break  # the chapter ends
            ended = False
            for c in self._sentences_of(query, retrieval, [q], cands):
                if q is best.passage and c.position <= best.position:
                    continue
                m = _SUBSECTION_TITLE_RE.match(c.text)
                if (m and _title_style(m) == marker) or addresses_audience(c.text):
                    ended = True  # the next subsection, or the speech's closing call ("各位代表！…")
                    break
                # A paragraph's run-in title ("就业更充分。") names one of the subsection's fields: it is kept.
                run_in = ("\n" + c.text[:12]) in "\n" + q.text and not re.search(r"[，,；;：:]", c.text) and len(c.text) >= 4
                if (len(c.text) >= 16 or run_in) and not says_nothing(c.text) and classify_heading(c.text) is None:
                    body.append(c)
            if ended:
                break
        if not body:
            return None
        # A title naming nothing of the subject asked, over a body holding none of the evidence chosen ("（一）…扩大
        # 内需…" for a question on opening up, answered in another subsection), is another subsection.
        within = {best.passage.id} | {c.passage.id for c in body}
        if topical and not held.get(best.key, 0) and not any(c.passage.id in within for c in chosen):
            return None
        # The subsection is on the subject asked: all it sets out answers, in reading order, up to the line budget.
        items = body[: self.BROAD_LINES - 1]
        more = len({c.passage.id for c in body[len(items):]} - {c.passage.id for c in items})
        return [best] + items, more

    def widen(self, query: Query, retrieval: Retrieval, chosen: list[_Candidate]) -> tuple[list[_Candidate], int]:
        """A broad question ("有什么支持", "哪些措施") gets every retrieved passage that answers it, and every
        measure of those passages: to the sentences ``chosen`` (already let through by the gate), each other
        passage is added when its best sentence scores nearly as well; a listed passage then gives each of its
        sentences that scores nearly as well as its own best (a passage on a topic states several measures of
        it: "深化对俄协作" goes on with trade, science and culture), and a passage on the subject asked
        (:meth:`_on_topic`: "大力提振消费。…") all it states. A place the question names (非洲, 东盟, 港澳)
        must be in each item or its headings. Returns the items, grouped by document, and how many more
        passages qualified."""
        from rag.glossary import COUNTRIES, REGION_MEMBERS

        # The world regions and countries it names (a province or city it names scopes the documents instead).
        abroad = abroad_names()
        by_kind = [(places, names) for places, names in query.places_asked if set(names) <= abroad]
        asked = {p for places, _ in by_kind for p in places}
        asked |= {m for p in list(asked) for m in REGION_MEMBERS.get(p, ())}
        # The short forms the documents write a country's relations in ("对俄", "中俄" for 俄罗斯): read only in
        # headings and item titles, since in running text they are parts of other words ("对美好生活").
        short = {n for forms in COUNTRIES.values() if asked.intersection(forms) for n in forms if len(n) >= 2} - asked
        # Longest names first, so that 中东欧 is not read as 中东, nor 马来西亚 as 西亚.
        names = tuple(sorted({n for kind in _place_kinds() for n in kind} | asked, key=longest_first))
        titled = tuple(sorted(set(names) | short, key=longest_first))
        # Other places abroad named beside it: other regions, and countries outside the region asked.
        of_kind = set(abroad)

        def about_place(p: Passage) -> bool:
            # The passage is an item on the place asked: its headings or its title line name it ("3. 密切对美沟通。").
            opening = re.findall(r"[^。；;\n]+[。；;]?", p.text.strip())[:2]  # a heading line may come first
            title = "".join(t for t in opening if _NUMBERED_TITLE_RE.match(t) or classify_heading(t) is not None)
            return bool((asked | short).intersection(_find_places(" ".join(p.headings) + title, titled)))

        def on_place(c: _Candidate) -> bool:
            # It names the place asked (or one of its countries), and no other place of that kind (港澳 for 非洲);
            # in an item on the place asked, every sentence speaks of it.
            if not asked or about_place(c.passage):
                return True
            others = {n for n in _find_places(c.text, names) if n in of_kind} - asked
            return bool(asked.intersection(_find_places(c.text, names))) and not others

        def states(c: _Candidate) -> bool:
            # A sentence that states something: not a heading, a formula, a page's information table or a fragment.
            if len(c.text) < 16 or says_nothing(c.text) or classify_heading(c.text) is not None:
                return False
            return not is_formula(c.text, self.boilerplate) and METADATA_HEADING not in c.passage.headings

        cands = self._candidates(query, retrieval, [h.passage.id for h in retrieval.hits])
        usable = [c for c in cands if states(c) and on_place(c) and not self._preamble(c.passage)]
        # A plan's general requirements name every field; they answer only when no passage of measures does.
        usable = [c for c in usable if not self._general_requirements(c.passage)] or usable
        planned = query.asks_plan and any(not self._reviews(c.passage) for c in usable)
        if planned:
            # A report's review tells what was done last year; it answers only when no passage of a plan does.
            usable = [c for c in usable if not self._reviews(c.passage)]
        # The measures are in a document's parts: its preamble answers only when nothing else does.
        given = chosen
        kept = [c for c in chosen if not self._preamble(c.passage) and not (planned and self._reviews(c.passage))
                and not self._general_requirements(c.passage)]
        if kept or usable:
            chosen = kept
        best = max((c.score for c in chosen), default=max((c.score for c in usable), default=0.0))
        placed = [c for c in chosen if on_place(c)] if asked else list(chosen)
        have = {c.passage.id for c in placed}  # a passage whose chosen sentences were off the place may still answer

        def pooled() -> list[_Candidate]:
            # Each other passage's best usable sentence, when it scores nearly as well as the best.
            top: dict[str, _Candidate] = {}
            for c in usable:
                if c.passage.id in have:
                    continue
                near = c.score >= best - self.BROAD_MARGIN
                if near and (c.passage.id not in top or c.score > top[c.passage.id].score):
                    top[c.passage.id] = c
            return sorted(top.values(), key=lambda c: -c.score)

        pool = pooled()
        if asked and not placed and not pool:
            # Nothing retrieved speaks of the place asked: the place is evidence of its own, and the passages of
            # the documents retrieved that name it (or one of its countries) are read, whatever their rank
            # ("迪拜" for a question on 中东), each scored as if retrieved first.
            held = {h.passage.doc_id for h in retrieval.hits}
            retrieved = {h.passage.id for h in retrieval.hits}
            extra = [
                p.id for d in held for p in self.index.doc_passages(d)
                if p.id not in retrieved and asked.intersection(_find_places(p.text, names))
            ]
            found = self._candidates(query, retrieval, extra)
            for c in found:
                c.score += self.RANK_PENALTY * c.passage_rank
            usable += [c for c in found if states(c) and on_place(c)]
            pool = pooled()
        if not placed and not pool:
            return given, 0
        room = max(0, self.BROAD_ITEMS - len({c.passage.id for c in placed}))
        items = placed + pool[:room]
        # Each listed passage's other measures, nearly as good as its best.
        listed = {c.passage.id for c in items}
        own_best: dict[str, float] = {}
        for c in items:
            own_best[c.passage.id] = max(own_best.get(c.passage.id, c.score), c.score)
        taken = {c.key for c in items}
        per_passage: dict[str, int] = {}
        for c in items:
            per_passage[c.passage.id] = per_passage.get(c.passage.id, 0) + 1
        # A passage on the subject asked (its heading or its opening title names it: "大力提振消费。" for "怎么提振
        # 消费") sets out that subject's measures: all of them answer.
        topical = self._topic_words(query.subject, items[0].passage.doc_title)
        whole = {pid for pid in listed if self._on_topic(next(c.passage for c in items if c.passage.id == pid), topical)}
        # …and when such a passage holds the best sentence, it is the answer: the passages that only score nearly as
        # well, their titles naming something else, are left out ("实施提振消费专项行动。…", not the note on
        # 稳增长"18条" that also speaks of 消费).
        if whole and max(items, key=lambda c: c.score).passage.id in whole:
            items = [c for c in items if c.passage.id in whole]
            listed = set(whole)
            taken = {c.key for c in items}
        # A part the question quotes by its title ("“扩大高水平对外开放”这部分有哪些举措"): the passages it titles are
        # the answer, whole; others that only mention it (a chapter's opening list of tasks) are not.
        quoted = [q for q in query.quoted if len(q) >= 4]
        named_part = {c.passage.id for c in usable if self._on_topic(c.passage, quoted)} if quoted else set()
        if named_part:
            tops: dict[str, _Candidate] = {}
            for c in usable:
                if c.passage.id in named_part and (c.passage.id not in tops or c.score > tops[c.passage.id].score):
                    tops[c.passage.id] = c
            items = list(tops.values())
            taken = {c.key for c in items}
            per_passage = {pid: 1 for pid in tops}
            listed, whole = named_part, named_part
        # Targets asked on a field ("在数字经济方面定了哪些发展目标"): of a passage on it, the sentences setting figures.
        targets = _asks_field_targets(query)
        for c in sorted(usable, key=lambda c: (c.passage.order, c.position)):
            pid = c.passage.id
            if targets and not figures(c.text):
                continue
            if pid in whole and c.key not in taken and per_passage[pid] < self.TOPIC_SENTENCES:
                items.append(c)
                taken.add(c.key)
                per_passage[pid] += 1
        for c in sorted(usable, key=lambda c: -c.score):
            pid = c.passage.id
            if pid not in listed or pid in whole or c.key in taken or per_passage[pid] >= self.BROAD_PER_PASSAGE:
                continue
            # An item on the place asked gives all it states; any other passage its measures nearly as good as its best.
            if (asked and about_place(c.passage)) or c.score >= own_best[pid] - self.BROAD_SENTENCE_MARGIN:
                items.append(c)
                taken.add(c.key)
                per_passage[pid] += 1
        docs = {d: i for i, d in enumerate(dict.fromkeys(c.passage.doc_id for c in sorted(items, key=lambda c: c.passage_rank)))}
        items.sort(key=lambda c: (docs[c.passage.doc_id], c.passage.order, c.position))
        return self.on_field(query, items)[: self.BROAD_LINES], len(pool) - len(pool[:room])

    def on_field(self, query: Query, items: list[_Candidate]) -> list[_Candidate]:
        """``items`` gathered across a document (:meth:`widen`) less those of passages that name nothing of the
        field asked, when others do: "上海今年养老服务方面打算做哪些事" is answered by the paragraphs on 养老, not
        by one on consumption or finance that scores nearly as well. The field's words are the Chinese question's
        subject nouns (not those of a clause saying who asks) and those of the fields it names, less its
        documents' titles and places, rare enough to say a subject (:attr:`LEAD_SHARE`)."""
        # An English question's words are the glossary's terms, often compounds its passages write apart; a place
        # abroad asked is already what each item must name.
        if not items or not query.chinese or query.asks_abroad:
            return items
        from rag.keyword import words as cut

        titles = "".join({c.passage.doc_title for c in items})
        # Not the clauses saying who asks ("我们是做工程机械的民企"): the asker's trade is no field of the document.
        field_subject = query.field_subject
        words = set(self._topic_words(field_subject, titles, nouns=True)) if field_subject else set()
        for f in query.fields:
            words |= {w for w in cut(f) if len(w) >= 2 and w not in titles and not find_places(w)}
        words = {w for w in words if self.gate.share(w) <= self.LEAD_SHARE}
        if not words:
            return items
        named = {c.passage.id: any(w in c.passage.text or w in "".join(c.passage.headings) for w in words) for c in items}
        if all(named.values()) or not any(named.values()):
            return items
        return [c for c in items if named[c.passage.id]]

    TOPIC_SENTENCES = 12  # a passage on the subject asked gives at most this many sentences
    TOPIC_TITLE_CHARS = 24  # a passage's opening sentence this short, with no comma, is its title ("大力提振消费。")

    def _topic_words(self, subject: str, doc_title: str, nouns: bool = False) -> list[str]:
        """The words naming what a broad question is about: of the question less its asking frame, those not in
        the document's title, not places or years, and rare enough in the passages (:attr:`LEAD_SHARE`) to say
        a subject ("消费", "城市更新", not "企业" or "建设"); with ``nouns``, only its nouns."""
        words = [w for w in question_terms(subject) if len(w) >= 2 and not w.isdigit() and (is_noun(w) or not nouns)]
        return [w for w in words if w not in doc_title and not find_places(w) and self.gate.share(w) <= self.LEAD_SHARE]

    def _on_topic(self, passage: Passage, words: list[str]) -> bool:
        """``passage`` is on the subject ``words`` name: its last heading or its opening title holds one."""
        if not words:
            return False
        first = (answer_sentences(passage.text) or [""])[0].strip()
        title = first if len(first) <= self.TOPIC_TITLE_CHARS and not re.search(r"[，,；;：:]", first) else ""
        where = (passage.headings[-1] if passage.headings else "") + title
        return any(w in where for w in words)


# A plan's general requirements or guiding thought: "今年工作的总体要求是：…", "以习近平…为指导，…坚持稳中求进工作总基调".
# A part of a report or a reply proposing what to do ("四、建议意见", "三、关于进一步加强…工作的意见").
_PROPOSING_PART_RE = re.compile(r"意见|建议|措施|对策|要求|任务")
_GENERAL_REQUIREMENTS_RE = re.compile(r"总体要求是|工作总基调|指导思想[：:是]")
# A part's opening on the year's place ("今年是“十四五”规划收官之年，…做好全年工作意义重大。"): the setting, no measure.
_YEARS_PLACE_RE = re.compile(r"^今年是[^。；;]{2,60}之年")

# A part heading's closing noun that every question may use of anything ("工作要求" is not named by "有哪些要求").
_GENERIC_PART_NOUNS = frozenset({"要求", "措施", "任务", "工作", "意见", "问题", "情况", "建议"})


# A document's list of its attachments: "附件：1.国土资源部关于…的报告" and the numbered titles after it.
_ATTACHMENTS_RE = re.compile(r"\s*附件\s*[:：][^\n，,。；;]*(?:\n\s*\d{1,2}\s*[.．、][^\n，,。；;]*)*\s*")


def _lists_attachments(text: str) -> bool:
    """``text`` is nothing but a document's list of its attachments: it names them, says nothing."""
    return bool(_ATTACHMENTS_RE.fullmatch(text))


# The name of the things a list question asks for, closing it: "哪几条路", "哪几种“经济”", "哪些平台".
_ASKED_NOUN_RE = re.compile(r"哪(?:几|些)(?:条|种|个|类|项|大|家|座)?[“\"]?(?P<n>[\u4e00-\u9fff]{1,2})[”\"]?(?=[？?，,。！!]|$)")



# A numbered measure's title standing alone: "（三）完善农机装备创新体系。", "（一）带量采购，以量换价。",
# "1.摸底排查。".
_MEASURE_TITLE_RE = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、](?!\d))\s*(?P<body>[^；;。：:]{4,30})[。]?$"
)
# The labels a policy document's opening part is set out under, which name no measure: "（一）指导思想。".
_SECTION_LABEL_RE = re.compile(
    r"^(?:指导思想|基本原则|总体要求|总体目标|主要目标|工作目标|发展目标|目标任务|总体思路|基本思路|适用范围|工作原则|重大意义)"
)


def is_measure_title(sentence: str) -> bool:
    """True for a numbered measure's title standing alone as a sentence ("（一）带量采购，以量换价。"), not a
    label of the document's opening part ("（一）指导思想。") nor a clause of running text."""
    m = _MEASURE_TITLE_RE.match(sentence)
    if not m:
        return False
    body = m.group("body").strip()
    return not _SECTION_LABEL_RE.match(body) and body.count("，") + body.count(",") <= 2


# A part's title standing alone as a sentence at the head of its paragraph ("一、关于棉粮挂钩的奖售基数问题。").
_PART_TITLE_RE = re.compile(r"^\s*[一二三四五六七八九十]{1,3}、[^；;。：:，,]{4,40}[。]?$")


def is_item_title(sentence: str) -> bool:
    """True for a numbered measure's title (:func:`is_measure_title`) or a numbered part's title standing alone
    as a sentence ("一、关于棉粮挂钩的奖售基数问题。"): a line whose item is the sentences after it."""
    return is_measure_title(sentence) or bool(_PART_TITLE_RE.match(sentence))


NARROWING_SHARE = 1 / 3  # a word held by at most this share of a document's passages speaks of a part of it


def _title_subject(title: str, kind: str) -> str:
    """What a document's title says of its subject: the title less its kind (政府工作报告, 通知), the places and
    the years it names ("2025年北京市政府工作报告" says nothing of a subject)."""
    if kind:
        title = title.replace(kind, " ")
    for place in find_places(title):
        for name in (place.full_name, place.name):
            if name:
                title = title.replace(name, " ")
    return re.sub(r"(?:19|20)\d{2}年?", " ", title)


def _labels_part(headings) -> bool:
    """True for a passage under a policy document's opening part ("一、总体要求"), whose titles are labels."""
    return bool(headings) and bool(_SECTION_LABEL_RE.match(re.sub(r"^[一二三四五六七八九十]+、\s*", "", headings[0])))


# A line opening a document's attachments: "附件", "附件1.", "附件2：" on its own.
_ATTACHMENT_LINE_RE = re.compile(r"^附件\s*\d{0,2}\s*[.．:：]?$")


def _before_attachment(passages: list[Passage]) -> list[Passage]:
    """``passages`` (a document's, in reading order) before the one where its attachments open
    (:data:`_ATTACHMENT_LINE_RE`); all of them when none does."""
    for n, p in enumerate(passages):
        if any(_ATTACHMENT_LINE_RE.match(line.strip()) for line in p.text.splitlines()):
            return passages[:n]
    return passages


def _narrows(words: list[str], title: str, texts: list[str], headings: list[str] = ()) -> bool:
    """True when the question's subject ``words`` name something, beyond the document's title, that a few of its
    passages speak of ("职工" in a question on a 转制 document), or name one of its parts: it asks a part of the
    document, not all of it. A word the title holds, one no passage holds, or one many passages hold narrows nothing
    alone; words many passages hold that one heading of ``headings`` names together, two more of them than any other
    does, narrow ("休闲农业", "乡村旅游" of "五、大力促进贫困地区休闲农业和乡村旅游提质升级", where 旅游 and 农业 are
    said all over a 消费扶贫 document)."""
    beyond = [w for w in words if w not in title]
    for w in beyond:
        held = sum(w in t for t in texts)
        if 0 < held <= len(texts) * NARROWING_SHARE:
            return True
    named = sorted((sum(w in h for w in beyond) for h in dict.fromkeys(headings)), reverse=True) + [0, 0]
    return named[0] >= 2 and named[0] >= named[1] + 2


# A body of government whose member of a group is asked: "水利部派的成员", "发展改革委的成员" (the group itself, a
# 委员会 or 领导小组, is not one).
_ORG_NAMED_RE = re.compile(r"([\u4e00-\u9fff]{2,6}?(?:部|委|局|署))(?=派出?的|的成员|方面的成员|出的成员)")

# A subsection's title standing alone: "（二）下好创新先手棋，一体推进教育科技人才发展。", or in a document whose parts are numbered
# paragraphs, not headings, "十、建设绿色低碳之城。". Its style (:func:`_title_style`) is what the next title of its
# rank shares.
_SUBSECTION_TITLE_RE = re.compile(r"^\s*(?P<open>[（(])?[一二三四五六七八九十]+(?(open)[)）]|、)\s*[^。；;：:]{4,40}[。]?$")


def _words_held(cands: list[_Candidate], words: list[str]) -> dict[tuple[str, int], int]:
    """How many of ``words`` each of ``cands`` says, by its key: the title naming most of the question's words is
    the part asked (:meth:`ExtractiveAnswerer.outline`, :meth:`ExtractiveAnswerer.subsection`). A word said only
    within a longer one it says (产品 in 农产品) is not counted again."""
    def held(text: str) -> int:
        said = [w for w in words if w in text]
        return sum(not any(w != o and w in o for o in said) for w in said)

    return {c.key: held(c.text) for c in cands}


def _title_style(m: re.Match) -> str:
    """The numbering style of a :data:`_SUBSECTION_TITLE_RE` match: "（" or "、"."""
    return m.group("open") or "、"

# The number opening a list's item, however long the item's first sentence: "一、", "（二）", "3.", "四是", "⑤".
_ITEM_MARK_RE = re.compile(
    r"^\s*(?:(?P<cn>[一二三四五六七八九十]{1,3})、|[（(](?P<paren>[一二三四五六七八九十]{1,3})[)）]|(?P<digit>\d{1,2})[.．、](?!\d)"
    r"|(?P<shi>[一二三四五六七八九十]{1,2})是(?=[^。；;：:，,]{4})|(?P<circ>[①-⑳]))"
)
# A list item's title written in the text: "一、研究制定指导性文件，规范各级政府网站的建设与管理。",
# "（二）关于荆南四河堤防一期工程可研报告批复和开工建设问题。", "3. 摸底排查。", "三是全社会推进绿色低碳转型。".
_ENUM_ITEM_RE = re.compile(_ITEM_MARK_RE.pattern + r"\s*[^。；;：:]{2,48}[。；;]?$")
# A sentence announcing the list that follows: "…采取了以下几方面的措施：", "…现将有关情况函复如下。".
_ANNOUNCES_RE = re.compile(r"(?:如下|以下|下列)[^。；;]{0,12}[：:。]?$|[：:]$")


# A date or deadline in a sentence: "2019年4月底前", "10月1日", "6月底".
_DATE_IN_RE = re.compile(r"(?:19|20)\d\d年(?:\d{1,2}月)?|\d{1,2}月(?:\d{1,2}日|底|初|中旬|上旬|下旬)?")
# A year alone names no date a deadline asks for ("2019年…" in a document's own year): "2019年2月底" does.
_YEAR_ONLY_RE = re.compile(r"(?:19|20)\d\d年(?!\d{1,2}月)")
# A sentence referring back to the work said before it ("以上工作要在…前完成", "上述任务…").
_REFERS_BACK_RE = re.compile(r"(?:以上|上述|前述|此项|该项|这项|这些|上列)")

# A department or body named in a sentence: "应急部", "教育部", "国家发展改革委", "市场监管总局", "国务院办公厅".
_BODY_IN_RE = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:部|委|总局|局|办公厅|办公室|署|委员会|人民政府)(?=[，、。；为负牵和与及等主会]|$)")

def _names_places(sentence: str) -> int:
    """How many of China's places and the world's countries and regions ``sentence`` names."""
    return len({p.name for p in find_places(sentence)} | {n for n in abroad_names() if n in sentence})


# An item's label: "七、国庆节：…", "（二）春节：…", "总指挥：…" (a short name before a colon).
_LABEL_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、．])?\s*([\u4e00-\u9fff]{2,8})\s*[：:](?!$)"
    # …or a numbered item's short title standing as its own sentence: "1.摸底排查。"
    r"|^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、．])\s*([\u4e00-\u9fff]{2,8})。$"
)
_LABEL_CARRY = 2  # a label carries to at most this many sentences after its own, within its item


def _item_labels(passage_ids: list[str], sentences: list[str]) -> list[str]:
    """Each sentence's item label (see :data:`_LABEL_RE`), or ''. A label carries on to the next sentences of
    its passage ("七、国庆节：10月1日至7日…。9月29日…上班。") until another item starts."""
    out: list[str] = []
    current, carried, last = "", 0, None
    for pid, sentence in zip(passage_ids, sentences):
        if pid != last:
            current, carried, last = "", 0, pid
        m = _LABEL_RE.match(sentence)
        if m:
            current, carried = m.group(1) or m.group(2), 0
        elif current and (_ITEM_START_RE.match(sentence) or carried >= _LABEL_CARRY):
            current = ""
        else:
            carried += 1 if current else 0
        out.append(current)
    return out


def _shared_runs(text: str, titles: list[_Candidate], shortest: int = 4) -> list[str]:
    """The longest runs of ``text`` (at least ``shortest`` characters) that a title writes word for word
    ("乡村全面振兴" of "甘肃今年推进乡村全面振兴" in "…加快乡村全面振兴"): jieba cuts such a term into common words."""
    runs: list[str] = []
    for size in range(len(text), shortest - 1, -1):
        for at in range(len(text) - size + 1):
            run = text[at : at + size]
            if not any(run in r for r in runs) and any(run in t.text for t in titles):
                runs.append(run)
    return runs


QUOTED_TITLE_SHARE = 0.8  # a question quotes a title when runs it writes word for word cover this share of it
QUOTED_RUN_CHARS = 3  # …each run at least this long


QUOTED_OBJECT_CHARS = 4  # a title's object quoted whole, its opening verb aside, is this long at least


@lru_cache(maxsize=4096)
def _title_object(title: str) -> str:
    """``title`` less the verbs and adverbs opening it ("加快乡村全面振兴" → "乡村全面振兴"), when some do and
    :data:`QUOTED_OBJECT_CHARS` or more are left; else ''. Worked out once per title."""
    lead = 0
    for w in posseg().cut(title):
        if w.flag not in ("v", "d", "ad", "vd"):
            break
        lead += len(w.word)
    return title[lead:] if lead and len(title) - lead >= QUOTED_OBJECT_CHARS else ""


def _quotes_title(title: str, squashed: str) -> bool:
    """True when the question (``squashed``) quotes ``title``: word for word, or all but a word or two that a
    question drops or a title adds ("用改革办法降低企业生产经营成本" of "用改革办法推动降低企业生产经营成本",
    "布局建设未来产业" of "积极布局建设未来产业"), its runs of :data:`QUOTED_RUN_CHARS` characters or more that
    the question writes covering :data:`QUOTED_TITLE_SHARE` of it."""
    if title in squashed:
        return True
    # The verbs and adverbs opening a title ("加快", "大力") are how it is said to be done, which a question says in
    # its own words ("推进乡村全面振兴" of "加快乡村全面振兴"): the rest, quoted whole, quotes the title.
    rest = _title_object(title)
    if rest and rest in squashed:
        return True
    covered = [False] * len(title)
    for size in range(len(title), QUOTED_RUN_CHARS - 1, -1):
        for at in range(len(title) - size + 1):
            if not all(covered[at : at + size]) and title[at : at + size] in squashed:
                covered[at : at + size] = [True] * size
    return sum(covered) >= QUOTED_TITLE_SHARE * len(title)


# Targets asked by name: Chinese "目标", "指标"; English "main targets", "key goals" (not "targets for X and Y", which
# asks two of them). As a whole: "主要预期目标", "主要经济指标", "main targets".
_EN_TARGETS = r"\b[^?]{0,24}\b(?:targets|goals)\b"
_TARGETS_NAMED_RE = re.compile(r"目标|指标|\b(?:main|major|key|expected|headline)" + _EN_TARGETS, re.I)
_MAIN_TARGETS_RE = re.compile(r"主要(?:预期)?目标|主要(?:经济)?指标|\b(?:main|major|key|headline)" + _EN_TARGETS, re.I)
_HOW_MUCH_RE = re.compile(r"多少|how (?:much|many|fast)", re.I)
# Targets as the thing asked ("定了哪些发展目标", "目标有哪些"), not a field named beside others ("在扩招
# 目标、经费保障和领导责任上都有哪些安排"), nor beside measures ("哪些目标和举措", which asks the measures too).
_TARGETS_ASKED_RE = re.compile(r"哪些[\u4e00-\u9fff]{0,4}?(?:目标|指标)(?![和与及、])|(?:目标|指标)(?:都|主要|具体)?(?:有哪些|包括哪些|是什么)")


def _asks_field_targets(query: Query) -> bool:
    """The question asks the targets set on a field (:data:`_TARGETS_ASKED_RE`): its answer is the sentences setting
    figures (:meth:`ExtractiveAnswerer._setting_figures`)."""
    return bool(_TARGETS_ASKED_RE.search(query.text))


def _asks_targets(query: Query) -> bool:
    """The question asks a document's targets, all of them ("主要预期目标有哪些", "定了哪些目标", "What are …'s main
    targets"): targets asked by name, as a list or as a whole, and no figure of a named thing asked."""
    # (Figures of named things asked, "增速和2025年的目标分别是多少", are answered figure by figure.)
    if query.stage != "target" or not _TARGETS_NAMED_RE.search(query.text) or _HOW_MUCH_RE.search(query.text):
        return False
    # As a list ("有哪些"), or as a whole ("主要预期目标是什么", "主要经济指标的预期目标是怎么定的").
    return "list" in query.answer_types or query.broad or (not query.answer_types and bool(_MAIN_TARGETS_RE.search(query.text)))


def _targets_set(sentence: str) -> int:
    """How many figures ``sentence`` sets as targets: those with their 左右, 以上, 以下 or 以内."""
    return sum(bool(f.qualifier) for f in figures(sentence))


def _targets_run(text: str, sentence: str) -> str:
    """``sentence`` setting targets, with the sentences of its paragraph after it that set targets too: "主要预期目标
    是：全省地区生产总值增长5.5%左右，其中…。规模以上工业增加值增长7.5%以上；…常住人口城镇化率达到58%左右。" goes on
    past its first full stop."""
    at = text.find(sentence)
    if at < 0:
        return sentence
    end = at + len(sentence)
    for m in re.finditer(r"[^。！？\n]+[。！？]?", text[end:]):
        if text[end + m.start() - 1 : end + m.start()] == "\n" or not _targets_set(m.group()):
            break
        end = end + m.end()
    return text[at:end]


def _full_sentence(text: str, piece: str) -> str:
    """The sentence of ``text``, up to its full stop, that ``piece`` (a clause answers are cut into) is part of."""
    at = text.find(piece)
    if at < 0:
        return piece
    start = max(text.rfind(stop, 0, at) for stop in "。！？\n") + 1
    ends = [e for e in (text.find(stop, at + len(piece) - 1) for stop in "。！？\n") if e >= 0]
    return text[start : min(ends) + 1 if ends else len(text)]


ECHO_CHARS = 4  # a lead-in echoes the question when it writes this many of its characters in a row


def _is_title_line(c: _Candidate, longest: int) -> bool:
    """``c`` titles what follows: a numbered title, or a passage's short opening sentence with no pause in it."""
    text = c.text.strip()
    return bool(_ENUM_ITEM_RE.match(text)) or (c.position == 0 and len(text) <= longest and not re.search(r"[，,；;]", text))


# A numbered item's label, a run-in title of one word or two: "（四）试点目标。", "（二）工作目标。", "（三）基本原则。".
_ITEM_LABEL_RE = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]\s*([\u4e00-\u9fff]{2,6})。?$")
# A question asking what the label's last word (its ``noun``) is: "要达到什么目标", "目标是什么", "提了哪些目标和…",
# "基本原则有哪些".
# The word must end what is asked ("哪几项试点任务" asks 任务, not 试点).
_LABEL_ASKED = (r"(?:什么|哪些|哪几[个项条]?|主要|总体|总的){noun}(?=[和与及、，,？?。]|$|是|有)"
                r"|{noun}(?:是什么|是啥|有哪些|是哪些|有什么|包括|都有|和)")


# A question on this year's work ("今年重点做好哪几方面工作", "对当年工作提了哪几项重点", "lays out for the year").
_THIS_YEAR_RE = re.compile(r"今年|当年|本年|\bthis year\b|\bfor the year\b|\bthe year's\b", re.I)
# …its work as a whole, not one thing in it ("今年承诺办的15件民生实事都包括哪些"); the report's name aside.
_WORK_ASKED_RE = re.compile(r"工作|任务|几项重点|\bwork\b|\btasks\b|\bpriorities\b", re.I)
# A report's chapter heading: "二、2025年工作安排".
_PART_NUMBER_RE = re.compile(r"^\s*[一二三四五六七八九十]+、")


def _heading_core(heading: str) -> str:
    """What a heading names, its number and years aside: "三、2025年重点工作" → "重点工作"."""
    return re.sub(r"\d{4}年|[\s“”\"]", "", _bare(heading))


# A count naming a list in a sentence: "实施城建“六大攻坚行动”", "办好十件民生实事", "推进三项改革".
_COUNTED_NOUN_RE = re.compile(r"([两二三四五六七八九十])(?:大|项|件|个)[“\"]?([\u4e00-\u9fff]{2,8})")
COUNTED_ITEM_CHARS = 40  # an item of such a list is titled by a sentence of at most this many characters
COUNTED_LOOKAHEAD = 60  # …found within this many sentences of the one naming the list


def _counted_items(seq: list[_Candidate], at: int) -> list[_Candidate]:
    """The items of a list the sentence ``seq[at]`` names by its count with no numbers ("实施城建“六大攻坚行动”。"): the
    short sentences after it, under the same headings, whose ends hold the list's noun ("实施重大基础设施建设攻坚行动。"),
    when there are exactly as many as the count says; else none."""
    m = _COUNTED_NOUN_RE.search(seq[at].text)
    if not m:
        return []
    count, noun = cn_to_int(m.group(1).replace("两", "二")), m.group(2)
    tail = noun[-4:] if len(noun) >= 4 else noun
    items = []
    for c in seq[at + 1 : at + 1 + COUNTED_LOOKAHEAD]:
        if c.passage.headings != seq[at].passage.headings or c.passage.doc_id != seq[at].passage.doc_id:
            break
        text = c.text.strip().rstrip("。；;")
        if len(text) <= COUNTED_ITEM_CHARS and text.endswith(tail) and text != noun:
            items.append(c)
    return items if count and len(items) == count and count >= 2 else []


def _asks_count(query: Query, sentence: str, items: int = 0) -> bool:
    """The question names the list ``sentence`` counts: by its count in Chinese ("六大攻坚行动是哪些", "哪六项") or an
    English count searched as the documents write it ("the six … campaigns": 六大). With ``items``, the list that
    follows must have as many items as the count says ("扎实办好“十大重点民生实事”。" then ①…⑩)."""
    m = _COUNTED_NOUN_RE.search(sentence)
    if not m or (items and cn_to_int(m.group(1).replace("两", "二")) != items):
        return False
    if not query.chinese:
        return any(t in sentence for t in counted_lists(query.text))
    return m.group(0)[:2] in query.squashed or f"哪{m.group(1)}" in query.squashed


def _echoes(sentence: str, squashed: str) -> bool:
    """``sentence`` writes :data:`ECHO_CHARS` characters of the question in a row, Chinese only ("…提出的问题和建议，
    …现将有关情况函复如下：" for "四川省提出了哪些…问题和建议"): the list it announces is of what is asked."""
    text = re.sub(r"\s", "", sentence)
    return any(
        re.fullmatch(r"[\u4e00-\u9fff]+", squashed[i : i + ECHO_CHARS]) and squashed[i : i + ECHO_CHARS] in text
        for i in range(len(squashed) - ECHO_CHARS + 1)
    )


_DOCUMENT_KIND_END_RE = re.compile(r"(?:方案|通知|意见|规定|办法|条例|决定|规划|纲要|报告|细则|函|批复)$")


def _lines_of(text: str) -> list[tuple[int, list[str]]]:
    """A passage's lines, each with the position of its first sentence among :func:`answer_sentences`."""
    out, at = [], 0
    for line in text.split("\n"):
        sentences = split_sentences(line)
        out.append((at, sentences))
        at += len(sentences)
    return out


def _heading_name(heading: str) -> str:
    """A heading without its number, closing stop or closing note: "（二）专家委员（按姓氏笔划为序）" → "专家委员"."""
    return re.sub(r"[（(][^（）()]*[)）]$", "", _bare(heading.strip()))


def _bare(title: str) -> str:
    """An item title without its number and closing stop: "一、主要职能。" → "主要职能"."""
    return re.sub(r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、])\s*|[。；;]\s*$", "", title)


@lru_cache(maxsize=4096)
def is_noun(word: str) -> bool:
    """``word`` is read as nouns ("生态环境", "企业"), not a verb or an adverb ("提出", "率团")."""
    from rag.keyword import noun_words

    return "".join(w for w, _ in noun_words(word)) == word


def _numbered_runs(seq: list[_Candidate], titled_only: bool = True) -> list[list[int]]:
    """The lists of titles numbered in sequence in ``seq`` (sentences in reading order): for each numbering style
    ("一、", "（一）", "1.", "一是"), the indexes of the items 1, 2, 3 … that follow one another, in order of their
    first item. A list of another style inside an item does not break it; a new item 1 of the same style starts
    another list, and an item whose first sentence is no title (:data:`_ENUM_ITEM_RE`) ends it, unless
    ``titled_only`` is false (a list of long items: "一、对深化商事制度改革成效显著…的市…，优先纳入…。")."""
    runs: list[list[int]] = []
    open_run: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    for i, c in enumerate(seq):
        m = _ITEM_MARK_RE.match(c.text)
        if not m:
            continue
        style = next(k for k in ("cn", "paren", "digit", "shi", "circ") if m.group(k))
        n = ord(m.group(style)) - ord("①") + 1 if style == "circ" else cn_to_int(m.group(style))
        titled = bool(_ENUM_ITEM_RE.match(c.text)) or not titled_only
        if n == 1:
            # Any item 1 of the style starts another list ("一是继续实施中小学…工程，…" of a list of long items
            # inside a report's seventh task): the list before it ends.
            open_run[style] = [i] if titled else []
            last[style] = 1
            if titled:
                runs.append(open_run[style])
        elif style in open_run and n == last[style] + 1 and open_run[style]:
            if titled:
                open_run[style].append(i)
            else:
                open_run[style] = []  # a list of titles goes on with titles
            last[style] = n
    return sorted(runs, key=lambda r: r[0])


# An article's numbered item: "（二）…", "2. …".
_ARTICLE_ITEM_RE = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.．、](?!\d))")

def _item_style(text: str) -> str:
    """How an item is numbered: "paren" for "（二）", "digit" for "2."."""
    return "paren" if re.match(r"^\s*[（(]", text) else "digit"






def _title_period(title: str) -> str:
    """A plan period the title names ("“十四五”发展规划" → 十四五), which the period checks read."""
    m = re.search(r"十[一二三四五六]五", title)
    return m.group(0) if m else ""


def compose(question: str, quoted: list[tuple[Passage, str]]) -> Answer:
    """Write the answer text: each quoted sentence followed by its passage's marker."""
    citations: dict[str, Citation] = {}
    parts = []
    boxes_named: set[str] = set()
    for passage, sentence in quoted:
        cit = citations.get(passage.id)
        if cit is None:
            cit = citations[passage.id] = Citation(len(citations) + 1, passage)
        cit.sentences.append(sentence)
        clean = _as_quoted(sentence)
        # "Which 专栏 …?": the box is named by where the sentence stands, not in it.
        if asks_about_box(question) and passage.box and passage.box not in boxes_named:
            boxes_named.add(passage.box)
            if not clean.startswith("专栏"):
                clean = f"（{passage.box}）{clean}"
        parts.append(f"{clean}[{cit.n}]")
    body = "".join(parts) if is_chinese(question) else "\n".join(parts)
    text = body if is_chinese(question) else f"{LEAD_EN}\n{body}"
    return Answer(text, list(citations.values()), abstained=False)


def _as_quoted(sentence: str) -> str:
    """A sentence as an answer quotes it: without its list number ("1. …", "——")."""
    return _ITEM_PREFIX_RE.sub("", sentence).strip()


def quoted_in_order(answer: Answer) -> list[tuple[Citation, str]]:
    """The sentences ``answer`` quotes, each with its citation, in the order the text gives them."""
    found = []
    for c in answer.citations:
        for sentence in c.sentences:
            at = answer.text.find(f"{_as_quoted(sentence)}[{c.n}]")
            if at >= 0:
                found.append((at, c.n, c, sentence))
    return [(c, sentence) for _, _, c, sentence in sorted(found, key=lambda x: x[:2])]


def with_lead(answer: Answer, line: str, citation: Citation, sentence: str, whole: bool) -> Answer:
    """``answer`` opened by a direct first line (the figure asked, its kind and year, the marker). ``whole``: the
    line quotes all of ``sentence`` (quoted under ``citation``), which it then replaces."""
    quoted = f"{_as_quoted(sentence)}[{citation.n}]"
    at = answer.text.find(quoted)
    text = answer.text
    if whole and at >= 0:
        text = (text[:at] + text[at + len(quoted) :].lstrip("\n")).rstrip("\n")
    if text.startswith(LEAD_EN):  # English: the line under the lead-in that says the quotes are Chinese
        body = text[len(LEAD_EN) :].strip("\n")
        answer.text = f"{LEAD_EN}\n{line}" + (f"\n{body}" if body else "")
    else:
        answer.text = f"{line}\n{text}" if text else line
    return answer


def compose_broad(question: str, quoted: list[tuple[Passage, str]], more: int = 0) -> Answer:
    """A broad answer: one line per item, each with its passage's marker, under its document's title when
    the items come from several documents, and "还有N条" when more passages qualified than are listed."""
    zh = is_chinese(question)
    answer = compose(question, quoted)
    marker = {c.passage.id: c.n for c in answer.citations}
    several = len({p.doc_id for p, _ in quoted}) > 1
    lines, doc, said = [], None, set()
    for passage, sentence in quoted:
        if several and passage.doc_id != doc:
            doc = passage.doc_id
            lines.append(f"《{passage.doc_title}》：" if zh else f"{passage.doc_title}:")
        clean = _as_quoted(sentence)
        if (passage.id, clean) in said:
            continue
        said.add((passage.id, clean))
        lines.append(f"· {clean}[{marker[passage.id]}]")
    if more:
        lines.append(f"（另有{more}条相关内容未列出，可缩小问题范围再问。）" if zh else
                     f"({more} more related passages are not listed; ask a narrower question to see them.)")
    body = "\n".join(lines)
    answer.text = body if zh else f"{LEAD_EN}\n{body}"
    return answer


def abstention(question: str, hits: list[Hit], reason: str) -> Answer:
    """The "not in the documents" answer, with the nearest passages as 可能相关."""
    zh = is_chinese(question)
    related = [h.passage for h in hits[:3]]
    text = NOT_FOUND_ZH if zh else NOT_FOUND_EN
    if related:
        text += "\n" + (RELATED_ZH if zh else RELATED_EN)
        for p in related:
            text += f"\n· {p.locator}" + (f"（{p.ocr_mark}）" if p.ocr_mark else "")
    return Answer(text, [], abstained=True, reason=reason, related=related)


def not_held(question: str, hits: list[Hit], scope) -> Answer:
    """The answer when the question names documents the deployment does not hold ("未收录…的文件。")."""
    answer = abstention(question, hits, f"{scope.code}: {scope.missing}")
    if is_chinese(question):
        answer.text = scope.missing + answer.text
    else:
        answer.text = f"The documents held do not include the one asked about ({scope.missing}). " + answer.text
    return answer
