"""Questions on real documents outside the bundled corpus and the seven of ``tests/fixtures/documents``: a
provincial report whose review is headed "过去一年" and a gov.cn notice listing a leading group's members.
Both are copied from the multi-document corpus into one small index, built once for this module."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, make_settings
from rag.query import analyse, asked_types

MULTIDOC = ROOT / "eval" / "corpora" / "multidoc"


@pytest.fixture(scope="module")
def unseen(tmp_path_factory, embedder):
    from rag.pipeline import Assistant
    from rag.store.index import Index

    folder = tmp_path_factory.mktemp("unseen")
    corpus = folder / "corpus"
    corpus.mkdir()
    shutil.copy(MULTIDOC / "gwr-provinces-2025" / "gwr-2025-guangxi.docx", corpus)
    shutil.copy(MULTIDOC / "gov-cn-2019" / "gov-cn-5339579.html", corpus)
    settings = make_settings(folder / "index", corpus_dir=corpus)
    Index(settings, embedder=embedder).ingest(corpus)
    return Assistant(settings, embedder=embedder)


def test_who_holds_a_role_is_answered_from_the_member_list(unseen):
    answer = unseen.ask("国务院第二次全国污染源普查领导小组组长是谁？").answer
    assert not answer.abstained and "组长：韩正 国务院副总理" in answer.text


def test_last_years_result_under_a_review_headed_past_year_and_this_years_target(unseen):
    # Guangxi's 2025 report: "一、过去一年工作回顾" is of 2024 (粮食产量280.76亿斤); the 2025 target is 282亿斤.
    answer = unseen.ask("广西2024年粮食产量是多少？2025年政府工作报告定的粮食产量目标是多少？").answer
    assert not answer.abstained and "280.76亿斤" in answer.text and "282亿斤" in answer.text


def test_what_an_english_or_chinese_question_asks_for_is_read_from_what_it_asks():
    # Consumer prices are no fee; a hotline's resolution rate is no phone number; a portal's launch date no web address.
    assert "fee" not in asked_types("What consumer price inflation target did China's 2023 government work report set?")
    assert "fee" in asked_types("What is the price of a visa?")
    assert "phone" not in asked_types("What resolution rate did Beijing's 12345 citizen service hotline achieve?")
    assert "phone" in asked_types("What is the hotline number?") and "phone" in asked_types("热线电话是多少？")
    assert asked_types("中央政府门户网站是哪天正式开通的？") == {"date"}
    assert "website" in asked_types("申请材料在哪个网站下载？")
    # A year naming a document is not a year asked about.
    assert analyse("In the State Council General Office's 2005 reply on water saving, what did reuse cost?").asked_years == ()
    assert analyse("What did the 2019 plan aim for in 2020?").asked_years == ("2020",)
