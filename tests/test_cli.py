"""CLI wiring: exit codes, output formats, error lines, docs that cannot drift."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from builders import write_image_pdf
from contracts import build_annex, fukuoka_annex

from analyzer.cli import build_parser, main
from analyzer.model import ChangeKind, ClauseStatus, FindingKind
from analyzer.report.json import report_schema

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_check_clean_exits_0(capsys, write):
    code, out, err = run(capsys, "check", str(write("annex.txt", fukuoka_annex())))
    assert code == 0
    assert "問題なし" in out and err == ""


def test_cli_check_obsolete_exits_1_and_prints_the_fix(capsys, write):
    code, out, _ = run(capsys, "check", str(write("old.txt", build_annex(old=True))))
    assert code == 1
    assert "要修正" in out
    assert "「することができる」→ 現行「行う」" in out
    # The suggested current wording of 第15 is printed.
    assert "随時実地の調査等を行うものとする。" in out


@pytest.mark.parametrize(("dropped", "code"), [(12, 1), (17, 0)])
def test_cli_check_missing_exit_codes(capsys, write, dropped, code):
    assert run(capsys, "check", str(write("d.txt", build_annex(drop=(dropped,)))))[0] == code


def test_cli_json_report_validates_against_schema(capsys, write):
    code, out, _ = run(capsys, "check", "--format", "json", "--signed-on", "2024-04-01", "--type", "1",
                       str(write("old.txt", build_annex(old=True))))
    data = json.loads(out)
    jsonschema.validate(data, report_schema())
    assert code == 1
    assert data["schema"] == "tokki.report/1"
    assert data["contract"]["signed_on"] == "2024-04-01"
    assert data["reference"] == {"id": "fukuoka-pref", "version": "2023-10-10", "title": "保有個人情報取扱特記事項"}
    assert [c["id"] for c in data["clauses"]] == [str(n) for n in range(1, 20)]
    c15 = data["clauses"][14]
    assert c15["status"] == ClauseStatus.OBSOLETE and c15["matched_version"] == "pre-2023-10-10"
    assert c15["changes"] == [{"kind": ChangeKind.WEAKENED, "expected": "行う", "actual": "することができる"}]
    assert c15["location"]["article"] == "第15" and c15["location"]["page"] is None
    assert {(f["kind"], f["clause"], f["severity"]) for f in data["findings"]} >= {
        (FindingKind.OBSOLETE, "15", "error"),
        (FindingKind.OBSOLETE, "16", "error"),
    }


def test_cli_unreadable_input_exits_2_with_one_line_and_json_on_stdout(capsys, tmp_path):
    scan = write_image_pdf(tmp_path / "scan.pdf")
    code, out, err = run(capsys, "check", "--format", "json", str(scan))
    assert code == 2
    data = json.loads(out)
    jsonschema.validate(data, report_schema())
    assert data["status"] == "error" and data["error"]["code"] == "ocr_required"
    assert data["clauses"] == []
    assert err.count("\n") == 1 and str(scan) in err and "Traceback" not in err


def test_cli_text_error_goes_to_stderr_only(capsys, write):
    code, out, err = run(capsys, "check", str(write("empty.txt", "")))
    assert code == 2 and out == ""
    assert re.fullmatch(r"tokki: .*empty\.txt: .* \[empty\]\n", err)


# Usage errors (argparse's included): one line, Japanese and English, naming the valid values.
BAD_USAGE = [
    (["check"], "必要な引数がありません: FILE", "missing required argument: FILE"),
    (["check", "--type", "5", "x.txt"], "--type に 5 は指定できません。指定できる値: 1, 2, 3, 4", "choose from 1, 2, 3, 4"),
    (["check", "--format", "xml", "x.txt"], "指定できる値: text, json, html", "invalid value 'xml' for --format"),
    (["check", "--signed-on", "2023-02-30", "x.txt"], "2023-02-30 という日付はありません（2023年2月は28日まで）", "no such date"),
    (["check", "--signed-on", "yesterday", "x.txt"], "日付は YYYY-MM-DD", "expected a date"),
    (["frobnicate"], "COMMAND に frobnicate は指定できません", "choose from check, identify, refs"),
    (["chek", "x.txt"], "（check ですか？）", "did you mean check?"),
    ([], "必要な引数がありません: COMMAND (check, identify, refs, eval, scan, summary, findings, fix, serve)", "missing"),
    (["scan", "--jobs", "0", "d"], "--jobs: 1 以上の整数を指定してください", "at least 1"),
    (["scan", "--timeout", "-5", "d"], "--timeout: 正の秒数を指定してください", "positive number of seconds"),
    (["refs"], "必要な引数がありません: ACTION (list, show, diff, import)", "missing required argument"),
    (["findings", "--kind", "gone"], "指定できる値: missing, obsolete, modified, weakened", "invalid value 'gone'"),
]


@pytest.mark.parametrize(("args", "ja", "en"), BAD_USAGE)
def test_cli_bad_usage_is_one_bilingual_line_with_the_valid_values(capsys, args, ja, en):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith("tokki") and ja in err and en in err and " / " in err
    assert "usage:" not in err and "Traceback" not in err


def test_cli_missing_file_and_unknown_reference_exit_2(capsys, tmp_path, write):
    code, _, err = run(capsys, "check", str(tmp_path / "nope.pdf"))
    assert code == 2 and "nope.pdf" in err
    code, _, err = run(capsys, "check", "--reference", "atlantis", str(write("a.txt", fukuoka_annex())))
    assert code == 2 and "atlantis" in err


def test_cli_html_written_to_output_file(capsys, tmp_path, write):
    out_path = tmp_path / "out" / "report.html"
    code, out, _ = run(capsys, "check", "--format", "html", "-o", str(out_path), str(write("old.txt", build_annex(old=True))))
    assert code == 1 and out == ""
    html = out_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lstrip().lower().startswith("<!doctype html>")
    assert "することができる" in html and "第15" in html
    assert not list(out_path.parent.glob(".*.tmp"))  # atomic write leaves no temp file


def test_cli_older_reference_version(capsys, write):
    code, out, _ = run(capsys, "check", "--format", "json", "--reference", "fukuoka-pref@pre-2023-10-10",
                       str(write("old.txt", build_annex(old=True))))
    data = json.loads(out)
    assert code == 0 and data["status"] == "ok"
    assert data["reference"]["version"] == "pre-2023-10-10"


def test_cli_python_m_analyzer_runs(write):
    path = write("annex.txt", fukuoka_annex())
    proc = subprocess.run([sys.executable, "-m", "analyzer", "check", "--format", "json", str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "ok"


def test_cli_every_command_and_option_has_help():
    """Help for every command, subcommand and option (that each is in both README halves: test_docs.py)."""
    from test_docs import _commands

    for name, cmd in _commands(build_parser()):
        assert name == "tokki" or cmd.description, f"{name} has no description"
        for action in cmd._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_cli_every_finding_kind_and_error_code_is_documented():
    from analyzer.errors import ErrorCode

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for value in [*map(str, FindingKind), *map(str, ClauseStatus), *map(str, ErrorCode)]:
        assert f"`{value}`" in readme, f"README does not document `{value}`"


def test_cli_refs_list_and_show(capsys):
    assert main(["refs", "list"]) == 0
    out = capsys.readouterr().out
    for ref in ("fukuoka-pref", "fukuoka-police", "toshima", "pref-itaku-kijun", "national-guideline"):
        assert ref in out
    assert "@pre-2023-10-10" in out and "@2023-04-01" in out
    assert main(["refs", "show", "fukuoka-pref@pre-2023-10-10"]) == 0
    out = capsys.readouterr().out
    assert "随時実地の調査等をすることができるものとする。" in out
    assert "第12（再委託の禁止） [必須]" in out


def test_cli_check_of_an_unknown_issuer_gives_the_national_topic_report(capsys, write):
    # 久喜市 (seed 003): no reference set here. No guess, no exit 2: the national-topic report.
    from contracts import fixture_text

    path = str(write("kuki.txt", fixture_text("seed003-kuki-standard.txt")))
    code, out, err = run(capsys, "check", path, "--format", "json")
    data = json.loads(out)
    assert code == 0 and err == ""  # topic findings are warnings
    assert data["status"] == "no_reference" and data["reference"]["id"] == "national-guideline"
    choice = data["reference_choice"]
    assert choice["method"] == "none" and choice["confidence"] < 0.5 and choice["candidates"]
    assert [c["id"] for c in data["clauses"]] == ["1", "2", "3", "4", "5", "6", "7", "8", "haken"]
    code, out, _ = run(capsys, "check", path)
    assert "判定: 参照文を特定できません" in out and "--reference" in out and "tokki refs import" in out
    code, out, _ = run(capsys, "identify", path)
    assert code == 0 and out.startswith("既知の発行機関の特記事項と一致しません") and "最も近いのは" in out


def test_cli_refs_diff_writes_the_comparison_table(capsys, tmp_path):
    out = tmp_path / "新旧対照表.html"
    assert main(["refs", "diff", "fukuoka-pref", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<u>行う</u>" in html and "<u>することができる</u>" in html
    assert "略" in html
    assert main(["refs", "diff", "toshima@2021-08-01", "toshima@2023-04-01"]) == 0
    assert "（新設）" in capsys.readouterr().out
    code, _, err = run(capsys, "refs", "diff", "fukuoka-police")
    assert code == 2 and "前の版" in err


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["C001"], "C001"),  # a folder: its name, as tokki scan names a contract folder
        (["C001/02_別記.txt", "C001/01_本体.txt"], "C001"),  # files named with their folder
        (["02_別記.txt", "01_本体.txt"], "01_本体"),  # from inside the folder: the first file in reading order
        (["C001/02_別記.txt"], "02_別記"),
    ],
)
def test_cli_default_contract_id(capsys, tmp_path, monkeypatch, given, expected):
    (tmp_path / "C001").mkdir()
    (tmp_path / "C001" / "01_本体.txt").write_text("業務委託契約書\n第1条 乙は別記を遵守する。\n", "utf-8")
    (tmp_path / "C001" / "02_別記.txt").write_text(fukuoka_annex(), "utf-8")
    monkeypatch.chdir(tmp_path / "C001" if "/" not in given[0] and given != ["C001"] else tmp_path)
    code, out, _ = run(capsys, "check", "--format", "json", *given)
    assert code == 0 and json.loads(out)["contract"]["id"] == expected


def test_cli_findings_show_articles_and_topics_as_a_clerk_reads_them():
    from analyzer.report.summary import FindingRow, format_findings

    rows = [
        FindingRow("R06-001", "2024-04-01", "fukuoka-pref@2023-10-10", "12", "missing", "error", "第12 がありません"),
        FindingRow("R06-001", "2024-04-01", "fukuoka-pref@2023-10-10", "topic-7", "missing", "warning", "論点⑦"),
    ]
    lines = format_findings(rows).splitlines()
    assert [line.split("\t")[3] for line in lines[:2]] == ["第12", "論点⑦"]
    assert lines[2] == "契約 1 件・指摘 2 件 / 1 contracts, 2 findings"


def test_cli_html_report_names_a_topic_finding_as_a_clerk_reads_it(capsys, tmp_path, write):
    out_path = tmp_path / "report.html"
    code, _, _ = run(capsys, "check", "--format", "html", "-o", str(out_path), str(write("d.txt", build_annex(drop=(18, 19)))))
    html = out_path.read_text("utf-8")
    assert code == 1
    refs = re.findall(r'<span class="ref">(?:<a href="#c\w+">)?([^<]+)', html)
    assert refs == ["第18", "第19", "論点⑦"]
    assert "topic-7" not in re.sub(r"<[^>]+>", "", html)
