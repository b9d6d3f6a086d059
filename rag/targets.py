"""Targets against reported results: verdicts, and the 目标完成情况 table of a plan or report.

Built on the facts of :mod:`rag.facts`. A target is set against the result reported for the same
subject (same measure and unit), the same year and the same region — usually in another
document (a 2017 report's target, the 2018 report's review). The verdict is computed from the
figures: 达成 / 未达成, 高于目标 / 低于目标 for a target "左右" a figure, or 文件未报告结果.
A target is never presented as a result, nor a result as a target; when one half is missing
the answer says which.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rag.answer import Answer, Citation, is_noun
from rag.facts import RESULT, TARGET, Fact
from rag.figures import figures
from rag.query import has_measure
from rag.support import kind_label

MET, NOT_MET, ABOVE, BELOW, NO_RESULT = "met", "not met", "above", "below", "no result"
VERDICT_ZH = {MET: "达成", NOT_MET: "未达成", ABOVE: "高于目标", BELOW: "低于目标", NO_RESULT: "文件未报告结果"}
VERDICT_EN = {MET: "met", NOT_MET: "not met", ABOVE: "above the target", BELOW: "below the target",
              NO_RESULT: "no result reported"}
_CEILING = ("以内", "以下", "不超过", "不高于")
_FLOOR = ("以上", "不低于", "超过")
SUBJECT_MATCH = 0.6  # two subjects at least this alike name the same thing
SHORT_REST = 24  # a quoted sentence at most this many characters longer than its lead clause is the lead line itself
# A document's own word on how an indicator stood against its target ("地区生产总值…等预期性指标未达到年初目标",
# "与预期目标有差距", "超额完成全年任务").
_STATED_RE = re.compile(
    r"(?:未能?|没有|没能|均|全面|基本|圆满|超额)?(?:达到|完成|实现)[^，,。；;]{0,14}(?:目标|预期|任务)|"
    r"(?:与|同|比)[^，,。；;]{0,4}(?:预期|目标)[^，,。；;]{0,3}(?:有|存在|仍有)?(?:差距|不足)|[好高低]于预期|超出预期"
)
# …not a plan's words for what is to be done ("今年城镇新增就业要在实现预期目标的基础上…", "确保完成全年目标任务").
_PLANNED_RE = re.compile(r"(?:要|力争|确保|努力|争取|将|必须|应当?)[^，,。；;]{0,3}$")


def states_verdict(text: str) -> bool:
    """``text`` says how something stood against its target (:data:`_STATED_RE`), not what a plan means to do."""
    return any(not _PLANNED_RE.search(text[: m.start()]) for m in _STATED_RE.finditer(text))


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def similarity(a: str, b: str) -> float:
    """How alike two subjects are: 1 when equal, 0.8 when one abbreviates the other (友城 / 友好城市, its
    characters in order), else the Dice coefficient of their character pairs."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long = sorted((a, b), key=len)
    if len(short) >= 2 and short in long:
        # "城镇新增就业" in "全年城镇新增就业"; a two-character word inside a longer name is another thing (国家 / 参展国家).
        return 0.8 if len(short) >= 3 else 0.5
    if len(short) >= 2 and _subsequence(short, long):  # an abbreviation: 友城 / 友好城市
        return 0.8 if len(short) * 2 >= len(long) else 0.6
    pa = {a[i : i + 2] for i in range(len(a) - 1)}
    pb = {b[i : i + 2] for i in range(len(b) - 1)}
    return 2 * len(pa & pb) / (len(pa) + len(pb)) if pa and pb else 0.0


def verdict(target: Fact, result: Fact | None) -> str:
    """The verdict for ``target`` given ``result`` (None: no result reported); see the module doc."""
    if result is None:
        return NO_RESULT
    value = result.low if result.low == result.high else (result.low + result.high) / 2
    lo, hi = target.low, target.high
    if target.bound in _CEILING:
        return MET if value <= hi + 1e-9 else NOT_MET
    if target.bound in _FLOOR or target.bound == "" and lo == hi:
        return MET if value >= lo - 1e-9 else NOT_MET
    if lo != hi:
        return MET if lo - 1e-9 <= value <= hi + 1e-9 else ABOVE if value > hi else BELOW
    # "6.5%左右": about the figure — within half a point (a rate) or 5 % of it (an amount).
    tolerance = 0.5 if target.unit in ("%", "个百分点") else 0.05 * abs(lo)
    if abs(value - lo) <= tolerance:
        return MET
    return ABOVE if value > lo else BELOW


@dataclass
class Row:
    """One line of the 目标完成情况 table: a target, the latest result reported for it, the verdict."""

    target: Fact
    result: Fact | None
    verdict: str


class Targets:
    """The targets and results of the indexed documents (:mod:`rag.facts`), matched."""

    def __init__(self, facts: list[Fact], passages: dict, records: dict) -> None:
        self.facts = facts
        self.passages = passages
        self.records = records
        # Targets and results by (kind, unit, region): a counterpart is looked for among these only.
        self._by_kind: dict[tuple[str, str, str], list[Fact]] = {}
        for f in facts:
            if f.kind in (TARGET, RESULT):
                self._by_kind.setdefault((f.kind, f.unit, self._region(f)), []).append(f)

    def _region(self, fact: Fact) -> str:
        record = self.records.get(fact.doc_id)
        return getattr(record, "region", "") or ""

    def result_for(self, target: Fact) -> Fact | None:
        """The result reported for ``target``: same unit, measure and region, the target's year, the most
        alike subject (ties: the later document's)."""
        return self._counterpart(target, RESULT)

    def target_for(self, result: Fact) -> Fact | None:
        """The target set for what ``result`` reports (see :meth:`result_for`; ties: the first), or None."""
        return self._counterpart(result, TARGET)

    def _counterpart(self, fact: Fact, kind: str) -> Fact | None:
        best, score = None, SUBJECT_MATCH - 1e-9
        for other in self._by_kind.get((kind, fact.unit, self._region(fact)), ()):
            if other.year != fact.year or other.measure != fact.measure and "level" not in (other.measure, fact.measure):
                continue
            if _share_of(other.subject, fact.subject) or _share_of(fact.subject, other.subject):
                continue  # "服务业增加值占国内生产总值比重" is a share, not 国内生产总值 itself
            s = similarity(fact.subject, other.subject) + (0.05 if other.measure == fact.measure else 0)
            later = kind == RESULT and s == score and best is not None and other.doc_id > best.doc_id
            if s > score or later:
                best, score = other, s
        return best

    def table(self, doc_id: str) -> list[Row]:
        """The 目标完成情况 table of one plan or report: each of its targets with its result and verdict."""
        rows = []
        for t in self.facts:
            if t.doc_id == doc_id and t.kind == TARGET:
                r = self.result_for(t)
                rows.append(Row(t, r, verdict(t, r)))
        return rows

    # ------------------------------------------------------------ questions
    def match(self, groups: list[tuple[str, ...]], kind: str, years: list[int], doc_ids=None, figure: str = "") -> list[Fact]:
        """The facts of ``kind`` whose clause names each group of terms (any of a group's spellings; a term
        may be abbreviated in the clause, or abbreviate it: 友城 / 友好城市), in ``years`` when given, best
        first; ``figure`` ("120对"), when the question names one, must be the fact's."""
        out = []
        for f in self.facts:
            if f.kind != kind or (years and f.year not in years) or (doc_ids and f.doc_id not in doc_ids):
                continue
            if figure and figure not in re.sub(r"\s", "", f.figure):
                continue
            named = _named(f, groups)
            # Every term named, or (three terms and more) all but a third of them, one in the subject.
            found = sum(1 for n in named if n)
            if found < len(groups) - len(groups) // 3 or (groups and max(named) < 2) or not (groups or figure):
                continue
            out.append((sum(named) - len(f.subject) / 100, f))
        out.sort(key=lambda x: (-x[0], -(x[1].year or 0)))
        return [f for _, f in out]

    def stated(self, groups: list[tuple[str, ...]], years: list[int], doc_ids=None) -> list[tuple[str, str]]:
        """What the documents themselves say of how the asked indicator stood against its target: (passage id,
        the sentence's part that says it), naming every group of terms (any spelling), of ``years`` when given
        (the year a review speaks of), at most two, in document order."""
        if not any(len(t) >= 2 for g in groups for t in g):
            return []
        out = []
        for pid, part, year in self._statements():
            if (years and year not in years) or (doc_ids and self.passages[pid].doc_id not in doc_ids):
                continue
            if all(any(len(t) >= 2 and t in part for t in g) for g in groups):
                # From the clause that names the indicator to the one that says how it stood.
                clauses = re.split(r"(?<=[，,：:])", part)
                first = next(i for i, c in enumerate(clauses) if any(len(t) >= 2 and t in c for g in groups for t in g))
                last = max((i for i, c in enumerate(clauses) if states_verdict(c)), default=-1)
                out.append((pid, "".join(clauses[first : last + 1] if first <= last else clauses).rstrip("，,：:")))
        return out[:2]

    def _statements(self) -> list[tuple[str, str, int | None]]:
        """Every part of a sentence (up to its 。 or ；) that says how something stood against a target, with
        the year it speaks of; read once from the passages."""
        cached = self.__dict__.get("_stated")
        if cached is None:
            from rag.facts import _year

            cached = []
            for pid, p in self.passages.items():
                if not states_verdict(p.text):
                    continue
                record = self.records.get(p.doc_id)
                for part in re.split(r"(?<=[。；;！？])|\n", p.text):
                    if states_verdict(part):
                        cached.append((pid, _plain(part), _year(RESULT, part, p.headings, record)))
            self.__dict__["_stated"] = cached
        return cached

    def answer(self, query, terms: list[tuple[str, ...]], doc_ids=None, only: str = "") -> Answer | None:
        """The answer to a question about a target against its result ("2017年国内生产总值增长目标完成了吗？"),
        or None when no target or result of what it asks is found (the ordinary path answers or refuses).
        ``only=TARGET``: a result was asked and the documents give none; say so beside the target they set.
        ``only=RESULT``: a result was asked and the sentences found set targets; the result the documents report
        of that year (with the target it was set against), or None."""
        reports = sorted({y for y, _ in query.dated_kinds})
        # Two reports a year apart ("the 2018 report set a target … what did the 2019 report say was achieved"): the
        # first sets the target, the second reviews that year.
        reports = reports[:1] if len(reports) == 2 and reports[1] - reports[0] == 1 else reports
        years = [int(y) for y in query.asked_years] or reports or sorted(query.period_years)
        if not years and query.relative_years:
            # "去年…目标完成了吗": the year before the asked documents' own (a 2025 report's 去年 is 2024).
            records = [self.records[d] for d in doc_ids if d in self.records] if doc_ids else list(self.records.values())
            years = sorted({y for r in records for w in query.relative_years if (y := r.resolve_relative_year(w))})
        text = re.sub(r"(?:19|20)\d\d\s*年", "", query.text)
        named = figures(text)
        figure = re.sub(r"\s", "", text[named[0].start : named[0].end]) if named and not terms else ""
        if only == RESULT:
            results = self._of_measure(query, self.match(terms, RESULT, years, doc_ids, figure))
            return self._compose(query, [(self.target_for(results[0]), results[0])]) if results else None
        targets = self._of_measure(query, self.match(terms, TARGET, years, doc_ids, figure))
        stated = [] if only or figure else self.stated(terms, years, doc_ids)
        if targets:
            best = targets[0]
            same = [t for t in targets if t.doc_id != best.doc_id and t.key == best.key]
            chosen = [best] + [t for t in same if self._region(t) != self._region(best)][:4]
            pairs = [(t, None if only else self.result_for(t)) for t in chosen]
            if not only and pairs[0][1] is None and len(years) > 1:
                # "今年…目标定了多少？去年实际增长了多少？": the result of the other year asked, beside the target.
                other = [r for r in self.match(terms, RESULT, [y for y in years if y != best.year], doc_ids) if r.key == best.key]
                if other:
                    pairs.append((self.target_for(other[0]), other[0]))
            return self._compose(query, pairs, stated)
        if only:
            return None
        results = self._of_measure(query, self.match(terms, RESULT, years, doc_ids, figure))
        if results:
            return self._compose(query, [(self.target_for(results[0]), results[0])], stated)
        # Without a figure, only a question scoped to its documents (or an index of one region) is answered
        # from what a document says: another province's word is no answer to it.
        if stated and (doc_ids or len({getattr(r, 'region', '') for r in self.records.values()}) == 1):
            return self._compose(query, [], stated, years)
        return None

    @staticmethod
    def _of_measure(query, facts: list[Fact]) -> list[Fact]:
        """``facts`` of the measure the question asks, when it asks a growth or a fall ("GDP增速": 增长3.3%, not the
        level 31534亿元) and some are; else all of them."""
        return [f for f in facts if f.measure == query.change] or facts if query.change else facts

    def _compose(self, query, pairs: list[tuple[Fact | None, Fact | None]], stated=(), years=()) -> Answer:
        zh = query.lang == "zh"
        citations: dict[str, Citation] = {}

        def cite(passage_id: str, sentence: str) -> str:
            c = citations.get(passage_id)
            if c is None:
                c = citations[passage_id] = Citation(len(citations) + 1, self.passages[passage_id])
            if sentence not in c.sentences:
                c.sentences.append(sentence)
            return f"[{c.n}]"

        def remark(fact: Fact) -> str:
            # The document's own word on the target, later in the sentence of the figure ("…，超过全年预期目标",
            # "…，较好完成全年经济社会发展目标任务").
            clauses = re.split(r"[，,；;。]", fact.sentence)
            at = next((i for i, c in enumerate(clauses) if fact.figure in c), None)
            if at is None:
                return ""
            after = next((c for i, c in enumerate(clauses[at + 1 :]) if states_verdict(c) or i == 0 and re.search(r"目标|预期", c)), "")
            if not after.strip():
                return ""
            return f"（文件称：{after.strip()}）" if zh else f" (the document says: {after.strip()})"

        def said(fact: Fact, name: str) -> str:
            # The document's own words for the figure: its clause, where it is said, the marker.
            where = self._label(fact, short=True)
            marker = cite(fact.passage_id, fact.sentence)
            return f"· {name}（{where}）：{_quoted(fact)}{marker}" if zh else f"· {name} ({where}): {_quoted(fact)}{marker}"

        lines = []
        for target, result in pairs:
            fact = target or result
            label = self._label(fact)
            year = f"{fact.year}年" if fact.year else ""
            if target is not None:
                if result is not None:
                    v = verdict(target, result)
                    lines.append(
                        f"{label}{year}{target.subject}：目标{target.figure}，实际{result.figure}{remark(result)}。结论：{VERDICT_ZH[v]}。\n"
                        f"{said(target, '目标')}\n{said(result, '实际')}"
                        if zh else
                        f"{label}{fact.year or ''} {target.subject}: target {target.figure}; reported {result.figure}{remark(result)}. "
                        f"Verdict: {VERDICT_EN[v]}.\n{said(target, 'Target')}\n{said(result, 'Reported')}"
                    )
                else:
                    lines.append(
                        f"{label}{year}{target.subject}：目标{target.figure}；文件中未找到{year}的实际完成数字。\n{said(target, '目标')}"
                        if zh else
                        f"{label}{fact.year or ''} {target.subject}: target {target.figure}; the reported result for "
                        f"{fact.year or 'that year'} is not found in the documents.\n{said(target, 'Target')}"
                    )
            else:
                lines.append(
                    f"{label}{year}{result.subject}：实际{result.figure}{remark(result)}；文件中未找到{year}的相应目标数字。\n{said(result, '实际')}"
                    if zh else
                    f"{label}{fact.year or ''} {result.subject}: reported {result.figure}{remark(result)}; the target for "
                    f"{fact.year or 'that year'} is not found in the documents.\n{said(result, 'Reported')}"
                )
        quoted = {x for c in citations.values() for x in c.sentences}
        regions = {self._region(f) for pair in pairs for f in pair if f is not None}
        for pid, part in stated:
            # Only what the documents of the figures' region say (a province's word is not the nation's).
            if any(part in x or x in part for x in quoted) or regions and self._region_of(pid) not in regions:
                continue
            where = self._title(self.passages[pid].doc_id)
            marker = cite(pid, part)
            lines.append(f"· 文件称（{where}）：{part}{marker}" if zh else f"· The document says ({where}): {part}{marker}")
        if not pairs:
            year = f"{years[0]}年" if len(years) == 1 else ""
            lines.append(f"文件中未找到{year}这一指标的目标数字。" if zh else "The target figure itself is not found in the documents.")
        return Answer("\n".join(lines), list(citations.values()), abstained=False)

    # ------------------------------------------------------------ the direct first line
    def lead(self, query, passage_id: str, sentence: str) -> list[Fact]:
        """The facts of ``sentence`` (a quoted sentence of passage ``passage_id``) that answer a figure question
        best ("江苏今年全社会研发投入强度目标定了多少？" → the clause "全社会研发投入强度达3.35%左右", a 2025 target):
        [] when no clause of it names what is asked with a figure of the asked measure, one fact, or several
        when clauses do equally well with different figures ("一产、二产、三产增加值分别增长5.5%左右、6%左右…")."""
        terms = question_terms(query)
        if not terms:
            return []
        asked = re.sub(r"\s", "", query.text)
        scored = []
        for f in self._by_passage.get(passage_id, ()):
            if f.clause.rstrip("。！？!? ") not in sentence:
                continue  # a figure of the sentence outside the part quoted
            if query.stage and f.kind != query.stage:
                continue  # a target is never the lead of a question about a result, nor a result of one about a target
            if query.asked_years and str(f.year) not in query.asked_years:
                continue  # another year's figure, or an average over years ("年均增长7.8%" for 2015)
            if query.measures and not any(has_measure(f.figure + f.thing[:2], m) for m in query.measures):
                continue
            if query.change and f.measure != query.change:
                continue  # "增长了多少" is not answered by a level ("总量达到…"), nor by a fall
            named = _named(f, terms)
            if min(named) == 0 or max(named) < 2:
                continue
            # The subject is what a term names, not a thing of it: 单位国内生产总值能耗 is no 国内生产总值.
            if f.subject not in asked and not any(
                f.subject.endswith(t) or t.endswith(f.subject) or similarity(t, f.subject) >= 0.8 for g in terms for t in g
            ):
                continue
            if not reads_as_asked(f.clause, asked, terms):
                continue
            scored.append((sum(named), f))
        top = max((s for s, _ in scored), default=0)
        best = [f for s, f in scored if s == top]
        return [f for i, f in enumerate(best) if f.figure not in {g.figure for g in best[:i]}]

    def lead_line(self, query, fact: Fact, marker: int, sentence: str) -> tuple[str, bool]:
        """The direct first line for ``fact``: its words, what kind of figure it is and its year, the marker
        ("全社会研发投入强度达3.35%左右（2025年目标）[1]"); and whether those words are all of ``sentence``."""
        words, plain = _quoted(fact), _plain(sentence)
        # A short sentence is the line itself ("今年赤字率拟按2.8%安排，比去年预算高0.2个百分点"), not quoted twice.
        whole = words in plain and len(plain) <= len(words) + SHORT_REST
        words = plain if whole else words
        # The year is said when the sentence names it or the document's own year gives it (a report's 今年, 去年),
        # not when only a heading's year stands for it ("…和2035年远景目标").
        record = self.records.get(fact.doc_id)
        own = getattr(record, "year", None)
        year = fact.year if fact.year and (str(fact.year) in sentence or own and own - 1 <= fact.year <= own) else None
        kind = TARGET if fact.kind == TARGET else RESULT  # a baseline is what an earlier period reached
        label = kind_label(kind, year, query.lang)
        return f"{words}{label}[{marker}]" if query.lang == "zh" else f"{words}{label} [{marker}]", whole

    @cached_property
    def _by_passage(self) -> dict[str, list[Fact]]:
        """The facts of each passage, grouped once."""
        out: dict[str, list[Fact]] = {}
        for f in self.facts:
            out.setdefault(f.passage_id, []).append(f)
        return out

    def _region_of(self, passage_id: str) -> str:
        record = self.records.get(self.passages[passage_id].doc_id)
        return getattr(record, "region", "") or ""

    def _title(self, doc_id: str) -> str:
        return getattr(self.records.get(doc_id), "title", "") or doc_id

    def _label(self, fact: Fact, short: bool = False) -> str:
        record = self.records.get(fact.doc_id)
        if short:
            return self._title(fact.doc_id)
        region = getattr(record, "region", "")
        return f"{region} " if region and region != "全国" and len({getattr(r, 'region', '') for r in self.records.values()}) > 1 else ""


def _named(fact: Fact, groups: list[tuple[str, ...]]) -> list[int]:
    """How ``fact`` names each group of terms: 2 in its subject (or what it counts; an abbreviation counts), 1 only
    elsewhere in its clause, 0 not at all."""
    text = fact.subject + fact.thing
    return [max((2 if t in text or similarity(t, fact.subject) >= 0.8 else 1 if t in fact.clause else 0) for t in g) for g in groups]


def _share_of(subject: str, whole: str) -> bool:
    """``subject`` is a share of ``whole`` ("服务业增加值占国内生产总值比重" of 国内生产总值), not ``whole``."""
    i = subject.find("占")
    return i >= 0 and whole in subject[i:] and whole not in subject[:i]


@lru_cache(maxsize=256)
def question_terms(query) -> list[tuple[str, ...]]:
    """What a question asks the figure of, as groups of terms (each group: one thing, any spelling): the
    subject words of a Chinese question (everyday indicator names in the reports' terms: 经济增长 → 生产总值增长);
    the Chinese terms an English one names. Words that frame any figure question (目标, 实际 …) are not terms."""
    from rag.gate import _FRAMING_WORDS, subject_words
    from rag.glossary import indicator_names, term_groups
    from rag.query import PERSONA_RE

    if query.lang == "zh":
        # Years out first: jieba reads "2025年友城" as 年友 / 城.
        # The asker's own situation ("做外贸的，") names no figure.
        text = indicator_names(re.sub(r"(?:到|在|至)?(?:19|20)\d\d年(?:底|末|初)?|\s", "", PERSONA_RE.sub("", query.text)))
        # Latin abbreviations in a Chinese question ("GDP", "CPI") are named by their Chinese terms.
        latin = term_groups(" ".join(re.findall(r"[A-Za-z][A-Za-z&.\-]*", text)))
        groups = [(w,) for w in subject_words(text) if not re.search(r"[a-z]|十[一二三四五六]五", w)] + latin
    else:
        groups = term_groups(query.text)
        # "what growth did the economy achieve" beside "GDP": the economy is what any such figure is of, no
        # second indicator.
        if len(groups) > 1:
            groups = [g for g in groups if g != ("经济",)]
    return [g for g in groups if not all(t in _FRAMING_WORDS or t in _VERDICT_WORDS or t.isdigit() for t in g)]


# What an indicator's name ends with to say which figure of it is meant: a rate or share (with the words a clause
# states it by: a 增速 is stated as "增长5%"), or its level.
_RATE_SUFFIXES = {"率": ("率",), "增速": ("增速", "增长", "增幅"), "比重": ("比重", "占比"), "占比": ("占比", "比重")}
_LEVEL_SUFFIXES = ("规模", "总量", "总额")
# Between the two nouns of a compound, a quoted name or another noun makes it another thing ("工业“新三样”增加值");
# a verb after its subject may stand apart ("人口全部脱贫", "领导率团出访").
_QUOTES_RE = re.compile(r"[“”\"《》「」]")


def reads_as_asked(clause: str, asked: str, terms: list[tuple[str, ...]]) -> bool:
    """Whether ``clause`` names the thing ``asked`` (a question, without spaces) names, as the question writes
    it: terms the question writes together are not parted in the clause by another name ("规模以上工业增加值" is
    not "云南工业“新三样”增加值"), a rate asked is that rate ("赤字率" is not "赤字规模4.06万亿元") and a level asked
    no rate. A term the question also names bare ("财政赤字是多少？赤字率是多少？") may be either."""
    words = [t for g in terms for t in g if t in asked]
    for a in words:
        for b in words:
            if a != b and a + b in asked and a + b not in clause and not _parted_alike(clause, a, b):
                return False
        bare = re.search(re.escape(a) + "(?!" + "|".join(list(_RATE_SUFFIXES) + list(_LEVEL_SUFFIXES)) + ")", asked)
        if bare or a not in clause:
            continue
        for rate, said in _RATE_SUFFIXES.items():
            if a + rate in asked and not any(a + w in clause for w in said):
                return False
        if any(a + v in asked for v in _LEVEL_SUFFIXES) and any(a + r in clause for r in _RATE_SUFFIXES):
            return False
    return True


def _parted_alike(clause: str, a: str, b: str) -> bool:
    """``a`` and ``b`` are not both in ``clause``, or ``b`` is a verb ("人口全部脱贫"), or what parts them there
    (within ten characters) is no name."""
    at = clause.find(a)
    nxt = clause.find(b, at + len(a)) if at >= 0 else -1
    if at < 0 or nxt < 0 or not is_noun(b):
        return True
    gap = clause[at + len(a) : nxt]
    if len(gap) > 10:
        return True
    return not (_QUOTES_RE.search(gap) or is_noun(gap))


# Words of asking whether a target was met, which name no indicator.
_VERDICT_WORDS = frozenset("没有 干到 做到 区间 范围 执行 任务 情况 怎么样 如何 最后 最终 结果 高还是低 落在 处于 年初 当年 达标".split())


def _quoted(fact: Fact) -> str:
    """The words of ``fact``'s sentence that state it: its clause, and the clauses before it back to the one
    naming its subject ("国内生产总值超过126万亿元，增长5.2%"), at most two more."""
    parts = re.split(r"(?<=[，,；;])", _plain(fact.sentence))
    at = next((i for i, p in enumerate(parts) if fact.clause in p), None)
    if at is None:
        return _plain(fact.clause)
    start = at
    while start > 0 and at - start < 2 and fact.subject not in "".join(parts[start : at + 1]):
        start -= 1
    if fact.subject not in "".join(parts[start : at + 1]):
        start = at
    return "".join(parts[start : at + 1]).rstrip("，,；;")


def _plain(sentence: str) -> str:
    """A quoted sentence without its list number ("1. …") and closing stop (the marker follows it)."""
    return re.sub(r"^\s*(?:\d{1,2}[.．、]|——)\s*", "", sentence).strip().rstrip("。；;")


def from_index(index) -> Targets:
    """The :class:`Targets` of a loaded :class:`rag.store.Index` (its passages and document records)."""
    from rag.facts import extract_all

    records = index.records()
    return Targets(extract_all(index.passages, records), index.passages, records)


def export(targets: Targets, doc_id: str, fmt: str = "md", lang: str = "zh") -> str:
    """The 目标完成情况 table of one document as Markdown (``md``) or CSV (``csv``)."""
    rows = table_rows(targets.table(doc_id), targets.records, lang)
    return to_csv(rows) if fmt == "csv" else to_markdown(rows)


def table_rows(rows: list[Row], records: dict, lang: str = "zh") -> list[dict]:
    """The table as dicts (the columns of the CSV and Markdown exports)."""
    names = VERDICT_ZH if lang == "zh" else VERDICT_EN
    out = []
    for row in rows:
        t, r = row.target, row.result
        out.append({
            "指标" if lang == "zh" else "subject": re.sub(r"^[（(、，,]+|[（(、，,]+$", "", t.subject)
            + (f"（{t.thing}）" if t.thing and t.unit in ("个", "家", "项", "所") else ""),
            "年份" if lang == "zh" else "year": t.year or "",
            "目标" if lang == "zh" else "target": t.figure,
            "目标出处" if lang == "zh" else "target source": _where(t, records),
            "实际" if lang == "zh" else "result": r.figure if r else "",
            "实际出处" if lang == "zh" else "result source": _where(r, records) if r else "",
            "结论" if lang == "zh" else "verdict": names[row.verdict],
        })
    return out


def _where(fact: Fact, records: dict) -> str:
    record = records.get(fact.doc_id)
    return f"{getattr(record, 'title', '') or fact.doc_id}：{fact.clause}"


def to_csv(rows: list[dict]) -> str:
    """The table as CSV (UTF-8 with a header line)."""
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def to_markdown(rows: list[dict]) -> str:
    """The table as a Markdown table."""
    if not rows:
        return ""
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        lines.append("| " + " | ".join(str(row[h]).replace("|", "／").replace("\n", " ") for h in head) + " |")
    return "\n".join(lines) + "\n"
