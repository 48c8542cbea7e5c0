"""Identify: which reference set and version a contract's 特記事項 follows, and how sure.

Every clause-level version of the library is matched against the contract
(segmented and normalized once). A version scores by how many of its clauses
the contract carries word for word and how close the rest are; the
confidence is that score when the best candidate is clearly ahead, halved
when another candidate is as good (the versions differ only in clauses the
contract lacks), and below ``CONFIDENCE_FLOOR`` no reference is named.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .archive import contract_files
from .ingest import load_document
from .match import ContractText, match_clauses, prepare_contract, reference_forms, similarity
from .model import ReferenceSet, ReferenceVersion
from .references import load_reference_library
from .segment import segment_documents
from .settings import Settings, default_settings

# Below this confidence tokki names no reference (the "never a confident wrong answer").
CONFIDENCE_FLOOR = 0.5
# A lead smaller than this (in score) over another candidate with as many exact clauses is a tie,
TIE_MARGIN = 0.02
# unless the contract's clauses, summed, are closer to the leader by at least this many clauses'
# worth of score (0.5 × similarity + 0.5 × exact, the score before it is divided by the clause
# count): two sets that share all but one phrase (福岡県 and its police: 「以下「番号利用法」
# という。」 in 第1) are told apart by that clause alone even when OCR leaves no clause word for
# word; 0.01 is ~6 characters of a 300-character clause. Sets that differ only where the
# contract has no clause stay tied.
TIE_EVIDENCE = 0.01


@dataclass(frozen=True)
class Candidate:
    id: str
    version: str
    score: float
    exact: int  # clauses carried word for word
    clauses: int
    similarity: float = 0.0  # summed over the clauses: how close the contract is, in clauses

    def lead_over(self, other: Candidate) -> float:
        """By how many clauses' worth of score this candidate is closer to the contract."""
        return 0.5 * (self.exact - other.exact) + 0.5 * (self.similarity - other.similarity)


@dataclass(frozen=True)
class Identification:
    reference: tuple[str, str] | None
    confidence: float
    deciding_clauses: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    def to_json(self) -> dict:
        return {
            "reference": None if self.reference is None else {"id": self.reference[0], "version": self.reference[1]},
            "confidence": round(self.confidence, 3),
            "deciding_clauses": list(self.deciding_clauses),
            "candidates": [{"id": c.id, "version": c.version, "score": round(c.score, 3)} for c in self.candidates],
        }


def _score(contract: ContractText, ref_set: ReferenceSet, version: ReferenceVersion, forms, settings) -> Candidate:
    matches, _ = match_clauses(contract, ref_set, version, forms, settings)
    exact, total = 0, 0.0
    for clause in version.clauses:
        m = matches.get(clause.id)
        if m is None:
            continue
        act = contract.unit_comparable(m.units).text
        own = [forms[(version.version, clause.id)][i].text for i in clause.accepted()]
        best = max(similarity(t, act) for t in own)
        exact += act in own
        total += best
    n = len(version.clauses)
    score = 0.5 * exact / n + 0.5 * total / n
    return Candidate(ref_set.id, version.version, score, exact, n, total)


def deciding_clauses(ref_set: ReferenceSet, version: str) -> tuple[str, ...]:
    """Clauses whose wording differs between ``version`` and another version of the set (第15/第16 for 福岡県)."""
    chosen = ref_set.version(version)
    out = []
    for clause in chosen.clauses:
        for other in ref_set.versions:
            if other.version == version:
                continue
            theirs = other.clause(clause.id)
            if theirs is None or theirs.wordings() != clause.wordings():
                out.append(clause.id)
                break
    return tuple(out)


def rank_references(
    contract: ContractText, library: dict[str, ReferenceSet], settings: Settings
) -> Identification:
    """Rank every clause-level reference version against an already segmented contract."""
    candidates = []
    for ref_set in library.values():
        if ref_set.current.level != "clause":
            continue
        forms = reference_forms(ref_set, settings)
        candidates.extend(_score(contract, ref_set, v, forms, settings) for v in ref_set.versions)
    candidates.sort(key=lambda c: (-c.score, -c.exact, c.id, c.version))
    if not candidates or candidates[0].score <= 0:
        return Identification(None, 0.0, (), tuple(candidates))
    best = candidates[0]
    rivals = [c for c in candidates[1:] if _tied(best, c)]
    confidence = best.score / 2 if rivals else best.score
    if confidence < CONFIDENCE_FLOOR:
        return Identification(None, confidence, (), tuple(candidates))
    return Identification(
        (best.id, best.version), confidence, deciding_clauses(library[best.id], best.version), tuple(candidates)
    )


def _tied(best: Candidate, other: Candidate) -> bool:
    return (other.exact >= best.exact and best.score - other.score < TIE_MARGIN
            and best.lead_over(other) < TIE_EVIDENCE)


def identify_set(ranking: Identification) -> tuple[str | None, float]:
    """The reference *set* (any version) and how sure: for ``--reference auto``, which checks
    against the set's latest version, versions of one set tying is no doubt about the set."""
    if not ranking.candidates or ranking.candidates[0].score <= 0:
        return None, 0.0
    best = ranking.candidates[0]
    rivals = [c for c in ranking.candidates[1:] if c.id != best.id and _tied(best, c)]
    confidence = best.score / 2 if rivals else best.score
    return (best.id if confidence >= CONFIDENCE_FLOOR else None), confidence


def identify(
    paths: Sequence[Path | str], *, library_dirs: Sequence[Path] = (), settings: Settings | None = None
) -> Identification:
    """Which reference version the contract follows. Unreadable files raise DocumentError."""
    settings = settings or default_settings()
    library = load_reference_library(library_dirs)
    documents = [load_document(p, settings) for p in contract_files(paths)]
    contract = prepare_contract(documents, segment_documents(documents), settings)
    return rank_references(contract, library, settings)


def format_identification(result: Identification) -> str:
    lines = []
    if result.reference is None:
        lines.append(f"参照を特定できません（確信度 {result.confidence:.2f}） / no reference identified")
    else:
        rid, ver = result.reference
        lines.append(f"参照: {rid}@{ver}（確信度 {result.confidence:.2f}） / reference identified")
        if result.deciding_clauses:
            lines.append("  版を決めた条 / deciding clauses: " + ", ".join(result.deciding_clauses))
    lines.append("候補 / candidates:")
    for c in result.candidates[:8]:
        lines.append(f"  {c.id}@{c.version}  score {c.score:.3f}  一致 {c.exact}/{c.clauses}")
    return "\n".join(lines) + "\n"
