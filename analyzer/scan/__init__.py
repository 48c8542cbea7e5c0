"""Scan: an archive folder → every contract checked into the SQLite store, as plan → engine → sink.

Input: a folder laid out as ``analyzer.archive`` reads it. ``plan`` compares it with the store
and gives the contract tasks; an engine (``engine.LocalProcessEngine``: worker processes, one
Checker each) runs them and yields each result; the ``sink`` alone writes the reports and the
store; the summaries (``analyzer.report.summary``) follow. Incremental: a contract whose files
(by SHA-256) and metadata are unchanged is not read again; after a reference change it is
re-judged from its stored text. Resumable: every finished contract is committed at once, so an
interrupted scan loses only the contracts in flight.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..archive import read_archive
from ..errors import OutputError, UsageError
from ..files import ensure_writable
from ..ingest import IngestOptions
from ..outputs import DEFAULT_OUT, summaries_exist
from ..match import forms_made_with
from ..references import load_reference_library, resolve_reference
from ..settings import default_settings
from ..report.summary import write_summaries
from ..store import DEFAULT_DB, Store
from ..version import __version__
from .engine import Engine, LocalProcessEngine, ScanEvent
from .plan import plan_scan, reference_fingerprint
from .sink import Sink
from .tasks import STATUSES

__all__ = ["DEFAULT_TIMEOUT", "STATUSES", "ScanEvent", "ScanResult", "console_progress", "scan_archive"]

# Per-document time limit (seconds): a 15-page PDF takes well under a second to
# read and judge (benchmarks/bench_scan.py); a minute means the reader is stuck.
DEFAULT_TIMEOUT = 60.0


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
    engine: Engine | None = None,
) -> ScanResult:
    """Check every contract of the archive at ``root`` into the store ``db``.

    ``jobs`` worker processes (default: all cores); ``timeout`` seconds per
    document, after which the worker is killed and the contract recorded with
    error code ``timeout``. ``engine``: where the tasks run (default
    ``LocalProcessEngine(jobs, timeout)``). ``out`` receives the per-contract reports and the
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
    library_dirs = tuple(Path(p) for p in library_dirs)
    if reference and reference != "auto":  # an unknown --reference is the user's mistake: say so before reading
        resolve_reference(load_reference_library(list(library_dirs)), reference)
    engine = engine or LocalProcessEngine(jobs or os.cpu_count() or 1, timeout, library_dirs)
    fingerprint, versions = reference_fingerprint(library_dirs)

    with Store(db) as store:
        previous = store.last_scan()
        scan_id = store.begin_scan(str(root.resolve()), __version__, versions, fingerprint)
        result = ScanResult(scan_id, Path(db), out, contracts=len(archive.contracts), skipped=archive.skipped)
        store.set_skipped(archive.skipped)
        result.removed = store.remove_contracts({c.id for c in archive.contracts})
        sink = Sink(store, out, scan_id, fingerprint)
        try:  # Ctrl-C while hashing or judging: what is committed stays, the scan is marked interrupted
            plan = plan_scan(archive, root, store, fingerprint, out=out, library_dirs=library_dirs,
                             ingest=ingest, reference=reference, forms_made_with=forms_made_with(default_settings()))
            sink.unchanged(plan.unchanged)
            result.unchanged, result.analysed, result.rejudged = len(plan.unchanged), plan.analysed, plan.rejudged
            if plan.tasks:
                with contextlib.closing(engine.run(plan.tasks, progress or (lambda _e: None))) as results:
                    for task, res in results:
                        sink.save(plan.planned[task.key], res)
        except KeyboardInterrupt:
            result.interrupted = True
        except OutputError:  # a report or the store could not be written: stop, keep what is committed
            with contextlib.suppress(OutputError):  # the store itself may be what failed
                store.finish_scan(scan_id, "interrupted", {})
            raise
        finally:
            result.statuses, result.pages = sink.statuses, sink.pages
        counts = {"contracts": result.contracts, "analysed": result.analysed,
                  "rejudged": result.rejudged, "unchanged": result.unchanged}
        store.finish_scan(scan_id, "interrupted" if result.interrupted else "complete", counts)
        # The summaries are rewritten unless the store is exactly as the last complete scan left it.
        unchanged_store = (
            previous is not None
            and previous == ("complete", store.last_scan()[1])
            and not (result.analysed or result.rejudged or result.removed)
        )
        if out is not None and not result.interrupted and not (unchanged_store and summaries_exist(out)):
            write_summaries(store, out)
    result.elapsed = time.perf_counter() - started
    return result


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
