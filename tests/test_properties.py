"""Properties on arbitrary Unicode: normalize, segment and match never raise; normalization is idempotent.

"Arbitrary Unicode" is every scalar value (surrogate code points excluded: no decoder
tokki uses can produce one). Idempotent means for the comparison form:
normalize(normalize(x).text).text == normalize(x).text — folding an already folded
text changes nothing, so a stored comparison form can be compared again.
"""
from __future__ import annotations

from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.match import match_clauses, prepare_contract, reference_forms
from analyzer.model import Document
from analyzer.normalize import normalize_text
from analyzer.references import load_reference_library, resolve_reference
from analyzer.segment import segment_documents
from analyzer.settings import default_settings

S = default_settings()
UNICODE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
# Arbitrary text with contract structure mixed in, so segment and match see articles, items and headings.
PIECES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["第1 ", "第２条　", "第 1 5 ", "第十四 ", "\n", "（調査）\n", "2 ", "(1) ", "① ", "ア ", "別記\n",
                     "保有個人情報取扱特記事項\n", "乙は、甲の承諾なしに", "しなければならない。", "することができる。",
                     "\f", "\r\n", "\u3000", "\ufeff", "\u200b", "𠮷", "ｶﾞ", "㍻", "①②", "漏洩", "き損"]),
)
STRUCTURED = st.lists(PIECES, max_size=60).map("".join)


@lru_cache(maxsize=1)
def _fukuoka():
    library = load_reference_library([])
    ref_set, version = resolve_reference(library, "fukuoka-pref")
    return ref_set, version, reference_forms(ref_set, S)


@given(UNICODE)
def test_properties_normalize_never_raises_and_is_idempotent(text):
    once = normalize_text(text, S).text
    assert normalize_text(once, S).text == once


@given(STRUCTURED)
def test_properties_normalize_idempotent_on_contract_like_text(text):
    once = normalize_text(text, S).text
    assert normalize_text(once, S).text == once


@given(st.one_of(UNICODE, STRUCTURED))
def test_properties_segment_never_raises_and_stays_in_bounds(text):
    docs = [Document("a.txt", "txt", text), Document("b.txt", "txt", text[::-1])]
    for clause in segment_documents(docs):
        n = len(docs[clause.doc_index].text)
        assert 0 <= clause.start <= clause.end <= n
        assert all(0 <= s.start <= s.end <= n for s in clause.spans)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(UNICODE, STRUCTURED))
def test_properties_match_never_raises(text):
    ref_set, version, forms = _fukuoka()
    docs = [Document("x.txt", "txt", text)]
    clauses = segment_documents(docs)
    contract = prepare_contract(docs, clauses, S)
    matches, best = match_clauses(contract, ref_set, version, forms, S)
    assert set(matches) <= {c.id for c in version.clauses}
    assert all(0.0 <= v <= 1.0 + 1e-9 for v in best.values())
