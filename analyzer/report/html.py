"""HTML report: one self-contained file (inline CSS, no scripts, no network), verdict first.

All document text goes through Jinja2 autoescaping; highlighted changes are
passed as (text, highlighted) segments, never as pre-built markup.
"""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from ..model import Report
from .json import report_to_dict
from .text import CHANGE_LABEL

STATUS_LABEL = {
    "current": "現行",
    "obsolete": "旧版",
    "modified": "変更あり",
    "missing": "欠落",
    "not_applicable": "対象外",
}
SEVERITY_LABEL = {"error": "エラー", "warning": "警告", "info": "情報"}


def highlight(text: str, needles: list[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into (segment, highlighted) parts, marking the first occurrence of each needle in order."""
    marks: list[tuple[int, int]] = []
    pos = 0
    for needle in needles:
        if not needle:
            continue
        i = text.find(needle, pos)
        if i < 0:
            i = text.find(needle)
        if i < 0 or any(s < i + len(needle) and i < e for s, e in marks):
            continue
        marks.append((i, i + len(needle)))
        pos = i + len(needle)
    marks.sort()
    out: list[tuple[str, bool]] = []
    last = 0
    for s, e in marks:
        if s > last:
            out.append((text[last:s], False))
        out.append((text[s:e], True))
        last = e
    if last < len(text):
        out.append((text[last:], False))
    return out


def _verdict(data: dict) -> tuple[str, str]:
    if data["status"] == "error":
        return "error", "読み取りエラー / Error"
    severities = {f["severity"] for f in data["findings"]}
    if "error" in severities:
        return "bad", "要修正 / Action required"
    if severities:
        return "warn", "要確認 / Review"
    return "ok", "問題なし / No findings"


_ENV = Environment(loader=PackageLoader("analyzer.report", "."), autoescape=select_autoescape(["j2", "html"]))


def render_html(report: Report, **_: object) -> str:
    data = report_to_dict(report)
    for c in data["clauses"]:
        c["expected_segments"] = highlight(c["expected_text"], [ch["expected"] for ch in c["changes"]])
        c["actual_segments"] = highlight(c["actual_text"], [ch["actual"] for ch in c["changes"]])
    verdict_class, verdict = _verdict(data)
    return _ENV.get_template("report.html.j2").render(
        r=data,
        verdict=verdict,
        verdict_class=verdict_class,
        status_label=STATUS_LABEL,
        severity_label=SEVERITY_LABEL,
        change_label=CHANGE_LABEL,
    )
