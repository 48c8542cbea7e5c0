"""Report stage: Report → text (terminal), JSON (tokki.report/1) or HTML; writers keyed by format."""
from __future__ import annotations

from collections.abc import Callable

from ..files import save_atomic, write_atomic
from ..model import Report
from .html import render_html
from .json import render_json, report_to_dict
from .text import render_text

WRITERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "html": render_html,
}

__all__ = ["WRITERS", "render_html", "render_json", "render_text", "report_to_dict", "save_atomic", "write_atomic"]


def render_report(report: Report, fmt: str, **options) -> str:
    return WRITERS[fmt](report, **options)
