"""tokki scan: a small archive checked into the store and the output files; rescan, re-judge, resume, time limit."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest
from builders import write_docx, write_pdf
from contracts import build_annex, fixture_text, fukuoka_annex
from html_dom import parse

from analyzer.cli import main
from analyzer.report.json import report_schema
from analyzer.report.summary import CSV_COLUMNS, CSV_HEADERS, read_summary_csv
from analyzer.scan import ScanEvent, scan_archive
from analyzer.store import MIGRATIONS, Store

ROOT = Path(__file__).resolve().parents[1]


def _lines(text: str) -> list[str]:
    return [ln for ln in text.split("\n")]


@pytest.fixture
def archive(tmp_path) -> Path:
    """Six contracts of every outcome, plus files that are not contracts."""
    root = tmp_path / "archive"
    (root / "R06-001").mkdir(parents=True)
    (root / "R06-001" / "01_契約書.txt").write_text("業務委託契約書\n\n（個人情報の保護）\n第1条 乙は別記を遵守する。\n", "utf-8")
    (root / "R06-001" / "02_別記.txt").write_text(fukuoka_annex(), "utf-8")
    (root / "R06-002-old.txt").write_text(build_annex(old=True), "utf-8")
    write_docx(root / "R06-003-drop12.docx", _lines(build_annex(drop=(12,))))
    write_pdf(root / "R06-004-clean.pdf", _lines(fukuoka_annex()))
    (root / "R06-005-empty.txt").write_bytes(b"")
    (root / "R06-006-kuki.txt").write_text(fixture_text("seed003-kuki-standard.txt"), "utf-8")
    (root / ".DS_Store").write_bytes(b"x")
    (root / "~$R06-003-drop12.docx").write_bytes(b"x")
    return root


IDS = ["R06-001", "R06-002-old", "R06-003-drop12", "R06-004-clean", "R06-005-empty", "R06-006-kuki"]


def _rows(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _verdicts(db: Path) -> dict[str, list]:
    """Everything a scan decides, without scan ids and timestamps."""
    return {
        "contracts": _rows(db, "SELECT id, files, type, signed_on, input_key, status, reference_id, reference_version,"
                               " error_code, worst_severity, report FROM contracts ORDER BY id"),
        "files": _rows(db, "SELECT path, contract_id, position, sha256, size FROM files ORDER BY path"),
        "documents": _rows(db, "SELECT * FROM documents ORDER BY path"),
        "segments": _rows(db, "SELECT * FROM segments ORDER BY path, position"),
        "clauses": _rows(db, "SELECT * FROM clauses ORDER BY contract_id, position"),
        "findings": _rows(db, "SELECT * FROM findings ORDER BY contract_id, position"),
    }


def test_scan_archive_store_rows_and_counts(archive, tmp_path):
    db, out = tmp_path / "t.sqlite", tmp_path / "reports"
    result = scan_archive(archive, db=db, out=out, jobs=2)
    assert not result.interrupted
    assert (result.contracts, result.analysed, result.rejudged, result.unchanged) == (6, 6, 0, 0)
    assert dict(result.skipped) == {".DS_Store": "hidden file", "~$R06-003-drop12.docx": "Office lock file"}

    status = dict(_rows(db, "SELECT id, status FROM contracts"))
    assert status == {
        "R06-001": "ok", "R06-002-old": "findings", "R06-003-drop12": "findings", "R06-004-clean": "ok",
        "R06-005-empty": "error", "R06-006-kuki": "no_reference",
    }
    assert _rows(db, "SELECT error_code FROM contracts WHERE id = 'R06-005-empty'") == [("empty",)]
    assert "--reference" in _rows(db, "SELECT error_message FROM contracts WHERE id = 'R06-006-kuki'")[0][0]
    # files: every document with its hash; text stored for every readable one
    files = _rows(db, "SELECT path, contract_id, length(sha256), size FROM files ORDER BY path")
    assert [f[0] for f in files] == [
        "R06-001/01_契約書.txt", "R06-001/02_別記.txt", "R06-002-old.txt", "R06-003-drop12.docx",
        "R06-004-clean.pdf", "R06-005-empty.txt", "R06-006-kuki.txt",
    ]
    assert all(f[2] == 64 for f in files)
    docs = dict(_rows(db, "SELECT path, format FROM documents"))
    assert docs == {
        "R06-001/01_契約書.txt": "txt", "R06-001/02_別記.txt": "txt", "R06-002-old.txt": "txt",
        "R06-003-drop12.docx": "docx", "R06-004-clean.pdf": "pdf", "R06-006-kuki.txt": "txt",
    }
    assert _rows(db, "SELECT count(*) FROM segments WHERE path = 'R06-002-old.txt'") == [(19,)]
    # clauses: 19 per judged contract, the national topics ①–⑧ and 派遣 for the one of no known issuer
    assert _rows(db, "SELECT contract_id, count(*) FROM clauses GROUP BY contract_id ORDER BY contract_id") == [
        ("R06-001", 19), ("R06-002-old", 19), ("R06-003-drop12", 19), ("R06-004-clean", 19), ("R06-006-kuki", 9),
    ]
    assert _rows(db, "SELECT reference_id FROM contracts WHERE id = 'R06-006-kuki'") == [("national-guideline",)]
    assert _rows(db, "SELECT clause_id FROM clauses WHERE contract_id = 'R06-002-old' AND status = 'obsolete'") == [
        ("15",), ("16",)
    ]
    # 第12 is the only 再委託 article: national-guideline topic ② is uncovered too (tests/test_topics.py).
    assert _rows(db, "SELECT clause, kind, severity FROM findings WHERE contract_id = 'R06-003-drop12'") == [
        ("12", "missing", "error"), ("topic-2", "missing", "warning")
    ]
    assert _rows(db, "SELECT status, contracts, analysed FROM scans") == [("complete", 6, 6)]
    assert [m[0] for m in _rows(db, "SELECT name FROM migrations ORDER BY name")] == [m[0] for m in MIGRATIONS]


def test_scan_output_files(archive, tmp_path):
    out = tmp_path / "reports"
    scan_archive(archive, db=tmp_path / "t.sqlite", out=out, jobs=1)
    # one tokki.report/1 JSON and HTML per contract that has a report, each giving that contract's verdict
    banners = {"R06-001": "問題なし", "R06-002-old": "要修正", "R06-003-drop12": "要修正", "R06-004-clean": "問題なし",
               "R06-005-empty": "読み取りエラー", "R06-006-kuki": "参照文を特定できません（国の指針の論点のみ確認）"}
    for cid in IDS:
        data = json.loads((out / "contracts" / f"{cid}.json").read_text("utf-8"))
        jsonschema.validate(data, report_schema())
        assert data["contract"]["id"] == cid
        html = (out / "contracts" / f"{cid}.html").read_text("utf-8")
        assert html.lstrip().lower().startswith("<!doctype html>")
        assert parse(html).one(cls="verdict").one(cls="big").own_text() == banners[cid], cid
    kuki = json.loads((out / "contracts" / "R06-006-kuki.json").read_text("utf-8"))
    assert kuki["status"] == "no_reference" and kuki["reference"]["id"] == "national-guideline"
    assert kuki["reference_choice"]["method"] == "none" and kuki["reference_choice"]["candidates"]
    assert [c["topic"] for c in kuki["coverage"]] == ["1", "2", "3", "4", "5", "6", "7", "8", "haken"]

    text = (out / "summary.csv").read_text("utf-8-sig")
    assert text.splitlines()[0] == ",".join(CSV_HEADERS[k] for k in CSV_COLUMNS)  # Japanese column heads
    rows = read_summary_csv(text)
    assert tuple(rows[0]) == CSV_COLUMNS
    by_id = {r["id"]: r for r in rows}
    assert list(by_id) == IDS
    assert by_id["R06-001"]["files"] == "R06-001/01_契約書.txt;R06-001/02_別記.txt"
    assert by_id["R06-002-old"]["reference"] == "fukuoka-pref@2023-10-10"
    assert (by_id["R06-002-old"]["obsolete"], by_id["R06-002-old"]["obsolete_items"]) == ("2", "第15;第16")
    assert by_id["R06-003-drop12"]["missing_mandatory"] == "第12"
    assert by_id["R06-003-drop12"]["worst_severity"] == "エラー" and by_id["R06-003-drop12"]["status"] == "指摘あり"
    assert by_id["R06-005-empty"]["error_code"] == "empty"

    from openpyxl import load_workbook

    wb = load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["契約", "条", "指摘"]
    ws = wb["契約"]
    assert [c.value for c in ws[1]] == [CSV_HEADERS[k] for k in CSV_COLUMNS]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(CSV_COLUMNS)).column_letter}7"
    assert [ws.cell(r, 1).value for r in range(2, 8)] == IDS
    assert ws.column_dimensions["A"].width >= len("R06-003-drop12")  # widths set by content
    assert wb["条"].max_row == 1 + 4 * 19 + 9
    assert ("R06-003-drop12", "第12", "欠落", "エラー") in [
        tuple(c.value for c in row[:4]) for row in wb["指摘"].iter_rows(min_row=2)
    ]

    html = (out / "summary.html").read_text("utf-8")
    page = parse(html)
    rows = page.find_all(tag="table")[-1].one(tag="tbody").find_all(tag="tr")
    assert [r.find_all(tag="td")[0].text for r in rows] == IDS
    # every contract has a report and links to it; the one of no known issuer says what to do
    links = {r.find_all(tag="td")[0].text: [a.attrs["href"] for a in r.find_all(tag="a")] for r in rows}
    assert links == {cid: [f"contracts/{cid}.html"] for cid in IDS}
    kuki_row = next(r for r in rows if r.find_all(tag="td")[0].text == "R06-006-kuki")
    assert "参照文を特定できません" in kuki_row.text and "--reference" in kuki_row.text
    assert [r.find_all(tag="td")[0].text for r in rows if "deficient" in r.classes] == ["R06-002-old", "R06-003-drop12"]
    # 表1: 2 of the 4 judged contracts (R06-005 unreadable and R06-006 without a reference are not judged);
    # 表2: R06-002-old uses the old wording
    t1, t2 = page.find_all(cls="figure")
    assert (t1.one(cls="big").text, t2.one(cls="big").text) == ("50.0%", "75.0% 最新")
    assert t1.one(tag="p").text.startswith("2 / 4 件：")
    assert t2.one(tag="p").text.startswith("最新 3 件・旧版を使用 1 件")
    assert len(page.find_all(tag="svg")) == 4  # 表1, 表2, missing per clause, outdated per year
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing to fetch


def test_scan_rescan_skips_unchanged_files(archive, tmp_path, monkeypatch):
    db, out = tmp_path / "t.sqlite", tmp_path / "reports"
    scan_archive(archive, db=db, out=out, jobs=2)
    before = _verdicts(db)

    # Workers are forked from this process: a reader that logs each file it reads.
    import analyzer.scan.tasks as ingest  # where a scan's worker reads files

    log = tmp_path / "read.log"
    real = ingest.load_document

    def logged(path, settings, display=None, options=None, **kw):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{display}\n")
        return real(path, settings, display, options, **kw)

    monkeypatch.setattr(ingest, "load_document", logged)
    summaries = {p.name: p.stat().st_mtime_ns for p in out.glob("summary.*")}
    again = scan_archive(archive, db=db, out=out, jobs=2)
    assert (again.analysed, again.rejudged, again.unchanged) == (0, 0, 6)
    assert not log.exists()
    assert _verdicts(db) == before
    # Nothing changed: the summaries stand as written; one deleted is written again.
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("summary.*")} == summaries
    (out / "summary.xlsx").unlink()
    scan_archive(archive, db=db, out=out, jobs=2)
    assert (out / "summary.xlsx").exists()

    # One annex of a two-file contract changes: only that file is read again.
    (archive / "R06-001" / "02_別記.txt").write_text(build_annex(old=True), "utf-8")
    third = scan_archive(archive, db=db, out=out, jobs=2)
    assert (third.analysed, third.unchanged) == (1, 5)
    assert log.read_text("utf-8").split() == ["R06-001/02_別記.txt"]
    assert _rows(db, "SELECT status FROM contracts WHERE id = 'R06-001'") == [("findings",)]
    assert len(_rows(db, "SELECT * FROM scans")) == 4


def test_scan_new_reference_version_rejudges_from_stored_text(archive, tmp_path, monkeypatch):
    db, out = tmp_path / "t.sqlite", tmp_path / "reports"
    scan_archive(archive, db=db, out=out, jobs=2)
    # Next year's revision: same wording, a new version of the set in a --library folder.
    lib = tmp_path / "lib" / "fukuoka-pref"
    lib.mkdir(parents=True)
    src = (ROOT / "reference_clauses/fukuoka-pref/2023-10-10.toml").read_text("utf-8")
    (lib / "2027-04-01.toml").write_text(
        src.replace('version = "2023-10-10"', 'version = "2027-04-01"').replace("effective = 2023-10-10", "effective = 2027-04-01"),
        "utf-8",
    )

    import analyzer.checker
    import analyzer.scan.tasks as ingest  # where a scan's worker reads files

    def no_reading(path, settings, display=None, options=None, **kw):
        raise AssertionError(f"{display} was extracted again")

    def no_segmenting(documents):
        raise AssertionError("the stored articles were segmented and normalized again")

    monkeypatch.setattr(ingest, "load_document", no_reading)
    monkeypatch.setattr(analyzer.checker, "segment_documents", no_segmenting)  # workers fork with it
    result = scan_archive(archive, db=db, out=out, jobs=2, library_dirs=[tmp_path / "lib"])
    assert (result.analysed, result.rejudged, result.unchanged) == (0, 6, 0)
    assert result.statuses["failed"] == 0
    monkeypatch.undo()
    # The reports made from the stored forms are those of a scan that reads everything.
    fresh = scan_archive(archive, db=tmp_path / "fresh.sqlite", out=tmp_path / "fresh", jobs=1,
                         library_dirs=[tmp_path / "lib"])
    assert fresh.analysed == 6
    for cid in IDS:
        assert (out / "contracts" / f"{cid}.json").read_text("utf-8") == \
            (tmp_path / "fresh" / "contracts" / f"{cid}.json").read_text("utf-8"), cid
    versions = dict(_rows(db, "SELECT id, reference_version FROM contracts WHERE status IN ('ok', 'findings')"))
    assert set(versions.values()) == {"2027-04-01"}
    assert json.loads((out / "contracts" / "R06-004-clean.json").read_text("utf-8"))["reference"]["version"] == "2027-04-01"
    assert "fukuoka-pref@2027-04-01" in json.loads(_rows(db, "SELECT reference_versions FROM scans WHERE id = 2")[0][0])
    assert _rows(db, "SELECT error_code FROM contracts WHERE id = 'R06-005-empty'") == [("empty",)]


def test_scan_resume_after_interrupt_gives_the_same_store(archive, tmp_path):
    whole = tmp_path / "whole.sqlite"
    scan_archive(archive, db=whole, out=None, jobs=2)

    db = tmp_path / "resumed.sqlite"

    def stop_after_two(event: ScanEvent) -> None:
        if event.kind == "done" and event.done == 2:
            raise KeyboardInterrupt

    first = scan_archive(archive, db=db, out=None, jobs=2, progress=stop_after_two)
    assert first.interrupted
    assert _rows(db, "SELECT status FROM scans") == [("interrupted",)]
    assert len(_rows(db, "SELECT id FROM contracts")) == 2
    second = scan_archive(archive, db=db, out=None, jobs=2)
    assert not second.interrupted
    assert (second.unchanged, second.analysed) == (2, 4)
    assert _verdicts(db) == _verdicts(whole)


def test_scan_hung_document_is_killed_and_recorded_as_timeout(archive, tmp_path, monkeypatch):
    import time

    import analyzer.scan.tasks as ingest  # where a scan's worker reads files

    (archive / "R06-007-hang.txt").write_text(fukuoka_annex(), "utf-8")
    real = ingest.load_document

    def hang(path, settings, display=None, options=None, **kw):
        if "hang" in str(path):
            time.sleep(600)
        return real(path, settings, display, options)

    monkeypatch.setattr(ingest, "load_document", hang)
    db = tmp_path / "t.sqlite"
    # A generous limit: the other contracts must still finish in time on a loaded machine.
    result = scan_archive(archive, db=db, out=tmp_path / "reports", jobs=2, timeout=10)
    assert result.contracts == 7 and not result.interrupted
    row = _rows(db, "SELECT status, error_code, error_file FROM contracts WHERE id = 'R06-007-hang'")
    assert row == [("error", "timeout", "R06-007-hang.txt")]
    assert _rows(db, "SELECT status FROM contracts WHERE id = 'R06-004-clean'") == [("ok",)]
    data = json.loads((tmp_path / "reports" / "contracts" / "R06-007-hang.json").read_text("utf-8"))
    assert data["error"]["code"] == "timeout"


def test_scan_manifest_supplies_type_date_and_reference(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "a.txt").write_text(build_annex(old=True), "utf-8")
    (root / "b.txt").write_text(fukuoka_annex(), "utf-8")
    (root / "manifest.csv").write_text(
        "id,files,type,signed_on,reference\n"
        "R05-旧,a.txt,4,2023-06-01,fukuoka-pref@pre-2023-10-10\n"
        "R06-新,b.txt,1,2024-05-01,\n",
        "cp932",
    )
    db = tmp_path / "t.sqlite"
    scan_archive(root, db=db, out=None, jobs=1)
    assert _rows(db, "SELECT id, type, signed_on, reference_spec, reference_version, status FROM contracts ORDER BY id") == [
        ("R05-旧", "4", "2023-06-01", "fukuoka-pref@pre-2023-10-10", "pre-2023-10-10", "ok"),
        ("R06-新", "1", "2024-05-01", None, "2023-10-10", "ok"),
    ]
    assert _rows(db, "SELECT path FROM skipped") == []


def test_store_older_store_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(path, migrations=MIGRATIONS[:1]) as old:
        old.set_skipped([("x.doc~", "not a document")])
        assert old.migrations() == ["0001_initial"]
    with Store(path) as store:
        assert store.migrations() == [name for name, _ in MIGRATIONS]
        assert [tuple(r) for r in store.db.execute("SELECT * FROM skipped")] == [("x.doc~", "not a document")]
        indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "findings_by_clause" in indexes
    with Store(path) as again:  # nothing applied twice
        assert again.migrate() == []


def test_cli_scan_summary_findings(archive, tmp_path, capsys):
    db, out = tmp_path / "t.sqlite", tmp_path / "reports"
    code = main(["scan", str(archive), "--db", str(db), "--out", str(out), "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "summary.html" in captured.out
    assert "[6/6]" in captured.err  # plain progress lines when stderr is not a TTY

    assert main(["summary", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "契約 6 件 / contracts: 6"
    # R06-002-old (obsolete) and R06-003-drop12 (第12) of the 4 judged contracts
    assert "表1 不備のある契約（欠落・改正前の文言など error の指摘） / deficient contracts: 2 / 4 (50.0%)" in lines
    assert "表2 最新の特記事項 / latest: 3   旧版を使用 / outdated: 1 (25.0%)" in lines

    assert main(["findings", "--db", str(db), "--clause", "15", "--kind", "obsolete"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("R06-002-old\t") and "第15\tobsolete\terror" in lines[0]
    assert len(lines) == 2  # one finding and the count line
    assert main(["findings", "--db", str(db), "--kind", "missing", "--since", "2030-01-01"]) == 0
    assert "該当する指摘はありません" in capsys.readouterr().out

    code = main(["summary", "--db", str(tmp_path / "none.sqlite")])
    err = capsys.readouterr().err
    assert code == 2 and "tokki scan" in err and err.count("\n") == 1


def test_scan_damaged_stored_forms_are_made_again(archive, tmp_path):
    """Stored comparison forms that cannot be read (damaged, another format) are made again from
    the stored text: the re-judge gives the same verdicts, and stores readable forms."""
    db = tmp_path / "t.sqlite"
    scan_archive(archive, db=db, out=None, jobs=1)
    before = _verdicts(db)
    assert len(_rows(db, "SELECT contract_id FROM forms")) == 5  # every readable contract
    con = sqlite3.connect(db)
    con.execute("UPDATE forms SET data = X'00010203'")
    con.execute("UPDATE contracts SET judged_with = 'older'")  # as after a reference change
    con.commit()
    con.close()
    result = scan_archive(archive, db=db, out=None, jobs=1)
    assert (result.rejudged, result.statuses["failed"]) == (6, 0)
    assert _verdicts(db) == before
    assert all(len(d) > 8 for (d,) in _rows(db, "SELECT data FROM forms"))
