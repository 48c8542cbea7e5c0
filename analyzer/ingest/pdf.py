"""PDF reader: text per page in reading order, running headers/footers and page numbers dropped.

Text comes from pypdfium2 (a pdfplumber dependency): on generated Japanese
contracts it was character-exact at ~2 ms/page, where pdfminer's extraction
(pdfplumber) rewrote ～→〜 and －→− and took ~31 ms/page. Known limit: pdfium
skips text objects with a zero-width box, which happens with non-embedded
CJK fonts drawn one character per object on machines without Japanese fonts.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..errors import CorruptDocument, DocumentTimeout, EmptyDocument, EncryptedDocument, OcrRequired
from ..model import Document, Page

# Lines of a page's top and bottom looked at for running headers and footers.
EDGE_LINES = 2
# Share of pages a line must recur on (at the same edge) to be a header/footer.
HEADER_FOOTER_SHARE = 0.5
# A line that is only a page number: 「3」「- 3 -」「3 / 10」「p. 3」.
PAGE_NUMBER = re.compile(r"^[-－―—‐–\s]*(?:[0-9０-９]+(?:\s*[/／]\s*[0-9０-９]+)?|[pP]\.?\s*\d+)[-－―—‐–\s]*$")
_FPDF_ERR_PASSWORD = 4


def _edge_key(line: str) -> str:
    return re.sub(r"[0-9０-９]+", "#", re.sub(r"\s", "", line))


def strip_running_lines(pages: list[list[str]], share: float = HEADER_FOOTER_SHARE) -> list[list[str]]:
    """Drop page numbers and lines that recur at the top or bottom of many pages."""
    counts: Counter[tuple[str, str]] = Counter()
    for lines in pages:
        content = [ln for ln in lines if ln.strip()]
        keys = {("top", _edge_key(ln)) for ln in content[:EDGE_LINES]}
        keys |= {("bottom", _edge_key(ln)) for ln in content[-EDGE_LINES:]}
        counts.update(keys)
    needed = max(2, share * len(pages))
    running = {k for k, n in counts.items() if n >= needed and k[1]}
    out = []
    for lines in pages:
        content_idx = [i for i, ln in enumerate(lines) if ln.strip()]
        top, bottom = set(content_idx[:EDGE_LINES]), set(content_idx[-EDGE_LINES:])
        kept = []
        for i, ln in enumerate(lines):
            edge = ("top" if i in top else None, "bottom" if i in bottom else None)
            if any(e and (e, _edge_key(ln)) in running for e in edge):
                continue
            if (i in top or i in bottom) and PAGE_NUMBER.match(ln.strip() or "x"):
                continue
            kept.append(ln)
        out.append(kept)
    return out


def _drops_lone_glyphs(page, pdfium_c) -> bool:
    """PDFium leaves out of its text a text object holding one glyph of a non-embedded CID font on a
    line of its own (a 「注」 or 「記」 line; seen with reportlab's HeiseiMin): such an object has
    empty bounds. True when the page has one."""
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=1):
        left, bottom, right, top = obj.get_bounds()
        if right == left and top == bottom:
            return True
    return False


def _reread_with_pdfplumber(path: Path, password: str | None, pages: list[int], raw_pages: list[list[str]]) -> None:
    """Replace the text of ``pages`` (0-based) by pdfplumber's, which keeps lone glyphs (about 15× slower)."""
    import pdfplumber

    with pdfplumber.open(str(path), password=password or "") as pdf:
        for i in pages:
            raw_pages[i] = (pdf.pages[i].extract_text() or "").split("\n")


def read_pdf(path: Path, name: str, password: str | None = None, ocr: bool = False, ocr_lang: str = "jpn") -> Document:
    """Text of every page. Pages with images and no text are noted, or read by OCR with ``ocr``.

    A PDF with no text at all raises OcrRequired (EmptyDocument when it has no images either),
    so a scanned annex never reads as "every clause missing".
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
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
    if ocr:
        from .ocr import ocr_unavailable

        unavailable = ocr_unavailable(ocr_lang)
    ocr_confidence: dict[int, float] = {}  # 1-based page → mean confidence
    try:
        raw_pages: list[list[str]] = []
        image_pages: list[int] = []
        recovered: list[int] = []  # pages read again with pdfplumber
        for i in range(len(pdf)):
            try:
                page = pdf[i]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
            except pdfium.PdfiumError as exc:
                raise CorruptDocument(name, f"{i + 1} ページを読めません / cannot read page {i + 1}: {exc}") from exc
            text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
            if _drops_lone_glyphs(page, pdfium_c):
                recovered.append(i)
            if not text.strip():
                has_image = any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
                if has_image and ocr and unavailable is None:
                    from .ocr import ocr_page

                    try:
                        lines, confidence = ocr_page(page, ocr_lang)
                    except RuntimeError as exc:  # pytesseract's timeout
                        raise DocumentTimeout(
                            name, f"{i + 1} ページの OCR が時間制限を超えました / OCR of page {i + 1} timed out: {exc}"
                        ) from exc
                    ocr_confidence[i + 1] = confidence
                    text = "\n".join(lines)
                elif has_image:
                    image_pages.append(i + 1)
            raw_pages.append(text.split("\n"))
    finally:
        pdf.close()

    recovered = [i for i in recovered if i + 1 not in ocr_confidence]
    if recovered:
        _reread_with_pdfplumber(path, password, recovered, raw_pages)
    if not any(ln.strip() for lines in raw_pages for ln in lines):
        if image_pages:
            how = (
                f"--ocr で読めません: {unavailable} / --ocr cannot run" if unavailable
                else "--ocr を付けると OCR で読みます / run with --ocr to read it by OCR"
            )
            raise OcrRequired(
                name, f"文字情報のない画像だけの PDF（スキャン）です。OCR が必要です / scanned PDF without text: OCR required. {how}"
            )
        raise EmptyDocument(name, "PDF に文字がありません / the PDF contains no text")

    pages_text = strip_running_lines(raw_pages)
    text_parts: list[str] = []
    pages: list[Page] = []
    offset = 0
    for number, lines in enumerate(pages_text, start=1):
        chunk = "\n".join(lines)
        pages.append(Page(number, offset, offset + len(chunk), ocr_confidence.get(number)))
        text_parts.append(chunk)
        offset += len(chunk) + 1
    notes = [f"page {p}: 画像のみのページ（未読） / image-only page not read" for p in image_pages]
    if image_pages and unavailable:
        notes.append(f"OCR を実行できません / OCR unavailable: {unavailable}")
    notes += [
        f"page {p}: OCR で読み取り（信頼度 {c:.0%}） / read by OCR (confidence {c:.2f})" for p, c in ocr_confidence.items()
    ]
    return Document(name, "pdf", "\n".join(text_parts), tuple(pages), tuple(notes))
