"""Names an English question spells in pinyin, found in the indexed documents ("Xiong'an" → 雄安).

An English question names places, zones and programmes the English–Chinese glossary cannot hold: every
new area, port, county or pilot zone a deployment's documents mention ("Boao Lecheng", "Xiong'an",
"Qianhai"). Such names are written in pinyin. :class:`RomanisedNames` reads the words of the indexed
documents (the keyword index's vocabulary) and finds, for a capitalised word of the question that is
pinyin, the documents' words that read so. The readings come from ``pypinyin``; nothing here is fitted
to one corpus.

Only capitalised words count (names), never the question's first word ("Under", "Which"), and a word
must split wholly into pinyin syllables, and a match must be one word of the documents (jieba cuts "上还"
in two). A reading may be shared ("Shanghai": 上海, 伤害): the proper names among the words (jieba's place,
person and other name tags) are kept when there are any, else all of them, as spellings of one group.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

_WORD_RE = re.compile(r"[A-Z][a-z]+(?:['’\-][a-z]+)*")
_CJK_WORD_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_MAX_SPELLINGS = 6  # a reading shared by more of the documents' words names nothing in particular
_MAX_COMBINATIONS = 20000
_NAME_TAGS = ("ns", "nr", "nz", "nt")  # jieba's tags of places, people, other proper names, organisations


@lru_cache(maxsize=1)
def _readings() -> dict[str, tuple[str, ...]]:
    """Each Chinese character's toneless readings, commonest first ("长": zhang, chang), from pypinyin's table
    of single characters. The file is read directly: importing the package loads its phrase tables (about
    50 MB resident) that nothing here needs."""
    import importlib.util
    import json
    import unicodedata
    from pathlib import Path

    spec = importlib.util.find_spec("pypinyin")
    table = json.loads((Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json").read_text(encoding="utf-8"))

    def toneless(reading: str) -> str:
        plain = unicodedata.normalize("NFKD", reading.replace("ü", "v"))
        return "".join(c for c in plain if not unicodedata.combining(c))

    return {chr(int(code)): tuple(toneless(r) for r in value.split(",") if r) for code, value in table.items()}


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (from pypinyin's table of single characters)."""
    out = {r for readings in _readings().values() for r in readings}
    # Syllables with a vowel only: 嗯's "n" or 呣's "m" would split any name.
    return frozenset(s for s in out if s.isascii() and s.isalpha() and re.search(r"[aeiouv]", s))


def _split(key: str, syllables: frozenset[str]) -> list[list[str]]:
    """Every way ``key`` ("xiongan") splits wholly into syllables (["xiong", "an"], ["xi", "ong", "an"] …)."""
    out: list[list[str]] = []

    def walk(at: int, parts: list[str]) -> None:
        if len(out) >= 8:
            return
        if at == len(key):
            if 2 <= len(parts) <= 4:
                out.append(list(parts))
            return
        for end in range(min(len(key), at + 6), at, -1):
            if key[at:end] in syllables:
                walk(end, parts + [key[at:end]])

    walk(0, [])
    return out


class RomanisedNames:
    """The documents' words (2–4 Chinese characters) by their pinyin reading, found on demand."""

    def __init__(self, vocabulary) -> None:
        self.words = frozenset(w for w in vocabulary if _CJK_WORD_RE.match(w))
        self._chars: dict[str, set[str]] | None = None

    def _by_syllable(self) -> dict[str, set[str]]:
        """The documents' characters by their toneless readings, worked out on first use."""
        if self._chars is None:
            readings = _readings()
            chars: dict[str, set[str]] = {}
            for ch in {c for w in self.words for c in w}:
                # A character's two commonest readings (长: zhang, chang); rarer ones (能 read xiong) are noise.
                for reading in readings.get(ch, ())[:2]:
                    chars.setdefault(reading, set()).add(ch)
            self._chars = chars
        return self._chars

    def spellings(self, name: str) -> tuple[str, ...]:
        """The documents' words that read as ``name`` ("Xiong'an", "Boao"), or ()."""
        key = re.sub(r"['’\-\s]", "", name.lower())
        if not key.isalpha() or not key.isascii():
            return ()
        by = self._by_syllable()
        found: list[str] = []
        for parts in _split(key, _syllables()):
            options = [sorted(by.get(p, ())) for p in parts]
            if not all(options):
                continue
            total = 1
            for o in options:
                total *= len(o)
            if total > _MAX_COMBINATIONS:
                continue
            found += ["".join(c) for c in product(*options) if "".join(c) in self.words]
        # A word of the documents, not two characters side by side ("上还"); names before other words (上海
        # before 伤害, 深圳 before 审慎).
        from rag.wordcut import posseg

        tagged = {w: cut[0].flag for w in dict.fromkeys(found) if len(cut := posseg().lcut(w)) == 1}
        names = [w for w, flag in tagged.items() if flag in _NAME_TAGS]
        found = names or list(tagged)
        return tuple(found) if 0 < len(found) <= _MAX_SPELLINGS else ()

    def groups(self, question: str, known=lambda word: False) -> list[tuple[str, ...]]:
        """The Chinese spellings of the pinyin names a question writes, one group per name: each capitalised
        word after the first, less those ``known`` says the glossary already reads."""
        found = [(m.start(), m.group(0)) for m in _WORD_RE.finditer(question)]
        out: list[tuple[str, ...]] = []
        for i, (start, word) in enumerate(found):
            if start == 0 or known(word):
                continue
            spelt = self.spellings(word)
            if spelt:
                out.append(spelt)
        return list(dict.fromkeys(out))


_SOURCES: list[RomanisedNames] = []


def register(vocabulary) -> None:
    """Read pinyin names against ``vocabulary`` (an index's words) from now on, in place of any earlier
    vocabulary (one index is served at a time per process)."""
    from rag.glossary import forget_cached_terms

    _SOURCES[:] = [RomanisedNames(vocabulary)]
    forget_cached_terms()


def name_groups(question: str, known=lambda word: False) -> list[tuple[str, ...]]:
    """:meth:`RomanisedNames.groups` against the registered vocabulary (none registered: [])."""
    return _SOURCES[0].groups(question, known) if _SOURCES else []
