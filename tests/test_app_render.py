"""The app's HTML, texts, follow-up rewriting and feedback log — fast, no model, no server.

The HTML is built by hand in :mod:`rag.app.render`; these tests pin the rule
that text from a question, an answer or a document is always escaped, and the
pieces the browser tests rely on (markers, cards, the abstention look, the
source viewer's passage location).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from rag.app import render
from rag.app.texts import EXAMPLES, PERSONAS, TEXTS, tr

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def answered_turn(question: str = "问题？", **over) -> dict:
    result = {
        "question": question,
        "answer": "第一句。[1]第二句。[2]",
        "abstained": False,
        "citations": [
            {"n": 1, "doc": "d1", "doc_title": "文件一", "locator": "文件一 › 第一章 总则 › 第1段",
             "text": "前文。第一句。后文。", "quoted": ["第一句。"]},
            {"n": 2, "doc": "d2", "doc_title": "文件二", "locator": "文件二 › 第2段",
             "text": "第二句。", "quoted": ["第二句。"]},
        ],
        "related": [],
        "notices": [],
        "searched": question,
        "mode": "extractive",
    }
    result.update(over)
    return {"id": "t", "question": question, "status": "done", "partial": "", "result": result,
            "error": None, "rating": None, "feedback_id": None}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def no_live_markup(html: str) -> None:
    """Parse the markup as a browser would: no script/img/iframe tags, no on* attributes, no javascript: URLs."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "img", "iframe", "object", "embed", "style", "a"), tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower()


# ---------------------------------------------------------------- escaping
def test_question_answer_and_passage_text_are_escaped():
    turn = answered_turn(EVIL)
    c = turn["result"]["citations"][0]
    c["text"] = f"前文。{EVIL}第一句。"
    c["doc_title"] = EVIL
    c["locator"] = EVIL
    turn["result"]["answer"] = f"{EVIL}[1]"
    turn["result"]["searched"] = EVIL + " 非洲"
    turn["result"]["notices"] = [EVIL]
    html = render.render_chat([turn], "zh")
    no_live_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
    # the copy text is inside a textarea, escaped too
    assert "<textarea" in html and "</textarea>" in html.split("<textarea", 1)[1]


def test_abstention_and_error_and_pending_turns_are_escaped():
    abst = answered_turn(EVIL, abstained=True, answer="文件中未找到这个问题的答案。", citations=[],
                         related=[{"doc": EVIL, "locator": EVIL, "text": EVIL}])
    err = {"question": EVIL, "status": "error", "error": EVIL}
    pend = {"question": EVIL, "status": "streaming", "partial": EVIL + "[1]", "searched": EVIL}
    for turn in (abst, err, pend):
        no_live_markup(render.render_chat([turn], "en"))


def test_viewer_escapes_document_text():
    from rag.cleaning import CleanDocument, Paragraph

    doc = CleanDocument("d", EVIL, [Paragraph("第一章 总则", 1), Paragraph(EVIL + "第一句。", 2)], "sha", EVIL, 2)
    html = render.render_viewer("zh", doc, {"doc": "d", "locator": EVIL, "text": EVIL + "第一句。"}, ["第一句。"])
    no_live_markup(html)
    assert 'class="rag-target"' in html and '<mark class="rag-quote">第一句。</mark>' in html


def test_admin_table_and_corpus_note_escape_titles():
    from rag.store.index import DocumentInfo

    docs = [DocumentInfo(EVIL, EVIL, EVIL, "a", "b", 3, 0.0, None)]
    no_live_markup(render.render_docs_table(docs, "zh"))
    no_live_markup(render.render_corpus_note(docs, "en"))
    no_live_markup(render.render_message(EVIL, "error"))


# ---------------------------------------------------------------- answers
def test_markers_become_buttons_only_for_known_citations():
    html = render.answer_html("甲。[1]乙。[3]", 4, {1: {"locator": "L"}})
    assert html.count('class="rag-marker"') == 1
    assert 'data-action="cite" data-turn="4" data-n="1"' in html
    assert 'rag-marker-dead">[3]</span>' in html


def test_answer_turn_has_markers_cards_and_highlight():
    html = render.render_turn(0, answered_turn(), "zh", {})
    assert html.count('data-action="cite" data-turn="0" data-n="1"') == 3  # marker, card number, open link
    assert 'id="rag-t0-c2"' in html
    assert '<mark class="rag-quote">第一句。</mark>' in html
    assert '<div class="rag-card-loc">第一章 总则 › 第1段</div>' in html  # the title is shown once, above
    assert 'data-state="answer"' in html and "rag-nf-badge" not in html


def test_abstention_looks_different_and_has_no_markers():
    turn = answered_turn(
        "办理APEC商务旅行卡要交多少费用？",
        abstained=True,
        answer="文件中未找到这个问题的答案。\n以下段落可能相关：\n· L1",
        citations=[],
        related=[{"doc": "d1", "locator": "文件一 › 第3段", "text": "段落。"}],
    )
    html = render.render_turn(2, turn, "zh", {"d1": "文件一"})
    assert 'data-state="abstained"' in html and "rag-abstain" in html
    assert tr("zh", "notfound_badge") in html and "可能相关" in html
    assert "rag-marker" not in html and "rag-card-n" not in html
    assert 'data-action="related" data-turn="2" data-i="0"' in html
    assert "· L1" not in html  # the related list is shown as cards, not as the answer's text lines


def test_rewritten_question_is_shown_in_small_print():
    turn = answered_turn("那非洲呢？", searched="我们想去非洲开拓市场，有什么支持？")
    html = render.render_turn(1, turn, "zh", {})
    assert 'class="rag-searched"' in html and "我们想去非洲开拓市场" in html
    html = render.render_turn(1, answered_turn("独立的问题？"), "zh", {})
    assert "rag-searched" not in html


def test_sentence_prefixes_grow_one_sentence_at_a_time():
    text = "甲句。[1]乙句。[1][2]丙句。[2]"
    prefixes = render.sentence_prefixes(text)
    assert prefixes == ["甲句。[1]", "甲句。[1]乙句。[1][2]", text]
    assert render.sentence_prefixes("According to the documents:\nA.[1]\nB.[2]")[-1].endswith("B.[2]")
    assert render.sentence_prefixes("无标记") == ["无标记"]


def test_plain_text_copy_has_answer_and_sources():
    text = render.plain_text(answered_turn("问？", searched="改写后的问题"), "zh")
    assert text.startswith("问：问？")
    assert "答：第一句。[1]第二句。[2]" in text
    assert "[1] 文件一 › 第一章 总则 › 第1段" in text and "“第一句。”" in text
    assert "改写后的问题" in text
    abst = answered_turn("Fee?", abstained=True, answer="Not found.\nPossibly related:\n· L", citations=[],
                         related=[{"doc": "d", "locator": "L", "text": "t"}])
    text = render.plain_text(abst, "en")
    assert "A: Not found." in text and "- L" in text and "[1]" not in text


def test_mark_sentences_ignores_whitespace_differences():
    html = render.mark_sentences("第一 句。第二句。", ["第一句。"])
    assert html == '<mark class="rag-quote">第一 句。</mark>第二句。'


# ---------------------------------------------------------------- source viewer
def test_locate_passage_single_multi_and_split():
    paras = ["第一章 总则", "一段。", "二段，很长。后半。", "三段。", "第二章 其他", "一段。"]
    assert render.locate_passage(paras, "二段，很长。后半。") == (2, 2)
    assert render.locate_passage(paras, "后半。") == (2, 2)  # a piece of a long paragraph
    assert render.locate_passage(paras, "二段，很长。后半。\n三段。") == (2, 3)
    assert render.locate_passage(paras, "不存在。") is None
    # the same text twice: the locator's heading decides
    assert render.locate_passage(paras, "一段。", "文 › 第二章 其他 › 第1段") == (5, 5)
    assert render.locate_passage(paras, "一段。", "文 › 第一章 总则 › 第1段") == (1, 1)


def test_viewer_empty_and_missing_states():
    assert "rag-viewer-empty" in render.render_viewer("zh")
    assert render.esc(tr("en", "viewer_missing")) in render.render_viewer("en", missing=True)


# ---------------------------------------------------------------- texts and examples
def test_every_text_exists_in_both_languages():
    assert set(TEXTS["zh"]) == set(TEXTS["en"])
    for key in TEXTS["zh"]:
        assert tr("en", key) and tr("zh", key)
    assert set(EXAMPLES) == set(PERSONAS)
    assert all(EXAMPLES[p] for p in PERSONAS)
    html = render.render_examples("en")
    assert html.count('data-action="example"') == sum(len(v) for v in EXAMPLES.values())


# ---------------------------------------------------------------- follow-ups (rag.pipeline.rewrite_follow_up)
SEA = "我们想去东南亚开拓市场，有什么支持？"


@pytest.mark.parametrize(
    "question, history, expected",
    [
        ("那非洲呢？", [SEA], "我们想去非洲开拓市场，有什么支持？"),
        ("那欧洲呢？", [SEA, "那非洲呢？"], "我们想去欧洲开拓市场，有什么支持？"),  # chains keep the subject
        ("那日本呢？", ["湖南与德国有哪些友城合作？"], "湖南与日本有哪些友城合作？"),  # not the home province
        ("那德国呢？", ["我们公司想和日本、韩国的企业做产业链配套，有没有什么现成的平台可以用？"],
         "我们公司想和德国的企业做产业链配套，有没有什么现成的平台可以用？"),
        ("第二个呢？", ["规划提出了哪些重点任务？"], "规划提出了哪些重点任务？ 第二个"),
        ("老挝驻长沙总领馆哪年开的馆？", [SEA], "老挝驻长沙总领馆哪年开的馆？"),
        ("What about Africa?", ["What support is there for companies going to Southeast Asia?"],
         "What support is there for companies going to Africa?"),
        ("那非洲呢？", [], "那非洲呢？"),
    ],
)
def test_follow_up_rewrite(question, history, expected):
    from rag.pipeline import rewrite_follow_up

    assert rewrite_follow_up(question, history) == expected


# ---------------------------------------------------------------- feedback log
def test_feedback_log_appends_and_latest_record_wins(tmp_path):
    from rag.feedback import FeedbackLog, make_record, read_feedback

    path = tmp_path / "fb" / "feedback.jsonl"
    log = FeedbackLog(path)
    result = answered_turn("问？")["result"]
    log.append(make_record("a1", "down", result, doc_filter=["d1"], generation="g1", ui_lang="zh"))
    log.append(make_record("a2", "up", result))
    log.append(make_record("a1", "down", result, comment="  少了第二条  "))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(json.loads(line) for line in lines)
    records = read_feedback(path)
    assert [r["id"] for r in records] == ["a1", "a2"]
    first = records[0]
    assert first["comment"] == "少了第二条" and first["rating"] == "down"
    assert first["question"] == "问？" and first["answer"] == result["answer"]
    assert first["citations"][0]["locator"] == "文件一 › 第一章 总则 › 第1段"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", first["time"])
    with pytest.raises(ValueError):
        make_record("x", "meh", result)


def test_document_errors_map_to_clear_messages():
    from rag.app.service import classify_document_error as c

    assert c("x.exe: unsupported file type '.exe'; supported: .txt") == "err_unsupported"
    assert c("a.pdf: the PDF has no text layer (a scan?); it needs OCR") == "err_scanned"
    assert c("a.pdf: the PDF is damaged and cannot be read (PdfReadError)") == "err_damaged"
    assert c("a.txt: the file is empty.") == "err_empty"
    assert c("a.pdf: the same text is already indexed as 'plan'.") == "err_duplicate"
    assert c("something new") == "err_other"


def test_admin_table_shows_dates_as_stated_and_a_title_taken_from_the_file_name():
    from pathlib import Path

    from rag.cleaning import clean_document
    from rag.documents import build_record
    from rag.store.index import DocumentInfo
    from rag.loaders import load_document

    fixtures = Path(__file__).parent / "fixtures" / "documents"
    # 专利代理条例 (a gov.cn page): 成文 2018-11-06 and its 施行 date, from its table and its text.
    patent = clean_document(load_document(fixtures / "gov-cn-5341736.html"))
    record = build_record(patent).to_dict()
    docs = [DocumentInfo(patent.doc_id, patent.title, "gov-cn-5341736.html", "a", "b", 40, 0.0, None, record)]
    html = render.render_docs_table(docs, "zh")
    assert "成文 2018-11-06" in html and "施行 2019-03-01" in html
    assert "标题取自文件名" not in html
    # A document with no title of its own (a bare text file) says its title is its file name.
    bare = dict(record, title="notes-2025", title_from="file name", written="", published="", effective="")
    html = render.render_docs_table([DocumentInfo("notes-2025", "notes-2025", "notes-2025.txt", "a", "b", 1, 0.0, None, bare)], "en")
    assert "title taken from the file name" in html and "<td>—</td>" in html
