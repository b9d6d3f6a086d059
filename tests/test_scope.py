"""Scoping a question to the documents it names (rag.query + rag.scope), on the records of real files."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from rag.cleaning import clean_document
from rag.documents import build_record
from rag.loaders import load_document
from rag.query import analyse
from rag.scope import scope_for

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@lru_cache(maxsize=None)
def records_of(folder: Path) -> dict:
    out = {}
    for path in sorted(folder.iterdir()):
        r = build_record(clean_document(load_document(path)))
        out[r.doc_id] = r
    return out


def records():
    return records_of(FIXTURES)


def bundled():
    return records_of(CORPUS)


def scope(question, recs=None):
    return scope_for(analyse(question), recs or records())


def test_a_province_named_scopes_to_its_reports():
    s = scope("四川2025年城镇新增就业目标是多少？")
    assert s.doc_ids == ["gwr-2025-sichuan"] and not s.missing
    assert scope("What is Yunnan's GDP growth target for 2025?").doc_ids == ["gwr-2025-yunnan"]


def test_a_province_not_held_is_said_plainly():
    s = scope("广东2025年外贸目标是多少？")
    assert s.missing == "未收录广东的文件。" and s.code == "scope.not_held.region"


def test_national_questions_go_to_national_documents():
    s = scope("2024年全国城镇新增就业目标是多少？")
    assert s.doc_ids == ["gwr-national-2024"]  # national, then the 2024 report (a report of 2025 would review 2024)
    s = scope("2023年政府工作报告提出的国内生产总值增长预期目标是多少？")
    assert s.doc_ids == ["gwr-national-2023"] and "scope.kind_year" in s.rules


def test_a_report_year_not_held_is_said_plainly():
    s = scope("2020年政府工作报告提出的赤字率是多少？")
    assert s.missing == "未收录2020年的政府工作报告。"


def test_document_numbers_are_looked_up_exactly():
    assert scope("国发〔2019〕4号是什么文件？").doc_ids == ["gov-cn-5365341"]
    s = scope("国发〔2019〕3号是什么文件？")
    assert s.missing == "未收录文号为国发〔2019〕3号的文件。" and s.code == "scope.not_held.doc_number"


def test_an_order_is_named_by_its_number_with_the_issuer_written_out_and_a_regulation_by_the_year_it_took_effect():
    from rag.documents import same_doc_number

    # The regulation's information table gives "国令第707号"; the order itself is "中华人民共和国国务院令 第707号".
    asked = "按照国务院令第707号修订的个人所得税法实施条例，哪些情形需要办理年度汇算清缴？"
    assert scope(asked).doc_ids == ["gov-cn-5351177"] and "scope.doc_number" in scope(asked).rules
    assert scope("国务院令第708号规定了什么？").code == "scope.not_held.doc_number"
    assert same_doc_number("国令第707号", "国务院令第707号") and not same_doc_number("国令第707号", "国务院令第706号")
    assert not same_doc_number("国发〔2019〕3号", "国办发〔2019〕3号")
    # Written in 2018, in force from 2019: "2019年起施行的…条例" names it; no regulation held took effect in 2020.
    s = scope("按2019年起施行的个税实施条例，外籍专家在华不满90天的工资要交个税吗？")
    assert "gov-cn-5351177" in s.doc_ids and "scope.kind_year" in s.rules
    assert scope("按2021年起施行的条例，外籍专家要交个税吗？").code == "scope.not_held.kind_year"


def test_a_title_in_book_marks_scopes_to_that_document():
    s = scope("《个人所得税法实施条例》第六条是怎么规定的？")
    assert s.doc_ids == ["gov-cn-5351177"]


def test_unscoped_questions_search_everything():
    assert scope("城镇新增就业目标是多少？").doc_ids is None


@pytest.mark.parametrize("question", ["湖南和广东有哪些合作？", "到2025年全省国际友好城市要达到多少对？", "香港有哪些合作平台？"])
def test_one_provinces_own_documents_are_not_scoped_by_the_places_they_speak_of(question):
    # The bundled corpus is one province's: a place it speaks of is no reason to refuse.
    s = scope(question, bundled())
    assert not s.missing


def test_a_kind_and_year_named_together_keep_the_other_kinds_named():
    # National reports and regulations (not bundled): "2024年的政府工作报告" names one report, "条例" the regulations.
    s = scope("2024年的政府工作报告和条例里分别怎么说专利代理？")
    assert s.doc_ids == ["gov-cn-5341736", "gov-cn-5351177", "gwr-national-2024"] and "scope.kind_year" in s.rules
    assert scope("2024年的政府工作报告里怎么说专利代理？").doc_ids == ["gwr-national-2024"]


def test_an_english_questions_province_scopes_it_and_is_no_search_term():
    from rag.glossary import chinese_terms

    question = "What is Sichuan's GDP growth target for 2025?"
    assert scope(question).doc_ids == ["gwr-2025-sichuan"]
    terms = chinese_terms(question)
    assert "国内生产总值" in terms and not {"四川", "四川省"} & set(terms)
    assert "成都" in chinese_terms("How many flights leave Chengdu airport each week?")  # a city stays a term


MULTIDOC = Path(__file__).resolve().parent.parent / "eval" / "corpora" / "multidoc" / "gov-cn-2019"


def with_national(*doc_ids: str) -> dict:
    """The fixture records, and national documents of the multi-document corpus whose title names a province."""
    recs = dict(records())
    for doc_id in doc_ids:
        r = build_record(clean_document(load_document(MULTIDOC / f"{doc_id}.html")))
        recs[r.doc_id] = r
    return recs


def test_a_national_document_titled_with_the_province_answers_a_year_its_reports_do_not_cover():
    # 《国务院办公厅关于四川省在温家宝总理考察工作时所提问题和建议办理情况的函》 (2004) is about 四川 too.
    recs = with_national("gov-cn-5351671")
    s = scope("2004年温家宝总理到四川考察，四川省提出的问题和建议主要有哪些？", recs)
    assert s.doc_ids == ["gov-cn-5351671"] and not s.missing
    # The province's own report still answers its own year.
    assert scope("四川2025年城镇新增就业目标是多少？", recs).doc_ids == ["gwr-2025-sichuan"]


def test_a_province_held_only_in_national_titles_is_not_held_for_its_own_report():
    # 海南 is named in the title of a State Council decision, but no 海南 report is held.
    recs = with_national("gov-cn-5353307")
    s = scope("海南省2025年政府工作报告对自由贸易港封关运作是怎么安排的？", recs)
    assert s.missing == "未收录海南的文件。"
    s = scope("海南省的博鳌乐城国际医疗旅游先行区，进口药品的审批作了什么调整？", recs)
    assert s.doc_ids == ["gov-cn-5353307"]
    # Without 省: 海南 is also the short name of a prefecture of 青海 (海南藏族自治州), which counts only
    # in full; the province's name stays the province's.
    assert scope("海南2025年政府工作报告定的城镇新增就业目标是多少？", recs).missing == "未收录海南的文件。"
    short, full = scope("海南今年的城镇新增就业目标是多少？", recs), scope("海南省今年的城镇新增就业目标是多少？", recs)
    assert (short.doc_ids, short.missing) == (full.doc_ids, full.missing)
    s = scope("海南的博鳌乐城国际医疗旅游先行区，进口药品的审批作了什么调整？", recs)
    assert s.doc_ids == ["gov-cn-5353307"]


def test_a_city_name_that_is_an_everyday_word_counts_only_in_full_and_a_province_name_always():
    from rag.places import find_places

    assert [(p.name, p.level) for p in find_places("海南的博鳌亚洲论坛")] == [("海南", "province")]
    assert [(p.name, p.level) for p in find_places("海南藏族自治州的牧业")] == [("海南", "city")]
    assert find_places("大同小异，日照时间长") == []
    assert [p.name for p in find_places("山西省大同市")] == ["山西", "大同"]


def test_a_notice_forwarding_a_report_holds_that_report():
    """"国家地震局关于1997年地震趋势的报告" is held as the State Council's notice forwarding it (its title names the
    report); a 报告 of that year is not "not held"."""
    folder = Path(__file__).resolve().parent.parent / "eval" / "corpora" / "multidoc" / "gov-cn-2019"
    forwarded = build_record(clean_document(load_document(folder / "gov-cn-5345291.html")))
    recs = {**records(), forwarded.doc_id: forwarded}
    s = scope("国家地震局关于1997年地震趋势的报告里，1996年我国共发生5级以上地震多少次？", recs)
    assert not s.missing and s.doc_ids == ["gov-cn-5345291"]


def test_a_deadline_year_keeps_the_earlier_documents_that_set_it(documents_assistant):
    # The 2019 income-tax regulations (gov-cn-5351177) were issued before 2025; a question on a target "by 2025"
    # is not narrowed to the 2025 reports, as a question on what 2025 saw is.
    from rag.scope import scope_for

    records = documents_assistant.records
    by_2025 = scope_for(analyse("What grain output is to be reached by 2025?"), records)
    in_2025 = scope_for(analyse("What grain output was reached in 2025?"), records)
    assert by_2025.doc_ids is None or "gov-cn-5351177" in by_2025.doc_ids
    assert in_2025.doc_ids is not None and "gov-cn-5351177" not in in_2025.doc_ids


def test_a_target_for_a_year_asked_of_a_kind_that_year_has_none_of_keeps_the_earlier_ones_of_that_kind():
    # 《国家职业教育改革实施方案》 (2019) sets targets for 2022; the 2023 report reviews 2022 but is no 方案.
    s = scope("职教改革的实施方案对2022年提出了什么目标？")
    assert s.doc_ids is not None and "gov-cn-5365341" in s.doc_ids and "gwr-national-2023" in s.doc_ids
    # Named by its subject's words, it is the one document asked.
    named = scope("国家职业教育改革实施方案对2022年提出了什么目标？")
    assert named.doc_ids == ["gov-cn-5365341"] and named.rules == ["scope.title"]
    # A year's own report sets its targets: the older reports and notices stay out.
    assert scope("2024年全国城镇新增就业目标是多少？").doc_ids == ["gwr-national-2024"]


def test_a_named_reports_target_and_what_came_of_it_keep_the_next_years_report():
    # The 2023 report sets 2023's targets; the 2024 report (also held) reviews 2023.
    s = scope("2023年政府工作报告说当年城镇新增就业要多少？最后实际新增了多少？")
    assert s.doc_ids is not None and set(s.doc_ids) == {"gwr-national-2023", "gwr-national-2024"}
    s = scope("2023年政府工作报告提出的城镇新增就业目标是多少？")
    assert s.doc_ids == ["gwr-national-2023"]


def test_a_version_of_a_titled_document_named_by_its_year_must_be_held():
    # The fixtures hold the regulation as revised in 2018 (国令第707号): no 2011 revision.
    s = scope("2011年修订的《中华人民共和国个人所得税法实施条例》规定了什么？")
    assert s.code == "scope.not_held.title_year" and "2011年修订" in s.missing
    assert scope("2018年修订的《中华人民共和国个人所得税法实施条例》里，哪些情形要汇算清缴？").doc_ids == ["gov-cn-5351177"]


def test_a_title_spelled_for_a_place_whose_document_of_that_title_is_not_held_is_not_held():
    # The same letter is held for 四川 and 湖北, not for 广东: spelling 广东's is no question about 四川's.
    recs = with_national("gov-cn-5351671", "gov-cn-5345295")
    s = scope("国务院办公厅关于广东省在温家宝总理考察工作时所提问题和建议办理情况的函，对广东提出的问题是怎么答复的？", recs)
    assert s.code == "scope.not_held.title_place" and "广东省" in s.missing
    s = scope("国务院办公厅关于四川省在温家宝总理考察工作时所提问题和建议办理情况的函，对亭子口水利枢纽工程是怎么答复的？", recs)
    assert not s.missing and s.doc_ids == ["gov-cn-5351671"]
