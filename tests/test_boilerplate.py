"""What documents say about themselves (rag/boilerplate.py), on lines of real reports and notices."""

from __future__ import annotations

from rag.boilerplate import empty_passage, formula_sentences, is_formula, says_nothing
from rag.passages import Passage
from rag.query import analyse


def _p(doc: str, text: str, order: int = 0) -> Passage:
    return Passage(id=f"{doc}-{order}", doc_id=doc, doc_title=doc, text=text, order=order)


def test_bylines_numbers_and_addressees_say_nothing():
    # 湖南's and 江苏's 2025 reports (湖南 bundled for this test only as a line; 江苏 not bundled).
    assert says_nothing("2025年1月14日在湖南省第十四届人民代表大会第三次会议上省长毛伟明作政府工作报告。")
    assert says_nothing("2025年1月19日在江苏省第十四届人民代表大会第三次会议上省长许昆林作政府工作报告。")
    assert says_nothing("国办发〔2018〕108号")
    assert says_nothing("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：")
    assert not says_nothing("2025年1月7日，日喀则定日县发生6.8级地震。")


def test_a_formula_repeated_across_documents_makes_a_passage_empty():
    # The salutation and formula two provinces' reports open with, word for word; a passage of them is empty.
    formula = "现在，我代表省人民政府，向大会作政府工作报告，请予审议，并请各位政协委员提出意见。"
    opening = [_p("gwr-2025-hunan", f"各位代表\n{formula}"), _p("gwr-2025-fujian", f"各位代表：\n{formula}")]
    body = [
        _p("gwr-2025-hunan", "全省地区生产总值增长5.5%左右。", 1),
        _p("gwr-2025-fujian", "城镇新增就业50万人以上。", 1),
    ]
    formulas = formula_sentences(opening + body)
    assert any("请予审议" in f for f in formulas)
    assert all(empty_passage(p, formulas) for p in opening)
    assert not any(empty_passage(p, formulas) for p in body)


def test_the_query_reads_quoted_names_list_counts_and_publication():
    q = analyse("政府工作报告中说的“六保”具体是哪六项？")
    assert q.quoted == ("六保",) and q.listed == 6 and "list" in q.answer_types
    assert analyse("2019年政府工作报告提出的“六稳”是指稳哪六个方面？").listed == 6
    assert analyse("外事干部队伍建设坚持哪六个字？").listed == 0  # six characters, not six items
    # A quoted document title names where to look, not a name to find.
    assert analyse("《专利代理条例》第二十五条规定了什么？").quoted == ()
    assert analyse("游戏《黑神话：悟空》在哪些省的政府工作报告里被提到了？").quoted == ("黑神话：悟空",)
    assert analyse("国办发〔2018〕108号是哪天发布的？").asks_publication
    assert not analyse("浙江今年打算给企业减负多少钱？").asks_publication


def test_retrieval_finds_the_quoted_name_and_ranks_bylines_low(documents_assistant):
    # Two national and two provincial reports: "政府工作报告" matches every byline; "六保" only 2023's review.
    hits = documents_assistant.retriever.retrieve("政府工作报告中说的“六保”具体是哪六项？").hits[:5]
    assert any("保居民就业" in h.passage.text for h in hits[:3])
    assert not any(says_nothing(h.passage.text.split("\n")[-1]) for h in hits)
    answer = documents_assistant.ask("政府工作报告中说的“六保”具体是哪六项？").answer
    assert not answer.abstained and "保基层运转" in answer.text


def test_a_reports_opening_to_its_congress_is_a_formula_whatever_the_governments_name():
    # 北京's and the national report's openings differ by name, so no two repeat them word for word.
    assert is_formula("现在，我代表北京市人民政府，向大会报告政府工作，请予审议，并请市政协委员提出意见。", frozenset())
    assert is_formula("现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。", frozenset())
    assert is_formula("现在，我代表省人民政府，向大会作政府工作报告，请予审议，并请各位政协委员提出意见。", frozenset())
    assert not is_formula("现在，我们正处在实现现代化的关键时期。", frozenset())
