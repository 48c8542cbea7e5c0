"""HTML report: one self-contained file (inline CSS, no scripts, no network), verdict first.

The template renders the tokki.report/1 dict (``report_to_dict``) plus a few
view values computed here. All document text goes through Jinja2
autoescaping; changed words are passed as (text, highlighted) segments cut
from the raw text, never as pre-built markup, so a contract containing
``<script>`` shows as text.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..model import Report
from ..topics import TOPIC_MARKS
from .json import report_to_dict
from .labels import clause_label
from .text import CHANGE_LABEL, SEVERITY_LABEL, STATUS_LABEL

TEMPLATE = "report.html.j2"

STATUS_LABEL_EN = {
    "current": "current",
    "obsolete": "obsolete",
    "modified": "modified",
    "missing": "missing",
    "not_applicable": "n/a",
    "review": "needs review",
}
SEVERITY_LABEL_EN = {"error": "error", "warning": "warning", "info": "info"}
CHANGE_LABEL_EN = {
    "weakened": "weakened",
    "strengthened": "strengthened",
    "deleted": "deleted",
    "inserted": "inserted",
    "replaced": "replaced",
}
ERROR_LABEL = {
    "ocr_required": "文字情報のないPDF（スキャン）です。OCR処理が必要です",
    "encrypted": "パスワード保護されています",
    "corrupt": "ファイルが壊れているか、拡張子と内容が一致しません",
    "unsupported_format": "対応していないファイル形式です（PDF・DOCX・TXTに変換してください）",
    "empty": "本文がありません",
    "too_large": "ファイルが大きすぎます",
    "timeout": "処理が時間内に終わりませんでした",
}

Segments = list[tuple[str, bool]]


# ---------------------------------------------------------------- highlighting


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` NFKC-folded per character with whitespace dropped, and each folded char's offset in ``text``.

    Lets a change quoted from normalized text be found in the wording as
    written, where a line break, a stray space or a full-width digit may sit
    inside the quoted words.
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for f in unicodedata.normalize("NFKC", ch):
            if f.isspace():
                continue
            out.append(f)
            where.append(i)
    return "".join(out), where


def _find(text: str, needle: str, pos: int, folded: tuple[str, list[int]] | None) -> tuple[int, int] | None:
    """[start, end) of ``needle`` in ``text``: first exact occurrence at or after ``pos``, else the first
    anywhere, else the first whitespace/width-insensitive occurrence; None if absent."""
    i = text.find(needle, pos)
    if i < 0:
        i = text.find(needle)
    if i >= 0:
        return i, i + len(needle)
    if folded is None:
        return None
    key, _ = _folded(needle)
    if not key:
        return None
    hay, where = folded
    j = hay.find(key)
    if j < 0:
        return None
    return where[j], where[j + len(key) - 1] + 1


def highlight(text: str, needles: list[str]) -> Segments:
    """Split ``text`` into (segment, highlighted) parts, marking the first occurrence of each needle in order.

    Needles are searched from the end of the previous mark (so two changes
    quoting the same words mark two places), falling back to the first
    occurrence anywhere and then to a match that ignores whitespace and
    character width. Empty or absent needles mark nothing; overlapping marks merge.
    The segments join back to ``text`` exactly.
    """
    marks: list[tuple[int, int]] = []
    pos = 0
    folded: tuple[str, list[int]] | None = None
    for needle in needles:
        if not needle:
            continue
        hit = _find(text, needle, pos, None)
        if hit is None:
            if folded is None:
                folded = _folded(text)
            hit = _find(text, needle, pos, folded)
        if hit is None:
            continue
        marks.append(hit)
        pos = hit[1]
    merged: list[tuple[int, int]] = []
    for s, e in sorted(marks):
        if merged and s < merged[-1][1]:  # overlapping changes: mark their union once
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    out: Segments = []
    last = 0
    for s, e in merged:
        if s > last:
            out.append((text[last:s], False))
        out.append((text[s:e], True))
        last = e
    if last < len(text):
        out.append((text[last:], False))
    return out


# ---------------------------------------------------------------- view values


def _verdict(data: dict) -> tuple[str, str, str]:
    """(css class, Japanese, English) of the banner."""
    if data["status"] == "error":
        return "error", "読み取りエラー", "Error"
    if data["status"] == "no_reference":
        return "warn", "参照文を特定できません（国の指針の論点のみ確認）", "No reference identified: national-guideline topics only"
    severities = {f["severity"] for f in data["findings"]}
    if "error" in severities:
        return "bad", "要修正", "Action required"
    if severities:
        return "warn", "要確認", "Review"
    return "ok", "問題なし", "No findings"


def _basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or path


def _percent(value: object) -> str:
    if not isinstance(value, (int, float)):
        return "—"
    return f"{round(float(value) * 100):d}%"


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """The Jinja2 environment of every HTML output (autoescaped, templates shipped in this package)."""
    env = Environment(
        loader=PackageLoader("analyzer.report", "."),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["basename"] = _basename
    env.filters["percent"] = _percent
    return env


def report_context(report: Report) -> dict:
    """What the report templates (``report.html.j2``, and ``report_body.html.j2`` with ``report.css``
    where a web page embeds a report) are rendered with."""
    return stored_report_context(report_to_dict(report))


def stored_report_context(data: dict) -> dict:
    """``report_context`` of a tokki.report/1 JSON object (a report kept in the store); adds the
    highlighted segments to ``data``'s clauses."""
    for c in data["clauses"]:
        c["expected_segments"] = highlight(c["expected_text"], [ch["expected"] for ch in c["changes"]])
        c["actual_segments"] = highlight(c["actual_text"], [ch["actual"] for ch in c["changes"]])
    severity_counts = {s: sum(1 for f in data["findings"] if f["severity"] == s) for s in SEVERITY_LABEL}
    verdict_class, verdict, verdict_en = _verdict(data)
    detailed = {c["id"] for c in data["clauses"] if c["status"] in ("obsolete", "modified", "missing") or c["notes"]}
    sup = data.get("supersession")
    notice = sup["message"].rpartition(" / ")[::2] if sup else None  # (Japanese, English)
    return dict(
        r=data,
        labels={f["clause"]: clause_label(f["clause"]) for f in data["findings"]}
        | {c["id"]: c["label"] for c in data["clauses"]},
        verdict=verdict,
        verdict_en=verdict_en,
        verdict_class=verdict_class,
        severity_counts=severity_counts,
        detailed=detailed,
        status_label=STATUS_LABEL,
        status_label_en=STATUS_LABEL_EN,
        severity_label=SEVERITY_LABEL,
        severity_label_en=SEVERITY_LABEL_EN,
        change_label=CHANGE_LABEL,
        change_label_en=CHANGE_LABEL_EN,
        error_label=ERROR_LABEL,
        topic_marks=TOPIC_MARKS,
        supersession_notice=notice,  # (Japanese, English) or None: the version checked against was replaced
    )


def render_html(report: Report, **_: object) -> str:
    return template_environment().get_template(TEMPLATE).render(**report_context(report))
