"""Several documents of one kind, one question: one labelled, cited line per document (real reports).

The index holds the 2023 and 2024 national reports and the 2025 reports of 四川 and 云南
(``tests/fixtures/documents``), indexed once per session.
"""

from __future__ import annotations


def test_an_unscoped_figure_is_answered_per_document(documents_assistant):
    r = documents_assistant.ask("城镇新增就业的预期目标是多少？")
    a = r.answer
    assert not a.abstained
    lines = a.text.split("\n")
    assert lines[0].startswith("以下") and lines[0].endswith("：")
    labels = [ln for ln in lines[1:] if ln.endswith("：")]
    assert len(labels) >= 2 and len(set(labels)) == len(labels)
    cited_docs = {c.passage.doc_id for c in a.citations}
    assert len(cited_docs) >= 2
    # every document's line cites that document only
    by_n = {c.n: c.passage.doc_id for c in a.citations}
    current = None
    for ln in lines[1:]:
        if ln.endswith("："):
            current = ln[:-1]
            continue
        docs = {by_n[int(n)] for n in __import__("re").findall(r"\[(\d+)\]", ln)}
        assert len(docs) == 1, ln
        title = next(c.passage.doc_title for c in a.citations if c.passage.doc_id in docs)
        assert current and (current in title or title in current)


def test_a_scoped_question_gets_its_document_only(documents_assistant):
    a = documents_assistant.ask("四川2025年城镇新增就业目标是多少？").answer
    assert not a.abstained and not a.text.startswith("以下")
    assert {c.passage.doc_id for c in a.citations} == {"gwr-2025-sichuan"}


def test_a_result_question_keeps_the_review_not_the_plan(documents_assistant):
    # The 2023 report states the 2023 target; the 2024 report reviews the 2023 result.
    a = documents_assistant.ask("2023年全国城镇新增就业实际完成了多少？").answer
    assert not a.abstained and "1244万人" in a.text
    assert {c.passage.doc_id for c in a.citations} == {"gwr-national-2024"}


def test_a_condition_on_the_figure_keeps_the_documents_that_meet_it(documents_assistant):
    # 云南's 2025 growth target is 5%左右, 四川's is not: only 云南 is quoted, under a lead naming the condition.
    a = documents_assistant.ask("哪些省份把2025年地区生产总值增长目标定在5%左右？").answer
    assert not a.abstained and "符合条件（5%左右）" in a.text.split("\n")[0]
    assert {c.passage.doc_id for c in a.citations} == {"gwr-2025-yunnan"}
    # 四川 plans 85万人 new urban jobs, 云南 50万人: "60万人以上" is 四川 alone.
    a = documents_assistant.ask("2025年城镇新增就业目标在60万人以上的省份有哪些？").answer
    assert not a.abstained and "85万人" in a.text
    assert {c.passage.doc_id for c in a.citations} == {"gwr-2025-sichuan"}
    # Asked for provinces, a national report's figure (1200万人) is not one of them.
    assert all(c.passage.doc_id.startswith("gwr-2025") for c in a.citations)


def test_a_condition_no_document_meets_is_not_answered_with_other_figures(documents_assistant):
    # Neither province plans 1000亿斤 of grain: no province's figure is offered as meeting it.
    a = documents_assistant.ask("2025年粮食产量目标在1000亿斤以上的省份有哪些？").answer
    assert "符合条件" not in a.text


def test_a_ranking_across_the_country_is_asked_of_the_provinces(documents_assistant):
    """"居全国第一的是哪个省": 全国 frames the ranking; the question is about a province's report (云南's, not
    bundled), not scoped to the national ones."""
    for question, said in (
        ("哪个省份的咖啡种植面积和产量排名全国第一？", "稳居全国第1位"),
        ("脱贫人口小额信贷发放量居全国第一的是哪个省？", "居全国第1位"),
    ):
        a = documents_assistant.ask(question).answer
        assert not a.abstained and said in a.text, a.text
        assert {c.passage.doc_id for c in a.citations} == {"gwr-2025-yunnan"}


def test_one_years_result_is_read_in_the_next_years_review(documents_assistant):
    """The 2024 report reviews 2023; the 2023 report's own review is of 2022 and its five years."""
    a = documents_assistant.ask("2023年我国国内生产总值实际增长了多少？").answer
    assert not a.abstained and "5.2%" in a.text and "年均" not in a.text
    assert a.citations[0].passage.doc_id == "gwr-national-2024"
