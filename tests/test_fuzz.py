"""A bounded run of benchmarks/fuzz_ingest.py: mutated PDF/DOCX fixtures give a Document or a
DocumentError, never another exception (the full run: python benchmarks/fuzz_ingest.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from fuzz_ingest import fuzz  # noqa: E402


@pytest.mark.slow
def test_fuzz_ingest_mutated_pdf_and_docx_never_raise(tmp_path):
    outcomes, uncaught = fuzz(300, seed=20261203, folder=tmp_path, verbose=False)
    assert uncaught == [], uncaught[0]
    assert sum(outcomes.values()) == 300
    assert outcomes["document"] > 0 and outcomes["corrupt"] > 0  # the mutations do reach both outcomes
