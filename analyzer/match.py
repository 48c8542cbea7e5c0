"""Match stage: contract articles × reference clauses → one-to-one Match list, by content.

Candidate units are whole articles (optionally without trailing unnumbered
text), single numbered paragraphs (two clauses merged into one article) and
pairs of consecutive articles (one clause split in two). TF-IDF over character
n-grams retrieves a few candidates per reference clause; rapidfuzz scores them
on the comparison form; a greedy assignment by score keeps it one-to-one and
never uses a contract paragraph twice, so reordering and renumbering do not
matter.
"""
from __future__ import annotations

import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from .model import Clause, Document, Match, ReferenceSet, ReferenceVersion
from .normalize import Comparable, concat_comparables, normalize_spans
from .segment import operative_spans
from .settings import Settings

Unit = tuple[tuple[int, int, int], ...]  # ((clause index, first block, end block), …)


@dataclass(frozen=True)
class ContractText:
    """Comparison forms of every block of every article of one contract."""

    documents: tuple[Document, ...]
    clauses: tuple[Clause, ...]
    blocks: tuple[tuple[Comparable, ...], ...]  # per clause, per paragraph block
    # Unit forms already built: identification scores the same units against every set and version.
    _units: dict = field(default_factory=dict, compare=False, repr=False)

    def unit_comparable(self, unit: Unit) -> Comparable:
        form = self._units.get(unit)
        if form is None:
            form = self._units[unit] = concat_comparables([b for ci, a, e in unit for b in self.blocks[ci][a:e]])
        return form


def prepare_contract(documents: list[Document], clauses: list[Clause], settings: Settings) -> ContractText:
    blocks = tuple(
        tuple(normalize_spans(documents[c.doc_index].text, para, settings) for para in c.paragraphs) for c in clauses
    )
    return ContractText(tuple(documents), tuple(clauses), blocks)


def candidate_units(contract: ContractText) -> list[Unit]:
    units: list[Unit] = []
    clauses = contract.clauses
    for ci, clause in enumerate(clauses):
        n = len(clause.paragraphs)
        if n == 0:
            continue
        soft = clause.soft or (False,) * n
        ends = sorted({n} | {k for k in range(1, n) if soft[k]})
        units.extend(((ci, 0, e),) for e in ends)
        hard = [k for k in range(n) if not soft[k]]
        if len(hard) > 1:
            for idx, a in enumerate(hard):
                e = hard[idx + 1] if idx + 1 < len(hard) else n
                if (a, e) != (0, n):
                    units.append(((ci, a, e),))
        if ci + 1 < len(clauses) and clauses[ci + 1].doc_index == clause.doc_index and clauses[ci + 1].paragraphs:
            units.append(((ci, 0, n), (ci + 1, 0, len(clauses[ci + 1].paragraphs))))
    return units


def _unit_blocks(unit: Unit) -> set[tuple[int, int]]:
    return {(ci, k) for ci, a, e in unit for k in range(a, e)}


def similarity(a: str, b: str) -> float:
    """rapidfuzz ratio of two comparison forms, 0..1."""
    if not a and not b:
        return 1.0
    return fuzz.ratio(a, b) / 100.0


RefForms = dict[tuple[str, str], tuple[Comparable, ...]]


_FORMS_CACHE: dict[tuple, RefForms] = {}


def reference_forms(ref_set: ReferenceSet, settings: Settings) -> RefForms:
    """Comparison forms of every wording of every clause: (version, clause id) → forms, in ``wordings()`` order.

    Cached per process by the version files and their modification times: a
    scan or an identification compares many contracts with the same references.
    """
    key = (ref_set.id, settings, tuple((v.version, v.path, _mtime(v.path)) for v in ref_set.versions))
    if key not in _FORMS_CACHE:
        _FORMS_CACHE[key] = _reference_forms(ref_set, settings)
    return _FORMS_CACHE[key]


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _reference_forms(ref_set: ReferenceSet, settings: Settings) -> RefForms:
    return {
        (v.version, c.id): tuple(normalize_spans(w, operative_spans(w), settings) for w in c.wordings())
        for v in ref_set.versions
        for c in v.clauses
    }


@lru_cache(maxsize=8192)  # the same contract units are scored against every candidate set and version
def _char_ngrams(text: str, ngram_range: tuple[int, int]) -> Counter[str]:
    text = _WHITESPACE.sub(" ", text.lower())
    lo, hi = ngram_range
    return Counter(text[i : i + n] for n in range(lo, hi + 1) for i in range(len(text) - n + 1))


_WHITESPACE = re.compile(r"\s\s+")


@lru_cache(maxsize=4)
def _doc_side(docs: tuple[str, ...], ngram_range: tuple[int, int]):
    """The documents' n-gram vocabulary, 1 + log tf matrix and document frequencies (kept per contract)."""
    import numpy as np

    counts = [_char_ngrams(t, ngram_range) for t in docs]
    vocab: dict[str, int] = {}
    for c in counts:
        for gram in c:
            vocab.setdefault(gram, len(vocab))
    tf = np.zeros((len(docs), max(1, len(vocab))))
    for row, c in enumerate(counts):
        if c:
            tf[row, [vocab[g] for g in c]] = [1.0 + math.log(k) for k in c.values()]
    return vocab, tf, np.count_nonzero(tf, axis=0)


def tfidf_similarities(queries: list[str], docs: list[str], ngram_range: tuple[int, int]):
    """Cosine similarities (queries × docs) of character n-gram TF-IDF vectors fitted on both.

    The weighting of scikit-learn's ``TfidfVectorizer(analyzer="char", sublinear_tf=True)``
    (1 + log tf, smoothed idf, l2 norm) in numpy alone: the candidate prefilter then
    costs no scikit-learn import (about 1 s of every ``tokki check``). The documents'
    side is computed once per contract and reused for every set and version scored.
    """
    import numpy as np

    vocab, doc_tf, doc_df = _doc_side(tuple(docs), ngram_range)
    q_counts = [_char_ngrams(t, ngram_range) for t in queries]
    n = len(docs) + len(queries)
    q_df = Counter(g for c in q_counts for g in c)
    df = doc_df.astype(np.float64)
    for g, k in q_df.items():
        if g in vocab:
            df[vocab[g]] += k
    idf = np.log((1 + n) / (1 + df)) + 1.0
    docs_w = doc_tf * idf
    doc_norms = np.linalg.norm(docs_w, axis=1)
    q_w = np.zeros((len(queries), docs_w.shape[1]))
    q_norms = np.zeros(len(queries))
    for row, c in enumerate(q_counts):
        sq = 0.0
        for g, k in c.items():
            j = vocab.get(g)
            g_idf = idf[j] if j is not None else math.log((1 + n) / (1 + q_df[g])) + 1.0
            w = (1.0 + math.log(k)) * g_idf
            sq += w * w
            if j is not None:
                q_w[row, j] = w
        q_norms[row] = math.sqrt(sq)
    sims = q_w @ docs_w.T
    denom = np.outer(np.where(q_norms == 0, 1.0, q_norms), np.where(doc_norms == 0, 1.0, doc_norms))
    return sims / denom


def match_clauses(
    contract: ContractText,
    ref_set: ReferenceSet,
    version: ReferenceVersion,
    ref_forms: RefForms,
    settings: Settings,
) -> tuple[dict[str, Match], dict[str, float]]:
    """(clause id → Match for the clauses of ``version`` found, clause id → best score seen)."""
    units = candidate_units(contract)
    if not units:
        return {}, {}
    unit_texts = [contract.unit_comparable(u).text for u in units]
    clause_ids = [c.id for c in version.clauses]
    # Every version's wording of a clause is a way to find it (an old 第15 is still 第15).
    variants = {
        cid: [f.text for v in ref_set.versions for f in ref_forms.get((v.version, cid), ())]
        for cid in clause_ids
    }
    queries = [" ".join(variants[cid]) for cid in clause_ids]
    sims = tfidf_similarities(queries, unit_texts, settings.ngram_range)

    scored: list[tuple[float, str, int]] = []
    k = min(settings.candidates, len(units))
    for qi, cid in enumerate(clause_ids):
        for ui in sims[qi].argsort()[::-1][:k]:
            score = max(similarity(t, unit_texts[ui]) for t in variants[cid])
            scored.append((score, cid, int(ui)))
    scored.sort(key=lambda x: (-x[0], clause_ids.index(x[1]), x[2]))

    best: dict[str, float] = {}
    for score, cid, _ in scored:
        best.setdefault(cid, score)
    # Pass 1 finds where the 特記事項 sit: the span of articles matched with
    # near-certainty. Pass 2 then accepts a weaker match only inside that span,
    # so a body article on the same topic (秘密の保持, 再委託の制限, 調査等) is not
    # taken for a clause that the annex lacks.
    # The article just before (after) the span is also taken, for a reference clause that comes
    # before (after) every near-certain one, in the same document: the first or last article of
    # the 特記事項, reworded, lies there (a reworded 第1 was otherwise reported missing).
    first = _assign(scored, units, settings.min_similarity)
    strong = {cid: units[m.units_index][0][0] for cid, m in first.items() if m.score >= settings.strong_similarity}
    if strong:
        lo, hi = min(strong.values()), max(strong.values())
        order = {cid: i for i, cid in enumerate(clause_ids)}
        first_ref, last_ref = min(order[c] for c in strong), max(order[c] for c in strong)
        doc_of = [c.doc_index for c in contract.clauses]

    def allowed(score: float, cid: str, ui: int) -> bool:
        # With no near-certain match anywhere there is no 特記事項 to anchor on:
        # a lone article on a similar topic is not taken for one.
        if score >= settings.strong_similarity:
            return True
        if not strong:
            return False
        cis = {ci for ci, _, _ in units[ui]}
        if all(lo <= ci <= hi for ci in cis):
            return True
        if cis == {lo - 1}:
            return order[cid] < first_ref and doc_of[lo - 1] == doc_of[lo]
        if cis == {hi + 1}:
            return order[cid] > last_ref and doc_of[hi + 1] == doc_of[hi]
        return False

    matches = _assign([x for x in scored if allowed(*x)], units, settings.min_similarity)
    return {cid: Match(cid, units[m.units_index], m.score) for cid, m in matches.items()}, best


@dataclass(frozen=True)
class _Pick:
    units_index: int
    score: float


def _assign(scored: list[tuple[float, str, int]], units: list[Unit], threshold: float) -> dict[str, _Pick]:
    """Greedy one-to-one assignment by descending score; no contract paragraph is used twice."""
    picks: dict[str, _Pick] = {}
    used: set[tuple[int, int]] = set()
    for score, cid, ui in scored:
        if score < threshold:
            break
        if cid in picks:
            continue
        blocks = _unit_blocks(units[ui])
        if blocks & used:
            continue
        used |= blocks
        picks[cid] = _Pick(ui, score)
    return picks
