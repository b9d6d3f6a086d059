"""A report's structure read from real documents of other collections: numbered titles that pause
("一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效") are headings, on a page cut at its width a numbered
paragraph's first line is not, and a question about what is planned is answered from the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from rag.cleaning import _assemble, clean_document
from rag.headings import classify_heading
from rag.loaders import load_document
from rag.passages import build_passages
from rag.query import under_review

PROVINCES = ROOT / "eval" / "corpora" / "multidoc" / "gwr-provinces-2025"


def _passages(name: str):
    return build_passages(clean_document(load_document(PROVINCES / name)))


@pytest.mark.parametrize(
    "name, heading",
    [
        ("gwr-2025-fujian.docx", "二、牢记历史使命，在中国式现代化建设中奋勇争先"),
        ("gwr-2025-beijing.docx", "（一）充分发挥经济体制改革牵引作用，努力在重点领域和关键环节取得新突破"),
        ("gwr-2025-shaanxi.docx", "（二）加强产业体系建设，因地制宜发展新质生产力"),
        ("gwr-2025-zhejiang.docx", "（二）提振和扩大消费，切实增强消费促发展基础性作用"),
    ],
)
def test_a_numbered_title_with_a_pause_heads_its_passages(name, heading):
    passages = _passages(name)
    under = [p for p in passages if heading in p.headings]
    assert under, f"no passage of {name} stands under {heading}"
    # No heading holds a sentence's end: the paragraphs that open with a number and go on are body text.
    assert not any("。" in h for p in passages for h in p.headings)


def test_fujian_plan_is_not_filed_under_the_review():
    """Before, the report's chapter titles were body text and the label "一年来的主要工作是" headed all of it:
    the 2025 plan read as part of the 2024 review."""
    passages = _passages("gwr-2025-fujian.docx")
    plan = [p for p in passages if p.headings and p.headings[0].startswith("二、")]
    assert len(plan) >= 20
    assert not any(under_review(p.headings) for p in plan)


def test_a_numbered_paragraph_cut_at_the_page_width_is_not_a_heading():
    """A PDF page breaks lines at its width: a full first line that pauses ("四、对年度固定资产投资保持稳定增长，…")
    opens a paragraph and is joined with the lines after it; a title line, shorter than the page, stands alone.
    (Text of a State Council notice, 国办发〔2018〕117号, cut as a page 34 characters wide would cut it.)"""
    text = (
        "四、对年度固定资产投资保持稳定增长，中央预算内投资项目开工、投资完成等情况较好的省（区、市），"
        "在中央预算内投资既有专项中统筹安排部分投资，用于奖励支持该省（区、市）符合条件的项目。"
    )
    width = 34
    lines = [text[i : i + width] for i in range(0, len(text), width)]
    assert classify_heading(lines[0]) is not None  # read alone, the first line would pass for a title
    items = [(t, 1, False, None) for t in ["三、加强领导，明确职责"] + lines]
    paragraphs = _assemble(items, wrapped=True)
    assert [p.text for p in paragraphs] == ["三、加强领导，明确职责", text]


def test_what_is_offered_this_year_is_quoted_from_the_plan(documents_assistant):
    """"今年省里能给些什么支持": what the 2025 plan offers, not what the 2024 review says was done."""
    a = documents_assistant.ask("在四川做外贸的企业，今年省里能给些什么支持？").answer
    assert not a.abstained
    assert "新兴市场" in a.text
    assert a.citations and not any(under_review(c.passage.headings) for c in a.citations)


def test_what_was_done_last_year_is_quoted_from_the_review(documents_assistant):
    a = documents_assistant.ask("四川去年对外贸企业做了哪些支持？").answer
    assert not a.abstained
    assert "外贸实绩企业新增822家" in a.text
    assert under_review(a.citations[0].passage.headings)


@pytest.mark.parametrize("name, first, last", [
    ("gov-cn-5339579.html", "组长：韩正 国务院副总理", "钱毅平 中央军委后勤保障部副部长"),
    ("gov-cn-5345402.html", "主任：尤权 国务院副秘书长", "马健 空中交通管制办副主任"),
])
def test_a_name_list_is_text_not_headings(name, first, last):
    # A 领导小组's or 委员会's member list: each line a name and a post, spaced out to line up. Read as headings,
    # all but the last line of a run were lost; the list is text, with the alignment spaces out ("韩 正" → 韩正).
    doc = clean_document(load_document(ROOT / "eval" / "corpora" / "multidoc" / "gov-cn-2019" / name))
    text = "\n".join(p.text for p in build_passages(doc))
    assert first in text and last in text
    assert not any(first in h or last in h for p in build_passages(doc) for h in p.headings)
    assert classify_heading("宁吉喆　　统计局局长") is None and classify_heading("国务院办公厅") is not None

