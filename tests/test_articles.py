"""Articles of real regulations (第X条) and the publication facts of real gov.cn pages, end to end.

The index holds ``tests/fixtures/documents``: 专利代理条例 (国令第706号, 32 articles under
5 chapters), 个人所得税法实施条例 (国令第707号, 36 articles, no chapters), a State Council
notice, two 2025 provincial reports and the 2023 and 2024 national reports.
"""

from __future__ import annotations

import pytest

from rag.cleaning import clean_document
from rag.headings import article_label, classify_heading, cn_to_int, int_to_cn
from rag.loaders import load_document
from rag.passages import build_passages

from conftest import DOCUMENTS

PATENT = "gov-cn-5341736"
TAX = "gov-cn-5351177"


def ask(assistant, question):
    return assistant.ask(question)


@pytest.mark.parametrize("n", [1, 9, 10, 11, 20, 32, 37, 99, 100, 102, 110, 154])
def test_chinese_numbers_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n


def test_article_lines_and_references_are_told_apart():
    assert article_label("第五条国务院专利行政部门负责全国的专利代理管理工作。") == "第五条"
    assert article_label("第三十二条 本条例自2019年3月1日起施行。") == "第三十二条"
    assert article_label("第二十三条、第二十四条所列政策外") is None  # a reference, not an article
    assert article_label("第六条规定的所得") is None
    assert classify_heading("第十一条").kind == "article"
    assert classify_heading("2018年12月18日") is None and classify_heading("国发〔2004〕18号") is None


@pytest.mark.parametrize("name,count", [(f"{PATENT}.html", 32), (f"{TAX}.html", 36)])
def test_every_article_is_its_own_passage_and_locator(name, count):
    passages = build_passages(clean_document(load_document(DOCUMENTS / name)))
    labels = {p.headings[-1] for p in passages if p.headings and p.headings[-1].endswith("条")}
    assert labels == {f"第{int_to_cn(n)}条" for n in range(1, count + 1)}
    seventh = next(p for p in passages if p.headings and p.headings[-1] == "第七条")
    assert seventh.locator.endswith("› 第七条") and "第八条" not in seventh.text


def test_how_many_articles(documents_assistant):
    r = ask(documents_assistant, "《专利代理条例》一共有多少条？")
    assert not r.answer.abstained and "共三十二条" in r.answer.text and "分为五章" in r.answer.text
    assert r.answer.citations[0].passage.headings[-1] == "第三十二条"


def test_an_article_is_quoted_whole(documents_assistant):
    r = ask(documents_assistant, "《个人所得税法实施条例》第四条是怎么规定的？")
    assert not r.answer.abstained
    assert "183天" in r.answer.text and "连续不满六年" in r.answer.text
    assert {c.passage.headings[-1] for c in r.answer.citations} == {"第四条"}
    r = ask(documents_assistant, "专利代理条例第七条规定了什么？")
    assert "合伙企业、有限责任公司" in r.answer.text and r.answer.citations[0].passage.doc_id == PATENT


def test_an_article_the_regulation_does_not_have_is_refused(documents_assistant):
    r = ask(documents_assistant, "《专利代理条例》第三十五条是怎么规定的？")
    assert r.answer.abstained and r.answer.reason.startswith("articles.absent")
    assert r.answer.text.startswith("《专利代理条例》共三十二条，没有第三十五条。")
    r = ask(documents_assistant, "What does Article 40 of the Implementing Regulations of the Individual Income Tax Law provide?")
    assert r.answer.abstained and "no Article 40" in r.answer.text


def test_an_article_of_a_document_not_held_is_refused(documents_assistant):
    r = ask(documents_assistant, "《中华人民共和国药品管理法实施条例》第三十六条是怎么规定的？")
    assert r.answer.abstained and r.answer.reason.startswith("articles.document_not_held")
    assert "未收录《中华人民共和国药品管理法实施条例》" in r.answer.text


def test_which_article_names_the_article(documents_assistant):
    r = ask(documents_assistant, "个人所得税法实施条例里，哪一条规定了需要办理综合所得汇算清缴的情形？")
    # The answer opens on the article: its label, or the article's own first line ("第二十五条 取得…").
    assert not r.answer.abstained and r.answer.text.startswith("第二十五条")


def test_identity_from_the_information_table(documents_assistant):
    r = ask(documents_assistant, "修订后的《专利代理条例》是以第几号国务院令公布的？")
    assert "国令第706号" in r.answer.text and "发布日期" not in r.answer.text
    r = ask(documents_assistant, "个人所得税法实施条例是哪天公布的？")
    assert "2018年12月22日" in r.answer.text and "成文日期" not in r.answer.text
    r = ask(documents_assistant, "《个人所得税法实施条例》是哪天成文的？")
    assert "2018年12月18日" in r.answer.text and "发布日期" not in r.answer.text


def test_a_document_named_by_abbreviations_is_answered_from_its_record(documents_assistant):
    """"职教" abbreviates 职业教育 in the title, and "哪天发的" asks the fact: the question names its document.
    "发的" may mean the day it was signed or put out, so both dates are quoted, with its number."""
    r = ask(documents_assistant, "国务院印发职教改革方案的那份通知是哪天发的？文号是多少？")
    assert not r.answer.abstained, r.answer.text
    for field in ("成文日期：2019年01月24日", "发布日期：2019年02月13日", "国发〔2019〕4号"):
        assert field in r.answer.text, r.answer.text
    assert [c.passage.headings[-1] for c in r.answer.citations] == ["文件信息"]


def test_abbreviations_are_characters_of_the_title_in_order_and_close_together():
    from rag.documents import abbreviates

    assert abbreviates("国办", "国务院办公厅关于调整国家教材委员会组成人员的通知")
    assert abbreviates("大运会", "国务院办公厅关于同意以深圳市名义申办2011年第26届世界大学生夏季运动会的复函")
    assert abbreviates("发改委", "国家发展和改革委员会")
    assert not abbreviates("办国", "国务院办公厅")  # out of order
    assert not abbreviates("奖金", "国务院关于2018年度国家科学技术奖励的决定")  # 金 is not there
    assert not abbreviates("国定", "国务院关于2018年度国家科学技术奖励的决定")  # 国 … 定: too far apart
    assert not abbreviates("中", "中华人民共和国")  # one character abbreviates nothing


def test_in_force_date_is_quoted_from_the_text(documents_assistant):
    r = ask(documents_assistant, "专利代理条例什么时候开始施行？")
    assert not r.answer.abstained and "自2019年3月1日起施行" in r.answer.text
    assert all("起施行" in s for c in r.answer.citations for s in c.sentences)


def test_a_numbered_item_of_a_list_is_quoted(documents_assistant):
    # 个人所得税法实施条例 第六条 lists the kinds of 经营所得 as "1." … "4.".
    a = ask(documents_assistant, "个人所得税法实施条例里经营所得包括的第3项是什么？").answer
    assert not a.abstained and "第3项" in a.text.split("\n")[0]
    assert "3.个人对企业、事业单位承包经营" in a.text
    assert [c.passage.doc_id for c in a.citations] == [TAX]
    # The list has four items: a ninth is not made up.
    a = ask(documents_assistant, "个人所得税法实施条例里经营所得包括的第9项是什么？").answer
    assert a.abstained


def test_numbered_lists_are_read_in_order():
    from rag.articles import _numbered_lists

    doc = load_document(DOCUMENTS / f"{TAX}.html")
    runs = _numbered_lists(build_passages(clean_document(doc)))
    assert any(sorted(r) == [1, 2, 3, 4] and r[4][1].startswith("4.个人从事其他生产") for r in runs)


def test_an_articles_item_is_quoted_with_its_lead_in(documents_assistant):
    # 专利代理条例 第二十六条: the penalty stands in the lead-in, the act in item （五）.
    a = ask(documents_assistant, "专利代理机构泄露委托人的发明创造内容会受到什么处罚？").answer
    assert not a.abstained
    lead, item = a.text.find("有下列行为之一的"), a.text.find("（五）泄露委托人的发明创造内容")
    assert 0 <= lead < item and "罚款" in a.text[lead:item]
    # 个人所得税法实施条例 第六条: item "2." of "（五）经营所得，是指：" comes with that enclosing item.
    a = ask(documents_assistant, "个人所得税法实施条例里，个人从事办学、医疗、咨询等有偿服务取得的所得属于什么所得？").answer
    assert "经营所得" in a.text and a.text.find("经营所得") < a.text.find("办学、医疗、咨询")


def test_everyday_words_find_the_articles_formal_ones(documents_assistant):
    # "私自接…活儿…怎么罚" is 第二十七条's "擅自开展专利代理业务…罚款" (专利代理条例, tests/fixtures/documents).
    from rag.glossary import formal_terms

    q = "没拿执业许可就私自接专利代理的活儿，按专利代理条例会怎么罚？"
    assert {"擅自", "处罚", "未取得", "业务"} <= set(formal_terms(q))
    r = documents_assistant.retriever.retrieve(q, k=5)
    assert "第二十七条" in [h.passage.headings[-1] for h in r.hits[:5]]


def test_a_lists_items_are_counted_when_the_question_totals_them():
    # The State Council's notice praising 130 practices (eval/corpora/multidoc, a gov.cn page): its attachment
    # is a list numbered 1.–130.
    from pathlib import Path
    from types import SimpleNamespace

    from rag.articles import Articles
    from rag.query import analyse

    path = Path(__file__).parent.parent / "eval" / "corpora" / "multidoc" / "gov-cn-2019" / "gov-cn-5343366.html"
    passages = {p.id: p for p in build_passages(clean_document(load_document(path)))}
    title = next(iter(passages.values())).doc_title
    articles = Articles(passages, {p.doc_id: title for p in passages.values()})
    hits = [SimpleNamespace(passage=p) for p in passages.values()]
    retrieval = SimpleNamespace(hits=hits)
    a = articles.item_answer(analyse("国务院第五次大督查通报表扬的典型经验做法一共有多少项？"), retrieval, None)
    assert a is not None and "共130项" in a.text and "130.新疆生产建设兵团" in a.text
    assert articles.item_answer(analyse("通报表扬的做法中第61项是什么？"), retrieval, None).text.count("61.江西省赣州市") == 1
    # Not a total of items ("多少个省份"), or nothing the list counts: no count.
    assert articles.item_answer(analyse("通报表扬了多少个省份的做法？"), retrieval, None) is None


def test_a_reports_glossary_is_not_counted_as_its_tasks(documents_assistant):
    # 四川's 2025 report (tests/fixtures/documents) ends with a numbered 名词解释: it counts no 重点工作.
    a = ask(documents_assistant, "2025年四川省政府工作报告一共有多少项重点工作？").answer
    assert "所列共" not in a.text
