"""Figures in text, and the condition a question puts on them.

"哪些省份把城镇新增就业目标定在100万人以上？" asks which documents state a figure
that meets a condition (≥ 100万人). :func:`figures` reads the figures of a text with
their units ("110万人以上" → 1,100,000 人; "6%左右" → 6 %; "1.5万亿元" → 15,000 亿元
in 元); :func:`condition_of` reads the condition a question puts on a figure, and
:meth:`Condition.met_in` tells whether a sentence states a figure that meets it for
the thing asked about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Scale words before a unit, as multipliers.
_SCALES = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
# Units of measure (longest first); a bare number with neither unit nor scale is not read as a figure.
_UNITS = (
    "个百分点", "平方公里", "千瓦时", "人次", "美元", "欧元", "公斤", "千克", "公顷", "公里", "千瓦", "小时",
    "批次", "%", "％", "元", "人", "对", "批", "名", "场", "届", "次", "条", "艘", "斤", "吨", "户", "家", "个", "项", "辆", "套", "亩", "所", "座", "架", "天", "倍",
    "列", "件", "处",
)
# "600多万套", "380余户": more than the number, read as it.
_FIGURE_RE = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*([多余](?=\s*(?:" + "|".join(_SCALES) + "|" + "|".join(map(re.escape, _UNITS)) + r")))?\s*("
    + "|".join(_SCALES) + r")?\s*(" + "|".join(map(re.escape, _UNITS)) + r")?"
)
_AT_LEAST = r"超过|超|高于|不低于|不少于|至少|突破|多于|大于|above|over|more than|at least|exceeding"
_AT_MOST = r"低于|不超过|不高于|少于|不到|小于|below|under|less than|at most"
_AFTER_AT_LEAST = re.compile(r"^\s*(以上|及以上|多|余)")
_AFTER_AT_MOST = re.compile(r"^\s*(以下|及以下|以内)")
_QUALIFIER_RE = re.compile(r"\s*(左右|以上|以下|以内)")
_WHICH_RE = re.compile(r"哪些|哪几|哪个|哪一|\bwhich\b|\bwhat (provinces|regions|documents|years)\b", re.I)
# "两位数" (growth in double digits): at least 10 %.
_DOUBLE_DIGITS_RE = re.compile(r"两位数|double[- ]digit", re.I)


@dataclass(frozen=True)
class Figure:
    """One figure of a text: its value in the base unit, the unit, and where it stands."""

    value: float
    unit: str
    start: int
    end: int
    qualifier: str = ""  # 左右, 以上 or 以下 when the text says it right after the figure


def figures(text: str) -> list[Figure]:
    """The figures of ``text`` that carry a unit or a scale word (a year, a bare 3, an item number are not)."""
    out = []
    for m in _FIGURE_RE.finditer(text):
        number, more, scale, unit = m.group(1), m.group(2), m.group(3), m.group(4)
        if not unit and not scale or text[max(0, m.start() - 1) : m.start()] == "第":  # "第12条" is an ordinal
            continue
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            continue
        unit = "%" if unit in ("%", "％") else (unit or "")
        q = _QUALIFIER_RE.match(text, m.end())
        qualifier = q.group(1) if q else ("以上" if more else "")
        out.append(Figure(value * _SCALES.get(scale or "", 1.0), unit, m.start(), m.end(), qualifier))
    return out


@dataclass(frozen=True)
class Condition:
    """A condition on a figure: ``op`` (">=", "<=" or "="), the value in the base unit, and the unit."""

    op: str
    value: float
    unit: str
    text: str  # as the question says it ("100万人以上")
    qualifier: str = ""  # "定在6%左右": a figure said "6%以上" is another target

    def describe(self, lang: str = "zh") -> str:
        """The condition for a person: "不低于100万人", "6%左右", "≥ 10%"."""
        figure = self.text + (self.qualifier if self.op == "=" else "")
        if not re.search(r"\d", self.text):  # "两位数"
            return self.text
        if lang == "zh":
            return {">=": "不低于", "<=": "不高于"}.get(self.op, "") + figure
        return {">=": "≥ ", "<=": "≤ "}.get(self.op, "") + figure

    def holds(self, figure: Figure) -> bool:
        """``figure`` is in the condition's unit and meets it."""
        if figure.unit != self.unit:
            return False
        if self.op == "=" and self.qualifier and figure.qualifier and figure.qualifier != self.qualifier:
            return False
        if self.op == ">=":
            return figure.value >= self.value - 1e-9 * abs(self.value)
        if self.op == "<=":
            return figure.value <= self.value + 1e-9 * abs(self.value)
        return abs(figure.value - self.value) <= 1e-9 * max(1.0, abs(self.value))

    def met_in(self, sentence: str, names_subject=lambda clause: True) -> bool:
        """``sentence`` states a figure meeting the condition in a clause for which ``names_subject`` holds
        (it names what the figure measures: "地区生产总值增长6%左右" for GDP = 6%)."""
        return any(
            any(self.holds(f) for f in figures(clause)) and names_subject(clause)
            for clause in re.split(r"[，,；;。！!？?]", sentence)
        )


def condition_of(question: str) -> Condition | None:
    """The condition a "which …" question puts on a figure ("在100万人以上", "超过了800亿元",
    "定在6%左右", "增速是5.7%的", "两位数"), or None."""
    if not _WHICH_RE.search(question):
        return None
    q = re.sub(r"\s+", "", question) if re.search(r"[\u4e00-\u9fff]", question) else question
    if _DOUBLE_DIGITS_RE.search(q):
        return Condition(">=", 10.0, "%", _DOUBLE_DIGITS_RE.search(q).group(0))
    for f in figures(q):
        if f.unit == "" and not re.search(r"[万亿千]", q[f.start : f.end]):
            continue
        before, after = q[max(0, f.start - 8) : f.start], q[f.end : f.end + 4]
        if re.search(rf"(?:{_AT_LEAST})(?:了|过)?\s*$", before, re.I) or _AFTER_AT_LEAST.match(after):
            op = ">="
        elif re.search(rf"(?:{_AT_MOST})(?:了)?\s*$", before, re.I) or _AFTER_AT_MOST.match(after):
            op = "<="
        else:
            op = "="
        return Condition(op, f.value, f.unit, q[f.start : f.end], f.qualifier)
    return None
