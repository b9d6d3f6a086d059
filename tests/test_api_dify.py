"""Dify's External Knowledge API (``POST /dify/retrieval``), called with ``httpx`` as Dify calls it.

Runs against the session's ``python app.py`` process (see ``test_app_server``): loopback, no key created.
"""

from __future__ import annotations

import json

import httpx
import pytest

from conftest import PLAN_ID, REVIEW_ID
from test_app_server import shared_app

FRIEND_Q = "到2025年友好城市要达到多少对"


@pytest.fixture(scope="module")
def http(tmp_path_factory, built_index_dir):
    app = shared_app(tmp_path_factory, built_index_dir)
    with httpx.Client(base_url=app.url, timeout=60) as c:
        yield c


def retrieve(http, query=FRIEND_Q, knowledge_id="policy-qa", top_k=3, score_threshold=0.0, **more):
    body = {"knowledge_id": knowledge_id, "query": query,
            "retrieval_setting": {"top_k": top_k, "score_threshold": score_threshold}, **more}
    return http.post("/dify/retrieval", json=body)


def test_records_follow_the_contract(http):
    r = retrieve(http, top_k=3)
    assert r.status_code == 200
    records = r.json()["records"]
    assert 1 <= len(records) <= 3
    for rec in records:
        assert {"content", "score", "title", "metadata"} <= set(rec)
        assert isinstance(rec["content"], str) and rec["content"]
        assert isinstance(rec["score"], float) and 0.0 <= rec["score"] <= 1.0
        assert isinstance(rec["metadata"], dict) and rec["metadata"]["doc"] in (PLAN_ID, REVIEW_ID)
    assert [x["score"] for x in records] == sorted((x["score"] for x in records), reverse=True)
    assert records[0]["score"] == 1.0
    assert any("力争达到120对" in rec["content"] for rec in records)
    best = next(rec for rec in records if "120对" in rec["content"])
    assert best["title"].startswith("湖南省外事港澳工作") and best["metadata"]["locator"]
    assert http.get(best["metadata"]["url"]).status_code == 200


def test_top_k_and_score_threshold(http):
    assert len(retrieve(http, top_k=1).json()["records"]) == 1
    five = retrieve(http, top_k=5).json()["records"]
    assert len(five) == 5 and five[-1]["score"] < five[0]["score"]
    threshold = round(five[-1]["score"] + 0.0001, 4)  # the last is cut, the others kept
    kept = retrieve(http, top_k=5, score_threshold=threshold).json()["records"]
    assert kept == [rec for rec in five if rec["score"] >= threshold] and 1 <= len(kept) < len(five)


def test_knowledge_id_is_the_whole_collection_a_document_or_a_facet(http):
    only = retrieve(http, knowledge_id=REVIEW_ID, top_k=5).json()["records"]
    assert only and {rec["metadata"]["doc"] for rec in only} == {REVIEW_ID}
    r = retrieve(http, knowledge_id="no-such-knowledge")
    assert r.status_code == 404 and r.json() == {"error_code": 2001, "error_msg": "The knowledge 'no-such-knowledge' does not exist."}


def test_metadata_condition_filters_documents(http, assistant):
    title = assistant.records[REVIEW_ID].title
    cond = {"logical_operator": "and",
            "conditions": [{"name": "title", "comparison_operator": "is", "value": title}]}
    records = retrieve(http, top_k=5, metadata_condition=cond).json()["records"]
    assert records and {rec["metadata"]["doc"] for rec in records} == {REVIEW_ID}
    cond = {"conditions": [{"name": "doc", "comparison_operator": "not in", "value": [REVIEW_ID]}]}
    records = retrieve(http, top_k=5, metadata_condition=cond).json()["records"]
    assert records and {rec["metadata"]["doc"] for rec in records} == {PLAN_ID}
    cond = {"conditions": [{"name": "title", "comparison_operator": "contains", "value": "没有这个标题"}]}
    assert retrieve(http, metadata_condition=cond).json() == {"records": []}


@pytest.mark.parametrize(
    "content, status",
    [
        (b"{not json", 400),
        (json.dumps({"knowledge_id": "policy-qa"}), 400),  # no query
        (json.dumps({"knowledge_id": "policy-qa", "query": FRIEND_Q, "retrieval_setting": {"top_k": 0}}), 400),
        (json.dumps({"knowledge_id": "policy-qa", "query": "？？？"}), 400),
        (json.dumps({"knowledge_id": "policy-qa", "query": "长" * 100_000}), 400),
    ],
)
def test_bad_requests_get_dify_errors(http, content, status):
    r = http.post("/dify/retrieval", content=content, headers={"content-type": "application/json"})
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error_code", "error_msg"} and isinstance(body["error_code"], int) and body["error_msg"]


def test_wrong_content_type_is_a_dify_error(http):
    body = json.dumps({"knowledge_id": "policy-qa", "query": FRIEND_Q})
    r = http.post("/dify/retrieval", content=body, headers={"content-type": "text/plain"})
    assert r.status_code == 415 and set(r.json()) == {"error_code", "error_msg"}
