"""One writer at a time, and an ingest that dies part-way loses nothing (embedded store).

Real ``rag ingest`` processes run against a scratch copy of the session index:
two at once (the second waits and then finds nothing to do), one against a held
lock (it names the holder), and one killed with SIGKILL while it is writing
sentence vectors into a new generation — after which the index must answer
exactly as before.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import CORPUS, PLAN_ID, REVIEW_ID, ROOT, SMALL_DOC

pytestmark = pytest.mark.slow

QUESTIONS = [
    "国际友好城市建设要达到什么目标？",
    "2025年湖南外事工作怎样服务企业出海？",
    "湖南与香港、澳门的合作交流有哪些举措？",
]



def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def _rag(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _corpus(folder: Path, *extra: tuple[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in CORPUS.iterdir():
        shutil.copy(f, folder / f.name)
    for name, text in extra:
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _answers(assistant) -> list[tuple[str, list[str]]]:
    out = []
    for q in QUESTIONS:
        r = assistant.ask(q)
        out.append((r.answer.text, [h.passage.id for h in r.retrieved]))
    return out


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_concurrent_ingests_do_not_corrupt(tmp_path, scratch_index, embedder):
    """The second `rag ingest` waits for the first (saying so), then finds nothing to do."""
    from rag.store.index import Index

    corpus = _corpus(tmp_path / "corpus", ("translators.txt", SMALL_DOC))
    index_dir = str(scratch_index.index_dir)
    first = _rag("ingest", "--corpus", str(corpus), "--index", index_dir, env=_env())
    _wait_for(lambda: (scratch_index.index_dir / "ingest.owner").exists(), 60, "the first ingest to take the lock")
    second = _rag("ingest", "--corpus", str(corpus), "--index", index_dir, env=_env())
    out1, err1 = first.communicate(timeout=240)
    out2, err2 = second.communicate(timeout=240)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert f"being updated by pid {first.pid}" in err2 and "waiting" in err2
    assert "1 added" in out1
    assert "0 added" in out2 and "3 unchanged" in out2

    index = Index(scratch_index, embedder=embedder).load()
    assert set(index.manifest.documents) == {PLAN_ID, REVIEW_ID, "translators"}
    assert len(index.passages) == sum(d.passages for d in index.manifest.documents.values())
    assert index.keyword.ids == sorted(index.passages, key=lambda i: (index.passages[i].doc_id, index.passages[i].order))
    hits = index.keyword_search("外事翻译实训基地", 3)
    assert hits and index.passages[hits[0][0]].doc_id == "translators"


def test_busy_index_names_the_holder(scratch_index):
    """With the lock held elsewhere and a short wait, `rag ingest` exits 2 and says who holds it."""
    from rag.store.index import _WriterLock

    with _WriterLock(scratch_index.index_dir, timeout=0):
        proc = _rag(
            "ingest", "--corpus", str(CORPUS), "--index", str(scratch_index.index_dir),
            env=_env(RAG_INGEST_LOCK_TIMEOUT="1"),
        )
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, (out, err)
    assert re.search(rf"rag: The index is being updated by pid {os.getpid()} on \S+ since", err), err
    assert "try again when it finishes" in err


def test_sigkill_mid_ingest_leaves_the_index_answering_as_before(tmp_path, scratch_index, embedder, assistant):
    """Kill -9 an ingest while it writes a new generation: the published one still answers, identically."""
    from rag.store.index import Index, _WriterLock
    from rag.pipeline import Assistant

    before = _answers(assistant)  # the session index; the scratch index is a copy of it
    plan = (CORPUS / f"{PLAN_ID}.txt").read_text(encoding="utf-8")
    extra = plan.replace("湖南", "湘南")  # new text: a hundred passages and their sentences to embed
    corpus = _corpus(tmp_path / "corpus", ("xiangnan-plan.txt", extra))
    proc = _rag("ingest", "--corpus", str(corpus), "--index", str(scratch_index.index_dir), env=_env())
    seen: list[str] = []

    def read_stderr():
        for line in proc.stderr:
            seen.append(line)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    # Kill once the new generation holds passage rows and sentence vectors are being embedded.
    _wait_for(lambda: any("embedding" in l and "sentences" in l for l in seen) or proc.poll() is not None, 240,
              "the ingest to start embedding sentences")
    # At once: on a fast machine the sentences of a document take a second or two to embed.
    assert proc.poll() is None, "".join(seen)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # The lock died with its holder.
    with _WriterLock(scratch_index.index_dir, timeout=0):
        pass
    index = Index(scratch_index, embedder=embedder)
    unpublished = [
        c.name for c in index.client.list_collections() if c.name.startswith("passages-")
    ]
    index.load()
    assert set(index.manifest.documents) == {PLAN_ID, REVIEW_ID}
    assert len(unpublished) == 2, "the killed run left its half-written generation behind"
    after = _answers(Assistant(scratch_index, index=index))
    assert after == before

    # The next ingest (nothing changed) sweeps the half-written generation away.
    shutil.rmtree(corpus)
    report = Index(scratch_index, embedder=embedder).ingest(_corpus(tmp_path / "corpus2"))
    assert not report.changed
    names = {c.name for c in index.client.list_collections() if c.name.startswith(("passages-", "sentences-"))}
    assert names == {f"passages-{index.manifest.generation}", f"sentences-{index.manifest.generation}"}


def test_failure_while_writing_drops_the_half_written_generation(tmp_path, scratch_index, embedder, monkeypatch):
    """A write that fails part-way (disk full) publishes nothing and cleans up after itself."""
    import errno

    import rag.store.index as rag_index
    from rag.store.index import Index

    index = Index(scratch_index, embedder=embedder)
    before = index.read_manifest()
    real_add_rows = rag_index._add_rows
    calls = {"n": 0}

    def add_rows_then_fail(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_add_rows(*args, **kwargs)

    monkeypatch.setattr(rag_index, "_add_rows", add_rows_then_fail)
    doc = tmp_path / "translators.txt"
    doc.write_text(SMALL_DOC, encoding="utf-8")
    with pytest.raises(OSError, match="No space left"):
        index.upsert([doc])
    assert index.read_manifest().generation == before.generation
    names = {c.name for c in index.client.list_collections() if c.name.startswith(("passages-", "sentences-"))}
    assert names == {f"passages-{before.generation}", f"sentences-{before.generation}"}
    assert sorted(p.name for p in (scratch_index.index_dir / "keyword").iterdir()) == [before.generation]
    # And the lock was released: the next writer gets in at once.
    monkeypatch.setattr(rag_index, "_add_rows", real_add_rows)
    with rag_index._WriterLock(scratch_index.index_dir, timeout=0):
        pass
