"""Identify: which reference set and version a contract's 特記事項 follows, and how sure.

Every clause-level version of the library is matched against the contract
(segmented and normalized once). A version scores by how many of its clauses
the contract carries word for word and how close the rest are; the
confidence is that score when the best candidate is clearly ahead, halved
when another candidate is as good (the versions differ only in clauses the
contract lacks), and below ``CONFIDENCE_FLOOR`` no reference is named.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .match import ContractText, RefForms, similarity
from .model import ContractMetadata, Match, ReferenceSet, ReferenceVersion

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
    issuer_named: str = ""  # the client as the contract names it, where that told tied sets apart

    def to_json(self) -> dict:
        return {
            "reference": None if self.reference is None else {"id": self.reference[0], "version": self.reference[1]},
            "confidence": round(self.confidence, 3),
            "deciding_clauses": list(self.deciding_clauses),
            "candidates": [{"id": c.id, "version": c.version, "score": round(c.score, 3)} for c in self.candidates],
            "issuer_named": self.issuer_named or None,
        }


def _score(contract: ContractText, ref_set: ReferenceSet, version: ReferenceVersion, forms: RefForms,
           matches: dict[str, Match]) -> Candidate:
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
    contract: ContractText, library: dict[str, ReferenceSet], forms: Callable[[ReferenceSet], RefForms],
    match: Callable[[ReferenceSet, ReferenceVersion], dict[str, Match]], names: Sequence[str] = (),
) -> Identification:
    """Rank every clause-level reference version against an already segmented contract.

    ``forms`` and ``match`` are the Checker's: a set's comparison forms, and the contract's matches
    against a version (kept, so that judging the chosen version matches nothing again).
    ``names``: how the contract names its client (party block, 甲 definition, title); when
    versions of two sets tie on the text, the set whose issuer is named decides (see choose_set).
    """
    candidates = []
    for ref_set in library.values():
        if ref_set.current.level != "clause":
            continue
        candidates.extend(_score(contract, ref_set, v, forms(ref_set), match(ref_set, v)) for v in ref_set.versions)
    candidates.sort(key=lambda c: (-c.score, -c.exact, c.id, c.version))
    if not candidates or candidates[0].score <= 0:
        return Identification(None, 0.0, (), tuple(candidates))
    best = candidates[0]
    rivals = [c for c in candidates[1:] if _tied(best, c)]
    evidence = ""
    if rivals and {c.id for c in rivals} != {best.id}:
        named = _named_issuer([library[i] for i in dict.fromkeys(c.id for c in (best, *rivals))], names)
        if named is not None:
            evidence = named[1]
            best = next(c for c in (best, *rivals) if c.id == named[0])
            rivals = [c for c in candidates if c.id == best.id and c is not best and _tied(best, c)]
    confidence = best.score / 2 if rivals else best.score
    if confidence < CONFIDENCE_FLOOR:
        return Identification(None, confidence, (), tuple(candidates))
    return Identification(
        (best.id, best.version), confidence, deciding_clauses(library[best.id], best.version), tuple(candidates),
        evidence,
    )


def _tied(best: Candidate, other: Candidate) -> bool:
    return (other.exact >= best.exact and best.score - other.score < TIE_MARGIN
            and best.lead_over(other) < TIE_EVIDENCE)


@dataclass(frozen=True)
class SetChoice:
    """Which reference set ``--reference auto`` checks against, and why.

    ``method``: "score" (the text decides), "issuer" (sets the text cannot tell apart, decided
    by the issuer the contract names: ``evidence``), "tie" (nothing decides: ``tied`` lists the
    sets, checked against each by the pipeline), "none" (no known set is close enough:
    an issuer not in the library).
    """

    set_id: str | None
    confidence: float
    method: str
    tied: tuple[str, ...] = ()
    evidence: str = ""


def choose_set(
    ranking: Identification, library: dict[str, ReferenceSet], names: Sequence[str] = ()
) -> SetChoice:
    """The reference *set* (any version) for ``--reference auto``, which checks against the set's
    latest version: versions of one set tying is no doubt about the set. Sets that tie (福岡県 and
    its police share all but one phrase of 第1) are told apart by the issuer the contract names
    (``names``: the client as printed in the party block or the 甲 definition, the title): the set
    whose issuer is named, the longest name first (「福岡県警察本部長」 names 福岡県警察, not
    福岡県)."""
    if not ranking.candidates or ranking.candidates[0].score <= 0:
        return SetChoice(None, 0.0, "none")
    best = ranking.candidates[0]
    tied = [best.id]
    for c in ranking.candidates[1:]:
        if c.id not in tied and _tied(best, c):
            tied.append(c.id)
    if len(tied) == 1:
        return SetChoice(best.id, best.score, "score") if best.score >= CONFIDENCE_FLOOR else SetChoice(None, best.score, "none")
    if best.score < CONFIDENCE_FLOOR:
        return SetChoice(None, best.score / 2, "none", tuple(tied))
    named = _named_issuer([library[i] for i in tied], names)
    if named is not None:
        return SetChoice(named[0], best.score, "issuer", tuple(tied), named[1])
    return SetChoice(None, best.score / 2, "tie", tuple(tied))


def _named_issuer(sets: Sequence[ReferenceSet], names: Sequence[str]) -> tuple[str, str] | None:
    """(set id, the name that names its issuer) for the one set whose issuer the contract names:
    the first of ``names`` (the client before the title) that names any, its longest issuer."""
    for name in ("".join(n.split()) for n in names if n):
        found = sorted(((len(s.issuer), s.id) for s in sets if s.issuer and s.issuer in name), reverse=True)
        if found:
            if len(found) > 1 and found[0][0] == found[1][0]:
                return None  # two issuers of the same length named: nothing decides
            return found[0][1], name
    return None


def client_names(meta: ContractMetadata) -> tuple[str, ...]:
    """How a contract names its client, for choose_set: the party block or 甲 definition, the title."""
    return tuple(str(f.value) for f in (meta.client, meta.title) if f is not None and f.value)


def format_identification(result: Identification) -> str:
    lines = []
    closest = result.candidates[0] if result.candidates else None
    if result.reference is None and closest is not None and closest.score < CONFIDENCE_FLOOR:
        lines.append(
            f"既知の発行機関の特記事項と一致しません（確信度 {result.confidence:.2f}）。最も近いのは "
            f"{closest.id}@{closest.version}（score {closest.score:.2f}、一致 {closest.exact}/{closest.clauses} 条）です。"
            "発行機関の特記事項を tokki refs import で取り込むか、tokki check で国の指針の論点を確認してください"
            f" / no known issuer's text matches; the closest is {closest.id}@{closest.version} (score {closest.score:.2f})"
        )
    elif result.reference is None:
        lines.append(
            f"参照を特定できません（確信度 {result.confidence:.2f}）: 上位の候補を本文では区別できません。--reference で指定してください"
            " / the text cannot tell the top candidates apart: give --reference"
        )
    else:
        rid, ver = result.reference
        lines.append(f"参照: {rid}@{ver}（確信度 {result.confidence:.2f}） / reference identified")
        if result.issuer_named:
            lines.append(f"  発行機関の記載で判定 / told apart by the issuer named: {result.issuer_named}")
        if result.deciding_clauses:
            lines.append("  版を決めた条 / deciding clauses: " + ", ".join(result.deciding_clauses))
    lines.append("候補 / candidates:")
    for c in result.candidates[:8]:
        lines.append(f"  {c.id}@{c.version}  score {c.score:.3f}  一致 {c.exact}/{c.clauses}")
    return "\n".join(lines) + "\n"
