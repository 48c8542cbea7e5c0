"""Hostile and broken inputs: every file gets a clear answer (a tokki.report/1 error code and a
message naming it), nothing crashes, nothing is written into an input folder.

Cases already covered in test_ingest.py (zero bytes, truncated PDF, .doc/.jpg, scanned annex in a
contract) and test_scan.py (hung document → timeout, resume after an interrupt) are not repeated.
"""
from __future__ import annotations

import builtins
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from builders import write_docx, write_image_pdf, write_pdf
from contracts import build_annex, fukuoka_annex
from test_ingest import annex_lines

from analyzer import analyze
from analyzer.archive import LINKED_FOLDER, OUTSIDE_LINK, read_archive
from analyzer.cli import main
from analyzer.errors import ErrorCode, UsageError
from analyzer.ingest import (
    LOOP_MESSAGE,
    MISSING_MESSAGE,
    PERMISSION_MESSAGE,
    IngestOptions,
)
from analyzer.report import render_report, write_atomic
from analyzer.report.json import report_schema
from analyzer.scan import scan_archive
from analyzer.settings import default_settings

S = default_settings()


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def error_of(path: Path, **ingest) -> tuple[ErrorCode, str, str]:
    report = analyze([path], reference="fukuoka-pref", ingest=IngestOptions(**ingest) if ingest else None)
    assert report.status == "error" and report.clauses == ()
    return report.error.code, report.error.message, report.error.file


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry under ``folder`` with its size and mtime (links not followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


# ------------------------------------------------------------------ 1. scans and OCR


def test_hostile_scanned_pdf_says_ocr_required_and_how(tmp_path, capsys):
    path = write_image_pdf(tmp_path / "scan.pdf", pages=1)
    code, message, file = error_of(path)
    assert code is ErrorCode.OCR_REQUIRED and file == str(path)
    assert "--ocr" in message
    exit_code, _, err = cli(capsys, "check", "--reference", "fukuoka-pref", str(path))
    assert exit_code == 2 and err.count("\n") == 1 and "scan.pdf" in err and "[ocr_required]" in err


def test_hostile_text_pdf_with_scanned_signature_page(tmp_path):
    # Text pages followed by a scanned signature page: the text is analysed, the image page noted.
    import pypdfium2 as pdfium

    text = write_pdf(tmp_path / "text.pdf", annex_lines())
    scan = write_image_pdf(tmp_path / "sig.pdf", pages=1)
    merged = pdfium.PdfDocument.new()
    merged.import_pages(pdfium.PdfDocument(str(text)))
    merged.import_pages(pdfium.PdfDocument(str(scan)))
    n = len(merged)
    merged.save(str(tmp_path / "signed.pdf"))
    report = analyze([tmp_path / "signed.pdf"], reference="fukuoka-pref")
    assert report.error is None
    assert all(c.status.value == "current" for c in report.clauses)
    assert any(f"page {n}" in note and "image-only" in note for note in report.notes)


def _ocr_fixture(path: Path, font_file: str) -> Path:
    """One A4 page holding 第1–第6 of the Fukuoka annex as a 300-dpi image (no text layer)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    lines = [ln for ln in annex_lines() if ln][:14]
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_file, 44)
    y = 200
    for line in lines:
        for i in range(0, len(line), 48):
            draw.text((150, y), line[i : i + 48], font=font, fill=0)
            y += 70
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
    canvas.showPage()
    canvas.save()
    return path


def test_hostile_ocr_reads_a_scan_and_marks_the_report(tmp_path, capsys, require_program):
    # The alternative engine: Tesseract with jpn data, pytesseract and a Japanese font: skipped without
    # them, failed under CI=true (conftest.py). The default engine: tests/test_ocr_scan.py.
    require_program("tesseract")
    require_program("ppocr")  # the page preparation (OpenCV) comes with the ocr extra
    path = _ocr_fixture(tmp_path / "scan-annex.pdf", require_program("japanese-font"))
    code, out, err = cli(capsys, "check", "--ocr", "--ocr-engine", "tesseract", "--ocr-cache", "none",
                         "--reference", "fukuoka-pref", "--format", "json", str(path))
    data = json.loads(out)
    import jsonschema

    jsonschema.validate(data, report_schema())
    assert data["status"] != "error", err
    assert data["ocr"]["pages"][0]["page"] == 1 and 0.5 < data["ocr"]["mean_confidence"] <= 1.0
    by_id = {c["id"]: c for c in data["clauses"]}
    # 第1–第6 are on the page (an OCR slip — 毀損 read as 明損, a lost 乙 — makes a clause "modified");
    # each is marked with the page's confidence.
    for cid in "123456":
        assert by_id[cid]["status"] in ("current", "modified"), by_id[cid]
        assert by_id[cid]["ocr_confidence"] == data["ocr"]["mean_confidence"]
        assert by_id[cid]["similarity"] >= 0.95
    assert by_id["3"]["status"] == "current"
    assert by_id["19"]["status"] == "missing" and by_id["19"]["ocr_confidence"] is None
    assert any("OCR" in n for n in data["notes"])


# ------------------------------------------------------------------ 2. encrypted, corrupt, unsupported, size


def test_hostile_encrypted_pdf_and_password(tmp_path, capsys):
    path = write_pdf(tmp_path / "locked.pdf", annex_lines(), encrypt_password="himitsu")
    code, message, _ = error_of(path)
    assert code is ErrorCode.ENCRYPTED and "--password" in message
    code, message, _ = error_of(path, password="wrong")
    assert code is ErrorCode.ENCRYPTED and "wrong password" in message
    exit_code, out, err = cli(capsys, "check", "--password", "himitsu", "--reference", "fukuoka-pref", str(path))
    assert exit_code == 0, err
    lines = out.splitlines()
    assert "判定: 問題なし / no findings" in lines and "  現行 19" in lines  # read with the password: all 19 current


def test_hostile_encrypted_docx(tmp_path):
    # Word's "Encrypt with Password" writes an OLE2 container with an EncryptionInfo stream.
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + "EncryptionInfo".encode("utf-16-le") + bytes(600))
    code, message, _ = error_of(path)
    assert code is ErrorCode.ENCRYPTED and "Word" in message


def test_hostile_doc_renamed_docx(tmp_path):
    path = tmp_path / "renamed.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    code, message, _ = error_of(path)
    assert code is ErrorCode.CORRUPT and ".doc" in message and "--convert" in message


def test_hostile_truncated_docx_is_corrupt(tmp_path):
    good = write_docx(tmp_path / "good.docx", annex_lines())
    for cut in (40, len(good.read_bytes()) // 2, len(good.read_bytes()) - 30):
        bad = tmp_path / f"cut{cut}.docx"
        bad.write_bytes(good.read_bytes()[:cut])
        assert error_of(bad)[0] is ErrorCode.CORRUPT


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("sheet.pdf", b"PK\x03\x04" + bytes(200), ErrorCode.CORRUPT, "ZIP"),
        ("photo.pdf", b"\xff\xd8\xff\xe0" + bytes(200), ErrorCode.CORRUPT, "JPEG"),
        ("notes.rtf", b"{\\rtf1\\ansi hello}", ErrorCode.UNSUPPORTED_FORMAT, "--convert"),
        ("budget.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), ErrorCode.UNSUPPORTED_FORMAT, "spreadsheet"),
        ("seal.jpg", b"\xff\xd8\xff\xe0" + bytes(200), ErrorCode.UNSUPPORTED_FORMAT, "image"),
        ("plan.dwg", b"AC1032" + bytes(200), ErrorCode.UNSUPPORTED_FORMAT, "PDF, DOCX, TXT"),
        ("README", b"hello", ErrorCode.UNSUPPORTED_FORMAT, "拡張子なし"),
    ],
)
def test_hostile_wrong_or_unsupported_format(tmp_path, name, content, code, words):
    path = tmp_path / name
    path.write_bytes(content)
    got, message, file = error_of(path)
    assert got is code and words in message and file == str(path)


def _rtf(text: str) -> bytes:
    """A minimal RTF document of ``text`` (non-ASCII as \\uN? escapes), one paragraph per line."""
    body = []
    for line in text.split("\n"):
        body.append("".join(c if ord(c) < 128 and c not in "\\{}" else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?"
                            for c in line) + "\\par\n")
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 MS Mincho;}}\\f0\n" + "".join(body) + "}").encode("ascii")


def test_hostile_convert_rtf_with_libreoffice_without_touching_the_input(tmp_path, capsys, require_program):
    require_program("soffice")  # skips without LibreOffice, fails under CI=true (conftest.py)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "annex.rtf"
    path.write_bytes(_rtf(fukuoka_annex().replace("**", "")))
    before = tree(inbox)
    assert error_of(path)[0] is ErrorCode.UNSUPPORTED_FORMAT
    code, out, err = cli(capsys, "check", "--convert", "--reference", "fukuoka-pref", "--format", "json", str(path))
    data = json.loads(out)
    assert code == 0, err
    assert {c["status"] for c in data["clauses"]} == {"current"}
    assert any("LibreOffice" in n for n in data["notes"])
    assert tree(inbox) == before  # no LibreOffice lock file, no output beside the input


def test_hostile_too_large_without_reading_it(tmp_path, capsys):
    # A 200 MB drawing saved as .pdf: refused from its size (a sparse file: nothing is written or read).
    big = tmp_path / "drawing.pdf"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    code, message, _ = error_of(big)
    assert code is ErrorCode.TOO_LARGE and "209,715,200" in message
    small = write_pdf(tmp_path / "annex.pdf", annex_lines())
    exit_code, out, err = cli(capsys, "check", "--max-bytes", "1K", "--format", "json", str(small))
    assert exit_code == 2 and json.loads(out)["error"]["code"] == "too_large" and "[too_large]" in err
    exit_code, _, err = cli(capsys, "check", "--max-bytes", "lots", str(small))
    assert exit_code == 2 and "100M" in err


def test_hostile_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert error_of(fifo)[0] is ErrorCode.UNSUPPORTED_FORMAT  # never opened: reading a FIFO would block


# ------------------------------------------------------------------ 3. bombs, links, unreadable and vanishing files


def _docx_with(tmp_path: Path, name: str, extra: dict[str, bytes] | None = None, document_xml: bytes | None = None,
               members: int = 0) -> Path:
    good = write_docx(tmp_path / "base.docx", annex_lines())
    path = tmp_path / name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if document_xml is not None and item.filename == "word/document.xml":
                data = document_xml
            dst.writestr(item, data)
        for member, data in (extra or {}).items():
            dst.writestr(member, data)
        for i in range(members):
            dst.writestr(f"customXml/item{i}.bin", b"x")
    return path


def test_hostile_zip_bomb_refused_before_inflating(tmp_path):
    # 300 MB of zeros deflate to ~300 KB: the directory says so, nothing is inflated.
    path = tmp_path / "bomb.docx"
    base = _docx_with(tmp_path, "base2.docx")
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("word/media/image1.bin", "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(300):
                fh.write(chunk)
    code, message, _ = error_of(path)
    assert code is ErrorCode.TOO_LARGE and "zip bomb" in message


def test_hostile_zip_ratio_and_member_count(tmp_path):
    ratio = _docx_with(tmp_path, "ratio.docx", extra={"word/media/pad.bin": bytes(20 << 20)})
    code, message, _ = error_of(ratio)
    assert code is ErrorCode.CORRUPT and "compression ratio" in message and "word/media/pad.bin" in message
    many = _docx_with(tmp_path, "many.docx", members=S.docx_max_members + 1)
    code, message, _ = error_of(many)
    assert code is ErrorCode.CORRUPT and "too many zip members" in message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol4;</w:t></w:r></w:p></w:body></w:document>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_hostile_xml_entities_refused(tmp_path, xml):
    path = _docx_with(tmp_path, "entities.docx", document_xml=xml)
    code, message, _ = error_of(path)
    assert code is ErrorCode.CORRUPT and "DTD" in message and "word/document.xml" in message


def test_hostile_symlink_loops_are_not_followed(tmp_path):
    root = tmp_path / "archive"
    (root / "C1").mkdir(parents=True)
    (root / "C1" / "annex.txt").write_text(fukuoka_annex(), "utf-8")
    (root / "C1" / "loop").symlink_to("..")  # a folder link back up: would loop forever if followed
    (root / "C2.txt").symlink_to("C2.txt")  # a link to itself
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(fukuoka_annex(), "utf-8")
    (root / "C3.txt").symlink_to(outside)
    archive = read_archive(root)
    assert [c.id for c in archive.contracts] == ["C1", "C2"]
    assert ("C1/loop", LINKED_FOLDER) in archive.skipped and ("C3.txt", OUTSIDE_LINK) in archive.skipped
    result = scan_archive(root, db=tmp_path / "t.sqlite", out=tmp_path / "reports", jobs=1)
    assert result.statuses == {"ok": 1, "error": 1}
    c2 = json.loads((tmp_path / "reports" / "contracts" / "C2.json").read_text("utf-8"))
    assert c2["error"]["code"] == "corrupt" and c2["error"]["message"] == LOOP_MESSAGE and c2["error"]["file"] == "C2.txt"


def test_hostile_manifest_link_outside_the_archive(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("x", "utf-8")
    (root / "inside.txt").symlink_to(outside)
    (root / "manifest.csv").write_text("id,files\nX,inside.txt\n", "utf-8")
    with pytest.raises(UsageError, match="outside the archive"):
        read_archive(root)


def _deny(monkeypatch, victim: Path) -> None:
    """Make ``victim`` unreadable: chmod 000, or (as root, who reads anyway) an open() that refuses it."""
    if os.geteuid() != 0:
        victim.chmod(0)
        return
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and Path(file).resolve() == victim.resolve():
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)


def test_hostile_unreadable_file_is_reported_and_the_scan_goes_on(tmp_path, monkeypatch):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "A.txt").write_text(fukuoka_annex(), "utf-8")
    (root / "B.txt").write_text(fukuoka_annex(), "utf-8")
    _deny(monkeypatch, root / "B.txt")
    code, message, _ = error_of(root / "B.txt")
    assert code is ErrorCode.CORRUPT and message == PERMISSION_MESSAGE
    result = scan_archive(root, db=tmp_path / "t.sqlite", out=tmp_path / "reports", jobs=1)
    assert result.statuses == {"ok": 1, "error": 1}
    b = json.loads((tmp_path / "reports" / "contracts" / "B.json").read_text("utf-8"))
    assert b["error"] == {"code": "corrupt", "message": PERMISSION_MESSAGE, "file": "B.txt"}


def test_hostile_file_vanishing_mid_scan(tmp_path, monkeypatch):
    root = tmp_path / "archive"
    root.mkdir()
    for name in ("A", "B"):
        (root / f"{name}.txt").write_text(fukuoka_annex(), "utf-8")
    # A path that never existed is named as such; a file that vanishes while being read gets MISSING_MESSAGE below.
    assert error_of(root / "gone.pdf")[:2] == (ErrorCode.CORRUPT, "ファイルがありません / no such file or folder")

    import analyzer.scan as scan

    real = scan.read_archive

    def listed_then_deleted(path):
        archive = real(path)
        (root / "B.txt").unlink()  # deleted after the listing, before it is hashed and read
        return archive

    monkeypatch.setattr(scan, "read_archive", listed_then_deleted)
    result = scan.scan_archive(root, db=tmp_path / "t.sqlite", out=tmp_path / "reports", jobs=1)
    assert result.statuses == {"ok": 1, "error": 1}
    b = json.loads((tmp_path / "reports" / "contracts" / "B.json").read_text("utf-8"))
    assert (b["error"]["code"], b["error"]["message"]) == ("corrupt", MISSING_MESSAGE)


# ------------------------------------------------------------------ 4. read-only inputs, atomic outputs


def test_hostile_no_command_writes_into_the_input_folder(tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "C1").mkdir(parents=True)
    (inbox / "C1" / "annex.txt").write_text(build_annex(old=True), "utf-8")
    write_docx(inbox / "draft.docx", annex_lines(build_annex(old=True)))
    write_pdf(inbox / "locked.pdf", annex_lines(), encrypt_password="pw")
    (inbox / "empty.pdf").write_bytes(b"")
    before = tree(inbox)
    out = tmp_path / "out"
    cli(capsys, "check", "--format", "html", "-o", str(out / "c1.html"), str(inbox / "C1"))
    cli(capsys, "check", "--password", "pw", "--format", "json", str(inbox / "locked.pdf"))
    cli(capsys, "fix", str(inbox / "draft.docx"), "-o", str(out / "fixed.docx"))
    code, _, err = cli(capsys, "scan", str(inbox), "--db", str(out / "t.sqlite"), "--out", str(out), "--jobs", "1",
                       "--password", "pw")
    assert code == 0, err
    assert tree(inbox) == before


def test_hostile_interrupted_write_leaves_the_old_report(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    write_atomic(target, "old")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new " * 100_000)
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no half-written temp file left


# ------------------------------------------------------------------ 5. escaping


def test_hostile_html_report_escapes_document_text(tmp_path, write):
    evil = "<script>alert('tokki')</script>"
    text = build_annex(old=True).replace("随時実地の調査等を", f"随時実地の調査等を{evil}")
    report = analyze([write("<img src=x onerror=alert(1)>.txt", text)], reference="fukuoka-pref")
    assert any(evil in c.actual_text for c in report.clauses)
    html = render_report(report, "html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html


def test_hostile_summary_html_escapes_contract_ids(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "<img src=x onerror=alert(1)>.txt").write_text(fukuoka_annex(), "utf-8")
    scan_archive(root, db=tmp_path / "t.sqlite", out=tmp_path / "reports", jobs=1)
    html = (tmp_path / "reports" / "summary.html").read_text("utf-8")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# ------------------------------------------------------------------ the CLI never shows a traceback


def test_hostile_cli_one_line_per_bad_file(tmp_path, capsys):
    cases = {
        "zero.pdf": b"",
        "cut.pdf": write_pdf(tmp_path / "whole.pdf", annex_lines()).read_bytes()[:700],
        "sheet.pdf": b"PK\x03\x04" + bytes(100),
        "legacy.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
        "garbage.docx": os.urandom(3000),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        code, out, err = cli(capsys, "check", "--reference", "fukuoka-pref", str(path))
        assert code == 2 and out == "" and err.count("\n") == 1 and name in err and "[" in err, (name, err)
    code, _, err = cli(capsys, "check", str(tmp_path / "nowhere.pdf"))
    assert code == 2 and "nowhere.pdf" in err
