"""The Gradio API: ``api_name="ask"`` returns what ``rag ask --json`` prints, through ``gradio_client``.

Runs against the session's ``python app.py`` process (see ``test_app_server``).
"""

from __future__ import annotations

import pytest

from conftest import PLAN_ID, REVIEW_ID
from test_app_server import shared_app

SEA_Q = "我们想去东南亚开拓市场，有什么支持？"
UNANSWERABLE_Q = "办理APEC商务旅行卡要交多少费用？"
# The evaluation contract's fields, plus the diagnostics the app shows (related, searched, notices).
REQUIRED = {"id", "question", "answer", "abstained", "citations", "retrieved", "latency_ms", "mode", "notices",
            "related", "searched"}
VOLATILE = {"latency_ms", "timings_ms"}


@pytest.fixture(scope="module")
def client(tmp_path_factory, built_index_dir):
    from gradio_client import Client

    app = shared_app(tmp_path_factory, built_index_dir)
    return Client(app.url, verbose=False)


def test_only_the_ask_endpoint_is_public(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask"}
    params = [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]]
    assert params == ["question", "history", "doc_ids"]


def test_ask_returns_the_shared_result_shape(client, assistant):
    got = client.predict(question=SEA_Q, history=[], doc_ids=[], api_name="/ask")
    expected = assistant.ask(SEA_Q).to_dict()  # what `rag ask --json` prints for the same index
    assert REQUIRED <= set(got) and set(got) == set(expected)
    assert {k: v for k, v in got.items() if k not in VOLATILE} == {k: v for k, v in expected.items() if k not in VOLATILE}
    assert not got["abstained"] and got["citations"]
    c = got["citations"][0]
    assert set(c) == {"n", "doc", "doc_title", "locator", "text", "quoted", "document"} and c["quoted"]
    assert c["document"]["title"] and "label" in c["document"] and c["document"]["superseded"] is False
    assert f"[{c['n']}]" in got["answer"]


def test_history_makes_a_follow_up_understood(client):
    got = client.predict("那非洲呢？", [SEA_Q], [], api_name="/ask")
    assert got["question"] == "那非洲呢？"
    assert "非洲" in got["searched"] and "开拓市场" in got["searched"]
    assert not got["abstained"] and any("非洲" in c["text"] for c in got["citations"])


def test_document_filter_restricts_the_search(client):
    got = client.predict(question=SEA_Q, doc_ids=[REVIEW_ID], api_name="/ask")
    assert got["retrieved"] and {r["doc"] for r in got["retrieved"]} == {REVIEW_ID}
    got = client.predict(question=SEA_Q, doc_ids=[PLAN_ID], api_name="/ask")
    assert {r["doc"] for r in got["retrieved"]} == {PLAN_ID}


def test_unanswerable_question_abstains(client):
    got = client.predict(UNANSWERABLE_Q, api_name="/ask")
    assert got["abstained"] and got["citations"] == []
    assert got["answer"].startswith("文件中未找到") and got["related"]


def test_unusable_question_is_a_clear_error(client):
    with pytest.raises(Exception) as info:
        client.predict("？？？", api_name="/ask")
    assert "没有可检索的文字" in str(info.value) or "no words to search" in str(info.value)
