"""Reviewers' decisions on findings (made on tokki serve's pages, kept in the store's ``decisions``).

A decision — 対応済み (``resolved``) or 問題なし (``accepted``), with a reason, a name and a time —
is made on one finding of one contract (its clause and kind). It holds while the clause reads as
it did: its ``text_key`` is a hash of the contract's text of the clause (of the finding's message
where the finding has no clause text: a missing clause, a national topic), so a rescan that finds
the clause changed shows the decision as outdated instead of applying it.
"""
from __future__ import annotations

import hashlib
from collections import Counter

from ..store import Store

DECISION_LABEL = {"resolved": "対応済み", "accepted": "問題なし"}
DECISION_LABEL_EN = {"resolved": "resolved", "accepted": "no problem"}


def text_key(report: dict, clause: str, kind: str) -> str:
    """What a decision on (clause, kind) of this report is tied to (see the module docstring)."""
    text = next((c["actual_text"] for c in report.get("clauses", []) if c["id"] == clause and c["actual_text"]), None)
    if text is None:
        text = next((f["message"] for f in report.get("findings", []) if (f["clause"], f["kind"]) == (clause, kind)), "")
    return hashlib.sha256(f"{clause}\0{kind}\0{text}".encode()).hexdigest()


def reviewed_findings(report: dict, rows) -> list[dict]:
    """The report's findings, each with ``decision`` (the row that holds, as a dict, or None) and
    ``outdated`` (a decision made when the clause read otherwise)."""
    by_key = {(r["clause"], r["kind"]): dict(r) for r in rows}
    out = []
    for f in report.get("findings", []):
        row = by_key.get((f["clause"], f["kind"]))
        holds = row is not None and row["text_key"] == text_key(report, f["clause"], f["kind"])
        out.append({**f, "decision": row if holds else None, "outdated": row if row is not None and not holds else None})
    return out


def decision_summary(store: Store) -> dict[str, Counter]:
    """Per contract with decisions that hold: how many findings are resolved / accepted."""
    rows: dict[str, list] = {}
    for r in store.decisions():
        rows.setdefault(r["contract_id"], []).append(r)
    out: dict[str, Counter] = {}
    for contract_id, decided in rows.items():
        report = store.contract_report(contract_id)
        if report is None:
            continue
        counts = Counter(f["decision"]["decision"] for f in reviewed_findings(report, decided) if f["decision"])
        if counts:
            out[contract_id] = counts
    return out


def describe(counts: Counter | None) -> str:
    """「対応済み 2・問題なし 1」, "" for none."""
    if not counts:
        return ""
    return "・".join(f"{DECISION_LABEL[k]} {counts[k]}" for k in DECISION_LABEL if counts.get(k))
