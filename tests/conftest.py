"""pytest fixtures; contract builders live in contracts.py and builders.py beside this file."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # contracts.py, builders.py

from contracts import build_annex, embedded_contract, fukuoka_annex, police_annex  # noqa: E402,F401

@pytest.fixture
def write(tmp_path):
    """write(name, text, encoding='utf-8') → Path of a new file in tmp_path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
