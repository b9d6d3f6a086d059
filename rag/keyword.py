"""The keyword half of retrieval: BM25 over jieba words and character bigrams (bm25s).

Dense retrieval misses exact terms (专栏 numbers, names, figures); BM25 finds
them. It is built from the same passages as the vector store and saved beside
the generation it belongs to, so the two never drift apart.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

logging.getLogger("jieba").setLevel(logging.WARNING)
logging.getLogger("bm25s").setLevel(logging.WARNING)

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TOKEN_KEEP_RE = re.compile(r"[\w\u3400-\u9fff]")

# Function words and question words that carry no topic.
STOPWORDS = frozenset(
    """的 了 和 与 及 或 在 是 有 对 为 以 等 将 把 被 从 到 于 也 都 就 而 并 其 之 这 那 个 些 中 上 下 我 我们 你 你们
    他 她 它 他们 吗 呢 吧 啊 呀 么 什么 怎么 怎样 如何 哪些 哪个 哪 多少 几 几个 是否 有没有 没有 能否 可以 能 会 要 想 请问
    一下 一些 关于 方面 情况 具体 主要 哪里 为什么 谁 还 又 再 给 让 向 跟 比 啥 咋 嘛 问 请 告诉 知道 说 提到 文件 规划 里 里面""".split()
)


# Words of conversation that name no topic ("对这块有支持的说法吗", "先说2035年，再说这五年",
# "两份材料里"). Kept out of a question's topic terms; BM25 keeps them (they cost it nothing).
FILLER_WORDS = frozenset(
    """这块 那块 这方面 这个 那个 这些 那些 这样 那样 这种 那种 东西 说法 讲法 借着 先说 再说 还是 已经 点名 到底 究竟
    一般 大概 比如 例如 其中 那边 这边 两份 材料 说的 怎么说 几条 哪条 哪几 哪几个 哪一 哪一个 一共 总共 分别 各自 具体
    老大难 头疼事 烦心事 麻烦事""".split()
)


def longest_common_substring(a: str, b: str) -> int:
    """Length of the longest common substring (dynamic programming, O(len a × len b))."""
    if not a or not b:
        return 0
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def has_cjk(text: str) -> bool:
    """True when the text contains Chinese characters."""
    return bool(_CJK_RE.search(text))


def is_chinese(question: str) -> bool:
    """A question written in Chinese: it has Chinese characters, and not merely a name among English words
    ("What grain output target did Shaanxi (陕西) set for 2025?" is English)."""
    cjk = len(_CJK_RE.findall(question))
    latin = len(re.findall(r"[A-Za-z]", question))
    return cjk > 0 and cjk * 4 >= latin


def _jieba():
    from rag.wordcut import jieba_ready

    return jieba_ready()


def noun_words(text: str, verbs: bool = False) -> list[tuple[str, str]]:
    """The nouns of ``text`` (jieba part-of-speech tags n*, vn, l, b and Latin words), and with ``verbs`` its
    verbs too, as (word, tag)."""
    from rag.wordcut import posseg

    keep = ("vn", "eng", "l", "b") + (("v",) if verbs else ())
    return [(w.word, w.flag) for w in posseg().lcut(text) if w.flag.startswith("n") or w.flag in keep]


def words(text: str) -> list[str]:
    """Search-mode jieba tokens, lower-cased, without punctuation (stop words kept). A short text (a term, a
    question's word) is cut once and remembered: the gate asks the same terms' parts of every sentence."""
    if len(text) <= _SHORT:
        return list(_short_words(text))
    return _cut(text)


_SHORT = 24


@lru_cache(maxsize=8192)
def _short_words(text: str) -> tuple[str, ...]:
    return tuple(_cut(text))


def _cut(text: str) -> list[str]:
    return [t for tok in _jieba().lcut_for_search(text) if (t := tok.strip().lower()) and _TOKEN_KEEP_RE.search(t)]


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens, lower-cased, without punctuation or stop words."""
    return [tok for tok in words(text) if tok not in STOPWORDS]


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each run of Chinese characters ("友好城市" → 友好 好城 城市)."""
    out = []
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+", text):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return [b for b in out if b not in STOPWORDS]


def index_tokens(text: str) -> list[str]:
    """What BM25 indexes and searches: jieba's words plus character bigrams.

    jieba sometimes cuts a term so that the question's cut never meets the
    passage's ("友城" vs "友好城市", "外事办" vs "外事办公室"); the bigrams still
    meet, and a term that both cut the same way counts twice.
    """
    return tokenize(text) + bigrams(text)


# How a saved keyword index was tokenised; a query must be cut the same way.
TOKENIZERS = {"jieba": tokenize, "jieba+bigram": index_tokens}
TOKENIZER = "jieba+bigram"


class KeywordIndex:
    """BM25 over a fixed list of passage ids; ``search`` returns (id, score) pairs."""

    def __init__(self, ids: list[str], retriever, tokenizer: str = TOKENIZER) -> None:
        self.ids = ids
        self._bm25 = retriever
        self.tokenizer = tokenizer
        self._tokens = TOKENIZERS[tokenizer]

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "KeywordIndex":
        """Index ``texts`` (one per id)."""
        import bm25s

        retriever = bm25s.BM25()
        corpus = [index_tokens(t) or ["\u2205"] for t in texts]
        if ids:
            retriever.index(corpus, show_progress=False)
        return cls(list(ids), retriever)

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (created)."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self._bm25.save(str(folder / "bm25"))
        (folder / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        (folder / "tokenizer.txt").write_text(self.tokenizer, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "KeywordIndex":
        """Read an index written by :meth:`save`."""
        import bm25s

        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        retriever = bm25s.BM25.load(str(folder / "bm25")) if ids else bm25s.BM25()
        marker = folder / "tokenizer.txt"
        # Indexes saved before the marker existed were cut by jieba alone.
        tokenizer = marker.read_text(encoding="utf-8").strip() if marker.exists() else "jieba"
        return cls(ids, retriever, tokenizer if tokenizer in TOKENIZERS else "jieba")

    def vocabulary(self) -> list[str]:
        """Every token the index holds (jieba's words and character bigrams of the passages)."""
        return list(self._bm25.vocab_dict) if self.ids else []

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top-``k`` passages for ``query``; ``allowed`` restricts to a set of ids."""
        tokens = self._tokens(query)
        if not tokens or not self.ids:
            return []
        vocab = self._bm25.vocab_dict
        tokens = [t for t in tokens if t in vocab]
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        order = np.argsort(-scores)
        out: list[tuple[str, float]] = []
        for i in order:
            if scores[i] <= 0:
                break
            pid = self.ids[i]
            if allowed is None or pid in allowed:
                out.append((pid, float(scores[i])))
                if len(out) >= k:
                    break
        return out
