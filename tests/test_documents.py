"""The real documents through loading, cleaning and passage building (no model, no index).

The bundled corpus (the plan's web page with its breadcrumbs and metadata bullets, the
review's news page with its credits) and the PDF rendition of the plan (running header,
"— n —" page footers, lines broken at the page width) go through ``load_document`` →
``clean_document`` → ``build_passages``, and each property the README promises is checked
on every paragraph and every passage, against the raw files themselves where possible.
(Encoding detection is covered by ``test_bad_inputs``.)
"""

from __future__ import annotations

import bisect
import hashlib
import re
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, PDF_FIXTURE, PLAN_ID, REVIEW_ID
from rag.cleaning import clean_document
from rag.headings import SENTENCE_PUNCT, classify_heading
from rag.loaders import load_document
from rag.passages import METADATA_HEADING, build_passages
from rag.settings import Settings

PLAN_TXT = CORPUS / f"{PLAN_ID}.txt"
REVIEW_TXT = CORPUS / f"{REVIEW_ID}.txt"
SOURCES = {"plan-txt": PLAN_TXT, "review-txt": REVIEW_TXT, "plan-pdf": PDF_FIXTURE}

# The passage bounds the index uses (Settings defaults; README: "150–450 characters").
_DEFAULTS = Settings(llm_base_url=None, llm_model=None, chroma_host=None)
MIN_CHARS, MAX_CHARS = _DEFAULTS.passage_min_chars, _DEFAULTS.passage_max_chars

_ENDS_SENTENCE_RE = re.compile(rf"[{re.escape(SENTENCE_PUNCT)}][”’」』）)]*$")
_WS_RE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS_RE.sub("", text)


@pytest.fixture(scope="module")
def raw():
    return {name: load_document(path) for name, path in SOURCES.items()}


@pytest.fixture(scope="module")
def clean(raw):
    return {name: clean_document(doc) for name, doc in raw.items()}


@pytest.fixture(scope="module")
def passages(clean):
    return {name: build_passages(doc, MIN_CHARS, MAX_CHARS) for name, doc in clean.items()}


# ---------------------------------------------------------------- cleaning
def test_bounds_are_the_documented_150_to_450():
    assert (MIN_CHARS, MAX_CHARS) == (150, 450)


def test_raw_files_really_contain_the_debris(raw):
    """The fixtures are what the cleaning tests claim: debris is present before cleaning."""
    plan = "\n".join(line.text for line in raw["plan-txt"].lines)
    review = "\n".join(line.text for line in raw["review-txt"].lines)
    pdf = [line.text.strip() for line in raw["plan-pdf"].lines]
    assert plan.startswith("首页>信息公开>") and "索引号" in plan and re.search(r"^目\s+录$", plan, re.M)
    assert any(0xE000 <= ord(c) <= 0xF8FF for c in plan)
    assert re.search(r"^\d{5,}$", plan, re.M)  # the stray article id at the end
    for debris in ("字体:【", "今日热点", "焦点图", "责编:", "一审:", "二审:", "三审:", "来源:华声在线"):
        assert debris in review, debris
    assert pdf.count("湖南省人民政府外事办公室") == raw["plan-pdf"].page_count
    assert sum(bool(re.fullmatch(r"—\s*\d+\s*—", t)) for t in pdf) == raw["plan-pdf"].page_count


@pytest.mark.parametrize("name", list(SOURCES))
def test_no_web_debris_or_private_use_characters_survive(clean, name):
    doc = clean[name]
    texts = [p.text for p in doc.paragraphs]
    for text in texts:
        assert text and text == text.strip(), repr(text)
        assert not any(0xE000 <= ord(c) <= 0xF8FF for c in text), text
        assert not any(ord(c) < 32 for c in text), repr(text)
        assert not re.match(r"^(首页|当前位置|您的位置)", text), text
        assert not re.match(r"^字体\s*[:：]?\s*【", text), text
        assert text not in ("今日热点", "焦点图", "打印", "关闭", "【打印】", "【关闭】")
        assert not re.match(r"^(责编|责任编辑|编辑|一审|二审|三审|终审|来源|作者)\s*[:：]", text), text
        assert not re.match(r"^[•·●]?\s*(索引号|题裁分类|发布机构|发文日期|主题分类|主题词|名称)\s*[:：]", text), text
        assert not re.match(r"^\d{4}-\d{1,2}-\d{1,2}", text), text  # the date/source line of a news page
        assert not re.fullmatch(r"\d+", text), text  # stray numbers, page numbers
        assert not re.fullmatch(r"目\s*录", text)
    # The title is the document's title, not body text (nor repeated at the end of the page).
    assert doc.title not in texts


def test_table_of_contents_is_dropped_but_the_headings_stay_once(clean):
    """The plan's 目录 lists every 章/节; after cleaning each heading appears once, in the body."""
    texts = [p.text for p in clean["plan-txt"].paragraphs]
    headings = [t for t in texts if (h := classify_heading(t)) and h.kind in ("chapter", "section")]
    assert len(headings) == len(set(headings))
    assert "第六节 推进国际友好城市建设" in headings
    assert sum(1 for t in headings if t.startswith("第一章")) == 1
    # The first body paragraph is the preface, not a table-of-contents entry.
    assert texts[0].startswith("湖南省外事港澳工作“十四五”发展规划,根据国家总体外交部署")


def test_private_use_character_is_dropped_without_losing_its_neighbours(raw, clean):
    plan = "\n".join(line.text for line in raw["plan-txt"].lines)
    i = next(i for i, c in enumerate(plan) if 0xE000 <= ord(c) <= 0xF8FF)
    around = _squash(plan[i - 12 : i] + plan[i + 1 : i + 12])
    assert around in _squash(clean["plan-txt"].text)


def test_publication_facts_are_kept_as_metadata_not_body(clean):
    plan, review = clean["plan-txt"], clean["review-txt"]
    assert "索引号:430S00/2023-112035" in plan.metadata
    assert any(m.startswith("发文日期:") and "2023-11-02" in m for m in plan.metadata)
    # Bullets with no value ("题裁分类:") say nothing and are not kept.
    assert not any(re.fullmatch(r"[^:：]+[:：]\s*", m) for m in plan.metadata)
    assert any("2026-03-04" in m and "华声在线" in m for m in review.metadata)
    # A news page's credits are publication facts too ("二审是谁？").
    assert {"责编:伍镆", "二审:印奕帆", "三审:谭登"} <= set(review.metadata)
    assert not any("索引号" in p.text or "华声在线" in p.text for d in (plan, review) for p in d.paragraphs)


def test_what_the_cleaner_deliberately_keeps(clean):
    """Body lines that look like debris but are text: 编者按, 预告, the 【结语】 heading, 主要成果:."""
    texts = [p.text for p in clean["review-txt"].paragraphs]
    assert texts[0].startswith("编者按:外事为民,实干兴湘。")
    assert texts[-1].startswith("预告:国之交在于民相亲。")
    assert "【结语】" in texts and "主要成果:" in texts
    assert clean["review-txt"].title == "外事赋能促发展 开放高地谱新篇——2025湖南外事港澳工作回顾之三"


def test_pdf_running_headers_and_page_numbers_are_gone(raw, clean):
    pdf = clean["plan-pdf"]
    assert raw["plan-pdf"].page_count == 16 and pdf.page_count == 16
    text = pdf.text
    assert "湖南省人民政府外事办公室" not in text
    assert not re.search(r"—\s*\d{1,2}\s*—", text)
    # The running title on top of each page is removed; the document's title is the metadata title.
    assert pdf.title == "湖南省外事港澳工作“十四五”发展规划"
    assert all(p.text != pdf.title for p in pdf.paragraphs)


def test_pdf_lines_broken_mid_sentence_are_rejoined(raw, clean):
    pdf = clean["plan-pdf"]
    lines = [line for line in raw["plan-pdf"].lines if line.text.strip()]
    assert len(lines) > 3 * len(pdf.paragraphs)  # 600 lines → 156 paragraphs
    # A sentence broken across a page break, with the footer and the next page's header between.
    p1 = [line.text.strip() for line in lines if line.page == 1]
    p2 = [line.text.strip() for line in lines if line.page == 2]
    assert p1[-1].endswith("“中美全球创新创业(长沙)") and p2[2].startswith("洽谈会”")
    assert any("“中美全球创新创业(长沙)洽谈会”" in p.text for p in pdf.paragraphs)
    # Every body paragraph ends a sentence (or introduces a list); none stops mid-sentence.
    for p in pdf.paragraphs:
        if classify_heading(p.text) is None:
            assert p.text[-1] in SENTENCE_PUNCT + ":：", p.text[-30:]
    # Every raw line that does not end a sentence is continued inside its paragraph.
    body = _squash(pdf.text.replace("\n", ""))
    for a, b in zip(lines, lines[1:]):
        ta, tb = a.text.strip(), b.text.strip()
        if a.page == b.page and ta[-1] not in SENTENCE_PUNCT + ":：" and not classify_heading(ta) and len(ta) > 30:
            if not re.fullmatch(r"—\s*\d+\s*—", tb) and tb != "湖南省人民政府外事办公室":
                assert _squash(ta[-8:] + tb[:8]) in body, (ta, tb)


def test_pdf_paragraph_pages_are_where_they_start(raw, clean):
    page_text: dict[int, str] = {}
    for line in raw["plan-pdf"].lines:
        page_text[line.page] = page_text.get(line.page, "") + _squash(line.text)
    pages = [p.page for p in clean["plan-pdf"].paragraphs]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == 16
    for p in clean["plan-pdf"].paragraphs:
        assert _squash(p.text)[:12] in page_text[p.page], (p.page, p.text[:20])


def test_pdf_and_txt_give_the_same_clean_paragraphs(clean):
    txt = [p.text for p in clean["plan-txt"].paragraphs]
    pdf = [p.text for p in clean["plan-pdf"].paragraphs]
    assert pdf == txt
    assert len(txt) == 156
    assert clean["plan-pdf"].title == clean["plan-txt"].title
    assert all(p.page is None for p in clean["plan-txt"].paragraphs)


# ---------------------------------------------------------------- passages
def _blocks(ps):
    """Consecutive passages sharing one heading path (and box)."""
    out: list[list] = []
    for p in ps:
        if out and (out[-1][0].headings, out[-1][0].box) == (p.headings, p.box):
            out[-1].append(p)
        else:
            out.append([p])
    return out


def _body_lines(p) -> list[str]:
    """A passage's text without its opening heading line (the first passage of a section has one).

    The heading is shown as the locator shows it ("【结语】" → "结语", "专栏 8—1" → "专栏8—1").
    """
    lines = p.text.split("\n")
    if len(lines) > 1 and p.headings and lines[0] == p.headings[-1]:
        lines = lines[1:]
    return lines


@pytest.mark.parametrize("name", list(SOURCES))
def test_passage_lengths_and_sentence_ends(passages, name):
    ps = passages[name]
    assert ps
    for p in ps:
        assert len(p.text) <= MAX_CHARS, (len(p.text), p.locator)
        if p.headings != (METADATA_HEADING,):  # the information table is printed one field per line
            assert _ENDS_SENTENCE_RE.search(p.text), (p.locator, p.text[-20:])
    for block in _blocks(ps):
        for i, p in enumerate(block):
            if len(p.text) >= MIN_CHARS or len(block) == 1:
                continue  # long enough, or the whole section is shorter than the minimum
            # A short passage exists only because joining its neighbour would exceed the maximum.
            if i + 1 < len(block):
                first_unit = block[i + 1].text.split("\n")[0]
                assert len(p.text) + len(first_unit) > MAX_CHARS, p.locator
            else:
                assert len(block[i - 1].text) + len(p.text) > MAX_CHARS, p.locator
    lengths = sorted(len(p.text) for p in ps if p.headings != (METADATA_HEADING,))
    assert lengths[len(lengths) // 2] >= MIN_CHARS  # most passages are within the bounds


@pytest.mark.parametrize("name", list(SOURCES))
def test_passages_cover_the_document_in_order_and_never_cross_a_section(clean, passages, name):
    doc, ps = clean[name], passages[name]
    body = [p for p in ps if p.headings != (METADATA_HEADING,)]
    paras = [(i, q) for i, q in enumerate(doc.paragraphs) if classify_heading(q.text) is None]
    # Nothing lost, nothing repeated, nothing reordered.
    assert "".join("".join(_body_lines(p)) for p in body) == "".join(q.text for _, q in paras)

    # Where each body paragraph stands: its nearest 章/节 heading (or top-level heading of a news page).
    has_chapters = any((h := classify_heading(q.text)) and h.kind == "chapter" for q in doc.paragraphs)
    top_kinds = ("chapter", "section") if has_chapters else ("part", "label")
    where: list[tuple] = []  # per body paragraph: (chapter, section, paragraph number)
    chapter = section = None
    number = 0
    for q in doc.paragraphs:
        h = classify_heading(q.text)
        if h is not None:
            if h.kind == top_kinds[0]:
                chapter, section, number = h.label_text, None, 0
            elif h.kind == top_kinds[1]:
                section, number = h.label_text, 0
            continue
        number += 1
        where.append((chapter, section, number))
    starts = [0]
    for _, q in paras:
        starts.append(starts[-1] + len(q.text))

    offset = 0
    for p in body:
        spots = []
        for line in _body_lines(p):
            spots.append(where[bisect.bisect_right(starts, offset) - 1])
            offset += len(line)
        assert len({s[:2] for s in spots}) == 1, f"{p.locator} crosses a section"
        chapter, section, _ = spots[0]
        expected = tuple(x for x in (chapter, section) if x)
        assert p.headings[: len(expected)] == expected, (p.headings, expected)
        assert p.paragraphs == (spots[0][2], spots[-1][2]), p.locator


@pytest.mark.parametrize("name", ["plan-txt", "plan-pdf"])
def test_passages_carry_title_headings_box_and_locator(clean, passages, name):
    doc, ps = clean[name], passages[name]
    boxes_in_text = {h.label_text for q in doc.paragraphs if (h := classify_heading(q.text)) and h.kind == "box"}
    assert len(boxes_in_text) == 18  # 专栏1 … 专栏17, with 8—1 and 8—2
    assert {p.box for p in ps if p.box} == boxes_in_text
    for p in ps:
        assert p.doc_id == PLAN_ID and p.doc_title == "湖南省外事港澳工作“十四五”发展规划"
        assert p.locator.startswith(p.doc_title + " › ")
        a, b = p.paragraphs
        assert 1 <= a <= b
        assert (f"第{a}段" if a == b else f"第{a}–{b}段") in p.locator
        for h in p.headings:
            assert h in p.locator
        if p.box:
            assert p.headings[-1] == p.box and p.box.startswith("专栏")
            assert len(p.headings) == 3  # 章 › 节 › 专栏
        else:
            assert not any(h.startswith("专栏") for h in p.headings)
    # A box's first passage opens with the box's own title.
    for block in _blocks(ps):
        if block[0].box:
            assert _squash(block[0].text.split("\n")[0]) == _squash(block[0].box)
    goal = next(p for p in ps if "全省友好城市力争达到120对" in p.text)
    assert goal.box is None
    assert goal.headings == ("第三章 着力打造内陆地区对外开放高地", "第六节 推进国际友好城市建设")
    loc = goal.locator.split(" › ")
    assert loc[:4] == [goal.doc_title, *goal.headings, "第1段"][:4]


def test_pdf_passages_carry_page_numbers(clean, passages):
    doc, ps = clean["plan-pdf"], passages["plan-pdf"]
    assert all(p.page is None for p in passages["plan-txt"])
    assert all(p.page is not None for p in ps)
    # A passage's page is the page of the paragraph its first line comes from.
    paras = [q for q in doc.paragraphs if classify_heading(q.text) is None]
    starts = [0]
    for q in paras:
        starts.append(starts[-1] + len(q.text))
    offset = 0
    for p in ps:
        q = paras[bisect.bisect_right(starts, offset) - 1]
        assert p.page == q.page, p.locator
        assert p.locator.endswith(f" › 第{p.page}页")
        offset += len("".join(_body_lines(p)))
    assert [p.page for p in ps] == sorted(p.page for p in ps)
    assert {p.page for p in ps} >= set(range(1, 16))


def test_passage_ids_are_content_hashes(clean, passages, tmp_path):
    plan_txt, plan_pdf = passages["plan-txt"], passages["plan-pdf"]
    for ps in passages.values():
        ids = [p.id for p in ps]
        assert len(set(ids)) == len(ids)
        assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    # The hash of document id, heading path and text — nothing else (not the order, not the page).
    p = plan_txt[5]
    assert p.id == hashlib.sha256("\x1f".join((p.doc_id, *p.headings, p.text)).encode()).hexdigest()[:24]
    # Re-cutting the same file gives the same ids; the PDF gives the .txt's ids (same text).
    again = build_passages(clean_document(load_document(PLAN_TXT)), MIN_CHARS, MAX_CHARS)
    assert [q.id for q in again] == [q.id for q in plan_txt]
    body_ids = [q.id for q in plan_txt if q.headings != (METADATA_HEADING,)]
    assert [q.id for q in plan_pdf] == body_ids

    # Editing one sentence changes the ids of that section's passages only.
    edited = tmp_path / PLAN_TXT.name
    text = PLAN_TXT.read_text(encoding="utf-8")
    assert text.count("力争达到120对") == 1
    edited.write_text(text.replace("力争达到120对", "力争达到130对"), encoding="utf-8")
    new = build_passages(clean_document(load_document(edited)), MIN_CHARS, MAX_CHARS)
    changed = [(a, b) for a, b in zip(plan_txt, new) if a.id != b.id]
    assert len(new) == len(plan_txt) and len(changed) == 1
    old_p, new_p = changed[0]
    assert "120对" in old_p.text and "130对" in new_p.text and old_p.headings == new_p.headings

    # The same text under another document id is another passage.
    other = tmp_path / "another-name.txt"
    shutil.copy(PLAN_TXT, other)
    renamed = build_passages(clean_document(load_document(other)), MIN_CHARS, MAX_CHARS)
    assert [q.text for q in renamed] == [q.text for q in plan_txt]
    assert not {q.id for q in renamed} & {q.id for q in plan_txt}


def test_metadata_passage_holds_the_publication_facts(passages, clean):
    info = [p for p in passages["plan-txt"] if p.headings == (METADATA_HEADING,)]
    assert len(info) == 1 and info[0].order == 0
    for fact in clean["plan-txt"].metadata:
        assert fact in info[0].text
    assert not any(p.headings == (METADATA_HEADING,) for p in passages["plan-pdf"])  # the PDF has none


def test_text_file_lines_cut_inside_a_sentence_are_rejoined(tmp_path):
    # A report saved from a web page as text: its lines break where a link or a footnote mark stood, so a term
    # stands on a line of its own ("全面与进步跨太平洋伙伴关系协定") and looks like a heading.
    from conftest import DOCUMENTS

    report = clean_document(load_document(DOCUMENTS / "gwr-national-2023.txt"))
    texts = [p.text for p in report.paragraphs]
    assert any("积极推动加入全面与进步跨太平洋伙伴关系协定（CPTPP）等高标准经贸协议" in t for t in texts)
    assert "全面与进步跨太平洋伙伴关系协定" not in texts
    # A figure cut from its unit across a blank line, and a line that ends inside a sentence after a full stop.
    page = tmp_path / "report.txt"
    page.write_text(
        "政府工作报告\n\n一、工作回顾\n\n——经济运行稳中向好。国内生产总值达到74.4\n\u200b\n万亿元，增长6.7%。\n\n"
        "——基础设施支撑能力持续提升。新建\n高速铁路\n投产里程超过1900公里。\n城市轨道交通\n、地下综合管廊建设加快。\n\n"
        "要全面深化各领域改\n\u200b\n革，加快推进基础性改革。\n\n"
        "二、重点工作\n\n扩大有效投资。\n",
        encoding="utf-8",
    )
    texts = [p.text for p in clean_document(load_document(page)).paragraphs]
    assert texts == ["一、工作回顾", "——经济运行稳中向好。国内生产总值达到74.4万亿元，增长6.7%。",
                     "——基础设施支撑能力持续提升。新建高速铁路投产里程超过1900公里。", "城市轨道交通、地下综合管廊建设加快。",
                     "要全面深化各领域改革，加快推进基础性改革。", "二、重点工作", "扩大有效投资。"]
    # Where paragraphs stand between blank lines, a heading-like line sharing its block with others is text.
    lines = ["政府工作报告", "", "党的十八届六中全会", "正式明确", "习近平", "总书记的核心地位，具有十分重大的意义。", "", "一、工作回顾", ""]
    lines += sum(([f"第{n}项工作取得新进展。", ""] for n in range(1, 20)), [])
    page.write_text("\n".join(lines), encoding="utf-8")
    texts = [p.text for p in clean_document(load_document(page)).paragraphs]
    assert texts[:2] == ["党的十八届六中全会正式明确习近平总书记的核心地位，具有十分重大的意义。", "一、工作回顾"]
    # A heading standing alone after a finished paragraph stays a heading; a Word or web file's lines are its own.
    page.write_text("政府工作报告\n\n扩大有效投资。\n\n重大项目建设\n\n加快推进重大工程。\n", encoding="utf-8")
    assert [p.text for p in clean_document(load_document(page)).paragraphs] == ["扩大有效投资。", "重大项目建设", "加快推进重大工程。"]


def test_a_copy_s_licence_notice_at_the_end_is_not_the_documents_text(tmp_path):
    # A report copied from a web library ends with the library's licence notice ("本作品是中华人民共和国的法律、
    # 法规…属于公有领域", "Public domain"): the report ends with its closing call.
    from conftest import DOCUMENTS

    report = clean_document(load_document(DOCUMENTS / "gwr-national-2024.txt"))
    assert report.paragraphs[-1].text.startswith("使命重在担当，奋斗创造未来。")
    assert not any(re.search(r"公有领域|Public domain|维基文库|^false$", p.text) for p in report.paragraphs)
    # A page's own copyright line goes too; a sentence in the body naming copyright law stays.
    page = tmp_path / "notice.txt"
    page.write_text("关于加强版权保护的通知\n\n一、总体要求\n\n依法保护著作权人的合法权益。\n\n二、工作措施\n\n"
                    "加强网络版权执法。\n\n版权所有：某某网站 未经许可不得转载\n\nCopyright 2024\n", encoding="utf-8")
    texts = [p.text for p in clean_document(load_document(page)).paragraphs]
    assert texts == ["一、总体要求", "依法保护著作权人的合法权益。", "二、工作措施", "加强网络版权执法。"]


def test_a_word_paragraph_without_a_full_stop_is_a_paragraph_of_its_own(tmp_path):
    # 甘肃's report titles each part of its work on a Word paragraph of its own, with no full stop: the title is not
    # run into the paragraph after it ("…着力提消费促投资大力提振消费需求。").
    from conftest import MULTIDOC

    report = clean_document(load_document(MULTIDOC / "gwr-provinces-2025" / "gwr-2025-gansu.docx"))
    texts = [p.text for p in report.paragraphs]
    at = texts.index("一是聚焦全方位扩大内需，着力提消费促投资")
    assert texts[at + 1].startswith("大力提振消费需求。")
    # The same in a Word file made here.
    import docx

    document = docx.Document()
    for line in ("2025年工作安排", "二、重点工作", "一是扩大有效投资", "加快推进重大工程。", "二是提振消费", "实施消费提振行动。"):
        document.add_paragraph(line)
    document.save(tmp_path / "plan.docx")
    texts = [p.text for p in clean_document(load_document(tmp_path / "plan.docx")).paragraphs]
    assert texts == ["二、重点工作", "一是扩大有效投资", "加快推进重大工程。", "二是提振消费", "实施消费提振行动。"]
