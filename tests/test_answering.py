"""Retrieval and answering mechanisms on the bundled index: what a user sees for kinds of question.

Each test asks the real assistant (real model, real Chroma, the bundled corpus)
a question of one kind — off the documents' subject, naming a 专栏, asking the
same thing of two subjects, dated, in English — and checks the mechanism that
kind of question depends on.
"""

from __future__ import annotations

import re

import pytest

from conftest import PLAN_ID, REVIEW_ID
from rag.glossary import chinese_terms, english_entities
from rag.retrieval import coordinated_parts, heading_matches, structure_refs, sub_questions


def _cited_boxes(result) -> set[str]:
    return {c.passage.box.split()[0] for c in result.answer.citations if c.passage.box}


# ------------------------------------------------------------------ off-topic questions
@pytest.mark.parametrize(
    "question",
    [
        "怎么做红烧肉？",
        "今天天气怎么样？",
        "明天股市会涨吗？",
        "怎么申请信用卡？",
        "How do I bake sourdough bread?",
        "Tell me a joke",
        "What is the stock price of Tesla?",
    ],
)
def test_question_off_the_documents_subject_is_not_answered(assistant, question):
    result = assistant.ask(question)
    assert result.answer.abstained, result.answer.text
    assert result.answer.citations == []
    assert "[1]" not in result.answer.text


@pytest.mark.parametrize(
    "question, must_contain",
    [
        ("湖南外事工作怎么样？", None),  # vague but on topic: answered, not refused
        ("APEC商务旅行卡怎么办理？", "APEC"),
        ("What are the main goals of the plan?", None),
    ],
)
def test_on_topic_questions_with_few_specific_words_are_still_answered(assistant, question, must_contain):
    result = assistant.ask(question)
    assert not result.answer.abstained, result.answer.reason
    if must_contain:
        assert must_contain in result.answer.text


def test_topic_terms_leave_out_question_words_and_words_found_everywhere(assistant):
    terms = assistant.gate.topic_terms("湖南外事工作的国际友城有哪几个？")
    assert "哪几个" not in terms and "哪几" not in terms
    assert "湖南" not in terms and "外事" not in terms  # in more than a fifth of the passages
    assert "友城" in terms


# ------------------------------------------------------------------ structure references
def test_structure_refs_read_boxes_chapters_and_sections():
    assert structure_refs("专栏1和专栏2分别是什么专项行动？") == ["专栏1", "专栏2"]
    assert structure_refs("第3章第六节讲什么") == ["第三章", "第六节"]
    assert structure_refs("专栏8-1说了什么") == ["专栏8—1"]
    assert structure_refs("到2025年友城要达到多少对？") == []


def test_heading_matches_does_not_confuse_box_1_with_box_10():
    assert heading_matches(("第二章 在服务国家总体外交中实现新作为", "专栏1 先进制造业国际合作专项行动"), "专栏1")
    assert not heading_matches(("专栏10 国际友城“破零”行动",), "专栏1")
    assert heading_matches(("专栏8—1 重点国家深耕工程之高质量“引进来”重点国家",), "专栏8")


def test_two_boxes_named_are_both_cited(assistant):
    result = assistant.ask("专栏1和专栏2分别是什么专项行动？")
    assert {"专栏1", "专栏2"} <= _cited_boxes(result), result.answer.text
    assert "先进制造业国际合作专项行动" in result.answer.text
    assert "科技创新国际合作专项行动" in result.answer.text


def test_a_heading_chosen_as_an_answer_brings_the_sentence_after_it(assistant):
    result = assistant.ask("专栏8—2以哪个国家为重点？")
    assert "老挝" in result.answer.text, result.answer.text


def test_a_named_box_outranks_look_alike_boxes(assistant):
    result = assistant.ask("专栏6讲的是什么专项行动？")
    top = result.retrieved[0].passage
    assert top.box and top.box.startswith("专栏6"), top.locator


def test_a_box_named_by_title_is_recognised_and_answers(assistant):
    refs = assistant.retriever.named_structures("科技创新国际合作专项行动有哪些内容？")
    # 专栏1 先进制造业国际合作专项行动 shares "国际合作专项行动" but is spelled less fully.
    assert refs == ["专栏2科技创新国际合作专项行动"]
    assert assistant.retriever.named_structures("到2025年友城要达到多少对？") == []
    result = assistant.ask("中医药海外传播专项行动要建几家海外中医药中心？")
    assert _cited_boxes(result) == {"专栏6"}, result.answer.text
    assert "3-5家" in result.answer.text


# ------------------------------------------------------------------ coordinated questions
def test_coordinated_question_is_split_per_subject():
    parts = coordinated_parts("对非合作里杂交水稻和中医药两个专项行动各有什么量化目标？")
    assert len(parts) == 2
    assert "杂交水稻" in parts[0] and "中医药" not in parts[0]
    assert "中医药" in parts[1] and "杂交水稻" not in parts[1]
    both = coordinated_parts("友城工作十四五既有数量目标又有结构目标，具体是什么？")
    assert [("数量目标" in p, "结构目标" in p) for p in both] == [(True, False), (False, True)]


def test_two_years_each_with_its_own_conjunct_are_two_parts():
    # The second year's conjunct names only the stage: it is the first's subject at that stage.
    assert coordinated_parts("四川2024年的地区生产总值增速和2025年的目标分别是多少？") == [
        "四川2024年的地区生产总值增速是多少？", "四川2025年的地区生产总值增速目标是多少？"]
    assert coordinated_parts("2023年的城镇新增就业和2024年的城镇调查失业率目标分别是多少？") == [
        "2023年的城镇新增就业是多少？", "2024年的城镇调查失业率目标是多少？"]


def test_single_questions_have_no_parts():
    assert sub_questions("到2025年全省国际友好城市要达到多少对？") == []
    # A clause of conversation ("对这块有支持的说法吗", "两份材料怎么说的") asks nothing by itself.
    assert sub_questions("我们做农产品的，想借着中非博览会卖到非洲，规划里对这块有支持的说法吗？") == []
    assert sub_questions("中非经贸博览会是临时办还是长期落户？两份材料怎么说的？") == []
    assert coordinated_parts("规划对日韩合作怎么安排的？") == []


def test_a_clause_framing_the_question_is_not_split_off():
    # "从…里" frames the asking clause: alone, "规划总结出…要把握哪几条" drifts to the 基本原则.
    assert sub_questions("从十三五的实践里，规划总结出做好外事港澳工作要把握哪几条？") == []
    assert sub_questions("对外文化交流，规划列了哪些品牌活动？") == []  # a bare topic
    assert sub_questions("港澳工作方面，规划要求加强哪些法律在湖南的学习宣传？") == []
    # In a two-part question a frame opens the part after it.
    assert sub_questions("规划要求因公出国团组聚焦什么样的产业和项目？到2025年，回顾说省领导出访又聚焦在哪方面？") == [
        "规划要求因公出国团组聚焦什么样的产业和项目",
        "到2025年回顾说省领导出访又聚焦在哪方面",
    ]
    # A first clause stating a topic of its own leaves the asking clause a part.
    assert sub_questions("规划要推动湘港澳高层交往，2025年省长去香港和谁座谈了？") == ["2025年省长去香港和谁座谈了"]


def test_a_framed_list_question_cites_only_the_list(assistant):
    result = assistant.ask("从十三五的实践里，规划总结出做好外事港澳工作要把握哪几条？")
    assert {c.passage.id for c in result.answer.citations} == {
        p.id for p in assistant.index.passages.values() if "“十三五”时期的实践表明" in p.text
    }, result.answer.text
    assert "外事为民" in result.answer.text


def test_a_second_passage_or_a_part_must_add_a_term_the_answer_lacks():
    from rag.answer import _adds_term

    chosen = "将中国与中东欧国家合作框架同共建“一带一路”…更好地融合对接。"
    nordic = "加强与北欧在环境保护、生态养殖、水产贸易等方面的合作。"
    assert _adds_term([("北欧",), ("合作",)], nordic, chosen)  # 北欧 is new
    assert not _adds_term([("合作",), ("国家",)], nordic, chosen)  # nothing the answer lacks
    assert not _adds_term([("北欧",)], nordic, chosen + nordic)


def test_two_spellings_of_one_english_term_are_one_term(assistant):
    from rag.answer import _adds_term

    question = "We are a European dairy company. Does the plan say anything about supporting cross-border supply chains in dairy?"
    groups = assistant.extractive.gate.topic_groups(question)
    assert ("产业链", "供应链") in groups and ("奶制品",) in groups
    dairy = "推动卓伯根中国总部、荷兰夸特纳斯长沙集采集配中心建设,支持欧洲国家在奶制品领域的跨国产业链建设。"
    africa = "建设非资源性产品全产业链,打通采购、仓储、物流、加工、展示销售、售后服务、供应链金融等全产业链。"
    assert not _adds_term(groups, africa, dairy)  # 供应链 is the 产业链 the answer already names
    result = assistant.ask(question)
    assert "奶制品" in result.answer.text
    assert all("奶制品" in c.passage.text for c in result.answer.citations), result.answer.text


def test_what_an_answer_says_includes_where_it_is_cited_from(assistant):
    from rag.answer import ExtractiveAnswerer, _adds_term, _Candidate

    # The review's title carries its year: a sentence quoted from it already says "2025".
    review = next(p for p in assistant.index.passages.values() if "全年省领导率团出访14批次" in p.text)
    said = ExtractiveAnswerer._said([_Candidate(0, review, 0, "全年省领导率团出访14批次。", 1.0)])
    assert "2025" in review.doc_title and "2025" in said
    assert not _adds_term([("2025",)], "2025年,省领导密集开展出访及赴港澳考察活动。", said)


def test_words_of_a_cited_document_title_do_not_make_a_sentence_on_topic(assistant):
    from rag.answer import _own_words

    preamble = "根据《湖南省国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》编制。"
    assert "远景目标" not in _own_words(preamble, "远景目标是什么？")
    assert "远景目标" in _own_words(preamble, "《二〇三五年远景目标纲要》是哪年发布的？")
    # The preamble that cites the provincial outline no longer answers for the plan's own targets.
    answer = assistant.ask("规划的远景目标和十四五目标分别是什么？").answer
    assert all(c.passage.headings for c in answer.citations), answer.text  # the preamble has none
    assert "国家对非合作重要省份" in answer.text, answer.text


def test_a_numbered_items_title_alone_does_not_answer_a_question(assistant):
    from rag.answer import _NUMBERED_TITLE_RE

    assert _NUMBERED_TITLE_RE.match("2. “十四五”发展目标。")
    assert _NUMBERED_TITLE_RE.match("1. 进一步完善友城布局。")
    assert not _NUMBERED_TITLE_RE.match("1. 全方位开放格局基本形成,对外交往的广度和深度不断拓展。")
    text = assistant.ask("规划怎样定位“十四五”这五年？").answer.text
    assert text.startswith("“十四五”时期是全面建成小康社会"), text


def test_each_part_of_a_two_part_question_is_answered(assistant):
    result = assistant.ask("十三五期间友城总数到了多少对？又接待了几批次外国元首来湘？")
    text = result.answer.text
    assert "100对" in text and "5批次" in text, text


# ------------------------------------------------------------------ dated questions
def test_a_result_dated_the_year_asked_about_outweighs_a_target_for_that_year(assistant):
    # "did … in 2025" asks what happened: a 2025 result counts double, "到2025年力争…" once.
    passages = assistant.index.passages.values()
    result = next(p for p in passages if "全年省领导率团出访14批次" in p.text)
    target = next(p for p in passages if "到2025年,全省友好城市力争达到120对" in p.text)
    answerer = assistant.extractive
    bonus = answerer.YEAR_BONUS
    assert answerer._year_bonus(result, "全年省领导率团出访14批次。", ["2025"], past=True) == 2 * bonus
    assert answerer._year_bonus(target, "到2025年,全省友好城市力争达到120对。", ["2025"], past=True) == bonus
    assert answerer._year_bonus(result, "全年省领导率团出访14批次。", ["2025"], past=False) == bonus
    assert answerer._year_bonus(result, "全年省领导率团出访14批次。", ["2019"], past=True) == 0.0


def test_a_question_about_2025_is_answered_from_the_2025_review(assistant):
    result = assistant.ask("德国是规划里“引进来”的重点国家，2025年省长去德国见了哪家企业？")
    docs = {c.passage.doc_id for c in result.answer.citations}
    assert REVIEW_ID in docs, result.answer.text
    assert "博世" in result.answer.text


def test_a_plan_target_question_is_answered_from_the_plan(assistant):
    result = assistant.ask("到2025年全省国际友好城市要达到多少对？")
    assert "120对" in result.answer.text
    assert result.answer.citations[0].passage.doc_id == PLAN_ID


# ------------------------------------------------------------------ what the documents only plan or only count
@pytest.mark.parametrize(
    "question",
    [
        "规划的中期评估结果怎么样了？",  # the plan says an evaluation will be made, not how it came out
        "接待埃及工商团时对接的27家企业是哪几家？",  # the review counts them, names none
    ],
)
def test_a_planned_step_or_a_counted_set_is_not_passed_off_as_an_answer(assistant, question):
    result = assistant.ask(question)
    assert result.answer.abstained, result.answer.text


def test_an_outcome_the_documents_report_is_answered(assistant):
    result = assistant.ask("2025年中非经贸博览会办得结果怎么样？")
    assert not result.answer.abstained, result.answer.reason
    assert "53个" in result.answer.text or "113.9亿美元" in result.answer.text, result.answer.text


# ------------------------------------------------------------------ English questions
def test_glossary_reads_hyphens_demonyms_and_plan_periods():
    assert "友城" in chinese_terms("How many sister-city pairs does Hunan aim to have?")
    assert "德国" in chinese_terms("Which German states does Hunan cooperate with?")
    assert "十三五" in chinese_terms("during the 13th Five-Year Plan period")
    assert "十四五" not in chinese_terms("during the 13th Five-Year Plan period")
    assert ("timor leste", ("东帝汶",)) in english_entities("the Prime Minister of Timor-Leste")
    terms = chinese_terms("Can visitors transiting through Changsha airport enter visa-free?")
    assert {"长沙", "机场", "过境", "免签"} <= set(terms), terms
    assert "口岸" not in chinese_terms("Which Portuguese-speaking countries does the plan support?")


def test_an_english_questions_vector_carries_the_chinese_terms_it_names(assistant):
    from rag.retrieval import Retriever, dense_query

    expanded = dense_query("Any support for dairy industry chains?")
    assert expanded.startswith("Any support for dairy industry chains? (") and "奶制品" in expanded
    assert dense_query("奶制品有支持吗？") == "奶制品有支持吗？"
    # The dense half alone: with the question's own vector the 奶制品 passage is not in the top 10.
    dense = Retriever(assistant.index, assistant.settings, use_dense=True, use_keyword=False)
    hits = dense.retrieve("Our dairy firm is based in the Netherlands. Any support for dairy industry chains?", k=10).hits
    assert any("奶制品" in h.passage.text for h in hits)


def test_english_question_naming_a_country_finds_its_passage(assistant):
    result = assistant.ask("Which Lao localities form Hunan's sister-city layout in Laos?")
    assert not result.answer.abstained, result.answer.reason
    assert "万象市" in result.answer.text
    assert result.answer.text.startswith("According to the documents")


# ------------------------------------------------------------------ answers' form
@pytest.mark.parametrize(
    "question",
    [
        "国际社区里要建哪些生活配套？",
        "对非优势产能合作聚焦哪些国家？",
        "先进制造业国际合作专项行动重点服务哪三大产业集群？",
    ],
)
def test_list_answers_carry_the_enumeration(assistant, question):
    result = assistant.ask(question)
    assert not result.answer.abstained
    assert result.answer.text.count("、") >= 2, result.answer.text


def test_a_list_cut_at_semicolons_is_answered_whole(assistant):
    # "必须坚持…；必须立足…；必须着眼…外事为民…。": three items of one enumeration.
    text = assistant.ask("十三五的实践表明，做好湖南外事港澳工作必须坚持哪些？").answer.text
    assert "集中统一领导" in text and "立足本地特色资源" in text and "外事为民" in text, text


def test_a_list_that_runs_on_into_the_next_passage_is_answered_whole(assistant):
    # The plan's five 基本原则 are "——" items; the passage holding the first two ends mid-list.
    result = assistant.ask("规划的基本原则有哪几条？")
    for item in ("坚持党管外事", "坚持以人民为中心", "坚持服务大局", "坚持创新引领", "坚持系统观念"):
        assert item in result.answer.text, (item, result.answer.text)


def test_every_answer_sentence_cites_a_passage_that_contains_it(assistant):
    for question in ("到2025年全省国际友好城市要达到多少对？", "规划的远景目标和十四五目标分别是什么？", "APEC商务旅行卡怎么办理？"):
        result = assistant.ask(question)
        by_n = {c.n: c for c in result.answer.citations}
        pieces = re.findall(r"(.+?)\[(\d+)\]", result.answer.text.replace("\n", ""))
        assert pieces, result.answer.text
        for sentence, n in pieces:
            cited = by_n[int(n)]
            core = re.sub(r"^（专栏[^）]*）", "", sentence).strip()[-12:]
            assert core in cited.passage.text.replace("\n", ""), (sentence, cited.passage.locator)


# ------------------------------------------------------------------ places
def test_a_sentence_about_another_place_of_the_kind_asked_is_not_the_answer():
    from rag.query import _names_other_place, _places_by_kind

    nordic = _places_by_kind("同北欧国家合作主要在哪些方面？")
    assert _names_other_place("拓展湖南与中东欧在数字经济等领域的合作", nordic)
    assert not _names_other_place("加强与北欧在环境保护、生态养殖、水产贸易等方面的合作", nordic)
    assert not _names_other_place("加强人才培养", nordic)  # names no place: no judgement
    english = _places_by_kind("In which areas will Hunan cooperate with the Nordic countries?")
    assert _names_other_place("拓展湖南与中东欧在数字经济等领域的合作", english)
    # A country is another kind than a region; 香港 is a part of 港澳.
    assert not _names_other_place("深化湖南与英国中部引擎地区、德国黑森州等地区合作", _places_by_kind("在欧洲要深化与哪些地区合作？"))
    assert not _names_other_place("在湘开展香港特别行政区基本法学习宣传", _places_by_kind("港澳工作方面要宣传哪些法律？"))


@pytest.mark.parametrize(
    "question, must_contain, must_not_contain",
    [
        ("我们想去非洲开拓市场，省里有什么支持？", "非洲", "香港"),
        ("同北欧国家合作主要在哪些方面？", "水产贸易", "中东欧"),
    ],
)
def test_the_place_asked_about_is_the_place_answered(assistant, question, must_contain, must_not_contain):
    text = assistant.ask(question).answer.text
    assert must_contain in text and must_not_contain not in text, text


# ------------------------------------------------------------------ time named by a part
def test_evidence_must_be_of_the_time_a_part_names():
    from rag.query import _dated, _period_years

    review = "全年省领导率团出访14批次 外事赋能促发展——2025湖南外事港澳工作回顾之三"
    plan = "5年来,67批次省级领导出访五大洲74个国家 第一节 历史跨越 湖南省外事港澳工作“十四五”发展规划"
    assert _dated(review, ["2025"], set()) and not _dated(plan, ["2025"], set())
    assert _period_years("十三五期间省级领导出访了多少国家") == set(range(2016, 2021))
    assert not _dated(review, [], _period_years("十三五期间"))  # dated 2025 only
    assert _dated(plan, [], _period_years("十三五期间"))  # not dated: may speak of it


@pytest.mark.parametrize(
    "question",
    [
        "十三五这五年省级领导出访了多少国家？2025年一年又去了多少国家？",
        "十三五期间省级领导出访了多少国家？那2025年全年呢，去了多少国家？",
    ],
)
def test_a_five_year_figure_and_a_2025_figure_are_both_answered(assistant, question):
    text = assistant.ask(question).answer.text
    assert "74个国家" in text and "21个国家" in text, text


# ------------------------------------------------------------------ the evidence's own year and country
def test_the_year_and_country_asked_about_must_be_the_evidences(assistant):
    from rag.answer import EvidenceGate

    # A larger collection: another document mentions 2030 and 巴西, so the corpus-wide checks pass.
    texts = [p.embedding_text() for p in assistant.index.passages.values()]
    texts.append("另一省规划:到2030年,与巴西等国的友好城市力争达到200对。")
    gate = EvidenceGate(assistant.settings, "\n".join(texts), texts)

    def decide(question, evidence, passage_text):
        return gate.decide(question, assistant.retriever.retrieve(question, k=5), evidence, passage_text)

    target = "到2025年,全省友好城市力争达到120对。"
    plan = next(p for p in assistant.index.passages.values() if "力争达到120对" in p.text)
    # The whole collection may mention 2030 (a larger one will); the evidence's passage does not.
    decision = decide("到2030年全省国际友城要达到多少对？", target, plan.embedding_text() + plan.doc_title)
    assert not decision.answerable and decision.reason == "the evidence is not of 2030"
    assert decide("到2025年全省国际友城要达到多少对？", target, plan.embedding_text()).answerable
    # A sentence under "1. 2035年远景目标。" is of 2035 though it does not say so.
    vision = next(p for p in assistant.index.passages.values() if "2035年远景目标。" in p.text)
    sentence = "在经济、文化、卫生、农业、科技、环保等领域具有较强对外合作综合实力。"
    assert decide("到2035年规划希望湖南在哪些领域具备较强的对外合作综合实力？", sentence, vision.embedding_text()).answerable
    # A country asked about must be the evidence's, by any of its names (日本: 日韩, 中日).
    brazil = decide("湖南和巴西有哪些合作项目？", "建设湖南与友好省州北卡罗来纳州的国际创新平台。", "第二节 积极服务大国外交")
    assert brazil.reason == "the evidence does not speak of 巴西"
    japan = decide("湖南和日本的企业合作有什么平台？", "推动与日韩企业的产业链合作,建设中日韩产业园。", "第二节 积极服务大国外交")
    assert japan.answerable, japan.reason


def test_a_target_of_another_plan_period_is_not_passed_off_as_the_answer(assistant):
    from rag.glossary import plan_periods

    assert plan_periods("How many pairs were added during the 13th Five-Year Plan period?") == ["十三五"]
    assert plan_periods("十三五期间和十四五期间") == ["十三五", "十四五"]
    # The 十三五's figures are 31 new pairs, 100 in all; "到2025年…力争达到120对" is the 十四五's target.
    result = assistant.ask("How many new sister-city pairs did Hunan add during the 13th Five-Year Plan period?")
    assert "120对" not in result.answer.text, result.answer.text
    assert result.answer.abstained or "31对" in result.answer.text, result.answer.text


def test_an_item_named_by_its_label_is_answered_whole(replies_assistant):
    # A holiday notice lists 一、元旦：… 七、国庆节：…; the question names 国庆节. Its item, both sentences of
    # it (the days off and the working days), not the notice's lead-in or the first item.
    a = replies_assistant.ask("2019年国庆节放几天？哪两天要调休上班？").answer
    assert "10月1日至7日" in a.text and "9月29日" in a.text and "10月12日" in a.text
    assert "元旦" not in a.text and "节假日期间" not in a.text


def test_a_verdict_on_an_indicator_no_document_states_for_that_year_is_refused(documents_assistant):
    # Sichuan's report gives no R&D intensity, target or result; sentences on R&D without a figure cannot
    # say whether a target was met.
    a = documents_assistant.ask("四川2024年研发投入强度目标完成了吗？").answer
    assert a.abstained and a.reason.startswith("targets.no_figure")
    # An indicator whose result the report gives is answered (the result, and that no target is found).
    b = documents_assistant.ask("云南2024年规上工业增加值目标完成了吗？").answer
    assert not b.abstained and "3.3%" in b.text


def test_places_asked_as_a_list_are_answered_by_the_sentence_naming_them(replies_assistant):
    # The plan's safeguards all say "试点地区要…"; the regions are named once, under 二、试点范围.
    a = replies_assistant.ask("政府网站集约化试点定了哪些地区？").answer
    assert "拉萨市" in a.text and "贵州" in a.text and "加强组织领导" not in a.text
    # Named after what is asked ("试点地区有哪些"), with the document's number and title drawing its cover letter
    # first: the sentence naming them is read from the document, though ranked below the first five passages.
    a = replies_assistant.ask("国办函〔2018〕71号《政府网站集约化试点工作方案》确定的试点地区有哪些？").answer
    assert not a.abstained and "拉萨市" in a.text and "贵州" in a.text and "现印发给你们" not in a.text


def test_a_step_named_by_its_title_is_answered_with_its_deadline(replies_assistant):
    # "1.摸底排查。各地…建立台账。该项工作于2019年4月底前完成。": the deadline sentence names no step itself.
    a = replies_assistant.ask("城镇小区配套幼儿园治理工作中，摸底排查要在什么时候之前完成？").answer
    assert not a.abstained and "2019年4月底前" in a.text


def test_a_body_asked_is_answered_by_the_sentence_naming_it(replies_assistant):
    a = replies_assistant.ask("国家综合性消防救援车辆的应急救援专用号牌由哪个部门负责核发？").answer
    assert not a.abstained and "应急部为专用号牌及配套行驶证件的核发主管单位" in a.text


def test_a_term_inside_a_longer_one_in_another_sense_is_not_named():
    # "State Council" names 国务院, not a 州; "grain output" names 粮食 as well (the same sense).
    assert "州" not in chinese_terms("How many incentive measures did the State Council's 2018 notice set out?")
    assert "国务院" in chinese_terms("How many incentive measures did the State Council's 2018 notice set out?")
    assert {"粮食产量", "粮食"} <= set(chinese_terms("What was Shandong's total grain output last year?"))
    # British spellings read as American ones.
    assert "城镇化率" in chinese_terms("What urbanisation rate did Sichuan reach?")
    assert "带量采购" in chinese_terms("In the pilot for state-organised volume-based purchasing of drugs …")
    assert "十四五" not in chinese_terms("How far did the poverty rate fall over the previous five years?")


def test_a_china_source_salary_asks_no_document_source(documents_assistant):
    # The 2018 income-tax regulations (gov-cn-5351177, not bundled), Article 5: 90 days.
    r = documents_assistant.ask(
        "We post a non-domiciled foreign engineer to China for short assignments. Under the implementing regulations "
        "of the Individual Income Tax Law, up to how many days of cumulative stay in a tax year is his China-source "
        "salary, paid by the overseas employer, exempt from individual income tax?"
    )
    assert not r.answer.abstained and "90天" in r.answer.text and "发文机关" not in r.answer.text


def test_an_english_part_keeps_the_frame_it_opens_with_as_words():
    parts = sub_questions("For the Hong Kong port area at Shenzhen Bay Port, how large is the Hong Kong inspection zone, "
                          "and until what year does Hong Kong's land-use term under the lease run?")
    assert parts and parts[0].startswith("For the Hong Kong port area at Shenzhen Bay Port, how large")
    assert "查验区" in chinese_terms("How large is the Hong Kong inspection zone?")


def test_a_part_naming_its_year_by_the_documents_own_gets_a_sentence_of_that_year(documents_assistant):
    # "去年" of a 2025 report is 2024: its review's 1993.5万吨, beside the 2025 target.
    r = documents_assistant.ask("云南去年粮食总产量是多少？今年的目标是多少？")
    assert "1993.5万吨" in r.answer.text and "1955万吨" in r.answer.text


def test_a_sibling_of_the_thing_asked_gives_way_to_the_thing_itself():
    """"国务院常务会议多久开一次": the working rules' sentence on the 全体会议 (same head, another modifier) reads
    alike; the 常务会议's own sentence answers."""
    from rag.answer import _four_character_nouns, _sibling_in

    assert "常务会议" in _four_character_nouns("国务院常务会议一般多久开一次？")
    assert _sibling_in("常务会议", "国务院全体会议一般每半年召开一次。")
    assert not _sibling_in("常务会议", "国务院常务会议一般每月召开三次。")
    assert not _sibling_in("常务会议", "会议一般每月召开。")


def test_each_part_of_a_count_question_counts_its_own_thing(earthquakes_assistant):
    # "多少次？…多少人死亡？": the first part's sentence counts 次, the second's 人; each part gets its own.
    r = earthquakes_assistant.ask("1996年我国共发生5级以上地震多少次？地震灾害造成多少人死亡？")
    assert not r.answer.abstained
    assert "38次" in r.answer.text and "365人" in r.answer.text
