"""Citation support: how much of an answer sentence is found in the passage it cites.

One measure serves two users: the LLM answerer (:mod:`rag.llm`), which checks
every generated sentence before the answer is shown, and the evaluation, which
reports the share of supported sentences for any system.

* An **extractive** sentence is a verbatim quote, so it is found whole in its
  passage: the score is ``1.0``.
* A **generated** sentence is a paraphrase, so the score is a lexical proxy: the
  share of the sentence's content units that occur in the cited passage. The
  units are its Chinese character bigrams and its jieba words (Chinese words,
  Latin words, numbers); the score is the mean of the two recalls. Numbers are
  a hard constraint: the score is multiplied by the share of the sentence's
  numbers the passage contains, so "到2030年" citing a passage that says
  "到2025年" is not supported however many other words match.
* **Across languages** (an English sentence citing a Chinese passage) English
  words cannot be looked up in Chinese text, and e5-small's cross-lingual
  similarity does not separate the cited passage from its neighbours (measured
  on this corpus: 0.75 for the right passage, up to 0.78 for others), so the
  measure checks what can be checked: Chinese quoted in the sentence (the LLM
  prompt asks English answers to quote their Chinese source in 「」), numbers,
  and countries/topics the glossary maps to Chinese names. A sentence with
  none of these scores ``0.0`` — unverifiable counts as unsupported.

``SUPPORT_THRESHOLD`` (0.5) separates supported from unsupported sentences.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

SUPPORT_THRESHOLD = 0.5

# A citation marker: [3], [1, 2], [1][2], 【3】, ［3］ (NFKC turns ［］ into []).
MARKER_RE = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】］]")
# Sentence ends: Chinese/Latin terminators (with closing quotes), a Latin full stop
# that ends a sentence (not "3.5" or "1. item"), and line breaks.
_END_RE = re.compile(r"[。！？!?；;]+[”’」』）)\"']*|(?<![\d.])\.(?=\s|$|[\[【［])|\n+")
_TOKEN_RE = re.compile(rf"(?P<mark>{MARKER_RE.pattern})|(?P<end>{_END_RE.pattern})")

_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_CJK_CHAR_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD_RE = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_ITEM_PREFIX_RE = re.compile(r"^\s*(?:\d{1,2}[.．、)）]|[（(][一二三四五六七八九十\d]+[)）]|[-*•·—]+)\s*")
_QUOTE_RE = re.compile(r"[「『“\"]([^」』”\"]*[\u3400-\u9fff][^」』”\"]*)[」』”\"]")
_LATIN_STOP = frozenset(
    """a an the of to in on at by for from with and or but as is are was were be been being it its this that these
    those which who whom what when where how there their they them he she his her we our you your i not no yes will
    would shall should can could may might must do does did has have had than then so such also into about over under
    per each all any some more most other only same both either neither nor if while during after before between
    according document documents passage passages says said states stated""".split()
)
# Words a generated sentence uses to attribute rather than to claim ("规划提出…", "根据文件，…").
_ATTRIBUTION = frozenset(
    """根据 依据 按照 提出 要求 指出 表示 强调 明确 提到 写道 计划 规定 显示 表明 段落 材料 资料 原文 文中 其中 此外 同时
    另外 以及 还有 通过""".split()
)


def normalize(text: str) -> str:
    """NFKC, lower case, no whitespace, thousands separators dropped ("1,200" → "1200")."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    return "".join(text.split())


def strip_markers(text: str) -> str:
    """The text without citation markers."""
    return MARKER_RE.sub("", text)


def parse_marker(body: str) -> list[int]:
    """The passage numbers of one marker's inside ("1, 2" → [1, 2])."""
    return [int(x) for x in re.findall(r"\d+", body)]


# What kind of figure a quoted clause states, written after it by the answerer ("…3.35%左右（2025年目标）[1]",
# "… (2025 target) [1]"): the answer's own label, not words of the passage.
KIND_ZH = {"target": "目标", "result": "实际"}
KIND_EN = {"target": "target", "result": "reported"}
KIND_LABEL_RE = re.compile(
    r"\s*(?:（(?:\d{4}年)?(?:" + "|".join(KIND_ZH.values()) + r")）|\((?:\d{4} )?(?:" + "|".join(KIND_EN.values()) + r")\))\s*$"
)


def kind_label(kind: str, year: int | None, lang: str) -> str:
    """The label of a figure's kind ("target" or "result") and year: "（2025年目标）", " (2024 reported)"."""
    if lang == "zh":
        return f"（{f'{year}年' if year else ''}{KIND_ZH[kind]}）"
    return f" ({f'{year} ' if year else ''}{KIND_EN[kind]})"


def _claim_text(sentence: str) -> str:
    """A sentence reduced to its claim: no markers, list prefix, markdown emphasis, kind label or edge punctuation."""
    text = KIND_LABEL_RE.sub("", strip_markers(sentence))
    text = re.sub(r"[*#`_]{1,3}", "", text)
    text = _ITEM_PREFIX_RE.sub("", text)
    return text.strip().strip("。！？!?；;.,，、:： \t\"'“”‘’「」『』")


def _cjk_bigrams(text: str) -> set[str]:
    units: set[str] = set()
    for run in _CJK_RUN_RE.findall(text):
        if len(run) == 1:
            units.add(run)
        units.update(run[i : i + 2] for i in range(len(run) - 1))
    return units - _ATTRIBUTION


def _words(text: str) -> set[str]:
    """Content words: jieba tokens of the Chinese, Latin words, numbers (stop words dropped)."""
    from rag.keyword import tokenize

    out: set[str] = set()
    for tok in tokenize(text):
        if _CJK_CHAR_RE.search(tok):
            if len(tok) >= 2 and tok not in _ATTRIBUTION:
                out.add(tok)
        elif not _NUMBER_RE.fullmatch(tok) and tok not in _LATIN_STOP:
            out.add(tok)
    return out


def _recall(units: set[str], present) -> float | None:
    if not units:
        return None
    return sum(1 for u in units if present(u)) / len(units)


def _mostly_cjk(text: str) -> bool:
    cjk = len(_CJK_CHAR_RE.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return cjk > 0 and cjk >= latin


def sentence_support(sentence: str, passage_text: str) -> float:
    """How well ``passage_text`` supports ``sentence``, from 0.0 (not at all) to 1.0 (found whole).

    Citation markers, list prefixes and edge punctuation of the sentence are
    ignored. See the module doc for the measure.
    """
    claim = _claim_text(sentence)
    c, p = normalize(claim), normalize(passage_text)
    if not c or not p:
        return 0.0
    if c in p:
        return 1.0

    numbers = set(_NUMBER_RE.findall(c))
    number_share = _recall(numbers, lambda n: re.search(rf"(?<![\d.]){re.escape(n)}(?![\d]|\.\d)", p) is not None)
    number_factor = 1.0 if number_share is None else number_share

    cross_lingual = not _mostly_cjk(claim) and _mostly_cjk(passage_text)
    if cross_lingual:
        units: list[bool] = []
        quoted = " ".join(_QUOTE_RE.findall(claim)) or "".join(_CJK_RUN_RE.findall(claim))
        for u in _cjk_bigrams(normalize(quoted)):
            units.append(u in p)
        from rag.glossary import COUNTRIES, TERMS, _find

        for _, chinese in _find(COUNTRIES, claim, True) + _find(TERMS, claim, False):
            units.append(any(normalize(ch) in p for ch in chinese))
        units.extend(n in p for n in numbers)
        if not units:
            return 0.0
        return round(sum(units) / len(units) * number_factor, 4)

    bigram = _recall(_cjk_bigrams(c), lambda u: u in p)
    p_words = set(_LATIN_WORD_RE.findall(p)) if re.search(r"[a-z]", p) else set()
    word = _recall(
        _words(claim),
        lambda w: (w in p) if _CJK_CHAR_RE.search(w) else (w in p_words or w in p),
    )
    parts = [x for x in (bigram, word) if x is not None]
    if not parts:
        base = number_share if number_share is not None else 0.0
    else:
        base = sum(parts) / len(parts)
    return round(base * number_factor, 4)


@dataclass
class Segment:
    """One sentence of an answer with the passage numbers its markers name."""

    text: str  # the sentence without markers (terminator kept)
    ns: list[int] = field(default_factory=list)  # passage numbers, in marker order, no repeats
    sep: str = ""  # what followed it in the answer: "" or a line break

    @property
    def is_lead_in(self) -> bool:
        """A lead-in such as "主要措施包括：" or "According to the documents:" — not a claim."""
        t = self.text.strip()
        return not self.ns and (t.endswith((":", "：")) or not _claim_text(t))


def split_cited(text: str) -> list[Segment]:
    """Split an answer into sentences, each with the markers written inside it or right after it.

    "甲。[1]乙[2]。" → ``[Segment("甲。", [1]), Segment("乙。", [2])]``; markers placed
    before or after the terminator both belong to the sentence.
    """
    segs: list[Segment] = []
    buf: list[str] = []
    ns: list[int] = []
    ended = False

    def flush(sep: str = "") -> None:
        nonlocal buf, ns, ended
        body = "".join(buf).strip()
        if body or ns:
            segs.append(Segment(body, list(dict.fromkeys(ns)), sep))
        elif sep and segs:
            segs[-1].sep = sep
        buf, ns, ended = [], [], False

    pos = 0
    for m in _TOKEN_RE.finditer(text):
        gap = text[pos : m.start()]
        if gap.strip():
            if ended:
                flush()
            buf.append(gap)
        elif gap and not ended:
            buf.append(gap)
        if m.group("mark") is not None:
            ns.extend(parse_marker(m.group(2)))
        elif m.group("end").startswith("\n"):
            flush("\n")
        else:
            buf.append(m.group("end"))
            ended = True
        pos = m.end()
    tail = text[pos:]
    if tail.strip():
        if ended:
            flush()
        buf.append(tail)
    flush()
    return segs


def _passage_text(value) -> str:
    """Text of a passage given as a string, a Passage, a Citation or a retrieval Hit."""
    if isinstance(value, str):
        return value
    if isinstance(getattr(value, "text", None), str):
        return value.text
    passage = getattr(value, "passage", None)
    if passage is not None:
        return passage.text
    raise TypeError(f"cannot read a passage text from {type(value).__name__}")


def answer_support(answer_text: str, citations_by_n: Mapping[int, object]) -> list[tuple[str, list[int], float]]:
    """Score every claim sentence of an answer against the passages its markers cite.

    ``citations_by_n`` maps a marker number to the cited passage — its text, or a
    ``Passage``, ``Citation`` or ``Hit``. Returns ``(sentence, numbers, score)`` per
    sentence, the sentence without its markers. A sentence citing several
    passages is scored against them together; a sentence without markers, or
    whose markers name no passage in ``citations_by_n``, scores 0.0 (its
    ``numbers`` still lists what it named). Lead-ins that end with a colon and
    carry no marker (the English extractive answer's first line, "主要包括：") are
    not claims and are left out.
    """
    texts = {int(n): _passage_text(v) for n, v in citations_by_n.items()}
    out: list[tuple[str, list[int], float]] = []
    for seg in split_cited(answer_text):
        if seg.is_lead_in:
            continue
        cited = [texts[n] for n in seg.ns if n in texts]
        score = sentence_support(seg.text, "\n".join(cited)) if cited else 0.0
        out.append((seg.text, seg.ns, score))
    return out


def supported_share(scores: list[tuple[str, list[int], float]], threshold: float = SUPPORT_THRESHOLD) -> float | None:
    """Share of the sentences scoring at least ``threshold`` (None for an answer with no sentences)."""
    if not scores:
        return None
    return sum(1 for _, _, s in scores if s >= threshold) / len(scores)
