"""`tokki refs import`: official notice → reference files equal to the hand-written ones."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from analyzer.cli import main
from analyzer.importer import import_notice, parse_item_list, render_toml, write_import
from analyzer.references import load_reference_file, load_reference_library
from builders import write_pdf
from contracts import FIXTURES, fukuoka_annex

AUDIT_REPORT = FIXTURES / "seed001-audit-report.txt"  # seed 001: 新旧対照表 + 特記事項 + 注
POLICE_NOTICE = FIXTURES / "seed000-notice.txt"  # seed 000: 別記 + 注 + 類型 table


def _clauses(version):
    return [(c.id, c.label, c.title, c.mandatory, c.paragraphs) for c in version.clauses]


def _written(tmp_path, path, set_id, effective, **kw):
    result = import_notice(path, set_id, effective, **kw)
    files = write_import(result, tmp_path, origin=path.name)
    return result, [load_reference_file(f) for f in files]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("前記特記事項中第1、第2、第4、第11から第14まで及び第19に掲げる事項", [1, 2, 4, 11, 12, 13, 14, 19]),
        ("第3条から第5条まで及び第8条", [3, 4, 5, 8]),
        ("第十一から第十四まで並びに第二十", [11, 12, 13, 14, 20]),
        ("第１～第３、第７", [1, 2, 3, 7]),
        ("第 2 、第 1 0", [2, 10]),
        ("必須事項はない", []),
    ],
)
def test_import_parses_item_lists_of_a_note(text, expected):
    assert parse_item_list(text) == expected


def test_import_of_seed001_equals_the_hand_written_fukuoka_set(tmp_path):
    result, (old, new) = _written(tmp_path, AUDIT_REPORT, "fukuoka-pref", date(2023, 10, 10))
    bundled = load_reference_library()["fukuoka-pref"]
    assert (old.version, old.superseded_on, old.effective) == ("pre-2023-10-10", date(2023, 10, 10), None)
    assert (new.version, new.effective) == ("2023-10-10", date(2023, 10, 10))
    assert _clauses(new) == _clauses(bundled.version("2023-10-10"))
    assert _clauses(old) == _clauses(bundled.version("pre-2023-10-10"))
    assert new.issuer == "福岡県" and new.title == "保有個人情報取扱特記事項"
    assert "第11から第14まで" in result.mandatory_note and result.warnings == ()
    # The 旧 column changed exactly 第15 and 第16.
    changed = [c.id for c, d in zip(old.clauses, new.clauses) if c.paragraphs != d.paragraphs]
    assert changed == ["15", "16"]
    assert old.clause("15").paragraphs[0].endswith("随時実地の調査等をすることができるものとする。")


def test_import_of_seed000_gives_the_police_set_with_mandatory_items_and_types(tmp_path):
    _, (police,) = _written(tmp_path, POLICE_NOTICE, "fukuoka-police", date(2023, 11, 29), issuer="福岡県警察")
    bundled = load_reference_library()["fukuoka-police"].current
    assert _clauses(police) == _clauses(bundled)
    assert [c.types for c in police.clauses] == [c.types for c in bundled.clauses]
    assert {c.id for c in police.clauses if c.mandatory} == {"1", "2", "4", "11", "12", "13", "14", "19"}
    assert police.clause("7").types == {"1": "○", "2": "—", "3": "—", "4": "—"}


def test_import_round_trips_through_the_toml_file(tmp_path):
    result = import_notice(AUDIT_REPORT, "fukuoka-pref", date(2023, 10, 10))
    for v in result.versions:
        path = tmp_path / f"{v.version}.toml"
        path.write_text(render_toml(v), encoding="utf-8")
        assert replace(load_reference_file(path), path="") == v


def _printed(version) -> list[str]:
    """The lines of a version as a notice prints them: title, （見出し）, 第N, paragraph numbers, 注."""
    lines = [version.title, ""]
    for c in version.clauses:
        lines += [f"（{c.title}）"]
        for i, para in enumerate(c.paragraphs, start=1):
            lines.append(f"{c.label if i == 1 else i} {para.split(chr(10))[0]}")
            lines += para.split("\n")[1:]
    mandatory = "、".join(c.label for c in version.clauses if c.mandatory)
    return [*lines, "注", f"1 前記特記事項中{mandatory}に掲げる事項については、必須事項とする。"]


def test_import_reads_a_pdf_notice_with_printed_line_breaks(tmp_path):
    current = load_reference_library()["fukuoka-pref"].current
    pdf = write_pdf(tmp_path / "notice.pdf", ["令和5年10月10日", "各課長 様", "", *_printed(current)], header="通知")
    result, (new,) = _written(tmp_path / "out", pdf, "fukuoka-pref", date(2023, 10, 10), issuer="福岡県")
    assert _clauses(new) == _clauses(current)
    assert "第1、第2、第4、第11、第12" in result.mandatory_note


def _docx_notice(path: Path, header: tuple[str, str]) -> Path:
    """A notice with a Word-table 新旧対照表 (columns in the order of ``header``) before the annex."""
    d = docx.Document()
    d.add_paragraph("保有個人情報取扱特記事項の一部改正について（通知）")
    new15 = ["（調査）", "第15 甲は、乙に対し、保有個人情報等の安全管理状況について、随時実地の調査等を行うものとする。"]
    old15 = ["（調査）", "第15 甲は、乙に対し、保有個人情報等の安全管理状況について、随時実地の調査等をすることができるものとする。"]
    cells = {"新": ["第1~第14 略", *new15, "第16~第19 略"], "旧": ["第1~第14 略", *old15, "第16~第19 略"]}
    table = d.add_table(rows=2, cols=2)
    for k, name in enumerate(header):
        table.cell(0, k).text = name
        table.cell(1, k).text = "\n".join(cells[name])
    for line in fukuoka_annex().split("\n"):
        d.add_paragraph(line.replace("**", "").lstrip(" -"))
    d.save(path)
    return path


@pytest.mark.parametrize("header", [("新", "旧"), ("旧", "新")])
def test_import_builds_the_old_version_from_a_word_table(tmp_path, header):
    notice = _docx_notice(tmp_path / "notice.docx", header)
    _, (old, new) = _written(tmp_path / "out", notice, "fukuoka-pref", date(2023, 10, 10))
    bundled = load_reference_library()["fukuoka-pref"]
    assert _clauses(new) == _clauses(bundled.current)
    # 第16 is 「略」 in this table, so only 第15 takes the old wording.
    assert old.clause("15").paragraphs == bundled.version("pre-2023-10-10").clause("15").paragraphs
    assert old.clause("16").paragraphs == new.clause("16").paragraphs


def test_import_builds_the_old_version_from_a_ruled_pdf_table(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    style = ParagraphStyle("ja", fontName="HeiseiMin-W3", fontSize=10, leading=16, wordWrap="CJK")
    bundled = load_reference_library()["fukuoka-pref"]
    new15, old15 = (bundled.version(v).clause("15").paragraphs[0] for v in ("2023-10-10", "pre-2023-10-10"))
    rows = [["新", "旧"], ["第1~第14 略"] * 2, [f"（調査）<br/>第15 {new15}", f"（調査）<br/>第15 {old15}"], ["第16~第19 略"] * 2]
    table = Table([[Paragraph(c, style) for c in r] for r in rows], colWidths=[230, 230])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    story = [Paragraph("新旧対照表", style), table, PageBreak()]
    story += [Paragraph(line, style) for line in _printed(bundled.current) if line]
    SimpleDocTemplate(str(tmp_path / "notice.pdf"), pagesize=A4).build(story)
    _, (old, new) = _written(tmp_path / "out", tmp_path / "notice.pdf", "fukuoka-pref", date(2023, 10, 10), issuer="福岡県")
    assert _clauses(new) == _clauses(bundled.current)
    assert old.clause("15").paragraphs == (old15,)
    assert [c.id for c, d in zip(old.clauses, new.clauses) if c != d] == ["15"]


def test_refs_import_cli_writes_a_library_and_check_uses_it(tmp_path, capsys):
    out = tmp_path / "lib"
    args = ["refs", "import", str(AUDIT_REPORT), "--id", "fukuoka-pref", "--version", "2023-10-10", "-o", str(out)]
    assert main(args) == 0
    stdout = capsys.readouterr().out
    assert "fukuoka-pref@pre-2023-10-10" in stdout and "第11, 第12, 第13, 第14, 第19" in stdout
    assert sorted(p.name for p in (out / "fukuoka-pref").iterdir()) == ["2023-10-10.toml", "pre-2023-10-10.toml"]
    # A second import does not overwrite without --force.
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    # The imported set replaces the bundled copy of the same id and version.
    library = load_reference_library([out])
    assert library["fukuoka-pref"].current.path == str(out / "fukuoka-pref" / "2023-10-10.toml")


def test_refs_import_cli_refuses_a_file_without_a_tokki_section(tmp_path, capsys):
    memo = tmp_path / "memo.txt"
    memo.write_text("お知らせ\n来週の会議は中止します。\n", encoding="utf-8")
    assert main(["refs", "import", str(memo), "--id", "x", "--version", "2024-04-01", "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "memo.txt" in err and "特記事項" in err and "Traceback" not in err and err.count("\n") == 1
    # Articles numbered, but not from 1: the line where reading stopped and what it expected.
    memo.write_text("個人情報取扱特記事項\n（秘密の保持）\n第2 乙は、秘密を漏らしてはならない。\n", encoding="utf-8")
    assert main(["refs", "import", str(memo), "--id", "x", "--version", "2024-04-01", "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "2 行目" in err and "「第2」" in err and "1 から始まる" in err
    assert not (tmp_path / "o").exists()
    assert main(["refs", "import", str(memo), "--id", "../x", "--version", "2024-04-01"]) == 2


def test_a_library_that_replaces_a_bundled_version_says_so_and_what_it_drops(tmp_path, capsys):
    # Issue 18: importing seed 001 into a --library folder replaces the bundled fukuoka-pref versions,
    # which carry the 類型 table (from seed 000) and checked topics the import does not have.
    lib = tmp_path / "lib"
    assert main(["refs", "import", str(FIXTURES / "seed001-audit-report.txt"), "--id", "fukuoka-pref",
                 "--version", "2023-10-10", "-o", str(lib)]) == 0
    capsys.readouterr()
    assert main(["check", str(Path(__file__).resolve().parents[1] / "corpus" / "C001-clean"), "--library", str(lib), "--format", "json"]) == 0
    err = capsys.readouterr().err.splitlines()
    notices = [line for line in err if "を置き換えます" in line]
    assert len(notices) == 2 and all("類型表" in line for line in notices)
    assert any("fukuoka-pref@2023-10-10" in line for line in notices)
    assert main(["check", str(Path(__file__).resolve().parents[1] / "corpus" / "C001-clean"), "--format", "json"]) == 0
    assert "置き換えます" not in capsys.readouterr().err
