"""tokki scan on Dask distributed beside the local engine: overhead, scaling, batch size, and the
arithmetic of a national-scale audit.

    python3 benchmarks/bench_dask.py [--count 200] [--batches 5,20,50]

On a generated archive (``bench_scan.generate``: contracts of 3–15 pages, PDF, DOCX and text in
turn) it times cold scans with the same number of processes: the local engine with 1 and 2
workers, Dask with a LocalCluster of 1 and 2 workers started by the scan (what ``tokki scan
--engine dask`` does) and on a cluster already running (``--scheduler``; its workers' Checkers built by an untimed scan first), and Dask with 2
workers at several batch sizes. Then it turns the measured cost per contract into the workers a
national audit needs. Timings are printed, never asserted in tests. Needs the test and dask
extras: pip install -e '.[test,dask]'.
"""
from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_scan import generate  # noqa: E402  (reportlab, from the test extra; it says so when missing)

from analyzer.scan import scan_archive  # noqa: E402


def timed(root: Path, work: Path, name: str, **kw) -> float:
    t = time.perf_counter()
    result = scan_archive(root, db=work / f"{name}.sqlite", out=None, **kw)
    elapsed = time.perf_counter() - t
    if result.statuses["failed"]:
        sys.exit(f"{name}: {result.statuses['failed']} contracts failed")
    return elapsed


def warm_up(cluster, root: Path, work: Path) -> None:
    """A running cluster has built its Checkers before (the plugin stays): build them, untimed."""
    from analyzer.scan.dask_engine import DaskEngine

    one = work / "one"
    shutil.rmtree(one, ignore_errors=True)
    one.mkdir()
    first = sorted(root.iterdir())[0]
    shutil.copy(first, one / first.name)
    scan_archive(one, db=work / "warm.sqlite", out=None, engine=DaskEngine(1, 60.0, scheduler=cluster.scheduler_address))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--batches", default="5,20,50", help="batch sizes to try with 2 workers")
    args = ap.parse_args()
    try:
        import dask
        from distributed import LocalCluster

        from analyzer.scan.dask_engine import LOCAL_CLUSTER_CONFIG, DaskEngine
    except ModuleNotFoundError as exc:
        sys.exit(f"{exc.name} がありません / {exc.name} is not installed: pip install -e '.[dask]'")
    work = Path(tempfile.mkdtemp(prefix="bench_dask."))
    try:
        root = work / "archive"
        pages = generate(root, args.count)
        print(f"archive: {args.count} contracts, {pages} pages")
        rows = []
        for jobs in (1, 2):
            local = timed(root, work, f"local{jobs}", jobs=jobs)
            started = timed(root, work, f"dask{jobs}", engine=DaskEngine(jobs, 60.0))
            with dask.config.set(LOCAL_CLUSTER_CONFIG), LocalCluster(n_workers=jobs, threads_per_worker=1,
                                                                 dashboard_address=None, silence_logs=40) as cluster:
                warm_up(cluster, root, work)
                running = timed(root, work, f"running{jobs}", engine=DaskEngine(jobs, 60.0, scheduler=cluster.scheduler_address))
            rows.append((jobs, local, started, running))
        print("\n| workers | local engine | dask, cluster started by the scan | dask, cluster running | per contract (dask, running) |")
        print("|---|---|---|---|---|")
        for jobs, local, started, running in rows:
            print(f"| {jobs} | {local:.1f} s | {started:.1f} s ({started / local - 1:+.0%}) | {running:.1f} s "
                  f"({running / local - 1:+.0%}) | {running * jobs / args.count * 1000:.0f} ms·worker |")
        print(f"\nscaling 1 → 2 workers: local {rows[0][1] / rows[1][1]:.2f}×, dask (running) {rows[0][3] / rows[1][3]:.2f}×")
        print("\n| batch (contracts) | dask, 2 workers, cluster running |\n|---|---|")
        with dask.config.set(LOCAL_CLUSTER_CONFIG), LocalCluster(n_workers=2, threads_per_worker=1,
                                                                 dashboard_address=None, silence_logs=40) as cluster:
            warm_up(cluster, root, work)
            for size in (int(b) for b in args.batches.split(",")):
                t = timed(root, work, f"batch{size}", engine=DaskEngine(2, 60.0, scheduler=cluster.scheduler_address, batch=size))
                print(f"| {size} | {t:.1f} s |")
        per_contract = rows[1][3] * 2 / args.count  # worker-seconds per contract, 2 workers, running cluster
        print(f"\nnational scale at {per_contract:.2f} worker-seconds per contract (these contracts, this machine):")
        for contracts in (100_000, 1_000_000):
            for hours in (8, 72):
                workers = math.ceil(contracts * per_contract / (hours * 3600))
                print(f"  {contracts:>9,} contracts in {hours:>2} h: {workers:,} worker processes "
                      f"({contracts * per_contract / 3600:,.0f} worker-hours)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
