"""Exceptions, one per condition, each carrying its stable tokki.report/1 error code.

Messages are Japanese first with English alongside: they reach clerks as the
one-line answer for a file that could not be analysed.
"""
from __future__ import annotations

from enum import IntEnum, StrEnum


class ErrorCode(StrEnum):
    """Stable error codes of the ``tokki.report/1`` JSON ("error.code")."""

    OCR_REQUIRED = "ocr_required"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    UNSUPPORTED_FORMAT = "unsupported_format"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"


class ExitCode(IntEnum):
    """Exit codes of every command (README): batch scripts branch on them."""

    OK = 0  # no finding of severity error (or the command did its work)
    FINDINGS = 1  # tokki check: at least one finding of severity error
    USAGE = 2  # bad usage, an unreadable input, an output that cannot be written
    INTERRUPTED = 130  # Ctrl-C (tokki scan resumes on the next run)


class TokkiError(Exception):
    """Base class of every error tokki reports to a user instead of a traceback."""

    code: ErrorCode

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class DocumentError(TokkiError):
    """A document that cannot be analysed; subclasses name the condition."""


class OcrRequired(DocumentError):
    """The PDF has no text layer (a scan): it needs OCR before it can be checked."""

    code = ErrorCode.OCR_REQUIRED


class EncryptedDocument(DocumentError):
    """The PDF is password-protected: supply the password or an unprotected copy."""

    code = ErrorCode.ENCRYPTED


class CorruptDocument(DocumentError):
    """The file is truncated or damaged, or its content does not match its suffix."""

    code = ErrorCode.CORRUPT


class UnsupportedFormat(DocumentError):
    """A file type tokki does not read (.doc, .rtf, images…): convert it to PDF or DOCX."""

    code = ErrorCode.UNSUPPORTED_FORMAT


class EmptyDocument(DocumentError):
    """The file has zero bytes, or no text at all."""

    code = ErrorCode.EMPTY


class DocumentTooLarge(DocumentError):
    """The file exceeds the configured size limit."""

    code = ErrorCode.TOO_LARGE


class DocumentTimeout(DocumentError):
    """The analysis of the file exceeded the per-document time limit."""

    code = ErrorCode.TIMEOUT


class OutputError(TokkiError):
    """An output (report, summary, store, DOCX, reference file) cannot be written where the user asked.

    Raised before any input is read when the destination is not writable, or when a
    write fails later (disk full…); the CLI exits 2, and nothing is left half-written.
    """

    def __init__(self, path: str, ja: str, en: str) -> None:
        super().__init__(path, f"書き込めません: {ja} / cannot write: {en}")


class StoreError(OutputError):
    """The SQLite store (``--db``) cannot be opened, read or written: not a database, read-only, locked, disk full."""

    def __init__(self, path: str, ja: str, en: str) -> None:
        TokkiError.__init__(self, path, f"データベースを使えません: {ja} / cannot use the database: {en}")


class UsageError(TokkiError):
    """Bad command-line usage or an unknown reference (exit code 2)."""

    def __init__(self, reason: str) -> None:
        self.path = ""
        self.reason = reason
        Exception.__init__(self, reason)


class ReferenceDataError(TokkiError):
    """A reference file in reference_clauses/ (or --library) is malformed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, f"参照データが不正です / invalid reference data: {reason}")
