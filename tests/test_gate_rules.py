"""The gate's rules one by one (rag/gate.py), with evidence from two documents: the bundled plan and a
national report not in the bundled corpus (tests/fixtures/documents/gwr-national-2024.txt)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pytest

from rag.gate import RULES, Evidence, procedure_missing, unit_mismatch, year_not_in_evidence
from rag.query import analyse, asked_types


@dataclass
class _Retrieval:
    hits: list
    best_dense: float = 0.9


@dataclass
class _Passage:
    doc_title: str
    text: str


@dataclass
class _Hit:
    passage: _Passage


def evidence(question: str, text: str, dated: str = "") -> Evidence:
    q = question.replace(" ", "")
    return Evidence(question, q, True, _Retrieval([]), text, text + dated, asked_types(question), analyse(question))


def quoted(question: str, sentence: str, heading: str) -> Evidence:
    """:func:`evidence` of one sentence quoted from under ``heading``."""
    e = evidence(question, sentence)
    e.quoted = ((sentence, (heading,)),)
    return e


def test_every_rule_has_a_code_and_a_docstring():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes)) and all(c.startswith("gate.") for c in codes)
    assert all(len(r.doc) > 20 for r in RULES)
    # The module's table of reason codes lists every rule, in the order they run.
    import rag.gate

    listed = re.findall(r"``(gate\.\w+)``", rag.gate.__doc__)
    assert listed == codes


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


def test_a_figure_of_another_subject_does_not_answer(documents_assistant):
    """Two provincial reports and two national ones (none bundled): the figure asked must be the subject's."""
    from rag.gate import figure_not_of_subject, subject_missing

    gate = documents_assistant.gate
    targets = "主要预期目标是：地区生产总值增长5.5%左右，社会消费品零售总额增长6%左右，进出口稳中提质，城镇新增就业50万人以上。"
    e = evidence("四川2025年进出口总额的增长目标是百分之多少？", targets)
    assert "进出口" in figure_not_of_subject(gate, e)
    assert figure_not_of_subject(gate, evidence("四川2025年城镇新增就业目标是多少？", targets)) is None
    # the figure in the next clause, with no new subject before it
    e = evidence("企业养老保险单位缴费比例能降到多少？", "下调城镇职工基本养老保险单位缴费比例，各地可降至16%。")
    assert figure_not_of_subject(gate, e) is None
    # a report's cover line names nothing the question measures
    cover = "2025年1月19日在四川省第十四届人民代表大会第三次会议上省长作政府工作报告。"
    assert subject_missing(gate, evidence("四川2025年城镇调查失业率要控制在多少？", cover))
    assert subject_missing(gate, evidence("四川2025年固定资产投资增长预期目标是多少？", cover))
    # a compound is said when its parts are ("粮食产量" in "粮食播种面积…、产量…")
    e = evidence("云南2025年粮食产量要达到多少万吨？", "全年粮食播种面积6400万亩以上、产量1955万吨以上。")
    assert subject_missing(gate, e) is None
    # the subject is read from the clause that asks, not from who asks
    e = evidence("我们厂想算算用工成本，2019年那份报告说企业养老保险单位缴费比例能降到多少？",
                 "下调城镇职工基本养老保险单位缴费比例，各地可降至16%。")
    assert subject_missing(gate, e) is None
    # "按多少税率征收": the rate is what the figure is in, the tax is its subject (贵州's 2025 report)
    e = evidence("贵州2025年政府工作报告里提到的企业所得税优惠是按多少税率征收？",
                 "用好西部地区鼓励类产业企业所得税减按15%征收等优惠政策，创新举办“数博会”“酒博会”等重大活动。")
    assert subject_missing(gate, e) is None
    assert subject_missing(gate, evidence("贵州2025年的增值税按多少税率征收？", e.evidence))


def test_a_figure_asked_is_not_answered_by_evidence_with_no_figure():
    """An English question asking what figure a target is names no kind (count, amount): the 2024 national report's
    sentence on the money supply (not bundled) gives no figure; its growth target and the bundled plan's do."""
    from rag.gate import figure_missing

    def english(question: str, text: str) -> Evidence:
        return replace(evidence(question, text), zh=False)

    m2 = "保持流动性合理充裕，社会融资规模、货币供应量同经济增长和价格水平预期目标相匹配。"
    e = english("What M2 money supply growth target did the 2024 government work report set?", m2)
    assert figure_missing(None, e) == "a figure is asked and the evidence gives none"
    assert figure_missing(None, replace(e, evidence="今年发展主要预期目标是：国内生产总值增长5%左右。")) is None
    # "形成" holds 成 but states no share ("三成" would).
    assert figure_missing(None, replace(e, evidence="要深入实施新型城镇化战略行动，促进各类要素双向流动，形成城乡融合发展新格局。"))
    # The bundled plan: a year is no figure; "120对" and "翻一番" are.
    friends = "What target for the number of sister cities does the plan set for 2025?"
    assert figure_missing(None, english(friends, "到2025年，推动友好城市建设提质增效。"))
    assert figure_missing(None, english(friends, "到2025年，全省友好城市力争达到120对。")) is None
    assert figure_missing(None, english("What R&D spending intensity target has Tibet set?", "财政科技投入再翻一番。")) is None
    # Asked in Chinese ("多少": a count), or as a goal in words, or a list: no figure asked by this rule.
    assert figure_missing(None, evidence("2025年友城要达到多少对？", "推动友好城市建设提质增效。")) is None
    assert figure_missing(None, english("What are the plan's main targets?", "推动友好城市建设提质增效。")) is None
    assert figure_missing(None, english("Which industries does Shaanxi target?", "培育未来产业。")) is None


def test_a_year_that_names_a_report_is_not_the_evidence_year():
    # "2024年政府工作报告里说的…" names the report; what it says may be of 2023.
    e = evidence("2024年国务院政府工作报告里说的出口“新三样”指的是哪三样？", "电动汽车、锂电池、光伏产品“新三样”出口增长近30%。",
                 "2023年工作回顾")
    assert year_not_in_evidence(None, e) is None
    e = evidence("安徽2025年民生实事总共计划投入多少亿元？", "投入567亿元办好民生实事。", "2024年工作回顾")
    assert year_not_in_evidence(None, e) == "the evidence is not of 2025"


def test_a_quoted_name_the_documents_say_must_be_in_the_evidence():
    from rag.gate import EvidenceGate, quoted_name_missing
    from rag.settings import Settings

    # 浙江's and 山西's 2025 reports (not bundled) name the game; 湖南's cover line does not.
    zhejiang = "《黑神话：悟空》、越剧《新龙门客栈》成为现象级“爆款”产品。"
    shanxi = "借助《黑神话:悟空》开发相关产品和业态，打造文创爆品。"
    plan = "坚持“引进来”和“走出去”并重，到2025年,全省友好城市力争达到120对。"  # the bundled plan
    gate = EvidenceGate(Settings(), "\n".join([zhejiang, shanxi, plan]), documents={"zj": zhejiang, "sx": shanxi, "plan": plan})
    q = "游戏《黑神话：悟空》在哪些省的政府工作报告里被提到了？"
    assert quoted_name_missing(gate, evidence(q, "现在，我代表省人民政府，向大会作政府工作报告。"))
    assert quoted_name_missing(gate, evidence(q, shanxi)) is None  # "黑神话:悟空" is the same name
    # A name no document says is left to the other rules; a quoted document title names where to look.
    assert quoted_name_missing(gate, evidence("“六保”是哪六项？", "保居民就业。")) is None
    assert quoted_name_missing(gate, evidence("《专利代理条例》第六条说了什么？", "第六条 …")) is None
    assert quoted_name_missing(gate, evidence("规划里“引进来”的重点是什么？", plan)) is None


def test_a_target_is_not_stated_by_results():
    from rag.gate import result_not_target

    # 福建's 2025 report (not bundled): its "初步统计，2024年…" paragraph gives 2024's results.
    q = "福建省2025年一般公共预算收入增长目标是多少？"
    result = "初步统计，2024年全省地区生产总值57761亿元、增长5.5%，地方一般公共预算收入3614.6亿元、增长0.6%。"
    assert result_not_target(None, evidence(q, result, dated="2025年福建省政府工作报告 2025"))
    # 天津's: a sentence under the review heading, however it is dated, reports a result.
    e = quoted("天津市2025年外贸进出口总额预期增长多少？", "全年实际使用外资50亿美元，外贸出口增长7.8％。", "一、2024年工作回顾")
    assert result_not_target(None, e) == "the evidence reports results, not the target asked"
    # A plan's sentence (bundled plan), and a result asked: not this rule's.
    assert result_not_target(None, evidence("到2025年全省友好城市目标是多少对？", "到2025年,全省友好城市力争达到120对。")) is None
    assert result_not_target(None, evidence("2024年福建省一般公共预算收入实际增长了多少？", result)) is None


def test_the_rarest_subject_words_sentence_must_give_the_figure():
    from rag.gate import EvidenceGate, figure_not_of_subject
    from rag.settings import Settings

    # The 2023 national report (tests/fixtures/documents): GDP growth has a figure, energy intensity none.
    report = open("tests/fixtures/documents/gwr-national-2023.txt", encoding="utf-8").read()
    passages = [p for p in report.split("\n") if p.strip()]
    gate = EvidenceGate(Settings(), report, passages * 2)
    q = "2023年政府工作报告要求当年单位国内生产总值能耗下降多少？"
    text = "今年发展主要预期目标是：国内生产总值增长5%左右；单位国内生产总值能耗和主要污染物排放量继续下降，重点控制化石能源消费。"
    assert figure_not_of_subject(gate, evidence(q, text)) == "the evidence gives no figure for 能耗"
    text_2024 = "单位国内生产总值能耗降低2.5%左右，生态环境质量持续改善。"  # the 2024 report's target
    assert figure_not_of_subject(gate, evidence("2024年单位国内生产总值能耗要降低多少？", text_2024)) is None
    # M2 names a money aggregate: its digit is no figure.
    q = "政府工作报告给广义货币M2增长定的具体数字目标是多少？"
    assert figure_not_of_subject(gate, evidence(q, "广义货币M2和社会融资规模增速同名义经济增速基本匹配。"))
    # The bundled review: the event's sentence carries its figures in later clauses.
    review = "中非经贸博览会:作为永久落户湖南的国家级展会,2025年展会规模再创新高,参展国家达53个,成交金额113.9亿美元。"
    assert figure_not_of_subject(gate, evidence("今年中非经贸博览会有多少个国家参展？", review)) is None


def test_a_compound_subject_is_not_named_by_one_of_its_parts(documents_assistant):
    """Two provincial reports (not bundled) and a national one: "一般公共预算收入" is not "居民收入"."""
    from rag.gate import subject_missing

    gate = documents_assistant.gate
    targets = "主要预期目标是：地区生产总值增长5%左右，城镇、农村居民人均可支配收入分别增长5%、6.5%左右。"
    assert "公共预算收入" in subject_missing(gate, evidence("江西省2025年一般公共预算收入增长目标定的是多少？", targets))
    budget = "地方一般公共预算收入增长2%，城镇调查失业率5.5%左右。"  # 云南's 2025 targets
    assert subject_missing(gate, evidence("云南2025年一般公共预算收入增长目标是多少？", budget)) is None
    # its parts a few characters apart still name it ("网络流量平均资费", the 2019 national report)
    fees = "今年中小企业宽带平均资费再降低15%，移动网络流量平均资费再降低20%以上。"
    assert subject_missing(gate, evidence("政府工作报告要求移动网络流量资费降低多少？", fees)) is None


def test_a_result_is_not_stated_by_targets():
    from rag.gate import target_not_result

    # 山西's 2025 report (not bundled): its 2025 targets do not say how much 2024's GDP grew.
    targets = "今年发展主要预期目标是：地区生产总值增长5%左右，固定资产投资增长6%以上。"
    e = quoted("山西省2024年地区生产总值增长了多少？", targets, "二、2025年工作安排")
    assert target_not_result(None, e) == "the evidence sets targets, not the result asked"
    # 北京's review of 2024 answers it.
    result = "全市地区生产总值增长5.2%左右，城镇新增就业29.9万人。"
    e = quoted("北京市2024年地区生产总值增长了多少？", result, "一、2024年工作回顾")
    assert target_not_result(None, e) is None


def test_a_bounded_figure_outside_a_review_is_a_target_whatever_its_name():
    """"城镇新增就业1100万人以上" in a report's plan sets a target; "新增" is a word of the indicator's name, not an
    achievement (national report of 2022, not bundled)."""
    from rag.gate import target_not_result

    targets = "城镇新增就业1100万人以上，城镇调查失业率全年控制在5.5%以内。"
    e = quoted("2022年全国城镇新增就业实际是多少？", targets, "二、2022年经济社会发展总体要求和政策取向")
    assert target_not_result(None, e) == "the evidence sets targets, not the result asked"
    result = "城镇新增就业1206万人，年末城镇调查失业率降到5.5%。"
    e = quoted("2022年全国城镇新增就业实际是多少？", result, "一、过去一年和五年工作回顾")
    assert target_not_result(None, e) is None


def test_one_years_figure_is_not_a_several_years_average():
    from rag.gate import span_not_year

    # National report of 2023 (not bundled): a five-year average is not 2022's figure.
    avg = "城镇新增就业年均1270多万人。"
    assert span_not_year(None, evidence("2022年全国城镇新增就业实际是多少？", avg))
    assert span_not_year(None, evidence("2022年全国城镇新增就业实际是多少？", "城镇新增就业1206万人。")) is None
    assert span_not_year(None, evidence("过去五年城镇新增就业年均多少？", avg)) is None  # an average asked
    # Bundled plan: the 十三五's running totals are not 2020's.
    total = "5年来,全省因公出国团组11737批35272人次,67批次省级领导出访五大洲74个国家,推动了一大批企业走出去、项目引进来;"
    assert span_not_year(None, evidence("2020年全省因公出国团组有多少批？", total))
    assert span_not_year(None, evidence("2020年全省因公出国团组有多少批？", "2020年全省因公出国团组1200批。")) is None


def test_a_figure_of_a_five_year_review_is_the_periods_unless_it_is_a_level_reached(documents_assistant):
    """The 2018 national report's "一、过去五年工作回顾" (in the multi-document corpus): what was built in five years is
    not 2017's figure; the level reached at the period's end is."""
    from rag.gate import span_not_year

    gate = documents_assistant.gate
    review = "一、过去五年工作回顾"
    built = "高速公路里程从9.6万公里增加到13.6万公里，新建改建农村公路127万公里，新建民航机场46个。"
    assert span_not_year(gate, quoted("2017年全国新建改建了多少公里农村公路？", built, review))
    assert span_not_year(gate, quoted("2017年末全国高速公路里程是多少公里？", built, review)) is None
    # Outside a look back, or naming its own year, a figure is the year's.
    assert span_not_year(gate, quoted("2017年全国新建改建了多少公里农村公路？", built, "一、2017年工作回顾")) is None
    dated = "2017年新建改建农村公路20万公里。"
    assert span_not_year(gate, quoted("2017年全国新建改建了多少公里农村公路？", dated, review)) is None
    # …or a clause of a sentence that does ("刚刚过去的2017年，…；城镇新增就业1351万人，…").
    jobs = "城镇新增就业1351万人，失业率为多年来最低；"
    paragraph = "刚刚过去的2017年，经济社会发展主要目标任务全面完成并好于预期。国内生产总值增长6.9%；" + jobs
    e = quoted("2017年全国城镇新增就业实际是多少？", jobs, review)
    e.cited_from = "五年来，经济实力跃上新台阶。\n" + paragraph
    assert span_not_year(gate, e) is None
    e.cited_from = "刚刚过去的2017年，经济社会发展主要目标任务全面完成。\n五年来，经济实力跃上新台阶。" + jobs
    e.quoted = ((jobs, ("一、工作回顾",)),)  # a paragraph opening "五年来" looks back, whatever its heading
    assert span_not_year(gate, e)


def test_who_ranks_first_needs_evidence_that_ranks_first():
    from rag.gate import rank_missing

    q = "人均预期寿命增幅排名全国第一的是哪个省？"
    # 云南's 2025 report (not bundled): its ranking answers; its list of targets does not.
    assert rank_missing(None, evidence(q, "近两年人均预期寿命增幅居全国第1位。")) is None
    assert rank_missing(None, evidence(q, "经济社会发展的主要预期目标建议为：地区生产总值增长5%左右。"))
    # The national report of 2023: "居世界首位" ranks; the bundled plan's "摆在首位" does not.
    assert rank_missing(None, evidence("工业增加值排名世界第一吗？", "工业增加值突破40万亿元并连续多年居世界首位。")) is None
    assert rank_missing(None, evidence(q, "始终把政治标准摆在首位,实行政治品德“一票否决”制。"))
    # No ranking asked: the rule says nothing.
    assert rank_missing(None, evidence("人均预期寿命增幅是多少？", "地区生产总值增长5%左右。")) is None


def test_a_subject_may_be_abbreviated_or_framed(documents_assistant):
    """Words the documents spell out or the question only frames with do not make a subject missing."""
    from rag.gate import figure_not_of_subject, subject_missing

    gate = documents_assistant.gate
    review = "第一产业增加值增长2.5%，规模以上工业增加值增长6.6%，服务业增加值增长6.3%。"
    # 规上 is 规模以上 before the same words
    assert subject_missing(gate, evidence("四川去年规上工业增加值增长了多少？", review)) is None
    # a Latin abbreviation in a Chinese question is named by its Chinese term
    national = "全年国内生产总值增长3%，城镇新增就业1206万人，年末城镇调查失业率降到5.5%，居民消费价格上涨2%。"
    assert subject_missing(gate, evidence("2022年GDP增长多少？", national)) is None
    assert figure_not_of_subject(gate, evidence("2022年GDP增长多少？", national)) is None
    # "控制目标" frames the figure: 控制 and 目标 are both framing words
    targets = "城镇调查失业率5.5%以内，城镇新增就业50万人以上。"
    assert subject_missing(gate, evidence("云南今年城镇调查失业率控制目标是多少？", targets)) is None
    # an abbreviation must still be written out before the same words ("规上服务业" is not said)
    assert subject_missing(gate, evidence("四川去年规上服务业营业收入增长了多少？", review))


def test_a_figure_two_clauses_on_belongs_to_the_subject_when_nothing_new_is_named(documents_assistant):
    from rag.gate import figure_not_of_subject

    gate = documents_assistant.gate
    bond = ("从今年开始拟连续几年发行超长期特别国债，专项用于国家重大战略实施和重点领域安全能力建设，"
            "今年先发行1万亿元。")
    assert figure_not_of_subject(gate, evidence("2024年报告说今年先发行多少超长期特别国债？", bond)) is None
    # "大规模扩招100万人" counts another thing than the graduates named two clauses before
    other = "改革完善高职院校考试招生办法，鼓励更多应届高中毕业生和退役军人报考，今年大规模扩招100万人。"
    assert figure_not_of_subject(gate, evidence("2019年预计当年高校毕业生有多少人？", other))


def test_a_country_is_spoken_of_by_its_short_forms():
    from rag.gate import country_not_in_evidence

    # 侵华日军 is Japan's army; the question in English names Japan.
    army = "这项工作由外交部和总参谋部统一归口管理。二、要加强对日军遗弃化学武器的调查取证工作。"
    e = evidence("Which departments manage chemical weapons abandoned by the Japanese army?", army)
    e.zh = False
    assert country_not_in_evidence(None, e) is None
    # …but not by another country's
    e = evidence("Which departments manage weapons abandoned by the German army?", army)
    e.zh = False
    assert country_not_in_evidence(None, e) == "the evidence does not speak of german"
    # A pairing with China names the country by its one character (黑龙江's report: "中蒙俄经济走廊", "中俄跨境索道");
    # 中美洲 is Central America, not the United States.
    corridor = "积极参与“中蒙俄经济走廊”建设，加快构筑向北开放新高地。"
    e = evidence("What does Heilongjiang plan for trade links with Russia?", corridor)
    e.zh = False
    assert country_not_in_evidence(None, e) is None
    e = evidence("What does the plan say about trade with the United States?", "拓展中美洲市场。")
    e.zh = False
    assert country_not_in_evidence(None, e) == "the evidence does not speak of united states"


def test_days_counted_in_working_days_and_a_day_asked_needs_a_day():
    from rag.gate import answer_kind_missing

    rule = "行政许可、行政处罚的执法决定信息要在执法决定作出之日起7个工作日内公开。"
    assert unit_mismatch(None, evidence("行政处罚决定多少天内公开？", rule)) is None
    fair = "世界计算大会、北斗峰会汇聚全球顶尖科学家与行业领袖，2025年展会规模再创新高。"
    assert answer_kind_missing(None, evidence("2025年世界计算大会是哪一天开幕的？", fair))
    assert answer_kind_missing(None, evidence("2019年国庆节是哪一天开始放假？", "10月1日至7日放假调休，共7天。")) is None


# 北京's 2025 report gives no grain output target, only vegetables' (蔬菜产量), though it names 粮食; 云南's gives one.
BEIJING_GRAIN = "建设高标准农田15万亩，持续提升粮食单产，蔬菜产量稳定在200万吨左右，果园提质增效28万亩。"
YUNNAN_GRAIN = "居民人均可支配收入增长快于经济增长，粮食总产量稳定在1955万吨以上。"


def test_a_figure_of_another_thing_of_the_same_kind_does_not_answer(documents_assistant):
    from rag.gate import figure_not_of_subject

    gate = documents_assistant.gate
    assert figure_not_of_subject(gate, evidence("北京今年粮食产量目标定了多少？", BEIJING_GRAIN))
    assert figure_not_of_subject(gate, evidence("云南今年粮食产量要达到多少万吨？", YUNNAN_GRAIN)) is None


def english(question: str, text: str) -> Evidence:
    """:func:`evidence` for an English question."""
    return Evidence(question, question, False, _Retrieval([]), text.replace(" ", ""), text, asked_types(question), analyse(question))


def test_an_english_figure_question_is_held_to_the_same_subject(documents_assistant):
    from rag.gate import figure_not_of_subject

    gate = documents_assistant.gate
    assert figure_not_of_subject(gate, english("What is Beijing's grain output target for 2025?", BEIJING_GRAIN))
    assert figure_not_of_subject(gate, english("What is Yunnan's grain output target for 2025?", YUNNAN_GRAIN)) is None
    # Only the clearest case: a tax named in another clause than the figure is no other tax.
    rule = "在一个纳税年度内在中国境内居住累计不超过90天的，其来源于中国境内的所得，免予缴纳个人所得税。"
    question = "A non-domiciled individual is exempt from individual income tax if he stays no more than how many days?"
    assert figure_not_of_subject(gate, english(question, rule)) is None


def test_a_sum_in_trillions_of_yuan_is_an_amount():
    from rag.gate import answer_kind_missing

    hubei = "全年招商引资签约亿元以上项目6956个、总金额4.6万亿元。"
    assert answer_kind_missing(None, evidence("湖北去年招商引资签约了多少个亿元以上项目？总金额是多少？", hubei)) is None
    assert answer_kind_missing(None, evidence("总金额是多少？", "签约项目6956个。"))


def test_an_english_count_is_held_to_its_measure_and_a_date_counts_no_days():
    from rag.query import question_measures

    assert question_measures("Can visitors transiting through the airport stay visa-free, and for how many days?") == ["天"]
    assert question_measures("How many companies were helped?") == ["家"]
    fair = "9月25日，2025年外交部中秋大集湖南专场在北京外交部体育馆举行。"
    question = "Can foreign visitors transiting through Changsha airport enter visa-free, and for how many days?"
    assert unit_mismatch(None, english(question, fair)) == "the evidence counts no 天"
    assert unit_mismatch(None, english(question, "外国人可在长沙免签停留不超过10天。")) is None
    assert unit_mismatch(None, evidence("行政处罚决定多少天内公开？", "作出之日起7个工作日内公开。")) is None


def test_a_provinces_economic_total_is_its_gdp(documents_assistant):
    # Sichuan's 2025 report (not bundled): "全省地区生产总值增长5.7%，…，经济总量达到64697亿元".
    a = documents_assistant.ask("四川2024年地区生产总值总量是多少亿元？").answer
    assert not a.abstained and "64697亿元" in a.text


def test_a_kind_of_document_named_is_no_figure_subject():
    from rag.gate import subject_words

    words = subject_words("国务院农机化那个指导意见给丘陵山区县定的2025年耕种收综合机械化率目标是多少")
    assert "指导意见" not in words and any("机械化" in w for w in words)


def test_a_broad_question_on_a_subject_no_document_speaks_of_is_refused(documents_assistant):
    # Neither a 对…/在… field nor 《》: the subject of the asking words, Chinese or quoted in English.
    for question in ("开宠物医院、做宠物食品生意，国家有哪些监管要求和许可条件？",
                     "We make pet food. What support measures has the government introduced for the pet industry (宠物产业)?"):
        r = documents_assistant.ask(question)
        assert r.answer.abstained and r.answer.reason.startswith("gate.unknown_field"), question
    # The asker's own situation is no subject: a word of it no document has does not refuse the question.
    r = documents_assistant.ask("我们是县里一家代耕合作社，主要给农户代耕代收。四川今年打算怎么促进高质量充分就业？")
    assert not r.answer.abstained


def test_a_figure_in_the_clause_after_its_subject_answers_when_it_names_only_what_is_asked(documents_assistant):
    from rag.gate import figure_not_of_subject

    gate = documents_assistant.gate
    sentence = "降低并统一大病保险起付线，报销比例由50%提高到60%，进一步减轻大病患者、困难群众医疗负担。"
    assert figure_not_of_subject(gate, evidence("大病保险的报销比例要提高到多少？", sentence)) is None
    # A figure of another thing in the clause after still does not answer.
    other = "降低并统一大病保险起付线，居民医保人均财政补助标准增加30元。"
    assert figure_not_of_subject(gate, evidence("大病保险的报销比例要提高到多少？", other))


def test_the_heading_of_an_item_says_nothing_of_it():
    from rag.gate import heading_only

    question = "对大连新机场建设项目提出了什么办理意见？"
    assert heading_only(None, quoted(question, "五、关于大连新机场建设项目问题。", "国务院办公厅函"))
    assert heading_only(None, quoted(question, "五、关于大连新机场建设项目问题。同意列入规划。", "国务院办公厅函")) is None
    # a list or a part asked is answered by headings
    assert heading_only(None, quoted("第二批改革举措分哪几个方面？", "一、知识产权保护方面。", "附件")) is None
    assert heading_only(None, quoted("规划哪一章讲友城？", "六、推进国际友好城市建设。", "规划")) is None


def test_money_asked_is_counted_in_yuan():
    from rag.query import question_measures

    assert question_measures("19年报告说设了6项专项附加扣除，每项每月具体能扣多少钱？") == ["元"]
    assert question_measures("报名费要交几块钱？") == ["元"]
    assert question_measures("多少家企业？") == ["家"]


def test_a_rate_asked_by_name_is_not_another_rates_figure():
    from rag.gate import another_rate

    # The 2004 reply on water saving (a gov.cn page): "2003年全国城市污水处理率达到42%".
    evidence_ = evidence("2003年全国城市污水再生利用率是多少？", "2003年全国城市污水处理率达到42%。")
    assert another_rate(None, evidence_) == "the evidence gives 处理率, not 利用率"
    assert another_rate(None, evidence("2003年全国城市污水处理率是多少？", "2003年全国城市污水处理率达到42%。")) is None


def test_a_colloquial_word_beside_subjects_the_documents_hold_is_no_unknown_field(documents_assistant):
    from rag.gate import unknown_field

    gate = documents_assistant.gate
    question = "我们在四川开厂，融资、办事、检查这些老大难，省里今年打算怎么帮企业解决？"  # 老大难: a colloquial filler
    e = evidence(question, "着力解决融资难问题。")
    assert unknown_field(gate, e) is None
    for question in ("开宠物医院、做宠物食品生意，国家有哪些监管要求？", "开宠物医院、做宠物食品生意，国家有哪些监管要求和许可条件？"):
        assert "宠物" in unknown_field(gate, evidence(question, "加强市场监管。"))


def test_a_sibling_of_the_thing_asked_does_not_answer():
    from rag.gate import sibling_term

    # The 1996 notice on inland Tibet classes (a gov.cn page) sets the junior classes' intake, not the senior ones'.
    sentence = "（一）扩大内地西藏初中班（校）招生规模，至1998年达到2000名的招生规模。"
    question = "到1998年内地西藏高中班的招生规模要达到多少人？"
    assert sibling_term(None, evidence(question, sentence)) == "the evidence speaks of 内地西藏初中班, not 内地西藏高中班"
    assert sibling_term(None, evidence("到1998年内地西藏初中班的招生规模要达到多少人？", sentence)) is None
    # A word said another way in its last character is no sibling; nor a phrase the question itself uses.
    assert sibling_term(None, evidence("农村公路建设任务是多少？", "新建改建农村公路20万公里。")) is None
    assert sibling_term(None, evidence("高中班和初中班各招多少人？", sentence)) is None
    assert sibling_term(None, evidence("省委外事办在服务方式上做了什么调整？", "省委外事办创新服务模式。")) is None


def test_who_asked_needs_someone_named():
    from rag.gate import who_missing
    from rag.query import asked_types

    question = "Who received China's State Preeminent Science and Technology Award in 2019?"
    assert "who" in asked_types(question)
    assert "who" not in asked_types("What positions does Hazem Hamada, who led the delegation, hold?")
    assert asked_types("Who should we contact about visas?") == {"contact"}
    assert "who" in asked_types("We run a hospital. Who approves our application?")
    assert who_missing(None, evidence(question, "完善重大科技项目组织管理。")) == "the evidence names no one"
    assert who_missing(None, evidence(question, "授予刘永坦院士、钱七虎院士国家最高科学技术奖。")) is None
    assert who_missing(None, evidence("Who approves urgent drug imports?", "由海南省人民政府实施审批。")) is None


def test_an_organisation_named_after_a_place_is_not_the_place():
    """A Xinjiang report's target is not the 兵团's; a province's own government speaks for the province."""
    from rag.gate import organisation_missing

    target = "今年经济社会发展主要预期目标是：地区生产总值增长6%左右。"
    dated = "2025年新疆政府工作报告"
    asked = "新疆生产建设兵团2025年的生产总值增长目标定的是多少？"
    assert organisation_missing(None, evidence(asked, target, dated)) == "the evidence does not speak of 新疆生产建设兵团"
    assert organisation_missing(None, evidence(asked, "新疆生产建设兵团生产总值增长6%左右。", dated)) is None
    own = "2023年江苏省政府工作报告在科技创新方面提出了哪些重点任务？"
    assert organisation_missing(None, evidence(own, "强化科技创新引领。", "2023年江苏省政府工作报告")) is None
    assert organisation_missing(None, evidence("2025年新疆的生产总值增长目标是多少？", target, dated)) is None
    for itself in ("香港特别行政区的经济增长目标是多少？", "全国人民代表大会常务委员会审议了哪些法律？"):
        assert organisation_missing(None, evidence(itself, "增长3%左右。")) is None


def test_a_ministry_an_english_question_names_must_be_in_the_evidence():
    """A committee's member list (gov.cn, November 2018) names no one of the ministry asked about."""
    from rag.gate import organisation_missing

    asked = "Which vice minister of Industry and Information Technology sits on the National Textbook Committee?"
    roster = "王晓晖 中央宣传部副部长、中央政研室副主任 田学军 教育部副部长"
    assert organisation_missing(None, evidence(asked, roster)) == "the evidence does not speak of 工业和信息化部"
    assert organisation_missing(None, evidence(asked, roster + " 罗文 工业和信息化部副部长")) is None
    assert organisation_missing(None, evidence("Which MIIT vice minister sits on it?", roster + " 工信部")) is None


def test_a_share_asked_as_how_large_a_weight_is_a_figure(documents_assistant):
    """"满意度评价在总分里占多大权重": a figure of a weight; an opening sentence names none of it."""
    from rag.gate import subject_missing

    opening = "为进一步深化公立医院改革，推进现代医院管理制度建设，经国务院同意，现就加强三级公立医院绩效考核工作提出以下意见。"
    e = evidence("三级公立医院绩效考核意见里，满意度评价这一块在总分里占多大权重？", opening)
    assert subject_missing(documents_assistant.gate, e)


def test_an_english_figure_asked_of_a_thing_named_only_beside_a_withheld_figure_is_not_given(documents_assistant):
    """The 1996 reply on gold policy (gov.cn) prints the exploration grant as "XXX元": a withheld figure; the next
    sentence's 10亿元 is the fixed-asset investment's."""
    from rag.gate import figure_not_of_subject

    gate = documents_assistant.gate
    asked = "Under the 1996 reply on gold economic policy, how much money does the state allocate every year for gold geological exploration?"
    withheld = "国家每年仍继续拨付XXX元用于黄金地质勘探。“九五”期间，固定资产投资规模每年仍按10亿元安排。"
    english = lambda text: replace(evidence(asked, text), zh=False)  # noqa: E731
    assert figure_not_of_subject(gate, english(withheld)) == "the evidence gives no figure for 黄金"
    assert figure_not_of_subject(gate, english("国家每年仍继续拨付5000万元用于黄金地质勘探。")) is None


def test_a_city_asked_about_must_be_the_evidences_but_not_the_askers_own():
    from rag.gate import city_not_in_evidence

    intro = "为进一步推动党中央、国务院重大决策部署贯彻落实，国务院部署开展了第五次大督查。"
    asked = "国办发〔2018〕108号通报表扬的典型经验做法里，山东省烟台市入选的是哪一项？"
    assert city_not_in_evidence(None, evidence(asked, intro)) == "the evidence does not speak of 烟台市"
    assert city_not_in_evidence(None, evidence(asked, "山东省烟台市推行“一窗受理”。")) is None
    own = "我们是长沙的一家外贸企业，国家对跨境电商有什么支持政策？"
    assert city_not_in_evidence(None, evidence(own, "支持跨境电商综合试验区建设。")) is None
    # A province's own documents speak for its cities.
    plan = "湖南省外事港澳工作“十四五”发展规划"
    sentence = "进一步健全完善港澳同胞身份证明、子女就学、交通出行、社会保障等便利政策。"
    e = quoted("我是香港人，想带孩子来长沙工作，规划里对港澳同胞有哪些便利政策？", sentence, "第三节")
    e.retrieval = _Retrieval([_Hit(_Passage(plan, "…" + sentence))])
    assert city_not_in_evidence(None, e) is None
    e.retrieval = _Retrieval([_Hit(_Passage("国务院办公厅关于…的通知", "…" + sentence))])
    assert city_not_in_evidence(None, e) == "the evidence does not speak of 长沙市"


def test_people_asked_are_counted_in_ren_ming_or_wei():
    # A circular on serious accidents (a gov.cn page, not bundled) names the accident but counts no one killed.
    e = evidence("广东连州“12·21”特大道路交通事故造成了多少人死亡？",
                 "又相继发生了广东连州市“12·21”特大道路交通事故、中石油川东北气矿“12·23”特大井喷事故。")
    assert unit_mismatch(None, e) == "the evidence counts no 人"
    assert unit_mismatch(None, evidence("1996年地震灾害造成多少人死亡？", "1996年地震灾害共造成365人死亡。")) is None
    # The bundled plan and the reports count people as 名 and 万人 too.
    assert unit_mismatch(None, evidence("要培养多少人？", "培养外事翻译人才100名以上。")) is None
    assert unit_mismatch(None, evidence("城镇新增就业多少人？", "城镇新增就业1256万人。")) is None


def test_a_province_asked_about_must_be_the_evidences_but_not_the_askers_own():
    from rag.gate import province_not_in_evidence

    # A notice on 西藏's classes in inland schools (a gov.cn page, not bundled) answers no question on 新疆's.
    asked = "国务院办公厅关于内地新疆高中班扩大办学规模的通知，在经费保障上有哪些安排？"
    tibet = "扩大内地西藏初中班（校）所需的正常经费、基建投资、开办费等，依照有关规定执行"
    e = quoted(asked, tibet + "。", "二、保证必要的办学投资和办学条件")
    e.retrieval = _Retrieval([_Hit(_Passage("国务院办公厅关于扩大内地西藏初中班（校）招生规模的通知", "（一）" + tibet + "。"))])
    assert province_not_in_evidence(None, e) == "the evidence does not speak of 新疆维吾尔自治区"
    xinjiang = "内地新疆高中班所需经费由中央财政负担。"
    e = quoted(asked, xinjiang, "二、经费保障")
    e.retrieval = _Retrieval([_Hit(_Passage("国务院办公厅关于扩大内地新疆高中班办学规模的通知", xinjiang))])
    assert province_not_in_evidence(None, e) is None
    # Evidence whose document is not known is not judged.
    assert province_not_in_evidence(None, evidence(asked, tibet)) is None
    # The bundled plan's title names its province; its sentences say 全省.
    sentence = "到2025年，全省友好城市力争达到120对。"
    e = quoted("湖南到2025年友城要达到多少对？", sentence, "第一节")
    e.retrieval = _Retrieval([_Hit(_Passage("湖南省外事港澳工作“十四五”发展规划", "…" + sentence))])
    assert province_not_in_evidence(None, e) is None
    e.retrieval = _Retrieval([_Hit(_Passage("2025年四川省政府工作报告", "…" + sentence))])
    assert province_not_in_evidence(None, e) == "the evidence does not speak of 湖南省"
    # Provinces written together by their abbreviations ("川渝") are named: a Sichuan report speaks of 重庆 so.
    joint = "深入推进成渝地区双城经济圈建设，实施川渝合作共建重大项目300个。"
    e = quoted("四川今年和重庆一起推进的共建项目有多少个？", joint, "二、2025年重点工作")
    e.retrieval = _Retrieval([_Hit(_Passage("2025年四川省政府工作报告", joint))])
    assert province_not_in_evidence(None, e) is None
    # The asker's own province is no subject of the question.
    own = "我们是湖南的一家外贸企业，国家对跨境电商有什么支持政策？"
    assert province_not_in_evidence(None, evidence(own, "支持跨境电商综合试验区建设。")) is None


def test_a_figure_asked_of_a_thing_the_sentences_and_headings_never_name_is_not_theirs(documents_assistant):
    """A review's paragraph of GDP and investment figures (a 2025 provincial report) answers no question on foreign
    trade, though a later sentence of its passage names 进出口."""
    from rag.gate import figure_not_of_subject

    gate = documents_assistant.gate
    review = "全年实现地区生产总值5503亿元、增长5.4%，固定资产投资增长7.9%。"
    e = quoted("宁夏2024年进出口总额具体是多少亿元？", review, "一、2024年工作回顾")
    assert figure_not_of_subject(gate, e) == "the evidence gives no figure for 进出口"
    e = quoted("宁夏2024年地区生产总值是多少亿元？", review, "一、2024年工作回顾")
    assert figure_not_of_subject(gate, e) is None


def test_a_running_total_is_not_one_years_figure_unless_a_total_is_asked(documents_assistant):
    """Henan's 2025 report: "累计建设人才公寓30万套" is built over the years, not in 2024."""
    from rag.gate import span_not_year

    gate = documents_assistant.gate
    total = "累计建设人才公寓30万套，新筹集保障性租赁住房4.7万套。"
    review = "一、2024年工作回顾"
    assert span_not_year(gate, quoted("河南2024年当年新建了多少套人才公寓？", total, review))
    assert span_not_year(gate, quoted("河南截至2024年累计建设了多少套人才公寓？", total, review)) is None
    # The year's own running total is the year's.
    assert span_not_year(gate, quoted("河南2024年新建了多少套人才公寓？", "全年累计建设人才公寓3万套。", review)) is None


def test_an_english_gdp_question_needs_evidence_naming_gdp(documents_assistant):
    """Xinjiang's 2025 report praises the Production and Construction Corps' anniversary, with figures of years."""
    from rag.gate import subject_missing

    gate = documents_assistant.gate
    asked = "What was the GDP of the Xinjiang Production and Construction Corps in 2024?"
    corps = "去年我们隆重庆祝了新疆生产建设兵团成立70周年。"
    assert subject_missing(gate, replace(evidence(asked, corps), zh=False)) == "the evidence does not name 生产总值"
    assert subject_missing(gate, replace(evidence(asked, "兵团生产总值增长5%。"), zh=False)) is None
    # GDP as the measure of another figure is not asked.
    deficit = "What deficit-to-GDP ratio did the 2018 government work report set?"
    assert subject_missing(gate, replace(evidence(deficit, "今年赤字率拟按2.6%安排。"), zh=False)) is None
    share = "What was R&D spending as a share of GDP in 2024?"
    assert subject_missing(gate, replace(evidence(share, "研发投入强度达到2.68%。"), zh=False)) is None


def test_the_quantity_asked_in_is_not_the_subject_of_the_figure():
    # "多大投资额以上的技改项目": the projects are counted and sized in 元; 投资额 is what the asking measures.
    from rag.gate import subject_words

    found = subject_words("山东2025年计划实施多大投资额以上的技改项目、大概多少个", False)
    assert "投资额" not in found and "项目" in found
    assert "投资额" in subject_words("固定资产投资额是多少", False)


# Broad questions on a subject their named document never mentions. The 2023 national report never speaks of
# 新质生产力 (the 2024 report does); the Patent Agency Regulations (国令第706号) set no registered capital and no
# liability insurance. One noun of a field named is enough ("发展冰雪经济": the 2024 national report never says
# 冰雪, Yunnan's never says 风电), but not when the field lists several and the document holds some ("邮轮和冰雪
# 旅游": the 2024 report speaks of 邮轮). Other documents' measures do not answer.
FIELD_NEVER_MENTIONED = (
    ("2023年政府工作报告在培育新质生产力方面部署了哪些工作？", "新质"),
    ("国令第706号《专利代理条例》对专利代理机构的注册资本和责任保险有哪些要求？", "注册资本"),
    ("2024年政府工作报告在发展冰雪经济方面有哪些部署？", "冰雪"),
    ("云南2025年政府工作报告在发展海上风电方面有哪些安排？", "风电"),
)
# The same asked of the document that does speak of it, or of what the regulation does set.
FIELD_MENTIONED = (
    "2024年政府工作报告在培育新质生产力方面部署了哪些工作？",
    "《专利代理条例》对专利代理机构的执业许可有哪些要求？",
    "四川2025年政府工作报告在发展冰雪经济方面有哪些举措？",
    "2024年政府工作报告在邮轮和冰雪旅游方面有哪些部署？",
)


@pytest.mark.parametrize("question, word", FIELD_NEVER_MENTIONED)
def test_a_broad_question_on_a_subject_its_named_document_never_mentions_is_refused(documents_assistant, question, word):
    r = documents_assistant.ask(question).answer
    assert r.abstained and r.reason.startswith("gate.field_not_in_document") and word in r.reason


@pytest.mark.parametrize("question", FIELD_MENTIONED)
def test_a_broad_question_on_a_subject_its_named_document_mentions_is_answered(documents_assistant, question):
    r = documents_assistant.ask(question).answer
    assert not r.abstained, r.reason


def test_a_document_named_by_its_title_without_brackets_is_held_to_its_words(documents_assistant):
    # 《国家职业教育改革实施方案》 never speaks of 低空经济 (Sichuan's report does): named by its notice's title,
    # unquoted, it is still the document asked. Who asks ("我们是做咖啡连锁的公司") is no subject of it.
    r = documents_assistant.ask("关于印发国家职业教育改革实施方案的通知在低空经济人才培养方面有哪些要求？").answer
    assert r.abstained and r.reason.startswith("gate.field_not_in_document") and "低空" in r.reason
    r = documents_assistant.ask("我们是做咖啡连锁的公司，关于印发国家职业教育改革实施方案的通知对企业举办职业教育有哪些支持？").answer
    assert not r.abstained, r.reason


def test_two_words_sharing_their_last_character_are_held_written_apart(documents_assistant):
    # "投融资" is 投资 and 融资: Sichuan's 2025 report writes both, never "投融资"; the vocational plan writes 投资 only.
    gate = documents_assistant.gate
    assert gate.holds("投融资", {"gwr-2025-sichuan"}) and not gate.holds("投融资", {"gov-cn-5365341"})
    r = documents_assistant.ask("四川2025年政府工作报告在投融资方面有哪些举措？").answer
    assert not (r.abstained and r.reason.startswith("gate.field_not_in_document")), r.reason


def test_the_year_a_document_was_issued_need_not_be_the_evidences(documents_assistant):
    # The reply forming the Olympics airport committee was issued in 2006; what it sets out speaks of 2008.
    from rag.gate import year_not_in_evidence

    gate = documents_assistant.gate
    duties = "研究拟订2008年北京奥运会期间首都国际机场及相关机场各项保障措施。"
    asked = "2006年国务院批复组建的2008年北京奥运会首都国际机场协调委员会，主要职能是什么？"
    assert year_not_in_evidence(gate, evidence(asked, duties)) is None
    # A year asked of what happened must still be the evidence's.
    assert year_not_in_evidence(gate, evidence("首都国际机场协调委员会2006年召开了几次会议？", duties))


def test_a_name_in_latin_letters_is_looked_for_in_either_case(documents_assistant):
    # The 2024 national report speaks of 5G ("5G用户普及率超过50%"); the tokenizer lowers it to "5g", which is no
    # reason to say no document mentions it. The 2023 report never does: asked of it, the question is refused.
    r = documents_assistant.ask("2024年政府工作报告在5G方面部署了哪些工作？").answer
    assert not r.abstained
    r = documents_assistant.ask("2023年政府工作报告在5G应用方面部署了哪些工作？").answer
    assert r.abstained and r.reason.startswith("gate.field_not_in_document") and "5G" in r.reason


def test_what_a_broad_question_asks_for_is_no_subject_word(documents_assistant):
    from rag.gate import subject_nouns

    question = "四川2025年在打造新时代更高水平天府粮仓方面要建设哪些项目、采取哪些举措？"
    assert not any("哪" in w for w in subject_nouns(analyse(question)))
    assert not documents_assistant.ask(question).answer.abstained


def test_a_word_of_the_subject_asked_says_nothing_was_achieved():
    from rag.gate import target_not_result

    # "城镇新增就业" is the subject's name: its 新增 is no achievement, and a target's sentence gives no result.
    e = evidence("2017年全国城镇新增就业实际是多少？", "城镇新增就业预期目标比去年多100万人，突出了更加重视就业的导向。")
    assert target_not_result(None, e) == "the documents give a target, not an achieved figure"
    # The result written with an achievement's word the question does not use still answers.
    assert target_not_result(None, evidence("2017年全国城镇新增就业实际是多少？", "全年城镇新增就业1351万人，目标顺利完成。")) is None


def test_a_count_of_what_was_done_is_not_answered_by_a_target():
    """"新设了几个" asks what was done: the bundled plan's target does not answer it, nor does Sichuan's 2025 plan for
    the year (not bundled); the same report's review of 2024 does."""
    from rag.gate import target_not_result

    plan = "力争到2025年,在10个以上非洲国家设立湖南驻地服务中心,全省每个市(州)与非洲国家缔结1对友好城市。"
    assert target_not_result(None, evidence("2025年湖南在非洲新设了几个驻地服务中心？", plan))
    planned = "新建畜牧业高质量发展重点县30个，确保全省生猪出栏稳定在6000万头以上。"
    assert target_not_result(None, quoted("四川新建了几个畜牧业高质量发展重点县？", planned, "三、2025年重点工作"))
    reviewed = "实施农产品精深加工行动，新建国省级农业园区85个、产业集群3个、产业强镇66个。"
    assert target_not_result(None, quoted("四川新建了多少个农业园区？", reviewed, "一、2024年工作回顾")) is None


def test_inner_mongolia_is_a_province_not_the_country_mongolia():
    """"Inner Mongolia's 2025 targets" asks of 内蒙古 (its 2025 report, not bundled): the evidence need not speak of the
    country 蒙古; a question about Mongolia itself still must."""
    from rag.gate import country_not_in_evidence
    from rag.glossary import english_entities

    asked = "What are Inner Mongolia's 2025 targets for China-Europe freight train trips and total foreign trade?"
    assert english_entities(asked) == []
    trains = "积极推进呼和浩特、乌兰察布中欧班列集散中心建设，提高班列货源集散能力和回程满载率，力争到发中欧班列突破500列"
    assert country_not_in_evidence(None, replace(evidence(asked, trains), zh=False)) is None
    about_mongolia = "What cooperation did Hunan sign with Mongolia in 2025?"
    assert english_entities(about_mongolia) == [("mongolia", ("蒙古",))]
    assert country_not_in_evidence(None, replace(evidence(about_mongolia, trains), zh=False))


def test_a_time_limit_asked_is_described_by_a_deadline():
    q = "对各地提出了哪些治理要求和完成时限？"
    assert procedure_missing(None, evidence(q, "摸底排查。该项工作于2019年4月底前完成。")) is None
    assert procedure_missing(None, evidence(q, "对存在的问题，要制定整改方案，30个工作日内整改到位。")) is None
    assert procedure_missing(None, evidence(q, "各地要高度重视，加强组织领导。"))
    # A date describes no other procedure: materials asked are not a deadline.
    assert procedure_missing(None, evidence("申请需要提交哪些材料？", "该项工作于2019年4月底前完成。"))
