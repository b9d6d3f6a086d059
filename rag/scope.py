"""Which documents a question is about: scoping by 文号, title, region, kind and year.

Each rule reads the :class:`rag.query.Query` and the indexed documents' records
(:class:`rag.documents.DocumentRecord`) and either narrows the documents searched or,
when the question names documents the deployment does not hold, says so with a
reason code ("未收录文号为国发〔2019〕3号的文件。") instead of letting retrieval quote
another document. The rules run in order, each on what the one before left:

``scope.doc_number``   a 文号 the question names: that document, or "not held".
``scope.title``        a 《title》 it names, or a numbered proposal it answers (第2741号提案): the documents whose title holds it;
                       a title's subject spelled in the question's own words ("政府网站集约化那个试点"): that one document;
                       "not held" when it names a version by its year ("2008年修订的《国务院工作规则》") none of them is of.
``scope.region``       provinces, cities or 全国 it names, in a collection of several regions'
                       documents: those regions' documents (or, for a year they do not cover, the
                       national ones whose title names them), or "not held" when none is.
``scope.kind_year``    a kind and a year ("2023年政府工作报告"): the documents of that kind and year,
                       or "not held" when the collection has that kind but not that year.
``scope.latest``       最新 / 现行 / 最近一次: the latest document of each series (kind, issuer, region).
``scope.year``         a year alone, in a collection of documents of several years: the
                       documents of that year and of the next (a report of Y+1 reviews Y); for a
                       deadline ("到2025年"), also those issued before it; for a target of that year
                       asked of a kind of document the year has none of ("…指导意见给…定的2025年目标"),
                       also the earlier documents of that kind.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import lru_cache

from rag.documents import DocumentRecord, same_doc_number
from rag.places import NATIONAL, find_places
from rag.query import _ASKS_ACTUAL_RE, TITLE_END, Query

NOT_HELD = "scope.not_held"


@dataclass
class Scope:
    """The documents to search (None: all) and, when nothing held matches, why."""

    doc_ids: list[str] | None = None
    rules: list[str] = field(default_factory=list)  # the rules that narrowed, in order
    missing: str = ""  # the answer when the question names documents that are not held
    code: str = ""  # the reason code of ``missing``


def _norm_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in "《》〈〉“”\"' 　")


def title_cores(title: str) -> set[str]:
    """The ways a question spells a title without 《》: whole, without "中华人民共和国", or from its "关于"
    ("国务院办公厅关于开展…的通知" → "关于开展…的通知"); only long enough to name one document."""
    t = _norm_title(title)
    out = {t, t.removeprefix("中华人民共和国")}
    if "关于" in t:
        out.add(t[t.index("关于") :])
    return {c for c in out if len(c) >= 6 and not c.endswith("政府工作报告")}


TITLE_RUN = 6  # characters of a title's subject a question must spell in a row to name it (see scope.title)


def _title_runs(text: str) -> set[str]:
    """Every :data:`TITLE_RUN` characters in a row of the Chinese of ``text``."""
    return {run[i : i + TITLE_RUN] for run in re.findall(r"[\u4e00-\u9fff]{%d,}" % TITLE_RUN, text)
            for i in range(len(run) - TITLE_RUN + 1)}


def _shares_title_run(runs: set[str], title: str) -> bool:
    """The subject of ``title`` (a notice's, an opinion's or a plan's: what follows its "关于", less "印发"; a
    report's title names its kind, region and year, which other rules read) holds one of a question's
    :func:`_title_runs`."""
    t = _norm_title(title)
    if "关于" not in t or t.endswith("政府工作报告"):
        return False
    subject = t[t.index("关于") + 2 :].removeprefix("印发")
    return any(run in subject for run in runs)


def _kind_matches(record: DocumentRecord, kind: str) -> bool:
    """The record is a document of ``kind``, or carries one: a notice forwarding a report names it in its title
    ("转发国家地震局关于1997年地震趋势和加强防震减灾工作意见报告的通知" holds the 报告)."""
    return record.kind == kind or (kind == "报告" and "报告" in record.kind) or (
        len(kind) >= 2 and re.search(rf"(?:转发|批转|印发)[^《》]*{kind}的{record.kind}$", record.title or "") is not None
    )


# A numbered proposal, suggestion or motion a reply answers: "第2741号提案", "第7264号建议".
_NUMBERED_REF_RE = re.compile(r"第\d+号(?:提案|建议|议案)")
# The same in English: "suggestion No. 7240", "proposal No. 2741".
_NUMBERED_REF_EN = {"proposal": "提案", "suggestion": "建议", "motion": "议案"}
_NUMBERED_REF_EN_RE = re.compile(r"\b(proposal|suggestion|motion)s?\s+(?:No\.?|number|#)\s*(\d+)", re.I)


def _region_name(region: str) -> str:
    return "全国" if region == NATIONAL else region


def _title_names_region(record: DocumentRecord, regions: set[str]) -> bool:
    """A national document whose title names one of ``regions`` (a reply to a province, a policy on it)."""
    return record.region == NATIONAL and any(r != NATIONAL and r in record.title for r in regions)


# A year naming a version of a titled document: "2008年修订的《国务院工作规则》", "2004年印发的《…》".
_VERSION_RE = re.compile(r"((?:19|20)\d{2})年(修订|修正|印发|发布|公布|颁布|出台|制定)的?《([^《》]{2,40})》")


# A document's title spelled out: "国务院办公厅关于广东省在温家宝总理考察工作时所提问题和建议办理情况的函".
_SPELLED_TITLE_RE = re.compile(r"关于[^，,。？?；;：:]{6,60}?" + TITLE_END)
PLACE_TITLE_CHARS = 10  # a spelled title less its places must be this long to name a series of documents


@lru_cache(maxsize=4096)
def _without_places(title: str) -> str:
    """``title`` without the provinces and cities it names (each held title is read once, not per question)."""
    t = _norm_title(title)
    for place in find_places(t):
        if place.level in ("province", "city"):
            t = t.replace(place.full_name or place.name, "").replace(place.name, "")
    return t


def _place_not_held(query: Query, pool: dict[str, DocumentRecord]) -> str:
    """The title of a document the question spells out ("…关于广东省在温家宝总理考察工作时所提问题和建议办理情况的
    函") when the documents hold that title only for other places (四川省's, 湖北省's): it, else ""."""
    m = _SPELLED_TITLE_RE.search(_norm_title(query.text))
    if not m:
        return ""
    spelled = m.group(0)
    named = [p for p in find_places(spelled) if p.level in ("province", "city")]
    core = _without_places(spelled)
    if not named or len(core) < PLACE_TITLE_CHARS:
        return ""
    siblings = [r for r in pool.values() if r.title and core in _without_places(r.title)]
    if siblings and not any(p.name in r.title for r in siblings for p in named):
        return spelled
    return ""


def scope_for(query: Query, records: dict[str, DocumentRecord], doc_ids: list[str] | None = None) -> Scope:
    """Apply the scoping rules (see the module doc) to ``records`` (or the ``doc_ids`` among them)."""
    pool = {d: r for d, r in records.items() if doc_ids is None or d in doc_ids}
    scope = Scope(doc_ids=list(doc_ids) if doc_ids else None)
    if not pool:
        return scope

    def narrow(kept: dict[str, DocumentRecord], rule: str) -> None:
        nonlocal pool
        if kept and len(kept) < len(pool):
            pool = kept
            scope.doc_ids = sorted(kept)
            scope.rules.append(rule)

    # 文号: exact lookup.
    if query.doc_numbers:
        kept = {d: r for d, r in pool.items() if r.doc_number and any(same_doc_number(r.doc_number, n) for n in query.doc_numbers)}
        if not kept:
            scope.missing = f"未收录文号为{'、'.join(query.doc_numbers)}的文件。"
            scope.code = f"{NOT_HELD}.doc_number"
            return scope
        narrow(kept, "scope.doc_number")

    # A proposal's or a suggestion's number ("第2741号提案", "第7264号建议"): the reply whose title names it.
    refs = _NUMBERED_REF_RE.findall(query.text) + [
        f"第{n}号{_NUMBERED_REF_EN[kind.lower()]}" for kind, n in _NUMBERED_REF_EN_RE.findall(query.text)
    ]
    for ref in refs:
        kept = {d: r for d, r in pool.items() if ref in r.title}
        narrow(kept, "scope.title")

    # 《title》: the documents whose title holds the name (a title may be cited inside another document).
    for name in query.titles:
        n = _norm_title(name)
        kept = {d: r for d, r in pool.items() if len(n) >= 4 and (n in _norm_title(r.title))}
        narrow(kept, "scope.title")
    # A version named by its year ("2008年修订的《国务院工作规则》"): the documents of that title must include it.
    versioned = _VERSION_RE.search(re.sub(r"\s+", "", query.text))
    if versioned and "scope.title" in scope.rules:
        year = int(versioned.group(1))
        if not any(year in r.named_years for r in pool.values()):
            scope.missing = f"未收录{year}年{versioned.group(2)}的《{versioned.group(3)}》。"
            scope.code = f"{NOT_HELD}.title_year"
            return scope
    # A title spelled without 《》: "专利代理条例第七条…", "关于加强…工作的通知，是哪些机关…".
    if "scope.title" not in scope.rules:
        text = _norm_title(query.text)
        kept = {d: r for d, r in pool.items() if any(c in text for c in title_cores(r.title))}
        if len(kept) == 1:
            narrow(kept, "scope.title")
        else:
            # Its subject named in the question's own words ("政府网站集约化那个试点", "政府性融资担保的指导意见"): the
            # one document whose title holds a run of the question's characters no other title holds.
            runs = _title_runs(text)
            kept = {d: r for d, r in pool.items() if _shares_title_run(runs, r.title)} if runs else {}
            if len(kept) == 1:
                narrow(kept, "scope.title")

    # A title spelled out for a place whose document of that title is not held (only other places' are).
    spelled = _place_not_held(query, pool)
    if spelled:
        scope.missing = f"未收录{spelled}。"
        scope.code = f"{NOT_HELD}.title_place"
        return scope

    # Region: only in a collection of several regions' documents (one province's own documents
    # speak of other places without being about them).
    held = {r.region for r in pool.values() if r.region}
    if len(held) >= 2 and query.regions:
        named = set(query.regions)
        kept = {d: r for d, r in pool.items() if r.region in named}
        # The national documents whose title names the region ("国务院办公厅关于四川省在温家宝总理考察工作时所提
        # 问题和建议办理情况的函", "…关于内地西藏初中班扩大招生规模…") are about it too, unless the question names
        # a kind they are not ("2025年政府工作报告"; a kind word alone is often a common one: "办理意见", "计划");
        # retrieval ranks them with the region's own documents (the year rule, below, keeps those of the year asked).
        # So are those whose title names a city asked ("…关于同意以深圳市名义申办…的复函" for 深圳).
        titled = {d: r for d, r in pool.items() if _title_names_region(r, named | set(query.cities))}
        kinds = {k for _, k in query.dated_kinds} | ({"政府工作报告"} & set(query.kinds))
        # "今年" asks of the region's current documents, not of old ones about it.
        if kept and query.relative_years:
            titled = {}
        if titled and all(any(_kind_matches(r, k) for r in titled.values()) for k in kinds):
            kept.update(titled)
        if query.cities:
            city_docs = {d: r for d, r in kept.items() if r.city and r.city in query.cities}
            provincial = {d: r for d, r in kept.items() if not r.city}
            kept = {**provincial, **city_docs} if (city_docs or provincial) else kept
        if not kept:
            scope.missing = f"未收录{'、'.join(_region_name(r) for r in query.regions)}的文件。"
            scope.code = f"{NOT_HELD}.region"
            return scope
        narrow(kept, "scope.region")

    # Kind and year, named together ("2023年政府工作报告…", "2019年部分节假日安排的通知").
    dated = [(y, k) for y, k in query.dated_kinds if any(_kind_matches(r, k) for r in pool.values())]
    if dated:
        kept = {d: r for d, r in pool.items() if any(_kind_matches(r, k) and y in r.named_years for y, k in dated)}
        # "2021年政府工作报告说当年要…多少？最后实际…多少？": what came of a report's target is told by the next
        # year's document of that kind, which reviews the year (as for a year alone, below).
        if kept and query.stage != "target" and _ASKS_ACTUAL_RE.search(query.text):
            kept.update({d: r for d, r in pool.items() if any(_kind_matches(r, k) and y + 1 in r.years for y, k in dated)})
        # Other kinds it names without a year count too: "规划…十三五时怎么定位它，2025年的回顾又…" asks both.
        others = [k for k in query.kinds if k not in {k2 for _, k2 in dated} and any(_kind_matches(r, k) for r in pool.values())]
        if others:
            kept.update({d: r for d, r in pool.items() if any(_kind_matches(r, k) for k in others)})
        if not kept:
            y, kind = dated[0]
            scope.missing = f"未收录{y}年的{kind}。"
            scope.code = f"{NOT_HELD}.kind_year"
            return scope
        narrow(kept, "scope.kind_year")
    elif "政府工作报告" in query.kinds:
        narrow({d: r for d, r in pool.items() if _kind_matches(r, "政府工作报告")}, "scope.kind")

    # "最新/现行/最近一次": the latest document of each series still in the pool.
    if query.latest:
        latest: dict[tuple, DocumentRecord] = {}
        for r in pool.values():
            if r.series not in latest or r.order_key > latest[r.series].order_key:
                latest[r.series] = r
        narrow({r.doc_id: r for r in latest.values()}, "scope.latest")

    # A year alone: the documents of that year, and of the next (a report of Y+1 reviews Y).
    if query.years and "scope.kind_year" not in scope.rules:
        years = {r.year for r in pool.values() if r.year}
        if len(years) >= 2:
            wanted = set(query.years) | {y + 1 for y in query.years}
            # A deadline ("到2025年", "by 2025") may be set by any document issued before it (a 2018 plan's
            # targets for 2025), as well as reported on by the documents of that year and the next.
            horizon = max(query.horizons) if query.horizons and set(query.years) <= set(query.horizons) else 0
            kept = {d: r for d, r in pool.items() if (r.years & wanted) or (horizon and r.year and r.year <= horizon)}
            # So may a target asked for a year of a kind of document that year has none of ("农机化那个指导意见给…
            # 定的2025年…目标", "“无废城市”试点方案…提出的2020年目标"): an earlier one of that kind set it.
            asked_kinds = [k for k in query.kinds if not any(_kind_matches(r, k) for r in kept.values())]
            if query.stage == "target" and not horizon and asked_kinds:
                year = max(query.years)
                series = {r.series for r in kept.values()}
                kept.update({
                    d: r for d, r in pool.items()
                    if r.year and r.year < year and r.series not in series and any(_kind_matches(r, k) for k in asked_kinds)
                })
            narrow(kept, "scope.year")
    return scope
