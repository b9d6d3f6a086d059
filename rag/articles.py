"""Articles: a regulation's 第X条, or the numbered items a notice itself calls 第X条, as units of lookup.

Passages of a regulation are cut one article each and located by it
("专利代理条例 › 第二章 … › 第十二条", see :mod:`rag.passages`). Notices and rules
numbered "一、… 三十七、" or "（一）…（二十三）" refer to their own items as 第X条
("除第二十三条、第二十四条所列政策外"); when a document has no 第X条, its longest
run of numbered items (1, 2, 3 … in order) stands for its articles.

From that structure :class:`Articles` answers what similarity search cannot:

* **count**  — "《专利代理条例》一共有多少条？": the number of articles, quoting the last;
* **lookup** — "第七条是怎么规定的？", "What does Article 40 provide?": the article's
  whole text, cited; an article the document does not have is refused
  (reason ``articles.absent``: "共三十六条，没有第四十条"), and an article of a
  《document》 the deployment does not hold is refused too (``articles.document_not_held``);
* **which**  — "哪一条规定了汇算清缴？": the extractive answer, each cited article
  named as the lead-in of its sentences (:meth:`Articles.label_answer`);
* **item**   — "130项典型经验做法中，第61项是什么？", "第21项指标是什么？": the line numbered
  "61." (or "（61）") of the document's numbered lists, cited (:meth:`Articles.item_answer`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer import Answer, Citation, abstention
from rag.headings import cn_to_int, int_to_cn
from rag.passages import Passage, is_article, split_sentences
from rag.query import Query
from rag.retrieval import Retrieval

# "一共有多少条？", "共几条", "how many articles": the number of articles (not "多少条航线/措施").
_COUNT_RE = re.compile(r"(几|多少)条(?=[？?，,。；;、\s]|$|规定|内容|条款)|how many articles", re.I)
# "哪一条规定了…", "第几条", "which article": the article that holds an answer.
_WHICH_RE = re.compile(r"哪一?条|第几条|哪几条|哪些条|\bwhich articles?\b|\bwhat article\b", re.I)
# A line that opens a numbered item: "三十七、…", "（二十三）…".
_ITEM_LINE_RES = (
    re.compile(r"^([一二三四五六七八九十百]+)、"),
    re.compile(r"^[（(]([一二三四五六七八九十百]+)[)）]"),
)
_TITLE_SPACE_RE = re.compile(r"[《》〈〉“”\"'\s\u3000]")


@dataclass(frozen=True)
class Article:
    """One article of a document: its number, label ("第七条" / "三十七、") and the passages holding it."""

    number: int
    label: str
    passages: tuple[Passage, ...]
    first_line: int = 0  # for a numbered item: the line of its first passage where it starts
    style: int = -1  # for a numbered item: which numbering ("三十七、" or "（二十三）")

    def lines(self) -> list[tuple[Passage, str]]:
        """The article's text, line by line, with the passage each line is quoted from."""
        flat = [
            (p, ln.strip()) for p in self.passages for ln in p.text.split("\n") if ln.strip()
        ][self.first_line :]
        if not is_article(self.label):  # a numbered item ends where the next one starts
            end = next(
                (j for j, (_, ln) in enumerate(flat[1:], 1) if (_item_number(ln) or (None,))[0] == self.style), len(flat)
            )
            flat = flat[:end]
        return [(p, ln) for p, ln in flat if ln != self.label]


def _item_number(line: str) -> tuple[int, int] | None:
    """(style, number) of a line opening a numbered item, or None."""
    for style, regex in enumerate(_ITEM_LINE_RES):
        m = regex.match(line)
        if m:
            n = cn_to_int(m.group(1))
            if n:
                return style, n
    return None


def _explicit_articles(passages: list[Passage]) -> dict[int, Article]:
    found: dict[int, list[Passage]] = {}
    labels: dict[int, str] = {}
    for p in passages:
        if p.headings and is_article(p.headings[-1]):
            m = re.match(r"第(.+)条$", p.headings[-1])
            n = cn_to_int(m.group(1)) if m else None
            if n and (n not in labels or labels[n] == p.headings[-1]):
                labels[n] = p.headings[-1]
                if not found.get(n) or found[n][-1].order == p.order - 1:
                    found.setdefault(n, []).append(p)
    return {n: Article(n, labels[n], tuple(ps)) for n, ps in found.items()}


def _numbered_items(passages: list[Passage]) -> dict[int, Article]:
    """The document's longest run of items numbered 1, 2, 3 … in one style, as its articles."""
    best: dict[int, Article] = {}
    for style in range(len(_ITEM_LINE_RES)):
        run: dict[int, Article] = {}
        for p in passages:
            for i, line in enumerate(ln.strip() for ln in p.text.split("\n") if ln.strip()):
                got = _item_number(line)
                if got and got[0] == style and got[1] == len(run) + 1:
                    label = re.match(r"^\S+?[、）)]", line).group(0)
                    # an item may run on into the next passages of its section
                    following = [q for q in passages if q.order > p.order and q.headings == p.headings][:2]
                    run[got[1]] = Article(got[1], label, (p, *following), first_line=i, style=style)
        if len(run) > len(best):
            best = run
    return best if len(best) >= 3 else {}


# "一共多少项", "共有几项": a question that totals the items of a list.
_ITEM_COUNT_RE = re.compile(r"(?:一共|总共|总计|合计|共)有?(?:多少|几)项")
_LIST_LINE_RE = re.compile(r"^\s*(?:(\d{1,3})[.．、](?!\d)|[（(](\d{1,3})[)）])\s*\S")


def _numbered_lists(passages: list[Passage]) -> list[dict[int, tuple[Passage, str]]]:
    """The document's lists numbered with digits ("1." … "130.", "（1）" …), in reading order: each a map
    from number to (passage, line). A list runs while each numbered line follows the last; "1." starts one."""
    runs: list[dict[int, tuple[Passage, str]]] = []
    current: dict[int, tuple[Passage, str]] = {}
    for p in passages:
        for line in (ln.strip() for ln in p.text.split("\n") if ln.strip()):
            m = _LIST_LINE_RE.match(line)
            if not m:
                continue
            n = int(m.group(1) or m.group(2))
            if n == len(current) + 1:
                current[n] = (p, line)
            elif n == 1:
                if len(current) >= 3:
                    runs.append(current)
                current = {1: (p, line)}
    if len(current) >= 3:
        runs.append(current)
    return runs


class Articles:
    """Every document's articles, built once per index generation (see the module doc)."""

    def __init__(self, passages: dict[str, Passage], titles: dict[str, str]) -> None:
        by_doc: dict[str, list[Passage]] = {}
        for p in sorted(passages.values(), key=lambda p: (p.doc_id, p.order)):
            by_doc.setdefault(p.doc_id, []).append(p)
        self.titles = titles
        self.explicit: dict[str, dict[int, Article]] = {}
        self.items: dict[str, dict[int, Article]] = {}
        for doc, ps in by_doc.items():
            arts = _explicit_articles(ps)
            if arts:
                self.explicit[doc] = arts
            else:
                items = _numbered_items(ps)
                if items:
                    self.items[doc] = items
        self.lists = {doc: runs for doc, ps in by_doc.items() if (runs := _numbered_lists(ps))}
        self._by_doc = by_doc
        self.chapters = {
            doc: len({p.headings[0] for p in ps if p.headings and re.match(r"^第[一二三四五六七八九十]+章", p.headings[0])})
            for doc, ps in by_doc.items()
        }

    def of(self, doc: str, named: bool) -> dict[int, Article]:
        """A document's articles; its numbered items count only when the question names the document."""
        return self.explicit.get(doc) or (self.items.get(doc, {}) if named else {})

    def answer(self, query: Query, retrieval: Retrieval, doc_ids: list[str] | None, named: bool) -> Answer | None:
        """The answer to a question that counts or quotes articles, or None for any other question.

        ``named``: the scope came from the question naming the document (文号, title).
        """
        question = query.text
        asks_count = bool(_COUNT_RE.search(question))
        if _WHICH_RE.search(question) or not (asks_count or query.articles):
            return None
        missing_title = self._unheld_title(query)
        doc = self._document(retrieval, doc_ids, named)
        if missing_title and query.articles:
            said = f"未收录《{missing_title}》。" if _zh(question) else f"“{missing_title}” is not among the documents held. "
            return _refuse(question, retrieval, said, "articles.document_not_held")
        if doc is None:
            return None
        articles = self.of(doc, named or bool(doc_ids and len(doc_ids) == 1))
        if not articles:
            return None
        title = self.titles.get(doc, doc)
        if query.articles:
            absent = [n for n in query.articles if n not in articles]
            if absent:
                if _zh(question):
                    said = f"《{title}》共{int_to_cn(max(articles))}条，没有" + "、".join(f"第{int_to_cn(n)}条" for n in absent) + "。"
                else:
                    said = f"“{title}” has {max(articles)} articles; there is no Article {', '.join(map(str, absent))}. "
                return _refuse(question, retrieval, said, "articles.absent")
            return _quote(question, title, [articles[n] for n in query.articles])
        if asks_count:
            return _count(question, title, articles, self.chapters.get(doc, 0))
        return None

    def item_answer(self, query: Query, retrieval: Retrieval, doc_ids: list[str] | None) -> Answer | None:
        """The numbered item a question names ("第61项"), quoted from the best-ranked document whose numbered
        lists (1. 2. 3. …, or （1）（2）…) reach it: the longest such list, when a document has several. Or the
        number of items, for "…指标一共多少项？" (:meth:`item_count`)."""
        if not query.items:
            return self.item_count(query, retrieval, doc_ids)
        allowed = set(doc_ids) if doc_ids else None
        for doc in dict.fromkeys(h.passage.doc_id for h in retrieval.hits):
            if allowed is not None and doc not in allowed:
                continue
            runs = [r for r in self.lists.get(doc, []) if all(n in r for n in query.items)]
            if not runs:
                continue
            # Of several lists reaching it, one the passages found stand in, then the longest.
            found = {h.passage.id for h in retrieval.hits}
            run = min(runs, key=lambda r: (not any(p.id in found for p, _ in r.values()), -len(r)))
            title = self.titles.get(doc, doc)
            citations: dict[str, Citation] = {}
            parts = []
            for n in query.items:
                passage, line = run[n]
                cit = citations.get(passage.id) or citations.setdefault(passage.id, Citation(len(citations) + 1, passage))
                cit.sentences += split_sentences(line) or [line]
                lead = f"《{title}》所列第{n}项：" if _zh(query.text) else f"“{title}”, item {n} of its list:"
                parts += [lead, f"{line}[{cit.n}]"]
            return Answer("\n".join(parts), list(citations.values()), abstained=False)
        return None

    def item_count(self, query: Query, retrieval: Retrieval, doc_ids: list[str] | None) -> Answer | None:
        """"三级公立医院绩效考核指标一共多少项？": the number of items of the best-ranked document's longest
        numbered list, when the question totals items (一共/共/总共 … 多少项) and the document (its title or the
        list's headings) names what the question counts; the first and last items quoted."""
        if not _ITEM_COUNT_RE.search(query.text):
            return None
        from rag.gate import subject_words

        clause = next((c for c in re.split(r"[，,。？?；;]", query.text) if _ITEM_COUNT_RE.search(c)), "")
        subject = subject_words(clause)
        allowed = set(doc_ids) if doc_ids else None
        doc = next((h.passage.doc_id for h in retrieval.hits if allowed is None or h.passage.doc_id in allowed), None)
        runs = self.lists.get(doc or "", [])
        if not runs or not subject:
            return None
        run = max(runs, key=len)
        # What the list counts: its headings name it, or it is the document's attachment ("附件") and the title does.
        where = " ".join(h for p, _ in run.values() for h in p.headings)
        if self._is_attachment(run[1][0]):
            where += self.titles.get(doc, "")
        if not any(w in where for w in subject):
            return None
        n = max(run)
        title = self.titles.get(doc, doc)
        citations: dict[str, Citation] = {}
        lines = []
        for k in (1, n):
            passage, line = run[k]
            cit = citations.get(passage.id) or citations.setdefault(passage.id, Citation(len(citations) + 1, passage))
            cit.sentences += split_sentences(line) or [line]
            lines.append(f"{line}[{cit.n}]")
        if _zh(query.text):
            lead = f"《{title}》所列共{n}项，第1项和第{n}项为："
        else:
            lead = f"“{title}” lists {n} items; the first and the last:"
        return Answer("\n".join([lead, *lines]), list(citations.values()), abstained=False)

    def _is_attachment(self, first: Passage) -> bool:
        """The list opens a document's attachment: "附件" ends the passage before it or opens its own."""
        lines = [ln.strip() for ln in first.text.split("\n") if ln.strip()]
        if any(ln.startswith("附件") for ln in lines[:2]):
            return True
        before = [p for p in self._by_doc.get(first.doc_id, []) if p.order < first.order]
        return bool(before) and before[-1].text.rstrip().endswith("附件")

    def label_answer(self, query: Query, answer: Answer) -> Answer:
        """For "哪一条…" questions: put each cited article's label before the sentences quoted from it."""
        if answer.abstained or not _WHICH_RE.search(query.text):
            return answer
        text = answer.text
        for cit in answer.citations:
            label = self._label_of(cit.passage, cit.sentences[0] if cit.sentences else "")
            if not label or not cit.sentences:
                continue
            first = cit.sentences[0]
            at = text.find(first)
            if at < 0 or label in text[max(0, at - 12) : at + len(first)]:
                continue
            text = text[:at] + f"{label}：\n" + text[at:]
        answer.text = text
        return answer

    def _label_of(self, passage: Passage, sentence: str) -> str | None:
        if passage.headings and is_article(passage.headings[-1]):
            return passage.headings[-1]
        items = self.items.get(passage.doc_id)
        if not items:
            return None
        for art in items.values():
            for p, line in art.lines():
                if p.id == passage.id and sentence and sentence[:20] in line:
                    return _display(art)
        return None

    def _document(self, retrieval: Retrieval, doc_ids: list[str] | None, named: bool) -> str | None:
        if doc_ids and len(doc_ids) == 1:
            return doc_ids[0]
        allowed = set(doc_ids) if doc_ids else None
        for h in retrieval.hits:
            d = h.passage.doc_id
            if (allowed is None or d in allowed) and (d in self.explicit or (named and d in self.items)):
                return d
        return None

    def _unheld_title(self, query: Query) -> str | None:
        """A 《title》 the question names that no held document is (or 印发s); a title cited inside
        another document's title ("暂时调整实施《…条例》有关规定的决定") does not count."""
        for name in query.titles:
            n = _TITLE_SPACE_RE.sub("", name)
            if len(n) >= 4 and not any(_holds(t, n) for t in self.titles.values()):
                return name
        return None


def _holds(title: str, name: str) -> bool:
    """True when a document of ``title`` is, or carries (印发), the document ``name``."""
    bare = _TITLE_SPACE_RE.sub("", re.sub(r"《[^《》]*》", lambda m: "" if "印发" not in title else m.group(0), title))
    return name in bare


def _display(art: Article) -> str:
    """"第七条", or for a numbered item "第三十七条（三十七）"."""
    if is_article(art.label):
        return art.label
    inner = art.label.strip("、（）()")
    return f"第{int_to_cn(art.number)}条（{inner}）"


def _refuse(question: str, retrieval: Retrieval, said: str, code: str) -> Answer:
    answer = abstention(question, retrieval.hits, f"{code}: {said}")
    answer.text = said + answer.text
    return answer


def _quote(question: str, title: str, articles: list[Article]) -> Answer:
    """The named articles' text, whole, each line cited."""
    citations: dict[str, Citation] = {}
    parts: list[str] = []
    for art in articles:
        label = _display(art)
        parts.append(f"《{title}》{label}：" if _zh(question) else f"“{title}”, {label} (Article {art.number}):")
        for p, line in art.lines():
            cit = citations.get(p.id) or citations.setdefault(p.id, Citation(len(citations) + 1, p))
            cit.sentences += split_sentences(line) or [line]
            parts.append(f"{line}[{cit.n}]")
    return Answer("\n".join(parts), list(citations.values()), abstained=False)


def _count(question: str, title: str, articles: dict[int, Article], chapters: int) -> Answer:
    """"《title》共N条…", quoting the last article."""
    n = max(articles)
    last = articles[n]
    label = last.label if is_article(last.label) else f"第{int_to_cn(n)}条"
    if _zh(question):
        lead = f"《{title}》共{int_to_cn(n)}条（{n}条）" + (f"，分为{int_to_cn(chapters)}章" if chapters >= 2 else "")
        lead += f"，最后一条为{label}："
    else:
        lead = f"“{title}” has {n} articles" + (f" in {chapters} chapters" if chapters >= 2 else "") + f"; the last, {label}, reads:"
    answer = _quote(question, title, [last])
    answer.text = lead + "\n" + answer.text.split("\n", 1)[1]
    return answer


def _zh(question: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", question))
