"""tokki fix: the corrected draft with Word tracked changes and comments.

Accept-all and reject-all are done on the XML by tests/revisions.py (not by the
code under test): accepting gives the current reference wording, rejecting the
draft as it was.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import docx
import pytest
from builders import write_docx, write_pdf
from contracts import build_annex, embedded_contract
from revisions import W, part_xml, resolve_all, tracked

from analyzer import analyze, load_reference_library
from analyzer.cli import main
from analyzer.fix import fix_document, line_edits
from analyzer.ingest.docx import read_docx
from analyzer.model import ClauseStatus, Span
from analyzer.normalize import normalize_spans
from analyzer.settings import default_settings
from analyzer.messages import finding_message

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
LAYOUTS = {
    "plain": {},
    "autonumbered": {"autonumber_articles": True},
    "table-label-run": {"annex_in_table": True, "label_in_own_run": True},
}
CURRENT = load_reference_library()["fukuoka-pref"].current


def clean(text: str) -> str:
    # The seed excerpt carries a PDF line-break space inside 若しくは (第16); a Word draft would not.
    return text.replace("報告若 しくは", "報告若しくは")


def draft(tmp_path: Path, name: str = "draft.docx", layout: str = "plain", **annex) -> Path:
    return write_docx(tmp_path / name, clean(build_annex(**annex)).split("\n"), **LAYOUTS[layout])


def clause_text(path: Path, clause_id: str) -> str:
    """The wording of reference clause ``clause_id`` in the document, as written (found by content:
    with Word's list numbering the printed labels need not be the reference's)."""
    report = analyze([path], reference="fukuoka-pref")
    return next(c for c in report.clauses if c.clause_id == clause_id).actual_text


def clause_label(path: Path, clause_id: str) -> str:
    report = analyze([path], reference="fukuoka-pref")
    return next(c for c in report.clauses if c.clause_id == clause_id).location.article


def text_of(path: Path) -> str:
    return read_docx(path, path.name).text


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- word-level edits

EDITS = [
    # (reference wording, contract wording, [(deleted, inserted)])
    ("随時実地の調査等を行うものとする。", "随時実地の調査等をすることができるものとする。", [("することができる", "行う")]),
    ("資料の提出を求めるものとする。", "資料の提出を求めることができるものとする。", [("求めることができる", "求める")]),
    ("直ちに甲に報告しなければならない。", "甲に報告しなければならない。", [("", "直ちに")]),
    ("甲に書面で報告するものとする。", "甲に報告するものとする。", [("", "書面で")]),
    ("甲は、乙に対し、調査する。", "甲は乙に対し、調査する。", [("", "、")]),
    ("漏えいを防止する。", "漏洩を防止する", [("", "。")]),  # spelling variants stay, the missing 。 is put in
    ("甲は、乙に対し、調査する。", "委託者は、受託者に対し、調査する。", []),  # party names are not changes
]


@pytest.mark.parametrize(("ref", "act", "expected"), EDITS)
def test_fix_line_edits_are_word_level(ref, act, expected):
    settings = default_settings()
    r = normalize_spans(ref, [Span(0, len(ref))], settings)
    a = normalize_spans(act, [Span(0, len(act))], settings)
    edits = line_edits(r, ref, Span(0, len(ref)), a, act, Span(0, len(act)), settings)
    assert [(act[s:e], text) for s, e, text in edits] == expected


# ---------------------------------------------------------------- obsolete clauses


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fix_obsolete_clauses_become_tracked_word_changes(tmp_path, layout):
    src = draft(tmp_path, layout=layout, old=True)
    before = sha256(src)
    out = tmp_path / "fixed.docx"
    result = fix_document(src, out, now=NOW)

    assert sha256(src) == before  # the input is never modified
    assert [(f.clause_id, f.action) for f in result.fixed] == [("15", "replaced"), ("16", "replaced")]
    deleted = ["".join(t.text for t in d.iter(W + "delText")) for d in tracked(out, "del", "tokki")]
    inserted = ["".join(t.text for t in i.iter(W + "t")) for i in tracked(out, "ins", "tokki")]
    # Word level: only the weakened phrases, not the paragraphs.
    assert deleted == ["することができる", "求めることができる"]
    assert inserted == ["行う", "求める"]
    for el in tracked(out, "del") + tracked(out, "ins"):
        assert el.get(W + "author") == "tokki"
        assert el.get(W + "date") == "2026-12-01T09:30:00Z"
    ids = [el.get(W + "id") for el in tracked(out, "del") + tracked(out, "ins")]
    assert len(set(ids)) == len(ids)

    accepted = resolve_all(out, tmp_path / "accepted.docx", accept=True)
    rejected = resolve_all(out, tmp_path / "rejected.docx", accept=False)
    for cid in ("15", "16"):
        assert clause_text(accepted, cid) == CURRENT.clause(cid).text
    # Nothing else changed: accepting gives the current annex, rejecting the draft.
    assert text_of(accepted) == text_of(draft(tmp_path, "current.docx", layout=layout))
    assert text_of(rejected) == text_of(src)
    report = analyze([accepted], reference="fukuoka-pref")
    assert {c.status for c in report.clauses} == {ClauseStatus.CURRENT}


def test_fix_untouched_paragraphs_keep_their_xml(tmp_path):
    src = draft(tmp_path, layout="table-label-run", old=True)
    out = fix_document(src, tmp_path / "fixed.docx", now=NOW).output
    before = docx.Document(str(src)).element.body
    after = docx.Document(out).element.body
    from lxml import etree

    old_ps = [etree.tostring(p) for p in before.iter(W + "p")]
    new_ps = [etree.tostring(p) for p in after.iter(W + "p")]
    changed = [p for p in new_ps if p not in old_ps]
    assert len(changed) == 2  # 第15 and 第16 only
    assert all(b"w:del " in p and b"w:ins " in p for p in changed)
    # The bold label run of 第15 is still its own bold run.
    p15 = next(p for p in after.iter(W + "p") if "随時実地" in "".join(t.text or "" for t in p.iter(W + "t")))
    runs = p15.findall(W + "r")
    assert runs[0].find(f"{W}t").text == "第15" and runs[0].find(f"{W}rPr/{W}b") is not None


def test_fix_comment_says_why(tmp_path):
    out = tmp_path / "fixed.docx"
    fix_document(draft(tmp_path, old=True), out, now=NOW)
    comments = part_xml(out, "word/comments.xml")
    assert comments.count("<w:comment ") == 2
    assert 'w:author="tokki"' in comments
    text = re.sub(r"<[^>]+>", "", comments)
    assert "「することができる」→ 現行「行う」" in text
    assert "改正前（pre-2023-10-10）" in text  # the finding
    assert "fukuoka-pref@2023-10-10 第15（調査）" in text  # reference id and version
    assert "seed 001 lines 831–833" in text  # source
    document = part_xml(out, "word/document.xml")
    for cid in re.findall(r'<w:comment [^>]*w:id="(\d+)"', comments):
        for tag in ("commentRangeStart", "commentRangeEnd", "commentReference"):
            assert f'<w:{tag} w:id="{cid}"/>' in document
    rels = part_xml(out, "word/_rels/document.xml.rels")
    assert "comments.xml" in rels and "comments+xml" in part_xml(out, "[Content_Types].xml")


# ---------------------------------------------------------------- missing clauses


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fix_inserts_missing_mandatory_clause_like_its_neighbours(tmp_path, layout):
    src = draft(tmp_path, layout=layout, drop=(12, 17))
    out = tmp_path / "fixed.docx"
    result = fix_document(src, out, now=NOW)
    assert [(f.clause_id, f.action) for f in result.fixed] == [("12", "inserted")]
    assert [cid for cid, _ in result.not_fixed] == ["17"]  # optional: left to the clerk

    accepted = resolve_all(out, tmp_path / "accepted.docx", accept=True)
    assert clause_text(accepted, "12") == CURRENT.clause("12").text
    lines = text_of(accepted).split("\n")
    at = next(i for i, line in enumerate(lines) if "取り扱う事務を自ら行う" in line)
    assert lines[at - 2 : at] == ["(再委託の禁止)", ""]  # headed like its neighbours, same brackets
    # Numbered on from the article before, and the one after follows on (Word renumbers its lists).
    number = lambda line: int(re.match(r"第(\d+)[ \u3000]", line).group(1))  # noqa: E731
    assert number(lines[at - 4]) + 1 == number(lines[at]) == number(lines[at + 4]) - 1
    assert text_of(resolve_all(out, tmp_path / "rejected.docx", accept=False)) == text_of(src)
    report = analyze([accepted], reference="fukuoka-pref")
    assert {c.clause_id for c in report.clauses if c.status is not ClauseStatus.CURRENT} == {"17"}

    body = docx.Document(str(out)).element.body
    new = [p for p in body.iter(W + "p") if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]
    assert new and all(p.find(f"{W}pPr/{W}rPr/{W}ins").get(W + "author") == "tokki" for p in new)
    article = next(p for p in new if "自ら行う" in "".join(t.text or "" for t in p.iter(W + "t")))
    if layout == "autonumbered":  # numbered by Word's list, as the neighbours are
        assert article.find(f"{W}pPr/{W}numPr") is not None
    if layout == "table-label-run":  # inside the annex table, with the bold label run
        assert article.getparent().tag == W + "tc"
        assert article.find(f"{W}ins/{W}r/{W}rPr/{W}b") is not None


def test_fix_inserted_article_numbered_like_an_embedded_annex(tmp_path):
    src = write_docx(tmp_path / "contract.docx", clean(embedded_contract(drop=(12,), old=True)).split("\n"))
    out = tmp_path / "fixed.docx"
    result = fix_document(src, out, now=NOW)
    assert {(f.clause_id, f.action, f.where) for f in result.fixed} >= {("15", "replaced", "第34条")}
    accepted = resolve_all(out, tmp_path / "accepted.docx", accept=True)
    assert clause_text(accepted, "12") == CURRENT.clause("12").text
    assert clause_label(accepted, "12") == "第31条"  # numbered on from the body's 第30条
    report = analyze([accepted], reference="fukuoka-pref")
    assert {c.status for c in report.clauses} == {ClauseStatus.CURRENT}


# ---------------------------------------------------------------- existing revisions and comments


def _draft_with_revisions(tmp_path: Path) -> Path:
    src = draft(tmp_path, "reviewed.docx", old=True)
    document = docx.Document(str(src))
    paragraphs = document.paragraphs
    p1 = next(p for p in paragraphs if p.text.startswith("第1 "))
    document.add_comment(p1.runs[0], text="法令番号を確認", author="田中", initials="田")
    # 田中's own tracked changes inside 第15: 「随時」 inserted, 「必要に応じ、」 deleted.
    p15 = next(p for p in paragraphs if p.text.startswith("第15 "))
    run = p15.runs[0]._r
    text = run.find(W + "t").text
    head, tail = text.split("随時", 1)
    run.find(W + "t").text = head
    ins = docx.oxml.parse_xml(
        f'<w:ins xmlns:w="{W[1:-1]}" w:id="901" w:author="田中" w:date="2026-11-30T10:00:00Z">'
        f'<w:r><w:t>随時</w:t></w:r></w:ins>'
    )
    dele = docx.oxml.parse_xml(
        f'<w:del xmlns:w="{W[1:-1]}" w:id="902" w:author="田中" w:date="2026-11-30T10:00:00Z">'
        f'<w:r><w:delText>必要に応じ、</w:delText></w:r></w:del>'
    )
    rest = docx.oxml.parse_xml(f'<w:r xmlns:w="{W[1:-1]}"><w:t>{tail}</w:t></w:r>')
    run.addnext(dele)
    dele.addnext(ins)
    ins.addnext(rest)
    document.save(str(src))
    return src


def test_fix_keeps_existing_tracked_changes_and_comments(tmp_path):
    src = _draft_with_revisions(tmp_path)
    assert analyze([src], reference="fukuoka-pref").clauses[14].status is ClauseStatus.OBSOLETE
    out = tmp_path / "fixed.docx"
    fix_document(src, out, now=NOW)

    comments = part_xml(out, "word/comments.xml")
    assert 'w:author="田中"' in comments and "法令番号を確認" in comments
    assert comments.count("<w:comment ") == 3  # 田中's and tokki's two
    assert [el.get(W + "id") for el in tracked(out, "ins", "田中")] == ["901"]
    assert [el.get(W + "id") for el in tracked(out, "del", "田中")] == ["902"]
    assert ["".join(t.text for t in d.iter(W + "delText")) for d in tracked(out, "del", "tokki")][0] == "することができる"
    accepted = resolve_all(out, tmp_path / "accepted.docx", accept=True)
    assert clause_text(accepted, "15") == CURRENT.clause("15").text
    assert {c.status for c in analyze([accepted], reference="fukuoka-pref").clauses} == {ClauseStatus.CURRENT}


# ---------------------------------------------------------------- other programs open it


def test_fix_output_opens_in_python_docx_and_converts_with_libreoffice(tmp_path, require_program):
    out = tmp_path / "fixed.docx"
    fix_document(draft(tmp_path, layout="autonumbered", old=True, drop=(12,)), out, now=NOW)
    document = docx.Document(str(out))
    assert any("随時実地の調査等を" in p.text for p in document.paragraphs)  # 第15 reads as a paragraph
    assert len(document.comments) == 3

    soffice = require_program("soffice")  # skips without LibreOffice, fails under CI=true (conftest.py)
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(out)],
        capture_output=True, text=True, timeout=240, check=False,
    )
    pdf = tmp_path / "pdf" / "fixed.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    import pypdfium2

    pages = pypdfium2.PdfDocument(str(pdf))
    text = "".join(pages[i].get_textpage().get_text_range() for i in range(len(pages)))
    compact = re.sub(r"\s", "", text)
    assert "随時実地の調査等を" in compact and "再委託の禁止" in compact


# ---------------------------------------------------------------- PDF and text input


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_fix_pdf_or_text_input_writes_the_annex_as_docx(tmp_path, kind):
    annex = clean(build_annex(old=True, drop=(4,)))
    src = tmp_path / f"draft.{kind}"
    if kind == "txt":
        src.write_text(annex, encoding="utf-8")
    else:
        write_pdf(src, annex.split("\n"))
    out = tmp_path / "fixed.docx"
    result = fix_document(src, out, now=NOW)
    assert result.annex_written
    assert [(f.clause_id, f.action) for f in result.fixed] == [("15", "replaced"), ("16", "replaced"), ("4", "inserted")]
    accepted = resolve_all(out, tmp_path / "accepted.docx", accept=True)
    assert {c.status for c in analyze([accepted], reference="fukuoka-pref").clauses} == {ClauseStatus.CURRENT}
    rejected = resolve_all(out, tmp_path / "rejected.docx", accept=False)
    report = analyze([rejected], reference="fukuoka-pref")
    assert {c.clause_id: c.status for c in report.clauses if c.status is not ClauseStatus.CURRENT} == {
        "4": ClauseStatus.MISSING, "15": ClauseStatus.OBSOLETE, "16": ClauseStatus.OBSOLETE,
    }
    section = docx.Document(str(out)).sections[0]  # A4, as a Japanese office prints (issue 18)
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


# ---------------------------------------------------------------- CLI


def test_cli_fix_writes_the_draft_and_says_what_changed(tmp_path, capsys):
    src = draft(tmp_path, old=True, drop=(12,))
    out = tmp_path / "out" / "fixed.docx"
    assert main(["fix", str(src), "-o", str(out), "--reference", "fukuoka-pref"]) == 0
    printed = capsys.readouterr().out
    assert "第15（調査） 差替え / replaced" in printed and "第12（再委託の禁止） 挿入 / inserted" in printed
    assert out.exists() and not [p for p in out.parent.iterdir() if p.name != "fixed.docx"]  # no temp file left


def test_cli_fix_current_draft_has_nothing_to_fix(tmp_path, capsys):
    src = draft(tmp_path)
    out = tmp_path / "fixed.docx"
    assert main(["fix", str(src), "-o", str(out)]) == 0
    assert "修正する箇所はありません / nothing to fix" in capsys.readouterr().out
    assert text_of(out) == text_of(src) and not tracked(out, "ins") and not tracked(out, "del")


def test_cli_fix_text_input_says_a_docx_was_written(tmp_path, capsys):
    src = tmp_path / "draft.txt"
    src.write_text(clean(build_annex(old=True)), encoding="utf-8")
    assert main(["fix", str(src), "-o", str(tmp_path / "fixed.docx")]) == 0
    assert "the annex was written out as a new DOCX" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["missing", "same-as-input", "not-docx-output", "corrupt"])
def test_cli_fix_bad_usage_exits_2(tmp_path, capsys, case):
    src = draft(tmp_path, old=True)
    args = {
        "missing": [str(tmp_path / "nope.docx"), "-o", str(tmp_path / "o.docx")],
        "same-as-input": [str(src), "-o", str(src)],
        "not-docx-output": [str(src), "-o", str(tmp_path / "o.pdf")],
        "corrupt": [str(tmp_path / "bad.docx"), "-o", str(tmp_path / "o.docx")],
    }[case]
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not really a zip")
    before = sha256(src)
    assert main(["fix", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tokki: ") and len(err.strip().splitlines()) == 1
    assert sha256(src) == before
    assert not (tmp_path / "o.docx").exists() and not (tmp_path / "o.pdf").exists()  # nothing written


# ---------------------------------------------------------------- paragraphs of a modified clause


def _edit_lines(lines: list[str], case: str) -> list[str]:
    i3 = next(i for i, line in enumerate(lines) if line.startswith("- 3 乙は、第1項の事案"))
    return {
        "missing paragraph": lines[:i3] + lines[i3 + 1 :],
        "extra paragraph": lines[: i3 + 1] + ["- 4 乙は、その他甲が指示する事項を守らなければならない。"] + lines[i3 + 1 :],
        "missing item": [line for line in lines if not line.strip().startswith("- 二 ")],
        "rewritten": [line.replace("随時実地の調査等を行うものとする。", "年に一度、書面により確認することができる。") for line in lines],
    }[case]


@pytest.mark.parametrize(
    ("case", "clause"),
    [("missing paragraph", "14"), ("extra paragraph", "14"), ("missing item", "10"), ("rewritten", "15")],
)
def test_fix_modified_clause_paragraphs_inserted_or_deleted(tmp_path, case, clause):
    src = write_docx(tmp_path / "draft.docx", _edit_lines(clean(build_annex()).split("\n"), case))
    assert analyze([src], reference="fukuoka-pref").clauses[int(clause) - 1].status is not ClauseStatus.CURRENT
    out = tmp_path / "fixed.docx"
    result = fix_document(src, out, now=NOW)
    assert [f.clause_id for f in result.fixed] == [clause]
    accepted = resolve_all(out, tmp_path / "accepted.docx", accept=True)
    assert {c.status for c in analyze([accepted], reference="fukuoka-pref").clauses} == {ClauseStatus.CURRENT}
    assert text_of(resolve_all(out, tmp_path / "rejected.docx", accept=False)) == text_of(src)


# ---------------------------------------------------------------- tokki check: the wording to put in


def test_text_report_prints_current_wording_under_every_finding(tmp_path):
    from analyzer.report import render_report

    src = tmp_path / "draft.txt"
    src.write_text(build_annex(old=True, drop=(12,)), encoding="utf-8")
    report = analyze([src], reference="fukuoka-pref")
    lines = render_report(report, "text").split("\n")
    for finding in report.findings:
        at = next(i for i, line in enumerate(lines) if finding_message(finding) in line)
        assert lines[at + 1].lstrip().startswith("→"), finding_message(finding)
    at12 = next(i for i, line in enumerate(lines) if "第12（再委託の禁止）がありません" in line)
    assert lines[at12 + 2].strip() == CURRENT.clause("12").text
    at15 = next(i for i, line in enumerate(lines) if "第15（調査）は改正前" in line)
    assert lines[at15 + 2].strip() == CURRENT.clause("15").text
    # One problem, one finding: the weaker duty is said in the same finding, the wording printed once.
    assert "義務が弱められています" in lines[at15]
    assert sum(CURRENT.clause("15").text == line.strip() for line in lines) == 1


# ---------------------------------------------------------------- accept-all gives the reference wording

# Each mutation kind of the strength tables (tests/test_strength.py PAIRS), as a rewrite of a
# reference sentence; the first pattern that matches is applied.
MUTATIONS = {
    "duty→effort": [("講じなければならない", "講ずるよう努めるものとする"), ("しなければならない", "するよう努めなければならない")],
    "duty→power": [("(行う|求める|講ずる|とる)ものとする", r"\1ことができるものとする"), ("しなければならない", "することができる")],
    "prohibition→effort": [("漏らしてはならない", "漏らさないよう努めなければならない"), ("してはならない", "しないよう努める")],
    "modifier dropped": [("直ちに|速やかに|あらかじめ|書面により|書面で", "")],
    "parties renamed": [("甲", "委託者"), ("乙", "受託者")],
}


def _accept_all(ref: str, act: str) -> str:
    settings = default_settings()
    r = normalize_spans(ref, [Span(0, len(ref))], settings)
    a = normalize_spans(act, [Span(0, len(act))], settings)
    out = act
    for start, end, text in sorted(line_edits(r, ref, Span(0, len(ref)), a, act, Span(0, len(act)), settings), reverse=True):
        out = out[:start] + text + out[end:]
    return out


def _mutate(line: str, kind: str) -> str:
    if kind == "parties renamed":
        return line.replace("甲", "委託者").replace("乙", "受託者")
    for pattern, repl in MUTATIONS[kind]:
        changed = re.sub(pattern, repl, line, count=1)
        if changed != line:
            return changed
    return line


def _reference_lines() -> list[str]:
    lines = []
    for ref_set in load_reference_library().values():
        for version in ref_set.versions:
            if version.level != "clause":
                continue
            for clause in version.clauses:
                for wording in clause.wordings():
                    lines += [line for line in wording.splitlines() if line.strip()]
    return sorted(set(lines))


def test_accept_all_gives_the_reference_wording_for_every_clause_and_mutation_kind():
    # Issue 18: accepting every change of a mutated clause gives the reference sentence exactly, in
    # the contract's party names — never 「講ずるなければならない」 or 「漏らさてはならない」.
    lines = _reference_lines()
    tried, wrong = 0, []
    for line in lines:
        named = _mutate(line, "parties renamed")
        for kind in MUTATIONS:
            act = _mutate(line, kind)
            if act == line:
                continue
            tried += 1
            want = named if kind == "parties renamed" else line
            if kind != "parties renamed" and "甲" not in act and "乙" not in act:
                want = line
            got = _accept_all(line, act)
            if got != want:
                wrong.append((kind, act, got))
            if kind != "parties renamed":  # the same change in a contract that names 委託者/受託者
                tried += 1
                got = _accept_all(line, _mutate(act, "parties renamed"))
                if got != named:
                    wrong.append((kind + " + parties", act, got))
    assert tried >= 350, tried
    assert wrong == [], wrong[:5]


def test_fix_text_speaks_the_contracts_party_names(tmp_path):
    # A draft naming 委託者/受託者 (issue 18): the inserted 第12 and the restored 第15 wording use its
    # names, never the reference's 甲/乙; accepting everything gives the reference in those names.
    text = clean(build_annex(drop=(12,), old=True)).replace("甲", "委託者").replace("乙", "受託者")
    src = write_docx(tmp_path / "draft.docx", text.split("\n"))
    out = tmp_path / "fixed.docx"
    result = fix_document(src, out, now=NOW)
    assert {f.clause_id for f in result.fixed} >= {"12", "15", "16"}
    accepted = text_of(resolve_all(out, tmp_path / "accepted.docx", accept=True))
    assert "甲" not in accepted and "乙" not in accepted
    named = lambda t: t.replace("甲", "委託者").replace("乙", "受託者")  # noqa: E731
    for cid in ("12", "15", "16"):
        assert "".join(named(CURRENT.clause(cid).text).split()) in "".join(accepted.split()), cid


def test_fix_inserting_into_a_renumbered_annex_renumbers_what_follows(tmp_path):
    # The draft dropped 第12 and renumbered 第13–第19 as 第12–第18 (issue 18): the inserted 第12 would
    # take a number in use, so the following labels and a 「第N」 reference to them move on by one.
    text = clean(build_annex(drop=(12,), label=lambda n: f"第{n - (n > 12)}"))
    text += "\n第13（事故報告）の報告は、書面により行うこと。"
    src = write_docx(tmp_path / "draft.docx", text.split("\n"))
    out = tmp_path / "fixed.docx"
    result = fix_document(src, out, now=NOW)
    assert ("12", "inserted") in [(f.clause_id, f.action) for f in result.fixed]
    accepted = text_of(resolve_all(out, tmp_path / "accepted.docx", accept=True))
    assert "第14（事故報告）の報告は" in accepted  # the reference to the old 第13 follows it
    assert text_of(resolve_all(out, tmp_path / "rejected.docx", accept=False)) == text_of(src)
    report = analyze([tmp_path / "accepted.docx"], reference="fukuoka-pref")
    assert [c.location.article for c in report.clauses] == [f"第{n}" for n in range(1, 20)]


def test_fix_says_so_where_the_contract_kept_the_number_of_a_deleted_article(tmp_path):
    # 「第12 削除」: the number is kept, so nothing is renumbered and nothing inserted under a second 第12.
    lines = clean(build_annex(drop=(12,))).split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("第13"))
    while not lines[at - 1].startswith("第11") and not lines[at - 1].strip() == "":
        at -= 1
    lines[at:at] = ["第12 削除", ""]
    src = write_docx(tmp_path / "draft.docx", lines)
    out = tmp_path / "fixed.docx"
    result = fix_document(src, out, now=NOW)
    assert "12" not in {f.clause_id for f in result.fixed}
    (why,) = [w for cid, w in result.not_fixed if cid == "12"]
    assert "第12 は「削除」として番号が残されています" in why
    accepted = text_of(resolve_all(out, tmp_path / "accepted.docx", accept=True))
    assert accepted.count("第12") == text_of(src).count("第12") and "第14" in accepted
