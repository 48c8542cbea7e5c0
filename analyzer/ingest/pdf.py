"""PDF reader: text per page in human reading order, page furniture dropped by size and position.

Characters come from pypdfium2 (a pdfplumber dependency) with their boxes and
angles; layout.py turns them into lines (sideways pages turned, watermarks, margin
line numbers, running headers/footers and page numbers dropped, two columns read
one after the other). On generated Japanese contracts pdfium is character-exact,
where pdfminer's extraction (pdfplumber) rewrote ～→〜 and －→− and took ~31 ms/page,
so pdfplumber is used only where pdfium falls short: its table finder on pages that
have ruling lines, and its characters on pages where pdfium skips text objects with
a zero-width box (non-embedded CJK fonts drawn one character per object on machines
without Japanese fonts).
"""
from __future__ import annotations

import ctypes
import math
from dataclasses import replace
from pathlib import Path

from ..errors import CorruptDocument, DocumentTimeout, EmptyDocument, EncryptedDocument, OcrRequired
from ..files import file_digest
from ..model import Document, Page
from .pdfium import PDFIUM_LOCK
from .layout import PAGE_NUMBER, Char, PageLayout, Table, analyse_page, read_document

__all__ = ["PAGE_NUMBER", "read_pdf"]

_FPDF_ERR_PASSWORD = 4

# Ruling lines that make a page worth pdfplumber's table finder: path objects at least this
# long (points; two 10.5 pt characters, the narrowest table column) ...
MIN_RULE_LENGTH = 20.0
# ... and at most this thick (Word's and reportlab's borders are 0.25–1.5 pt; 3 pt leaves room
# for borders drawn as thin filled rectangles).
MAX_RULE_THICKNESS = 3.0
# A table needs at least two horizontal and two vertical rules (a rectangle counts as both).
MIN_RULES = 2
# A page whose only text is this many characters or fewer (page numbers aside) and that has an
# image is a scanned page with a stamp (「写」, 「複製」) on it, not a text page.
STAMP_MAX_CHARS = 2
# Page objects are looked for this deep in form XObjects (pypdfium2's max_depth; scanners put the
# page image one level down).
OBJECT_DEPTH = 2


def _drops_lone_glyphs(page, pdfium_c) -> bool:
    """PDFium leaves out of its text a text object holding one glyph of a non-embedded CID font on a
    line of its own (a 「注」 or 「記」 line; seen with reportlab's HeiseiMin): such an object has
    empty bounds. True when the page has one."""
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=1):
        left, bottom, right, top = obj.get_bounds()
        if right == left and top == bottom:
            return True
    return False


def _has_rulings(page, pdfium_c) -> bool:
    """True when the page's path objects hold horizontal and vertical rules (a ruled table)."""
    horizontal = vertical = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=OBJECT_DEPTH):
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if width >= MIN_RULE_LENGTH and height <= MAX_RULE_THICKNESS:
            horizontal += 1
        elif height >= MIN_RULE_LENGTH and width <= MAX_RULE_THICKNESS:
            vertical += 1
        elif width >= MIN_RULE_LENGTH and height >= MIN_RULE_LENGTH:  # a rectangle or a whole grid
            horizontal += MIN_RULES
            vertical += MIN_RULES
        if horizontal >= MIN_RULES and vertical >= MIN_RULES:
            return True
    return False


def _pdfium_chars(textpage, pdfium_c) -> list[Char]:
    """The text page's characters in stream order, with loose boxes (the glyph's advance and the
    font's ascent to descent), effective em size (font size × text matrix scale: ``Tf`` alone is 1
    in PDFs that scale with ``Tm``) and angle (of the matrix's x axis, counterclockwise)."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    text = textpage.get_text_range() if count > 0 else ""
    if len(text) != count:  # pdfium's text and char list disagree (rare): ask char by char
        text = "".join(chr(c) if 0 < c < 0xD800 or 0xDFFF < c <= 0x10FFFF else "\x00" for c in
                       (pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(count)))
    box_of, size_of, matrix_of = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetFontSize, pdfium_c.FPDFText_GetMatrix
    rect, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    rect_ref, matrix_ref = ctypes.byref(rect), ctypes.byref(matrix)
    # Float views of the two structs: one slice reads all fields (FS_RECTF: left, top, right, bottom;
    # FS_MATRIX: a, b, c, d, e, f).
    rect_view = (ctypes.c_float * 4).from_buffer(rect)
    matrix_view = (ctypes.c_float * 6).from_buffer(matrix)
    newline = Char("\n", 0.0, 0.0, 0.0, 0.0)
    chars: list[Char] = []
    last_matrix: list[float] | None = None
    scale = angle = 0.0
    for i, ch in enumerate(text):
        if ch == "\x00":
            continue
        if ch == "\r" or ch == "\n":
            chars.append(newline)
            continue
        if not box_of(raw, i, rect_ref):
            continue
        left, top, right, bottom = rect_view[:]
        if matrix_of(raw, i, matrix_ref):
            m = matrix_view[:4]
            if m != last_matrix:
                a, b, c, d = last_matrix = m
                scale = math.sqrt(abs(a * d - b * c))
                angle = math.degrees(math.atan2(b, a)) % 360
        else:
            scale = angle = 0.0
            last_matrix = None
        chars.append(Char(ch, left, bottom, right, top, size_of(raw, i) * scale, angle))
    return chars


class _Plumber:
    """pdfplumber opened once, on first need."""

    def __init__(self, path: Path, password: str | None):
        self.path, self.password, self.pdf = path, password, None

    def page(self, index: int):
        if self.pdf is None:
            import pdfplumber

            self.pdf = pdfplumber.open(str(self.path), password=self.password or "")
        return self.pdf.pages[index]

    def close(self) -> None:
        if self.pdf is not None:
            try:
                self.pdf.close()  # walks every page: a damaged page box raises here too
            except Exception:  # noqa: BLE001 — nothing is lost by a failed close of a read-only file
                pass


def _plumber_chars(plumber_page, box) -> list[Char]:
    """pdfplumber's characters of a page (it keeps the glyphs pdfium drops) in PDF user space."""
    left, _, _, top = box
    chars = []
    for c in plumber_page.chars:
        a, b = c["matrix"][0], c["matrix"][1]
        angle = math.degrees(math.atan2(b, a)) % 360
        chars.append(
            Char(c["text"], c["x0"] + left, top - c["bottom"], c["x1"] + left, top - c["top"], float(c["size"]), angle)
        )
    return chars


def _plumber_tables(plumber: _Plumber, index: int, box) -> list[Table]:
    """Cell boxes of the page's ruled tables (pdfplumber), in PDF user space; none if it fails."""
    left, _, _, top = box
    try:
        found = plumber.page(index).find_tables()
        tables = []
        for table in found:
            rows = []
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    if cell is None:
                        cells.append(None)
                        continue
                    x0, t, x1, b = (float(v) for v in cell)
                    cells.append((x0 + left, top - b, x1 + left, top - t))
                rows.append(tuple(cells))
            tables.append(Table(tuple(rows)))
        return tables
    except Exception:  # noqa: BLE001 — a malformed drawing must not cost the page its text
        return []


def _text_chars(lines: list[str]) -> int:
    """Characters of a page's text, page-number lines left out."""
    return sum(len("".join(ln.split())) for ln in lines if not PAGE_NUMBER.match(ln.strip() or "x"))


def read_pdf(path: Path, name: str, password: str | None = None, ocr=None, on_page=None) -> Document:
    """Text of every page. Pages with images and no text are noted, or read by OCR when ``ocr``
    (the IngestOptions, with its engine, language, jobs and cache) is given.

    A PDF with no text at all raises OcrRequired (EmptyDocument when it has no images either),
    so a scanned annex never reads as "every clause missing".
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _FPDF_ERR_PASSWORD:
            if password:
                raise EncryptedDocument(
                    name, "パスワードが違います / wrong password for the protected PDF (--password)"
                ) from exc
            raise EncryptedDocument(
                name, "パスワードで保護された PDF です（--password で開けます） / the PDF is password-protected: give --password"
            ) from exc
        raise CorruptDocument(name, f"PDF を開けません（破損または形式違い） / cannot open the PDF: {exc}") from exc
    unavailable = None
    if ocr is not None:
        from .ocr import ocr_unavailable

        unavailable = ocr_unavailable(ocr.ocr_engine, ocr.ocr_lang)
    ocr_results: dict = {}  # 0-based page → ocr.OcrResult
    plumber = _Plumber(path, password)
    try:
        layouts: list[PageLayout] = []
        has_image: list[bool] = []
        for i in range(len(pdf)):
            try:
                with PDFIUM_LOCK:  # every pdfium call, and the closing of what it opened, under the lock
                    page = pdf[i]
                    textpage = page.get_textpage()
                    chars = _pdfium_chars(textpage, pdfium_c)
                    box = page.get_mediabox()
                    has_image.append(
                        any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=OBJECT_DEPTH))
                    )
                    drops = _drops_lone_glyphs(page, pdfium_c)
                    # pdfplumber's coordinates are those of the turned page: tables only on unturned pages.
                    ruled = page.get_rotation() == 0 and _has_rulings(page, pdfium_c)
                    textpage.close()
                    page.close()
            except pdfium.PdfiumError as exc:
                raise CorruptDocument(name, f"{i + 1} ページを読めません / cannot read page {i + 1}: {exc}") from exc
            tables: list[Table] = []
            if drops:
                try:
                    chars = _plumber_chars(plumber.page(i), box)
                except Exception:  # noqa: BLE001 — pdfium's characters, short of the lone glyphs, are still the text
                    pass
            if ruled:
                tables = _plumber_tables(plumber, i, box)
            layouts.append(analyse_page(chars, box, tables))
        raw_pages = read_document(layouts)

        # A page holding an image and no text but a stamp (「写」) or a page number is a scan.
        scanned = [i for i, lines in enumerate(raw_pages) if has_image[i] and _text_chars(lines) <= STAMP_MAX_CHARS]
        for i in scanned:
            raw_pages[i] = []
        if scanned and ocr is not None and unavailable is None:
            ocr_results = _ocr(pdf, scanned, path, name, ocr, on_page)
            ocr_results = _without_running_heads(ocr_results)
            for i, result in ocr_results.items():
                raw_pages[i] = [ln.text for ln in result.lines]
        image_pages = [i + 1 for i in scanned if i not in ocr_results]
    finally:
        plumber.close()
        with PDFIUM_LOCK:
            pdf.close()

    if not any(ln.strip() for lines in raw_pages for ln in lines):
        if image_pages:
            how = (
                f"--ocr で読めません: {unavailable} / --ocr cannot run" if unavailable
                else "--ocr を付けると OCR で読みます / run with --ocr to read it by OCR"
            )
            raise OcrRequired(
                name, f"文字情報のない画像だけの PDF（スキャン）です。OCR が必要です / scanned PDF without text: OCR required. {how}"
            )
        if ocr_results:
            raise EmptyDocument(
                name, f"OCR でも読める文字がありません（{len(ocr_results)} ページ、白紙または判読不能） / "
                "no legible text, OCR included (blank or illegible pages)"
            )
        raise EmptyDocument(name, "PDF に文字がありません / the PDF contains no text")

    text_parts: list[str] = []
    pages: list[Page] = []
    offset = 0
    for number, lines in enumerate(raw_pages, start=1):
        chunk = "\n".join(lines)
        result = ocr_results.get(number - 1)
        if result is None:
            pages.append(Page(number, offset, offset + len(chunk)))
        else:
            pages.append(Page(number, offset, offset + len(chunk), round(result.confidence, 3), _doubts(result, offset)))
        text_parts.append(chunk)
        offset += len(chunk) + 1
    notes = [f"page {p}: 画像のみのページ（未読） / image-only page not read" for p in image_pages]
    if image_pages and unavailable:
        notes.append(f"OCR を実行できません / OCR unavailable: {unavailable}")
    notes += [_ocr_page_note(i + 1, r) for i, r in sorted(ocr_results.items())]
    return Document(name, "pdf", "\n".join(text_parts), tuple(pages), tuple(notes))


def _ocr(pdf, pages: list[int], path: Path, name: str, options, on_page=None) -> dict:
    """OCR of the scanned ``pages``, through the cache when the options give one."""
    from .ocr import read_pdf_pages
    from .ocr.cache import OcrCache

    cache = OcrCache(options.ocr_cache) if options.ocr_cache else None
    digest = file_digest(path) if cache is not None else None
    try:
        return read_pdf_pages(
            pdf, pages, options.ocr_engine, options.ocr_lang, options.ocr_jobs, cache, digest, on_page
        )
    except RuntimeError as exc:  # Tesseract's timeout
        raise DocumentTimeout(name, f"OCR が時間制限を超えました / OCR timed out: {exc}") from exc


# A line among the first lines of an OCR'd page that was among the first lines of an earlier
# page is a running head (the annex title, a table's header row repeated on every page), as the
# digital reader drops by recurrence (layout.py): kept where it first appears.
RUNNING_HEAD_LINES = 6


def _without_running_heads(results: dict) -> dict:
    seen: set[str] = set()
    out = {}
    for i in sorted(results):
        result = results[i]
        head = ["".join(ln.text.split()) for ln in result.lines[:RUNNING_HEAD_LINES]]
        keep = [ln for k, ln in enumerate(result.lines) if k >= RUNNING_HEAD_LINES or head[k] not in seen]
        seen.update(head)
        out[i] = replace(result, lines=tuple(keep))
    return out


def _doubts(result, offset: int) -> tuple[tuple[int, float, str], ...]:
    """(document offset, confidence, the engine's other guesses) of the characters OCR read with some doubt."""
    from .ocr import DOUBT_BELOW

    out: list[tuple[int, float, str]] = []
    pos = offset
    for line in result.lines:
        alts = line.alternatives if len(line.alternatives) == len(line.text) else ("",) * len(line.text)
        for k, (conf, alt) in enumerate(zip(line.confidences, alts)):
            if conf < DOUBT_BELOW:
                out.append((pos + k, round(conf, 3), alt))
        pos += len(line.text) + 1
    return tuple(out)


def _ocr_page_note(number: int, result) -> str:
    turned = f"、{result.rotation}° 回転" if result.rotation else ""
    turned_en = f", turned {result.rotation}°" if result.rotation else ""
    return (
        f"page {number}: OCR（{result.engine}）で読み取り（信頼度 {result.confidence:.0%}{turned}）"
        f" / read by OCR ({result.engine}, confidence {result.confidence:.2f}{turned_en})"
    )
