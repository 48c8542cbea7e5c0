"""Speed of the core on the sample corpus, this code beside an earlier commit, same files, one run (issue 19).

    python3 benchmarks/bench_core.py [--before 2a7b33e] [--runs 3]

Measures, for each code (the working tree, and ``--before`` checked out in a temporary git
worktree), in a fresh process each:

- the floor: text extraction alone of every file of ``corpus/`` (pypdfium2 text of each PDF
  page, the DOCX XML's text, the bytes of a text file), one process;
- a cold scan of ``corpus/`` with one worker (store and every report written);
- a rescan with nothing changed;
- a re-judge after a reference change (a new version of fukuoka-pref in a --library folder);
- ``tokki check`` of a 15-page PDF (a contract body with the 特記事項 as 第20条–第38条), wall
  clock including start-up.

Medians of ``--runs``. Timings are printed, never asserted in tests. Needs reportlab (the
15-page PDF), from the test extra: pip install -e '.[test]'.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_scan import (  # noqa: E402  (needs reportlab, from the test extra)
    CHARS_PER_LINE, LINES_PER_PAGE, contract_lines, extraction_floor, new_reference_version, write_pdf,
)


def measure(work: Path) -> dict:
    """One code's figures (run in a process whose ``analyzer`` is that code)."""
    import analyzer
    from analyzer.scan import scan_archive

    def scan(**kw) -> float:
        t = time.perf_counter()
        scan_archive(CORPUS, db=work / "t.sqlite", out=work / "out", jobs=1, **kw)
        return time.perf_counter() - t

    floor = extraction_floor(CORPUS)
    cold = scan()
    rescan = scan()
    lib = work / "lib"
    new_reference_version(lib)
    rejudge = scan(library_dirs=[lib])
    return {"floor": floor, "cold": cold, "rescan": rescan, "rejudge": rejudge, "code": analyzer.__file__}


def fifteen_page_pdf(path: Path) -> None:
    write_pdf(path, contract_lines(1, 15), lines_per_page=LINES_PER_PAGE, chars_per_line=CHARS_PER_LINE)


def run_code(tree: Path, runs: int, pdf: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out: dict[str, list[float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench_core.") as work:
            proc = subprocess.run([sys.executable, __file__, "--measure", work], env=env, capture_output=True,
                                  text=True, check=True, cwd=tree)
            figures = json.loads(proc.stdout.strip().splitlines()[-1])
            if not Path(figures.pop("code")).resolve().is_relative_to(tree.resolve()):
                sys.exit(f"the measured process did not import the code in {tree}")
            for k, v in figures.items():
                out.setdefault(k, []).append(v)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "analyzer", "check", str(pdf)], env=env, capture_output=True,
                              text=True, cwd=tree, check=False)
        out.setdefault("check", []).append(time.perf_counter() - t)
        if proc.returncode not in (0, 1):
            sys.exit(f"tokki check exited {proc.returncode}: {proc.stderr.strip()}")
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", help="an earlier commit to measure beside the working tree")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench_core."))
    try:
        pdf = tmp / "fifteen.pdf"
        fifteen_page_pdf(pdf)
        codes = {"this code": ROOT}
        if args.before:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tmp / "before"), args.before],
                           check=True, capture_output=True)
            codes = {f"before ({args.before})": tmp / "before", **codes}
        results = {name: run_code(tree, args.runs, pdf) for name, tree in codes.items()}
        n = sum(1 for p in CORPUS.iterdir() if p.is_dir() or p.suffix in (".pdf", ".docx", ".txt", ".doc"))
        print(f"\n| sample corpus ({n} contracts), median of {args.runs} | " + " | ".join(results) + " | target |")
        print("|---|" + "---|" * len(results) + "---|")
        rows = (
            ("text extraction alone (floor)", "floor", None, ""),
            ("cold scan, 1 worker", "cold", "floor", "≤ 3× floor"),
            ("rescan, nothing changed", "rescan", "cold", "≤ 5 % of cold"),
            ("re-judge after a reference change", "rejudge", "cold", "≤ 25 % of cold"),
            ("`tokki check` of a 15-page PDF, incl. start-up", "check", None, "≤ 1.5 s"),
        )
        for label, key, base, target in rows:
            cells = []
            for r in results.values():
                cell = f"{r[key]:.2f} s"
                if base == "floor":
                    cell += f" ({r[key] / r[base]:.1f}×)"
                elif base:
                    cell += f" ({r[key] / r[base]:.0%})"
                cells.append(cell)
            print(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    finally:
        if args.before:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tmp / "before")],
                           capture_output=True, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
