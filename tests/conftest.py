"""Shared fixtures: the real model, a real Chroma index built from the bundled corpus.

The index is built once per test session in a temporary folder, so tests never
touch the developer's own ``index/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = ROOT / "tests" / "fixtures"
PDF_FIXTURE = FIXTURES / "hunan-foreign-affairs-plan-2021-2025.pdf"
PLAN_ID = "hunan-foreign-affairs-plan-2021-2025"
REVIEW_ID = "hunan-foreign-affairs-review-2025-part3"
ARTIFACTS = ROOT / "tests" / "artifacts"

# A small invented document (distinct from the corpus) for tests that ingest something new.
SMALL_DOC = """湖南省外事翻译人才培养试点方案（测试用虚构文件）

一、目标。到2027年，全省培养高级外事翻译人才300名，建立小语种翻译人才库，覆盖斯瓦希里语、豪萨语等非洲语言。

二、措施。依托湖南师范大学设立外事翻译实训基地，每年举办两期集中培训，由省外办负责组织实施。

三、保障。省财政每年安排专项经费500万元，用于培训、考核与人才库建设。
"""


def make_settings(index_dir: Path, corpus_dir: Path = CORPUS, **overrides):
    """Settings for a test: its own index folder, no LLM, no Chroma server."""
    from rag.settings import Settings

    base = dict(index_dir=index_dir, corpus_dir=corpus_dir, llm_base_url=None, llm_model=None, chroma_host=None)
    base.update(overrides)
    return Settings(**base)


@pytest.fixture(scope="session")
def embedder():
    """The prepared multilingual-e5-small on the configured engine (ONNX by default), loaded once."""
    from rag.engine import get_embedder, prepare_all
    from rag.settings import DEFAULT_MODEL_DIR

    prepare_all(DEFAULT_MODEL_DIR, progress=False)
    return get_embedder(str(DEFAULT_MODEL_DIR), "query: ", "passage: ")


@pytest.fixture(scope="session")
def built_index_dir(tmp_path_factory, embedder) -> Path:
    """An index of the bundled corpus, built once per session (treat as read-only)."""
    from rag.store.index import Index

    folder = tmp_path_factory.mktemp("index")
    Index(make_settings(folder), embedder=embedder).ingest(CORPUS)
    return folder


@pytest.fixture(scope="session")
def assistant(built_index_dir, embedder):
    """An :class:`Assistant` over the session's index (read-only use)."""
    from rag.pipeline import Assistant

    return Assistant(make_settings(built_index_dir), embedder=embedder)


@pytest.fixture
def scratch_index(tmp_path, built_index_dir, embedder):
    """A private, writable copy of the session index (for tests that ingest or delete)."""
    folder = tmp_path / "index"
    shutil.copytree(built_index_dir, folder, ignore=shutil.ignore_patterns("ingest.lock", "ingest.owner"))
    return make_settings(folder, corpus_dir=tmp_path / "corpus")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests save screenshots and other files for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


DOCUMENTS = FIXTURES / "documents"


# Letters and an 意见 whose measures are numbered in the text, and two provincial reports, taken from the
# multi-document evaluation corpus (eval/corpora/multidoc) rather than copied into the fixtures.
MULTIDOC = Path(__file__).resolve().parents[1] / "eval" / "corpora" / "multidoc"
REPLIES = (
    "gov-cn-2019/gov-cn-5345295.html",  # 国务院办公厅: 湖北's questions and suggestions, answered one by one
    "gov-cn-2019/gov-cn-5351671.html",  # … 四川's, eleven of them
    "gov-cn-2019/gov-cn-5351586.html",  # reply to a proposal on government websites (五 measures)
    "gov-cn-2019/gov-cn-5345440.html",  # reply on gold policy (parts headed 一、关于…问题)
    "gov-cn-2019/gov-cn-5345639.html",  # 1981 notice whose paragraphs open with their part's title (一、关于…问题。)
    "gov-cn-2019/gov-cn-5344146.html",  # a committee's members, listed under （一）部门委员 and （二）专家委员
    "gov-cn-2019/gov-cn-5352010.html",  # two regulations in one notice, each with a part on 财政税收
    "gov-cn-2019/gov-cn-5347465.html",  # thirty incentives, one long numbered sentence each (一、对…的省（区、市），…)
    "gov-cn-2019/gov-cn-5352666.html",  # 意见 on 政务新媒体
    "gov-cn-2019/gov-cn-5346276.html",  # holiday notice (items 一、元旦：… 七、国庆节：…)
    "gov-cn-2019/gov-cn-5338761.html",  # pilot plan naming its pilot regions
    "gov-cn-2019/gov-cn-5360002.html",  # notice with titled steps (1.摸底排查。…该项工作于2019年4月底前完成。)
    "gov-cn-2019/gov-cn-5347765.html",  # notice naming the body that issues special number plates
    "gov-cn-2019/gov-cn-5345402.html",  # reply forming a committee: 一、主要职能 二、组成人员 三、工作规则 四、工作要求
    "gov-cn-2019/gov-cn-5351598.html",  # reply to a proposal for a premier's hotline: the channels that exist
    "gwr-provinces-2025/gwr-2025-sichuan.docx",
    "gwr-provinces-2025/gwr-2025-ningxia.docx",
)


# A report whose parts tell what was found and then propose what to do: 国家地震局's (三、关于进一步加强…工作的意见).
# A guideline whose numbered measures are titled with what they do, not what they are about: "（十九）完善相关投入机制。"
# sets out its finance (…金融产品和融资模式).
PROPOSALS = ("gov-cn-2019/gov-cn-5351713.html", "gov-cn-2019/gov-cn-5350734.html")


def _multidoc_assistant(tmp_path_factory, embedder, names: tuple[str, ...], label: str):
    """An :class:`Assistant` over ``names``, copied from the multi-document corpus and indexed in a folder of its own."""
    from rag.store.index import Index
    from rag.pipeline import Assistant

    corpus = tmp_path_factory.mktemp(label)
    for name in names:
        shutil.copy(MULTIDOC / name, corpus / Path(name).name)
    folder = tmp_path_factory.mktemp(f"{label}-index")
    settings = make_settings(folder, corpus_dir=corpus)
    Index(settings, embedder=embedder).ingest(corpus)
    return Assistant(settings, embedder=embedder)


def _assistant_fixture(names: tuple[str, ...], label: str):
    """A session fixture ``{label}_assistant``: an :class:`Assistant` over ``names`` (:func:`_multidoc_assistant`),
    indexed once per session."""

    @pytest.fixture(scope="session", name=f"{label}_assistant")
    def fixture(tmp_path_factory, embedder):
        return _multidoc_assistant(tmp_path_factory, embedder, names, label)

    return fixture


# A provincial report whose subsections name 生态环境 and whose paragraphs name 营商环境: 河北's.
HEBEI = ("gwr-provinces-2025/gwr-2025-hebei.docx",)
hebei_assistant = _assistant_fixture(HEBEI, "hebei")


# A provincial report whose subsections open with titles ("（一）在全方位扩大内需上持续加力…", "（三）在全面深化改革和
# 扩大高水平开放上勇于探索…"): 湖北's.
HUBEI = ("gwr-provinces-2025/gwr-2025-hubei.docx",)
hubei_assistant = _assistant_fixture(HUBEI, "hubei")


# A provincial report whose target list gives each thing in a clause of its own ("粮食产量282亿斤左右；糖料蔗种植
# 面积稳定在1100万亩以上；"): 广西's.
GUANGXI = ("gwr-provinces-2025/gwr-2025-guangxi.docx",)
guangxi_assistant = _assistant_fixture(GUANGXI, "guangxi")


# A notice listing 130 places' practices, each item naming its province ("45.浙江省…", "46.浙江省湖州市…"), 浙江's own
# report beside it, a notice on 山西's and 安徽's mine disasters, one of them at "左权县河南村煤矿", and the guideline on
# publishing enforcement decisions ("…之日起20个工作日内…", "…7个工作日内公开").
NOTICES = ("gov-cn-2019/gov-cn-5343366.html", "gwr-provinces-2025/gwr-2025-zhejiang.docx", "gov-cn-2019/gov-cn-5345294.html",
           "gov-cn-2019/gov-cn-5354528.html")
notices_assistant = _assistant_fixture(NOTICES, "notices")


# A report counting two things in one paragraph's sentences (5级以上地震38次; 365人死亡): 国家地震局's of 1997.
EARTHQUAKES = ("gov-cn-2019/gov-cn-5345291.html",)
earthquakes_assistant = _assistant_fixture(EARTHQUAKES, "earthquakes")
proposals_assistant = _assistant_fixture(PROPOSALS, "proposals")
# A guideline whose fifth part is on one field ("五、大力促进贫困地区休闲农业和乡村旅游提质升级") that its other parts
# speak of too (旅游, 农业 said all over it), its measures titled with what they do ("（十）加大基础设施建设力度。"): 消费扶贫.
POVERTY = ("gov-cn-2019/gov-cn-5357723.html",)
poverty_assistant = _assistant_fixture(POVERTY, "poverty")
# A provincial report numbering a list with circled numbers in one paragraph, announced by the sentence before it
# ("扎实办好“十大重点民生实事”。①补充配置…。②组织…。…⑩…"): 湖南's.
HUNAN = ("gwr-provinces-2025/gwr-2025-hunan.docx",)
hunan_assistant = _assistant_fixture(HUNAN, "hunan")
# A provincial report announcing a list by its count, its items unnumbered sentences ending in the list's noun
# ("实施城建“六大攻坚行动”。实施重大基础设施建设攻坚行动。…实施两江四岸整体提升攻坚行动。"): 重庆's.
CHONGQING = ("gwr-provinces-2025/gwr-2025-chongqing.docx",)
chongqing_assistant = _assistant_fixture(CHONGQING, "chongqing")
# A guideline whose target for a year opens with no figure and the sentences after it give them ("到2025年，农机装备品类
# 基本齐全，…。全国农机总动力稳定在11亿千瓦左右，…。"): 农业机械化's.
MACHINERY = ("gov-cn-2019/gov-cn-5353308.html",)
machinery_assistant = _assistant_fixture(MACHINERY, "machinery")
# An 意见 whose measures announce their lists ("（二）符合下列要求的社会团体予以保留。" then "1.…" to "8.…"): 民政部's
# of 1997 on 清理整顿社会团体.
SOCIETIES = ("gov-cn-2019/gov-cn-5345293.html",)
societies_assistant = _assistant_fixture(SOCIETIES, "societies")
# Two replies of one day to two deputies' suggestions, alike but for their numbers (国办函〔2006〕69号 on a premier's
# blog, 71号 on a free website of laws).
DEPUTIES = ("gov-cn-2019/gov-cn-5351590.html", "gov-cn-2019/gov-cn-5351596.html")
deputies_assistant = _assistant_fixture(DEPUTIES, "deputies")
replies_assistant = _assistant_fixture(REPLIES, "replies")
# Reports whose lists run as "一是…二是…" in one paragraph, counted by the sentence before them (山西's "今年再办好15件民生
# 实事。"), or divide a chapter into parts titled on lines of their own (甘肃's "一是聚焦全方位扩大内需，着力提消费促投资"
# in a Word paragraph with no full stop; the 2022 national report's "（一）着力稳定宏观经济大盘，…。"), and a notice
# whose attachment counts its 23 measures by field.
REPORTS = ("gwr-provinces-2025/gwr-2025-shanxi.docx", "gwr-provinces-2025/gwr-2025-gansu.docx",
           "gwr-national/gwr-national-2022.txt", "gov-cn-2019/gov-cn-5355837.html")
reports_assistant = _assistant_fixture(REPORTS, "reports")


@pytest.fixture(scope="session")
def documents_assistant(tmp_path_factory, embedder):
    """An :class:`Assistant` over real documents of other collections (``tests/fixtures/documents``:
    two gov.cn regulations and a notice, two provincial and two national reports), indexed once per session."""
    from rag.store.index import Index
    from rag.pipeline import Assistant

    folder = tmp_path_factory.mktemp("documents-index")
    settings = make_settings(folder, corpus_dir=DOCUMENTS)
    Index(settings, embedder=embedder).ingest(DOCUMENTS)
    return Assistant(settings, embedder=embedder)
