"""Pinyin names in English questions read against the documents' own words (rag.romanised)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.cleaning import clean_document
from rag.keyword import index_tokens
from rag.loaders import load_document
from rag.romanised import RomanisedNames

CORPUS = Path(__file__).resolve().parents[1] / "eval" / "corpora" / "multidoc"


@pytest.fixture(scope="module")
def names() -> RomanisedNames:
    # The words of real documents: the Xiong'an master plan's approval and two provincial reports.
    texts = [clean_document(load_document(CORPUS / path)).text for path in (
        "gov-cn-2019/gov-cn-5354222.html", "gwr-provinces-2025/gwr-2025-shanghai.docx",
        "gwr-provinces-2025/gwr-2025-guangxi.docx")]
    return RomanisedNames({t for text in texts for t in index_tokens(text)})


def test_a_name_in_pinyin_finds_the_documents_word(names):
    assert names.spellings("Xiong'an") == ("雄安",)
    assert "南宁" in names.spellings("Nanning")


def test_a_place_name_wins_over_a_common_word_that_reads_the_same(names):
    # 上海 and 伤害 both read "shanghai"; a capitalised word names a place.
    assert names.spellings("Shanghai") == ("上海",)


def test_english_words_and_the_first_word_are_not_names(names):
    assert names.spellings("China") == () and names.spellings("Council") == ()
    groups = names.groups("Xiong'an: what share of the new area stays blue-green? Ask Nanning too.")
    assert ("雄安",) not in groups and any("南宁" in g for g in groups)


def test_the_names_read_are_the_served_indexs_words(documents_assistant):
    # The assistant registers its index's words; the national reports it holds name 雄安 (新区).
    from rag.glossary import term_groups
    from rag.romanised import register

    vocabulary = documents_assistant.index.keyword.vocabulary()
    try:
        register(vocabulary)
        assert "雄安" in vocabulary
        assert ("雄安",) in term_groups("What does the Xiong'an plan say?")
        # An index without the word reads nothing for the name.
        register([w for w in vocabulary if "雄安" not in w])
        assert not any("雄安" in g for g in term_groups("What does the Xiong'an plan say?"))
    finally:
        register(vocabulary)
