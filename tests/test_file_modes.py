"""Outputs are written with the user's umask (issue 18): colleagues on a shared server can open a
report (0644 under umask 022); a file replaced keeps its mode; caches of personal information
(the OCR cache) stay the owner's (tests/test_ocr_scan.py)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from contracts import build_annex, fukuoka_annex

import analyzer.files as files
from analyzer.cli import main
from analyzer.scan import scan_archive


@pytest.fixture
def umask():
    def set_mask(mask: int) -> None:
        os.umask(mask)
        files._umask.cache_clear()

    old = os.umask(0o022)
    os.umask(old)
    yield set_mask
    os.umask(old)
    files._umask.cache_clear()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_scan_and_check_outputs_follow_the_umask(tmp_path, umask, write):
    umask(0o022)
    root = tmp_path / "archive"
    root.mkdir()
    (root / "A.txt").write_text(fukuoka_annex(), "utf-8")
    (root / "B.txt").write_text(build_annex(drop=(12,)), "utf-8")
    out = tmp_path / "reports"
    scan_archive(root, db=tmp_path / "t.sqlite", out=out, jobs=1)
    written = [out / "summary.csv", out / "summary.xlsx", out / "summary.html", *sorted((out / "contracts").iterdir())]
    assert len(written) == 7
    assert {p.name: _mode(p) for p in written} == {p.name: 0o644 for p in written}
    report = tmp_path / "r.html"
    assert main(["check", str(write("c.txt", fukuoka_annex())), "--format", "html", "-o", str(report)]) == 0
    assert _mode(report) == 0o644
    fixed = tmp_path / "fixed.docx"
    assert main(["fix", str(write("d.txt", build_annex(drop=(12,)))), "-o", str(fixed)]) in (0, 1)
    assert _mode(fixed) == 0o644
    # A stricter umask gives stricter files; a file replaced keeps the mode its owner gave it.
    umask(0o077)
    private = tmp_path / "private.html"
    main(["check", str(write("e.txt", fukuoka_annex())), "--format", "html", "-o", str(private)])
    assert _mode(private) == 0o600
    os.chmod(report, 0o640)
    main(["check", str(write("f.txt", fukuoka_annex())), "--format", "html", "-o", str(report)])
    assert _mode(report) == 0o640
