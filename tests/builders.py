"""Build realistic contract files (PDF, DOCX) from lines of text for tests.

Input: logical lines of a contract. Output: a file written at ``path`` that
reproduces the layout problems tokki's ingest stage must survive (running
headers, page numbers, mid-sentence line and page breaks, two columns,
encryption, scanned pages, Word automatic numbering, annexes in tables).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from docx.parts.numbering import NumberingPart
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

__all__ = ["write_pdf", "write_image_pdf", "write_docx"]

# --- PDF ---------------------------------------------------------------------

# A built-in CID font: reportlab ships its metrics, so no font file is needed
# and the PDF refers to the reader's Mincho (UniJIS-UCS2-H), as many
# government-issued PDFs do.
FONT_NAME = "HeiseiMin-W3"
FONT_SIZE = 10.5  # the usual body size of Japanese official documents
LEADING = FONT_SIZE * 1.75  # comfortable line pitch; shrunk if lines_per_page is large

PAGE_WIDTH, PAGE_HEIGHT = A4
HEADER_Y = PAGE_HEIGHT - 40  # running header baseline
BODY_TOP = PAGE_HEIGHT - 80  # first body baseline
BODY_BOTTOM = 60  # lowest body baseline: keeps clear of the page number
FOOTER_Y = 30  # page-number baseline
COLUMN_GAP = 24.0  # points between the two columns in two-column mode

# Text render mode 2 (fill, then stroke) with a hairline stroke. Why: the CID
# font is not embedded, and on a machine without a Japanese system font pdfium
# gets empty glyph boxes, so a one-character text object (a wrapped line
# holding only "。", a lone "注") has zero width and pdfium's text page drops
# it (cpdf_textpage.cpp: `if (fabs(GetRect().Width()) < kSizeEpsilon) return;`).
# A stroked object's box grows by half the line width (cpdf_textobject.cpp,
# CalcPositionData), which keeps it; the 0.05pt stroke is invisible in print
# and extraction is the same on machines with and without Japanese fonts.
TEXT_RENDER_MODE = 2
TEXT_STROKE_WIDTH = 0.05


def _register_font() -> None:
    """Register the CID font once per process (registration is global state)."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT_NAME))


def _check_lines(lines: Iterable[str]) -> list[str]:
    """Reject embedded newlines: each item is meant to be one logical paragraph."""
    lines = list(lines)
    for number, line in enumerate(lines, start=1):
        if "\n" in line or "\r" in line:
            raise ValueError(
                f"line {number} contains a newline; pass one paragraph per list item"
            )
    return lines


def _wrap(lines: list[str], width: int) -> list[str]:
    """Hard-wrap every paragraph at ``width`` characters.

    Japanese typesetting breaks between any two characters, so real contract
    PDFs split words and sentences across lines; continuation lines get no
    indent, so the reader cannot tell them from new paragraphs by layout alone.
    """
    if width < 1:
        raise ValueError(f"chars_per_line must leave at least 1 character, got {width}")
    wrapped: list[str] = []
    for line in lines:
        if not line:
            wrapped.append("")  # a blank line stays a blank line
            continue
        wrapped.extend(line[i : i + width] for i in range(0, len(line), width))
    return wrapped


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _leading(lines_per_page: int) -> float:
    """Line pitch that fits ``lines_per_page`` lines between header and footer."""
    if lines_per_page < 1:
        raise ValueError(f"lines_per_page must be at least 1, got {lines_per_page}")
    if lines_per_page == 1:
        return LEADING
    return min(LEADING, (BODY_TOP - BODY_BOTTOM) / (lines_per_page - 1))


def _start_page(canvas: Canvas) -> None:
    """Set the font and stroke state each page draws its text with."""
    canvas.setFont(FONT_NAME, FONT_SIZE)
    canvas.setLineWidth(TEXT_STROKE_WIDTH)


def _draw_column(canvas: Canvas, x: float, lines: list[str], leading: float) -> None:
    y = BODY_TOP
    for text in lines:
        if text:  # a blank line draws nothing: no empty text objects
            canvas.drawString(x, y, text, mode=TEXT_RENDER_MODE)
        y -= leading


def write_pdf(
    path: str | os.PathLike[str],
    lines: list[str],
    *,
    header: str | None = "業務委託契約書",
    page_numbers: bool = True,
    lines_per_page: int = 32,
    chars_per_line: int = 38,
    title_pages: list[list[str]] | None = None,
    two_columns: bool = False,
    encrypt_password: str | None = None,
) -> Path:
    """Write ``lines`` as a text PDF that looks like a printed contract.

    Each item of ``lines`` is one paragraph ("" is a blank line), hard-wrapped
    every ``chars_per_line`` characters and paginated every ``lines_per_page``
    wrapped lines. Body pages get the running ``header`` and a centred
    "- N -" page number (N counts body pages from 1). ``title_pages`` are
    cover pages drawn first, one inner list per page, centred, with neither
    header nor page number. With ``two_columns`` each body page holds two
    columns of ``lines_per_page`` lines (left first) of ``chars_per_line // 2``
    characters. ``encrypt_password`` sets the user password (RC4, the
    reportlab default), without which the file cannot be opened.
    Output is byte-for-byte deterministic for the same arguments.
    """
    path = Path(path)
    lines = _check_lines(lines)
    _register_font()
    leading = _leading(lines_per_page)

    # invariant=1 pins the creation date and document ID, which also makes the
    # RC4 encryption key (derived from the ID) and so the encrypted bytes stable.
    canvas = Canvas(
        str(path),
        pagesize=A4,
        invariant=1,
        encrypt=encrypt_password,
    )

    for page_lines in title_pages or []:
        cover = _wrap(_check_lines(page_lines), chars_per_line)
        _start_page(canvas)
        # Cover text sits around the upper third, as on a typical 表紙.
        y = PAGE_HEIGHT * 2 / 3
        for text in cover:
            if text:
                canvas.drawCentredString(PAGE_WIDTH / 2, y, text, mode=TEXT_RENDER_MODE)
            y -= leading
        canvas.showPage()

    if two_columns:
        column_chars = chars_per_line // 2
        column_width = column_chars * FONT_SIZE  # CJK glyphs are 1 em wide
        left = (PAGE_WIDTH - (2 * column_width + COLUMN_GAP)) / 2
        xs = [left, left + column_width + COLUMN_GAP]
        wrapped = _wrap(lines, column_chars)
        per_page = 2 * lines_per_page
    else:
        body_width = chars_per_line * FONT_SIZE
        xs = [max(36.0, (PAGE_WIDTH - body_width) / 2)]
        wrapped = _wrap(lines, chars_per_line)
        per_page = lines_per_page

    # An empty document still gets one (empty) page so readers can open it.
    pages = list(_chunks(wrapped, per_page)) or [[]]
    for number, page in enumerate(pages, start=1):
        _start_page(canvas)
        if header:
            # Same text on every page: this is what ingest must recognise and drop.
            canvas.drawCentredString(PAGE_WIDTH / 2, HEADER_Y, header, mode=TEXT_RENDER_MODE)
        for x, column in zip(xs, _chunks(page, lines_per_page)):
            _draw_column(canvas, x, column, leading)
        if page_numbers:
            canvas.drawCentredString(
                PAGE_WIDTH / 2, FOOTER_Y, f"- {number} -", mode=TEXT_RENDER_MODE
            )
        canvas.showPage()

    canvas.save()
    return path


def _scan_image(page_number: int, size: tuple[int, int] = (595, 842)) -> Image.Image:
    """A grey page with black bars where text lines would be, like a scan.

    The bar pattern depends only on ``page_number`` so the output is stable.
    """
    image = Image.new("L", size, color=225)
    draw = ImageDraw.Draw(image)
    width, height = size
    # A title bar, then body "lines" of varying length.
    draw.rectangle([width * 0.3, 60, width * 0.7, 78], fill=0)
    y = 120
    row = 0
    while y < height - 80:
        length = 0.55 + 0.3 * (((row * 7 + page_number * 3) % 10) / 10)
        draw.rectangle([70, y, 70 + (width - 140) * length, y + 9], fill=0)
        y += 22
        row += 1
    return image


def write_image_pdf(path: str | os.PathLike[str], *, pages: int = 2) -> Path:
    """Write a "scanned" PDF: every page is one raster image and nothing else.

    There are no text objects at all, so text extraction returns nothing and
    ingest must report that OCR is required.
    """
    if pages < 1:
        raise ValueError(f"pages must be at least 1, got {pages}")
    path = Path(path)
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    for number in range(1, pages + 1):
        canvas.drawImage(
            ImageReader(_scan_image(number)), 0, 0, width=PAGE_WIDTH, height=PAGE_HEIGHT
        )
        canvas.showPage()
    canvas.save()
    return path


# --- DOCX --------------------------------------------------------------------

# "第1条 …", "第１条", and also "第1 …" (条 optional): the label as it prints.
ARTICLE_LABEL = re.compile(r"^(第\s*[0-9０-９]+条?)\s*(.*)$")
# Annex items "第1 乙は…" (no 条): the ones Word documents often auto-number.
ANNEX_ITEM = re.compile(r"^第\s*[0-9０-９]+\s+(.*)$")
ANNEX_TITLE_MAX_CHARS = 30  # the annex title is short; body sentences that
# merely mention 特記事項 are long.


def _numbering_root(document: docx.document.Document):
    """The <w:numbering> element, creating the numbering part if missing.

    python-docx's bundled template already has a numbering part, but
    ``DocumentPart.numbering_part`` raises NotImplementedError (python-docx
    1.2) when asked to create one, so build a minimal part ourselves.
    """
    part = document.part
    try:
        return part.numbering_part.element
    except NotImplementedError:
        element = parse_xml(f"<w:numbering {nsdecls('w')}/>")
        numbering_part = NumberingPart(
            PackURI("/word/numbering.xml"), CT.WML_NUMBERING, element, part.package
        )
        part.relate_to(numbering_part, RT.NUMBERING)
        return numbering_part.element


def _add_annex_numbering(document: docx.document.Document) -> int:
    """Add a one-level "第%1" decimal list definition; return its numId."""
    numbering = _numbering_root(document)
    existing = [int(v) for v in numbering.xpath("./w:abstractNum/@w:abstractNumId")]
    abstract_id = max(existing, default=-1) + 1

    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(abstract_id))
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "singleLevel")
    abstract.append(multi)

    level = OxmlElement("w:lvl")
    level.set(qn("w:ilvl"), "0")
    # Child order follows the schema (CT_Lvl): start, numFmt, suff, lvlText, lvlJc.
    for tag, value in (
        ("w:start", "1"),
        ("w:numFmt", "decimal"),
        ("w:suff", "space"),
        ("w:lvlText", "第%1"),
        ("w:lvlJc", "left"),
    ):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        level.append(child)
    abstract.append(level)

    # The schema wants every w:abstractNum before the first w:num.
    abstracts = numbering.findall(qn("w:abstractNum"))
    if abstracts:
        abstracts[-1].addnext(abstract)
    else:
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.insert(0, abstract)

    # add_num picks the first free numId and inserts in schema order.
    return numbering.add_num(abstract_id).numId


def _fill_paragraph(
    paragraph, line: str, *, annex_num_id: int | None, label_in_own_run: bool
) -> None:
    """Write ``line`` into an empty paragraph, applying the DOCX options."""
    if annex_num_id is not None and (match := ANNEX_ITEM.match(line)):
        # Word shows "第N" from numbering.xml; the text itself has no label,
        # which is exactly what python-docx's paragraph.text hides from us.
        paragraph.add_run(match.group(1))
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = annex_num_id
        return
    if label_in_own_run and (match := ARTICLE_LABEL.match(line)):
        # Typical of Word drafts: the bold label is its own run, so run
        # boundaries do not coincide with the label/heading boundary.
        label, rest = match.groups()
        paragraph.add_run(label).bold = True
        if rest:
            paragraph.add_run("\u3000" + rest)
        return
    if line:
        paragraph.add_run(line)


def _annex_start(lines: list[str]) -> int | None:
    """Index of the annex title: first short line mentioning 特記事項."""
    for index, line in enumerate(lines):
        if "特記事項" in line and len(line) < ANNEX_TITLE_MAX_CHARS:
            return index
    return None


def write_docx(
    path: str | os.PathLike[str],
    lines: list[str],
    *,
    autonumber_articles: bool = False,
    annex_in_table: bool = False,
    label_in_own_run: bool = False,
) -> Path:
    """Write ``lines`` as a Word document, one paragraph per line.

    ``autonumber_articles``: annex items "第1 …" lose their label, which Word
    renders instead from a "第%1" automatic-numbering list (1, 2, 3… in order).
    ``annex_in_table``: from the annex title (first line containing 特記事項
    shorter than 30 characters) to the end, lines go into one 1×1 table cell.
    ``label_in_own_run``: 第N条 labels become a separate bold run, the rest a
    second run starting with a full-width space.
    """
    path = Path(path)
    lines = _check_lines(lines)
    document = docx.Document()
    annex_num_id = _add_annex_numbering(document) if autonumber_articles else None
    options = {"annex_num_id": annex_num_id, "label_in_own_run": label_in_own_run}

    split = _annex_start(lines) if annex_in_table else None
    body, annex = (lines, []) if split is None else (lines[:split], lines[split:])

    for line in body:
        _fill_paragraph(document.add_paragraph(), line, **options)

    if annex:
        table = document.add_table(rows=1, cols=1)
        cell = table.cell(0, 0)
        # A new cell already holds one empty paragraph (a cell must have one);
        # use it for the first line instead of leaving a blank line.
        _fill_paragraph(cell.paragraphs[0], annex[0], **options)
        for line in annex[1:]:
            _fill_paragraph(cell.add_paragraph(), line, **options)

    document.save(str(path))
    return path
