"""analyze() from many threads at once (issue 19, first step): a web server or a library caller may
check contracts concurrently. Sudachi's tokenizer and pdfium are not thread-safe; each thread has its
own tokenizer and pdfium is called under one lock (analyzer/ja/sudachi.py, analyzer/ingest/pdf.py)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analyzer import analyze
from analyzer.report.json import report_to_dict

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_sixteen_threads_give_the_single_thread_reports_and_no_error():
    # PDF, DOCX and text files and contract folders, as the sample archive has them.
    contracts = sorted(p for p in CORPUS.iterdir() if p.is_dir() or p.suffix in (".pdf", ".docx", ".txt"))[:16]
    assert {p.suffix for p in contracts} >= {".pdf", ".docx", ".txt", ""}
    alone = {p.name: report_to_dict(analyze([p])) for p in contracts}

    def check(path: Path):
        return path.name, report_to_dict(analyze([path]))

    with ThreadPoolExecutor(max_workers=16) as pool:
        together = dict(pool.map(check, contracts))  # an exception in a thread fails the test here
    assert together == alone
