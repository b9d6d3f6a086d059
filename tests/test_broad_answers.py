"""Broad questions ("有哪些主要举措", "打算怎么做") on real documents of other collections: a policy document's
numbered measures, and a report's subsection, listed whole (rag.answer: outline, subsection)."""

from __future__ import annotations

import re

import pytest

from rag.query import analyse


def _items(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("· ")]


def test_a_question_on_a_policy_documents_whole_subject_lists_its_numbered_measures(documents_assistant):
    r = documents_assistant.ask("国家职业教育改革实施方案提出了哪些主要举措？")
    items = _items(r.answer.text)
    # Each measure title, from across the document's chapters, not the paragraphs restating its subject, and
    # under it the sentences that set that measure out (from the title's own passage).
    titles = [n for n, i in enumerate(items) if re.match(r"（[一二三四五六七八九十]+）", i)]
    assert len(titles) == 8 and titles[0] == 0
    for start, end in zip(titles, titles[1:] + [len(items)]):
        marker = re.search(r"\[\d+\]$", items[start]).group()
        assert end - start >= 2 and all(i.endswith(marker) for i in items[start:end])
    chapters = {c.passage.headings[0] for c in r.answer.citations}
    assert len(chapters) >= 3 and {c.passage.doc_id for c in r.answer.citations} == {"gov-cn-5365341"}
    assert "（一）健全国家职业教育制度框架。" in items[0]
    assert re.search(r"另有\d+条相关内容未列出", r.answer.text)  # the other titles are counted, not dropped silently


def test_a_broad_question_answered_by_a_reports_subsection_gets_the_subsection(documents_assistant):
    r = documents_assistant.ask("四川今年在科技创新方面有哪些主要举措？")
    items = _items(r.answer.text)
    assert items[0].startswith("（二）以科技创新引领新质生产力发展")
    # Every item is from that subsection: after its title and before the next one ("（三）…").
    passages = documents_assistant.extractive.index.doc_passages("gwr-2025-sichuan")
    text = "".join(p.text for p in passages).replace("\n", "")
    start = text.index("（二）以科技创新引领新质生产力发展")
    end = text.index("（三）", start)
    assert len(items) >= 6
    for item in items:
        sentence = re.sub(r"\[\d+\]$", "", item)
        assert start <= text.index(sentence) < end, sentence
    assert {c.passage.doc_id for c in r.answer.citations} == {"gwr-2025-sichuan"}


def test_a_passage_on_the_subject_asked_gives_every_measure_it_sets_out(documents_assistant):
    # "着力稳外贸引外资。" opens a paragraph of nine measures; all answer, not only those scoring near its best.
    r = documents_assistant.ask("四川2025年在稳外贸引外资方面有哪些举措？")
    items = _items(r.answer.text)
    first = r.answer.citations[0]
    assert first.passage.doc_id == "gwr-2025-sichuan" and first.passage.text.startswith("着力稳外贸引外资。")
    mine = [i for i in items if i.endswith(f"[{first.n}]")]
    for said in ("新兴市场", "三文鱼", "对外承包工程", "外籍人才", "西博会"):
        assert any(said in i for i in mine), said


def test_a_subsections_run_in_titles_are_its_fields(documents_assistant):
    # "推动工业经济聚势突破。", "推动高原特色农业增值增效。" open the subsection's paragraphs: each field is named.
    r = documents_assistant.ask("云南2025年在发展特色优势产业方面有哪些重点任务？")
    items = _items(r.answer.text)
    assert items[0].startswith("（二）坚持把发展特色优势产业作为主攻方向")
    for title in ("推动工业经济聚势突破。", "推动高原特色农业增值增效。"):
        assert any(i.startswith(title + "[") for i in items), title


@pytest.mark.parametrize("question, broad", [
    ("“无废城市”试点主要抓哪些方面？", True),
    ("城镇小区配套幼儿园治理要做哪些工作？", True),
    ("2022年政府工作报告提出了哪些稳就业的措施？", True),
    ("安徽省2025年在科技创新和人才方面打算怎么做？", True),
    ("1997年国家地震局就加强防震减灾工作提了哪几条意见？", True),
    ("同北欧国家合作主要在哪些方面？", True),
    ("What did the 2024 government work report plan for building a modern industrial system?", True),
    ("Which measures for SMEs are the main measures of the plan?", True),
    ("国家对虚拟货币交易采取了哪些监管措施？", True),
    ("2017年政府工作报告提出用改革的办法深入推进“三去一降一补”，具体有哪些任务？", True),
    ("对真抓实干、成效明显的地方都有哪些激励支持？", True),
    ("四川今年打算怎么促进高质量充分就业？", True),
    ("What policy support does the zero-waste city pilot work plan offer to market players?", True),
    ("What will Beijing do in 2025 to boost consumption?", True),
    ("What aspects does the performance assessment of tertiary public hospitals cover?", True),
    ("What are the dimensions of the special emergency-rescue plates?", False),
    ("河南2025年在民生持续改善方面安排了哪几方面的重点工作？", True),
    ("因公出国办护照证件有哪些便利措施？", False),
    ("跟德国、法国、意大利这些欧盟国家，规划说要学人家哪些方面的经验？", False),
    ("杂交水稻海外推广要争取哪些中央部门的支持？", False),
    ("外事港澳工作要坚持哪几条基本原则？", False),
    # What a reader can take part in or benefit from, all of it.
    ("国办那份指导意见在拓展销售途径上，有哪些我们能参与的？", True),
    ("这个规定里有什么企业可以享受的？", True),
    ("这个规定里有哪些企业不能享受？", False),
    # The plans on a field, in plain words.
    ("我们是山东一家做海洋工程的企业，今年省里在海洋经济这块有什么打算？", True),
    ("安徽今年发展全域旅游有啥打算？", True),
])
def test_broad_questions_are_read_as_such(question, broad):
    assert analyse(question).broad is broad


def test_an_english_question_reads_the_chinese_it_quotes_and_general_policy_terms():
    from rag.glossary import chinese_terms

    assert "三项制度" in chinese_terms("What does the guideline on the 'three systems' (三项制度) require?")
    assert "对外开放" in chinese_terms("What is Zhejiang planning for 2025 to expand high-level opening-up?")
    assert analyse("What is Zhejiang planning for 2025 to expand high-level opening-up?").broad


def test_an_english_question_in_other_words_of_opening_up_is_answered(documents_assistant):
    # "open wider to the outside world" is 对外开放 as much as "opening-up" is: the glossary's general terms read it.
    r = documents_assistant.ask("How does Sichuan plan to open wider to the outside world this year?")
    assert not r.answer.abstained
    assert _items(r.answer.text)[0].startswith("（五）扩大高水平对外开放")


def test_an_english_broad_question_gets_the_reports_subsection(documents_assistant):
    r = documents_assistant.ask("What is Sichuan planning for 2025 to expand opening-up?")
    items = _items(r.answer.text)
    assert items[0].startswith("（五）扩大高水平对外开放")
    assert len(items) >= 6 and {c.passage.doc_id for c in r.answer.citations} == {"gwr-2025-sichuan"}


def test_a_year_naming_the_report_still_asks_its_plan():
    assert analyse("北京市2025年政府工作报告里，稳就业有哪些具体措施？").asks_plan
    assert analyse("今年省里能给些什么支持？").asks_plan
    assert not analyse("2024年稳就业有哪些措施？").asks_plan  # a year of its own: its plan or its review


def test_a_province_whose_name_holds_a_countrys_is_no_place_abroad():
    from rag.query import _places_by_kind

    assert [sorted(found) for found, _ in _places_by_kind("内蒙古自治区今年治沙和节水方面打算怎么做？")] == [["内蒙古"]]
    assert [sorted(found) for found, _ in _places_by_kind("同蒙古国的合作有哪些安排？")] == [["蒙古"]]


# ---------------------------------------------------------------- lists announced in the text, parts named

def test_a_list_its_lead_in_announces_is_answered_with_every_item(replies_assistant):
    r = replies_assistant.ask("针对政协委员关于完善政府网站、提高公共服务水平的提案，国务院办公厅答复说采取了哪些措施？")
    items = _items(r.answer.text)
    # "…我们采取了以下几方面的措施：" is followed by five numbered measures written in the text, across passages,
    # each title followed by the sentence that opens its item.
    titles = [i for i in items if re.match(r"[一二三四五六七八九十]+、", i)]
    assert [i[:2] for i in titles] == ["一、", "二、", "三、", "四、", "五、"]
    assert "研究制定指导性文件" in titles[0] and "标准化体系" in titles[4]
    assert items[1].startswith("目前，国办已会同国务院信息办组织力量起草了规范政府门户网站建设与管理的意见")
    assert {c.passage.doc_id for c in r.answer.citations} == {"gov-cn-5351586"}


def test_a_long_list_of_matters_is_listed_whole(replies_assistant):
    r = replies_assistant.ask("2004年温家宝总理到四川考察，四川省提出的问题和建议主要有哪些？")
    titles = [i for i in _items(r.answer.text) if re.match(r"[一二三四五六七八九十]+、关于", i)]
    assert len(titles) == 11 and titles[0].startswith("一、关于60万吨乙烯项目问题") and titles[-1].startswith("十一、")
    assert "另有" not in r.answer.text


def test_a_question_on_one_item_gets_that_item_not_the_list(replies_assistant):
    r = replies_assistant.ask("湖北提出的支持国有企业主辅分离问题，国家有哪些办理意见？")
    assert not r.answer.abstained
    assert "主辅分离" in r.answer.text and "荆南四河" not in r.answer.text


def test_a_broad_question_naming_parts_of_a_document_gets_those_parts(replies_assistant):
    r = replies_assistant.ask("政府部门办政务微博、微信、客户端这些新媒体，国务院办公厅在功能建设和运维管理上有哪些要求？")
    items = _items(r.answer.text)
    assert any(i.startswith("（一）推进政务公开，强化解读回应。") for i in items)
    assert any(i.startswith("（三）安全防护。") for i in items)
    assert any("先审后发" in i for i in items)  # each item's opening sentence with its title
    assert {c.passage.headings[0] for c in r.answer.citations} == {"三、加强功能建设", "四、规范运维管理"}


def test_a_national_letter_on_a_province_answers_its_questions_without_a_year(replies_assistant):
    # 四川's own 2025 report is held too; the letter's title names 四川省, so it is searched with it.
    r = replies_assistant.ask("四川省在温家宝总理考察工作时提出的问题和建议主要有哪些？")
    assert not r.answer.abstained
    assert {c.passage.doc_id for c in r.answer.citations} == {"gov-cn-5351671"}


@pytest.mark.parametrize("question, word", [
    ("国家对虚拟货币交易和比特币“挖矿”采取了哪些监管措施？", "挖矿"),
    ("城市养犬管理有哪些规定和措施？比如犬只登记、文明养犬方面怎么要求？", "养犬"),
    ("国家在鼓励无偿献血和器官捐献方面有哪些政策措施？", "献血"),
])
def test_a_broad_question_on_a_field_no_document_mentions_is_refused(replies_assistant, question, word):
    r = replies_assistant.ask(question)
    assert r.answer.abstained
    assert r.answer.reason.startswith("gate.unknown_field") and word in r.answer.reason


def test_a_document_whose_parts_are_headed_matters_is_answered_part_by_part(replies_assistant):
    r = replies_assistant.ask(
        "What economic policies for the gold industry did the State Council General Office set out in its 1996 reply on gold policy?"
    )
    items = _items(r.answer.text)
    # Its four parts ("一、关于黄金地质勘探资金问题" …), each with the sentence that opens it.
    heads = [i for i in items if re.match(r"[一二三四]、关于", i)]
    assert [h[:2] for h in heads] == ["一、", "二、", "三、", "四、"]
    assert len(items) > len(heads)
    assert {c.passage.doc_id for c in r.answer.citations} == {"gov-cn-5345440"}


def test_a_subsection_title_among_the_retrieved_sentences_gives_the_subsection(documents_assistant):
    # The sentence chosen first is from another chapter; the subsection's title answers nearly as well.
    r = documents_assistant.ask("2024年政府工作报告为扩大高水平对外开放、促进互利共赢提出了哪些举措？")
    items = _items(r.answer.text)
    assert items[0].startswith("（五）扩大高水平对外开放，促进互利共赢。")
    assert len(items) >= 8 and any("跨境电商" in i for i in items) and any("一带一路" in i for i in items)
    assert {c.passage.doc_id for c in r.answer.citations} == {"gwr-national-2024"}


def test_a_run_of_yi_shi_er_shi_items_is_answered_whole(replies_assistant):
    # "一是全区域深化拓展“四水四定”。…二是全方位保护治理生态环境。…三是全社会推进绿色低碳转型。…": the sentence
    # chosen first is deep in the third item; the question asks of two of them, so all three are given.
    r = replies_assistant.ask("宁夏回族自治区2025年在生态环境保护和绿色低碳转型方面有哪些主要任务？")
    titles = [i for i in _items(r.answer.text) if re.match(r"[一二三]是", i)]
    assert [t[:2] for t in titles] == ["一是", "二是", "三是"]
    assert "四水四定" in titles[0] and "绿色低碳转型" in titles[2]
    assert {c.passage.doc_id for c in r.answer.citations} == {"gwr-2025-ningxia"}


def test_a_reports_last_subsection_ends_where_the_speech_turns_to_its_audience(replies_assistant):
    # 宁夏's review ends with "（六）…政府自身建设全面加强。"; "各位代表！过去一年成绩的取得，…" after it closes the
    # review and sets out no measure of that subsection.
    r = replies_assistant.ask("宁夏2024年政府自身建设方面有哪些主要举措？")
    items = _items(r.answer.text)
    assert items[0].startswith("（六）突出效能提升，政府自身建设全面加强。")
    assert any("过紧日子" in i for i in items)
    assert not any("各位代表" in i or "成绩的取得" in i for i in items)


def test_a_part_named_by_one_of_its_words_is_answered_with_the_part_so_named(replies_assistant):
    # "投资贷款" is no heading's; "二、关于理顺黄金工业投资渠道问题" holds its 投资, and none other does.
    question = "我们是一家黄金生产企业，国务院办公厅关于黄金经济政策的复函里，在勘探资金、投资贷款上都给了哪些政策？"
    assert analyse(question).broad
    r = replies_assistant.ask(question)
    assert {c.passage.headings[0] for c in r.answer.citations} == {"一、关于黄金地质勘探资金问题", "二、关于理顺黄金工业投资渠道问题"}
    assert "借金还金" in r.answer.text and "有偿使用" in r.answer.text


@pytest.mark.parametrize("question", [
    "国务院办公厅复函里给了哪些政策？",
    "专家组提出了哪些处置建议？",
    "Which requests did the province raise with the central government?",
])
def test_questions_asking_every_policy_or_request_given_are_broad(question):
    assert analyse(question).broad


def test_a_question_pointing_at_its_document_names_no_subject_by_it():
    # "那份文件", "这部分" point at the document or its part; they are not what is asked about.
    assert "文件" not in analyse("内地西藏班扩大招生规模的那份文件，在经费保障上都有哪些安排？").subject
    assert "部分" not in analyse("陕西省政府工作报告里“扩大高水平对外开放”这部分有哪些重点举措？").subject


def test_a_question_on_things_no_document_found_speaks_of_is_refused(replies_assistant):
    # 宁夏's report is found by its place and year; it says nothing of 元旦, 春节 or 国庆, which only the (2019)
    # holiday notice speaks of. Its opening paragraph on 2025 is no holiday schedule.
    r = replies_assistant.ask("宁夏2025年对元旦、春节、国庆的节假日放假是怎么安排的？")
    assert r.answer.abstained and r.answer.reason.startswith("gate.topic_missing") and "元旦" in r.answer.reason
    # The same things asked of the notice that speaks of them are answered.
    r = replies_assistant.ask("2019年元旦、春节、国庆节假日怎么放假？")
    assert not r.answer.abstained and "元旦" in r.answer.text


def test_a_part_quoted_by_its_title_is_answered_from_the_passage_it_titles(replies_assistant):
    # "着力建平台提能级。" opens a paragraph of 四川's report; the opening paragraph of the year's plan, which also
    # mentions opening up, is not that part.
    r = replies_assistant.ask("四川今年的政府工作报告里“着力建平台提能级”这部分有哪些举措？")
    items = _items(r.answer.text)
    assert any("自贸试验区" in i for i in items) and any("综合保税区" in i for i in items)
    assert not any("今年是" in i for i in items)
    assert all(c.passage.text.lstrip().startswith("着力建平台提能级") for c in r.answer.citations)


def test_which_weekends_asks_the_weekends_not_a_count_of_weeks(replies_assistant):
    # "有哪几个周末…上班" asks which days are worked; no "…周" need be counted.
    r = replies_assistant.ask("国务院办公厅2019年节假日安排的通知里，有哪几个周末是要调休上班的？")
    assert not r.answer.abstained
    assert "2月2日（星期六）" in r.answer.text and "10月12日（星期六）" in r.answer.text


@pytest.mark.parametrize("question", [
    "2018年全国政府工作报告在促进外商投资稳定增长方面有哪些开放举措？",  # (not "有哪些便利措施" alone)
    "指导意见要求审核机构重点审查哪些内容？",
    "What did the 2018 national government work report promise for cutting businesses' non-tax burdens, such as administrative fees?",
    "What does the 1996 reply on gold economic policy lay down on geological exploration funds?",
    "What does Sichuan's 2025 government work report propose for elderly-care and childcare services?",
    "What does the 2018 notice on emergency rescue number plates specify about the plates themselves?",
    "What tax and fee relief for businesses did the 2019 government work report announce?",
    "What did the 2017 national government work report list under 'winning the battle for blue skies'?",
])
def test_every_measure_content_or_promise_asked_is_broad(question):
    query = analyse(question)
    assert query.broad and "fee" not in query.answer_types


def test_a_promise_is_a_plan_not_a_result():
    assert analyse("What did the 2018 report promise for cutting electricity prices?").stage == "target"


def test_cross_strait_questions_in_english_read_the_chinese_the_reports_use():
    from rag.glossary import chinese_terms

    terms = chinese_terms("I'm a Taiwanese businessman. What does Fujian plan to push cross-Strait integration forward?")
    assert "两岸" in terms and "台胞" in terms


def test_an_english_question_is_not_answered_from_its_documents_lead(replies_assistant):
    # The lead of the kindergarten notice restates the subject the question names it by ("2018年11月，党中央、国务院
    # 印发《关于学前教育…》，提出规范小区配套幼儿园建设使用…"); it picks the document and answers nothing: the date
    # asked is in the notice's body, or the question is refused, never answered by the lead.
    answer = replies_assistant.ask(
        "Under the 2019 notice on residential-community kindergartens, by when should kindergartens that need to be "
        "rebuilt or newly built complete acceptance of the project?"
    ).answer
    assert "2018年11月" not in answer.text
    assert answer.abstained or "2020年12月底前" in answer.text


def test_an_english_question_asking_what_conduct_gets_the_articles_items(documents_assistant):
    # "Which acts … can lead to a warning and a fine" asks the items of the article that sets the penalty (专利代理条例
    # 第二十六条 （一）…（五）), not its lead-in alone.
    text = documents_assistant.ask(
        "Which acts by a 专利代理师 can lead to a warning and a fine under the Patent Agency Regulations?"
    ).answer.text
    assert "（一）未依照本条例规定进行备案" in text and "（五）泄露委托人的发明创造内容" in text
    assert "可以处5万元以下的罚款" in text  # the article's lead-in: what follows from those acts


def test_english_lists_are_read_from_what_they_ask():
    assert "list" in analyse("What conduct by a patent attorney can lead to a warning and a fine?").answer_types
    assert "list" in analyse("What must the headquarters' request to activate the plan contain?").answer_types
    assert "list" not in analyse("How much is the fine for a patent attorney?").answer_types


def test_a_part_title_opening_its_paragraph_is_answered_with_the_part(replies_assistant):
    # The 1981 notice: "一、关于棉粮挂钩的奖售基数问题。有关省、市、自治区应按…落实到生产队…", "二、关于…供应价格和经营费用
    # 负担问题。奖售粮的供应价格一律按统购价执行。…由地方财政统一拨补。" A field named gets its part, not only its title.
    r = replies_assistant.ask("1981年棉粮、糖粮挂钩奖售粮的通知，在奖售基数、供应价格和费用负担上都是怎么规定的？").answer
    assert not r.abstained
    assert "统购价" in r.text and "落实到生产队" in r.text and "地方财政统一拨补" in r.text


def test_english_names_of_industries_read_as_the_reports_words():
    from rag.glossary import chinese_terms

    assert "未来产业" in chinese_terms("Which future industries does Shaanxi's 2025 report plan to develop?")
    assert "新兴产业" in chinese_terms("What emerging industries does the report support?")
    # General terms of any report: domestic demand, livelihoods, energy, the Yangtze.
    assert "内需" in chinese_terms("How will Sichuan expand domestic demand in 2025?")
    assert "民生" in chinese_terms("What does the report plan for people's livelihoods?")
    assert "长江" in chinese_terms("What does Hubei plan for the Yangtze River economic belt?")


def test_an_english_question_on_domestic_demand_is_answered_from_the_part_on_it(documents_assistant):
    r = documents_assistant.ask("What does Sichuan's 2025 government work report say about expanding domestic demand?").answer
    assert not r.abstained and "扩大内需" in r.text


def test_a_letters_matters_are_listed_when_its_lead_in_echoes_the_question(replies_assistant):
    # "对于你省在总理考察工作时提出的问题和建议，…现将有关情况函复如下：" announces the eleven matters the question
    # asks of, though its other words ("需要国家支持") are in no matter's title.
    r = replies_assistant.ask("2004年温家宝总理到四川考察时，四川省提出了哪些需要国家支持的问题和建议？").answer
    assert not r.abstained
    assert all(w in r.text for w in ("60万吨乙烯", "亭子口", "水稻良种补贴", "巴朗山隧道", "康定机场"))


def test_a_part_named_by_its_whole_heading_is_listed_entry_by_entry(replies_assistant):
    # 国家教材委员会's members: "（一）部门委员" then one line per member, no numbers; not the notice's opening.
    r = replies_assistant.ask("国家教材委员会调整后，部门委员来自哪些部门？").answer
    assert not r.abstained
    assert all(w in r.text for w in ("中央统战部", "人力资源社会保障部", "自然资源部", "中国科协"))
    assert "专家委员" not in r.text and "教授" not in r.text


def test_the_support_a_question_qualifies_is_its_field(replies_assistant):
    # "哪些财政税收优惠": the parts on 财政税收 (both regulations of the notice have one), every numbered item of them.
    assert analyse("转制为企业后，能享受哪些财政税收优惠？").fields == ("财政税收",)
    assert analyse("消防救援车改挂应急专用号牌，有哪些税费优惠？").fields == ("税费",)
    assert analyse("对真抓实干的地方有哪些激励支持？").fields != ("激励",)
    r = replies_assistant.ask("经营性文化事业单位转制为企业后，能享受哪些财政税收优惠？").answer
    assert not r.abstained
    assert all(w in r.text for w in ("五年内免征企业所得税", "资产评估增值", "免缴国有资本收益"))
    assert "工资总额预算管理" not in r.text  # the part on 收入分配


def test_english_incentive_notices_read_as_their_chinese_words():
    from rag.glossary import chinese_terms

    terms = chinese_terms("What rewards does the 2018 notice offer localities that deliver real results?")
    assert "真抓实干" in terms and "奖励" in terms


def test_a_run_in_title_the_question_quotes_gives_its_paragraph(documents_assistant):
    # The 2024 national report: "推动外贸质升量稳。加强进出口信贷和出口信保支持，…优化海外仓布局，…打造智慧海关，
    # 助力外贸企业降本提效。" then "加大吸引外资力度。…", a paragraph of its own.
    r = documents_assistant.ask("2024年政府工作报告提出了哪些推动外贸质升量稳的措施？").answer
    assert not r.abstained and r.text.startswith("· 推动外贸质升量稳。")
    assert all(w in r.text for w in ("出口信保", "海外仓", "智慧海关"))
    assert "外资准入负面清单" not in r.text
    # Two titles quoted: both parts.
    r = documents_assistant.ask("2024年政府工作报告在推动外贸质升量稳、加大吸引外资力度方面有哪些措施？").answer
    assert "海外仓" in r.text and "外资准入负面清单" in r.text


def test_a_run_in_title_quoted_but_for_a_word_gives_its_paragraph_alone(documents_assistant):
    # "积极培育新兴产业和未来产业。实施产业创新工程，…创建一批未来产业先导区。…" in the 2024 national report, asked
    # without its opening adverb: that paragraph is the answer, not the paragraph on 制造业 before it as well.
    r = documents_assistant.ask("2024年政府工作报告在培育新兴产业和未来产业方面有哪些举措？").answer
    assert not r.abstained and r.text.startswith("· 积极培育新兴产业和未来产业。")
    assert all(w in r.text for w in ("产业创新工程", "未来产业先导区", "创业投资"))
    assert len(r.citations) == 1 and "产业链供应链韧性" not in r.text


def test_a_passage_titled_with_the_subject_asked_answers_alone_when_it_ranks_first(documents_assistant):
    # Sichuan's 2025 report: "实施提振消费专项行动。着力提升消费能力…" is the part on 提振消费; the note on 稳增长
    # "18条" at the end, which scores nearly as well, is not asked.
    r = documents_assistant.ask("四川2025年在提振消费方面有哪些举措？").answer
    assert not r.abstained and r.citations[0].passage.text.startswith("实施提振消费专项行动。")
    assert all(w in r.text for w in ("以旧换新", "蜀里安逸"))
    assert {c.passage.id for c in r.citations} == {r.citations[0].passage.id} and "18条" not in r.text


def test_the_items_nearest_an_english_question_are_those_on_its_subject(documents_assistant):
    # The vocational education plan's twenty measures ("（十一）打造一批高水平实训基地。", "（十六）健全经费投入机制。"
    # …): asked in English of one of them, whose words no title writes, that item is among the three nearest the
    # question in meaning.
    from rag.answer import is_measure_title

    extractive = documents_assistant.extractive
    ids = [p.id for p in documents_assistant.index.doc_passages("gov-cn-5365341")]
    for subject, item in (("practical training bases", "实训基地"), ("funding", "经费投入")):
        question = f"What does the national vocational education reform plan say about {subject}?"
        query, retrieval = analyse(question), documents_assistant.retriever.retrieve(question)
        titles = [c for c in extractive._candidates(query, retrieval, ids) if is_measure_title(c.text)]
        assert len(titles) >= 20
        nearest = extractive._nearest_titles(retrieval, titles, {c.key for c in titles}, 3)
        assert len(nearest) == 3 and any(item in c.text for c in nearest)


def test_the_asking_frame_of_a_list_of_key_tasks_names_no_subject():
    # "重点任务都有哪些" asks for the tasks; "重点" is no part of the document the question narrows to.
    query = analyse("我们是一家连锁餐饮企业，想了解一下那份意见里面的重点任务都有哪些？")
    assert query.broad and "重点" not in query.subject_terms
    # …nor "提出" of "提出了哪些主要举措": the measures asked, of the whole document.
    assert "提出" not in analyse("国家职业教育改革实施方案提出了哪些主要举措？").subject_terms


def test_a_title_announcing_a_list_has_that_list_for_its_body(societies_assistant):
    # "（二）符合下列要求的社会团体予以保留。" is followed by "1.遵守国家法律法规…" … "9.挂靠单位、业务主管部门审查
    # 同意…": the item is that list, not the title alone; the next measure ("（三）对存在下列问题…") ends it.
    extractive = societies_assistant.extractive
    question = "清理整顿社会团体时符合哪些要求的予以保留？"
    query, retrieval = analyse(question), societies_assistant.retriever.retrieve(question)
    ids = [p.id for p in societies_assistant.index.doc_passages("gov-cn-5345293")]
    cands = extractive._candidates(query, retrieval, ids)
    title = next(c for c in cands if c.text.startswith("（二）符合下列要求的社会团体予以保留"))
    body = extractive._item_body(title, {title.key}, 36, alone=True)
    numbered = [c.text for c in body if re.match(r"\d[.．]", c.text)]
    assert len(numbered) >= 8 and [t.split(".")[0] for t in numbered[:8]] == [str(n) for n in range(1, 9)]
    assert not any("（三）" in c.text or "进行整改" in c.text for c in body)


def test_a_reports_targets_asked_all_together_are_its_sentence_setting_them(documents_assistant):
    # "主要预期目标有哪些" is answered by the sentence setting them, each a figure with its 左右/以上/以内, not by the
    # general requirements before it (as long, no figure) nor by the explanation of one of them after it.
    r = documents_assistant.ask("云南今年定了哪些主要预期目标？").answer
    assert not r.abstained and r.text.startswith("经济社会发展的主要预期目标")
    assert all(f in r.text for f in ("5%左右", "50万人以上", "1955万吨以上")) and "总体要求" not in r.text
    # Set in clauses ("国内生产总值增长5%左右；城镇新增就业1200万人以上，…；"), the whole sentence counts.
    r = documents_assistant.ask("2024年政府工作报告提出的主要预期目标有哪些？").answer
    assert all(f in r.text for f in ("5%左右", "1200万人以上", "1.3万亿斤以上", "2.5%左右"))
    # Asked as a whole, or in English: the same sentence, every clause of it.
    for question in ("四川今年主要经济指标的预期目标是怎么定的？", "What are Sichuan's main targets for 2025?"):
        r = documents_assistant.ask(question).answer
        assert all(f in r.text for f in ("5.5%以上", "85万人", "725亿斤以上")) and "总体要求" not in r.text


def test_a_question_quotes_a_title_when_it_writes_nearly_all_of_it():
    from rag.answer import _quotes_title

    assert _quotes_title("积极培育新兴产业和未来产业", "今年在培育新兴产业和未来产业上有哪些措施？")
    assert _quotes_title("用改革办法推动降低企业生产经营成本", "用改革办法降低企业生产经营成本有哪些措施")
    # Its opening verb said in other words ("推进" for "加快"): the rest, quoted whole, quotes it.
    assert _quotes_title("加快乡村全面振兴", "甘肃今年推进乡村全面振兴有哪些重点工作？")
    # A heading's words in another order, or a part of a longer title, are not a quote of it.
    assert not _quotes_title("第二批支持创新相关改革举措推广清单", "第二批支持创新相关改革举措有哪些")
    assert not _quotes_title("加大吸引外资力度", "在吸引外资方面有哪些措施")


def test_an_english_questions_word_in_one_title_of_a_long_list_points_to_that_item(documents_assistant):
    # Gansu's 2025 report lists its year's work as 一是…八是; "consumer spending" (消费) is in the first title only.
    from rag.answer import _Candidate

    passage = documents_assistant.index.doc_passages("gwr-2025-sichuan")[0]
    titles = [_Candidate(0, passage, i, t, 0.0) for i, t in enumerate((
        "一是聚焦全方位扩大内需，着力提消费促投资。", "二是大力推进新型工业化，加快构建现代化产业体系。",
        "三是统筹新型城镇化和乡村振兴，促进城乡融合发展。", "四是完善大保护大治理格局，筑牢生态安全屏障。",
        "五是深化重点领域改革，激发发展活力。"))]
    one_item = documents_assistant.extractive._one_item
    english = analyse("What measures does Gansu's 2025 government work report lay out to boost consumer spending?")
    assert one_item(english, ["消费"], titles, "今年重点抓好以下工作：")
    # A word in several titles, or one the lead-in says of the whole list, points to none.
    assert not one_item(english, ["发展"], titles, "今年重点抓好以下工作：")
    assert not one_item(english, ["消费"], titles, "扩大消费，今年重点抓好以下工作：")


def test_a_list_too_long_to_give_whole_gives_the_items_nearest_the_field_asked(replies_assistant):
    # 国办发〔2018〕117号 lists thirty incentives; asked of agriculture and poverty relief, those items (高标准农田,
    # 农村电商, 专项扶贫资金, 易地扶贫搬迁, 农村人居环境), not the first eight of the list.
    r = replies_assistant.ask("国办发〔2018〕117号督查激励措施中，对农业农村和脱贫攻坚工作成效明显的地方有哪些激励支持？").answer
    assert not r.abstained
    assert all(w in r.text for w in ("高标准农田", "电商强县", "专项扶贫资金", "以工代赈", "农村人居环境"))
    assert "商事制度改革" not in r.text and re.search(r"另有\d+条相关内容未列出", r.text)


def test_measures_asked_of_a_report_are_its_proposing_part_whole(proposals_assistant):
    # 国家地震局's report: "一、关于…监视防御区的确定", "二、关于1996年度地震重点危险区的判定" say what was found;
    # "三、关于进一步加强我国防震减灾工作的意见" proposes six lines of work: those, all six, are the answer.
    r = proposals_assistant.ask("国家地震局那份报告要求地震重点监视防御区做好哪几方面的工作？").answer
    assert not r.abstained
    assert all(w in r.text for w in ("（一）进一步健全与完善防震减灾工作体系", "防震减灾立法工作", "（六）要进一步加强防震减灾宣传教育"))
    assert "1995年我国共发生5级以上地震48次" not in r.text  # the second part's finding


def test_a_broad_answer_gathered_across_a_report_keeps_to_the_field_asked(documents_assistant):
    # Yunnan's 2025 report speaks of 养老 in its 民生 part and its "一老一小" box; the industry part's paragraph on
    # 文旅 that scores nearly as well names none of it.
    r = documents_assistant.ask("云南2025年在养老服务方面有哪些安排？")
    assert not r.answer.abstained and r.answer.citations
    for c in r.answer.citations:
        assert "养老" in c.passage.text + "".join(c.passage.headings), c.passage.locator


def test_the_parts_a_question_names_by_their_headings_are_its_answer(replies_assistant):
    # The 2006 reply forming the Olympics airport committee has four parts; asked for three of them by their
    # headings, the answer is those three, not the committee's members.
    a = replies_assistant.ask("2006年国务院批复组建的2008年北京奥运会首都国际机场协调委员会，主要职能是什么？有哪些工作规则和工作要求？").answer
    assert not a.abstained, a.reason
    parts = {c.passage.headings[0] for c in a.citations}
    assert parts == {"一、主要职能", "三、工作规则", "四、工作要求"}, parts
    assert "每半年召开一次例会" in a.text and "尤权" not in a.text
    # Named in other words: what it is responsible for is its functions; "按什么规则" its 工作规则.
    a = replies_assistant.ask("2008年北京奥运会首都国际机场协调委员会主要负责哪些事情？平时按什么规则开会议事？").answer
    assert {c.passage.headings[0] for c in a.citations} == {"一、主要职能", "三、工作规则"}
    a = replies_assistant.ask("2008年北京奥运会首都国际机场协调委员会主要负责哪些工作？").answer
    assert {c.passage.headings[0] for c in a.citations} == {"一、主要职能"}


def test_a_subsection_titled_with_part_of_a_word_asked_is_not_its_answer(hebei_assistant):
    # "business environment" is 营商环境; Hebei's subsection "（六）聚力生态环境治理…" holds only its 环境. The
    # paragraph on 营商环境 answers, not the ecology subsection.
    a = hebei_assistant.ask("We're a private firm operating in Hebei. What does Hebei's 2025 government work report "
                            "promise to do to improve the business environment for companies like ours?").answer
    assert not a.abstained, a.reason
    assert "免申即享" in a.text and "政企常态化沟通机制" in a.text


def test_an_english_question_asking_what_channels_gets_every_one(replies_assistant):
    # The 2006 reply to a proposal for a premier's hotline lists the channels that already exist, after announcing
    # them ("国务院通过建立多种途径来落实这一要求"); the hotline named in the question is no phone number asked.
    a = replies_assistant.ask("In its 2006 reply to the CPPCC proposal to set up a 'Premier's hotline' (总理热线电话), what "
                              "channels did the State Council General Office say the State Council uses to hear the public's views?").answer
    assert not a.abstained, a.reason
    assert all(w in a.text for w in ("召开座谈会", "召开听证会", "国家信访局", "在线访谈")), a.text


def test_a_run_in_part_ends_where_the_next_part_opens_with_nouns(hebei_assistant):
    # Hebei's "深入推进京津冀协同发展。" is followed by "高标准高质量建设雄安新区。", the next part's title though it opens
    # with nouns (高标准, 高质量) before its verb: the answer is the first part's measures only.
    a = hebei_assistant.ask("河北省2025年政府工作报告在深入推进京津冀协同发展方面有哪些主要举措？").answer
    assert not a.abstained, a.reason
    assert all(w in a.text for w in ("六链五群", "京津冀医联体", "廊坊北三县"))
    assert "攻坚启动区建设主战场" not in a.text


def test_a_field_no_measure_title_names_gets_the_measures_whose_sentences_speak_of_it(proposals_assistant):
    # The sports-competition guideline's nineteen measures are titled with what they do; the one on finance is
    # "（十九）完善相关投入机制。" (…金融产品和融资模式…). Asked about 投融资和金融服务, it is that measure, not all nineteen.
    r = proposals_assistant.ask("我们是一家体育赛事运营公司，国务院办公厅关于加快发展体育竞赛表演产业的指导意见在投融资和金融服务方面有哪些支持？").answer
    assert not r.abstained
    assert "（十九）完善相关投入机制" in r.text and "金融产品和融资模式" in r.text
    assert "（四）大力发展职业赛事" not in r.text and "（七）积极培育冰雪体育赛事" not in r.text


def test_a_part_the_question_names_by_its_heading_is_answered_with_that_parts_measures(poverty_assistant):
    # The 消费扶贫 guideline's part "五、大力促进贫困地区休闲农业和乡村旅游提质升级" names the field asked; its
    # measures' titles ("（十）加大基础设施建设力度。") do not, and 旅游 and 农业 are said in half its passages.
    # The answer is that part's measures, not the guideline's seventeen.
    r = poverty_assistant.ask("What measures does the guideline on consumption-based poverty alleviation (消费扶贫) set out "
                              "for leisure agriculture and rural tourism?").answer
    assert not r.abstained
    assert "（十）加大基础设施建设力度" in r.text and "三改一整" in r.text
    assert r.citations and all(c.passage.headings[0].startswith("五、") for c in r.citations), \
        [c.passage.headings for c in r.citations]
    # Asked of the whole guideline, all its parts answer.
    whole = poverty_assistant.ask("国务院办公厅关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见提出了哪些措施？").answer
    assert len({c.passage.headings[0] for c in whole.citations}) >= 3


@pytest.mark.parametrize("question", [
    "湖南今年承诺办好的十大重点民生实事具体是哪些？",
    "Which ten key livelihood projects does Hunan's 2025 government work report promise to deliver?",
])
def test_a_list_numbered_with_circled_numbers_is_given_whole(hunan_assistant, question):
    # "扎实办好“十大重点民生实事”。①补充配置农村义务教育学校电脑30万台，…。②…。…⑩…。": ten items in one paragraph.
    # Asked in Chinese, or in English naming the list by its count ("ten key … projects": 十大), the answer is the
    # ten items, not the sentence announcing them and the first.
    r = hunan_assistant.ask(question).answer
    assert not r.abstained
    marks = [m for m in "①②③④⑤⑥⑦⑧⑨⑩" if m in r.text]
    assert len(marks) >= 8, r.text
    assert "学生宿舍床位6万个" in r.text and "社区老年助餐服务点" in r.text


@pytest.mark.parametrize("question", [
    "重庆今年城建方面的六大攻坚行动分别是什么？",
    "Which six urban-construction campaigns will Chongqing carry out in 2025?",
])
def test_a_list_announced_by_its_count_without_numbers_is_given_whole(chongqing_assistant, question):
    # "实施城建“六大攻坚行动”。实施重大基础设施建设攻坚行动。加快…。实施提升轨道交通分担率攻坚行动。…": six items,
    # unnumbered, each a short sentence ending in 攻坚行动, with the measures between them.
    r = chongqing_assistant.ask(question).answer
    assert not r.abstained
    for item in ("重大基础设施建设攻坚行动", "提升轨道交通分担率攻坚行动", "排水管网建设改造攻坚行动",
                 "城市片区更新攻坚行动", "城中村改造攻坚行动", "两江四岸整体提升攻坚行动"):
        assert item in r.text, (item, r.text)


@pytest.mark.parametrize("question, count", [
    ("What are the six urban-construction campaigns that Chongqing plans to carry out in 2025?", "六大"),
    ("What are the 'ten key livelihood projects' Hunan promises?", "十大"),
    ("What are the three tough battles?", "三大"),
    ("What has the province achieved over the past five years?", None),
    ("What did the five years bring?", None),
])
def test_a_list_an_english_question_names_by_its_count_is_searched_as_the_documents_name_it(question, count):
    from rag.glossary import chinese_terms, counted_lists
    from rag.retrieval import english_keyword_query

    assert counted_lists(question) == ([count] if count else [])
    if count:  # searched for, not a topic the answer's sentences must hold
        assert count in english_keyword_query(question).split() and count not in chinese_terms(question)


def test_a_notices_own_parts_come_before_the_designs_in_its_attachment(replies_assistant):
    # The emergency-rescue plates notice sets out four parts (一、…核发范围 … 四、…政策保障); its attachment shows the
    # plates' designs under "（一）汽车号牌。" titles. Asked what the notice lays down, the answer is its four parts.
    r = replies_assistant.ask("What did the State Council General Office notice on special emergency-rescue number plates lay down?").answer
    assert not r.abstained
    assert "三、悬挂专用号牌车辆的道路优先通行权" in r.text and "四、悬挂专用号牌车辆的政策保障" in r.text
    assert "（一）汽车号牌。" not in r.text
    assert all("四、车辆涂装样图" not in " › ".join(c.passage.headings) for c in r.citations)


@pytest.mark.parametrize("question, term, named", [
    ("What are the measures for building the bridgehead for opening to the west?", "一带一路", False),
    ("What does the report bring to small firms?", "一带一路", False),
    ("What does the report say about the BRI?", "一带一路", True),
    ("What support is there for SMEs?", "中小企业", True),
])
def test_an_acronym_is_named_as_a_word_not_as_the_start_of_one(question, term, named):
    from rag.glossary import chinese_terms

    assert (term in chinese_terms(question)) is named



def test_a_subsection_title_naming_nothing_asked_is_not_the_part_that_answers(hubei_assistant):
    # In a crowded index the subsection title "（一）在全方位扩大内需上持续加力…" can rank near the top for a
    # question on opening up, while the evidence chosen is the paragraph on trade and foreign investment in
    # another subsection: that title's body is not the answer.
    ex = hubei_assistant.extractive
    q = "What steps is Hubei planning this year to open up further to foreign trade and investment?"
    retrieval = hubei_assistant.retriever.retrieve(q, k=hubei_assistant.settings.top_k * 4)
    at = next(n for n, h in enumerate(retrieval.hits) if "在全方位扩大内需上持续加力" in h.passage.text)
    retrieval.hits.insert(1, retrieval.hits.pop(at))
    cands = ex._candidates(analyse(q), retrieval, [h.passage.id for h in retrieval.hits])
    chosen = [c for c in cands if "花湖国际自由贸易航空港" in c.text or "着力稳定外资" in c.text]
    assert len(chosen) == 2
    assert ex.subsection(analyse(q), retrieval, chosen) is None
    # The rule leaves a subsection holding the evidence chosen to answer: asked of 扩大内需, its title's body.
    answer = hubei_assistant.ask("湖北今年在扩大内需方面有哪些主要举措？").answer.text
    assert "在全方位扩大内需上持续加力" in answer


def test_a_bodys_duties_rules_and_requirements_asked_get_those_parts(replies_assistant):
    # "工作规则和工作要求有哪些" asks every item of two parts of the reply (一、主要职能 … 四、工作要求).
    r = replies_assistant.ask("首都国际机场协调委员会的工作规则和工作要求有哪些？")
    text = r.answer.text
    assert "每半年" in text and "会议纪要" in text
    assert len({c.passage.id for c in r.answer.citations}) >= 2


def test_a_parts_opening_on_the_years_place_is_no_measure(documents_assistant):
    # "今年是“十四五”规划收官之年，…做好全年工作意义重大。" opens a provincial report's plan: the setting, not a
    # measure a broad answer lists. A national report's passage opening so and going on with "（一）着力扩大国内需求。"
    # sets measures out.
    ex = documents_assistant.extractive
    yunnan = next(p for p in ex.index.doc_passages("gwr-2025-yunnan") if "今年是“十四五”规划收官之年" in p.text)
    assert ex._general_requirements(yunnan)
    national = next(p for p in ex.index.doc_passages("gwr-national-2023") if "今年是政府换届之年" in p.text)
    assert "（一）着力扩大国内需求" in national.text and not ex._general_requirements(national)


def test_a_list_counted_before_its_items_gives_every_item(reports_assistant):
    # "今年再办好15件民生实事。一是新建改造…。二是为2万名高危人群…。…十五是…。": one paragraph, long and short items.
    r = reports_assistant.ask("山西今年承诺办的15件民生实事都包括哪些？")
    items = _items(r.answer.text)
    assert items[0].startswith("一是新建改造50个社区养老工程") and items[1].startswith("二是为2万名高危人群")
    assert [i[:3] for i in items[9:12]] == ["十是继", "十一是", "十二是"]
    assert "另有3条" in r.answer.text  # 十三是 to 十五是, counted
    assert {c.passage.doc_id for c in r.answer.citations} == {"gwr-2025-shanxi"}


@pytest.mark.parametrize("question, doc, first, last, count", [
    # Parts titled on Word paragraphs of their own, with no full stop.
    ("甘肃省2025年政府工作报告把今年的重点工作分成了哪几大块？", "gwr-2025-gansu", "一是聚焦全方位扩大内需", "七是坚持民生至上", 7),
    ("2022年国务院政府工作报告部署了哪些方面的政府工作任务？", "gwr-national-2022", "（一）着力稳定宏观经济大盘", "（九）切实保障和改善民生", 9),
    # This year's work asked, the chapter not named: the chapter headed with the report's year ("二、2022年政府工作任务").
    ("2022年政府工作报告对当年工作提了哪几项重点？", "gwr-national-2022", "（一）着力稳定宏观经济大盘", "（九）切实保障和改善民生", 9),
])
def test_the_parts_of_a_chapter_asked_are_its_titles(reports_assistant, question, doc, first, last, count):
    r = reports_assistant.ask(question)
    items = _items(r.answer.text)
    assert len(items) == count and items[0].startswith(first) and items[-1].startswith(last)
    assert {c.passage.doc_id for c in r.answer.citations} == {doc} and len(r.answer.citations) == count


def test_a_chapter_named_by_one_of_the_things_its_heading_joins_is_divided_into_its_parts(hebei_assistant):
    # 河北's "二、2025年目标任务和主要工作": "主要工作" names it; its parts are "（一）聚力抓投资促消费，…。" to "（八）…".
    items = _items(hebei_assistant.ask("河北今年的主要工作分成了哪几大块？").answer.text)
    assert len(items) >= 6 and items[0].startswith("（一）聚力抓投资促消费") and items[1].startswith("（二）聚力推进协同发展")


@pytest.mark.parametrize("question", [
    "湖北省政府今年重点做好哪几方面工作？",
    "Which areas of work does Hubei's 2025 government work report set out for this year?",
])
def test_this_years_work_asked_of_a_report_is_its_chapter_on_the_year(hubei_assistant, question):
    # 湖北's "二、2025年工作思路和重点任务", not named by the question: the chapter headed with the report's year.
    items = _items(hubei_assistant.ask(question).answer.text)
    assert len(items) >= 6 and items[0].startswith("（一）在全方位扩大内需上持续加力")
    assert items[2].startswith("（三）在全面深化改革和扩大高水平开放上勇于探索")


@pytest.mark.parametrize("question, label, said", [
    ("全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见，工作目标是什么？", "（三）工作目标。",
     "“三项制度”在各级行政执法机关全面推行"),
    ("国务院办公厅关于全面推行行政执法三项制度的指导意见提出了哪些基本原则？", "（二）基本原则。", "全面履行法定职责"),
])
def test_an_item_labelled_with_what_is_asked_is_given_whole(notices_assistant, question, label, said):
    # The guideline's "一、总体要求" opens with labelled items: "（一）指导思想。…（二）基本原则。…（三）工作目标。到2020年底前，…".
    # Asked its goals or its principles, the answer is that item, not the sentences nearest the question's words.
    r = notices_assistant.ask(question).answer
    items = _items(r.text)
    assert items and items[0].startswith(label) and said in r.text, r.text
    assert {c.passage.doc_id for c in r.citations} == {"gov-cn-5354528"}


def test_a_label_whose_word_only_qualifies_what_is_asked_is_not_the_answer(replies_assistant):
    # The website pilot plan's "（二）组织开展试点。" ends in 试点, but "要重点做好哪几项试点任务" asks 任务: its tasks
    # ("（一）建设集约化平台。" …), not that item.
    r = replies_assistant.ask("政府网站集约化试点地区要重点做好哪几项试点任务？").answer
    assert "建设集约化平台" in r.text and "（二）组织开展试点" not in r.text, r.text


def test_targets_for_a_year_asked_are_the_sentences_setting_their_figures(machinery_assistant):
    # "到2025年，农机装备品类基本齐全，…。全国农机总动力稳定在11亿千瓦左右，…。全国农作物耕种收综合机械化率达到75%，…":
    # the sentence naming the year states no figure; the ones after it do, and they are the targets asked.
    r = machinery_assistant.ask("What 2025 targets are set in the guideline on accelerating agricultural mechanization "
                                "and upgrading the farm machinery industry?").answer
    assert not r.abstained, r.text
    assert "到2025年，农机装备品类基本齐全" in r.text and "11亿千瓦左右" in r.text and "75%" in r.text


def test_a_count_asked_of_a_notice_named_by_its_title_is_not_the_issuers(reports_assistant):
    # "国务院办公厅关于…的通知，一共推广了多少项举措": the figure is the measures', not 国务院办公厅's.
    r = reports_assistant.ask("国务院办公厅关于推广第二批支持创新相关改革举措的通知，一共推广了多少项举措？分别是哪几个方面？")
    assert not r.answer.abstained
    assert "23项" in r.answer.text


def test_targets_set_over_two_sentences_are_read_to_the_last():
    # 贵州's "主要预期目标是：…5.5%左右，其中…。规模以上工业增加值增长7.5%以上；…常住人口城镇化率达到58%左右。"
    from rag.answer import _targets_run

    text = ("今年经济社会发展的主要预期目标是：全省地区生产总值增长5.5%左右，其中一、二、三产增加值分别增长3.5%以上、"
            "7%左右、5%以上。规模以上工业增加值增长7.5%以上；固定资产投资增长4%以上；常住人口城镇化率达到58%左右。"
            "实现上述目标，必须坚定信心。\n工作中，我们将…")
    first = text[: text.index("。") + 1]
    run = _targets_run(text, first)
    assert run.endswith("常住人口城镇化率达到58%左右。") and "实现上述目标" not in run



def test_targets_asked_of_a_field_are_the_sentences_setting_figures(documents_assistant):
    # 云南's paragraph "提升医疗卫生服务能力。…建好18个省级临床医学中心…增加儿科服务供给…新增遴选20项…129个县…":
    # its targets, not its measures that set none.
    assert analyse("云南今年在医疗卫生服务能力方面定了哪些目标？").broad
    r = documents_assistant.ask("云南今年在医疗卫生服务能力方面定了哪些目标？")
    items = _items(r.answer.text)
    assert all(any(f in i for i in items) for f in ("18个省级临床医学中心", "20项中医药适宜技术", "129个县"))
    assert not any("儿科服务供给" in i or "万名村医" in i for i in items)
    assert {c.passage.doc_id for c in r.answer.citations} == {"gwr-2025-yunnan"}


def test_a_title_naming_a_longer_word_of_the_question_counts_it_once():
    # "农产品" holds "产品": a title saying 农产品 names one word of "拓展贫困地区农产品销售途径", not two, and
    # "（五）拓展销售途径。" names more of it.
    from rag.answer import _Candidate, _words_held

    from types import SimpleNamespace

    passage = SimpleNamespace(id="p")
    titles = [_Candidate(0, passage, i, t, 0.0) for i, t in enumerate(("（五）拓展销售途径。", "（七）加快农产品标准化体系建设。"))]
    held = _words_held(titles, ["贫困地区", "产品", "农产品", "销售", "途径"])
    assert held[titles[0].key] == 2 and held[titles[1].key] == 1
