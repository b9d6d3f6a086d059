"""What a document says about itself rather than its subject: bylines, number and date lines, addressees,
and the formulas a series of documents repeats word for word.

They answer who issued a document and when, nothing more; retrieval ranks them low and the answerer never
quotes them unless the question asks about publication (:attr:`rag.query.Query.asks_publication`).
"""

from __future__ import annotations

import re

from rag.headings import is_signature
from rag.passages import Passage, split_sentences

# A report's or speech's byline: its date and the meeting it was delivered at.
BYLINE_RE = re.compile(r"^[\s—\-－:：]*(?:19|20)\d{2}年\d{1,2}月\d{1,2}日.{0,60}(?:会议|大会)上")
# A notice's addressees (主送机关): "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：".
ADDRESSEE_RE = re.compile(r"^各[^。；;]{1,80}(?:人民政府|机构|部门|单位|厅|局|委员会|委)[^。；;]{0,40}[：:]$")


# The opening every government work report delivers to its congress ("现在，我代表北京市人民政府，向大会报告政府
# 工作，请予审议"): the same formula with each government's name, so no two reports repeat it word for word.
REPORT_OPENER_RE = re.compile(r"^\s*现在，?我代表[^，。]{0,24}(?:人民政府|国务院)，?向大会作?(?:政府工作)?报告")


# A speech turning to its audience ("各位代表！", "同志们，"): a report's part of numbered tasks ends there, and
# what follows is its closing call, not one more task.
ADDRESS_RE = re.compile(r"^\s*(?:各位代表|各位委员|同志们|女士们[、，,]先生们)\s*[!！，,:：]?")


def addresses_audience(sentence: str) -> bool:
    """``sentence`` opens by addressing the speech's audience ("各位代表！")."""
    return bool(ADDRESS_RE.match(sentence))


def says_nothing(sentence: str) -> bool:
    """A document's number or date line, its byline, or a notice's addressees."""
    text = sentence.strip()
    return is_signature(text) or bool(BYLINE_RE.search(text) or ADDRESSEE_RE.match(text))


def formula_sentences(passages, min_documents: int = 2) -> frozenset[str]:
    """The formulas that open or close documents of a series, said word for word in several of them ("现在，
    我代表国务院，向大会报告政府工作，请予审议…"): they resemble many questions and answer none. Found in the
    documents (a sentence without figures, in a document's first or last passages, repeated across documents),
    not listed. Keys are the sentences without white space."""
    passages = list(passages)
    ends: dict[str, tuple[int, int]] = {}
    for p in passages:
        lo, hi = ends.get(p.doc_id, (p.order, p.order))
        ends[p.doc_id] = (min(lo, p.order), max(hi, p.order))
    seen: dict[str, set[str]] = {}
    for p in passages:
        lo, hi = ends[p.doc_id]
        if not (p.order <= lo + 2 or p.order >= hi):
            continue
        for line in p.text.split("\n"):
            for sentence in split_sentences(line):
                key = re.sub(r"\s+", "", sentence)
                if len(key) >= 12 and not re.search(r"\d|[:：]", key):
                    seen.setdefault(key, set()).add(p.doc_id)
    return frozenset(k for k, docs in seen.items() if len(docs) >= min_documents)


def is_formula(sentence: str, formulas: frozenset[str]) -> bool:
    """``sentence`` is one of ``formulas`` (:func:`formula_sentences`), a notice's addressees or a report's
    opening to its congress."""
    text = sentence.strip()
    return re.sub(r"\s+", "", text) in formulas or bool(ADDRESSEE_RE.match(text) or REPORT_OPENER_RE.match(text))


def empty_passage(passage: Passage, formulas: frozenset[str]) -> bool:
    """Every sentence of ``passage`` says nothing (:func:`says_nothing`), is a formula, or is a bare
    salutation or heading line of fewer than 8 characters ("各位代表")."""
    sentences = [s for line in passage.text.split("\n") for s in split_sentences(line) if s.strip()]
    return bool(sentences) and all(
        says_nothing(s) or is_formula(s, formulas) or len(re.sub(r"\W", "", s)) < 8 for s in sentences
    )
