"""What a user reads in the HTML and text reports of ``tokki check`` (issue 14, item 6).

The HTML report is parsed (html.parser, tests/html_dom.py) and read the way a clerk reads it: the banner,
the clause counts, each finding's severity badge, clause and message, the status badge of every clause
row and of its detail section, and the 「指摘はありません」 line — present exactly when there is no finding.
The text report is read line by line: the verdict, the status-count line, each clause row, each finding.

Planted defect (b) of issue 14 — every HTML report saying "No findings" — is caught by
    tests/test_report_contents.py::test_html_report_as_read[dropped-12-17]
(and every other case with findings: weakened-14, old-before-revision).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from contracts import build_annex, fukuoka_annex
from html_dom import parse

from analyzer.cli import main

# ---------------------------------------------------------------------------------------------
# 事例表（契約書 → 報告書に表示される内容）
#   ID                    契約書                     判定（バナー）   内訳                 指摘（重大度・条・文言）
#   clean                 現行の19条                 問題なし         現行 19              なし（「指摘はありません」）
#   dropped-12-17         第12・第17 を削除          要修正           現行 17・欠落 2      エラー 第12 必須／警告 第17 任意／警告 論点②
#   weakened-14           第14 の「直ちに」を削除    要修正           現行 18・変更あり 1  警告 第14 相違／エラー 第14 義務の弱化
#   old-before-revision   旧版の第15・第16、契約日 2023-10-09（改正前）
#                                                    要確認           現行 17・旧版 2      情報 ×4（差替えは不要）
#   not-applicable-3      第3 を削除、類型3（—）     問題なし         現行 18・対象外 1    なし
# ---------------------------------------------------------------------------------------------

STATUS_ORDER = ("現行", "旧版", "変更あり", "欠落", "対象外")
SEVERITY_CLASS = {"エラー": "error", "警告": "warning", "情報": "info"}
MANDATORY = {"1", "2", "4", "11", "12", "13", "14", "19"}


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    args: tuple[str, ...]  # extra tokki check options
    verdict: tuple[str, str, str]  # (banner class, 日本語, English)
    counts: dict[str, int]  # status label → count (others 0)
    rows: dict[str, str]  # clause number → status label, for clauses not 現行
    findings: list[tuple[str, str, str]]  # (severity label, clause as shown, words of the message)
    optional_missing: tuple[str, ...] = field(default=())


CASES = [
    Case("clean", fukuoka_annex(), (), ("ok", "問題なし", "No findings"), {"現行": 19}, {}, []),
    Case(
        "dropped-12-17", build_annex(drop=(12, 17)), (), ("bad", "要修正", "Action required"),
        {"現行": 17, "欠落": 2}, {"12": "欠落", "17": "欠落"},
        [
            ("エラー", "第12", "第12（再委託の禁止）がありません（必須事項です / mandatory item）"),
            ("警告", "第17", "第17（取扱記録の作成）がありません（任意事項です / optional item）"),
            ("警告", "topic-2", "②「再委託の制限」に当たる条項が見つかりません"),
        ],
        optional_missing=("17",),
    ),
    Case(
        "weakened-14", build_annex().replace("直ちに被害の発生", "被害の発生"), (), ("bad", "要修正", "Action required"),
        {"現行": 18, "変更あり": 1}, {"14": "変更あり"},
        [
            ("警告", "第14", "第14（事故報告）が参照文（2023-10-10）と異なります（1箇所）"),
            ("エラー", "第14", "第14（事故報告）の義務が弱められています"),
        ],
    ),
    Case(
        "old-before-revision", build_annex(old=True), ("--signed-on", "2023-10-09"), ("warn", "要確認", "Review"),
        {"現行": 17, "旧版": 2}, {"15": "旧版", "16": "旧版"},
        [
            ("情報", "第15", "第15（調査）は改正前（pre-2023-10-10）の文言です。参考"),
            ("情報", "第15", "第15（調査）の義務が弱められています"),
            ("情報", "第16", "第16（指示及び報告）は改正前（pre-2023-10-10）の文言です。参考"),
            ("情報", "第16", "第16（指示及び報告）の義務が弱められています"),
        ],
    ),
    Case("not-applicable-3", build_annex(drop=(3,)), ("--type", "3"), ("ok", "問題なし", "No findings"),
         {"現行": 18, "対象外": 1}, {"3": "対象外"}, []),
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Per case: (html, text) as ``tokki check --format html -o`` and ``tokki check`` give them, and the exit codes."""
    import contextlib
    import io

    out = {}
    for case in CASES:
        d = tmp_path_factory.mktemp(case.id)
        path = d / "契約書.txt"
        path.write_text(case.text, encoding="utf-8")
        base = ["check", str(path), "--reference", "fukuoka-pref", *case.args]
        html_code = main([*base, "--format", "html", "-o", str(d / "report.html")])
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            text_code = main(base)
        out[case.id] = ((d / "report.html").read_text("utf-8"), buf.getvalue(), html_code, text_code)
    return out


def _expected_rows(case: Case) -> list[tuple[str, str, bool]]:
    return [(f"第{n}", case.rows.get(str(n), "現行"), str(n) in MANDATORY) for n in range(1, 20)]


def _expected_counts(case: Case) -> list[tuple[str, int]]:
    return [(label, case.counts.get(label, 0)) for label in STATUS_ORDER]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_html_report_as_read(case: Case, outputs):
    html, _, code, _ = outputs[case.id]
    assert code == (1 if case.verdict[0] == "bad" else 0)
    page = parse(html)

    # Banner, and the page title a browser tab shows.
    banner = page.one(cls="verdict")
    assert banner.classes == {"verdict", case.verdict[0]}
    big = banner.one(cls="big")
    assert (big.own_text(), big.one(cls="en").text) == (case.verdict[1], f"/ {case.verdict[2]}")
    assert page.one(tag="title").text.startswith(f"{case.verdict[1]}：特記事項チェック")
    subs = [s.text for s in banner.find_all(cls="sub")]
    if case.findings:
        per = {label: sum(1 for f in case.findings if f[0] == label) for label in SEVERITY_CLASS}
        breakdown = "・".join(f"{label} {n}" for label, n in per.items() if n)
        assert subs[0] == f"指摘 {len(case.findings)} 件（{breakdown}） {len(case.findings)} finding(s)"
    else:
        assert subs[0] == "参照文の現行版と一致しています matches the current reference wording"

    # Clause counts (内訳).
    counts = [
        (li.one(cls="badge").text, int(li.own_text())) for li in page.one(tag="ul", cls="counts").find_all(tag="li")
    ]
    assert counts == _expected_counts(case)

    # Findings: severity badge, the clause it names, the message; 「指摘はありません」 only when there are none.
    no_findings = [p for p in page.find_all(tag="p") if p.text == "指摘はありません。 No findings."]
    lists = page.find_all(tag="ul", cls="findings")
    if case.findings:
        assert no_findings == []
        (ul,) = lists
        shown = []
        for li in ul.find_all(tag="li"):
            badge = li.one(cls="badge")
            assert badge.classes == {"badge", f"b-{SEVERITY_CLASS[badge.text]}"}
            shown.append((badge.text, li.one(cls="ref").text, li.text))
        assert [(s, c) for s, c, _ in shown] == [(s, c) for s, c, _ in case.findings]
        for (_, _, text), (_, _, words) in zip(shown, case.findings):
            assert words in text
    else:
        assert len(no_findings) == 1 and lists == []

    # Clause table: label, status badge, mandatory mark — for all 19 clauses.
    table = next(t for t in page.find_all(tag="table") if "coverage" not in t.classes)
    rows = []
    for tr in table.one(tag="tbody").find_all(tag="tr"):
        cells = tr.find_all(tag="td")
        badge = cells[2].one(cls="badge")
        status_class = next(c for c in badge.classes if c.startswith("b-"))
        assert STATUS_ORDER.index(badge.text) == ["b-current", "b-obsolete", "b-modified", "b-missing",
                                                  "b-not_applicable"].index(status_class)
        assert ("optional" in badge.classes) is (cells[0].text.removeprefix("第") in case.optional_missing)
        rows.append((cells[0].text, badge.text, cells[3].text == "●"))
    assert rows == _expected_rows(case)

    # Every clause not current has a detail section with the same status, linked from its row and findings.
    for n, label in case.rows.items():
        if label == "対象外":
            continue
        section = page.one(tag="section", id=f"c{n}")
        assert section.one(tag="h3").one(cls="badge").text == label
        assert table.find(tag="a", href=f"#c{n}").text == f"第{n}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_text_report_as_read(case: Case, outputs):
    _, text, _, code = outputs[case.id]
    assert code == (1 if case.verdict[0] == "bad" else 0)
    lines = text.splitlines()
    verdict = next(i for i, line in enumerate(lines) if line.startswith("判定: "))
    english = {"ok": "no findings", "warn": "review", "bad": "action required"}[case.verdict[0]]
    assert lines[verdict] == f"判定: {case.verdict[1]} / {english}"
    assert lines[verdict + 1] == "  " + "  ".join(f"{label} {n}" for label, n in _expected_counts(case) if n)

    row = re.compile(r"^  (第\d+)\s+(現行|旧版|変更あり|欠落|対象外)\s+(●)?\s*\d+%")
    rows = [(m[1], m[2], m[3] == "●") for m in map(row.match, lines) if m]
    assert rows == _expected_rows(case)

    finding = re.compile(r"^  \[(エラー|警告|情報)\] (.*)$")
    shown = [(m[1], m[2]) for m in map(finding.match, lines) if m]
    assert [s for s, _ in shown] == [s for s, _, _ in case.findings]
    for (_, message), (_, _, words) in zip(shown, case.findings):
        assert words in message
    assert ("指摘事項 / findings" in lines) is bool(case.findings)
