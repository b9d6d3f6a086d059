"""The question, read once into a :class:`Query` that retrieval, scoping, the gate and the answerer share.

:func:`analyse` reads what a question names and asks for: its language; the calendar
years it names and the relative ones (今年, 去年); the places (China's provinces and
cities, the country as a whole, foreign countries) through the gazetteer
(:mod:`rag.places`); the 文号 and 《titles》 of documents; the kinds of document
(政府工作报告, 条例, 通知 …); articles (第六条); whether it asks for the latest
document (最新, 现行); and the kind of answer wanted (a count, an amount, a date, a
list, who …). Later stages ask the ``Query``, never the question text again.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rag.documents import KINDS, REVIEW_HEADING_RE, doc_numbers
from rag.figures import Condition, condition_of
from rag.headings import cn_to_int
from rag.keyword import is_chinese, tokenize
from rag.places import NATIONAL, Place, find_places, find_places_en, longest_first

_NAMED_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代)")
_RELATIVE_RE = re.compile(r"今年|本年度|去年|上一年|过去一年|明年|前年")
_BOOK_TITLE_RE = re.compile(r"《([^《》]{2,80})》")
_ARTICLE_RE = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*条")
# A span of years: "2022年到2024年", "2016—2020年", "2019至2021年".
_YEAR_SPAN_RE = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:到|至|—|–|－|-|～|~)\s*((?:19|20)\d{2})\s*年")
_ITEM_RE = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*项")
_ARTICLE_EN_RE = re.compile(r"\barticles?\s+(\d{1,3})\b", re.I)
# What follows a document's name in a question ("…报告里", "…通知说", "…规划提出").
AFTER_NAME = r"[的里中上说提要定安指明写讲列规对给把是有将分都各和与及在为就关从、”》（(]"
_LATEST_RE = re.compile(r"最新|现行|最近一次|最近的|latest|most recent|current", re.I)
# English names of document kinds.
_KINDS_EN = {
    "government work report": "政府工作报告", "work report": "政府工作报告", "regulation": "条例",
    "measures": "办法", "notice": "通知", "circular": "通知", "opinion": "意见", "guideline": "意见",
    "plan": "规划", "reply": "批复",
}
# A name the question quotes: “六稳”, "three-ones", 《黑神话：悟空》.
_QUOTED_RE = re.compile(r"“([^“”]{2,30})”|\"([^\"]{2,30})\"|《([^《》]{2,40})》")
# A quoted title that names a document (《…条例》, 《…方案》): where to look, not what to find.
DOCUMENT_NAME_RE = re.compile("(?:" + "|".join(KINDS) + r"|法|指标|标准|目录|清单)$")
# The close of a title spelled without 《》: "…的复函", "…的通知" (a kind of document, :data:`rag.documents.KINDS`).
TITLE_END = "的(?:复函|" + "|".join(KINDS) + ")"
# Questions about a document's publication: who issued it, when, under which number.
_ASKS_PUBLICATION_RE = re.compile(
    r"文号|字号|索引号|发文|成文|(?:发布|公布|印发)(?!的是|了)|机关|来源|日期|哪天|何时|什么时候|主题分类|标题|"
    # English: the act of issuing ("when was it issued", "who published the notice"), not what was issued about
    # a subject ("what rules has it issued to regulate …", "issued on elderly care"); an event's "when" or "date"
    # and a relative "who" ask nothing of the document.
    r"\b(?:issued|published|released)\b(?!\s+(?:to|on|about|for|regarding|concerning|in\s+response)\b)|"
    r"\b(?:document number|issuing (?:body|authority|date)|issuer|publication date|date of (?:issue|publication)|"
    r"title of)\b",
    re.I,
)
# Words that speak of the country as a whole in a question ("全国…目标", "国务院…").
_NATIONAL_RE = re.compile(r"全国|我国|国务院|中央政府|国家层面|中华人民共和国")
# "全国" as the frame of a ranking or comparison ("排名全国第一", "高于全国平均水平"), and a question asking which
# province: the issuer asked is a province's, not the nation's.
_NATIONAL_FRAME_RE = re.compile(
    r"(?:排名|排在|位居|居|列|跃居|稳居|高于|低于|超过|领先|好于)全国|全国(?:第[一二三四五六七八九十\d]|首位|前[一二三四五六七八九十\d]|平均|水平|领先)"
)
_ASKS_WHICH_PROVINCE_RE = re.compile(r"哪(?:些|几)?个?(?:省|地方|地区|自治区|直辖市)")


@dataclass(frozen=True)
class Query:
    """What one question names and asks for (see the module doc)."""

    text: str
    lang: str = "zh"
    years: tuple[int, ...] = ()
    relative_years: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()
    national: bool = False
    doc_numbers: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    dated_kinds: tuple[tuple[int, str], ...] = ()  # "2023年政府工作报告", "2019年…的通知": (year, kind)
    articles: tuple[int, ...] = ()  # the articles it names: "第三十七条", "Article 40" → 37, 40
    items: tuple[int, ...] = ()  # the numbered items of a list it names: "130项经验做法中第61项" → 61
    latest: bool = False
    answer_types: frozenset[str] = field(default_factory=frozenset)
    # "哪些省份…在100万人以上": the condition a "which" question puts on a figure (rag.figures).
    condition: Condition | None = None
    listed: int = 0  # how many items a list question expects: "具体是哪六项" → 6
    quoted: tuple[str, ...] = ()  # the names it quotes (“六保”, 《黑神话：悟空》), less the titles of documents
    # Organisations it names after a place ("新疆生产建设兵团", "深圳海关"): not the place itself.
    organisations: tuple[str, ...] = ()
    # The ministries and agencies an English question names, each as its Chinese names ((工业和信息化部, 工信部), …).
    bodies: tuple[tuple[str, ...], ...] = ()
    asks_publication: bool = False  # who issued a document, when, under which number (its information table answers)
    # Asks for everything the documents offer on a topic ("有什么支持", "哪些措施", "重点是什么").
    broad: bool = False
    # The field a broad Chinese question asks about ("对虚拟货币交易…采取了哪些措施", "在科技创新和人才方面…").
    fields: tuple[str, ...] = ()
    # Whether a target was met, or how a result compares with its target ("目标完成了吗", "比目标如何").
    asks_verdict: bool = False
    stage: str = ""  # "result" (what happened: 实际, 完成了, 去年), "target" (目标, 预期, 计划) or "" (either, or both)
    measures: tuple[str, ...] = ()  # the measure words a count names ("多少家" → 家; "how many days" → 天)
    change: str = ""  # "change" when it asks how much something grew (增速, growth), "down" how much it fell, else ""
    # Years named as a target's deadline ("到2025年", "by 2025"): any earlier document may set targets for them.
    horizons: tuple[int, ...] = ()
    # Years named only to name a report ("2025年政府工作报告…2024年…": 2025); None: those of ``dated_kinds``.
    # A year also named alone is asked ("2019年政府工作报告提出…，2019年全年实际减少了多少").
    report_years: tuple[int, ...] | None = None

    @property
    def asks_figure(self) -> bool:
        """A figure is asked (a count or an amount, or a target or a result), not a list or everything on a topic."""
        return bool({"count", "amount"} & self.answer_types or self.stage) and not ("list" in self.answer_types or self.broad)

    @property
    def naming_reports(self) -> frozenset[int]:
        """The years that only name a report ("2025年政府工作报告…2024年增长了多少": 2025)."""
        return frozenset(self.report_years if self.report_years is not None else (y for y, _ in self.dated_kinds))

    @property
    def asked_years(self) -> tuple[str, ...]:
        """The years the question asks about, less those that only name a report ("2025年政府工作报告…2024年…")."""
        return tuple(str(y) for y in self.years if y not in self.naming_reports)

    @property
    def regions(self) -> tuple[str, ...]:
        """The province-level regions the question names (a city counts as its province), and 全国."""
        out = [p.region for p in self.places if p.level in ("province", "city")]
        if self.national:
            out.append(NATIONAL)
        return tuple(dict.fromkeys(out))

    @property
    def cities(self) -> tuple[str, ...]:
        """The prefecture-level cities the question names."""
        return tuple(p.name for p in self.places if p.level == "city")

    @property
    def countries(self) -> tuple[str, ...]:
        """The foreign countries the question names (Chinese names)."""
        return tuple(p.name for p in self.places if p.level == "country")

    @property
    def field_parts(self) -> tuple[str, ...]:
        """The things its :attr:`fields` name one by one ("生态环境保护和绿色低碳转型" → 生态环境保护, 绿色低碳转型;
        "政务新媒体的运维管理" → 政务新媒体, 运维管理)."""
        return tuple(p for f in self.fields for p in re.split(r"[和、与及,，的]|以及", f) if len(p) >= 2)

    @property
    def subject(self) -> str:
        """What the question asks about: its text less the asker's own situation (:data:`PERSONA_RE`: "我们是一家仿制药
        生产企业，") and its asking frame (:func:`subject_text`)."""
        return _subject_of(self.text)

    @property
    def field_subject(self) -> str:
        """:attr:`subject` of its clauses that do not say who asks ("我们是做工程机械的民企，想去中东开拓市场，…":
        the asker's trade is no field of the document)."""
        asked = "，".join(c for c in clauses(self.text) if not says_who_asks(c))
        return _subject_of(asked) if asked.strip("？? ") else ""

    @property
    def asks_abroad(self) -> bool:
        """It names a world region or a country (非洲, 东盟, 迪拜): the items answering it are those on that place."""
        return _names_abroad(self.text)

    @property
    def asks_measures(self) -> bool:
        """It asks measures or proposals ("提出了哪些应对措施", "要求抓好哪些工作", "what steps")."""
        return bool(_MEASURES_ASKED_RE.search(self.text))

    @property
    def asks_parts(self) -> bool:
        """It asks what parts something is divided into ("重点工作分成了哪几大块", "部署了哪些方面的政府工作任务")."""
        return bool(_PARTS_ASKED_RE.search(self.squashed if self.chinese else self.text.lower()))

    @property
    def asks_duties(self) -> bool:
        """It asks what a body is responsible for ("主要负责哪些工作", "职能", "duties")."""
        return bool(_DUTIES_ASKED_RE.search(self.text))

    @property
    def asks_each(self) -> bool:
        """It asks a figure or a name of each of several things ("各多少", "分别是", "respectively")."""
        return bool(_ASKS_EACH_RE.search(self.text))

    @property
    def asks_plan(self) -> bool:
        """It asks what is planned or offered, with no year of its own (a year naming a report is the report's): a
        target or plan ("今年打算怎么帮忙", "计划采取哪些措施") or, broad and not about the past, what support there is
        ("今年省里能给些什么支持"). A report's review says what was done the year before."""
        if self.asked_years:  # "2025年政府工作报告里…": that year names the report, and is not asked
            return False
        return self.stage == "target" or (self.broad and not self.stage and not _ASKS_PAST_RE.search(self.text))

    @property
    def chinese(self) -> bool:
        """It is written in Chinese (an English question reaches the Chinese text through its glossary terms)."""
        return self.lang == "zh"

    @property
    def squashed(self) -> str:
        """Its text without spaces, as a Chinese document writes a name ("国 庆 节" is 国庆节)."""
        return re.sub(r"\s", "", self.text)

    @property
    def terms(self) -> list[str]:
        """The terms whose presence in a sentence says it is on topic (:func:`question_terms`)."""
        return question_terms(self.text)

    @property
    def subject_terms(self) -> list[str]:
        """:attr:`terms` of its text less the asking frame (:func:`subject_text`), of two characters or more, no
        numbers: what a title on its subject holds."""
        return [t for t in question_terms(subject_text(self.text)) if len(t) >= 2 and not t.isdigit()]

    @property
    def chinese_terms(self) -> list[str]:
        """The Chinese terms the glossary finds in it (an English question's way to the Chinese evidence)."""
        from rag.glossary import chinese_terms

        return chinese_terms(self.text)

    @property
    def roles_text(self) -> str:
        """Where a member list's role is looked for: a Chinese question without spaces; an English one's glossary
        terms ("Who heads the leading group": 组长, 主任)."""
        return self.squashed if self.chinese else "、".join(self.chinese_terms)

    @property
    def named_years(self) -> list[str]:
        """The years its text names ("2025年…", "in 2025"), those naming a report included."""
        return _years_named(self.text)

    @property
    def period_years(self) -> set[int]:
        """The years of the five-year plan periods it names ("十三五", "13th Five-Year Plan" → 2016–2020)."""
        return _period_years(self.text)

    @property
    def places_asked(self) -> list[tuple[set[str], tuple[str, ...]]]:
        """The places it names, per kind, with that kind's names (:func:`_places_by_kind`)."""
        return _places_by_kind(self.text)

    @property
    def asks_box(self) -> bool:
        """It asks which 专栏 (box) something is in."""
        return asks_about_box(self.text)

    @property
    def asks_past(self) -> bool:
        """It asks what happened ("实际", "已经", "办了", "did")."""
        return bool(_ASKS_PAST_RE.search(self.text))

    @property
    def asks_first(self) -> bool:
        """It asks what ranks first ("排名第一", "ranks first")."""
        return bool(ASKS_FIRST_RE.search(self.text))

    @property
    def asks_span(self) -> bool:
        """It asks a figure over several years ("年均", "五年来", "累计"), which no single year's count answers."""
        return bool(SPAN_FIGURE_RE.search(self.text))

    def words_beyond(self, title: str) -> list[str]:
        """Its words (:attr:`terms`) that say more than a document's ``title``: what it asks of the document rather
        than which document it is."""
        return [w for w in self.terms if len(w) >= 2 and not w.isdigit() and w not in title]


@lru_cache(maxsize=1024)
def _subject_of(text: str) -> str:
    return subject_text(PERSONA_RE.sub("", text))


@lru_cache(maxsize=1024)
def analyse(question: str) -> Query:
    """Read ``question`` into a :class:`Query` (cached: every stage may ask for the same question's)."""
    text = re.sub(r"\s+", " ", question).strip()
    zh = is_chinese(text)
    squashed = re.sub(r"\s+", "", text)
    if zh:
        years = [int(y) for y in _NAMED_YEAR_RE.findall(squashed)]
        spans = [(int(a), int(b)) for a, b in _YEAR_SPAN_RE.findall(squashed) if 0 < int(b) - int(a) <= 10]
        places = [p for p in find_places(squashed) if p.level != "national"]
        national = bool(_NATIONAL_RE.search(_NATIONAL_FRAME_RE.sub("", squashed))) and not _ASKS_WHICH_PROVINCE_RE.search(squashed)
        kinds = [k for k in KINDS if k in squashed and not (k == "报告" and "政府工作报告" in squashed)]
        # A kind of document right after a year names one document ("2023年政府工作报告", "2019年部分节假日安排的通知").
        dated = []
        for m in re.finditer(r"((?:19|20)\d{2})年(?:度)?", squashed):
            window = re.split(r"[，,。？?；;！!、]", squashed[m.end() : m.end() + 16])[0]
            # The kind must stand as a name, not a verb: "2025年计划投入多少" names no 计划.
            # ("政府工作报告" is never a verb: "2018年政府工作报告实施乡村振兴战略的主要任务" names the report.)
            kind = next((k for k in ("政府工作报告", "工作报告", *KINDS)
                         if re.search(rf"{k}(?:$|{AFTER_NAME})", window) or (k.endswith("工作报告") and k in window)), None)
            if kind:
                dated.append((int(m.group(1)), kind))
        # "2022年到2024年的政府工作报告" names the years between too.
        for a, b in spans:
            years += [y for y in range(a, b + 1) if y not in years]
            kinds_of = {k for y, k in dated if y in (a, b)}
            dated += [(y, k) for y in range(a + 1, b) for k in sorted(kinds_of)]
    else:
        years = [int(y) for y in _EN_YEAR_RE.findall(text)]
        found = find_places_en(text)
        places = [p for p in found if p.level != "national"]
        national = any(p.level == "national" for p in found) and not places
        low = text.lower()
        kinds = list(dict.fromkeys(v for k, v in _KINDS_EN.items() if k in low))
        # "the 2023 government work report", "the 2018 national report", "the 2024 report": a year naming a report.
        dated = [(int(y), "政府工作报告" if w else "报告") for y, w in _EN_DATED_REPORT_RE.findall(low)]
    return Query(
        text=text,
        lang="zh" if zh else "en",
        years=tuple(dict.fromkeys(years)),
        relative_years=tuple(dict.fromkeys(_RELATIVE_RE.findall(squashed))),
        places=tuple(places),
        national=national,
        doc_numbers=tuple(dict.fromkeys(doc_numbers(squashed if zh else text))),
        titles=tuple(dict.fromkeys(_BOOK_TITLE_RE.findall(squashed))),
        kinds=tuple(dict.fromkeys(kinds)),
        dated_kinds=tuple(dict.fromkeys((y, "政府工作报告" if k == "工作报告" else k) for y, k in dated)),
        articles=_articles(squashed) + tuple(int(n) for n in _ARTICLE_EN_RE.findall(text) if int(n)),
        items=tuple(dict.fromkeys(n for n in (cn_to_int(x) for x in _ITEM_RE.findall(squashed)) if n)),
        latest=bool(_LATEST_RE.search(text)),
        answer_types=frozenset(asked_types(text)),
        condition=condition_of(text),
        listed=_listed(squashed),
        quoted=_quoted(text),
        organisations=organisations_named(squashed) if zh else (),
        bodies=_bodies_named(squashed if zh else text),
        asks_publication=bool(_ASKS_PUBLICATION_RE.search(text)),
        broad=bool(_BROAD_RE.search(squashed if zh else text)),
        # An English question's field is the Chinese it quotes ("a \"double-qualified\" (双师型) teaching workforce").
        fields=(_fields(squashed) if zh else tuple(dict.fromkeys(re.findall(r"[\u4e00-\u9fff]{2,}", text))))
        if (_BROAD_RE.search(squashed if zh else text) or _LIST_OF_FIELD_RE.search(squashed)) else (),
        asks_verdict=bool(_ASKS_VERDICT_RE.search(squashed if zh else text)) and not _stages_of_other_years(squashed if zh else text),
        stage=_stage(text),
        measures=tuple(question_measures(text)),
        change="change" if _ASKS_CHANGE_RE.search(text) else "down" if _ASKS_FALL_RE.search(text) else "",
        horizons=_horizons(squashed if zh else text, spans if zh else []),
        report_years=_naming_reports(squashed if zh else text,
                                     _one_per_year(dated + _zh_issued_documents(squashed)) if zh else _one_per_year(dated + _en_dated_documents(text))),
    )


# "2006年国务院批复组建的…", "国办2018年印发的《…》", "2018年修订的《…条例》": a year dating a document's issue.
_ZH_ISSUED_RE = re.compile(r"((?:19|20)\d{2})年(?:国务院办公厅|国务院|国办|中共中央|党中央)?(?:批复|印发|发布|出台|下发|颁布|修订|公布|出了|发的)")


def _zh_issued_documents(squashed: str) -> list[tuple[int, str]]:
    """The years a Chinese question dates a document's issue by ("2006年国务院批复组建的…"), as (year, '')."""
    return [(int(y), "") for y in _ZH_ISSUED_RE.findall(squashed)]


# "the 2005 reply on water saving", "its December 2018 notice", "the 2019 guideline": a year naming a document.
_EN_DATED_DOCUMENT_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:'s)?\s+(?:[a-z-]+\s+){0,2}(?:reply|notice|circular|opinions?|decision|regulations?|"
    r"guidelines?|plan|letter|document|approval|report)\b",
    re.I,
)


def _en_dated_documents(text: str) -> list[tuple[int, str]]:
    """The years an English question names documents by ("the 2005 reply …"), as (year, '')."""
    return [(int(y), "") for y in _EN_DATED_DOCUMENT_RE.findall(text)]


def _one_per_year(dated: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """An English question's years naming a document, each once: "the 2019 government work report" is read both
    as a dated report and as a dated document, but names 2019 once."""
    return list({y: (y, k) for y, k in dated}.values())


def _naming_reports(text: str, dated: list[tuple[int, str]]) -> tuple[int, ...]:
    """The years of ``dated`` (a year naming a report) that ``text`` names no other time."""
    named = Counter(int(y) for y in _BARE_YEAR_RE.findall(text))
    as_report = Counter(y for y, _ in dict.fromkeys(dated))
    return tuple(sorted(y for y in as_report if named[y] <= as_report[y]))


# A year as a target's deadline: "到2025年", "到2025年底", "by 2025", "by the end of 2025".
_HORIZON_ZH_RE = re.compile(r"(?<![年\d])到((?:19|20)\d{2})年")
_HORIZON_EN_RE = re.compile(r"\b(?:by|until|before)\s+(?:the\s+end\s+of\s+)?((?:19|20)\d{2})\b", re.I)


def _horizons(text: str, spans: list[tuple[int, int]]) -> tuple[int, ...]:
    """The years ``text`` names as a deadline, less the ends of spans ("2022年到2024年" names three years)."""
    ends = {b for _, b in spans}
    found = _HORIZON_ZH_RE.findall(text) or _HORIZON_EN_RE.findall(text)
    return tuple(dict.fromkeys(int(y) for y in found if int(y) not in ends))


_LISTED_RE = re.compile(r"(?:哪|这|那)([两二三四五六七八九十]|\d{1,2})\s*(?:个方面|方面|项|个(?!字)|条|类|种|件|大)")


def _listed(text: str) -> int:
    """How many items a list question expects ("具体是哪六项", "稳哪六个方面" → 6); 0 when it does not say."""
    m = _LISTED_RE.search(text)
    return (cn_to_int(m.group(1)) or 0) if m else 0


# Names that speak for the place itself: its own government and assemblies (a report's author), the state's
# organs under the country's formal name, and administrative divisions ("香港特别行政区").
_OWN_BODY_RE = re.compile(r"(?:政府|人大|政协|党委|省委|市委|区委|县委|常委会|代表大会|常务委员会|国务院"
                          r"|特别行政区|自治区|自治州|自治县)$|^中华人民共和国")


def _bodies_named(text: str) -> tuple[tuple[str, ...], ...]:
    from rag.glossary import bodies_named

    return bodies_named(text)


def organisations_named(text: str) -> tuple[str, ...]:
    """Organisations ``text`` names after a place, as jieba tags them ("新疆生产建设兵团", "香港贸发局"), other
    than names that speak for the place itself ("江苏省政府", "全国政协", "香港特别行政区")."""
    from rag.wordcut import posseg

    return tuple(dict.fromkeys(w.word for w in posseg().lcut(text) if w.flag == "nt" and len(w.word) >= 4
                               and find_places(w.word) and not _OWN_BODY_RE.search(w.word)))


def _quoted(text: str) -> tuple[str, ...]:
    """The names ``text`` quotes, less the quoted titles of documents (:data:`DOCUMENT_NAME_RE`)."""
    out = []
    for m in _QUOTED_RE.finditer(text):
        name = next(g for g in m.groups() if g)
        if not (m.group(3) and DOCUMENT_NAME_RE.search(name)):
            out.append(name)
    return tuple(dict.fromkeys(out))


# What a figure question asks for: a result (what happened) or a target (what was planned).
# (实际使用外资, "actual use of foreign investment" name an indicator, not what happened; "全年旅游总花费目标" asks the
# year's target.)
_ASKS_RESULT_RE = re.compile(
    r"实际(?![使利]用)|完成了|全年(?![^，。？?]{0,12}(?:要|将|拟|计划|目标|预期|力争))|增长了|达到了|实现了|去年|上一年|过去一年|"
    # "新设了几个", "去了多少国家", "接待了多少批": a count of what was done.
    r"(?:设|建|办|签|去|来|帮|访|接待|引进|举办|开通|培训|派出|招收|落地)了(?:几|多少)|"
    r"多少\S{0,2}了[吗？?]?$|\b(did|was|were|actual(?:ly)?(?! (?:use[ds]?|utili[sz](?:ed|ation)|usage)\b)|achieved|grew)\b",
    re.I,
)
# "提出了哪些2020年指标": the figures a plan sets for a year are its targets.
_ASKS_TARGET_RE = re.compile(r"目标|预期|计划|力争|定在|定了|安排|要求|打算|准备|\d{4}年的?指标|提出了?[^，。？?]{0,10}指标|\b(target|goal|plan|aim|promis|pledg)", re.I)


def under_review(headings) -> bool:
    """A passage under these headings reports what happened: one of them is a review ("一、2024年工作回顾")."""
    return any(REVIEW_HEADING_RE.search(h) for h in headings)
# Words of a target ("预期目标是…增长5%左右", "力争…").
TARGET_WORDS_RE = re.compile(r"预期目标|目标|力争|计划|左右|以上|以内")


# "排名第一的是哪些地方", "哪个省居全国首位": who ranks first is asked; the evidence must rank it so.
ASKS_FIRST_RE = re.compile(r"(?:排名|排在|位居|居|列)\S{0,3}(?:第一|第1|首位)|第一名|which .{0,30}\b(?:ranks?|ranked) first", re.I)
RANKED_FIRST_RE = re.compile(r"(?:居|列|排名|排在|位居|跃居|跃升|稳居|保持)[^，。；、]{0,8}?(?:第一(?!产业|批|次|个)|第1(?!\d)|首位)|第一名|榜首|居首")
# A figure over several years: an average or a running total of a period ("五年年均增长5.2%", "五年来累计…").
SPAN_FIGURE_RE = re.compile(r"年均|平均每年|每年平均|(?:[两二三四五六七八九十]|(?<!\d)\d{1,2})年(?:来|间|累计)")
# A look back over the years before ("五年来", "过去五年"), in a heading or opening a paragraph: a figure under it
# that is no level reached ("新建改建农村公路127万公里") is the period's, not one year's.
LOOK_BACK_RE = re.compile(r"[五5]年来|过去[五5]年|[五5]年间|[五5]年累计|[五5]年共")
# A level reached at a period's end ("从9.6万公里增加到13.6万公里", "达到82.7万亿元"): the last year's.
LEVEL_REACHED_RE = re.compile(r"(?:增加|提高|提升|上升|下降|减少|降低|扩大|增长|升)(?:至|到)|达到|突破|[从由][^，,；;]{0,12}(?:至|到)")
# A figure with a bound: "1100万人以上", "5.5%左右", "4.5%以内".
BOUNDED_FIGURE_RE = re.compile(r"\d(?:[\d.．]*)\s*(?:%|％|万|亿|千|百)?[\u4e00-\u9fff]{0,3}?(?:以上|左右|以内)")


def other_stage(stage: str, sentence: str, headings) -> bool:
    """The sentence is of the other stage than the one asked (:attr:`rag.query.Query.stage`): a target asked
    and the sentence stands under a review heading ("一、2024年工作回顾"), or a result asked and the sentence
    states a target ("预期目标是…", "力争…") outside any review."""
    review = under_review(headings)
    if stage == "target":
        return review
    if review:
        return False
    # A bounded figure outside a review sets a target ("城镇新增就业1100万人以上", "5.5%左右"), whatever words of
    # an indicator's name it has ("新增").
    return bool(BOUNDED_FIGURE_RE.search(sentence)) or (
        bool(TARGET_WORDS_RE.search(sentence)) and not _ACHIEVED_RE.search(sentence)
    )


def planned(sentence: str, headings) -> bool:
    """The sentence stands under a heading over a report's plans for the year and reports nothing achieved."""
    return any(PLAN_HEADING_RE.search(h) for h in headings) and not _ACHIEVED_RE.search(sentence)


# A heading over a report's plans for the year: "二、2025年工作安排", "2025年工作安排建议", "三、2025年重点工作",
# "二、2025年目标任务".
PLAN_HEADING_RE = re.compile(r"(?:19|20)\d\d年(?:的)?(?:工作安排|重点工作|主要任务|目标任务|工作任务|政府工作任务)")


def _stage(text: str) -> str:
    """"result", "target" or "" (see :attr:`Query.stage`). A question after a statement asks what its own
    clause asks: "The 2024 report aimed to cut … by 2.5%. By how much did it actually fall?" asks a result."""
    said = [c for c in re.split(r"(?<!\d)[.。!！](?!\d)", text) if c.strip()]
    if len(said) > 1:
        asked = _stage_of(said[-1])
        if asked:
            return asked
    return _stage_of(text)


def _stage_of(text: str) -> str:
    target = bool(_ASKS_TARGET_RE.search(text))
    # English "did" is the past tense of any verb: "What GDP growth target did … set?" asks a target.
    result = bool(_ASKS_RESULT_RE.search(re.sub(r"\bdid\b", " ", text, flags=re.I) if target else text))
    # …but "How much did trade grow in 2024, and what target does … set" asks both.
    result = result or bool(target and _DID_HAPPEN_RE.search(text))
    return "" if result == target else "result" if result else "target"


# English "did" of a verb that is no planning, in its own clause: "how much did total foreign trade grow in 2024".
_DID_HAPPEN_RE = re.compile(r"\bdid\b(?![^?,;]{0,60}\b(?:set|aim|plan|target|propose|pledge|announce|promise|intend)\w*\b)[^?,;]{0,60}\b(?:grow|rise|fall|increase|decrease|drop|reach|achieve|decline|expand)\b", re.I)


def _articles(text: str) -> tuple[int, ...]:
    found = [cn_to_int(n) for n in _ARTICLE_RE.findall(text)]
    return tuple(dict.fromkeys(n for n in found if n))


# ---------------------------------------------------------------- what kind of answer is asked for
_ASKS = {
    # A price paid, not consumer prices or a price index ("What consumer price inflation target…").
    "fee": re.compile(r"费用|收费|手续费|要交.{0,4}钱|交多少|花多少钱|\bfees?\b(?!\s+(?:rates?|breaks?|exemptions?|waivers?|relief|reductions?|cuts?)\b)|\bcosts?\b(?![-\s]*(?:relief|reduction|cutting|cuts?\b|down\b|burdens?\b|of (?:living|doing business|production|logistics|financing|energy)))|(?<!consumer )(?<!producer )\bprices?\b(?!\s+(?:index|indices|level|increase|rise|inflation|growth|stability)\b)|(?<!\bin )\bcharges?\b(?!\s+of\b)|\brents?\b(?!\s+(?:relief|reductions?|cuts?)\b)", re.I),
    # Why something is done, on what grounds, to what end: a document's lead paragraphs say it ("为…，现提出以下意见").
    "why": re.compile(r"为什么|为何|目的|原因|缘由|背景|意义|依据|出发点|初衷|\bwhy\b|\bpurpose\b|\breasons?\b|\brationale\b|\bbackground\b|\bon what (?:grounds|basis)\b", re.I),
    # A penalty asked ("会被罚多少", "怎么处罚", "What fine … for drivers who fail to give way").
    "penalty": re.compile(
        r"罚多少|罚款(?:是)?多少|会被罚|怎么罚|怎么处罚|如何处罚|什么处罚|哪些处罚|处罚(?:是什么|有哪些)|罚则|"
        r"\bwhat (?:fines?|penalt(?:y|ies)|punishment)\b|\bhow much (?:is|are|will) [^?]{0,40}\bfined\b|\bfined how much\b",
        re.I,
    ),
    # A number to call, not what a hotline achieved ("What resolution rate did the 12345 hotline achieve?").
    "phone": re.compile(r"电话|联系方式|热线(?:号码|电话|是多少)|手机号|邮箱|传真|\bphone|\bhotline(?:\s+number|\s+is)?\b(?!\s+(?:achieve|handle|resolve|receive))|e-?mail|contact (number|details|info)", re.I),
    "contact": re.compile(r"联系人|对接人|找谁|contact person|who (should|do|can) (i|we) contact", re.I),
    "address": re.compile(r"地址|在哪里办公|办公地点|办事大厅|窗口在哪|\baddress|where is the office", re.I),
    # A web address asked ("网址是什么", "哪个网站"), not a question about a website ("门户网站是哪天开通的").
    "website": re.compile(r"网址|网站(?:地址|链接|是什么|是哪个|叫什么)|(?:哪个|什么|哪些)网站|链接|\bwebsite(?:\s+address)?\b(?=\s*(?:[?.,]|$|\s+(?:of|for|is|should|can|do|does|to|where|that|i|we|they)\b))|\burl\b", re.I),
    # English "when" asks a date only as the question word ("When did…", "When and where…"), not as a conjunction
    # ("What conditions did it attach when it approved…").
    "date": re.compile(
        r"什么时候|何时|哪一天|哪天|哪几天|哪一?年(?![度份的里])|几月几[日号]|几号(?![线文令楼院])|截止日期|\bwhen (?:and|did|was|is|were|will|does|do|has|have|can|should|are)\b"
        r"|what date|deadline",
        re.I,
    ),
    "amount": re.compile(
        r"[金总]额(?!的(?:多少|百分之|几成|比例))|交易额|贸易额|成交额|销售额|产值|多少钱|多少资金|多少[^，,。？?、]{0,4}(?:经费|拨款|补助资金)|投资额|(?:规模|总量|额度|力度|资本)[）)]?有?多大|多大(?:的)?规模"
        r"|\bvalue of\b|how much money|\brevenue|\bhow much (?:[\w-]+ ){0,3}(?:funding|subsid(?:y|ies))\b"
        # "What is the registered capital of the fund", "what was the estimated total investment": a sum by its name.
        r"|\bwhat (?:is|was|are|were) the (?:[\w-]+ ){0,3}(?:capital|investment|budget|cost|funding|spending|expenditure)"
        r"(?=\s+(?:of|for|in|on|that|to|did|does|do|was|were|is|are|will)\b|\s*[?,.]|$)",
        re.I,
    ),
    # How often something is done ("多久开一次", "How often … meet"): a frequency, not a count.
    # How long a thing takes or may take ("要在多长时间内公开", "几个工作日内办结", "how long"): a span of days or months.
    "duration": re.compile(
        r"(?:多长时间|多久)(?![^？?，,。]{0,6}一次)|(?:多少|几)个?(?:工作日|天|日|个?月|小时|周)(?:内|之内|以内)|期限(?:是|为|有)?多(?:长|久)"
        r"|\bhow long\b|\bwithin how many\b", re.I),
    "frequency": re.compile(r"多久[^？?，,。]{0,6}一次|多长时间[^？?，,。]{0,6}一次|几年一次|每隔多久|多少年一次|\bhow often\b|\bhow frequently\b", re.I),
    "count": re.compile(
        r"多少|(?<![第那这好])几[个项批次对家名人位场届条张国所种]|(?<![第那这好哪])几[年天]|数量|数目|多长时间|多久|how many|how much|how long\b|number of|what percentage"
        r"|\bwhat (?:share|proportion|ratio|rate)\b|\bwhat (?:[a-z]+ ){1,3}(?:rate|ratio|share)\b|\bhow (?:far|large|big|high|fast)\b"
        r"|\bwhat (?:is|was) the (?:total |overall |planned )?(?:area|length)\b|\bin (?:square kilomet|square met|hectares\b|kilomet|tonnes\b)"
        r"|\bin (?:(?:us|u\.s\.) )?dollars\b|\bin (?:yuan|rmb)\b",
        re.I,
    ),
    "list": re.compile(r"哪些|有哪|哪几(?![天日年月号])|哪[两二三四五六七八九十]+(?:个方面|方面|项|个(?!字)|条|类|种|件|大)|列举|包括什么|包括哪|都有什么|分别是|\bwhich\b.*\bare\b|what are|\blist\b"
                      # "What conduct … can lead to a fine", "what must the request contain": its items.
                      r"|\b(?:what|which) (?:kinds? of )?(?:conduct|acts|actions|behaviou?rs?|violations|circumstances|situations|items|documents|materials)\b"
                      r"|\bwhat (?:must|should|does|do|will|shall) [^?]{0,80}\b(?:contain|include|cover)\b"
                      # "which ten … projects", as "哪十项": that many things, every one.
                      r"|\b(?:which|what) (?:two|three|four|five|six|seven|eight|nine|ten)\b"
                      # "what channels did it say the State Council uses": the ways, every one.
                      r"|\bwhat (?:[a-z-]+ )?(?:channels|ways|means|methods|forms|mechanisms)\b", re.I),
    # English "who" opening the question ("Who received…", "Who were the scientists…"), not a relative "who" ("Hazem
    # Hamada, who led…") nor whom to contact ("who should we contact": contact).
    "who": re.compile(
        r"是谁|叫什么名字|哪几?位|哪些(?:人|同志|领导)(?!员)|有谁|由谁担任|谁(?:来)?担任|\bwho is\b|\bwho was\b|\bwho (?:chairs|heads|leads)\b"
        r"|(?:^|[.?!;]\s)\W*who\b(?!\s+(?:should|do|can|could|would|shall)\s+(?:i|we)\b)"
        # …or asking after a clause that frames it, no other word asking before ("Under the 2004 reply, who has to
        # pay the full cost of the bid?"); "What did Hamada, who led the talks, say?" asks what.
        r"|^(?:(?!\b(?:what|which|how|when|where|why|whom?)\b)[^?])*,\s*who\b(?!\s+(?:should|do|can|could|would|shall)\s+(?:i|we)\b)",
        re.I,
    ),
    # Places asked as a list ("哪些地区", "哪几个省"), and a department or body ("由哪个部门负责核发"): the answerer
    # prefers sentences naming them.
    "places": re.compile(
        r"哪(?:些|几个|[两二三四五六七八九十]+个|\d+个)(?:地区|地方|省份?|省市|城市|市|县|国家|地市|区域|口岸|港口)"
        # "哪些成效突出的试点地区": the places closing the clause, after what is said of them.
        r"|哪(?:些|几个|\d+个)[^，,。？?；;]{1,10}?(?:地区|省份|城市|国家)(?=[？?，,。；;]|$)"
        # "试点地区有哪些", "试点城市是哪几个": the places named first, then asked.
        r"|(?:地区|地方|省份|省市|城市|地市|区域|口岸|港口)(?:有|是|包括)(?:哪些|哪几个)(?![\u4e00-\u9fff])"
        r"|\bwhich (?:\w+ )?(?:cities|provinces|regions|countries|places|areas|ports)\b",
        re.I,
    ),
    "body": re.compile(r"哪(?:个|些|家|一个|[两二三四五六七八九十几]个)(?:部门|单位|机构|机关)|由谁(?:负责|牵头|审批|核发|承担|主管|管理)|(?:牵头|主管|负责)(?:部门|单位)是"),
}
# A frequency stated: "每月召开三次", "每半年召开一次", "原则上每年召开两次会议", "一年两次".
FREQUENCY_RE_TEXT = r"每(?:年|月|周|季度?|半年|天|日|[两二三四五\d]+年)[^。；;]{0,14}?[一二两三四五六七八九十\d]+次|(?:一年|每年|一月)[一二两三四五六七八九十\d]+次|[一二两三四五六七八九十\d]+年一次"
FREQUENCY_RE = re.compile(FREQUENCY_RE_TEXT)
_HAS = {
    "fee": re.compile(r"\d[\d,.]*\s*(元|美元|万元|亿元|块)|收费|免费|费用|免收|减免"),
    "penalty": re.compile(r"罚|处分|警告|吊销|拘留|追究[^。]{0,8}责任|责令"),
    "phone": re.compile(r"\d{3,4}-?\d{7,8}|1[3-9]\d{9}|@[\w.-]+\.\w+"),
    "contact": re.compile(r"联系人|联系电话|负责人[:：]"),
    "address": re.compile(r"地址[:：]|[路街道巷]\d+号|\d+号[楼室]"),
    "website": re.compile(r"https?://|www\.|\.gov\.cn|\.com"),
    "date": re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|今年|明年|年底|年内|期间|以前|之前|\d{4}-\d{2}"),
    "amount": re.compile(r"\d[\d,.]*\s*(万亿|千亿|百亿|亿|千万|百万|万)?\s*(元|美元|欧元|人民币)"),
    "frequency": re.compile(FREQUENCY_RE_TEXT),
    "duration": re.compile(r"(?<![\d.])\d{1,3}\s*个?(?:工作日|日|天|月|小时|周)|[一二两三四五六七八九十半]+个?(?:工作日|天|月|小时|周)"
                           r"|\d{1,2}年(?:内|以内|之内)|[一二两三四五六七八九十半]+年(?:内|以内|之内)"),
    "count": re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个项批次对家名人位场届条张国所种大]|若干|多家"),
}
# Measure words a count question names ("多少家", "几个工作日"); the evidence must count the same thing.
_MEASURE_RE = re.compile(r"(?:多少|(?<![第那这好])几)(个工作日|工作日|公顷|万人次|万人|万吨|万亩|万户|万辆|万千瓦|亿元|万元|美元|家|对|批次|批|人次|人|名|位|次|项|场|届|所|条|张|种|天|年|吨|户|座|辆|台|套|亩|列|件|处|个)")
_ASKS_MONEY_RE = re.compile(r"(?:多少|几)块?钱")
# A share or rate asked as such ("百分之几", "多少个百分点", "by what percentage"), and one stated.
_PERCENT_ASKED_RE = re.compile(r"百分之(?:几|多少)|百分比是?多少|(?:多少|几)个?百分点|\bpercentage(?: points?)?\b|\bper ?cent\b", re.I)
_PERCENT_RE = re.compile(r"\d\s*[%％]|百分之|百分点|(?<![\d一二三四五六七八九十])[一二三四五六七八九]成")
_WHOLE_UNITS = ("工作日", "个工作日", "公顷", "万人次", "万人", "万吨", "万亩", "万户", "万辆", "万千瓦", "亿元", "万元", "美元", "批次", "人次")
# "实际已经…多少" asks for an achieved figure; a plan's target does not answer it.
_ASKS_ACTUAL_RE = re.compile(r"实际|已经|截至|截止|目前|现在|如今|到现在")
_TARGET_RE = re.compile(r"力争|争取|目标|五年内|到20\d\d年|计划")
# A question about what happened, not what is planned: "2025年帮了多少家", "How many … did … in 2025".
# Measures or proposals asked; what a body is responsible for; a figure or name of each of several things.
# The parts something is divided into: "分成了哪几大块", "分为哪几个方面", "哪几个板块", "哪些方面的政府工作任务".
_PARTS_ASKED_RE = re.compile(
    r"(?:分成|分为|分了|划分为|包括)了?(?:哪几|哪些|几)|哪几(?:个|大)?(?:大块|块|方面|部分|板块)|哪些(?:方面|部分|板块)的"
    r"|哪几项重点"
    # "What are the main areas of work that … report lays out for the year?"
    r"|\b(?:areas|parts|aspects) of (?:its |the |their )?(?:work|tasks)\b"
)
_MEASURES_ASKED_RE = re.compile(r"措施|举措|建议|对策|应对|怎么办|抓好|做好|\b(?:measures|steps|recommend|suggest)", re.I)
_DUTIES_ASKED_RE = re.compile(r"负责(?:哪些|什么)|职能|职责|\bresponsib|\bfunctions?\b|\bduties\b", re.I)
_ASKS_EACH_RE = re.compile(r"各[^，,。？?]{0,6}(?:多少|几)|分别[^，,。？?]{0,6}(?:多少|几|是)|\beach\b|\brespectively\b", re.I)
_ASKS_PAST_RE = re.compile(r"实际|已经|取得了|[办来去做帮建签]了|\b(did|were|was|had|has been|have been)\b", re.I)
# Asks how a planned step turned out ("中期评估做完了吗？结论是什么？").
# Asks whether a planned step or target was carried out ("这个做到了吗", "落实了吗", "Did … manage …").
ASKS_DONE_RE = re.compile(
    r"(?:做到|落实|完成|实现|达到|达成|建成|办成)了?(?:吗|没有)|现在[^。？?]{0,8}了没有|"
    r"\bdid\b[^?]{0,60}\b(?:manage|achieve|meet|reach|fulfil+|complete)\b|\bas (?:the )?plan(?:ned| wanted)?\b|"
    r"\bwas (?:it|this|that|the \w+) (?:done|achieved|met|completed)\b",
    re.I,
)
# Asks for all the measures, support or priorities on a topic, not one fact.
_BROAD_RE = re.compile(
    r"(?:有|有些|提供|给予?|能得到|能给些?)(?:什么|哪些|哪方面的?)(?:支持|帮助|扶持|措施|举措|政策|优惠|实惠)|"
    r"(?:哪些|什么)(?:支持|帮助|扶持|措施|举措|政策措施|具体措施|安排|部署|合作|重点)|"
    r"(?:重点|重点工作|主要任务|重点任务)(?:都|主要|具体)?(?:是什么|有哪些|有什么)|怎么支持|如何支持|怎样支持|打算怎么干|都打算|有哪些打算|"
    # "在海洋经济这块有什么打算", "有啥支持": the plans or support on a field, all of them.
    r"(?:有|是)(?:什么|啥)打算|有啥(?:支持|帮助|扶持|措施|举措|政策|安排|部署|打算)|"
    # "在数字经济方面定了哪些发展目标": the targets set on a field, every one (a report's targets asked as a whole,
    # "报告提出了哪些目标", are its target sentence's).
    r"(?:方面|领域|这块)[^，。？?]{0,8}?(?:定|定下|设定|提|提出|确定)了?哪些[\u4e00-\u9fff]{0,4}?(?:目标|指标)|"
    r"哪些具体(?:安排|措施|举措)|有哪些(?:抓手|方向|服务和支持|具体举措)|有哪些(?:规定和|监管|管理)措施|有哪些规定|有哪些(?:主要|重点)(?:任务|工作)|有哪些[\u4e00-\u9fff]{0,4}?(?:要求|规则|职责)|(?:职能|职责)(?:是什么|有哪些)|"
    # "主要抓哪些方面", "要做哪些工作", "都涉及哪些方面": the work to be done on a subject, all of it.
    # "抓好哪些方面的工作", "需要满足哪些条件、办理哪些手续", "给出了哪些办理意见", "主要举措有哪些", "工作要求有哪些":
    # each one.
    r"(?:抓好?|做好?|干好?|涉及)哪些|哪些方面(?!的)|哪些方面的工作|(?:满足|具备|符合)哪些条件|办理哪些手续|"
    r"(?:给出|作出|提出)了?哪些[\u4e00-\u9fff]{0,4}?(?:意见|答复)|(?:举措|措施)(?:都|主要|具体)?(?:有哪些|是什么|包括哪些)|(?:要求|规则|职能|职责|任务)(?:都|主要|具体)?(?:有哪些|包括哪些)|哪几(?:个)?方面|(?:提|提出|采取|出台|制定|安排|部署|给|给予|提供)了?哪些[\u4e00-\u9fff]{0,4}?(?:要求|措施|举措|意见|建议|政策|任务|监管措施|工作|民生实事|实事)|哪几条意见|负责哪些|"
    r"主要有哪些[？?]?$|哪些(?:主要|具体)(?:措施|举措)|哪些[^，。？?、]{1,8}的(?:措施|举措|办法)|(?:打算|准备|计划)(?:怎么|如何|怎样)|"
    # "…都有哪些？" closing a question on a field, "有哪些重大涉外展会活动": every one is asked.
    r"都有哪些[？?]?$|有哪些[^，。？?]{0,8}活动|"
    # "有哪些我们能参与的", "有什么企业可以享受的": all a reader can take part in or benefit from.
    r"(?:有哪些|有什么)(?:是)?(?:我们|咱们|企业|我)?(?:能|可以|可)(?:参与|享受|用上|用得上|申请|争取|利用)的?|"
    # "复函对…是怎么安排的", "下一步要怎么做", "What did it say about who pays … and what should happen next": what a
    # reply or a letter says on each point, all of it.
    r"(?:是)?(?:怎么|如何|怎样)(?:安排|规定)的|(?:下一步|今后)[^，。？?]{0,4}(?:怎么做|如何做|怎么办|怎么干)|"
    r"\bwhat did [^?]{0,60}\bsay\b|"
    # "具体有哪些任务", "有哪些激励支持", "有哪些鼓励和支持政策", "在…上有哪些优惠".
    r"有哪些(?:主要|重点|具体)?(?:任务|举措|措施)|(?:方面|领域)有哪些[^，。？?、的]{1,4}(?:举措|措施)|"
    # "有哪些帮扶措施", "提出如何推进南疆高质量发展": the measures of support of any kind, and how a document says to go
    # about it.
    r"有哪些(?:帮扶|扶持|激励|惠企|纾困|援助|保障|鼓励|配套)(?:措施|举措|政策)|(?:提出|要求|部署|明确)了?要?(?:如何|怎样|怎么)(?:推进|推动|加快|加强|促进|做好|实现|建设|打造|发展)|"
    # "重点审查哪些内容", "有哪些主要内容": every item of the content asked.
    r"(?:审查|审核|检查|包括|包含|涵盖|有)(?:哪些|什么)(?:主要|具体)?内容|哪些[^，。？?、的]{0,6}(?:支持|扶持|优惠)(?:政策|措施)?|"
    r"\bgive me everything\b|\blist the (?:main )?(?:support|measures)|\bwhat does [^?]{0,40}\boffer\b|\bwhat (?:is|are|was|were) [^?]{0,40}\b(?:doing|planning|planned)\b|\bwhat does [^?]{0,120}\brequire\b|"
    r"\bwhat (?:does|did|will) [^?]{0,80}\bplan\b|\bwhat will [^?]{0,60}\bdo\b|\bthe (?:main|key) measures\b|"
    # "What does the report say will be done to attract foreign investment", "what it says about guaranteeing funding":
    # what is to be done, all of it.
    r"\bwhat (?:will|is to|are to|would|should|must) be done\b|\bsays? (?:will|would|should|is to|are to|must) be done\b|"
    r"\bwhat (?:does|did) [^?]{0,160}\bsay about (?:how to |ways to )?[a-z]+ing\b|"
    # "What did the report promise for cutting …", "What does the reply lay down on …".
    r"\bwhat (?:does|did) [^?]{0,120}\b(?:promise|pledge|lay down|set out|stipulate|propose|specify)\b|"
    # "What policy support does … offer", "Which science-and-technology finance (科技金融创新) measures …",
    # "What conditions did … attach", "What road privileges … get".
    r"\b(?:what|which) (?:[^?.;]{1,40}? )?(?:support|relief|incentives|measures|policies|tasks|requirements|conditions|privileges|benefits|arrangements|priorities|aspects|requests|proposals|suggestions|recommendations)\b|"
    # "What did the report list under 'winning the battle for blue skies'": everything listed there.
    r"\bwhat (?:does|did) [^?]{0,80}\blist\b|"
    r"\bwhat (?:support|help|measures|steps|policies|services|incentives|assistance)\b|\bwhat (?:[a-z-]+ ){1,2}(?:policies|measures|steps|tasks)\b|"
    r"\bwhich (?:measures|policies|services|priorities)\b|\bwhat (?:are|were) the (?:main |key )?(?:priorities|measures|tasks|focus)|"
    r"\bhow (?:does|will|can) (?:the )?(?:province|government|state)\b[^?]{0,30}\b(?:support|help)\b|"
    # "What did the expert group recommend regarding …", "how did the government plan to improve …", "what … should
    # the results be used for", "which kinds of decisions must …": all the document sets out on it.
    r"\bwhat (?:does|did|do) [^?]{0,120}\brecommend\b|\bhow (?:does|did|will|do) [^?]{0,80}\bplan to\b|"
    r"\bhow should [^?]{0,80}\bbe used\b|\bshould [^?]{0,40}\bbe used for\b|\bwhich (?:kinds|types|sorts) of\b",
    re.I,
)
# The words that frame a question rather than name its subject: who is asked (国家, 省里), how ("怎么推动").
# The document itself, or its part, pointed at ("那份文件", "这个通知", "这部分", "这几块"), names no subject either.
_POINTER_RE = re.compile(r"(?:那|这|该|此)(?:份|个|篇|则|项)?(?:文件|通知|复函|答复|意见|决定|规定)|(?:这|那|该|此)(?:一)?部分|(?:这|那)[几两三四五]?块|(?:这|那)(?:些|几个)(?=方面|领域)")
_FRAME_RE = re.compile(
    r"国家|全国|我国|国务院|中央|省里|政府|(?:怎么|如何|怎样)[\u4e00-\u9fff]{0,2}|" + _POINTER_RE.pattern
)


# The asker's own situation, not the subject asked: a sentence in the first person that asks nothing ("我们是县里一家
# 农机合作社，主要给农户代耕代收。"), the clause introducing them ("我们是一家仿制药生产企业，"), "We run a …
# company."
PERSONA_RE = re.compile(
    r"(?:^|(?<=[。！!？?]))\s*(?:我们|我)[^。！!？?]*[。！!]|(?:我们|我)(?:公司|企业|厂|单位|这边)?(?:是|在)[^，,。；;？?]*[，,；;]"
    r"|\b(?:we|i) (?:are|am|run|make|operate|own)\b[^,.;?]*[,.;]"
    # "做外贸的，想知道…": what the asker does, said before the question.
    r"|^\s*(?:我们?是)?(?:做|搞|开|干)[^，,。；;？?]{1,12}的[，,]"
    # "对我们这种小户…": the kind of asker, said in passing.
    r"|(?:我们|咱们|我|咱)(?:这种|这样的?|这类|这些)[^，,。；;？?的办]{1,6}",
    re.I,
)


def clauses(text: str) -> list[str]:
    """``text`` cut at its commas, stops and question marks."""
    return re.split(r"[，,。；;！!？?]", text)


def says_who_asks(clause: str) -> bool:
    """``clause`` tells who asks ("我们是做工程机械的民企", "咱们公司专门承办…"): the asker's own situation, no
    subject of the documents."""
    return bool(_FIRST_PERSON_RE.search(clause))


def subject_text(question: str) -> str:
    """The question less its asking frame: the broad request ("有哪些具体举措"), who is asked and how
    ("国家是怎么推动…的"). What remains names the subject ("消费扶贫")."""
    return _FRAME_RE.sub(" ", _BROAD_RE.sub(" ", question))


def _stages_of_other_years(text: str) -> bool:
    """A result and a target asked of different years ("2015年GDP实际增长了多少？2016年的增长目标又定在多少？"):
    two figures, not a target set against its own result. Each asking clause's years, less a report's year named
    in a clause that asks nothing ("2016年政府工作报告里")."""
    clauses = [c for c in re.split(r"[？?；;]|[，,](?=[^，,？?]*(?:多少|几|what|how))", text) if c.strip()]

    def years(clause: str, target: bool) -> set[str]:
        # A report's year names the report ("后来2022年的政府工作报告说实际…": its review is of the year before); a
        # report's target is of its own year ("2024年政府工作报告提出的…目标", "当年", "that year's target").
        bare = _EN_DATED_REPORT_RE.sub(" ", _REPORT_YEAR_RE.sub(" ", clause).lower())
        own = set(_BARE_YEAR_RE.findall(bare))
        if not own and (target or _THAT_YEAR_RE.search(bare)):
            own = set(_BARE_YEAR_RE.findall(clause))
        return own

    result = {y for c in clauses if _ASKS_ACTUAL_RE.search(c) or re.search(r"\bactual", c, re.I) for y in years(c, False)}
    target = {y for c in clauses if _TARGET_RE.search(c) or re.search(r"\b(?:target|goal)", c, re.I) for y in years(c, True)}
    return bool(result and target and not result & target)


# A year naming a Chinese report ("2022年的政府工作报告", "2016年政府工作报告"; an English one is _EN_DATED_REPORT_RE's); and
# a year named by the report's own ("当年", "今年", "that year").
_REPORT_YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*年?的?(?:国务院|全国|中央|国家)?(?:政府工作)?报告")
_THAT_YEAR_RE = re.compile(r"当年|今年|本年|that year|this year", re.I)


# Asks whether a target was met, or sets a result against its target.
_ASKS_VERDICT_RE = re.compile(
    r"(?:目标|任务|指标)[^，。？?]{0,12}(?:完成|实现|达到|达成|做到|执行)(?:了|得)?(?:吗|没有?|与否|情况|怎么样|如何)|完成情况|目标完成|"
    r"(?:完成|实现|达到|达成)(?:了)?(?:年初|年度|全年|当年|预期|既定|原定)?(?:目标|预期|任务)(?:了)?(?:吗|没有?)|达标(?:了)?(?:吗|没有?)|比目标|与目标相比|和目标相比|跟目标比|"
    r"目标[^。]{0,20}(?:实际|最后|最终|结果)|实际[^。]{0,20}目标|(?:提出|计划|预期|部署|要求|说[^。？?实]{0,4}要|定的?|提的)[^。实]{0,30}[？?][^。]{0,20}实际|超额完成|控制在目标|目标以内了?吗|"
    r"(?:最后|最终)(?:完成|干到|做到|达到|实现)了?(?:吗|没有?|多少)|(?:做到|落实|完成|实现|达到|达成)了?(?:吗|没有)|"
    r"(?:定|设|提)(?:过|了)?[^。？?]{0,4}目标(?:吗|没有?)|有没有(?:定|设|提)?(?:过)?[^。？?]{0,4}目标|"
    r"\b(?:plan|aim|aimed|planned|wanted)\b[^?]{0,120}\bactual(?:ly)?\b|\bas (?:the )?plan(?:ned| wanted)?\b|"
    r"\b(?:did|does) the plan set\b|(?:落在|处于|在)目标(?:区间|范围)|目标[^。]{0,12}完成了?吗|"
    r"\b(?:within|on|below|above|under) (?:its |the )?(?:target|goal)|\b(?:created|achieved|reached|grew|actually)\b[^?]{0,80}\b(?:its|the|a)\s+(?:target|goal)\b|"
    r"\b(?:target|goal)s?\b[^?]{0,80}\b(?:met|achieved|reached|hit|exceeded|missed|fulfilled)\b|"
    r"\b(?:meet|hit|reach|achieve|miss|exceed|fulfil+)\b[^?]{0,40}\b(?:target|goal)|"
    r"(?:compared?|against) (?:with |to )?(?:the |its )?(?:target|goal)|\bactual(?:ly)?\b[^?]{0,60}\b(?:target|goal)|"
    r"\b(?:target|goal)(?:ed)?\b[^?]{0,120}\bactual(?:ly)?\b|"
    # "What … target did the 2023 report set, and what … for that year did the 2024 report then report?"
    r"\b(?:target|goal)\b[^?]{0,160}\b(?:19|20)\d\d (?:report|one)\b[^?]{0,30}\b(?:report|say|state)(?:s|ed)?\b",
    re.I,
)
_ASKS_OUTCOME_RE = re.compile(r"做完了|完成了吗|完成没|结论|结果(?:如何|怎么样|是什么)|怎么样了")
# Asks to name the members of a set the question has counted ("那27家企业都是哪几家？").
_NAMES_COUNTED_RE = re.compile(r"\d+\s*(?:家|个|位|名|项|所)[^？?]{0,12}?(?:都是|分别是|是哪|哪几|哪些|名单)")
_ACHIEVED_RE = re.compile(r"已[经有]|累计|共计|全年|新增|达到了|实现了|取得|成功|签署|帮助|吸引|\d{1,2}月\d{1,2}日")
# Procedural details an enterprise may ask for; the evidence must speak of the same thing.
# "两份材料里" speaks of the documents themselves, not of papers to hand in.
_PROCEDURE_RE = re.compile(r"(?<![份篇])材料(?![里中上])|流程|手续|步骤|处室|表格|时限|办理时间|工作日")
# The field of a broad question: what follows 对/在/关于 (not 对 of 对外 or 对口, nor 在 of 现在) up to the asking ("国家对虚拟货币交易和比特币“挖矿”采取了哪些
# 监管措施", "在鼓励无偿献血和器官捐献方面有哪些"), or what opens it ("城市养犬管理有哪些规定和措施").
_FIELD_RES = (
    re.compile(
        r"(?:对(?![外口接标比照应称象])|(?<![现存所实正])在|关于|针对)(?P<f>(?:(?!方面|领域)[^，,。？?；;！!]){2,24}?)(?:方面|领域)?"
        r"(?:有|采取|提出|出台|作出|做了|还有|是|怎么|如何|要|都|上|打算|准备|计划)"
    ),
    re.compile(r"^(?P<f>(?:(?!方面|领域)[^，,。？?；;]){2,16}?)(?:方面|领域)?(?:有哪些|有什么|要求)"),
    # "在财政税收和投融资方面给文化企业哪些支持": 方面 closes the field, whatever verb follows.
    re.compile(r"(?:对(?![外口接标比照应称象])|(?<![现存所实正])在|关于|针对)(?P<f>[^，,。？?；;！!《》“”]{2,24}?)(?:方面|领域)"),
    # "…，知识产权保护方面都有哪几项", "…里，知识产权保护方面那5项举措具体是哪些": a clause opening with its field.
    re.compile(r"(?:^|[，,：:])(?P<f>[^，,。？?；;！!《》“”对在]{2,16}?)(?:方面|领域)(?=[^，,。？?；;]{0,12}(?:哪几|哪些|有什么))"),
)
# A field set before the asking clause ("对婚恋交友网站和婚介机构，国家出台了哪些监管措施"): read only when no other
# is found, since a clause before the asking often says who asks ("我们想做对俄罗斯的生意，…对俄合作有哪些方向").
_FIELD_CLAUSE_RE = re.compile(r"(?:对(?![外口接标比照应称象])|关于|针对)(?P<f>[^，,。？?；;！!]{2,24})[，,](?=[^，,。？?]*(?:哪些|什么))")


# A list asked of a named part ("知识产权保护方面都有哪几项？", "…方面那5项举措具体是哪些"): its field, as of a broad
# question.
_LIST_OF_FIELD_RE = re.compile(r"(?:方面|领域)[^，,。？?；;]{0,12}(?:哪几|哪些)")


def _fields(squashed: str) -> tuple[str, ...]:
    """The fields a broad question names (:data:`_FIELD_RES`, else :data:`_FIELD_CLAUSE_RE`), in order."""
    # A phrase in the first person ("对我们这种小户…") says who asks, not what of the document.
    # "在融资、用地和用电这几块", "在下放科技管理权限这块": the fields, as "…方面" would say; the pointer names none.
    squashed = _POINTER_RE.sub(lambda m: "方面" if m.group().endswith("块") else "", squashed)
    found = [f for rx in _FIELD_RES for m in rx.finditer(squashed) if not says_who_asks(f := _past_document(m.group("f"))) and f]
    found = found or [f for m in _FIELD_CLAUSE_RE.finditer(squashed) if not says_who_asks(f := _past_document(m.group("f"))) and f]
    return tuple(dict.fromkeys(
        found or [f for m in _FIELD_QUALIFIER_RE.finditer(squashed) if not _GENERIC_QUALIFIER_RE.search(f := m.group("f") or m.group("g"))]
    ))


# A document's title read as a field, up to where the field begins: "(关于)加快农机化和农机装备产业转型升级的指导意见里",
# "(关于)加快推进农业机械化的指导意见对…".
_TITLE_IN_FIELD_RE = re.compile(r"^.*?的[\u4e00-\u9fff]{0,4}?(?:复函|" + "|".join(KINDS) + r")[里中上内]?(?:对于|对|在|关于)?")


def _past_document(field: str) -> str:
    """A field less the document's title it opens with (:data:`_TITLE_IN_FIELD_RE`); empty when that is all of it."""
    return _TITLE_IN_FIELD_RE.sub("", field, count=1)


_FIRST_PERSON_RE = re.compile(r"我|咱")
# A field named inside the asking, as what qualifies the support asked ("能享受哪些财政税收优惠", "有哪些金融支持"):
# read when nothing else names one. Not a word saying only how much or which kind (具体, 主要, 激励).
_FIELD_QUALIFIER_RE = re.compile(
    r"哪些(?P<f>[\u4e00-\u9fff]{2,4}?)(?:优惠|支持|扶持|补贴|减免)(?:政策|措施)?"
    # "提出了哪些稳就业的措施": the field, before 的 and the measures asked.
    r"|哪些(?P<g>[\u4e00-\u9fff]{2,8}?)的(?:措施|举措|政策|任务|安排|部署)"
)
_GENERIC_QUALIFIER_RE = re.compile(
    r"^(?:具体|主要|重点|相关|其他|激励|政策|鼓励|实际|直接|专门|配套)+$|[和与及]|需要|给予|提供|享受|国家|政府|省里"
)


_YEAR_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})\s*年")
# A question asking how much something grew, or fell (not the level it reached).
_ASKS_CHANGE_RE = re.compile(r"增长|增速|增幅|涨幅|上涨|增加了?多少|\bgrow|\bgrowth\b|\brise\b|\bincrease", re.I)
_ASKS_FALL_RE = re.compile(r"下降|降低|减少|回落|\bfall\b|\bdecline|\bdecrease|\bcut\b", re.I)
_EN_DATED_REPORT_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:'s)?\s+(?:(?:national|provincial|municipal|regional|central|state council)\s+)?"
    r"(?:government\s+)?(work\s+)?report\b"
)
_EN_YEAR_RE = re.compile(r"(?<![\d-])(19\d{2}|20\d{2})(?![\d-])")
_ORDINAL_RE = re.compile(r"第[一二三四五六七八九十百\d]+[届次条项批期]")
_BOX_REF_RE = re.compile(r"专栏\s*(\d+)")
# Titles a "who is the …" question may ask about; the evidence must name the same one.
_TITLES = "主任|副主任|书记|副书记|省长|副省长|市长|部长|厅长|局长|处长|总理|主席|总统|副总统|大使|总领事|董事长|总裁|首席执行官|负责人|联系人|院长|校长|会长"
_TITLE_RE = re.compile(_TITLES)


# The kinds of answer named by a thing's name (a fee, phone, contact, address, website): the name is asked for
# only when the asking applies to it ("咨询电话是多少", "什么费用", "What is the phone number…"), not when it
# names the topic ("完善政府网站…采取了哪些措施", "…the proposal for a premier's hotline").
_CONTACT_KINDS = frozenset({"fee", "phone", "contact", "address", "website"})
_ASKING_AFTER_RE = re.compile(
    r"^(?:[^，,。；;、：:]{0,6}?(?:是多少|多少|是什么|是哪(?!些)|(?<!存)在哪(?!些)|怎么|如何|吗|呢)|(?:是|有)?(?:什么|哪个|哪些|哪)?\s*(?:[？?]|$))"
)
_ASKING_BEFORE_RE = re.compile(r"(?:什么|哪个|哪些|哪|多少|有没有|是否|怎么|怎样|如何)[^，,。；;、]{0,2}$")
_ASKING_IN_RE = re.compile(r"多少|哪|钱")


# A name quoted or glossed in an English question: "(总理热线电话)", "“12345”", "'Premier's hotline'".
_QUOTED_NAME_EN_RE = re.compile(r"\([^()]*\)|“[^”]*”|\"[^\"]*\"|‘[^’]*’|(?<![A-Za-z])'.+?'(?![A-Za-z])")


def _contact_asked(question: str, rx: re.Pattern) -> bool:
    """True when the question asks for the thing ``rx`` names (see :data:`_CONTACT_KINDS`)."""
    if not is_chinese(question):
        # English: the thing is named outside the clause that says where the answer is ("…, according to the
        # reply to the proposal for a premier's hotline?", "Under the 2019 guideline on …, what is the fee…").
        main = re.sub(r"\b(?:according to|under|as stated in)\b[^,;?]*", " ", question, flags=re.I)
        # Nor a name quoted or glossed: "the proposal to set up a 'Premier's hotline' (总理热线电话)".
        main = _QUOTED_NAME_EN_RE.sub(" ", main)
        return bool(rx.search(main))
    for m in rx.finditer(question):
        if (
            _ASKING_IN_RE.search(m.group())
            or _ASKING_AFTER_RE.search(question[m.end() :])
            or _ASKING_BEFORE_RE.search(question[: m.start()])
        ):
            return True
    return False


# A title spelled without 《》 that counts nothing: "关于棉粮、糖粮挂钩奖售粮几个问题的通知" (a title's "几个问题").
_SPELLED_TITLES_RE = re.compile(r"[^，,。？?；;]{0,30}?(?:几个|若干)(?:问题|事项)" + TITLE_END)


@lru_cache(maxsize=1024)
def asked_types(question: str) -> frozenset[str]:
    """What kinds of answer a question asks for (fee, phone, count, list, …), worked out once per question (the
    answerer asks it again for every document it reads)."""
    return frozenset(_asked_types(question))


def _asked_types(question: str) -> set[str]:
    """:func:`asked_types`.

    A 《title》 only names a document: "《政府网站集约化试点工作方案》…哪天成文" asks no website.
    """
    question = _SPELLED_TITLES_RE.sub("《》", re.sub(r"《[^《》]*》", "《》", question))
    found = {kind for kind, rx in _ASKS.items() if rx.search(question)}
    found -= {kind for kind in _CONTACT_KINDS & found if not _contact_asked(question, _ASKS[kind])}
    if "list" in found:
        found.discard("count")  # "有哪几个" asks for a list, not a number
    if "duration" in found:
        found.discard("count")  # "多长时间内" asks a span, which its own kind finds; no target or result's figure
    if re.search(r"几[个项条]?(方面|措施|举措|重点|任务|名片|板块|原则|瓶颈)|哪几(?![天日年月号])|有几个方面", question):
        found.discard("count")
        found.add("list")
    if re.search(r"第几|哪个专栏|which box|what box", question, re.I):
        found.discard("count")
        found.add("box")
    if "amount" in found or "who" in found and not re.search(r"多少|how much", question, re.I):
        found.discard("fee")  # "who has to pay the full cost" asks who pays, not a fee
    if _BROAD_RE.search(re.sub(r"\s+", "" if is_chinese(question) else " ", question)):
        found.discard("fee")  # "what did it promise for cutting … administrative fees": the measures, not a fee
    if re.search(r"(增长|增速|增幅|提高|下降|降低|减少)[^，,。？?]{0,8}(多少|百分之几|几个百分点)", question) or re.search(
        r"\b(?:growth|increase|rise|decline|reduction|cut)\b[^?]{0,12}\b(?:target|rate|goal)\b|\bhow fast\b|\bby how much\b",
        question, re.I,
    ):
        found.discard("amount")  # "零售总额计划增长多少", "What growth target … for its budget revenue": a rate, not a sum
    if re.search(r"(?:什么|哪些|啥)目标|目标(?:是|为|定在?)?(?:多少|什么)", question) and not _SUM_ASKED_RE.search(question):
        found.discard("amount")  # "对跨境电商交易额…定了什么目标": a sum's target is often its growth ("增长20%以上")
    return found


# A sum asked as such: "多少钱", "多少亿元", "规模有多大".
_SUM_ASKED_RE = re.compile(r"多少钱|多少资金|多少(?:万亿|亿|万)?元|(?:规模|总量|额度)[）)]?有?多大|多大(?:的)?规模|how much money", re.I)


def has_measure(text: str, measure: str) -> bool:
    """True when ``text`` counts the thing ``measure`` names ("家" → "27家", "10周年" for "年"; "%": a share or
    rate, "5%", "百分之五", "2个百分点", "三成")."""
    if measure == "%":
        return bool(_PERCENT_RE.search(text))
    unit = measure if measure in _WHOLE_UNITS else measure[-1]
    if unit == "人":
        unit = "(?:人|名|位)"  # people are counted as 人, 名 or 位 ("3000名", "12位")
    if unit in ("天", "日"):
        # Days are counted as 天, 日 or 工作日 ("多少天" is answered by "7个工作日"); "9月25日" is a date, no count.
        return bool(re.search(r"(?<![月\d])[\d一二两三四五六七八九十百千万]+[^\d\s，。,]?(?:天|日|个?工作日)", text))
    # …or names the count before its figure ("旅居人数达389.75万", "户数为120"): people counted as 人数.
    return bool(
        re.search(rf"[\d一二两三四五六七八九十百千万亿余多][^\d\s，。,]?{unit}", text)
        or re.search(rf"{unit}数(?:达到?|为|是|超过?|突破|共计?|约|有)?[\d一二两三四五六七八九十][\d.]*(?![\d.]*\s*[%％])", text)
    )


# What an English count question counts, as the Chinese measure word the documents count it in.
_MEASURES_EN = {"days": "天", "working days": "工作日", "companies": "家", "enterprises": "家", "firms": "家",
                "people": "人", "persons": "人", "times": "次", "pairs": "对", "years": "年"}
_MEASURE_EN_RE = re.compile(r"\bhow many (" + "|".join(sorted(_MEASURES_EN, key=len, reverse=True)) + r")\b", re.I)
# A figure asked in a unit of size ("What is the total area, in square kilometres, …", "how many hectares"): the
# Chinese unit it is stated in.
_UNITS_EN = {"square kilometres": "平方公里", "square kilometers": "平方公里", "km2": "平方公里", "hectares": "公顷",
             "kilometres": "公里", "kilometers": "公里", "tonnes": "吨", "tons": "吨", "mu": "亩", "square metres": "平方米",
             "square meters": "平方米", "us dollars": "美元", "u.s. dollars": "美元", "dollars": "美元", "yuan": "元", "rmb": "元"}
_UNIT_EN_RE = re.compile(r"\b(?:in|how many) (" + "|".join(map(re.escape, sorted(_UNITS_EN, key=len, reverse=True))) + r")\b", re.I)


def question_measures(question: str) -> list[str]:
    """The measure words a count question names ("多少家" → ["家"]; "how many days" → ["天"]; "by what percentage",
    "百分之几" → ["%"])."""
    percent = ["%"] if _PERCENT_ASKED_RE.search(question) else []
    if not is_chinese(question):
        return [_MEASURES_EN[m.lower()] for m in _MEASURE_EN_RE.findall(question)] + [
            _UNITS_EN[m.lower()] for m in _UNIT_EN_RE.findall(question)
        ] + percent
    squashed = _SPELLED_TITLES_RE.sub("《》", re.sub(r"\s+", "", question))
    # "多少钱" asks money: a figure in 元 (万元, 亿元) answers it.
    found = _MEASURE_RE.findall(squashed) + (["元"] if _ASKS_MONEY_RE.search(squashed) else [])
    # "哪几天", "哪几年" ask which days or years (dates), not how many.
    return [m for m in found if m not in ("天", "年") or not re.search(rf"哪几{m}", squashed)] + percent


def asks_about_box(question: str) -> bool:
    """True when the question asks which 专栏 (box) something is in."""
    return bool(re.search(r"专栏|\bbox\b|\bcolumn\b|\bpanel\b", question, re.I))


@lru_cache(maxsize=1)
def _place_names() -> tuple[str, ...]:
    """Chinese names of countries and of China's provinces and prefecture-level cities (the gazetteer)."""
    from rag.places import ambiguous_short_names, china, countries

    names = {p.name for p in countries()} | {p.name for p in china()}
    names = {n for n in names if len(n) >= 2 and n not in ambiguous_short_names()}
    return tuple(sorted(names, key=longest_first))


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
    return tuple(tuple(sorted(k, key=longest_first)) for k in (regions, countries, china))


@lru_cache(maxsize=1)
def _all_place_names() -> tuple[str, ...]:
    """Every kind's place names (:func:`_place_kinds`), longest first."""
    return tuple(sorted({n for kind in _place_kinds() for n in kind}, key=longest_first))


def _find_places(text: str, names: tuple[str, ...]) -> list[str]:
    """The ``names`` that ``text`` holds, read from left to right, the longest name at each point: a name inside
    or across a longer one read is not counted ("中东欧" is not 中东; "湖南美国" is 湖南 and 美国, not 南美)."""
    spans = []
    for name in names:
        at = text.find(name)
        while at >= 0:
            spans.append((at, -len(name), name))
            at = text.find(name, at + 1)
    found, end = [], 0
    for at, minus_length, name in sorted(spans):
        if at >= end:
            end = at - minus_length
            if name not in found:
                found.append(name)
    return found


@lru_cache(maxsize=1)
def abroad_names() -> frozenset[str]:
    """The names of places abroad: world regions and countries (:func:`_place_kinds`), worked out once."""
    return frozenset(_place_kinds()[0]) | frozenset(_place_kinds()[1])


@lru_cache(maxsize=1024)
def _names_abroad(text: str) -> bool:
    """``text`` names a world region or a country, every name of a place it names being one abroad."""
    abroad = abroad_names()
    return any(set(names) <= abroad for _, names in _places_by_kind(text))


def _places_by_kind(question: str) -> list[tuple[set[str], tuple[str, ...]]]:
    """The places a question names, per kind (with the parts of a region it names), and that kind's names.

    An English question names them through the glossary ("Nordic" → 北欧).
    """
    from rag.glossary import REGION_PARTS, chinese_terms

    text = question if is_chinese(question) else " ".join(chinese_terms(question))
    # All kinds' names at once, longest first: "内蒙古" is a province, not 蒙古 inside it.
    named = set(_find_places(text, _all_place_names()))
    out = []
    for names in _place_kinds():
        found = named.intersection(names)
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



_BARE_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _years_named(question: str) -> list[str]:
    """Years a question names ("2025年…", "in 2025")."""
    return list(dict.fromkeys(_BARE_YEAR_RE.findall(question)))


def years_asked(text: str) -> list[str]:
    """The years ``text`` (a question or one of its parts) asks about: those it names, less those naming a
    report ("云南省2025年政府工作报告中，2024年全省粮食总产量是多少" asks of 2024); a report's year when it names
    no other ("2025年回顾是怎么形容它的" asks what the 2025 review says)."""
    named = _years_named(text)
    reports = {str(y) for y in analyse(text).naming_reports}
    return [y for y in named if y not in reports] or named


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


# The interrogative phrases of a Chinese question: what they ask is not a topic word ("多长时间", "哪一条", "几个").
_ASKING_RE = re.compile(
    r"多长时间|多少|多久|多长|多大|多高|什么时候|什么|怎么样?|如何|哪(?:一|几)?[个条项年天种类家位些里儿方]|几[个项条年天种类家位]"
)


def question_terms(question: str) -> list[str]:
    """The terms whose presence in a sentence says it is on topic.

    Chinese questions: their jieba tokens. English questions: the Chinese terms
    the glossary finds in them, and their numbers — English words never occur
    in the Chinese sentences. Worked out once per question: every document's
    sentences of a per-document answer are scored against them.
    """
    return list(_question_terms(question))


@lru_cache(maxsize=1024)
def _question_terms(question: str) -> tuple[str, ...]:
    from rag.glossary import chinese_terms, indicator_terms, term_groups

    if is_chinese(question):
        # The words that ask ("多长时间", "哪一条") name nothing a sentence must hold: "第十一条" holds "一条".
        asked = [m.span() for m in _ASKING_RE.finditer(question)]
        kept = [
            t for t in tokenize(question)
            if not any(question.find(t, a, b) >= 0 and len(t) <= b - a for a, b in asked)
        ]
        # A Latin abbreviation in a Chinese question ("GDP增长多少") is written out in the documents: its
        # shortest Chinese term (生产总值) is the one every spelling holds.
        latin = [min(g, key=len) for g in term_groups(" ".join(re.findall(r"[A-Za-z][A-Za-z&.\-]*", question))) if g]
        # Everyday indicator names in the reports' terms, whole ("经济增速": 生产总值增长; "经济总量": 生产总值).
        return tuple(dict.fromkeys(kept + [t for w in latin for t in tokenize(w)] + indicator_terms(question)))

    return tuple(dict.fromkeys(chinese_terms(question) + re.findall(r"\d+(?:\.\d+)?", question)))
