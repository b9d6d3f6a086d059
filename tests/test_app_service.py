"""The app's back end without a browser: streaming, the source viewer's lookup, uploads, deletes, feedback.

Real model, real Chroma: each test gets a private copy of the session index and
of the corpus folder, so uploads and deletes change nothing shared.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, PDF_FIXTURE, PLAN_ID, REVIEW_ID, make_settings

MULTI_Q = "我们公司想和日本、韩国的企业做产业链配套，有没有什么现成的平台可以用？"
SEA_Q = "我们想去东南亚开拓市场，有什么支持？"
UNANSWERABLE_Q = "办理APEC商务旅行卡要交多少费用？"
SHAPE = {"id", "question", "answer", "abstained", "citations", "retrieved", "latency_ms", "mode", "notices",
         "related", "searched"}


@pytest.fixture
def env(tmp_path, built_index_dir):
    index_dir, corpus_dir = tmp_path / "index", tmp_path / "corpus"
    shutil.copytree(built_index_dir, index_dir, ignore=shutil.ignore_patterns("ingest.lock", "ingest.owner"))
    shutil.copytree(CORPUS, corpus_dir)
    return make_settings(index_dir, corpus_dir=corpus_dir, feedback_path=tmp_path / "fb" / "feedback.jsonl",
                         admin_password="pw")


@pytest.fixture
def service(env, embedder):
    from rag.app.service import AppService

    return AppService(env, embedder=embedder)


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ---------------------------------------------------------------- answering
def test_a_long_answer_is_revealed_in_a_bounded_number_of_steps():
    from rag.app.service import REVEAL_STEPS, reveal_steps

    items = "\n".join(f"第{i}项措施。[{i % 9 + 1}]" for i in range(1, 21))
    steps = reveal_steps(items)
    assert len(steps) == REVEAL_STEPS
    assert steps[0] == "第1项措施。[2]" and all(b.startswith(a) and len(b) > len(a) for a, b in zip(steps, steps[1:]))
    assert len(steps[-1]) < len(items)  # the whole answer comes with the final event, not as a step
    assert reveal_steps("甲句。[1]乙句。[2]") == ["甲句。[1]"]
    assert reveal_steps("一句。[1]") == []


def test_extractive_answer_streams_sentence_by_sentence(service, assistant):
    events = list(service.stream(MULTI_Q))
    kinds = [e.kind for e in events]
    assert kinds[0] == "searching" and kinds[-1] == "done" and kinds.count("done") == 1
    final = events[-1].result
    assert SHAPE <= set(final)
    deltas = [e.text for e in events if e.kind == "delta"]
    n_markers = final["answer"].count("[")
    if n_markers >= 2:
        assert deltas, "a multi-sentence answer is revealed in steps"
    for a, b in zip(deltas, deltas[1:] + [final["answer"]]):
        assert b.startswith(a) and len(b) > len(a) and a.endswith("]")
    # the same answer as the library (and `rag ask --json`) gives
    expected = assistant.ask(MULTI_Q).to_dict()
    assert final["answer"] == expected["answer"] and final["citations"] == expected["citations"]


def test_follow_up_is_searched_in_context(service):
    events = list(service.stream("那非洲呢？", history=[SEA_Q]))
    assert events[0].kind == "searching" and "非洲" in events[0].searched and "开拓市场" in events[0].searched
    final = events[-1].result
    assert final["question"] == "那非洲呢？" and final["searched"] == events[0].searched


def test_unusable_question_is_refused_before_anything_is_shown(service):
    from rag.pipeline import QuestionError

    for bad in ("", "   ", "？？！"):
        with pytest.raises(QuestionError):
            list(service.stream(bad))


def test_document_filter_and_unknown_ids(service):
    final = list(service.stream(SEA_Q, doc_ids=[REVIEW_ID]))[-1].result
    assert all(r["doc"] == REVIEW_ID for r in final["retrieved"])
    final = list(service.stream(SEA_Q, doc_ids=["no-such-doc"]))[-1].result
    assert any("No indexed document matches" in n for n in final["notices"])
    assert service.ask(SEA_Q, [], ["no-such-doc"])["notices"]


def test_filter_by_kind_issuer_and_year(service):
    """Facets of the filter: offered from the documents' records, and turned into the documents they select."""
    choices = dict((v, label) for label, v in service.filter_choices())
    records = service.assistant.records
    kinds = {r.kind for r in records.values() if r.kind}
    assert kinds and all(f"kind:{k}" in choices for k in kinds)
    assert all(d in choices for d in records)
    kind = sorted(kinds)[0]
    got, dropped = service.known_doc_ids([f"kind:{kind}"])
    assert not dropped and set(got) == {d for d, r in records.items() if r.kind == kind}
    year = max(r.year for r in records.values() if r.year)
    got, _ = service.known_doc_ids([f"kind:{kind}", f"year:{year}"])
    assert set(got or []) == {d for d, r in records.items() if r.kind == kind and year in r.years}
    assert service.known_doc_ids(["year:1900"]) == (None, True)


def test_every_passage_is_found_in_its_document(service):
    """The source viewer can highlight any passage a citation may name."""
    from rag.app.render import locate_passage

    index = service.assistant.index
    for info in index.documents():
        doc = service.document(info.doc_id)
        assert doc is not None and doc.paragraphs
        texts = [p.text for p in doc.paragraphs]
        missing = [
            p.locator for p in index.doc_passages(info.doc_id)
            if p.headings[:1] != ("文件信息",) and locate_passage(texts, p.text, p.locator) is None
        ]
        assert not missing, missing[:3]


# ---------------------------------------------------------------- feedback
def test_feedback_is_appended_with_question_answer_and_citations(service):
    from rag.feedback import read_feedback

    result = service.ask(SEA_Q)
    fid = service.record_feedback(result, "down", doc_filter=[PLAN_ID], ui_lang="zh")
    service.record_feedback(result, "down", comment="只列了一条", feedback_id=fid, doc_filter=[PLAN_ID])
    (record,) = read_feedback(service.settings.feedback_path)
    assert record["id"] == fid and record["comment"] == "只列了一条" and record["rating"] == "down"
    assert record["question"] == SEA_Q and record["answer"] == result["answer"]
    assert record["citations"] == [{k: c[k] for k in ("n", "doc", "doc_title", "locator", "text", "quoted")}
                                   for c in result["citations"]]
    assert record["index_generation"] == service.generation() and record["doc_filter"] == [PLAN_ID]


# ---------------------------------------------------------------- corpus management
def _bad_files(folder: Path) -> list[tuple[Path, str]]:
    from pypdf import PdfWriter

    folder.mkdir(parents=True, exist_ok=True)
    scanned = folder / "scanned-notice.pdf"
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    with open(scanned, "wb") as f:
        w.write(f)
    broken = folder / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf\n")
    empty = folder / "empty.md"
    empty.write_bytes(b"")
    exe = folder / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00")
    binary = folder / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00")
    duplicate = folder / "plan-scan.pdf"
    shutil.copyfile(PDF_FIXTURE, duplicate)
    return [
        (exe, "err_unsupported"),
        (empty, "err_empty"),
        (scanned, "err_no_text"),  # a blank page: OCR finds no writing on it either
        (broken, "err_damaged"),
        (binary, "err_binary"),
        (duplicate, "err_duplicate"),
    ]


def test_bad_uploads_are_refused_and_change_nothing(service, tmp_path):
    corpus_before = _listing(service.settings.corpus_dir)
    generation = service.generation()
    docs_before = [d.doc_id for d in service.documents()]
    for path, key in _bad_files(tmp_path / "uploads"):
        outcome = service.upload(path, path.name)
        assert not outcome.ok and outcome.key == key, (path.name, outcome)
        if key == "err_duplicate":
            assert outcome.params["doc"] == PLAN_ID and "十四五" in outcome.params["title"]
    assert service.generation() == generation
    assert [d.doc_id for d in service.documents()] == docs_before
    assert _listing(service.settings.corpus_dir) == corpus_before
    assert not any((service.settings.index_dir / "uploads").glob("*/*"))  # staging cleaned up


def _docx(path: Path, paragraphs: list[str], title: str) -> Path:
    import docx

    d = docx.Document()
    d.core_properties.title = title
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(path)
    return path


def test_upload_docx_answer_then_delete(service, tmp_path):
    path = _docx(
        tmp_path / "lantern-festival-notice.docx",
        [
            "关于举办岳麓山国际灯会的通知",
            "一、活动安排",
            "岳麓山国际灯会由长沙市文化旅游局和湖南大学联合主办，展出来自十二个友好城市的灯组作品，旨在以灯会文化促进国际人文交流。",
            "灯会在岳麓山南门广场举行，分为传统灯组区、友城灯组区和青少年创作区三个展区。",
            "二、参展要求",
            "每个友好城市可提交不超过三组灯组作品，作品须在开幕前二十天运抵长沙，组委会负责布展和安全检查。",
        ],
        "关于举办岳麓山国际灯会的通知",
    )
    before = service.generation()
    outcome = service.upload(path, path.name)
    assert outcome.ok and outcome.key == "admin_uploaded", outcome
    assert outcome.params["p"] >= 1 and service.generation() != before
    assert "lantern-festival-notice" in [d.doc_id for d in service.documents()]
    assert (service.settings.corpus_dir / path.name).is_file()

    answer = service.ask("岳麓山国际灯会由哪些单位联合主办？")
    assert not answer["abstained"]
    assert any(c["doc"] == "lantern-festival-notice" for c in answer["citations"])

    again = service.upload(path, path.name)  # the same file again: nothing to do
    assert again.ok and again.key == "admin_unchanged"

    gone = service.delete("lantern-festival-notice")
    assert gone.ok and gone.key == "admin_deleted"
    assert "lantern-festival-notice" not in [d.doc_id for d in service.documents()]
    assert not (service.settings.corpus_dir / path.name).exists()
    assert list((service.settings.index_dir / "deleted").glob("*lantern-festival-notice.docx"))
    answer = service.ask("岳麓山国际灯会由哪些单位联合主办？")
    assert not any(c["doc"] == "lantern-festival-notice" for c in answer["citations"])
    assert not service.delete("lantern-festival-notice").ok


def test_reindex_syncs_with_the_folder(service):
    note = service.settings.corpus_dir / "harbour-note.md"
    note.write_text(
        "# 港口合作备忘\n\n城陵矶港与新加坡港务集团签署合作备忘录，双方在航线开辟、港口管理和人员培训等方面开展合作。"
        "备忘录有效期五年，每年召开一次联席会议评估合作进展。\n",
        encoding="utf-8",
    )
    outcome = service.reindex()
    assert outcome.ok and outcome.params["a"] == 1 and outcome.params["d"] == 0
    assert "harbour-note" in [d.doc_id for d in service.documents()]
    note.unlink()
    outcome = service.reindex()
    assert outcome.ok and outcome.params["d"] == 1
    assert "harbour-note" not in [d.doc_id for d in service.documents()]


def test_index_published_by_another_process_is_picked_up(service, tmp_path, embedder, monkeypatch):
    """The app loads the index once, and swaps in a new generation when another process publishes one."""
    from rag.app import service as service_module
    from rag.store.index import Index

    first = service.assistant
    other = Index(service.settings, embedder=embedder)
    other.delete([REVIEW_ID])
    monkeypatch.setattr(service_module, "REFRESH_EVERY", 0.0)
    assert service.assistant is not first
    assert [d.doc_id for d in service.documents()] == [PLAN_ID]


# ---------------------------------------------------------------- the LLM streaming hook
def test_llm_answers_stream_through_the_hook(env, embedder):
    """With an LLM configured, the app shows the model's text as it arrives, then the checked answer."""
    from fake_openai import FakeOpenAI, Reply, passages_of

    from rag.app.service import AppService

    def reply(body):
        ps = passages_of(body)
        n = next(i for i, p in enumerate(ps, start=1) if "120对" in p)
        return Reply(f"根据规划，到2025年,全省友好城市力争达到120对。[{n}]", chunk_size=3)

    with FakeOpenAI() as server:
        server.default = reply
        settings = env.model_copy(update={"llm_base_url": server.base_url, "llm_model": "fake", "llm_timeout": 10.0})
        service = AppService(settings, embedder=embedder)
        assert service.assistant.mode == "llm"
        events = list(service.stream("到2025年全省友好城市力争达到多少对？"))
    deltas = [e.text for e in events if e.kind == "delta"]
    assert len(deltas) >= 3 and all(b.startswith(a) for a, b in zip(deltas, deltas[1:]))
    final = events[-1].result
    assert events[-1].kind == "done" and final["mode"] == "llm" and not final["abstained"]
    assert "120对" in final["answer"] and final["citations"] and final["citations"][0]["n"] == 1
    assert SHAPE <= set(final)
