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


def write_atomic(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
