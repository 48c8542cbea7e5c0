"""Superseded references (issue 14, item 3): a report checked against a version that a later one replaced
says so — which version, replaced by which, since when, and what the signing date means — in the text,
HTML and JSON reports and in the archive summary; checking against the latest version says nothing of it."""
from __future__ import annotations

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from builders import write_image_pdf
from contracts import build_annex, fukuoka_annex

from analyzer import analyze
from analyzer.cli import main
from analyzer.model import Supersession
from analyzer.references import load_reference_library, resolve_reference, supersession
from analyzer.report import render_report
from analyzer.report.json import report_schema
from analyzer.report.labels import supersession_notice
from analyzer.report.summary import (
    CONTRACT_STATUS_LABEL,
    CSV_COLUMNS,
    CSV_HEADERS,
    SUPERSEDED_SIGNED_LABEL,
    ArchiveFigures,
    ContractRow,
    archive_figures,
    format_summary,
    read_summary_csv,
)
from analyzer.scan import scan_archive
from analyzer.store import Store

OLD = "fukuoka-pref@pre-2023-10-10"

HEAD_JA = "参照した版 pre-2023-10-10 は 2023-10-10 施行の改正で置き換えられた旧版です"
HEAD_EN = "version pre-2023-10-10 was superseded by 2023-10-10 (in force from 2023-10-10)"
# signing date → (Japanese, English) of the whole notice
NOTICES = {
    None: (
        HEAD_JA + "。契約日が不明です。施行日より前の契約なら差替えは不要、以後なら最新版（--reference fukuoka-pref）で照合してください",
        HEAD_EN + "; signing date unknown: no replacement needed if signed before 2023-10-10, otherwise check against"
        " the latest version (--reference fukuoka-pref)",
    ),
    date(2023, 10, 9): (
        HEAD_JA + "。契約日 2023-10-09 は施行日より前のため、差替えは不要です",
        HEAD_EN + "; signed on 2023-10-09, before that date: no replacement needed",
    ),
    date(2023, 10, 10): (  # on the effective date: the new version applies
        HEAD_JA + "。契約日 2023-10-10 は施行日以後のため、最新版（--reference fukuoka-pref）で照合してください",
        HEAD_EN + "; signed on 2023-10-10, on or after that date: check against the latest version (--reference fukuoka-pref)",
    ),
}
SIGNED_BEFORE = {None: None, date(2023, 10, 9): True, date(2023, 10, 10): False}


@pytest.fixture(scope="module")
def old_annex(tmp_path_factory) -> Path:
    """The seed annex in the pre-2023-10-10 wording (no signing date in the text)."""
    path = tmp_path_factory.mktemp("old") / "old.txt"
    path.write_text(build_annex(old=True), "utf-8")
    return path


def _check(path: Path, signed_on: date | None, reference: str = OLD):
    return analyze([path], reference=reference, signed_on=signed_on)


# ---------------------------------------------------------------- the value


def test_supersession_of_each_bundled_version():
    library = load_reference_library()
    found = {
        f"{s.id}@{v.version}": supersession(s, v) for s in library.values() for v in s.versions
    }
    assert {k: v for k, v in found.items() if v is not None} == {
        "fukuoka-pref@pre-2023-10-10": Supersession("pre-2023-10-10", "2023-10-10", date(2023, 10, 10)),
        "toshima@2021-08-01": Supersession("2021-08-01", "2023-04-01", date(2023, 4, 1)),
    }
    # Every latest version, the topic-level national guideline included, is not superseded.
    for s in library.values():
        assert found[f"{s.id}@{s.current.version}"] is None
    assert library["national-guideline"].current.level == "topic"


def _version_toml(set_id: str, version: str, dates: str) -> str:
    return (
        f'[reference]\nid = "{set_id}"\nissuer = "テスト市"\ntitle = "個人情報取扱特記事項"\nversion = "{version}"\n{dates}\n\n'
        '[[clause]]\nid = "1"\nmandatory = true\nparagraphs = ["乙は、個人情報を適正に取り扱わなければならない。"]\n'
    )


def test_supersession_names_the_next_version_and_its_date(tmp_path):
    lib = tmp_path / "lib" / "three"
    lib.mkdir(parents=True)
    (lib / "v1.toml").write_text(_version_toml("three", "v1", "effective = 2020-04-01"), "utf-8")
    (lib / "v2.toml").write_text(_version_toml("three", "v2", "effective = 2022-04-01"), "utf-8")
    (lib / "v3.toml").write_text(_version_toml("three", "v3", "effective = 2024-04-01"), "utf-8")
    ref_set = load_reference_library([tmp_path / "lib"])["three"]
    # v1 was replaced by v2 (not by the latest v3): a contract signed before 2022-04-01 may keep v1.
    assert supersession(ref_set, ref_set.version("v1")) == Supersession("v1", "v2", date(2022, 4, 1))
    assert supersession(ref_set, ref_set.version("v2")) == Supersession("v2", "v3", date(2024, 4, 1))
    assert supersession(ref_set, ref_set.version("v3")) is None


def test_supersession_without_the_later_version_loaded(tmp_path):
    lib = tmp_path / "lib" / "alone"
    lib.mkdir(parents=True)
    (lib / "old.toml").write_text(_version_toml("alone", "old", "superseded_on = 2023-04-01"), "utf-8")
    ref_set, version = resolve_reference(load_reference_library([tmp_path / "lib"]), "alone@old")
    s = supersession(ref_set, version)
    assert s == Supersession("old", None, date(2023, 4, 1))
    ja, en = supersession_notice(s, "alone", date(2024, 1, 5))
    assert ja == (
        "参照した版 old は 2023-04-01 に改正された旧版です（新しい版は参照データにありません）。"
        "契約日 2024-01-05 は施行日以後のため、新しい版（tokki refs import で取り込み）で照合してください"
    )
    assert en == (
        "version old was superseded on 2023-04-01 (the later version is not loaded); signed on 2024-01-05, "
        "on or after that date: check against the later version (tokki refs import)"
    )


# ---------------------------------------------------------------- text report


def _report_lines(text: str) -> list[str]:
    return text.split("\n")


@pytest.mark.parametrize("signed_on", list(NOTICES), ids=["unknown", "before", "on-the-date"])
def test_text_report_notice_at_the_top(old_annex, signed_on):
    report = _check(old_annex, signed_on)
    lines = _report_lines(render_report(report, "text"))
    ja, en = NOTICES[signed_on]
    notice = f"  注意 / notice: {ja} / {en}"
    assert lines.count(notice) == 1
    # At the top: right under the reference line, before the verdict.
    ref_line = lines.index("  参照 / reference: fukuoka-pref@pre-2023-10-10（保有個人情報取扱特記事項）")
    assert lines.index(notice) == ref_line + 1
    assert lines.index(notice) < lines.index("判定: 問題なし / no findings")
    # A notice, not a finding: every clause matches the version checked against.
    assert report.findings == () or all(f.clause.startswith("topic-") for f in report.findings)
    assert lines[lines.index("判定: 問題なし / no findings") + 1] == "  現行 19"


def test_cli_check_prints_the_notice_and_exits_0(capsys, old_annex):
    code = main(["check", "--reference", OLD, "--signed-on", "2023-10-09", str(old_annex)])
    out = capsys.readouterr().out
    assert code == 0
    ja, en = NOTICES[date(2023, 10, 9)]
    assert f"  注意 / notice: {ja} / {en}" in out.split("\n")


def test_notice_in_an_unreadable_contract_report(tmp_path):
    report = analyze([write_image_pdf(tmp_path / "scan.pdf")], reference=OLD)
    assert report.status == "error"
    lines = _report_lines(render_report(report, "text"))
    assert f"  注意 / notice: {NOTICES[None][0]} / {NOTICES[None][1]}" in lines
    data = json.loads(render_report(report, "json"))
    jsonschema.validate(data, report_schema())
    assert data["supersession"]["replaced_by"] == "2023-10-10"


# ---------------------------------------------------------------- HTML report


class _Html(HTMLParser):
    """Text of the elements with an id, of the verdict banner's lines and of the reference row."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, str] = {}
        self.subs: list[str] = []
        self.badges: list[str] = []
        self._open: list[tuple[str, str | None, str]] = []  # (tag, id, class)
        self._text: dict[int, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._open.append((tag, a.get("id"), a.get("class") or ""))
        self._text[len(self._open)] = []

    def handle_endtag(self, tag):
        depth = len(self._open)
        t, ident, cls = self._open.pop()
        text = "".join(self._text.pop(depth))
        if self._open:
            self._text[len(self._open)].append(text)
        if ident:
            self.by_id[ident] = text
        if cls == "sub":
            self.subs.append(text)
        if cls.startswith("badge"):
            self.badges.append(text)

    def handle_data(self, data):
        if self._open:
            self._text[len(self._open)].append(data)


def _parse(html: str) -> _Html:
    p = _Html()
    p.feed(html)
    return p


@pytest.mark.parametrize("signed_on", list(NOTICES), ids=["unknown", "before", "on-the-date"])
def test_html_report_notice_under_the_verdict(old_annex, signed_on):
    html = render_report(_check(old_annex, signed_on), "html")
    page = _parse(html)
    ja, en = NOTICES[signed_on]
    assert page.by_id["supersession"] == f"旧版の参照文 Superseded reference{ja} {en}"
    # The banner does not claim the current wording; the reference row is marked.
    assert "参照した版（旧版 pre-2023-10-10）と一致しています matches the superseded version checked against" in page.subs
    assert not any("現行版と一致" in s for s in page.subs)
    assert html.index('id="supersession"') < html.index('<dl class="meta">')
    assert "旧版" in page.badges[: page.badges.index("現行")]  # the badge beside the reference, before the counts


# ---------------------------------------------------------------- JSON report


@pytest.mark.parametrize("signed_on", list(NOTICES), ids=["unknown", "before", "on-the-date"])
def test_json_report_supersession_field(old_annex, signed_on):
    data = json.loads(render_report(_check(old_annex, signed_on), "json"))
    jsonschema.validate(data, report_schema())
    ja, en = NOTICES[signed_on]
    assert data["supersession"] == {
        "version": "pre-2023-10-10",
        "replaced_by": "2023-10-10",
        "since": "2023-10-10",
        "signed_before": SIGNED_BEFORE[signed_on],
        "message": f"{ja} / {en}",
    }
    # tokki.report/1 stays compatible: the existing fields keep their names and meaning.
    assert data["schema"] == "tokki.report/1"
    assert data["reference"] == {"id": "fukuoka-pref", "version": "pre-2023-10-10", "title": "保有個人情報取扱特記事項"}
    assert data["status"] == "ok"


@pytest.mark.parametrize(
    "bad",
    [
        {"version": "pre-2023-10-10", "replaced_by": "2023-10-10", "since": "2023/10/10", "signed_before": None, "message": ""},
        {"version": "pre-2023-10-10", "since": "2023-10-10", "signed_before": None, "message": ""},
        {"version": "pre-2023-10-10", "replaced_by": "2023-10-10", "since": "2023-10-10", "signed_before": "yes", "message": ""},
        "pre-2023-10-10",
    ],
)
def test_schema_checks_the_supersession_field(old_annex, bad):
    data = json.loads(render_report(_check(old_annex, None), "json"))
    data["supersession"] = bad
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_schema())


# ---------------------------------------------------------------- the latest version: no notice


@pytest.mark.parametrize("reference", ["fukuoka-pref", "fukuoka-pref@2023-10-10", "auto", "national-guideline"])
def test_latest_version_has_no_notice(write, reference):
    path = write("new.txt", fukuoka_annex())
    report = analyze([path], reference=reference, signed_on=date(2024, 1, 5))
    assert report.supersession is None
    text = render_report(report, "text")
    assert "注意 / notice" not in text and "旧版です" not in text
    page = _parse(render_report(report, "html"))
    assert "supersession" not in page.by_id
    data = json.loads(render_report(report, "json"))
    jsonschema.validate(data, report_schema())
    assert data["supersession"] is None


# ---------------------------------------------------------------- archive summary


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[Path, Path]:
    """Four contracts in the old wording: three checked against the superseded version (signed before,
    after, date unknown), one against the latest (so its clauses 15 and 16 are obsolete)."""
    tmp = tmp_path_factory.mktemp("superseded")
    root = tmp / "archive"
    root.mkdir()
    for cid in ("S1-before", "S2-after", "S3-undated", "S4-latest"):
        (root / f"{cid}.txt").write_text(build_annex(old=True), "utf-8")
    (root / "manifest.csv").write_text(
        "id,files,type,signed_on,reference\n"
        f"S1-before,S1-before.txt,,2023-04-01,{OLD}\n"
        f"S2-after,S2-after.txt,,2024-01-05,{OLD}\n"
        f"S3-undated,S3-undated.txt,,,{OLD}\n"
        "S4-latest,S4-latest.txt,,2024-01-05,fukuoka-pref\n",
        "utf-8",
    )
    db, out = tmp / "t.sqlite", tmp / "reports"
    scan_archive(root, db=db, out=out, jobs=1)
    return db, out


SUMMARY_LINES = [
    "表2 最新の特記事項 / latest: 3   旧版を使用 / outdated: 1 (25.0%)",
    "旧版の参照文で照合 / checked against a superseded version: 3（施行日以後の締結 1・契約日不明 1 / "
    "signed on or after the revision 1, date unknown 1）",
    "  ※ 表2 の最新 3 件のうち 3 件は旧版の参照文との一致です / 3 of the 3 latest match a superseded version",
]


def test_summary_terminal_counts_contracts_checked_against_a_superseded_version(scanned, capsys):
    db, _ = scanned
    with Store(db) as store:
        fig = archive_figures(store)
    assert (fig.superseded, fig.superseded_signed("before"), fig.superseded_signed("after"),
            fig.superseded_signed("unknown"), fig.superseded_latest) == (3, 1, 1, 1, 3)
    lines = format_summary(fig).split("\n")
    i = lines.index(SUMMARY_LINES[0])
    assert lines[i: i + 3] == SUMMARY_LINES
    assert main(["summary", "--db", str(db)]) == 0
    assert capsys.readouterr().out.split("\n")[i: i + 3] == SUMMARY_LINES


EXPECTED_COLUMNS = {
    "S1-before": ("fukuoka-pref@pre-2023-10-10", "ok", "2023-10-10", "2023-10-10", "before"),
    "S2-after": ("fukuoka-pref@pre-2023-10-10", "ok", "2023-10-10", "2023-10-10", "after"),
    "S3-undated": ("fukuoka-pref@pre-2023-10-10", "ok", "2023-10-10", "2023-10-10", "unknown"),
    "S4-latest": ("fukuoka-pref@2023-10-10", "findings", "", "", ""),
}
SUPERSEDED_COLUMNS = ("reference", "status", "superseded_by", "superseded_since", "superseded_signed")


def _japanese(row: tuple[str, ...]) -> tuple[str, ...]:
    """EXPECTED_COLUMNS as summary.csv writes them: 判定 and 改正との前後 in Japanese (issue 18)."""
    ref, status, by, since, signed = row
    return ref, CONTRACT_STATUS_LABEL[status], by, since, SUPERSEDED_SIGNED_LABEL.get(signed, "")


def test_summary_csv_and_xlsx_columns(scanned):
    from datetime import datetime

    _, out = scanned
    rows = read_summary_csv((out / "summary.csv").read_text("utf-8-sig"))
    assert tuple(rows[0]) == CSV_COLUMNS
    expected = {cid: _japanese(row) for cid, row in EXPECTED_COLUMNS.items()}
    assert {r["id"]: tuple(r[c] for c in SUPERSEDED_COLUMNS) for r in rows} == expected

    from openpyxl import load_workbook

    ws = load_workbook(out / "summary.xlsx")["契約"]
    header = [c.value for c in ws[1]]
    idx = [header.index(CSV_HEADERS[c]) for c in ("id", *SUPERSEDED_COLUMNS)]
    got = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        values = [row[i] if row[i] is not None else "" for i in idx]
        values = [v.date().isoformat() if isinstance(v, datetime) else v for v in values]  # an Excel date
        got[values[0]] = tuple(values[1:])
    assert got == expected


class _Table(HTMLParser):
    """The contract table of summary.html (header cells and each row's cell texts) and the #superseded figure."""

    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.figure: list[str] = []
        self._cell: list[str] | None = None
        self._in_figure = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._in_figure:
            self._in_figure += tag == "div"
        elif tag == "div" and a.get("id") == "superseded":
            self._in_figure = 1
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            (self.header if tag == "th" else self.rows[-1]).append(text)
            self._cell = None
        if tag == "div" and self._in_figure:
            self._in_figure -= 1

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_figure:
            self.figure.append(data)


def test_summary_html_figure_and_column(scanned):
    _, out = scanned
    page = _Table()
    page.feed((out / "summary.html").read_text("utf-8"))
    figure = " ".join(" ".join(page.figure).split())
    assert "旧版の参照文で照合 checked against a superseded version 3 件" in figure
    assert "施行日以後の締結 1 件・契約日不明 1 件・施行日前 1 件" in figure
    assert "※ 表2 の最新 3 件のうち 3 件は旧版の参照文との一致です" in figure
    col = page.header.index("参照文の改正")
    cells = {r[0]: r[col] for r in page.rows if r}
    assert cells == {
        "S1-before": "2023-10-10 版で改正（2023-10-10 施行）施行日前の締結・差替え不要",
        "S2-after": "2023-10-10 版で改正（2023-10-10 施行）施行日以後の締結・最新版で照合を",
        "S3-undated": "2023-10-10 版で改正（2023-10-10 施行）契約日不明",
        "S4-latest": "—",
    }


def test_summary_without_superseded_versions_says_nothing_of_them(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "N1.txt").write_text(fukuoka_annex(), "utf-8")
    db, out = tmp_path / "t.sqlite", tmp_path / "reports"
    scan_archive(root, db=db, out=out, jobs=1)
    with Store(db) as store:
        fig = archive_figures(store)
    assert fig.superseded == 0
    assert "旧版の参照文" not in format_summary(fig)
    html = (out / "summary.html").read_text("utf-8")
    assert 'id="superseded"' not in html
    rows = read_summary_csv((out / "summary.csv").read_text("utf-8-sig"))
    assert [(r["superseded_by"], r["superseded_since"], r["superseded_signed"]) for r in rows] == [("", "", "")]


def _row(cid: str, *, obsolete: tuple[str, ...], superseded: bool, signed_before: bool | None) -> ContractRow:
    return ContractRow(
        cid, (f"{cid}.txt",), None, None, "three@v2" if superseded else "three@v3", "findings" if obsolete else "ok",
        {}, (), obsolete, "info" if obsolete else None, None, "",
        superseded, "v3" if superseded else None, "2024-04-01" if superseded else None, signed_before,
    )


def test_summary_table2_caveat_counts_only_the_superseded_contracts_it_calls_latest():
    # Three versions: a contract checked against v2 may still match v1 in a clause (outdated in 表2).
    fig = ArchiveFigures([
        _row("A", obsolete=("第1",), superseded=True, signed_before=True),
        _row("B", obsolete=(), superseded=True, signed_before=False),
        _row("C", obsolete=(), superseded=False, signed_before=None),
    ])
    assert (fig.latest, fig.outdated, fig.superseded, fig.superseded_latest) == (2, 1, 2, 1)
    lines = format_summary(fig).split("\n")
    assert "旧版の参照文で照合 / checked against a superseded version: 2（施行日以後の締結 1・契約日不明 0 / " \
           "signed on or after the revision 1, date unknown 0）" in lines
    assert "  ※ 表2 の最新 2 件のうち 1 件は旧版の参照文との一致です / 1 of the 2 latest match a superseded version" in lines


def test_supersession_without_a_date_still_gives_a_valid_report(tmp_path):
    """A version marked superseded with no date anywhere (an imported notice without one): the reports say
    it was replaced, without a date, and the JSON stays valid."""
    from dataclasses import replace

    path = tmp_path / "契約書.txt"
    path.write_text(fukuoka_annex(), "utf-8")
    report = replace(analyze([path], reference="fukuoka-pref"), supersession=Supersession("2023-10-10", None, None))
    data = json.loads(render_report(report, "json"))
    jsonschema.validate(data, report_schema())
    assert data["supersession"]["since"] is None and data["supersession"]["signed_before"] is None
    assert data["supersession"]["replaced_by"] is None
    notice = ("参照した版 2023-10-10 は改正された旧版です（新しい版は参照データにありません） / "
              "version 2023-10-10 was superseded (the later version is not loaded)")
    assert data["supersession"]["message"] == notice
    assert f"  注意 / notice: {notice}" in render_report(report, "text").splitlines()
