"""Normalization: variants compare equal, real differences do not, offsets map back to the original."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzer.model import Span
from analyzer.normalize import normalize_spans, normalize_text
from analyzer.settings import default_settings

S = default_settings()

# (contract text, reference text) that must compare equal.
EQUAL = [
    ("保有個人情報の漏洩", "保有個人情報の漏えい"),
    ("滅失又はき損の防止", "滅失又は毀損の防止"),
    ("個人情報を取り扱う", "個人情報を取扱う"),
    ("その取り扱いを委託", "その取扱いを委託"),
    ("第６６条第２項", "第66条第2項"),
    ("乙は，甲の承諾なしに複写してはならない．", "乙は、甲の承諾なしに複写してはならない。"),
    ("受託者は、委託者の指示に従う", "乙は、甲の指示に従う"),
    ("受注者は、発注者の指示に従う", "乙は、甲の指示に従う"),
    ("令 和 5 年 1 0 月 1 0 日", "令和5年10月10日"),
    ("アクセスすることがないように、また", "アクセスすることがないよう、また"),
    ("報告若\nしくは資料", "報告若しくは資料"),
    ("ＡＢＣ（株）", "ABC(株)"),
    ("県は、乙に対し", "甲は、乙に対し"),
]

# Pairs that differ in substance and must stay different.
DIFFERENT = [
    ("調査等を行うものとする", "調査等をすることができるものとする"),
    ("直ちに報告する", "報告する"),
    ("複写してはならない", "複写することができる"),
    ("県民の個人情報", "甲民の個人情報"),
]


@pytest.mark.parametrize(("a", "b"), EQUAL)
def test_normalize_variants_compare_equal(a, b):
    assert normalize_text(a, S).text == normalize_text(b, S).text


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_normalize_substance_stays_different(a, b):
    assert normalize_text(a, S).text != normalize_text(b, S).text


def test_normalize_maps_back_to_the_original():
    original = "前文。第15　甲は、乙に対し、随時実地の調査等をすることができるものとする。"
    start = original.index("甲")
    comp = normalize_spans(original, [Span(start, len(original))], S)
    i = comp.text.index("することができる")
    span = comp.original_span(i, i + len("することができる"))
    assert original[span[0] : span[1]] == "することができる"


def test_normalize_maps_folded_words_to_their_written_form():
    original = "保有個人情報の漏えい、滅失又はき損"
    comp = normalize_text(original, S)
    i = comp.text.index("毀損")
    s, e = comp.original_span(i, i + 2)
    assert original[s:e] == "き損"


@given(st.text(max_size=200))
def test_normalize_never_raises_and_offsets_are_in_bounds(text):
    comp = normalize_text(text, S)
    assert len(comp.map.starts) == len(comp.text) == len(comp.map.ends)
    assert all(0 <= s <= e <= len(text) for s, e in zip(comp.map.starts, comp.map.ends))
    assert all(w.start < w.end <= len(comp.text) for w in comp.words)
