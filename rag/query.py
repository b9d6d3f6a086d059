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
from dataclasses import dataclass, field

from rag.documents import KINDS, doc_numbers
from rag.keyword import has_cjk
from rag.places import NATIONAL, Place, find_places, find_places_en

_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代)")
_EN_YEAR_RE = re.compile(r"(?<![\d-])((?:19|20)\d{2})(?![\d-])")
_RELATIVE_RE = re.compile(r"今年|本年度|去年|上一年|过去一年|明年|前年")
_TITLE_RE = re.compile(r"《([^《》]{2,80})》")
_ARTICLE_RE = re.compile(r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*条")
_LATEST_RE = re.compile(r"最新|现行|最近一次|最近的|latest|most recent|current", re.I)
# English names of document kinds.
_KINDS_EN = {
    "government work report": "政府工作报告", "work report": "政府工作报告", "regulation": "条例",
    "measures": "办法", "notice": "通知", "circular": "通知", "opinion": "意见", "guideline": "意见",
    "plan": "规划", "reply": "批复",
}
# Words that speak of the country as a whole in a question ("全国…目标", "国务院…").
_NATIONAL_RE = re.compile(r"全国|我国|国务院|中央政府|国家层面|中华人民共和国")


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
    articles: tuple[str, ...] = ()
    latest: bool = False
    answer_types: frozenset[str] = field(default_factory=frozenset)

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


def analyse(question: str) -> Query:
    """Read ``question`` into a :class:`Query`."""
    from rag.answer import asked_types

    text = re.sub(r"\s+", " ", question).strip()
    zh = has_cjk(text)
    squashed = re.sub(r"\s+", "", text)
    if zh:
        years = [int(y) for y in _YEAR_RE.findall(squashed)]
        places = [p for p in find_places(squashed) if p.level != "national"]
        national = bool(_NATIONAL_RE.search(squashed))
        kinds = [k for k in KINDS if k in squashed and not (k == "报告" and "政府工作报告" in squashed)]
        # A kind of document right after a year names one document ("2023年政府工作报告", "2019年部分节假日安排的通知").
        dated = []
        for m in re.finditer(r"((?:19|20)\d{2})年(?:度)?", squashed):
            window = re.split(r"[，,。？?；;！!、]", squashed[m.end() : m.end() + 16])[0]
            kind = next((k for k in ("政府工作报告", "工作报告", *KINDS) if k in window), None)
            if kind:
                dated.append((int(m.group(1)), kind))
    else:
        years = [int(y) for y in _EN_YEAR_RE.findall(text)]
        found = find_places_en(text)
        places = [p for p in found if p.level != "national"]
        national = any(p.level == "national" for p in found) and not places
        low = text.lower()
        kinds = list(dict.fromkeys(v for k, v in _KINDS_EN.items() if k in low))
        dated = [(int(y), kinds[0]) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})\s+(?:government )?work report", low)][:1] if kinds else []
    return Query(
        text=text,
        lang="zh" if zh else "en",
        years=tuple(dict.fromkeys(years)),
        relative_years=tuple(dict.fromkeys(_RELATIVE_RE.findall(squashed))),
        places=tuple(places),
        national=national,
        doc_numbers=tuple(dict.fromkeys(doc_numbers(squashed))),
        titles=tuple(dict.fromkeys(_TITLE_RE.findall(squashed))),
        kinds=tuple(dict.fromkeys(kinds)),
        dated_kinds=tuple(dict.fromkeys((y, "政府工作报告" if k == "工作报告" else k) for y, k in dated)),
        articles=tuple(dict.fromkeys(_ARTICLE_RE.findall(squashed))),
        latest=bool(_LATEST_RE.search(text)),
        answer_types=frozenset(asked_types(text)),
    )
