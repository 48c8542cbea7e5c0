"""Ingest: PDF, DOCX and text files give the same verdicts; bad files give error codes."""
from __future__ import annotations

import pytest
from builders import write_docx, write_image_pdf, write_pdf
from contracts import build_annex, embedded_contract, fukuoka_annex

from analyzer import analyze
from analyzer.errors import ErrorCode
from analyzer.ingest import load_document
from analyzer.settings import default_settings

ALL_CURRENT = {str(n): "current" for n in range(1, 20)}


def annex_lines(text: str | None = None) -> list[str]:
    """The seed annex as logical lines, without the converter's 「- 」 and ** artifacts."""
    lines = []
    for line in (text or fukuoka_annex()).split("\n"):
        line = line.replace("**", "").strip()
        if line.startswith("- "):
            line = line[2:]
        lines.append(line)
    return lines


def statuses(report) -> dict[str, str]:
    return {c.clause_id: c.status.value for c in report.clauses}


# ------------------------------------------------------------------ PDF


def test_ingest_pdf_annex_all_current_with_pages(tmp_path):
    path = write_pdf(tmp_path / "annex.pdf", annex_lines())
    report = analyze([path])
    assert statuses(report) == ALL_CURRENT
    assert report.findings == ()
    pages = [c.location.page for c in report.clauses]
    assert pages[0] == 1 and pages == sorted(pages) and pages[-1] > 1


def test_ingest_pdf_drops_running_header_and_page_numbers(tmp_path):
    path = write_pdf(tmp_path / "annex.pdf", annex_lines(), header="業務委託契約書（別記）")
    doc = load_document(path, default_settings())
    assert len(doc.pages) > 1
    assert "業務委託契約書（別記）" not in doc.text
    assert "- 1 -" not in doc.text and "- 2 -" not in doc.text


def test_ingest_pdf_old_wording_across_page_breaks(tmp_path):
    # Small pages force sentences of 第14–第16 across page breaks.
    path = write_pdf(tmp_path / "old.pdf", annex_lines(build_annex(old=True)), lines_per_page=12)
    report = analyze([path])
    assert {k for k, v in statuses(report).items() if v != "current"} == {"15", "16"}
    assert [(c.expected, c.actual) for c in report.clauses[14].changes] == [("行う", "することができる")]


def test_ingest_pdf_two_columns_reading_order(tmp_path):
    path = write_pdf(tmp_path / "twocol.pdf", annex_lines(), two_columns=True)
    assert statuses(analyze([path])) == ALL_CURRENT


def test_ingest_pdf_embedded_contract(tmp_path):
    path = write_pdf(tmp_path / "contract.pdf", embedded_contract().split("\n"), title_pages=[["業務委託契約書"]])
    report = analyze([path])
    assert statuses(report) == ALL_CURRENT
    assert report.clauses[0].location.article == "第20条"


def test_ingest_pdf_encrypted(tmp_path):
    path = write_pdf(tmp_path / "locked.pdf", annex_lines(), encrypt_password="secret")
    report = analyze([path])
    assert report.status == "error" and report.error.code is ErrorCode.ENCRYPTED
    assert report.clauses == ()


def test_ingest_pdf_scanned_needs_ocr(tmp_path):
    report = analyze([write_image_pdf(tmp_path / "scan.pdf")])
    assert report.error.code is ErrorCode.OCR_REQUIRED
    assert "OCR" in report.error.message


def test_ingest_pdf_truncated_is_corrupt(tmp_path):
    good = write_pdf(tmp_path / "good.pdf", annex_lines())
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(good.read_bytes()[: 600])
    assert analyze([bad]).error.code is ErrorCode.CORRUPT


def test_ingest_scanned_annex_fails_the_whole_contract(tmp_path, write):
    # A readable body with a scanned annex must not come out as "19 clauses missing".
    body = write("01_body.txt", embedded_contract().split("第20条")[0])
    scan = write_image_pdf(tmp_path / "02_annex.pdf")
    report = analyze([body, scan])
    assert report.status == "error" and report.error.code is ErrorCode.OCR_REQUIRED
    assert report.error.file == str(scan)


# ------------------------------------------------------------------ DOCX


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"autonumber_articles": True},
        {"annex_in_table": True},
        {"label_in_own_run": True},
        {"autonumber_articles": True, "annex_in_table": True},
    ],
    ids=["plain", "autonumbered", "annex-in-table", "label-own-run", "autonumbered-in-table"],
)
def test_ingest_docx_annex_all_current(tmp_path, options):
    path = write_docx(tmp_path / "annex.docx", annex_lines(), **options)
    report = analyze([path])
    assert statuses(report) == ALL_CURRENT
    assert report.clauses[9].location.article == "第10"


def test_ingest_docx_autonumbered_labels_are_rendered(tmp_path):
    path = write_docx(tmp_path / "annex.docx", annex_lines(), autonumber_articles=True)
    text = load_document(path, default_settings()).text
    assert "第1 乙は、甲が保有する個人情報" in text
    assert "第19 甲は、乙が保有個人情報取扱特記事項" in text


def test_ingest_docx_body_then_table_in_document_order(tmp_path):
    lines = embedded_contract().split("第20条")[0].split("\n") + annex_lines()
    path = write_docx(tmp_path / "contract.docx", lines, annex_in_table=True)
    text = load_document(path, default_settings()).text
    assert text.index("第19条") < text.index("保有個人情報取扱特記事項\n") < text.index("第1 乙は")
    assert statuses(analyze([path])) == ALL_CURRENT


def test_ingest_docx_garbage_is_corrupt(write):
    assert analyze([write("broken.docx", "this is not a zip")]).error.code is ErrorCode.CORRUPT


# ------------------------------------------------------------------ text and the rest


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "euc_jp", "utf-16"])
def test_ingest_text_encodings(write, encoding):
    text = build_annex().replace("毀損", "き損")  # 毀 is outside EUC-JP's JIS X 0208 set
    report = analyze([write(f"annex-{encoding}.txt", text, encoding)])
    assert statuses(report) == ALL_CURRENT


def test_ingest_text_crlf(write):
    report = analyze([write("crlf.txt", build_annex().replace("\n", "\r\n"))])
    assert statuses(report) == ALL_CURRENT


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("empty.txt", b"", ErrorCode.EMPTY, "0 バイトのファイルです"),
        ("empty.pdf", b"", ErrorCode.EMPTY, "0 バイトのファイルです"),
        ("blank.txt", "　\n \n".encode(), ErrorCode.EMPTY, "文字がありません"),
        ("legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ErrorCode.UNSUPPORTED_FORMAT, "PDF か DOCX に変換"),
        ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100, ErrorCode.UNSUPPORTED_FORMAT, "画像ファイルです"),
        ("sheet.pdf", b"PK\x03\x04" + b"\0" * 100, ErrorCode.CORRUPT, "PDF ではありません"),
        ("binary.txt", b"\x00\x01\x02" * 100, ErrorCode.CORRUPT, "バイナリ"),
    ],
)
def test_ingest_bad_files_get_a_code(tmp_path, name, content, code, words):
    path = tmp_path / name
    path.write_bytes(content)
    report = analyze([path])
    assert report.status == "error"
    assert report.error.code is code
    assert report.error.file == str(path)
    assert words in report.error.message  # says what is wrong with the file
    assert report.clauses == () and report.findings == ()  # no verdict on clauses it could not read


def test_ingest_too_large(write):
    settings = default_settings().with_overrides(max_bytes=100)
    report = analyze([write("big.txt", build_annex())], settings=settings)
    assert report.error.code is ErrorCode.TOO_LARGE


def test_ingest_text_form_feeds_are_pages(write):
    # pdftotext separates pages with \f; a page break may fall mid-sentence.
    text = build_annex().replace("(調査)", "\f(調査)").replace("資料の提出を", "資料の\f提出を")
    report = analyze([write("pdftotext.txt", text)])
    assert statuses(report) == ALL_CURRENT
    assert [report.clauses[i].location.page for i in (0, 14, 15, 16)] == [1, 2, 2, 3]


def test_ingest_pdf_keeps_lines_of_a_single_glyph(tmp_path):
    # PDFium drops a lone glyph of a non-embedded CID font (「注」「記」 lines that end an article);
    # such pages are read again with pdfplumber.
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    path = tmp_path / "notes.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setFont("HeiseiMin-W3", 10.5)
    for i, line in enumerate(["第19 甲は、契約を解除することができる。", "注", "1 甲は委託者を指す。", "記", "以上"]):
        canvas.drawString(60, 780 - 20 * i, line)
    canvas.save()
    doc = load_document(path, default_settings())
    assert doc.text.split("\n") == ["第19 甲は、契約を解除することができる。", "注", "1 甲は委託者を指す。", "記", "以上"]
