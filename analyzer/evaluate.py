"""Evaluation: a labelled archive (manifest.csv + labels.json) → confusion matrix and P/R/F1 per finding kind.

Labels (labels.json): ``{contract id: {"clauses": {clause id: status},
"weakened": [clause ids], "error": error code or null}}``. A finding kind
is scored on (contract, clause) pairs: missing / obsolete / modified from the
clause statuses, weakened from the ``weakened`` findings.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .archive import LABELS, read_archive
from .errors import UsageError
from .model import ClauseStatus, FindingKind
from .pipeline import analyze
from .settings import Settings

KINDS = ("missing", "obsolete", "modified", "weakened")
STATUSES = tuple(s.value for s in ClauseStatus)


@dataclass
class EvalResult:
    contracts: int = 0
    errors_ok: int = 0
    errors_total: int = 0
    confusion: Counter = field(default_factory=Counter)  # (expected status, predicted status) → count
    expected: dict[str, set] = field(default_factory=lambda: {k: set() for k in KINDS})
    predicted: dict[str, set] = field(default_factory=lambda: {k: set() for k in KINDS})
    mistakes: list[str] = field(default_factory=list)

    def precision(self, kind: str) -> float:
        p = self.predicted[kind]
        return len(p & self.expected[kind]) / len(p) if p else 1.0

    def recall(self, kind: str) -> float:
        e = self.expected[kind]
        return len(e & self.predicted[kind]) / len(e) if e else 1.0

    def f1(self, kind: str) -> float:
        p, r = self.precision(kind), self.recall(kind)
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict:
        return {
            "f1": {k: round(self.f1(k), 4) for k in KINDS},
            "precision": {k: round(self.precision(k), 4) for k in KINDS},
            "recall": {k: round(self.recall(k), 4) for k in KINDS},
            "errors_ok": self.errors_ok,
            "errors_total": self.errors_total,
            "contracts": self.contracts,
        }


def load_labels(root: Path) -> dict[str, dict]:
    path = root / LABELS
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: ラベルを読めません / cannot read the labels: {exc}") from exc


def evaluate_archive(root: Path, *, settings: Settings | None = None, library_dirs=()) -> EvalResult:
    """Analyse every labelled contract of the archive and compare with its labels."""
    root = Path(root)
    labels = load_labels(root)
    archive = read_archive(root)
    result = EvalResult()
    for spec in archive.contracts:
        label = labels.get(spec.id)
        if label is None:
            continue
        result.contracts += 1
        report = analyze(
            spec.files,
            reference=spec.reference,
            contract_type=spec.type,
            signed_on=spec.signed_on,
            contract_id=spec.id,
            library_dirs=library_dirs,
            settings=settings,
            given_by="manifest",
        )
        got_error = report.error.code.value if report.error else None
        if label.get("error"):
            result.errors_total += 1
            if got_error == label["error"]:
                result.errors_ok += 1
            else:
                result.mistakes.append(f"{spec.id}: error {label['error']} expected, got {got_error}")
            continue
        if got_error:
            result.mistakes.append(f"{spec.id}: unexpected error {got_error}: {report.error.message}")
        predicted = {c.clause_id: c.status.value for c in report.clauses}
        for cid, want in label["clauses"].items():
            got = predicted.get(cid, "error")
            result.confusion[(want, got)] += 1
            if want != got:
                result.mistakes.append(f"{spec.id}: 第{cid} expected {want}, got {got}")
            for kind in ("missing", "obsolete", "modified"):
                if want == kind:
                    result.expected[kind].add((spec.id, cid))
                if got == kind:
                    result.predicted[kind].add((spec.id, cid))
        result.expected["weakened"] |= {(spec.id, c) for c in label.get("weakened", [])}
        weak = {(spec.id, f.clause) for f in report.findings if f.kind is FindingKind.WEAKENED}
        result.predicted["weakened"] |= weak
        for pair in weak ^ {(spec.id, c) for c in label.get("weakened", [])}:
            result.mistakes.append(f"{spec.id}: 第{pair[1]} weakened {'missed' if pair not in weak else 'not expected'}")
    return result


def format_eval(result: EvalResult) -> str:
    """Confusion matrix and per-kind scores as a terminal table."""
    used = [s for s in STATUSES if any(s in key for key in result.confusion)] + (
        ["error"] if any("error" in key for key in result.confusion) else []
    )
    width = max(len(s) for s in used + ["expected \\ got"]) + 2
    lines = [f"{result.contracts} contracts / 契約", "", "clause status confusion (rows: label, columns: tokki)"]
    lines.append("expected \\ got".ljust(width) + "".join(s.rjust(width) for s in used))
    for want in used:
        lines.append(want.ljust(width) + "".join(str(result.confusion.get((want, got), 0)).rjust(width) for got in used))
    lines += ["", f"{'kind':<10}{'precision':>10}{'recall':>10}{'F1':>10}{'labelled':>10}"]
    for k in KINDS:
        lines.append(
            f"{k:<10}{result.precision(k):>10.3f}{result.recall(k):>10.3f}{result.f1(k):>10.3f}{len(result.expected[k]):>10}"
        )
    lines += ["", f"error codes correct / エラーコード正答: {result.errors_ok}/{result.errors_total}"]
    if result.mistakes:
        lines += ["", "mistakes / 誤り:"] + [f"  {m}" for m in result.mistakes]
    return "\n".join(lines) + "\n"
