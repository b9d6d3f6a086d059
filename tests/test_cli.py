"""The ``rag`` command as a user runs it: ``.venv/bin/rag`` in a subprocess, against the session index.

Bad input (an empty question, a missing dataset, a missing corpus folder) exits 2 with
one line on stderr and no traceback, before any model is loaded. ``rag ask --json`` prints
exactly one results.jsonl object (docs/eval-format.md), the same one the library gives;
``rag eval`` on a three-question set writes results.jsonl, summary.json and report.md.
The two runs that load the model are started together, to keep the suite fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PLAN_ID, ROOT

RAG = Path(sys.executable).parent / "rag"
DATASET = ROOT / "eval" / "questions.jsonl"
GOAL_Q = "到2025年全省国际友好城市要达到多少对？"
# The contract of results.jsonl (docs/eval-format.md).
RESULT_KEYS = {"id", "question", "answer", "abstained", "citations", "retrieved", "latency_ms"}
CITATION_KEYS = {"doc", "locator", "text"}
RETRIEVED_KEYS = {"doc", "locator", "text", "score"}
VOLATILE = {"latency_ms", "timings_ms"}
EVAL_IDS = ["plan-134", "en-001", "un-004"]  # answerable Chinese, answerable English, unanswerable


def _env(index_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", RAG_INDEX_DIR=str(index_dir))
    return env


def _start(args: list[str], index_dir: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(RAG), *args], cwd=cwd, env=_env(index_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _run(args: list[str], index_dir: Path, cwd: Path) -> subprocess.CompletedProcess:
    proc = _start(args, index_dir, cwd)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def test_the_console_script_is_installed():
    assert RAG.is_file() and os.access(RAG, os.X_OK)


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", ""], "请输入问题"),
        (["ask", "  ", "\t"], "请输入问题"),
        (["ask", "？？？"], "没有可检索的文字"),
        (["ask", "湖南の友好都市はいくつありますか？"], "Japanese"),
        (["ask", "Сколько городов-побратимов у провинции Хунань?"], "Chinese or English only"),
        (["ask", "Combien de villes jumelées a la province du Hunan ?"], "French"),
        (["eval", "--dataset", "missing.jsonl", "--out", "X"], "dataset not found: missing.jsonl"),
        (["ingest", "--corpus", "/nonexistent"], "corpus folder not found: /nonexistent"),
    ],
    ids=["ask-empty", "ask-blank", "ask-punctuation", "ask-japanese", "ask-russian", "ask-french", "eval-missing-dataset",
         "ingest-missing-corpus"],
)
def test_bad_input_exits_2_with_one_line(tmp_path, args, message):
    index_dir = tmp_path / "index"  # an index that does not exist: bad input is refused before it is needed
    result = _run(args, index_dir, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rag: ") and message in lines[0], result.stderr
    assert not (tmp_path / "X").exists() and not index_dir.exists()  # nothing written


def test_ask_without_an_index_exits_2_and_says_what_to_run(tmp_path):
    result = _run(["ask", GOAL_Q], tmp_path / "no-index", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("rag: ") and "rag ingest" in last


@pytest.fixture(scope="module")
def model_runs(tmp_path_factory, built_index_dir):
    """``rag ask --json`` and ``rag eval`` on a three-question set, run at the same time."""
    folder = tmp_path_factory.mktemp("cli")
    rows = {json.loads(line)["id"]: line for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()}
    dataset = folder / "three.jsonl"
    dataset.write_text("\n".join(rows[i] for i in EVAL_IDS) + "\n", encoding="utf-8")
    out = folder / "run"
    procs = {
        "ask": _start(["ask", "--json", GOAL_Q], built_index_dir, cwd=folder),
        "eval": _start(["eval", "--dataset", str(dataset), "--out", str(out)], built_index_dir, cwd=folder),
    }
    done = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    return done, dataset, out


def test_ask_ends_quickly_and_loses_no_output(built_index_dir, tmp_path):
    """After a question the script ends without the interpreter's teardown: what it printed and the
    question's JSON log line (RAG_LOG_LEVEL=INFO) still arrive in full, through pipes, with exit 0."""
    env = {**_env(built_index_dir), "RAG_LOG_LEVEL": "INFO"}
    proc = subprocess.run([str(RAG), "ask", GOAL_Q], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "120对" in proc.stdout and proc.stdout.rstrip().splitlines()[-1].strip()
    logged = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert any(GOAL_Q in json.dumps(r, ensure_ascii=False) for r in logged), proc.stderr[-500:]
    assert "Traceback" not in proc.stderr and "terminate called" not in proc.stderr


def test_ask_json_prints_one_results_object(model_runs, assistant):
    result = model_runs[0]["ask"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    got = json.loads(lines[0])
    assert isinstance(got, dict) and RESULT_KEYS <= set(got)
    assert got["question"] == GOAL_Q and got["abstained"] is False and "120对" in got["answer"]
    assert isinstance(got["latency_ms"], (int, float)) and got["latency_ms"] > 0
    assert got["citations"] and all(CITATION_KEYS <= set(c) for c in got["citations"])
    assert got["retrieved"] and all(RETRIEVED_KEYS <= set(r) for r in got["retrieved"])
    assert got["citations"][0]["doc"] == PLAN_ID and "第六节" in got["citations"][0]["locator"]
    # Exactly what the library answers on the same index (RAG_INDEX_DIR was honoured).
    expected = assistant.ask(GOAL_Q).to_dict()
    assert set(got) == set(expected)
    assert {k: v for k, v in got.items() if k not in VOLATILE} == {k: v for k, v in expected.items() if k not in VOLATILE}


def test_eval_writes_results_summary_and_report(model_runs):
    result = model_runs[0]["eval"]
    _, dataset, out = model_runs
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"report: {out / 'report.md'}" in result.stdout
    assert sorted(p.name for p in out.iterdir() if p.suffix in (".jsonl", ".json", ".md")) == [
        "report.md", "results.jsonl", "summary.json"
    ]

    questions = [json.loads(line) for line in dataset.read_text(encoding="utf-8").splitlines()]
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == EVAL_IDS
    assert [r["question"] for r in rows] == [q["question"] for q in questions]
    for r in rows:
        assert RESULT_KEYS <= set(r)
        assert all(CITATION_KEYS <= set(c) for c in r["citations"])
        assert r["retrieved"] and all(RETRIEVED_KEYS <= set(p) for p in r["retrieved"])
        assert len(r["retrieved"]) <= 5

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    overall = summary["overall"]
    assert summary["k"] == 5
    assert (overall["n"], overall["n_answerable"], overall["n_unanswerable"]) == (3, 2, 1)
    for metric in ("recall@5", "mrr@10", "fact_recall", "citation_precision", "abstention_accuracy",
                   "false_abstention", "latency_p50_ms", "latency_p95_ms"):
        assert metric in overall
    # The summary is computed from these results: abstentions and latencies agree.
    by_id = {r["id"]: r for r in rows}
    assert overall["abstention_accuracy"] == (1.0 if by_id["un-004"]["abstained"] else 0.0)
    answerable_abstained = [by_id[i]["abstained"] for i in ("plan-134", "en-001")]
    assert overall["false_abstention"] == pytest.approx(sum(answerable_abstained) / 2)
    assert set(summary["per_lang"]) == {"zh", "en"}
    assert summary["per_lang"]["en"]["n"] == 1
    lat = sorted(r["latency_ms"] for r in rows)
    assert lat[0] <= overall["latency_p50_ms"] <= lat[-1]

    report = (out / "report.md").read_text(encoding="utf-8")
    assert str(dataset) in report and "3 questions (2 answerable, 1 unanswerable)" in report
    assert "Recall@5" in report


def test_ingest_refuses_a_document_without_chinese_and_keeps_the_rest(tmp_path):
    from conftest import SMALL_DOC

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "translators.txt").write_text(SMALL_DOC, encoding="utf-8")
    (corpus / "english.txt").write_text("Annual Report\n\nThe province signed 30 agreements in 2024.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    result = _run(["ingest", "--corpus", str(corpus), "--index", str(index_dir)], index_dir, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    refused = [ln for ln in result.stderr.splitlines() if ln.startswith("rag: ")]
    assert refused == ["rag: skipped english.txt: no Chinese text; the assistant answers from Chinese documents."]
    assert "1 added" in result.stdout
    answered = _run(["ask", "--json", "全省要培养多少名高级外事翻译人才？"], index_dir, cwd=tmp_path)
    assert answered.returncode == 0 and "300名" in json.loads(answered.stdout)["answer"]


def test_the_same_question_gets_the_same_answer_in_every_process(built_index_dir, tmp_path):
    """Python orders a set of strings differently in each process (PYTHONHASHSEED); which places a sentence names
    ("湖南美国国际友城": 湖南 and 美国, not 南美) and so which measures a broad answer lists must not depend on it."""
    question = "对美国的交流合作有哪些安排？"
    outputs = set()
    for seed in ("1", "4"):
        env = {**_env(built_index_dir), "PYTHONHASHSEED": seed}
        proc = subprocess.run([str(RAG), "ask", question], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1, outputs
    assert "中美省州长论坛" in outputs.pop()  # the item on exchanges with the United States is listed
