"""Ingest stage: files → Document (original text, page boundaries), one reader per suffix.

Every failure is turned into a DocumentError subclass carrying a stable code;
nothing here writes to the input.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..errors import CorruptDocument, DocumentTooLarge, EmptyDocument, UnsupportedFormat
from ..model import Document
from ..settings import Settings
from . import docx, pdf, text

READERS: dict[str, Callable[[Path, str], Document]] = {
    ".pdf": pdf.read_pdf,
    ".docx": docx.read_docx,
    ".txt": text.read_text,
    ".text": text.read_text,
}

# Formats we recognise but do not read, with what to do about them.
_CONVERT_HINT = "PDF か DOCX に変換してください / convert it to PDF or DOCX"
UNSUPPORTED_HINTS = {
    ".doc": "旧形式の Word 文書です。" + _CONVERT_HINT,
    ".rtf": "RTF 文書です。" + _CONVERT_HINT,
    ".xls": "表計算ファイルは読めません / spreadsheets are not contracts",
    ".xlsx": "表計算ファイルは読めません / spreadsheets are not contracts",
    ".jpg": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
    ".jpeg": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
    ".png": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
    ".tif": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
    ".tiff": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
}


def load_document(path: Path, settings: Settings, display: str | None = None) -> Document:
    """Read one file; ``display`` is the name reports use for it (default: the path as given)."""
    name = display or str(path)
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        hint = UNSUPPORTED_HINTS.get(suffix, "対応形式は PDF・DOCX・TXT です / supported: PDF, DOCX, TXT")
        raise UnsupportedFormat(name, f"未対応の形式 {suffix or '(拡張子なし)'} / unsupported format: {hint}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CorruptDocument(name, f"ファイルを読めません / cannot read the file: {exc.strerror or exc}") from exc
    if size == 0:
        raise EmptyDocument(name, "0 バイトのファイルです / the file is empty (0 bytes)")
    if size > settings.max_bytes:
        raise DocumentTooLarge(
            name, f"{size:,} バイトで上限 {settings.max_bytes:,} を超えています / file exceeds the size limit"
        )
    doc = reader(path, name)
    if not re.search(r"\S", doc.text):
        raise EmptyDocument(name, "文字がありません / the document contains no text")
    return doc


def natural_key(path: str) -> list:
    """Sort key comparing digit runs as numbers: 別紙2 before 別紙10."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path)]
