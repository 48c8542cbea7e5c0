"""Scan: an archive folder → every contract checked, in worker processes, into the SQLite store.

Input: a folder laid out as ``analyzer.archive`` reads it. Output: the store
(``analyzer.store``), one tokki.report/1 JSON and HTML per contract and the
summary files (``analyzer.report.summary``). Incremental: a contract whose
files (by SHA-256) and metadata are unchanged is not read again; after a
reference change it is re-judged from its stored text. Resumable: every
finished contract is committed at once, so an interrupted scan loses only the
contracts in flight.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing import connection, get_all_start_methods, get_context
from pathlib import Path
from typing import TextIO

from .version import __version__
from .archive import ContractSpec, read_archive
from .errors import DocumentError, ErrorCode, OutputError, UsageError
from .files import ensure_writable, output_error, write_atomic
from .ingest import IngestOptions, file_digest
from .model import Document, Report
from .store import DEFAULT_DB, FileRecord, Store

DEFAULT_OUT = Path("reports")
# Per-document time limit (seconds): a 15-page PDF takes well under a second to
# read and judge (benchmarks/bench_scan.py); a minute means the reader is stuck.
DEFAULT_TIMEOUT = 60.0
CONTRACTS_DIR = "contracts"  # per-contract reports under --out

STATUSES = ("ok", "findings", "error", "no_reference", "failed")


@dataclass(frozen=True)
class ScanEvent:
    """Progress of a scan, for a progress bar: ``kind`` is "start", "file" or "done"."""

    kind: str  # also "page": a page read by OCR (scan --ocr)
    done: int
    total: int
    contract_id: str = ""
    path: str = ""
    status: str = ""
    # With --ocr the bar counts pages (OCR is the cost): pages read so far and in all.
    pages_done: int = 0
    pages_total: int = 0


@dataclass
class ScanResult:
    """What one ``scan_archive`` call did; the verdicts themselves are in the store."""

    scan_id: int
    db: Path
    out: Path | None
    contracts: int = 0
    analysed: int = 0  # files read (cold)
    rejudged: int = 0  # judged again from the stored text
    unchanged: int = 0
    pages: int = 0  # PDF/DOCX pages extracted in this scan
    statuses: Counter = field(default_factory=Counter)  # of the contracts processed in this scan
    removed: list[str] = field(default_factory=list)
    skipped: tuple[tuple[str, str], ...] = ()
    interrupted: bool = False
    elapsed: float = 0.0


# ---------------------------------------------------------------- inputs


def reference_fingerprint(library_dirs: Sequence[Path] = ()) -> tuple[str, list[str]]:
    """A hash of the tool version, the settings and every reference file; and the "set@version" list.

    A change in any of them (next year's revision, a tuned threshold) means
    every stored verdict is re-judged.
    """
    from .references import bundled_reference_dir, load_reference_library

    h = hashlib.sha256(__version__.encode())
    for folder in (bundled_reference_dir(), *map(Path, library_dirs)):
        for path in sorted(folder.rglob("*.toml")):
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    versions = [f"{s.id}@{v.version}" for s in load_reference_library(list(library_dirs)).values() for v in s.versions]
    return h.hexdigest(), versions


def _spec_meta(spec: ContractSpec, ingest: IngestOptions | None = None, reference: str | None = None) -> dict:
    """What judges a contract besides its files; ``reference``: ``--reference`` for a contract
    without a manifest reference (None or auto: identify it)."""
    meta = {
        "type": spec.type,
        "signed_on": spec.signed_on.isoformat() if spec.signed_on else None,
        "reference": spec.reference or (reference if reference and reference != "auto" else None),
    }
    # Non-default ingest options (--password, --ocr…) change what a file reads as: a rerun
    # with them reads again the files a stored error (encrypted, ocr_required) came from.
    fingerprint = ingest.fingerprint() if ingest is not None else None
    if fingerprint is not None:
        meta["ingest"] = fingerprint
    return meta


def file_record(path: Path, rel: str) -> FileRecord:
    """The store's record of an input file. A file that vanished or cannot be read gets a marker
    instead of a digest: the worker then reports it (error code ``corrupt``), the scan goes on."""
    try:
        st = path.stat()
        return FileRecord(rel, file_digest(path), st.st_size, st.st_mtime)
    except OSError as exc:
        return FileRecord(rel, f"unreadable:{type(exc).__name__}", -1, 0.0)


def _input_key(files: Sequence[FileRecord], meta: dict) -> str:
    payload = json.dumps([[(f.path, f.sha256) for f in files], meta], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:  # manifest paths come resolved
        return path.resolve().relative_to(root.resolve()).as_posix()


def safe_name(contract_id: str) -> str:
    """A file name for a contract id (ids from a manifest may hold / or :)."""
    return "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in contract_id).strip(". ") or "_"


def remove_outputs(*paths: Path) -> None:
    """Remove stale reports (a contract no longer judged); a failure is an OutputError."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise output_error(path, exc) from exc


def report_paths(out: Path, contract_id: str) -> tuple[Path, Path]:
    base = out / CONTRACTS_DIR / safe_name(contract_id)
    return base.with_suffix(".json"), base.with_suffix(".html")


# ---------------------------------------------------------------- worker side


@dataclass(frozen=True)
class _Task:
    key: int
    contract_id: str
    meta: dict
    files: tuple[tuple[str, str], ...]  # (absolute path, path relative to the archive)
    reuse: dict[str, Document]  # stored text of unchanged files
    stored_error: tuple[str, str, str] | None  # a stored ingest error, reproduced without reading
    library_dirs: tuple[Path, ...]
    render: bool
    ingest: IngestOptions | None = None


@dataclass(frozen=True)
class _TaskResult:
    status: str
    report: Report | None
    documents: list[Document] | None  # None: stored text unchanged (re-judge)
    segments: dict[str, list[tuple]]
    json: str | None
    html: str | None
    error: tuple[str, str, str] | None
    pages: int


def _stored_document_error(code: str, message: str, path: str) -> DocumentError:
    err = DocumentError(path, message)
    err.code = ErrorCode(code)
    return err


def run_task(
    task: _Task, step: Callable[[str], None] = lambda _: None, page: Callable[[str], None] = lambda _: None
) -> _TaskResult:
    """Read (or reuse) one contract's documents and judge them. Runs in a worker process."""
    from datetime import date

    from .checker import AUTO, CheckOptions, shared_checker
    from .ingest import load_document
    from .report import render_report
    from .report.labels import no_reference_advice

    checker = shared_checker(task.library_dirs)
    settings = checker.settings
    documents: list[Document] | DocumentError
    pages = 0
    read_any = False
    if task.stored_error is not None:
        documents = _stored_document_error(*task.stored_error)
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
                    Path(abs_path), settings, display=rel, options=task.ingest,
                    on_page=lambda done, total, rel=rel: page(f"{rel} OCR {done}/{total}"),
                )
            except DocumentError as exc:
                documents = exc
                break
            pages += len(doc.pages)
            documents.append(doc)
    step("")
    signed = task.meta.get("signed_on")
    # Not strict: an unknown manifest reference, like one not identified, gives a no_reference report.
    options = CheckOptions(
        reference=task.meta.get("reference") or AUTO,
        contract_type=task.meta.get("type"),
        signed_on=date.fromisoformat(signed) if signed else None,
        contract_id=task.contract_id,
        given_by="manifest",
        strict=False,
    )
    analysis = checker.analyze_documents(documents, [rel for _, rel in task.files], options)
    report = analysis.report
    status = report.status
    error = ("", no_reference_advice(report.choice), "") if status == "no_reference" else None
    docs_out = documents if isinstance(documents, list) and read_any else None
    if isinstance(documents, DocumentError) and task.stored_error is None:
        docs_out = []  # the files changed and no longer read: drop their stored text
    segments: dict[str, list[tuple]] = {}
    if docs_out:
        for clause in analysis.clauses:
            segments.setdefault(docs_out[clause.doc_index].path, []).append(
                (clause.label, clause.number, clause.heading, clause.start, clause.end, clause.region)
            )
    json_text = html_text = None
    if report is not None:
        json_text = render_report(report, "json")
        html_text = render_report(report, "html") if task.render else None
    return _TaskResult(status, report, docs_out, segments, json_text, html_text, error, pages)


def _worker_main(conn: connection.Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # One BLAS thread per worker: the workers are the parallelism. Measured: with numpy's
    # default thread pool two workers were no faster than one (its threads spin between calls).
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    while True:
        task = conn.recv()
        if task is None:
            return
        try:
            result = run_task(
                task, lambda path: conn.send(("step", task.key, path)), lambda what: conn.send(("page", task.key, what))
            )
        except Exception as exc:  # a bug must not stop the scan: record it against this contract
            result = _TaskResult("failed", None, None, {}, None, None, ("", f"{type(exc).__name__}: {exc}", ""), 0)
        conn.send(("done", task.key, result))


class _Worker:
    def __init__(self, ctx) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.task: _Task | None = None
        self.current = ""
        self.deadline = 0.0

    def give(self, task: _Task, timeout: float) -> None:
        self.task, self.current, self.deadline = task, "", time.monotonic() + timeout
        self.conn.send(task)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(5)
        self.kill()


def _warm_up(library_dirs: Sequence[Path]) -> None:
    """Build the Checker once in the parent, so forked workers share it (reference forms, TF-IDF
    queries, topic model, the Sudachi dictionary)."""
    from .checker import shared_checker
    from .ja import sudachi

    shared_checker(library_dirs)
    sudachi.tokenize("個人情報の漏えい")


def _pool_context():
    # fork shares the warmed-up parent (reference forms, Sudachi dictionary) with every worker.
    return get_context("fork" if "fork" in get_all_start_methods() else "spawn")


# ---------------------------------------------------------------- the scan


def scan_archive(
    root: Path | str,
    *,
    db: Path | str = DEFAULT_DB,
    out: Path | str | None = DEFAULT_OUT,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    library_dirs: Sequence[Path] = (),
    progress: Callable[[ScanEvent], None] | None = None,
    ingest: IngestOptions | None = None,
    reference: str | None = None,
) -> ScanResult:
    """Check every contract of the archive at ``root`` into the store ``db``.

    ``jobs`` worker processes (default: all cores); ``timeout`` seconds per
    document, after which the worker is killed and the contract recorded with
    error code ``timeout``. ``out`` receives the per-contract reports and the
    summary files (None: store only). KeyboardInterrupt stops the scan with the
    finished contracts committed; the result says ``interrupted`` and a rerun
    resumes. ``ingest``: how files are opened (password, OCR, conversion, size limit).
    ``reference`` (``ID[@VERSION]``): the reference of every contract without a manifest
    ``reference``, as ``tokki check --reference``; None or auto identifies each. A contract whose
    reference cannot be identified, or whose manifest names an unknown one, gets a
    ``no_reference`` report checked against the national guideline's topics.
    Input files are only read; nothing is written under ``root``.
    """
    started = time.perf_counter()
    root = Path(root)
    archive = read_archive(root)
    if not archive.contracts:
        skipped = f"（対象外 {len(archive.skipped)} 件: {', '.join(p for p, _ in archive.skipped[:3])}）" if archive.skipped else ""
        raise UsageError(
            f"{root}: 契約書が見つかりません{skipped}。PDF・DOCX・TXT のファイルか、契約ごとのフォルダを置いてください"
            f" / no contract in the folder: put PDF, DOCX or TXT files, or one folder per contract, in it"
        )
    out = Path(out) if out is not None else None
    # Every destination is checked before the store is opened or a file read; inputs are read-only.
    for dest, option in ((Path(db), "--db"), (out, "--out")):
        if dest is not None and dest.resolve().is_relative_to(root.resolve()):
            raise UsageError(
                f"{dest}: {option} がアーカイブの中です。入力のフォルダには書きません。別の場所を指定してください"
                f" / {option} is inside the archive, which tokki never writes to: choose another place"
            )
    ensure_writable(db)
    if out is not None:
        ensure_writable(out, folder=True)
    jobs = max(1, jobs or os.cpu_count() or 1)
    library_dirs = tuple(Path(p) for p in library_dirs)
    if reference and reference != "auto":  # an unknown --reference is the user's mistake: say so before reading
        from .references import load_reference_library, resolve_reference

        resolve_reference(load_reference_library(list(library_dirs)), reference)
    fingerprint, versions = reference_fingerprint(library_dirs)

    with Store(db) as store:
        previous = store.last_scan()
        scan_id = store.begin_scan(str(root.resolve()), __version__, versions, fingerprint)
        result = ScanResult(scan_id, Path(db), out, contracts=len(archive.contracts), skipped=archive.skipped)
        store.set_skipped(archive.skipped)
        result.removed = store.remove_contracts({c.id for c in archive.contracts})

        tasks: list[_Task] = []
        records: dict[int, tuple[ContractSpec, list[FileRecord], str, dict]] = {}

        def save(task: _Task, res: _TaskResult) -> None:
            spec, files, key, meta = records[task.key]
            if out is not None:  # the reports first: a contract whose report cannot be written is not stored
                json_path, html_path = report_paths(out, spec.id)
                if res.json is None:
                    remove_outputs(json_path, html_path)
                else:
                    write_atomic(json_path, res.json)
                    write_atomic(html_path, res.html or "")
            store.save_contract(
                contract_id=spec.id, spec=meta, files=files, input_key=key, judged_with=fingerprint,
                scan_id=scan_id, status=res.status, report=res.report, report_json=res.json,
                documents=res.documents, segments=res.segments, error=res.error,
            )
            result.statuses[res.status] += 1
            result.pages += res.pages

        try:  # Ctrl-C while hashing or judging: what is committed stays, the scan is marked interrupted
            stored = store.stored_contracts()
            for spec in archive.contracts:
                files = [file_record(p, _relative(p, root)) for p in spec.files]
                meta = _spec_meta(spec, ingest, reference)
                key = _input_key(files, meta)
                old = stored.get(spec.id)
                same_input = old is not None and old.input_key == key
                outputs_ok = (
                    out is None
                    or old is None
                    or old.status in ("no_reference", "failed")
                    or all(p.exists() for p in report_paths(out, spec.id))
                )
                if same_input and old.judged_with == fingerprint and outputs_ok:
                    result.unchanged += 1
                    store.touch_contract(spec.id, scan_id)
                    continue
                reuse: dict[str, Document] = {}
                stored_error = None
                if same_input and old.status == "error" and old.error_code:
                    stored_error = (old.error_code, old.error_message or "", old.error_file or "")
                else:
                    docs = store.load_documents([f.path for f in files])
                    sha = {f.path: f.sha256 for f in files}
                    reuse = {path: doc for path, (digest, doc) in docs.items() if sha[path] == digest}
                task = _Task(
                    len(tasks), spec.id, meta, tuple((str(p), f.path) for p, f in zip(spec.files, files)),
                    reuse, stored_error, library_dirs, out is not None, ingest,
                )
                tasks.append(task)
                records[task.key] = (spec, files, key, meta)
                if stored_error is not None or len(reuse) == len(files):
                    result.rejudged += 1
                else:
                    result.analysed += 1

            if tasks:
                _run_pool(tasks, save, jobs, timeout, library_dirs, progress)
        except KeyboardInterrupt:
            result.interrupted = True
        except OutputError:  # a report or the store could not be written: stop, keep what is committed
            with contextlib.suppress(OutputError):  # the store itself may be what failed
                store.finish_scan(scan_id, "interrupted", {})
            raise
        counts = {"contracts": result.contracts, "analysed": result.analysed,
                  "rejudged": result.rejudged, "unchanged": result.unchanged}
        store.finish_scan(scan_id, "interrupted" if result.interrupted else "complete", counts)
        # The summaries are rewritten unless the store is exactly as the last complete scan left it.
        unchanged_store = (
            previous is not None
            and previous == ("complete", store.last_scan()[1])
            and not (result.analysed or result.rejudged or result.removed)
        )
        if out is not None and not result.interrupted and not (unchanged_store and _summaries_exist(out)):
            from .report.summary import write_summaries

            write_summaries(store, out)
    result.elapsed = time.perf_counter() - started
    return result


def _summaries_exist(out: Path) -> bool:
    return all((out / name).exists() for name in ("summary.csv", "summary.xlsx", "summary.html"))


def _run_pool(
    tasks: list[_Task],
    save: Callable[[_Task, _TaskResult], None],
    jobs: int,
    timeout: float,
    library_dirs: Sequence[Path],
    progress: Callable[[ScanEvent], None] | None,
) -> None:
    """Hand the tasks to ``jobs`` worker processes; kill and replace a worker past its time limit."""
    _warm_up(library_dirs)
    ctx = _pool_context()
    total, done = len(tasks), 0
    pending = list(reversed(tasks))
    workers = [_Worker(ctx) for _ in range(min(jobs, total))]
    notify = progress or (lambda _e: None)
    ocr = any(t.ingest is not None and t.ingest.ocr for t in tasks)
    pages = {t.key: _task_pages(t) for t in tasks} if ocr else {}
    pages_total, pages_done = sum(pages.values()), 0
    seen: dict[int, int] = {}  # task → pages already counted
    notify(ScanEvent("start", 0, total, pages_total=pages_total))

    def finish(w: _Worker, res: _TaskResult) -> None:
        nonlocal done, pages_done
        task, current = w.task, w.current
        w.task = None
        if pending and w.proc.is_alive():  # keep the worker busy while this result is saved
            w.give(pending.pop(), timeout)
        save(task, res)
        done += 1
        pages_done += max(0, pages.get(task.key, 0) - seen.pop(task.key, 0))
        notify(ScanEvent("done", done, total, task.contract_id, current, res.status, pages_done, pages_total))

    try:
        while pending or any(w.task for w in workers):
            for w in workers:
                if w.task is None and pending:
                    w.give(pending.pop(), timeout)
            busy = [w for w in workers if w.task is not None]
            wait_for = min(w.deadline for w in busy) - time.monotonic()
            ready = connection.wait(
                [w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=max(0.0, min(wait_for, 1.0))
            )
            for i, w in enumerate(workers):
                if w.task is None:
                    continue
                if w.conn in ready:
                    try:
                        kind, _key, payload = w.conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "died", None
                    if kind in ("step", "page"):
                        # The time limit is per document, and per page while OCR reads one.
                        w.current, w.deadline = payload, time.monotonic() + timeout
                        if kind == "page" and seen.get(w.task.key, 0) < pages.get(w.task.key, 0):
                            seen[w.task.key] = seen.get(w.task.key, 0) + 1
                            pages_done += 1
                        if payload:
                            notify(ScanEvent(kind if kind == "page" else "file", done, total, w.task.contract_id,
                                             payload, pages_done=pages_done, pages_total=pages_total))
                        continue
                    if kind == "done":
                        finish(w, payload)
                        continue
                elif w.proc.sentinel not in ready and time.monotonic() < w.deadline:
                    continue
                # The worker hung past its time limit, or died (a crash in a PDF library).
                hung = w.proc.is_alive()
                code = w.proc.exitcode
                w.kill()
                res = _failure_result(w, hung, timeout, code)
                workers[i] = _Worker(ctx)
                finish(w, res)  # w is dead: its next task goes to the replacement
    except BaseException:  # Ctrl-C: the contracts in flight are dropped, the finished ones are committed
        for w in workers:
            w.kill()
        raise
    for w in workers:
        w.stop()


def _task_pages(task: _Task) -> int:
    """Pages a task will read (PDF pages; 1 for another file; 0 for a stored one), for the progress bar."""
    import pypdfium2 as pdfium

    from .ingest.pdf import PDFIUM_LOCK

    n = 0
    for abs_path, rel in task.files:
        if rel in task.reuse or task.stored_error is not None:
            continue
        if not abs_path.lower().endswith(".pdf"):
            n += 1
            continue
        try:
            with PDFIUM_LOCK:
                pdf = pdfium.PdfDocument(abs_path, password=task.ingest.password if task.ingest else None)
                n += len(pdf)
                pdf.close()
        except Exception:  # noqa: BLE001 — unreadable here is the worker's to report; one unit on the bar
            n += 1
    return n


def _failure_result(w: _Worker, hung: bool, timeout: float, exitcode: int | None) -> _TaskResult:
    """The result recorded for a contract whose worker hung (error code ``timeout``) or died."""
    from datetime import date

    from .checker import AUTO, CheckOptions, shared_checker
    from .report import render_report

    task = w.task
    if not hung:
        msg = f"処理中のワーカーが終了しました（終了コード {exitcode}） / the worker process died (exit code {exitcode})"
        return _TaskResult("failed", None, None, {}, None, None, ("", msg, w.current), 0)
    where = w.current or "判定 / judgment"
    err = _stored_document_error(
        ErrorCode.TIMEOUT.value,
        f"{timeout:g} 秒の時間制限を超えました（{where}） / exceeded the per-document time limit of {timeout:g} s",
        w.current or (task.files[0][1] if task.files else ""),
    )
    signed = task.meta.get("signed_on")
    options = CheckOptions(
        reference=task.meta.get("reference") or AUTO, contract_type=task.meta.get("type"),
        signed_on=date.fromisoformat(signed) if signed else None, contract_id=task.contract_id,
        given_by="manifest", strict=False,
    )
    report = shared_checker(task.library_dirs).analyze_documents(err, [rel for _, rel in task.files], options).report
    return _TaskResult(
        "error", report, [], {}, render_report(report, "json"),
        render_report(report, "html") if task.render else None, None, 0,
    )


# ---------------------------------------------------------------- terminal progress


def console_progress(stream: TextIO = sys.stderr) -> Callable[[ScanEvent], None]:
    """A progress bar (tqdm: counts, current file, ETA) on a TTY; one plain line per contract otherwise."""
    if stream.isatty():
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: workers are forked
        bar: list = []

        def on_event(e: ScanEvent) -> None:
            # With --ocr the bar counts pages (seconds each), otherwise contracts.
            if e.kind == "start":
                pages = e.pages_total > 0
                bar.append(tqdm(total=e.pages_total if pages else e.total, file=stream,
                                unit="ページ" if pages else "件", dynamic_ncols=True))
                bar.append(pages)
            elif e.kind in ("file", "page"):
                if bar[1]:
                    bar[0].n = e.pages_done
                bar[0].set_postfix_str(e.path[-40:], refresh=True)
            elif e.kind == "done":
                if bar[1]:
                    bar[0].n = e.pages_done
                    bar[0].refresh()
                else:
                    bar[0].update(1)
                if e.done == e.total:
                    bar[0].close()

        return on_event

    def on_line(e: ScanEvent) -> None:
        if e.kind == "done":
            print(f"[{e.done}/{e.total}] {e.contract_id}: {e.status}", file=stream, flush=True)

    return on_line
