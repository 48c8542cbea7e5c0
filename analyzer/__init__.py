"""tokki — checks the 特記事項 of Japanese public-sector outsourcing contracts.

Library API (the CLI is a thin layer over it)::

    from analyzer import Checker, CheckOptions
    checker = Checker()                      # once per process; safe from many threads
    analysis = checker.analyze(["契約書.pdf", "別記.docx"], CheckOptions(reference="fukuoka-pref"))
    analysis.report                          # what tokki check reports

    from analyzer import analyze             # the same, one call: a Report
    report = analyze(["契約書.pdf", "別記.docx"], reference="fukuoka-pref")
"""
from __future__ import annotations

from .version import __version__
from .checker import Analysis, CheckOptions, Checker, analyze, identify, shared_checker
from .references import load_reference_library

__all__ = ["Analysis", "CheckOptions", "Checker", "__version__", "analyze", "identify", "load_reference_library", "shared_checker"]
