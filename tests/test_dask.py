"""tokki scan --engine dask (issue 21): the same scan on Dask distributed.

A LocalCluster of 2 worker processes gives the reports and store of the local engine; a worker
killed mid-scan loses no contract; a contract that kills its worker every time is recorded
against itself alone.
"""
from __future__ import annotations

import gzip
import json
import os
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="the dask extra: pip install -e '.[dask]'")
from contracts import build_annex  # noqa: E402

from analyzer.scan import scan_archive  # noqa: E402
from analyzer.scan.dask_engine import DaskEngine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "corpus.json.gz"


def _rows(db: Path) -> dict[str, list]:
    """What a scan decides, without scan ids and times."""
    con = sqlite3.connect(db)
    try:
        return {
            "contracts": con.execute("SELECT id, files, type, signed_on, input_key, status, reference_id,"
                                     " reference_version, error_code, worst_severity, report FROM contracts ORDER BY id").fetchall(),
            "documents": con.execute("SELECT * FROM documents ORDER BY path").fetchall(),
            "clauses": con.execute("SELECT * FROM clauses ORDER BY contract_id, position").fetchall(),
            "findings": con.execute("SELECT * FROM findings ORDER BY contract_id, position").fetchall(),
        }
    finally:
        con.close()


@pytest.mark.slow
def test_a_local_cluster_gives_the_local_engines_reports_and_store(tmp_path):
    dask = scan_archive(ROOT / "corpus", db=tmp_path / "dask.sqlite", out=tmp_path / "dask",
                        engine=DaskEngine(2, 60.0))
    assert dask.contracts == 84 and dask.statuses["failed"] == 0
    golden = json.loads(gzip.decompress(GOLDEN.read_bytes()))["reports"]
    reports = {p.stem: json.loads(p.read_text("utf-8")) for p in (tmp_path / "dask" / "contracts").glob("*.json")}
    assert reports == golden  # the sample corpus's reports, as the local engine makes them
    scan_archive(ROOT / "corpus", db=tmp_path / "local.sqlite", out=None, jobs=2)
    assert _rows(tmp_path / "dask.sqlite") == _rows(tmp_path / "local.sqlite")


def _small_archive(root: Path, n: int = 6) -> Path:
    root.mkdir()
    for i in range(n):
        (root / f"R06-{i:03d}.txt").write_text(build_annex(old=i % 2 == 0), "utf-8")
    return root


def test_a_worker_killed_mid_scan_loses_no_contract(tmp_path):
    archive = _small_archive(tmp_path / "archive", 8)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster:
        with distributed.Client(cluster) as client:
            pids = client.run(os.getpid)
        killed = threading.Event()

        def kill_one(event) -> None:
            if event.kind == "done" and not killed.is_set():  # a batch is back: the others are under way
                killed.set()
                os.kill(next(iter(pids.values())), 9)

        result = scan_archive(archive, db=tmp_path / "t.sqlite", out=None, progress=kill_one,
                              engine=DaskEngine(2, 60.0, scheduler=cluster.scheduler_address, batch=1))
    assert killed.is_set()
    assert result.contracts == 8 and result.statuses["failed"] == 0
    assert sorted(result.statuses.elements()) == ["findings"] * 4 + ["ok"] * 4


class _Poison(distributed.WorkerPlugin):
    """Makes every worker die on the contract R06-POISON (a file that crashes a PDF library, say)."""

    def setup(self, worker) -> None:
        import analyzer.scan.dask_engine as engine

        real = engine.run_task

        def run_task(task, *args, **kw):
            if task.contract_id == "R06-POISON":
                os._exit(1)
            return real(task, *args, **kw)

        engine.run_task = run_task


def test_a_contract_that_kills_its_worker_is_recorded_alone(tmp_path):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the plugin travels by value
    archive = _small_archive(tmp_path / "archive", 5)
    (archive / "R06-POISON.txt").write_text(build_annex(), "utf-8")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=50) as cluster:
        with distributed.Client(cluster) as client:
            client.register_plugin(_Poison())  # kept by the scheduler for every worker, restarted ones too
        result = scan_archive(archive, db=tmp_path / "t.sqlite", out=None,
                              engine=DaskEngine(2, 60.0, scheduler=cluster.scheduler_address, batch=3, retries=1))
    con = sqlite3.connect(tmp_path / "t.sqlite")
    statuses = dict(con.execute("SELECT id, status FROM contracts"))
    message = con.execute("SELECT error_message FROM contracts WHERE id = 'R06-POISON'").fetchone()[0]
    con.close()
    assert statuses.pop("R06-POISON") == "failed" and "ワーカーが失われました" in message
    assert sorted(statuses.values()) == ["findings"] * 3 + ["ok"] * 2
    assert result.statuses["failed"] == 1


def test_ship_files_sends_the_bytes(tmp_path):
    archive = _small_archive(tmp_path / "archive", 4)
    shipped = scan_archive(archive, db=tmp_path / "ship.sqlite", out=tmp_path / "ship",
                           engine=DaskEngine(2, 60.0, ship_files=True))
    local = scan_archive(archive, db=tmp_path / "local.sqlite", out=tmp_path / "local", jobs=1)
    assert shipped.statuses == local.statuses
    for p in (tmp_path / "local" / "contracts").glob("*.json"):
        assert (tmp_path / "ship" / "contracts" / p.name).read_text("utf-8") == p.read_text("utf-8")


def test_dask_options_go_with_the_dask_engine(tmp_path, capsys):
    from analyzer.cli import main

    archive = _small_archive(tmp_path / "archive", 1)
    assert main(["scan", str(archive), "--db", str(tmp_path / "t.sqlite"), "--scheduler", "tcp://10.0.0.5:8786"]) == 2
    assert "--engine dask" in capsys.readouterr().err
    assert not (tmp_path / "t.sqlite").exists()  # refused before anything was read or written


class _Hang(distributed.WorkerPlugin):
    """Makes every worker hang inside one call on the contract R06-HANG (no file or page boundary)."""

    def setup(self, worker) -> None:
        import time

        import analyzer.scan.dask_engine as engine

        real = engine.run_task

        def run_task(task, *args, **kw):
            if task.contract_id == "R06-HANG":
                time.sleep(600)
            return real(task, *args, **kw)

        engine.run_task = run_task


def test_a_contract_that_hangs_is_a_timeout_and_the_scan_goes_on(tmp_path):
    import cloudpickle
    import dask

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    archive = _small_archive(tmp_path / "archive", 3)
    (archive / "R06-HANG.txt").write_text(build_annex(), "utf-8")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=50) as cluster:
        with distributed.Client(cluster) as client:
            client.register_plugin(_Hang())
        result = scan_archive(archive, db=tmp_path / "t.sqlite", out=None,
                              engine=DaskEngine(2, 1.0, scheduler=cluster.scheduler_address, batch=2, retries=0))
    con = sqlite3.connect(tmp_path / "t.sqlite")
    rows = {r[0]: r[1:] for r in con.execute("SELECT id, status, error_code FROM contracts")}
    con.close()
    assert rows.pop("R06-HANG") == ("error", "timeout")
    assert sorted(status for status, _ in rows.values()) == ["findings", "findings", "ok"]
    assert result.contracts == 4
