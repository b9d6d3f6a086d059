"""The index's lifecycle with the real model and real Chroma, on small invented documents.

An index of two short invented documents (``SMALL_DOC`` from conftest and one more here)
is built once in a temporary folder; each test works on its own copy, so only what a
test changes is embedded. Covered: re-ingest
of an unchanged folder publishes nothing; a changed document is the only one re-embedded;
a removed (or deleted) document's passages leave Chroma, BM25 and the source store;
rebuild gives the same content-hash ids; a broken new version or a failure while
re-embedding an updated document leaves the previous generation answering.
(Killing an ingest and a write failing on a new document are in ``test_concurrency``.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import SMALL_DOC, make_settings

VOLUNTEER_DOC = """湖南省涉外志愿服务试点办法（测试用虚构文件）

一、目标。到2028年，在长沙、株洲、湘潭三市建立涉外志愿服务站12个，招募外语志愿者800名，为来湘外籍人士提供语言协助。

二、管理。志愿者须通过英语或法语口语测评，每年服务时长不少于40小时，由共青团湖南省委统一登记。
"""
VOLUNTEER_CHANGED = VOLUNTEER_DOC.replace("800名", "950名") + (
    "\n三、激励。服务满200小时的志愿者授予“湖湘涉外志愿之星”称号，并优先推荐参加中非经贸博览会志愿服务。\n"
)


def _write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "translators.txt").write_text(SMALL_DOC, encoding="utf-8")
    (folder / "volunteers.txt").write_text(VOLUNTEER_DOC, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory, embedder):
    """The two documents and their index, built once; each test works on a copy."""
    from rag.store.index import Index

    root = tmp_path_factory.mktemp("lifecycle")
    corpus = _write_corpus(root / "corpus")
    report = Index(make_settings(root / "index", corpus_dir=corpus), embedder=embedder).ingest(corpus)
    assert sorted(report.added) == ["translators", "volunteers"]
    return root, report.generation


@pytest.fixture
def small_corpus(tmp_path, base) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(base[0] / "corpus", folder)
    return folder


@pytest.fixture
def first(base):
    """The generation the copied index has published."""
    return base[1]


@pytest.fixture
def settings(tmp_path, base, small_corpus):
    shutil.copytree(base[0] / "index", tmp_path / "index", ignore=shutil.ignore_patterns("ingest.lock", "ingest.owner"))
    return make_settings(tmp_path / "index", corpus_dir=small_corpus)


@pytest.fixture
def encoded(embedder, monkeypatch) -> list[str]:
    """Every text the embedder is asked to embed as a passage or sentence, in this test."""
    seen: list[str] = []
    real = embedder.embed_passages

    def recording(texts, *args, **kwargs):
        seen.extend(texts)
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(embedder, "embed_passages", recording)
    return seen


def _index(settings, embedder):
    from rag.store.index import Index

    return Index(settings, embedder=embedder)


def _rows(index, generation: str, which: str = "passages") -> dict:
    col = index.client.get_collection(f"{which}-{generation}")
    got = col.get(include=["metadatas", "embeddings"])
    return {i: (m, np.asarray(e)) for i, m, e in zip(got["ids"], got["metadatas"], got["embeddings"])}


def _collections(index) -> set[str]:
    return {c.name for c in index.client.list_collections() if c.name.startswith(("passages-", "sentences-"))}


def test_second_ingest_of_an_unchanged_folder_changes_nothing(settings, small_corpus, first, embedder, encoded):
    loaded = _index(settings, embedder).load()
    manifest_json = loaded.manifest.to_json()
    ids = sorted(loaded.passages)
    keyword_ids = list(loaded.keyword.ids)
    collections = _collections(loaded)

    encoded.clear()
    second = _index(settings, embedder).ingest(small_corpus)
    assert not second.changed and sorted(second.unchanged) == ["translators", "volunteers"]
    assert second.generation == first == loaded.manifest.generation and second.passages == len(ids)
    assert encoded == []  # nothing re-embedded
    again = _index(settings, embedder).load()
    assert again.manifest.to_json() == manifest_json  # same generation, same timestamps
    assert sorted(again.passages) == ids and list(again.keyword.ids) == keyword_ids
    assert _collections(again) == collections
    assert sorted(p.name for p in (settings.index_dir / "keyword").iterdir()) == [first]


def test_changed_document_is_the_only_one_replaced(settings, small_corpus, first, embedder, encoded):
    before = _index(settings, embedder).load()
    old_rows = _rows(before, first)
    kept_ids = {i for i, (m, _) in old_rows.items() if m["doc_id"] == "translators"}
    old_volunteer_ids = {i for i, (m, _) in old_rows.items() if m["doc_id"] == "volunteers"}
    assert kept_ids and old_volunteer_ids

    (small_corpus / "volunteers.txt").write_text(VOLUNTEER_CHANGED, encoding="utf-8")
    encoded.clear()
    report = _index(settings, embedder).ingest(small_corpus)
    assert report.updated == ["volunteers"] and report.unchanged == ["translators"]
    assert not report.added and not report.deleted and report.generation != first
    # Only the changed document was embedded; the other's rows were copied, vectors included.
    assert encoded and all("翻译" not in t for t in encoded)
    assert any("950名" in t for t in encoded)

    after = _index(settings, embedder).load()
    assert after.manifest.previous == first
    assert after.manifest.documents["translators"] == before.manifest.documents["translators"]
    assert after.manifest.documents["volunteers"].file_sha256 != before.manifest.documents["volunteers"].file_sha256
    new_rows = _rows(after, report.generation)
    for pid in kept_ids:
        assert new_rows[pid][0] == old_rows[pid][0]
        # Copied, not re-embedded (``encoded`` above): the store normalises a cosine vector as it adds it, which
        # may move its last bit.
        np.testing.assert_allclose(new_rows[pid][1], old_rows[pid][1], rtol=0, atol=1e-7)
    new_volunteer_ids = {i for i, (m, _) in new_rows.items() if m["doc_id"] == "volunteers"}
    assert new_volunteer_ids and not new_volunteer_ids & old_volunteer_ids
    assert set(new_rows) == kept_ids | new_volunteer_ids
    volunteer_text = "".join(p.text for p in after.doc_passages("volunteers"))
    assert "950名" in volunteer_text and "湖湘涉外志愿之星" in volunteer_text and "800名" not in volunteer_text
    assert "950名" in after.document_text("volunteers").text
    hits = after.keyword_search("涉外志愿之星", 3)
    assert hits and after.passages[hits[0][0]].doc_id == "volunteers"
    # Sentence vectors follow their passages.
    sentence_owners = {m["passage_id"] for m, _ in _rows(after, report.generation, "sentences").values()}
    assert sentence_owners == set(new_rows)


def test_removed_document_leaves_every_store(settings, small_corpus, embedder):
    from rag.pipeline import Assistant

    before = _index(settings, embedder).load()
    gone_ids = {p.id for p in before.doc_passages("volunteers")}
    assert gone_ids

    (small_corpus / "volunteers.txt").unlink()
    report = _index(settings, embedder).ingest(small_corpus)
    assert report.deleted == ["volunteers"] and report.unchanged == ["translators"]
    after = _index(settings, embedder).load()
    assert set(after.manifest.documents) == {"translators"}
    assert not gone_ids & set(after.passages) and after.doc_passages("volunteers") == []
    assert not gone_ids & set(after.keyword.ids)
    for which in ("passages", "sentences"):
        col = after.client.get_collection(f"{which}-{report.generation}")
        assert col.get(where={"doc_id": "volunteers"}, include=[])["ids"] == []
        assert col.count() > 0
    assert after.document_text("volunteers") is None
    assert all(after.passages[pid].doc_id == "translators" for pid, _ in after.keyword_search("涉外志愿服务站", 5))
    question = "到2028年要建立多少个涉外志愿服务站？"
    answered = Assistant(settings, index=before).ask(question).answer
    assert "12个" in answered.text and {c.passage.doc_id for c in answered.citations} == {"volunteers"}
    answered = Assistant(settings, index=after).ask(question).answer
    assert "12个" not in answered.text and "志愿服务站" not in answered.text

    # Index.delete removes a document whose file is still on disk.
    report = _index(settings, embedder).delete(["translators"])
    assert report.deleted == ["translators"]
    empty = _index(settings, embedder).load()
    assert empty.manifest.documents == {} and empty.passages == {}


def test_rebuild_reembeds_everything_and_keeps_the_ids(settings, small_corpus, first, embedder, encoded):
    ids = sorted(_index(settings, embedder).load().passages)
    encoded.clear()
    report = _index(settings, embedder).rebuild(small_corpus)
    assert sorted(report.updated) == ["translators", "volunteers"] and report.generation != first
    assert any("翻译" in t for t in encoded) and any("志愿" in t for t in encoded)
    after = _index(settings, embedder).load()
    assert sorted(after.passages) == ids  # content hashes: same text, same ids


def test_broken_new_version_keeps_the_old_one_answering(settings, small_corpus, first, embedder):
    before = _index(settings, embedder).load()
    (small_corpus / "volunteers.txt").write_bytes(b"\x00\x01binary" * 100)  # a broken save of the same file
    report = _index(settings, embedder).ingest(small_corpus)
    assert "volunteers.txt" in report.errors and "binary" in report.errors["volunteers.txt"]
    assert not report.changed and report.generation == first
    after = _index(settings, embedder).load()
    assert after.manifest.to_json() == before.manifest.to_json()
    assert "800名" in "".join(p.text for p in after.doc_passages("volunteers"))


def test_failure_while_reembedding_an_update_leaves_the_previous_generation_serving(
    settings, small_corpus, first, embedder, monkeypatch
):
    from rag.pipeline import Assistant

    question = "涉外志愿服务站要招募多少名外语志愿者？"
    reader = Assistant(settings, embedder=embedder)  # a process that answers while the update runs
    want = reader.ask(question)
    assert not want.answer.abstained and "800名" in want.answer.text

    (small_corpus / "volunteers.txt").write_text(VOLUNTEER_CHANGED, encoding="utf-8")
    real = embedder.embed_passages
    calls = {"n": 0}

    def fail_on_sentences(texts, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # passages embedded and stored, sentences next: the model crashes
            raise RuntimeError("simulated model failure")
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(embedder, "embed_passages", fail_on_sentences)
    with pytest.raises(RuntimeError, match="simulated model failure"):
        _index(settings, embedder).ingest(small_corpus)
    monkeypatch.setattr(embedder, "embed_passages", real)

    index = _index(settings, embedder)
    assert index.read_manifest().generation == first
    assert _collections(index) == {f"passages-{first}", f"sentences-{first}"}
    assert reader.index.is_current()
    got = reader.ask(question)
    assert got.answer.text == want.answer.text
    fresh = Assistant(settings, embedder=embedder).ask(question)
    assert fresh.answer.text == want.answer.text

    # Once the model works again the update goes through, and the reader picks it up.
    report = _index(settings, embedder).ingest(small_corpus)
    assert report.updated == ["volunteers"]
    reader.refresh()
    assert "950名" in reader.ask(question).answer.text


def test_question_worded_differently_from_a_small_index_is_answered(settings, embedder):
    from rag.pipeline import Assistant

    result = Assistant(settings, embedder=embedder).ask("涉外志愿服务站要建多少个？")
    assert not result.answer.abstained, result.answer.reason
    assert "12个" in result.answer.text


def test_keyword_index_cut_by_an_older_tokenizer_is_rebuilt_once_and_replaced(scratch_index, embedder):
    """An index written before BM25 indexed character bigrams loads with the current tokenizer, and stays fixed."""
    from rag.store.index import Index
    from rag.keyword import TOKENIZER

    first = Index(scratch_index, embedder=embedder).load()
    kdir = first._keyword_dir(first.manifest.generation)
    (kdir / "tokenizer.txt").unlink()  # what an index from before the marker looks like
    reopened = Index(scratch_index, embedder=embedder).load()
    assert reopened.keyword.tokenizer == TOKENIZER
    assert (kdir / "tokenizer.txt").read_text(encoding="utf-8") == TOKENIZER  # replaced on disk, not only in memory
    hits = reopened.keyword_search("友城", 3)
    assert hits and all(pid in reopened.passages for pid, _ in hits)


def test_new_passage_format_reembeds_only_changed_text(settings, small_corpus, first, embedder, encoded, monkeypatch):
    """A new way of cutting passages re-cuts every document, but rows whose text is unchanged keep their
    vectors: here only the changed document's new text is embedded, and answers stay the same."""
    import rag.store.manifest as index_mod

    before = _index(settings, embedder).load()
    kept = sorted(p for p in before.passages if before.passages[p].doc_id == "translators")
    vectors_before = before.passage_vectors(kept)
    monkeypatch.setattr(index_mod, "PASSAGE_FORMAT_VERSION", index_mod.PASSAGE_FORMAT_VERSION + "-test")
    (small_corpus / "volunteers.txt").write_text(VOLUNTEER_CHANGED, encoding="utf-8")
    encoded.clear()
    report = _index(settings, embedder).ingest(small_corpus)
    assert sorted(report.updated) == ["translators", "volunteers"] and report.generation != first
    assert encoded, "the changed document's new text must be embedded"
    assert not any("翻译" in t for t in encoded)  # the unchanged document: nothing re-embedded
    assert any("950名" in t for t in encoded)
    after = _index(settings, embedder).load()
    assert sorted(p for p in after.passages if after.passages[p].doc_id == "translators") == kept
    vectors_after = after.passage_vectors(kept)
    assert all(np.allclose(vectors_after[p], vectors_before[p]) for p in kept)
    from rag.pipeline import Assistant

    got = Assistant(settings, embedder=embedder).ask("涉外志愿服务站要招募多少名外语志愿者？")
    assert "950名" in got.answer.text
