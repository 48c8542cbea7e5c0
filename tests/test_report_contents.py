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
#   weakened-14           第14 の「直ちに」を削除    要修正           現行 18・変更あり 1  エラー 第14 相違・義務の弱化（1件）
#   old-before-revision   旧版の第15・第16、契約日 2023-10-09（改正前）
#                                                    要確認           現行 17・旧版 2      情報 ×2（差替えは不要、義務の弱化も）
#   not-applicable-3      第3 を削除、類型3（—）     問題なし         現行 18・対象外 1    なし
# ---------------------------------------------------------------------------------------------

WORDING = "      → 現行の文言 / current wording: "
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
    # text report: the line printed under each finding (the wording to put in, or what to do)
    suggestions: tuple[str, ...] = ()


CASES = [
    Case("clean", fukuoka_annex(), (), ("ok", "問題なし", "No findings"), {"現行": 19}, {}, []),
    Case(
        "dropped-12-17", build_annex(drop=(12, 17)), (), ("bad", "要修正", "Action required"),
        {"現行": 17, "欠落": 2}, {"12": "欠落", "17": "欠落"},
        [
            ("エラー", "第12", "第12（再委託の禁止）がありません（必須事項です / mandatory item）"),
            ("警告", "第17", "第17（取扱記録の作成）がありません（任意事項です / optional item）"),
            ("警告", "論点②", "②「再委託の制限」に当たる条項が見つかりません"),
        ],
        optional_missing=("17",),
        suggestions=(WORDING + "第12（再委託の禁止）", WORDING + "第17（取扱記録の作成）",
                     "      → この論点を定める条を加えてください（tokki refs show で参照文の例） / add an article on this topic"),
    ),
    Case(
        "weakened-14", build_annex().replace("直ちに被害の発生", "被害の発生"), (), ("bad", "要修正", "Action required"),
        {"現行": 18, "変更あり": 1}, {"14": "変更あり"},
        [
            # One problem, one finding (issue 18): the wording differs and its duty is weaker.
            ("エラー", "第14", "第14（事故報告）が参照文（2023-10-10）と異なります（1箇所）。義務が弱められています"),
        ],
        suggestions=(WORDING + "第14（事故報告）",),
    ),
    Case(
        "old-before-revision", build_annex(old=True), ("--signed-on", "2023-10-09"), ("warn", "要確認", "Review"),
        {"現行": 17, "旧版": 2}, {"15": "旧版", "16": "旧版"},
        [
            ("情報", "第15", "第15（調査）は改正前（pre-2023-10-10）の文言です。参考"),
            ("情報", "第16", "第16（指示及び報告）は改正前（pre-2023-10-10）の文言です。参考"),
        ],
        suggestions=(WORDING + "第15（調査）", WORDING + "第16（指示及び報告）"),
    ),
    Case("not-applicable-3", build_annex(drop=(3,)), ("--type", "3"), ("ok", "問題なし", "No findings"),
         {"現行": 18, "対象外": 1}, {"3": "対象外"}, []),
]


def check(case: Case, tmp_path, fmt: str) -> tuple[str, int]:
    """(report, exit code) as ``tokki check --format html -o`` or ``tokki check`` (text) give it.

    Run in each test, not cached in a module fixture: a mutation tool that selects the tests
    calling a function (benchmarks/mutation.py) must see every test that reads the report call it.
    """
    import contextlib
    import io

    path = tmp_path / "契約書.txt"
    path.write_text(case.text, encoding="utf-8")
    base = ["check", str(path), "--reference", "fukuoka-pref", *case.args]
    if fmt == "html":
        code = main([*base, "--format", "html", "-o", str(tmp_path / "report.html")])
        return (tmp_path / "report.html").read_text("utf-8"), code
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(base)
    return buf.getvalue(), code


def _expected_rows(case: Case) -> list[tuple[str, str, bool]]:
    return [(f"第{n}", case.rows.get(str(n), "現行"), str(n) in MANDATORY) for n in range(1, 20)]


def _expected_counts(case: Case) -> list[tuple[str, int]]:
    return [(label, case.counts.get(label, 0)) for label in STATUS_ORDER]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_html_report_as_read(case: Case, tmp_path):
    html, code = check(case, tmp_path, "html")
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
        # 類似度 and 所在: a clause found is shown at its article of the document, named by the title it
        # prints (issue 18; the file's name in the tooltip); a missing one has no place, and the
        # similarity of the nearest text, below a match.
        n = cells[0].text.removeprefix("第")
        if badge.text in ("欠落", "対象外"):
            assert cells[5].text == "—" and 0 < int(cells[4].text.rstrip("%")) < 76, (n, cells[4].text)
        else:
            assert cells[5].text == f"保有個人情報取扱特記事項 第{n}"
            assert cells[5].find_all(tag="span")[0].attrs["title"].endswith("契約書.txt")
            # current, or word for word the version it matched (旧版); a modified clause is less
            assert (cells[4].text == "100%") is (badge.text != "変更あり"), (n, cells[4].text)
    assert rows == _expected_rows(case)

    # Every clause not current has a detail section with the same status, linked from its row and findings.
    for n, label in case.rows.items():
        if label == "対象外":
            continue
        section = page.one(tag="section", id=f"c{n}")
        assert section.one(tag="h3").one(cls="badge").text == label
        assert table.find(tag="a", href=f"#c{n}").text == f"第{n}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_text_report_as_read(case: Case, tmp_path):
    text, code = check(case, tmp_path, "text")
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
    at = [i for i, line in enumerate(lines) if finding.match(line)]
    shown = [finding.match(lines[i]).groups() for i in at]
    assert [s for s, _ in shown] == [s for s, _, _ in case.findings]
    for (_, message), (_, _, words) in zip(shown, case.findings):
        assert words in message
    # Under each finding, the current wording to put in (in full the first time), or what to do.
    assert tuple(lines[i + 1] for i in at) == case.suggestions
    for i in at:
        if lines[i + 1].startswith(WORDING):
            assert lines[i + 2].startswith("        ") and len(lines[i + 2].strip()) > 20
    assert ("指摘事項 / findings" in lines) is bool(case.findings)


def _columns(line: str, *starts: int) -> list[int]:
    """Display columns (a wide character counts 2, as in a terminal) of the given offsets of ``line``."""
    import unicodedata

    width = [2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line]
    return [sum(width[:i]) for i in starts]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_text_report_clause_table_lines_up(case: Case, tmp_path):
    """In a terminal the clause table's columns line up: 状態 at column 10, 必須 at 20, 類似度 at 26, 所在 at 34."""
    lines = check(case, tmp_path, "text")[0].splitlines()
    header = next(line for line in lines if line.startswith("  条"))
    assert _columns(header, *(header.index(h) for h in ("状態", "必須", "類似度", "所在"))) == [10, 20, 26, 34]
    row = re.compile(r"^  第\d+\s+(現行|旧版|変更あり|欠落|対象外)\s+(●)?\s*(\d+%)\s+(\S)")
    matched = [m for m in map(row.match, lines) if m]
    assert len(matched) == 19
    for m in matched:
        cols = _columns(m.string, m.start(1), m.start(3), m.start(4))
        assert cols == [10, 26, 34], m.string
        if m[2]:
            assert _columns(m.string, m.start(2)) == [20], m.string


def test_text_report_says_what_the_contract_says_about_itself(tmp_path, capsys):
    """The metadata lines at the top of the text report, each with the file it was read from."""
    from contracts import embedded_contract

    text = embedded_contract()
    anchor = "を乙に委託し、乙はこれを受託する。"
    assert text.count(anchor) == 1
    path = tmp_path / "契約書.txt"
    path.write_text(text.replace(anchor, anchor + "委託業務では、個人番号及び病歴を含む約12,000件の個人情報を取り扱う。"),
                    encoding="utf-8")
    assert main(["check", str(path), "--reference", "fukuoka-pref"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2:12] == [
        "  契約日 / signed on: 2024-04-01（契約書.txt）",
        "  件名 / title: 県民健康調査データ入力業務（契約書.txt）",
        "  履行期間 / period: 2024-04-01 〜 2025-03-31",
        "  委託者 / client: 福岡県知事 ○○ ○○（契約書.txt）",
        "  受託者 / contractor: 株式会社テスト情報サービス 代表取締役 試験 太郎（契約書.txt）",
        "  特定個人情報 / My Number data: あり / yes（契約書.txt）",
        "  要配慮個人情報 / sensitive data: あり / yes（契約書.txt）",
        "  件数 / records: 12,000 件（契約書.txt）",
        "  類型（推定） / suggested type: 1（「データ入力」、「入力業務」）",
        "  参照 / reference: fukuoka-pref@2023-10-10（保有個人情報取扱特記事項）",
    ]
