"""Validates the hand-written evaluation sets: eval/questions.jsonl (the bundled set) and
eval/holdout.jsonl (a second set written apart from the development of the answerer).

Format: /work/shared/eval-format.md (JSON Lines; id, question, lang, answerable,
answer_facts, gold[{doc, quote}], tags). Stdlib only.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SET_PATH = ROOT / "eval" / "questions.jsonl"
HOLDOUT_PATH = ROOT / "eval" / "holdout.jsonl"
CORPUS = ROOT / "corpus"
PLAN = "hunan-foreign-affairs-plan-2021-2025"

REQUIRED = {
    "id": str,
    "question": str,
    "lang": str,
    "answerable": bool,
    "answer_facts": list,
    "gold": list,
    "tags": list,
}

MIN_QUESTIONS = 150
MIN_UNANSWERABLE = 20
MIN_ENGLISH = 15


def norm(text: str) -> str:
    """NFKC + removal of all whitespace, as in the matching rules of the format."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=None)
def doc_text(doc: str) -> str:
    return (CORPUS / f"{doc}.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def doc_norm(doc: str) -> str:
    return norm(doc_text(doc))


def load_lines() -> list[str]:
    return [ln for ln in SET_PATH.read_text(encoding="utf-8").splitlines() if ln.strip()]


@lru_cache(maxsize=None)
def load_set() -> tuple[dict, ...]:
    return tuple(json.loads(ln) for ln in load_lines())


def items():
    return list(load_set())


@lru_cache(maxsize=None)
def _all() -> tuple[dict, ...]:
    extra = [json.loads(ln) for ln in HOLDOUT_PATH.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return tuple(load_set()) + tuple(extra)


def all_items():
    """Both sets, for the checks every question must pass."""
    return list(_all())


def ids(items_):
    return [it.get("id", f"line{i}") for i, it in enumerate(items_)]


# ---------------------------------------------------------------- file-level checks

def test_file_exists_and_lines_are_json_objects():
    assert SET_PATH.is_file(), SET_PATH
    for n, ln in enumerate(load_lines(), 1):
        try:
            obj = json.loads(ln)
        except json.JSONDecodeError as exc:  # pragma: no cover - message only
            pytest.fail(f"line {n}: invalid JSON: {exc}")
        assert isinstance(obj, dict), f"line {n}: not an object"


def test_ids_unique():
    dup = [k for k, v in Counter(it["id"] for it in all_items()).items() if v > 1]
    assert not dup, f"duplicate ids: {dup}"


def test_counts():
    qs = items()
    n_un = sum(1 for it in qs if not it["answerable"])
    n_en = sum(1 for it in qs if it["lang"] == "en")
    assert len(qs) >= MIN_QUESTIONS, len(qs)
    assert n_un >= MIN_UNANSWERABLE, n_un
    assert n_en >= MIN_ENGLISH, n_en


def test_both_personas_and_both_documents_present():
    qs = items()
    tags = Counter(t for it in qs for t in it["tags"])
    assert tags["official"] > 0 and tags["enterprise"] > 0
    docs = {g["doc"] for it in qs for g in it["gold"]}
    corpus_docs = {p.stem for p in CORPUS.glob("*.txt")}
    assert corpus_docs <= docs, f"documents without any question: {corpus_docs - docs}"


# ---------------------------------------------------------------- per-question checks

@pytest.mark.parametrize("it", all_items(), ids=ids(all_items()))
def test_fields_and_types(it):
    for field, typ in REQUIRED.items():
        assert field in it, f"missing {field}"
        assert isinstance(it[field], typ), f"{field} should be {typ.__name__}"
    assert it["id"].strip() and it["question"].strip()
    assert it["lang"] in {"zh", "en"}
    assert all(isinstance(f, str) and f.strip() for f in it["answer_facts"])
    assert all(isinstance(t, str) and t.strip() for t in it["tags"])
    for g in it["gold"]:
        assert isinstance(g, dict) and set(g) >= {"doc", "quote"}
        assert isinstance(g["doc"], str) and isinstance(g["quote"], str)


@pytest.mark.parametrize("it", all_items(), ids=ids(all_items()))
def test_answerable_consistency(it):
    if it["answerable"]:
        assert it["answer_facts"], "answerable question without answer_facts"
        assert it["gold"], "answerable question without gold"
        assert "unanswerable" not in it["tags"]
    else:
        assert it["answer_facts"] == [] and it["gold"] == []
        assert "unanswerable" in it["tags"]


@pytest.mark.parametrize("it", all_items(), ids=ids(all_items()))
def test_gold_quotes_are_verbatim(it):
    for g in it["gold"]:
        quote = g["quote"]
        assert (CORPUS / f"{g['doc']}.txt").is_file(), f"unknown doc {g['doc']}"
        assert 10 <= len(quote) <= 60, f"quote length {len(quote)}: {quote}"
        assert len(norm(quote)) >= 10, quote
        assert "\n" not in quote
        assert not any(0xE000 <= ord(c) <= 0xF8FF for c in quote), "private-use character"
        assert norm(quote) in doc_norm(g["doc"]), f"quote not in {g['doc']}: {quote}"


@pytest.mark.parametrize("it", [x for x in all_items() if x["answerable"]],
                         ids=ids([x for x in all_items() if x["answerable"]]))
def test_answer_facts_found_in_gold_documents(it):
    texts = [doc_norm(d).lower() for d in {g["doc"] for g in it["gold"]}]
    for fact in it["answer_facts"]:
        for alt in fact.split("|"):
            assert alt.strip(), f"empty alternative in {fact!r}"
            assert any(norm(alt).lower() in t for t in texts), f"fact not in gold docs: {alt}"


@pytest.mark.parametrize("it", [x for x in all_items() if "cross-doc" in x["tags"]],
                         ids=ids([x for x in all_items() if "cross-doc" in x["tags"]]))
def test_cross_doc_questions_cite_both_documents(it):
    assert len({g["doc"] for g in it["gold"]}) >= 2


@pytest.mark.parametrize("it", [x for x in all_items() if x["lang"] == "en"],
                         ids=ids([x for x in all_items() if x["lang"] == "en"]))
def test_english_questions_are_tagged(it):
    assert "english" in it["tags"]


# ---------------------------------------------------------------- box (专栏) coverage

HEADING = re.compile(r"^专栏(\d+)(?:[—\-](\d+))?")
BREAK = re.compile(r"^(\s|第.{1,3}[章节]|专栏)")


def plan_boxes() -> dict[str, str]:
    """Box label ('1', ..., '8—1', '8—2', ..., '17') -> normalised box text.

    A box starts at a non-indented line '专栏N ...' and runs until the next indented
    paragraph, chapter/section heading or box heading (blank lines do not end it).
    """
    lines = doc_text(PLAN).split("\n")
    boxes: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = HEADING.match(lines[i])
        if not m:
            i += 1
            continue
        label = m.group(1) + (f"—{m.group(2)}" if m.group(2) else "")
        body = [lines[i]]
        i += 1
        while i < len(lines) and (not lines[i].strip() or not BREAK.match(lines[i])):
            body.append(lines[i])
            i += 1
        boxes[label] = norm("\n".join(body))
    return boxes


def test_plan_has_all_boxes():
    labels = set(plan_boxes())
    expected = {str(n) for n in range(1, 18) if n != 8} | {"8—1", "8—2"}
    assert labels == expected, labels


def test_every_box_is_covered():
    boxes = plan_boxes()
    qs = items()
    missing = []
    for label, body in boxes.items():
        num, _, sub = label.partition("—")
        pat = re.compile(rf"专栏\s*{num}" + (rf"\s*[—\-–]\s*{sub}" if sub else "") + r"(?!\d)")
        covered = False
        for it in qs:
            text = it["question"] + " " + " ".join(it["answer_facts"])
            if "box" in it["tags"] and pat.search(text):
                covered = True
            elif any(g["doc"] == PLAN and norm(g["quote"]) in body for g in it["gold"]):
                covered = True
            if covered:
                break
        if not covered:
            missing.append(label)
    assert not missing, f"boxes without a question: {missing}"
