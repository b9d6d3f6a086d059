"""Broad questions ("有哪些主要举措", "打算怎么做") on real documents of other collections: a policy document's
numbered measures, and a report's subsection, listed whole (rag.answer: outline, subsection)."""

from __future__ import annotations

import re

import pytest

from rag.query import analyse


def _items(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("· ")]


def test_a_question_on_a_policy_documents_whole_subject_lists_its_numbered_measures(documents_assistant):
    r = documents_assistant.ask("国家职业教育改革实施方案提出了哪些主要举措？")
    items = _items(r.answer.text)
    # One line per measure title, from across the document's chapters, not the paragraphs restating its subject.
    assert len(items) == 8 and all(re.match(r"（[一二三四五六七八九十]+）", i) for i in items)
    chapters = {c.passage.headings[0] for c in r.answer.citations}
    assert len(chapters) >= 3 and {c.passage.doc_id for c in r.answer.citations} == {"gov-cn-5365341"}
    assert "（一）健全国家职业教育制度框架。" in items[0]
    assert re.search(r"另有\d+条相关内容未列出", r.answer.text)  # the other titles are counted, not dropped silently


def test_a_broad_question_answered_by_a_reports_subsection_gets_the_subsection(documents_assistant):
    r = documents_assistant.ask("四川今年在科技创新方面有哪些主要举措？")
    items = _items(r.answer.text)
    assert items[0].startswith("（二）以科技创新引领新质生产力发展")
    # Every item is from that subsection: after its title and before the next one ("（三）…").
    passages = documents_assistant.extractive.index.doc_passages("gwr-2025-sichuan")
    text = "".join(p.text for p in passages).replace("\n", "")
    start = text.index("（二）以科技创新引领新质生产力发展")
    end = text.index("（三）", start)
    assert len(items) >= 6
    for item in items:
        sentence = re.sub(r"\[\d+\]$", "", item)
        assert start <= text.index(sentence) < end, sentence
    assert {c.passage.doc_id for c in r.answer.citations} == {"gwr-2025-sichuan"}


@pytest.mark.parametrize("question, broad", [
    ("“无废城市”试点主要抓哪些方面？", True),
    ("城镇小区配套幼儿园治理要做哪些工作？", True),
    ("2022年政府工作报告提出了哪些稳就业的措施？", True),
    ("安徽省2025年在科技创新和人才方面打算怎么做？", True),
    ("1997年国家地震局就加强防震减灾工作提了哪几条意见？", True),
    ("同北欧国家合作主要在哪些方面？", True),
    ("跟德国、法国、意大利这些欧盟国家，规划说要学人家哪些方面的经验？", False),
    ("杂交水稻海外推广要争取哪些中央部门的支持？", False),
    ("外事港澳工作要坚持哪几条基本原则？", False),
])
def test_broad_questions_are_read_as_such(question, broad):
    assert analyse(question).broad is broad


def test_an_english_question_reads_the_chinese_it_quotes_and_general_policy_terms():
    from rag.glossary import chinese_terms

    assert "三项制度" in chinese_terms("What does the guideline on the 'three systems' (三项制度) require?")
    assert "对外开放" in chinese_terms("What is Zhejiang planning for 2025 to expand high-level opening-up?")
    assert analyse("What is Zhejiang planning for 2025 to expand high-level opening-up?").broad


def test_an_english_broad_question_gets_the_reports_subsection(documents_assistant):
    r = documents_assistant.ask("What is Sichuan planning for 2025 to expand opening-up?")
    items = _items(r.answer.text)
    assert items[0].startswith("（五）扩大高水平对外开放")
    assert len(items) >= 6 and {c.passage.doc_id for c in r.answer.citations} == {"gwr-2025-sichuan"}


def test_a_year_naming_the_report_still_asks_its_plan():
    from rag.answer import asks_plan

    assert asks_plan(analyse("北京市2025年政府工作报告里，稳就业有哪些具体措施？"))
    assert asks_plan(analyse("今年省里能给些什么支持？"))
    assert not asks_plan(analyse("2024年稳就业有哪些措施？"))  # a year of its own: its plan or its review


def test_a_province_whose_name_holds_a_countrys_is_no_place_abroad():
    from rag.query import _places_by_kind

    assert [sorted(found) for found, _ in _places_by_kind("内蒙古自治区今年治沙和节水方面打算怎么做？")] == [["内蒙古"]]
    assert [sorted(found) for found, _ in _places_by_kind("同蒙古国的合作有哪些安排？")] == [["蒙古"]]
