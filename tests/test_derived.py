"""Derived data kept on disk (rag.derived): computed once per inputs, read back after, the same value."""

from __future__ import annotations

from rag.derived import cached
from rag.places import english_names


def test_a_value_is_computed_once_per_inputs(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"重庆": "chongqing"}

    assert cached("t", {"v": 1}, compute, tmp_path) == {"重庆": "chongqing"}
    assert cached("t", {"v": 1}, compute, tmp_path) == {"重庆": "chongqing"}
    assert len(calls) == 1
    cached("t", {"v": 2}, compute, tmp_path)  # other inputs: computed afresh
    assert len(calls) == 2


def test_a_damaged_file_is_computed_again(tmp_path):
    cached("t", [1], lambda: [1, 2], tmp_path)
    (path,) = tmp_path.glob("t-*.json")
    path.write_text("{not json", encoding="utf-8")
    assert cached("t", [1], lambda: [1, 2], tmp_path) == [1, 2]


def test_place_names_keep_their_readings():
    names = dict(english_names())
    # polyphonic characters read as in the place's name (pypinyin's phrase dictionary)
    assert names["chongqing"].name == "重庆" and names["changsha"].name == "长沙" and names["xiamen"].name == "厦门"
    assert "zhongqing" not in names and "zhangsha" not in names
