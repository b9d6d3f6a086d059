"""Questions about a document itself — its structure and its publication facts.

No sentence of a document states its own structure or when and where it was
published, so retrieval and the extractive answerer cannot answer "规划一共分几章？",
"这篇回顾分成了哪几个板块？", "第三章下面有哪几节？" or "这篇回顾是哪家媒体、什么时候发的？".
The index's own records can:

* **outline** — the document's top-level headings (or the sections of the
  chapter the question names), in document order, each cited to the passage that
  opens it, whose text starts with that heading: every listed heading is a quote;
* **publication facts** — the fields of the document's metadata passage
  (索引号, 发文日期, 来源, 编辑 …) the question asks for, quoted from it.

A question qualifies only when every word of it names the document (a word of
its title), its structure or the fact asked; "港澳合作分哪几部分来写？" and "中非经贸
博览会是什么时候办的？" are about a topic, and go to retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer import Answer, Citation, abstention
from rag.documents import abbreviates
from rag.keyword import is_chinese, tokenize, words
from rag.passages import METADATA_HEADING, Passage, split_sentences
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
    "方面 讲 讲了 讲的 主要 最后 最后一章 第一 这篇 这份 那篇 那份 整个 全文 文章 文件 材料 下面 里面 其中 每 各 都 是 有 "
    "什么 哪些 哪几 几个 哪几个 几部分 哪几部分 哪个 多少 一下 请问 介绍 说说 列出 了 的 呢 吗 和 与 个".split()
)
_NOT_TOPIC_RE = re.compile(r"^(第?[一二三四五六七八九十\d]+[章节]?|几[章节]|[\W_]+)$")


@dataclass(frozen=True)
class OutlineEntry:
    """One heading of a document, and the passage that opens its part."""

    heading: str
    passage: Passage


# Publication facts a question may ask for, and how the metadata field that holds each is recognised.
_DATE_ASK = r"(什么时候|哪天|哪一天|何时|(?<!第)几号|哪年|日期|时间)"
_FACTS = {
    "written": (
        re.compile(rf"成文|{_DATE_ASK}.{{0,6}}(签署|写成|定稿)|\bwritten\b|\bdated\b", re.I),
        re.compile(r"成文日期"),
    ),
    "date": (
        re.compile(rf"{_DATE_ASK}.{{0,8}}(发|出|印|公布|挂网|刊|登)|(发布|发文|印发|挂网|刊发|发表|公布)"
                   r"(日期|时间)|(哪天|哪一天|什么时候|何时)(发布|公布|印发|发的)|\b(when|what date)\b.{0,160}?\b(publish|issu|releas|post)|"
                   r"publication date", re.I),
        re.compile(r"^(?!成文)\S{0,6}?(\d{4}[-年]\d{1,2}[-月]\d{1,2}|发文日期|发布日期)"),
    ),
    "source": (
        re.compile(r"来源|出处|哪家媒体|哪个媒体|什么媒体|哪家网站|哪个网站|谁发的|哪里发的|发布机构|发文机关|哪个机关|哪些机关|"
                   r"哪个部门发|联合(下发|印发|发布)|\b(?:what|which)(?: is| was)?(?: the| its)? source\b|"
                   r"\bsource of (?:the|this|that) (?:document|notice|page|text|article|report|circular|regulation)|\bwho (published|issued)|issued by|which (media|outlet|newspaper|website|body|bodies|agenc)",
                   re.I),
        re.compile(r"来源|发布机构|发文机关|发文单位"),
    ),
    "number": (
        re.compile(r"(?<!索引)文号|发文字号|第几号|几号令|令号|\bdocument (number|no)|order (number|no)", re.I),
        re.compile(r"发文字号|(?<!索引)文号"),
    ),
    "index": (re.compile(r"索引号|index (number|no)", re.I), re.compile(r"索引号")),
    "title": (
        re.compile(r"是(一份)?(什么|哪份|哪个)(文件|通知|决定|批复|意见|函|规定)|标题|题目|全称|名称是什么|叫什么|是(一份)?关于什么|"
                   r"关于什么(内容|事项|方面)?的|对什么事项|什么事项的|\btitle\b|which document|what document", re.I),
        re.compile(r"^标题"),
    ),
    "effective": (
        re.compile(r"施行|生效|起实施|实施日期|\btakes? effect|\beffective\b|come into force", re.I),
        re.compile(r"施行日期|生效日期|实施日期"),
    ),
    "editor": (re.compile(r"编辑|作者|谁写的|责编|[一二三终]审|审稿|\bedit(or|ed)\b|\bauthor|\bwho wrote|\breviewer", re.I),
               re.compile(r"编辑|作者|责编|审")),
}
# A date asked of a document's publication, not its signing: "哪天公布的", "when was it published".
_PUBLISHED_RE = re.compile(r"发布|公布|挂网|publish|releas", re.I)
# The sentence that puts a regulation in force: "自2019年3月1日起施行", "本办法自发布之日起实施".
_IN_FORCE_RE = re.compile(r"自.{0,24}(起|之日起)(施行|实施|生效)")
# Credits a question may name exactly ("二审和三审分别是谁"): then only those fields answer.
_CREDITS = ("责编", "责任编辑", "一审", "二审", "三审", "终审", "作者")
_FACT_WORDS = set(
    "什么时候 什么 时候 哪天 哪一天 何时 几号 哪年 日期 时间 发布 发文 印发 公布 挂网 刊发 发表 刊登 发 发的 出的 来源 出处 媒体 哪家 "
    "网站 谁 哪里 机构 机关 索引号 索引 文号 编辑 作者 写 是从 从 上 在 网上 责编 一审 二审 三审 终审 审稿 分别 成文 字号 发文字号 "
    "标题 题目 全称 文件 哪份 哪个 部门 联合 下发 开始 正式 起 生效 施行 实施 执行".split()
)
# English names of kinds of document, for choosing which document an English question means.
_KINDS_EN = {"plan": "规划", "review": "回顾", "report": "报告", "article": "回顾", "notice": "通知", "programme": "方案"}


class AboutDocuments:
    """Every document's heading tree and metadata passage, built once per index generation."""

    def __init__(self, passages: dict[str, Passage]) -> None:
        self._children: dict[tuple[str, tuple[str, ...]], list[OutlineEntry]] = {}
        self.titles: dict[str, str] = {}
        self.metadata: dict[str, Passage] = {}
        self._by_doc: dict[str, list[Passage]] = {}
        for p in sorted(passages.values(), key=lambda p: (p.doc_id, p.order)):
            self.titles.setdefault(p.doc_id, p.doc_title)
            self._by_doc.setdefault(p.doc_id, []).append(p)
            if METADATA_HEADING in p.headings:
                self.metadata[p.doc_id] = p
                continue
            for depth, heading in enumerate(p.headings):
                siblings = self._children.setdefault((p.doc_id, p.headings[:depth]), [])
                if all(e.heading != heading for e in siblings):
                    siblings.append(OutlineEntry(heading, p))
        self._docs = list(self.titles)

    def children(self, doc_id: str, path: tuple[str, ...] = ()) -> list[OutlineEntry]:
        """The headings directly under ``path`` (the document's top level when empty)."""
        return self._children.get((doc_id, path), [])

    def chapter(self, doc_id: str, ref: str) -> tuple[str, ...] | None:
        """The top-level heading a reference such as "第三章" names in a document."""
        for e in self.children(doc_id):
            if e.heading.startswith(ref):
                return (e.heading,)
        return None

    def answer(
        self, question: str, retrieval: Retrieval, doc_ids: list[str] | None = None, named: bool = False
    ) -> Answer | None:
        """The answer from the document's own records, or None when ``question`` is not about a document itself.

        ``named``: the question names its document (by 文号 or title) and ``doc_ids`` are that document.
        """
        # Built once, not per question: at 100k passages there are thousands of documents.
        if doc_ids:
            wanted = set(doc_ids)
            docs = [d for d in self._docs if d in wanted]
        else:
            docs = self._docs
        return self.outline(question, retrieval, docs) or self.publication(question, retrieval, docs, named)

    def outline(self, question: str, retrieval: Retrieval, docs: list[str]) -> Answer | None:
        """The outline that answers a structure question."""
        # Only a chapter alone: "第二章第四节讲了什么" asks for the section's text, which retrieval finds.
        chapter_named = bool(retrieval.refs) and all(ref.endswith("章") for ref in retrieval.refs)
        if not (_ASKS_OUTLINE_RE.search(question) or (chapter_named and _ASKS_CONTENTS_RE.search(question))):
            return None
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

    def publication(self, question: str, retrieval: Retrieval, docs: list[str], named: bool = False) -> Answer | None:
        """The metadata fields that answer "when / where / under which number was this published".

        A question that names its document (``named``) may describe it in any words ("国发〔2018〕43号是一份
        关于什么内容的决定？"); otherwise every word must name the document or the fact asked.
        """
        bare = re.sub(r"《[^《》]*》", "", question)  # a title's own words ask nothing ("《政府网站…方案》")
        asked = [kind for kind, (ask, _) in _FACTS.items() if ask.search(bare)]
        published = bool(_PUBLISHED_RE.search(bare))  # put out, not signed ("哪天公布的")
        if "written" in asked and "date" in asked and not (published or "印发" in bare):
            asked.remove("date")  # "哪天成文" asks the written date alone
        if not asked:
            return None
        # The words that ask for the fact ("哪天发的") are no topic; the rest must name the document.
        rest = bare
        for kind in asked:
            rest = _FACTS[kind][0].sub(" ", rest)
        if not (named and len(docs) == 1) and self.topic_words(rest, docs, extra=_FACT_WORDS):
            return None
        doc = self._document(question, retrieval, [d for d in docs if d in self.metadata])
        if doc is None:
            return None
        meta = self.metadata[doc]
        # Labels may be spaced out ("标 题："): fields are recognised without their spaces, quoted as printed.
        # "哪天发的", "哪天印发的" may mean the day it was signed (成文日期) or put out (发布日期): a record giving
        # both shows both. "哪天公布/发布的" asks the second alone.
        shown = asked + ["written"] if "date" in asked and "written" not in asked and not published else asked
        fields = [
            f for line in meta.text.split("\n") for f in split_sentences(line)
            if any(_FACTS[k][1].search(re.sub(r"\s", "", f)) for k in shown)
        ]
        credits = tuple(c for c in _CREDITS if c in question)
        if credits and any(f.startswith(credits) for f in fields):
            fields = [f for f in fields if f.startswith(credits) or not _FACTS["editor"][1].search(f)]
        citations = [Citation(1, meta, fields)] if fields else []
        if "effective" in asked and not any(_FACTS["effective"][1].search(f) for f in fields):
            # No table states it; the text does: "自2019年3月1日起施行".
            found = self._sentence(doc, _IN_FORCE_RE)
            if found is not None:
                citations.append(Citation(len(citations) + 1, found[0], [found[1]]))
        if not citations:
            # The document's record has no such field: say so rather than let a look-alike answer.
            return abstention(question, [h for h in retrieval.hits if h.passage.doc_id == doc] or retrieval.hits,
                              f"the document records no {'/'.join(asked)}")
        quoted = "\n".join(f"{f}[{c.n}]" for c in citations for f in c.sentences)
        if is_chinese(question):
            text = f"《{self.titles[doc]}》：\n{quoted}"
        else:
            text = f"“{self.titles[doc]}”:\n" + quoted
        return Answer(text, citations, abstained=False)

    def _sentence(self, doc: str, regex: re.Pattern) -> tuple[Passage, str] | None:
        """The first sentence of a document that ``regex`` finds, and its passage."""
        for p in self._by_doc.get(doc, []):
            for sentence in (x for line in p.text.split("\n") for x in split_sentences(line)):
                if regex.search(sentence):
                    return p, sentence.strip()
        return None

    def topic_words(self, question: str, docs: list[str], extra: set[str] = frozenset()) -> list[str]:
        """The words of ``question`` that name neither a document (by its title) nor a structure or fact."""
        if not is_chinese(question):
            return []  # English questions are recognised by their phrasing alone
        return [
            w for w in tokenize(question)
            if len(w) > 1 and w not in _STRUCTURE_WORDS and w not in extra and not _NOT_TOPIC_RE.match(w)
            and not any(w in self.titles[d] or abbreviates(w, self.titles[d]) for d in docs)
        ]

    def _document(self, question: str, retrieval: Retrieval, docs: list[str]) -> str | None:
        """The document a question about "the plan" / "这篇回顾" means: the one whose title it spells
        most of, else the one retrieval ranks first."""
        terms = [t for t in words(question) if len(t) > 1]  # "规划" is a stop word for search, not here
        if not is_chinese(question):
            terms = [zh for en, zh in _KINDS_EN.items() if re.search(rf"\b{en}", question, re.I)]
        score = {d: sum(1 for t in terms if t in self.titles[d]) for d in docs}
        best = max(score.values(), default=0)
        tied = [d for d in docs if score[d] == best]
        if best and len(tied) == 1:
            return tied[0]
        ranked = [h.passage.doc_id for h in retrieval.hits if h.passage.doc_id in tied]
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
    if is_chinese(question):
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
