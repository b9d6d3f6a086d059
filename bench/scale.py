"""Scale benchmark: the product over 1k, 10k and 100k passages (real documents + synthetic filler).

    python bench/scale.py prepare            # make the filler documents and cache their vectors (resumable)
    python bench/scale.py run [--plan …]     # ingest + query each size:mode, in fresh processes
    python bench/scale.py requery --plan …   # ask again against indexes kept by run --keep-index (newer code)
    python bench/scale.py report             # bench/scale.png and the markdown table
    python bench/scale.py all                # prepare, run, report
    (prepare, run and requery take --filler lookalike|subjects; see "Two fillers" below)

What is measured, per size: ingest throughput (passages/s) through the product's
own ``Index.ingest``, index size on disk, query latency p50/p95 by stage over the
bundled questions, peak memory (RSS) of the ingest and of the serving process,
and Recall@5 / MRR@10 (plus the other answer figures) of ``ours`` on the
bundled questions, which must hold up as distractors grow.

**The filler.** Synthetic documents in the register of the bundled plan:
chapters (第X章), sections (第X节) and boxes (专栏N) whose headings are spliced
from the real headings' verbs and objects, paragraphs of sentences that each join
2–4 *clauses* drawn at random from different sentences of the real corpus, with
every number redrawn (same number of digits; years 2016–2035) and every place
name the corpus mentions (jieba's ``ns`` tag, less the common words it mislabels,
:data:`NOT_PLACES`) swapped for a random province, city or country. A
sentence or heading that shares 12 or more consecutive characters with any gold
quote of the evaluation set, once every place name and number on both sides is
masked, is thrown away, so filler never repeats an answer with only its place or
figure changed ("打造成河北面向加纳乃至济南的历史之窗" is a second answer to a
question about the 蒙达尔纪 memorial's "windows", not a distractor); filler
documents also have their own ids, so a filler passage can never count as
relevant. Sentences come from a pool (:data:`SENTENCE_POOL`) that paragraphs
draw from with replacement: at 100k passages a filler sentence recurs ~15–20 times,
like boilerplate does in real collections. Titles say "合成文本".

**Two fillers** (``--filler``). ``lookalike`` (above, the default) is what other
provinces' foreign-affairs plans would be: the corpus's own topics and phrasing,
other places and numbers. ``subjects`` (:class:`SubjectFillerMaker`) is what the
province's *other* plans would be: the same clause salads and headings with their
subject matter — nouns, names, abbreviations and the corpus's foreign-affairs
verbs — swapped for one of twelve other departments' terms (agriculture, schools,
health, transport, …; :data:`SUBJECTS`), one subject per document, Chinese places
only. The register (坚持…, 推进…高质量发展, 健全…机制, 第X章, 专栏N) stays. A
deployment that indexes one province's policy documents meets the second; one that
mixes many provinces' plans on the same subject meets the first.

**The vectors** (modes of ``--plan``). The real model embeds ~6–10 passages/s
on this 2-core machine, so the product's full ingest of 100k passages (and their
~600k answer sentences) takes hours. ``full``: the product's ``Index.ingest``
with the real model on every text (the real ingest throughput; run at 1k).
``realcache``: the same vectors again from the cache (re-measures queries with
newer code). ``trunc64``: filler passages without a real vector are embedded
once by the real model cut to 64 tokens (:func:`embed_truncated`, cached,
resumable). ``derived``: a filler passage vector is the length-weighted mean of
its sentences' vectors (:func:`proxy_vector`) — cheap, but measured to be far too
strong a distractor (:func:`measure_fidelity`; bench/RESULTS.md), so not a
quality figure. Filler *sentences* always come from one cache of the real model
at full length. With vectors from a cache, ingest throughput is the product's
ingest without embedding, reported beside the measured embedding rate.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
# Which filler (``--filler``; workers read it from the environment): ``lookalike`` — the corpus's own
# clauses with other places and numbers, like other provinces' foreign-affairs plans; ``subjects`` — the
# same sentences with their subject matter swapped for another department's (a province's other plans).
FILLER_KIND = os.environ.get("SCALE_FILLER", "lookalike")
FILLER_KINDS = ("lookalike", "subjects")
SUFFIX = "" if FILLER_KIND == "lookalike" else f"-{FILLER_KIND}"
FILLER_DIR = CACHE / f"filler{SUFFIX}"
RESULTS = BENCH / "scale_results.json"
PLOT = BENCH / "scale.png"
DATASET = ROOT / "eval" / "questions.jsonl"
CORPUS = ROOT / "corpus"

SEED = 20250301
SENTENCE_POOL = 30_000
HEADING_POOL = 1_000
MAX_SIZE = 100_000
SIZES = [1_000, 10_000, 100_000]
DEFAULT_PLAN = "0:real,1000:full,1000:derived,10000:trunc64,10000:derived,100000:derived"
TRUNC_TOKENS = 64
# A filler sentence or heading sharing this many consecutive characters with a gold quote — after every
# place name and number on both sides is masked — repeats an answer and is not used.
GOLD_COPY_CHARS = 12
GOLD_FILTER = "places-and-numbers-masked, not-places kept"
STAGES = ["embed", "keyword", "vector", "fusion", "answer"]

# Places a filler sentence may name instead of the corpus's own.
EXTRA_PLACES = """江西 湖北 广东 广西 贵州 四川 云南 浙江 福建 江苏 安徽 河南 河北 山东 山西 陕西 甘肃 辽宁 吉林 黑龙江 海南 重庆 天津
内蒙古 宁夏 青海 新疆 西藏 南昌 武汉 广州 南宁 贵阳 成都 昆明 杭州 福州 南京 合肥 郑州 济南 西安 兰州 沈阳 长春 哈尔滨 海口
越南 老挝 柬埔寨 泰国 缅甸 马来西亚 印度尼西亚 菲律宾 新加坡 日本 韩国 蒙古 俄罗斯 哈萨克斯坦 乌兹别克斯坦 巴基斯坦 印度 斯里兰卡
孟加拉国 尼泊尔 土耳其 伊朗 沙特阿拉伯 阿联酋 埃及 埃塞俄比亚 肯尼亚 坦桑尼亚 南非 尼日利亚 加纳 塞内加尔 摩洛哥 阿尔及利亚 安哥拉
赞比亚 津巴布韦 莫桑比克 马达加斯加 巴西 阿根廷 智利 秘鲁 墨西哥 古巴 美国 加拿大 英国 法国 德国 意大利 西班牙 葡萄牙 荷兰 比利时
瑞士 奥地利 波兰 捷克 匈牙利 塞尔维亚 希腊 芬兰 瑞典 挪威 丹麦 爱尔兰 澳大利亚 新西兰 斐济""".split()
# Words jieba tags as place names (ns) in the corpus that are not places: kept as they are in the filler
# (a filler that swapped 友城, 城市 or 海关 for a country would not read like the corpus).
NOT_PLACES = set("""三中 四中 三国 五国 上市 入口 入口关 兴湘 共和国 加大力度 十强县 百强县 友城 城市 外国 多角度 大国 大洲
四大洲 五大洲 大湾 广大干部 归国 惠港 惠澳 新区 智联 治港 海关 深度 港澳同胞 四海 山水 重卡 马克思列宁主义 东道国
内陆地区 两州 北道 越国 哈马 德岛""".split())
DOC_KINDS = ["外事工作“十四五”发展规划", "对外开放工作要点", "国际交流合作年度报告", "外事港澳工作回顾", "友好城市建设实施方案",
             "涉外服务工作指引", "对外合作专项行动计划"]
VERBS = ["推进", "深化", "拓展", "加强", "构建", "打造", "提升", "完善", "健全", "服务", "促进", "优化", "扩大", "积极参与"]
CN_NUM = "一二三四五六七八九十"


# ------------------------------------------------------------------ small helpers


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


from bench_pipeline import peak_rss_mb, rss_mb  # noqa: E402  (bench/ is the script's folder)
from rag.engine.base import Embedder  # noqa: E402  (the declared interface CachedEmbedder implements)


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20


def percentile(xs: list[float], q: float) -> float | None:
    s = sorted(xs)
    return round(s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))], 2) if s else None


def settings_for(index_dir: Path, corpus_dir: Path):
    from rag.settings import Settings

    return Settings(index_dir=index_dir, corpus_dir=corpus_dir, llm_base_url=None, llm_model=None, chroma_host=None)


# ------------------------------------------------------------------ the filler


class FillerMaker:
    """Synthetic documents in the corpus's register (see the module doc)."""

    def __init__(self, seed: int = SEED) -> None:
        import jieba.posseg as pseg

        from rag.cleaning import clean_document
        from rag.evaluation import load_dataset, norm
        from rag.headings import classify_heading
        from rag.loaders import load_document
        from rag.passages import split_sentences

        self.rng = random.Random(seed)
        texts, headings = [], []
        for path in sorted(CORPUS.glob("*.txt")):
            doc = clean_document(load_document(path))
            for p in doc.paragraphs:
                h = classify_heading(p.text)
                if h is not None:
                    tail = re.sub(r"^(第[一二三四五六七八九十\d]+[章节]|专栏\s*[\d—\-]+)\s*", "", h.label_text).strip()
                    if 4 <= len(tail) <= 24:
                        headings.append(tail)
                else:
                    texts.append(p.text)
        corpus = "\n".join(texts)
        places = {w for w, flag in pseg.cut(corpus) if flag == "ns" and len(w) >= 2} - NOT_PLACES
        self.places = sorted(places | set(EXTRA_PLACES))
        self._place_re = re.compile("|".join(sorted(map(re.escape, places), key=len, reverse=True))) if places else None
        clauses = []
        for t in texts:
            for s in split_sentences(t):
                for c in re.split(r"[,，、:：]", s.rstrip("。！？；!?;")):
                    c = c.strip(" “”\"")
                    if 4 <= len(c) <= 40 and re.search(r"[\u4e00-\u9fff]", c) and not re.match(r"^\d{1,2}[.．、]", c):
                        clauses.append(c)
        self.clauses = clauses
        self.headings = sorted(set(headings))
        # Every place name either side may use is masked with the numbers, so "建设湖南与友好省州北卡罗来纳州的…"
        # and its filler twin "建设肯尼亚与友好省州丹麦的…" compare equal.
        names = sorted(set(places) | set(EXTRA_PLACES), key=len, reverse=True)
        self._any_place_re = re.compile("|".join(map(re.escape, names)))
        grams: set[str] = set()
        for q in load_dataset(DATASET):
            for g in q.gold:
                quote = self._masked(g.get("quote", ""))
                grams.update(quote[i : i + GOLD_COPY_CHARS] for i in range(0, max(0, len(quote) - GOLD_COPY_CHARS + 1)))
        self.gold_grams = grams
        self.rejected = 0
        self.rejected_headings = 0
        self.pool = self._sentence_pool(SENTENCE_POOL)
        self.heading_pool = sorted({self._new_heading() for _ in range(HEADING_POOL)})

    def _numbers(self, text: str, rng: random.Random) -> str:
        def redraw(m: re.Match) -> str:
            s, unit = m.group(1), m.group(2)
            if unit == "月":
                return str(rng.randint(1, 12)) + unit
            if unit == "日":
                return str(rng.randint(1, 28)) + unit
            unit = unit or ""
            if len(s) == 4 and s[:2] in ("19", "20"):
                return str(rng.randint(2016, 2035)) + unit
            if len(s) == 1:
                return str(rng.randint(1, 9)) + unit
            return str(rng.randint(10 ** (len(s) - 1), 10 ** len(s) - 1)) + unit

        return re.sub(r"(\d+)(月|日)?", redraw, text)

    def _swap(self, text: str, rng: random.Random) -> str:
        text = self._numbers(text, rng)
        if self._place_re is not None:
            text = self._place_re.sub(lambda m: rng.choice(EXTRA_PLACES), text)
        return text

    def _masked(self, text: str) -> str:
        from rag.evaluation import norm

        return re.sub(r"\d+", "#", self._any_place_re.sub("@", norm(text)))

    def _copies_gold(self, sentence: str) -> bool:
        """Whether ``sentence`` repeats GOLD_COPY_CHARS characters of a gold quote, places and numbers aside."""
        s = self._masked(sentence)
        n = GOLD_COPY_CHARS
        return any(s[i : i + n] in self.gold_grams for i in range(0, max(0, len(s) - n + 1)))

    def _new_sentence(self, rng: random.Random) -> str:
        k = rng.choice([2, 3, 3, 4])
        return ",".join(self._swap(rng.choice(self.clauses), rng) for _ in range(k)) + "。"

    def _sentence_pool(self, n: int) -> list[str]:
        pool, seen = [], set()
        while len(pool) < n:
            s = self._new_sentence(self.rng)  # drawn in full before the check: a rejection costs no draws
            if s in seen:
                continue
            if self._copies_gold(s):
                self.rejected += 1
                continue
            seen.add(s)
            pool.append(s)
        return pool

    def heading(self) -> str:
        return self.rng.choice(self.heading_pool)

    def _new_heading(self) -> str:
        while True:
            a = self.rng.choice(self.headings)
            b = self.rng.choice(self.headings)
            verb = self.rng.choice(VERBS) if self.rng.random() < 0.6 else a[:2]
            h = self._swap(verb + b[2:], self.rng)[:24]
            if not self._copies_gold(h):  # e.g. a 板块 title of the review with another verb
                return h
            self.rejected_headings += 1

    def paragraph(self) -> str:
        return "".join(self.rng.choice(self.pool) for _ in range(self.rng.randint(1, 4)))

    def document(self, i: int) -> str:
        lines = [f"{self.rng.choice(EXTRA_PLACES)}{self.rng.choice(DOC_KINDS)}（合成文本{i:05d}）", ""]
        box = 0
        for c in range(self.rng.randint(2, 4)):
            lines += [f"第{CN_NUM[c]}章 {self.heading()}", ""]
            for s in range(self.rng.randint(2, 4)):
                lines += [f"第{CN_NUM[s]}节 {self.heading()}", ""]
                for _ in range(self.rng.randint(2, 6)):
                    lines += [self.paragraph(), ""]
                if self.rng.random() < 0.25:
                    box += self.rng.randint(1, 3)
                    lines += [f"专栏{box} {self.heading()}行动", ""]
                    for _ in range(self.rng.randint(1, 2)):
                        lines += [self.paragraph(), ""]
        return "\n".join(lines)


# The subjects of a province's other plans, for the ``subjects`` filler: each a plan title and the terms
# its sentences talk about. None of them is foreign affairs, Hong Kong/Macau or trade with other countries.
SUBJECTS = {
    "农业农村现代化“十四五”规划": """粮食生产 高标准农田 种业 农产品 农田水利 农机装备 农村集体经济 家庭农场 农民合作社 耕地保护 畜牧业 渔业
        农村人居环境 休闲农业 油茶 生猪 稻谷 农业社会化服务 农村宅基地 农药化肥 秸秆 农村电商 农产品加工 农业保险 蔬菜基地
        高素质农民 乡村产业 农村厕所 农技推广 动物防疫 农村改革 水稻 茶叶 柑橘 农业园区 农村土地 农资""",
    "教育事业发展“十四五”规划": """义务教育 学前教育 职业教育 高等教育 教师队伍 课程改革 学位供给 校舍 校园安全 学生资助 产教融合 招生
        中小学 幼儿园 特殊教育 县域高中 教研 教材 作业管理 课后服务 师范生 乡村教师 寄宿制学校 学科 实训基地 教育督导
        体育课 心理健康教育 劳动教育 校长 班主任 毕业生 学分 专业设置 双师型教师 终身学习""",
    "卫生健康事业发展“十四五”规划": """公立医院 基层医疗卫生机构 医保 家庭医生 疾病预防控制 中医药 妇幼保健 健康档案 分级诊疗 卫生应急
        传染病 慢性病 医联体 县级医院 乡镇卫生院 村卫生室 护士 全科医生 住院医师 药品供应 急救 血液 精神卫生 职业病
        健康教育 医疗服务 检验检查 远程医疗 床位 老年医学 儿科 重点专科 爱国卫生 健康县城""",
    "综合交通运输“十四五”发展规划": """高速公路 国省干线 农村公路 铁路 城市轨道交通 港口 航道 机场 综合客运枢纽 货运 物流园区 城市公交
        桥梁 隧道 收费站 养护 路网 客运班线 出租汽车 网约车 交通执法 超限超载 通航 码头 集装箱 多式联运 停车场
        充电桩 站场 运输车辆 驾驶员 公路安全 客流 班车 通用机场""",
    "生态环境保护“十四五”规划": """大气污染防治 水环境 土壤污染 河长制 生态保护红线 碳排放 污水处理 固体废物 环境监测 湿地
        饮用水水源 黑臭水体 重金属 危险废物 排污许可 环境执法 生物多样性 水土流失 噪声 臭氧 细颗粒物 扬尘 入河排污口
        垃圾分类 尾矿库 环境影响评价 自然保护地 绿色低碳 清洁能源 环保督察 生态补偿 排放标准""",
    "住房和城乡建设“十四五”规划": """保障性住房 老旧小区改造 城市更新 海绵城市 燃气管网 物业管理 建筑业 装配式建筑 供水 棚户区
        公租房 住房公积金 房地产市场 建筑工地 工程质量 城市排水 园林绿化 市政道路 地下管廊 历史街区 农村危房 建材
        施工许可 建筑节能 勘察设计 城市管理 背街小巷 电梯加装 人行道 公园 路灯 环卫""",
    "科技创新“十四五”规划": """重点实验室 研发投入 高新技术企业 科技成果转化 创新平台 知识产权 孵化器 技术创新中心 基础研究
        关键核心技术 科研项目 科技型中小企业 新型研发机构 科技金融 技术合同 众创空间 科学普及 科研经费 大科学装置
        工程技术研究中心 专利 院士工作站 科技特派员 揭榜挂帅 创新型县市 科研诚信 实验室 数据中心 算力 人工智能""",
    "应急管理体系建设“十四五”规划": """安全生产 防汛抗旱 森林防火 地质灾害 应急救援队伍 危险化学品 隐患排查 应急物资储备 灾害预警
        消防救援 矿山安全 烟花爆竹 避难场所 应急预案 救灾 山洪 旱情 堤坝 巡查 风险普查 值班值守 应急演练 事故调查
        灾后重建 气象预报 水位 转移安置 救援装备 冰冻灾害 应急广播""",
    "民政事业发展“十四五”规划": """养老服务 社会救助 最低生活保障 儿童福利 残疾人 社区治理 殡葬 婚姻登记 社会组织 养老机构
        特困人员 留守儿童 慈善 志愿服务 区划地名 社区工作者 居家养老 老年食堂 流浪乞讨人员 福利彩票 孤儿 困难群众
        村民委员会 居民委员会 护理员 适老化改造 临时救助 低收入人口 社区服务站 敬老院""",
    "就业和社会保障“十四五”规划": """就业 社会保险 职业技能培训 劳动关系 工资 失业保险 创业担保贷款 人力资源市场 养老保险 工伤保险
        农民工 高校毕业生 零工市场 劳动仲裁 欠薪 技能人才 技工院校 职称评审 公共就业服务 就业见习 灵活就业 社保卡
        人事考试 事业单位 工资指导线 劳务品牌 返乡创业 就业困难人员 技能等级 劳动保障监察""",
    "市场监管“十四五”规划": """食品安全 药品监管 特种设备 计量 标准化 质量认证 价格监督 反垄断 市场主体登记 消费者权益
        网络交易 广告监管 产品质量 抽检 检验检测 商标 农贸市场 校园食堂 医疗器械 化妆品 电梯 气瓶 冷链食品 投诉举报
        信用监管 个体工商户 营业执照 双随机 经营者 计量器具""",
    "水利发展“十四五”规划": """水库 堤防 灌区 水土保持 河湖治理 水资源 山洪灾害 农村供水 水文 泵站 蓄滞洪区 河道采砂 水利工程
        节水 取水许可 地下水 水闸 渠道 病险水库 水源工程 河湖长 岸线 水利设施 防洪能力 小型水库 水生态 用水总量
        水价 灌溉 饮水安全""",
}
# Words that any plan uses, whatever its subject: kept when the subject's terms replace the corpus's.
GENERIC = set("""工作 建设 发展 服务 管理 机制 体系 平台 能力 水平 作用 重点 领域 部门 全省 我省 项目 资源 目标 任务 政府 方面
中心 品牌 工程 行动 培训 研究 宣传 活动 综合 评估 考核 保障 政策 制度 环境 质量 效益 优势 特色 基础 标准 规划 示范 队伍
企业 市场 产业 经济 信息 人才 人员 单位 地方 总体 全面 时代 高质量 现代化 创新 改革 安全 风险 问题 措施 方式 渠道 形式
作风 纪律 党建 党委 省委 政治 思想 理论 习近平 中央 省级 市州 县市区 基层 群众 社会 领导 干部 主体 责任 制度化 规范化
覆盖 成效 成果 经验 格局 局面 态势 短板 瓶颈 要求 原则 意见 方案 计划 办法 数字化 信息化 智能化 一体化 专栏 章 节""".split())
SUBJECT_TAGS = {"n", "nz", "nt", "nr", "nrt", "nrfg", "ns", "j", "eng", "vn", "l", "s", "nw", "nl"}
# The corpus's own activities, whatever jieba tags them, are the subject matter too.
SUBJECT_VERBS = set("""涉外 出访 交往 出国 访问 出去 出海 走出去 引进来 融入 推介 接待 会见 会谈 签约 缔结 结好 互访 来访 来湘
领事 外事 外宣 侨务 港澳 对外 海外 境外 国外 国际 外交 外国 外籍 外资 外贸 外商 入境 出境 签证 护照 通关 口岸""".split())
CHINESE_PLACES = EXTRA_PLACES[: EXTRA_PLACES.index("越南")]
# What is left of foreign affairs once words are swapped: one-character country names after 中/对/赴/驻
# (中俄, 对非, 赴美), and words jieba cuts in ways the tags miss.
FOREIGN_LEFTOVERS = re.compile(r"[中对赴驻访][俄美老日韩非欧德法英澳港意埃巴印越泰缅柬朝蒙加]|驻华|日韩|来湘|在湘|涉外|港澳|澳门|香港|一带一路|外宣|外事|友城|建交")


class SubjectFillerMaker(FillerMaker):
    """The ``subjects`` filler: the same clause salads and headings, about another department's subject.

    Each clause's subject matter — its nouns, names, abbreviations and the corpus's foreign-affairs
    verbs (jieba's tags; :data:`GENERIC` words such as 机制 or 平台 stay) — is swapped for terms of
    one subject of :data:`SUBJECTS`; a document keeps one subject throughout, and places are Chinese
    provinces and cities. What stays is the register: 坚持…, 推进…高质量发展, 健全…机制, 专栏N.
    """

    def __init__(self, seed: int = SEED) -> None:
        import jieba.posseg as pseg

        self._pseg = pseg
        self._cut: dict[str, list[tuple[str, bool]]] = {}
        self.subjects = list(SUBJECTS)
        self.terms = {k: v.split() for k, v in SUBJECTS.items()}
        self._subject = self.subjects[0]
        super().__init__(seed)
        self.heading_pools = {}
        for subject in self.subjects:
            self._subject = subject
            self.heading_pools[subject] = sorted({self._new_heading() for _ in range(HEADING_POOL // len(self.subjects))})

    def _tokens(self, clause: str) -> list[tuple[str, bool]]:
        """``clause`` as (word, is subject matter) pairs, cached (jieba is the slow part)."""
        got = self._cut.get(clause)
        if got is None:
            got = [(w, (f in SUBJECT_TAGS and len(w) >= 2 and w not in GENERIC and not w.isdigit()) or w in SUBJECT_VERBS)
                   for w, f in self._pseg.cut(clause)]
            self._cut[clause] = got
        return got

    def _swap(self, text: str, rng: random.Random) -> str:
        terms = self.terms[self._subject]
        text = "".join(rng.choice(terms) if topical else w for w, topical in self._tokens(text))
        text = FOREIGN_LEFTOVERS.sub(lambda m: rng.choice(terms), text)
        text = self._numbers(text, rng)
        if self._place_re is not None:
            text = self._place_re.sub(lambda m: rng.choice(CHINESE_PLACES), text)
        return text

    def _sentence_pool(self, n: int) -> list[str]:
        pools = []
        for subject in self.subjects:
            self._subject = subject
            pools.append(super()._sentence_pool(n // len(self.subjects)))
        self.pools = dict(zip(self.subjects, pools))
        return [s for p in pools for s in p]

    def heading(self) -> str:
        return self.rng.choice(self.heading_pools[self._subject])

    def paragraph(self) -> str:
        pool = self.pools[self._subject]
        return "".join(self.rng.choice(pool) for _ in range(self.rng.randint(1, 4)))

    def document(self, i: int) -> str:
        self._subject = self.rng.choice(self.subjects)
        text = super().document(i)
        # The title names the document's subject, not a foreign-affairs plan.
        _, rest = text.split("\n", 1)
        return f"{self.rng.choice(CHINESE_PLACES)}{self._subject}（合成文本{i:05d}）\n{rest}"


def real_documents() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file())


def passages_of(path: Path):
    """The passages the product makes of a file (same code path as ingest)."""
    from rag.cleaning import clean_document
    from rag.loaders import load_document
    from rag.passages import build_passages
    from rag.settings import Settings

    s = Settings()
    return build_passages(clean_document(load_document(path)), s.passage_min_chars, s.passage_max_chars)


def make_filler(target_passages: int = MAX_SIZE) -> dict:
    """Write filler documents until real + filler passages reach ``target_passages``; returns the manifest."""
    manifest_path = FILLER_DIR / "manifest.json"
    if manifest_path.is_file():
        m = json.loads(manifest_path.read_text())
        if m.get("target") >= target_passages and m.get("seed") == SEED and m.get("pool") == SENTENCE_POOL \
                and m.get("heading_pool") == HEADING_POOL and m.get("gold_filter") == GOLD_FILTER \
                and m.get("kind", "lookalike") == FILLER_KIND:
            return m
    shutil.rmtree(FILLER_DIR, ignore_errors=True)
    (FILLER_DIR / "docs").mkdir(parents=True)
    real = sum(len(passages_of(p)) for p in real_documents())
    log(f"real corpus: {real} passages; making filler up to {target_passages}")
    maker = SubjectFillerMaker() if FILLER_KIND == "subjects" else FillerMaker()
    docs, total, i = [], real, 0
    while total < target_passages:
        i += 1
        path = FILLER_DIR / "docs" / f"filler-{i:05d}.txt"
        path.write_text(maker.document(i), encoding="utf-8")
        n = len(passages_of(path))
        total += n
        docs.append({"file": path.name, "passages": n, "cumulative": total})
        if i % 500 == 0:
            log(f"  {i} filler documents, {total} passages")
    m = {"kind": FILLER_KIND, "seed": SEED, "pool": SENTENCE_POOL, "heading_pool": HEADING_POOL, "gold_filter": GOLD_FILTER,
         "target": target_passages, "real_passages": real, "documents": docs,
         "clauses": len(maker.clauses), "headings": len(maker.headings), "places": len(maker.places),
         "rejected_sentences": maker.rejected, "rejected_headings": maker.rejected_headings}
    manifest_path.write_text(json.dumps(m, ensure_ascii=False, indent=1))
    log(f"filler: {len(docs)} documents, {total - real} passages; {maker.rejected} pool sentences and "
        f"{maker.rejected_headings} headings rejected as copies of gold quotes")
    return m


def corpus_for(size: int, manifest: dict) -> Path:
    """A folder with the real documents and the filler prefix that makes ``size`` passages (hard links)."""
    folder = CACHE / f"corpus-{size}{SUFFIX}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for p in real_documents():
        os.link(p, folder / p.name)
    if size > 0:
        for d in manifest["documents"]:
            os.link(FILLER_DIR / "docs" / d["file"], folder / d["file"])
            if d["cumulative"] >= size:
                break
    return folder


# ------------------------------------------------------------------ vector cache


class VectorCache:
    """text hash → vector, stored as chunk files under one folder (append-only, resumable)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.index: dict[str, tuple[int, int]] = {}
        self.chunks: list[np.ndarray] = []
        for f in sorted(folder.glob("chunk-*.npz")):
            z = np.load(f)
            c = len(self.chunks)
            self.chunks.append(z["vectors"])
            for row, h in enumerate(z["hashes"]):
                self.index[str(h)] = (c, row)

    def __contains__(self, h: str) -> bool:
        return h in self.index

    def get(self, h: str) -> np.ndarray | None:
        at = self.index.get(h)
        return None if at is None else self.chunks[at[0]][at[1]]

    def add(self, hashes: list[str], vectors: np.ndarray) -> None:
        c = len(self.chunks)
        np.savez(self.folder / f"chunk-{c:05d}.npz", hashes=np.array(hashes), vectors=vectors.astype(np.float32))
        self.chunks.append(vectors.astype(np.float32))
        for row, h in enumerate(hashes):
            self.index[h] = (c, row)


def filler_passages(manifest: dict):
    """Every filler passage, in document order (same code path as ingest)."""
    for d in manifest["documents"]:
        yield from passages_of(FILLER_DIR / "docs" / d["file"])


def proxy_vector(sentences: list[str], vectors: list[np.ndarray]) -> np.ndarray:
    """A passage vector from its sentences' vectors: the length-weighted mean, normalised.

    e5 pools a passage by averaging its tokens, so the average of its sentences'
    vectors weighted by their length approximates it, less the attention across
    sentences (measured against the real thing by :func:`measure_fidelity`).
    """
    w = np.array([max(1, len(x)) for x in sentences], dtype=np.float32)
    v = (np.asarray(vectors, dtype=np.float32) * w[:, None]).sum(axis=0)
    return v / (np.linalg.norm(v) or 1.0)


def embed_filler(manifest: dict, batch: int = 512, derive: bool = True) -> dict:
    """Embed the filler's unique sentences with the real model; derive its passage vectors from them."""
    from rag.engine import get_embedder
    from rag.passages import answer_sentences

    sent_cache = VectorCache(CACHE / "vectors-sentences")
    passages = list(filler_passages(manifest))
    unique: dict[str, None] = {}
    for p in passages:
        for x in answer_sentences(p.text):
            unique.setdefault(x)
    todo = [t for t in unique if sha(t) not in sent_cache]
    log(f"filler: {len(passages)} passages, {len(unique)} unique sentences, {len(todo)} still to embed")
    rate = None
    if todo:
        emb = get_embedder()
        todo.sort(key=len)  # similar lengths batch together (less padding)
        started = time.perf_counter()
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            sent_cache.add([sha(t) for t in part], emb.embed_passages(part))
            done = i + len(part)
            rate = done / (time.perf_counter() - started)
            log(f"  embedded {done}/{len(todo)} sentences ({rate:.0f}/s, ~{(len(todo) - done) / rate / 60:.0f} min left)")
    if not derive:
        return {"filler_passages": len(passages), "unique_sentences": len(unique),
                "sentence_embedding_rate_per_s": None if rate is None else round(rate, 1)}
    proxy_dir = CACHE / "vectors-passages"
    proxy = VectorCache(proxy_dir)
    missing = [p for p in passages if sha(p.embedding_text()) not in proxy]
    for i in range(0, len(missing), 20000):
        part = missing[i : i + 20000]
        vecs = []
        for p in part:
            ss = answer_sentences(p.text)
            vecs.append(proxy_vector(ss, [sent_cache.get(sha(x)) for x in ss]))
        proxy.add([sha(p.embedding_text()) for p in part], np.asarray(vecs))
    log(f"filler passage vectors: {len(passages)} (derived from sentence vectors)")
    return {"filler_passages": len(passages), "unique_sentences": len(unique),
            "sentence_embedding_rate_per_s": None if rate is None else round(rate, 1)}


class CachedEmbedder(Embedder):
    """The product's embedder, with vectors for known texts taken from caches.

    Texts in no cache are embedded by the real model at full length (and kept in
    the ``full`` cache, so the real documents are embedded once across runs).
    """

    def __init__(self, real: Embedder, caches: list[VectorCache], full: VectorCache | None) -> None:
        super().__init__(real.name, real.query_prompt, real.passage_prompt, real.batch_size)
        self.real = real
        self.engine, self.vectors = real.engine, real.vectors
        self.caches = caches
        self.full = full
        self.embed_s = 0.0
        self.hits = 0
        self.misses = 0

    @property
    def dimension(self) -> int:
        """The real model's."""
        return self.real.dimension

    def _encode(self, texts, threads, passages=False):
        return self.real._encode(texts, threads, passages)

    def embed_passages(self, texts, show_progress=None):
        """Cached vectors where a cache has the text, the real model's otherwise."""
        texts = list(texts)
        out = np.zeros((len(texts), self.real.dimension), dtype=np.float32)
        missing = []
        for i, t in enumerate(texts):
            h = sha(t)
            v = next((c.get(h) for c in [*self.caches, *([self.full] if self.full else [])] if h in c), None)
            if v is None:
                missing.append(i)
            else:
                out[i] = v
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            started = time.perf_counter()
            vecs = self.real.embed_passages([texts[i] for i in missing], show_progress=False)
            self.embed_s += time.perf_counter() - started
            out[missing] = vecs
            if self.full is not None:
                self.full.add([sha(texts[i]) for i in missing], vecs)
        return out


def harvest_full(size: int = 1000) -> int:
    """Keep the real model's vectors of the ``full`` run (passages and sentences) in the ``vectors-real`` cache."""
    from rag.store.index import Index

    index_dir = CACHE / f"index-{size}-full{SUFFIX}"
    if not index_dir.is_dir():
        return 0
    idx = Index(settings_for(index_dir, CACHE / f"corpus-{size}{SUFFIX}"))
    manifest = idx.read_manifest()
    cache = VectorCache(CACHE / "vectors-real")
    added = 0
    for name in idx._names(manifest.generation):
        got = idx.client.get_collection(name).get(include=["documents", "embeddings"])
        new = [(sha(d), e) for d, e in zip(got["documents"], got["embeddings"]) if sha(d) not in cache]
        if new:
            cache.add([h for h, _ in new], np.asarray([e for _, e in new], dtype=np.float32))
            added += len(new)
    return added


def embed_truncated(size: int, batch: int = 256) -> dict:
    """Embed the filler passages of one size that have no real vector yet, with the real model cut to TRUNC_TOKENS."""
    from rag.engine import get_embedder

    manifest = json.loads((FILLER_DIR / "manifest.json").read_text())
    real = VectorCache(CACHE / "vectors-real")
    trunc = VectorCache(CACHE / f"vectors-trunc{TRUNC_TOKENS}")
    texts = []
    for d in manifest["documents"]:
        texts += [p.embedding_text() for p in passages_of(FILLER_DIR / "docs" / d["file"])]
        if d["cumulative"] >= size:
            break
    todo = sorted({t for t in texts if sha(t) not in real and sha(t) not in trunc}, key=len)
    log(f"size {size}: {len(texts)} filler passages, {len(texts) - len(todo)} with a vector, {len(todo)} to embed at {TRUNC_TOKENS} tokens")
    rate = None
    if todo:
        emb = get_embedder()
        emb._model.max_seq_length = TRUNC_TOKENS
        emb.batch_size = 64
        started = time.perf_counter()
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            trunc.add([sha(t) for t in part], emb.embed_passages(part))
            rate = (i + len(part)) / (time.perf_counter() - started)
            if (i // batch) % 8 == 0:
                log(f"  {i + len(part)}/{len(todo)} ({rate:.1f}/s)")
    return {"filler_passages": len(texts), "embedded_truncated": len(todo), "rate_per_s": rate}


# ------------------------------------------------------------------ workers (one fresh process each)


def worker_ingest(size: int, mode: str) -> dict:
    """Build the index of one size from scratch.

    ``mode``: ``full`` — the real model embeds everything (the product's ingest);
    ``trunc64`` — filler passages embedded by the real model cut to 64 tokens
    (or, for those in the 1k run, its full vectors); ``derived`` — filler passage
    vectors derived from sentence vectors; ``realcache`` — the real model's vectors
    kept from the ``full`` run (to re-measure queries with newer code quickly);
    ``real`` — no filler (size 0). Filler
    sentences always come from the sentence cache (real model, full length).
    """
    from rag.engine import get_embedder
    from rag.store.index import Index

    manifest = json.loads((FILLER_DIR / "manifest.json").read_text())
    corpus = corpus_for(size, manifest)
    index_dir = CACHE / f"index-{size}-{mode}{SUFFIX}"
    shutil.rmtree(index_dir, ignore_errors=True)
    real = get_embedder()
    rss_model = rss_mb()
    if mode == "full":
        embedder = CachedEmbedder(real, [], None)
    else:
        caches = [VectorCache(CACHE / "vectors-real")]
        if mode == "trunc64":
            caches.append(VectorCache(CACHE / f"vectors-trunc{TRUNC_TOKENS}"))
        elif mode == "realcache":  # every vector the real model's, from earlier runs (1k: the ``full`` run)
            pass
        elif mode == "derived":
            caches.append(VectorCache(CACHE / "vectors-passages"))
        caches.append(VectorCache(CACHE / "vectors-sentences"))
        embedder = CachedEmbedder(real, caches, VectorCache(CACHE / "vectors-real"))
    rss_cache = rss_mb()
    started = time.perf_counter()
    report = Index(settings_for(index_dir, corpus), embedder=embedder).ingest(corpus)
    seconds = time.perf_counter() - started
    return {
        "size": size, "mode": mode, "passages": report.passages, "documents": len(report.added),
        "ingest_s": round(seconds, 2), "embed_s": round(embedder.embed_s, 2),
        "vectors_from_cache": embedder.hits, "vectors_embedded": embedder.misses,
        "passages_per_s": round(report.passages / seconds, 2),
        "passages_per_s_without_embedding": round(report.passages / max(1e-9, seconds - embedder.embed_s), 2),
        "index_mb": round(dir_mb(index_dir), 1),
        "rss_after_model_mb": round(rss_model, 1), "rss_cache_mb": round(rss_cache - rss_model, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def worker_query(size: int, mode: str) -> dict:
    """Open one size's index in a fresh process and ask every bundled question."""
    from rag.engine import get_embedder
    from rag.evaluation import load_dataset, ours_answer_fn, run_system, summarise
    from rag.pipeline import Assistant

    index_dir = CACHE / f"index-{size}-{mode}{SUFFIX}"
    embedder = get_embedder()
    rss_model = rss_mb()
    started = time.perf_counter()
    assistant = Assistant(settings_for(index_dir, CACHE / f"corpus-{size}{SUFFIX}"), embedder=embedder)
    open_s = time.perf_counter() - started
    rss_open = rss_mb()
    questions = load_dataset(DATASET)
    for q in questions[:3]:
        assistant.ask(q.question)
    results = run_system(ours_answer_fn(assistant, 5), questions, progress=False)
    s = summarise(questions, results, 5)["overall"]
    stages = {st: {"p50": percentile([r["timings_ms"].get(st, 0.0) for r in results], 0.5),
                   "p95": percentile([r["timings_ms"].get(st, 0.0) for r in results], 0.95)} for st in STAGES}
    real_docs = {p.stem for p in real_documents()}
    top5 = [p["doc"] for r in results for p in r["retrieved"][:5]]
    keys = ["recall@5", "mrr@10", "ndcg@10", "fact_recall", "citation_precision", "citation_support",
            "abstention_accuracy", "false_abstention", "latency_p50_ms", "latency_p95_ms"]
    return {
        "size": size, "mode": mode, "passages": len(assistant.index.passages), "open_s": round(open_s, 2),
        "metrics": {k: s.get(k) for k in keys}, "ci": {k: s["ci"].get(k) for k in ("recall@5", "mrr@10")},
        "stages_ms": stages,
        "filler_share_of_top5": round(sum(1 for d in top5 if d not in real_docs) / max(1, len(top5)), 4),
        "rss_after_model_mb": round(rss_model, 1), "rss_after_open_mb": round(rss_open, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def spawn_plain(kind: str, size: int):
    """Run a preparation step in a fresh process (stderr passed through), return its JSON."""
    cmd = [sys.executable, str(Path(__file__).resolve()), f"_{kind}", str(size), "-"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def spawn(kind: str, size: int, mode: str) -> dict:
    """Run a worker in a fresh Python process (so peak memory is its own) and return its JSON."""
    cmd = [sys.executable, str(Path(__file__).resolve()), f"_{kind}", str(size), mode]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ commands


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "unknown")
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "(unset: one per core)")}


def cmd_prepare(args) -> None:
    manifest = make_filler(MAX_SIZE)
    lookalike = FILLER_KIND == "lookalike"
    info = embed_filler(manifest, derive=lookalike)
    fidelity = measure_fidelity() if lookalike else None  # the derived vectors, made for the lookalike filler only
    meta = {"manifest": {k: v for k, v in manifest.items() if k != "documents"}, "filler_documents": len(manifest["documents"]),
            **info, "fidelity": fidelity}
    (CACHE / f"prepare{SUFFIX}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    log(f"prepared: {json.dumps(meta, ensure_ascii=False)}")


def measure_fidelity(n: int = 160) -> dict:
    """How close the derived filler passage vectors are to the real model's, and the real embedding rate.

    For ``n`` filler passages: the real model's full-length vectors (timed: the
    product's embedding rate for passages), the cosine between real and derived
    vectors, and — what matters for a distractor — whether the bundled questions
    rank these passages the same way with either (mean Spearman correlation).
    """
    from rag.engine import get_embedder
    from rag.evaluation import load_dataset

    manifest = json.loads((FILLER_DIR / "manifest.json").read_text())
    proxy = VectorCache(CACHE / "vectors-passages")
    ps = []
    for p in filler_passages(manifest):
        ps.append(p)
        if len(ps) >= n:
            break
    texts = [p.embedding_text() for p in ps]
    emb = get_embedder()
    emb.embed_passages(texts[:8])
    t = time.perf_counter()
    real = emb.embed_passages(texts)
    rate = len(texts) / (time.perf_counter() - t)
    derived = np.asarray([proxy.get(sha(x)) for x in texts])
    cos = np.sum(real * derived, axis=1)
    qs = [q.question for q in load_dataset(DATASET)][::4]
    qv = emb.embed_queries(qs)

    def ranks(a: np.ndarray) -> np.ndarray:
        return np.argsort(np.argsort(a, axis=1), axis=1).astype(float)

    ra, rb = ranks(qv @ real.T), ranks(qv @ derived.T)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    rho = np.sum(ra * rb, axis=1) / np.sqrt(np.sum(ra**2, axis=1) * np.sum(rb**2, axis=1))
    return {
        "passages_compared": len(texts),
        "real_model_passages_per_s": round(rate, 1),
        "cosine_derived_vs_real_mean": round(float(cos.mean()), 4),
        "cosine_derived_vs_real_p05": round(float(np.percentile(cos, 5)), 4),
        "question_similarity_real_mean": round(float((qv @ real.T).mean()), 4),
        "question_similarity_derived_mean": round(float((qv @ derived.T).mean()), 4),
        "spearman_question_ranking_mean": round(float(rho.mean()), 4),
    }


def code_version() -> str:
    """The commit whose code ran (``SCALE_CODE`` when run from an exported copy without .git)."""
    if os.environ.get("SCALE_CODE"):
        return os.environ["SCALE_CODE"]
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", "rag"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("+uncommitted rag/ changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cmd_run(args) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() and not args.fresh else {"runs": []}
    results["machine"] = machine()
    prep = CACHE / f"prepare{SUFFIX}.json"
    if prep.is_file():
        results[f"prepare{SUFFIX}"] = json.loads(prep.read_text())
    plan = [(int(x.split(":")[0]), x.split(":")[1]) for x in args.plan.split(",")]
    for size, mode in plan:
        if mode in ("trunc64", "realcache"):
            log(f"harvested {spawn_plain('harvest', 1000)} real vectors of the 1k run")
            if mode == "trunc64":
                log(f"truncated embedding: {spawn_plain('truncate', size)}")
        log(f"size {size} ({mode}): ingest")
        load_before = os.getloadavg()[0]
        ing = spawn("ingest", size, mode)
        log(f"  {json.dumps(ing)}")
        log(f"size {size} ({mode}): queries")
        qry = spawn("query", size, mode)
        log(f"  {json.dumps(qry, ensure_ascii=False)}")
        results["runs"] = [r for r in results["runs"] if not (r["size"] == size and r["mode"] == mode
                                                              and r.get("filler", "lookalike") == FILLER_KIND)]
        results["runs"].append({"size": size, "mode": mode, "filler": FILLER_KIND, "ingest": ing, "query": qry,
                                "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                                "at": time.strftime("%Y-%m-%d %H:%M"), "code": code_version()})
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1))
        if not args.keep_index and size >= 10_000:
            shutil.rmtree(CACHE / f"index-{size}-{mode}{SUFFIX}", ignore_errors=True)
            shutil.rmtree(CACHE / f"corpus-{size}{SUFFIX}", ignore_errors=True)
    cmd_report(args)


def cmd_requery(args) -> None:
    """Ask the bundled questions again against indexes kept by ``run --keep-index``, with the current code."""
    results = json.loads(RESULTS.read_text())
    for size, mode in [(int(x.split(":")[0]), x.split(":")[1]) for x in args.plan.split(",")]:
        run = next((r for r in results["runs"] if r["size"] == size and r["mode"] == mode
                    and r.get("filler", "lookalike") == FILLER_KIND), None)
        if run is None or not (CACHE / f"index-{size}-{mode}{SUFFIX}").is_dir():
            log(f"size {size} ({mode}, {FILLER_KIND} filler): no kept index or no run on record; skipped")
            continue
        load_before = os.getloadavg()[0]
        run["query"] = spawn("query", size, mode)
        run.update({"query_code": code_version(), "query_at": time.strftime("%Y-%m-%d %H:%M"),
                    "query_load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]})
        log(f"size {size} ({mode}): {json.dumps(run['query']['metrics'])}")
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    cmd_report(args)


MODE_ORDER = {"real": 0, "full": 1, "realcache": 2, "trunc64": 3, "derived": 4}
MODE_TEXT = {
    "real": "real model (bundled documents only)",
    "full": "real model, every text (product ingest)",
    "trunc64": "filler passages: real model at 64 tokens (1k ones full); sentences: real model",
    "derived": "filler passages: derived from sentence vectors; sentences: real model",
}


def table(results: dict) -> str:
    rows = sorted(results["runs"], key=lambda r: (FILLER_KINDS.index(r.get("filler", "lookalike")) if r["size"] else -1,
                                                  r["size"], MODE_ORDER.get(r["mode"], 9)))
    head = ("| corpus | filler | passages | filler vectors | ingest passages/s | ingest s | index MB | query p50 / p95 ms "
            "| embed | keyword | vector | fusion | answer (p50 / p95 ms) | Recall@5 | MRR@10 | fact recall | "
            "abstention acc. | filler in top 5 | peak RSS ingest / serve MB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        i, q = r["ingest"], r["query"]
        m = q["metrics"]
        st = q["stages_ms"]
        name = "bundled only" if r["size"] == 0 else f"{r['size'] // 1000}k"
        emb = {"real": "–", "full": "real model (all)", "realcache": "real model (all), from cache",
               "trunc64": "real model, 64 tokens", "derived": "derived"}.get(r["mode"], r["mode"])
        # "with embedding" when the model embedded a real share of the texts, not the few a cache lacked
        if i.get("vectors_embedded", 0) > 0.05 * (i.get("vectors_embedded", 0) + i.get("vectors_from_cache", 0)):
            rate = f"{i['passages_per_s']:.1f} (with embedding)"
        else:
            rate = f"{i['passages_per_s_without_embedding']:.0f} (no embedding)"
        lines.append(
            f"| {name} | {r.get('filler', 'lookalike') if r['size'] else '–'} | {q['passages']} | {emb} | {rate} | {i['ingest_s']:.0f} | {i['index_mb']:.0f} | "
            f"{m['latency_p50_ms']:.0f} / {m['latency_p95_ms']:.0f} | "
            + " | ".join(f"{st[s]['p50']:.1f} / {st[s]['p95']:.1f}" for s in STAGES)
            + f" | {m['recall@5']:.3f} | {m['mrr@10']:.3f} | {m['fact_recall']:.3f} | {m['abstention_accuracy']:.3f} | "
            f"{q['filler_share_of_top5']:.2f} | {i['peak_rss_mb']:.0f} / {q['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def cmd_report(args) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = json.loads(RESULTS.read_text())
    allruns = sorted(results["runs"], key=lambda r: r["size"])
    base = next((r for r in allruns if r["size"] == 0), None)
    lookalike = [r for r in allruns if r.get("filler", "lookalike") == "lookalike"]
    series = {
        "lookalike filler, derived vectors": [r for r in lookalike if r["mode"] == "derived"],
        "lookalike filler": [r for r in lookalike if r["mode"] in ("realcache", "trunc64")
                             or (r["mode"] == "full" and not any(x["mode"] == "realcache" and x["size"] == r["size"] for x in lookalike))],
        "subjects filler": [r for r in allruns if r.get("filler") == "subjects" and r["mode"] in ("trunc64", "full", "realcache")],
    }
    if not any(series.values()):
        print("no runs yet")
        return
    fig, axes = plt.subplots(1, 3, figsize=(17, 5))
    # 1. Latency by stage (one point per index built; the vectors' origin barely matters here).
    ax = axes[0]
    runs = [r for r in lookalike if r["size"] > 0]
    by_size: dict[int, dict] = {}
    for r in runs:  # one run per size: prefer the largest-vector-fidelity one, fall back to derived
        cur = by_size.get(r["size"])
        prefer = {"realcache": 0, "trunc64": 1, "full": 2, "real": 3, "derived": 4}
        if cur is None or prefer.get(r["mode"], 9) < prefer.get(cur["mode"], 9):
            by_size[r["size"]] = r
    pts = [by_size[k] for k in sorted(by_size)]
    n = [r["query"]["passages"] for r in pts]
    ax.loglog(n, [r["query"]["metrics"]["latency_p95_ms"] for r in pts], "o-", color="black", lw=2, label="total p95")
    ax.loglog(n, [r["query"]["metrics"]["latency_p50_ms"] for r in pts], "o--", color="black", label="total p50")
    for s in STAGES:
        ax.loglog(n, [max(0.01, r["query"]["stages_ms"][s]["p95"]) for r in pts], ".-", label=f"{s} p95")
    subj = series["subjects filler"]
    if subj:
        ax.loglog([r["query"]["passages"] for r in subj], [r["query"]["metrics"]["latency_p95_ms"] for r in subj], "D:",
                  color="grey", label="total p95, subjects filler")
    ax.axhline(300, color="red", lw=0.8, ls=":", label="300 ms target (p95)")
    ax.set_xlabel("passages in the index (log)")
    ax.set_ylabel("ms per question (log)")
    ax.set_title("Query latency by stage, no LLM")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    # 2. Ingest and size.
    ax = axes[1]
    ax.loglog(n, [r["ingest"]["index_mb"] for r in pts], "s-", label="index on disk (MB)")
    ax.loglog(n, [r["query"]["peak_rss_mb"] for r in pts], "^-", label="peak RSS while serving (MB)")
    ax.loglog(n, [r["ingest"]["passages_per_s_without_embedding"] for r in pts], "o-",
              label="ingest passages/s without embedding")
    full = next((r for r in allruns if r["mode"] == "full"), None)
    if full:
        ax.loglog([full["query"]["passages"]], [full["ingest"]["passages_per_s"]], "r*", ms=12,
                  label="ingest passages/s with the real model (1k)")
    ax.set_xlabel("passages in the index (log)")
    ax.set_title("Ingest and size")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    # 3. Quality.
    ax = axes[2]
    colours = {"recall@5": "tab:blue", "mrr@10": "tab:orange"}
    for label, rs in series.items():
        if not rs:
            continue
        style = {"lookalike filler": "o-", "subjects filler": "D-"}.get(label, "s--")
        for key in ("recall@5", "mrr@10"):
            ax.semilogx([r["query"]["passages"] for r in rs], [r["query"]["metrics"][key] for r in rs], style,
                        color=colours[key], mfc="white" if style.startswith("s") else colours[key],
                        alpha=0.55 if style.startswith("D") else 1.0, label=f"{key}, {label}")
    if base:
        for key in ("recall@5", "mrr@10"):
            ax.axhline(base["query"]["metrics"][key], lw=0.8, ls=":", color=colours[key])
        r5 = base["query"]["metrics"]["recall@5"]
        ax.axhspan(r5 - 0.03, r5, color="grey", alpha=0.15, label="Recall@5 within 3 points of no filler")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("passages in the index (log)")
    ax.set_title("ours on the bundled questions (dotted: no filler)")
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)
    plt.close(fig)
    text = table(results)
    print(text)
    results_md = BENCH / "RESULTS.md"
    if results_md.is_file():
        md = results_md.read_text(encoding="utf-8")
        begin, end = "<!-- scale-table:begin -->", "<!-- scale-table:end -->"
        if begin in md and end in md:
            md = md[: md.index(begin) + len(begin)] + "\n" + text + "\n" + md[md.index(end):]
            results_md.write_text(md, encoding="utf-8")
    log(f"wrote {PLOT}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("_ingest", "_query", "_harvest", "_truncate"):
        if argv[0] == "_harvest":
            out = harvest_full(int(argv[1]))
        elif argv[0] == "_truncate":
            out = embed_truncated(int(argv[1]))
        else:
            fn = worker_ingest if argv[0] == "_ingest" else worker_query
            out = fn(int(argv[1]), argv[2])
        print(json.dumps(out, ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(description="Scale benchmark (see the module doc).")
    parser.add_argument("command", choices=["prepare", "run", "requery", "report", "all"])
    parser.add_argument("--plan", default=DEFAULT_PLAN,
                        help="comma-separated size:mode runs; modes: real (size 0), full, trunc64, derived")
    parser.add_argument("--filler", choices=FILLER_KINDS, default=FILLER_KIND,
                        help="lookalike: the corpus's own clauses, other places and numbers (other provinces' plans); "
                             "subjects: the same register about other departments' subjects (a province's other plans)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier runs in scale_results.json")
    parser.add_argument("--keep-index", action="store_true", help="keep the 10k/100k indexes in bench/.cache")
    args = parser.parse_args(argv)
    if args.filler != FILLER_KIND:  # paths are fixed at import and workers read the environment: start again with it
        os.environ["SCALE_FILLER"] = args.filler
        os.execv(sys.executable, [sys.executable, str(Path(__file__).resolve()), *argv])
    if args.command in ("prepare", "all"):
        cmd_prepare(args)
    if args.command in ("run", "all"):
        cmd_run(args)
    if args.command == "requery":
        cmd_requery(args)
    if args.command == "report":
        cmd_report(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
