"""Severity and exit code of every finding kind × mandatory/optional × 類型 × date rule (issue 14, item 6).

Each case builds one contract from the 福岡県 reference text (tests/contracts.py), changes one thing,
and asserts what a user is told: the status of every clause, each finding's kind and severity,
``report.has_errors``, and the exit code of ``tokki check`` with the JSON report it prints.

Planted defect (a) of issue 14 — a weakened duty in a mandatory clause reported as a warning, so that
``tokki check`` exits 0 — is caught by
    tests/test_severity.py::test_severity_and_exit_code[weakened-mandatory-14-tadachini]
(and the other ``weakened-mandatory-*`` cases).

福岡県 (fukuoka-pref 2023-10-10): 必須事項 = 第1, 第2, 第4, 第11–第14, 第19; 第15・第16 were revised on
2023-10-10 (「することができる」→「行う」,「求めることができる」→「求める」).
類型表 (seed 000): 類型1 — 第5・第17・第18 △; 類型2 — 第7 —, 第17・第18 △; 類型3 — 第3・第5–第10 —, 第15–第18 △.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from contracts import build_annex

from analyzer import analyze
from analyzer.cli import main
from analyzer.messages import finding_message

ERR, WARN, INFO = "error", "warning", "info"

# ---------------------------------------------------------------------------------------------
# 事例表（契約書の作り方 → 条の状態・指摘の種類と重大度・終了コード）
#
# 表A 欠落（missing）: 必須なら error（終了1）、任意なら warning（終了0）、類型で「△」なら info、「—」なら not_applicable で指摘なし
#   ID                          契約書                 類型   条の状態              指摘                       終了
#   missing-mandatory-1         第1 を削除             —      第1 missing           missing 第1 error            1
#   missing-mandatory-12        第12 を削除            —      第12 missing          missing 第12 error           1
#   missing-mandatory-19        第19 を削除            —      第19 missing          missing 第19 error           1
#   missing-mandatory-12-type1  第12 を削除            1      第12 missing          missing 第12 error           1
#   missing-optional-17         第17 を削除            —      第17 missing          missing 第17 warning         0
#   missing-optional-3-type1    第3 を削除（類型1で○）  1      第3 missing           missing 第3 warning          0
#   missing-triangle-17-type1   第17 を削除（△）       1      第17 missing          missing 第17 info            0
#   missing-triangle-5-type1    第5 を削除（△）        1      第5 missing           missing 第5 info             0
#   not-applicable-3-type3      第3 を削除（—）        3      第3 not_applicable    なし                         0
#   not-applicable-7-type2      第7 を削除（—）        2      第7 not_applicable    なし                         0
#
# 表B 旧版（obsolete、第15・第16 は任意事項）: 契約日が改正（2023-10-10）より前なら info「差替えは不要」、
#     改正の日以後なら error、契約日が分からなければ error。弱化（weakened）は同じ規則で info、それ以外は任意事項なので warning
#   old-before-revision         旧版の第15・第16       契約日 2023-10-09   obsolete info ×2・weakened info ×2           0
#   old-on-revision-day         同                     契約日 2023-10-10   obsolete error ×2・weakened warning ×2       1
#   old-after-revision          同                     契約日 2025-04-01   obsolete error ×2・weakened warning ×2       1
#   old-no-date                 同                     契約日なし          obsolete error ×2・weakened warning ×2       1
#
# 表C 旧版の文言で義務が弱い必須事項（某市の2版の参照文、第2 が必須で 2024-04-10 改正）
#   old-mandatory-before        旧版の第2              契約日 2024-04-09   obsolete info・weakened info                 0
#   old-mandatory-after         同                     契約日 2024-04-10   obsolete error・weakened error               1
#   old-mandatory-no-date       同                     契約日なし          obsolete error・weakened error               1
#
# 表D 弱化（weakened）: 必須事項なら error（終了1）、任意事項なら warning（終了0）。変更あり（modified）は warning
#   weakened-mandatory-14-tadachini   第14 の「直ちに」を削除                      modified warning・weakened error    1
#   weakened-mandatory-1-effort  第1 「講じなければならない」→「講じるよう努める」 modified warning・weakened error    1
#   weakened-mandatory-12-prohibition     第12 「委託してはならない」→「委託しないよう努める」 modified warning・weakened error  1
#   weakened-optional-3-arakajime 第3 の「あらかじめ」を削除                   modified warning・weakened warning  0
#   weakened-optional-18-effort  第18 「運搬しなければならない」→「運搬するよう努める」 modified warning・weakened warning 0
#
# 表E 変更あり（modified、弱化ではない）: warning（必須事項でも終了0）
#   modified-mandatory-4-deleted      第4 の後段の文を削除                         modified warning                    0
#   modified-mandatory-19-strengthened     第19 「請求をすることができる」→「請求をする」（強化） modified warning           0
#   modified-optional-18-inserted      第18 に文を追加                              modified warning                    0
#
# 表F 問題なし: 19条すべて current、指摘なし、終了0
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    text: str  # the contract
    statuses: dict[str, str]  # clauses not current → status; every other clause must be current
    findings: list[tuple[str, str, str]]  # (kind, clause, severity) in report order, topic-N findings aside
    exit_code: int
    contract_type: str | None = None
    signed_on: date | None = None
    reference: str = "fukuoka-pref"
    library: bool = False  # the two-version 某市 set below
    words: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, clause) → words its message must say


def _edit(old: str, new: str) -> str:
    text = build_annex()
    assert text.count(old) == 1, old  # the edit hits exactly one place
    return text.replace(old, new)


# 某市: 第2（事故報告、必須）was revised on 2024-04-10 from a duty to endeavour to an immediate duty.
CITY_CURRENT = """\
[reference]
id = "city"
issuer = "某市"
title = "個人情報取扱特記事項"
version = "2024-04-10"
effective = 2024-04-10

[[clause]]
id = "1"
title = "秘密の保持"
mandatory = true
source = "test"
paragraphs = ["乙は、この契約による業務に関して知り得た個人情報を他に漏らしてはならない。"]

[[clause]]
id = "2"
title = "事故報告"
mandatory = true
source = "test"
paragraphs = ["乙は、個人情報の漏えいが発生したときは、直ちに甲に報告するものとする。"]

[[clause]]
id = "3"
title = "調査"
mandatory = false
source = "test"
paragraphs = ["甲は、乙に対し、個人情報の管理状況について、随時調査を行うものとする。"]
"""
CITY_OLD = (
    CITY_CURRENT.replace('version = "2024-04-10"', 'version = "pre-2024-04-10"')
    .replace("effective = 2024-04-10", "superseded_on = 2024-04-10")
    .replace("直ちに甲に報告するものとする", "甲に報告するよう努めるものとする")
)
CITY_CONTRACT = (
    "個人情報取扱特記事項\n（秘密の保持）\n第1条 乙は、この契約による業務に関して知り得た個人情報を他に漏らしてはならない。\n"
    "（事故報告）\n第2条 乙は、個人情報の漏えいが発生したときは、甲に報告するよう努めるものとする。\n"
    "（調査）\n第3条 甲は、乙に対し、個人情報の管理状況について、随時調査を行うものとする。\n"
)

OLD_15_16 = {"15": "obsolete", "16": "obsolete"}


def _old(severity: str) -> list[tuple[str, str, str]]:
    # One problem, one finding (issue 18): obsolete wording whose duty is weaker is one obsolete
    # finding with both facets, of the graver severity.
    return [("obsolete", "15", severity), ("obsolete", "16", severity)]


CASES = [
    # 表A 欠落
    Case("missing-mandatory-1", build_annex(drop=(1,)), {"1": "missing"}, [("missing", "1", ERR)], 1,
         words={("missing", "1"): "必須事項です"}),
    Case("missing-mandatory-12", build_annex(drop=(12,)), {"12": "missing"}, [("missing", "12", ERR)], 1),
    Case("missing-mandatory-19", build_annex(drop=(19,)), {"19": "missing"}, [("missing", "19", ERR)], 1),
    Case("missing-mandatory-12-type1", build_annex(drop=(12,)), {"12": "missing"}, [("missing", "12", ERR)], 1,
         contract_type="1"),
    Case("missing-optional-17", build_annex(drop=(17,)), {"17": "missing"}, [("missing", "17", WARN)], 0,
         words={("missing", "17"): "任意事項です"}),
    Case("missing-optional-3-type1", build_annex(drop=(3,)), {"3": "missing"}, [("missing", "3", WARN)], 0,
         contract_type="1"),
    Case("missing-triangle-17-type1", build_annex(drop=(17,)), {"17": "missing"}, [("missing", "17", INFO)], 0,
         contract_type="1", words={("missing", "17"): "類型1では必要に応じて規定"}),
    Case("missing-triangle-5-type1", build_annex(drop=(5,)), {"5": "missing"}, [("missing", "5", INFO)], 0,
         contract_type="1"),
    Case("not-applicable-3-type3", build_annex(drop=(3,)), {"3": "not_applicable"}, [], 0, contract_type="3"),
    Case("not-applicable-7-type2", build_annex(drop=(7,)), {"7": "not_applicable"}, [], 0, contract_type="2"),
    # 表B 旧版（任意事項の第15・第16）と契約日
    Case("old-before-revision", build_annex(old=True), OLD_15_16, _old(INFO), 0, signed_on=date(2023, 10, 9),
         words={("obsolete", "15"): "差替えは不要"}),
    Case("old-on-revision-day", build_annex(old=True), OLD_15_16, _old(ERR), 1, signed_on=date(2023, 10, 10),
         words={("obsolete", "15"): "改正後です"}),
    Case("old-after-revision", build_annex(old=True), OLD_15_16, _old(ERR), 1, signed_on=date(2025, 4, 1),
         words={("obsolete", "16"): "現行（2023-10-10）に差し替えてください"}),
    Case("old-no-date", build_annex(old=True), OLD_15_16, _old(ERR), 1,
         words={("obsolete", "15"): "契約日が見つからない"}),
    # 表C 旧版の文言で義務の弱い必須事項
    Case("old-mandatory-before", CITY_CONTRACT, {"2": "obsolete"}, [("obsolete", "2", INFO)], 0,
         signed_on=date(2024, 4, 9), reference="city", library=True, words={("obsolete", "2"): "差替えは不要"}),
    Case("old-mandatory-after", CITY_CONTRACT, {"2": "obsolete"}, [("obsolete", "2", ERR)], 1,
         signed_on=date(2024, 4, 10), reference="city", library=True, words={("obsolete", "2"): "義務が弱められています"}),
    Case("old-mandatory-no-date", CITY_CONTRACT, {"2": "obsolete"}, [("obsolete", "2", ERR)], 1,
         reference="city", library=True),
    # 表D 弱化
    Case("weakened-mandatory-14-tadachini", _edit("直ちに被害の発生", "被害の発生"), {"14": "modified"},
         [("weakened", "14", ERR)], 1, words={("weakened", "14"): "直ちに"}),
    Case("weakened-mandatory-1-effort", _edit("講じなければならない。\n\n(管理", "講じるよう努めるものとする。\n\n(管理"),
         {"1": "modified"}, [("weakened", "1", ERR)], 1,
         words={("weakened", "1"): "義務 → 努力義務"}),
    Case("weakened-mandatory-12-prohibition", _edit("第三者にその取扱いを委託してはならない", "第三者にその取扱いを委託しないよう努めるものとする"),
         {"12": "modified"}, [("weakened", "12", ERR)], 1),
    Case("weakened-optional-3-arakajime", _edit("あらかじめ甲の承諾を得る", "甲の承諾を得る"), {"3": "modified"},
         [("weakened", "3", WARN)], 0, words={("weakened", "3"): "あらかじめ"}),
    Case("weakened-optional-18-effort", _edit("確実な方法により運搬しなければならない", "確実な方法により運搬するよう努めるものとする"),
         {"18": "modified"}, [("weakened", "18", WARN)], 0),
    # 表E 変更あり（弱化ではない）
    Case("modified-mandatory-4-deleted", _edit("この契約が終了し、又は解除された後においても、同様とする。", ""), {"4": "modified"},
         [("modified", "4", WARN)], 0, words={("modified", "4"): "参照文（2023-10-10）と異なります"}),
    Case("modified-mandatory-19-strengthened", _edit("請求をすることができるものとする", "請求をするものとする"), {"19": "modified"},
         [("modified", "19", WARN)], 0),
    Case("modified-optional-18-inserted", _edit("運搬しなければならない。", "運搬しなければならない。運搬の記録は3年間保存する。"),
         {"18": "modified"}, [("modified", "18", WARN)], 0),
    # 表F 問題なし
    Case("clean", build_annex(), {}, [], 0),
]


@pytest.fixture(scope="module")
def city_library(tmp_path_factory) -> Path:
    lib = tmp_path_factory.mktemp("lib")
    (lib / "city").mkdir()
    (lib / "city" / "2024-04-10.toml").write_text(CITY_CURRENT, encoding="utf-8")
    (lib / "city" / "pre-2024-04-10.toml").write_text(CITY_OLD, encoding="utf-8")
    return lib


def _verdict(clauses, findings) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """(status of every clause, findings other than the guideline-topic ones) from (id, status) and (kind, clause, severity)."""
    return dict(clauses), [f for f in findings if not f[1].startswith("topic-")]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_severity_and_exit_code(case: Case, tmp_path, city_library, capsys):
    path = tmp_path / "契約書.txt"
    path.write_text(case.text, encoding="utf-8")
    libs = [city_library] if case.library else []
    n = 3 if case.library else 19
    expected_statuses = {str(i): case.statuses.get(str(i), "current") for i in range(1, n + 1)}

    # Library
    report = analyze([path], reference=case.reference, contract_type=case.contract_type, signed_on=case.signed_on,
                     library_dirs=libs)
    statuses, findings = _verdict(
        ((c.clause_id, c.status.value) for c in report.clauses),
        [(f.kind.value, f.clause, f.severity.value) for f in report.findings],
    )
    assert statuses == expected_statuses
    assert findings == case.findings
    # A guideline topic no article covers is a warning, never more (README: the exit code is unchanged).
    assert {f.severity.value for f in report.findings if f.clause.startswith("topic-")} <= {WARN}
    assert report.has_errors is (case.exit_code == 1)
    assert report.status == ("findings" if report.findings else "ok")
    for (kind, clause), words in case.words.items():
        (message,) = [finding_message(f) for f in report.findings if (f.kind.value, f.clause) == (kind, clause)]
        assert words in message
    # Each finding's facets: a clause that is also weakened says so in the one finding.
    for f in report.findings:
        statuses_of = {"obsolete": ("obsolete", "weakened"), "weakened": ("modified", "weakened")}
        if f.kind.value == "weakened" or (f.kind.value == "obsolete" and f.clause in ("2",) and case.library):
            assert f.facets == statuses_of[f.kind.value] and "義務が弱められています" in finding_message(f)

    # CLI: exit code and the JSON report it prints
    args = ["check", str(path), "--reference", case.reference, "--format", "json"]
    if case.contract_type:
        args += ["--type", case.contract_type]
    if case.signed_on:
        args += ["--signed-on", case.signed_on.isoformat()]
    for lib in libs:
        args += ["--library", str(lib)]
    code = main(args)
    out = capsys.readouterr().out
    assert code == case.exit_code
    data = json.loads(out)
    statuses, findings = _verdict(
        ((c["id"], c["status"]) for c in data["clauses"]),
        [(f["kind"], f["clause"], f["severity"]) for f in data["findings"]],
    )
    assert statuses == expected_statuses
    assert findings == case.findings

    # CLI text report: the verdict line a clerk reads first agrees with the exit code.
    assert main([a for a in args if a not in ("--format", "json")]) == case.exit_code
    text = capsys.readouterr().out
    verdict = next(line for line in text.splitlines() if line.startswith("判定:"))
    if case.exit_code == 1:
        assert verdict == "判定: 要修正 / action required"
    elif report.findings:  # warnings or information only (a guideline-topic warning included)
        assert verdict == "判定: 要確認 / review"
    else:
        assert verdict == "判定: 問題なし / no findings"


def test_case_table_covers_every_kind_severity_and_exit_code():
    """The table above holds every finding kind at every severity it can take, and both exit codes."""
    seen = {(kind, sev) for c in CASES for kind, _, sev in c.findings}
    assert seen == {
        ("missing", ERR), ("missing", WARN), ("missing", INFO),
        ("obsolete", ERR), ("obsolete", INFO),
        # A weakened info was old wording signed before its revision: now part of that obsolete finding.
        ("weakened", ERR), ("weakened", WARN),
        ("modified", WARN),
    }
    assert {c.exit_code for c in CASES} == {0, 1}
    assert any("not_applicable" in c.statuses.values() for c in CASES)


def test_version_superseded_on_the_first_of_a_month_is_not_the_latest(tmp_path):
    """tokki refs import --version 2024-04-01 writes pre-2024-04-01 with superseded_on = 2024-04-01; the
    current version must still be 2024-04-01, so the old wording is reported as obsolete."""
    lib = tmp_path / "lib"
    (lib / "city").mkdir(parents=True)
    (lib / "city" / "2024-04-01.toml").write_text(CITY_CURRENT.replace("2024-04-10", "2024-04-01"), encoding="utf-8")
    (lib / "city" / "pre-2024-04-01.toml").write_text(CITY_OLD.replace("2024-04-10", "2024-04-01"), encoding="utf-8")
    path = tmp_path / "契約書.txt"
    path.write_text(CITY_CONTRACT, encoding="utf-8")
    report = analyze([path], reference="city", library_dirs=[lib], signed_on=date(2024, 5, 1))
    assert report.reference_version == "2024-04-01"
    assert [(f.kind.value, f.clause, f.severity.value) for f in report.findings if not f.clause.startswith("topic-")] == [
        ("obsolete", "2", ERR)  # its weaker duty is a facet of the one finding
    ]


@pytest.mark.parametrize(
    ("old", "new", "clause"),
    [
        # 第1 without its legal basis (similarity 0.88): the article is there, reworded.
        ("個人情報の保護に関する法律(平成15年法律第57号)第66条第2項において準用される同条第1項の規定及び", "", "1"),
        # 第19 reworded (similarity 0.72, above min_similarity 0.6); 第5 reworded more (0.69) is found and
        # reported modified (the passing test below) — the edges should be too.
        ("乙が保有個人情報取扱特記事項の内容に反していると認めたときは、", "乙が違反したときは、", "19"),
    ],
    ids=["first-article", "last-article"],
)
def test_reworded_first_or_last_article_is_modified_not_missing(tmp_path, old, new, clause):
    path = tmp_path / "契約書.txt"
    path.write_text(_edit(old, new), encoding="utf-8")
    report = analyze([path], reference="fukuoka-pref")
    assert {c.clause_id: c.status.value for c in report.clauses if c.status.value != "current"} == {clause: "modified"}
    assert ("missing", clause) not in {(f.kind.value, f.clause) for f in report.findings}


def test_reworded_article_inside_the_annex_is_modified(tmp_path):
    """The counterpart of the xfail above, which passes: 第5 reworded (similarity 0.69) is modified, a warning."""
    path = tmp_path / "契約書.txt"
    path.write_text(_edit("この契約による事務を行うために個人情報を収集するときは、当該事務を達成するために必要な範囲内で、",
                          "個人情報を収集するときは、"), encoding="utf-8")
    report = analyze([path], reference="fukuoka-pref")
    assert {c.clause_id: c.status.value for c in report.clauses if c.status.value != "current"} == {"5": "modified"}
    assert [(f.kind.value, f.clause, f.severity.value) for f in report.findings] == [("modified", "5", WARN)]
