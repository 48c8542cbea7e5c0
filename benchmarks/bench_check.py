"""Time `analyze` per contract and PDF text extraction per page (pypdfium2 vs pdfplumber).

    python3 benchmarks/bench_check.py

Needs reportlab, from the test extra: pip install -e '.[test]'.

Prints medians over several runs; timings are reported, never asserted in tests.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

try:  # tests/builders.py renders PDFs with reportlab, from the test extra
    from builders import write_docx, write_pdf
except ModuleNotFoundError as exc:
    sys.exit(f"{exc.name} がありません / {exc.name} is not installed: pip install -e '.[test]'")
from contracts import build_annex, embedded_contract  # noqa: E402

from analyzer import analyze  # noqa: E402


def _median(fn, runs: int = 5) -> float:
    """Median wall time of ``fn``. Nothing per contract is kept between calls (the Checker keeps only
    what the reference library gives), so a repeated contract costs what a new one does."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _lines(text: str) -> list[str]:
    return [ln.replace("**", "").strip().removeprefix("- ") for ln in text.split("\n")]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        txt = d / "contract.txt"
        txt.write_text(embedded_contract(old=True), encoding="utf-8")
        pdf = write_pdf(d / "contract.pdf", _lines(embedded_contract(old=True)))
        docx = write_docx(d / "annex.docx", _lines(build_annex(old=True)), autonumber_articles=True)
        analyze([txt])  # load Sudachi and the reference data once

        print("analyze() per contract, median of 5 (embedded annex, old 第15/第16):")
        print("          --reference fukuoka-pref   --reference auto (identify first)")
        for path in (txt, pdf, docx):
            fixed = _median(lambda: analyze([path], reference="fukuoka-pref")) * 1000
            auto = _median(lambda: analyze([path])) * 1000
            print(f"  {path.suffix:6} {fixed:10.1f} ms {auto:24.1f} ms")

        import pdfplumber
        import pypdfium2 as pdfium

        n_pages = len(pdfium.PdfDocument(str(pdf)))

        def pdfium_text():
            doc = pdfium.PdfDocument(str(pdf))
            for page in doc:
                page.get_textpage().get_text_range()
            doc.close()

        def plumber_text():
            with pdfplumber.open(str(pdf)) as doc:
                for page in doc.pages:
                    page.extract_text()

        print(f"PDF text extraction per page ({n_pages} pages), median of 5:")
        print(f"  pypdfium2   {_median(pdfium_text) / n_pages * 1000:6.1f} ms/page")
        print(f"  pdfplumber  {_median(plumber_text) / n_pages * 1000:6.1f} ms/page")


if __name__ == "__main__":
    main()
