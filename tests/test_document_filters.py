"""Filtering by kind, issuer and year; the latest of a series; "非最新" on citations (real documents)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rag.documents import superseded
from rag.query import analyse
from rag.scope import scope_for


def test_select_by_kind_issuer_and_year(documents_assistant):
    a = documents_assistant
    assert a.select(kinds=["条例"]) == ["gov-cn-5341736", "gov-cn-5351177"]
    assert a.select(issuers=["四川"]) == ["gwr-2025-sichuan"]
    assert a.select(kinds=["政府工作报告"], years=[2023, 2024]) == ["gwr-national-2023", "gwr-national-2024"]
    assert a.select(issuers=["广东"]) == []


def test_a_filtered_question_cites_only_the_documents_selected(documents_assistant):
    docs = documents_assistant.select(issuers=["云南"])
    r = documents_assistant.ask("城镇新增就业目标是多少？", doc_ids=docs)
    assert not r.answer.abstained and {c.passage.doc_id for c in r.answer.citations} == {"gwr-2025-yunnan"}


def test_an_earlier_report_of_the_same_series_is_marked_not_latest(documents_assistant):
    records = documents_assistant.records
    assert superseded(records) == {"gwr-national-2023"}  # the regulations are two series, not one
    facts = documents_assistant.document_facts(["gwr-national-2023", "gwr-national-2024"])
    assert facts["gwr-national-2023"]["superseded"] and not facts["gwr-national-2024"]["superseded"]
    assert facts["gwr-national-2024"]["label"].startswith("2024年") and "国务院" in facts["gwr-national-2024"]["label"]


def test_latest_resolves_to_the_latest_of_its_series(documents_assistant):
    s = scope_for(analyse("最新的国务院政府工作报告定的经济增长目标是多少？"), documents_assistant.records)
    assert s.doc_ids == ["gwr-national-2024"] and "scope.latest" in s.rules


def test_cli_filters_and_shows_each_citations_document(documents_assistant):
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    index = str(documents_assistant.settings.index_dir)
    cmd = [sys.executable, "-m", "rag.cli", "ask", "--index", index, "--issuer", "四川", "--json", "城镇新增就业目标是多少？"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert {c["doc"] for c in got["citations"]} == {"gwr-2025-sichuan"}
    assert got["citations"][0]["document"]["issuer"] == "四川省人民政府"
    bad = subprocess.run(cmd[:5] + ["--year", "去年", "问题"], capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 2 and "--year" in bad.stderr
