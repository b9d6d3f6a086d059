"""Faults of the embedded index, injected for real on a copy of the session index, through the real CLI:
a garbage and a dangling manifest, a truncated ``chroma.sqlite3``, an ingest killed with SIGKILL mid-embedding.

Each test asserts that answers keep coming (or one clear line says what to run), that the passage ids
are the same before and after, that ``rag doctor`` names the state and the command that fixes it, and
that after that one command nothing is left to fix.
"""

from __future__ import annotations

import json
import os
import shutil
import signal

import pytest

from conftest import CORPUS, make_settings
from faultkit import ANSWER_FACT, QUESTION, assert_one_clear_line, passage_ids, rag, start_rag, wait_for_line

pytestmark = pytest.mark.slow


@pytest.fixture
def copy(tmp_path, built_index_dir):
    """A private copy of the session index and of the corpus, as settings."""
    shutil.copytree(built_index_dir, tmp_path / "index", ignore=shutil.ignore_patterns("ingest.lock", "ingest.owner"))
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")


def _cli(settings, *args, **kw):
    return rag(*args, index_dir=settings.index_dir, corpus_dir=settings.corpus_dir, **kw)


def _meta(settings):
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"),
                                     settings=Settings(anonymized_telemetry=False)).get_collection("rag-meta")


def _set_manifest(settings, text: str, generation: str) -> None:
    from rag.store.base import forget_embedded

    _meta(settings).upsert(ids=["manifest"], documents=[text], embeddings=[[1.0]],
                           metadatas=[{"kind": "manifest", "generation": generation}])
    forget_embedded(settings.index_dir / "chroma")


def _doctor_clean(settings) -> None:
    done = _cli(settings, "doctor")
    assert done.returncode == 0, done.stdout
    assert "WARN" not in done.stdout and "FAIL" not in done.stdout, done.stdout


def _asks(settings) -> None:
    done = _cli(settings, "ask", QUESTION)
    assert done.returncode == 0 and ANSWER_FACT in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("garbage", ['{"generation": "2026\x00\xff', "CHECKSUM"])
def test_garbage_manifest_falls_back_and_ingest_republishes(copy, embedder, garbage):
    """A manifest that is not JSON, not of the schema or fails its checksum: answers come from the newest
    complete generation, doctor says `rag ingest`, which republishes it; no passage is lost."""
    before = passage_ids(copy, embedder)
    if garbage == "CHECKSUM":  # valid JSON of the schema, one field altered after the checksum was taken
        d = json.loads(_meta(copy).get(ids=["manifest"], include=["documents"])["documents"][0])
        d["created_at"] += 1
        garbage = json.dumps(d)
    _set_manifest(copy, garbage, "x")
    _asks(copy)
    doctor = _cli(copy, "doctor")
    assert "WARN  manifest" in doctor.stdout and "run `rag ingest`" in doctor.stdout, doctor.stdout
    done = _cli(copy, "ingest")
    assert done.returncode == 0, done.stderr
    assert "repaired: the published manifest is damaged" in done.stdout and "2 unchanged" in done.stdout
    assert "Traceback" not in done.stderr
    assert passage_ids(copy, embedder) == before
    _doctor_clean(copy)


@pytest.mark.parametrize("text, why", [
    ('{"generation": "2026', "not JSON"), ("[1, 2]", "not a JSON object"), ('{"generation": 42}', "generation"),
    ('{"generation": "g", "documents": {"a": {"doc_id": "b"}}}', "document 'a'"),
    ('{"schema": 9, "generation": "g"}', "schema 9"),
])
def test_manifest_schema_is_checked(text, why):
    """What :class:`Manifest` refuses, with the reason in the message (the suite's other cases read these)."""
    from rag.store.manifest import Manifest, ManifestError

    with pytest.raises(ManifestError, match=why):
        Manifest.from_json(text)
    good = Manifest("20260101000000-abcdef", "m", 1.0)
    assert Manifest.from_json(good.to_json()) == good


def test_dangling_manifest_loses_nothing(copy, embedder):
    """The manifest names a generation that is not in the store. Before: `rag ingest` said "2 unchanged"
    and deleted the intact generation. Now it answers from it, and ingest republishes it."""
    before = passage_ids(copy, embedder)
    d = json.loads(_meta(copy).get(ids=["manifest"], include=["documents"])["documents"][0])
    intact = d["generation"]
    from rag.store.manifest import checksum

    d.pop("schema"), d.pop("checksum")
    d["generation"], d["previous"] = "20990101000000-dead00", intact
    _set_manifest(copy, json.dumps({"schema": 2, "checksum": checksum(d), **d}), d["generation"])
    _asks(copy)
    doctor = _cli(copy, "doctor")
    assert "names a generation that is missing" in doctor.stdout and "run `rag ingest`" in doctor.stdout
    done = _cli(copy, "ingest")
    assert done.returncode == 0 and "repaired:" in done.stdout, done.stdout + done.stderr
    assert passage_ids(copy, embedder) == before
    from rag.store import Index
    from rag.store.base import forget_embedded

    forget_embedded(copy.index_dir / "chroma")
    assert Index(copy, embedder=embedder).resolve().manifest.generation == intact
    _doctor_clean(copy)


def test_truncated_sqlite_one_line_then_rebuild_moves_it_aside(copy, embedder):
    """A truncated chroma.sqlite3: ask, ingest and doctor give one line naming `rag ingest --rebuild`,
    which moves the damaged folder aside (kept byte for byte) and rebuilds the same passages."""
    before = passage_ids(copy, embedder)
    db = copy.index_dir / "chroma" / "chroma.sqlite3"
    os.truncate(db, db.stat().st_size // 3)
    damaged_size = db.stat().st_size
    for args in (("ask", QUESTION), ("ingest",)):
        done = _cli(copy, *args)
        assert done.returncode == 2
        assert_one_clear_line(done.stderr, "damaged", "rag ingest --rebuild")
    doctor = _cli(copy, "doctor")
    assert doctor.returncode == 1 and "is damaged" in doctor.stdout and "rag ingest --rebuild" in doctor.stdout
    done = _cli(copy, "ingest", "--rebuild")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "moved to" in done.stdout
    aside = [p for p in copy.index_dir.iterdir() if p.name.startswith("chroma.damaged-")]
    assert len(aside) == 1 and (aside[0] / "chroma.sqlite3").stat().st_size == damaged_size
    assert passage_ids(copy, embedder) == before
    _asks(copy)
    _doctor_clean(copy)


def test_kill9_mid_ingest_then_ingest_gives_a_clean_result(copy, embedder):
    """SIGKILL while a new document is being embedded: the last generation keeps answering with the same
    ids, doctor names the leftovers and `rag ingest`, which finishes the job and removes them."""
    before = passage_ids(copy, embedder)
    text = (CORPUS / "hunan-foreign-affairs-review-2025-part3.txt").read_text(encoding="utf-8")
    (copy.corpus_dir / "hubei-review.txt").write_text(text.replace("湖南", "湖北"), encoding="utf-8")
    proc = start_rag("ingest", index_dir=copy.index_dir, corpus_dir=copy.corpus_dir)
    try:
        wait_for_line(proc, "embedding passages")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close(), proc.stdout.close()
    assert passage_ids(copy, embedder) == before
    _asks(copy)
    doctor = _cli(copy, "doctor")
    assert "WARN  orphans" in doctor.stdout and "died without releasing" in doctor.stdout, doctor.stdout
    assert doctor.stdout.count("run `rag ingest`") >= 2
    done = _cli(copy, "ingest")
    assert done.returncode == 0 and "1 added" in done.stdout, done.stdout + done.stderr
    after = passage_ids(copy, embedder)
    assert set(before) < set(after)
    from rag.store import Index
    from rag.store.base import forget_embedded

    forget_embedded(copy.index_dir / "chroma")
    index = Index(copy, embedder=embedder).load()
    assert {index.passages[p].doc_id for p in set(after) - set(before)} == {"hubei-review"}
    assert not index.orphans()
    assert index.generations_in_store() == {index.manifest.generation, index.manifest.previous}
    import sqlite3

    db = sqlite3.connect(f"file:{copy.index_dir / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True)
    used = {row[0] for row in db.execute("SELECT id FROM segments")}
    db.close()
    folders = {p.name for p in (copy.index_dir / "chroma").iterdir() if p.is_dir()}
    assert folders <= used, f"vector folders of no collection left on disk: {sorted(folders - used)}"
    _doctor_clean(copy)
