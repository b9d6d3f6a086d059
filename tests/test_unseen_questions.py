"""Kinds of question that documents outside the bundled corpus raise: who holds a role in a member list, a figure
of each of several things, a frequency, a penalty, a list announced in the question's own words, a count in 户,
places asked that the evidence does not name, a report's last-year result and this year's target asked in one
sentence with half-width commas, a city named in a national reply's title. Ten real documents of the
multi-document corpus (and one regulation of ``tests/fixtures/documents``) are indexed once for this module; the
national reports of ``tests/fixtures/documents`` answer a target and last year's result asked in one question."""

from __future__ import annotations

import shutil

import pytest

from conftest import DOCUMENTS, ROOT, make_settings
from rag.glossary import indicator_terms
from rag.pipeline import clean_question
from rag.query import analyse, asked_types
from rag.retrieval import sub_questions

MULTIDOC = ROOT / "eval" / "corpora" / "multidoc"
DOCS = (
    "gov-cn-2019/gov-cn-5343832.html",  # a joint conference's rules and its member list (召集人：孙春兰 …)
    "gov-cn-2019/gov-cn-5345413.html",  # 广东's weather stations with Hong Kong and Macao: 3 and 2
    "gov-cn-2019/gov-cn-5351573.html",  # a reply on a bid "以深圳市名义" (a national document naming a city)
    "gov-cn-2019/gov-cn-5345397.html",  # the State Council's working rules (meetings: 每半年, 每月三次)
    "gov-cn-2019/gov-cn-5351649.html",  # a reply with a list of attachments and a village of 505户1748人
    "gov-cn-2019/gov-cn-5338761.html",  # a pilot plan: "重点做好以下工作：（一）建设集约化平台。…"
    "gov-cn-2019/gov-cn-5360002.html",  # kindergartens in housing estates: steps, each with its deadline
    "gov-cn-2019/gov-cn-5351596.html",  # the reply to NPC suggestion No. 7240 (a portal's "法律法规" column)
    "gov-cn-2019/gov-cn-5355837.html",  # reform measures by field: "一、知识产权保护方面（共5项）" and its items
    "gov-cn-2019/gov-cn-5353308.html",  # farm machinery: 金融, 保险 and 税费 support in items of several chapters
    "gov-cn-2019/gov-cn-5358604.html",  # drug procurement pilot: 11个城市, a prepayment of 30% of the amount
    "gov-cn-2019/gov-cn-5354526.html",  # research autonomy: "三、深入推进下放科技管理权限工作" and its four items
    "gov-cn-2019/gov-cn-5351593.html",  # the reply to NPC suggestion No. 2996: websites with 英文版 and 多语种外文版
    "gov-cn-2019/gov-cn-5351707.html",  # a reply to 辽宁 by item: "五、关于大连新机场建设项目问题。（略）"
    "gov-cn-2019/gov-cn-5359620.html",  # the "无废城市" pilot plan: "（五）…强化危险废物全面安全管控。" over two passages
    "gov-cn-2019/gov-cn-5354222.html",  # the reply approving 雄安's master plan: parts as paragraphs "十、建设绿色低碳之城。"
    "gov-cn-2019/gov-cn-5339579.html",  # a leading group's new members: "成员：郭卫民 …" then one line per body
    "gov-cn-2019/gov-cn-5346276.html",  # 2019's public holidays: one line per holiday, its working days after it
    "gov-cn-2019/gov-cn-5344150.html",  # the Urumqi-Changji-Shihezi innovation zone: its area given by no figure
    "gov-cn-2019/gov-cn-5345284.html",  # inland Tibet classes: the junior classes' intake (初中班), no senior ones'
    "gov-cn-2019/gov-cn-5351598.html",  # the reply on a premier's hotline: the channels the State Council hears by
    "gwr-provinces-2025/gwr-2025-anhui.docx",
    "gov-cn-2019/gov-cn-5351718.html",  # a short notice on chemical weapons: 外交部和总参谋部 manage the work
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    from rag.pipeline import Assistant
    from rag.store.index import Index

    folder = tmp_path_factory.mktemp("unseen-questions")
    corpus = folder / "corpus"
    corpus.mkdir()
    for name in DOCS:
        shutil.copy(MULTIDOC / name, corpus)
    shutil.copy(DOCUMENTS / "gov-cn-5341736.html", corpus)  # 专利代理条例
    settings = make_settings(folder / "index", corpus_dir=corpus)
    Index(settings, embedder=embedder).ingest(corpus)
    return Assistant(settings, embedder=embedder)


def ask(assistant, question: str):
    return assistant.ask(question).answer


def test_the_role_asked_is_read_from_the_member_list_for_its_own_part(assistant):
    a = ask(assistant, "部际联席会议的召集人由谁担任？联席会议办公室设在哪个部门？")
    assert not a.abstained and "孙春兰" in a.text and "办公室设在教育部" in a.text


def test_each_of_several_figures_is_given(assistant):
    a = ask(assistant, "广东省气象局与香港、澳门合建的自动气象站各有几个？")
    assert not a.abstained and "3个" in a.text and "2个" in a.text


def test_a_frequency_asked_is_answered_by_a_sentence_stating_one(assistant):
    a = ask(assistant, "国务院全体会议一般多久召开一次？")
    assert not a.abstained and "每半年召开一次" in a.text
    assert {"frequency"} <= asked_types("How often does the joint conference meet?")


def test_a_penalty_asked_is_answered_with_the_article_that_sets_it(assistant):
    a = ask(assistant, "专利代理机构的合伙人变了却一直没办变更手续，会被罚多少？")
    assert not a.abstained and "10万元以下的罚款" in a.text
    assert "penalty" in asked_types("What fine does the notice set for drivers who fail to give way?")


def test_a_count_in_households_skips_the_attachment_list(assistant):
    a = ask(assistant, "巴东县马鬃山村一共有多少户？")
    assert not a.abstained and "505户" in a.text and "专家组意见" not in a.text.splitlines()[0]


def test_a_list_announced_in_the_questions_words_is_listed_item_by_item(assistant):
    a = ask(assistant, "政府网站集约化试点地区要重点做好哪些工作？")
    assert not a.abstained
    for item in ("建设集约化平台", "形成标准规范", "构建信息资源库", "提供一体化服务", "强化安全保障"):
        assert item in a.text, item


def test_places_asked_that_the_evidence_does_not_name_are_refused(assistant):
    a = ask(assistant, "集约化试点验收以后，国务院办公厅通报表扬了哪些成效突出的试点地区？")
    assert a.abstained and a.reason.startswith("gate.places_missing")
    # The plan names its pilot regions: asked which they are, it answers.
    a = ask(assistant, "政府网站集约化试点选了哪些地区？")
    assert not a.abstained and "吉林" in a.text


def test_last_years_result_and_this_years_target_asked_with_half_width_commas(assistant):
    question = "安徽2025年政府工作报告里,2024年全省GDP增长了多少,2025年增长目标定的多少?"
    assert len(sub_questions(question)) == 2
    a = ask(assistant, question)
    assert not a.abstained and "5.8%" in a.text and "5.5%以上" in a.text


def test_a_city_named_in_a_national_documents_title_scopes_to_it(assistant):
    a = ask(assistant, "深圳申办世界大学生夏季运动会，申办经费由谁承担？")
    assert not a.abstained and "广东省人民政府承担" in a.text
    assert all(c.passage.doc_id == "gov-cn-5351573" for c in a.citations)


def test_everyday_indicator_names_are_searched_in_the_reports_terms():
    assert "生产总值" in indicator_terms("江苏2024年经济总量是多少")
    assert "生产总值增长" in indicator_terms("黑龙江去年经济增速是多少")
    assert "生产总值" in indicator_terms("全省GDP增长了多少") and indicator_terms("粮食产量是多少") == []


def test_a_target_and_its_result_asked_without_the_word_target_ask_a_verdict():
    assert analyse("2018年政府工作报告提出当年减少农村贫困人口多少？2019年政府工作报告说实际减少了多少？").asks_verdict
    assert analyse(
        "What target for new urban jobs did China set for 2017, and how many new urban jobs were actually created that year?"
    ).asks_verdict
    assert not analyse("2018年减少了多少农村贫困人口？").asks_verdict
    # A result and a target of different years are two figures; a report's year names the report, whose review is
    # of the year before, and whose target is of its own year.
    assert not analyse("2016年政府工作报告里,2015年GDP实际增长了多少?2016年的增长目标又定在多少?").asks_verdict
    assert not analyse("2022年政府工作报告把当年GDP增长目标定在多少？报告里说2021年实际增长了多少？").asks_verdict
    assert analyse("2021年全国GDP增速目标是多少？后来2022年的政府工作报告说实际增长了多少？").asks_verdict
    assert analyse(
        "What was the 2023 national target for new urban jobs, and how many were actually created according to the 2024 report?"
    ).asks_verdict


def test_a_deadline_asked_is_answered_by_the_sentence_that_gives_one(assistant):
    a = ask(assistant, "小区配套幼儿园需要补建、改建的，项目竣工验收最晚什么时候要完成？")
    assert not a.abstained and "2020年12月底前" in a.text


def test_an_english_question_naming_a_suggestion_by_its_number_is_scoped_to_the_reply(assistant):
    a = ask(assistant, "In the reply to suggestion No. 7240, which column of the government portal lets people look up laws and regulations for free?")
    assert not a.abstained and "法律法规" in a.text
    assert {c.passage.doc_id for c in a.citations} == {"gov-cn-5351596"}


def test_this_years_target_and_last_years_result_each_answer_their_part(documents_assistant):
    # The 2024 national report (not bundled): the 2024 targets and the 2023 results are two figures, not a verdict.
    question = "2024年政府工作报告提出的城镇新增就业目标是多少？2023年实际新增了多少？"
    assert not analyse(question).asks_verdict
    a = documents_assistant.ask(question).answer
    assert not a.abstained and "1200万人以上" in a.text and "1244万人" in a.text
    a = documents_assistant.ask("2024年政府工作报告把当年GDP增长目标定在多少？报告里说2023年实际增长了多少？").answer
    assert not a.abstained and "5%左右" in a.text and "5.2%" in a.text


def test_a_year_typed_with_two_digits_and_the_askers_trade_do_not_hide_a_verdict(documents_assistant):
    from rag.pipeline import clean_question

    assert clean_question("想知道22年GDP增长目标定多少？")[0] == "想知道2022年GDP增长目标定多少？"
    assert clean_question("16年报告里定的能耗目标")[0].startswith("2016年报告")
    assert clean_question("近10年经济增长多少？")[0] == "近10年经济增长多少？"  # a count of years stays
    # Opening the question or a clause, whatever follows, unless it counts years.
    assert clean_question("18年说要再减少农村贫困人口多少？")[0].startswith("2018年说要")
    assert clean_question("15年来增长了多少？")[0] == "15年来增长了多少？"
    assert clean_question("20年以上的企业有哪些优惠？")[0] == "20年以上的企业有哪些优惠？"
    # The 2023 and 2024 national reports (not bundled): the target set in one, the result reported in the next.
    a = documents_assistant.ask("做外贸的，想知道23年GDP增长目标定多少、最后实际增长多少？").answer
    assert not a.abstained and "5%左右" in a.text and "5.2%" in a.text and "达成" in a.text


def test_a_chinese_term_holding_a_latin_abbreviation_is_said_written_out():
    from rag.gate import _said

    assert _said("单位gdp能耗", "单位国内生产总值能耗下降2.5%")
    assert not _said("单位gdp能耗", "国内生产总值增长5%")


def test_an_english_question_names_a_member_lists_role_in_the_glossarys_words(assistant):
    a = ask(assistant, "Who is the convener of the inter-ministerial joint conference on vocational education?")
    assert not a.abstained and "孙春兰" in a.text


def test_a_list_of_things_of_one_name_is_answered_by_the_sentence_listing_them(documents_assistant):
    # Sichuan's 2025 report (not bundled): "积极发展首发经济、冰雪经济、夜间经济和银发经济。"
    a = documents_assistant.ask("四川今年要积极发展哪几种“经济”？").answer
    assert not a.abstained and "首发经济" in a.text and "银发经济" in a.text


def test_a_list_asked_of_a_named_field_gives_that_fields_items(assistant):
    question = "第二批推广的支持创新改革举措，知识产权保护方面都有哪几项？"
    assert analyse(question).fields == ("知识产权保护",)
    a = ask(assistant, question)
    assert not a.abstained and "三合一" in a.text and "跨市（区）" in a.text
    assert all(c.passage.headings[:1] == ("一、知识产权保护方面（共5项）",) for c in a.citations)


def test_fields_a_policy_document_sets_measures_on_apart_are_each_answered(assistant):
    # Asked of several fields of one 指导意见: the measures naming them, wherever they stand, not the whole outline.
    question = "我们县想扶持农机合作社搞农机社会化服务，国务院农机化那个指导意见在金融、保险、税费上有哪些支持措施？"
    assert analyse(question).field_parts == ("金融", "保险", "税费")
    a = ask(assistant, question)
    lines = [line for line in a.text.splitlines() if line.startswith("· ")]
    assert not a.abstained and 3 <= len(lines) <= 8
    assert {c.passage.doc_id for c in a.citations} == {"gov-cn-5353308"}
    for field in ("金融", "保险", "税费"):
        assert any(field in line for line in lines), field
    assert "指导思想" not in a.text  # the document's opening part is no measure of these fields


def test_the_measure_asked_is_read_from_the_clause_asking_that_figure(assistant):
    # "选了几个城市" asks 个 of the cities; "按采购金额的多少提前预付" asks a share, which 30% is, though it counts no 个.
    question = "国家组织药品集采试点选了几个城市？医保基金按采购金额的多少提前预付给医疗机构？"
    assert "amount" not in asked_types("医保基金按采购金额的多少提前预付给医疗机构？")
    a = ask(assistant, question)
    assert not a.abstained and "11个城市" in a.text and "30%" in a.text


def test_an_article_asked_for_with_the_figure_is_the_one_stating_it(documents_assistant):
    # "是哪一条规定的" asks where the rest is laid down (the citation shows it), and "哪一条" names no word a sentence
    # must hold ("第十一条" holds "一条").
    question = "按专利代理条例，专利代理师第一次执业后要在多长时间内备案？是哪一条规定的？"
    assert sub_questions(question) == []
    a = documents_assistant.ask(question).answer
    assert not a.abstained and "30日内" in a.text and a.text.startswith("第十二条")
    assert all(c.passage.headings[-1] == "第十二条" for c in a.citations)


def test_a_time_word_of_the_askers_clause_is_no_subject_the_evidence_must_name(documents_assistant):
    a = documents_assistant.ask("我开个体户，没有工资这类综合所得，算经营所得的时候每年能先减掉多少费用？").answer
    assert not a.abstained and "减除费用6万元" in a.text


def test_an_english_questions_quoted_chinese_field_gives_the_measure_titled_by_it(documents_assistant):
    question = 'What measures does the national vocational education reform plan take to build a "double-qualified" (双师型) teaching workforce?'
    assert analyse(question).fields == ("双师型",)
    a = documents_assistant.ask(question).answer
    assert not a.abstained and "（十二）多措并举打造“双师型”教师队伍。" in a.text
    assert "100个“双师型”教师培养培训基地" in a.text and "3年以上企业工作经历" in a.text
    assert "健全国家职业教育制度框架" not in a.text  # not the plan's whole outline


def test_a_figure_asked_of_what_the_clause_before_names_needs_that_thing_in_the_evidence(replies_assistant):
    # "…高速公路免费通行吗？免几天？": the holiday notice gives days off, and says nothing of motorways.
    a = replies_assistant.ask("19年国庆放假那几天高速公路免费通行吗？免几天？").answer
    assert a.abstained and a.reason.startswith("gate.subject_missing") and "高速公路" in a.reason
    b = replies_assistant.ask("19年国庆放几天假？").answer
    assert not b.abstained and "共7天" in b.text


def test_a_document_named_by_its_titles_words_is_not_lost_to_a_place_it_mentions(replies_assistant):
    # No report of 西藏 is held; the pilot plan, named by its subject's words, names 拉萨市.
    question = "政府网站集约化那个试点一共几个省区市参加？西藏是哪个市？"
    _, scope, _ = replies_assistant.scoped_retrieval(question, 5)
    assert scope.doc_ids == ["gov-cn-5338761"] and scope.rules == ["scope.title"]
    a = replies_assistant.ask(question).answer
    assert not a.abstained and "10个省" in a.text and "拉萨市" in a.text


def test_colloquial_words_and_the_askers_kind_do_not_make_a_field():
    question, _ = clean_question("我是开小饭馆的个体户，国务院那个政府性融资担保的指导意见，对我们这种小户办担保贷款有啥实惠？")
    assert "有什么实惠" in question and "啥" not in question
    q = analyse(question)
    assert q.broad and not any("小户" in f or "我们" in f for f in q.fields) and "小户" not in q.subject
    assert clean_question("这事咋办？")[0] == "这事怎么办？"


def test_a_years_indicators_asked_of_a_plan_are_its_targets():
    assert analyse("“无废城市”试点方案对农业废弃物利用提出了哪些2020年指标？").stage == "target"
    assert analyse("2024年主要指标完成得怎么样？").stage != "target"


def test_english_asking_words_for_places_and_web_addresses():
    assert "places" in asked_types("Which cities does the pilot work plan name as its pilot cities?")
    assert "website" not in asked_types("Which provinces are in the government website consolidation pilot?")
    assert "website" in asked_types("What is the website for applications?")


def test_a_years_figure_asked_at_no_stage_is_what_the_next_report_says_it_came_to(documents_assistant):
    # The 2023 report sets 2023's target (1200万人左右); the 2024 report reports what it came to (1244万人).
    a = documents_assistant.ask("2023年全国城镇新增就业是多少？").answer
    assert not a.abstained and "1244万人" in a.text and "1200万" not in a.text
    assert {c.passage.doc_id for c in a.citations} == {"gwr-national-2024"}


def test_an_english_question_on_how_the_economy_grew_reads_the_output_figure():
    from rag.query import question_terms

    assert "生产总值" in question_terms("How fast did Qinghai's economy grow in 2024?")
    assert "生产总值" in question_terms("By how much did the economy expand last year?")


def test_a_count_asked_in_ten_thousands_of_people_needs_a_figure_in_that_unit():
    from rag.query import has_measure, question_measures

    assert question_measures("江西2024年城镇新增就业具体是多少万人?") == ["万人"]
    assert has_measure("城镇新增就业53.1万人", "万人") and not has_measure("分别完成年计划的113.4%、256.1%", "万人")
    assert question_measures("接待游客多少万人次？") == ["万人次"]


def test_a_list_asked_of_a_part_named_in_its_headings_words_gives_that_parts_items(assistant):
    a = ask(assistant, "赋予科研机构和人员更大自主权的通知里,下放科技管理权限具体要落实哪几项权限?")
    assert not a.abstained
    for item in ("（一）推动预算调剂和仪器采购管理权落实到位。", "（二）推动科研人员的技术路线决策权落实到位。",
                 "（三）推动项目过程管理权落实到位。"):
        assert item in a.text
    assert all(c.passage.headings[0] == "三、深入推进下放科技管理权限工作" for c in a.citations)


def test_a_list_naming_the_field_asked_among_others_does_not_list_its_measures(assistant):
    # The notice lists the fields ("在知识产权保护、…、军民深度融合、管理体制创新等方面") and gives the items of all
    # but one: "（四）军民深度融合方面6项。" names none of its six.
    a = ask(assistant, "第二批推广的支持创新改革举措里，军民深度融合方面那6项举措具体是哪些？")
    assert a.abstained and a.reason.startswith("gate.names_missing"), a.text
    a = ask(assistant, "第二批推广的支持创新改革举措里，知识产权保护方面那5项举措具体是哪些？")
    assert not a.abstained and "三合一" in a.text


def test_the_heading_of_an_item_whose_body_is_left_out_is_no_answer(assistant):
    a = ask(assistant, "2004年国办给辽宁省的办理情况函中，对大连新机场建设项目提出了什么办理意见？")
    assert a.abstained, a.text
    a = ask(assistant, "2004年国办给辽宁省的办理情况函中，对大连商品交易所增设玉米期货品种提出了什么意见？")
    assert not a.abstained and "玉米" in a.text


def test_a_figure_said_of_another_thing_beside_the_subject_does_not_answer(assistant):
    # "其中3个部门网站开通了多语种外文版本。省级政府网站中有10个开通了英文版。": neither is the provinces' 多语种 count.
    a = ask(assistant, "2996号建议的答复里，省级政府网站有多少个开了多语种外文版？")
    assert a.abstained and a.reason.startswith("gate.figure_not_of_subject"), a.text
    a = ask(assistant, "2996号建议的答复里，国务院部门网站和省级政府网站各有多少个开通了英文版？")
    assert not a.abstained and "31个" in a.text and "10个" in a.text


def test_a_broad_question_on_one_numbered_measure_gets_that_measure_whole(assistant):
    # The plan's titles all speak of 废物; the one naming the part asked is listed, with every sentence of its
    # item, over the passages it runs on (its "（生态环境部指导）" labels end no item).
    a = ask(assistant, "“无废城市”建设试点工作方案在强化危险废物全面安全管控方面提出了哪些具体措施？")
    assert not a.abstained and "强化危险废物全面安全管控" in a.text
    assert "强制性清洁生产审核" in a.text and "电子转移联单制度" in a.text and "双随机" in a.text
    assert "绿色矿山" not in a.text


@pytest.mark.parametrize("question", [
    "国务院对河北雄安新区总体规划的批复，对建设绿色低碳城市提出了哪些要求？",
    "Under the State Council's approval of the Xiong'an New Area master plan, what does it require for building Xiong'an "
    "into a green, low-carbon city?",
])
def test_a_part_numbered_as_a_paragraph_is_listed_whole(assistant, question):
    # The reply's parts are paragraphs ("一、原则同意《…总体规划》。" … "十、建设绿色低碳之城。"), not headings.
    a = ask(assistant, question)
    assert not a.abstained and "建设绿色低碳之城" in a.text
    assert "海绵城市" in a.text and "垃圾分类" in a.text and "原则同意" not in a.text


def test_the_member_a_body_sends_is_read_from_its_line_of_the_member_list(assistant):
    a = ask(assistant, "国务院第二次全国污染源普查领导小组调整后，水利部派的成员是谁？")
    assert not a.abstained and "魏山忠" in a.text



def test_a_year_the_question_names_is_no_date_it_asks(assistant):
    # The notice's opening names 2019 and every holiday; the National Day line gives the days.
    a = ask(assistant, "2019年国庆节放假是哪几天？哪几天要调休上班？")
    assert not a.abstained and "10月1日至7日" in a.text and "9月29日" in a.text


def test_a_size_asked_in_a_unit_needs_a_figure_in_it(assistant):
    a = ask(assistant, "What is the total area, in square kilometres, of the Urumqi-Changji-Shihezi national independent innovation demonstration zone?")
    assert a.abstained and a.reason.startswith("gate.unit_mismatch")
    a = ask(assistant, "我是巴东县的干部，国家给马鬃山村地质险情防治安排了多少专项经费？")  # 经费 asked: an amount
    assert a.abstained and a.reason.startswith("gate.answer_kind_missing")


def test_the_junior_classes_intake_is_not_the_senior_classes(assistant):
    a = ask(assistant, "到1998年内地西藏高中班的招生规模要达到多少人？")
    assert a.abstained and a.reason.startswith("gate.sibling_term")
    a = ask(assistant, "到1998年内地西藏初中班的招生规模要达到多少人？")
    assert not a.abstained and "2000名" in a.text


def test_a_broad_question_on_a_short_reply_gets_all_it_says(assistant):
    # The reply approving Shenzhen's bid: a few sentences, each on another point (the bid, who pays, what next).
    a = ask(assistant, "国务院办公厅同意深圳市申办2011年世界大学生夏季运动会，复函对申办、举办经费和下一步工作是怎么安排的？")
    assert not a.abstained
    assert all(s in a.text for s in ("深圳市名义", "申办全部经费由广东省人民政府承担", "中央财政", "接待费"))
    assert "收悉" not in a.text



def test_a_list_asked_of_a_short_reply_gets_all_it_lists(assistant):
    # The reply on a premier's hotline names its channels one sentence each (座谈会, 信访, 在线访谈 …).
    a = ask(assistant, "有政协委员提议设立总理热线电话，国务院办公厅答复时列举了国务院听取群众意见的哪些渠道？")
    assert not a.abstained and all(s in a.text for s in ("座谈会", "信访", "在线访谈"))


def test_a_list_of_bodies_asked_is_the_sentence_naming_them(assistant):
    # Not a short notice's every line.
    a = ask(assistant, "侵华日军遗弃化学武器的调查和管理工作由哪两个部门统一归口管理？")
    assert "外交部和总参谋部" in a.text and not a.text.startswith("·")


def test_an_english_question_names_an_item_by_its_chinese_label(assistant):
    # "National Day" is 国庆节: of the notice's lines "一、元旦：…" … "七、国庆节：…", the one it names.
    a = ask(assistant, "Which days off does China have for the 2019 National Day holiday?")
    assert not a.abstained and "10月1日至7日" in a.text


@pytest.mark.parametrize(
    "question, second",
    [
        ("For the Hong Kong port area at Shenzhen Bay, how large is the inspection zone and until what date does the "
         "land-use term run?", "until what date does the land-use term run"),
        ("How many State Council departments' websites and how many provincial government websites had English "
         "versions?", "how many provincial government websites had English versions"),
    ],
)
def test_an_english_and_opening_another_asking_clause_makes_a_part(question, second):
    parts = sub_questions(question)
    assert len(parts) == 2 and parts[1] == second


def test_english_provincial_and_english_versions_read_as_their_chinese_terms():
    from rag.glossary import term_groups

    groups = term_groups("how many provincial government websites had English versions")
    assert any("省级" in g for g in groups) and any("英文" in g for g in groups)


def test_long_stay_visitors_read_as_their_chinese_term():
    from rag.glossary import term_groups

    assert any("旅居" in g for g in term_groups("how many people sojourned in Yunnan as long-stay visitors"))


def test_each_of_two_things_asked_gets_its_own_clause(guangxi_assistant):
    """"对A和B分别提出了什么目标": Guangxi's 2025 report (not bundled) states each target in a clause of its own; the
    clause on one thing does not cover the other, however alike the two read."""
    answer = guangxi_assistant.ask("广西2025年政府工作报告对粮食产量和糖料蔗种植面积分别提出了什么目标？").answer
    assert not answer.abstained
    assert "282亿斤" in answer.text and "1100万亩" in answer.text, answer.text


@pytest.mark.parametrize("question", [
    "国务院职业教育工作部际联席会议由哪些部门和单位组成？",
    # Bodies asked as a list: the sentence naming nine of them, though it says fewer of the question's words.
    "国务院职业教育工作部际联席会议由哪些部门组成？平时怎么运作？",
])
def test_a_list_asked_is_the_sentence_naming_what_is_asked_not_the_title_restated(assistant, question):
    """"联席会议由哪些部门和单位组成": the members' sentence says 部门, 单位 and 组成, words the question has beyond the
    document's title; "同意建立由国务院领导同志牵头负责的…联席会议制度" only restates the title."""
    a = ask(assistant, question)
    assert not a.abstained, a.text
    for body in ("教育部", "发展改革委", "人力资源社会保障部", "税务总局", "扶贫办"):
        assert body in a.text, a.text
    assert "同意建立" not in a.text, a.text


def test_a_province_asked_of_a_national_notice_gets_the_items_on_it_alone(notices_assistant):
    """A national notice lists 130 places' practices, each item naming its province: "浙江有哪几项" is answered by
    浙江's items ("45.浙江省…", "46.浙江省湖州市…"), not by the opening nor by 江苏's or 安徽's items beside them."""
    a = notices_assistant.ask("第五次大督查表扬的典型经验里，浙江有哪几项？").answer
    assert not a.abstained, a.text
    for practice in ("千村示范万村整治", "湖州", "衢州", "台州", "丽水"):
        assert practice in a.text, a.text
    assert "江苏" not in a.text and "安徽" not in a.text, a.text
    assert all(c.passage.doc_id == "gov-cn-5343366" for c in a.citations)


def test_a_village_named_like_a_province_is_no_other_place(notices_assistant):
    """"左权县河南村煤矿" is in 山西: the sentence on it is no item on 河南 to leave out of an answer on 山西."""
    a = notices_assistant.ask("2003年8月山西连续发生的3起特大煤矿瓦斯爆炸事故，各造成多少人死亡？").answer
    assert not a.abstained, a.text
    for deaths in ("43人", "28人", "27人"):
        assert deaths in a.text, a.text


@pytest.mark.parametrize("question", [
    "国务院第二次全国污染源普查领导小组2018年调整人员以后，副组长都有谁？",
    "国务院第二次全国污染源普查领导小组调整后，副组长是哪几位？",
])
def test_every_holder_of_a_post_is_read_from_the_lines_after_it(assistant, question):
    """"副组长：丁学东 国务院副秘书长" is followed by "李干杰 生态环境部部长" and, in the next passage, "宁吉喆 统计局局长":
    lines with a name and a post but no title of their own hold the post above them. "都有谁", "哪几位" ask who."""
    a = ask(assistant, question)
    assert not a.abstained, a.text
    for name in ("丁学东", "李干杰", "宁吉喆"):
        assert name in a.text, a.text


@pytest.mark.parametrize("question", [
    "我们公司刚收到一份行政处罚决定，按国办推行“三项制度”的要求，执法机关要在多长时间内把处罚决定信息公开？",
    "Under the guideline on the three enforcement systems, how long do agencies have to publish a decision on an administrative penalty?",
])
def test_how_long_is_answered_by_a_span_of_days(notices_assistant, question):
    """"多长时间内", "how long" ask a span: the sentence giving "7个工作日内" answers, not the one naming the systems."""
    a = notices_assistant.ask(question).answer
    assert not a.abstained and "7个工作日" in a.text, a.text


def test_how_long_is_refused_when_no_span_is_given(notices_assistant):
    """The notice praising the fifth inspection's practices sets no time for anything: "多长时间内" finds no span of
    days or months in the evidence, and is refused rather than answered with a sentence on the practices."""
    a = notices_assistant.ask("第五次大督查表扬的典型经验做法，各地要在多长时间内学习推广？").answer
    assert a.abstained, a.text
