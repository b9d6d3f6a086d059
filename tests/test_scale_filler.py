"""The scale benchmark's filler (bench/scale.py): same register, never a second answer.

The scale figures in bench/RESULTS.md only mean "retrieval finds the real passage
among distractors" if no filler sentence answers a bundled question too — with
another province or another figure put in.
"""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def scale():
    sys.path.insert(0, str(ROOT / "bench"))  # the script imports its neighbour bench_pipeline
    spec = importlib.util.spec_from_file_location("scale", ROOT / "bench" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def maker(scale):
    return scale.FillerMaker()


@pytest.fixture(scope="module")
def subjects(scale):
    return scale.SubjectFillerMaker()


def test_a_gold_quote_with_its_places_and_figures_changed_counts_as_a_copy(maker):
    # 专栏 quote "打造成湖南面向法国乃至欧洲的历史之窗…", as the old 12-character rule let it through.
    assert maker._copies_gold("更好地将旅法勤工俭学蒙达尔纪纪念馆打造成河北面向加纳乃至济南的历史之窗。")
    assert maker._copies_gold("建设埃塞俄比亚与友好省州肯尼亚的国际创新平台,用好泰国企业交流中心平台。")
    assert maker._copies_gold("全省新增友城47对,达386对。")
    # The same words on another subject are not a copy.
    assert not maker._copies_gold("深化与肯尼亚在农业技术领域的合作,办好挪威孔子学院。")


def test_no_filler_sentence_or_heading_repeats_a_gold_quote(maker):
    assert len(maker.pool) == 30_000 and maker.heading_pool
    assert not [s for s in maker.pool if maker._copies_gold(s)]
    assert not [h for h in maker.heading_pool if maker._copies_gold(h)]
    assert maker.rejected > 0  # the rule did work: the clause recombination makes copies


def test_filler_keeps_the_corpus_register_with_other_places(maker):
    doc = maker.document(1)
    assert "合成文本00001" in doc.splitlines()[0]
    assert re.search(r"^第一章 ", doc, re.M) and re.search(r"^第一节 ", doc, re.M)
    sentences = maker.pool[:2000]
    # Places are swapped, not removed: filler names provinces and countries as the plan does.
    assert sum(any(p in s for p in ("越南", "老挝", "肯尼亚", "广东", "四川")) for s in sentences) > 50
    # The plan's own subject is always swapped out: filler is about other places.
    assert not [s for s in sentences if "湖南" in s]


# The ``subjects`` filler: the province's other plans — same register, other departments' subjects.

FOREIGN_AFFAIRS = ("外事", "友城", "港澳", "香港", "涉外", "出访", "领事", "外宣", "护照", "签证", "APEC", "一带一路",
                   "中非", "非洲", "东盟", "国际", "外国", "海外", "境外", "建交")


def test_subjects_filler_is_about_other_subjects(subjects, scale):
    assert len(subjects.pool) == 30_000
    # Nothing of the corpus's own subject is left in a sentence ...
    assert not [s for s in subjects.pool if any(w in s for w in FOREIGN_AFFAIRS)]
    # ... and every sentence is about one of the other departments' subjects.
    terms = {t for ts in subjects.terms.values() for t in ts}
    assert sum(any(t in s for t in terms) for s in subjects.pool) > 0.95 * len(subjects.pool)
    # The register stays: the plan's verbs and generic words survive the swap.
    assert sum(any(w in s for w in ("推进", "加强", "推动", "机制", "平台", "建设")) for s in subjects.pool) > 0.4 * len(subjects.pool)


def test_subjects_filler_document_keeps_one_subject(subjects, scale):
    doc = subjects.document(7)
    title = doc.splitlines()[0]
    subject = next(k for k in scale.SUBJECTS if k in title)
    assert "合成文本00007" in title and re.search(r"^第一章 ", doc, re.M)
    others = {t for k, ts in subjects.terms.items() if k != subject for t in ts} - set(subjects.terms[subject])
    body = "\n".join(doc.splitlines()[1:])
    own = sum(body.count(t) for t in subjects.terms[subject])
    assert own > 20 and own > 5 * sum(body.count(t) for t in others)


def test_subjects_filler_never_repeats_a_gold_quote(subjects):
    assert not [s for s in subjects.pool if subjects._copies_gold(s)]
    headings = [h for hs in subjects.heading_pools.values() for h in hs]
    assert len(headings) > 500
    assert not [h for h in headings if subjects._copies_gold(h)]
