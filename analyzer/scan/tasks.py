"""Scan tasks: one contract to check, and what checking it gave. Runs wherever an engine puts it.

A task carries everything a worker needs and nothing it must not touch: the contract's files
(absolute path, path in the archive), the stored text of unchanged files, a stored ingest error
to reproduce without reading, the manifest row. ``run_task`` reads what is not stored and asks
the worker's Checker; it never writes (the sink does).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..checker import AUTO, CheckOptions, Checker
from ..errors import DocumentError, ErrorCode
from ..ingest import IngestOptions, load_document
from ..match import dump_contract, load_contract
from ..model import ContractStatus, Document, Report
from ..report import render_report
from ..report.labels import no_reference_advice

STATUSES = tuple(s.value for s in ContractStatus)


@dataclass(frozen=True)
class ContractTask:
    key: int
    contract_id: str
    meta: dict  # the manifest row: reference, type, signed_on (and non-default ingest options)
    files: tuple[tuple[str, str], ...]  # (absolute path, path relative to the archive)
    reuse: dict[str, Document]  # stored text of unchanged files
    stored_error: tuple[str, str, str] | None  # a stored ingest error, reproduced without reading
    library_dirs: tuple[Path, ...]
    render: bool  # write the HTML report too
    ingest: IngestOptions | None = None
    forms: bytes | None = None  # stored comparison forms of the reused text (``match.dump_contract``)

    def options(self) -> CheckOptions:
        """The manifest row as check options. Not strict: an unknown manifest reference, like one
        not identified, gives a no_reference report."""
        signed = self.meta.get("signed_on")
        return CheckOptions(
            reference=self.meta.get("reference") or AUTO,
            contract_type=self.meta.get("type"),
            signed_on=date.fromisoformat(signed) if signed else None,
            contract_id=self.contract_id,
            given_by="manifest",
            strict=False,
        )


@dataclass(frozen=True)
class TaskResult:
    status: ContractStatus
    report: Report | None
    documents: list[Document] | None  # None: stored text unchanged (re-judge)
    segments: dict[str, list[tuple]]
    json: str | None
    html: str | None
    error: tuple[str, str, str] | None  # (code, message, file) for the store
    pages: int
    forms: bytes | None = None  # the comparison forms made (None: none made, or the stored ones used)


def stored_document_error(code: str, message: str, path: str) -> DocumentError:
    err = DocumentError(path, message)
    err.code = ErrorCode(code)
    return err


def run_task(
    task: ContractTask, checker: Checker, step: Callable[[str], None] = lambda _: None,
    page: Callable[[str], None] = lambda _: None,
) -> TaskResult:
    """Read (or reuse) one contract's documents and judge them with ``checker``. ``step(path)`` is
    called before each file is read, ``page(what)`` for each page OCR reads (time limits, progress)."""
    documents: list[Document] | DocumentError
    pages = 0
    read_any = False
    if task.stored_error is not None:
        documents = stored_document_error(*task.stored_error)
    else:
        documents = []
        for abs_path, rel in task.files:
            if rel in task.reuse:
                documents.append(task.reuse[rel])
                continue
            step(rel)
            read_any = True
            try:
                doc = load_document(
                    Path(abs_path), checker.settings, display=rel, options=task.ingest,
                    on_page=lambda done, total, rel=rel: page(f"{rel} OCR {done}/{total}"),
                )
            except DocumentError as exc:
                documents = exc
                break
            pages += len(doc.pages)
            documents.append(doc)
    step("")
    stored = None
    if task.forms is not None and isinstance(documents, list) and not read_any:
        stored = load_contract(documents, task.forms)  # None when it cannot be read: made again
    analysis = checker.analyze_documents(documents, [rel for _, rel in task.files], task.options(), stored)
    report = analysis.report
    status = report.status
    error = ("", no_reference_advice(report.choice), "") if status is ContractStatus.NO_REFERENCE else None
    docs_out = documents if isinstance(documents, list) and read_any else None
    if isinstance(documents, DocumentError) and task.stored_error is None:
        docs_out = []  # the files changed and no longer read: drop their stored text
    segments: dict[str, list[tuple]] = {}
    if docs_out:
        for clause in analysis.clauses:
            segments.setdefault(docs_out[clause.doc_index].path, []).append(
                (clause.label, clause.number, clause.heading, clause.start, clause.end, clause.region)
            )
    forms = dump_contract(analysis.contract) if analysis.contract is not None and stored is None else None
    return TaskResult(status, report, docs_out, segments, render_report(report, "json"),
                      render_report(report, "html") if task.render else None, error, pages, forms)


def failure_result(task: ContractTask, checker: Checker, *, hung: bool, timeout: float, exitcode: int | None,
                   current: str) -> TaskResult:
    """The result recorded for a contract whose worker hung (error code ``timeout``) or died."""
    if not hung:
        msg = f"処理中のワーカーが終了しました（終了コード {exitcode}） / the worker process died (exit code {exitcode})"
        return TaskResult(ContractStatus.FAILED, None, None, {}, None, None, ("", msg, current), 0)
    where = current or "判定 / judgment"
    err = stored_document_error(
        ErrorCode.TIMEOUT.value,
        f"{timeout:g} 秒の時間制限を超えました（{where}） / exceeded the per-document time limit of {timeout:g} s",
        current or (task.files[0][1] if task.files else ""),
    )
    report = checker.analyze_documents(err, [rel for _, rel in task.files], task.options()).report
    return TaskResult(
        ContractStatus.ERROR, report, [], {}, render_report(report, "json"),
        render_report(report, "html") if task.render else None, None, 0,
    )


def lost_result(reason: str) -> TaskResult:
    """A contract whose worker was lost each time it ran (a cluster's worker died or was killed)."""
    msg = f"ワーカーが失われました（再試行も失敗） / the worker was lost, and again on retry: {reason}"
    return TaskResult(ContractStatus.FAILED, None, None, {}, None, None, ("", msg, ""), 0)


def crashed_result(exc: Exception) -> TaskResult:
    """A bug in judging one contract: recorded against it, the scan goes on."""
    return TaskResult(ContractStatus.FAILED, None, None, {}, None, None, ("", f"{type(exc).__name__}: {exc}", ""), 0)
