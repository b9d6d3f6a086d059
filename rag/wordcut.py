"""jieba, opened in a few milliseconds: its dictionary as a memory-mapped trie.

jieba keeps its dictionary in Python dicts: word frequencies with every prefix of
every word (500k entries, 1.2 s and ~80 MB to load from its cache) and, for
part-of-speech tags, one more dict read from its text file (0.4 s, ~45 MB). A
process that answers one question from the shell pays both before it starts.

Here the same dictionary is compiled once into a ``marisa_trie.Trie`` of the
words and their prefixes, with the frequency and tag of each key in flat arrays
beside it (``prepare`` writes them; ~4 MB, about 2 s). Opening them maps the
files and builds nothing, and jieba is handed mappings that answer exactly as its
dicts do — a key is present when it is a word or a word's prefix, its frequency
is 0 when it is only a prefix — so every cut is the one jieba makes with its own
dicts (checked word for word on the corpora). Lookups cost ~1 µs instead of
~0.1 µs, which a question never notices and an ingest pays a few seconds for.

When the folder cannot be written (a read-only install), jieba loads its own
dictionary as usual: slower, the same words.
"""

from __future__ import annotations

import array
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from rag.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

#: Where the compiled dictionary lives (one sub-folder per source dictionary).
WORDS_DIR = PROJECT_ROOT / "models" / "jieba-words"

_TRIE, _FREQ, _TAGS, _META = "words.marisa", "freq.u32", "tags.u8", "meta.json"
_lock = threading.Lock()


class Frequencies:
    """jieba's ``FREQ`` dict, read from the trie: ``key in f`` for words and prefixes, ``f.get(word)``."""

    __slots__ = ("_trie", "_freq")

    def __init__(self, trie, freq: array.array) -> None:
        self._trie, self._freq = trie, freq

    def __contains__(self, key: str) -> bool:
        return key in self._trie

    def __getitem__(self, key: str) -> int:
        i = self._trie.get(key)
        if i is None:
            raise KeyError(key)
        return self._freq[i]

    def get(self, key: str, default=None):
        """The frequency of ``key`` (0 for a prefix that is no word), ``default`` when absent."""
        i = self._trie.get(key)
        return default if i is None else self._freq[i]

    def __setitem__(self, key: str, value: int) -> None:
        raise TypeError("The compiled dictionary is read-only; words cannot be added to it.")


class Tags:
    """jieba.posseg's ``word_tag_tab`` dict, read from the trie: ``t.get(word, default)``."""

    __slots__ = ("_trie", "_codes", "_names")

    def __init__(self, trie, codes: bytes, names: list[str]) -> None:
        self._trie, self._codes, self._names = trie, codes, names

    def get(self, key: str, default=None):
        """The part-of-speech tag of the word ``key``, ``default`` when it is no word."""
        i = self._trie.get(key)
        if i is None or not self._codes[i]:
            return default
        return self._names[self._codes[i] - 1]

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def update(self, other) -> None:
        if other:
            raise TypeError("The compiled dictionary is read-only; words cannot be added to it.")


def _dictionary_bytes() -> bytes:
    import jieba

    with jieba.dt.get_dict_file() as f:
        return f.read()


def prepare(dest: Path = WORDS_DIR) -> Path:
    """Compile jieba's dictionary into ``dest/<hash>/`` (done once; returns the folder)."""
    raw = _dictionary_bytes()
    folder = dest / hashlib.sha256(raw).hexdigest()[:16]
    if (folder / _META).exists():
        return folder
    import marisa_trie

    freq: dict[str, int] = {}
    tag: dict[str, str] = {}
    total = 0
    for line in raw.decode("utf-8").splitlines():
        parts = line.strip().split(" ")
        if len(parts) < 2:
            continue
        freq[parts[0]] = int(parts[1])  # jieba's rule: a word listed twice keeps its last frequency
        total += int(parts[1])
        if len(parts) > 2:
            tag[parts[0]] = parts[2]
    keys = set(freq)
    for word in freq:
        keys.update(word[:i] for i in range(1, len(word)))
    trie = marisa_trie.Trie(keys)
    names = sorted(set(tag.values()))
    code = {name: n for n, name in enumerate(names, start=1)}
    freqs = array.array("I", bytes(4 * len(trie)))
    tags = bytearray(len(trie))
    for word, f in freq.items():
        i = trie.key_id(word)
        freqs[i] = f
        tags[i] = code.get(tag.get(word, ""), 0)
    dest.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".words-", dir=dest))
    try:
        trie.save(str(tmp / _TRIE))
        (tmp / _FREQ).write_bytes(freqs.tobytes())
        (tmp / _TAGS).write_bytes(bytes(tags))
        (tmp / _META).write_text(json.dumps({"total": total, "tags": names, "keys": len(trie)}), encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:  # another process compiled it meanwhile
            if not (folder / _META).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _open(folder: Path):
    import marisa_trie

    meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    trie = marisa_trie.Trie()
    trie.mmap(str(folder / _TRIE))
    freqs = array.array("I")
    freqs.frombytes((folder / _FREQ).read_bytes())
    codes = (folder / _TAGS).read_bytes()
    if len(trie) != meta["keys"] or len(freqs) != len(trie) or len(codes) != len(trie):
        raise ValueError(f"compiled dictionary in {folder} is incomplete")
    return trie, freqs, codes, meta


def load(dest: Path = WORDS_DIR):
    """The compiled dictionary in ``dest`` (trie, frequencies, tag codes, meta), compiled when missing and
    again when its files are damaged."""
    folder = prepare(dest)
    try:
        return _open(folder)
    except (OSError, ValueError) as exc:
        log.warning("compiling jieba's dictionary again (%s)", exc)
        shutil.rmtree(folder, ignore_errors=True)
        return _open(prepare(dest))


@lru_cache(maxsize=1)
def _compiled():
    """The compiled dictionary, or None when it cannot be had."""
    try:
        return load()
    except Exception as exc:  # read-only folder: jieba's own loading still works
        log.info("jieba's dictionary is loaded the slow way (%s)", exc)
        return None


@lru_cache(maxsize=1)
def jieba_ready():
    """The ``jieba`` module with its default dictionary loaded (from the trie when possible)."""
    import jieba

    with _lock:
        jieba.setLogLevel(logging.WARNING)
        if not jieba.dt.initialized:
            compiled = _compiled()
            if compiled is not None:
                trie, freqs, _, meta = compiled
                jieba.dt.FREQ = Frequencies(trie, freqs)
                jieba.dt.total = meta["total"]
                jieba.dt.initialized = True
            else:
                jieba.initialize()
    return jieba


def word_frequency(word: str) -> int:
    """How often jieba's dictionary counts ``word`` (0 when it is no word of the language: "能扣", "一全")."""
    return jieba_ready().dt.FREQ.get(word) or 0


@lru_cache(maxsize=1)
def posseg():
    """``jieba.posseg`` with its word tags read from the trie (its import would read the dictionary file)."""
    jieba = jieba_ready()
    compiled = _compiled()
    if compiled is None:
        import jieba.posseg

        return jieba.posseg
    trie, _, codes, meta = compiled
    # jieba.posseg builds its default tagger at import, reading every tag from the
    # dictionary file; it is handed an empty file and given the trie's tags instead.
    jieba.dt.get_dict_file = lambda: io.BytesIO(b"")
    try:
        import jieba.posseg
    finally:
        del jieba.dt.get_dict_file
    jieba.posseg.dt.word_tag_tab = Tags(trie, codes, meta["tags"])
    return jieba.posseg
