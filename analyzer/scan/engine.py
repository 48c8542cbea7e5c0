"""Engines run scan tasks and yield their results; the scan does not care where they run.

An ``Engine`` takes the planned tasks and a progress callback and yields ``(task, result)`` as
each contract finishes, in any order. A contract that fails — its worker hung past the time
limit, died, or hit a bug — is a result of its own (status ``error`` or ``failed``), never a
failed scan. Each worker judges with one Checker of its own, built once.

``LocalProcessEngine`` runs ``jobs`` worker processes on this machine (forked from a parent
that built the Checker, so they share its reference forms, topic model and Sudachi
dictionary); a distributed engine implements the same protocol.
"""
from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing import connection, get_all_start_methods, get_context
from pathlib import Path
from typing import Protocol

from ..checker import shared_checker
from .tasks import ContractTask, TaskResult, crashed_result, failure_result, run_task


@dataclass(frozen=True)
class ScanEvent:
    """Progress of a scan, for a progress bar: ``kind`` is "start", "file", "page" or "done"."""

    kind: str  # "page": a page read by OCR (scan --ocr)
    done: int
    total: int
    contract_id: str = ""
    path: str = ""
    status: str = ""
    # With --ocr the bar counts pages (OCR is the cost): pages read so far and in all.
    pages_done: int = 0
    pages_total: int = 0


Notify = Callable[[ScanEvent], None]


class Engine(Protocol):
    def run(self, tasks: Sequence[ContractTask], notify: Notify) -> Iterator[tuple[ContractTask, TaskResult]]:
        """Run every task; yield each with its result as it finishes."""
        ...


def _pool_context():
    # fork shares the parent's Checker (reference forms, topic model, Sudachi dictionary) with every worker.
    return get_context("fork" if "fork" in get_all_start_methods() else "spawn")


def _worker_main(conn: connection.Connection, library_dirs: tuple[Path, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # One BLAS thread per worker: the workers are the parallelism. Measured: with numpy's
    # default thread pool two workers were no faster than one (its threads spin between calls).
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    checker = shared_checker(library_dirs)  # the parent's, when forked; built once otherwise
    while True:
        task = conn.recv()
        if task is None:
            return
        try:
            result = run_task(
                task, checker, lambda path: conn.send(("step", task.key, path)),
                lambda what: conn.send(("page", task.key, what)),
            )
        except Exception as exc:  # a bug must not stop the scan: record it against this contract
            result = crashed_result(exc)
        conn.send(("done", task.key, result))


class _Worker:
    def __init__(self, ctx, library_dirs: tuple[Path, ...]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, library_dirs), daemon=True)
        self.proc.start()
        child.close()
        self.task: ContractTask | None = None
        self.current = ""
        self.deadline = 0.0

    def give(self, task: ContractTask, timeout: float) -> None:
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


class LocalProcessEngine:
    """``jobs`` worker processes; a worker past its time limit (per document, and per page while OCR
    reads one) is killed and replaced, its contract recorded with error code ``timeout``."""

    def __init__(self, jobs: int, timeout: float, library_dirs: Sequence[Path] = ()):
        self.jobs, self.timeout = max(1, jobs), timeout
        self.library_dirs = tuple(Path(p) for p in library_dirs)

    def run(self, tasks: Sequence[ContractTask], notify: Notify) -> Iterator[tuple[ContractTask, TaskResult]]:
        # Built before forking (its reference forms load the Sudachi dictionary): the workers share it.
        checker = shared_checker(self.library_dirs)
        timeout = self.timeout
        ctx = _pool_context()
        total, done = len(tasks), 0
        pending = list(reversed(tasks))
        workers = [_Worker(ctx, self.library_dirs) for _ in range(min(self.jobs, total))]
        ocr = any(t.ingest is not None and t.ingest.ocr for t in tasks)
        pages = {t.key: task_pages(t) for t in tasks} if ocr else {}
        pages_total, pages_done = sum(pages.values()), 0
        seen: dict[int, int] = {}  # task → pages already counted
        notify(ScanEvent("start", 0, total, pages_total=pages_total))

        def finished(w: _Worker, res: TaskResult) -> tuple[ContractTask, TaskResult, ScanEvent]:
            nonlocal done, pages_done
            task, current = w.task, w.current
            w.task = None
            if pending and w.proc.is_alive():  # keep the worker busy while this result is saved
                w.give(pending.pop(), timeout)
            done += 1
            pages_done += max(0, pages.get(task.key, 0) - seen.pop(task.key, 0))
            return task, res, ScanEvent("done", done, total, task.contract_id, current, res.status, pages_done, pages_total)

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
                            task, res, event = finished(w, payload)
                            yield task, res  # the caller saves it; then "done" is announced
                            notify(event)
                            continue
                    elif w.proc.sentinel not in ready and time.monotonic() < w.deadline:
                        continue
                    # The worker hung past its time limit, or died (a crash in a PDF library).
                    hung = w.proc.is_alive()
                    code = w.proc.exitcode
                    w.kill()
                    res = failure_result(w.task, checker, hung=hung, timeout=timeout, exitcode=code, current=w.current)
                    workers[i] = _Worker(ctx, self.library_dirs)
                    task, res, event = finished(w, res)  # w is dead: its next task goes to the replacement
                    yield task, res
                    notify(event)
        except BaseException:  # Ctrl-C, or the sink failed: the contracts in flight are dropped
            for w in workers:
                w.kill()
            raise
        for w in workers:
            w.stop()


def task_pages(task: ContractTask) -> int:
    """Pages a task will read (PDF pages; 1 for another file; 0 for a stored one), for the progress bar."""
    import pypdfium2 as pdfium

    from ..ingest.pdfium import PDFIUM_LOCK

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
