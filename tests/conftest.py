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
# Topic classifier, leave one issuer out (test_topics.py): (issuer, topic acc., n, label acc. incl. none, n).
TOPIC_FIGURES: list[tuple[str, float, int, float, int]] = []


def pytest_terminal_summary(terminalreporter):
    if TOPIC_FIGURES:
        terminalreporter.section("tokki topics (leave-one-issuer-out accuracy)")
        for issuer, topic, n, label, m in TOPIC_FIGURES:
            terminalreporter.write_line(
                f"{issuer}: topic accuracy {topic:.3f} ({n} clauses with topics), "
                f"label accuracy incl. none {label:.3f} ({m} clauses)"
            )
        mean = sum(f[1] for f in TOPIC_FIGURES) / len(TOPIC_FIGURES)
        terminalreporter.write_line(f"mean topic accuracy {mean:.3f}")
    if not EVAL_FIGURES:
        return
    terminalreporter.section("tokki eval (accuracy)")
    for name, data in EVAL_FIGURES:
        f1 = "  ".join(f"{k} {v:.3f}" for k, v in data["f1"].items())
        terminalreporter.write_line(
            f"{name}: {data['contracts']} contracts, F1 {f1}, error codes {data['errors_ok']}/{data['errors_total']}"
        )
