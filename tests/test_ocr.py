"""Scanned pages and photos of notices, read by OCR (rag.ocr) — on pictures drawn from the plan's PDF at test time.

Every test runs the real recogniser on real renderings; the figures for whole documents
(accuracy over all 16 pages, seconds per page, memory over 100 pages) are in bench/bench_ocr.py.
A few lines per picture keep this file quick on a shared two-core machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PLAN_ID, REVIEW_ID, ROOT, make_settings
from scans import (
    keep_lines,
    line_box,
    noise_image,
    page_text,
    photo_like,
    region_text,
    render_page,
    save_mixed_pdf,
    two_columns,
)

from rag.loaders import DocumentError, load_document
from rag.ocr import character_accuracy

pytestmark = pytest.mark.slow

# The evidence of plan-023 ("总书记是什么时候来湖南考察…") stands in the plan's page 3, under 第二节 时代背景.
EVIDENCE_QUESTION = "总书记是什么时候来湖南考察、给湖南锚定新定位的？"
SHORT_PAGE_LINES = 12  # page 3 down to "峻挑战。": the header, a heading and four paragraphs


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory) -> Path:
    """The plan's page 1 with its text layer, then its page 3 as a scan (its first 12 lines)."""
    folder = tmp_path_factory.mktemp("scans")
    short = keep_lines(render_page(3), SHORT_PAGE_LINES)
    path = folder / "plan-scanned.pdf"
    save_mixed_pdf([("text", 1)], path)
    # Append the short scanned page after the text page.
    from pypdf import PdfReader, PdfWriter
    import io

    buf = io.BytesIO()
    short.save(buf, "PDF", resolution=150)
    writer = PdfWriter(clone_from=str(path))
    writer.add_page(PdfReader(buf).pages[0])
    writer.write(path)
    return path


def test_mixed_pdf_is_read_page_by_page_and_indexed_with_its_ocr_marks(mixed_pdf, tmp_path, scratch_index, embedder):
    """A PDF of one text page and one scanned page: the text page from its text layer, the scan by OCR —
    headings found, page in every locator, confidence kept and shown; bad pictures beside it are
    refused with a message, and nothing already indexed is lost."""
    from rag.app.render import plain_text, render_docs_table, render_viewer, with_ocr_mark
    from rag.store import Index
    from rag.pipeline import Assistant

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "torn.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(3000))  # a JPEG cut short: damaged
    (bad / "not-a-picture.png").write_bytes(b"this is text, not a PNG picture\n" * 20)
    noise_image().save(bad / "wall.png")  # a picture with no writing
    from PIL import Image

    Image.new("RGB", (1240, 1754), "white").save(bad / "blank.tif")  # a blank page

    index = Index(scratch_index, embedder=embedder)
    index.delete([PLAN_ID])  # the plan's own text must not answer for the scan
    before = index.read_manifest()
    heard: list[tuple[float, str]] = []
    report = index.upsert([mixed_pdf, *sorted(bad.iterdir())], on_progress=lambda f, m: heard.append((f, m)))

    assert report.added == ["plan-scanned"], report.summary()
    assert "torn.jpg" in report.errors and "damaged" in report.errors["torn.jpg"]
    assert "not a PNG image" in report.errors["not-a-picture.png"]
    assert "no text could be read" in report.errors["wall.png"]
    assert "no text could be read" in report.errors["blank.tif"]
    assert report.notes["plan-scanned.pdf"].startswith("OCR识别 1/2页"), report.summary()
    assert "plan-scanned.pdf: OCR识别 1/2页" in report.summary()
    assert any("plan-scanned.pdf: OCR page 1 of 1" in m for _, m in heard), heard

    index = Index(scratch_index, embedder=embedder).load()
    assert set(index.manifest.documents) == set(before.documents) | {"plan-scanned"}  # nothing lost
    passages = index.doc_passages("plan-scanned")
    text_page = [p for p in passages if p.page == 1]
    scanned = [p for p in passages if p.page == 2]
    assert text_page and scanned
    # Text-layer passages carry no mark (the one that runs on into the scanned page does).
    assert any(p.confidence is None and p.ocr_mark == "" for p in text_page)
    assert all(p.page == 1 for p in passages if p.confidence is None)
    assert all(0.9 <= p.confidence <= 1.0 and p.ocr_mark.startswith("OCR识别 ") for p in scanned)
    assert all(p.locator.endswith("第2页") for p in scanned)
    # The heading on the scanned page is found as in a text document.
    assert any("第二节 时代背景" in p.headings for p in scanned), [p.headings for p in scanned]
    # The running header and the page number are gone, as for a text PDF.
    assert not any("外事办公室" in p.text.split("\n", 1)[0] and len(p.text) < 20 for p in scanned)

    record = index.manifest.documents["plan-scanned"].document_record()
    assert record.ocr_pages == [2] and record.ocr["page_count"] == 2
    assert "OCR识别 1/2页" in render_docs_table(index.documents(), "zh")

    # What was read matches the page's own text layer (header and page number aside).
    clean = index.document_text("plan-scanned")
    # (Its first three lines end page 1's last paragraph; the page's own paragraphs begin at 第二节.)
    read = "".join(p.text for p in clean.paragraphs if p.page == 2)
    reference = region_text(3, line_box(render_page(3), 4, SHORT_PAGE_LINES - 4))
    assert character_accuracy(read, reference) >= 0.97

    result = Assistant(scratch_index, index=index).ask(EVIDENCE_QUESTION)
    assert "2020年9月" in result.answer.text, result.answer.text
    cited = [c for c in result.answer.citations if c.passage.doc_id == "plan-scanned"]
    assert cited and cited[0].passage.page == 2
    citation = result.to_dict()["citations"][result.answer.citations.index(cited[0])]
    assert citation["ocr"].startswith("OCR识别 ") and citation["locator"].endswith("第2页")
    assert "OCR识别" in with_ocr_mark(citation["locator"], citation)
    assert "OCR识别" in plain_text({"question": EVIDENCE_QUESTION, "result": result.to_dict()}, "zh")
    assert "OCR识别" in render_viewer("zh", clean, citation)
    assert REVIEW_ID in index.manifest.documents


def test_photo_of_a_page_is_read(tmp_path):
    """A phone photo (turned 1.5°, blurred, grainy, unevenly lit) of four lines of the plan."""
    page = render_page(2)
    box = line_box(page, 1, 4)
    photo = photo_like(page.crop(box))
    photo.save(tmp_path / "notice.jpg", quality=88)
    raw = load_document(tmp_path / "notice.jpg")
    assert raw.page_count == 1 and {line.page for line in raw.lines} == {1}
    assert all(line.confidence is not None for line in raw.lines)
    assert raw.meta["ocr"]["pages"] == [1]
    read = "".join(line.text for line in raw.lines)
    assert character_accuracy(read, region_text(2, box)) >= 0.93, read


def test_two_columns_are_read_left_column_first(tmp_path):
    """Two blocks of three lines side by side: all of the left one is read before the right one."""
    page = render_page(4)
    left_box, right_box = line_box(page, 2, 3), line_box(page, 8, 3)
    two_columns(page.crop(left_box), page.crop(right_box)).save(tmp_path / "columns.png")
    raw = load_document(tmp_path / "columns.png")
    read = "".join(line.text.strip() for line in raw.lines)
    left, right = region_text(4, left_box), region_text(4, right_box)
    assert character_accuracy(read, left + right) >= 0.95, read
    first_right = "".join(right.split())[:6].replace(",", "，")
    last_left = "".join(left.split())[-6:].replace(",", "，")
    assert read.find(last_left[-4:]) < read.find(first_right[:4]), read


def test_scanned_pdf_without_any_text_says_so(tmp_path):
    """An image-only PDF of a blank page: one clear message."""
    from PIL import Image

    Image.new("L", (1240, 1754), 255).save(tmp_path / "blank-scan.pdf", "PDF", resolution=150)
    with pytest.raises(DocumentError) as info:
        load_document(tmp_path / "blank-scan.pdf")
    assert str(info.value).startswith("blank-scan.pdf: no text could be read on any of its 1 page(s)")


def test_ctrl_c_during_a_long_scan_leaves_the_index_intact(tmp_path, scratch_index):
    """`rag ingest` with a multi-page scan: progress per page with the time left; Ctrl-C after the
    first page stops it with "interrupted", and the published index is the one before."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    page = render_page(5)
    frames = [page.crop(line_box(page, 2 * i + 1, 2)) for i in range(3)]
    frames[0].save(corpus / "scan.tiff", save_all=True, append_images=frames[1:])
    from rag.store import Index

    before = Index(scratch_index).read_manifest()
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", RAG_LLM_BASE_URL="")
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", "--corpus", str(corpus), "--index", str(scratch_index.index_dir)],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as at a terminal, even under a background CI job
    )
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "scan.tiff: OCR page 1 of 3" in line:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=120)
    lines.append(err)
    assert any("scan.tiff: OCR page 1 of 3, about" in l and "left" in l for l in lines), lines
    assert proc.returncode == 130 and "interrupted" in "".join(lines), (proc.returncode, lines)
    after = Index(scratch_index).read_manifest()
    assert after.to_json() == before.to_json() and "scan" not in after.documents


def test_asking_does_not_load_the_recogniser():
    """Answering questions never imports the OCR engine (it is loaded only to read a picture)."""
    code = (
        "import sys; import rag.cli, rag.pipeline, rag.app.render, rag.store; "
        "print(sorted(m for m in sys.modules if m.startswith(('rapidocr', 'cv2', 'pypdfium2', 'rag.ocr'))))"
    )
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "[]"


def test_pages_read_with_low_confidence_are_named(tmp_path):
    """A two-page TIFF whose second page is a coarse copy (about 45 dpi): that page is read with a
    confidence under the floor, and the record, the ingest note and the admin table name it."""
    from rag.app.render import render_docs_table
    from rag.cleaning import clean_document
    from rag.documents import build_record
    from rag.store import DocumentInfo
    from rag.ocr import LOW_CONFIDENCE

    page = render_page(2)
    crop = page.crop(line_box(page, 1, 3))
    coarse = crop.resize((int(crop.width * 0.3), int(crop.height * 0.3)))
    crop.save(tmp_path / "notice.tif", save_all=True, append_images=[coarse])
    raw = load_document(tmp_path / "notice.tif")
    confidences = raw.meta["ocr"]["confidence"]
    assert confidences["1"] >= LOW_CONFIDENCE > confidences["2"], confidences
    record = build_record(clean_document(raw))
    assert record.low_confidence_pages == [2]
    assert record.ocr_summary() == "OCR识别 2/2页 · 置信度低: 第2页"
    info = DocumentInfo("notice", record.title, "notice.tif", "", "", 1, 0.0, 2, record.to_dict())
    assert "置信度低: 第2页" in render_docs_table([info], "zh")


@pytest.mark.parametrize("read,meant", [
    ("专栏8 一1重点国家深耕工程", "专栏8—1重点国家深耕工程"),
    ("实施方案（2020一2025年）", "实施方案（2020—2025年）"),
    ("二○三五年远景目标", "二〇三五年远景目标"),
    ('规划,根据"十四五"时期', "规划，根据“十四五”时期"),
    ("第一章 开启新征程", "第一章 开启新征程"),
    ("一县一方案", "一县一方案"),
])
def test_what_the_recogniser_misreads_in_chinese_print_is_put_right(read, meant):
    """Latin look-alikes of Chinese punctuation, 〇 read as ○, a dash between numbers read as 一."""
    from rag.ocr import fix_punctuation

    assert fix_punctuation(read) == meant


@pytest.mark.parametrize("read,meant", [
    ("落实“三高四新“战略，融入世界“为主题", "落实“三高四新“战略，融入世界“为主题"),  # odd: one dropped, left as read
    ("落实“三高四新“战略，以“创新湖南“为主题", "落实“三高四新”战略，以“创新湖南”为主题"),
    ("”一带一路“建设", "“一带一路”建设"),
    ("没有引号的句子。", "没有引号的句子。"),
])
def test_a_paragraph_read_by_ocr_has_its_quotes_in_pairs(read, meant):
    """A closing quote read as an opening one (and the reverse) is set right when the quotes pair up."""
    from rag.ocr import pair_quotes

    assert pair_quotes(read) == meant


def test_line_widths_are_padded_to_few_shapes():
    """Every line width up to 4096 px becomes one of ~30 input widths, at most an eighth wider (or 320)."""
    from rag.ocr import REC_MIN_WIDTH, padded_width

    widths = {w: padded_width(w) for w in range(1, 4097)}
    assert len(set(widths.values())) <= 32
    assert all(p >= w and p % 32 == 0 for w, p in widths.items())
    assert all(p <= max(REC_MIN_WIDTH, w * 1.125 + 32) for w, p in widths.items())


def test_onnx_runtime_reads_a_page_as_openvino_does():
    """Without OpenVINO the same networks run on ONNX Runtime: six lines of the plan read the same."""
    import numpy as np

    from rag.ocr import _build_engine, engine

    page = render_page(2)
    box = line_box(page, 1, 6)
    array = np.ascontiguousarray(np.asarray(page.crop(box))[:, :, ::-1])
    by_openvino = "".join(text for _, text, _ in engine()(array, use_cls=False)[0])
    by_onnxruntime = "".join(text for _, text, _ in _build_engine(1, use_openvino=False)(array, use_cls=False)[0])
    assert character_accuracy(by_openvino, region_text(2, box)) >= 0.97, by_openvino
    assert character_accuracy(by_onnxruntime, by_openvino) >= 0.99, (by_onnxruntime, by_openvino)


@pytest.mark.parametrize("read, unsure, meant", [
    ("东北业地区", {2: ["亚"]}, "东北亚地区"),  # 业 makes no word here; 亚 makes 东北亚
    ("乌千达共和国", {1: ["干", "于"]}, "乌干达共和国"),
    ("重点项目建设", {3: ["顷"]}, "重点项目建设"),  # 项 makes 项目: the read stands
    ("服务于国家", {2: ["子"]}, "服务于国家"),  # neither makes a word: the read stands
    ("崀山风景", {0: ["良"]}, "崀山风景"),  # 良山 is no word either: the rare name stands
    ("ABC公司", {1: ["8"]}, "ABC公司"),  # not Chinese: left alone
    ("15万公项（增产", {4: ["顷"]}, "15万公顷（增产"),  # 公项 is a word the dictionary barely knows; 公顷 a common one
    ("进发展", {0: ["近"]}, "进发展"),  # 进发 (495) against 近 making no word: the read stands
])
def test_an_unsure_character_is_read_as_the_word_it_makes(read, unsure, meant):
    """A character the recogniser doubted that makes no dictionary word becomes its runner-up when that makes one."""
    from rag.ocr import lexicon_fix

    assert "".join(lexicon_fix(list(read), unsure)) == meant


def test_a_line_is_decoded_as_the_recogniser_reads_it_and_put_right_where_unsure():
    """Best class per step, repeats merged, blanks dropped; an unsure 业 with 亚 second becomes 亚."""
    import numpy as np

    from rag.ocr import ctc_read

    characters = ["blank", "东", "北", "业", "亚", "地", "区", " "]
    steps = [1, 1, 0, 2, 0, 3, 5, 0, 6]  # 东东 _ 北 _ 业 地 _ 区
    probs = np.full((len(steps), len(characters)), 0.001)
    for t, c in enumerate(steps):
        probs[t, c] = 0.95
    probs[5, 3], probs[5, 4] = 0.55, 0.40  # 业 unsure, 亚 close behind
    text, confidence = ctc_read(probs, characters)
    assert text == "东北亚地区"
    assert 0.85 < confidence < 0.95
    probs[5, 3], probs[5, 4] = 0.95, 0.04  # sure of 业: read as it is
    assert ctc_read(probs, characters)[0] == "东北业地区"


def _line_probs(characters: list[str], steps: list[int]):
    import numpy as np

    probs = np.full((len(steps), len(characters)), 0.001)
    for t, c in enumerate(steps):
        probs[t, c] = 0.95
    return probs


def test_a_mark_the_decoder_let_the_blank_win_over_is_put_back():
    """"坚持“外事无小事”，严格" read without its comma: the comma's 0.43 at a blank step between the
    closing quote and the next character puts it back (its full- and half-width forms counted together)."""
    from rag.ocr import ctc_read

    characters = ["blank", "小", "事", "”", "严", "格", "，", ",", "“", '"']
    steps = [1, 0, 2, 0, 3, 0, 0, 4, 0, 5]  # 小 _ 事 _ ” _ _ 严 _ 格
    probs = _line_probs(characters, steps)
    assert ctc_read(probs, characters)[0] == "小事”严格"
    probs[5, 6], probs[5, 7], probs[5, 0] = 0.08, 0.03, 0.85  # the comma, 0.11 in all, behind the blank
    assert ctc_read(probs, characters)[0] == "小事”，严格"
    probs[5, 6], probs[5, 7] = 0.05, 0.02  # 0.07: too faint to put back
    assert ctc_read(probs, characters)[0] == "小事”严格"


def test_a_quote_is_put_back_between_characters_but_not_beside_a_quote():
    """A quote's glyph leaves it probability in the blank after it ("十四五”期间": 0.19), so a second
    quote is not put back beside one: the place is only marked, and a paragraph whose quotes pair up
    without it loses the mark. Between two characters a lost quote is put back straight (")."""
    from rag.ocr import MAYBE_QUOTE, ctc_read, settle_quotes

    characters = ["blank", "五", "”", "期", "间", "到", "两", "“", '"']
    after_quote = _line_probs(characters, [1, 0, 2, 0, 0, 3, 0, 4])  # 五 _ ” _ _ 期 _ 间
    after_quote[3, 7], after_quote[3, 0] = 0.19, 0.8
    read = ctc_read(after_quote, characters)[0]
    assert read == "五”" + MAYBE_QUOTE + "期间"
    assert settle_quotes([("“十四" + read, True, 0.99)])[0][0] == "“十四五”期间"
    between = _line_probs(characters, [5, 0, 0, 6])  # 到 _ _ 两
    between[1, 7], between[1, 8], between[1, 0] = 0.15, 0.1, 0.74
    assert ctc_read(between, characters)[0] == '到"两'


def test_two_quotes_read_as_one_are_marked():
    """"走出去”“请进来”": the two quotes side by side read as one quote held over two steps (the decoder
    merges repeats), or a quote's trace at the step of a comma beside it ("四个自信”，" read "四个自信，")."""
    from rag.ocr import MAYBE_QUOTE, ctc_read

    characters = ["blank", "去", "请", "信", "，", "对", "“", "”", '"']
    merged = _line_probs(characters, [1, 0, 8, 8, 0, 2])  # 去 _ " " _ 请
    assert ctc_read(merged, characters)[0] == '去"' + MAYBE_QUOTE + "请"
    beside_comma = _line_probs(characters, [3, 0, 4, 0, 5])  # 信 _ ， _ 对
    beside_comma[2, 7], beside_comma[2, 4] = 0.41, 0.55
    assert ctc_read(beside_comma, characters)[0] == "信" + MAYBE_QUOTE + "，对"
    beside_comma[2, 7], beside_comma[2, 4] = 0.01, 0.95  # no trace of a quote: nothing marked
    assert ctc_read(beside_comma, characters)[0] == "信，对"


@pytest.mark.parametrize("lines, meant", [
    # One quote short: the marked place that makes short quotations gets it.
    ([("主动“走出去”?请进来”，扩大投资", True)], ["主动“走出去”“请进来”，扩大投资"]),
    # A quotation ends no sentence inside it: "“智享。不断完善“" would pair the wrong quotes.
    ([("加强外事资源信息“智享?。不断完善“?湖南HERE”?外事信息数据库，以数据", True),
      ("展现湖南元素，实现“一图看世界，这里有湖南”。为各领域“?引进来”和“走出去”提供服务。", False)],
     ["加强外事资源信息“智享”。不断完善“湖南HERE”外事信息数据库，以数据",
      "展现湖南元素，实现“一图看世界，这里有湖南”。为各领域“引进来”和“走出去”提供服务。"]),
    # A quote that opens goes after the comma it was read with.
    ([("实施“一次审批”办法?，同步办照”等措施", True)], ["实施“一次审批”办法，“同步办照”等措施"]),
    # Quotes that pair up already: the marks go, nothing is added.
    ([("“十四五”?期间", True)], ["“十四五”期间"]),
    # Each paragraph (an indented line and the lines after it) on its own: the first pairs up, the second is short.
    ([("实施“一次审批”办法，", True), ("实施“同步办照”?照随人走”等措施", True)],
     ["实施“一次审批”办法，", "实施“同步办照”“照随人走”等措施"]),
])
def test_a_quote_lost_in_reading_is_put_back_where_the_paragraph_needs_one(lines, meant):
    """A paragraph with an odd number of quotes lost one: of the places the recogniser saw a trace of a
    quote, the one giving quotations that end no sentence inside them, then the shortest, gets it."""
    from rag.ocr import MAYBE_QUOTE, settle_quotes

    marked = [(text.replace("?", MAYBE_QUOTE), indented, 0.99) for text, indented in lines]
    assert [text for text, _, _ in settle_quotes(marked)] == meant


def test_quotes_lost_beside_quotes_and_commas_are_put_back_on_the_plan_pages():
    """Read by the real recogniser, the plan's page 5 has "主动“走出去”“请进来”" (the two middle quotes
    read as one) and page 2 "坚持“四个自信”，" (the closing quote lost beside the comma)."""
    from rag.ocr import MAYBE_QUOTE, read_image

    read = {n: "".join(text for text, _, _ in read_image(render_page(n), n).lines) for n in (2, 5)}
    assert "主动“走出去”“请进来”" in read[5], read[5]
    assert "坚持“四个自信”，" in read[2], read[2]
    assert not any(MAYBE_QUOTE in text for text in read.values())


def test_an_unsure_numeral_one_between_words_is_the_dash_it_looks_like():
    from rag.ocr import lexicon_fix

    assert "".join(lexicon_fix(list("长江一伏尔加"), {2: ["—"]})) == "长江—伏尔加"
    assert "".join(lexicon_fix(list("进一步扩大"), {1: ["—"]})) == "进一步扩大"  # 一 makes 进一步
