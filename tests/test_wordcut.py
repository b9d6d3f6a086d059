"""jieba opened from the compiled trie (rag.wordcut) cuts exactly as jieba with its own dictionary.

The product's keyword index, its gate and its question analysis all use jieba's words and
part-of-speech tags; the trie only changes how the dictionary is held. Checked on the whole
bundled corpus and the evaluation questions, against a jieba tokenizer that loaded its own dict.
"""

from __future__ import annotations

import json

import jieba
import jieba.posseg
import pytest

from conftest import CORPUS, ROOT
from rag import wordcut


@pytest.fixture(scope="module")
def texts() -> list[str]:
    docs = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.iterdir()) if p.suffix in (".txt", ".md")]
    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "questions.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    assert docs and len(questions) > 300
    return docs + questions


@pytest.fixture(scope="module")
def own_dictionary():
    """A jieba tokenizer (and tagger) that loaded jieba's dictionary the usual way."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    assert isinstance(tokenizer.FREQ, dict)
    return tokenizer, jieba.posseg.POSTokenizer(tokenizer)


def test_the_product_uses_the_trie():
    j = wordcut.jieba_ready()
    assert isinstance(j.dt.FREQ, wordcut.Frequencies)
    assert isinstance(wordcut.posseg().dt.word_tag_tab, wordcut.Tags)


def test_search_words_are_jiebas(texts, own_dictionary):
    reference, _ = own_dictionary
    j = wordcut.jieba_ready()
    for text in texts:
        assert j.lcut_for_search(text) == reference.lcut_for_search(text)
        assert j.lcut(text) == reference.lcut(text)


def test_parts_of_speech_are_jiebas(texts, own_dictionary):
    _, reference = own_dictionary
    tagger = wordcut.posseg()
    for text in texts:
        assert [(w.word, w.flag) for w in tagger.lcut(text)] == [(w.word, w.flag) for w in reference.lcut(text)]


def test_lookups_answer_as_jiebas_dict(own_dictionary):
    reference, _ = own_dictionary
    freq = wordcut.jieba_ready().dt.FREQ
    for key in ("友好城市", "友好", "友", "中华人民共和", "湖南省", "不存在的词语组合", "a"):
        assert (key in freq) == (key in reference.FREQ)
        assert freq.get(key) == reference.FREQ.get(key)
    assert wordcut.jieba_ready().dt.total == reference.total


def test_a_damaged_compiled_dictionary_is_compiled_again(tmp_path):
    folder = wordcut.prepare(tmp_path)
    assert wordcut._open(folder)[3]["keys"] > 400_000
    (folder / "freq.u32").write_bytes(b"\0" * 16)  # truncated: refused, never read wrong
    with pytest.raises(ValueError, match="incomplete"):
        wordcut._open(folder)
    trie, freqs, _, meta = wordcut.load(tmp_path)
    assert len(freqs) == len(trie) == meta["keys"] and freqs[trie.key_id("友好")] > 0
