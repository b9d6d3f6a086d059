"""A general gazetteer: China's provinces and prefecture-level cities, and the world's countries.

Nothing here is read from the indexed documents or fitted to them:

* China's administrative divisions come from the table of area codes that the
  ``cpca`` package ships (``cpca/resources/adcodes.csv``; read as data, the
  package itself is not imported): 34 province-level units and about 340
  prefecture-level ones, each with its short name (湖南省 → 湖南,
  广西壮族自治区 → 广西, 湘西土家族苗族自治州 → 湘西) and, for a city, its province.
* Countries come from ISO 3166 through ``pycountry``, with their Chinese names
  (``zh_CN``) and the project's English → Chinese country table.
* English names of China's places are their pinyin (``pypinyin``), with the few
  conventional spellings that differ (Shaanxi, Inner Mongolia, Tibet, Hong Kong, Macau).

:func:`find_places` reads a text (a question, a title) into :class:`Place` records,
longest names first, so "海南省" is one place and "南京" inside "河南京剧" is not read
where a longer name covers it.
"""

from __future__ import annotations

import csv
import gettext
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NATIONAL = "全国"


@dataclass(frozen=True)
class Place:
    """A named place: ``level`` is ``province``, ``city``, ``country`` or ``national`` (China as a whole)."""

    name: str  # the canonical short name: 湖南, 长沙, 日本, 全国
    level: str
    full_name: str = ""  # 湖南省, 长沙市
    province: str = ""  # for a city: its province's short name

    @property
    def region(self) -> str:
        """The province-level region this place belongs to (itself for a province), or ''."""
        return self.name if self.level == "province" else self.province


_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
_PREFECTURE_SUFFIXES = ("市", "地区", "盟")
# Conventional English names that are not the plain pinyin of the short name.
_EN_CONVENTIONAL = {
    "陕西": ("shaanxi",), "内蒙古": ("inner mongolia", "nei mongol"), "西藏": ("tibet", "xizang"),
    "香港": ("hong kong",), "澳门": ("macau", "macao"), "台湾": ("taiwan",), "新疆": ("xinjiang",),
    "哈尔滨": ("harbin",), "乌鲁木齐": ("urumqi", "urumchi"), "呼和浩特": ("hohhot",), "拉萨": ("lhasa",),
    "西安": ("xi an", "xian"), "喀什": ("kashgar", "kashi"), "日喀则": ("shigatse", "xigaze"),
}

def longest_first(name: str) -> tuple[int, str]:
    """Sort key for names to be matched longest first (中东欧 before 中东), ties in a fixed order: a set's own
    order changes from one process to the next, and so would which of two names a text is read as."""
    return -len(name), name


# The one-character abbreviations of China's province-level regions (京, 湘, 川 …), written together when the text
# names several at once ("川渝", "京津冀", "粤港澳", "湘赣"): alone, most are common characters.
PROVINCE_ABBREVIATIONS = {
    "北京": "京", "天津": "津", "上海": "沪", "重庆": "渝", "河北": "冀", "河南": "豫", "云南": "云", "辽宁": "辽",
    "黑龙江": "黑", "湖南": "湘", "安徽": "皖", "山东": "鲁", "新疆": "新", "江苏": "苏", "浙江": "浙", "江西": "赣",
    "湖北": "鄂", "广西": "桂", "甘肃": "甘", "山西": "晋", "内蒙古": "蒙", "陕西": "陕", "吉林": "吉", "福建": "闽",
    "贵州": "黔", "广东": "粤", "青海": "青", "西藏": "藏", "四川": "川", "宁夏": "宁", "海南": "琼", "香港": "港",
    "澳门": "澳", "台湾": "台",
}
_ABBREVIATION_RUN_RE = re.compile("[" + "".join(PROVINCE_ABBREVIATIONS.values()) + "]{2,}")


def names_province(text: str, name: str) -> bool:
    """``text`` names the province ``name`` (its short name, 湖南): by that name, or by its abbreviation written together
    with other provinces' ("川渝合作" names 四川 and 重庆)."""
    if name in text:
        return True
    abbreviation = PROVINCE_ABBREVIATIONS.get(name)
    return bool(abbreviation) and any(abbreviation in m.group() for m in _ABBREVIATION_RUN_RE.finditer(text))


def _adcodes_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package (the gazetteer's data) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def _short_province(full: str) -> str:
    for suffix in _SUFFIXES:
        if full.endswith(suffix) and len(full) > len(suffix) + 1:
            return full[: -len(suffix)]
    return full


# China's 56 ethnic groups, as autonomous prefectures' names carry them ("湘西土家族苗族自治州" → 湘西).
_ETHNIC = sorted((
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split(), key=len, reverse=True)


def _short_city(full: str) -> str:
    if full.endswith("自治州"):
        name = full[: -len("自治州")]
        changed = True
        while changed:
            changed = False
            for group in _ETHNIC:
                for tail in (group + "族", group):
                    if name.endswith(tail) and len(name) - len(tail) >= 2:
                        name, changed = name[: -len(tail)], True
                        break
                if changed:
                    break
        return name
    for suffix in _PREFECTURE_SUFFIXES:
        if full.endswith(suffix) and len(full) > len(suffix) + 1:
            return full[: -len(suffix)]
    return full


@lru_cache(maxsize=1)
def china() -> tuple[Place, ...]:
    """China's province-level and prefecture-level places (see the module doc)."""
    rows = list(csv.DictReader(_adcodes_path().open(encoding="utf-8")))
    provinces: dict[str, Place] = {}
    for row in rows:
        code = row["adcode"]
        if code.endswith("0000000000"):
            full = row["name"]
            provinces[code[:2]] = Place(_short_province(full), "province", full)
    places = list(provinces.values())
    for row in rows:
        code, full = row["adcode"], row["name"]
        if code.endswith("00000000") and not code.endswith("0000000000") and code[:2] in provinces:
            if full in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            places.append(Place(_short_city(full), "city", full, provinces[code[:2]].name))
    return tuple(places)


@lru_cache(maxsize=1)
def countries() -> tuple[Place, ...]:
    """The world's countries with their Chinese names (ISO 3166 via pycountry, plus the glossary's)."""
    from rag.glossary import COUNTRIES

    names: set[str] = set()
    try:
        import pycountry

        zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
        for c in pycountry.countries:
            name = zh.gettext(c.name)
            if re.fullmatch(r"[\u4e00-\u9fff]{2,10}", name) and not name.startswith("中国"):
                names.add(name)
    except (ImportError, OSError):  # pragma: no cover - pycountry is a declared dependency
        pass
    for chinese in COUNTRIES.values():
        names.update(n for n in chinese if not n.startswith(("中", "对")) and n not in ("日韩", "葡语"))
    chinese_places = {p.name for p in china()} | {"香港", "澳门", "台湾"}
    return tuple(Place(n, "country", n) for n in sorted(names - chinese_places))


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[str, Place], ...]:
    """Every name (full and short) → its place, longest names first."""
    pairs: dict[str, Place] = {}
    for place in countries():
        pairs.setdefault(place.name, place)
    for place in china():
        # A province's name wins over a city's of the same short name (吉林省 / 吉林市).
        for name in (place.full_name, place.name):
            if len(name) >= 2 and (name not in pairs or pairs[name].level != "province"):
                pairs[name] = place
    for word in ("全国", "我国", "中华人民共和国"):
        pairs[word] = Place(NATIONAL, "national", word)
    return tuple(sorted(pairs.items(), key=lambda kv: len(kv[0]), reverse=True))


# Short names of prefecture-level cities that are also everyday words ("大同小异", "长治久安",
# "日照时间"): they count only with their suffix (大同市). A property of the language, not of any corpus.
_EVERYDAY_WORDS = frozenset("大同 来宾 日照 安康 白银 长治 阿里 玉树 通化 文山 东方 吉安 永州 平凉 中山 三沙 黄山 海东 海西".split())


@lru_cache(maxsize=1)
def ambiguous_short_names() -> frozenset[str]:
    """Short city names that are also everyday words (they count only with their suffix).

    A name that is also a province's (海南, the island province, and 海南州 in 青海) stays the province's.
    """
    provinces = {p.name for p in china() if p.level == "province"}
    return frozenset(p.name for p in china() if p.level == "city" and p.name in _EVERYDAY_WORDS
                     and p.name != p.full_name and p.name not in provinces)


# The one-character abbreviations (简称) of China's province-level regions. Alone a character is
# ambiguous (苏 in 苏州, 新 in 新增), so one counts only where it heads a dated phrase: "黔2025年…",
# "苏今年…" at the start of a question or after a pause.
_ABBREVIATIONS = {
    "京": "北京", "津": "天津", "冀": "河北", "晋": "山西", "蒙": "内蒙古", "辽": "辽宁", "吉": "吉林", "黑": "黑龙江",
    "沪": "上海", "苏": "江苏", "浙": "浙江", "皖": "安徽", "闽": "福建", "赣": "江西", "鲁": "山东", "豫": "河南",
    "鄂": "湖北", "湘": "湖南", "粤": "广东", "桂": "广西", "琼": "海南", "渝": "重庆", "川": "四川", "蜀": "四川",
    "黔": "贵州", "贵": "贵州", "滇": "云南", "云": "云南", "藏": "西藏", "陕": "陕西", "秦": "陕西", "甘": "甘肃",
    "陇": "甘肃", "青": "青海", "宁": "宁夏", "新": "新疆", "港": "香港", "澳": "澳门", "台": "台湾",
}
_ABBREVIATION_RE = re.compile(
    rf"(?:^|(?<=[，,。？?；;：:\s]))([{''.join(_ABBREVIATIONS)}])(?=(?:19|20)\d{{2}}\s*年|今年|去年|明年)"
)


def find_places(text: str) -> list[Place]:
    """The places ``text`` names, in order of appearance, each once (longest names first).

    A province's one-character abbreviation counts where it heads a dated phrase ("黔2025年"). Each text is read
    once: the answerer asks it of the same sentences for every question.
    """
    return list(_find_places(text))


@lru_cache(maxsize=16384)
def _find_places(text: str) -> tuple[Place, ...]:
    found: list[tuple[int, Place]] = []
    provinces = {p.name: p for p in china() if p.level == "province"}
    for m in _ABBREVIATION_RE.finditer(text):
        place = provinces.get(_ABBREVIATIONS[m.group(1)])
        if place is not None:
            found.append((m.start(), place))
    rest = text
    ambiguous = ambiguous_short_names()
    for name, place in _index():
        if name not in rest:
            continue
        if name in ambiguous and name == place.name:
            continue
        start = rest.find(name)
        found.append((start, place))
        rest = rest.replace(name, "\0" * len(name))
    seen: set[tuple[str, str]] = set()
    out = []
    for _, place in sorted(found, key=lambda x: x[0]):
        key = (place.name, place.level)
        if key not in seen:
            seen.add(key)
            out.append(place)
    return tuple(out)


def _pinyin(names: tuple[str, ...]) -> dict[str, str]:
    """Each name's pinyin, one word ("重庆" → "chongqing"); pypinyin's phrase dictionary is loaded only
    the first time (:mod:`rag.derived` keeps the result)."""
    from importlib.metadata import version

    from rag.derived import cached

    def compute() -> dict[str, str]:
        from pypinyin import lazy_pinyin

        return {name: "".join(lazy_pinyin(name)) for name in names}

    return cached("pinyin", {"pypinyin": version("pypinyin"), "names": names}, compute)


@lru_cache(maxsize=1)
def english_names() -> tuple[tuple[str, Place], ...]:
    """English names of China's provinces and cities (pinyin, or the conventional spelling), longest first."""
    pinyin = _pinyin(tuple(sorted({p.name for p in china()})))
    pairs: dict[str, Place] = {}
    for place in china():
        if place.level == "city" and place.name in ambiguous_short_names():
            continue
        names = _EN_CONVENTIONAL.get(place.name) or (pinyin[place.name],)
        for name in names:
            if place.level == "province" or name not in pairs:
                pairs[name] = place
    pairs["china"] = Place(NATIONAL, "national", "中国")
    pairs["national"] = Place(NATIONAL, "national", "全国")
    pairs["nationwide"] = Place(NATIONAL, "national", "全国")
    pairs["state council"] = Place(NATIONAL, "national", "国务院")
    return tuple(sorted(pairs.items(), key=lambda kv: len(kv[0]), reverse=True))


@lru_cache(maxsize=1)
def _english_pattern() -> tuple[re.Pattern, dict[str, Place]]:
    """One pattern for all English place names (longest first), and name → place."""
    pairs = english_names()
    alternation = "|".join(re.escape(name) for name, _ in pairs)
    return re.compile(rf"(?<![a-z])({alternation})(?:'s)?(?![a-z])"), dict(pairs)


def find_places_en(text: str) -> list[Place]:
    """The Chinese places an English text names ("Sichuan", "Inner Mongolia", "Shaanxi")."""
    low = " " + re.sub(r"[^a-z ]+", " ", text.lower()) + " "
    pattern, places = _english_pattern()
    out: list[Place] = []
    for m in pattern.finditer(low):
        place = places[m.group(1)]
        if place not in out:
            out.append(place)
    return out
