"""Targets and results as data: the quantitative statements of the indexed documents.

A plan or a 政府工作报告 sets targets ("今年发展主要预期目标是：国内生产总值增长5%左右"; "到2025年，
全省友好城市力争达到120对"); the next year's report, or a review, reports what was reached
("国内生产总值增长5.2%"); a plan's look back at the period before is a baseline ("十三五期间…达100对").
:func:`extract` reads every such clause of a passage into a :class:`Fact` — its kind, subject,
figure (a value, a range, or a bound), unit, the year it refers to, document and passage — so that
a target can be set against the result reported for the same subject and year (:mod:`rag.targets`).

Everything here reads the general language of Chinese plans and reports (目标, 力争, 左右, 以上,
回顾, 过去一年 …) and the document's record (its year, its plan period), never a word list of one
corpus. Facts are derived from the index's stored passages (:func:`extract_all`), so they always
match the index they are read from.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from rag.documents import reports_results, review_part
from rag.figures import figures
from rag.query import _PERIOD_YEARS, LOOK_BACK_RE

TARGET = "target"
RESULT = "result"
BASELINE = "baseline"

# A sentence that sets a target: its words, or "到2025年" (a year to reach), or a bound on its figure.
_TARGET_WORDS_RE = re.compile(r"预期目标|主要目标|目标是|目标为|目标任务|力争|争取|确保|计划|预计|今年|拟|安排|到(?:19|20)\d\d年(?:底|末)?")
_BOUND_RE = re.compile(r"^\s*(左右|以上|以内|以下|上下)")
# A sentence that reports what happened.
_RESULT_WORDS_RE = re.compile(
    r"过去一年|去年|上年|刚刚过去|已经|已[达有经]|累计|共计|截至|截止|全年|年末|同比|比上年|比去年|完成了|达到了|实现了|增加到|提高到|下降到|"
    r"由[^，,；;]{0,12}(?:增加|提高|下降|减少)到|初步(?:统计|核算)"
)
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_REACH_YEAR_RE = re.compile(r"到\s*((?:19|20)\d{2})\s*年")
_PERIOD_NAME_RE = re.compile(r"十[一二三四五六]五")
# Words between the subject and its figure: the measure (a change or a level) and the verbs of stating it.
_CHANGE_RE = re.compile(r"(增长|增速|增幅|上涨|涨幅|提高|提升|增加|下降|降低|减少|回落|减|降|增)$")
_DOWN_RE = re.compile(r"下降|降低|减少|回落|减|降")
_TRAIL_RE = re.compile(
    r"(?:力争|争取|确保|预计|计划|要|将|需|拟按|拟|按|达到|达|为|是|在|至|到|控制在|保持在|稳定在|实现|完成|突破|超过|超|总量|规模|总额|"
    r"年均|平均|累计|共|约|近|分别|以上|了|和|与|及|的|均|都|左右|从|由)$"
)
_LEAD_RE = re.compile(
    r"^(?:——|—|-|其中|同时|此外|全年|年末|年底|今年|去年|当年|上年|过去一年|刚刚过去的|初步统计|初步核算|预计|力争|争取|确保|拟安排|拟|安排|实现|完成|"
    r"到(?:19|20)\d\d年(?:底|末)?|(?:19|20)\d\d年(?:底|末)?|全省|全市|全区|全国|我省|我市|我区|我国|本省|本市|[，,、：:\s])+"
)
_SPAN_RE = re.compile(r"年均|[五5]年(?:来|间|累计|内)|过去[五5]年|[从由][^，,；;]{0,12}(?:增加|提高|上升|下降|减少)到")
_ORDINAL_BEFORE_RE = re.compile(r"(?:第|专栏|附件|表|图)\s*$")
_LOW_BEFORE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:－|-|—|–|～|~|至|到)\s*$")
_RANGE_SEP_RE = re.compile(r"^\s*(?:－|-|—|–|～|~|至|到)\s*$")
_MAX_SUBJECT = 16


@dataclass(frozen=True)
class Fact:
    """One quantitative statement: ``kind`` (target, result or baseline), what it measures (``subject``,
    ``measure``: "change" for growth rates, "level" otherwise), the figure (``low``..``high`` in ``unit``;
    equal for a point; ``bound`` "左右", "以上", "以内" …), the year it refers to, and where it is said."""

    kind: str
    subject: str
    measure: str
    low: float
    high: float
    unit: str
    bound: str
    figure: str  # as the document writes it ("6.5%左右", "6%－6.5%", "120对")
    thing: str  # what a count counts, when the words after the figure say it ("3-5家…海外中医药中心")
    year: int | None
    doc_id: str
    passage_id: str
    clause: str
    sentence: str

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)

    @property
    def key(self) -> tuple[str, str, str]:
        """What two facts must share to speak of the same thing: subject, measure and unit."""
        return (self.subject, self.measure, self.unit)


_SPLIT_FIGURE_RE = re.compile(r"(\d)\s*\n\s*(?=[万亿千百元%％])")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？!?])|\n", text) if s.strip()]


def _clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r"[；;，,]", sentence) if c.strip()]


def _subject(before: str) -> tuple[str, str]:
    """(subject, measure) from the words before a figure in its clause."""
    text = re.sub(r"[（(][^）)]*[）)]", "", before)
    text = text.rsplit("：", 1)[-1].rsplit(":", 1)[-1]
    text = re.sub(r"[“”\"《》【】\s]", "", text)
    measure = "level"
    for _ in range(6):
        stripped = _TRAIL_RE.sub("", text)
        m = _CHANGE_RE.search(stripped)
        if m:
            measure = "down" if _DOWN_RE.fullmatch(m.group(1)) else "change"
            stripped = stripped[: m.start()]
        if stripped == text:
            break
        text = stripped
    text = _LEAD_RE.sub("", text)
    # "国内生产总值从54万亿元增加到…": the subject is what stands before 从/由.
    head = re.split(r"(?:从|由)(?=[\d一二三四五六七八九十])", text)[0]
    text = head if len(head) >= 2 else text
    return text[-_MAX_SUBJECT:].rstrip("、"), measure


_RESPECTIVELY_RE = re.compile(r"([^，,；;：:。]+?)分别(增长|提高|上升|下降|降低|达到|为|是|控制在|稳定在)?")


def _listed_subjects(clause: str, found) -> dict[int, tuple[str, str]]:
    """Figures given in turn for things listed before "分别" ("一产、二产、三产增加值分别增长5.5%左右、6%左右、5%左右"):
    each figure's start → (subject, measure), the list's shared head noun given to each ("一产增加值" …); {} when the
    figures after "分别" are not as many as the things listed."""
    m = _RESPECTIVELY_RE.search(clause)
    if not m:
        return {}
    items = [x for x in re.split(r"[、和与及]", _LEAD_RE.sub("", m.group(1).strip())) if x]
    after = [g for g in found if g.start >= m.end()]
    if len(items) < 2 or len(after) != len(items):
        return {}
    short = len(items[0])
    head = items[-1][short:]
    if short <= 3 and len(head) >= 2 and all(len(x) == short for x in items[:-1]):
        items = [x + head for x in items[:-1]] + [items[-1]]  # "一产、二产、三产增加值": 增加值 is each one's
    verb = m.group(2) or ""
    said = "change" if verb in ("增长", "提高", "上升") else "down" if verb in ("下降", "降低") else ""
    out = {}
    for g, item in zip(after, items):
        subject, measure = _subject(item)  # "居民消费价格涨幅…控制在3%以内": 居民消费价格, a change
        out[g.start] = (subject if len(subject) >= 2 else item, said or measure)
    return out


def _kind(sentence: str, headings: tuple[str, ...], record, bound: str, context: str = "") -> str | None:
    """target, result, baseline, or None (a figure that is neither: a definition, a count of items).
    ``context`` is the passage's text: a plan's look back ("“十三五”期间…", "5年来…") dates all its figures."""
    period = getattr(record, "period", None)
    if period and (_before_period(sentence, headings, period) or (
        _before_period(context, (), period) or LOOK_BACK_RE.search(context)
    ) and not _TARGET_WORDS_RE.search(sentence)):
        return BASELINE
    review = reports_results(headings, record)
    # A part heading the targets of a plan period reaching past the document's year ("二、“十三五”时期发展成就和“十四五”时期
    # 主要目标任务" in the 2021 report): a figure there that no look back dates and no word says was reached is a target.
    if not review and _period_ahead(headings, record) and not LOOK_BACK_RE.search(context) and not _REACHED_RE.search(sentence):
        return TARGET
    # A bound ("以上", "左右") sets a target in a plan or a report; in a regulation "10万元以下的罚款" is a rule.
    planning = bool(period) or bool(re.search(r"报告|规划|计划|纲要", getattr(record, "kind", "") or ""))
    target = bool(_TARGET_WORDS_RE.search(sentence)) or (bool(bound) and planning) or (
        planning and not review and _own_years_work(headings, record)
    )
    result = review or bool(_RESULT_WORDS_RE.search(sentence))
    if target and not review and not re.search(r"完成了|实现了|达到了|已经|已[达有]", sentence):
        return TARGET
    if result:
        return RESULT
    if period:  # a plan's figures without a year to reach are its targets
        return TARGET
    return None


_REACHED_RE = re.compile(r"完成了|实现了|达到了|已经|已[达有]|全年|比上年|同比")


def _period_ahead(headings: tuple[str, ...], record) -> bool:
    """A heading names the targets or tasks of a plan period ("“十四五”时期主要目标任务") that ends after the year of
    the document ``record``."""
    year = getattr(record, "year", None)
    return bool(year) and any(
        name in _PERIOD_YEARS and _PERIOD_YEARS[name][-1] > year and re.search(rf"{name}[^，,。]{{0,8}}(?:目标|任务)", h)
        for h in headings for name in _PERIOD_NAME_RE.findall(h)
    )


def _own_years_work(headings: tuple[str, ...], record) -> bool:
    """The part of a report that sets its own year's work ("三、2016年重点工作", "今年政府工作任务"): every figure
    of a task there ("新建改建农村公路20万公里") is that year's target."""
    year = getattr(record, "year", None)
    own = rf"今年|{year}年" if year else "今年"
    return any(re.search(rf"(?:{own})[^，,。]{{0,8}}(?:工作|任务)", h) and not re.search(r"回顾|成就|成效", h) for h in headings)


def _before_period(sentence: str, headings: tuple[str, ...], period: tuple[int, int]) -> bool:
    """The sentence speaks of the plan period before the document's ("十三五期间", "2016—2020年")."""
    text = sentence + "".join(headings)
    for name in _PERIOD_NAME_RE.findall(text):
        if name in _PERIOD_YEARS and _PERIOD_YEARS[name][0] < period[0]:
            return True
    years = [int(y) for y in _YEAR_RE.findall(sentence)]
    return bool(years) and max(years) < period[0]


def _year(kind: str, sentence: str, headings: tuple[str, ...], record) -> int | None:
    """The year a fact refers to: the one the sentence reaches for or names, its heading's, or the
    document's (a report's 今年 for a target, its 过去一年 for a result; a plan's last year)."""
    reach = [int(y) for y in _REACH_YEAR_RE.findall(sentence)]
    if reach:
        return max(reach)
    named = [int(y) for y in _YEAR_RE.findall(sentence)]
    heading_years = [int(y) for h in headings for y in _YEAR_RE.findall(h)]
    period = getattr(record, "period", None)
    if kind == BASELINE:
        return max(named) if named else (period[0] - 1 if period else None)
    if kind == TARGET and not named and not heading_years and not re.search(r"今年|当年|本年|年度", sentence):
        # A report's five-year targets ("“十三五”时期主要目标任务": 城镇新增就业5000万人以上) are the period's, not its year's.
        ends = [_PERIOD_YEARS[n][-1] for n in _PERIOD_NAME_RE.findall(sentence + "".join(headings)) if n in _PERIOD_YEARS]
        own = getattr(record, "year", None)
        if ends and own and max(ends) > own:
            return max(ends)
    if named:
        return max(named) if kind == TARGET else min(named)
    if heading_years:
        return max(heading_years)
    if record is None:
        return None
    if kind == TARGET:
        return period[1] if period else record.year
    if review_part(headings, record) or re.search(r"过去一年|去年|上年|刚刚过去", sentence):
        return record.resolve_relative_year("过去一年")
    return record.year


def _of_previous(subject: str, previous: str) -> str:
    """A bare head noun after another thing's figure is of the same thing when the language joins them into one
    word: "粮食播种面积1266.6万亩、产量514.4万吨" gives 粮食产量 (a dictionary word), not 产量 alone."""
    from rag.keyword import words as cut
    from rag.wordcut import word_frequency

    head = next((w for w in cut(previous) if len(w) >= 2), "")
    joined = head + subject
    return joined if head and previous.startswith(head) and word_frequency(joined) else subject


def extract(passage, record=None, looks_back: bool = False) -> list[Fact]:
    """The facts of one passage (see the module doc); ``record`` is its document's
    :class:`rag.documents.DocumentRecord` (its year and plan period date the figures). ``looks_back``: the
    passage's section opens on the period before a plan's ("“十三五”期间…"), so its figures are baselines."""
    out: list[Fact] = []
    sentences = []
    # A figure broken across lines by the source file ("国内生产总值达到74.4\n万亿元，增长6.7%") is one figure.
    text = _SPLIT_FIGURE_RE.sub(r"\1", passage.text)
    for para in text.split("\n"):
        # A paragraph opening "五年来，…" speaks of five years in every sentence.
        opened = bool(re.match(r"\s*(?:[五5]年来|过去[五5]年)", para))
        sentences += [(s, opened) for s in _sentences(para)]
    for sentence, opened in sentences:
        plain = sentence.strip()
        previous = ""
        for clause in _clauses(plain):
            found = figures(clause)
            listed = _listed_subjects(clause, found)
            i = 0
            while i < len(found):
                f = found[i]
                low = high = f.value
                end, bound = f.end, f.qualifier
                # A range: "6%－6.5%", "6.5%-7%".
                if i + 1 < len(found) and found[i + 1].unit == f.unit and _RANGE_SEP_RE.match(clause[f.end : found[i + 1].start]):
                    high = found[i + 1].value
                    end, bound = found[i + 1].end, found[i + 1].qualifier
                    i += 1
                i += 1
                if _ORDINAL_BEFORE_RE.search(clause[: f.start]):
                    continue
                start = f.start
                lone = _LOW_BEFORE_RE.search(clause[: f.start])  # "3-5家": the low end carries no unit
                if lone and high == low:
                    low, start = float(lone.group(1)) * (f.value / float(re.match(r"[\d.,]+", clause[f.start:]).group(0).replace(",", "") or 1)), lone.start()
                b = _BOUND_RE.match(clause[end:])
                bound = b.group(1) if b else bound
                before = clause[:start]
                last = max((g.end for g in found if g.end <= start), default=0)
                between = _subject(before[last:])
                if last and len(between[0]) < 2 and len(previous) >= 2:
                    # "地区生产总值31534亿元、增长3.3%": a figure after another, naming nothing new, is of its subject.
                    subject, measure = previous, between[1]
                else:
                    # "铁路投资7320亿元、公路水运投资1.8万亿元": the subject follows the figure before it.
                    before = before[last:] if len(between[0]) >= 2 else before
                    subject, measure = _subject(before.rsplit("、", 1)[-1] if len(_subject(before.rsplit("、", 1)[-1])[0]) >= 2 else before)
                subject, measure = listed.get(f.start, (subject, measure))
                if last and len(subject) == 2 and len(previous) > 2 and subject not in previous:
                    subject = _of_previous(subject, previous)
                if len(subject) < 2:
                    subject = previous
                # A figure needs a unit, or a scale word at least ("减少农村贫困人口1000万").
                if len(subject) < 2 or not (f.unit or re.search(r"[万亿千]", clause[f.start : f.end])):
                    continue
                previous = subject
                kind = BASELINE if looks_back and record is not None and record.period and not _TARGET_WORDS_RE.search(plain) \
                    else _kind(plain, passage.headings, record, bound, passage.text)
                if kind is None:
                    continue
                # An average over years, or a span ("年均增长7.1%", "过去五年…从54万亿元增加到82.7万亿元") is no one year's.
                spans = opened or bool(_SPAN_RE.search(clause) or LOOK_BACK_RE.search(plain))
                year = None if spans and kind != TARGET else _year(kind, plain, passage.headings, record)
                if kind == RESULT and year and getattr(record, "year", None) and year > record.year:
                    kind = TARGET  # a document reports no result of a year after its own ("提高到65%" under a 2035 heading)
                figure = clause[start : end + (len(b.group(0)) if b else 0)].strip()
                thing = re.split(r"[、（(“”\"《》]", clause[end + (len(b.group(0)) if b else 0):])[0].lstrip("的")[:10]
                out.append(Fact(
                    kind=kind, subject=subject, measure=measure, thing=thing, low=low, high=high, unit=f.unit, bound=bound,
                    figure=figure, year=year, doc_id=passage.doc_id,
                    passage_id=passage.id, clause=clause.strip(), sentence=plain,
                ))
    return out


def extract_all(passages, records: dict) -> list[Fact]:
    """The facts of all ``passages`` (a mapping or an iterable), in document order."""
    items = passages.values() if hasattr(passages, "values") else passages
    ordered = sorted(items, key=lambda p: (p.doc_id, p.order))
    # A plan's section that opens on the period before it ("第一节 历史跨越：“十三五”期间…") looks back throughout.
    opened: dict[tuple, bool] = {}
    for p in ordered:
        section = (p.doc_id, p.headings[:2])
        if section not in opened:
            record = records.get(p.doc_id)
            period = getattr(record, "period", None)
            opened[section] = bool(period) and (_before_period(p.text[:200], (), period) or bool(LOOK_BACK_RE.search(p.text[:200])))
    return [f for p in ordered for f in extract(p, records.get(p.doc_id), opened[(p.doc_id, p.headings[:2])])]
