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

from rag.headings import classify_heading
from rag.keyword import FILLER_WORDS, has_cjk, tokenize
from rag.passages import Passage
from rag.retrieval import Hit, Retrieval, heading_matches
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
    "fee": re.compile(r"费用|收费|手续费|要交.{0,4}钱|交多少|花多少钱|\bfees?\b|\bcosts?\b|\bprice|\bcharge", re.I),
    "phone": re.compile(r"电话|联系方式|热线|手机号|邮箱|传真|\bphone|hotline|e-?mail|contact (number|details|info)", re.I),
    "contact": re.compile(r"联系人|对接人|找谁|contact person|who (should|do|can) (i|we) contact", re.I),
    "address": re.compile(r"地址|在哪里办公|办公地点|办事大厅|窗口在哪|\baddress|where is the office", re.I),
    "website": re.compile(r"网址|网站|链接|\bwebsite|\burl\b", re.I),
    "date": re.compile(r"什么时候|何时|哪一天|哪天|几月几[日号]|截止日期|\bwhen\b|what date|deadline", re.I),
    "amount": re.compile(r"[金总]额|交易额|贸易额|成交额|销售额|产值|多少钱|多少资金|投资额|\bvalue of\b|how much money|\brevenue", re.I),
    "count": re.compile(
        r"多少|(?<![第那这好])几[个项批次对家名人位场届条张国年所天种]|数量|数目|how many|how much|number of|what percentage",
        re.I,
    ),
    "list": re.compile(r"哪些|有哪|哪几|列举|包括什么|包括哪|都有什么|分别是|\bwhich\b.*\bare\b|what are|\blist\b", re.I),
    "who": re.compile(r"是谁|叫什么名字|哪位|\bwho is\b|\bwho was\b", re.I),
}
_HAS = {
    "fee": re.compile(r"\d[\d,.]*\s*(元|美元|万元|亿元|块)|收费|免费|费用"),
    "phone": re.compile(r"\d{3,4}-?\d{7,8}|1[3-9]\d{9}|@[\w.-]+\.\w+"),
    "contact": re.compile(r"联系人|联系电话|负责人[:：]"),
    "address": re.compile(r"地址[:：]|[路街道巷]\d+号|\d+号[楼室]"),
    "website": re.compile(r"https?://|www\.|\.gov\.cn|\.com"),
    "date": re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|今年|明年|年底|年内|期间|以前|之前|\d{4}-\d{2}"),
    "amount": re.compile(r"\d[\d,.]*\s*(亿|万)?\s*(元|美元|欧元|人民币)"),
    "count": re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个项批次对家名人位场届条张国所种大]|若干|多家"),
}
# Measure words a count question names ("多少家", "几个工作日"); the evidence must count the same thing.
_MEASURE_RE = re.compile(r"(?:多少|(?<![第那这好])几)(个工作日|工作日|公顷|亿元|万元|美元|家|对|批次|批|人次|名|位|项|场|届|所|条|张|种|天|年|吨|个)")
_WHOLE_UNITS = ("工作日", "个工作日", "公顷", "亿元", "万元", "美元", "批次", "人次")
# "实际已经…多少" asks for an achieved figure; a plan's target does not answer it.
_ASKS_ACTUAL_RE = re.compile(r"实际|已经|截至|截止|目前|现在|如今|到现在")
_TARGET_RE = re.compile(r"力争|争取|目标|五年内|到20\d\d年|计划")
# A question about what happened, not what is planned: "2025年帮了多少家", "How many … did … in 2025".
_ASKS_PAST_RE = re.compile(r"实际|已经|取得了|[办来去做帮建签]了|\b(did|were|was|had|has been|have been)\b", re.I)
# Asks how a planned step turned out ("中期评估做完了吗？结论是什么？").
_ASKS_OUTCOME_RE = re.compile(r"做完了|完成了吗|完成没|结论|结果(?:如何|怎么样|是什么)|怎么样了")
# Asks to name the members of a set the question has counted ("那27家企业都是哪几家？").
_NAMES_COUNTED_RE = re.compile(r"\d+\s*(?:家|个|位|名|项|所)[^？?]{0,12}?(?:都是|分别是|是哪|哪几|哪些|名单)")
_ACHIEVED_RE = re.compile(r"已[经有]|累计|共计|全年|新增|达到了|实现了|取得|成功|签署|帮助|吸引|\d{1,2}月\d{1,2}日")
# Procedural details an enterprise may ask for; the evidence must speak of the same thing.
# "两份材料里" speaks of the documents themselves, not of papers to hand in.
_PROCEDURE_RE = re.compile(r"(?<![份篇])材料(?![里中上])|流程|手续|步骤|处室|表格|时限|办理时间|工作日")
_YEAR_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})\s*年")
_EN_YEAR_RE = re.compile(r"(?<![\d-])(19\d{2}|20\d{2})(?![\d-])")
_ORDINAL_RE = re.compile(r"第[一二三四五六七八九十百\d]+[届次条项批期]")
_BOX_REF_RE = re.compile(r"专栏\s*(\d+)")
# Titles a "who is the …" question may ask about; the evidence must name the same one.
_TITLES = "主任|副主任|书记|副书记|省长|副省长|市长|部长|厅长|局长|处长|总理|主席|总统|副总统|大使|总领事|董事长|总裁|首席执行官|负责人|联系人|院长|校长|会长"
_TITLE_RE = re.compile(_TITLES)


def asked_types(question: str) -> set[str]:
    """What kinds of answer a question asks for (fee, phone, count, list, …)."""
    found = {kind for kind, rx in _ASKS.items() if rx.search(question)}
    if "list" in found:
        found.discard("count")  # "有哪几个" asks for a list, not a number
    if re.search(r"几[个项条]?(方面|措施|举措|重点|任务|名片|板块|原则|瓶颈)|哪几|有几个方面", question):
        found.discard("count")
        found.add("list")
    if re.search(r"第几|哪个专栏|which box|what box", question, re.I):
        found.discard("count")
        found.add("box")
    if "amount" in found:
        found.discard("fee")
    return found


def has_measure(text: str, measure: str) -> bool:
    """True when ``text`` counts the thing ``measure`` names ("家" → "27家", "10周年" for "年")."""
    unit = measure if measure in _WHOLE_UNITS else measure[-1]
    return bool(re.search(rf"[\d一二两三四五六七八九十百千万亿余多][^\d\s，。,]?{unit}", text))


def question_measures(question: str) -> list[str]:
    """The measure words a count question names ("多少家" → ["家"])."""
    return _MEASURE_RE.findall(re.sub(r"\s+", "", question))


def asks_about_box(question: str) -> bool:
    """True when the question asks which 专栏 (box) something is in."""
    return bool(re.search(r"专栏|\bbox\b|\bcolumn\b|\bpanel\b", question, re.I))


@lru_cache(maxsize=1)
def _place_names() -> tuple[str, ...]:
    """Chinese names of countries and of China's provinces and prefecture-level cities (the gazetteer)."""
    from rag.places import ambiguous_short_names, china, countries

    names = {p.name for p in countries()} | {p.name for p in china()}
    names = {n for n in names if len(n) >= 2 and n not in ambiguous_short_names()}
    return tuple(sorted(names, key=len, reverse=True))


def places_named(question: str) -> list[str]:
    """Countries and Chinese provinces/cities a Chinese question names."""
    return _find_places(question, _place_names())


@lru_cache(maxsize=1)
def _place_kinds() -> tuple[tuple[str, ...], ...]:
    """Place names by kind: world regions (非洲, 北欧, 港澳 …), countries, Chinese provinces and cities."""
    from rag.glossary import COUNTRIES, REGIONS_ZH

    regions = set(REGIONS_ZH)
    countries = {n for names in COUNTRIES.values() for n in names if len(n) >= 2 and n not in regions}
    countries = {n for n in countries if not n.startswith(("中", "对", "日韩"))}
    china = set(_place_names()) - countries - regions
    return tuple(tuple(sorted(k, key=len, reverse=True)) for k in (regions, countries, china))


def _find_places(text: str, names: tuple[str, ...]) -> list[str]:
    """The ``names`` (longest first) that ``text`` holds; a name inside a longer one found is not counted."""
    found, rest = [], text
    for name in names:
        if name in rest:
            found.append(name)
            rest = rest.replace(name, " ")
    return found


def _places_by_kind(question: str) -> list[tuple[set[str], tuple[str, ...]]]:
    """The places a question names, per kind (with the parts of a region it names), and that kind's names.

    An English question names them through the glossary ("Nordic" → 北欧).
    """
    from rag.glossary import REGION_PARTS, chinese_terms

    text = question if has_cjk(question) else " ".join(chinese_terms(question))
    out = []
    for names in _place_kinds():
        found = set(_find_places(text, names))
        if found:
            out.append((found | {p for f in found for p in REGION_PARTS.get(f, ())}, names))
    return out


def _names_other_place(text: str, asked: list[tuple[set[str], tuple[str, ...]]]) -> bool:
    """True when ``text`` names a place of a kind the question asks about, but not the place asked.

    "同北欧国家合作主要在哪些方面？" is not answered by a sentence on 中东欧, nor
    "我们想去非洲开拓市场" by one on 香港 and 澳门; a sentence naming 德国 still
    answers a question on 欧洲 (a country is another kind than a region), and
    one naming 香港 a question on 港澳 (a part of it).
    """
    for places, names in asked:
        named = _find_places(text, names)
        if named and not places.intersection(named):
            return True
    return False


# Question words jieba keeps whole, which name no topic.
_QUESTION_WORDS = frozenset(
    "怎么样 什么样 怎么办 为何 多久 多长 哪儿 哪家 哪位 哪年 哪天 哪几 哪几个 哪几种 哪些方面 几年 几个 什么 有没 没有 是不是 能不能 可不可以".split()
)


@dataclass
class GateDecision:
    """The evidence gate's verdict."""

    answerable: bool
    reason: str = ""


class EvidenceGate:
    """Decides, before any answer is written, whether the evidence can answer.

    Dense similarity alone does not separate answerable from unanswerable
    questions (e5 scores bunch at 0.8–0.9), so the gate combines a similarity
    floor, a check that the question's own topic words occur in the passages
    retrieved for it (a question off the documents' subject has none there), and
    rules about the *kind* of answer wanted: a year, ordinal, box,
    country or title the corpus never mentions; a fee, phone number, address,
    amount of money or contact the evidence does not contain; a count whose
    evidence holds no number of the thing counted; the outcome of a step the
    evidence only plans; the names of a set the evidence only counts.
    """

    # A term found in more than this share of passages says nothing about topic ("湖南", "外事", "合作").
    GENERIC_SHARE = 0.2
    GENERIC_MIN_PASSAGES = 50

    def __init__(self, settings: Settings, corpus_text: str, passage_texts: list[str] | None = None) -> None:
        self.settings = settings
        self._corpus = re.sub(r"\s+", "", corpus_text)
        self._years = set(_YEAR_RE.findall(self._corpus))
        texts = [t.lower() for t in passage_texts or []]
        # "Found everywhere" means something only in a corpus of some size: in an index of a
        # few passages every word of its subject is in a large share of them.
        if len(texts) < self.GENERIC_MIN_PASSAGES:
            texts = []
        # A term's share of passages is estimated on at most 5,000 of them: exact enough, and cheap at scale.
        self._passage_texts = texts[:: max(1, len(texts) // 5000)]
        self._generic: dict[str, bool] = {}

    def _is_generic(self, term: str) -> bool:
        if not self._passage_texts:
            return False
        if term not in self._generic:
            share = sum(1 for t in self._passage_texts if term in t) / len(self._passage_texts)
            self._generic[term] = share > self.GENERIC_SHARE
        return self._generic[term]

    def topic_terms(self, question: str) -> list[str]:
        """The question's words that could tie it to a passage: not stop words, not everywhere.

        Chinese: jieba words of two or more characters that occur in at most a
        fifth of the passages. English: the Chinese terms the glossary finds.
        """
        if has_cjk(question):
            words = [t for t in tokenize(question) if len(t) >= 2 and t not in _QUESTION_WORDS and t not in FILLER_WORDS]
        else:
            from rag.glossary import chinese_terms

            words = chinese_terms(question)
        return [t.lower() for t in dict.fromkeys(words) if not self._is_generic(t)]

    def topic_groups(self, question: str) -> list[tuple[str, ...]]:
        """:meth:`topic_terms` of two or more characters, with the spellings of one thing grouped.

        An English question's glossary term can have several Chinese spellings
        ("supply chain" → 产业链, 供应链); a Chinese question's words stand alone.
        """
        terms = self.topic_terms(question)
        if has_cjk(question):
            return [(t,) for t in terms if len(t) >= 2]
        from rag.glossary import term_groups

        groups = [tuple(t.lower() for t in g if t.lower() in terms and len(t) >= 2) for g in term_groups(question)]
        return [g for g in dict.fromkeys(groups) if g]

    def decide(self, question: str, retrieval: Retrieval, evidence_text: str, cited_from: str = "") -> GateDecision:
        """Return whether ``evidence_text`` (the chosen sentences) can answer ``question``.

        ``cited_from`` is the passages the sentences are quoted from, with their headings and
        document titles: a sentence of the 2025 review speaks of 2025 without saying so, and one
        under "1. 2035年远景目标。" of 2035.
        """
        if not retrieval.hits:
            return GateDecision(False, "nothing retrieved")
        # Cross-lingual similarities run lower than Chinese–Chinese ones (answerable English
        # questions measured 0.73–0.80 here), so the English floor only stops the far-off;
        # the topic-term rule below does the real work for English.
        floor = self.settings.abstain_threshold - (0.0 if has_cjk(question) else 0.10)
        if retrieval.best_dense < floor:
            return GateDecision(False, f"best similarity {retrieval.best_dense:.2f} below the floor {floor:.2f}")
        # Off the documents' subject altogether ("怎么做红烧肉？", "Tell me a joke"): not one
        # of the question's own terms appears in the passages retrieved for it.
        topic = self.topic_terms(question)
        retrieved = " ".join(h.passage.embedding_text() for h in retrieval.hits[: self.settings.top_k]).lower()
        if not has_cjk(question) and not topic:
            return GateDecision(False, "the question names nothing the documents speak of")
        if topic and not any(t in retrieved for t in topic):
            return GateDecision(False, f"none of {'、'.join(topic[:5])} appears in the documents' nearest passages")
        q = re.sub(r"\s+", "", question)
        for year in _YEAR_RE.findall(q) + ([] if has_cjk(question) else _EN_YEAR_RE.findall(question)):
            if year not in self._years:
                return GateDecision(False, f"the documents never mention the year {year}")
        for ordinal in _ORDINAL_RE.findall(q):
            if ordinal not in self._corpus and ordinal.replace("第一", "首") not in self._corpus:
                return GateDecision(False, f"the documents never mention {ordinal}")
        for box in _BOX_REF_RE.findall(q):
            if not re.search(rf"专栏{box}(?!\d)", self._corpus):
                return GateDecision(False, f"there is no 专栏{box}")
        if has_cjk(question):
            for name in places_named(q):
                if name not in self._corpus:
                    return GateDecision(False, f"the documents never mention {name}")
        else:
            from rag.glossary import english_entities

            for english, chinese in english_entities(question):
                if not any(c in self._corpus for c in chinese):
                    return GateDecision(False, f"the documents never mention {english}")
        evidence = re.sub(r"\s+", "", evidence_text)
        # The year asked about must be the evidence's passages': "到2030年友城要达到多少对" is not
        # answered by the 2025 target, even where another document of the collection mentions 2030.
        dated = evidence + re.sub(r"\s+", "", cited_from)
        for year in _YEAR_RE.findall(q) + ([] if has_cjk(question) else _EN_YEAR_RE.findall(question)):
            if year not in dated:
                return GateDecision(False, f"the evidence is not of {year}")
        # A plan period asked about ("十三五期间…", no year besides) is not answered by evidence dated
        # only in other years ("到2025年…力争达到120对" is a 十四五 target), unless it names the period.
        period = _period_years(question)
        if period and not _years_named(question) and not _dated(dated, [], period):
            from rag.glossary import plan_periods

            if not any(name in dated for name in plan_periods(question)):
                return GateDecision(False, "the evidence is of another period")
        # The country asked about must be the evidence's too, by any of its names: "湖南和巴西有哪些合作
        # 项目？" is not answered by a passage on 北卡罗来纳州 because a passage elsewhere mentions 巴西.
        from rag.glossary import COUNTRIES, english_entities

        if has_cjk(question):
            found = set(_find_places(q, _place_kinds()[1]))
            asked = [(name, names) for names in COUNTRIES.values() for name in names if name in found]
        else:
            asked = english_entities(question)
        for name, chinese in asked:
            if not any(c in dated for c in chinese):
                return GateDecision(False, f"the evidence does not speak of {name}")
        types = asked_types(question)
        for kind in types:
            rx = _HAS.get(kind)
            if rx is not None and not rx.search(evidence):
                return GateDecision(False, f"the question asks for a {kind} the evidence does not contain")
        if "count" in types:
            for measure in _MEASURE_RE.findall(q):
                if not has_measure(evidence, measure):
                    return GateDecision(False, f"the evidence counts no {measure}")
            if _ASKS_ACTUAL_RE.search(q) and _TARGET_RE.search(evidence) and not _ACHIEVED_RE.search(evidence):
                return GateDecision(False, "the documents give a target, not an achieved figure")
        if _ASKS_OUTCOME_RE.search(q) and not _ACHIEVED_RE.search(evidence) and not re.search(r"\d", evidence):
            # A reported outcome states what was done or gives figures ("参展国家达53个"); a plan
            # only says the step will be taken ("开展…中期评估").
            return GateDecision(False, "the documents plan this step; they report no outcome")
        if _NAMES_COUNTED_RE.search(q) and "、" not in evidence:
            return GateDecision(False, "the evidence counts them but names none")
        if _PROCEDURE_RE.search(q) and not _PROCEDURE_RE.search(evidence):
            return GateDecision(False, "the evidence does not describe the procedure asked about")
        if "who" in types:
            titles = set(_TITLE_RE.findall(q))
            if titles and not any(t in evidence for t in titles):
                return GateDecision(False, f"the evidence names no {'/'.join(sorted(titles))}")
        return GateDecision(True)


# ---------------------------------------------------------------- composing
_ITEM_PREFIX_RE = re.compile(r"^\s*(\d{1,2}[\.．、]|——)\s*")
# A numbered item's title standing alone as a sentence: "1. 进一步完善友城布局。"
_NUMBERED_TITLE_RE = re.compile(r"^\s*\d{1,2}[\.．、]\s*[^，,；;：:]{2,22}[。；;]?$")
_ITEM_START_RE = re.compile(r"^\s*(\d{1,2}[\.．、]|——|[（(][一二三四五六七八九十\d]+[)）])")


def question_terms(question: str) -> list[str]:
    """The terms whose presence in a sentence says it is on topic.

    Chinese questions: their jieba tokens. English questions: the Chinese terms
    the glossary finds in them, and their numbers — English words never occur
    in the Chinese sentences.
    """
    if has_cjk(question):
        return list(dict.fromkeys(tokenize(question)))
    from rag.glossary import chinese_terms

    return list(dict.fromkeys(chinese_terms(question) + re.findall(r"\d+(?:\.\d+)?", question)))


def _enumerates(text: str) -> bool:
    """True when a sentence lists three or more items ("A、B、C")."""
    return text.count("、") >= 2


def _years_named(question: str) -> list[str]:
    """Years a question names ("2025年…", "in 2025")."""
    return list(dict.fromkeys(re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", question)))


_PERIOD_YEARS = {"十二五": range(2011, 2016), "十三五": range(2016, 2021), "十四五": range(2021, 2026), "十五五": range(2026, 2031)}


def _period_years(question: str) -> set[int]:
    """The years of the five-year plan periods a question names ("十三五", "13th Five-Year Plan" → 2016–2020)."""
    from rag.glossary import plan_periods

    return {y for name in plan_periods(question) for y in _PERIOD_YEARS.get(name, ())}


def _dated(text: str, years: list[str], period: set[int]) -> bool:
    """Whether evidence ``text`` (sentences with where they are cited from) can speak of the time asked about.

    A year named must appear; for a period, evidence that names years must name one inside it.
    """
    if years:
        return any(y in text for y in years)
    if period:
        found = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)}
        return not found or bool(found & period)
    return True


def _novelty(terms: list[str], sentence: str) -> float:
    """Share of a sentence's characters (letters, digits, CJK) not spelled by question terms."""
    covered = [False] * len(sentence)
    for t in terms:
        for m in re.finditer(re.escape(t), sentence):
            covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    content = [i for i, ch in enumerate(sentence) if ch.isalnum()]
    if not content:
        return 0.0
    return sum(1 for i in content if not covered[i]) / len(content)


def _adds_term(groups: list[tuple[str, ...]], sentence: str, said: str) -> bool:
    """True when ``sentence`` names a term of ``groups`` that ``said`` (the sentences chosen so far) lacks.

    A group holds the spellings of one thing (产业链, 供应链): a sentence spelling it another way adds nothing.
    """
    return any(any(t in sentence for t in g) and not any(t in said for t in g) for g in groups)


def _coverage(terms: list[str], text: str) -> float:
    if not terms:
        return 0.0
    return sum(1 for t in terms if t in text) / len(terms)


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
    answer, other passages are cited only when a sentence of theirs scores as
    well, or when it answers a part of a multi-part question. Citing more
    freely finds a few more facts but cites passages that do not support the
    answer.
    """

    SAME_PASSAGE_MARGIN = 0.04
    OTHER_PASSAGE_MARGIN = 0.012
    RANK_PENALTY = 0.03  # per rank of the sentence's passage: retrieval's judgement counts too
    YEAR_BONUS = 0.04  # the evidence is dated the year the question names
    STRUCTURE_BONUS = 0.08  # the question names this passage's box/chapter/section
    PART_GAIN = 0.02  # how much better a part's own best sentence must answer it
    LIST_BONUS = 0.03  # a list question's answer enumerates
    ITEM_TITLE_PENALTY = 0.05
    ECHO_NOVELTY = 0.3  # below this share of its own words, a sentence only restates the question
    ECHO_PENALTY = 0.05
    COVERAGE_WEIGHT = 0.15
    OTHER_PLACE_PENALTY = 0.08  # asked about 北欧, the sentence speaks of 中东欧 (_names_other_place); 0.05 half as good, 0.12 the same

    def _time_of(self, passage: Passage) -> str:
        """The years ``passage`` speaks of beyond its words (its document's year; see rag.documents.passage_time)."""
        from rag.documents import passage_time

        record = self.records.get(passage.doc_id)
        if record is None:
            return passage.doc_title  # no record (an older index): the title's year, as before
        return passage_time(passage.headings, passage.text, record) + " " + _title_period(passage.doc_title)

    def __init__(self, index, settings: Settings, gate: EvidenceGate) -> None:
        self.index = index
        self.settings = settings
        self.gate = gate
        self.records = index.records() if hasattr(index, "records") else {}

    def _candidates(self, question: str, retrieval: Retrieval, ids: list[str], first_rank: int = 0) -> list[_Candidate]:
        """Every sentence of the passages ``ids`` (ranked ``first_rank``, ``first_rank`` + 1, …), scored
        against the question and its parts."""
        if not ids:
            return []
        sv = self.index.sentence_vectors(ids)
        if not sv.sentences:
            return []
        cos = sv.vectors @ np.asarray(retrieval.query_vector, dtype=np.float32)
        part_cos = [sv.vectors @ np.asarray(v, dtype=np.float32) for _, v in retrieval.parts]
        terms = question_terms(question)
        part_terms = [question_terms(p) for p, _ in retrieval.parts]
        types = asked_types(question)
        measures = question_measures(question)
        rank_of = {pid: first_rank + r for r, pid in enumerate(ids)}
        refs = retrieval.refs
        part_refs = retrieval.part_refs or [[] for _ in retrieval.parts]
        years = _years_named(question)
        part_years = [_years_named(p) for p, _ in retrieval.parts]
        past = bool(_ASKS_PAST_RE.search(question))
        asked_places = _places_by_kind(question)
        position: dict[str, int] = {}
        cands: list[_Candidate] = []
        for i, (pid, sentence) in enumerate(zip(sv.passage_ids, sv.sentences)):
            r = rank_of[pid]
            pos = position.get(pid, 0)
            position[pid] = pos + 1
            bonus = -self.RANK_PENALTY * r
            if "count" in types or "amount" in types:
                bonus += 0.03 if re.search(r"\d", _YEAR_RE.sub("", sentence)) else 0.0  # a year counts nothing
                if measures and any(has_measure(sentence, m) for m in measures):
                    bonus += 0.03  # counts the very thing asked about
            if classify_heading(sentence) is not None:
                # A heading line names a topic but states nothing; it answers only "which 专栏/节".
                if not (asks_about_box(question) and sentence.startswith("专栏")):
                    bonus -= 0.08
            elif len(sentence) < 12:
                bonus -= 0.05  # item titles and fragments say little on their own
            elif "list" not in types and _NUMBERED_TITLE_RE.match(sentence):
                bonus -= self.ITEM_TITLE_PENALTY  # "2. “十四五”发展目标。" names what the item's text states
            elif _novelty(terms, sentence) < self.ECHO_NOVELTY:
                bonus -= self.ECHO_PENALTY  # restates the question's own words, adds nothing
            if "list" in types and _enumerates(sentence):
                bonus += self.LIST_BONUS
            passage = self.index.passages[pid]
            if asked_places and _names_other_place(sentence + " ".join(passage.headings), asked_places):
                bonus -= self.OTHER_PLACE_PENALTY
            own = _own_words(sentence, question)
            score = float(cos[i]) + self.COVERAGE_WEIGHT * _coverage(terms, own) + bonus
            score += self._structure_bonus(passage, refs) + self._year_bonus(passage, sentence, years, past)
            parts = [
                float(pc[i])
                + self.COVERAGE_WEIGHT * _coverage(pt, own)
                + bonus
                + self._structure_bonus(passage, pr)
                + self._year_bonus(passage, sentence, py, past)
                for pc, pt, pr, py in zip(part_cos, part_terms, part_refs, part_years)
            ]
            cands.append(_Candidate(r, passage, pos, sentence, score, parts))
        return cands

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

    def select(self, question: str, retrieval: Retrieval, k: int) -> list[_Candidate]:
        """Choose the sentences that answer the question (see the class doc)."""
        cands = self._candidates(question, retrieval, [h.passage.id for h in retrieval.hits[:k]])
        if not cands:
            return []
        types = asked_types(question)
        by_score = sorted(cands, key=lambda c: -c.score)
        best = by_score[0]
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
            for c in items + self._items_continued(question, retrieval, best, items, cands):
                chosen.setdefault(c.key, c)
            # "必须坚持…；必须立足…；必须坚持外事为民…。" is one enumeration cut at its semicolons.
            c = best
            for _ in range(self.MAX_LIST_ITEMS):
                nxt = by_key.get((c.passage.id, c.position + 1))
                if nxt is None or not c.text.rstrip().endswith(("；", ";")):
                    break
                chosen.setdefault(nxt.key, nxt)
                c = nxt
        # Another passage only when its sentence scores nearly as well as the best
        # and brings a term of the question that the chosen sentences lack: a
        # second passage saying the same thing adds a citation, not an answer.
        others = 0
        groups = self.gate.topic_groups(question)
        for c in by_score[1:]:
            if others >= 1 or c.passage.id == best.passage.id:
                continue
            if c.score < best.score - self.OTHER_PASSAGE_MARGIN:
                break
            if _adds_term(groups, c.text, self._said(chosen.values())):
                chosen[c.key] = c
                others += 1
        # A list question whose chosen sentences list nothing at all: the list often runs
        # on in the next passage of the same section or box ("…生活配套设施。" → "建设游泳池、咖啡馆…").
        if "list" in types and not any("、" in c.text for c in chosen.values()):
            follow = self._continued_list(question, retrieval, best, cands)
            if follow is not None:
                chosen.setdefault(follow.key, follow)
        # Each part of a multi-part question gets its own best sentence, unless
        # the sentences already chosen answer that part about as well.
        for j, (part, _) in enumerate(retrieval.parts):
            # A part naming a year ("2025年一年又去了多少国家") is answered only by evidence of that
            # year, in the sentence or where it is cited from: a sentence on the 十三五 does not
            # cover it, however alike it reads. A part naming a plan period ("十三五期间…") is not
            # answered by evidence dated only in other years (the 2025 review).
            years = _years_named(part)
            dated = [c for c in cands if _dated(self._said([c]), years, _period_years(part))]
            dated_keys = {c.key for c in dated}
            top = max(dated or cands, key=lambda c: c.part_scores[j])
            covered = max((c.part_scores[j] for c in chosen.values() if c.key in dated_keys), default=float("-inf"))
            said = self._said(chosen.values())
            # Like another passage, a part's sentence must bring something of the part's own: a
            # topic word or year the chosen sentences lack, or the 专栏/章/节 the part names. A part
            # naming nothing ("and how many countries did they cover") brings nothing.
            part_groups = self.gate.topic_groups(part) + [(y,) for y in years]
            brings = bool(retrieval.part_refs and retrieval.part_refs[j]) or _adds_term(part_groups, self._said([top]), said)
            if top.part_scores[j] - covered >= self.PART_GAIN and brings:
                chosen.setdefault(top.key, top)

        # A list intro ("…主要目标:"), a bare item title ("2035年远景目标。") or a heading
        # ("专栏8—2 …重点国家") says nothing by itself: the sentence after it, in the same passage, does.
        for c in list(chosen.values()):
            if c.text.rstrip().endswith((":", "：")) or len(c.text) < 16 or classify_heading(c.text) is not None:
                nxt = by_key.get((c.passage.id, c.position + 1))
                if nxt is not None:
                    chosen.setdefault(nxt.key, nxt)

        result = sorted(chosen.values(), key=lambda c: (c.passage_rank, c.position))
        return result

    @staticmethod
    def _said(chosen) -> str:
        """What the chosen sentences say, with the places they are cited from (headings, document title).

        A citation shows its locator, so "2025" in the review's title is said by any
        sentence quoted from it.
        """
        return "".join(c.text + " ".join(c.passage.headings) + c.passage.doc_title for c in chosen)

    def _continued_list(
        self, question: str, retrieval: Retrieval, best: _Candidate, cands: list[_Candidate]
    ) -> _Candidate | None:
        """The best enumerating sentence of the passages next to the best one, in its section."""
        neighbours = [p for p in self.index.neighbours(best.passage) if p is not None and p.headings == best.passage.headings]
        found = [c for c in self._sentences_of(question, retrieval, neighbours, cands) if _enumerates(c.text)]
        return max(found, key=lambda c: c.score, default=None)

    def _sentences_of(
        self, question: str, retrieval: Retrieval, passages: list[Passage], cands: list[_Candidate]
    ) -> list[_Candidate]:
        """The scored sentences of ``passages``, in reading order; a passage outside the top k is scored the same way."""
        ids = {p.id for p in passages}
        found = [c for c in cands if c.passage.id in ids]
        missing = [p.id for p in passages if not any(c.passage.id == p.id for c in found)]
        if missing:
            found += self._candidates(question, retrieval, missing, first_rank=len(retrieval.hits))
        return sorted(found, key=lambda c: (c.passage.order, c.position))

    MAX_LIST_ITEMS = 8

    def _items_continued(
        self, question: str, retrieval: Retrieval, best: _Candidate, items: list[_Candidate], cands: list[_Candidate]
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
        theirs = self._sentences_of(question, retrieval, [after], cands)
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

    def answer(self, question: str, retrieval: Retrieval, k: int | None = None) -> Answer:
        """Answer from the evidence, or abstain."""
        k = k or self.settings.top_k
        chosen = self.select(question, retrieval, k)
        evidence = " ".join(c.text for c in chosen)
        cited_from = " ".join(dict.fromkeys(c.passage.embedding_text() + " " + self._time_of(c.passage) for c in chosen))
        decision = self.gate.decide(question, retrieval, evidence, cited_from)
        if not decision.answerable or not chosen:
            return abstention(question, retrieval.hits[:k], decision.reason or "no evidence sentences")
        return compose(question, [(c.passage, c.text) for c in chosen])


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
        clean = _ITEM_PREFIX_RE.sub("", sentence).strip()
        # "Which 专栏 …?": the box is named by where the sentence stands, not in it.
        if asks_about_box(question) and passage.box and passage.box not in boxes_named:
            boxes_named.add(passage.box)
            if not clean.startswith("专栏"):
                clean = f"（{passage.box}）{clean}"
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


def not_held(question: str, hits: list[Hit], scope) -> Answer:
    """The answer when the question names documents the deployment does not hold ("未收录…的文件。")."""
    answer = abstention(question, hits, scope.code)
    if has_cjk(question):
        answer.text = scope.missing + answer.text
    else:
        answer.text = f"The documents held do not include the one asked about ({scope.missing}). " + answer.text
    return answer
