"""ms/page of the PDF reader on a 10-page annex: pdfium path, ruled-table path (pdfplumber), and a baseline.

    python benchmarks/bench_pdf_layout.py [--baseline REV] [--repeat N]

Draws two PDFs of the Fukuoka annex (tests/contracts.py) repeated to 10 pages: plain text
(builders.write_pdf: running header, page numbers) and the same clauses as a ruled 3-column
table (tests/test_pdf_layout.py, rows repeated to 10 pages). Reads each with analyzer.ingest.pdf.read_pdf and, with
--baseline, with analyzer/ingest/pdf.py as it was at REV (e.g. the commit before the layout
reader). Prints the best of N runs in ms/page.
"""
from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

try:  # tests/builders.py and the table drawing render PDFs with reportlab, from the test extra
    from builders import write_pdf
    from test_pdf_layout import annex_paragraphs, draw_table_document
except ModuleNotFoundError as exc:
    sys.exit(f"{exc.name} がありません / {exc.name} is not installed: pip install -e '.[test]'")

from analyzer.ingest import pdf as current  # noqa: E402

PAGES = 10  # the brief's 10-page annex


def _baseline(rev: str, folder: Path):
    """analyzer/ingest/pdf.py at ``rev``, importable as a module of the analyzer package."""
    source = subprocess.run(
        ["git", "show", f"{rev}:analyzer/ingest/pdf.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    path = folder / "pdf_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("analyzer.ingest.pdf_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def _ms_per_page(reader, path: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        reader(path, path.name)
        best = min(best, time.perf_counter() - start)
    return best * 1000 / _pages(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", help="git revision whose analyzer/ingest/pdf.py to time too")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paragraphs = annex_paragraphs()
        lines: list[str] = []
        plain = folder / "plain.pdf"
        while True:  # repeat the annex until it fills 10 pages
            lines += paragraphs
            write_pdf(plain, lines[: len(lines)], lines_per_page=32)
            if _pages(plain) >= PAGES:
                break
        table = folder / "table.pdf"
        draw_table_document(table, 3, repeat=3)  # the annex's 19 rows three times: 10 pages
        readers = {"current": current.read_pdf}
        if args.baseline:
            readers[f"baseline {args.baseline}"] = _baseline(args.baseline, folder).read_pdf
        print(f"{'reader':<24}{'document':<28}{'pages':>6}{'ms/page':>10}")
        for name, reader in readers.items():
            for label, path in (("plain text (pdfium)", plain), ("ruled table (pdfplumber)", table)):
                ms = _ms_per_page(reader, path, args.repeat)
                print(f"{name:<24}{label:<28}{_pages(path):>6}{ms:>10.1f}")


if __name__ == "__main__":
    main()
