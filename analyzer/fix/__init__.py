"""Fix stage: a draft contract and its Report → a copy of the draft with the current wording as Word tracked changes.

Input: one DOCX (a PDF or text file is first written out as a DOCX of its annex).
Output: OUT.docx where obsolete and modified clauses carry word-level w:del/w:ins
(author 「tokki」), missing mandatory clauses are inserted as tracked paragraphs
numbered and headed like their neighbours, and every change has a comment saying why.

One module per job: ``plan`` decides the edits (offsets into the draft's text, the
paragraphs new text is shaped like), ``tracked`` writes them as tracked changes and
comments, ``text`` writes a PDF or text draft's annex out as a DOCX first.
"""
from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path

from ..checker import AUTO, Analysis, CheckOptions, Checker, shared_checker
from ..errors import UsageError
from ..files import ensure_writable, save_atomic
from ..ingest import IngestOptions
from ..ingest.docx import open_docx
from ..model import Report
from ..settings import Settings, default_settings
from .tracked import apply_plan
from .plan import FixedClause, FixError, line_edits, paragraph_index, plan_fixes, version_spec
from .text import write_annex_docx

__all__ = ["FixError", "FixResult", "FixedClause", "fix_analysis", "fix_document", "line_edits"]

# Formats whose annex is written out as a new DOCX before it is fixed.
TEXT_FORMATS = (".pdf", ".txt", ".text")


@dataclass(frozen=True)
class FixResult:
    """What ``fix_document`` wrote: the output path, the analysis it acted on, and the changes made."""

    source: str
    output: str
    report: Report
    fixed: tuple[FixedClause, ...] = ()
    not_fixed: tuple[tuple[str, str], ...] = ()  # (clause id, reason): findings left to a person
    annex_written: bool = False  # PDF/text input: the annex was written out as a new DOCX

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


# ---------------------------------------------------------------- entry points


def fix_document(
    path: Path | str,
    out: Path | str,
    *,
    reference: str | None = AUTO,
    contract_type: str | None = None,
    signed_on: date | None = None,
    library_dirs: Sequence[Path] = (),
    settings: Settings | None = None,
    tokutei: bool = False,
    now: datetime | None = None,
    ingest: IngestOptions | None = None,
) -> FixResult:
    """Write ``out``: the draft ``path`` with the current wording as tracked changes and comments.

    A DOCX is copied with its formatting, runs, numbering, tracked changes and
    comments; a PDF or text file gives a new DOCX of its annex (``annex_written``).
    The input is never modified; ``out`` is written atomically. ``ingest``: how the
    draft is opened (``--password``, ``--ocr``, ``--max-bytes``).
    """
    path, out = Path(path), Path(out)
    settings = settings or default_settings()
    now = now or datetime.now(timezone.utc)
    if not path.exists():
        raise FixError(str(path), "ファイルがありません / no such file")
    if out.suffix.lower() != ".docx":
        raise UsageError(f"{out}: 出力は .docx にしてください / the output must be a .docx file")
    if out.exists() and out.resolve() == path.resolve():
        raise UsageError(f"{out}: 入力と同じファイルには書けません / the output must not be the input file")
    ensure_writable(out)  # before the analysis: a clerk learns at once, not after it
    if path.suffix.lower() not in (*TEXT_FORMATS, ".docx"):
        raise UsageError(f"{path}: tokki fix は DOCX・PDF・TXT を受け付けます / tokki fix reads DOCX, PDF or TXT")
    checker = shared_checker(library_dirs, settings)
    options = CheckOptions(reference=reference, contract_type=contract_type, signed_on=signed_on, tokutei=tokutei,
                           ingest=ingest)
    return fix_analysis(checker.analyze([path], options), out, checker=checker, now=now)


def fix_analysis(analysis: Analysis, out: Path | str, *, checker: Checker, now: datetime | None = None,
                 source: Path | None = None) -> FixResult:
    """Write ``out`` from an analysis of one draft (``Checker.analyze``): a DOCX draft with the current
    wording as tracked changes and comments; a PDF or text draft as a new DOCX of its annex, itself
    analysed and corrected. The report of the result is the draft's own. ``source``: where the draft's
    file is when the analysis names it otherwise (an upload kept under a name of tokki's)."""
    out, now = Path(out), now or datetime.now(timezone.utc)
    _raise_on_error(analysis.report)
    if len(analysis.documents) != 1:
        raise UsageError("tokki fix は1つのファイルを直します / tokki fix corrects one file at a time")
    path = analysis.files[0]
    source = Path(source or path)
    if source.suffix.lower() != ".docx":
        spec = version_spec(analysis.report)
        with tempfile.TemporaryDirectory(prefix="tokki-fix-") as tmp:
            annex = Path(tmp) / (path.stem + ".docx")
            write_annex_docx(analysis, annex)
            annex_analysis = checker.analyze([annex], replace(analysis.options, reference=spec, contract_id=None))
            _raise_on_error(annex_analysis.report)
            result = _fix_docx(annex_analysis, out, checker.settings, now, annex)
        return FixResult(str(path), str(out), result.report, result.fixed, result.not_fixed, annex_written=True)
    result = _fix_docx(analysis, out, checker.settings, now, source)
    return FixResult(str(path), str(out), result.report, result.fixed, result.not_fixed)


def _raise_on_error(report: Report) -> None:
    if report.error is not None:
        raise FixError(report.error.file, f"{report.error.message} [{report.error.code.value}]")


def _fix_docx(analysis: Analysis, out: Path, settings: Settings, now: datetime, source: Path) -> FixResult:
    """Plan the edits of the DOCX draft at ``source``, write them as tracked changes with comments into a copy."""
    path, report = analysis.files[0], analysis.report
    document = open_docx(source, str(path))
    paras, text = paragraph_index(document)
    if analysis.documents[0].text != text:  # pragma: no cover - both come from iter_paragraphs
        raise FixError(str(path), "本文の対応付けに失敗しました / internal error: paragraph map differs from the text")
    plan = plan_fixes(analysis, paras, settings)
    apply_plan(document, paras, plan, now)
    save_atomic(out, document.save)
    return FixResult(str(path), str(out), report, tuple(plan.fixed), tuple(plan.not_fixed))
