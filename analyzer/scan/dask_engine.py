"""The scan on Dask distributed (``tokki scan --engine dask``): the same tasks, run on a cluster.

``DaskEngine`` implements the scan's ``Engine`` protocol. It connects to a scheduler
(``--scheduler tcp://host:8786``) or starts a ``LocalCluster`` of ``jobs`` worker processes, and
submits the planned contracts in batches. On each worker a plugin builds one Checker, once
(library, topic model, Sudachi); a batch judges its contracts there with ``run_task``, as a local
worker does, and returns their results. The client gathers them with ``as_completed`` and the
scan's sink alone writes the reports and the store: nothing in the cluster writes.

Failures stay per contract. A batch whose worker dies is retried on another worker; when that
also fails (``retries`` spent) its contracts are run one batch each, so only the contract that
kills its worker is recorded (``failed``). The per-document time limit is checked before each
file and each OCR page (a worker here is not a process of our own to kill): a contract past it
is recorded as ``timeout`` and the batch goes on.

Files reach workers by their path, which must be the same on every worker (a shared NFS or SMB
mount), or, with ``ship_files``, as bytes inside the batch (small archives), written to a
temporary folder on the worker and removed after the batch.
"""
from __future__ import annotations

import math
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import dask
from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from ..checker import shared_checker
from .engine import Notify, ScanEvent
from .tasks import ContractTask, TaskResult, crashed_result, failure_result, lost_result, run_task

# Contracts per batch: enough per round trip that scheduling costs little, few enough that every
# worker gets several batches (the last ones finish together) — see benchmarks/bench_dask.py.
MAX_BATCH = 100
BATCHES_PER_WORKER = 16
RETRIES = 2  # a batch whose worker is lost runs again elsewhere this many times
WATCH_EVERY = 0.2  # seconds between looks at the running batches
# The LocalCluster a scan starts: no statistical profiler sampling every worker's stack (its cost
# showed on 2 cores; a cluster of one's own can set the same in its dask config).
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False}


class _TimeUp(Exception):
    """A contract passed its time limit (raised from run_task's step/page callbacks)."""


def run_batch(tasks: Sequence[ContractTask], timeout: float, library_dirs: tuple[Path, ...],
              shipped: dict[str, bytes] | None = None) -> list[TaskResult]:
    """Judge a batch of contracts on a worker with its Checker (built once per worker process)."""
    checker = shared_checker(library_dirs)
    folder = Path(tempfile.mkdtemp(prefix="tokki-dask-")) if shipped else None
    try:
        if shipped:
            tasks = [_localised(t, shipped, folder) for t in tasks]
        return [_run_one(task, checker, timeout) for task in tasks]
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _run_one(task: ContractTask, checker, timeout: float) -> TaskResult:
    deadline = [time.monotonic() + timeout]
    current = [""]

    def tick(what: str) -> None:
        if time.monotonic() > deadline[0]:
            raise _TimeUp
        current[0] = what or current[0]
        deadline[0] = time.monotonic() + timeout  # per document, and per page while OCR reads one

    try:
        return run_task(task, checker, tick, tick)
    except _TimeUp:
        return failure_result(task, checker, hung=True, timeout=timeout, exitcode=None, current=current[0])
    except Exception as exc:  # a bug must not stop the scan: recorded against this contract
        return crashed_result(exc)


def _localised(task: ContractTask, shipped: dict[str, bytes], folder: Path) -> ContractTask:
    """The task with its shipped files written under ``folder`` (names kept: readers sniff suffixes)."""
    files = []
    for i, (abs_path, rel) in enumerate(task.files):
        if abs_path in shipped:
            local = folder / f"{task.key}-{i}" / Path(abs_path).name
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(shipped[abs_path])
            abs_path = str(local)
        files.append((abs_path, rel))
    return replace(task, files=tuple(files))


class CheckerPlugin(WorkerPlugin):
    """Builds the worker's Checker when it starts, so the first batch does not pay for it."""

    name = "tokki-checker"

    def __init__(self, library_dirs: tuple[Path, ...]):
        self.library_dirs = library_dirs

    def setup(self, worker) -> None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # one BLAS thread: the workers are the parallelism (as the local engine)
        shared_checker(self.library_dirs)


def batch_size(contracts: int, workers: int) -> int:
    return max(1, min(MAX_BATCH, math.ceil(contracts / (max(1, workers) * BATCHES_PER_WORKER))))


class DaskEngine:
    """Run the scan's tasks on Dask distributed; see the module docstring."""

    def __init__(self, jobs: int, timeout: float, library_dirs: Sequence[Path] = (), *,
                 scheduler: str | None = None, ship_files: bool = False, batch: int | None = None,
                 retries: int = RETRIES):
        self.jobs, self.timeout = max(1, jobs), timeout
        self.library_dirs = tuple(Path(p) for p in library_dirs)
        self.scheduler, self.ship_files, self.batch, self.retries = scheduler, ship_files, batch, retries

    def _client(self):
        if self.scheduler:
            return Client(self.scheduler, set_as_default=False), None
        with dask.config.set(LOCAL_CLUSTER_CONFIG):
            cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
        return Client(cluster, set_as_default=False), cluster

    def run(self, tasks: Sequence[ContractTask], notify: Notify) -> Iterator[tuple[ContractTask, TaskResult]]:
        client, cluster = self._client()
        submitted: dict = {}  # future → its batch, while it runs
        try:
            with client.as_current():  # this client, not another one of the process
                client.register_plugin(CheckerPlugin(self.library_dirs))
                yield from self._gather(client, tasks, notify, submitted)
        except BaseException:  # Ctrl-C, or the sink failed: what is in flight is dropped
            client.cancel(list(submitted))
            raise
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _gather(self, client, tasks: Sequence[ContractTask], notify: Notify, submitted: dict):
        workers = max(1, len(client.scheduler_info()["workers"]))
        size = self.batch or batch_size(len(tasks), workers)
        run_id = uuid.uuid4().hex[:8]

        def submit(batch: Sequence[ContractTask], name: str, retries: int):
            shipped = self._read_files(batch) if self.ship_files else None
            future = client.submit(run_batch, list(batch), self.timeout, self.library_dirs, shipped,
                                   key=f"tokki-{run_id}-{name}", retries=retries, pure=False)
            submitted[future] = batch
            return future

        total, done = len(tasks), 0
        notify(ScanEvent("start", 0, total))
        pending = as_completed([submit(tasks[i : i + size], str(i), self.retries) for i in range(0, total, size)])
        watch = _Watchdog(client, self.timeout)
        while not pending.is_empty():
            finished = pending.next_batch(block=False)
            if not finished:
                watch.check(submitted)  # a batch stuck inside one call: restart its worker
                time.sleep(WATCH_EVERY)
                continue
            for future in finished:
                if future.status not in ("finished", "error", "cancelled"):  # lost with its worker: computed again
                    pending.add(future)
                    continue
                batch = submitted.pop(future)
                if future.status != "finished" and len(batch) > 1:
                    # The batch kept losing its worker: run its contracts one by one to find the one that does it.
                    for task in batch:
                        pending.add(submit([task], f"single-{task.key}", 0))
                    continue
                if future.status == "finished":
                    results = future.result()
                elif future.key in watch.stuck:  # hung past the time limit each time it ran
                    results = [failure_result(batch[0], shared_checker(self.library_dirs), hung=True,
                                              timeout=self.timeout, exitcode=None, current="")]
                else:
                    results = [lost_result(f"{type(future.exception()).__name__}: {future.exception()}")]
                for task, res in zip(batch, results):
                    done += 1
                    yield task, res
                    notify(ScanEvent("done", done, total, task.contract_id, "", res.status))


    @staticmethod
    def _read_files(batch: Sequence[ContractTask]) -> dict[str, bytes]:
        """The batch's files to read on the workers (not those whose stored text is reused)."""
        out = {}
        for task in batch:
            for abs_path, rel in task.files:
                if rel in task.reuse or task.stored_error is not None:
                    continue
                try:
                    out[abs_path] = Path(abs_path).read_bytes()
                except OSError:
                    pass  # the worker reports the file it cannot find (error code corrupt)
        return out


class _Watchdog:
    """Restarts a worker whose batch has run longer than its time allows. Inside a batch the limit is
    checked before each file and page; this catches a contract stuck inside a single call (a PDF
    library in a loop), which only a restart of its worker stops. The batch then runs again
    (retries), is split, and the contract that hangs each time is recorded as ``timeout``."""

    def __init__(self, client, timeout: float):
        self.client, self.timeout = client, timeout
        self.running_since: dict[str, float] = {}
        self.stuck: set[str] = set()  # keys of batches whose worker was restarted for them

    def check(self, submitted: dict) -> None:
        now = time.monotonic()
        files = {f.key: sum(len(t.files) for t in batch) for f, batch in submitted.items()}
        running = {key: worker for worker, keys in self.client.processing().items() for key in keys}
        for key in list(self.running_since):
            if key not in running:
                del self.running_since[key]
        for key, worker in running.items():
            if key not in files:
                continue
            started = self.running_since.setdefault(key, now)
            if now - started > self.timeout * (files[key] + 1):
                self.stuck.add(key)
                del self.running_since[key]
                self.client.restart_workers([worker], raise_for_error=False)
