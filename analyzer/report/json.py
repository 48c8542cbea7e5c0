"""tokki.report/1 JSON: the interface other tools and the evaluation read.

The schema ships as ``tokki.report-1.schema.json`` beside this module; extra
fields are allowed, the documented ones keep their meaning.
"""
from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from importlib.resources import files

from ..version import __version__
from ..messages import finding_message
from ..model import ClauseResult, ClauseStatus, Location, Report, Supersession
from .labels import supersession_notice

SCHEMA_ID = "tokki.report/1"
SCHEMA_FILE = "tokki.report-1.schema.json"


def _location(loc: Location | None) -> dict | None:
    """Where the contract has it: file, page, article as printed, the document's title."""
    return None if loc is None else {"file": loc.file, "page": loc.page, "article": loc.article, "title": loc.title}


def _clause(c: ClauseResult) -> dict:
    return {
        "id": c.clause_id,
        "label": c.label,
        "title": c.title,
        "status": c.status.value,
        "mandatory": c.mandatory,
        "similarity": c.similarity,
        "matched_version": c.matched_version,
        "location": _location(c.location),
        "changes": [{"kind": ch.kind.value, "expected": ch.expected, "actual": ch.actual} for ch in c.changes],
        "expected_text": c.expected_text,
        "actual_text": c.actual_text,
        "notes": list(c.notes),
        "ocr_confidence": c.ocr_confidence,
    }


def supersession_to_dict(report: Report) -> dict | None:
    """The ``supersession`` field: None when the version checked against is the latest."""
    s: Supersession | None = report.supersession
    if s is None:
        return None
    ja, en = supersession_notice(s, report.reference_id, report.signed_on)
    return {
        "version": s.version,
        "replaced_by": s.replaced_by,
        "since": s.since.isoformat() if s.since else None,
        "signed_before": s.signed_before(report.signed_on),
        "message": f"{ja} / {en}",
    }


def report_to_dict(report: Report) -> dict:
    counts = Counter(c.status.value for c in report.clauses)
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "tokki", "version": __version__},
        "contract": {
            "id": report.contract_id,
            "files": list(report.files),
            "signed_on": report.signed_on.isoformat() if report.signed_on else None,
            "type": report.contract_type,
        },
        "reference": {
            "id": report.reference_id,
            "version": report.reference_version,
            "title": report.reference_title,
        },
        "status": report.status.value,
        "error": None
        if report.error is None
        else {"code": report.error.code.value, "message": report.error.message, "file": report.error.file},
        "summary": {s.value: counts.get(s.value, 0) for s in ClauseStatus},
        "clauses": [_clause(c) for c in report.clauses],
        "findings": [
            {"kind": f.kind.value, "clause": f.clause, "severity": f.severity.value, "message": finding_message(f),
             "facets": list(f.facets or (f.kind.value,)), "message_ja": finding_message(f, "ja"),
             "message_en": finding_message(f, "en"), "message_id": f.message_id, "params": dict(f.params),
             "location": _location(f.location)}
            for f in report.findings
        ],
        "notes": list(report.notes),
        "ocr": None
        if not report.ocr_pages
        else {
            "mean_confidence": report.ocr_confidence,
            "pages": [{"file": p.file, "page": p.page, "confidence": p.confidence} for p in report.ocr_pages],
        },
        "metadata": report.metadata.to_json() if report.metadata else None,
        "supersession": supersession_to_dict(report),
        "reference_choice": report.choice.to_json() if report.choice else None,
        "coverage": [
            {
                "topic": c.topic,
                "name": c.name,
                "covered": c.covered,
                "locations": [_location(loc) for loc in c.locations],
            }
            for c in report.coverage
        ],
    }


def render_json(report: Report, **_: object) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"


@lru_cache(maxsize=1)
def report_schema() -> dict:
    return json.loads(files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
