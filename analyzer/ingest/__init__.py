"""Ingest stage: files → Document (original text, page boundaries), one reader per suffix.

Every failure is turned into a DocumentError subclass carrying a stable code;
nothing here writes to the input (conversions and OCR work on copies in a
temporary folder). ``load_document`` is the only door: whatever a hostile or
broken file does inside a reader, the caller gets a Document or a DocumentError.
"""
from __future__ import annotations

import errno
import hashlib
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    UnsupportedFormat,
)
from ..model import Document
from ..settings import Settings
from . import convert, docx, pdf, text

READERS: dict[str, Callable[[Path, str], Document]] = {
    ".pdf": pdf.read_pdf,
    ".docx": docx.read_docx,
    ".txt": text.read_text,
    ".text": text.read_text,
}

# Formats we recognise but do not read, with what to do about them.
_CONVERT_HINT = "PDF か DOCX に変換してください / convert it to PDF or DOCX"
_LIBREOFFICE_HINT = "（--convert を付けると LibreOffice で変換して読みます / or run with --convert to convert it with LibreOffice）"
UNSUPPORTED_HINTS = {
    ".doc": "旧形式の Word 文書です。" + _CONVERT_HINT + _LIBREOFFICE_HINT,
    ".rtf": "RTF 文書です。" + _CONVERT_HINT + _LIBREOFFICE_HINT,
    ".xls": "表計算ファイルは読めません / spreadsheets are not contracts",
    ".xlsx": "表計算ファイルは読めません / spreadsheets are not contracts",
    ".jpg": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
    ".jpeg": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
    ".png": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
    ".tif": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
    ".tiff": "画像ファイルです。OCR 済みの PDF にしてください / an image: make it a searchable PDF",
}
_SUPPORTED_HINT = "対応形式は PDF・DOCX・TXT です / supported: PDF, DOCX, TXT"

# Messages for files that cannot be opened at all (the codes of tokki.report/1 have no
# "missing" or "unreadable": both are `corrupt`, the message says which).
MISSING_MESSAGE = "ファイルが見つかりません（読み取り中に削除された可能性） / the file is gone (deleted while being read?)"
PERMISSION_MESSAGE = "読み取りの権限がありません / permission denied: the file cannot be read"
LOOP_MESSAGE = "シンボリックリンクが循環しています / symbolic link loop"

# Bytes read first from every file: enough to find "%PDF-" (which readers accept within
# the first 1,024 bytes) and the zip or OLE2 signature.
HEAD_BYTES = 8192
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a file really is, by its first bytes, for the message when the suffix lies.
_SIGNATURES = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP（DOCX・XLSX など） / a zip package (DOCX, XLSX…)"),
    (_OLE2, "旧形式の Office 文書（.doc・.xls） / a legacy Office file (.doc, .xls)"),
    (b"{\\rtf", "RTF"),
    (b"\xff\xd8\xff", "JPEG 画像 / a JPEG image"),
    (b"\x89PNG", "PNG 画像 / a PNG image"),
    (b"II*\x00", "TIFF 画像 / a TIFF image"),
    (b"MM\x00*", "TIFF 画像 / a TIFF image"),
    (b"AC10", "AutoCAD 図面（DWG） / an AutoCAD drawing (DWG)"),
)


@dataclass(frozen=True)
class IngestOptions:
    """How input files are opened, given on the command line (``--password``, ``--ocr``, ``--convert``,
    ``--max-bytes``) and carried to every reader, also into scan workers.

    ``max_bytes`` None means the settings' limit (reference_clauses/settings.toml [ingest]).
    """

    password: str | None = field(default=None, repr=False)
    ocr: bool = False
    convert: bool = False
    max_bytes: int | None = None
    ocr_lang: str = "jpn"
    ocr_engine: str = "ppocr"  # ocr.ENGINES
    # Pages OCR'd at once inside one file (threads; a scan's workers keep 1: they are processes).
    ocr_jobs: int = 1
    # Where OCR results are kept by file digest (None: no cache); ocr.cache.default_dir() for the CLI.
    ocr_cache: str | None = None

    def __post_init__(self) -> None:
        if self.max_bytes is not None and self.max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        if self.ocr_jobs < 1:
            raise ValueError("ocr_jobs must be ≥ 1")

    def fingerprint(self) -> dict | None:
        """What changes the outcome of reading a file, for a scan's "same input" key (None: the defaults).

        The password itself is not kept: a digest of it tells a rerun with another password apart.
        """
        if replace(self, ocr_jobs=1, ocr_cache=None) == IngestOptions():
            return None
        out: dict = {"ocr": self.ocr, "convert": self.convert, "max_bytes": self.max_bytes}
        if self.ocr:
            out["ocr_lang"], out["ocr_engine"] = self.ocr_lang, self.ocr_engine
        if self.password is not None:
            out["password"] = hashlib.sha256(b"tokki\0" + self.password.encode()).hexdigest()[:16]
        return out


def readable_suffixes(options: IngestOptions) -> set[str]:
    """The suffixes a contract may be read from with these options (.doc and .rtf with ``convert``)."""
    return set(READERS) | (convert.CONVERTIBLE if options.convert else set())


def sniff_format(head: bytes) -> str | None:
    """What the first bytes of a file say it is (None: unknown or plain text)."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    if b"%PDF-" in head[:1024]:
        return "PDF"
    return None


def _os_error(name: str, exc: OSError) -> CorruptDocument:
    if isinstance(exc, FileNotFoundError):
        return CorruptDocument(name, MISSING_MESSAGE)
    if isinstance(exc, PermissionError):
        return CorruptDocument(name, PERMISSION_MESSAGE)
    if exc.errno == errno.ELOOP:
        return CorruptDocument(name, LOOP_MESSAGE)
    return CorruptDocument(name, f"ファイルを読めません / cannot read the file: {exc.strerror or exc}")


def _read_head(path: Path, name: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError as exc:
        raise _os_error(name, exc) from exc


_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _is_encrypted_ooxml(path: Path) -> bool:
    """An OOXML file saved with a password is an OLE2 container holding an EncryptionInfo stream."""
    with open(path, "rb") as fh:
        tail = b""
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            if _ENCRYPTION_INFO in tail + chunk:
                return True
            tail = chunk[-len(_ENCRYPTION_INFO):]
    return False


def _check_content(path: Path, suffix: str, head: bytes, name: str) -> None:
    """Refuse a file whose content is not what its suffix says (a spreadsheet renamed .pdf)."""
    what = sniff_format(head)
    if suffix == ".pdf" and what != "PDF":
        raise CorruptDocument(
            name, f"PDF ではありません（中身は {what or '不明な形式 / unknown data'}） / not a PDF despite its name"
        )
    if suffix == ".docx" and head.startswith(_OLE2):
        if _is_encrypted_ooxml(path):
            raise EncryptedDocument(
                name,
                "パスワードで保護された Word 文書です。Word でパスワードを解除して保存してください"
                " / a password-protected Word document: remove the password in Word and save it",
            )
        raise CorruptDocument(
            name, "中身は旧形式の Word 文書（.doc）です。" + _CONVERT_HINT + _LIBREOFFICE_HINT
        )
    if suffix == ".docx" and not head.startswith(b"PK"):
        raise CorruptDocument(
            name, f"DOCX ではありません（中身は {what or '不明な形式 / unknown data'}） / not a DOCX despite its name"
        )


def load_document(
    path: Path, settings: Settings, display: str | None = None, options: IngestOptions | None = None,
    on_page=None,
) -> Document:
    """Read one file; ``display`` is the name reports use for it (default: the path as given).

    ``on_page(done, total)`` is called after each page read by OCR (scan progress, time limit).

    Raises a DocumentError (with its tokki.report/1 code) for every file that cannot be read.
    """
    options = options or IngestOptions()
    name = display or str(path)
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        st = path.stat()
    except OSError as exc:
        raise _os_error(name, exc) from exc
    if not stat.S_ISREG(st.st_mode):
        # A FIFO or device would block or never end; a folder is not a document.
        raise UnsupportedFormat(name, "通常のファイルではありません / not a regular file")
    reader = READERS.get(suffix)
    convertible = options.convert and suffix in convert.CONVERTIBLE
    if reader is None and not convertible:  # before emptiness: a zero-byte .xls is first of all not a contract
        hint = UNSUPPORTED_HINTS.get(suffix, _SUPPORTED_HINT)
        raise UnsupportedFormat(name, f"未対応の形式 {suffix or '(拡張子なし)'} / unsupported format: {hint}")
    if st.st_size == 0:
        raise EmptyDocument(name, "0 バイトのファイルです / the file is empty (0 bytes)")
    head = _read_head(path, name)
    if options.convert and suffix == ".docx" and head.startswith(_OLE2):
        try:
            convertible = not _is_encrypted_ooxml(path)  # a .doc renamed .docx: LibreOffice reads it
        except OSError as exc:
            raise _os_error(name, exc) from exc
    max_bytes = options.max_bytes or settings.max_bytes
    if st.st_size > max_bytes:
        raise DocumentTooLarge(
            name, f"{st.st_size:,} バイトで上限 {max_bytes:,} を超えています / file exceeds the size limit (--max-bytes)"
        )
    try:
        if convertible:
            doc = convert.read_converted(path, name, settings)
        else:
            _check_content(path, suffix, head, name)
            if suffix == ".pdf":
                doc = pdf.read_pdf(path, name, password=options.password, ocr=options if options.ocr else None,
                                   on_page=on_page)
            elif suffix == ".docx":
                doc = docx.read_docx(path, name, settings)
            else:
                doc = reader(path, name)
    except DocumentError:
        raise
    except OSError as exc:  # vanished, unreadable or replaced while being read
        raise _os_error(name, exc) from exc
    except MemoryError as exc:
        raise DocumentTooLarge(name, "メモリが足りず読めません / not enough memory to read the file") from exc
    except RecursionError as exc:
        raise CorruptDocument(name, "構造が深すぎて読めません / structure nested too deeply") from exc
    except Exception as exc:  # noqa: BLE001 — the boundary of untrusted input: any reader failure is this file's
        raise CorruptDocument(
            name, f"読み取り中にエラーが起きました（破損の可能性） / failed to read: {type(exc).__name__}: {exc}"
        ) from exc
    if not re.search(r"\S", doc.text):
        raise EmptyDocument(name, "文字がありません / the document contains no text")
    return doc
