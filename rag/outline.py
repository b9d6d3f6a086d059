"""Questions about a document's own structure, answered from its heading tree.

"规划一共分几章？", "这篇回顾分成了哪几个板块？", "第三章下面有哪几节？": no sentence of
the document states its structure, so retrieval and the extractive answerer
cannot answer them; the passages' heading paths can. The answer lists the
document's top-level headings (or the sections of the chapter the question
names), in document order, each cited to the passage that opens it — whose
text starts with that heading, so every listed heading is a quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer import Answer, Citation
from rag.keyword import has_cjk, tokenize
from rag.passages import METADATA_HEADING, Passage
from rag.retrieval import Retrieval

# "几章 / 哪几个部分 / 哪些板块 / 多少节", "目录", "章节结构": the question counts or lists parts of a text.
_ASKS_OUTLINE_RE = re.compile(
    r"(几|哪几|哪些|多少)个?(章|大部分|部分|板块|篇章|节)(?![目点])|目录|章节(结构|安排|设置)|篇章结构|框架结构|"
    r"how many (chapters|parts|sections)|(chapters|parts|sections) (does|do|of)|table of contents|\boutline\b",
    re.I,
)
# "第二章讲了哪些内容？": what a named chapter holds is the list of its sections.
_ASKS_CONTENTS_RE = re.compile(r"(哪些|什么)(内容|方面)|讲(了|的)?(什么|啥)|包括(哪些|什么)|主要内容|what does (chapter|part)", re.I)
# Words that name a text, its parts or the asking itself, not a topic: an outline question has no others.
_STRUCTURE_WORDS = set(
    "部分 大部分 板块 篇章 目录 结构 框架 标题 题目 名称 名字 主题 内容 分别 分成 分为 分 包括 包含 组成 一共 总共 "
    "内容 方面 讲 讲了 主要 最后 最后一章 第一 这篇 这份 那篇 那份 整个 全文 文章 文件 材料 下面 里面 其中 每 讲 讲的 各 都 是 有 什么 哪些 "
    "哪几 几个 哪几个 几部分 哪几部分 哪个 多少 一下 请问 介绍 说说 列出 了 的 呢 吗 和 与 个".split()
)
_NOT_TOPIC_RE = re.compile(r"^(第?[一二三四五六七八九十\d]+[章节]?|几[章节]|[\W_]+)$")

@dataclass(frozen=True)
class OutlineEntry:
    """One heading of a document, and the passage that opens its part."""

    heading: str
    passage: Passage


class Outlines:
    """Every document's heading tree, built once per index generation from its passages."""

    def __init__(self, passages: dict[str, Passage]) -> None:
        self._children: dict[tuple[str, tuple[str, ...]], list[OutlineEntry]] = {}
        self.titles: dict[str, str] = {}
        for p in sorted(passages.values(), key=lambda p: (p.doc_id, p.order)):
            self.titles.setdefault(p.doc_id, p.doc_title)
            if METADATA_HEADING in p.headings:
                continue
            for depth, heading in enumerate(p.headings):
                siblings = self._children.setdefault((p.doc_id, p.headings[:depth]), [])
                if not siblings or siblings[-1].heading != heading:
                    if all(e.heading != heading for e in siblings):
                        siblings.append(OutlineEntry(heading, p))

    def children(self, doc_id: str, path: tuple[str, ...] = ()) -> list[OutlineEntry]:
        """The headings directly under ``path`` (the document's top level when empty)."""
        return self._children.get((doc_id, path), [])

    def chapter(self, doc_id: str, ref: str) -> tuple[str, ...] | None:
        """The top-level heading a reference such as "第三章" names in a document."""
        for e in self.children(doc_id):
            if e.heading.startswith(ref):
                return (e.heading,)
        return None

    def answer(self, question: str, retrieval: Retrieval, doc_ids: list[str] | None = None) -> Answer | None:
        """The outline that answers ``question``, or None when it is not a question about structure."""
        # Only a chapter alone: "第二章第四节讲了什么" asks for the section's text, which retrieval finds.
        chapter_named = bool(retrieval.refs) and all(ref.endswith("章") for ref in retrieval.refs)
        if not (_ASKS_OUTLINE_RE.search(question) or (chapter_named and _ASKS_CONTENTS_RE.search(question))):
            return None
        docs = [d for d in self.titles if not doc_ids or d in doc_ids]
        # A question about one part of the work ("港澳合作分哪几部分来写") is for retrieval: every word of
        # an outline question names the text (a word of its title) or its structure.
        if self.topic_words(question, docs):
            return None
        doc = self._document(question, retrieval, docs)
        if doc is None:
            return None
        path: tuple[str, ...] = ()
        for ref in retrieval.refs:
            if ref.endswith("章"):
                path = self.chapter(doc, ref) or ()
                break
        entries = self.children(doc, path)
        if len(entries) < 2:
            return None
        return compose_outline(question, self.titles[doc], path, entries)

    def topic_words(self, question: str, docs: list[str]) -> list[str]:
        """The words of ``question`` that name neither a document (by its title) nor a structure."""
        if not has_cjk(question):
            return []  # English outline questions are recognised by their phrasing alone
        return [
            w for w in tokenize(question)
            if len(w) > 1 and w not in _STRUCTURE_WORDS and not _NOT_TOPIC_RE.match(w)
            and not any(w in self.titles[d] for d in docs)
        ]

    def _document(self, question: str, retrieval: Retrieval, docs: list[str]) -> str | None:
        """The document a structure question is about: the one whose title it spells most of, else
        the one retrieval ranks first."""
        terms = [t for t in tokenize(question) if len(t) > 1]
        score = {d: sum(1 for t in terms if t in self.titles[d]) for d in docs}
        best = max(score.values(), default=0)
        first_hit = [h.passage.doc_id for h in retrieval.hits if h.passage.doc_id in score]
        tied = [d for d in docs if score[d] == best]
        if best and len(tied) == 1:
            return tied[0]
        ranked = [d for d in first_hit if d in tied]
        return ranked[0] if ranked else (tied[0] if tied else None)


def compose_outline(question: str, title: str, path: tuple[str, ...], entries: list[OutlineEntry]) -> Answer:
    """"《title》共N章：" and one heading a line, each cited to the passage it opens."""
    citations: dict[str, Citation] = {}
    parts = []
    for e in entries:
        cit = citations.get(e.passage.id)
        if cit is None:
            cit = citations[e.passage.id] = Citation(len(citations) + 1, e.passage)
        cit.sentences.append(e.heading)
        parts.append(f"{e.heading}[{cit.n}]")
    n = len(entries)
    kind = _kind(entries)
    if has_cjk(question):
        where = f"《{title}》" + (f"{path[-1]}，" if path else "")
        unit = {"chapter": "章", "section": "节"}.get(kind, "个部分")
        text = f"{where}共{n}{unit}：\n" + "\n".join(parts)
    else:
        where = f"“{title}”" + (f", {path[-1]}," if path else "")
        unit = {"chapter": "chapters", "section": "sections"}.get(kind, "parts")
        text = f"{where} has {n} {unit}:\n" + "\n".join(parts)
    return Answer(text, list(citations.values()), abstained=False)


def _kind(entries: list[OutlineEntry]) -> str:
    if all(re.match(r"^第[一二三四五六七八九十\d]+章", e.heading) for e in entries):
        return "chapter"
    if all(re.match(r"^第[一二三四五六七八九十\d]+节", e.heading) for e in entries):
        return "section"
    return "part"
