"""Terminal report in Japanese (English alongside), coloured when writing to a TTY."""
from __future__ import annotations

from ..ja.chars import pad
from ..messages import finding_message
from ..model import ClauseResult, ClauseStatus, ContractStatus, Finding, FindingKind, Report, Severity
from ..topics import TOPIC_MARKS
from .labels import supersession_notice

STATUS_LABEL = {
    ClauseStatus.CURRENT: "現行",
    ClauseStatus.OBSOLETE: "旧版",
    ClauseStatus.MODIFIED: "変更あり",
    ClauseStatus.MISSING: "欠落",
    ClauseStatus.NOT_APPLICABLE: "対象外",
    ClauseStatus.REVIEW: "要確認",
}
SEVERITY_LABEL = {Severity.ERROR: "エラー", Severity.WARNING: "警告", Severity.INFO: "情報"}
CHANGE_LABEL = {"weakened": "義務の弱化", "strengthened": "強化", "deleted": "削除", "inserted": "追加", "replaced": "置換"}

_COLOURS = {"red": "31", "green": "32", "yellow": "33", "grey": "90", "bold": "1"}
_STATUS_COLOUR = {
    ClauseStatus.CURRENT: "green",
    ClauseStatus.OBSOLETE: "red",
    ClauseStatus.MODIFIED: "yellow",
    ClauseStatus.MISSING: "red",
    ClauseStatus.NOT_APPLICABLE: "grey",
    ClauseStatus.REVIEW: "yellow",
}
_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "grey"}


_TO_FIX = (ClauseStatus.OBSOLETE, ClauseStatus.MODIFIED, ClauseStatus.MISSING)


def _suggestion(finding: Finding, result: ClauseResult | None, shown: set[str]) -> list[str]:
    """Lines under a finding with the wording to put in: the current reference text of its clause
    (printed in full once per clause), or what to do when there is no such text."""
    if result is not None and result.expected_text and result.status in _TO_FIX:
        if result.clause_id in shown:
            return [f"      → 現行の文言は上記（{result.label}） / current wording: see above"]
        shown.add(result.clause_id)
        title = f"（{result.title}）" if result.title else ""
        return [f"      → 現行の文言 / current wording: {result.label}{title}"] + [
            f"        {para}" for para in result.expected_text.split("\n")
        ]
    if finding.kind is FindingKind.OBSOLETE and result is None:  # an article only a superseded version has
        return ["      → 現行にはない条です。削除してください / not in the current version: delete the article"]
    if finding.clause.startswith("topic-"):
        return ["      → この論点を定める条を加えてください（tokki refs show で参照文の例） / add an article on this topic"]
    return []


def _metadata_lines(report: Report) -> list[str]:
    """What the contract says about itself (title, period, parties, data kinds, 類型), each with its page."""
    m = report.metadata
    if m is None:
        return []

    def at(f) -> str:
        return f"（{f.where()}）" if f.where() else ""

    out = []
    if m.title:
        out.append(f"  件名 / title: {m.title.value}{at(m.title)}")
    if m.period_start or m.period_end:
        start, end = (f.value.isoformat() if f else "?" for f in (m.period_start, m.period_end))
        out.append(f"  履行期間 / period: {start} 〜 {end}")
    for name, f in (("委託者 / client", m.client), ("受託者 / contractor", m.contractor)):
        if f:
            out.append(f"  {name}: {f.value}{at(f)}")
    for name, f in (("特定個人情報 / My Number data", m.tokutei), ("要配慮個人情報 / sensitive data", m.yohairyo)):
        if f:
            out.append(f"  {name}: {'あり / yes' if f.value else 'なし / no'}{at(f)}")
    if m.records:
        out.append(f"  件数 / records: {m.records.value:,} 件{at(m.records)}")
    if m.suggested_type and not report.contract_type:
        words = "、".join(f"「{r.value}」" for r in m.type_reasons)
        out.append(f"  類型（推定） / suggested type: {m.suggested_type}（{words}）")
    return out


def render_text(report: Report, *, color: bool = False, **_: object) -> str:
    def c(text: str, colour: str) -> str:
        return f"\033[{_COLOURS[colour]}m{text}\033[0m" if color else text

    lines: list[str] = []
    lines.append(c(f"tokki 特記事項チェック: {report.contract_id}", "bold"))
    lines.append(f"  ファイル / files: {', '.join(report.files)}")
    lines.append(f"  契約日 / signed on: {report.signed_on.isoformat() if report.signed_on else '不明 / unknown'}"
                 + (f"（{report.metadata.signed_on.where()}）" if report.metadata and report.metadata.signed_on else ""))
    lines += _metadata_lines(report)
    if report.status is ContractStatus.NO_REFERENCE:
        lines.append(f"  参照 / reference: 特定できません — 国の指針の論点で確認 / none identified: national-guideline topics"
                     f"（{report.reference_id}@{report.reference_version}）")
    else:
        lines.append(f"  参照 / reference: {report.reference_id}@{report.reference_version}（{report.reference_title}）")
    if report.supersession is not None:  # a notice, not a finding: the exit code is unchanged
        ja, en = supersession_notice(report.supersession, report.reference_id, report.signed_on)
        lines.append(c(f"  注意 / notice: {ja} / {en}", "yellow"))
    if report.contract_type:
        lines.append(f"  類型 / type: {report.contract_type}")
    if report.ocr_pages:
        pages = ", ".join(f"{p.file} p.{p.page} {p.confidence:.0%}" for p in report.ocr_pages)
        lines.append(f"  OCR: 平均信頼度 {report.ocr_confidence:.0%} / OCR-derived, mean confidence "
                     f"{report.ocr_confidence:.2f}（{pages}）")
    lines.append("")
    if report.error is not None:
        lines.append(c(f"判定: 読み取りエラー [{report.error.code.value}] / error", "red"))
        lines.append(f"  {report.error.file}: {report.error.message}")
        return "\n".join(lines) + "\n"

    if report.status is ContractStatus.NO_REFERENCE:
        lines.append(c("判定: 参照文を特定できません（国の指針の論点のみ確認） / no reference: national topics only", "yellow"))
    elif any(f.severity is Severity.ERROR for f in report.findings):
        lines.append(c("判定: 要修正 / action required", "red"))
    elif report.findings:
        lines.append(c("判定: 要確認 / review", "yellow"))
    else:
        lines.append(c("判定: 問題なし / no findings", "green"))
    counts = {s: sum(1 for r in report.clauses if r.status is s) for s in ClauseStatus}
    lines.append("  " + "  ".join(f"{STATUS_LABEL[s]} {n}" for s, n in counts.items() if n))
    lines.append("")

    lines.append(f"  {pad('条', 8)}{pad('状態', 10)}{pad('必須', 6)}{pad('類似度', 8)}所在 / location")
    for r in report.clauses:
        where = "—"
        if r.location:
            page = f" p.{r.location.page}" if r.location.page else ""
            where = f"{r.location.title or r.location.file}{page} {r.location.article}"
        if r.ocr_confidence is not None:
            where += f" [OCR {r.ocr_confidence:.0%}]"
        status = pad(STATUS_LABEL[r.status], 10)
        lines.append(
            f"  {pad(r.label, 8)}{c(status, _STATUS_COLOUR[r.status])}"
            f"{pad('●' if r.mandatory else '', 6)}{pad(f'{r.similarity:.0%}', 8)}{where}  {r.title}"
        )
    if report.findings:
        lines.append("")
        lines.append(c("指摘事項 / findings", "bold"))
        by_id = {r.clause_id: r for r in report.clauses}
        shown: set[str] = set()
        for f in report.findings:
            lines.append(f"  [{c(SEVERITY_LABEL[f.severity], _SEVERITY_COLOUR[f.severity])}] {finding_message(f)}")
            lines.extend(_suggestion(f, by_id.get(f.clause), shown))
    detail = [r for r in report.clauses if r.status in (ClauseStatus.OBSOLETE, ClauseStatus.MODIFIED)]
    for r in detail:
        lines.append("")
        lines.append(c(f"{r.label}（{r.title}）の相違 / differences", "bold"))
        for ch in r.changes:
            lines.append(f"  {CHANGE_LABEL[ch.kind.value]}: {ch.describe()}")
        for note in r.notes:
            lines.append(f"  ※ {note}")
    if report.coverage:
        lines.append("")
        lines.append(c("国の指針の論点（4-8-9(1) ①〜⑧・派遣労働者） / national-guideline topics", "bold"))
        for cov in report.coverage:
            mark = TOPIC_MARKS[cov.topic]
            state = c(pad("あり", 6), "green") if cov.covered else c(pad("なし", 6), "yellow")
            # The file is named only when the contract has several (the clause table above names it).
            where = "、".join(
                (f"{loc.title or loc.file} " if len(report.files) > 1 else "") + (f"p.{loc.page} " if loc.page else "") + loc.article
                for loc in cov.locations
            ) or "—"
            lines.append(f"  {pad(mark, 6)}{state}{pad(cov.name, 30)}{where}")
    if report.notes:
        lines.append("")
        for note in report.notes:
            lines.append(f"※ {note}")
    return "\n".join(lines) + "\n"
