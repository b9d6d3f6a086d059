"""English → Chinese terms, for English questions over Chinese documents.

Two uses: (1) BM25 cannot match English words against Chinese text, but it can
match the Chinese terms an English question names ("sister cities" → 友城);
(2) the evidence gate can tell that a question names a country the documents
never mention. The country list is complete on purpose: it is about the world,
not about this corpus.
"""

from __future__ import annotations

import re
from functools import lru_cache

COUNTRIES: dict[str, tuple[str, ...]] = {
    "afghanistan": ("阿富汗",), "albania": ("阿尔巴尼亚",), "algeria": ("阿尔及利亚",), "angola": ("安哥拉",),
    "argentina": ("阿根廷",), "armenia": ("亚美尼亚",), "australia": ("澳大利亚", "澳洲"), "austria": ("奥地利",),
    "azerbaijan": ("阿塞拜疆",), "bahamas": ("巴哈马",), "bahrain": ("巴林",), "bangladesh": ("孟加拉",),
    "barbados": ("巴巴多斯",), "belarus": ("白俄罗斯",), "belgium": ("比利时",), "benin": ("贝宁",),
    "bolivia": ("玻利维亚",), "botswana": ("博茨瓦纳",), "brazil": ("巴西",), "brunei": ("文莱",),
    "bulgaria": ("保加利亚",), "cambodia": ("柬埔寨",), "cameroon": ("喀麦隆",), "canada": ("加拿大",),
    "chile": ("智利",), "colombia": ("哥伦比亚",), "congo": ("刚果",), "costa rica": ("哥斯达黎加",),
    "cote d'ivoire": ("科特迪瓦",), "ivory coast": ("科特迪瓦",), "croatia": ("克罗地亚",), "cuba": ("古巴",),
    "cyprus": ("塞浦路斯",), "czech": ("捷克",), "denmark": ("丹麦",), "djibouti": ("吉布提",),
    "dominica": ("多米尼克", "多米尼加"), "dominican republic": ("多米尼加",), "ecuador": ("厄瓜多尔",),
    "egypt": ("埃及",), "equatorial guinea": ("赤道几内亚",), "eritrea": ("厄立特里亚",), "estonia": ("爱沙尼亚",),
    "ethiopia": ("埃塞俄比亚",), "fiji": ("斐济",), "finland": ("芬兰",), "france": ("法国",), "gabon": ("加蓬",),
    "georgia": ("格鲁吉亚",), "germany": ("德国",), "ghana": ("加纳",), "greece": ("希腊",), "guinea": ("几内亚",),
    "hungary": ("匈牙利",), "iceland": ("冰岛",), "india": ("印度",), "indonesia": ("印尼", "印度尼西亚"),
    "iran": ("伊朗",), "iraq": ("伊拉克",), "ireland": ("爱尔兰",), "israel": ("以色列",), "italy": ("意大利",),
    "jamaica": ("牙买加",), "japan": ("日本", "日韩", "中日"), "jordan": ("约旦",), "kazakhstan": ("哈萨克斯坦",),
    "kenya": ("肯尼亚",), "korea": ("韩国", "日韩", "中韩"), "south korea": ("韩国",), "north korea": ("朝鲜",),
    "kuwait": ("科威特",), "kyrgyzstan": ("吉尔吉斯",), "laos": ("老挝",), "latvia": ("拉脱维亚",),
    "lebanon": ("黎巴嫩",), "liberia": ("利比里亚",), "libya": ("利比亚",), "lithuania": ("立陶宛",),
    "luxembourg": ("卢森堡",), "madagascar": ("马达加斯加",), "malawi": ("马拉维",), "malaysia": ("马来西亚",),
    "maldives": ("马尔代夫",), "mali": ("马里",), "malta": ("马耳他",), "mauritius": ("毛里求斯",),
    "mexico": ("墨西哥",), "mongolia": ("蒙古",), "morocco": ("摩洛哥",), "mozambique": ("莫桑比克",),
    "myanmar": ("缅甸",), "burma": ("缅甸",), "namibia": ("纳米比亚",), "nepal": ("尼泊尔",),
    "netherlands": ("荷兰",), "holland": ("荷兰",), "new zealand": ("新西兰",), "nicaragua": ("尼加拉瓜",),
    "niger": ("尼日尔",), "nigeria": ("尼日利亚",), "norway": ("挪威",), "oman": ("阿曼",),
    "pakistan": ("巴基斯坦",), "panama": ("巴拿马",), "papua new guinea": ("巴布亚新几内亚",),
    "paraguay": ("巴拉圭",), "peru": ("秘鲁",), "philippines": ("菲律宾",), "poland": ("波兰",),
    "portugal": ("葡萄牙", "葡语"), "qatar": ("卡塔尔",), "romania": ("罗马尼亚",), "russia": ("俄罗斯", "中俄", "对俄"),
    "rwanda": ("卢旺达",), "saudi arabia": ("沙特",), "senegal": ("塞内加尔",), "serbia": ("塞尔维亚",),
    "sierra leone": ("塞拉利昂",), "singapore": ("新加坡",), "slovakia": ("斯洛伐克",), "slovenia": ("斯洛文尼亚",),
    "somalia": ("索马里",), "south africa": ("南非",), "spain": ("西班牙",), "sri lanka": ("斯里兰卡",),
    "sudan": ("苏丹",), "sweden": ("瑞典",), "switzerland": ("瑞士",), "syria": ("叙利亚",),
    "tajikistan": ("塔吉克斯坦",), "tanzania": ("坦桑尼亚",), "thailand": ("泰国",),
    "timor-leste": ("东帝汶",), "east timor": ("东帝汶",), "togo": ("多哥",), "tunisia": ("突尼斯",),
    "turkey": ("土耳其",), "turkmenistan": ("土库曼斯坦",), "uganda": ("乌干达",), "ukraine": ("乌克兰",),
    "united arab emirates": ("阿联酋",), "uae": ("阿联酋",), "dubai": ("迪拜",),
    "united kingdom": ("英国",), "britain": ("英国",), "uk": ("英国",), "england": ("英国",),
    "united states": ("美国", "中美", "对美"), "usa": ("美国",), "american": ("美国",), "u.s.": ("美国",),
    "uruguay": ("乌拉圭",), "uzbekistan": ("乌兹别克斯坦",), "venezuela": ("委内瑞拉",), "vietnam": ("越南",),
    "yemen": ("也门",), "zambia": ("赞比亚",), "zimbabwe": ("津巴布韦",),
}

# Adjectives and demonyms whose stem is not the country's name ("German" ≠ "Germany" + ending).
COUNTRIES.update({
    "german": ("德国",), "french": ("法国",), "dutch": ("荷兰",), "british": ("英国",), "italian": ("意大利",),
    "spanish": ("西班牙",), "swiss": ("瑞士",), "thai": ("泰国",), "filipino": ("菲律宾",), "polish": ("波兰",),
    "greek": ("希腊",), "turkish": ("土耳其",), "norwegian": ("挪威",), "swedish": ("瑞典",), "danish": ("丹麦",),
    "finnish": ("芬兰",), "irish": ("爱尔兰",), "portuguese": ("葡萄牙",), "malagasy": ("马达加斯加",),
    "lao": ("老挝",), "laotian": ("老挝",), "timorese": ("东帝汶",), "vietnamese": ("越南",), "emirati": ("阿联酋",),
    "saudi": ("沙特",), "czech republic": ("捷克",), "belgian": ("比利时",), "peruvian": ("秘鲁",),
})

# The one-character forms Chinese writes for the major countries' side, forces, firms and capital ("日方", "日军",
# "美企", "德资"): a passage on 侵华日军 speaks of Japan. Only to recognise a country already asked about: as names
# to find, "法方" would be read in "办法方面".
SHORT_FORMS = {"japan": "日", "united states": "美", "russia": "俄", "united kingdom": "英", "france": "法",
               "germany": "德", "korea": "韩", "south korea": "韩", "north korea": "朝", "italy": "意",
               "india": "印", "australia": "澳", "canada": "加", "vietnam": "越", "american": "美", "british": "英",
               "german": "德", "french": "法", "italian": "意", "vietnamese": "越"}


def country_forms(english: str) -> tuple[str, ...]:
    """The short forms a Chinese text writes for a country's side, forces, firms and capital ("日方", "日军")."""
    short = SHORT_FORMS.get(english)
    return tuple(short + s for s in ("方", "军", "企", "资")) if short else ()


def names_country_pair(text: str, english: str) -> bool:
    """``text`` names the country in a pairing with China by its one-character short form ("中俄跨境索道",
    "中蒙俄经济走廊", "中日韩"), not as 中美洲 (Central America)."""
    short = SHORT_FORMS.get(english)
    return bool(short and re.search(rf"中[\u4e00-\u9fff]?{short}(?![洲国])", text))


# World regions and groupings, as the documents name them (a follow-up may swap one in: "那非洲呢？").
REGIONS_ZH = (
    "东南亚 南亚 中亚 西亚 东北亚 东亚 北亚 亚洲 非洲 欧洲 中东欧 北欧 西欧 东欧 南欧 中欧 中东 北美 南美 "
    "中南美洲 拉美 拉丁美洲 美洲 加勒比 大洋洲 东盟 欧盟 港澳 香港 澳门 台湾 日韩 粤港澳大湾区 一带一路"
).split()

# Regions that hold others: a sentence about 香港 speaks of 港澳, one about 北欧 of 欧洲.
REGION_PARTS: dict[str, tuple[str, ...]] = {
    "港澳": ("香港", "澳门"),
    "粤港澳大湾区": ("香港", "澳门"),
    "欧洲": ("欧盟", "北欧", "西欧", "东欧", "南欧", "中欧", "中东欧"),
    "欧盟": ("中东欧", "西欧", "南欧", "北欧"),
    "东欧": ("中东欧",),
    "亚洲": ("东南亚", "南亚", "中亚", "西亚", "东北亚", "东亚", "北亚", "东盟", "日韩", "中东"),
    "东亚": ("东北亚", "日韩"),
    "东南亚": ("东盟",),
    "东盟": ("东南亚",),
    "美洲": ("北美", "南美", "中南美洲", "拉美", "拉丁美洲", "加勒比"),
    "拉美": ("中南美洲", "拉丁美洲", "南美", "加勒比"),
    "拉丁美洲": ("中南美洲", "拉美", "南美", "加勒比"),
    "中南美洲": ("拉美", "拉丁美洲", "南美", "加勒比"),
}

# The countries of world regions (general geography): a sentence on 迪拜 speaks of 中东, one on 肯尼亚 of 非洲.
_MEMBERS = {
    "非洲": "algeria angola benin botswana cameroon congo cote d'ivoire djibouti egypt equatorial guinea eritrea ethiopia "
            "gabon ghana guinea kenya liberia libya madagascar malawi mali mauritius morocco mozambique namibia niger "
            "nigeria rwanda senegal sierra leone somalia south africa sudan tanzania togo tunisia uganda zambia zimbabwe",
    "中东": "saudi arabia united arab emirates dubai qatar kuwait oman bahrain iran iraq israel jordan lebanon syria yemen turkey",
    "东盟": "indonesia singapore vietnam malaysia laos cambodia thailand philippines myanmar brunei",
    "东南亚": "indonesia singapore vietnam malaysia laos cambodia thailand philippines myanmar brunei timor-leste",
    "南亚": "india pakistan bangladesh sri lanka nepal maldives",
    "中亚": "kazakhstan uzbekistan kyrgyzstan tajikistan turkmenistan",
    "拉美": "argentina bolivia brazil chile colombia costa rica cuba dominican republic ecuador mexico nicaragua panama "
            "paraguay peru uruguay venezuela jamaica barbados bahamas",
    "中东欧": "albania bulgaria croatia czech estonia greece hungary latvia lithuania poland romania serbia slovakia slovenia",
    "北欧": "denmark finland iceland norway sweden",
}
_MEMBER_KEYS = sorted(COUNTRIES, key=len, reverse=True)


def _members(region: str) -> tuple[str, ...]:
    text, out = " " + _MEMBERS[region] + " ", []
    for key in _MEMBER_KEYS:
        if f" {key} " in text:
            out += COUNTRIES[key]
            text = text.replace(f" {key} ", " ")
    return tuple(dict.fromkeys(n for n in out if not n.startswith(("中", "对"))))


REGION_MEMBERS: dict[str, tuple[str, ...]] = {r: _members(r) for r in _MEMBERS}
REGION_MEMBERS["拉丁美洲"] = REGION_MEMBERS["中南美洲"] = REGION_MEMBERS["拉美"]
# "对非", "中非": the documents' short forms of relations with a region.
REGION_MEMBERS["非洲"] += ("对非", "中非")

# Topic terms that English questions use for this kind of document.
TERMS: dict[str, tuple[str, ...]] = {
    "sister cit": ("友城", "友好城市"), "sister provinc": ("友城", "友好省州"), "friendship cit": ("友城", "友好城市"),
    "twin cit": ("友城",), "africa": ("非洲", "中非", "对非"), "asean": ("东盟",), "europe": ("欧洲", "欧盟"),
    "european union": ("欧盟",), "nordic": ("北欧",), "latin america": ("中南美洲", "拉美"),
    "caribbean": ("加勒比",), "middle east": ("中东",), "central and eastern europe": ("中东欧",),
    "hong kong": ("香港", "港澳"), "macau": ("澳门", "港澳"), "macao": ("澳门", "港澳"),
    "greater bay area": ("粤港澳大湾区", "大湾区"), "belt and road": ("一带一路",), "bri": ("一带一路",),
    "apec": ("APEC", "亚太经合组织"), "business travel card": ("APEC商务旅行卡", "商务旅行卡"),
    "rcep": ("RCEP",), "shanghai cooperation": ("上海合作组织",), "focac": ("中非合作论坛",),
    "china-africa": ("中非", "中国—非洲经贸博览会", "中非经贸博览会"), "expo": ("博览会",), "fair": ("博览会", "展"),
    "world expo": ("世博会", "世界博览会"), "olympic": ("奥运会", "奥林匹克"), "winter olympic": ("冬奥会",),
    "paralympic": ("残奥会",), "asian games": ("亚运会",), "universiade": ("大学生运动会", "大运会", "大冬会"),
    "winter universiade": ("大学生冬季运动会", "大冬会"), "games": ("运动会",), "bid for": ("申办",), "bid to host": ("申办",),
    "cost": ("费用", "经费", "成本"), "expenses": ("经费", "费用"), "funding": ("经费", "资金"),
    "hybrid rice": ("杂交水稻",), "rice": ("杂交水稻", "水稻"), "traditional chinese medicine": ("中医药",),
    "tcm": ("中医药",), "free trade zone": ("自贸区",), "pilot free trade": ("自贸区",), "ftz": ("自贸区",),
    "consul": ("领事", "领馆", "总领馆"), "consulate": ("领事", "总领馆"), "embass": ("使馆", "使领馆"),
    "visa": ("签证",), "passport": ("护照",), "trips abroad": ("因公出国",), "official travel": ("因公出国",),
    "overseas trip": ("出访", "因公出国"), "delegation": ("团组", "代表团"), "visit": ("出访", "访问"),
    "foreign journalist": ("外国记者",), "journalist": ("记者",), "think tank": ("智库",), "research": ("研究",),
    "international communit": ("国际社区",), "language environment": ("国际语言环境",), "english": ("英语", "英文"),
    "translator": ("翻译",), "translation": ("翻译",), "talent": ("人才",), "lawyer": ("涉外法律",),
    "legal": ("涉外法律", "法治"), "arbitrat": ("仲裁",), "consular protection": ("领事保护",),
    "pandemic": ("疫情",), "covid": ("疫情", "新冠"), "epidemic": ("疫情",), "youth": ("青少年", "青年"),
    "student": ("青少年", "学生"), "peace": ("和平",), "red tourism": ("红色",), "tourism": ("旅游",), "culture": ("文化",),
    "business card": ("名片",), "calling card": ("名片",), "name card": ("名片",), "brand": ("名片", "品牌"),
    "manufactur": ("制造",), "construction machinery": ("工程机械",), "rail": ("轨道交通",),
    "technology": ("科技",), "innovation": ("创新",), "smart": ("智慧",), "digital": ("数字",),
    "invest": ("投资", "招商", "引进来"), "going global": ("走出去",), "go global": ("走出去",),
    "going abroad": ("走出去", "出海"), "overseas market": ("出海", "走出去"), "export": ("出口",),
    "enterprise": ("企业",), "compan": ("企业",), "county": ("县域",), "platform": ("平台",),
    "target": ("目标",), "goal": ("目标",), "2025": ("2025",), "2035": ("2035",), "leader": ("领导",),
    "governor": ("省长",), "party secretary": ("省委书记",), "agreement": ("协议",), "signed": ("签署",),
    "dollar": ("美元",), "projects": ("项目",), "mid-autumn": ("中秋",), "foreign ministry": ("外交部",),
    "trade development council": ("香港贸发局",), "hktdc": ("香港贸发局",), "invest hong kong": ("投资推广署",),
    "data": ("数据",), "database": ("数据库",), "online": ("网上", "云上"), "service": ("服务",),
    "party": ("党",), "cadre": ("干部",), "loyalty": ("忠诚",), "evaluation": ("评估",), "monitor": ("监测",),
    "rural revitali": ("乡村振兴",), "ecolog": ("生态",), "environment": ("环境",),
    "dairy": ("奶制品",), "tariff": ("关税",), "market access": ("市场准入",), "customs": ("海关",),
    "logistics": ("物流",), "supply chain": ("产业链", "供应链"), "industrial park": ("产业园", "园区"),
    "sister state": ("友好省州",), "prefecture": ("县",), "anniversar": ("周年",), "clerk": ("专员",),
    "expat": ("外籍人士", "外国友人", "国际社区"), "foreigner": ("外国人", "外籍"), "one-stop": ("一站式",),
    "medic": ("医疗", "医药"), "education": ("教育",), "agricultur": ("农业",), "vocational": ("职业教育",),
    "sister region": ("友城", "友好省州"), "economic partner": ("经贸伙伴",), "trade partner": ("经贸伙伴",),
    "state": ("国家",), "us state": ("州",), "province": ("省",), "provincial": ("省级", "全省", "省"), "prime minister": ("总理",), "president": ("总统", "主席"),
    "mayor": ("市长",),
    # Words of travel, trade and public services.
    "airport": ("机场",), "visa free": ("免签",), "transit": ("过境",), "border": ("边境", "口岸"), "hectare": ("公顷",), "universit": ("高校", "大学"), "college": ("高校", "学院"),
    "exhibition": ("展会", "展"), "exhibitor": ("展商", "参展"), "booth": ("展位",),
    "phone": ("电话",), "hotline": ("热线",), "opening hours": ("开放时间",),
    "museum": ("纪念馆", "博物馆"), "memorial": ("纪念馆",), "film": ("电影",), "movie": ("电影",),
    "media": ("媒体",), "volunteer": ("志愿",), "training": ("培训",),
}

# Terms of government and economic text in general: targets, figures and instruments that any
# government work report, plan or notice uses. Not drawn from any indexed document.
TERMS.update({
    "gdp": ("国内生产总值", "地区生产总值", "生产总值"), "gross domestic product": ("国内生产总值", "生产总值"),
    "economic growth": ("经济增长", "生产总值"), "economy grow": ("生产总值", "增长"), "economy grew": ("生产总值", "增长"),
    "economy expand": ("生产总值", "增长"), "economic output": ("生产总值",), "size of the economy": ("生产总值",), "grow": ("增长",), "growth": ("增长",), "economy": ("经济",),
    "consumer price": ("居民消费价格",), "cpi": ("居民消费价格",), "inflation": ("居民消费价格",),
    "deficit": ("赤字", "赤字率"), "r d": ("研发", "研究与试验发展"), "intensity": ("强度",), "research and development": ("研发", "研究与试验发展"),
    "employment": ("就业",), "jobs": ("就业", "城镇新增就业"), "job": ("就业",), "unemploy": ("失业率", "调查失业率"),
    "foreign trade": ("外贸", "进出口"), "trade": ("贸易", "进出口", "外贸"), "import": ("进口", "进出口"),
    "fixed asset": ("固定资产投资",), "fixed-asset": ("固定资产投资",), "foreign invest": ("外资", "利用外资"),
    "foreign direct investment": ("外资", "利用外资", "外商直接投资"),
    "fdi": ("外资", "利用外资"), "retail": ("社会消费品零售总额", "零售"), "consumption": ("消费",),
    "fiscal revenue": ("一般公共预算收入", "财政收入"), "revenue": ("收入",), "budget": ("预算",), "fiscal": ("财政",),
    "tax cut": ("减税", "减税降费"), "tax": ("税",), "fee": ("费",), "special bond": ("专项债券",),
    "administrative fee": ("行政事业性收费",), "non-tax burden": ("非税负担",), "burdens on business": ("企业负担",),
    "social insurance": ("社保", "社会保险"), "electricity price": ("电价",), "power price": ("电价",),
    "broadband": ("宽带",), "toll": ("过路过桥", "通行费"),
    "special-purpose bond": ("专项债券",), "treasury bond": ("国债",), "bond": ("债券",), "debt": ("债务",),
    "bonded zone": ("综合保税区", "保税区"), "bonded": ("保税",), "free trade": ("自由贸易试验区", "自贸试验区", "自贸区"),
    "ports": ("港口", "口岸"), "seaport": ("港口",), "port of": ("港口", "口岸"), "container port": ("港口", "集装箱"), "air route": ("航线",), "route": ("航线", "线路"), "flight": ("航班", "航线"),
    "grain output": ("粮食产量", "粮食总产量"), "grain production": ("粮食产量", "粮食总产量"), "grain": ("粮食",),
    "sugarcane": ("糖料蔗", "甘蔗"), "acreage": ("种植面积", "面积"), "planted area": ("种植面积", "播种面积"),
    "domicile": ("住所",), "employer": ("雇主",), "overseas employer": ("境外雇主",),
    "harvest": ("粮食", "产量"), "output": ("产量", "产值"), "produce": ("产量",), "production": ("产量", "生产"),
    "energy consumption": ("能耗",), "energy intensity": ("能耗",), "energy use": ("能耗",),
    "per unit of gdp": ("单位国内生产总值", "单位地区生产总值", "单位GDP"), "general public budget": ("一般公共预算",),
    "budget revenue": ("一般公共预算收入", "预算收入"), "product": ("产品",), "register": ("注册",),
    "registration": ("注册", "登记"), "carbon": ("碳",), "emission": ("排放",), "pollution": ("污染",),
    "pension": ("养老金", "养老"), "elderly": ("老年", "养老", "赡养老人"), "medical insurance": ("医保", "医疗保险"),
    "health": ("健康", "卫生", "医疗"), "hospital": ("医院",), "housing": ("住房",), "income": ("收入",),
    "disposable income": ("可支配收入",), "per capita": ("人均",), "new energy vehicle": ("新能源汽车",),
    "electric vehicle": ("新能源汽车",), "private": ("民营",), "private sector": ("民营经济",),
    "small and micro": ("小微企业",), "sme": ("中小企业",), "financing": ("融资",), "loan": ("贷款",),
    "interest rate": ("利率",), "money supply": ("广义货币", "M2"), "m2": ("M2", "广义货币"),
    "article": ("条",), "regulation": ("条例",), "notice": ("通知",), "circular": ("通知",), "opinion": ("意见",),
    "issued": ("印发", "发布", "成文"), "take effect": ("施行",), "effective": ("施行",), "in force": ("施行",),
    "document number": ("文号",), "state council": ("国务院",), "general office": ("办公厅",),
    "expected": ("预期",), "urban": ("城镇",), "rural": ("农村", "乡村"), "farmer": ("农民",), "village": ("村",),
    "patent": ("专利",), "agency": ("机构",), "individual income tax": ("个人所得税",), "income tax": ("所得税",),
    "deduction": ("扣除",), "children's education": ("子女教育",), "holiday": ("节假日", "放假"),
    "spring festival": ("春节",), "national day": ("国庆节",), "earthquake": ("地震",), "urbaniz": ("城镇化",),
    "urbanis": ("城镇化",), "highway": ("高速公路",), "expressway": ("高速公路",), "railway": ("铁路",),
    "high-speed rail": ("高铁", "高速铁路"), "computing power": ("算力",), "digital economy": ("数字经济",),
    "artificial intelligence": ("人工智能",), "rural revitaliz": ("乡村振兴",),
    "farmland": ("耕地", "农田"), "forest": ("森林",), "air quality": ("空气质量", "优良天数"), "water quality": ("水质",),
    "population": ("人口",), "graduate": ("毕业生",), "poverty alleviation": ("脱贫", "扶贫"), "military": ("军",),
    "defense": ("国防",), "defence": ("国防",), "procurement": ("采购",), "drug": ("药品",), "medicine": ("药",),
    "school": ("学校",), "teacher": ("教师",), "science": ("科学", "科技"), "enterprises": ("企业",),
    "manufacturing": ("制造业",), "industry": ("产业", "工业"), "industries": ("产业",), "future industr": ("未来产业",),
    "emerging industr": ("新兴产业",), "domestic demand": ("内需",), "livelihood": ("民生",),
    "livelihood project": ("民生实事", "民生工程"), "wellbeing": ("民生", "福祉"),
    "well being": ("民生", "福祉"), "energy": ("能源",), "new energy": ("新能源",), "monetary policy": ("货币政策",),
    "ports": ("港口", "口岸"), "water conservancy": ("水利",), "public security": ("公共安全", "治安"),
    "ethnic unity": ("民族团结",), "yangtze": ("长江",), "yellow river": ("黄河",), "intellectual property": ("知识产权",),
    "standards": ("标准",), "quality": ("质量",), "ice and snow": ("冰雪",), "winter sports": ("冰雪运动",), "industrial": ("工业",), "agriculture": ("农业",),
    "service sector": ("服务业",), "services": ("服务业", "服务"), "export": ("出口", "进出口"),
    "vat": ("增值税",), "value added tax": ("增值税",), "tax rate": ("税率",), "pm2.5": ("PM2.5", "细颗粒物"),
    "concentration": ("浓度",), "growth engine": ("增长引擎", "新增长引擎"), "guarantee": ("担保",),
    "representative office": ("常驻代表机构", "代表机构"), "working day": ("上班",),
    "pilot": ("试点",), "centralized procurement": ("集中采购",), "subsidy": ("补贴",), "subsidies": ("补贴",),
    "minimum wage": ("最低工资",), "social security": ("社会保险", "社保"), "penalty": ("罚款", "处罚"),
    "fine": ("罚款",), "license": ("许可证", "执业许可"), "approval": ("批准", "审批"),
    # Policy fields and instruments any government's documents name.
    "opening up": ("对外开放", "开放"), "open up": ("对外开放", "开放"), "open wider": ("对外开放", "开放"),
    "outside world": ("对外开放", "开放"), "reform": ("改革",),
    "start a business": ("开办企业", "创业"), "start up a business": ("开办企业", "创业"), "startup": ("创业", "初创"), "finance": ("金融",),
    "financial": ("金融",), "banks": ("银行",), "banking": ("银行",), "desert": ("沙漠", "荒漠"), "ocean": ("海洋",), "marine": ("海洋",), "wage": ("工资",),
    "price": ("价格", "物价"), "catering": ("餐饮",), "aviation": ("航空",), "shipping": ("航运",),
    "robot": ("机器人",), "drone": ("无人机",), "satellite": ("卫星",), "nuclear": ("核电",), "coal": ("煤炭",),
    "oil": ("石油",), "electricity": ("电力", "用电"), "power grid": ("电网",),
    "state owned enterprise": ("国有企业", "国企"), "soe": ("国有企业", "国企"), "law enforcement": ("执法",),
    "enforcement": ("执法",), "administrative": ("行政",), "normative document": ("规范性文件",),
    "legality review": ("合法性审核",), "business environment": ("营商环境",), "infrastructure": ("基础设施",),
    "transport": ("交通",), "urban renewal": ("城市更新",), "elderly care": ("养老服务", "养老"),
    "old age care": ("养老服务", "养老"), "childcare": ("托育",), "air pollution": ("大气污染",),
    "cross-strait": ("两岸", "海峡两岸"), "cross strait": ("两岸", "海峡两岸"), "taiwan compatriot": ("台胞", "台湾同胞"),
    "taiwanese": ("台胞", "台湾", "台企"),
    "water saving": ("节水",), "water conservation": ("节水",), "geological hazard": ("地质灾害",),
    "landslide": ("滑坡", "地质灾害"), "disaster": ("灾害",), "fire and rescue": ("消防救援",), "fire": ("消防",),
    "rescue": ("救援",), "emergency": ("应急",), "vehicle": ("车辆",), "license plate": ("号牌",),
    "number plate": ("号牌",), "gold": ("黄金",), "mining": ("矿",), "coal mine": ("煤矿",), "safety": ("安全",),
    "website": ("网站",), "portal": ("门户网站", "网站"), "laws and regulations": ("法律法规",), "look up": ("查询",),
    "new media": ("新媒体",), "government affairs": ("政务",), "e government": ("政务", "电子政务"),
    "proposal": ("提案", "建议"), "public opinion": ("民意", "社情民意"), "consumer": ("消费",),
    "foreign capital": ("外资",), "foreign funded": ("外资", "外商投资"), "foreign enterprise": ("外资企业", "外企"),
    "ecological": ("生态",), "green": ("绿色",), "low carbon": ("低碳",), "sand": ("沙",), "desertification": ("荒漠化", "治沙"),
    "food security": ("粮食安全",), "cultural": ("文化",), "sports": ("体育",), "events": ("赛事",),
    # Who does what, and how the State Council follows it up.
    "how long": ("时间", "期限"), "deadline": ("期限", "时限"), "time limit": ("时限", "期限"),
    "in charge": ("负责", "主管", "归口管理"), "responsible for": ("负责",), "department": ("部门",),
    "citizen": ("公民",), "make up": ("组成",), "made up of": ("组成",), "composed of": ("组成",), "member": ("成员",),
    "leads": ("牵头",), "lead department": ("牵头",), "lead unit": ("牵头",),
    # The roles of a member list, asked in English ("Who heads the leading group", "the convener").
    "heads": ("组长", "主任"), "convener": ("召集人",), "deputy head": ("副组长",), "office director": ("办公室主任",),
    "secretary-general": ("秘书长",),
    "how often": ("召开", "每年"), "meet": ("召开", "会议"), "meeting": ("会议",), "meetings": ("会议",),
    "inspection": ("督查", "检查"), "incentive": ("激励",), "real results": ("真抓实干", "成效明显"), "reward": ("奖励", "激励"), "commend": ("表扬", "通报表扬"),
    "best practice": ("典型经验", "典型做法"), "master plan": ("总体规划",), "new area": ("新区",),
})

# The indicators, sectors and programmes that government work reports, plans and State Council notices
# report on, in their standard Chinese statistical and policy terms (general usage of Chinese official
# statistics and policy writing, not drawn from any indexed document).
TERMS.update({
    # Indicators.
    "poverty rate": ("贫困发生率",), "poverty headcount": ("贫困发生率", "贫困人口"), "incidence of poverty": ("贫困发生率",),
    "poor population": ("贫困人口",), "impoverished": ("贫困",), "poor": ("贫困",), "poverty": ("贫困", "减贫", "扶贫"),
    "mechanization": ("机械化",), "mechanisation": ("机械化",), "urbanization rate": ("城镇化率",),
    "urbanisation rate": ("城镇化率",), "coverage": ("覆盖率", "覆盖"), "forest cover": ("森林覆盖率",),
    "life expectancy": ("人均预期寿命", "预期寿命"), "value added": ("增加值",), "value-added": ("增加值",),
    "added value": ("增加值",), "industrial output": ("工业增加值", "工业总产值"), "surveyed unemployment": ("调查失业率",),
    "fee rate": ("费率",), "premium": ("保费",), "exchange rate": ("汇率",), "foreign exchange": ("外汇",),
    "reserves": ("储备",), "surplus": ("顺差", "盈余"), "rmb": ("人民币",), "renminbi": ("人民币",),
    "social financing": ("社会融资规模",), "non-performing": ("不良贷款",), "throughput": ("吞吐量",),
    "mileage": ("里程",), "passenger": ("旅客", "客运"), "freight": ("货运", "货物"), "cargo": ("货物", "货运"),
    "tourist": ("游客",), "visitor": ("游客",), "sojourn": ("旅居",), "long-stay": ("旅居",), "long stay": ("旅居",), "hospital bed": ("床位",), "beds": ("床位",),
    "enrollment": ("招生", "入学"), "enrolment": ("招生", "入学"), "dropout": ("辍学",),
    "good air": ("空气质量优良", "优良天数"), "sulfur dioxide": ("二氧化硫",), "nitrogen oxide": ("氮氧化物",),
    "chemical oxygen demand": ("化学需氧量",), "wastewater": ("污水", "废水"), "sewage": ("污水",),
    "garbage": ("垃圾",), "waste sorting": ("垃圾分类",), "solid waste": ("固体废物",),
    # Sectors and technologies.
    "autonomous driving": ("自动驾驶", "无人驾驶"), "self-driving": ("自动驾驶", "无人驾驶"), "driverless": ("无人驾驶", "自动驾驶"),
    "intelligent connected vehicle": ("智能网联汽车",), "connected vehicle": ("智能网联汽车", "车联网"),
    "semiconductor": ("集成电路", "芯片", "半导体"), "integrated circuit": ("集成电路",), "chip": ("芯片", "集成电路"),
    "biomedicine": ("生物医药",), "biopharmaceutical": ("生物医药",), "new material": ("新材料",),
    "low-altitude": ("低空经济", "低空"), "low altitude": ("低空经济", "低空"), "hydrogen": ("氢能",), "quantum": ("量子",),
    "big data": ("大数据",), "cloud computing": ("云计算",), "industrial internet": ("工业互联网",),
    "internet plus": ("互联网+",), "e-commerce": ("电子商务", "电商"), "e commerce": ("电子商务", "电商"),
    "cross-border e-commerce": ("跨境电商", "跨境电子商务"), "cold chain": ("冷链",), "overseas warehouse": ("海外仓",),
    "china-europe railway express": ("中欧班列",), "china railway express": ("中欧班列",), "freight train": ("班列",),
    "renewable energy": ("可再生能源",), "clean energy": ("清洁能源",), "wind power": ("风电",), "solar": ("光伏", "太阳能"),
    "photovoltaic": ("光伏",), "nuclear power": ("核电",), "natural gas": ("天然气",),
    "steel": ("钢铁",), "shipbuilding": ("船舶",), "automobile": ("汽车",), "automotive": ("汽车",),
    "real estate": ("房地产",), "property market": ("房地产",), "affordable housing": ("保障性住房", "保障房"),
    "public rental housing": ("公共租赁住房", "公租房"), "shantytown": ("棚户区",), "shanty town": ("棚户区",),
    "old residential": ("老旧小区",), "rental": ("租赁",), "insurance": ("保险",), "listed compan": ("上市公司",),
    "stock market": ("股市", "资本市场"), "capital market": ("资本市场",), "high-tech": ("高新技术",),
    "high tech": ("高新技术",), "invention patent": ("发明专利",), "laboratory": ("实验室",), "academician": ("院士",),
    "development zone": ("开发区",), "high-tech zone": ("高新区",), "economic and technological development": ("经济技术开发区",),
    "demonstration zone": ("示范区",), "pilot zone": ("试验区", "试点"), "new district": ("新区",),
    "seed": ("种业", "种子"), "livestock": ("畜牧",), "hog": ("生猪",), "pig": ("生猪",), "pork": ("猪肉",),
    "fisher": ("渔业",), "forestry": ("林业",), "grassland": ("草原",), "wetland": ("湿地",), "national park": ("国家公园",),
    "biodiversity": ("生物多样性",), "carbon peak": ("碳达峰",), "peak carbon": ("碳达峰",),
    "carbon neutral": ("碳中和",), "irrigation": ("灌溉",), "reservoir": ("水库",), "flood": ("防汛", "洪"),
    "drought": ("抗旱", "干旱"), "water resource": ("水资源",), "river chief": ("河长",),
    "cultivated land": ("耕地",), "arable land": ("耕地",), "high-standard farmland": ("高标准农田",), "crop": ("农作物", "作物"),
    "ploughing": ("耕", "机耕"), "plowing": ("耕", "机耕"), "sowing": ("播种", "机播"), "planting": ("种植", "播种"),
    # Public services and society.
    "kindergarten": ("幼儿园",), "preschool": ("学前教育",), "pre-school": ("学前教育",), "compulsory education": ("义务教育",),
    "high school": ("高中",), "doctor": ("医生", "医师"), "vaccine": ("疫苗",), "vaccination": ("疫苗", "接种"),
    "basic pension": ("基本养老金",), "subsistence allowance": ("低保", "最低生活保障"), "minimum living": ("低保", "最低生活保障"),
    "disabled": ("残疾人",), "disability": ("残疾",), "veteran": ("退役军人",), "ethnic minorit": ("少数民族",),
    "religio": ("宗教",), "food safety": ("食品安全",), "work safety": ("安全生产",), "production safety": ("安全生产",),
    "migrant worker": ("农民工",), "wage arrears": ("拖欠", "欠薪"), "unpaid wages": ("拖欠", "欠薪"),
    "household registration": ("户籍", "户口"), "hukou": ("户籍", "户口"), "resident": ("居民",),
    "broadband": ("宽带",), "5g": ("5G",), "base station": ("基站",), "subway": ("地铁", "轨道交通"), "metro line": ("地铁", "轨道交通"),
    "water supply": ("供水",), "heating": ("供暖",), "toilet": ("厕所",),
    # Government work.
    "government services": ("政务服务",), "examination and approval": ("审批",), "administrative approval": ("行政审批", "审批"),
    "rule of law": ("法治",), "hearing": ("听证",), "public comment": ("征求意见",), "supervision": ("监督", "监管"),
    "audit": ("审计",), "statistic": ("统计",), "census": ("普查",), "entrepreneur": ("创业",), "startup": ("创业",),
    "start-up": ("创业",), "market entit": ("经营主体", "市场主体"), "private enterprise": ("民营企业",),
    "state-owned asset": ("国有资产",), "state owned asset": ("国有资产",), "reduction of taxes": ("减税",),
    "ultra-long": ("超长期特别国债",), "local government debt": ("地方政府债务",), "hidden debt": ("隐性债务",),
    "volume-based": ("带量采购", "带量"), "prepay": ("预付",), "advance payment": ("预付",), "usage": ("用量", "使用量"),
    "medical insurance fund": ("医保基金",), "insurance fund": ("基金",),
    "inspection zone": ("查验区",), "inspection area": ("查验区",), "port area": ("口岸区", "口岸"),
    "customs clearance": ("通关",), "land use": ("土地使用", "用地"), "land-use": ("土地使用", "用地"),
    "lease": ("租赁",), "land area": ("用地面积", "面积"),
    # British spellings and everyday words of specifications.
    "licence plate": ("号牌",), "licence": ("许可证", "执照"), "dimension": ("尺寸", "规格"), "motorcycle": ("摩托车",),
})

# The State Council's ministries, commissions and agencies, with the names the documents use (full and short).
BODIES: dict[str, tuple[str, ...]] = {
    "ministry of foreign affairs": ("外交部",), "ministry of national defense": ("国防部",),
    "national development and reform commission": ("国家发展改革委", "发展改革委", "国家发展和改革委员会"),
    "ndrc": ("国家发展改革委", "发展改革委"), "ministry of education": ("教育部",),
    "ministry of science and technology": ("科技部", "科学技术部"),
    "ministry of industry and information technology": ("工业和信息化部", "工信部"), "miit": ("工业和信息化部", "工信部"),
    "ethnic affairs commission": ("国家民委", "民族事务委员会"), "ministry of public security": ("公安部",),
    "ministry of state security": ("国家安全部",), "ministry of civil affairs": ("民政部",), "ministry of justice": ("司法部",),
    "ministry of finance": ("财政部",),
    "ministry of human resources and social security": ("人力资源社会保障部", "人力资源和社会保障部", "人社部"),
    "ministry of natural resources": ("自然资源部",), "ministry of land and resources": ("国土资源部",),
    "ministry of ecology and environment": ("生态环境部",), "ministry of environmental protection": ("环境保护部", "环保部"),
    "ministry of housing and urban rural development": ("住房城乡建设部", "住房和城乡建设部"),
    "ministry of construction": ("建设部",), "ministry of transport": ("交通运输部",), "ministry of communications": ("交通部",),
    "ministry of railways": ("铁道部",), "ministry of water resources": ("水利部",),
    "ministry of agriculture and rural affairs": ("农业农村部",), "ministry of agriculture": ("农业部", "农业农村部"),
    "ministry of commerce": ("商务部",), "mofcom": ("商务部",), "ministry of culture and tourism": ("文化和旅游部",),
    "ministry of culture": ("文化部", "文化和旅游部"), "national health commission": ("国家卫生健康委", "卫生健康委"),
    "ministry of health": ("卫生部",), "ministry of veterans affairs": ("退役军人事务部",),
    "ministry of emergency management": ("应急管理部", "应急部"), "people's bank of china": ("人民银行", "中国人民银行"),
    "pboc": ("人民银行",), "national audit office": ("审计署",), "general administration of customs": ("海关总署",),
    "state taxation administration": ("税务总局",), "state administration of taxation": ("税务总局",),
    "administration for market regulation": ("市场监管总局",), "national bureau of statistics": ("国家统计局", "统计局"),
    "civil aviation administration": ("民航局", "民航总局"), "caac": ("民航局", "民航总局"),
    "seismological bureau": ("地震局",), "earthquake administration": ("地震局",),
    "general administration of sport": ("体育总局",), "state council information office": ("国务院新闻办", "新闻办"),
    "medical products administration": ("药监局",), "healthcare security administration": ("医保局",),
    "assets supervision and administration commission": ("国资委",), "sasac": ("国资委",),
    "production and construction corps": ("生产建设兵团", "兵团"), "xpcc": ("生产建设兵团", "兵团"),
}
# …and by its minister's title ("vice minister of Industry and Information Technology").
BODIES.update({"minister of " + k.removeprefix("ministry of "): v for k, v in list(BODIES.items()) if k.startswith("ministry of ")})
TERMS.update(BODIES)
# The posts and bodies a notice on a committee or leading group lists.
TERMS.update({
    "general office": ("办公厅",), "vice minister": ("副部长",), "minister": ("部长",), "vice premier": ("副总理",),
    "state councilor": ("国务委员",), "secretary general": ("秘书长",), "deputy director": ("副主任", "副局长"),
    "director": ("主任", "局长"), "chairman": ("主任", "主席"), "convener": ("召集人",), "committee": ("委员会",),
    "commission": ("委员会",), "textbook": ("教材",), "leading group": ("领导小组",),
    # The meetings and working arrangements of the State Council and its departments.
    "plenary meeting": ("全体会议",), "plenary session": ("全体会议",), "executive meeting": ("常务会议",),
    "joint conference": ("联席会议",), "joint meeting": ("联席会议",), "inter-ministerial": ("部际",),
    "working rules": ("工作规则",), "rules of procedure": ("工作规则", "议事规则"),
    "performance appraisal": ("绩效考核",), "performance assessment": ("绩效考核", "绩效评价"),
    "performance evaluation": ("绩效评价", "绩效考核"), "warning": ("警告",), "acceptance": ("验收",),
    "geological exploration": ("地质勘探", "地质勘查", "地勘"), "geological survey": ("地质调查", "地质勘查"),
})

# "the 13th Five-Year Plan" names a period the documents call 十三五.
_PLAN_PERIOD_RE = re.compile(r"\b(13th|thirteenth|14th|fourteenth|15th|fifteenth)\s+five[- ]year", re.I)
_PERIODS = {"13th": "十三五", "thirteenth": "十三五", "14th": "十四五", "fourteenth": "十四五", "15th": "十五五", "fifteenth": "十五五"}


_COMPILED: dict[tuple[int, bool], list[tuple[re.Pattern, str, tuple[str, ...]]]] = {}


# Keys that are acronyms: whole words (a plural allowed: "SMEs"), never the opening of another word ("bri" is no
# stem of "bridgehead", "bring" or "brief").
_ACRONYMS = frozenset(
    "apec asean bri caac cpi fdi focac ftz gdp hktdc miit ndrc pboc rcep rmb sasac sme soe tcm vat xpcc m2 5g".split()
)


def _patterns(table: dict[str, tuple[str, ...]], whole_words: bool) -> list[tuple[re.Pattern, str, tuple[str, ...]]]:
    """Each entry of ``table`` as a compiled pattern, once per table (hundreds of patterns would
    overflow ``re``'s cache and be compiled again on every question)."""
    key = (id(table), whole_words)
    if key not in _COMPILED:
        # Whole words, allowing adjective and plural endings (Brazil → Brazilian, Kenya → Kenyans).
        ending = r"(?:n|ns|an|ans|ian|ians|ese|ish|i|s)?(?![a-z])" if whole_words else ""
        _COMPILED[key] = [
            (re.compile(r"(?<![a-z])" + re.escape(english.strip().replace("-", " "))
                        + (r"s?(?![a-z0-9])" if english.strip() in _ACRONYMS else ending)), english.strip().replace("-", " "), chinese)
            for english, chinese in table.items()
        ]
    return _COMPILED[key]


def _find(table: dict[str, tuple[str, ...]], text: str, whole_words: bool) -> list[tuple[str, tuple[str, ...]]]:
    """Entries of ``table`` named in ``text``; topic keys may be word stems ("sister cit").

    A key found only inside a longer key's words, in another sense, is not named on its own: "State Council"
    names 国务院, not a 州 ("state"). In the same sense it is: "grain output" (粮食产量) names 粮食 too."""
    # Hyphens and spaces are one thing ("sister-city" = "sister city"); British spellings are American
    # ("centralised" = "centralized", "organisation" = "organization").
    low = " " + re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")) + " "
    low = re.sub(r"(?<=[a-z]{4})is(ation|ations|ed|ing)(?![a-z])", r"iz\1", low)
    found = [(key, chinese, [m.span() for m in pattern.finditer(low)]) for pattern, key, chinese in _patterns(table, whole_words)]
    found = [f for f in found if f[2]]

    def other_sense(span: tuple[int, int], chinese: tuple[str, ...]) -> bool:
        return any(
            o != span and o[0] <= span[0] and span[1] <= o[1] and not any(c in w for c in chinese for w in wider)
            for _, wider, spans in found for o in spans
        )

    return [(key, chinese) for key, chinese, spans in found if not all(other_sense(s, chinese) for s in spans)]


def bodies_named(question: str) -> tuple[tuple[str, ...], ...]:
    """The ministries, commissions and agencies a question names, each as the Chinese names the documents use
    ("Ministry of Industry and Information Technology", "工信部": 工业和信息化部, 工信部). A Chinese question names
    one by any of them, the longest found ("交通运输部" is not 交通部)."""
    if re.search(r"[\u4e00-\u9fff]", question):
        squashed = re.sub(r"\s+", "", question)
        # Not a word it is part of: "卫生部门" (health authorities) names no 卫生部.
        found = [g for g in dict.fromkeys(BODIES.values()) if any(re.search(re.escape(n) + "(?!门)", squashed) for n in g)]
        # A name inside a longer one found is that one's ("交通部" in "交通运输部"? no: "人民银行" in "中国人民银行").
        return tuple(g for g in found if not any(
            o is not g and any(n in m and n != m for n in g if n in squashed for m in o if m in squashed) for o in found
        ))
    return tuple(dict.fromkeys(chinese for _, chinese in _find(BODIES, question, whole_words=False)))


@lru_cache(maxsize=1)
def _chinese_places_en() -> re.Pattern:
    """The English names of China's provinces and cities, one pattern (longest first)."""
    from rag.places import english_names

    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(n) for n, _ in english_names()) + r")(?![a-z])")


def _without_chinese_places(text: str) -> str:
    """``text`` (lower-cased) with the English names of China's provinces and cities blanked out: "Inner Mongolia"
    names 内蒙古, not the country Mongolia."""
    return _chinese_places_en().sub(" ", text.lower())


def english_entities(question: str) -> list[tuple[str, tuple[str, ...]]]:
    """Countries an English question names, each with its Chinese names (not one inside a Chinese place's name)."""
    hits = _find(COUNTRIES, _without_chinese_places(question), whole_words=True)
    # "South Korea" also matches "korea"; keep the longer names only.
    names = [e for e, _ in hits]
    return [(e, c) for e, c in hits if not any(e != o and e in o for o in names)]


def plan_periods(question: str) -> list[str]:
    """The five-year plan periods a question names, in Chinese ("13th Five-Year Plan" → 十三五)."""
    named = re.findall(r"十[一二三四五六]五", question) + [_PERIODS[m.group(1).lower()] for m in _PLAN_PERIOD_RE.finditer(question)]
    return list(dict.fromkeys(named))


_COUNT_WORDS = {"two": "两", "three": "三", "four": "四", "five": "五", "six": "六", "seven": "七", "eight": "八",
                "nine": "九", "ten": "十"}
# "the six … campaigns", "which ten … projects": a count right after "the", "which", "what" (or an opening quote),
# then up to three words and a plural noun, not a span of time ("the five years").
_COUNTED_LIST_RE = re.compile(
    r"(?:\b(?:the|which|what)\s+|['‘\"“])(two|three|four|five|six|seven|eight|nine|ten)\s+(?:[a-z-]+\s+){0,3}"
    r"(?!(?:years|months|weeks|days|hours|times|percent)\b)[a-z-]{3,}s\b", re.I)


def counted_lists(question: str) -> list[str]:
    """How the documents would name a list an English question names by its count: "the six urban-construction
    campaigns" → 六大 (城建“六大攻坚行动”), "the 'ten key livelihood projects'" → 十大 (“十大重点民生实事”). A search
    term only: "the four major gas explosions" names no list the documents call 四大."""
    return list(dict.fromkeys(_COUNT_WORDS[m.group(1).lower()] + "大" for m in _COUNTED_LIST_RE.finditer(question)))


def term_groups(question: str) -> list[tuple[str, ...]]:
    """The Chinese terms an English question names, one tuple per thing named (see :func:`_term_groups`)."""
    return list(_term_groups(question))


@lru_cache(maxsize=2048)
def _term_groups(question: str) -> tuple[tuple[str, ...], ...]:
    """The Chinese terms an English question names, one tuple per thing named.

    "supply chain" → (产业链, 供应链): two spellings of one thing, so a passage
    saying 供应链 adds nothing to an answer that already says 产业链.
    """
    groups: list[tuple[str, ...]] = [(_PERIODS[m.group(1).lower()],) for m in _PLAN_PERIOD_RE.finditer(question)]
    if not groups and re.search(r"five[- ]year(?![- ]?s\b)", question, re.I):
        groups.append(("十四五",))  # "the Five-Year Plan" unqualified: the current one
    groups += [chinese for _, chinese in _find(COUNTRIES, _without_chinese_places(question), True) + _find(TERMS, question, False)]
    # China's cities an English question names are search terms ("Changsha airport" → 长沙); its provinces
    # are not: the question's Query scopes it to their documents (rag.scope), and within one province's
    # documents the province's name is everywhere.
    from rag.places import find_places_en

    groups += [(p.name,) for p in find_places_en(question) if p.level == "city"]
    # Chinese the question itself quotes ("the 'three systems' (三项制度)") is the documents' own term.
    groups += [(run,) for run in re.findall(r"[\u4e00-\u9fff]{2,}", question)]
    # Names the glossary cannot know, written in pinyin ("Xiong'an", "Boao"): the documents' words that read so.
    from rag.romanised import name_groups

    groups += name_groups(question, _known_word)
    return tuple(dict.fromkeys(groups))


def _known_word(word: str) -> bool:
    """The glossary reads ``word`` alone (a country, a topic word, one of China's places)."""
    from rag.places import find_places_en

    return bool(_find(COUNTRIES, word, True) or _find(TERMS, word, False) or find_places_en(word))


def forget_cached_terms() -> None:
    """Drop the terms worked out for earlier questions (the documents' names changed: rag.romanised)."""
    _term_groups.cache_clear()


def chinese_terms(question: str) -> list[str]:
    """Chinese terms for the countries and topics an English question names (for BM25)."""
    return list(dict.fromkeys(t for group in term_groups(question) for t in group))


# Everyday words for what laws and notices say in their own register ("私自接活儿" is "擅自开展业务",
# "会怎么罚" asks for a 处罚 or 罚款). General Chinese legal and administrative usage, for BM25 only.
COLLOQUIAL_ZH: dict[str, tuple[str, ...]] = {
    "私自": ("擅自",), "偷偷": ("擅自",), "自己偷偷": ("擅自",),
    "怎么罚": ("处罚", "罚款"), "会被罚": ("处罚", "罚款"), "罚多少": ("罚款",), "受罚": ("处罚",), "挨罚": ("处罚",),
    "没拿": ("未取得",), "没有拿到": ("未取得",), "没办": ("未办理",), "没有取得": ("未取得",),
    "活儿": ("业务",), "生意": ("业务", "经营"),
    "开公司": ("设立", "企业"), "办公司": ("设立", "企业"), "开厂": ("设立", "企业"),
    "不交": ("未缴纳",), "少交": ("减免",), "交税": ("纳税",), "免税": ("免征",), "退税": ("退还", "退税"),
    "坐牢": ("刑事责任",), "吊销执照": ("吊销", "许可证"), "赔多少": ("赔偿",), "退钱": ("退还",),
    "找谁": ("负责", "主管部门"), "归谁管": ("主管部门", "负责"),
}


# Everyday names of the indicators that reports state in their own terms ("经济增长目标" is the target for
# 国内/地区生产总值增长). General usage of Chinese economic reporting.
INDICATOR_NAMES_ZH: dict[str, str] = {
    "经济增长": "生产总值增长", "经济增速": "生产总值增速", "GDP增速": "生产总值增速", "GDP增长": "生产总值增长",
    "物价涨幅": "居民消费价格涨幅", "物价": "居民消费价格", "通胀": "居民消费价格", "新增就业": "城镇新增就业",
}


# Other names the reports give an indicator's level: a province's 经济总量 is its 地区生产总值.
INDICATOR_SPELLINGS_ZH: dict[str, tuple[str, ...]] = {
    "生产总值": ("经济总量",), "地区生产总值": ("经济总量",), "国内生产总值": ("经济总量",),
    "经济总量": ("生产总值",),
}


def indicator_names(question: str) -> str:
    """``question`` with everyday indicator names replaced by the reports' terms (:data:`INDICATOR_NAMES_ZH`)."""
    for word in sorted(INDICATOR_NAMES_ZH, key=len, reverse=True):
        if word in question and INDICATOR_NAMES_ZH[word] not in question:
            question = question.replace(word, INDICATOR_NAMES_ZH[word])
    return question


def indicator_terms(question: str) -> list[str]:
    """The reports' terms for the indicators a Chinese question names in everyday words or letters ("经济增速" →
    生产总值增长; "经济总量", "GDP" → 生产总值): what a keyword search must also look for."""
    terms = [INDICATOR_NAMES_ZH[w] for w in sorted(INDICATOR_NAMES_ZH, key=len, reverse=True) if w in question]
    terms += [name for name, others in INDICATOR_SPELLINGS_ZH.items() if name == "生产总值" and any(o in question for o in others)]
    if re.search(r"(?<![A-Za-z])GDP(?![A-Za-z])", question, re.I):
        terms.append("生产总值")
    # A rate the reports state by its growth: "生产总值增速" is said "生产总值…增长5%".
    terms += [t.replace("增速", "增长") for t in terms if t.endswith("增速")]
    return list(dict.fromkeys(terms))


def formal_terms(question: str) -> list[str]:
    """The formal terms for the everyday words of a Chinese question (see :data:`COLLOQUIAL_ZH`)."""
    return list(dict.fromkeys(t for word, terms in COLLOQUIAL_ZH.items() if word in question for t in terms))
