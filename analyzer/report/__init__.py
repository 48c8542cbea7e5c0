"""Report stage: Report → text (terminal), JSON (tokki.report/1) or HTML; writers keyed by format."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..model import Report
from .html import render_html
from .json import render_json, report_to_dict
from .text import render_text

WRITERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "html": render_html,
}

__all__ = ["WRITERS", "render_html", "render_json", "render_text", "report_to_dict"]


def render_report(report: Report, fmt: str, **options) -> str:
    return WRITERS[fmt](report, **options)


def save_atomic(path: Path | str, save: Callable[[str], None]) -> None:
    """Have ``save`` write a temporary file in ``path``'s folder, then rename it over ``path``:
    an interrupted run leaves the old file, never a half-written one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see save_atomic)."""
    save_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline="\n"))
