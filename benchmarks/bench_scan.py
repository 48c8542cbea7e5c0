"""Time `tokki scan` on a generated archive against the text-extraction floor.

    python3 benchmarks/bench_scan.py [--count 300] [--keep DIR]

Needs reportlab, from the test extra: pip install -e '.[test]'.

Generates an archive of ``--count`` contracts (PDF / DOCX / TXT in turn, 3–15
pages each: a contract body with the 特記事項 embedded as 第20条–第38条, padded
with 仕様 paragraphs before 第1条; every 4th in the old wording, every 7th without 第12),
then measures, in this one run:

- the floor: text extraction alone of the same files (pypdfium2 for PDF,
  zipfile + lxml for DOCX, bytes → str for TXT), one process;
- a cold scan with 1 and with 2 workers (store and every output written);
- a rescan with nothing changed; a re-judge after a reference change (a new
  version of fukuoka-pref in a --library folder);
- the peak RSS of a worker process;
- `tokki check` of one 15-page PDF, wall clock including start-up.

Timings are printed, never asserted in tests. "pages" are printed pages as
generated (38 characters × 32 lines a page, whatever the format).
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

try:  # tests/builders.py renders PDFs with reportlab, from the test extra
    from builders import write_docx, write_pdf
except ModuleNotFoundError as exc:
    sys.exit(f"{exc.name} がありません / {exc.name} is not installed: pip install -e '.[test]'")
from contracts import embedded_contract  # noqa: E402

LINES_PER_PAGE, CHARS_PER_LINE = 32, 38
FILLER = [
    "（仕様）受託者は、別に定める仕様書に従い、本業務を誠実に履行するものとする。仕様書に定めのない事項は、委託者と協議して定める。",
    "業務の実施に当たっては、関係法令を遵守し、業務の進捗状況を毎月末日までに書面により委託者に報告するものとする。",
    "受託者は、業務に従事する者の名簿を作成し、業務の開始前に委託者に提出しなければならない。名簿に変更があったときも同様とする。",
    "成果物の納入場所は委託者の指定する場所とし、納入に要する費用は受託者の負担とする。検査の結果不合格となったときは、直ちに修補する。",
]


def _paragraph_lines(lines: list[str]) -> int:
    return sum(max(1, -(-len(ln) // CHARS_PER_LINE)) for ln in lines)


def contract_lines(i: int, pages: int) -> list[str]:
    text = embedded_contract(old=i % 4 == 0, drop=(12,) if i % 7 == 0 else ())
    lines = [ln.replace("**", "").strip().removeprefix("- ") for ln in text.split("\n")]
    # 仕様 paragraphs (no article numbers) between the title and 第1条, as a cover section.
    filler: list[str] = []
    while _paragraph_lines(lines + filler) < pages * LINES_PER_PAGE - 2:
        filler.append(FILLER[len(filler) % len(FILLER)])
    return lines[:1] + filler + lines[1:]


def generate(root: Path, count: int) -> int:
    """Write the archive; return the number of printed pages."""
    root.mkdir(parents=True)
    total = 0
    for i in range(count):
        pages = 3 + i % 13
        lines = contract_lines(i, pages)
        name = f"R{i:04d}"
        fmt = ("pdf", "docx", "txt")[i % 3]
        if fmt == "pdf":
            write_pdf(root / f"{name}.pdf", lines, lines_per_page=LINES_PER_PAGE, chars_per_line=CHARS_PER_LINE)
        elif fmt == "docx":
            write_docx(root / f"{name}.docx", lines)
        else:
            (root / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
        total += pages
    return total


def extraction_floor(root: Path) -> float:
    """Seconds to extract the text of every file with the fastest plain readers."""
    import pypdfium2 as pdfium
    from lxml import etree

    t = time.perf_counter()
    for path in sorted(root.rglob("*")):
        try:
            if path.suffix == ".pdf":
                pdf = pdfium.PdfDocument(str(path))
                for page in pdf:
                    page.get_textpage().get_text_range()
                pdf.close()
            elif path.suffix == ".docx":
                with zipfile.ZipFile(path) as z:
                    "".join(etree.fromstring(z.read("word/document.xml")).itertext())
            elif path.suffix == ".txt":
                path.read_bytes().decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 — a broken file (the sample corpus has some): the floor reads what it can
            pass
    return time.perf_counter() - t


def timed_scan(root: Path, db: Path, out: Path, jobs: int, **kw):
    from analyzer.scan import scan_archive

    t = time.perf_counter()
    result = scan_archive(root, db=db, out=out, jobs=jobs, **kw)
    return time.perf_counter() - t, result


def new_reference_version(lib: Path) -> None:
    """Next year's revision: the current fukuoka-pref text as a new version."""
    folder = lib / "fukuoka-pref"
    folder.mkdir(parents=True)
    src = (ROOT / "reference_clauses/fukuoka-pref/2023-10-10.toml").read_text("utf-8")
    (folder / "2027-04-01.toml").write_text(
        src.replace('version = "2023-10-10"', 'version = "2027-04-01"').replace("effective = 2023-10-10", "effective = 2027-04-01"),
        encoding="utf-8",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--keep", type=Path, help="generate the archive here and keep it")
    args = ap.parse_args()
    if args.count < 1:
        ap.error("--count must be at least 1")

    tmp = Path(tempfile.mkdtemp(prefix="bench_scan."))
    root = args.keep or tmp / "archive"
    try:
        t = time.perf_counter()
        pages = generate(root, args.count)
        print(f"archive: {args.count} contracts, {pages} pages ({time.perf_counter() - t:.0f} s to generate) in {root}")

        floor = extraction_floor(root)
        cold1, r1 = timed_scan(root, tmp / "one.sqlite", tmp / "out1", jobs=1)
        cold2, r2 = timed_scan(root, tmp / "two.sqlite", tmp / "out2", jobs=2)
        rescan, r3 = timed_scan(root, tmp / "two.sqlite", tmp / "out2", jobs=2)
        lib = tmp / "lib"
        new_reference_version(lib)
        rejudge, r4 = timed_scan(root, tmp / "two.sqlite", tmp / "out2", jobs=2, library_dirs=[lib])
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        for label, r in (("cold 1", r1), ("cold 2", r2), ("rescan", r3), ("re-judge", r4)):
            print(f"  {label}: read {r.analysed}, re-judged {r.rejudged}, unchanged {r.unchanged}, {dict(r.statuses)}")

        import pypdfium2 as pdfium

        def page_count(path: Path) -> int:
            pdf = pdfium.PdfDocument(str(path))
            try:
                return len(pdf)
            finally:
                pdf.close()

        # The longest PDF of the archive (15 pages from --count 13 on; fewer in a smaller archive).
        one_pdf = max(sorted(root.glob("*.pdf")), key=page_count)
        n_check_pages = page_count(one_pdf)
        check = []
        for _ in range(3):
            t = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "analyzer", "check", str(one_pdf)],
                                  capture_output=True, text=True, check=False)
            check.append(time.perf_counter() - t)
            if proc.returncode not in (0, 1):  # 2: the check did not run, its time means nothing
                sys.exit(f"tokki check {one_pdf} exited {proc.returncode}: {proc.stderr.strip()}")
        check_s = sorted(check)[1]

        n = args.count
        rows = [
            ("text extraction alone (floor), 1 process", floor, ""),
            ("cold scan, 1 worker", cold1, f"{cold1 / floor:.1f}× floor (target ≤ 3×)"),
            ("cold scan, 2 workers", cold2, f"{cold1 / cold2:.2f}× one worker (target ≥ 1.7×)"),
            ("rescan, nothing changed", rescan, f"{rescan / cold2:.1%} of the cold scan (target ≤ 5 %)"),
            ("re-judge after a reference change, 2 workers", rejudge, f"{rejudge / cold2:.1%} of the cold scan (target ≤ 25 %)"),
        ]
        print(f"\n| {n} contracts, {pages} pages | seconds | contracts/s | pages/s | against target |")
        print("|---|---|---|---|---|")
        for name, secs, note in rows:
            print(f"| {name} | {secs:.2f} | {n / secs:.1f} | {pages / secs:.0f} | {note} |")
        print(f"| peak RSS of a worker | {rss_mb:.0f} MB | | | target ≤ 400 MB |")
        print(f"| `tokki check` of one {n_check_pages}-page PDF, wall clock incl. start-up (median of 3) | {check_s:.2f} | | | target < 2 s |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
