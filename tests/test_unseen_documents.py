"""Questions on real documents outside the bundled corpus and the seven of ``tests/fixtures/documents``: a
provincial report whose review is headed "过去一年", a gov.cn notice listing a leading group's members, a reply on
government websites, and the 2018 and 2019 national reports. They are copied from the multi-document corpus into
one small index, built once for this module (with 福建's report, whose review part is headed by what was
achieved)."""

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
    shutil.copy(MULTIDOC / "gov-cn-2019" / "gov-cn-5354526.html", corpus)  # a notice setting deadlines after the work
    shutil.copy(MULTIDOC / "gov-cn-2019" / "gov-cn-5345402.html", corpus)  # a committee and its office, with their heads
    shutil.copy(MULTIDOC / "gov-cn-2019" / "gov-cn-5345397.html", corpus)  # the State Council's working rules (2004)
    shutil.copy(MULTIDOC / "gwr-national" / "gwr-national-2018.txt", corpus)  # reviews 2013–2017 as "过去五年"
    shutil.copy(MULTIDOC / "gwr-national" / "gwr-national-2019.txt", corpus)
    shutil.copy(MULTIDOC / "gwr-provinces-2025" / "gwr-2025-fujian.docx", corpus)  # its review headed by what was achieved
    settings = make_settings(folder / "index", corpus_dir=corpus)
    Index(settings, embedder=embedder).ingest(corpus)
    return Assistant(settings, embedder=embedder)


def _refused_and_answered(assistant, refused_question: str, rule: str, answered_question: str, fact: str) -> None:
    """The first question is refused by the gate rule ``rule``; its near twin is answered with ``fact``."""
    refused = assistant.ask(refused_question).answer
    assert refused.abstained and rule in refused.reason
    answer = assistant.ask(answered_question).answer
    assert not answer.abstained and fact in answer.text


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


def test_a_figure_asked_in_a_clause_of_its_own_is_of_the_clause_before(unseen):
    # "设了6项专项附加扣除，每项每月具体能扣多少钱": the amount is the deductions', which the report does not give;
    # the pension's "每月70元提高到88元" beside it is another thing's.
    refused = unseen.ask("19年报告说设了6项专项附加扣除，每项每月具体能扣多少钱？").answer
    assert refused.abstained
    answer = unseen.ask("2019年政府工作报告说城乡居民基础养老金最低标准每月提高到多少？").answer
    assert not answer.abstained and "88元" in answer.text


def test_a_five_year_reviews_total_is_not_one_years_figure(unseen):
    # The 2018 report's "过去五年工作回顾": "新建改建农村公路127万公里" is five years' work; "高速公路里程从9.6万公里
    # 增加到13.6万公里" is the level at the end of 2017.
    _refused_and_answered(unseen, "2017年全国实际新建改建了多少公里农村公路？", "span_not_year",
                          "2017年末全国高速公路里程达到多少公里？", "13.6万公里")


def test_a_deadline_said_after_the_work_it_sets_answers_when_it_is_asked(unseen):
    # "…各地区、各部门和各单位都要制定具体的实施办法，…进行修订…。…以上工作要在2019年2月底前完成。"
    answer = unseen.ask("国办发〔2018〕127号文件要求各地区、各部门最晚什么时候前完成具体实施办法的制定和管理办法的修订？").answer
    assert not answer.abstained and "2019年2月底前" in answer.text


def test_the_post_of_a_bodys_office_is_not_the_bodys_own(unseen):
    # The 2008 airport coordination committee: "主任：尤权" heads it; "办公室主任由民航总局副局长杨国庆担任".
    office = unseen.ask("为2008年北京奥运会组建的首都国际机场协调委员会，办公室主任是谁？").answer
    assert not office.abstained and "杨国庆" in office.text and "尤权" not in office.text
    head = unseen.ask("首都国际机场协调委员会的主任是谁？").answer
    assert not head.abstained and "尤权" in head.text


def test_a_ministry_the_member_list_does_not_name_sends_no_one(unseen):
    # The committee's members come from 公安部, 外交部, 海关总署 … and no 交通部.
    _refused_and_answered(unseen, "2008年北京奥运会首都国际机场协调委员会里，交通部派哪位领导担任成员？", "organisation_missing",
                          "2008年北京奥运会首都国际机场协调委员会里，公安部派哪位领导担任副主任？", "刘金国")


def test_a_meeting_named_like_the_one_asked_gives_way_to_it(unseen):
    # "国务院全体会议一般每半年召开一次" reads like the answer; "国务院常务会议一般每月召开三次" is it.
    answer = unseen.ask("2004年印发的《国务院工作规则》规定国务院常务会议一般多久开一次？").answer
    assert not answer.abstained and "每月召开三次" in answer.text and "每半年" not in answer.text


def test_a_plan_question_is_not_answered_from_a_review_part_headed_by_what_was_achieved(unseen):
    # "一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效" reviews 2024; "今年…有哪些支持" asks the plan.
    answer = unseen.ask("福建今年在推进新型工业化、培育专精特新企业上有哪些支持？").answer
    assert not answer.abstained and answer.citations
    assert not any("取得新成效" in c.passage.headings[0] for c in answer.citations)
    assert all(c.passage.headings[0].startswith("二、") for c in answer.citations)


@pytest.mark.parametrize(
    "question, doc_id",
    [
        # The reports say "扩大高水平对外开放", "对外开放"; "扩大开放" is their 扩大 and 开放, not a subject they lack.
        ("广西2025年在扩大开放方面有哪些安排？", "gwr-2025-guangxi"),
        # The 2019 report writes 社保缴费; "社保费" is its short form, not a subject no document has.
        ("2019年政府工作报告在降低社保费率方面有哪些举措？", "gwr-national-2019"),
    ],
)
def test_a_field_the_documents_word_otherwise_is_no_unknown_field(unseen, question, doc_id):
    answer = unseen.ask(question).answer
    assert not answer.abstained
    assert {c.passage.doc_id for c in answer.citations} == {doc_id}


def test_a_plans_general_requirements_are_no_measure_of_a_field(unseen):
    # "今年政府工作的总体要求是：…坚持稳中求进工作总基调…" names every field and sets out none of its measures.
    answer = unseen.ask("2019年政府工作报告在稳就业方面有哪些举措？").answer
    assert not answer.abstained and answer.citations
    assert not any("总基调" in c.passage.text or "总体要求是" in c.passage.text for c in answer.citations)
    assert any("就业" in s for c in answer.citations for s in c.sentences)


def test_an_english_question_on_one_of_two_meetings_is_answered_about_that_one(unseen):
    # The working rules set both: "国务院全体会议一般每半年召开一次", "国务院常务会议一般每月召开三次". "plenary meeting"
    # reads as 全体会议, and a sentence on its sibling 常务会议 is not its answer.
    plenary = unseen.ask("Under the 2004 State Council Working Rules, how often does the State Council plenary meeting normally meet?").answer
    assert "全体会议一般每半年召开一次" in plenary.text and "常务会议一般每月" not in plenary.text
    executive = unseen.ask("How often does the State Council executive meeting normally meet under its Working Rules?").answer
    assert "常务会议一般每月召开三次" in executive.text
