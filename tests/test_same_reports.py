"""The sample corpus gives the same reports as before a refactoring (issue 19, point 6).

``tests/fixtures/golden/corpus.json.gz`` holds every contract's tokki.report/1 JSON and the
rows of summary.csv from a scan of ``corpus/`` made with the code before the rebuild of the
core. A change of behaviour — a status, a span, a finding, a message, a metadata field — fails
here with the contract and the first differing path. When a change is meant, regenerate with

    python3 tests/test_same_reports.py --write

and say why in the commit.
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "corpus.json.gz"


def corpus_outputs(work: Path) -> dict:
    """Scan ``corpus/`` into ``work`` and return {"reports": {name: JSON}, "summary": [rows]}."""
    from analyzer.report.summary import read_summary_csv
    from analyzer.scan import scan_archive

    out = work / "out"
    scan_archive(ROOT / "corpus", db=work / "t.sqlite", out=out, jobs=2)
    reports = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "contracts").glob("*.json"))}
    return {"reports": reports, "summary": read_summary_csv((out / "summary.csv").read_text(encoding="utf-8"))}


def first_difference(a, b, path: str = "") -> str | None:
    """Where two JSON values first differ, as a path with both values; None when equal."""
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}/{k}: only in {'before' if k in a else 'after'}"
            d = first_difference(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None if len(a) == len(b) else f"{path}: {len(a)} items before, {len(b)} after"
    return None if a == b else f"{path}: {a!r} != {b!r}"


def test_corpus_reports_unchanged(tmp_path):
    before = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    after = corpus_outputs(tmp_path)
    assert sorted(after["reports"]) == sorted(before["reports"])
    diffs = [
        f"{name}{d}" for name in sorted(before["reports"])
        if (d := first_difference(before["reports"][name], after["reports"][name]))
    ]
    assert not diffs, f"{len(diffs)} report(s) changed:\n" + "\n".join(diffs[:20])
    assert first_difference(before["summary"], after["summary"], "summary.csv") is None


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python3 tests/test_same_reports.py --write")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data = corpus_outputs(Path(tmp))
    GOLDEN.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False, sort_keys=True).encode(), mtime=0))
    print(f"{GOLDEN.relative_to(ROOT)}: {len(data['reports'])} reports, {len(data['summary'])} summary rows")
