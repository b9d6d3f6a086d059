"""Recognising the structure lines of Chinese policy documents.

Government plans are organised as 章 (chapters), 节 (sections), 专栏 (boxes) and
numbered items; news reviews use short unpunctuated headings and labels such as
"主要成果:". Both cleaning (to avoid gluing a heading onto a paragraph) and
passage building (to know where a passage sits) need to recognise them, so the
rules live here, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_NUM = "一二三四五六七八九十百零〇两"

CHAPTER_RE = re.compile(rf"^第[{_CN_NUM}\d]+章\s*(.*)$")
SECTION_RE = re.compile(rf"^第[{_CN_NUM}\d]+节\s*(.*)$")
BOX_RE = re.compile(r"^专栏\s*([0-9０-９]+(?:\s*[—\-–－]+\s*[0-9０-９]+)?)\s*(.*)$")
# "一、总体要求" style top-level headings and "（一）" style second-level ones.
CN_ENUM_RE = re.compile(rf"^[{_CN_NUM}]+、\s*(\S.*)$")
CN_PAREN_RE = re.compile(rf"^[（(][{_CN_NUM}]+[)）]\s*(\S.*)$")
# Numbered items: "1. 全方位开放格局基本形成。..."
ITEM_RE = re.compile(r"^(\d{1,2})\s*[\.．、]\s*(?!\d)")

# Lines that sign or number a document rather than head a part of it: a date, an order ("中华人民共和国国务院令")
# or document number, an office and the name of who signs ("总理 李克强", "省长 王正谱").
_SIGNATURE_RE = re.compile(
    rf"^(\d{{4}}年\d{{1,2}}月\d{{1,2}}日|[{_CN_NUM}〇○]{{4}}年[{_CN_NUM}]{{1,3}}月[{_CN_NUM}]{{1,3}}日|第\d+号|"
    r"\S{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d+号|"
    r"[\u4e00-\u9fff]{0,12}(?:国务院|主席|人民政府|部|委员会|总局|署)令|"
    r"(?:国务院)?(?:副?总理|副?主席|副?省长|副?市长|副?部长|副?主任|局长|署长|院长|书记)[\s\u3000]+[\u4e00-\u9fff·]{2,4})$"
)
# Articles of regulations: "第十二条" alone on its line, or opening its text ("第一条为了规范…", "第五条 国务院…").
# What follows the number must not continue a reference ("第二十三条、第二十四条所列政策", "第六条规定的").
ARTICLE_RE = re.compile(rf"^(第[{_CN_NUM}\d]+条)(?=$|[\s\u3000]|(?![、，,的所规中第至和及与或（(之款项]))")

SENTENCE_PUNCT = "。！？；!?;"
_INNER_PUNCT_RE = re.compile(r"[。！？；，,;!?、]")
# A line of a name list: a person's name (2–4 characters, often spaced out to line up) and post, after an
# optional role ("组　长：韩　正　　国务院副总理", "宁吉喆　　统计局局长", "召 集 人：孙春兰 国务院副总理").
# It is the list's text, not a heading.
_NAME_POST_RE = re.compile(
    r"^((?:[\u4e00-\u9fff]\s?){1,4}[：:]\s*)?((?:[\u4e00-\u9fff]\s?){2,4})\s+([\u4e00-\u9fff、（）()]{2,30}"
    r"(?:长|主任|书记|总理|委员|成员|主席|司令员|政委|参事|专员|巡视员|秘书|总师|总监|负责人|代表|院士))$"
)


def name_and_post(text: str) -> tuple[str, str, str] | None:
    """A name list's line as (role, name, post): "组长：韩正 国务院副总理" → ("组长", "韩正", "国务院副总理");
    role '' when the line has none ("宁吉喆 统计局局长"); None for any other text."""
    m = _NAME_POST_RE.match(_squash(text))
    if not m:
        return None
    role, name, post = (re.sub(r"\s", "", g or "") for g in m.groups())
    return role.rstrip(":："), name, post


def name_list_line(text: str) -> str:
    """A name list's line without the spaces that line its characters up: "组 长：韩 正 国务院副总理" →
    "组长：韩正 国务院副总理" (so "组长" and "韩正" read as written). Any other text as it is."""
    parts = name_and_post(text)
    if parts is None:
        return text
    role, name, post = parts
    return f"{role}：{name} {post}" if role else f"{name} {post}"
# A numbered title may pause ("一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效"); one that ends a sentence
# inside is body text ("（三）坚持扩大内需，畅通经济循环。以需求牵引供给…").
_TITLE_STOP_RE = re.compile(r"[。！？；;!?]")


# The end of an organisation's name: a short line of it before a colon is a letter's addressee.
_ADDRESSEE_RE = re.compile(r"(?:政府|办公厅|办公室|总部|总局|部|委|委员会|局|厅|院|署|会|公司|集团|银行|单位|机构|大学|学校)$")


@dataclass(frozen=True)
class Heading:
    """A recognised heading line.

    ``kind`` is one of ``chapter``, ``section``, ``box``, ``part`` (a short
    unpunctuated heading) or ``label`` (a short line ending with a colon).
    ``label_text`` is what a locator shows, e.g. "第六节 推进国际友好城市建设".
    """

    kind: str  # chapter, section, box, part, label or article
    label_text: str
    number: str | None = None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def classify_heading(line: str) -> Heading | None:
    """Return the :class:`Heading` a line is, or None for body text."""
    text = _squash(line)
    if not text or len(text) > 60:
        return None
    if text[-1] in SENTENCE_PUNCT + "，,、":
        return None
    if _SIGNATURE_RE.match(text):
        return None
    for kind, regex in (("chapter", CHAPTER_RE), ("section", SECTION_RE)):
        m = regex.match(text)
        if m:
            head = text[: m.start(1)].strip()
            return Heading(kind, _squash(f"{head} {m.group(1)}"))
    m = BOX_RE.match(text)
    if m:
        number = re.sub(r"\s+", "", m.group(1))  # keep the document's own dash ("8—1")
        return Heading("box", _squash(f"专栏{number} {m.group(2)}"), number)
    m = CN_ENUM_RE.match(text)
    if m and len(text) <= 40 and not _TITLE_STOP_RE.search(m.group(1)):
        return Heading("chapter", text)
    m = CN_PAREN_RE.match(text)
    if m and len(text) <= 40 and not _TITLE_STOP_RE.search(m.group(1)):
        return Heading("section", text)
    if ITEM_RE.match(text):
        return None
    article = ARTICLE_RE.match(text)
    if article:  # an article's number alone is its heading; an article's text is body text
        return Heading("article", text) if article.end() == len(text) else None
    if text[-1] in ":：" and len(text) <= 12:
        # "湖北省人民政府：", "武警总部：" open a letter or a reply: whom it is addressed to, not a part of it.
        if _ADDRESSEE_RE.search(text.rstrip(":：")):
            return None
        return Heading("label", text.rstrip(":：").strip())
    if text[-1] in ":：":
        return None
    if text.startswith("【") and text.endswith("】") and len(text) <= 20:
        return Heading("part", text.strip("【】"))
    if _NAME_POST_RE.match(text):
        return None
    if 4 <= len(text) <= 40 and not _INNER_PUNCT_RE.search(text) and not text.replace(" ", "").isdigit():
        return Heading("part", text)
    return None


def is_signature(line: str) -> bool:
    """True for a line that signs or numbers a document: a date, a 文号 or 令号, "总理 李克强"."""
    return bool(_SIGNATURE_RE.match(_squash(line)))


def article_label(text: str) -> str | None:
    """The article a paragraph opens ("第五条国务院专利行政部门负责…" → "第五条"), or None."""
    m = ARTICLE_RE.match(text.strip())
    return m.group(1) if m else None


def item_number(text: str) -> int | None:
    """The number of a numbered item ("3. 密切对美沟通…" → 3), or None."""
    m = ITEM_RE.match(text.strip())
    return int(m.group(1)) if m else None


_CN_DIGIT_VALUES = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_to_int(text: str) -> int | None:
    """A structure number as written ("三十七", "一百零二", "37", "３７") → int, or None."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGIT_VALUES:
            current = _CN_DIGIT_VALUES[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def int_to_cn(n: int) -> str:
    """3 → 三, 12 → 十二, 37 → 三十七, 102 → 一百零二 (how articles and chapters are numbered)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n % 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return digits[tens] + "十" + (digits[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return digits[hundreds] + "百"
    return digits[hundreds] + "百" + ("零" + digits[rest] if rest < 10 else ("一" if rest < 20 else "") + int_to_cn(rest))
