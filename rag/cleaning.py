"""Step 2: raw lines → clean paragraphs.

Real policy documents arrive with debris: web-page breadcrumbs, metadata bullets,
"字体:【", "今日热点", editor credits, a stray number at the end, a table of
contents, private-use characters; PDFs add running headers, page-number footers
and lines broken in the middle of sentences. This module removes the debris and
re-joins broken lines, keeping for every paragraph the page it starts on.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from rag.headings import SENTENCE_PUNCT, classify_heading, item_number
from rag.loaders import RawDocument, RawLine


@dataclass
class Paragraph:
    """A clean paragraph (or heading line) and the page it starts on."""

    text: str
    page: int | None = None
    confidence: float | None = None  # mean recognition confidence of a paragraph read by OCR; None otherwise


@dataclass
class CleanDocument:
    """A document reduced to its title and clean paragraphs."""

    doc_id: str
    title: str
    paragraphs: list[Paragraph]
    sha256: str
    source_name: str
    page_count: int | None = None
    metadata: list[str] = field(default_factory=list)  # publication facts: 索引号, 发文日期, 来源…
    fields: dict = field(default_factory=dict)  # the information table's label → value (标题, 发文字号…)
    title_from: str = ""  # where the title came from: table | file | first line | file name
    ocr: dict = field(default_factory=dict)  # pages read by OCR and their confidence (rag.loaders._ocr_meta)

    @property
    def text(self) -> str:
        """The whole clean text, one paragraph per line."""
        return "\n".join(p.text for p in self.paragraphs)


# Characters that are spacing in Chinese web text (en space, ideographic space, NBSP, tabs).
_SPACES = dict.fromkeys(map(ord, "\u2002\u2003\u2009\u3000\u00a0\t\u200a\u202f"), " ")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def normalise_chars(text: str) -> str:
    """Drop private-use, control and zero-width characters; unify spaces."""
    text = text.translate(_SPACES).translate(_ZERO_WIDTH)
    return "".join(
        c
        for c in text
        if not (0xE000 <= ord(c) <= 0xF8FF)  # private use (font glyph debris, e.g. U+E010)
        and (unicodedata.category(c) != "Cc" or c == "\n")
    )


# Publication facts printed around a document on its web page: not body text, but
# people ask for them ("什么时候发布的？"), so they are kept as the document's metadata.
_METADATA_RES = [
    re.compile(r"^[•·●]?\s*(索引号|题裁分类|题材分类|发布机构|发文机关|发文日期|成文日期|发布日期|主题分类|主题词|名称|文号|发文字号|有效性"
               r"|责编|责任编辑|编辑|一审|二审|三审|终审|来源|作者|稿源)\s*[:：]\s*(.*)$"),
    re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?\s*[\[【]?(来源|编辑|作者)"),
]

# Lines that belong to the web page around a document, never to the document.
_DEBRIS_RES = [
    re.compile(r"^(首页|当前位置|您的位置|您现在的位置)\s*[:：]?\s*.*[>›»]"),
    re.compile(r"^字体\s*[:：]?\s*【"),
    re.compile(r"^【?\s*(打印|关闭|关闭窗口|打印本页|分享到|返回顶部)\s*】?$"),
    re.compile(r"^(今日热点|焦点图|相关阅读|相关新闻|扫一扫|分享到[:：]?)$"),
    re.compile(r"^(责编|责任编辑|编辑|一审|二审|三审|终审|来源|作者|稿源)\s*[:：]"),
    re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?\s*(\[来源|来源|【来源|$)"),
    re.compile(r"^(上一篇|下一篇)\s*[:：]"),
]
_PAGE_NUMBER_RE = re.compile(r"^[—\-–－\s]*(\d{1,4})[—\-–－\s]*$|^第\s*\d+\s*页(\s*/?\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$|^Page \d+( of \d+)?$", re.I)
_TOC_RE = re.compile(r"^目\s*录$")
_STRAY_NUMBER_RE = re.compile(r"^\d{5,}$")


# The labels of a government page's information table (索 引 号 / 标　　题 …: any spacing inside),
# standing alone on their line with the value on the next one, or followed by the value (see table_fields).
TABLE_LABELS = (
    "索引号", "主题分类", "发文机关", "成文日期", "标题", "发文字号", "发布日期", "主题词", "文号", "发布机构",
    "施行日期", "实施日期", "生效日期", "有效性", "体裁分类", "题材分类", "题裁分类", "名称", "发文日期", "发布时间",
)


_ANY_LABEL_RE = re.compile(r"((?:[\u4e00-\u9fff]\s*){2,5})[:：]")


def table_fields(line: str) -> list[tuple[str, str]]:
    """The ``(label, value)`` pairs of an information-table line, or [] for any other line.

    A row may hold several ("索 引 号：000014349/2019-00003  主题分类：财政、金融、审计"); labels are
    matched with any spacing inside ("标　　题" is 标题). The line must begin with a label.
    """
    found = []
    for m in _ANY_LABEL_RE.finditer(line):
        label = re.sub(r"\s+", "", m.group(1))
        for known in TABLE_LABELS:  # "号 主题分类" → 主题分类: the label ends the run of characters
            if label.endswith(known):
                found.append((known, m.start(1) + len(m.group(1).rstrip()) - _spaced_len(m.group(1), known), m.end()))
                break
    if not found or line[: found[0][1]].strip(" •·●"):
        return []
    out = []
    for i, (label, _, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(line)
        out.append((label, line[end:stop].strip()))
    return out


def _spaced_len(run: str, label: str) -> int:
    """How many characters of ``run`` (which may hold spaces) the trailing ``label`` takes."""
    n, taken = 0, 0
    for ch in reversed(run.rstrip()):
        n += 1
        if not ch.isspace():
            taken += 1
            if taken == len(label):
                break
    return n


def is_debris(line: str) -> bool:
    """True for a line of web-page furniture (breadcrumbs, metadata, credits…)."""
    return any(r.match(line) for r in _DEBRIS_RES)


def _strip_running_lines(lines: list[RawLine]) -> list[RawLine]:
    """Remove PDF running headers/footers and page-number lines.

    A running header is a line that recurs, digits aside, near the top or bottom
    of at least half of the pages; page numbers are recognised by their shape.
    """
    pages: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if line.page is not None and line.text.strip():
            pages.setdefault(line.page, []).append(i)
    if len(pages) < 2:
        return lines
    edge_counts: Counter[str] = Counter()
    for idx in pages.values():
        for i in set(idx[:3] + idx[-3:]):
            edge_counts[re.sub(r"\d+", "#", lines[i].text.strip())] += 1
    running = {k for k, n in edge_counts.items() if n >= max(2, len(pages) // 2)}
    drop = set()
    for idx in pages.values():
        for i in set(idx[:3] + idx[-3:]):
            text = lines[i].text.strip()
            if re.sub(r"\d+", "#", text) in running or _PAGE_NUMBER_RE.match(text):
                drop.add(i)
    return [line for i, line in enumerate(lines) if i not in drop]


# A line on its way to a paragraph: (text, page, indented, OCR confidence or None).
_Item = tuple[str, int | None, bool, float | None]


def _drop_toc(lines: list[_Item]) -> list[_Item]:
    """Remove a table of contents: a '目录' line and the heading lines after it."""
    out: list[_Item] = []
    i = 0
    while i < len(lines):
        if _TOC_RE.match(lines[i][0].replace(" ", "")):
            i += 1
            while i < len(lines) and (not lines[i][0] or classify_heading(lines[i][0])):
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return out


def _joins(prev: str, nxt: str) -> str:
    """Glue two pieces of one broken line: a space only between Latin words."""
    if prev and nxt and prev[-1].isascii() and prev[-1].isalnum() and nxt[0].isascii() and nxt[0].isalpha():
        return prev + " " + nxt
    return prev + nxt


def clean_document(raw: RawDocument) -> CleanDocument:
    """Turn a :class:`RawDocument` into a :class:`CleanDocument` (see module doc)."""
    is_pdf = any(line.page is not None for line in raw.lines)
    lines = _strip_running_lines(raw.lines) if is_pdf else raw.lines

    # (text, page, indented, confidence) after character clean-up and debris removal.
    items: list[_Item] = []
    metadata: list[str] = []
    fields: dict[str, str] = {}
    pending: str | None = None  # a table label whose value is on the next line
    for line in lines:
        text = normalise_chars(line.text)
        indented = bool(re.match(r"^\s", text))
        text = re.sub(r" {2,}", " ", text).strip()
        if pending is not None:
            label, pending = pending, None
            if text and not table_fields(text) and not any(r.match(text) for r in _METADATA_RES):
                fields.setdefault(label, text)
                metadata.append(f"{label}：{text}")
                continue
        row = table_fields(text) if len(text) < 400 else []
        if row and (len(row) > 1 or row[0][0] not in ("名称", "文号") or row[0][1]):
            for label, value in row:
                if value and label not in fields:
                    fields[label] = value
                    # A fact on a line of its own is kept as written; a row of several, one by one.
                    own = re.sub(r"^[•·●]\s*", "", text) if len(row) == 1 else f"{label}：{value}"
                    metadata.append(own)
            if len(row) == 1 and not row[0][1]:
                pending = row[0][0]  # "标　　题：" alone: its value is the next line
            continue
        meta = next((m for m in (r.match(text) for r in _METADATA_RES) if m), None)
        if meta is not None:
            # Keep a fact only when it has a value ("主题词:" alone says nothing).
            if meta.re is not _METADATA_RES[0] or meta.group(2).strip():
                metadata.append(re.sub(r"^[•·●]\s*", "", text))
            continue
        if text and is_debris(text):
            continue
        items.append((text, line.page, indented, line.confidence))
    items = _drop_toc(items)
    while items and not items[-1][0]:
        items.pop()
    # A bare number as the last line is a page counter or article id, not text.
    while items and _STRAY_NUMBER_RE.match(items[-1][0]):
        items.pop()
        while items and not items[-1][0]:
            items.pop()

    # The title: the file's own, or the first short line.
    first = next((it[0] for it in items if it[0]), "")
    title = fields.get("标题") or fields.get("名称") or ""
    title_from = "table" if title else ""
    if not title and (raw.title or "").strip():
        title, title_from = raw.title.strip(), "file"
    if not title and first and len(first) <= 80 and first[-1] not in SENTENCE_PUNCT:
        title, title_from = first, "first line"
    title = normalise_chars(title).strip()
    if not title:
        title, title_from = raw.doc_id, "file name"
    # The title line (and its repetition at the end of web pages) is not body text, nor is
    # the title printed over several lines at the head of the body ("国务院办公厅转发…" / "关于…" / "…的通知").
    squashed_title = title.replace(" ", "")
    items = [it for it in items if it[0].replace(" ", "") != squashed_title]
    items = _drop_split_title(items, squashed_title)

    paragraphs = _drop_notice(_assemble(items, wrapped=is_pdf, plain=raw.path.suffix.lower() in (".txt", ".md")))
    return CleanDocument(
        doc_id=raw.doc_id,
        title=title,
        paragraphs=paragraphs,
        sha256=raw.sha256,
        source_name=raw.path.name,
        page_count=raw.page_count,
        metadata=metadata,
        fields=fields,
        title_from=title_from,
        ocr=dict(raw.meta.get("ocr") or {}),
    )


# A copyright or licence notice the copy of a document carries at its end (a web library's, a site's): "本作品是中华
# 人民共和国的法律、法规…属于公有领域", "版权所有", "Public domain", "All rights reserved". It and what follows it
# are the copy's, not the document's.
_NOTICE_RE = re.compile(
    r"属于公有领域|版权所有|著作权法》第五条|未经[^。]{0,12}(?:许可|授权)[^。]{0,8}(?:转载|复制)|转载请注明|"
    r"^\s*(?:Public domain|Copyright\b|©)|All rights reserved",
    re.I,
)
NOTICE_TAIL = 8  # a notice is looked for among a document's last this many paragraphs


def _drop_notice(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """``paragraphs`` less a copyright or licence notice among the last :data:`NOTICE_TAIL` and all after it."""
    start = max(0, len(paragraphs) - NOTICE_TAIL)
    for i in range(start, len(paragraphs)):
        if _NOTICE_RE.search(paragraphs[i].text):
            return paragraphs[:i]
    return paragraphs


def _drop_split_title(items: list[_Item], title: str) -> list[_Item]:
    """Drop the first lines of the body when together they spell the title (printed over several lines)."""
    if len(title) < 8:
        return items
    heads = [i for i, it in enumerate(items) if it[0]][:8]
    start = next((i for i in heads if title.startswith(items[i][0].replace(" ", ""))), None)
    if start is None:
        return items
    joined, end = "", start
    while end < len(items) and len(joined) < len(title):
        piece = items[end][0].replace(" ", "")
        if piece and not title.startswith(joined + piece):
            break
        joined += piece
        end += 1
    return items[:start] + items[end:] if joined == title else items


def _heading(text: str, wrapped: bool, full: int):
    """The heading ``text`` is (:func:`rag.headings.classify_heading`), or None. On a page cut at its width, a
    full line that pauses ("一、加强组织领导，确保各项…") opens a numbered paragraph; a title is shorter."""
    heading = classify_heading(text)
    if heading is not None and wrapped and full and len(text) >= 0.85 * full and re.search(r"[，,、]", text):
        return None
    return heading


# A plain text file saved from a web page breaks its lines where a link or a footnote mark stood, inside a
# sentence: "…积极推动加入" / "全面与进步跨太平洋伙伴关系协定" / "（CPTPP）等高标准经贸协议…". A paragraph ending so goes on
# with the next line (:func:`_broken_off`), and so does a line no paragraph can open with (:data:`_GOES_ON_RE`).
_OPENS_RE = re.compile(r"[“‘《（(\[【]$|——$")  # a quote, a bracket or a dash opened at the end
_GOES_ON_RE = re.compile(r"[、，,。；;：:）)》〉”’」』]|[\u4e00-\u9fff][，,]")  # "、地下综合管廊…", "革，加快推进…"
_SENTENCE_ENDS = SENTENCE_PUNCT + ":：”’」』）)】〕…"


def _broken_off(text: str) -> bool:
    """True when a plain text file's paragraph ``text`` stops inside a sentence: it ends opening a quote, a bracket
    or a dash, or it is body text (not a heading) of 20 characters or more, or holding a sentence's end ("——基础设施
    支撑能力持续提升。新建"), that ends on no punctuation. (A web page's or a Word file's lines are its own blocks.)"""
    if _OPENS_RE.search(text):
        return True
    if text[-1] in _SENTENCE_ENDS:
        return False
    return (len(text) >= 20 or bool(re.search(f"[{SENTENCE_PUNCT}]", text))) and classify_heading(text) is None


def _assemble(items: list[_Item], wrapped: bool, plain: bool = False) -> list[Paragraph]:
    """Re-join lines into paragraphs.

    Text files put one paragraph per line (or per block of lines); PDFs break
    lines at the page width. A line starts a new paragraph when it is a heading,
    when it is indented (PDF), when a numbered item begins, or when the previous
    line ended a sentence and was visibly shorter than a full line. In a plain text file (``plain``), a line cut
    inside a sentence is joined with what follows, across blank lines and heading-like lines alike.
    """
    widths = sorted(len(it[0]) for it in items if it[0])
    full = widths[int(len(widths) * 0.8)] if widths else 0
    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    current_demoted = False  # the current paragraph opens with a heading-like line read as text (below)
    current_mended = False  # the current paragraph was joined across a line cut inside a sentence
    prev_blank = True
    last_line = ""  # the previous physical line, for the "short line ends a paragraph" rule
    weights: dict[int, tuple[float, int]] = {}  # id(paragraph) → (Σ confidence × chars, Σ chars) of OCR'd lines
    # A plain text file whose paragraphs stand between blank lines sets a heading of its own words (no number) as a
    # block of its own: one sharing its block ("党的十八届六中全会" / "正式明确" / "习近平" / "总书记的核心地位，…") is text.
    filled = [n for n, it in enumerate(items) if it[0]]
    blocked = plain and len(filled) >= 20 and sum(n + 1 < len(items) and not items[n + 1][0] for n in filled) >= 0.6 * len(filled)
    for n, (text, page, indented, confidence) in enumerate(items):
        if not text:
            prev_blank = True
            continue
        heading = _heading(text, wrapped, full)
        demoted = blocked and heading is not None and heading.kind == "part" and (
            not prev_blank or (n + 1 < len(items) and bool(items[n + 1][0]))
        )
        if demoted:
            heading = None
        # A plain text file's line cut inside a sentence goes on with the next line, blank lines or not.
        broken = current is not None and plain and (
            _broken_off(current.text) or (current_mended and current.text[-1:] not in _SENTENCE_ENDS)
            # …and a line that cannot open one goes on with the line before, heading-like or not: "城市轨道交通" /
            # "、地下综合管廊建设加快。", "要全面深化各领域改" / "革，加快推进…".
            or bool(_GOES_ON_RE.match(text)))
        starts_new = not (broken and (heading is None or heading.kind == "part")) and (
            current is None
            or heading is not None
            or (_heading(current.text, wrapped, full) is not None and not current_demoted)
            or (wrapped and indented)
            or (wrapped and item_number(text) is not None and current.text[-1:] in SENTENCE_PUNCT + ":：")
            or (not wrapped and (prev_blank or current.text[-1:] in SENTENCE_PUNCT + ":：”"))
            or (wrapped and current.text[-1:] in SENTENCE_PUNCT + ":：" and len(last_line) < 0.85 * full)
        )
        if starts_new:
            current, current_demoted, current_mended = Paragraph(text, page), demoted, False
            paragraphs.append(current)
        else:
            current.text = _joins(current.text, text)
            current_mended = current_mended or broken
        if confidence is not None:
            total, chars = weights.get(id(current), (0.0, 0))
            weights[id(current)] = (total + confidence * len(text), chars + len(text))
            current.confidence = round(weights[id(current)][0] / max(1, weights[id(current)][1]), 4)
        last_line = text
        prev_blank = False
    if weights:  # read by OCR: its quotes are set in pairs once the paragraph is whole
        from rag.ocr import pair_quotes

        for paragraph in paragraphs:
            if paragraph.confidence is not None:
                paragraph.text = pair_quotes(paragraph.text)
    return paragraphs
