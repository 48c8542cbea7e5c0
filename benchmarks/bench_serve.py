"""Load on tokki serve: concurrent uploads to POST /api/check on 127.0.0.1, bounded and self-stopping.

    python3 benchmarks/bench_serve.py [--clients 8] [--requests 20]

Starts ``tokki serve`` (uvicorn) on a free port of 127.0.0.1 in a child process, then ``--clients``
threads each upload ``--requests`` drafts (a Word annex with the pre-2023 第15/第16, and a text
contract, alternately) and check each answer against the one-at-a-time answer for that file.
Prints the median and 95th percentile time per check, checks per second and the errors (none
expected), then stops the server. Needs the test and serve extras: pip install -e '.[test,serve]'.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
try:  # tests/builders.py needs reportlab; httpx is the client: both from the test extra
    import httpx
    from builders import write_docx
except ModuleNotFoundError as exc:
    sys.exit(f"{exc.name} がありません / {exc.name} is not installed: pip install -e '.[test]'")
from contracts import build_annex, embedded_contract  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=20, help="per client")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_serve.") as tmp:
        docx = Path(tmp) / "R06-015_特記事項.docx"
        write_docx(docx, build_annex(old=True).split("\n"))
        txt = Path(tmp) / "R06-016_契約書.txt"
        txt.write_text(embedded_contract(old=True), "utf-8")
        drafts = [(p.name, p.read_bytes()) for p in (docx, txt)]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "analyzer", "serve", "--port", str(port), "--db", str(Path(tmp) / "none.sqlite")],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base + "/", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        sys.exit("tokki serve did not start")
                    time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=120) as client:
                expected = [client.post("/api/check", files={"files": d}).json() for d in drafts]

            def run(k: int) -> tuple[list[float], list[str]]:
                times, errors = [], []
                with httpx.Client(base_url=base, timeout=120) as client:
                    for i in range(args.requests):
                        n = (k + i) % len(drafts)
                        t = time.perf_counter()
                        r = client.post("/api/check", files={"files": drafts[n]})
                        times.append(time.perf_counter() - t)
                        if r.status_code != 200:
                            errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
                        elif r.json() != expected[n]:
                            errors.append(f"{drafts[n][0]}: a different report than one at a time")
                return times, errors

            start = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                results = list(pool.map(run, range(args.clients)))
            wall = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=30)
    times = sorted(t for ts, _ in results for t in ts)
    errors = [e for _, es in results for e in es]
    n = len(times)
    print(f"{args.clients} clients × {args.requests} checks = {n} checks in {wall:.1f} s "
          f"({n / wall:.1f} checks/s, 2 cores)")
    print(f"time per check: median {statistics.median(times):.2f} s, "
          f"95th percentile {times[int(0.95 * (n - 1))]:.2f} s, max {times[-1]:.2f} s")
    print(f"errors: {len(errors)}")
    for e in errors[:10]:
        print("  " + e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
