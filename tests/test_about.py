"""Questions about a document itself — its structure, its publication — are answered from its records (rag.about)."""

from __future__ import annotations

import pytest

from conftest import PLAN_ID, REVIEW_ID
from rag.support import sentence_support

PLAN_CHAPTERS = ["第一章 开启建设现代化新湖南对外开放新征程", "第二章 在服务国家总体外交中实现新作为",
                 "第三章 着力打造内陆地区对外开放高地", "第四章 推进外事管理服务体系现代化",
                 "第五章 强化现代化新湖南对外开放的实施保障"]


def _lines(result) -> list[str]:
    return [ln.split("[")[0] for ln in result.answer.text.splitlines()[1:]]


def _every_heading_is_quoted_from_its_citation(result) -> None:
    by_n = {c.n: c.passage.text for c in result.answer.citations}
    for line in result.answer.text.splitlines()[1:]:
        n = int(line.rsplit("[", 1)[1].rstrip("]"))
        assert sentence_support(line, by_n[n]) == 1.0, line


def test_the_plans_chapters_are_listed_in_order_each_cited(assistant):
    result = assistant.ask("规划一共有几章？")
    assert result.answer.text.startswith("《湖南省外事港澳工作“十四五”发展规划》共5章")
    assert _lines(result) == PLAN_CHAPTERS
    assert {c.passage.doc_id for c in result.answer.citations} == {PLAN_ID}
    _every_heading_is_quoted_from_its_citation(result)


def test_a_named_chapters_sections_are_listed(assistant):
    result = assistant.ask("第三章下面有哪几节？")
    assert "第三章 着力打造内陆地区对外开放高地，共7节" in result.answer.text
    assert _lines(result)[0] == "第一节 主动服务湖南对接“一带一路”"
    assert _lines(result)[-1] == "第七节 塑造开放湖南新形象"
    _every_heading_is_quoted_from_its_citation(result)
    # "what is in chapter 2" is its sections too; "chapter 2, section 4" is a text question.
    assert "第四节 深化拓展对非交往" in assistant.ask("第二章主要讲了哪些内容？").answer.text
    assert not assistant.ask("第二章第四节讲了什么？").answer.text.startswith("《")


def test_the_review_is_found_by_its_title_words_and_its_parts_listed(assistant):
    result = assistant.ask("这篇回顾包括哪几部分内容？")
    assert {c.passage.doc_id for c in result.answer.citations} == {REVIEW_ID}
    parts = _lines(result)
    assert "高层交往引领:激发高质量发展新动能" in parts and parts[-1] == "结语"
    # The UI's document choice decides which document "it" is.
    chosen = assistant.ask("一共分几个部分？", doc_ids=[REVIEW_ID])
    assert _lines(chosen) == parts


def test_english_outline_question(assistant):
    result = assistant.ask("How many chapters does the plan have?")
    assert "has 5 chapters" in result.answer.text
    assert _lines(result) == PLAN_CHAPTERS


@pytest.mark.parametrize(
    "question",
    [
        "十四五外事港澳工作的主要目标分成哪几个方面？",  # the targets' list, not the document's parts
        "规划里港澳合作分哪几部分来写？",  # a topic: retrieval answers
        "对非合作有几节？",
    ],
)
def test_questions_about_a_topic_are_not_answered_with_the_outline(assistant, question):
    text = assistant.ask(question).answer.text
    assert not any(ch in text for ch in PLAN_CHAPTERS[1:]), text


# ------------------------------------------------------------------ publication facts
def test_when_and_where_a_document_was_published_is_quoted_from_its_record(assistant):
    result = assistant.ask("这篇回顾是什么时候发的？来源是哪家媒体？")
    assert "2026-03-04" in result.answer.text and "华声在线" in result.answer.text
    [citation] = result.answer.citations
    assert citation.passage.doc_id == REVIEW_ID and "文件信息" in citation.passage.headings
    # Only the fields asked for: the plan's date, not its index number or title.
    text = assistant.ask("规划是哪天印发的？").answer.text
    assert "2023-11-02" in text and "索引号" not in text, text
    assert "430S00/2023-112035" in assistant.ask("规划的索引号是多少？").answer.text
    english = assistant.ask("When was the plan published?").answer
    assert "2023-11-02" in english.text and english.citations[0].passage.doc_id == PLAN_ID


def test_a_credit_named_exactly_is_answered_by_its_own_field(assistant):
    result = assistant.ask("这篇回顾的二审是谁？")
    assert result.answer.citations[0].sentences == ["二审:印奕帆"], result.answer.text


def test_a_fact_the_documents_record_does_not_hold_is_not_answered(assistant):
    # The plan records no author; the review's editor must not be passed off as one.
    result = assistant.ask("规划的作者是谁？")
    assert result.answer.abstained, result.answer.text


def test_a_topic_question_about_dates_goes_to_retrieval(assistant):
    result = assistant.ask("2025年中非经贸博览会是什么时候发布成交金额的？")
    assert not any("文件信息" in c.passage.headings for c in result.answer.citations), result.answer.text


def test_a_document_named_by_its_title_words_is_the_only_one_whose_opening_is_ranked(scratch_index, embedder):
    # Among many documents, "这篇回顾…" must look for the publication record in the review only: the
    # openings of other documents that the question's other words resemble do not count.
    from rag.store.index import Index
    from rag.retrieval import Retriever

    corpus = scratch_index.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    for i, subject in enumerate(["农业农村", "交通运输", "卫生健康"]):
        (corpus / f"other-{i}.txt").write_text(
            f"某省{subject}工作要点\n\n第一节 工作回顾\n\n今日我们回顾{subject}工作,由省融媒体中心发布,时间是2025年。\n",
            encoding="utf-8")
    Index(scratch_index, embedder=embedder).upsert([corpus / f"other-{i}.txt" for i in range(3)])
    index = Index(scratch_index, embedder=embedder).load()
    retriever = Retriever(index, scratch_index)
    openings = {p.id: p.doc_id for p in retriever._document_openings}
    assert len(set(openings.values())) == 5
    named = retriever._document_ranking("这篇回顾是哪家媒体、什么时候发的？", [])
    assert named and {openings[pid] for pid in named} == {REVIEW_ID}
    # A question that names no document by its title keeps every document's opening.
    unnamed = retriever._document_ranking("这份文件是哪天发布的？", [])
    assert {openings[pid] for pid in unnamed} == set(openings.values())
    hits = retriever.retrieve("这篇回顾是哪家媒体、什么时候发的？", k=5).hits
    assert any("文件信息" in h.passage.headings and h.passage.doc_id == REVIEW_ID for h in hits)


def test_what_a_notice_issues_is_quoted_not_its_number_line(documents_assistant):
    # 国发〔2019〕4号 (tests/fixtures/documents): "印发的是什么" asks what it issues, not when or under which number.
    a = documents_assistant.ask("国发〔2019〕4号印发的是什么方案？").answer
    assert not a.abstained and "《国家职业教育改革实施方案》印发给你们" in a.text
    assert "各省、自治区、直辖市人民政府" not in a.text  # the addressees say nothing
    assert not a.text.startswith("国发〔2019〕4号")


def test_a_question_naming_a_number_gets_no_information_table_lines(documents_assistant):
    # 国发〔2019〕4号 (tests/fixtures/documents): the 文号 says which document; its 索引号 and 主题分类 answer nothing.
    a = documents_assistant.ask("企业参与职业教育，国发〔2019〕4号鼓励用什么方式？").answer
    assert not a.abstained
    assert "索引号" not in a.text and "主题分类" not in a.text


def test_a_documents_number_asked_by_what_it_says_is_its_own_not_a_look_alikes(deputies_assistant):
    # Two replies of one day, alike but for their subjects and numbers: the number quoted is that of the reply whose
    # sentences answer (71号, on a free website of laws), not the other's (69号), whose information table reads the same.
    r = deputies_assistant.ask("关于创立免费查询法律法规的政府网站那条建议，国办答复文件的发文字号是什么？").answer
    assert not r.abstained and "国办函〔2006〕71号" in r.text and "69号" not in r.text
    assert {c.passage.doc_id for c in r.citations} == {"gov-cn-5351596"}
