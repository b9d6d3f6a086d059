"""Each document's record: what it is, who issued it, for where, when, and which year it speaks of.

Built once at ingest from the cleaned document (:class:`rag.cleaning.CleanDocument`):
the information table of a government web page (索引号, 发文机关, 成文日期, 标题,
发文字号, 发布日期 — read by :mod:`rag.cleaning` whatever the spacing in its labels),
a Word file's properties and first lines, a PDF's metadata and first page, a text
file's title line. Nothing here knows any particular document: the kinds are the
kinds of Chinese official documents, the regions come from the gazetteer
(:mod:`rag.places`), the dates from the document's own words.

Retrieval uses the record to scope a question to the documents it names (a 文号,
a province, a year, a kind); answers show it with every citation (title · issuer ·
date); "今年" in a 2024 report is 2024 and its "过去一年" 2023.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from rag.places import NATIONAL, find_places

# Kinds of document, by the word their title ends with (the last one found wins:
# "国务院关于印发…实施方案的通知" is a 通知 that carries a 方案).
KINDS = (
    "政府工作报告", "条例", "规定", "办法", "细则", "决定", "意见", "通知", "通报", "批复", "答复", "函", "规划", "纲要",
    "方案", "计划", "报告", "公告", "通告", "决议", "指南", "规则", "回顾", "预案",
)
NEWS = "新闻"
_DOC_NUMBER_RE = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*(\d{1,4})\s*号")
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE_RE = re.compile(r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_EFFECTIVE_RE = re.compile(r"自\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起\s*(?:施行|实施|执行|生效)")
_PERIOD_RE = re.compile(r"[“\"]?(十[一二三四五六]五)[”\"]?")
_PERIODS = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_ISSUER_BEFORE_RE = re.compile(r"^(.{2,40}?)(?:关于|对|转发|印发)")
_NATIONAL_ISSUERS = ("国务院", "中共中央", "全国人民代表大会", "全国人大", "中央军委", "国家", "中华人民共和国")


def doc_number(text: str) -> str:
    """The first 文号 in ``text``, normalised ("国发[2019]3号" → "国发〔2019〕3号"), or ''."""
    m = _DOC_NUMBER_RE.search(text)
    if not m:
        return ""
    agency = re.split(r"[的和及与、见按据依照了在第]", m.group(1))[-1][-6:]  # "印发的国发" → "国发"
    return f"{agency}〔{m.group(2)}〕{m.group(3)}号"


_ORDER_NUMBER_RE = re.compile(r"([\u4e00-\u9fff]{1,10}令)\s*[（(]?\s*第\s*(\d{1,4})\s*号")


def order_number(text: str) -> str:
    """The number of an order (令) in ``text``, normalised ("中华人民共和国国务院令 第706号" → "国务院令第706号"), or ''."""
    m = _ORDER_NUMBER_RE.search(text)
    if not m:
        return ""
    issuer = re.split(r"[的和及与、见按据依照了在第号]", m.group(1))[-1].removeprefix("中华人民共和国")
    return f"{issuer}第{m.group(2)}号"


def same_doc_number(a: str, b: str) -> bool:
    """Two normalised 文号 name one document: equal, or two numbers of an order (令) alike but for its issuer
    written short ("国令第707号", as a page's information table gives it, is "国务院令第707号": the short
    issuer's characters in order, first and last alike). 国发 and 国办发 are two issuers: a 文号 with a year
    must be equal."""
    if a == b:
        return True
    split = re.compile(r"^(.+令)(第\d+号)$")
    ma, mb = split.match(a), split.match(b)
    if not (ma and mb) or ma.group(2) != mb.group(2):
        return False
    short, long = sorted((ma.group(1), mb.group(1)), key=len)
    if short[0] != long[0] or short[-1] != long[-1]:
        return False
    at = 0
    for ch in short:
        at = long.find(ch, at) + 1
        if not at:
            return False
    return True


def abbreviates(short: str, long: str) -> bool:
    """``short`` is a Chinese abbreviation of words in ``long``: its characters stand in ``long`` in order, close
    together (within four characters per character of ``short``) — 国办 in 国务院办公厅, 大运会 in
    世界大学生夏季运动会, 发改委 in 国家发展和改革委员会. Two characters at least."""
    if len(short) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in short):
        return False
    limit = 4 * len(short)
    start = long.find(short[0])
    while start >= 0:
        at = start
        for ch in short[1:]:
            at = long.find(ch, at + 1)
            if at < 0 or at - start >= limit:
                break
        else:
            return True
        start = long.find(short[0], start + 1)
    return False


# 文号 as English texts write them, in pinyin: "Guofa [2019] No. 3", "Guobanfa (2018) No.124", "Guohan 2018 159".
_PINYIN_ISSUERS = {"guofa": "国发", "guobanfa": "国办发", "guohan": "国函", "guobanhan": "国办函", "guobanmingdian": "国办明电"}
_PINYIN_NUMBER_RE = re.compile(
    r"\b(" + "|".join(sorted(_PINYIN_ISSUERS, key=len, reverse=True)) + r")\s*[\[〔(（]?\s*((?:19|20)\d{2})\s*[\]〕)）]?"
    r"\s*(?:No\.?|Number|#)?\s*(\d{1,4})\b",
    re.I,
)


def doc_numbers(text: str) -> list[str]:
    """Every 文号 (and 令 number) that ``text`` names, normalised (see :func:`doc_number`); a 文号 written in
    pinyin ("Guobanfa [2019] No. 2") counts as the Chinese one."""
    found = [doc_number(m.group(0)) for m in _DOC_NUMBER_RE.finditer(text)]
    found += [order_number(m.group(0)) for m in _ORDER_NUMBER_RE.finditer(text)]
    found += [
        f"{_PINYIN_ISSUERS[m.group(1).lower()]}〔{m.group(2)}〕{int(m.group(3))}号" for m in _PINYIN_NUMBER_RE.finditer(text)
    ]
    return found


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if text.endswith("十"):
        return _CN_DIGITS[text[0]] * 10
    if "十" in text:
        return _CN_DIGITS[text[0]] * 10 + _CN_DIGITS[text[-1]]
    return _CN_DIGITS[text]


def parse_date(text: str) -> str:
    """The first date in ``text`` as YYYY-MM-DD ("2019年01月24日", "二〇〇四年六月二十六日"), or ''."""
    m = _DATE_RE.search(text)
    if m:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    m = _CN_DATE_RE.search(text)
    if m:
        year = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
        return f"{year:04d}-{_cn_number(m.group(2)):02d}-{_cn_number(m.group(3)):02d}"
    return ""


@dataclass
class DocumentRecord:
    """What is known of one document (see the module doc). Empty strings mean "not stated"."""

    doc_id: str
    title: str
    title_from: str = "file"  # table | file | first line | file name
    kind: str = ""
    issuer: str = ""
    region: str = ""  # 全国, a province's short name (湖南), or ''
    city: str = ""  # a prefecture-level city's short name, when the document is a city's
    doc_number: str = ""  # 文号
    written: str = ""  # 成文日期, YYYY-MM-DD
    published: str = ""  # 发布日期 (or the day a report was delivered)
    effective: str = ""  # 施行日期
    year: int | None = None  # the year the document speaks of (a report's 今年)
    period: tuple[int, int] | None = None  # a plan's years (十四五 → 2021–2025)
    source_name: str = ""
    fields: dict = field(default_factory=dict)  # the information table as found
    # Pages read by OCR (a scan or a photo): {"pages": [...], "confidence": {"3": 0.97}, "low": [pages below
    # "floor"], "blank": [...], "page_count": n}; empty for a document read from its text.
    ocr: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """A JSON-ready dict (the manifest keeps it)."""
        d = asdict(self)
        d["period"] = list(self.period) if self.period else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "DocumentRecord":
        """Rebuild a record from :meth:`to_dict`'s output (unknown keys are ignored)."""
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if known.get("period"):
            known["period"] = tuple(known["period"])
        return cls(**known)

    @property
    def date(self) -> str:
        """The date to show: published, else written, else effective."""
        return self.published or self.written or self.effective

    @property
    def series(self) -> tuple[str, str, str, str, str]:
        """What documents that follow one another share: kind, issuer, region, city and title less its years
        and numbers (the 政府工作报告 of 四川 each year; a regulation and its revision)."""
        name = re.sub(r"[\d〇零○一二三四五六七八九十]+年(度)?|[（(][^）)]*\d{4}[^）)]*[）)]|\d+", "", self.title)
        return (self.kind, self.issuer, self.region, self.city, name)

    @property
    def order_key(self) -> tuple:
        """Which of a series is later: its year, then its date."""
        return (self.year or 0, self.date)

    @property
    def ocr_pages(self) -> list[int]:
        """The pages read by OCR (none for a document with a text layer)."""
        return list(self.ocr.get("pages") or [])

    @property
    def low_confidence_pages(self) -> list[int]:
        """The pages OCR read with a confidence below the floor: worth checking against the original."""
        return list(self.ocr.get("low") or [])

    def ocr_summary(self) -> str:
        """One line on how the document was read, for the admin table and the ingest report ('' if not by OCR).

        "OCR识别 16/16页 · 置信度低: 第3、7页"; blank pages are named too.
        """
        pages = self.ocr_pages
        if not pages and not self.ocr.get("blank"):
            return ""
        total = self.ocr.get("page_count") or len(pages)
        text = f"OCR识别 {len(pages)}/{total}页"
        if self.low_confidence_pages:
            text += " · 置信度低: " + "、".join(f"第{p}页" for p in self.low_confidence_pages)
        if self.ocr.get("blank"):
            text += " · 空白: " + "、".join(f"第{p}页" for p in self.ocr["blank"])
        return text

    def citation_label(self) -> str:
        """"title · issuer · date", shown with every citation of the document."""
        return " · ".join(x for x in (self.title, self.issuer, self.date) if x)

    @property
    def years(self) -> set[int]:
        """The years the document speaks of as its own (its year, or its plan's period)."""
        if self.period:
            return set(range(self.period[0], self.period[1] + 1))
        return {self.year} if self.year else set()

    @property
    def named_years(self) -> set[int]:
        """The years a question may name the document by: those it speaks of (:attr:`years`), and the years it was
        written and took effect ("2019年起施行的…条例" is a regulation of 2018 in force from 2019; "the 2004 reply" on
        a 2009 event)."""
        dates = (self.written, self.effective)
        return self.years | {int(d[:4]) for d in dates if d and d[:4].isdigit()}

    def resolve_relative_year(self, word: str) -> int | None:
        """The calendar year a relative word means in this document (今年 → its year, 去年 → the one before)."""
        if not self.year:
            return None
        offsets = {"今年": 0, "本年": 0, "本年度": 0, "当年": 0, "去年": -1, "上一年": -1, "上年": -1, "过去一年": -1,
                   "前年": -2, "明年": 1, "下一年": 1}
        return self.year + offsets[word] if word in offsets else None


def _kind(title: str, fields: dict, metadata: list[str]) -> str:
    clean = re.sub(r"[《》“”\"]", "", title)
    best, at = "", -1
    for kind in KINDS:
        pos = clean.rfind(kind)
        if pos >= 0 and pos + len(kind) > at:
            best, at = kind, pos + len(kind)
    if best == "报告" and "政府工作报告" in clean:
        best = "政府工作报告"
    if best and at >= len(clean) - 2:
        return best
    news = any(m.startswith(("来源", "责编", "编辑", "作者", "稿源")) for m in metadata)
    if news and not fields.get("发文字号"):
        return NEWS
    return best


def _issuer(title: str, fields: dict, kind: str, region_full: str) -> str:
    if fields.get("发文机关"):
        return fields["发文机关"]
    if fields.get("发布机构"):
        return fields["发布机构"]
    if kind == "政府工作报告":
        if "国务院" in title or "中华人民共和国" in title:
            return "国务院"
        return f"{region_full}人民政府" if region_full else ""
    m = _ISSUER_BEFORE_RE.match(re.sub(r"^(?:19|20)\d{2}年?", "", title))
    if m and re.search(r"(国务院|办公厅|委员会|人民政府|部|局|署|院|会|厅|委|政府|中央)$", m.group(1)):
        return m.group(1)
    return ""


def _region(issuer: str, title: str) -> tuple[str, str, str]:
    """(region, city, the region's full name) from the issuer, else the title."""
    for text in (issuer, title):
        if not text:
            continue
        if text.startswith(_NATIONAL_ISSUERS) or "中华人民共和国" in text[:12]:
            return NATIONAL, "", "全国"
        for place in find_places(text):
            if place.level == "province":
                return place.name, "", place.full_name
            if place.level == "city":
                return place.province, place.name, place.full_name
            if place.level == "national":
                return NATIONAL, "", "全国"
    return "", "", ""


def build_record(doc, fields: dict | None = None) -> DocumentRecord:
    """The :class:`DocumentRecord` of a cleaned document (``doc``: a :class:`rag.cleaning.CleanDocument`)."""
    fields = dict(fields if fields is not None else getattr(doc, "fields", {}) or {})
    title = doc.title
    title_from = getattr(doc, "title_from", "") or ("table" if fields.get("标题") else "file")
    head = "\n".join([title] + [p.text for p in doc.paragraphs[:8]])
    kind = _kind(title, fields, doc.metadata)
    region, city, region_full = _region(fields.get("发文机关", ""), title)
    issuer = _issuer(title, fields, kind, region_full)
    if not region and issuer:
        region, city, region_full = _region(issuer, "")
    stated = fields.get("发文字号", "") or fields.get("文号", "")
    number = doc_number(stated) or order_number(stated) or doc_number(head) or order_number(head)
    written = parse_date(fields.get("成文日期", ""))
    published = parse_date(fields.get("发布日期", "") or fields.get("发文日期", ""))
    if not published:
        # A report's first lines say when it was delivered ("2025年1月20日在四川省第十四届人民代表大会…").
        for meta in doc.metadata:
            if re.match(r"^(发布|发文|发表)?(日期|时间)[:：]", meta) or re.match(r"^\d{4}-\d{1,2}-\d{1,2}", meta):
                published = parse_date(meta) or _iso(meta)
                break
    if not published:
        for p in doc.paragraphs[:4]:
            if re.search(r"(在.{2,30}(大会|会议)上|发布|印发)", p.text) and len(p.text) < 120:
                published = parse_date(p.text)
                if published:
                    break
    effective = ""
    m = _EFFECTIVE_RE.search(doc.text)
    if m:
        effective = parse_date(m.group(1))
    period = None
    pm = _PERIOD_RE.search(title)
    if pm:
        period = _PERIODS.get(pm.group(1))
    m = re.search(r"(?<!\d)((?:19|20)\d{2})\s*[—\-–~至到]\s*((?:19|20)\d{2})", title)
    if m:
        period = (int(m.group(1)), int(m.group(2)))
    year = None
    ty = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*[—\-–~至到]\s*(?:19|20)\d{2})", title)
    if period is None and ty:
        year = int(ty.group(1))
    elif period is None:
        for date in (written, published):
            if date:
                year = int(date[:4])
                break
    return DocumentRecord(
        doc_id=doc.doc_id,
        title=title,
        title_from=title_from,
        kind=kind,
        issuer=issuer,
        region=region,
        city=city,
        doc_number=number,
        written=written,
        published=published,
        effective=effective,
        year=year,
        period=period,
        source_name=doc.source_name,
        fields=fields,
        ocr=dict(getattr(doc, "ocr", None) or {}),
    )


def _iso(text: str) -> str:
    m = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else ""


_HEADING_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# Headings of a review of what happened: "一、2024年工作回顾", "一、过去五年工作回顾", "一年来的主要工作是".
REVIEW_HEADING_RE = re.compile(r"回顾|过去(?:一|五|\d{1,2})?年|去年|上一年|上年|[一五]年来")
# Kinds of document that report what happened, all through.
REVIEW_KINDS = frozenset({"回顾", "新闻", "总结"})


# A report's part headed by what was achieved ("一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效") reviews the past
# year as "一、2024年工作回顾" does.
_ACHIEVED_PART_RE = re.compile(r"取得了?(?:新|显著|明显|重大|积极|丰硕|历史性)?的?(?:成效|成绩|成就|进展)$")


def review_part(headings, record: "DocumentRecord | None") -> bool:
    """``headings`` name a review: one of them does ("一、2024年工作回顾", "过去一年"), or, in a report, its part's
    heading says what was achieved (:data:`_ACHIEVED_PART_RE`)."""
    return any(REVIEW_HEADING_RE.search(h) for h in headings) or bool(
        headings and getattr(record, "kind", "") == "政府工作报告" and _ACHIEVED_PART_RE.search(headings[0])
    )


def reports_results(headings, record: "DocumentRecord | None") -> bool:
    """A passage under ``headings`` of the document ``record`` reports what happened: its headings name a review
    (:func:`review_part`) or the document is a review, a news item or a summary."""
    return review_part(headings, record) or getattr(record, "kind", "") in REVIEW_KINDS


def superseded(records: dict[str, "DocumentRecord"]) -> set[str]:
    """The documents a later one of the same series follows (kind, issuer and region known and equal)."""
    latest: dict[tuple, tuple] = {}
    for r in records.values():
        if r.kind and (r.issuer or r.region) and r.year:
            latest[r.series] = max(latest.get(r.series, ()), r.order_key)
    return {
        d for d, r in records.items()
        if r.kind and (r.issuer or r.region) and r.year and r.order_key < latest[r.series]
    }


def select_documents(
    records: dict[str, "DocumentRecord"],
    kinds: list[str] | None = None,
    issuers: list[str] | None = None,
    years: list[int] | None = None,
    doc_ids: list[str] | None = None,
) -> list[str]:
    """The documents matching every filter given (each a list of accepted values; empty or None: any).

    An issuer matches by its region too ("四川" selects the 四川省人民政府's documents); a year
    matches the years a document speaks of (a plan's period counts).
    """
    out = []
    for d, r in sorted(records.items()):
        if doc_ids and d not in doc_ids:
            continue
        if kinds and r.kind not in kinds:
            continue
        if issuers and not any(i and (i in r.issuer or i == r.region or i == r.city) for i in issuers):
            continue
        if years and not (r.years & set(years)):
            continue
        out.append(d)
    return out


def passage_time(headings: tuple[str, ...], text: str, record: DocumentRecord | None) -> str:
    """The years a passage speaks of that its own words do not spell, as text ("2024年") for the year checks.

    A heading that names a year dates what is under it ("一、2023年工作回顾"); otherwise a
    passage of a dated document speaks of the document's year (a 2024 report's 今年 is
    2024), and one under a review heading or saying 过去一年 / 去年 of the year before. A
    title's year is not the passage's: "2025年…政府工作报告"'s review section is of 2024.
    """
    if any(_HEADING_YEAR_RE.search(h) for h in headings):
        return ""
    if record is None or not record.year:
        return ""
    years = set()
    under_review = review_part(headings, record)
    if under_review or re.search(r"过去一年|去年", text):
        years.add(record.resolve_relative_year("过去一年"))
    if not under_review:
        years.add(record.resolve_relative_year("今年"))
    return " ".join(f"{y}年" for y in sorted(years))
