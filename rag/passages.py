"""Step 3: clean paragraphs → passages with locators.

Passages follow the document's own structure: a passage never crosses a 章, 节
or 专栏, ends at a sentence end (。！？；), and is roughly 150–450 characters
(short paragraphs of one section are merged, long ones split). Every passage
carries a *locator* a person can follow back into the document, e.g.
"第三章 着力打造内陆地区对外开放高地 › 第六节 推进国际友好城市建设 › 第2段".

Passage ids are content hashes, so re-ingesting unchanged text gives the same
ids and the index update is idempotent.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import asdict, dataclass, field

from rag.cleaning import CleanDocument
from rag.headings import SENTENCE_PUNCT, Heading, article_label, classify_heading, item_number, name_list_line

# Sentence ends inside a passage: Chinese and Latin terminators, plus closing quotes after them.
_SENTENCE_RE = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’」』）)]*|$)")


def split_sentences(text: str) -> list[str]:
    """Split text at sentence ends (。！？；!?;), keeping the terminators."""
    out = [s.strip() for s in _SENTENCE_RE.findall(text)]
    return [s for s in out if s]


def answer_sentences(text: str) -> list[str]:
    """Sentences of a passage as the answerer quotes them (lines first, then sentence ends); the index keeps one
    vector per sentence in this order."""
    out = []
    for line in text.split("\n"):
        out.extend(split_sentences(line))
    return out


@dataclass(frozen=True)
class Passage:
    """A retrievable unit of text and where it stands in its document."""

    id: str
    doc_id: str
    doc_title: str
    text: str
    headings: tuple[str, ...] = ()  # heading path, outermost first, incl. the box
    box: str | None = None  # e.g. "专栏10 国际友城“破零”行动"
    paragraphs: tuple[int, int] = (1, 1)  # first and last paragraph number within the section
    page: int | None = None
    order: int = 0  # position within the document
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    confidence: float | None = None  # mean recognition confidence when the text was read by OCR; None otherwise

    @property
    def locator(self) -> str:
        """Human-readable place: document title, heading path, paragraph number(s), page."""
        parts = [self.doc_title, *self.headings] if self.doc_title else list(self.headings)
        a, b = self.paragraphs
        if not (self.headings and is_article(self.headings[-1])):  # an article is its own locator
            parts.append(f"第{a}段" if a == b else f"第{a}–{b}段")
        if self.page is not None:
            parts.append(f"第{self.page}页")
        return " › ".join(parts)

    @property
    def heading_path(self) -> str:
        """The heading path as one line ("第三章 … › 第六节 …")."""
        return " › ".join(self.headings)

    @property
    def ocr_mark(self) -> str:
        """"OCR识别 96%" for a passage read by OCR (see :func:`ocr_mark`); '' for one from a text layer."""
        return ocr_mark(self.confidence)

    def embedding_text(self) -> str:
        """What is embedded and keyword-indexed: the heading path, then the text.

        Putting the headings in front gives short passages and English questions
        the context that the text alone lacks.
        """
        head = " › ".join(self.headings) if self.headings else self.doc_title
        return f"{head}\n{self.text}"

    def to_metadata(self) -> dict:
        """Flat metadata for a vector store (scalars only)."""
        return {
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "headings": "\u241e".join(self.headings),
            "box": self.box or "",
            "para_first": self.paragraphs[0],
            "para_last": self.paragraphs[1],
            "page": self.page if self.page is not None else -1,
            "order": self.order,
            **({"ocr_confidence": self.confidence} if self.confidence is not None else {}),
        }

    @classmethod
    def from_metadata(cls, pid: str, text: str, meta: dict) -> "Passage":
        """Rebuild a passage from what :meth:`to_metadata` stored."""
        headings = tuple(h for h in str(meta.get("headings", "")).split("\u241e") if h)
        page = int(meta.get("page", -1))
        confidence = meta.get("ocr_confidence")
        return cls(
            id=pid,
            doc_id=str(meta["doc_id"]),
            doc_title=str(meta.get("doc_title", "")),
            text=text,
            headings=headings,
            box=str(meta.get("box") or "") or None,
            paragraphs=(int(meta.get("para_first", 1)), int(meta.get("para_last", 1))),
            page=None if page < 0 else page,
            order=int(meta.get("order", 0)),
            confidence=None if confidence is None else float(confidence),
        )

    def to_dict(self) -> dict:
        """JSON-ready form."""
        d = asdict(self)
        d["locator"] = self.locator
        d.pop("meta", None)
        return d


@dataclass
class _Block:
    """Consecutive paragraphs sharing one heading path (a section, or a box)."""

    headings: tuple[str, ...]
    box: str | None
    paras: list[tuple[int, str, int | None, float | None]] = field(default_factory=list)  # (number, text, page, OCR confidence)
    title_line: str | None = None  # the heading line as printed, opening the block's first passage


METADATA_HEADING = "文件信息"

_LEVELS = {"chapter": 1, "section": 2, "box": 3, "part": 3, "label": 4, "article": 5}


def is_article(heading: str) -> bool:
    """True for an article heading ("第十二条")."""
    return article_label(heading) == heading


def _blocks(doc: CleanDocument) -> list[_Block]:
    """Walk the paragraphs, tracking the heading path and when a 专栏 ends.

    A box has no closing marker. It ends at the next heading, or at a numbered
    item that continues the section's own numbering (the item after the last
    one before the box) rather than the box's.
    """
    has_chapters = any(
        (h := classify_heading(p.text)) is not None and h.kind in ("chapter", "section") for p in doc.paragraphs
    )
    levels = dict(_LEVELS)
    if not has_chapters:  # a news article: its short headings are the top level
        levels.update(part=1, label=2)

    path: list[tuple[int, Heading]] = []
    box: Heading | None = None
    main_item = box_item = 0
    para_no = 0
    blocks: list[_Block] = []

    def current_block(opening: str) -> _Block:
        headings = tuple(h.label_text for _, h in path)
        box_text = box.label_text if box else None
        if not blocks or blocks[-1].headings != headings or blocks[-1].box != box_text:
            title = path[-1][1].label_text if path else None
            if title and any(b.title_line == title and b.headings == headings for b in blocks):
                title = None  # a section resuming after a box does not repeat its heading
            if title and opening.startswith(title):
                title = None  # "第五条国务院…" carries its own heading
            blocks.append(_Block(headings, box_text, title_line=title))
        return blocks[-1]

    for p in doc.paragraphs:
        heading = classify_heading(p.text)
        in_article = bool(path) and path[-1][1].kind == "article"
        if heading is not None and in_article and heading.kind not in ("chapter", "section", "article"):
            heading = None  # a short line inside an article is the article's text
        if heading is not None and in_article and heading.kind == "section" and not heading.label_text.startswith("第"):
            heading = None  # "（一）…" items inside an article are its text
        label = article_label(p.text) if heading is None else None
        if label is not None:  # "第五条国务院…": the paragraph opens a new article
            path = [(lv, h) for lv, h in path if lv < _LEVELS["article"]]
            path.append((_LEVELS["article"], Heading("article", label)))
            box = None
        if heading is not None:
            level = levels[heading.kind]
            path = [(lv, h) for lv, h in path if lv < level]
            path.append((level, heading))
            if heading.kind == "box":
                box, box_item = heading, 0
            else:
                box = None
                if level <= 2:
                    main_item, para_no = 0, 0
            continue
        n = item_number(p.text)
        if box is not None and n is not None and n == main_item + 1 and n != box_item + 1:
            box = None  # the section's own list resumes after the box
            path = [(lv, h) for lv, h in path if h.kind != "box"]
        if box is not None and n is not None:
            box_item = n
        elif n is not None:
            main_item = n
        para_no += 1
        text = name_list_line(p.text)
        current_block(text).paras.append((para_no, text, p.page, p.confidence))
    return blocks


def _split_long(text: str, max_chars: int) -> list[str]:
    """Split a long paragraph at sentence ends into pieces of at most ``max_chars``.

    Pieces are balanced, so a 500-character paragraph becomes two of ~250
    rather than one of 450 and a fragment of 50.
    """
    sentences = split_sentences(text)
    if len(text) <= max_chars or len(sentences) <= 1:
        return [text]
    n_pieces = -(-len(text) // max_chars)
    target = len(text) / n_pieces
    pieces: list[str] = []
    buf = ""
    for s in sentences:
        if buf and (len(buf) + len(s) > max_chars or len(buf) >= target):
            pieces.append(buf)
            buf = ""
        buf += s
    if buf:
        pieces.append(buf)
    return pieces


def _hash_id(doc_id: str, headings: tuple[str, ...], text: str) -> str:
    h = hashlib.sha256("\x1f".join((doc_id, *headings, text)).encode("utf-8"))
    return h.hexdigest()[:24]


def build_passages(doc: CleanDocument, min_chars: int = 150, max_chars: int = 450) -> list[Passage]:
    """Cut a clean document into structure-aware passages (see module doc)."""
    passages: list[Passage] = []
    seen: set[str] = set()
    blocks = _blocks(doc)
    if doc.metadata:
        # Publication facts (date, index number, source) as a passage of their own.
        # One field per line, as the page prints its table ("成文日期：2018年12月18日" / "标 题：…").
        info = _Block((METADATA_HEADING,), None, [(1, "\n".join(doc.metadata), None, None)])
        blocks.insert(0, info)
    for block in blocks:
        # Units: (first_para, last_para, text, page, [Σ confidence × chars, Σ chars] of OCR'd text)
        # — long paragraphs split, short ones merged.
        units: list[list] = []
        if block.title_line and block.paras:
            # The heading opens the block's first passage: "which 专栏 is …" is answered by it.
            number, text, page, confidence = block.paras[0]
            block.paras[0] = (number, f"{block.title_line}\n{text}", page, confidence)
        for number, text, page, confidence in block.paras:
            for piece in _split_long(text, max_chars):
                ocr = [confidence * len(piece), len(piece)] if confidence is not None else [0.0, 0]
                units.append([number, number, piece, page, ocr])
        merged: list[list] = []
        for unit in units:
            if merged and (len(merged[-1][2]) < min_chars) and len(merged[-1][2]) + len(unit[2]) <= max_chars:
                _merge(merged[-1], unit)
            else:
                merged.append(unit)
        # A short tail joins its predecessor when that stays within bounds.
        if len(merged) >= 2 and len(merged[-1][2]) < min_chars and len(merged[-2][2]) + len(merged[-1][2]) <= max_chars:
            _merge(merged[-2], merged.pop())
        for first, last, text, page, ocr in merged:
            pid = _hash_id(doc.doc_id, block.headings, text)
            if pid in seen:  # the same text twice in one section: keep both, distinct ids
                pid = _hash_id(doc.doc_id, block.headings, f"{text}\x1f{len(passages)}")
            seen.add(pid)
            passages.append(
                Passage(
                    id=pid,
                    doc_id=doc.doc_id,
                    doc_title=doc.title,
                    text=text,
                    headings=block.headings,
                    box=block.box,
                    paragraphs=(first, last),
                    page=page,
                    order=len(passages),
                    confidence=round(ocr[0] / ocr[1], 4) if ocr[1] else None,
                )
            )
    return passages


def _merge(unit: list, nxt: list) -> None:
    """Append unit ``nxt`` to ``unit`` (paragraph range, text, and the OCR confidence sums)."""
    unit[1] = nxt[1]
    unit[2] += "\n" + nxt[2]
    unit[4] = [unit[4][0] + nxt[4][0], unit[4][1] + nxt[4][1]]


def ocr_mark(confidence: float | None) -> str:
    """How a citation says its text was read by OCR: "OCR识别 96%" (the recognition confidence); '' otherwise."""
    if confidence is None:
        return ""
    return f"OCR识别 {math.floor(confidence * 100)}%"
