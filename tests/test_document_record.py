"""Each document's record (rag.documents), read from real files of four kinds (tests/fixtures/documents/):
gov.cn pages with their information table, provincial reports as .docx, national reports as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.cleaning import clean_document, table_fields
from rag.documents import build_record, doc_numbers, parse_date, passage_time, reports_results
from rag.loaders import load_document

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def record(name: str, folder: Path = FIXTURES):
    return build_record(clean_document(load_document(folder / name)))


def test_information_table_labels_with_any_spacing():
    assert table_fields("索 引 号： 000014349/2019-00005  主题分类： 科技、教育\\教育") == [
        ("索引号", "000014349/2019-00005"), ("主题分类", "科技、教育\\教育")]
    assert table_fields("标　　题： 国务院关于印发国家职业教育改革实施方案的通知")[0][0] == "标题"
    assert table_fields("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：") == []


def test_gov_cn_notice_record_comes_from_its_information_table():
    doc = clean_document(load_document(FIXTURES / "gov-cn-5365341.html"))
    r = build_record(doc)
    assert r.title == "国务院关于印发国家职业教育改革实施方案的通知" and r.title_from == "table"
    assert (r.kind, r.issuer, r.region) == ("通知", "国务院", "全国")
    assert r.doc_number == "国发〔2019〕4号"
    assert (r.written, r.published, r.year) == ("2019-01-24", "2019-02-13", 2019)
    # The table is metadata, not body text, and the title printed over two lines is not body text either.
    assert not any(p.text.startswith(("索 引 号", "索引号")) for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "国发〔2019〕4号"


def test_regulation_record_has_its_order_number_and_effective_date():
    r = record("gov-cn-5351177.html")
    assert r.title == "中华人民共和国个人所得税法实施条例" and r.kind == "条例"
    assert r.doc_number == "国令第707号"
    # Published (公布) and in force (施行) are different dates.
    assert r.published == "2018-12-22" and r.effective == "2019-01-01"


@pytest.mark.parametrize("name, region, year", [("gwr-2025-sichuan.docx", "四川", 2025), ("gwr-2025-yunnan.docx", "云南", 2025)])
def test_provincial_report_record(name, region, year):
    r = record(name)
    assert (r.kind, r.region, r.year) == ("政府工作报告", region, year)
    assert r.issuer.startswith(region) and r.published.startswith("2025-01")


def test_national_reports_of_two_years():
    a, b = record("gwr-national-2023.txt"), record("gwr-national-2024.txt")
    assert (a.region, a.year, a.issuer) == ("全国", 2023, "国务院")
    assert (b.region, b.year) == ("全国", 2024)
    assert b.resolve_relative_year("今年") == 2024 and b.resolve_relative_year("过去一年") == 2023


def test_bundled_documents_records():
    plan = record("hunan-foreign-affairs-plan-2021-2025.txt", CORPUS)
    assert (plan.kind, plan.region, plan.period) == ("规划", "湖南", (2021, 2025))
    review = record("hunan-foreign-affairs-review-2025-part3.txt", CORPUS)
    assert (review.region, review.year, review.published) == ("湖南", 2025, "2026-03-04")


def test_passage_time_reads_headings_and_the_documents_year():
    r = record("gwr-national-2024.txt")
    # Under a heading that names its year: that year only (the headings carry it).
    assert passage_time(("一、2023年工作回顾",), "城镇新增就业1244万人。", r) == ""
    # Under "今年政府工作任务": the report's year.
    assert passage_time(("二、2024年经济社会发展总体要求和政策取向",), "今年…", r) == ""
    assert passage_time(("三、今年政府工作任务",), "城镇新增就业1200万人以上。", r) == "2024年"
    assert "2023年" in passage_time(("过去一年工作回顾",), "…", r)


def test_dates_and_numbers():
    assert parse_date("二〇〇四年六月二十六日") == "2004-06-26"
    assert parse_date("2019年01月24日") == "2019-01-24"
    assert doc_numbers("按照国办发[2019]3号和国务院令第706号") == ["国办发〔2019〕3号", "国务院令第706号"]


def test_a_web_pages_inline_markup_does_not_break_its_lines():
    # gov.cn pages wrap parts of a paragraph in <span>s: the article number and its text, a request's
    # name and "的请示…收悉". A browser shows one line; so does the reader.
    regulation = clean_document(load_document(FIXTURES / "gov-cn-5341736.html")).text.splitlines()
    assert any(line.startswith("第十二条 专利代理师首次执业，应当自执业之日起30日内") for line in regulation)
    assert "第十二条" not in regulation
    reply = clean_document(load_document(CORPUS.parent / "eval" / "corpora" / "multidoc" / "gov-cn-2019" / "gov-cn-5345407.html"))
    assert "同意武警总部后勤部机关及部分直属单位迁址新建，所需建设资金由你们自筹解决" in reply.text


def test_a_letters_addressee_is_not_a_heading():
    from rag.headings import classify_heading

    # "湖北省人民政府：" opens a reply; "总指挥：" and "工作原则：" label what follows.
    assert classify_heading("湖北省人民政府：") is None and classify_heading("武警总部：") is None
    assert classify_heading("总指挥：").kind == "label" and classify_heading("工作原则：").kind == "label"
    reply = CORPUS.parent / "eval" / "corpora" / "multidoc" / "gov-cn-2019" / "gov-cn-5345295.html"
    from rag.passages import build_passages

    passages = build_passages(clean_document(load_document(reply)), 150, 450)
    assert not any("湖北省人民政府" in p.headings for p in passages)


def test_a_reports_part_headed_by_what_was_achieved_reviews_the_year_before():
    # 福建's report heads its review "一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效", with no year or 回顾.
    fujian = record("gwr-2025-fujian.docx", CORPUS.parent / "eval" / "corpora" / "multidoc" / "gwr-provinces-2025")
    assert (fujian.kind, fujian.year) == ("政府工作报告", 2025)
    review = ("一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效", "（六）办好民生实事，人民群众生活品质稳步改善提高")
    plan = ("二、牢记历史使命，在中国式现代化建设中奋勇争先",)
    assert reports_results(review, fujian) and "2024年" in passage_time(review, "城镇新增就业53.1万人。", fujian)
    assert not reports_results(plan, fujian) and passage_time(plan, "城镇新增就业50万人。", fujian) == "2025年"
    # A plan's goal heading in another kind of document is not read as a review.
    plan_doc = record("gov-cn-5365341.html")
    assert not reports_results(("一、到2022年取得新成效",), plan_doc)
