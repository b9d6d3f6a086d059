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

SENTENCE_PUNCT = "。！？；!?;"
_INNER_PUNCT_RE = re.compile(r"[。！？；，,;!?、]")


@dataclass(frozen=True)
class Heading:
    """A recognised heading line.

    ``kind`` is one of ``chapter``, ``section``, ``box``, ``part`` (a short
    unpunctuated heading) or ``label`` (a short line ending with a colon).
    ``label_text`` is what a locator shows, e.g. "第六节 推进国际友好城市建设".
    """

    kind: str
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
    if m and len(text) <= 40 and not _INNER_PUNCT_RE.search(m.group(1)):
        return Heading("chapter", text)
    m = CN_PAREN_RE.match(text)
    if m and len(text) <= 40 and not _INNER_PUNCT_RE.search(m.group(1)):
        return Heading("section", text)
    if ITEM_RE.match(text):
        return None
    if text[-1] in ":：" and len(text) <= 12:
        return Heading("label", text.rstrip(":：").strip())
    if text[-1] in ":：":
        return None
    if text.startswith("【") and text.endswith("】") and len(text) <= 20:
        return Heading("part", text.strip("【】"))
    if 4 <= len(text) <= 40 and not _INNER_PUNCT_RE.search(text) and not text.replace(" ", "").isdigit():
        return Heading("part", text)
    return None


def item_number(text: str) -> int | None:
    """The number of a numbered item ("3. 密切对美沟通…" → 3), or None."""
    m = ITEM_RE.match(text.strip())
    return int(m.group(1)) if m else None
