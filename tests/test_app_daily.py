"""The app for daily use, without a browser (issue 18): the conversation the browser keeps, the export
(Markdown and .docx), the document record in citations and the source viewer, and the retrieval test.

Real model, real Chroma, the session index of the bundled corpus; the browser side is in
``test_app_daily_browser``.
"""

from __future__ import annotations

import json

import pytest

from conftest import PLAN_ID, REVIEW_ID, make_settings

SEA_Q = "我们想去东南亚开拓市场，有什么支持？"
UNANSWERABLE_Q = "办理APEC商务旅行卡要交多少费用？"
EN_Q = "How many sister-city pairs does Hunan aim to have by 2025?"


@pytest.fixture(scope="module")
def service(built_index_dir, embedder, tmp_path_factory):
    from rag.app.service import AppService

    fb = tmp_path_factory.mktemp("daily-fb") / "feedback.jsonl"
    return AppService(make_settings(built_index_dir, feedback_path=fb), embedder=embedder)


def _bare(text: str) -> str:
    """Text without whitespace (line breaks are written differently in Markdown, Word and the page)."""
    return "".join(text.split())


def _turn(service, question: str, history=None) -> dict:
    """A turn as the chat keeps it, answered through the app's own streaming path."""
    events = list(service.stream(question, history or []))
    return {"id": "t", "question": question, "status": "done", "partial": "", "result": events[-1].result,
            "error": None, "rating": None, "feedback_id": None, "doc_filter": []}


@pytest.fixture(scope="module")
def turns(service):
    answered = _turn(service, SEA_Q)
    assert not answered["result"]["abstained"] and answered["result"]["citations"]
    not_found = _turn(service, UNANSWERABLE_Q)
    assert not_found["result"]["abstained"] and not_found["result"]["related"]
    return [answered, not_found]


# ---------------------------------------------------------------- the conversation kept in the browser
def test_kept_conversation_comes_back_as_it_was_shown(service, turns):
    from rag.app.conversation import restored_conversation, stored_conversation
    from rag.app.render import render_chat

    rated = [dict(turns[0], rating="up", feedback_id="fb1"), turns[1]]
    pending = {"id": "p", "question": "那非洲呢？", "status": "streaming", "partial": "……", "result": None}
    failed = {"id": "e", "question": "x" * 3, "status": "error", "error": "处理问题时出错了", "result": None}
    kept = stored_conversation(rated + [failed, pending], "en")
    # what the browser stores is plain JSON, without the retrieved passages and timings
    text = json.dumps(kept, ensure_ascii=False)
    assert "retrieved" not in text and "timings_ms" not in text
    back, lang, unsent = restored_conversation(json.loads(text))
    assert lang == "en" and unsent == "那非洲呢？"
    assert [t["question"] for t in back] == [SEA_Q, UNANSWERABLE_Q, "xxx"]
    assert back[0]["rating"] == "up" and back[0]["feedback_id"] == "fb1"
    assert back[2]["status"] == "error" and back[2]["error"] == "处理问题时出错了"
    docs = service.documents()
    # the page shows exactly what it showed before the reload, in either language
    for ui in ("zh", "en"):
        assert render_chat(back[:2], ui, docs) == render_chat(rated, ui, docs)


@pytest.mark.parametrize(
    "copy",
    [None, "", "garbage", [], {"v": 99, "turns": []}, {"v": 1, "lang": "fr", "turns": "x"},
     {"v": 1, "turns": [{"question": 3}, {"question": " "}, {"question": "q", "status": "done", "result": "x"},
                        {"question": "q", "status": "weird"}]}],
)
def test_unreadable_copies_are_dropped_not_trusted(copy):
    from rag.app.conversation import restored_conversation

    turns, lang, unsent = restored_conversation(copy)
    assert turns == [] and lang is None and unsent == ""


def test_kept_copy_is_bounded():
    from rag.app.conversation import MAX_TEXT, MAX_TURNS, stored_conversation

    long = {"question": "问" * (MAX_TEXT + 50), "status": "done",
            "result": {"answer": "答" * (MAX_TEXT * 2), "abstained": False, "citations": [], "related": [], "notices": []}}
    kept = stored_conversation([long] * (MAX_TURNS + 5), "zh")
    assert len(kept["turns"]) == MAX_TURNS
    assert len(kept["turns"][0]["question"]) == MAX_TEXT and len(kept["turns"][0]["result"]["answer"]) == MAX_TEXT


# ---------------------------------------------------------------- the document record
def test_citations_and_viewer_show_the_document_record(service, turns):
    from rag.app.render import render_chat, render_viewer

    docs = service.documents()
    html = render_chat(turns, "zh", docs)
    card = html[html.index('class="rag-card"'):html.index('class="rag-actions"')]
    # the plan: its kind and its publication date, from the record kept at ingest
    assert "类别</span> 规划" in card and "发布</span> 2023-11-02" in card
    assert "Kind</span> 规划" in render_chat(turns, "en", docs) and "published</span> 2023-11-02" in render_chat(turns, "en", docs)
    # the viewer of the review names it a 回顾 of 2026-03-04, not by its file name alone
    record = service.record(REVIEW_ID)
    passage = {"doc": REVIEW_ID, "locator": record.title, "text": service.document(REVIEW_ID).paragraphs[3].text}
    viewer = render_viewer("zh", service.document(REVIEW_ID), passage, [], record=record)
    head = viewer[: viewer.index("rag-viewer-body")]
    assert "回顾" in head and "2026-03-04" in head and record.title in head
    assert 'data-action="close-viewer"' in viewer and "返回对话" in viewer
    assert "Back to the conversation" in render_viewer("en", service.document(REVIEW_ID), passage, [], record=record)


def test_original_address_is_shown_where_the_record_knows_it(service):
    from dataclasses import replace

    from rag.app.render import facts_html, record_facts

    plan = service.record(PLAN_ID)
    assert not any(k == "原文地址" for k, _ in record_facts(plan, "zh"))  # the bundled text does not state one
    with_address = replace(plan, fields={**plan.fields, "原文链接": "https://www.hunan.gov.cn/xxgk/ghjh/plan.html"})
    assert ("原文地址", "https://www.hunan.gov.cn/xxgk/ghjh/plan.html") in record_facts(with_address, "zh")
    assert 'href="https://www.hunan.gov.cn/xxgk/ghjh/plan.html" target="_blank" rel="noopener noreferrer"' in facts_html(with_address, "zh")
    # an address that is not a web address is not made a link
    odd = replace(plan, fields={"原文链接": "javascript:alert(1)"})
    assert "javascript" not in facts_html(odd, "zh")


# ---------------------------------------------------------------- export
def test_export_holds_the_answers_and_their_sources(service, turns, tmp_path):
    from docx import Document

    md_path, docx_path = service.export(turns, "zh", tmp_path)
    assert md_path.suffix == ".md" and docx_path.suffix == ".docx"
    md = md_path.read_text(encoding="utf-8")
    answered, not_found = turns[0]["result"], turns[1]["result"]
    cit = answered["citations"][0]
    assert f"## 1. {SEA_Q}" in md and _bare(answered["answer"]) in _bare(md)
    assert f"**[1] {service.record(cit['doc']).title}**" in md
    assert "类别：规划" in md and "发布：2023-11-02" in md
    for sentence in cit["quoted"]:
        assert f"> {sentence}" in md
    assert f"## 2. {UNANSWERABLE_Q}" in md and "文件中未找到" in md and "### 可能相关（非答案）" in md
    word = "\n".join(p.text for p in Document(str(docx_path)).paragraphs)
    assert SEA_Q in word and _bare(answered["answer"]) in _bare(word) and "类别：规划；发布：2023-11-02" in word
    assert UNANSWERABLE_Q in word and "文件中未找到" in word
    assert all(f"“{s}”" in word for s in cit["quoted"])
    assert not_found["related"][0]["locator"].split(" › ")[-1] in word


def test_export_in_english_and_of_nothing(service, tmp_path):
    from rag.app.export import ExportError, export_markdown

    en = _turn(service, EN_Q)
    md = export_markdown([en], "en", service.records())
    assert md.startswith("# Policy Q&A record") and f"## 1. {EN_Q}" in md and "**Answer**:" in md
    if en["result"]["citations"]:
        assert "### Sources" in md and "Kind: 规划" in md
    with pytest.raises(ExportError, match="ask a question first"):
        service.export([], "en", tmp_path)
    with pytest.raises(ExportError, match="先提一个问题"):
        service.export([{"question": "q", "status": "pending", "result": None}], "zh", tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing written


# ---------------------------------------------------------------- the retrieval test
def test_retrieval_test_shows_ranks_scores_terms_and_verdicts(service):
    from rag.app.render import render_console
    from rag.gate import RULES

    report = service.retrieval_test(SEA_Q)
    assert report.terms and "东南亚" in report.terms
    ranks = [p.rank for p in report.passages]
    assert ranks == list(range(1, len(ranks) + 1)) and len(ranks) >= 5
    fused = [p.fused for p in report.passages]
    assert fused == sorted(fused, reverse=True)
    top = report.passages[0]
    assert top.bm25_rank is not None and top.bm25 > 0 and top.vector_rank is not None and 0 < top.vector <= 1
    assert all(p.vector is not None for p in report.passages)  # every hit has a similarity
    assert [v.code for v in report.verdicts] == [r.code for r in RULES]
    assert report.answered and all(v.passed for v in report.verdicts) and report.evidence
    # the same answer as the chat gives
    assert report.answer == service.ask(SEA_Q)["answer"]
    html = render_console(report, "zh")
    assert f"{top.fused:.4f}" in html and f"{top.vector:.4f}" in html and "gate.similarity_floor" in html
    assert "融合排名" in html and "Fused rank" in render_console(report, "en")


def test_retrieval_test_names_the_rule_that_refused(service):
    report = service.retrieval_test(UNANSWERABLE_Q)
    assert not report.answered
    deciding = [v for v in report.verdicts if v.deciding]
    assert len(deciding) == 1 and not deciding[0].passed and deciding[0].reason
    # the deciding rule is the one the answer reports
    assert report.abstain_reason.startswith(deciding[0].code + ":")
    assert any(k == "answer_types" and "fee" in v for k, v in report.conditions)


def test_gate_verdicts_agree_with_the_gate_on_real_questions(assistant):
    """EvidenceGate.verdicts reads the same input as decide: its first refusal is decide's, and it passes
    everything decide passes, on every 8th question of the bundled set (answered and unanswerable alike)."""
    from conftest import ROOT
    from rag.query import analyse

    rows = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    sample = rows[::8]
    refused = 0
    for row in sample:
        q = row["question"]
        query, _, retrieval = assistant.scoped_retrieval(q, assistant.settings.top_k)
        chosen = assistant.extractive.select(q, retrieval, assistant.settings.top_k)
        decision = assistant.extractive.decide(q, retrieval, chosen, query)
        verdicts = assistant.extractive.gate_verdicts(q, retrieval, chosen, analyse(q))
        first = next((v for v in verdicts if not v.passed and not v.error), None)
        if decision.answerable:
            assert first is None, (q, first)
        else:
            refused += 1
            assert first is not None and first.deciding and first.code == decision.code and first.reason == decision.reason, q
    assert refused >= 3 and len(sample) - refused >= 3


def test_retrieval_test_refuses_bad_input_clearly(service):
    from rag.pipeline import QuestionError

    for bad in ("", "   ", "？！"):
        with pytest.raises(QuestionError):
            service.retrieval_test(bad)
