"""Archive summary: the store → figures (the audit's 表1/表2), summary.csv, summary.xlsx, summary.html, terminal text.

Reads only the store (``analyzer.store``), never the contract files, so
``tokki summary`` and ``tokki findings`` answer from a finished scan.
Definitions (as in the Fukuoka audit, seed 001): a contract is *deficient*
(表1) when it has a finding of severity error — a missing mandatory item, a
pre-revision clause or a weakened mandatory obligation; it uses an *outdated*
特記事項 (表2) when any clause matches an earlier version than the latest.
A contract checked against a *superseded* reference version (a manifest's
``reference`` naming an old version) is counted apart, from the stored
report's ``supersession`` field: its 「現行」 clauses match that old version.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from ..files import natural_key, save_atomic, write_atomic
from ..outputs import SUMMARY_FILES, report_paths
from ..references import load_reference_library
from ..model import ClauseStatus, ContractStatus
from ..store import Store
from ..ja.chars import display_width
from .decisions import DECISION_LABEL, describe
from .html import template_environment
from .labels import clause_label

STATUS_COLUMNS = tuple(s.value for s in ClauseStatus)
CSV_COLUMNS = (
    "id", "files", "signed_on", "type", "reference", "status", *STATUS_COLUMNS,
    "missing_mandatory", "obsolete_items", "worst_severity", "error_code", "message",
    # Checked against a superseded reference version: the version that replaced it, since when, and
    # whether the contract was signed before that date (before | after | unknown); empty otherwise.
    "superseded_by", "superseded_since", "superseded_signed",
    # Pages read by OCR (--ocr) and their mean confidence; empty for a contract with a text layer.
    "ocr_pages", "ocr_confidence",
)
# The columns as a Japanese office reads them (summary.csv's header row and summary.xlsx's); the
# keys above name them in code, tests and the README. Values are Japanese too (状態, 重大度).
CSV_HEADERS = {
    "id": "契約ID", "files": "ファイル", "signed_on": "契約日", "type": "類型", "reference": "参照文",
    "status": "判定", "current": "現行", "obsolete": "旧版", "modified": "変更あり", "missing": "欠落",
    "not_applicable": "対象外", "review": "要確認", "missing_mandatory": "欠落した必須事項",
    "obsolete_items": "旧版の条", "worst_severity": "最大の重大度", "error_code": "エラーコード", "message": "説明",
    "superseded_by": "改正後の版", "superseded_since": "改正の施行日", "superseded_signed": "改正との前後",
    "ocr_pages": "OCRページ数", "ocr_confidence": "OCR信頼度",
}
SEVERITY_JA = {"error": "エラー", "warning": "警告", "info": "情報"}
KIND_JA = {"missing": "欠落", "obsolete": "旧版", "modified": "変更あり", "weakened": "義務の弱化", "review": "要確認"}
CLAUSE_STATUS_JA = {"current": "現行", "obsolete": "旧版", "modified": "変更あり", "missing": "欠落",
                    "not_applicable": "対象外", "review": "要確認"}
# Column heads of the clause counts in summary.html's contract table (short: the table is wide).
STATUS_HEAD = {"current": "現行", "obsolete": "旧版", "modified": "変更", "missing": "欠落",
               "not_applicable": "対象外", "review": "要確認"}
CONTRACT_STATUS_LABEL = {
    "ok": "問題なし",
    "findings": "指摘あり",
    "error": "読めない",
    "no_reference": "参照文を特定できない",
    "failed": "処理失敗",
}

# What the signing date means for a contract checked against a superseded version (summary.html).
SUPERSEDED_SIGNED_LABEL = {
    "before": "施行日前の締結・差替え不要",
    "after": "施行日以後の締結・最新版で照合を",
    "unknown": "契約日不明",
}


@dataclass(frozen=True)
class ContractRow:
    id: str
    files: tuple[str, ...]
    signed_on: str | None
    type: str | None
    reference: str  # "set@version" judged against, "" when none
    status: str  # ok | findings | error | no_reference | failed
    counts: dict[str, int]
    missing_mandatory: tuple[str, ...]
    obsolete_items: tuple[str, ...]
    worst_severity: str | None
    error_code: str | None
    message: str
    superseded: bool = False  # judged against a version a later one replaced (the report's supersession)
    superseded_by: str | None = None
    superseded_since: str | None = None
    signed_before: bool | None = None  # signed before ``superseded_since`` (None: a date is unknown)
    ocr_pages: int = 0  # pages read by OCR
    ocr_confidence: float | None = None  # their mean confidence

    @property
    def needs_look(self) -> bool:
        """A human should compare it with the paper: clauses OCR read too poorly to judge (要確認)."""
        return self.counts.get("review", 0) > 0

    @property
    def judged(self) -> bool:
        return self.status in (ContractStatus.OK, ContractStatus.FINDINGS)

    @property
    def deficient(self) -> bool:
        return self.judged and self.worst_severity == "error"

    @property
    def outdated(self) -> bool:
        return self.judged and bool(self.obsolete_items)

    @property
    def checked_superseded(self) -> bool:
        return self.judged and self.superseded

    @property
    def superseded_signed(self) -> str:
        """before | after | unknown for a contract checked against a superseded version, else ""."""
        if not self.checked_superseded:
            return ""
        return {True: "before", False: "after", None: "unknown"}[self.signed_before]


@dataclass
class ArchiveFigures:
    contracts: list[ContractRow]
    statuses: Counter = field(default_factory=Counter)
    missing_by_clause: list[tuple[str, str, int]] = field(default_factory=list)  # (reference, label, count)
    obsolete_by_year: list[tuple[str, int, int]] = field(default_factory=list)  # (year, outdated, judged)
    error_codes: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    last_scan: dict | None = None

    @property
    def judged(self) -> int:
        return sum(c.judged for c in self.contracts)

    @property
    def deficient(self) -> int:
        return sum(c.deficient for c in self.contracts)

    @property
    def outdated(self) -> int:
        return sum(c.outdated for c in self.contracts)

    @property
    def latest(self) -> int:
        return self.judged - self.outdated

    @property
    def superseded(self) -> int:
        """Contracts checked against a reference version that a later one replaced."""
        return sum(c.checked_superseded for c in self.contracts)

    @property
    def ocr_read(self) -> list[ContractRow]:
        """Contracts with pages read by OCR."""
        return [c for c in self.contracts if c.ocr_pages]

    @property
    def needs_look(self) -> list[ContractRow]:
        return [c for c in self.contracts if c.needs_look]

    def superseded_signed(self, when: str) -> int:
        """Of those, how many were signed ``when`` ("before" | "after" | "unknown") the replacement."""
        return sum(c.superseded_signed == when for c in self.contracts)

    @property
    def superseded_latest(self) -> int:
        """Of those, how many 表2 counts as latest (no clause matched a version older than the one checked)."""
        return sum(c.checked_superseded and not c.outdated for c in self.contracts)


@dataclass(frozen=True)
class ContractFilter:
    """Which contracts a list shows (the web page's filters); an empty field does not filter."""

    status: str = ""  # ok | findings | error | no_reference | failed
    clause: str = ""  # a reference clause id ("15", "topic-3"): contracts with a finding on it
    kind: str = ""  # a finding kind; a facet counts (an obsolete clause also weakened is "weakened" too)
    year: str = ""  # signing year "2024", or "unknown"
    reference: str = ""  # "set@version" judged against
    type: str = ""  # 類型 1–4

    def apply(self, fig: ArchiveFigures, store: Store) -> list[ContractRow]:
        rows = fig.contracts
        if self.clause or self.kind:
            hit = {r["contract_id"] for r in store.finding_rows(clause=self.clause or None, kind=self.kind or None)}
            rows = [c for c in rows if c.id in hit]
        return [
            c for c in rows
            if (not self.status or c.status == self.status)
            and (not self.year or _year(c) == self.year)
            and (not self.reference or c.reference == self.reference)
            and (not self.type or (c.type or "") == self.type)
        ]

    def of(self, fig: ArchiveFigures, store: Store) -> ArchiveFigures:
        """The figures of the contracts this filter keeps (for the exports of a filtered list)."""
        return replace(fig, contracts=self.apply(fig, store))


def _year(c: ContractRow) -> str:
    return c.signed_on[:4] if c.signed_on else "unknown"


def filter_choices(fig: ArchiveFigures, store: Store) -> dict[str, list[tuple[str, str]]]:
    """The values each filter can take in this archive, as (value, label) pairs for a form."""
    findings = store.finding_rows()
    kinds = sorted({r["kind"] for r in findings} | {f for r in findings for f in r["facets"].split()})
    years = sorted({_year(c) for c in fig.contracts}, key=lambda y: (y == "unknown", y))
    return {
        "status": [(s, CONTRACT_STATUS_LABEL[s]) for s in ContractStatus if any(c.status == s for c in fig.contracts)],
        "clause": [(k, clause_label(k)) for k in sorted({r["clause"] for r in findings}, key=natural_key)],
        "kind": [(k, KIND_JA.get(k, k)) for k in kinds],
        "year": [(y, "不明" if y == "unknown" else f"{y}年") for y in years],
        "reference": [(r, r) for r in sorted({c.reference for c in fig.contracts if c.reference})],
        "type": [(t, f"類型{t}") for t in sorted({c.type for c in fig.contracts if c.type})],
    }


def _share(n: int, d: int) -> str:
    return f"{n / d:.1%}" if d else "—"


def archive_figures(store: Store) -> ArchiveFigures:
    counts: dict[str, Counter] = {}
    missing: dict[str, list[str]] = {}
    obsolete: dict[str, list[str]] = {}
    missing_by_clause: Counter = Counter()
    for r in store.clause_rows():
        counts.setdefault(r["contract_id"], Counter())[r["status"]] += 1
        if r["status"] == "missing":
            if r["verdict"] != "no_reference":  # topics of a contract with no reference: not an article missing
                missing_by_clause[(r["reference_id"], r["clause_id"], r["label"])] += 1
            if r["mandatory"]:
                missing.setdefault(r["contract_id"], []).append(r["label"])
        elif r["status"] == "obsolete":
            obsolete.setdefault(r["contract_id"], []).append(r["label"])
    rows = []
    for r in store.contract_rows():
        ref = f"{r['reference_id']}@{r['reference_version']}" if r["reference_id"] else ""
        rows.append(ContractRow(
            r["id"], tuple(json.loads(r["files"])), r["signed_on"], r["type"], ref, r["status"],
            {s: counts.get(r["id"], Counter())[s] for s in STATUS_COLUMNS},
            tuple(missing.get(r["id"], ())), tuple(obsolete.get(r["id"], ())),
            r["worst_severity"], r["error_code"], r["error_message"] or "",
            r["sup_type"] == "object", r["sup_by"], r["sup_since"],
            None if r["sup_before"] is None else bool(r["sup_before"]),
            r["ocr_pages"] or 0, r["ocr_confidence"],
        ))
    rows.sort(key=lambda c: natural_key(c.id))
    fig = ArchiveFigures(rows)
    fig.statuses = Counter(c.status for c in rows)
    fig.error_codes = Counter(c.error_code for c in rows if c.status == ContractStatus.ERROR and c.error_code)
    fig.missing_by_clause = [
        (ref, label, n)
        for (ref, cid, label), n in sorted(
            missing_by_clause.items(), key=lambda kv: (kv[0][0] or "", natural_key(kv[0][1]))
        )
    ]
    years: dict[str, list[int]] = {}
    for c in rows:
        if c.judged:
            y = years.setdefault(c.signed_on[:4] if c.signed_on else "不明", [0, 0])
            y[0] += c.outdated
            y[1] += 1
    fig.obsolete_by_year = [(y, v[0], v[1]) for y, v in sorted(years.items())]
    fig.skipped = store.skipped()
    fig.last_scan = store.latest_scan()
    return fig


# ---------------------------------------------------------------- terminal


def format_summary(fig: ArchiveFigures) -> str:
    """The archive figures as terminal text (Japanese, English alongside)."""
    n, judged = len(fig.contracts), fig.judged
    lines = [f"契約 {n} 件 / contracts: {n}"]
    if fig.last_scan:
        s = fig.last_scan
        lines.append(f"  最終スキャン / last scan: {local_time(s['started_at'])} ({s['status']}), tokki {s['tool_version']}")
    lines.append("  " + "  ".join(f"{CONTRACT_STATUS_LABEL[k]} {fig.statuses[k]}" for k in CONTRACT_STATUS_LABEL if fig.statuses[k]))
    lines += [
        "",
        f"表1 不備のある契約（欠落・改正前の文言など error の指摘） / deficient contracts: "
        f"{fig.deficient} / {judged} ({_share(fig.deficient, judged)})",
        f"表2 最新の特記事項 / latest: {fig.latest}   旧版を使用 / outdated: {fig.outdated} ({_share(fig.outdated, judged)})",
    ]
    if fig.superseded:
        after, unknown = fig.superseded_signed("after"), fig.superseded_signed("unknown")
        lines += [
            f"旧版の参照文で照合 / checked against a superseded version: {fig.superseded}"
            f"（施行日以後の締結 {after}・契約日不明 {unknown} / signed on or after the revision {after},"
            f" date unknown {unknown}）",
            f"  ※ 表2 の最新 {fig.latest} 件のうち {fig.superseded_latest} 件は旧版の参照文との一致です"
            f" / {fig.superseded_latest} of the {fig.latest} latest match a superseded version",
        ]
    if fig.missing_by_clause:
        lines += ["", "条ごとの欠落 / missing per clause:"]
        lines += [f"  {ref} {label}: {k}" for ref, label, k in fig.missing_by_clause]
    if fig.obsolete_by_year:
        lines += ["", "締結年ごとの旧版 / outdated by signing year:"]
        lines += [f"  {y}: {k} / {t}" for y, k, t in fig.obsolete_by_year]
    if fig.error_codes:
        lines += ["", "読めない契約 / unreadable: " + ", ".join(f"{c} {k}" for c, k in sorted(fig.error_codes.items()))]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class FindingRow:
    contract_id: str
    signed_on: str | None
    reference: str
    clause: str
    kind: str
    severity: str
    message: str


def find_findings(store: Store, *, clause: str | None = None, kind: str | None = None,
                  since: date | None = None) -> list[FindingRow]:
    """Findings matching every given filter, by contract (an auditor's query)."""
    rows = [
        FindingRow(r["contract_id"], r["signed_on"], f"{r['reference_id']}@{r['reference_version']}" if r["reference_id"] else "",
                   r["clause"], r["kind"], r["severity"], r["message"])
        for r in store.finding_rows(clause=clause, kind=kind, since=since.isoformat() if since else None)
    ]
    return sorted(rows, key=lambda f: natural_key(f.contract_id))


def format_findings(rows: list[FindingRow]) -> str:
    if not rows:
        return "該当する指摘はありません / no matching finding\n"
    out = [f"{f.contract_id}\t{f.signed_on or '—'}\t{f.reference}\t{clause_label(f.clause)}\t{f.kind}\t{f.severity}\t{f.message}"
           for f in rows]
    contracts = len({f.contract_id for f in rows})
    out.append(f"契約 {contracts} 件・指摘 {len(rows)} 件 / {contracts} contracts, {len(rows)} findings")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- files


def _csv_row(c: ContractRow, *, typed: bool = False) -> list:
    """One contract's row, values in Japanese; ``typed`` (summary.xlsx): dates as dates, 類型 and
    counts as numbers, empty cells empty."""
    def day(value: str | None):
        return (date.fromisoformat(value) if typed else value) if value else None if typed else ""

    blank = None if typed else ""
    return [
        c.id, ";".join(c.files), day(c.signed_on), (int(c.type) if typed else c.type) if c.type else blank,
        c.reference, CONTRACT_STATUS_LABEL.get(c.status, c.status),
        *(c.counts[s] for s in STATUS_COLUMNS),
        ";".join(c.missing_mandatory), ";".join(c.obsolete_items),
        SEVERITY_JA.get(c.worst_severity or "", blank), c.error_code or blank,
        c.message if c.status in (ContractStatus.ERROR, ContractStatus.NO_REFERENCE, ContractStatus.FAILED) else blank,
        (c.superseded_by or blank) if c.checked_superseded else blank,
        day(c.superseded_since) if c.checked_superseded else blank,
        SUPERSEDED_SIGNED_LABEL.get(c.superseded_signed, blank),
        c.ocr_pages or blank, blank if c.ocr_confidence is None else round(c.ocr_confidence, 3),
    ]


def read_summary_csv(text: str) -> list[dict[str, str]]:
    """summary.csv's rows keyed by the column keys of CSV_COLUMNS (its header row is Japanese)."""
    keys = {v: k for k, v in CSV_HEADERS.items()}
    return [{keys[h]: v for h, v in row.items()} for row in csv.DictReader(text.lstrip("\ufeff").splitlines())]


def render_csv(fig: ArchiveFigures, decisions: dict[str, Counter] | None = None) -> str:
    """summary.csv; ``decisions`` (tokki serve's export): a last column 確認 with the reviewers' decisions."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([CSV_HEADERS[k] for k in CSV_COLUMNS] + (["確認"] if decisions is not None else []))
    for c in fig.contracts:
        w.writerow(_csv_row(c) + ([describe(decisions.get(c.id))] if decisions is not None else []))
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens the Japanese text as UTF-8


def write_xlsx(store: Store, fig: ArchiveFigures, path: Path, *, with_decisions: bool = False) -> None:
    """summary.xlsx in Japanese: 契約 (filters, frozen header, dates as dates), 条, 指摘; saved atomically.
    ``with_decisions`` (tokki serve's export): a sheet 確認 with the reviewers' decisions too."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    kept = {c.id for c in fig.contracts}  # a filtered list's export holds its contracts only
    clauses = [
        (r["contract_id"], r["clause_id"], r["label"], r["title"], CLAUSE_STATUS_JA.get(r["status"], r["status"]),
         "●" if r["mandatory"] else "", r["similarity"], r["matched_version"], r["file"], r["page"], r["article"])
        for r in store.clause_rows() if r["contract_id"] in kept
    ]
    findings = [
        (r["contract_id"], clause_label(r["clause"]), KIND_JA.get(r["kind"], r["kind"]),
         SEVERITY_JA.get(r["severity"], r["severity"]), r["message"],
         "・".join(KIND_JA.get(f, f) for f in r["facets"].split()))
        for r in store.finding_rows() if r["contract_id"] in kept
    ]
    clauses.sort(key=lambda r: natural_key(r[0]))
    findings.sort(key=lambda r: natural_key(r[0]))
    sheets = [
        ("契約", [CSV_HEADERS[k] for k in CSV_COLUMNS], [_csv_row(c, typed=True) for c in fig.contracts]),
        ("条", ("契約ID", "条", "条番号（参照文）", "見出し", "状態", "必須", "類似度", "一致した版", "ファイル", "ページ", "条番号（契約書）"),
         clauses),
        ("指摘", ("契約ID", "条", "種類", "重大度", "内容", "観点"), findings),
    ]
    if with_decisions:
        decided = [
            (r["contract_id"], clause_label(r["clause"]), KIND_JA.get(r["kind"], r["kind"]),
             DECISION_LABEL.get(r["decision"], r["decision"]), r["reason"], r["reviewer"], local_time(r["decided_at"]))
            for r in store.decisions() if r["contract_id"] in kept
        ]
        sheets.append(("確認", ("契約ID", "条", "種類", "判断", "理由", "確認者", "日時"), decided))
    for i, (title, header, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(list(row))
        for column in ws.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy/mm/dd"
        # Widths by content (a kanji is two columns), within reason for long messages.
        for k, column in enumerate(ws.iter_cols(), start=1):
            width = max((display_width(str(c.value)) for c in column if c.value is not None), default=4)
            ws.column_dimensions[get_column_letter(k)].width = min(60, max(6, width + 2))
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    save_atomic(path, wb.save)


GOOD, BAD = "#2e7d32", "#c62828"


def _bars(items: list[tuple], total: int | None = None, width: int = 360) -> dict:
    """Geometry of a horizontal bar chart (inline SVG in the template); an item is (label, value)
    or (label, value, colour)."""
    top = max([item[1] for item in items] + [total or 0, 1])
    row = 22
    return {
        "height": row * len(items) + 4,
        "width": width,
        "row": row,
        "bars": [
            {"label": item[0], "value": item[1], "y": i * row + 2, "w": round(width * item[1] / top, 1),
             "colour": item[2] if len(item) > 2 else None}
            for i, item in enumerate(items)
        ],
    }


def local_time(iso: str) -> str:
    """A stored UTC time as the reader's local time (「2026-12-07 17:23」)."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return iso or ""


def _clause_in(ref: str, label: str, fig: ArchiveFigures) -> str:
    """「第3」, or 「第3（豊島区）」 where the archive holds contracts of several issuers' references."""
    refs = {r for r, _, _ in fig.missing_by_clause}
    if len(refs) <= 1:
        return label
    ref_set = load_reference_library().get(ref)
    return f"{label}（{ref_set.issuer if ref_set else ref}）"


def _report_file(contract_id: str) -> str:
    """Where summary.html links a contract's report: its HTML beside it (contracts/ID.html)."""
    return report_paths(Path("."), contract_id)[1].as_posix()


def summary_context(fig: ArchiveFigures, report_link: Callable[[str], str] = _report_file) -> dict:
    """What ``summary.html.j2`` (and ``summary_body.html.j2`` with ``summary.css`` where a web page
    embeds the dashboard) is rendered with; ``report_link(id)``: the address of a contract's report."""
    judged = fig.judged
    contracts = []
    for c in fig.contracts:
        link = report_link(c.id) if c.status != ContractStatus.FAILED else None
        contracts.append({"c": c, "link": link, "label": CONTRACT_STATUS_LABEL[c.status]})
    return dict(
        fig=fig,
        contracts=contracts,
        judged=judged,
        share=_share,
        status_label=CONTRACT_STATUS_LABEL,
        severity_ja=SEVERITY_JA,
        status_columns=STATUS_COLUMNS,
        status_short=STATUS_HEAD,
        superseded_signed_label=SUPERSEDED_SIGNED_LABEL,
        # Colours that mean something: red for a problem, green for none.
        table1=_bars([("不備あり", fig.deficient, BAD), ("不備なし", judged - fig.deficient, GOOD)], judged),
        table2=_bars([("最新の特記事項", fig.latest, GOOD), ("旧版を使用", fig.outdated, BAD)], judged),
        missing_chart=_bars([(_clause_in(ref, label, fig), k) for ref, label, k in fig.missing_by_clause]),
        last_scan_at=local_time(fig.last_scan["started_at"]) if fig.last_scan else "",
        year_chart=_bars([(f"{y}年" if y.isdigit() else y, k) for y, k, _ in fig.obsolete_by_year]),
    )


def render_summary_html(fig: ArchiveFigures) -> str:
    return template_environment().get_template("summary.html.j2").render(**summary_context(fig))


def write_summaries(store: Store, out: Path) -> ArchiveFigures:
    """summary.csv, summary.xlsx and summary.html under ``out``, from the store."""
    fig = archive_figures(store)
    out = Path(out)
    csv_path, xlsx_path, html_path = (out / name for name in SUMMARY_FILES)
    write_atomic(csv_path, render_csv(fig))
    write_xlsx(store, fig, xlsx_path)
    write_atomic(html_path, render_summary_html(fig))
    return fig
