"""Where tokki's outputs go under ``--out``: one module for the scan, the summaries and the web page.

    reports/                      DEFAULT_OUT
      tokki.sqlite                the store (store.DEFAULT_DB)
      summary.csv, summary.xlsx, summary.html
      contracts/<id>.json, <id>.html
"""
from __future__ import annotations

from pathlib import Path

from .files import output_error

DEFAULT_OUT = Path("reports")
CONTRACTS_DIR = "contracts"  # per-contract reports under --out
SUMMARY_FILES = ("summary.csv", "summary.xlsx", "summary.html")


def safe_name(contract_id: str) -> str:
    """A file name for a contract id (ids from a manifest may hold / or :)."""
    return "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in contract_id).strip(". ") or "_"


def report_paths(out: Path, contract_id: str) -> tuple[Path, Path]:
    """(JSON, HTML) report of one contract under ``out``."""
    base = Path(out) / CONTRACTS_DIR / safe_name(contract_id)
    return base.with_suffix(".json"), base.with_suffix(".html")


def summaries_exist(out: Path) -> bool:
    return all((Path(out) / name).exists() for name in SUMMARY_FILES)


def remove_outputs(*paths: Path) -> None:
    """Remove stale reports (a contract no longer judged); a failure is an OutputError."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise output_error(path, exc) from exc
