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

import hashlib
import json
import re
import zlib
from importlib import metadata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from .ja.textmap import MappedText
from .model import Clause, Document, Match, ReferenceSet, ReferenceVersion, Span
from .normalize import Comparable, WordSpan, concat_comparables, normalize_spans
from .segment import operative_spans
from .settings import Settings
from .version import __version__

Unit = tuple[tuple[int, int, int], ...]  # ((clause index, first block, end block), …)


@dataclass(frozen=True)
class ContractText:
    """Comparison forms of every block of every article of one contract."""

    documents: tuple[Document, ...]
    clauses: tuple[Clause, ...]
    blocks: tuple[tuple[Comparable, ...], ...]  # per clause, per paragraph block
    # Built on first use and kept: identification scores the same units against every set and
    # version, and matching then reuses them (a contract is analysed by one thread).
    _units: dict = field(default_factory=dict, compare=False, repr=False)

    def unit_comparable(self, unit: Unit) -> Comparable:
        """The comparison form of a unit with its map and words (for the units judging quotes)."""
        form = self._units.get(unit)
        if form is None:
            form = self._units[unit] = concat_comparables([b for ci, a, e in unit for b in self.blocks[ci][a:e]])
        return form

    def unit_texts(self) -> list[str]:
        """The comparison text of every candidate unit (``units``), built once: matching needs the
        text alone, not the map and words of ``unit_comparable``."""
        if "texts" not in self._units:
            self._units["texts"] = [
                "".join(b.text for ci, a, e in u for b in self.blocks[ci][a:e]) for u in self.units()
            ]
        return self._units["texts"]

    def units(self) -> list[Unit]:
        """The candidate units (``candidate_units``), built once."""
        if "units" not in self._units:
            self._units["units"] = candidate_units(self)
        return self._units["units"]

    def unit_ngrams(self, ngram_range: tuple[int, int]) -> NgramTexts:
        """The candidate units' n-grams for the TF-IDF prefilter, built once per contract."""
        key = ("ngrams", ngram_range)
        if key not in self._units:
            self._units[key] = NgramTexts.of(self.unit_texts(), ngram_range)
        return self._units[key]

    def similarity(self, reference: str, unit_index: int) -> float:
        """``similarity`` of a reference wording and a candidate unit, kept: the versions of a set
        share most wordings, and identification scores every version."""
        key = ("score", reference, unit_index)
        score = self._units.get(key)
        if score is None:
            score = self._units[key] = similarity(reference, self.unit_texts()[unit_index])
        return score


def prepare_contract(documents: list[Document], clauses: list[Clause], settings: Settings) -> ContractText:
    blocks = tuple(
        tuple(normalize_spans(documents[c.doc_index].text, para, settings) for para in c.paragraphs) for c in clauses
    )
    return ContractText(tuple(documents), tuple(clauses), blocks)


# ---------------------------------------------------------------- kept between scans

# Bump when what ``dump_contract`` writes changes: stored forms of another format are made again.
FORMS_FORMAT = 1


def forms_made_with(settings: Settings) -> str:
    """What a contract's comparison forms depend on besides its text: the tool, the settings and the
    Sudachi dictionary. Stored forms made with anything else are made again."""
    versions = [__version__, str(FORMS_FORMAT), repr(settings)]
    for dist in ("sudachipy", "sudachidict_core"):
        try:
            versions.append(metadata.version(dist))
        except metadata.PackageNotFoundError:
            versions.append("-")
    return hashlib.sha256("|".join(versions).encode()).hexdigest()


def dump_contract(contract: ContractText) -> bytes:
    """The articles and their comparison forms (not the documents: the store keeps them): a scan keeps
    them so that a re-judge neither segments nor normalizes again.

    Compressed JSON (the articles, the forms' texts, the part-of-speech names) followed by one
    compressed int32 array of differences (per block: the map's starts and ends, then the words' starts, ends,
    part of speech and kana flag), four bytes giving the JSON part's length first."""
    pos_names: dict[str, int] = {}
    ints: list[int] = []
    texts = []
    for blocks in contract.blocks:
        row = []
        for b in blocks:
            ints.extend(b.map.starts)
            ints.extend(b.map.ends)
            if b.words:
                starts, ends, pos, kana = zip(*b.words)
                ints.extend(starts)
                ints.extend(ends)
                ints.extend([pos_names.setdefault(p, len(pos_names)) for p in pos])
                ints.extend(kana)
            row.append([b.text, len(b.words)])
        texts.append(row)
    head = {
        "format": FORMS_FORMAT,
        "clauses": [
            [c.doc_index, c.label, c.number, c.heading, c.start, c.end,
             [[[sp.start, sp.end] for sp in para] for para in c.paragraphs], c.region, list(c.soft)]
            for c in contract.clauses
        ],
        "blocks": texts,
        "pos": list(pos_names),
    }
    part = zlib.compress(json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode())
    deltas = np.diff(np.asarray(ints, dtype=np.int64), prepend=0).astype("<i4")  # mostly 1s and 0s: compresses well
    return len(part).to_bytes(4, "little") + part + zlib.compress(deltas.tobytes(), 1)


def load_contract(documents: Sequence[Document], data: bytes) -> ContractText | None:
    """``dump_contract`` read back over the same documents; None when it cannot be (another format,
    damaged data): the caller segments and normalizes again."""
    try:
        n = int.from_bytes(data[:4], "little")
        head = json.loads(zlib.decompress(data[4 : 4 + n]))
        if head.get("format") != FORMS_FORMAT:
            return None
        ints = np.cumsum(np.frombuffer(zlib.decompress(data[4 + n :]), dtype="<i4"), dtype=np.int64).tolist()
        pos_names = head["pos"]
        clauses = tuple(
            Clause(d, label, number, heading, start, end,
                   tuple(tuple(Span(a, b) for a, b in para) for para in paras), region, tuple(soft))
            for d, label, number, heading, start, end, paras, region, soft in head["clauses"]
        )
        blocks, k = [], 0
        for row in head["blocks"]:
            forms = []
            for text, words in row:
                m = len(text)
                starts, ends = tuple(ints[k : k + m]), tuple(ints[k + m : k + 2 * m])
                k += 2 * m
                w = [ints[k + i * words : k + (i + 1) * words] for i in range(4)]
                k += 4 * words
                spans = tuple(map(WordSpan, w[0], w[1], [pos_names[x] for x in w[2]], map(bool, w[3])))
                forms.append(Comparable(text, MappedText(text, starts, ends), spans))
            blocks.append(tuple(forms))
    except (zlib.error, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    if k != len(ints) or len(blocks) != len(clauses) or any(c.doc_index >= len(documents) for c in clauses):
        return None
    return ContractText(tuple(documents), clauses, tuple(blocks))


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


def reference_forms(ref_set: ReferenceSet, settings: Settings) -> RefForms:
    """Comparison forms of every wording of every clause: (version, clause id) → forms, in ``wordings()`` order.

    Built once per reference set by the Checker, which a scan or an identification then asks about many
    contracts."""
    return {
        (v.version, c.id): tuple(normalize_spans(w, operative_spans(w), settings) for w in c.wordings())
        for v in ref_set.versions
        for c in v.clauses
    }


_WHITESPACE = re.compile(r"\s\s+")


def _char_ngrams(text: str, ngram_range: tuple[int, int]) -> Counter[str]:
    text = _WHITESPACE.sub(" ", text.lower())
    lo, hi = ngram_range
    return Counter(text[i : i + n] for n in range(lo, hi + 1) for i in range(len(text) - n + 1))


_CODE_BITS = 21  # every code point + 1 fits in 21 bits: an n-gram (n ≤ 3) is one uint64


def gram_keys(texts: Sequence[str], ngram_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The character n-grams of each text (``_char_ngrams``' n-grams) as integers: (keys, text index).

    Code points + 1 packed 21 bits apiece: exact and distinct across lengths (a longer n-gram's
    key is ≥ 2**(21·(n-1)), a shorter one's below it), computed by numpy over all texts at once
    instead of one Python string per n-gram."""
    lo, hi = ngram_range
    if hi * _CODE_BITS > 64:
        raise ValueError(f"ngram_range up to 3 characters is supported, not {hi}")
    texts = [_WHITESPACE.sub(" ", t.lower()) for t in texts]
    lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) + np.uint64(1)
    row_of = np.repeat(np.arange(len(texts), dtype=np.intp), lengths)
    end_of = np.repeat(np.cumsum(lengths), lengths)  # where each character's text ends
    keys, rows = [], []
    for n in range(lo, hi + 1):
        m = len(cps) - n + 1
        if m <= 0:
            continue
        key = cps[:m].copy()
        for j in range(1, n):
            key = (key << np.uint64(_CODE_BITS)) | cps[j : j + m]
        inside = np.arange(m) + n <= end_of[:m]  # the n-gram does not run into the next text
        keys.append(key[inside])
        rows.append(row_of[:m][inside])
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
    return np.concatenate(keys), np.concatenate(rows)


def gram_key(gram: str) -> int:
    """The key ``gram_keys`` gives one n-gram (as written in a vocabulary: lowercased, spaces single)."""
    key = 0
    for ch in gram:
        key = (key << _CODE_BITS) | (ord(ch) + 1)
    return key


@dataclass(frozen=True)
class NgramTexts:
    """Sparse 1 + log tf of the character n-grams of some texts: the reference side of the TF-IDF
    prefilter is built once per reference version (in the Checker), the contract side once per
    contract, and only the n-grams they share are multiplied."""

    count: int
    vocab: np.ndarray  # the n-gram keys (``gram_keys``), sorted; column j is vocab[j]
    rows: np.ndarray  # one entry per (text, n-gram present in it)
    cols: np.ndarray
    logtf: np.ndarray
    df: np.ndarray  # per column: how many texts contain it

    @classmethod
    def of(cls, texts: Sequence[str], ngram_range: tuple[int, int]) -> NgramTexts:
        keys, rows = gram_keys(texts, ngram_range)
        vocab, cols = np.unique(keys, return_inverse=True)
        pairs, counts = np.unique(rows * len(vocab) + cols.ravel(), return_counts=True)
        rows, cols = np.divmod(pairs, max(len(vocab), 1))
        rows, cols = rows.astype(np.intp), cols.astype(np.intp)
        return cls(len(texts), vocab, rows, cols, 1.0 + np.log(counts), np.bincount(cols, minlength=len(vocab)))


def tfidf_similarities(queries: NgramTexts, docs: NgramTexts) -> np.ndarray:
    """Cosine similarities (queries × docs) of character n-gram TF-IDF vectors fitted on both.

    The weighting of scikit-learn's ``TfidfVectorizer(analyzer="char", sublinear_tf=True)``
    (1 + log tf, smoothed idf over queries and docs together, l2 norm) in numpy alone, on the
    sparse entries: no scikit-learn import (about 1 s of every ``tokki check``), no dense matrix
    over the whole vocabulary."""
    n = queries.count + docs.count
    where = np.searchsorted(docs.vocab, queries.vocab)
    where[where >= len(docs.vocab)] = 0
    shared = docs.vocab[where] == queries.vocab if len(docs.vocab) else np.zeros(len(queries.vocab), dtype=bool)
    to_doc = np.where(shared, where, -1)
    q_df = queries.df.copy()
    q_df[shared] += docs.df[to_doc[shared]]
    d_df = docs.df.copy()
    d_df[to_doc[shared]] += queries.df[shared]
    q_w = queries.logtf * (np.log((1 + n) / (1 + q_df)) + 1.0)[queries.cols]
    d_w = docs.logtf * (np.log((1 + n) / (1 + d_df)) + 1.0)[docs.cols]
    q_norms = np.sqrt(np.bincount(queries.rows, q_w * q_w, minlength=queries.count))
    d_norms = np.sqrt(np.bincount(docs.rows, d_w * d_w, minlength=docs.count))
    # Only the n-grams both sides have add to a dot product: one dense column each.
    n_shared = int(shared.sum())
    q_pos = np.full(len(queries.vocab), -1, dtype=np.intp)
    q_pos[shared] = np.arange(n_shared)
    d_pos = np.full(len(docs.vocab), -1, dtype=np.intp)
    d_pos[to_doc[shared]] = q_pos[shared]
    qm = np.zeros((queries.count, n_shared))
    keep = q_pos[queries.cols] >= 0
    qm[queries.rows[keep], q_pos[queries.cols[keep]]] = q_w[keep]
    dm = np.zeros((docs.count, n_shared))
    keep = d_pos[docs.cols] >= 0
    dm[docs.rows[keep], d_pos[docs.cols[keep]]] = d_w[keep]
    denom = np.outer(np.where(q_norms == 0, 1.0, q_norms), np.where(d_norms == 0, 1.0, d_norms))
    return (qm @ dm.T) / denom


def clause_queries(ref_set: ReferenceSet, version: ReferenceVersion, ref_forms: RefForms) -> list[str]:
    """One TF-IDF query per clause of ``version``: every version's wording of it (an old 第15 is still 第15)."""
    return [
        " ".join(f.text for v in ref_set.versions for f in ref_forms.get((v.version, c.id), ()))
        for c in version.clauses
    ]


def match_clauses(
    contract: ContractText,
    ref_set: ReferenceSet,
    version: ReferenceVersion,
    ref_forms: RefForms,
    settings: Settings,
    queries: NgramTexts | None = None,
) -> tuple[dict[str, Match], dict[str, float]]:
    """(clause id → Match for the clauses of ``version`` found, clause id → best score seen).

    ``queries``: the version's TF-IDF queries (``clause_queries``) as the Checker built them once;
    built here when not given (a version made up on the way, as judge's superseded clauses)."""
    units = contract.units()
    if not units:
        return {}, {}
    clause_ids = [c.id for c in version.clauses]
    # Every version's wording of a clause is a way to find it (an old 第15 is still 第15).
    variants = {
        cid: [f.text for v in ref_set.versions for f in ref_forms.get((v.version, cid), ())]
        for cid in clause_ids
    }
    if queries is None:
        queries = NgramTexts.of(clause_queries(ref_set, version, ref_forms), settings.ngram_range)
    sims = tfidf_similarities(queries, contract.unit_ngrams(settings.ngram_range))

    scored: list[tuple[float, str, int]] = []
    k = min(settings.candidates, len(units))
    for qi, cid in enumerate(clause_ids):
        for ui in sims[qi].argsort()[::-1][:k]:
            score = max(contract.similarity(t, int(ui)) for t in variants[cid])
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
