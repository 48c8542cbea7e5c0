"""Evaluation: a labelled archive (manifest.csv + labels.json) → how far tokki's answers are from the labels.

Labels (labels.json), one entry per contract id::

    {"clauses":   {clause id: status},        # current / obsolete / modified / missing / not_applicable
     "weakened":  [clause ids],               # clauses with a weakened-obligation finding
     "error":     error code or null,         # the whole contract is unreadable (ocr_required, …)
     "findings":  {clause id: {kind: severity}},  # every finding on a reference clause
     "exit":      0 | 1 | 2,                  # exit code of `tokki check`
     "reference": "id@version" or null,       # the reference version the report is checked against
     "signed_on": "YYYY-MM-DD" or null}       # the signing date the report uses (null: none found)

Only ``clauses`` is required; an entry without one of the other keys is not
checked on it (an archive labelled before they existed still evaluates). For
a contract labelled with an ``error`` only the error code and the exit code
are compared. The contract's manifest row gives what the user would give on
the command line: an empty ``reference`` makes tokki identify it (as
``--reference auto``), an empty ``signed_on`` makes it read the date from the
text, so ``reference`` and ``signed_on`` label those automatic paths. A
readable contract labelled ``"reference": null`` is one whose text matches
no known issuer: tokki must name none (a ``no_reference`` report checked
against the national guideline's topics) rather than guess; its clauses and
findings are then not compared.
Findings on topics of the national guideline (``topic-N``) are not labelled:
they are counted (``unlabelled_findings``), never a mistake.

Scores: a finding kind is scored on (contract, clause) pairs — missing /
obsolete / modified from the clause statuses, weakened from the ``weakened``
findings — as precision / recall / F1; the clause statuses (``current`` and
``not_applicable`` included) as a confusion matrix and an accuracy. Every
disagreement is one line in ``EvalResult.mistakes`` and counted by class in
``EvalResult.mistake_classes`` (``to_json()["mistakes_by_class"]``):

- ``unexpected_error``: an error report for a contract labelled readable;
- ``error_code``: the wrong error code, or none, for a contract labelled unreadable;
- ``reference``: another reference (or version) than labelled, or none identified;
- ``status``: a clause status other than its label;
- ``weakened``: a weakened finding missed or not expected;
- ``finding``: a missing / obsolete / modified finding missed or not expected on a clause
  whose status is right (a wrong status already says why its finding differs), or a
  finding on a clause the reference does not label;
- ``severity``: a finding of the labelled kind with another severity;
- ``exit_code``: `tokki check` would exit otherwise than labelled;
- ``signed_on``: the report's signing date is not the labelled one.

A contract that got an error report or a reference of another set, where
the labels expect a readable contract of a given set, is one mistake line
(its clauses counted as ``error`` in the confusion matrix, not one line each).
"""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .archive import LABELS, read_archive
from .errors import ExitCode, UsageError
from .ingest import IngestOptions
from .model import ClauseStatus, ContractStatus, Report
from .checker import CheckOptions, shared_checker
from .settings import Settings

KINDS = ("missing", "obsolete", "modified", "weakened")
STATUSES = tuple(s.value for s in ClauseStatus)
MISTAKE_CLASSES = (
    "unexpected_error", "error_code", "reference", "status", "weakened", "finding", "severity", "exit_code",
    "signed_on",
)
_STATUS_KINDS = ("missing", "obsolete", "modified")  # finding kinds that follow from a clause status


def check_exit_code(report: Report | None) -> int:
    """The exit code `tokki check` gives for ``report`` (None: no report, a usage error)."""
    return ExitCode.USAGE if report is None else report.exit_code


@dataclass
class EvalResult:
    contracts: int = 0
    errors_ok: int = 0
    errors_total: int = 0
    confusion: Counter = field(default_factory=Counter)  # (expected status, predicted status) → count
    expected: dict[str, set] = field(default_factory=lambda: {k: set() for k in KINDS})
    predicted: dict[str, set] = field(default_factory=lambda: {k: set() for k in KINDS})
    mistakes: list[str] = field(default_factory=list)
    mistake_classes: Counter = field(default_factory=Counter)  # class (MISTAKE_CLASSES) → lines
    findings_ok: int = 0  # labelled findings reported with the labelled severity
    findings_total: int = 0  # labelled findings
    severities_ok: int = 0  # of the labelled findings reported, those with the labelled severity
    severities_total: int = 0
    unlabelled_findings: int = 0  # topic-N findings (not labelled, not scored)
    exit_ok: int = 0
    exit_total: int = 0
    references_ok: int = 0
    references_total: int = 0
    references_auto: int = 0  # labelled references the manifest left to automatic identification
    references_auto_ok: int = 0
    signed_on_ok: int = 0
    signed_on_total: int = 0
    signed_on_from_text: int = 0  # labelled dates the manifest left to be read from the text
    signed_on_from_text_ok: int = 0
    ocr_pages: int = 0  # pages read by OCR (tokki eval --ocr)
    ocr_seconds: float = 0.0  # wall time of the contracts with OCR pages

    def precision(self, kind: str) -> float:
        p = self.predicted[kind]
        return len(p & self.expected[kind]) / len(p) if p else 1.0

    def recall(self, kind: str) -> float:
        e = self.expected[kind]
        return len(e & self.predicted[kind]) / len(e) if e else 1.0

    def f1(self, kind: str) -> float:
        p, r = self.precision(kind), self.recall(kind)
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def statuses_ok(self) -> int:
        return sum(n for (want, got), n in self.confusion.items() if want == got)

    @property
    def statuses_total(self) -> int:
        return sum(self.confusion.values())

    @property
    def false_missing(self) -> int:
        """Clauses reported missing that the labels say are there (legible articles never "missing")."""
        return sum(n for (want, got), n in self.confusion.items() if got == "missing" and want != "missing")

    def status_accuracy(self) -> float:
        return self.statuses_ok / self.statuses_total if self.statuses_total else 1.0

    def mistake(self, kind: str, line: str) -> None:
        assert kind in MISTAKE_CLASSES, kind
        self.mistakes.append(line)
        self.mistake_classes[kind] += 1

    def to_json(self) -> dict:
        return {
            "f1": {k: round(self.f1(k), 4) for k in KINDS},
            "precision": {k: round(self.precision(k), 4) for k in KINDS},
            "recall": {k: round(self.recall(k), 4) for k in KINDS},
            "errors_ok": self.errors_ok,
            "errors_total": self.errors_total,
            "contracts": self.contracts,
            # Added for issue 14: every kind of mistake, not only F1.
            "status_accuracy": round(self.status_accuracy(), 4),
            "statuses_ok": self.statuses_ok,
            "statuses_total": self.statuses_total,
            "false_missing": self.false_missing,
            "ocr_pages": self.ocr_pages,
            "ocr_seconds": round(self.ocr_seconds, 1),
            "findings_ok": self.findings_ok,
            "findings_total": self.findings_total,
            "severities_ok": self.severities_ok,
            "severities_total": self.severities_total,
            "unlabelled_findings": self.unlabelled_findings,
            "exit_ok": self.exit_ok,
            "exit_total": self.exit_total,
            "references_ok": self.references_ok,
            "references_total": self.references_total,
            "references_auto": self.references_auto,
            "references_auto_ok": self.references_auto_ok,
            "signed_on_ok": self.signed_on_ok,
            "signed_on_total": self.signed_on_total,
            "signed_on_from_text": self.signed_on_from_text,
            "signed_on_from_text_ok": self.signed_on_from_text_ok,
            "mistakes": len(self.mistakes),
            "mistakes_by_class": {k: self.mistake_classes.get(k, 0) for k in MISTAKE_CLASSES},
        }


def load_labels(root: Path) -> dict[str, dict]:
    path = root / LABELS
    if not Path(root).is_dir():
        raise UsageError(f"{root}: フォルダがありません / no such folder")
    if not path.exists():
        raise UsageError(
            f"{path}: ラベルがありません。tokki eval は正解のラベル（labels.json）のあるアーカイブ用です。"
            f"ラベルのない契約書は tokki scan {root} で照合します / no labels.json: tokki eval measures a labelled archive;"
            f" check contracts with tokki scan"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: ラベルを読めません / cannot read the labels: {exc}") from exc


def _name(cid: str) -> str:
    return f"第{cid}" if cid.isdigit() else cid


def evaluate_archive(
    root: Path, *, settings: Settings | None = None, library_dirs=(), ingest: IngestOptions | None = None,
    on_report=None,
) -> EvalResult:
    """Analyse every labelled contract of the archive and compare with its labels.

    ``ingest``: how files are opened (``tokki eval --ocr`` reads a scanned corpus by OCR);
    ``on_report(label, report)`` is called with each contract's labels and report (benchmarks)."""
    root = Path(root)
    labels = load_labels(root)
    archive = read_archive(root)
    result = EvalResult()
    checker = shared_checker(library_dirs, settings)
    for spec in archive.contracts:
        label = labels.get(spec.id)
        if label is None:
            continue
        result.contracts += 1
        started = time.perf_counter()
        try:
            options = CheckOptions(reference=spec.reference, contract_type=spec.type, signed_on=spec.signed_on,
                                   contract_id=spec.id, given_by="manifest", ingest=ingest)
            report = checker.analyze(spec.files, options).report
            refused = ""
            if report.ocr_pages:
                result.ocr_pages += len(report.ocr_pages)
                result.ocr_seconds += time.perf_counter() - started
        except UsageError as exc:  # no reference identified (auto), or an unknown one in the manifest
            report, refused = None, exc.reason
        _compare(result, spec, label, report, refused)
        if on_report is not None:
            on_report(label, report)
    return result


def _compare(result: EvalResult, spec, label: dict, report: Report | None, refused: str) -> None:
    contract = spec.id
    got_exit = check_exit_code(report)
    want_exit = label.get("exit")
    if want_exit is not None:
        result.exit_total += 1
        result.exit_ok += got_exit == want_exit
    exit_note = f" (exit {got_exit}, expected {want_exit})" if want_exit is not None and got_exit != want_exit else ""

    got_error = report.error.code.value if report is not None and report.error else None
    if label.get("error"):
        result.errors_total += 1
        if got_error == label["error"]:
            result.errors_ok += 1
        elif report is None:
            result.mistake("error_code", f"{contract}: error {label['error']} expected, got no report: {refused}{exit_note}")
        else:
            result.mistake("error_code", f"{contract}: error {label['error']} expected, got {got_error}{exit_note}")
        return

    clauses: dict[str, str] = label["clauses"]
    want_ref = label.get("reference")
    auto_ref = spec.reference in (None, "", "auto")
    if "reference" in label:
        result.references_total += 1
        result.references_auto += auto_ref
    no_reference = report is not None and report.status is ContractStatus.NO_REFERENCE
    if "reference" in label and want_ref is None and not got_error:
        # The text matches no known issuer: tokki must name none (a no_reference report), not guess.
        if report is None or no_reference:
            result.references_ok += 1
            result.references_auto_ok += auto_ref
        else:
            got_ref = f"{report.reference_id}@{report.reference_version}"
            result.mistake("reference", f"{contract}: no reference expected (no known issuer), got {got_ref}{exit_note}")
        return
    if report is None or got_error or no_reference:
        # No verdict at all: one line, every labelled clause counted as an error.
        for want in clauses.values():
            result.confusion[(want, "error")] += 1
        if report is None or no_reference:
            how = "identified" if auto_ref else "given"
            why = refused or "none identified, checked against the national topics only"
            result.mistake("reference", f"{contract}: reference {want_ref or '?'} expected, no report ({how}): {why}{exit_note}")
        else:
            result.mistake("unexpected_error", f"{contract}: unexpected error {got_error}: {report.error.message}{exit_note}")
        return

    got_ref = f"{report.reference_id}@{report.reference_version}"
    if want_ref is not None:
        if got_ref == want_ref:
            result.references_ok += 1
            result.references_auto_ok += auto_ref
        else:
            how = "identified automatically" if auto_ref else "given in the manifest"
            line = f"{contract}: reference {want_ref} expected, got {got_ref} ({how})"
            if report.reference_id != want_ref.partition("@")[0]:
                # Checked against another set: its clauses are not the labelled ones.
                for want in clauses.values():
                    result.confusion[(want, "error")] += 1
                result.mistake("reference", line + exit_note)
                return
            result.mistake("reference", line)

    # Signing date the report uses (manifest's, else the text's).
    if "signed_on" in label:
        want_date = label["signed_on"]
        got_date = report.signed_on.isoformat() if report.signed_on else None
        from_text = spec.signed_on is None
        result.signed_on_total += 1
        result.signed_on_from_text += from_text
        if got_date == want_date:
            result.signed_on_ok += 1
            result.signed_on_from_text_ok += from_text
        else:
            how = "read from the text" if from_text else "given in the manifest"
            result.mistake("signed_on", f"{contract}: signing date {want_date} expected, got {got_date} ({how})")

    # Clause statuses.
    predicted = {c.clause_id: c.status.value for c in report.clauses}
    status_ok: set[str] = set()
    for cid, want in clauses.items():
        got = predicted.get(cid, "error")
        result.confusion[(want, got)] += 1
        if want == got:
            status_ok.add(cid)
        else:
            result.mistake("status", f"{contract}: {_name(cid)} expected {want}, got {got}")
        for kind in _STATUS_KINDS:
            if want == kind:
                result.expected[kind].add((contract, cid))
            if got == kind:
                result.predicted[kind].add((contract, cid))

    # Weakened findings (F1 from the ``weakened`` label).
    weak_label = {(contract, c) for c in label.get("weakened", [])}
    weak = {(contract, f.clause) for f in report.findings if f.weakened}
    result.expected["weakened"] |= weak_label
    result.predicted["weakened"] |= weak
    for pair in sorted(weak ^ weak_label):
        result.mistake("weakened", f"{contract}: {_name(pair[1])} weakened {'missed' if pair not in weak else 'not expected'}")

    # Findings and their severities.
    got_findings: dict[tuple[str, str], list[str]] = {}
    for f in report.findings:
        if f.clause.startswith("topic-"):
            result.unlabelled_findings += 1
            continue
        got_findings.setdefault((f.clause, f.kind.value), []).append(f.severity.value)
    if "findings" in label:
        want_findings = {(c, k): sev for c, kinds in label["findings"].items() for k, sev in _one_problem(kinds).items()}
        for (cid, kind), want_sev in sorted(want_findings.items()):
            result.findings_total += 1
            got = got_findings.get((cid, kind))
            if got is None:
                # A missed status finding follows from a wrong status; a missed weakened one is said above.
                if kind in _STATUS_KINDS and (cid in status_ok or cid not in clauses):
                    result.mistake("finding", f"{contract}: {_name(cid)} {kind} finding ({want_sev}) expected, none reported")
                continue
            result.severities_total += 1
            if got == [want_sev]:
                result.findings_ok += 1
                result.severities_ok += 1
            else:
                result.mistake("severity", f"{contract}: {_name(cid)} {kind} severity {want_sev} expected, got {'/'.join(got)}")
        for (cid, kind), got in sorted(got_findings.items()):
            if (cid, kind) in want_findings:
                continue
            if kind == "weakened" and cid in clauses:
                continue  # said above
            if kind in _STATUS_KINDS and cid in clauses and cid not in status_ok:
                continue  # follows from the wrong status
            result.mistake("finding", f"{contract}: {_name(cid)} {kind} finding ({'/'.join(got)}) not expected")

    if want_exit is not None and got_exit != want_exit:
        result.mistake("exit_code", f"{contract}: exit code {want_exit} expected, got {got_exit}")


_GRAVITY = {"info": 1, "warning": 2, "error": 3}


def _one_problem(kinds: dict[str, str]) -> dict[str, str]:
    """A clause's labelled findings as tokki reports them, one per problem: obsolete wording with a
    weaker duty is one obsolete finding, modified wording with a weaker duty one weakened finding,
    each of the graver severity (labels written before that name both kinds)."""
    if "weakened" in kinds and ("obsolete" in kinds or "modified" in kinds):
        status = "obsolete" if "obsolete" in kinds else "modified"
        kind = "obsolete" if status == "obsolete" else "weakened"
        rest = {k: v for k, v in kinds.items() if k not in (status, "weakened")}
        return {**rest, kind: max(kinds[status], kinds["weakened"], key=_GRAVITY.__getitem__)}
    return kinds


def _ratio(ok: int, total: int) -> str:
    return f"{ok}/{total}" + (f" ({ok / total:.3f})" if total else "")


def format_eval(result: EvalResult) -> str:
    """Confusion matrix, per-kind scores and every other check as a terminal table."""
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
    lines += [
        "",
        f"clause statuses correct / 条の判定の正答: {_ratio(result.statuses_ok, result.statuses_total)}"
        f"; reported missing but there / 誤った「欠落」: {result.false_missing}",
        *(
            [f"pages read by OCR / OCR したページ: {result.ocr_pages}"
             f" ({result.ocr_seconds / result.ocr_pages:.1f} s/page, whole contracts / 契約全体の秒数で)"]
            if result.ocr_pages else []
        ),
        f"findings with their severity / 指摘と重大度の正答: {_ratio(result.findings_ok, result.findings_total)}"
        f"; severity right where the finding was reported / 重大度: {_ratio(result.severities_ok, result.severities_total)}"
        f"; topic findings not scored / 論点の指摘（採点外）: {result.unlabelled_findings}",
        f"exit codes correct / 終了コード正答: {_ratio(result.exit_ok, result.exit_total)}",
        f"references correct / 参照文の正答: {_ratio(result.references_ok, result.references_total)}"
        f" (identified automatically / 自動判定: {result.references_auto_ok}/{result.references_auto})",
        f"signing dates correct / 締結日の正答: {_ratio(result.signed_on_ok, result.signed_on_total)}"
        f" (read from the text / 本文から: {result.signed_on_from_text_ok}/{result.signed_on_from_text})",
        f"error codes correct / エラーコード正答: {result.errors_ok}/{result.errors_total}",
        "",
        f"mistakes / 誤り: {len(result.mistakes)}"
        + (
            " (" + ", ".join(f"{k} {n}" for k in MISTAKE_CLASSES if (n := result.mistake_classes.get(k, 0))) + ")"
            if result.mistakes else ""
        ),
    ]
    lines += [f"  {m}" for m in result.mistakes]
    return "\n".join(lines) + "\n"
