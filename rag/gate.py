"""The evidence gate: named rules that decide, before any answer is written, whether the evidence can answer.

Dense similarity alone does not separate answerable from unanswerable questions
(e5 scores bunch at 0.8–0.9), so the gate runs a list of small rules, each with a
name, a reason code (carried by ``results.jsonl``'s ``abstain_reason``) and a
docstring saying what it refuses and why. Every rule reads the question as
analysed (:class:`rag.query.Query`, plus the question text for the helpers of
:mod:`rag.query`), the retrieval, and the evidence: the sentences chosen to answer
(``evidence``) and, for time and place checks, those sentences with the passages
they are quoted from, their headings and their time (``dated``; see
:func:`rag.documents.passage_time`). A rule returns the reason it refuses, or
``None``. The first refusal decides.

Rules in order (code — what it refuses):

``gate.nothing_retrieved``   nothing was retrieved.
``gate.similarity_floor``    the best passage is far from the question.
``gate.off_topic``           none of the question's own topic words is in the passages retrieved.
``gate.topic_missing``       none of the question's specific nouns (节假日, 值班) is in the documents found.
``gate.unknown_field``       a broad question's field (对…/在…方面), or the subject it asks about, holds a word no document has.
``gate.field_not_in_document`` a broad question naming its document asks of a subject that document never mentions.
``gate.unknown_year``        a year no indexed document mentions.
``gate.unknown_ordinal``     an ordinal (第五届, 第三十条) no document mentions.
``gate.unknown_box``         a 专栏 number no document has.
``gate.unknown_place``       a place (gazetteer) or country no document mentions.
``gate.quoted_name_missing``  a name the question quotes (“六稳”, 《黑神话：悟空》) that the documents say, but not the evidence found.
``gate.year_not_in_evidence``     the year asked is not the evidence's.
``gate.period_not_in_evidence``   a plan period (十三五) answered only by evidence of other years.
``gate.country_not_in_evidence``  the country asked about is not the evidence's.
``gate.city_not_in_evidence``  the city asked about (not the asker's own) is not the evidence's.
``gate.province_not_in_evidence`` a province asked about (not the asker's own) named by no evidence, passage or title.
``gate.answer_kind_missing``  a fee, phone, address, website, date, amount, count … the evidence lacks.
``gate.figure_missing``      an English question asks what figure a target, rate or share is; the evidence gives none.
``gate.subject_missing``     a figure asked, but the evidence does not name what it measures.
``gate.sibling_term``        the evidence speaks of a thing named like the one asked (初中班 for 高中班).
``gate.another_rate``        a rate asked by name (再生利用率), the evidence gives another (处理率).
``gate.figure_not_of_subject``  a figure asked; the evidence names its subject but gives it no figure (only the
                             question's own figures, or another thing's said beside it).
``gate.unit_mismatch``       a count or amount in another unit (几班 needs 班; 亿美元 is not 亿元; 小时 is not 个).
``gate.target_not_result``   an achieved figure asked, only a target given.
``gate.span_not_year``       one year's figure asked, only a figure over several years given.
``gate.result_not_target``   a target asked, only results given (a review's sentences, an earlier year's figures).
``gate.outcome_missing``     the outcome of a step asked, the evidence only plans it.
``gate.rank_missing``        who ranks first asked, the evidence ranks nothing first.
``gate.names_missing``       the names of a counted set asked, none given (or the part asked only named among its peers).
``gate.heading_only``        the evidence is only an item's bare title ("五、关于…问题。"), nothing it says.
``gate.places_missing``      places asked as a list ("哪10个城市"), none named.
``gate.procedure_missing``   a procedure asked, none described.
``gate.who_missing``         who is asked; the evidence names no person, body or place.
``gate.title_missing``       "who is the 主任" with no 主任 named.
``gate.organisation_missing`` an organisation named after a place ("新疆生产建设兵团") the evidence never names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Callable

from rag.keyword import FILLER_WORDS, is_chinese, noun_words, tokenize, words
from rag.places import find_places, names_province
from rag.query import (
    _ACHIEVED_RE,
    _ASKS_ACTUAL_RE,
    _ASKS_OUTCOME_RE,
    _BOX_REF_RE,
    _EN_YEAR_RE,
    _HAS,
    _NAMES_COUNTED_RE,
    _ORDINAL_RE,
    _PROCEDURE_RE,
    _TARGET_RE,
    _TITLE_RE,
    _YEAR_RE,
    DOCUMENT_NAME_RE,
    TITLE_END,
    ASKS_FIRST_RE,
    LEVEL_REACHED_RE,
    LOOK_BACK_RE,
    RANKED_FIRST_RE,
    SPAN_FIGURE_RE,
    other_stage,
    planned,
    under_review,
    _dated,
    Query,
    analyse,
    asked_types,
    clauses,
    has_measure,
    places_named,
    question_measures,
    says_who_asks,
)
from rag.retrieval import Retrieval
from rag.settings import Settings

# Question words jieba keeps whole, which name no topic.
_QUESTION_WORDS = frozenset(
    "怎么样 什么样 怎么办 为何 多久 多长 哪儿 哪家 哪位 哪年 哪天 哪几 哪几个 哪几种 哪些方面 几年 几个 什么 有没 没有 是不是 能不能 可不可以".split()
)


@dataclass
class GateDecision:
    """The evidence gate's verdict: ``code`` names the rule that refused (``reason`` says why, for a person)."""

    answerable: bool
    reason: str = ""
    code: str = ""


@dataclass
class RuleVerdict:
    """One gate rule's verdict (see :meth:`EvidenceGate.verdicts`): passed, or refused with its reason."""

    code: str
    passed: bool
    reason: str = ""
    deciding: bool = False  # the first refusal: the one :meth:`EvidenceGate.decide` reports
    error: str = ""  # the rule could not run on this input (only after an earlier refusal)


@dataclass
class Evidence:
    """What the rules read: the question (text and squashed), the retrieval, and the evidence."""

    question: str
    q: str  # the question without whitespace
    zh: bool
    retrieval: Retrieval
    evidence: str  # the chosen sentences, without whitespace
    dated: str  # the sentences with their passages, headings and time, without whitespace
    types: set[str]
    query: Query  # the question analysed
    quoted: tuple = ()  # each evidence sentence with the headings it stands under, when the caller has them
    cited_from: str = ""  # the passages the sentences are quoted from, as written (a paragraph a line)

    def years(self) -> list[str]:
        """The calendar years the question names."""
        return _YEAR_RE.findall(self.q) + ([] if self.zh else _EN_YEAR_RE.findall(self.question))


@dataclass(frozen=True)
class Rule:
    """One rule of the gate: its reason code and the check (``None`` when it lets the evidence through)."""

    code: str
    check: Callable[["EvidenceGate", Evidence], str | None]

    @property
    def doc(self) -> str:
        """What the rule refuses and why (its check's docstring)."""
        return (self.check.__doc__ or "").strip()


# ---------------------------------------------------------------- the rules


def nothing_retrieved(gate: "EvidenceGate", e: Evidence) -> str | None:
    """Nothing was retrieved: there is nothing to answer from."""
    return None if e.retrieval.hits else "nothing retrieved"


def similarity_floor(gate: "EvidenceGate", e: Evidence) -> str | None:
    """The best passage's cosine is below the floor (English 0.10 lower: cross-lingual scores run lower)."""
    floor = gate.settings.abstain_threshold - (0.0 if e.zh else 0.10)
    if e.retrieval.best_dense < floor:
        return f"best similarity {e.retrieval.best_dense:.2f} below the floor {floor:.2f}"
    return None


def off_topic(gate: "EvidenceGate", e: Evidence) -> str | None:
    """None of the question's own topic words (not found in every fifth passage) is in the passages retrieved or
    their documents' titles:
    "怎么做红烧肉？", "Tell me a joke" are off the documents' subject. A question naming a document by its 文号
    ("What plan does Guofa [2019] No. 4 issue?") is on that document's subject (scoping found it held)."""
    if e.query.doc_numbers:
        return None
    topic = gate.topic_terms(e.question)
    # The passages and the titles of their documents: "2022年政府工作报告对当年工作提了哪几项重点" names its document.
    hits = e.retrieval.hits[: gate.settings.top_k]
    if not e.zh and not topic:
        # "What are the main areas of work that Heilongjiang's 2025 government work report lays out": a document found.
        if e.query.kinds and any(k in h.passage.doc_title for h in hits for k in e.query.kinds):
            return None
        return "the question names nothing the documents speak of"
    retrieved = " ".join([h.passage.embedding_text() for h in hits] + list({h.passage.doc_title for h in hits})).lower()
    if topic and not any(t in retrieved for t in topic):
        return f"none of {'、'.join(topic[:5])} appears in the documents' nearest passages"
    return None


# A word naming who issues or answers (国务院办公厅, 国家发展改革委, 省政府): the asker's pointer to a document, not
# what it is asked about.
_ISSUER_WORD_RE = re.compile(r"(?:国务院|办公厅|委员会|人民政府|政府|[部局厅署院委办])$")


def topic_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A Chinese question names several specific things (:attr:`EvidenceGate.TOPIC_WORDS`: nouns the documents
    use, each in at most :attr:`EvidenceGate.SPECIFIC_SHARE` of the passages: "节假日", "元旦", "春节") and no
    document retrieved names any of them: those documents were found by the question's other words (a year, an issuer: "2020年节假日
    安排" answered by a plan's paragraph on 2020) and speak of another thing. Who issues (国务院办公厅), places and
    figures are not the topic; nor is the asker's own situation."""
    if not e.zh or e.query.doc_numbers or not gate.passage_count:
        return None
    from rag.wordcut import posseg

    specific: list[str] = []
    # Nouns, and names of times ("元旦", "节假日": jieba's t).
    for w in (t.word for t in posseg().lcut(e.query.subject) if t.flag.startswith("n") or t.flag in ("vn", "t")):
        if len(w) < 2 or w in _QUESTION_WORDS or w in FILLER_WORDS or re.search(r"\d", w) or find_places(w) or _ISSUER_WORD_RE.search(w):
            continue
        share = gate.share(w.lower())
        if 0 < share <= gate.SPECIFIC_SHARE and w not in specific:
            specific.append(w)
    if len(specific) < gate.TOPIC_WORDS:
        return None
    docs = {h.passage.doc_id for h in e.retrieval.hits[: gate.settings.top_k]}
    if any(gate.says(_bare(w), docs) for w in specific):
        return None
    return f"no document found says {'、'.join(specific[:5])}"


def unknown_field(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A broad question's field (:attr:`rag.query.Query.fields`: "对虚拟货币交易和比特币“挖矿”…", "在鼓励无偿献血和
    器官捐献方面…", "城市养犬管理…") holds a word no indexed passage has: the documents set out no measures on
    it, whatever they say of the question's other words (监管, 措施, 公共场所). A place is left to
    :func:`unknown_place`, and a word opening with a preposition ("对德" of "对德合作") is not a field's word."""
    asked: list[str] = []
    for field in e.query.fields:
        asked += [
            w for w in tokenize(field)
            if len(w) >= 2 and w not in _QUESTION_WORDS and w not in FILLER_WORDS and w[0] not in "对在和与向同跟" and not find_places(w)
        ]
    # Nor may the subject of the asking words, found outside a field ("开宠物医院、做宠物食品生意，国家有哪些监管要求",
    # "…for the pet industry (宠物产业)?"): a noun no passage has, whose opening and closing words none has either.
    if e.query.broad:
        asked += [w for w in subject_nouns(e.query) if w not in FILLER_WORDS]
    known = {w for w in asked if gate.holds(w)}
    # A part of a word held is held with it ("保费" of 社保费).
    unknown = [w for w in dict.fromkeys(asked) if w not in known and not any(w in k for k in known)]
    # Named whole: "比特币", not also its "比特".
    unknown = [w for w in unknown if not any(w != o and w in o for o in unknown)]
    return f"the documents never mention {'、'.join(unknown)}" if unknown else None


def field_not_in_document(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A broad question naming its document (by 文号, 《title》, year and kind, or its title in the question's own
    words) asks what that document sets out on a subject it never mentions ("国办发〔2018〕117号…对发展旅游业、文旅
    融合成效明显的地方有哪些激励支持", "2024年政府工作报告在发展冰雪经济方面有哪些部署"): whatever its other
    measures, none is on that subject. Refused when a noun of the subject (:func:`subject_nouns`, not of a clause
    saying who asks) of three characters or more is in none of the documents retrieved; or a noun of each field
    named (冰雪 of 发展冰雪经济; not when it lists several fields and some are held); or two nouns, of a document
    named by 文号, 《title》 or year and kind. A noun is held as :meth:`EvidenceGate.holds` finds it."""
    # Named by its title spelled without 《》 too ("国务院办公厅关于加快发展体育竞赛表演产业的指导意见对…"): the
    # scoping found it.
    strictly = e.query.dated_kinds or e.query.doc_numbers or any(DOCUMENT_NAME_RE.search(t) for t in e.query.titles)
    named = strictly or e.retrieval.names_document
    if not (e.query.broad and named and e.retrieval.hits):
        return None
    scoped = {h.passage.doc_id for h in e.retrieval.hits}
    # Not the words of a clause saying who asks ("我们公司专门承办马拉松…"): the asker's trade is no subject of the document.
    asker = "".join(c for c in clauses(e.question) if says_who_asks(c))
    unheld = [w for w in dict.fromkeys(subject_nouns(e.query))
              if w not in FILLER_WORDS and w not in asker and not gate.holds(w, scoped)]
    # The fields the question names ("在发展冰雪经济方面", "在贷款、租赁、保险、税收上"): what the measures asked
    # are to be on. When each holds a noun the document never says, it sets out nothing on any of them.
    missing = [[w for w in nouns if not gate.holds(w, scoped)] for nouns in _field_nouns(e.query.fields)]
    if missing and all(missing):
        return f"the document asked about never mentions {'、'.join(dict.fromkeys(w for ws in missing for w in ws))}"
    # A name in Latin letters and digits ("5G", "ETC") is as specific as a long noun.
    coined = [w for w in dict.fromkeys(re.findall(r"[A-Za-z0-9.+]*[A-Za-z][A-Za-z0-9.+]*", e.query.subject if e.zh else ""))
              if len(w) >= 2 and not gate.says(w, scoped) and not gate.says(w.upper(), scoped)]
    unheld += coined
    # Two short nouns are enough only of a document named by its year and kind, its 文号 or its 《title》: a title
    # spelled out in the question's own words leaves its asking nouns ("负责哪些事情", "这些方面") among them.
    if (len(unheld) >= 2 and strictly) or any(len(w) >= 3 for w in unheld) or coined:
        return f"the document asked about never mentions {'、'.join(unheld)}"
    return None


@lru_cache(maxsize=1024)
def _field_nouns(fields: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The nouns of each field named ("冰雪经济" of "发展冰雪经济"; "贷款", "租赁" … of "贷款、租赁、保险、税收"),
    a list for each item of each field; not those of a clause saying who asks ("我们公司专门承办…"), places or
    filler words."""
    out: list[tuple[str, ...]] = []
    for f in fields:
        for clause in clauses(f):
            if says_who_asks(clause):
                continue
            for item in re.split(r"[、和与及或]", clause):
                nouns = tuple(w for w, tag in noun_words(item, False) if tag.startswith("n") and len(w) >= 2
                              and w not in FILLER_WORDS and not find_places(w))
                if nouns:
                    out.append(nouns)
    return tuple(out)


def subject_nouns(query: Query) -> list[str]:
    """The nouns naming what a broad question asks about: of a Chinese question, those of its
    :attr:`rag.query.Query.subject` that are no place, figure or asking ("哪些项目" of "要建设哪些项目"); of an
    English one, the Chinese it quotes ("the pet industry (宠物产业)")."""
    if not query.chinese:
        return re.findall(r"[\u4e00-\u9fff]{2,}", query.text)
    return [w for w, _ in noun_words(query.subject, False)
            if len(w) >= 2 and not re.search(r"\d|哪|什么|多少|几", w) and not find_places(w)]


def unknown_year(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A year that no indexed document mentions cannot be answered from them."""
    for year in e.years():
        if year not in gate.corpus_years:
            return f"the documents never mention the year {year}"
    return None


def unknown_ordinal(gate: "EvidenceGate", e: Evidence) -> str | None:
    """An ordinal (第五届, 第三十条, 第二批) that no document mentions."""
    for ordinal in _ORDINAL_RE.findall(e.q):
        if ordinal not in gate.corpus and ordinal.replace("第一", "首") not in gate.corpus:
            return f"the documents never mention {ordinal}"
    return None


def unknown_box(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A 专栏 number that no document has."""
    for box in _BOX_REF_RE.findall(e.q):
        if not re.search(rf"专栏{box}(?!\d)", gate.corpus):
            return f"there is no 专栏{box}"
    return None


def unknown_place(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A place the question names (China's provinces and cities, the world's countries: the gazetteer)
    that no indexed document mentions."""
    if e.zh:
        for name in places_named(e.q):
            if name not in gate.corpus:
                return f"the documents never mention {name}"
        return None
    from rag.glossary import english_entities

    for english, chinese in english_entities(e.question):
        if not any(c in gate.corpus for c in chinese):
            return f"the documents never mention {english}"
    return None




@lru_cache(maxsize=1024)
def _spread(word: str) -> re.Pattern:
    """``word``'s characters in order, at most two characters between each (:meth:`EvidenceGate.abbreviates`)."""
    return re.compile("[\u4e00-\u9fff]{0,2}".join(map(re.escape, word)))


def _bare(text: str) -> str:
    """``text`` without punctuation or spaces ("黑神话：悟空" and "黑神话:悟空" are one name)."""
    return re.sub(r"[\W_]+", "", text)


def quoted_name_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A name the question quotes — “六稳”, 《黑神话：悟空》 — is what it asks about: when the documents say it,
    the evidence or the passages retrieved with it must say it too (otherwise they speak of something else: a
    report's cover line, another document's game). A quoted document title (《…条例》, 《…方案》) names where to
    look, not what to find, and is left to scoping."""
    if not e.zh:
        return None
    retrieved = None
    # A question naming its document ("2016年政府工作报告…“三去一降一补”") asks what that document says of the
    # name: when only other documents say it, its evidence may still answer (the five tasks, unnamed).
    named = e.query.dated_kinds or e.query.doc_numbers or any(DOCUMENT_NAME_RE.search(t) for t in e.query.titles)
    scoped = {h.passage.doc_id for h in e.retrieval.hits} if named else None
    for name in e.query.quoted:
        bare = _bare(name)
        if len(bare) < 2 or bare in _bare(e.dated) or not gate.says(bare, scoped):
            continue
        if retrieved is None:
            retrieved = _bare("".join(h.passage.embedding_text() for h in e.retrieval.hits[: gate.settings.top_k]))
        if bare not in retrieved:
            return f"the evidence does not say {name}"
    return None


def year_not_in_evidence(gate: "EvidenceGate", e: Evidence) -> str | None:
    """The year asked must be the evidence's: in its sentences, their headings, or the time of the passages
    they come from (a 2024 report's 今年), not merely in the title of a document that speaks of several years."""
    of_documents = {str(y) for y in e.query.naming_reports}  # "2024年政府工作报告里说的…" names the report
    for year in e.years():
        if year not in e.dated and year not in of_documents:
            return f"the evidence is not of {year}"
    return None


def period_not_in_evidence(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A plan period asked about ("十三五期间…", no year besides) is not answered by evidence dated only in other
    years ("到2025年…力争达到120对" is a 十四五 target), unless the evidence names the period."""
    period = e.query.period_years
    if period and not e.query.named_years and not _dated(e.dated, [], period):
        from rag.glossary import plan_periods

        if not any(name in e.dated for name in plan_periods(e.question)):
            return "the evidence is of another period"
    return None


def country_not_in_evidence(gate: "EvidenceGate", e: Evidence) -> str | None:
    """The country asked about must be the evidence's, by any of its names: "湖南和巴西有哪些合作项目？" is not
    answered by a passage on 北卡罗来纳州 because another passage mentions 巴西."""
    from rag.glossary import COUNTRIES, country_forms, english_entities, names_country_pair

    if e.zh:
        # The gazetteer matches longest names first: 内蒙古 is a province, not 蒙古.
        found = {p.name for p in e.query.places if p.level == "country"}
        asked = [(name, english, names + country_forms(english)) for english, names in COUNTRIES.items() for name in names if name in found]
    else:
        asked = [(name, name, chinese + country_forms(name)) for name, chinese in english_entities(e.question)]
    for name, english, chinese in asked:
        # …not as 中美洲 (Central America) or 北美洲.
        if not any(re.search(re.escape(c) + "(?!洲)", e.dated) for c in chinese) and not names_country_pair(e.dated, english):
            return f"the evidence does not speak of {name}"
    return None


def _quoted_titles(e: Evidence) -> str:
    """The titles of the documents the evidence sentences are quoted from (those of the retrieved passages
    holding them)."""
    return "".join({h.passage.doc_title for h in e.retrieval.hits if any(s in h.passage.text for s, _ in e.quoted)})


def city_not_in_evidence(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A city the question asks about, not the asker's own ("山东省烟台市入选的是哪一项", not "我们是长沙的企业，…"),
    must be named by the evidence, its passages or the titles of its documents ("…以哈尔滨市名义申办…的复函"),
    unless those documents are its province's, which speak for all its cities."""
    cities = [p for p in e.query.places if p.level == "city"] if e.zh else []
    if cities:
        subject = re.sub(r"\s+", "", e.query.subject)
        titles = _quoted_titles(e)
        for city in cities:
            if city.province and city.province in titles:
                continue  # its province's own documents speak for its cities ("规划里对港澳同胞在湘…", asked of 长沙)
            if city.name in subject and not any(n in e.dated or n in titles for n in (city.name, city.full_name)):
                return f"the evidence does not speak of {city.full_name or city.name}"
    return None


def province_not_in_evidence(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A province the question asks about, not the asker's own ("内地新疆高中班…", not "我们是湖南的企业，…"), must be
    named by the evidence, its passages or the titles of its documents: a notice on 西藏's classes does not answer
    a question on 新疆's, nor does a national report's sentence that never names the province. Evidence whose
    documents are not known (no retrieved passage holds it) is not judged."""
    provinces = [p for p in e.query.places if p.level == "province"] if e.zh else []
    if provinces:
        subject = re.sub(r"\s+", "", e.query.subject)
        # (Evidence given as text alone: the titles of the retrieved passages holding its sentences. Where it stands
        # is not known, the rule does not judge.)
        said = [x for x in re.split(r"[。；;！!？?]", e.evidence) if len(x.strip()) >= 4]
        titles = _quoted_titles(e) or "".join(
            {h.passage.doc_title for h in e.retrieval.hits if any(x.strip() in h.passage.text for x in said)}
        )
        if not titles:
            return None
        for place in provinces:
            if place.name in subject and not names_province(e.dated + titles, place.name):
                return f"the evidence does not speak of {place.full_name or place.name}"
    return None


def answer_kind_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """The question asks for a fee, phone number, address, website, date, amount or count that the evidence
    does not contain."""
    for kind in e.types:
        rx = _HAS.get(kind)
        # A year the question names is no date it asks ("2019年国庆节放假是哪几天" is not answered by "现将2019年…
        # 放假调休日期的具体安排通知如下"), when all it asks is dates (of a question in several parts, the others may
        # still be answered).
        evidence = e.evidence
        if kind == "date" and e.years() and _asks_only_dates(e.q):
            evidence = re.sub("|".join(f"{y}年" for y in e.years()), "", evidence)
        if rx is not None and not rx.search(evidence):
            article = "an" if kind[0] in "aeiou" else "a"
            return f"the question asks for {article} {kind} the evidence does not contain"
    # "哪一天开幕": a day is asked; a year or a month is no answer. (Of a question in several parts, the others
    # may still be answered: this part's answer then lacks its day, which the reader sees.)
    one_part = len(re.findall(r"[？?]", e.q.rstrip("？?"))) == 0
    if "date" in e.types and one_part and _ASKS_DAY_RE.search(e.q) and not DAY_RE.search(e.evidence):
        return "the question asks for a day the evidence does not give"
    return None


# "What M2 money supply growth target", "what unemployment rate", "what share of": the figure a target, a rate or a share is.
_FIGURE_ASKED_EN_RE = re.compile(
    r"\bwhat (?:[\w&/-]+ ){0,5}(?:growth |increase |reduction )?(?:target|rate|intensity|share|ratio|proportion|percentage)s?\b"
    r"(?! (?:for|of) (?:opening|reform|development|the (?:plan|work))\b)",
    re.I,
)


def figure_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """An English question asks what figure a target, rate or share is ("What M2 money supply growth target did the
    2024 report set?") and the evidence gives none: no number but the years it names, no "三项", "两倍", "翻一番"
    ("货币供应量同经济增长和价格水平预期目标相匹配"). Such a question names no kind of answer (a count, an amount:
    :func:`answer_kind_missing`); a Chinese one asks "多少". A target asked as a goal in words ("What target does the
    plan set for opening up?") is not a figure."""
    if e.zh or not e.query.asks_figure or not _FIGURE_ASKED_EN_RE.search(e.question):
        return None
    evidence = _YEAR_RE.sub("", e.evidence)
    if _FIGURE_IN_RE.search(evidence) or re.search(r"翻[一两二三四]?番", evidence):
        return None
    return "a figure is asked and the evidence gives none"


# A clause that asks something, and one that asks a date.
_ASKING_RE = re.compile(r"什么|哪|几|多少|吗|是否|有没有|怎么|如何|\b(?:what|which|when|who|how|whether)\b", re.I)
_DATE_ASKED_RE = re.compile(r"什么时候|何时|哪[一几]?天|哪一?年|几月几[日号]|几号|\bwhen\b|\bwhat date|\bdates?\b", re.I)


def _asks_only_dates(q: str) -> bool:
    """Every clause of the squashed question ``q`` that asks something asks a date."""
    asking = [c for c in re.split(r"[，,？?；;。]", q) if _ASKING_RE.search(c)]
    return bool(asking) and all(_DATE_ASKED_RE.search(c) for c in asking)


_ASKS_DAY_RE = re.compile(r"哪一?天|几月几[日号]|几号|哪个日子|\bwhat day\b|\bon which day\b", re.I)
# A day given: "10月1日", "十月一日", "2019-10-01".
DAY_RE = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日|\d{4}-\d{2}-\d{2}")


# Words that frame a figure question rather than name the figure's subject: the document, its
# issuer's scope, the stage (目标/实际) and the asking. Properties of the language of such questions.
_FRAMING_WORDS = frozenset(
    "政府工作报告 工作报告 报告 政府 文件 规划 通知 条例 提出 安排 要求 设定 定的 定了 规定 全省 全市 全区 全国 本省 本市 今年 去年 "
    "明年 当年 目标 预期 预期目标 具体 数字 实际 完成 达到 增长 增速 增幅 提高 降低 下降 上升 多少 百分之几 百分比 比例 控制 "
    "确保 力争 要求 实现 规模 总量 人数 数量 一共 总共 分别 各自 其中 以上 左右 以内 亿元 万元 万人 亿斤 个百分点 "
    "指标 主要指标 经济指标 主要经济指标 预计 时期 期间 年均 当年 全年 总额 金额 数额 比重 增长率 幅度 "
    "知道 想知道 请问 了解 想了解 打听 咨询 最后 最终 对比 比较 对照 时候 时间 情况 省份 省市 地区 城市 地方 各地".split()
)
_FIGURE_RE = re.compile(
    r"多少|百分之几|几成|几个百分点|(?<![第那这哪])几[天年]|占多大|多大的?(?:权重|比重|比例|份额)|how (much|many)"
    r"|what (percentage|share|rate)",
    re.I,
)


SPECIFIC_SHARE = 0.02  # a subject word in at most this share of passages names one particular thing
SPECIFIC_MIN_PASSAGES = 10  # …or in at most this many
COMMON_SHARE = 0.1  # one in more than this share is said of everything
_FIGURE_IN_RE = re.compile(r"(?<![a-z])\d+(?:\.\d+)?(?![a-z.\d])|[一二两三四五六七八九十百千万]+(?:[个项家人元倍成%％所批次对]|万|亿)")


def _figure_subject(e: Evidence, verbs: bool = False) -> list[str]:
    """The nouns (and with ``verbs``, the verbs: jieba tags 预算/收入 as verbs) of the clause that asks for a
    figure, less places and framing words (see subject_missing)."""
    return list(_subject_words(e.q, verbs)) if e.zh else []


# An English question naming a figure it asks for ("What is Beijing's grain output target", "What was … growth rate").
_FIGURE_NOUN_EN_RE = re.compile(r"\b(?:target|goal|rate|intensity|share|ratio|proportion|figure)s?\b", re.I)


def _figure_groups(e: Evidence) -> list[tuple[str, ...]]:
    """The Chinese terms of what an English question asks a figure of (how many/much, a target or a result), one
    group of spellings per thing named ("grain output": 粮食产量, 粮食总产量)."""
    if not e.query.asks_figure or not ({"count", "amount"} & e.types or _FIGURE_NOUN_EN_RE.search(e.question)):
        return []
    from rag.glossary import term_groups

    return [
        g for g in term_groups(e.question)
        if len(g[0]) >= 2 and not any(framing_word(t) or re.search(r"\d", t) or find_places(t) for t in g)  # places scope
    ]


def _figure_terms(e: Evidence) -> list[str]:
    """:func:`_figure_groups`, one term per thing named, as the evidence spells it when it does ("grain output" →
    粮食产量 or 粮食总产量)."""
    return [next((t for t in g if t.lower() in e.evidence.lower()), g[0]).lower() for g in _figure_groups(e)]


def _named_subject(gate: "EvidenceGate", e: Evidence) -> list[str]:
    """:func:`_figure_subject`, or, when none of its words is a word of the language the documents use ("每项每月具体
    能扣多少钱": 能扣 is neither in them nor in jieba's dictionary, while 医生 of "多少医生参与" is a word, said
    otherwise), the nouns and verbs of the clause before, which name what the figure is of ("设了6项专项附加扣除，":
    jieba tags 扣除 a verb)."""
    from rag.wordcut import word_frequency

    subject = _figure_subject(e)
    if subject and not any(gate.says(_bare(t)) or word_frequency(t) for t in subject):
        return list(_subject_words(e.q, False, before=True)) or subject
    return subject


@lru_cache(maxsize=512)
def _subject_words(q: str, verbs: bool, before: bool = False) -> tuple[str, ...]:
    """:func:`_figure_subject` of one squashed question, worked out once: the rules ask it again for every
    document's evidence (per-document answers run the gate once per document). With ``before``, the nouns of
    the clause before the one asking."""
    clauses = _clauses(q)
    at = next((i for i, c in enumerate(clauses) if _FIGURE_RE.search(c)), None)
    if at is None:
        return ()
    if before:
        return subject_words(clauses[at - 1], True) if at > 0 and not _names_document(clauses[at - 1]) else ()
    found = subject_words(clauses[at], verbs)
    if not found and at > 0 and not _names_document(clauses[at - 1]):
        # "…高速公路免费通行吗？免几天？": a clause asking a figure of nothing named asks it of the clause before
        # (its nouns: "超过" names nothing measured) — unless that clause names the document asked of ("国务院办公厅
        # 关于推广…改革举措的通知，一共推广了多少项举措？": its issuer is no subject of the figure).
        found = subject_words(clauses[at - 1], False)
    return found


def _names_document(clause: str) -> bool:
    """``clause`` is a document's name: "国务院办公厅关于…的通知", "《…规划》"."""
    return bool(re.search(r"关于.+" + TITLE_END + "$|^《[^》]+》$", clause))


def _clauses(q: str) -> list[str]:
    """The clauses of the squashed question ``q`` (:func:`rag.query.clauses`), the empty ones left out."""
    return [c for c in clauses(q) if c]


def _figure_clause(q: str) -> str:
    """The clause of the squashed question ``q`` that asks for a figure ("…多少"), or ''."""
    return next((c for c in _clauses(q) if _FIGURE_RE.search(c)), "")


def subject_words(clause: str, verbs: bool = True) -> tuple[str, ...]:
    """The words of ``clause`` that say what a figure measures: its nouns (with ``verbs``, its verbs too),
    less places, figures and the words that frame any figure question (目标, 预期, 增长 …)."""
    clause = re.sub(r"政府工作报告|工作报告", "", clause)
    if not clause:
        return ()
    named = find_places(clause)
    places = {p.name for p in named} | {p.full_name for p in named}
    # The size asked ("多大投资额以上的项目", "多大规模") is what the figure is in, not what it is of; "多少医生" counts
    # doctors, its subject.
    measured = {m.group(1) or m.group(2) for m in _MEASURED_RE.finditer(clause)}
    return tuple(dict.fromkeys(
        w.lower() for w, tag in noun_words(clause, verbs)
        if len(w) >= 2 and not framing_word(w) and not re.search(r"\d", w) and not any(w in p or p in w for p in places if p)
        and not _names_kind(w) and not any(m.startswith(w) for m in measured)
    ))


# "多大投资额", "多大规模"; "按多少税率征收", "多少利率": the size or the rate the figure is in.
_MEASURED_RE = re.compile(r"多大的?([\u4e00-\u9fff]{2,3})|多少的?([\u4e00-\u9fff]?率)")


def _names_kind(word: str) -> bool:
    """``word`` names a kind of document ("指导意见", "试点方案"): it says which document, not what a figure measures."""
    from rag.documents import KINDS

    return any(word.endswith(k) for k in KINDS if len(k) >= 2)


def framing_word(word: str) -> bool:
    """``word`` frames a figure question: a framing word, or two run together ("控制目标", "增长目标")."""
    return word in _FRAMING_WORDS or any(word[:i] in _FRAMING_WORDS and word[i:] in _FRAMING_WORDS for i in range(2, len(word) - 1))


def _compounds(e: Evidence) -> list[tuple[str, ...]]:
    """Runs of two or more adjacent subject words in the question's figure clause ("公共/预算/收入"). A verb opens
    no compound: "减少/农村贫困人口" is a change said of a thing, which the documents may write after it ("农村贫困人口
    减少1386万")."""
    if not e.zh:
        return []
    subject = _figure_subject(e, verbs=True)
    clause = _figure_clause(e.q)
    verbs = {w.lower() for w, tag in noun_words(clause, verbs=True) if tag == "v"}
    out, run = [], []
    for w in words(clause):
        if w.lower() in subject and (run or w.lower() not in verbs):
            run.append(w)
            continue
        if len(run) >= 2:
            out.append(tuple(w.lower() for w in run))
        run = []
    if len(run) >= 2:
        out.append(tuple(w.lower() for w in run))
    return out


def _spellings(term: str) -> list[str]:
    """How the documents write ``term``: itself and the other names of an indicator's level (生产总值, 经济总量),
    or for a Latin abbreviation ("gdp") its Chinese terms."""
    from rag.glossary import INDICATOR_SPELLINGS_ZH, term_groups

    if re.fullmatch(r"[a-z][a-z&.\-]*", term):
        return [t for g in term_groups(term) for t in g] or [term]
    return [term, *INDICATOR_SPELLINGS_ZH.get(term, ())]


def _written(word: str) -> str:
    """A pattern for ``word`` as the documents may write it: a two-character word also as the full form it
    abbreviates, its first and last characters one to three apart (规上 / 规模以上); a Latin abbreviation also as its
    Chinese terms ("gdp": 国内生产总值)."""
    if re.fullmatch(r"[a-z][a-z&.\-]*", word):
        return "(?:" + "|".join(map(re.escape, dict.fromkeys([word, *_spellings(word)]))) + ")"
    if len(word) != 2:
        return re.escape(word)
    return f"(?:{re.escape(word)}|{re.escape(word[0])}[\u4e00-\u9fff]{{1,3}}{re.escape(word[1])})"


def _said(term: str, text: str, q: str = "") -> bool:
    """``term`` is in ``text``, or a compound's parts all are ("粮食产量" in "粮食播种面积…、产量825亿斤"); a
    Latin abbreviation by one of its Chinese terms ("GDP": 生产总值); with the question ``q``, a two-character
    abbreviation by its full form before the same words ("规上工业" in the question, "规模以上工业" in the text)."""
    if term in text:
        return True
    if re.fullmatch(r"[a-z][a-z&.\-]*", term):
        return any(t in text for t in _spellings(term))
    if any(t in text for t in _spellings(term)[1:]):
        return True  # an indicator's other name ("经济总量": 地区生产总值)
    latin = re.search(r"[a-z][a-z&.\-]*", term)
    if latin and latin.group() != term:
        # A Chinese term holding a Latin abbreviation ("单位gdp能耗"): the abbreviation written out ("单位国内生产总值能耗").
        return any(term.replace(latin.group(), spelled) in text for spelled in _spellings(latin.group()))
    parts = [w for w in words(term) if w != term and len(w) >= 2]
    if parts and all(w in text for w in parts):
        return True
    at = q.find(term)
    if len(term) == 2 and at >= 0:
        after, before = q[at + 2 : at + 4], q[max(0, at - 2) : at]
        return bool(len(after) == 2 and re.search(_written(term) + re.escape(after), text)
                    or len(before) == 2 and re.search(re.escape(before) + _written(term), text))
    return False


# A named rate asked ("再生利用率是多少", "覆盖率要达到多少") and rates given with a figure ("处理率达到42%").
_RATE_ASKED_RE = re.compile(r"([\u4e00-\u9fff]{2}率)(?:是|为|要|能|达到|提高到|有)?(?:多少|百分之几|几成)")
_RATE_GIVEN_RE = re.compile(r"([\u4e00-\u9fff]{2}率)(?:达到|达|为|是|提高到|提升到|保持在|稳定在)?\d")


# An indicator named as the measure of another figure: "deficit-to-GDP", "as a share of GDP", "% of GDP".
_RATIO_TO_RE = re.compile(r"[\w&]+[- ]to[- ](?:GDP|gdp)\b|\b(?:share|percentage|per ?cent|proportion|ratio|%)\s+of\s+(?:GDP|gdp)\b", re.I)


def subject_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A figure is asked ("北京市2025年固定资产投资增长预期目标是多少？"): the particular thing it measures must be
    named in the evidence. Otherwise the evidence's figure is another thing's (a report's other targets, its cover line).

    The subject is read from the clause that asks for the figure (not the clause that says who asks:
    "我们厂想算算用工成本，…缴费比例能降到多少"): its nouns, less places and the words that frame any figure
    question (目标, 预期, 增长 …). Only a noun the documents use rarely (固定资产, 失业率, 预算内) must be there:
    common ones (经济, 企业) are said in many ways ("经济增长" is "国内生产总值增长").
    """
    if not e.zh:
        # An English question's indicator, which the documents always spell one way ("GDP": 生产总值).
        from rag.glossary import indicator_terms

        # Not GDP as the measure of another figure ("deficit-to-GDP ratio", "as a share of GDP": 赤字率, 研发投入强度).
        own = _RATIO_TO_RE.sub(" ", e.question)
        missing = [t for t in indicator_terms(own) if e.query.asks_figure and t not in e.dated]
        return f"the evidence does not name {missing[0]}" if missing else None
    # In a small collection every word is in a larger share of passages: a few passages still count as rare.
    limit = max(SPECIFIC_SHARE, SPECIFIC_MIN_PASSAGES / max(1, gate.passage_count))
    subject = _figure_subject(e)
    dated = e.dated.lower()  # the sentences, their passages and headings
    specific = [t for t in subject if 0 < gate.share(t) <= limit]
    missing = [t for t in specific if not _said(t, dated, e.q.lower())]
    if missing:
        return f"the evidence does not name {'/'.join(missing[:3])}"
    # A compound the documents use, as the question writes it ("一般公共预算收入"): its parts said apart
    # ("居民收入") name another thing.
    for parts in _compounds(e):
        compound = "".join(parts)
        if not 0 < gate.share(compound) <= limit:
            continue
        # Its less common parts, in order, in one clause and a few words apart at most ("网络流量平均资费", "贫困人口
        # 全部脱贫", "企业所得税减按15%征收等优惠政策").
        kept = [w for w in parts if gate.share(w) <= COMMON_SHARE]
        # A two-character part may be an abbreviation, written out in the documents (规上 / 规模以上).
        if len(kept) >= 2 and not re.search("[^，,。；;：:]{0,10}".join(map(_written, kept)), dated):
            return f"the evidence does not name {compound}"
    # Nor may it name none of the subject's less common words ("固定资产投资…" answered by a report's cover line).
    named = [t for t in _figure_subject(e, verbs=True) if 0 < gate.share(t) <= COMMON_SHARE]
    if named and not any(_said(t, dated, e.q.lower()) for t in named):
        return f"the evidence does not name {'/'.join(named[:3])}"
    return None


def another_rate(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A rate asked by its name ("城市污水再生利用率是多少") is not answered by another rate's figure ("城市污水处理率
    达到42%"): the rate asked must be the one the evidence gives."""
    asked = _RATE_ASKED_RE.search(e.q)
    if asked and asked.group(1) not in e.evidence:
        given = {m.group(1) for m in _RATE_GIVEN_RE.finditer(e.evidence)} - {asked.group(1)}
        if given:
            return f"the evidence gives {'/'.join(sorted(given))}, not {asked.group(1)}"
    return None


def figure_not_of_subject(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A figure is asked and the evidence names its subject, but no clause that names it gives a figure:
    "进出口总额的增长目标是百分之多少？" is not answered by "…社会消费品零售总额增长6%左右，进出口稳中提质…"
    (the figures are others'). Only the sentences saying the rarest of the subject's words count ("单位国内生产总值
    能耗下降多少": 能耗's sentence, not 国内生产总值's, whose growth has a figure); a measure asked ("多少亿元") must be the
    figure's (a 赤字率 of 3.2% is no 赤字规模 in 亿元). A letter's digit (M2, PM2.5) is no figure."""
    evidence = e.evidence.lower()
    if not e.zh:
        return _another_things_figure(gate, e, evidence)
    subject = _named_subject(gate, e)
    present = [t for t in subject if _said(t, evidence)]
    # Words said everywhere (经济, 企业) alone name no particular figure: they do not call the rule.
    specific = [t for t in present if gate.share(t) <= COMMON_SHARE]
    if not specific:
        # Nor may the sentences and their headings name none of it, when they give figures of other things ("宁夏
        # 2024年进出口总额是多少": a review's paragraph of GDP and investment, whose later sentence names 进出口).
        headings = "".join("".join(h) for _, h in e.quoted).lower()
        named = [t for t in subject if 0 < gate.share(t) <= COMMON_SHARE]
        if e.quoted and named and not any(_said(t, evidence + headings) for t in subject) and _FIGURE_IN_RE.search(
            _YEAR_RE.sub("", evidence)
        ):
            return f"the evidence gives no figure for {named[0]}"
        return None
    rarest = min(specific, key=gate.share)
    rare_keys = [t for t in _spellings(rarest) if t in evidence] or [w for w in words(rarest) if len(w) >= 2 and w in evidence]
    keys = [s for t in present for s in _spellings(t) if s in evidence] + rare_keys
    # The measure asked of this figure, in the clause asking it: "选了几个城市？…按采购金额的多少提前预付" asks 个 of
    # the cities, not of the prepayment.
    asking = next((c for c in _clauses(e.q) if rarest in c), "")
    if asking and not _FIGURE_RE.search(asking):
        # "19年报告说设了6项专项附加扣除，每项每月具体能扣多少钱？": the subject is named in one clause, the figure
        # asked in the next, whose measure (钱: 元) the figure must have.
        asking = _figure_clause(e.q) or asking
    measures = tuple(question_measures(asking)) if asking and asking != e.q else e.query.measures
    # A figure the question states itself ("设了6项…每项能扣多少钱") is not the one it asks. A target stated beside
    # the result asked, found only as a target ("提出…减少1000万以上，实际减少了多少"), is left to target_not_result,
    # which says which half is missing.
    stated = {m.group() for m in _FIGURE_IN_RE.finditer(e.q)}
    if stated and e.query.stage == "result" and target_not_result(gate, e):
        stated = set()
    # Runs of subject words ("公共/预算/收入"), and subject words jieba keeps whole ("粮食产量": 粮食, 产量).
    compounds = [parts for parts in _compounds(e) if len(parts) >= 2] + [
        parts for t in present if len(parts := _segments(t)) >= 2
    ]

    def gives(text: str) -> re.Match | None:
        m = next((m for m in _FIGURE_IN_RE.finditer(text) if m.group() not in stated), None)
        if m and measures and not any(has_measure(text, u) for u in measures):
            return None
        return m

    sentences = [x for x in re.split(r"[。；;！!？?]", evidence) if x]
    headings = {re.sub(r"\s+", "", x).lower().rstrip("。；;！!？?"): "".join(h).lower() for x, h in e.quoted}

    def contrasted(sentence: str) -> bool:
        # A subject word this sentence lacks (nor its headings) and another evidence sentence says: the two
        # sentences speak of different things ("3个部门网站开通了多语种外文版本" and "省级政府网站中有10个开通了英文版"
        # for "省级政府网站有几个开了多语种外文版").
        return any(
            t not in sentence and t not in headings.get(sentence, "") and any(t in other for other in sentences if other != sentence)
            for t in specific
        )

    # "国务院部门网站和省级政府网站各有多少个…" asks of two things, each said in its own sentence.
    coordinated = bool(re.search(r"[和与及、]|各|分别", _figure_clause(e.q)))
    for sentence in sentences:
        if not any(t in sentence for t in rare_keys):
            continue  # a sentence without the rarest word speaks of another figure
        if len(specific) >= 2 and not coordinated and contrasted(sentence):
            continue
        clauses = re.split(r"[，,]", sentence)
        for i, clause in enumerate(clauses):
            if not any(t in clause for t in keys) or _of_another(clause, compounds):
                continue
            if gives(clause):
                return None
            # "下调…单位缴费比例，各地可降至16%": a clause after carries the figure without naming a new subject
            # ("发行超长期特别国债，专项用于…，今年先发行1万亿元"); the first clause with a figure decides.
            for nxt in clauses[i + 1 : i + 3]:
                m = gives(nxt)
                if m:
                    # …or names only what the question names besides ("降低并统一大病保险起付线，报销比例由50%提高到
                    # 60%" for "大病保险的报销比例要提高到多少").
                    named = [w for w, _ in noun_words(nxt[: m.start()]) if len(w) >= 2]
                    if m.start() <= 8 and all(w in e.q or any(w in t or t in w for t in present) for w in named):
                        return None
                    break
    return f"the evidence gives no figure for {rarest}"


# A figure withheld from the published text: "XXX元", "×××万元".
_WITHHELD_RE = re.compile(r"(?:[xX×＊*]{2,}|[ＸＸ]{2,})\s*(?:万亿|亿|万|千)?(?:元|美元|人|个|%|％|吨|公里)")


def _another_things_figure(gate: "EvidenceGate", e: Evidence, evidence: str) -> str | None:
    """:func:`figure_not_of_subject` for an English question, whose Chinese terms are the glossary's, not the
    documents': only its clearest cases. A thing asked, named only in sentences withholding its figure; a compound
    asked ("grain output": 粮食产量) that no clause names, while a clause gives a figure of another thing of the
    same kind ("蔬菜产量稳定在200万吨左右")."""
    # A thing asked that the evidence names only in sentences withholding its figure ("国家每年仍继续拨付XXX元用于
    # 黄金地质勘探") has no figure there, whatever other sentences give.
    sentences = [x for x in re.split(r"[。；;！!？?]", evidence) if x]
    for group in _figure_groups(e):
        spellings = [t.lower() for t in group if gate.share(t.lower()) <= COMMON_SHARE]
        naming = [x for x in sentences if any(t in x for t in spellings)]
        if any(_WITHHELD_RE.search(x) for x in naming) and not any(_FIGURE_IN_RE.search(_YEAR_RE.sub("", x)) for x in naming):
            return f"the evidence gives no figure for {group[0]}"
    compounds = [(t, parts) for t in _figure_terms(e) if len(parts := _segments(t)) >= 2]
    for term, parts in compounds:
        pieces = clauses(evidence)
        if any(re.search(".{0,8}".join(map(_written, parts)), c) for c in pieces):
            continue
        if any(_of_another(c, [parts]) and _FIGURE_IN_RE.search(c) for c in pieces):
            return f"the evidence gives no figure for {term}, only for another {parts[-1]}"
    return None


def _segments(word: str) -> tuple[str, ...]:
    """``word`` cut into the shorter words jieba's search mode finds in it, end to end without overlap
    ("工业增加值": 工业, 增加值; "粮食产量": 粮食, 产量), or () when they do not cover it."""
    parts = {w for w in words(word) if w != word and len(w) >= 2}
    out, at = [], 0
    while at < len(word):
        nxt = max((p for p in parts if word.startswith(p, at)), key=len, default=None)
        if nxt is None:
            return ()
        out.append(nxt)
        at += len(nxt)
    return tuple(out)


def _of_another(clause: str, compounds: list[tuple[str, ...]]) -> bool:
    """The clause speaks of another thing of the same kind than a compound asked: it has the compound's head
    ("产量") after another noun ("蔬菜产量稳定在200万吨" for "粮食产量"), and not the compound itself, even spread
    out ("粮食播种面积…、产量…")."""
    def said(parts: tuple[str, ...]) -> bool:
        # Spread out, or a two-character part written out in full (规上 / 规模以上).
        return bool(re.search(".{0,8}".join(map(_written, parts)), clause))

    if any(said(parts) for parts in compounds):
        return False  # it names one of the things asked ("外语志愿者" of "涉外志愿服务站…外语志愿者")
    for parts in compounds:
        at = clause.find(parts[-1])
        before = clause[max(0, at - 2) : at]
        # A figure's unit is no other thing: "完成600平方公里设施智能化部署" measures 设施.
        measured = re.search(r"\d[\u4e00-\u9fff]{1,4}$", clause[max(0, at - 6) : at])
        if at > 0 and re.match(r"[\u4e00-\u9fff]{2}$", before) and before not in parts and not measured:
            return True
    return False


# Units that are not interchangeable: asked (left) and the evidence's figure must agree.
_CURRENCY_RE = re.compile(r"(亿美元|万美元|美元|亿欧元|欧元|亿元|万元|元)")


def unit_mismatch(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A count must count the thing asked (多少家 needs "…家"; 几班 needs 班; 多少个小时 needs 小时, not 个), and
    an amount asked in one currency is not answered in another (亿美元 is not 亿元)."""
    if "count" in e.types:
        for measure in e.query.measures:
            if not has_measure(e.evidence, measure):
                return f"the evidence counts no {measure}"
    # (Not "哪几个周末": which weekends, not how many weeks.)
    for unit in re.findall(r"(?<!哪)(?:多少|几)个?(小时|分钟|个月|周(?![末年岁])|班(?![子组次]))", e.q):
        if not re.search(rf"[\d一二两三四五六七八九十百千万]+\s*个?{unit}", e.evidence):
            return f"the evidence counts no {unit}"
    asked = _CURRENCY_RE.findall(e.q)
    if asked and ("amount" in e.types or "count" in e.types):
        given = set(_CURRENCY_RE.findall(e.evidence))
        if given and not any(a in given for a in asked):
            return f"the evidence gives {'/'.join(sorted(given))}, not {asked[0]}"
    return None


def _sentences(e: Evidence) -> tuple:
    """Each evidence sentence with the headings it stands under (none known when the caller gave only text)."""
    return e.quoted or tuple((x, ()) for x in re.split(r"[。；;！!？?]", e.evidence) if x.strip())


# A question in parts, one asking the target ("…目标定在多少？…实际增长了多少？").
_ASKS_TARGET_TOO_RE = re.compile(r"(?:目标|预期)[^？?]*[？?]|[？?][^？?]*(?:目标|预期)")


def target_not_result(gate: "EvidenceGate", e: Evidence) -> str | None:
    """An achieved figure is asked ("实际已经…多少", "山西省2024年地区生产总值增长了多少？"), the evidence only sets
    a target: every evidence sentence that gives a figure states a target outside any review ("今年发展主要预期目标
    是：地区生产总值增长5%左右" in a 2025 report). A target is never given as a result."""
    # (Not when the question asks the target too: "…目标定在多少？…实际增长了多少？".)
    if (
        "count" in e.types and _ASKS_ACTUAL_RE.search(e.q) and not _ASKS_TARGET_TOO_RE.search(e.q.rstrip("？?"))
        and _TARGET_RE.search(e.evidence)
        # (Not a word of the subject asked: the 新增 of "城镇新增就业" says nothing was achieved.)
        and not any(m.group() not in e.q for m in _ACHIEVED_RE.finditer(e.evidence))
    ):
        return "the documents give a target, not an achieved figure"
    # English asks a figure without "how much" too: "What GDP growth did Sichuan actually achieve in 2025?".
    if e.query.stage == "result" and (_FIGURE_RE.search(e.question) or e.query.asks_figure and (not e.zh or "count" in e.types)):
        figured = [(s, h) for s, h in _sentences(e) if re.search(r"\d", _YEAR_RE.sub("", s))]
        targets = [other_stage("result", s, h) for s, h in figured]
        # A list of targets goes on without the words of one ("今年发展主要预期目标是：…5.5%以上；地方一般公共预算收入
        # 增长2%，…"): beside a target, a figure under the year's plans is planned too.
        if figured and any(targets) and all(t or planned(s, h) for t, (s, h) in zip(targets, figured)):
            return "the evidence sets targets, not the result asked"
    return None


def span_not_year(gate: "EvidenceGate", e: Evidence) -> str | None:
    """One year's figure is asked ("2022年城镇新增就业实际是多少？"); every evidence sentence that gives a figure gives
    one over several years: an average or a running total ("城镇新增就业年均1270多万人", "五年来累计…"). A
    five-year average is not the year's figure."""
    if len(e.query.asked_years) != 1 or not _FIGURE_RE.search(e.question) or SPAN_FIGURE_RE.search(e.question):
        return None
    figured = [(s, h) for s, h in _sentences(e) if re.search(r"\d", _YEAR_RE.sub("", s))]
    if not figured:
        return None
    spans = [bool(SPAN_FIGURE_RE.search(s)) for s, _ in figured]
    backs = [_looks_back(s, h, e.cited_from) for s, h in figured]
    # A running total ("累计建设人才公寓30万套") is no year's figure either, unless a total is asked.
    totals = e.zh and not _ASKS_TOTAL_RE.search(e.q)
    if not all(span or back or totals and _RUNNING_TOTAL_RE.search(s) for span, back, (s, _) in zip(spans, backs, figured)):
        return None
    if not all(spans):
        subject = [t for t in _named_subject(gate, e) if _said(t, e.evidence.lower())] if e.zh else []

        def over_years(sentence: str, back: bool) -> bool:
            clauses = _clauses_naming(sentence, subject)
            return (back and not any(LEVEL_REACHED_RE.search(c) for c in clauses)) or (
                totals and any(_RUNNING_TOTAL_RE.search(c) for c in clauses)
            )

        if not all(span or over_years(s, back) for span, back, (s, _) in zip(spans, backs, figured)):
            return None
    return "the evidence gives figures over several years, not the year asked"


# "累计建设…" (a running total), not the year's own ("全年累计", "当年累计").
_RUNNING_TOTAL_RE = re.compile(r"(?<!全年)(?<!当年)(?<!年内)(?<!今年)(?<!去年)累计")
# A question asking a total ("累计…多少", "一共", "总共").
_ASKS_TOTAL_RE = re.compile(r"累计|一共|总共|合计|总计")


def _clauses_naming(sentence: str, subject: list[str]) -> list[str]:
    """The clauses of ``sentence`` naming a word of ``subject`` (all of it when none does)."""
    return [c for c in re.split(r"[，,、]", sentence) if any(t in c.lower() for t in subject)] or [sentence]


def _looks_back(sentence: str, headings, passages: str) -> bool:
    """``sentence`` looks back over several years, by its headings or its paragraph's opening ("一、过去五年工作回顾",
    "五年来，…"), and neither it nor its paragraph before it in ``passages`` (those quoted from, a paragraph a line)
    names a year or 去年 of its own: "刚刚过去的2017年，…。…；城镇新增就业1351万人" is 2017's."""
    paragraph = next((line.strip() for line in passages.splitlines() if sentence.strip() in line), sentence.strip())
    if not (any(LOOK_BACK_RE.search(h) for h in headings) or LOOK_BACK_RE.match(paragraph)):
        return False
    before = paragraph[: paragraph.find(sentence.strip())] if sentence.strip() in paragraph else ""
    return not (_YEAR_RE.search(before + sentence) or re.search(r"去年|今年|当年|上年|过去一年", before + sentence))





def result_not_target(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A target is asked ("今年打算增长多少", "2025年…目标是多少") and every evidence sentence reports a result:
    it stands under a review heading ("一、2024年工作回顾") or speaks only of years before the one asked
    ("初步统计，2024年全省…收入增长0.6%" in a 2025 report). A result is never given as a target."""
    if e.query.stage != "target":
        return None
    asked = min((int(y) for y in e.query.asked_years), default=None)
    quoted = _sentences(e)
    if not quoted:
        return None
    for sentence, headings in quoted:
        if under_review(headings):
            continue
        years = [int(y) for y in _YEAR_RE.findall(sentence)] or [int(y) for h in headings for y in _YEAR_RE.findall(h)]
        if asked and years and max(years) < asked:
            continue
        return None
    return "the evidence reports results, not the target asked"


def outcome_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """How a planned step turned out is asked ("中期评估做完了吗？结论是什么？"); a reported outcome states what was
    done or gives figures, a plan only says the step will be taken."""
    if _ASKS_OUTCOME_RE.search(e.q) and not _ACHIEVED_RE.search(e.evidence) and not re.search(r"\d", e.evidence):
        return "the documents plan this step; they report no outcome"
    return None


def rank_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """Who ranks first is asked ("人均预期寿命增幅排名全国第一的是哪个省？"); the evidence ranks nothing first
    ("居全国第1位", "跃居全国第一", "首位"). A report's other sentences on the subject do not say who leads."""
    if ASKS_FIRST_RE.search(e.q) and not RANKED_FIRST_RE.search(e.evidence):
        return "the evidence ranks nothing first"
    return None


def names_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """The members of a counted set are asked ("那27家企业都是哪几家？"); the evidence counts them but names none.
    Nor does a list that holds the thing asked as one of its own members ("军民深度融合方面那6项举措具体是哪些？"
    is not answered by "在知识产权保护、…、军民深度融合、管理体制创新等方面先行先试"): it names its peers."""
    asked = _NAMES_COUNTED_RE.search(e.q)
    if not asked:
        return None
    if "、" not in e.evidence:
        return "the evidence counts them but names none"
    # The particular words the asking clause names (a common word, 企业 or 城市, may head any list).
    clause = next((c for c in _clauses(e.q) if asked.group() in c), e.q)
    named = [w for w in subject_words(clause[: clause.find(asked.group())] or clause) if 0 < gate.share(w) <= COMMON_SHARE]
    segments = [seg for seg in re.split(r"[，,。；;：:！!？?]", e.evidence) if any(w in seg for w in named)]
    if segments and all("、" in seg and _member(seg.split("、"), named) for seg in segments):
        return f"the evidence names {named[0]} only among others, not its members"
    return None


def _member(items: list[str], named: list[str]) -> bool:
    """One of ``named`` is an item of the list ``items`` (the text between its 、), not what the list is of: a
    middle item, the end of the first ("在知识产权保护") or the start of the last ("管理体制创新等方面…")."""
    first, *middle, last = items
    return any(
        any(w in m for m in middle) or w in first[-len(w) - 2 :] or w in last[: len(w) + 2] for w in named
    )


# A numbered item's bare title: "五、关于大连新机场建设项目问题。", "（三）加强组织领导" (no clause of its own).
_ITEM_TITLE_RE = re.compile(r"(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、])[^，,；;：:。]{2,30}。?")
_ASKS_PART_RE = re.compile(r"哪[一个几]?(?:章|节|部分|条|项|方面|几项|几个)")


def heading_only(gate: "EvidenceGate", e: Evidence) -> str | None:
    """The evidence is only the titles of items ("五、关于大连新机场建设项目问题。", whose body the document leaves
    out: "（略）"): it names the matter and says nothing of it. Titles do answer a question asking for a list or
    for a part ("有哪几个方面", "哪一章")."""
    if e.types & {"list", "places"} or e.query.broad or _ASKS_PART_RE.search(e.q):
        return None
    sentences = [re.sub(r"\s+", "", x) for x, _ in e.quoted] or [x for x in re.split(r"(?<=。)", e.evidence) if x]
    if sentences and all(_ITEM_TITLE_RE.fullmatch(x) for x in sentences):
        return "the evidence is only the heading of the matter asked, not what the document says of it"
    return None


def places_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """Places are asked as a list ("首批试点的是哪10个城市？", "通报表扬了哪些地区"); the evidence names none: it
    speaks of the places ("试点城市由省级有关部门推荐") without naming them. A place of the gazetteer, in the
    evidence or the title of a document it is quoted from, or a list of names ending as places do ("东北地区、中部
    地区"), names them."""
    if "places" not in e.types:
        return None
    # The places may be the documents' own: each province's report answers "哪些省份把…定在6%左右".
    titles = " ".join(
        {h.passage.doc_title for h in e.retrieval.hits[: gate.settings.top_k] if re.sub(r"\s+", "", h.passage.text)[:40] in e.dated}
    )
    # One place may be the whole answer ("哪些省份把…定在6%左右": 重庆), or one document's part of it.
    if any(p.level != "national" for p in find_places(e.evidence + titles)) or re.search(r"[省市区县州盟]、[^\s，,。；;、（）()]{2,12}[省市区县州盟]", e.evidence):
        return None
    return "the evidence names none of the places asked for"


def procedure_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """A procedure (材料, 流程, 手续, 时限 …) is asked; the evidence describes none. A time limit asked ("完成时限")
    is described by a deadline ("2019年6月底前", "30个工作日内")."""
    asked = _PROCEDURE_RE.findall(e.q)
    if not asked or _PROCEDURE_RE.search(e.evidence):
        return None
    if set(asked) <= _TIME_LIMITS and _DEADLINE_RE.search(e.evidence):
        return None
    return "the evidence does not describe the procedure asked about"


_TIME_LIMITS = {"时限", "办理时间", "工作日"}
# A deadline: "2019年6月底前", "9月30日前", "年底前", "30个工作日内".
# (Not "三年前", a time past.)
_DEADLINE_RE = re.compile(r"(?:\d{1,2}月(?:\d{1,2}日)?底?|[年月]底)(?:前|以前)|\d+个?(?:工作)?日(?:内|以内)")


# Who the evidence may name: a person by post or standing ("刘永坦院士", "左权县县长", "石英代表"), or a body ("水利部",
# "国家教材委员会办公室", "海南省人民政府", "中国工程院").
_PERSON_RE = re.compile(_TITLE_RE.pattern + r"|院士|同志|代表|委员|教授|研究员|专家|组长|秘书长|召集人|总指挥|矿长|县长|先生|女士")
_BODY_RE = re.compile(
    r"[\u4e00-\u9fff](?:部|委员会|委|局|办公室|办|厅|院|署|中心|政府|公司|集团|协会|学会|银行|小组|大学|学校|基金会|组织)"
    r"(?=[、，,。；;和与及（()）负牵承等的会为]|$)"
)


def who_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """Who did something is asked ("Who received…", "…是谁"); the evidence names no person (by post or standing)
    nor any body or place that could be the one."""
    if "who" not in e.types or "contact" in e.types:
        return None
    if _PERSON_RE.search(e.evidence) or _BODY_RE.search(e.evidence) or find_places(e.evidence):
        return None
    return "the evidence names no one"


_NOUN_TAGS = ("n", "vn", "l", "b")


@lru_cache(maxsize=1024)
def _noun_runs(text: str) -> tuple[tuple[str, ...], ...]:
    """Runs of consecutive nouns in ``text`` as jieba cuts it ("内地/西藏/高中班"), worked out once per text."""
    from rag.wordcut import posseg

    runs: list[list[str]] = [[]]
    for w in posseg().lcut(text):
        if w.flag.startswith(_NOUN_TAGS) and is_chinese(w.word):
            runs[-1].append(w.word)
        elif runs[-1]:
            runs.append([])
    return tuple(tuple(r) for r in runs if len(r) >= 2)


def sibling_term(gate: "EvidenceGate", e: Evidence) -> str | None:
    """The evidence speaks of a sibling of the thing asked: the question's noun phrase ("内地/西藏/高中班") is not in
    the evidence, which holds the same phrase with its last noun changed in one character, not its last ("内地/西藏/
    初中班"), a noun the question does not use. Two things named alike (a modifier before a shared head: 高中班/初中班,
    一等奖/二等奖), not one said two ways: a two-character noun so changed is as often a synonym (服务方式/服务模式)."""
    if not e.zh:
        return None
    said = None
    for run in _noun_runs(re.sub(r"\s+", "", e.query.subject)):
        lead, last = run[:-1], run[-1]
        context = "".join(lead)
        if len(context) < 2 or len(last) < 3 or "".join(run) in e.evidence or last in e.evidence or context not in e.evidence:
            continue
        said = _noun_runs(e.evidence) if said is None else said  # cut only when a phrase asked may have a sibling
        followers = [run2[i + len(lead)] for run2 in said for i in range(len(run2) - len(lead)) if run2[i : i + len(lead)] == lead]
        for other in followers:
            diff = [j for j, (a, b) in enumerate(zip(other, last)) if a != b]
            if len(other) == len(last) and len(diff) == 1 and diff[0] < len(last) - 1 and other not in e.q:
                return f"the evidence speaks of {context}{other}, not {context}{last}"
    return None


def organisation_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """The question asks about an organisation named after a place ("新疆生产建设兵团", "深圳海关"), or about a
    ministry or agency ("交通部", "the Ministry of Industry and Information Technology"); the evidence, with its
    headings and document, never names it by any of its names: it speaks of the place or of other bodies."""
    for name in e.query.organisations:  # Chinese questions' (jieba tags them)
        if name not in e.dated:
            return f"the evidence does not speak of {name}"
    if e.query.bodies:
        # …nor the titles of the documents quoted ("教育部关于…的通知" need not name 教育部 again).
        titles = _quoted_titles(e)
        for names in e.query.bodies:
            if not any(n in e.dated or n in titles for n in names):
                return f"the evidence does not speak of {names[0]}"
    return None


def title_missing(gate: "EvidenceGate", e: Evidence) -> str | None:
    """"Who is the 主任" is asked; the evidence names no one with that title."""
    if "who" in e.types:
        titles = set(_TITLE_RE.findall(e.q))
        if titles and not any(t in e.evidence for t in titles):
            return f"the evidence names no {'/'.join(sorted(titles))}"
    return None


RULES: tuple[Rule, ...] = tuple(
    Rule(f"gate.{fn.__name__}", fn)
    for fn in (
        nothing_retrieved, similarity_floor, off_topic, topic_missing, unknown_field, field_not_in_document, unknown_year, unknown_ordinal, unknown_box, unknown_place,
        quoted_name_missing, year_not_in_evidence, period_not_in_evidence, country_not_in_evidence, city_not_in_evidence,
        province_not_in_evidence, answer_kind_missing, figure_missing, subject_missing,
        sibling_term, another_rate, figure_not_of_subject, unit_mismatch,
        target_not_result, span_not_year, result_not_target, outcome_missing, rank_missing, names_missing, heading_only, places_missing,
        procedure_missing, who_missing, title_missing, organisation_missing,
    )
)


class EvidenceGate:
    """Runs :data:`RULES` over a question and its evidence (see the module doc)."""

    # A term found in more than this share of passages says nothing about topic ("湖南", "外事", "合作").
    GENERIC_SHARE = 0.2
    GENERIC_MIN_PASSAGES = 50
    # A term found in at most this share of passages names a specific thing ("节假日", "值班"): see topic_missing.
    SPECIFIC_SHARE = 0.01
    # …and a question naming at least this many such things, none in the documents found, asks of another subject.
    TOPIC_WORDS = 3

    def __init__(
        self, settings: Settings, corpus_text: str, passage_texts: list[str] | None = None,
        documents: dict[str, str] | None = None,
    ) -> None:
        """``corpus_text``: all passages' text; ``passage_texts``: each passage's; ``documents``: each document's
        text by id (what a question naming its document is checked against)."""
        self.settings = settings
        self._bare_documents = {d: _bare(t) for d, t in (documents or {}).items()}
        self.corpus = re.sub(r"\s+", "", corpus_text)
        self.corpus_years = set(_YEAR_RE.findall(self.corpus))
        self.bare_corpus = _bare(self.corpus)
        texts = [t.lower() for t in passage_texts or []]
        # "Found everywhere" means something only in a corpus of some size: in an index of a
        # few passages every word of its subject is in a large share of them.
        if len(texts) < self.GENERIC_MIN_PASSAGES:
            texts = []
        # A term's share of passages is estimated on at most 5,000 of them: exact enough, and cheap at scale.
        self._passage_texts = texts[:: max(1, len(texts) // 5000)]
        self.passage_count = len(texts)
        self._generic: dict[str, bool] = {}
        self._shares: dict[str, float] = {}
        self._abbreviated: dict[str, bool] = {}
        self.rules = RULES

    def says(self, bare: str, doc_ids: set[str] | None = None) -> bool:
        """The documents ``doc_ids`` (all when None), without punctuation or spaces, hold ``bare``."""
        if doc_ids is None:
            return bare in self.bare_corpus
        return any(bare in self._bare_documents.get(d, "") for d in doc_ids)

    def holds(self, word: str, doc_ids: set[str] | None = None) -> bool:
        """The documents ``doc_ids`` (all when None) hold ``word`` (:func:`unknown_field`, :func:`field_not_in_document`):
        written out, its Latin letters in either case (the tokenizer lowers "5G"); as a compound they word otherwise
        ("扩大开放" for their "扩大高水平对外开放"), by its opening and closing words; or as a short form whose
        characters open the parts of a name they write ("社保费" of 社保缴费), when no document writes the word
        itself ("生产力" is no short form of 生产能力); or as two words sharing their last character, written
        apart ("投融资" of 投资 and 融资, "进出口" of 进口 and 出口)."""
        return (self.says(word, doc_ids) or self.says(word.upper(), doc_ids)
                or (len(word) > 2 and self.says(word[:2], doc_ids) and self.says(word[-2:], doc_ids))
                or (len(word) == 3 and self.says(word[0] + word[2], doc_ids) and self.says(word[1:], doc_ids))
                or (not self.says(word) and self.abbreviates(word, doc_ids)))

    def abbreviates(self, word: str, doc_ids: set[str] | None = None) -> bool:
        """``word`` is the short form of a name the documents (``doc_ids``; all when None) write out, each of its
        characters opening a part of it ("社保费" of 社保缴费 or 社会保险费, "医保局" of 医疗保障局): its three or
        four characters in order, at most two between each (two characters so spread are found anywhere: "实…名")."""
        if not 3 <= len(word) <= 4 or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
            return False
        if doc_ids is not None:
            return any(_spread(word).search(self._bare_documents.get(d, "")) for d in doc_ids)
        # A search of the whole corpus: each word once.
        if word not in self._abbreviated:
            self._abbreviated[word] = _spread(word).search(self.corpus) is not None
        return self._abbreviated[word]

    def share(self, term: str) -> float:
        """The share of passages that hold ``term`` (0 in a small index, where shares say little)."""
        if not self._passage_texts:
            return 0.0
        if term not in self._shares:
            self._shares[term] = sum(1 for t in self._passage_texts if term in t) / len(self._passage_texts)
        return self._shares[term]

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
        if is_chinese(question):
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
        if is_chinese(question):
            return [(t,) for t in terms if len(t) >= 2]
        from rag.glossary import term_groups

        groups = [tuple(t.lower() for t in g if t.lower() in terms and len(t) >= 2) for g in term_groups(question)]
        return [g for g in dict.fromkeys(groups) if g]

    def decide(
        self, question: str, retrieval: Retrieval, evidence_text: str, cited_from: str = "", query: Query | None = None,
        quoted: tuple = (),
    ) -> GateDecision:
        """Return whether ``evidence_text`` (the chosen sentences) can answer ``question``.

        ``cited_from`` is the passages the sentences are quoted from, with their headings and
        their time: a sentence of the 2025 review speaks of 2025 without saying so, and one
        under "1. 2035年远景目标。" of 2035.
        """
        e = self._evidence(question, retrieval, evidence_text, cited_from, query, quoted)
        for rule in self.rules:
            reason = rule.check(self, e)
            if reason:
                return GateDecision(False, reason, rule.code)
        return GateDecision(True)

    def _evidence(
        self, question: str, retrieval: Retrieval, evidence_text: str, cited_from: str, query: Query | None, quoted: tuple
    ) -> Evidence:
        evidence = re.sub(r"\s+", "", evidence_text)
        return Evidence(
            question=question,
            q=re.sub(r"\s+", "", question),
            zh=is_chinese(question),
            retrieval=retrieval,
            evidence=evidence,
            dated=evidence + re.sub(r"\s+", "", cited_from),
            types=set(query.answer_types) if query is not None and query.text == question else asked_types(question),
            query=query if query is not None and query.text == question else analyse(question),
            quoted=tuple(quoted),
            cited_from=cited_from,
        )

    def verdicts(
        self, question: str, retrieval: Retrieval, evidence_text: str, cited_from: str = "", query: Query | None = None,
        quoted: tuple = (),
    ) -> list[RuleVerdict]:
        """Every rule's verdict on the same input as :meth:`decide`, in the order :meth:`decide` runs them
        (which stops at the first refusal: that rule is marked ``deciding``). For people reading why a
        question was or was not answered; answering never calls it. A rule that fails on input an earlier
        refusal would have kept from it is reported with ``error`` set, not raised."""
        e = self._evidence(question, retrieval, evidence_text, cited_from, query, quoted)
        out: list[RuleVerdict] = []
        decided = False
        for rule in self.rules:
            try:
                reason, error = rule.check(self, e), ""
            except Exception as exc:  # noqa: BLE001 - diagnostic only
                reason, error = None, f"{exc.__class__.__name__}: {exc}"
            refused = bool(reason)
            out.append(RuleVerdict(rule.code, not refused and not error, reason or "", refused and not decided, error))
            decided = decided or refused
        return out
