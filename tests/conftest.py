"""pytest fixtures; contract builders live in contracts.py and builders.py beside this file."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # contracts.py, builders.py for the test modules


@pytest.fixture
def write(tmp_path):
    """write(name, text, encoding='utf-8') → Path of a new file in tmp_path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


# Accuracy figures recorded by test_eval.py, printed at the end of the run.
EVAL_FIGURES: list[tuple[str, dict]] = []


def pytest_terminal_summary(terminalreporter):
    if not EVAL_FIGURES:
        return
    terminalreporter.section("tokki eval (accuracy)")
    for name, data in EVAL_FIGURES:
        f1 = "  ".join(f"{k} {v:.3f}" for k, v in data["f1"].items())
        terminalreporter.write_line(
            f"{name}: {data['contracts']} contracts, F1 {f1}, error codes {data['errors_ok']}/{data['errors_total']}"
        )
