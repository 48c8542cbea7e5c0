"""The archive figures of ``tokki scan`` / ``tokki summary`` as an auditor reads them (issue 14, item 6).

A small archive with known contents is scanned once (``tokki scan``); every figure of summary.html,
summary.csv, summary.xlsx and ``tokki summary`` is then checked against the numbers worked out by hand below.

Definitions (analyzer/report/summary.py; README 「tokki scan」): 表1 counts a contract as deficient when it has a
finding of severity error; its denominator is the contracts *judged* (read, and a reference identified —
status ok or findings), so unreadable contracts are left out of the share. 表2 counts a contract as outdated when a
clause matches an earlier version, whatever its signing date.

Planted defect (c) of issue 14 — the summary's 表1 percentage inverted — is caught by
    tests/test_summary.py::test_summary_html_figures
    tests/test_summary.py::test_summary_terminal_figures
(3 of 7 = 42.9 %; inverted it would read 57.1 %).
"""
from __future__ import annotations

import contextlib
import io

import pytest
from contracts import build_annex, fukuoka_annex
from html_dom import parse

from analyzer.cli import main
from analyzer.report.summary import CSV_HEADERS, read_summary_csv

# ---------------------------------------------------------------------------------------------
# アーカイブの内容（manifest.csv で契約日を与える）と、手で数えた集計
#   契約  ファイル              契約日       内容                          結果      最大重大度  表1 不備  表2 旧版
#   K01   K01-clean.txt         2024-05-01   現行の19条                    問題なし  —           —         —
#   K02   K02-clean.txt         2023-04-03   現行の19条                    問題なし  —           —         —
#   K03   K03-drop12.txt        2023-06-01   第12（必須）を削除            指摘あり  error       不備      —
#   K04   K04-old-after.txt     2024-04-01   旧版の第15・第16（改正後）    指摘あり  error       不備      旧版
#   K05   K05-old-before.txt    2023-06-15   旧版の第15・第16（改正前）    指摘あり  info        —         旧版
#   K06   K06-weak14.txt        2024-07-01   第14 の「直ちに」を削除       指摘あり  error       不備      —
#   K07   K07-drop17.txt        2024-08-01   第17（任意）を削除            指摘あり  warning     —         —
#   K08   K08-empty.txt         2024-09-01   0 バイト                      読めない  —           （分母外）（分母外）
#
#   照合した契約 7 件（K08 を除く）
#   表1 不備あり 3 / 7 = 42.9 %（不備なし 4 = 57.1 %）
#   表2 最新 5 / 7 = 71.4 %・旧版を使用 2 / 7 = 28.6 %
#   条ごとの欠落: 第12 1 件・第17 1 件
#   締結年ごとの旧版: 2023 年 1 / 3 件（K02・K03・K05）・2024 年 1 / 4 件（K01・K04・K06・K07）
# ---------------------------------------------------------------------------------------------

CONTRACTS = {
    "K01": ("K01-clean.txt", "2024-05-01", fukuoka_annex()),
    "K02": ("K02-clean.txt", "2023-04-03", fukuoka_annex()),
    "K03": ("K03-drop12.txt", "2023-06-01", build_annex(drop=(12,))),
    "K04": ("K04-old-after.txt", "2024-04-01", build_annex(old=True)),
    "K05": ("K05-old-before.txt", "2023-06-15", build_annex(old=True)),
    "K06": ("K06-weak14.txt", "2024-07-01", build_annex().replace("直ちに被害の発生", "被害の発生")),
    "K07": ("K07-drop17.txt", "2024-08-01", build_annex(drop=(17,))),
    "K08": ("K08-empty.txt", "2024-09-01", ""),
}
REF = "fukuoka-pref@2023-10-10"
TYPES = {"K02": "1"}  # 類型 given in the manifest (a clean contract: the verdict does not change)

# summary.csv, the columns the README documents (Japanese heads and values): one row per contract.
#         status    current obsolete modified missing n/a  missing_mandatory obsolete_items worst     error_code
EXPECTED = {
    "K01": ("問題なし", 19, 0, 0, 0, 0, "",     "",          "",        ""),
    "K02": ("問題なし", 19, 0, 0, 0, 0, "",     "",          "",        ""),
    "K03": ("指摘あり", 18, 0, 0, 1, 0, "第12", "",          "エラー",  ""),
    "K04": ("指摘あり", 17, 2, 0, 0, 0, "",     "第15;第16", "エラー",  ""),
    "K05": ("指摘あり", 17, 2, 0, 0, 0, "",     "第15;第16", "情報",    ""),
    "K06": ("指摘あり", 18, 0, 1, 0, 0, "",     "",          "エラー",  ""),
    "K07": ("指摘あり", 18, 0, 0, 1, 0, "",     "",          "警告",    ""),
    "K08": ("読めない", 0, 0, 0, 0, 0, "",     "",          "",        "empty"),
}
COLUMNS = ("status", "current", "obsolete", "modified", "missing", "not_applicable",
           "missing_mandatory", "obsolete_items", "worst_severity", "error_code")
DEFICIENT = {"K03", "K04", "K06"}


@pytest.fixture(scope="module")
def scanned_once(tmp_path_factory):
    """(out dir, db) after ``tokki scan`` of the archive above (once: the scan is the slow part)."""
    base = tmp_path_factory.mktemp("summary")
    root = base / "archive"
    root.mkdir()
    manifest = ["id,files,type,signed_on,reference"]
    for cid, (name, signed, text) in CONTRACTS.items():
        (root / name).write_text(text, encoding="utf-8")
        manifest.append(f"{cid},{name},{TYPES.get(cid, '')},{signed},")
    (root / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    db, out = base / "t.sqlite", base / "reports"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["scan", str(root), "--db", str(db), "--out", str(out), "--jobs", "2"])
    assert code == 0, err.getvalue()
    return out, db


@pytest.fixture
def scanned(scanned_once):
    """(out dir, db, tokki summary's stdout), the summaries written again from the store in each test:
    a mutation tool that selects the tests calling a function (benchmarks/mutation.py) then sees
    every test that reads the summaries call the summary writers."""
    from analyzer.report.summary import write_summaries
    from analyzer.store import Store

    out, db = scanned_once
    for name in ("summary.csv", "summary.xlsx", "summary.html"):
        (out / name).unlink()
    with Store(db) as store:
        write_summaries(store, out)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["summary", "--db", str(db)]) == 0
    return out, db, buf.getvalue()


def test_summary_csv_rows(scanned):
    out, _, _ = scanned
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = read_summary_csv(raw.decode("utf-8-sig"))
    assert [r["id"] for r in rows] == list(CONTRACTS)
    for r in rows:
        name, signed, _ = CONTRACTS[r["id"]]
        assert (r["files"], r["signed_on"], r["type"]) == (name, signed, TYPES.get(r["id"], ""))
        assert r["reference"] == ("" if r["id"] == "K08" else REF)
        got = tuple(int(r[c]) if c in COLUMNS[1:6] else r[c] for c in COLUMNS)
        assert got == EXPECTED[r["id"]], r["id"]
        # The reason is given only for a contract that could not be checked.
        assert ("0 バイト" in r["message"]) is (r["id"] == "K08")
        assert r["message"] == "" or r["id"] == "K08"


def test_summary_xlsx_sheets(scanned):
    from datetime import date

    from openpyxl import load_workbook

    out, _, _ = scanned
    wb = load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["契約", "条", "指摘"]  # a Japanese office's workbook (issue 18)
    ws = wb["契約"]
    keys = {v: k for k, v in CSV_HEADERS.items()}
    header = [keys[c.value] for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    assert [r["id"] for r in rows] == list(CONTRACTS)
    for r in rows:
        got = tuple(r[c] if r[c] is not None else "" for c in COLUMNS)
        assert got == EXPECTED[r["id"]], r["id"]
        # 類型 a number, the signing date an Excel date (not text).
        assert r["type"] == (int(TYPES[r["id"]]) if r["id"] in TYPES else None)
        signed = CONTRACTS[r["id"]][1]
        assert (r["signed_on"].date() if r["signed_on"] else None) == (date.fromisoformat(signed) if signed else None)
    assert ws.cell(2, 3).number_format == "yyyy/mm/dd"
    assert all(ws.column_dimensions[c].width and ws.column_dimensions[c].width >= 6 for c in "ABCDE")
    # Each sheet's header names its columns, and the header row stays in view with a filter on it.
    assert [c.value for c in wb["指摘"][1]] == ["契約ID", "条", "種類", "重大度", "内容", "観点"]
    assert ("K04", "第15", "旧版・義務の弱化") in [(r[0].value, r[1].value, r[5].value) for r in wb["指摘"].iter_rows(min_row=2)]
    assert [c.value for c in wb["条"][1]][:5] == ["契約ID", "条", "条番号（参照文）", "見出し", "状態"]
    assert all(wb[name].freeze_panes == "A2" and wb[name].auto_filter.ref for name in ("契約", "条", "指摘"))
    # 指摘 sheet: every finding of every contract (the guideline-topic warnings aside), in Japanese.
    findings = [tuple(c.value for c in row[:4]) for row in wb["指摘"].iter_rows(min_row=2)]
    assert [f for f in findings if not f[1].startswith("論点")] == [
        ("K03", "第12", "欠落", "エラー"),
        # One problem, one finding: old wording with a weaker duty, modified wording with a weaker duty.
        ("K04", "第15", "旧版", "エラー"), ("K04", "第16", "旧版", "エラー"),
        ("K05", "第15", "旧版", "情報"), ("K05", "第16", "旧版", "情報"),
        ("K06", "第14", "義務の弱化", "エラー"),
        ("K07", "第17", "欠落", "警告"),
    ]
    # 条 sheet: 19 per judged contract, with the status of each.
    clauses = [tuple(c.value for c in row[:5]) for row in wb["条"].iter_rows(min_row=2)]
    assert len(clauses) == 7 * 19
    header = [c.value for c in wb["条"][1]]
    mandatory = {(row[0].value, row[1].value): row[header.index("必須")].value
                 for row in wb["条"].iter_rows(min_row=2)}
    assert {m for (cid, n), m in mandatory.items() if n in ("1", "2", "4", "11", "12", "13", "14", "19")} == {"●"}
    assert {m for (cid, n), m in mandatory.items() if n in ("3", "15", "17")} == {None}
    assert [(c[0], c[1], c[4]) for c in clauses if c[4] != "現行"] == [
        ("K03", "12", "欠落"), ("K04", "15", "旧版"), ("K04", "16", "旧版"),
        ("K05", "15", "旧版"), ("K05", "16", "旧版"), ("K06", "14", "変更あり"), ("K07", "17", "欠落"),
    ]


def test_summary_terminal_figures(scanned):
    _, _, text = scanned
    lines = text.splitlines()
    assert lines[0] == "契約 8 件 / contracts: 8"
    assert "  問題なし 2  指摘あり 5  読めない 1" in lines
    assert "表1 不備のある契約（欠落・改正前の文言など error の指摘） / deficient contracts: 3 / 7 (42.9%)" in lines
    assert "表2 最新の特記事項 / latest: 5   旧版を使用 / outdated: 2 (28.6%)" in lines
    i = lines.index("条ごとの欠落 / missing per clause:")
    assert lines[i + 1 : i + 3] == ["  fukuoka-pref 第12: 1", "  fukuoka-pref 第17: 1"]
    assert not lines[i + 3].startswith("  ")
    i = lines.index("締結年ごとの旧版 / outdated by signing year:")
    assert lines[i + 1 : i + 3] == ["  2023: 1 / 3", "  2024: 1 / 4"]
    assert "読めない契約 / unreadable: empty 1" in lines


def _bars(svg) -> list[tuple[str, str]]:
    """(label, value) of each bar of an inline SVG chart, from each bar's tooltip and its printed number."""
    titles = [t.text for t in svg.find_all(tag="title")]
    numbers = [t.text for t in svg.find_all(tag="text") if t.attrs.get("text-anchor") != "end"]
    labels = [t.text for t in svg.find_all(tag="text") if t.attrs.get("text-anchor") == "end"]
    assert titles == [f"{label}: {n}" for label, n in zip(labels, numbers)]
    return list(zip(labels, numbers))


def test_summary_html_figures(scanned):
    out, _, _ = scanned
    page = parse((out / "summary.html").read_text("utf-8"))
    intro = page.find_all(tag="p", cls="muted")[0].text
    assert intro.startswith("契約 8 件（照合 7 件・読めない 1 件）")

    t1, t2 = page.find_all(cls="figure")
    assert t1.one(tag="h2").text.startswith("表1 不備のある契約")
    assert t1.one(cls="big").text == "42.9%"
    assert t1.one(tag="p").text.startswith("3 / 7 件：")
    assert _bars(t1.one(tag="svg")) == [("不備あり", "3"), ("不備なし", "4")]
    # the bars are drawn to scale: 3 and 4 of the 7 judged
    widths = [float(r.attrs["width"]) for r in t1.one(tag="svg").find_all(tag="rect")]
    assert widths[0] / widths[1] == pytest.approx(3 / 4, abs=0.01)

    assert t2.one(tag="h2").text.startswith("表2 最新の特記事項の使用")
    assert t2.one(cls="big").text == "71.4% 最新"
    assert t2.one(tag="p").text.startswith("最新 5 件・旧版を使用 2 件")
    assert _bars(t2.one(tag="svg")) == [("最新の特記事項", "5"), ("旧版を使用", "2")]

    headings = [h.text for h in page.find_all(tag="h2")]
    svgs = page.find_all(tag="svg")
    assert len(svgs) == 4
    assert headings[2].startswith("条ごとの欠落件数")
    assert _bars(svgs[2]) == [("第12", "1"), ("第17", "1")]  # one reference set: labels as printed, in Japanese
    assert headings[3].startswith("締結年ごとの旧版の件数")
    assert _bars(svgs[3]) == [("2023年", "1"), ("2024年", "1")]
    assert page.find_all(tag="p", cls="muted")[1].text == "2023: 1 / 3 件 2024: 1 / 4 件"


def test_summary_html_contract_table_and_links(scanned):
    out, _, _ = scanned
    page = parse((out / "summary.html").read_text("utf-8"))
    table = page.find_all(tag="table")[-1]
    header = [th.text for th in table.find_all(tag="th")]
    col = {name: header.index(name) for name in
           ("契約ID", "締結日", "参照文", "結果", "現行", "旧版", "変更", "欠落", "対象外", "必須の欠落", "旧版の条", "最大重大度")}
    rows = table.one(tag="tbody").find_all(tag="tr")
    assert [r.find_all(tag="td")[0].text for r in rows] == list(CONTRACTS)
    for tr in rows:
        td = [c.text for c in tr.find_all(tag="td")]
        cid = td[col["契約ID"]]
        status, *counts, missing, obsolete, worst, code = EXPECTED[cid]
        assert td[col["締結日"]] == CONTRACTS[cid][1]
        assert td[col["参照文"]] == ("—" if cid == "K08" else REF)
        assert td[col["結果"]].startswith(status + (f" {code}" if code else ""))
        assert [int(td[col[c]]) for c in ("現行", "旧版", "変更", "欠落", "対象外")] == counts
        assert td[col["必須の欠落"]] == missing.replace(";", "・")
        assert td[col["旧版の条"]] == obsolete.replace(";", "・")
        assert td[col["最大重大度"]] == (worst or "—")
        assert ("deficient" in tr.classes) is (cid in DEFICIENT)
        # The link opens that contract's own report, whose banner agrees with the row.
        (link,) = tr.find_all(tag="a")
        assert link.attrs["href"] == f"contracts/{cid}.html"
        report = parse((out / link.attrs["href"]).read_text("utf-8"))
        banner = report.one(cls="verdict").one(cls="big").own_text()
        assert banner == {"問題なし": "問題なし", "読めない": "読み取りエラー"}.get(
            status, "要修正" if cid in DEFICIENT else "要確認")


def test_summary_names_the_issuer_only_where_several_references_are_mixed_and_shows_local_time(monkeypatch):
    from analyzer.report.summary import ArchiveFigures, _clause_in, local_time

    one = ArchiveFigures([], missing_by_clause=[("fukuoka-pref", "第12", 2)])
    assert _clause_in("fukuoka-pref", "第12", one) == "第12"
    mixed = ArchiveFigures([], missing_by_clause=[("fukuoka-pref", "第12", 2), ("toshima", "第7条", 1)])
    assert (_clause_in("fukuoka-pref", "第12", mixed), _clause_in("toshima", "第7条", mixed)) == ("第12（福岡県）", "第7条（豊島区）")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    import time

    time.tzset()
    try:
        assert local_time("2026-12-07T01:30:00+00:00") == "2026-12-07 10:30"  # the stored UTC time, read in Japan
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
