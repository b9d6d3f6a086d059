"""Figures and the conditions "which" questions put on them (rag/figures.py), on sentences of real reports:
provincial 2025 reports (江苏, 云南, 浙江, 黑龙江 — not bundled)."""

from __future__ import annotations

from rag.figures import condition_of, figures
from rag.query import analyse


def test_figures_carry_their_unit_and_scale():
    found = figures("城镇新增就业120万人以上，居民消费价格涨幅2%左右，粮食产量1600亿斤以上")
    assert [(f.value, f.unit, f.qualifier) for f in found] == [
        (1_200_000, "人", "以上"), (2, "%", "左右"), (1.6e11, "斤", "以上"),
    ]
    # 万亿元 and 亿元 are one unit at different scales; a full-width ％ is a %.
    assert figures("退税超过2.4万亿元")[0].value == figures("退税超过24000亿元")[0].value
    assert figures("地区生产总值增长5.8％")[0].unit == "%"
    # A year, an ordinal, an item number are not figures.
    assert figures("2025年第3位，第12条") == []


def test_which_questions_put_a_condition_on_a_figure():
    c = condition_of("2025年城镇新增就业目标在100万人以上的省份有哪些？")
    assert (c.op, c.value, c.unit) == (">=", 1_000_000, "人")
    c = condition_of("听说有的省去年减税降费规模很大，哪些省份超过了800亿元？")
    assert (c.op, c.value, c.unit) == (">=", 8e10, "元")
    c = condition_of("哪些省份把2025年地区生产总值增长预期目标定在6%左右？")
    assert (c.op, c.value, c.unit, c.qualifier) == ("=", 6, "%", "左右")
    assert condition_of("哪些地方把外贸进出口增长目标定在两位数？").describe() == "两位数"
    assert condition_of("哪些省份的失业率控制在5.5%以内？").op == "<="
    assert condition_of("Which provinces set GDP growth targets above 6%?").op == ">="
    # Not a "which" question, or no figure: no condition.
    assert condition_of("2025年城镇新增就业目标是多少？") is None
    assert condition_of("哪些省份提到了低空经济？") is None
    assert analyse("2024年地区生产总值增速是5.7%的有哪几个省市？").condition.value == 5.7


def test_a_condition_is_met_only_by_the_subjects_figure():
    c = condition_of("2025年城镇新增就业目标在100万人以上的省份有哪些？")
    subject = ("城镇", "就业")

    def names(clause):
        return all(w in clause for w in subject)

    # 江苏: 120万人 ≥ 100万人.
    assert c.met_in("地区生产总值增长5%以上，城镇新增就业120万人以上，居民消费价格涨幅2%左右", names)
    # 云南: the 1500万人 are rural workers moved, not new urban jobs; the urban figure is 50万人.
    assert not c.met_in("全省农村劳动力转移就业1500万人以上，实现城镇新增就业50万人以上", names)
    # "6%左右" is not met by a target said "6%以上" (浙江's marine economy).
    six = condition_of("哪些省份把地区生产总值增长预期目标定在6%左右？")
    assert six.met_in("地区生产总值增长6%左右；")
    assert not six.met_in("力争海洋生产总值增长6%以上。")


def test_more_than_a_number_and_the_measure_words_of_trains_items_and_places_are_figures():
    from rag.figures import figures

    text = "棚户区住房改造600多万套，浙江中欧班列（义新欧）开行2619列，办结12件，新建3处"
    found = [(text[f.start:f.end], f.value, f.unit, f.qualifier) for f in figures(text)]
    assert found == [("600多万套", 6_000_000, "套", "以上"), ("2619列", 2619, "列", ""), ("12件", 12, "件", ""),
                     ("3处", 3, "处", "")]
