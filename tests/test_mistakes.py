"""A clear answer to every mistake (issue 14 items 1, 2, 4): inputs with nothing to read, outputs that
cannot be written, and commands given the wrong kind of path — exit 2, one line naming the path and
the reason in Japanese and English, never a verdict, never a traceback, nothing half-written.

Permission tests are real where they can be: as a normal user the folder is made read-only; as root
(who writes anywhere) the command runs in a user namespace without privileges (`unshare --user`);
only where neither works is the permission error simulated in-process.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import pytest
from contracts import build_annex, fukuoka_annex

from analyzer import analyze
from analyzer.cli import main
from analyzer.report.json import report_schema

ROOT = Path(__file__).resolve().parents[1]
SEED_001 = ROOT.parent / "shared" / "seeds" / "001_681206f688ed7df2.txt"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and " / " in err, err
    return err


# ---------------------------------------------------------------- inputs with nothing to read

def _folder(tmp_path: Path, name: str, files: dict[str, bytes]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


NOTHING_TO_READ = [
    # (folder contents, error code, words of the message)
    ({}, "empty", "フォルダが空です"),
    ({".DS_Store": b"x", "~$draft.docx": b"x"}, "empty", "隠しファイル・ロックファイルのほかにファイルがありません"),
    ({"data.csv": b"a,b\n", "photo.heic": b"x"}, "unsupported_format", "対応形式（PDF・DOCX・TXT）のファイルがありません"),
    ({"a.xls": b"", "b.doc": b"\xd0\xcf\x11\xe0"}, "unsupported_format", "読める形式のファイルがありません（a.xls・b.doc）"),
]


@pytest.mark.parametrize(("files", "code", "words"), NOTHING_TO_READ)
@pytest.mark.parametrize("reference", [None, "fukuoka-pref"])
def test_mistakes_folder_with_nothing_to_read_is_an_error_naming_the_folder(capsys, tmp_path, files, code, words, reference):
    folder = _folder(tmp_path, "契約フォルダ", files)
    ref = ["--reference", reference] if reference else []
    rc, out, err = run(capsys, "check", *ref, folder)
    assert rc == 2 and out == ""  # never a report of 19 missing clauses
    assert one_line(err) == f"tokki: {folder}: {err.split(': ', 2)[2]}"
    assert words in err and err.rstrip().endswith(f"[{code}]")

    rc, out, err = run(capsys, "check", "--format", "json", *ref, folder)
    data = json.loads(out)
    jsonschema.validate(data, report_schema())
    assert rc == 2 and data["status"] == "error"
    assert data["error"]["code"] == code and data["error"]["file"] == str(folder)
    assert data["clauses"] == [] and data["findings"] == []
    assert data["contract"]["id"] == "契約フォルダ"


def test_mistakes_library_gives_the_error_report_for_an_empty_folder(tmp_path):
    report = analyze([tmp_path])
    assert report.status == "error" and report.error.code.value == "empty"
    assert report.clauses == () and report.findings == () and report.has_errors


def test_mistakes_missing_file_gives_the_json_error_report_on_stdout(capsys, tmp_path):
    missing = tmp_path / "契約書.pdf"
    rc, out, err = run(capsys, "check", "--format", "json", missing)
    data = json.loads(out)
    jsonschema.validate(data, report_schema())
    assert rc == 2 and data["error"]["code"] == "corrupt" and data["error"]["file"] == str(missing)
    assert "ファイルがありません" in data["error"]["message"]
    assert one_line(err).startswith(f"tokki: {missing}: ファイルがありません")


def test_mistakes_zero_byte_spreadsheet_is_unsupported_not_empty(capsys, tmp_path):
    sheet = tmp_path / "台帳.xlsx"
    sheet.write_bytes(b"")
    rc, _, err = run(capsys, "check", sheet)
    assert rc == 2 and err.rstrip().endswith("[unsupported_format]") and "表計算" in err


def _contract_folder(root: Path, name: str, annex: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "01_契約書.txt").write_text("業務委託契約書\n第1条 乙は別記を遵守する。\n", "utf-8")
    (root / name / "02_別記.txt").write_text(annex, "utf-8")


@pytest.mark.parametrize("command", ["check", "identify"])
def test_mistakes_an_archive_given_to_check_names_tokki_scan(capsys, tmp_path, command):
    archive = tmp_path / "R06"
    _contract_folder(archive, "R06-001", fukuoka_annex())
    _contract_folder(archive, "R06-002", build_annex(old=True))
    (archive / "R06-003.txt").write_text(build_annex(drop=(12,)), "utf-8")
    rc, out, err = run(capsys, command, archive)
    assert rc == 2 and out == ""
    assert "契約 3 件のアーカイブのようです" in one_line(err) and f"tokki scan {archive}" in err


def test_mistakes_a_manifest_marks_an_archive(capsys, tmp_path):
    archive = tmp_path / "box"
    archive.mkdir()
    (archive / "a.txt").write_text(fukuoka_annex(), "utf-8")
    (archive / "b.txt").write_text(fukuoka_annex(), "utf-8")
    (archive / "manifest.csv").write_text("id,files\nA,a.txt\nB,b.txt\n", "utf-8")
    rc, _, err = run(capsys, "check", archive)
    assert rc == 2 and "契約 2 件のアーカイブ" in err


def test_mistakes_one_contract_with_an_annex_subfolder_is_still_one_contract(capsys, tmp_path):
    folder = tmp_path / "R06-010"
    folder.mkdir()
    (folder / "契約書.txt").write_text("業務委託契約書\n第1条 乙は別記を遵守する。\n", "utf-8")
    (folder / "別紙").mkdir()
    (folder / "別紙" / "特記事項.txt").write_text(fukuoka_annex(), "utf-8")
    rc, out, _ = run(capsys, "check", "--format", "json", folder)
    data = json.loads(out)
    assert rc == 0 and data["status"] == "ok"
    assert data["contract"]["id"] == "R06-010"  # a folder's contract id is the folder's name
    assert {c["status"] for c in data["clauses"]} == {"current"}


def test_mistakes_scan_given_a_file_names_tokki_check(capsys, tmp_path):
    contract = tmp_path / "契約書.txt"
    contract.write_text(fukuoka_annex(), "utf-8")
    db = tmp_path / "out" / "tokki.sqlite"
    rc, out, err = run(capsys, "scan", contract, "--db", db, "--out", tmp_path / "out")
    assert rc == 2 and out == ""
    assert "フォルダではなくファイルです" in one_line(err) and f"tokki check {contract}" in err
    assert not db.exists()


@pytest.mark.parametrize("files", [{}, {".DS_Store": b"x", "notes.csv": b"a"}])
def test_mistakes_scan_of_a_folder_without_contracts_exits_2(capsys, tmp_path, files):
    folder = _folder(tmp_path, "archive", files)
    db = tmp_path / "out" / "tokki.sqlite"
    rc, out, err = run(capsys, "scan", folder, "--db", db, "--out", tmp_path / "out")
    assert rc == 2 and out == ""
    assert "契約書が見つかりません" in one_line(err) and "no contract" in err
    assert not db.exists() and not (tmp_path / "out").exists()  # nothing written, no empty summary


def test_mistakes_manifest_with_an_impossible_date_says_so(capsys, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(fukuoka_annex(), "utf-8")
    (archive / "manifest.csv").write_text("id,files,signed_on\nA,a.txt,2024-02-30\n", "utf-8")
    rc, _, err = run(capsys, "scan", archive, "--db", tmp_path / "t.sqlite", "--out", tmp_path / "out")
    assert rc == 2 and "manifest.csv:2" in one_line(err) and "2024年2月は29日まで" in err


def test_mistakes_dates_doctests():
    import doctest

    from analyzer.ja import dates

    assert doctest.testmod(dates).failed == 0


# ---------------------------------------------------------------- outputs that cannot be written

def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    proc = subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False)
    return proc.returncode == 0


def _simulated_read_only(folder: Path, monkeypatch) -> None:
    """What a read-only folder does to a user who is not root: every file creation in it fails."""
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):  # noqa: A002 — tempfile's own keyword
        if dir is not None and Path(dir).resolve().is_relative_to(folder.resolve()):
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


@pytest.fixture
def run_unprivileged(tmp_path, monkeypatch, capsys):
    """run(*args) → (exit code, stdout, stderr) of tokki run as a user who cannot write into ``ro``."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    mode = "direct" if os.geteuid() != 0 else "unshare" if _unshare_works() else "simulated"

    def _run(*args):
        args = [str(a) for a in args]
        if mode == "unshare":
            proc = subprocess.run(["unshare", "--user", sys.executable, "-m", "analyzer", *args], capture_output=True,
                                  text=True, cwd=tmp_path, check=False,
                                  env={**os.environ, "TOKKI_CACHE_DIR": str(tmp_path / "cache")})
            return proc.returncode, proc.stdout, proc.stderr
        if mode == "simulated":
            _simulated_read_only(ro, monkeypatch)
        monkeypatch.chdir(tmp_path)
        return run(capsys, *args)

    _run.ro = ro
    _run.mode = mode
    yield _run
    ro.chmod(0o755)


def _corpus_copy(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    _contract_folder(archive, "R06-001", fukuoka_annex())
    (archive / "R06-002.txt").write_text(build_annex(old=True), "utf-8")
    return archive


def test_mistakes_unwritable_outputs_are_refused_before_anything_is_read(run_unprivileged, tmp_path):
    ro = run_unprivileged.ro
    draft = tmp_path / "draft.txt"
    draft.write_text(build_annex(old=True), "utf-8")
    archive = _corpus_copy(tmp_path)
    cases = [
        # An input that does not exist: the output is checked first, so the output is what is named.
        (["check", tmp_path / "no-such.pdf", "-o", ro / "report.html"], ro / "report.html"),
        (["check", draft, "--format", "json", "-o", ro / "sub" / "report.json"], ro / "sub" / "report.json"),
        (["fix", draft, "-o", ro / "修正案.docx"], ro / "修正案.docx"),
        (["refs", "diff", "fukuoka-pref", "-o", ro / "新旧対照表.html"], ro / "新旧対照表.html"),
        (["scan", archive, "--out", ro / "reports", "--db", tmp_path / "ok.sqlite"], ro / "reports"),
        (["scan", archive, "--out", tmp_path / "reports", "--db", ro / "tokki.sqlite"], ro / "tokki.sqlite"),
    ]
    if SEED_001.is_file():
        cases.append((["refs", "import", SEED_001, "--id", "x", "--version", "2023-10-10", "-o", ro / "lib"], ro / "lib"))
    for args, target in cases:
        rc, out, err = run_unprivileged(*args)
        assert rc == 2, (args, err)
        assert one_line(err) == f"tokki: {target}: 書き込めません: 書き込みの権限がありません / cannot write: permission denied\n"
    assert not (tmp_path / "ok.sqlite").exists()  # the store is not created when --out is refused
    assert not (tmp_path / "reports").exists()  # nor the reports when --db is refused
    assert list(ro.rglob("*")) == []


def test_mistakes_check_write_failing_late_exits_2_and_keeps_the_old_file(capsys, tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("previous report", "utf-8")
    old = tmp_path / "old.txt"
    old.write_text(build_annex(old=True), "utf-8")  # obsolete clauses: exit 1 if it were written
    real_replace = os.replace

    def disk_full(src, dst, *a, **k):
        if Path(dst) == target:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", disk_full)
    rc, out, err = run(capsys, "check", old, "--format", "json", "-o", target)
    assert rc == 2  # never 1: a failed write is not a deficient contract
    assert one_line(err) == f"tokki: {target}: 書き込めません: ディスクの空きがありません / cannot write: no space left on the device\n"
    assert target.read_text("utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt", "report.json"]  # no temporary file left


def test_mistakes_scan_write_failing_late_stops_and_resumes(capsys, tmp_path, monkeypatch):
    import analyzer.scan.sink as sink
    from analyzer.files import output_error

    archive = tmp_path / "archive"
    for i in range(1, 5):
        _contract_folder(archive, f"R06-00{i}", fukuoka_annex())
    db, out = tmp_path / "tokki.sqlite", tmp_path / "reports"
    real_write = sink.write_atomic
    calls = []

    def fails_on_third_contract(path, text):
        calls.append(path)
        if len(calls) == 5:  # two files per contract: the third contract's JSON report
            raise output_error(path, OSError(errno.ENOSPC, "No space left on device"))
        real_write(path, text)

    monkeypatch.setattr(sink, "write_atomic", fails_on_third_contract)
    rc, _, err = run(capsys, "scan", archive, "--db", db, "--out", out, "--jobs", "1")
    failed = calls[-1]
    progress, last = err.rsplit("\n", 2)[0], err.rsplit("\n", 2)[1] + "\n"
    assert progress.splitlines() == ["[1/4] R06-001: ok", "[2/4] R06-002: ok"]
    assert rc == 2 and one_line(last) == (
        f"tokki: {failed}: 書き込めません: ディスクの空きがありません / cannot write: no space left on the device\n"
    )
    con = sqlite3.connect(db)
    stored = [r[0] for r in con.execute("SELECT id FROM contracts ORDER BY id")]
    status = con.execute("SELECT status FROM scans").fetchall()
    con.close()
    assert stored == ["R06-001", "R06-002"]  # the contract whose report failed is not stored
    assert status == [("interrupted",)]
    assert not (out / "summary.html").exists() and not list(out.rglob("*.tmp"))

    monkeypatch.setattr(sink, "write_atomic", real_write)
    rc, text, _ = run(capsys, "scan", archive, "--db", db, "--out", out, "--jobs", "1")
    assert rc == 0 and "読込 2" in text and "変更なし 2" in text
    assert sorted(p.name for p in (out / "contracts").iterdir()) == [
        f"R06-00{i}.{ext}" for i in range(1, 5) for ext in ("html", "json")
    ]


def test_mistakes_db_that_is_not_a_database_is_refused_untouched(capsys, tmp_path):
    archive = _corpus_copy(tmp_path)
    db = tmp_path / "notes.sqlite"
    db.write_text("これはデータベースではありません\n" * 100, "utf-8")
    before = db.read_bytes()
    rc, _, err = run(capsys, "scan", archive, "--db", db, "--out", tmp_path / "reports")
    assert rc == 2 and "データベースを使えません: SQLite のデータベースではありません" in one_line(err) and str(db) in err
    assert db.read_bytes() == before
    rc, _, err = run(capsys, "summary", "--db", db)
    assert rc == 2 and "SQLite のデータベースではありません" in one_line(err)


def test_mistakes_outputs_never_go_into_the_inputs(capsys, tmp_path):
    contract = tmp_path / "契約書.txt"
    contract.write_text(build_annex(old=True), "utf-8")
    before = contract.read_bytes()
    rc, _, err = run(capsys, "check", contract, "-o", contract)
    assert rc == 2 and "入力のファイルには書きません" in one_line(err)
    assert contract.read_bytes() == before
    archive = _corpus_copy(tmp_path)
    listing = sorted(archive.rglob("*"))
    for option, dest in (("--out", archive / "reports"), ("--db", archive / "tokki.sqlite")):
        other = ["--db", tmp_path / "t.sqlite"] if option == "--out" else ["--out", tmp_path / "reports"]
        rc, _, err = run(capsys, "scan", archive, option, dest, *other)
        assert rc == 2 and f"{option} がアーカイブの中です" in one_line(err)
    assert sorted(archive.rglob("*")) == listing


def test_mistakes_eval_of_an_unlabelled_folder_names_tokki_scan(capsys, tmp_path):
    archive = _corpus_copy(tmp_path)
    rc, out, err = run(capsys, "eval", archive)
    assert rc == 2 and out == "" and "ラベルがありません" in one_line(err) and f"tokki scan {archive}" in err
    rc, _, err = run(capsys, "eval", tmp_path / "nowhere")
    assert rc == 2 and "フォルダがありません" in one_line(err)
