"""tokki — checks the 特記事項 of Japanese public-sector outsourcing contracts.

Library API (the CLI is a thin layer over it)::

    from analyzer import analyze, load_reference_library
    report = analyze(["契約書.pdf", "別記.docx"], reference="fukuoka-pref")
"""
from __future__ import annotations

__version__ = "0.1.0"

from .pipeline import analyze  # noqa: E402
from .references import load_reference_library  # noqa: E402

__all__ = ["__version__", "analyze", "load_reference_library"]
