"""The question read once (rag/query.py): what it asks of time and stage, on questions about real reports."""

from __future__ import annotations

import pytest

from rag.query import other_stage as _other_stage
from rag.boilerplate import BYLINE_RE
from rag.query import analyse, asked_types, has_measure


def test_stage_is_target_result_or_either():
    assert analyse("北京今年城镇新增就业目标是多少？").stage == "target"
    assert analyse("2023年全国城镇新增就业实际完成了多少？").stage == "result"
    assert analyse("What was Liaoning's GDP growth rate in 2024?").stage == "result"
    assert analyse("2016年广义货币M2实际增长了多少？和当年的预期目标相比怎么样？").stage == ""  # both
    assert analyse("到2025年友城要达到多少对？").stage == ""


def test_a_year_that_names_a_report_is_not_a_year_asked_about():
    q = analyse("What was Liaoning's GDP growth rate in 2024 according to its 2025 government work report?")
    assert q.asked_years == ("2024",)
    assert analyse("2025年河北省政府工作报告提出城镇新增就业多少？").asked_years == ()
    assert analyse("河北省2025年城镇新增就业目标是多少？").asked_years == ("2025",)


def test_a_sentence_of_the_other_stage():
    # 北京's 2025 report (not bundled): the 2024 result stands under the review heading.
    review = ("一、2024年工作回顾",)
    result = "升级打造马驹桥零工市场等一批就业服务平台，城镇新增就业29.9万人。"
    target = "城镇新增就业不少于26万人，城镇调查失业率5%以内。"
    assert _other_stage("target", result, review)
    assert not _other_stage("target", target, ("二、2025年主要任务",))
    assert _other_stage("result", "主要预期目标是：地区生产总值增长5%左右", ("二、2025年工作安排",))
    assert not _other_stage("result", result, review)


def test_a_reports_byline_is_recognised():
    # 河北's and 江苏's 2025 reports open with the day and the meeting they were delivered at.
    assert BYLINE_RE.search("2025年1月13日在河北省第十四届人民代表大会第三次会议上河北省人民政府省长王正谱作政府工作报告。")
    assert BYLINE_RE.search("2025年1月19日在江苏省第十四届人民代表大会第三次会议上省长许昆林作政府工作报告")
    assert not BYLINE_RE.search("2025年1月7日，日喀则定日县发生6.8级地震。")


def test_a_span_of_years_names_the_years_between():
    q = analyse("2022年到2024年的政府工作报告分别安排了多少地方政府专项债券？")
    assert sorted(q.years) == [2022, 2023, 2024]
    assert sorted(q.dated_kinds) == [(2022, "政府工作报告"), (2023, "政府工作报告"), (2024, "政府工作报告")]
    # The bundled plan's period.
    assert sorted(analyse("“十四五”规划（2021—2025年）提出了哪些目标？").years) == [2021, 2022, 2023, 2024, 2025]


def test_how_large_a_scale_asks_an_amount():
    assert "amount" in analyse("增值税留抵退税的规模有多大？").answer_types
    assert "amount" in analyse("这个基金的注册资本（规模）有多大？").answer_types
    assert "amount" not in analyse("这项改革的影响有多大？").answer_types


def test_a_span_of_years_is_answered_report_by_report(documents_assistant):
    # Both national reports (2023, 2024) of tests/fixtures/documents answer, each on its own line.
    a = documents_assistant.ask("2023年到2024年的政府工作报告分别安排了多少地方政府专项债券？").answer
    assert {c.passage.doc_id for c in a.citations} == {"gwr-national-2023", "gwr-national-2024"}
    assert "3.8万亿元" in a.text and "3.9万亿元" in a.text


def test_a_doc_number_in_pinyin_is_the_chinese_one():
    # English texts write the State Council's 文号 in pinyin (国办发〔2019〕2号 of eval/corpora/multidoc).
    q = analyse("Which 11 cities were selected for the national pilot of centralized drug procurement under Guobanfa [2019] No. 2?")
    assert q.doc_numbers == ("国办发〔2019〕2号",)
    assert analyse("What does Guofa (2019) No.4 issue?").doc_numbers == ("国发〔2019〕4号",)
    assert analyse("What did the Guohan 2018 159 reply approve?").doc_numbers == ("国函〔2018〕159号",)
    assert analyse("What happened in 2019 in Guangdong?").doc_numbers == ()


def test_an_english_question_naming_a_doc_number_is_answered_from_it(documents_assistant):
    # 国发〔2019〕4号 (tests/fixtures/documents) issues the national vocational education reform plan.
    r = documents_assistant.ask("What plan does Guofa [2019] No. 4 issue?")
    assert not r.answer.abstained and {c.passage.doc_id for c in r.answer.citations} == {"gov-cn-5365341"}


def test_an_english_question_naming_a_place_in_chinese_is_english():
    q = analyse("What grain output target did Shaanxi (陕西) set for 2025?")
    assert q.lang == "en" and q.stage == "target" and q.places[0].name == "陕西"
    assert analyse("GDP增长目标是多少？").lang == "zh"
    assert analyse("How many new urban jobs did the 2023 government work report target?").stage == "target"
    assert analyse("How much did Liaoning's GDP grow in 2024?").stage == "result"


@pytest.mark.parametrize("question, dated", [
    ("2017年政府工作报告在治理大气污染、保护生态环境方面提出了哪些任务？", ((2017, "政府工作报告"),)),
    ("2019年政府工作报告为推动消费稳定增长打算怎么做？", ((2019, "政府工作报告"),)),
    ("2018年政府工作报告实施乡村振兴战略的主要任务有哪些？", ((2018, "政府工作报告"),)),
    ("2025年计划投入多少亿元？", ()),  # 计划 here is a verb
    # English: a year before "report", with the words that qualify it.
    ("What was the new urban jobs target in the 2020 national government work report?", ((2020, "政府工作报告"),)),
    ("How many jobs were created, according to the 2024 report?", ((2024, "报告"),)),
    ("The 2018 national report set a target. What did the 2019 report say was achieved?", ((2018, "报告"), (2019, "报告"))),
])
def test_a_report_named_with_its_year_is_read_before_any_word(question, dated):
    assert analyse(question).dated_kinds == dated


@pytest.mark.parametrize("question, publication", [
    ("When was the notice issued?", True),
    ("Who issued the circular on the 2019 holidays?", True),
    ("What is the document number of the notice?", True),
    ("Which department published the plan?", True),
    ("这份通知是哪天印发的？", True),
    # what was issued about a subject, an event's date, a relative "who": the document's content
    ("What rules has the Chinese government issued to regulate medical aesthetics clinics?", False),
    ("What has the State Council issued on elderly care?", False),
    ("On what date did the Party Secretary speak at the matchmaking event?", False),
    ("What positions does Hazem Hamada, who led the delegation, hold?", False),
    ("国务院印发了哪些文件？", False),
])
def test_a_question_about_publication_asks_of_the_act_of_issuing(question, publication):
    assert analyse(question).asks_publication is publication


def test_an_english_question_on_when_a_long_named_document_was_published_gets_its_date(documents_assistant):
    # The document's name may run long between "When was" and "published": the answer is its date line.
    r = documents_assistant.ask("When was the State Council's notice on the implementation plan for the reform "
                                "of national vocational education published?")
    assert "发布日期：2019年02月13日" in r.answer.text


@pytest.mark.parametrize("question, kind, asked", [
    ("省委外事办服务企业的咨询电话是多少？", "phone", True),
    ("在哪个网站申报？", "website", True),
    ("办理签证需要什么费用？", "fee", True),
    ("What is the phone number of the enterprise service hotline?", "phone", True),
    # The thing names the topic, not what is asked.
    ("针对政协委员关于完善政府网站、提高公共服务水平的提案，国务院办公厅答复说采取了哪些措施？", "website", False),
    ("科技型中小企业研发费用加计扣除比例提高到了多少？", "fee", False),
    ("How does the State Council hear the public's views, according to its reply to the proposal for a premier's hotline?", "phone", False),
])
def test_a_fee_phone_or_website_is_asked_only_when_the_asking_applies_to_it(question, kind, asked):
    assert (kind in analyse(question).answer_types) is asked


@pytest.mark.parametrize("question, fields", [
    ("国家对虚拟货币交易和比特币“挖矿”采取了哪些监管措施？", ("虚拟货币交易和比特币“挖矿”",)),
    ("安徽省2025年在科技创新和人才方面打算怎么做？", ("科技创新和人才",)),
    ("城市养犬管理有哪些规定和措施？", ("城市养犬管理",)),
    ("2025年经济增长预期目标是多少？", ()),  # not a broad question
])
def test_a_broad_question_names_its_field(question, fields):
    assert analyse(question).fields == fields


def test_english_questions_asking_a_rate_or_share_ask_a_figure_and_a_fee_rate_is_no_fee():
    from rag.query import asked_types

    assert "count" in asked_types("What share of it went into manufacturing?")
    assert "count" in asked_types("How far did the rural poverty headcount ratio fall?")
    types = asked_types("What average guarantee fee rate are partner institutions expected to reach?")
    assert "count" in types and "fee" not in types
    assert "fee" in asked_types("How much is the registration fee?")
    # "in charge of" names who is responsible, not a charge to pay
    assert "fee" not in asked_types("Which departments are in charge of the investigation?")


def test_an_english_growth_target_asks_a_rate_not_an_amount():
    from rag.query import asked_types

    assert "amount" not in asked_types("What growth target has Beijing set for its general public budget revenue this year?")
    assert "amount" not in asked_types("How fast did its fiscal revenue grow?")
    assert "amount" in asked_types("What was the value of its revenue?")


def test_how_long_asks_a_span_of_time():
    from rag.query import asked_types

    assert "duration" in asked_types("How long should a legality review normally take?")
    assert "duration" in asked_types("规范性文件合法性审核一般需要多长时间？")
    assert "duration" in asked_types("要在几个工作日内办结？")
    assert "duration" not in asked_types("多久召开一次？")  # how often: a frequency


def test_the_query_reads_measure_growth_and_whether_a_figure_is_asked_once():
    q = analyse("云南2024年GDP增速达到多少？")
    assert q.change == "change" and q.asks_figure and q.measures == ()
    assert analyse("单位国内生产总值能耗下降了多少？").change == "down"
    assert analyse("How many days can visitors stay?").measures == ("天",)
    assert analyse("湖南帮了多少家企业？").measures == ("家",)
    assert not analyse("有哪些支持措施？").asks_figure


def test_a_year_naming_a_report_and_named_again_alone_is_asked():
    # The 2019 national report set "农村贫困人口减少1000万以上"; the question asks what 2019 actually saw.
    q = analyse("2019年政府工作报告提出农村贫困人口减少1000万以上，2019年全年实际减少了多少？")
    assert q.asked_years == ("2019",) and q.stage == "result"
    assert analyse("2025年政府工作报告里2024年增长了多少").asked_years == ("2024",)
    assert analyse("2022年到2024年的政府工作报告").asked_years == ()


def test_a_question_after_a_statement_asks_what_its_own_clause_asks():
    q = analyse("The 2024 national government work report aimed to cut energy consumption per unit of GDP by about "
                "2.5%. By how much did energy intensity actually fall in 2024?")
    assert q.stage == "result" and q.asked_years == ("2024",)
    assert analyse("2023年目标是多少。实际增长了多少？").stage == "result"
    assert analyse("What GDP growth target did the 2019 report set? Was it met?").stage == ""


def test_a_targets_deadline_is_a_horizon():
    assert analyse("What overall mechanization rate does China aim to reach by 2025?").horizons == (2025,)
    assert analyse("到2025年友城要达到多少对？").horizons == (2025,)
    assert analyse("2022年到2024年的政府工作报告").horizons == ()
    assert analyse("2023年经济增长多少").horizons == ()


def test_an_english_question_asking_what_happened_and_the_target_asks_both():
    q = analyse("For Xinjiang, how much did total foreign trade grow in 2024, and what growth target does the 2025 "
                "government work report set for it?")
    assert q.stage == ""
    assert analyse("What growth target did Hubei set for 2025?").stage == "target"
    assert analyse("How much did GDP grow in 2024?").stage == "result"


def test_a_sums_target_may_be_its_growth():
    assert "amount" not in analyse("安徽今年对跨境电商交易额和海外仓布局定了什么目标？").answer_types
    assert "amount" in analyse("安徽今年跨境电商交易额目标是多少亿元？").answer_types


def test_cost_relief_is_no_fee_asked():
    from rag.query import asked_types

    assert "fee" not in asked_types("What tax, financing and cost-relief support did the 2022 report promise to small firms?")
    assert "fee" in asked_types("How much does it cost to apply?")
    assert analyse("As a small business owner, what tax, financing and cost-relief support did the report promise?").broad


def test_a_year_naming_an_english_report_and_named_again_is_asked():
    q = analyse("The 2019 government work report targeted over 11 million new urban jobs. "
                "How many new urban jobs were actually created in 2019?")
    assert q.asked_years == ("2019",)
    assert analyse("What GDP growth target did the 2019 government work report set?").asked_years == ()


def test_which_day_is_asked_as_a_date():
    assert "date" in analyse("2019年国庆节放假调休是从几号放到几号？").answer_types
    assert "date" not in analyse("地铁几号线通到机场？").answer_types


def test_places_are_read_left_to_right_longest_first():
    from rag.query import _all_place_names, _find_places

    names = _all_place_names()
    assert _find_places("建设湖南美国国际友城交流平台", names) == ["湖南", "美国"]  # not 南美
    assert _find_places("深化与中东欧国家合作", names) == ["中东欧"]  # not 中东


def test_which_days_and_which_year_ask_dates_and_rent_is_a_fee():
    from rag.query import asked_types, question_measures

    assert "date" in asked_types("康定机场后来到底是哪年建成通航的？")
    q = "温家宝总理到四川考察是哪几天？办理情况函的发文字号是什么？"
    assert "date" in asked_types(q) and "list" not in asked_types(q) and question_measures(q) == []
    assert "list" in asked_types("第二批举措分哪几个方面？")
    assert "fee" in asked_types("How much annual rent does the Hong Kong SAR government pay for the land?")
    assert "amount" in asked_types("How much central-government funding does each pilot region get?")


def test_the_askers_company_is_no_subject():
    q = analyse("我们公司在考虑去贵州投资建厂，贵州今年在招商引资上有哪些新打法和优惠？")
    assert "建厂" not in q.subject and "招商引资" in q.subject



def test_who_asked_after_a_framing_clause_asks_who_not_a_fee():
    # "…, who has to pay the full cost of the bid?" asks who pays; a relative "who" asks nothing.
    q = ("Under the State Council General Office's 2004 reply agreeing that Harbin could bid for the 2009 (24th) "
         "Winter Universiade, who has to pay the full cost of the bid?")
    assert asked_types(q) == {"who"}
    assert "who" not in asked_types("What did Hazem Hamada, who led the delegation, say?")
    assert asked_types("In 2019, who should we contact?") == {"contact"}
    assert "fee" in asked_types("How much is the fee, and who pays it?")


def test_cities_with_conventional_english_names_are_places():
    from rag.places import find_places_en

    assert [p.name for p in find_places_en("Harbin could bid for the Winter Universiade")] == ["哈尔滨"]
    assert [p.name for p in find_places_en("from Urumqi to Lhasa via Xi'an")] == ["乌鲁木齐", "拉萨", "西安"]
    assert analyse("Did Harbin bid for the 2009 Universiade?").places[0].province == "黑龙江"


def test_an_english_question_names_a_ministry_by_its_title_or_its_ministers():
    q = analyse("Which vice minister of Industry and Information Technology sits on the National Textbook Committee?")
    assert q.bodies == (("工业和信息化部", "工信部"),)
    assert analyse("What did the Ministry of Finance ask local governments to do?").bodies == (("财政部",),)
    assert analyse("国务院办公厅发了什么通知？").bodies == ()
    # A Chinese question names one by any of its names; the longer name found is the one meant.
    assert analyse("协调委员会里，交通部派哪位领导担任成员？").bodies == (("交通部",),)
    assert analyse("我们是县里的卫生部门，省里在医疗卫生方面重点抓什么？").bodies == ()
    assert analyse("What was the GDP of the Xinjiang Production and Construction Corps in 2024?").bodies == (("生产建设兵团", "兵团"),)
    assert set(analyse("人社部和中国人民银行怎么分工？").bodies) == {
        ("人民银行", "中国人民银行"), ("人力资源社会保障部", "人力资源和社会保障部", "人社部")}


def test_places_named_before_the_asking_words_are_asked():
    assert "places" in asked_types("《政府网站集约化试点工作方案》确定的试点地区有哪些？")
    assert "places" in asked_types("试点城市是哪几个？")
    assert "places" not in asked_types("这些地区有哪些措施？")


def test_a_title_spelled_with_several_questions_counts_nothing():
    # "关于棉粮、糖粮挂钩奖售粮几个问题的通知" names a document; "这个通知有几个问题" counts.
    query = analyse("1981年国务院关于棉粮、糖粮挂钩奖售粮几个问题的通知，在奖售基数、供应价格和费用负担上都是怎么规定的？")
    assert "count" not in query.answer_types and not query.measures
    assert "count" in analyse("这个通知有几个问题？").answer_types


def test_a_pointer_at_the_fields_named_is_no_field():
    # "这几块" points back at 融资、用地和用电.
    query = analyse("四川省2025年在融资、用地和用电这几块对企业有什么支持？")
    assert query.broad and "几块" not in "".join(query.fields) and "融资" in query.field_parts


@pytest.mark.parametrize(
    "question, field",
    [
        # "这块" stands where "方面" would: the field ends there, whatever verb follows ("提了" is none the fields know).
        ("国办发〔2018〕127号在深入推进下放科技管理权限这块提了哪些具体要求？", "深入推进下放科技管理权限"),
        # "这些方面" points back at the fields listed.
        ("对国务院领导同志学习、下基层调研、发贺信题词这些方面有哪些具体要求？", "国务院领导同志学习、下基层调研、发贺信题词"),
        # A field never runs on past the 方面 that closes it.
        ("在财政税收方面讲了哪些要求？", "财政税收"),
    ],
)
def test_a_field_ends_at_the_word_closing_it(question, field):
    assert analyse(question).fields == (field,)


@pytest.mark.parametrize(
    "question", ["Under Guobanfa [2019] No. 4, by what percentage is funding cut?", "出口增长了百分之几？", "失业率下降了多少个百分点？"]
)
def test_a_share_asked_is_a_measure_the_evidence_must_state(question):
    assert "%" in analyse(question).measures


def test_a_share_is_stated_as_a_percentage_or_in_words():
    assert has_measure("进出口增长5.2%", "%") and has_measure("提高2个百分点", "%") and has_measure("降低百分之十", "%")
    assert has_measure("约三成企业", "%")
    # A formula's ×100 states no share; a count is none either.
    assert not has_measure("计算方法：总金额/人员总数×100。", "%") and not has_measure("新增就业30万人", "%")


@pytest.mark.parametrize(
    "question, stage",
    [
        # 全年 before the thing whose target is asked: the year's target, not what the year achieved.
        ("云南2025年政府工作报告定的全年旅游总花费目标是多少？", "target"),
        ("去年全年GDP增长多少？", "result"),
        # 实际使用外资 / "actual use of foreign investment" name an indicator; they ask no result.
        ("What target did Shandong set for actual use of foreign investment in 2025, in US dollars?", "target"),
        ("山东2025年实际使用外资目标是多少？", "target"),
        ("How much foreign investment was actually used in 2024?", "result"),
    ],
)
def test_the_stage_asked_is_read_past_the_names_of_indicators(question, stage):
    assert analyse(question).stage == stage


def test_a_currency_named_asks_a_figure_in_it():
    query = analyse("What target did Shandong set for actual use of foreign investment in 2025, in US dollars?")
    assert "count" in query.answer_types and "美元" in query.measures


def test_a_count_named_before_its_figure_counts_the_thing():
    # "旅居人数达389.75万" counts people, though no 人 follows the figure.
    assert has_measure("旅居人数达389.75万、增长20.7%", "人") and has_measure("城镇新增就业45万人", "人")
    assert not has_measure("人数众多", "人") and not has_measure("参保人数稳步增长", "人")
    # A fall in a count is no count of it.
    assert not has_measure("生产安全事故起数、死亡人数下降17.6%", "人")


def test_requirements_of_any_kind_asked_are_a_broad_question():
    # "提出了哪些安全整治要求": whatever words qualify the requirements, all of them are asked.
    q = analyse("国务院办公厅2004年关于山西、安徽四起特大煤矿瓦斯爆炸事故的通报，对非煤矿山和危险化学品企业提出了哪些安全整治要求？")
    assert q.broad and q.fields == ("非煤矿山和危险化学品企业",)
    assert analyse("这份意见对县级政府提出了哪些考核评价要求？").broad
    assert not analyse("报告提出了哪些目标？").broad
    # A body's functions, rules or duties asked are every one of them.
    assert analyse("协调委员会的主要职能是什么？").broad
    assert analyse("联席会议有哪些工作规则和工作要求？").broad
    assert not analyse("协调委员会的主任是谁？").broad


def test_a_year_dating_a_documents_issue_names_the_document():
    # "2006年国务院批复组建的…委员会": 2006 is when the reply was issued, not the time asked about.
    assert analyse("2006年国务院批复组建的2008年北京奥运会首都国际机场协调委员会，主要职能是什么？").naming_reports == {2006}
    assert analyse("国办2018年印发的《文化体制改革中经营性文化事业单位转制为企业的规定》在财政税收方面给了哪些支持？").naming_reports == {2018}
    assert analyse("2018年修订的个人所得税法实施条例对扣缴义务人有哪些要求？").naming_reports == {2018}
    # A year of what is asked is not.
    assert not analyse("2024年全国粮食产量是多少？").naming_reports
    assert not analyse("2019年发布的政府工作报告里2019年的增长目标是多少？").naming_reports


def test_a_hotline_named_in_quotes_is_no_phone_asked():
    from rag.query import asked_types

    # The reply to a proposal for a "Premier's hotline" is asked what channels the State Council hears views by.
    asked = ("In its 2006 reply to the CPPCC proposal to set up a 'Premier's hotline' (总理热线电话), what channels "
             "did the State Council General Office say the State Council uses to hear the public's views?")
    assert "phone" not in asked_types(asked)
    assert "phone" in asked_types("What is the phone number of the hotline?")
    assert "phone" in asked_types("Which hotline should I call?")
    # What it asks is the channels: every one of them.
    assert "list" in asked_types(asked)


@pytest.mark.parametrize("question", [
    "我们是一家民营中小企业，自治区2025年政府工作报告对民营企业有哪些帮扶措施？",
    "报告提出如何推进南疆高质量发展、打造新的增长极？",
    "What does the 2023 government work report say will be done this year to attract and utilise foreign investment?",
    "What does the circular say about guaranteeing funding and school-running conditions?",
    # The work to be done, the conditions to meet, the opinions given: every one is asked.
    "国务院办公厅1996年转发的国家地震局报告，要求在地震重点监视防御区切实抓好哪些方面的工作？",
    "按照《国家粮食应急预案》，省级人民政府要建立健全粮食应急保障系统，具体要做好哪些工作？",
    "我们几个合伙人想开一家专利代理机构，按照《专利代理条例》需要满足哪些条件、办理哪些手续？",
    "对四川提出的生态方面请求，国务院有关部门给出了哪些办理意见？",
    "青海省2025年政府工作报告提出要大抓招商引资，主要举措有哪些？",
    "What did the expert group recommend regarding the geological hazard at the village?",
    "In the 2017 government work report, how did the government plan to improve the environment for foreign investors?",
    "How should the results of tertiary public hospital performance appraisals be used?",
    "Which kinds of major decisions must be discussed by the State Council executive meeting?",
])
def test_measures_of_any_kind_and_what_is_to_be_done_are_broad(question):
    assert analyse(question).broad


@pytest.mark.parametrize("question", [
    "第五章讲实施保障，总的要求是什么？",  # the requirement a chapter states, not every item of it
    "2016年政府工作报告讲营改增扩围，从5月1日起新纳入试点的是哪几个行业？",
    "领导小组由哪些方面的成员组成？",
    "What is the recommended daily dose?",
    "What does the 2024 report say about the GDP growth target?",
    "报告提出了哪些目标？",
    "如何申请创业担保贷款？",
])
def test_a_figure_or_a_procedure_asked_is_not_broad(question):
    assert not analyse(question).broad


@pytest.mark.parametrize("question, fields", [
    # The document's title, spelled in the question's own words, is not what of the document is asked.
    ("我们是一家做农机装备制造的企业，国务院关于加快农机化和农机装备产业转型升级的指导意见里，对我们这样的企业有哪些支持？", ()),
    ("国务院关于加快推进农业机械化的指导意见对农机社会化服务组织有哪些扶持政策？", ("农机社会化服务组织",)),
    ("国务院办公厅关于加快发展体育竞赛表演产业的指导意见在投融资和金融服务方面有哪些支持？", ("投融资和金融服务",)),
])
def test_a_documents_title_before_the_field_is_no_part_of_it(question, fields):
    assert analyse(question).fields == fields


def test_the_query_carries_what_every_stage_reads_of_the_question():
    """The terms, years, plan periods, places, roles and the words beyond a document's title are read once, into
    the Query the retrieval, the gate and the answerer share (questions on a province's report, the bundled plan
    and a State Council notice, in Chinese and English)."""
    hubei = analyse("2025年湖北省对外开放有哪些举措？")
    assert hubei.chinese and hubei.named_years == ["2025"] and not hubei.period_years
    assert {"湖北省", "对外开放", "举措"} <= set(hubei.terms)
    # What it asks of the report, beyond the words of the report's own title.
    assert hubei.words_beyond("湖北省2025年政府工作报告") == ["对外", "开放", "对外开放", "举措"]
    assert "举措" not in hubei.subject_terms and "对外开放" in hubei.subject_terms
    assert [sorted(p) for p, _ in hubei.places_asked] == [["湖北"]]

    plan = analyse("十三五期间省级领导出访了多少国家？")
    assert plan.period_years == set(range(2016, 2021)) and not plan.named_years
    assert "多少" not in plan.terms and "出访" in plan.terms

    nordic = analyse("In which areas will Hunan cooperate with the Nordic countries?")
    assert not nordic.chinese and "北欧" in nordic.chinese_terms
    assert any("北欧" in places for places, _ in nordic.places_asked)

    who = analyse("Who heads the leading group?")
    assert who.roles_text == "、".join(who.chinese_terms) and "组长" in who.roles_text
    assert analyse("领导小组 组长是谁？").roles_text == "领导小组组长是谁？"
    assert analyse("哪个专栏列出了重点项目？").asks_box and not hubei.asks_box
    assert analyse("近五年年均增长多少？").asks_span and analyse("实际完成了多少？").asks_past


@pytest.mark.parametrize("question, amount", [
    ("According to Guobanfa [2019] No. 6, what is the registered capital of the National Financing Guarantee Fund?", True),
    ("What is the estimated total investment of the Tingzikou water conservancy project?", True),
    ("What was the budget for the programme?", True),
    ("What is the investment policy for foreign firms?", False),
    ("What are the capital market reforms?", False),
])
def test_an_english_question_naming_a_sum_asks_an_amount(question, amount):
    assert ("amount" in analyse(question).answer_types) is amount


@pytest.mark.parametrize("question, stage", [
    ("2025年湖南在非洲新设了几个驻地服务中心？", "result"),  # the bundled review's year: what was done
    ("十三五期间又接待了多少批次外国元首？", "result"),
    ("四川2025年要新设几个开放平台？", ""),
    ("科技型中小企业研发费用加计扣除比例提高到了多少？", ""),  # what a policy sets, not a count of what was done
])
def test_a_count_of_what_was_done_asks_a_result(question, stage):
    assert analyse(question).stage == stage


@pytest.mark.parametrize("question, who", [
    ("国家教材委员会调整后，副主任是哪几位？", True),
    ("领导小组的副组长都有谁？", True),
    ("省里有哪些人员参加了培训？", False),  # 人员 is what is counted, not who
    ("联席会议由哪些部门和单位组成？", False),
])
def test_persons_asked_as_a_list_ask_who(question, who):
    assert ("who" in asked_types(question)) is who
