"""The gate's rules one by one (rag/gate.py), with evidence from two documents: the bundled plan and a
national report not in the bundled corpus (tests/fixtures/documents/gwr-national-2024.txt)."""

from __future__ import annotations

from dataclasses import dataclass

from rag.gate import RULES, Evidence, unit_mismatch, year_not_in_evidence
from rag.query import asked_types


@dataclass
class _Retrieval:
    hits: list
    best_dense: float = 0.9


def evidence(question: str, text: str, dated: str = "") -> Evidence:
    q = question.replace(" ", "")
    return Evidence(question, q, True, _Retrieval([]), text, text + dated, asked_types(question))


def test_every_rule_has_a_code_and_a_docstring():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes)) and all(c.startswith("gate.") for c in codes)
    assert all(len(r.doc) > 20 for r in RULES)


def test_unit_rule_counts_the_thing_asked():
    # A national report (not bundled): the hours of a port's clearance are not a count of 个.
    e = evidence("通关时间延长到了多少个小时？", "口岸通关时间压缩至35个工作日以内。")
    assert unit_mismatch(None, e) == "the evidence counts no 小时"
    assert unit_mismatch(None, evidence("每周有几班直航？", "开通长沙至内罗毕的国际货运航线。"))
    assert unit_mismatch(None, evidence("每周有几班直航？", "每周3班。")) is None
    # An amount asked in one currency is not answered in another.
    assert "亿元" in unit_mismatch(None, evidence("实际使用外资多少亿元？", "实际使用外资1.2亿美元。"))
    assert "亿美元" in unit_mismatch(None, evidence("进出口额是多少欧元？", "进出口额为1.2亿美元。"))
    assert unit_mismatch(None, evidence("实际使用外资多少亿元？", "实际使用外资89亿元。")) is None


def test_year_rule_reads_the_passages_time_not_the_title():
    # Bundled plan: a 2025 target is not a 2030 answer.
    assert year_not_in_evidence(None, evidence("到2030年友城要达到多少对？", "到2025年,全省友好城市力争达到120对。"))
    # A 2024 report's 今年: the passage's time says 2024 (rag.documents.passage_time).
    e = evidence("2024年全国城镇新增就业目标是多少？", "城镇新增就业1200万人以上。", dated="三、今年政府工作任务 2024年")
    assert year_not_in_evidence(None, e) is None
    e = evidence("2025年城镇新增就业目标是多少？", "城镇新增就业1200万人以上。", dated="三、今年政府工作任务 2024年")
    assert year_not_in_evidence(None, e) == "the evidence is not of 2025"
