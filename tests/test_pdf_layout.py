"""PDF layouts: reading order and page furniture (issue 15 item 2).

Each test draws a PDF with reportlab (helpers below) and checks the exact lines the
reader returns: margin line numbers, diagonal watermarks, sideways pages, two columns,
ruled tables, stamp-only scanned pages; then unit tests of layout.py on hand-made
character records.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import FONT_NAME, TEXT_RENDER_MODE, TEXT_STROKE_WIDTH, _register_font, _scan_image
from contracts import build_annex, split_annex
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from analyzer import analyze
from analyzer.errors import ErrorCode, OcrRequired
from analyzer.ingest import load_document
from analyzer.ingest.layout import Char, Table, analyse_page, read_document
from analyzer.settings import default_settings

SIZE = 10.5  # body text, as builders.FONT_SIZE
PITCH = 18.0  # line pitch of the drawings
MARGIN = 70.0  # page margin of the drawings
ALL_CURRENT = {str(n): "current" for n in range(1, 20)}


# ------------------------------------------------------------------ drawing helpers


def clean(line: str) -> str:
    """A line of the seed annex without the converter's 「- 」 and ** artifacts."""
    line = line.replace("**", "").strip()
    return line[2:] if line.startswith("- ") else line


def annex_paragraphs() -> list[str]:
    return [ln for ln in (clean(x) for x in build_annex().split("\n")) if ln]


def wrap(text: str, width: float, size: float = SIZE) -> list[str]:
    """Greedy wrap by printed width (as a word processor does; ASCII is half width)."""
    _register_font()
    lines, cur = [], ""
    for ch in text:
        if cur and stringWidth(cur + ch, FONT_NAME, size) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    lines = lines + [cur] if cur else lines
    return [v.strip() for v in lines if v.strip()]  # spaces at a line's ends are not text


def new_canvas(path: Path, pagesize=A4) -> Canvas:
    _register_font()
    return Canvas(str(path), pagesize=pagesize, invariant=1)


def text(canvas: Canvas, x: float, y: float, s: str, size: float = SIZE) -> None:
    canvas.setFont(FONT_NAME, size)
    canvas.setLineWidth(TEXT_STROKE_WIDTH)
    canvas.drawString(x, y, s, mode=TEXT_RENDER_MODE)


def body_lines(width: float) -> list[str]:
    """The annex wrapped to ``width`` points, one visual line per item."""
    return [v for p in annex_paragraphs() for v in wrap(p, width)]


def paginate(lines: list[str], height: float) -> list[list[str]]:
    per_page = int((height - 2 * MARGIN) // PITCH)
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)]


def read_lines(path: Path) -> list[str]:
    return load_document(path, default_settings()).text.split("\n")


def statuses(path: Path) -> dict[str, str]:
    return {c.clause_id: c.status.value for c in analyze([path]).clauses}


# ------------------------------------------------------------------ b. margin line numbers


@pytest.mark.parametrize("every, size", [(1, 8.0), (5, SIZE)], ids=["every-line-small", "every-5th-body-size"])
def test_margin_line_numbers_are_dropped(tmp_path, every, size):
    width, height = A4
    pages = paginate(body_lines(width - 2 * MARGIN), height)
    canvas = new_canvas(tmp_path / "numbered.pdf")
    for number, page in enumerate(pages, start=1):
        y = height - MARGIN
        for k, line in enumerate(page, start=1):
            text(canvas, MARGIN, y, line)
            if k % every == 0:
                text(canvas, MARGIN - 30, y, str(k), size)  # numbered draft: restarts on every page
            y -= PITCH
        text(canvas, width / 2 - 10, 30, f"- {number} -")
        canvas.showPage()
    canvas.save()
    assert read_lines(tmp_path / "numbered.pdf") == [ln for page in pages for ln in page]
    assert statuses(tmp_path / "numbered.pdf") == ALL_CURRENT


# ------------------------------------------------------------------ b. watermark


@pytest.mark.parametrize("angle, mark", [(45, "複製禁止"), (30, "写")])
def test_diagonal_watermark_is_dropped(tmp_path, angle, mark):
    width, height = A4
    page = body_lines(width - 2 * MARGIN)[:30]
    canvas = new_canvas(tmp_path / "watermark.pdf")
    canvas.saveState()  # drawn first, under the text, large and light, as a stamp tool does
    canvas.setFillGray(0.85)
    canvas.translate(width / 2 - 150, height / 2 - 150)
    canvas.rotate(angle)
    text(canvas, 0, 0, mark, 72)
    canvas.restoreState()
    y = height - MARGIN
    for line in page:
        text(canvas, MARGIN, y, line)
        y -= PITCH
    canvas.save()
    assert read_lines(tmp_path / "watermark.pdf") == page


# ------------------------------------------------------------------ c. sideways pages


def draw_turned(canvas: Canvas, mediabox: tuple[float, float], angle: int, lines: list[str], number: int) -> None:
    """One page whose text runs at ``angle`` in user space: lines laid out in the upright frame."""
    w, h = mediabox
    canvas.saveState()
    if angle == 90:
        canvas.translate(w, 0)
        frame = (h, w)
    elif angle == 180:
        canvas.translate(w, h)
        frame = (w, h)
    elif angle == 270:
        canvas.translate(0, h)
        frame = (h, w)
    else:
        frame = (w, h)
    canvas.rotate(angle)
    fw, fh = frame
    y = fh - MARGIN
    for line in lines:
        text(canvas, MARGIN, y, line)
        y -= PITCH
    text(canvas, fw / 2 - 10, 30, f"- {number} -")
    canvas.restoreState()


@pytest.mark.parametrize(
    "rotate, angle, pagesize",
    [(90, 90, A4), (270, 270, A4), (180, 180, A4), (0, 90, landscape(A4))],
    ids=["rotate-90", "rotate-270", "rotate-180", "landscape-drawn-sideways"],
)
def test_sideways_pages_read_in_reading_order(tmp_path, rotate, angle, pagesize):
    # reportlab takes the page size as displayed: with /Rotate 90 or 270 the MediaBox is its transpose.
    user = (pagesize[1], pagesize[0]) if rotate in (90, 270) else pagesize
    frame_w, frame_h = (user[1], user[0]) if angle in (90, 270) else user
    pages = paginate(body_lines(frame_w - 2 * MARGIN), frame_h)
    canvas = new_canvas(tmp_path / "turned.pdf", pagesize)
    for number, page in enumerate(pages, start=1):
        canvas.setPageRotation(rotate)
        draw_turned(canvas, user, angle, page, number)
        canvas.showPage()
    canvas.save()
    assert read_lines(tmp_path / "turned.pdf") == [ln for page in pages for ln in page]
    if rotate == 90:
        assert statuses(tmp_path / "turned.pdf") == ALL_CURRENT


# ------------------------------------------------------------------ d. two columns


@pytest.mark.parametrize("pagesize", [A4, landscape(A4)], ids=["a4", "a4-landscape"])
def test_two_columns_left_then_right(tmp_path, pagesize):
    width, height = pagesize
    gutter = 24.0
    column = (width - 2 * MARGIN - gutter) / 2
    lines = body_lines(column - SIZE)  # ragged right edge: a character short of the column
    per_page = int((height - 2 * MARGIN - 2 * PITCH) // PITCH)
    canvas = new_canvas(tmp_path / "twocol.pdf", pagesize)
    expected = []
    chunk = 2 * per_page
    for number, start in enumerate(range(0, len(lines), chunk), start=1):
        if number == 1:  # a title spanning both columns (on every page it would be a running header)
            title = "保有個人情報取扱特記事項　令和5年10月10日改正　福岡県"
            text(canvas, MARGIN, height - MARGIN, title)
            expected.append(title)
        part = lines[start : start + chunk]
        for x, col in ((MARGIN, part[:per_page]), (MARGIN + column + gutter, part[per_page:])):
            y = height - MARGIN - 2 * PITCH
            for line in col:
                text(canvas, x, y, line)
                y -= PITCH
            expected += col
        canvas.showPage()
    canvas.save()
    assert read_lines(tmp_path / "twocol.pdf") == expected


@pytest.mark.parametrize("indent", [0.0, 2 * SIZE], ids=["ragged", "hanging-indent"])
def test_one_column_ragged_or_indented_is_not_split(tmp_path, indent):
    width, height = A4
    # Short and long lines, continuation lines indented: no gutter runs down the page.
    lines = []
    for p in annex_paragraphs()[:12]:
        wrapped = wrap(p, (width - 2 * MARGIN) * (0.5 if len(lines) % 3 else 1.0))
        lines += [(0.0 if k == 0 else indent, v) for k, v in enumerate(wrapped)]
    lines = lines[:36]
    canvas = new_canvas(tmp_path / "ragged.pdf")
    y = height - MARGIN
    for dx, line in lines:
        text(canvas, MARGIN + dx, y, line)
        y -= PITCH
    canvas.save()
    assert read_lines(tmp_path / "ragged.pdf") == [v for _, v in lines]


# ------------------------------------------------------------------ e. ruled tables


def annex_rows() -> tuple[list[str], list[tuple[str, str, list[str]]], list[str]]:
    """(title lines, (label, heading, paragraphs) per clause, note lines) of the seed annex."""
    head, clauses, tail = split_annex(build_annex())
    rows = []
    for num, lines in clauses.items():
        lines = [clean(x) for x in lines if x.strip()]
        heading = lines[0].replace("(", "（").replace(")", "）")
        first = re.sub(rf"^第{num}\s*", "", lines[1])
        rows.append((f"第{num}", heading, [first] + lines[2:]))
    return [clean(x) for x in head if x.strip()], rows, [clean(x) for x in tail if x.strip()]


def draw_table_document(path: Path, columns: int, repeat: int = 1) -> list[str]:
    """The annex as a ruled table (label | heading | text, or label and heading | text), the
    title above it and the notes below it; returns the lines the reader should give.
    ``repeat``: the clause rows that many times (a longer document for the benchmark)."""
    width, height = A4
    pad = 4.0
    widths = [40.0, 110.0] if columns == 3 else [110.0]
    widths.append(width - 2 * MARGIN - sum(widths))
    title, rows, notes = annex_rows()
    rows = rows * repeat
    canvas = new_canvas(path)
    expected: list[str] = []
    y = height - MARGIN
    for line in title:
        text(canvas, MARGIN, y, line)
        expected.append(line)
        y -= PITCH
    top = y + SIZE  # top rule of the table on this page
    rules_y = [top]
    for label, heading, paragraphs in rows:
        texts = [[label], [heading]] if columns == 3 else [[label, heading]]
        texts.append(paragraphs)
        cells = [[v for p in cell for v in wrap(p, w - 2 * pad)] for w, cell in zip(widths, texts)]
        row_height = max(len(c) for c in cells) * PITCH + pad
        if rules_y[-1] - row_height < MARGIN:  # the row goes to the next page
            _grid(canvas, widths, rules_y)
            canvas.showPage()
            rules_y = [height - MARGIN]
        row_top = rules_y[-1]
        x = MARGIN
        for w, cell in zip(widths, cells):
            yy = row_top - pad - SIZE
            for line in cell:
                text(canvas, x + pad, yy, line)
                yy -= PITCH
            x += w
        rules_y.append(row_top - row_height)
        expected += [label, heading] + paragraphs
    _grid(canvas, widths, rules_y)
    y = rules_y[-1] - 2 * PITCH
    for line in notes:
        for v in wrap(line, width - 2 * MARGIN):
            if y < MARGIN:
                canvas.showPage()
                y = height - MARGIN
            text(canvas, MARGIN, y, v)
            expected.append(v)
            y -= PITCH
    canvas.save()
    return expected


def _grid(canvas: Canvas, widths: list[float], rules_y: list[float]) -> None:
    xs = [MARGIN]
    for w in widths:
        xs.append(xs[-1] + w)
    canvas.setLineWidth(0.5)
    canvas.grid(xs, rules_y)


@pytest.mark.parametrize("columns", [3, 2])
def test_ruled_table_cells_read_row_by_row(tmp_path, columns):
    expected = draw_table_document(tmp_path / "table.pdf", columns)
    lines = read_lines(tmp_path / "table.pdf")
    assert lines == expected
    assert "第4" in lines and lines[lines.index("第4") + 1] == "（秘密の保持）"


def test_ruled_table_annex_is_all_current(tmp_path):
    draw_table_document(tmp_path / "table.pdf", 3)
    assert statuses(tmp_path / "table.pdf") == ALL_CURRENT


# ------------------------------------------------------------------ f. stamp-only scanned pages


def draw_scan(canvas: Canvas, number: int, stamp: str) -> None:
    width, height = A4
    canvas.drawImage(ImageReader(_scan_image(number)), 0, 0, width=width, height=height)
    if stamp:
        text(canvas, width - 80, height - 60, stamp, 24)
    canvas.showPage()


@pytest.mark.parametrize("stamp", ["写", "複製", "- 2 -"])
def test_stamp_only_scan_is_ocr_required(tmp_path, stamp):
    canvas = new_canvas(tmp_path / "scan.pdf")
    draw_scan(canvas, 1, stamp)
    draw_scan(canvas, 2, stamp)
    canvas.save()
    with pytest.raises(OcrRequired):
        load_document(tmp_path / "scan.pdf", default_settings())
    assert analyze([tmp_path / "scan.pdf"]).error.code is ErrorCode.OCR_REQUIRED


@pytest.mark.parametrize("stamp", ["写", "- 2 -"])
def test_stamp_page_after_text_pages_is_noted(tmp_path, stamp):
    width, height = A4
    lines = body_lines(width - 2 * MARGIN)[:20]
    canvas = new_canvas(tmp_path / "mixed.pdf")
    y = height - MARGIN
    for line in lines:
        text(canvas, MARGIN, y, line)
        y -= PITCH
    canvas.showPage()
    draw_scan(canvas, 2, stamp)
    canvas.save()
    doc = load_document(tmp_path / "mixed.pdf", default_settings())
    assert doc.text.split("\n")[: len(lines)] == lines and stamp not in doc.text
    assert any(n.startswith("page 2:") and "image-only" in n for n in doc.notes)


# ------------------------------------------------------------------ layout.py on hand-made characters


def row_chars(x: float, y: float, s: str, size: float = 10.0, angle: float = 0.0) -> list[Char]:
    """Characters of ``s`` drawn from (x, y) one em apart (spaces half an em), upright."""
    out = []
    for ch in s:
        w = size / 2 if ch == " " else size
        out.append(Char(ch, x, y, x + w, y + size, size, angle))
        x += w
    return out


PAGE = (0.0, 0.0, 600.0, 800.0)


def lines_of(chars: list[Char], tables=()) -> list[str]:
    return read_document([analyse_page(chars, PAGE, tables)])[0]


def test_layout_rows_top_to_bottom_and_stream_spaces_kept():
    chars = row_chars(50, 600, "第 1 5 乙は") + [Char("\n", 0, 0, 0, 0)] + row_chars(50, 700, "（秘密の保持）")
    assert lines_of(chars) == ["（秘密の保持）", "第 1 5 乙は"]


def test_layout_no_space_invented_between_stream_strangers():
    # Two text objects drawn right to left in the stream: side by side, no space between them.
    chars = row_chars(110, 600, "乙は") + row_chars(50, 600, "第1")
    assert lines_of(chars) == ["第1乙は"]


def test_layout_watermark_and_margin_numbers_dropped():
    chars = []
    for k in range(6):
        chars += row_chars(30, 700 - 20 * k, str(k + 1), size=7.0)
        chars += row_chars(60, 700 - 20 * k, f"本文の行その{k}です")
    chars += row_chars(200, 400, "複製", size=60, angle=45)
    assert lines_of(chars) == [f"本文の行その{k}です" for k in range(6)]


@pytest.mark.parametrize("angle", [90, 270])
def test_layout_turned_page(angle):
    upright = row_chars(50, 700, "一行目") + row_chars(50, 680, "二行目")
    # Turn each box about the page so that the text runs at ``angle`` in user space.
    w, h = PAGE[2], PAGE[3]
    turned = []
    for c in upright:
        if angle == 90:  # (x, y) → (w - y, x)
            turned.append(Char(c.text, w - c.y1, c.x0, w - c.y0, c.x1, c.size, 90))
        else:  # (x, y) → (y, h - x)
            turned.append(Char(c.text, c.y0, h - c.x1, c.y1, h - c.x0, c.size, 270))
    assert lines_of(turned) == ["一行目", "二行目"]


def test_layout_two_columns_and_spanning_title():
    chars = row_chars(50, 750, "表題は二段にまたがる長い行である表題は二段にまたがる長い行")
    for k in range(5):
        chars += row_chars(50, 700 - 20 * k, f"左の段{k}行目です")
        chars += row_chars(320, 700 - 20 * k, f"右の段{k}行目です")
    assert lines_of(chars) == (
        ["表題は二段にまたがる長い行である表題は二段にまたがる長い行"]
        + [f"左の段{k}行目です" for k in range(5)]
        + [f"右の段{k}行目です" for k in range(5)]
    )


def test_layout_table_cells_joined_and_in_place():
    # | 第1 | 乙は、…（wrapped）… | with a title above and a note below.
    chars = row_chars(50, 760, "表題")
    chars += row_chars(55, 700, "第1")
    chars += row_chars(105, 700, "乙は、この契約による事務") + row_chars(105, 680, "を処理する。")
    chars += row_chars(105, 660, "2 乙は、同様とする。")
    chars += row_chars(50, 600, "注")
    table = Table((((50.0, 640.0, 100.0, 715.0), (100.0, 640.0, 230.0, 715.0)),))
    assert lines_of(chars, [table]) == ["表題", "第1", "乙は、この契約による事務を処理する。", "2 乙は、同様とする。", "注"]


def test_layout_running_header_and_page_number_across_pages():
    pages = []
    for n in range(1, 4):
        chars = row_chars(250, 770, "業務委託契約書") + row_chars(50, 650, f"本文{n}")
        chars += row_chars(290, 20, f"- {n} -")
        pages.append(analyse_page(chars, PAGE))
    assert read_document(pages) == [["本文1"], ["本文2"], ["本文3"]]
