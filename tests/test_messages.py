"""Structured findings (issue 19, point 2): a finding says what, on which clause, how grave, where the
contract has it and the values of its message; the words are rendered in Japanese and in English,
and tokki.report/1 keeps its bilingual ``message`` beside the added fields."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from analyzer import analyze
from analyzer.messages import MESSAGE_IDS, finding_message
from analyzer.model import ContractStatus, FindingKind, Severity
from analyzer.report import render_report
from analyzer.report.json import report_schema

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def test_obsolete_finding_says_where_and_in_both_languages():
    report = analyze([CORPUS / "C007-old-before.pdf"], reference="fukuoka-pref")
    assert report.status is ContractStatus.FINDINGS and report.status == "findings"
    obsolete = [f for f in report.findings if f.kind is FindingKind.OBSOLETE]
    assert obsolete
    for f in obsolete:
        assert f.message_id == "clause_obsolete" and f.params["matched_version"] == "pre-2023-10-10"
        # Where the contract has it: the file, a page of it, the article as printed.
        assert f.location is not None and f.location.file.endswith("C007-old-before.pdf")
        assert f.location.page >= 1 and f.location.article.startswith("第")
        ja, en = finding_message(f, "ja"), finding_message(f, "en")
        assert "改正前（pre-2023-10-10）の文言です" in ja and "［契約日が見つからないため" in ja
        assert "clause" not in ja and "signing date" not in ja
        assert en.startswith(f"clause {f.clause} uses the superseded wording of pre-2023-10-10 [signing date not found")
        assert "改正" not in en and "契約日" not in en
        both = finding_message(f)
        assert both.startswith(ja.split("［")[0]) and f"clause {f.clause} uses the superseded wording" in both


def test_missing_mandatory_clause_has_no_location_and_says_why():
    report = analyze([CORPUS / "C004-drop-mandatory.docx"], reference="fukuoka-pref")
    (f,) = [f for f in report.findings if f.kind is FindingKind.MISSING and f.severity is Severity.ERROR]
    assert f.location is None and f.params["why"] == "mandatory"
    assert finding_message(f, "ja").endswith("がありません（必須事項です）")
    assert finding_message(f, "en") == f"clause {f.clause} is missing (mandatory item)"
    assert finding_message(f) == f"{f.params['name']}がありません（必須事項です / mandatory item） / clause {f.clause} is missing"


def test_json_findings_keep_message_and_add_the_structured_fields():
    seen = set()
    for name in ("C007-old-before.pdf", "C004-drop-mandatory.docx", "C047-modified.txt"):
        report = analyze([CORPUS / name])
        data = json.loads(render_report(report, "json"))
        jsonschema.validate(data, report_schema())
        for f, obj in zip(report.findings, data["findings"]):
            assert obj["message"] == finding_message(f)
            assert (obj["message_ja"], obj["message_en"]) == (finding_message(f, "ja"), finding_message(f, "en"))
            assert obj["message_id"] in MESSAGE_IDS and obj["params"] == f.params
            assert (obj["location"] is None) == (f.location is None)
            if f.location is not None:
                assert obj["location"]["article"] == f.location.article
            seen.add(obj["message_id"])
    assert {"clause_obsolete", "clause_missing", "clause_modified"} <= seen
