"""Validates eval/multidoc.jsonl, eval/years.jsonl and eval/broad*.jsonl, asked over the 93 documents of eval/corpora/multidoc/.

Every gold quote must occur verbatim (NFKC, whitespace removed) in its document, and every
answer fact in one of its gold documents; the set must keep the composition it was written
with. The documents are read here with the standard library only (an HTML parser and the
.docx's XML), so the check does not depend on the product's own loaders.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import zipfile
from collections import Counter
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SET_PATH = ROOT / "eval" / "multidoc.jsonl"
# Other sets asked over the same corpus: their questions are checked the same way.
OTHER_SETS = tuple(ROOT / "eval" / f"{name}.jsonl" for name in ("years", "broad", "broad2", "broad3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10", "broad4", "fresh11", "fresh12", "fresh13", "fresh14", "fresh15", "fresh16", "fresh17", "fresh18", "broad5", "fresh19", "fresh20", "fresh21", "broad6", "broad7", "fresh22", "broad8", "fresh23", "broad9", "broad10", "targets1", "broad11", "broad12", "broad13", "broad14", "fresh24", "fresh25", "fresh26", "fresh27", "targets2", "fresh28", "fresh29", "fresh30"))
CORPUS = ROOT / "eval" / "corpora" / "multidoc"


def norm(text: str) -> str:
    return re.sub(r"[\s\u200b\u200c\u200d\ufeff]+", "", unicodedata.normalize("NFKC", text))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.out.append("\n")

    def handle_data(self, data):
        self.out.append(data)


@lru_cache(maxsize=None)
def doc_norm(doc: str) -> str:
    path = next(CORPUS.rglob(f"{doc}.*"))
    if path.suffix == ".txt":
        text = path.read_text(encoding="utf-8")
    elif path.suffix == ".html":
        parser = _Text()
        parser.feed(path.read_text(encoding="utf-8"))
        text = "".join(parser.out)
    else:
        xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
        text = html.unescape(re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n")))
    return norm(text)


@lru_cache(maxsize=1)
def questions() -> tuple[dict, ...]:
    return tuple(json.loads(ln) for ln in SET_PATH.read_text(encoding="utf-8").splitlines() if ln.strip())


def test_composition():
    qs = questions()
    tags = Counter(t for q in qs for t in q["tags"])
    assert len(qs) >= 200
    assert len({q["id"] for q in qs}) == len(qs)
    assert sum(not q["answerable"] for q in qs) >= 40
    assert sum(q["lang"] == "en" for q in qs) >= 30
    assert tags["list"] >= 30 and tags["scoping"] >= 20 and tags["enterprise"] >= 20
    assert sum(1 for q in qs if {"identity", "clause", "scoping", "multi-answer"} & set(q["tags"])) >= 40
    docs = {g["doc"] for q in qs for g in q["gold"]}
    assert len(docs) >= 30
    folders = {next(CORPUS.rglob(f"{d}.*")).parent.name for d in docs}
    assert folders == {"gwr-national", "gwr-provinces-2025", "gov-cn-2019"}


def _all_questions() -> tuple[dict, ...]:
    others = tuple(json.loads(ln) for p in OTHER_SETS for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip())
    return questions() + others


@pytest.mark.parametrize("q", _all_questions(), ids=[q["id"] for q in _all_questions()])
def test_question(q):
    assert q["lang"] in ("zh", "en")
    if not q["answerable"]:
        assert q["answer_facts"] == [] and q["gold"] == []
        return
    assert q["gold"] and q["answer_facts"]
    for g in q["gold"]:
        assert norm(g["quote"]) in doc_norm(g["doc"]), f"quote not in {g['doc']}: {g['quote']}"
    gold_text = "".join(doc_norm(g["doc"]) for g in q["gold"]).lower()
    for fact in q["answer_facts"]:
        if "partial" in q.get("tags", []) and {"未找到", "not found"} & set(fact.split("|")):
            continue  # the answer's own words for the half the documents do not give
        assert any(norm(alt).lower() in gold_text for alt in fact.split("|")), f"fact not in the gold documents: {fact}"
