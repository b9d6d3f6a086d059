"""Targets against reported results (rag.facts, rag.targets) and broad answers, on real documents.

The documents index (``tests/fixtures/documents``) holds the 2023 and 2024 national reports: the 2023
report sets 2023's targets, the 2024 report reviews 2023 and sets 2024's. The bundled index holds the
plan (targets to 2025) and the 2025 review, which reports on none of the plan's figures.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from rag.cli import main
from rag.facts import BASELINE, RESULT, TARGET, extract_all
from rag.query import analyse
from rag.targets import MET, NO_RESULT, export, from_index, similarity, verdict


@pytest.fixture(scope="module")
def national(documents_assistant):
    return documents_assistant.targets


NATIONAL = Path(__file__).resolve().parents[1] / "eval" / "corpora" / "multidoc" / "gwr-national"


def _read(*paths) -> tuple[dict, dict]:
    """The passages (by id) and document records of real files, read as ingest reads them."""
    from rag.cleaning import clean_document
    from rag.documents import build_record
    from rag.loaders import load_document
    from rag.passages import build_passages
    from rag.settings import Settings

    settings = Settings()
    passages, records = {}, {}
    for path in paths:
        clean = clean_document(load_document(path))
        record = build_record(clean)
        records[record.doc_id] = record
        passages.update((p.id, p) for p in build_passages(clean, settings.passage_min_chars, settings.passage_max_chars))
    return passages, records


def _one(facts, kind, year, subject, unit):
    found = [f for f in facts if f.kind == kind and f.year == year and subject in f.subject and f.unit == unit]
    assert found, (kind, year, subject)
    return found[0]


def test_a_reports_targets_and_its_review_are_told_apart(national):
    facts = national.facts
    target = _one(facts, TARGET, 2023, "城镇新增就业", "人")
    assert target.doc_id == "gwr-national-2023" and target.figure == "1200万人左右" and target.bound == "左右"
    result = _one(facts, RESULT, 2023, "城镇新增就业", "人")
    assert result.doc_id == "gwr-national-2024" and result.low == 12_440_000
    # The 2024 report's own targets are 2024's, never 2023's results.
    assert _one(facts, TARGET, 2024, "国内生产总值", "%").figure == "5%左右"


def test_an_average_over_years_is_no_one_years_result(national):
    # "五年来…年均增长5.2%" in the 2023 report speaks of five years.
    assert not [f for f in national.facts if f.kind == RESULT and f.year == 2022 and "年均" in f.clause]


def test_the_verdict_is_computed_from_the_figures(national):
    jobs = _one(national.facts, TARGET, 2023, "城镇新增就业", "人")
    assert national.result_for(jobs).low == 12_440_000 and verdict(jobs, national.result_for(jobs)) == MET
    gdp_2024 = _one(national.facts, TARGET, 2024, "国内生产总值", "%")
    assert national.result_for(gdp_2024) is None and verdict(gdp_2024, None) == NO_RESULT


def test_abbreviations_match_but_a_short_word_inside_another_name_does_not():
    assert similarity("友城", "友好城市") >= 0.8
    assert similarity("城镇新增就业", "全年城镇新增就业") >= 0.8
    assert similarity("国家", "参展国家") < 0.6


def test_a_verdict_question_gets_target_result_and_verdict(documents_assistant):
    a = documents_assistant.ask("2023年城镇新增就业目标完成了吗？").answer
    assert not a.abstained
    assert "1200万人左右" in a.text and "1244万人" in a.text and "达成" in a.text
    assert [c.passage.doc_id for c in a.citations] == ["gwr-national-2023", "gwr-national-2024"]


def test_a_ceiling_is_judged_against_the_figure_and_english_is_answered(documents_assistant):
    a = documents_assistant.ask("Was the 2023 GDP growth target met?").answer
    assert "5%左右" in a.text and "5.2%" in a.text and "Verdict: met" in a.text
    # "the economy" beside GDP names no second indicator.
    a = documents_assistant.ask("What GDP growth target did China set for 2023, and what growth did the economy actually achieve that year?").answer
    assert "5%左右" in a.text and "5.2%" in a.text and "Verdict: met" in a.text


def test_a_missing_half_is_named(documents_assistant):
    a = documents_assistant.ask("2024年国内生产总值增长目标实现了吗？").answer
    assert "5%左右" in a.text and "未找到2024年的实际" in a.text
    assert {c.passage.doc_id for c in a.citations} == {"gwr-national-2024"}
    b = documents_assistant.ask("四川2024年城镇新增就业目标完成了吗？").answer
    assert "106万人" in b.text and "未找到2024年的相应目标" in b.text
    assert {c.passage.doc_id for c in b.citations} == {"gwr-2025-sichuan"}


def test_a_target_is_never_given_as_the_result_asked(assistant):
    # The plan sets 120 pairs for 2025; the review reports no total.
    r = assistant.ask("2025年全省友城达到多少对了？")
    assert r.answer.abstained and r.answer.reason.startswith("gate.target_not_result")
    assert "120对" in r.answer.text and "未找到2025年的实际" in r.answer.text
    assert r.to_dict()["abstained"] is True


def test_a_plan_target_asked_as_done_says_no_outcome_is_reported(assistant):
    a = assistant.ask("五年内跟50个以上国家、地区和国际组织建立常态对话机制，这个完成了吗？").answer
    assert "50个以上" in a.text and "未找到" in a.text and a.citations


def test_a_plans_look_back_is_a_baseline(assistant):
    facts = extract_all(assistant.index.passages, assistant.records)
    pairs = [f for f in facts if f.unit == "对" and f.low == 100]
    assert pairs and all(f.kind == BASELINE and f.year == 2020 for f in pairs)
    assert any(f.kind == TARGET and f.low == 120 and f.year == 2025 for f in facts)


def test_the_table_exports_as_csv_and_markdown(documents_assistant, tmp_path, capsys):
    table = export(from_index(documents_assistant.index), "gwr-national-2023", "csv")
    rows = list(csv.DictReader(io.StringIO(table)))
    jobs = next(r for r in rows if r["指标"] == "城镇新增就业")
    assert jobs["目标"] == "1200万人左右" and jobs["实际"] == "1244万人" and jobs["结论"] == "达成"
    index_dir = str(documents_assistant.settings.index_dir)
    assert main(["targets", "--doc", "gwr-national-2023", "--index", index_dir]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| 指标 |") and "| 城镇新增就业 | 2023 | 1200万人左右 |" in out
    path = tmp_path / "t.csv"
    assert main(["targets", "--doc", "gwr-national-2023", "--format", "csv", "--out", str(path), "--index", index_dir]) == 0
    assert "1244万人" in path.read_text(encoding="utf-8-sig")
    assert main(["targets", "--doc", "no-such-doc", "--index", index_dir]) == 2


@pytest.mark.parametrize("question, verdict_asked, broad", [
    ("2017年国内生产总值增长目标完成了吗？", True, False),
    ("2022年城镇新增就业的目标是多少，实际完成了多少？", True, False),
    ("Was the 2017 GDP growth target met?", True, False),
    ("到2025年友城要达到多少对？", False, False),
    ("2025年的经济增长目标是多少？", False, False),
    ("我们想去非洲开拓市场，有什么支持？", False, True),
    ("东盟方面有哪些合作重点", False, True),
    ("因公出国办护照证件有哪些便利措施？", False, False),
    ("对外文化交流方面，规划和去年的工作里都有哪些？", False, True),
    ("今年有哪些重大涉外展会活动？", False, True),
])
def test_the_query_reads_verdict_and_broad_questions(question, verdict_asked, broad):
    q = analyse(question)
    assert q.asks_verdict is verdict_asked and q.broad is broad


def test_a_broad_question_lists_every_passage_on_the_place_it_names(assistant):
    a = assistant.ask("我们想去非洲开拓市场，有什么支持？").answer
    assert not a.abstained and len(a.citations) >= 2
    items = [ln for ln in a.text.split("\n") if ln.startswith("·")]
    assert len(items) >= 3
    from rag.glossary import REGION_MEMBERS

    africa = ("非洲",) + REGION_MEMBERS["非洲"]
    for c in a.citations:
        where = "".join(c.sentences) + "".join(c.passage.headings)
        assert any(n in where for n in africa), c.sentences


def test_the_app_service_lists_documents_with_targets_and_writes_the_files(documents_assistant, tmp_path):
    from rag.app.service import AppService

    service = AppService(documents_assistant.settings, assistant=documents_assistant)
    choices = dict((d, label) for label, d in service.target_documents())
    assert "gwr-national-2023" in choices and "gov-cn-5341736" not in choices  # a regulation sets no figures
    rows, files = service.target_table("gwr-national-2023", "en", tmp_path)
    jobs = next(r for r in rows if r["subject"] == "城镇新增就业")
    assert jobs["result"] == "1244万人" and jobs["verdict"] == "met"
    assert [f.suffix for f in files] == [".csv", ".md"] and "1244万人" in files[0].read_text(encoding="utf-8-sig")


def test_a_broad_answer_gives_each_measure_of_an_item_on_the_place_asked(assistant):
    """An item on the place asked ("1. 深化对俄协作。") states several measures: all of them are listed, each
    quoted verbatim from its passage."""
    a = assistant.ask("对俄罗斯的合作，规划里有哪些重点方向？").answer
    assert not a.abstained
    items = [ln for ln in a.text.split("\n") if ln.startswith("·")]
    assert len(items) >= 4
    for c in a.citations:
        for s in c.sentences:
            assert s in c.passage.text
    said = "".join(s for c in a.citations for s in c.sentences)
    assert "长江-伏尔加河" in said and "木材" in said


def test_a_broad_question_on_a_place_retrieval_missed_reads_the_passages_naming_it(assistant):
    """Nothing retrieved names the Middle East: the passages of the documents that name it or its countries
    (迪拜, 阿联酋) are read, and only items on it are listed."""
    from rag.glossary import REGION_MEMBERS

    a = assistant.ask("我们做工程机械的，想去中东开拓市场，省里有什么支持？").answer
    assert not a.abstained
    middle_east = ("中东",) + REGION_MEMBERS["中东"]
    for c in a.citations:
        where = "".join(c.sentences) + "".join(c.passage.headings)
        assert any(n in where for n in middle_east), c.sentences
    assert any(n in a.text for n in ("迪拜", "阿联酋"))


def test_a_broad_question_on_a_document_of_numbered_measures_lists_their_titles(documents_assistant):
    """《国家职业教育改革实施方案》 sets out its measures as numbered titles ("（六）启动1+X证书制度试点工作。"): a broad
    question on its subject lists those titles, each quoted from its passage, at most BROAD_ITEMS passages."""
    a = documents_assistant.ask("国家职业教育改革有哪些举措？").answer
    assert not a.abstained
    items = [ln for ln in a.text.split("\n") if ln.startswith("·")]
    assert len(items) >= 4
    assert sum(bool(re.match(r"· [（(][一二三四五六七八九十]+[)）]", ln)) for ln in items) >= 4
    assert len(a.citations) <= documents_assistant.extractive.BROAD_ITEMS
    assert {c.passage.doc_id for c in a.citations} == {"gov-cn-5365341"}
    for c in a.citations:
        for s in c.sentences:
            assert s in c.passage.text


def test_a_figure_broken_across_lines_and_a_share_of_the_indicator_are_read_right():
    """The 2017 report reviews 2016 as "国内生产总值达到74.4⏎万亿元，增长6.7%" (a line break inside the figure)
    and, further on, "服务业增加值占国内生产总值比重上升到51.6%", a share of GDP: 2016's growth is 6.7%."""
    from rag.targets import Targets

    passages, records = _read(NATIONAL / "gwr-national-2016.txt", NATIONAL / "gwr-national-2017.txt")
    targets = Targets(extract_all(passages, records), passages, records)
    gdp = _one(targets.facts, TARGET, 2016, "国内生产总值", "%")
    assert gdp.figure == "6.5%－7%"
    result = targets.result_for(gdp)
    assert result is not None and result.figure == "6.7%" and result.doc_id == "gwr-national-2017"
    assert verdict(gdp, result) == MET


def test_a_verdict_question_quotes_both_figures_in_the_documents_words(documents_assistant):
    a = documents_assistant.ask("Was the 2023 GDP growth target met?").answer
    # The first line states the verdict; one line each quotes the target and the result where they are said.
    assert "· Target (2023年" in a.text and "· Reported (2024年" in a.text
    assert "国内生产总值超过126万亿元，增长5.2%" in a.text


def test_a_result_with_no_target_set_says_which_half_is_missing(documents_assistant):
    # "达到预期目标了吗" asks a verdict; the 2024 target of Yunnan is in no document held.
    a = documents_assistant.ask("云南2024年GDP增速达到预期目标了吗？").answer
    assert not a.abstained and "未找到2024年的相应目标" in a.text
    assert "实际3.3%" in a.text  # the growth asked (增速), not the level (31534亿元) said in the same clause
    assert {c.passage.doc_id for c in a.citations} == {"gwr-2025-yunnan"}


def test_last_year_is_the_year_the_asked_report_reviews(documents_assistant):
    # "去年" in a question on a 2025 report is 2024: its result, not the 2025 target. The report's own word on
    # the target, later in the sentence ("超额完成国家目标任务"), is given beside the figure.
    a = documents_assistant.ask("四川去年PM2.5浓度的目标完成了吗？").answer
    assert not a.abstained and "30微克" in a.text and "超额完成国家目标任务" in a.text
    assert "未找到2024年" in a.text and "5.5%左右" not in a.text  # not the 2025 targets


def test_a_figure_asked_opens_with_the_figure_its_kind_and_its_year(documents_assistant):
    # A target among a report's eight: the clause that states it, said to be 2025's target.
    a = documents_assistant.ask("云南今年粮食产量目标是多少？").answer
    assert a.text.split("\n")[0] == "粮食总产量稳定在1955万吨以上（2025年目标）[1]"
    # A result is said to be one, of the year it reports.
    a = documents_assistant.ask("2023年全国城镇新增就业实际完成了多少？").answer
    first = a.text.split("\n")[0]
    assert first.startswith("城镇新增就业1244万人") and first.endswith("（2023年实际）[1]") and "目标" not in first
    # English: the line under the lead-in; a short sentence is the line itself, not quoted twice.
    a = documents_assistant.ask("What is Sichuan's 2025 target for urban job creation?").answer
    lines = a.text.split("\n")
    assert "85万人" in lines[1] and lines[1].endswith("(2025 target) [1]")
    assert sum("85万人" in line for line in lines) == 1


def test_no_first_line_when_the_sentence_states_another_thing_or_year():
    """The 2016 report quotes 2015's growth only as a five-year average ("年均增长7.8%") and 2015's energy use per
    unit of GDP ("单位国内生产总值能耗下降18.2%"): neither is 2015's GDP growth."""
    from rag.targets import Targets

    passages, records = _read(NATIONAL / "gwr-national-2016.txt")
    targets = Targets(extract_all(passages, records), passages, records)
    query = analyse("2015年我国国内生产总值实际增长了多少？")
    for sentence in ("国内生产总值年均增长7.8%，经济总量稳居世界第二位。", "单位国内生产总值能耗下降18.2%，主要污染物排放量减少12%以上。"):
        pid = next(p.id for p in passages.values() if sentence[:12] in p.text)
        assert targets.lead(query, pid, sentence) == []
    pid = next(p.id for p in passages.values() if "国内生产总值达到67.7万亿元" in p.text)
    [fact] = targets.lead(query, pid, "国内生产总值达到67.7万亿元，增长6.9%，在世界主要经济体中位居前列。")
    assert fact.figure == "6.9%" and fact.kind == RESULT and fact.year == 2015


def test_a_sentence_stating_the_figure_asked_is_preferred(documents_assistant):
    """Of the candidate sentences, the one whose clause states the asked figure (subject, kind, year) gains
    FACT_BONUS over its plain score: a long sentence of eight targets against a short one on the same topic."""
    extractive = documents_assistant.extractive
    question = "How much grain does Yunnan aim to produce in 2025?"
    query, _, retrieval = documents_assistant.scoped_retrieval(question, 5)
    with_bonus = {c.text: c.score for c in extractive.sentences(question, retrieval, 5)}
    keep, extractive.states_figure = extractive.states_figure, None
    try:
        without = {c.text: c.score for c in extractive.sentences(question, retrieval, 5)}
    finally:
        extractive.states_figure = keep
    gained = [t for t in with_bonus if with_bonus[t] - without[t] > 1e-9]
    assert gained and all("粮食总产量稳定在1955万吨以上" in t for t in gained)
    assert abs(with_bonus[gained[0]] - without[gained[0]] - extractive.FACT_BONUS) < 1e-9


def test_two_reports_a_year_apart_set_the_target_and_review_it(documents_assistant):
    a = documents_assistant.ask(
        "The 2023 report set a target for new urban jobs. What was the target, and what did the 2024 report say was achieved?"
    ).answer
    assert "target 1200万人左右; reported 1244万人. Verdict: met." in a.text
    assert [c.passage.doc_id for c in a.citations] == ["gwr-national-2023", "gwr-national-2024"]


def test_a_document_reports_no_result_of_a_year_after_its_own():
    """The 2021 report's "常住人口城镇化率提高到65%" (under "“十四五”时期主要目标任务和2035年远景目标") is a target,
    though "提高到" often reports a result."""
    passages, records = _read(NATIONAL / "gwr-national-2021.txt")
    facts = [f for f in extract_all(passages, records) if f.figure == "65%" and "城镇化率" in f.subject]
    assert facts and all(f.kind == TARGET for f in facts)


def test_this_years_target_and_last_years_result_are_both_given(documents_assistant):
    # 云南's 2025 report sets 2025's GDP target and reports 2024's growth: both are asked, neither is the other's.
    a = documents_assistant.ask("云南今年地区生产总值增长目标定了多少？去年实际增长了多少？").answer
    assert "5%左右" in a.text and "3.3%" in a.text and "2025年" in a.text and "2024年" in a.text


def test_a_reports_five_year_targets_are_the_periods_and_a_figure_after_another_keeps_its_subject():
    """The 2016 report sets "十三五" targets ("实现城镇新增就业5000万人以上", 2016–2020) beside 2016's own (1000万人以上);
    a 2025 report's "全省完成地区生产总值31534亿元、增长3.3%" gives 2024's GDP growth."""
    passages, records = _read(
        NATIONAL / "gwr-national-2016.txt", NATIONAL / "gwr-national-2022.txt",
        Path(__file__).resolve().parent / "fixtures" / "documents" / "gwr-2025-yunnan.docx",
    )
    facts = extract_all(passages, records)
    jobs = {f.figure: f.year for f in facts if f.kind == TARGET and f.subject == "城镇新增就业"}
    assert jobs["5000万人以上"] == 2020 and jobs["1000万人以上"] == 2016
    # The 2022 report's "今年发展主要预期目标是…" under "二、2022年经济社会发展总体要求…" is 2022's, though the
    # sentence names "十四五" further on.
    assert jobs["1100万人以上"] == 2022
    growth = [f for f in facts if f.figure == "3.3%" and f.doc_id == "gwr-2025-yunnan" and f.subject == "地区生产总值"]
    assert growth and growth[0].kind == RESULT and growth[0].measure == "change" and growth[0].year == 2024


def test_figures_given_in_turn_for_things_listed_are_each_ones():
    """"一产、二产、三产增加值分别增长5.5%左右、6%左右、5%左右" (宁夏's 2025 targets): each figure is one sector's, the
    list's head noun (增加值) shared; "城镇调查失业率、居民消费价格涨幅分别控制在5%和3%以内" (西藏) lends no head."""
    root = Path(__file__).resolve().parents[1] / "eval" / "corpora" / "multidoc" / "gwr-provinces-2025"
    passages, records = _read(root / "gwr-2025-ningxia.docx", root / "gwr-2025-xizang.docx")
    facts = {(f.doc_id, f.figure): f for f in extract_all(passages, records) if "分别" in f.clause and f.kind == TARGET}
    sectors = [facts[("gwr-2025-ningxia", figure)] for figure in ("5.5%左右", "6%左右", "5%左右")]
    assert [f.subject for f in sectors] == ["一产增加值", "二产增加值", "三产增加值"]
    assert all(f.measure == "change" for f in sectors)
    cpi = facts[("gwr-2025-xizang", "3%以内")]
    assert (cpi.subject, cpi.measure) == ("居民消费价格", "change")


def test_no_first_line_for_another_things_figure_and_a_rate_is_no_scale(documents_assistant):
    # Yunnan's 2025 report (not bundled): "云南工业“新三样”增加值增长8.2%" is not 规模以上工业增加值 (3.3%).
    a = documents_assistant.ask("云南2024年规模以上工业增加值增长多少？").answer
    assert "3.3%" in a.text.split("\n")[0] and "8.2%" not in a.text.split("\n")[0]
    # The 2024 national report: "赤字率拟按3%安排，赤字规模4.06万亿元" — the rate asked is 3%, the scale 4.06万亿元.
    rate = documents_assistant.ask("2024年赤字率是多少？").answer.text.split("\n")[0]
    scale = documents_assistant.ask("2024年赤字规模是多少？").answer.text.split("\n")[0]
    assert rate.startswith("赤字率拟按3%安排（2024年目标）") and "4.06万亿元" not in rate
    assert scale.startswith("赤字规模4.06万亿元（2024年目标）")


def test_a_question_asking_last_years_result_and_this_years_target_gets_both(documents_assistant):
    # Yunnan's 2025 report: 2024's grain output under the review, 2025's target under the year's plan.
    a = documents_assistant.ask("云南省2025年政府工作报告中，2024年全省粮食总产量是多少？2025年粮食总产量的目标是多少？").answer
    assert not a.abstained and "1993.5万吨" in a.text and "1955万吨" in a.text


def test_an_english_result_asked_after_the_target_it_was_set_against_is_not_the_target(documents_assistant):
    # The 2024 national report set the energy-intensity target; no 2025 report is held to say what 2024 saw.
    a = documents_assistant.ask(
        "The 2024 national government work report aimed to cut energy consumption per unit of GDP by about 2.5%. "
        "By how much did energy intensity actually fall in 2024?"
    ).answer
    # Asked as a verdict on the target the question states, as a Chinese question of this kind is: the target, and
    # that no result is reported — never the target as the result, nor a verdict.
    assert "target 2.5%左右" in a.text and "not found" in a.text and "Verdict" not in a.text


def test_a_clause_names_the_thing_asked_as_the_question_writes_it():
    from rag.targets import reads_as_asked

    def terms(*words):
        return [(w,) for w in words]

    # Yunnan's 2025 report: another thing's value added, and the one asked.
    q = "云南2024年规模以上工业增加值增长多少？"
    assert not reads_as_asked("新能源电池云南工业“新三样”增加值增长8.2%", q, terms("工业", "增加值"))
    assert reads_as_asked("规模以上工业增加值增长3.3%", q, terms("工业", "增加值"))
    # The 2024 national report: a rate asked is that rate; a level asked is no rate; both when both are asked.
    assert not reads_as_asked("赤字规模4.06万亿元", "2024年赤字率是多少？", terms("赤字"))
    assert reads_as_asked("赤字率拟按3%安排", "2024年赤字率是多少？", terms("赤字"))
    assert not reads_as_asked("赤字率拟按3%安排", "2024年赤字规模是多少？", terms("赤字"))
    assert reads_as_asked("今年拟安排财政赤字2.18万亿元", "2016年政府工作报告安排的财政赤字是多少？赤字率是多少？",
                          terms("财政", "赤字"))
    # A growth rate is stated as a growth (Guangxi's 2025 report); a verb may stand apart from its subject.
    assert reads_as_asked("力争固定资产投资增长3%", "广西今年固定资产投资增速力争达到多少？", terms("固定资产", "投资"))
    assert reads_as_asked("年初剩余的551万农村贫困人口全部脱贫", "2020年有多少农村贫困人口脱贫？", terms("贫困", "人口", "脱贫"))


def test_a_task_of_the_reports_own_year_sets_that_years_target():
    """The 2016 report's part on its own year's work ("三、2016年重点工作") sets "新建改建农村公路20万公里" with no
    target word; the 2017 report reviews it: "农村公路29万公里"."""
    from rag.targets import Targets

    passages, records = _read(NATIONAL / "gwr-national-2016.txt", NATIONAL / "gwr-national-2017.txt")
    targets = Targets(extract_all(passages, records), passages, records)
    roads = _one(targets.facts, TARGET, 2016, "农村公路", "公里")
    assert roads.figure == "20万公里" and roads.doc_id == "gwr-national-2016"
    result = targets.result_for(roads)
    assert result is not None and result.figure.endswith("29万公里") and verdict(roads, result) == MET
    # the review of 2015 in the same report stays a result
    assert not [f for f in targets.facts if f.kind == TARGET and f.doc_id == "gwr-national-2016" and f.year == 2015]


def test_a_two_digit_year_opening_the_question_and_what_was_said_against_what_was_done(documents_assistant):
    # "23年说要…？年底实际完成了多少？": the 2023 report's target, the 2024 report's review of 2023, the verdict.
    for question in ("23年说要新增多少城镇就业？年底实际完成了多少？",
                     "2023年政府工作报告说当年要新增多少城镇就业来着？最后实际新增了多少？"):
        a = documents_assistant.ask(question).answer
        assert "1200万人左右" in a.text and "1244万人" in a.text and "达成" in a.text, question


def test_two_years_each_with_its_figure_in_one_clause_get_both(documents_assistant):
    # Sichuan's 2025 report: 2024's growth under the review, 2025's target under the year's plan.
    a = documents_assistant.ask("四川2024年的地区生产总值增速和2025年的目标分别是多少？").answer
    assert not a.abstained and "5.7%" in a.text and "5.5%以上" in a.text


def test_an_english_question_stating_the_target_it_asks_the_result_of_says_the_result_is_missing(documents_assistant):
    a = documents_assistant.ask("China targeted GDP growth of around 5% for 2024. How much did GDP actually grow in 2024?").answer
    assert "target 5%左右" in a.text and "not found" in a.text


def test_a_latin_abbreviation_inside_a_chinese_term_is_its_written_out_form(documents_assistant):
    # "单位GDP能耗": the report writes 单位国内生产总值能耗.
    for question in ("2024年单位GDP能耗降低的目标是多少？", "2024年说要把单位GDP能耗降多少？"):
        a = documents_assistant.ask(question).answer
        assert not a.abstained and "2.5%左右" in a.text, question


def test_a_result_asked_is_found_in_the_next_years_report():
    from rag.targets import Targets, question_terms

    passages, records = _read(NATIONAL / "gwr-national-2022.txt", NATIONAL / "gwr-national-2023.txt")
    targets = Targets(extract_all(passages, records), passages, records)
    query = analyse("2022年全国城镇新增就业实际是多少？")
    a = targets.answer(query, question_terms(query), None, only=RESULT)
    assert a is not None and "1206万人" in a.text and "1100万人以上" in a.text
    # "600多万套" is a figure: more than 600万套.
    passages, records = _read(NATIONAL / "gwr-national-2016.txt", NATIONAL / "gwr-national-2017.txt")
    facts = extract_all(passages, records)
    assert any(f.kind == RESULT and f.year == 2016 and "棚户区" in f.subject and f.low == 6_000_000 for f in facts)


def test_a_plans_words_on_meeting_a_target_are_no_verdict():
    from rag.targets import states_verdict

    # The 2019 report's plan, and the 2021 report's review of 2020.
    assert not states_verdict("今年城镇新增就业要在实现预期目标的基础上，力争达到近几年的实际规模")
    assert states_verdict("实现高职院校扩招100万人目标")


def test_a_result_under_a_reports_part_headed_by_what_was_achieved_is_of_the_year_reviewed():
    # Fujian's 2025 report heads its review "一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效", with no year.
    passages, records = _read(NATIONAL.parent / "gwr-provinces-2025" / "gwr-2025-fujian.docx")
    facts = extract_all(passages, records)
    grain = [f for f in facts if f.kind == RESULT and "粮食播种面积" in f.subject]
    assert grain and all(f.year == 2024 for f in grain)
    # "粮食播种面积1266.6万亩、产量514.4万吨": the output is the grain's, as the dictionary word 粮食产量 says.
    assert any(f.kind == RESULT and f.year == 2024 and f.subject == "粮食产量" and f.low == 5_144_000 for f in facts)


def test_an_english_question_on_one_reports_target_and_what_the_next_report_reported_gets_the_verdict(documents_assistant):
    a = documents_assistant.ask(
        "What consumer price inflation target did China's 2023 government work report set, and what consumer price "
        "increase for that year did the 2024 report then report?"
    ).answer
    assert "3%左右" in a.text and "0.2%" in a.text and "Verdict" in a.text


def test_a_part_heading_a_coming_plan_periods_targets_sets_targets():
    """The 2016 report's part "二、“十三五”时期主要目标任务和重大举措" sets the period's targets: "森林覆盖率达到23.04%" is
    2020's target, not a result, and so, in the 2021 report's "…“十四五”时期主要目标任务", is 2025's 6000万人 of new jobs."""
    passages, records = _read(NATIONAL / "gwr-national-2016.txt", NATIONAL / "gwr-national-2021.txt")
    facts = extract_all(passages, records)
    forest = [f for f in facts if f.doc_id == "gwr-national-2016" and f.figure == "23.04%"]
    assert forest and all(f.kind == TARGET and f.year == 2020 for f in forest)
    jobs = [f for f in facts if f.doc_id == "gwr-national-2021" and f.figure == "6000万人"]
    assert jobs and all(f.kind == TARGET and f.year == 2025 for f in jobs)
