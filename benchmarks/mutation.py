"""Mutation testing of the judge and the report writers (issue 14 item 6).

    python3 -m venv --system-site-packages /tmp/mutvenv        # mutmut wants a newer libcst
    /tmp/mutvenv/bin/pip install 'mutmut>=3.8,<4'               # = the `mutation` extra
    /tmp/mutvenv/bin/python benchmarks/mutation.py --scale 3 --survivors S.txt --figures F.txt
    # ~340 mutants, 16-25 min on 2 cores; --scale 1: ~115 mutants, 9-18 min; --scale 0: every mutant (hours)

Tool: mutmut 3. It rewrites each function of the target modules into a trampoline
that runs the original or one mutant, records which tests call which function
(one run of the suite), then runs each mutant in a process forked from one that
has already imported everything, with only the tests that call the mutated
function, stopping at the first failure (-x). A mutant is *killed* when a test
fails, *survived* when they all pass, *no tests* when no test calls the function
(counted as surviving), *timeout* when the tests use more than mutmut's CPU-time
limit (counted apart, as are *suspicious* and *segfault*).

Targets: analyzer/judge.py, analyzer/report/text.py, html.py, json.py (the
per-contract report writers) and analyzer/report/summary.py (archive summary).
Tests: the whole suite of the checkout (tests/), slow ones included, so tests
added later are counted without editing this file; mutmut picks per mutant the
tests that reach its function.

Nothing is written into the checkout: the checkout's files are copied to
--workdir (default /tmp/tokki-mutation/<folder name>), mutmut's settings
([tool.mutmut]) are appended to the copy's pyproject.toml, and mutmut works in
the copy's mutants/ folder, which is first on sys.path for the tests; a guard
test added to the copy fails the run unless `analyzer` is imported from there.

Sample: a mutant is run when the SHA-256 of (seed, module, function, the
mutation's removed and added lines) read as a fraction falls below its module's
rate (RATES, times --scale; --scale 0 runs every mutant). The choice does not
depend on line numbers or on mutmut's numbering, so an unchanged function keeps
the same mutants in the sample in every checkout, and a before/after comparison
is made mostly on the same mutants.

Output: per module, mutants (all, in the sample), killed, survived (incl. no
tests), timeout/suspicious, surviving share = survived / (killed + survived),
and for all modules the share weighted by each module's mutant count; the
survivors (module, function, line, status, the diff) in --survivors; the figures
in --figures.

Limits: mutmut records which tests call a function in the test process only, so
a test that reaches a target only through a subprocess (`python -m analyzer`)
is not chosen for its mutants (it still runs the mutant when it is chosen for
another reason: PYTHONPATH points subprocesses at the mutated copy, and `tokki`,
`python3` and `python` on PATH are this interpreter). Hypothesis tests draw new
examples on every run. Wall times depend on what else the machine runs; the
mutmut time limit is CPU time, so a busy machine does not turn kills into
timeouts. The sample at --scale 1 is a subset of the one at --scale 3.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Target → share of its mutants in the sample: about 20 mutants a module at 87d8e30
# (judge 655 mutants, text 347, html 264, json 157, summary 601), since a surviving
# mutant costs up to a minute of tests on a shared 2-core machine.
RATES = {
    "analyzer/judge.py": 0.03,
    "analyzer/report/text.py": 0.06,
    "analyzer/report/html.py": 0.08,
    "analyzer/report/json.py": 0.13,
    "analyzer/report/summary.py": 0.035,
}
TARGETS = list(RATES)
DEFAULT_SEED = "tokki-14"
# Top-level entries of the checkout not copied to the work folder.
SKIP = {".git", "mutants", "build", "dist", ".pytest_cache", ".hypothesis", "__pycache__"}

GUARD_TEST = '''"""Added by benchmarks/mutation.py to its copy: the tests must import the mutated code."""
import os
from pathlib import Path

import analyzer
from analyzer.references import bundled_reference_dir


def test_mutation_guard_imports_the_mutated_copy():
    here = Path(analyzer.__file__).resolve()
    Path(os.environ.get("TOKKI_MUTATION_ORIGIN", "/dev/null")).write_text(
        f"{here}\\n{bundled_reference_dir()}\\n", encoding="utf-8"
    )
    assert here.parent.parent.name == "mutants", here
'''


def log(msg: str) -> None:
    print(f"[mutation {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def git_describe(checkout: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(checkout), "log", "-1", "--format=%h %s"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(checkout), "status", "--porcelain", "--", "analyzer", "tests"],
            capture_output=True, text=True,
        ).stdout.strip()
        return out + (" (+ uncommitted changes in analyzer/ or tests/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "(not a git checkout)"


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def prepare(checkout: Path, work: Path) -> None:
    """Fresh copy of the checkout in ``work`` with mutmut's settings and the guard test."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    copied = []
    for entry in sorted(checkout.iterdir()):
        if entry.name in SKIP or entry.name.endswith(".egg-info"):
            continue
        dest = work / entry.name
        if entry.is_dir():
            shutil.copytree(entry, dest, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(entry, dest)
        copied.append(entry.name)
    pyproject = (work / "pyproject.toml").read_text(encoding="utf-8")
    if "[tool.mutmut]" in pyproject:
        raise SystemExit("the checkout's pyproject.toml has its own [tool.mutmut]; this script writes its own")
    # analyzer/ is the source tree mutmut copies (and mutates only TARGETS in); everything else the
    # tests read through ROOT (reference_clauses/, corpus/, README.md, benchmarks/) is copied beside it.
    also = [name for name in copied if name not in {"analyzer", "tests", "pyproject.toml"}]
    pyproject += (
        "\n\n[tool.mutmut]  # written by benchmarks/mutation.py into its copy\n"
        f'source_paths = ["analyzer"]\n'
        f"only_mutate = {toml_list(TARGETS)}\n"
        f"also_copy = {toml_list(also)}\n"
        'pytest_add_cli_args_test_selection = ["tests"]\n'
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
        "use_git_change_detection = false\n"
    )
    (work / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (work / "tests" / "test_zz_mutation_guard.py").write_text(GUARD_TEST, encoding="utf-8")


def mutmut_exe() -> list[str]:
    exe = Path(sys.executable).parent / "mutmut"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("mutmut")
    if not found:
        raise SystemExit("mutmut is not installed: pip install -e '.[mutation]' (in the interpreter running this)")
    return [found]


def generate() -> dict[str, list[str]]:
    """Generate every mutant of TARGETS (in the current folder); mutant names per target."""
    from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.utils.file_utils import setup_source_paths

    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    create_mutants(1)
    names = {}
    for target in TARGETS:
        data = SourceFileMutationData(path=Path(target))
        data.load()
        names[target] = sorted(data.exit_code_by_key)
    return names


def function_spans(path: Path) -> dict[tuple[str | None, str], tuple[int, int]]:
    """(class, function) → (first, last) line in the original source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    spans = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            spans[(None, node.name)] = (node.lineno, node.end_lineno)
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    spans[(node.name, sub.name)] = (sub.lineno, sub.end_lineno)
    return spans


def describe(target: str, name: str, spans, source_lines: list[str]) -> dict:
    """Function, line and diff of one mutant."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    func, cls = orig_function_and_class_names_from_key(name)
    func = func.rpartition(".")[2]
    diff = get_diff_for_mutant(name, path=Path(target))
    body = [l for l in diff.splitlines() if l[:1] in "-+" and not l.startswith(("---", "+++"))]
    removed = [l[1:].strip() for l in body if l.startswith("-")]
    first, last = spans.get((cls, func), (1, len(source_lines)))
    line = first
    if removed:
        for i in range(first, last + 1):
            if source_lines[i - 1].strip() == removed[0]:
                line = i
                break
    qual = f"{cls}.{func}" if cls else func
    key = "\n".join([target, qual] + [l[0] + l[1:].strip() for l in body])
    return {"name": name, "function": qual, "line": line, "diff": diff, "key": key}


def in_sample(key: str, seed: str, rate: float) -> bool:
    if rate <= 0 or rate >= 1:
        return True
    digest = hashlib.sha256(f"{seed}\n{key}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def results() -> dict[str, str]:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    status = {}
    for target in TARGETS:
        data = SourceFileMutationData(path=Path(target))
        data.load()
        for name, code in data.exit_code_by_key.items():
            status[name] = status_by_exit_code[code]
    return status


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkout", type=Path, default=ROOT, help="source tree to measure (default: this one)")
    ap.add_argument("--workdir", type=Path, help="scratch copy (default /tmp/tokki-mutation/<checkout name>)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the sample rates (0: every mutant)")
    ap.add_argument("--seed", default=DEFAULT_SEED, help=f"sample seed (default {DEFAULT_SEED!r})")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    ap.add_argument("--survivors", type=Path, default=Path("mutation-survivors.txt"))
    ap.add_argument("--figures", type=Path, default=Path("mutation-figures.txt"))
    args = ap.parse_args(argv)
    try:
        import mutmut  # noqa: F401
    except ModuleNotFoundError:
        print("mutmut がありません / mutmut is not installed: pip install -e '.[mutation]' "
              "(best in a venv: see the top of benchmarks/mutation.py)", file=sys.stderr)
        return 1

    checkout = args.checkout.resolve()
    work = (args.workdir or Path("/tmp/tokki-mutation") / checkout.name).resolve()
    survivors_path, figures_path = args.survivors.resolve(), args.figures.resolve()
    started = time.time()
    cpu0 = os.times()

    log(f"copying {checkout} to {work}")
    prepare(checkout, work)
    os.chdir(work)
    sys.path.insert(0, str(work))  # nothing of the copy is imported here; mutmut resolves paths from cwd

    log("generating mutants")
    with open(work / "mutmut-generate.log", "w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        names = generate()
    rates = {t: min(1.0, r * args.scale) if args.scale > 0 else 1.0 for t, r in RATES.items()}
    sample: dict[str, list[dict]] = {}
    for target in TARGETS:
        source_lines = Path(target).read_text(encoding="utf-8").splitlines()
        spans = function_spans(Path(target))
        described = [describe(target, n, spans, source_lines) for n in names[target]]
        sample[target] = [d for d in described if in_sample(d["key"], args.seed, rates[target])]
        log(f"{target}: {len(names[target])} mutants, {len(sample[target])} in the sample")
    chosen = [d["name"] for ds in sample.values() for d in ds]

    origin = work / "mutation-origin.txt"
    # One BLAS/OpenMP thread: mutmut's time limit is CPU seconds of all of a worker's threads, and
    # idle numpy pools spinning on a busy machine used it up (text-report mutants "timed out").
    # PYTHONPATH: a test that starts `python -m analyzer` runs the mutated copy too.
    # PATH: `tokki`, `python3` and `python` run by a test (tests/test_docs.py runs the README's commands)
    # are this interpreter, which can import mutmut's trampolines, with the mutated copy.
    shims = work / "mutation-bin"
    shims.mkdir()
    (shims / "tokki").write_text(
        f"#!{sys.executable}\nimport sys\nfrom analyzer.cli import main\nsys.exit(main())\n", encoding="utf-8"
    )
    for name in ("python3", "python"):
        (shims / name).write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    for shim in shims.iterdir():
        shim.chmod(0o755)
    # While mutmut records which tests call which function, a process started by a test would try to
    # record too and fail to find mutmut's settings in its own folder: it runs the original code.
    (shims / "sitecustomize.py").write_text(
        "import os\nif os.environ.get('MUTANT_UNDER_TEST') == 'stats':\n    os.environ['MUTANT_UNDER_TEST'] = ''\n",
        encoding="utf-8",
    )
    env = dict(
        os.environ, TOKKI_MUTATION_ORIGIN=str(origin), PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=os.pathsep.join([str(work / "mutants"), str(shims)] + [p for p in [os.environ.get("PYTHONPATH")] if p]),
        PATH=os.pathsep.join([str(shims), os.environ.get("PATH", "")]),
        OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
    )
    log(f"mutmut run: {len(chosen)} mutants, {args.jobs} at once")
    with open(work / "mutmut-run.log", "w", encoding="utf-8") as out:
        proc = subprocess.run(
            mutmut_exe() + ["run", "--max-children", str(args.jobs), *chosen],
            cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    if proc.returncode != 0:
        tail = (work / "mutmut-run.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"mutmut run failed ({proc.returncode}); log {work / 'mutmut-run.log'}:\n{tail}")
    imported = origin.read_text(encoding="utf-8").split() if origin.exists() else []
    if not imported or not imported[0].startswith(str(work / "mutants")):
        raise SystemExit(f"the tests did not import the mutated copy: {imported}")
    log(f"the tests imported {imported[0]} (reference data {imported[1]})")

    status = results()
    wall = time.time() - started
    cpu1 = os.times()
    cpu = (cpu1.children_user + cpu1.children_system) - (cpu0.children_user + cpu0.children_system)

    header = [
        f"tokki mutation testing — {git_describe(checkout)}",
        f"tool: mutmut {__import__('importlib.metadata').metadata.version('mutmut')}, "
        f"tests: the whole suite (tests/), mutmut's per-function selection, -x",
        (
            f"sample: mutants with sha256(seed={args.seed!r}, module, function, diff) < the module's rate "
            f"({', '.join(f'{Path(t).name} {r:g}' for t, r in rates.items())}); the same definition for every checkout"
            if args.scale > 0 else "sample: every mutant"
        ),
        f"run: {wall / 60:.1f} min wall, {cpu / 60:.1f} min CPU (children), {args.jobs} at once",
        "",
    ]
    rows = []
    fmt = "{:<28} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}"
    rows.append(fmt.format("module", "total", "sample", "killed", "survived", "no tests", "timeout+", "surviving"))
    totals = Counter()
    weighted = []
    blocks = []
    for target in TARGETS:
        c = Counter(status.get(d["name"], "not checked") for d in sample[target])
        killed = c["killed"] + c["caught by type check"]
        survived = c["survived"] + c["no tests"]
        other = sum(c.values()) - killed - survived
        share = survived / (killed + survived) if killed + survived else 0.0
        rows.append(fmt.format(target, len(names[target]), len(sample[target]), killed, survived, c["no tests"], other,
                               f"{share:.1%}"))
        totals.update(total=len(names[target]), sample=len(sample[target]), killed=killed, survived=survived,
                      no_tests=c["no tests"], other=other)
        for d in sorted(sample[target], key=lambda d: d["line"]):
            st = status.get(d["name"], "not checked")
            if st in ("survived", "no tests"):
                blocks.append(
                    f"=== {target}:{d['line']}  {d['function']}  [{st}]  ({d['name']})\n{d['diff']}\n"
                )
        weighted.append((len(names[target]), share))
    t = totals
    share = t["survived"] / (t["killed"] + t["survived"]) if t["killed"] + t["survived"] else 0.0
    rows.append(fmt.format("all (sample)", t["total"], t["sample"], t["killed"], t["survived"], t["no_tests"],
                           t["other"], f"{share:.1%}"))
    est = sum(n * s for n, s in weighted) / sum(n for n, _ in weighted)
    rows += [
        "",
        f"all modules, each weighted by its number of mutants: {est:.1%} surviving",
        "surviving = (survived + no tests) / (killed + survived + no tests); timeout+ = timeout, suspicious,",
        "segfault, not checked: counted apart. Survivors with their diffs: " + str(survivors_path),
    ]
    survivors_path.write_text("\n".join(header) + f"{len(blocks)} surviving mutants\n\n" + "\n".join(blocks),
                              encoding="utf-8")
    figures = "\n".join(header + rows) + "\n"
    figures_path.write_text(figures, encoding="utf-8")
    print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
