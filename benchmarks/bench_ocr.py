"""OCR on scanned contracts: engines, resolution and page preparation, measured on a labelled scan corpus.

    python3 benchmarks/bench_ocr.py CORPUS [--configs ppocr@300,tesseract@300] [--limit N] [--confidences]
    python3 benchmarks/bench_ocr.py CORPUS --ablation          # each preparation step off in turn (ppocr)

CORPUS is a scanned corpus from benchmarks/scans/generate.py (labels.json). For each
configuration ``ENGINE@DPI[+step-step…]`` every page is OCR'd once on one core (one ONNX
thread, one page at a time) into a cache of its own, then ``tokki eval`` runs on that
cache, so the figures are:

- seconds per page per core (OCR and preparation only);
- character similarity of the annex as read to the reference text, over the clauses the
  labels say are current (rapidfuzz ratio of the folded texts, 1.0 = identical), and 乙 read
  right (share of the reference's 乙 found in the text as read);
- the eval figures: F1 of missing / obsolete / modified / weakened, clause statuses right,
  clauses reported missing that are there ("false missing"), mistakes.

``--confidences`` prints the character confidences of correctly read and misread characters
(aligned with the reference text), which set [ocr] low_confidence in settings.toml.
Needs the ocr extra (and the tesseract extra and program for tesseract configurations).
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

from analyzer.archive import read_archive
from analyzer.evaluate import KINDS, evaluate_archive, load_labels
from analyzer.files import file_digest
from analyzer.ingest import IngestOptions
from analyzer.ingest import ocr as ocr_stage
from analyzer.ingest.ocr import cache as ocr_cache
from analyzer.ja.textmap import MappedText
from analyzer.normalize import fold_text
from analyzer.references import load_reference_library
from analyzer.settings import default_settings

STEPS = ("red", "deskew", "orient", "denoise")


def parse_config(spec: str) -> tuple[str, int, dict]:
    """ppocr@300, tesseract@200, ppocr@300-deskew (deskew off), ppocr@300+binarize=sauvola."""
    engine, _, rest = spec.partition("@")
    dpi_part = rest.split("+")[0].split("-")[0]
    steps = dict(ocr_stage.PREPARE)
    for tok in rest[len(dpi_part):].replace("+", " +").replace("-", " -").split():
        on, name = tok[0] == "+", tok[1:]
        key, _, value = name.partition("=")
        steps[key] = value if value else on
    return engine, int(dpi_part or ocr_stage.RENDER_DPI), steps


def ocr_corpus(root: Path, engine: str, dpi: int, steps: dict, cache_dir: Path, limit: int | None) -> tuple[int, float]:
    """OCR every image page of the corpus into ``cache_dir``; (pages, seconds) on one core."""
    import pypdfium2 as pdfium

    ocr_stage.RENDER_DPI = dpi
    ocr_stage.PREPARE = steps
    cache = ocr_cache.OcrCache(cache_dir)
    pages = 0
    seconds = 0.0
    specs = read_archive(root).contracts[:limit]
    for spec in specs:
        for path in spec.files:
            if path.suffix.lower() != ".pdf":
                continue
            pdf = pdfium.PdfDocument(str(path))
            digest = file_digest(path)
            for i in range(len(pdf)):
                if pdf[i].get_textpage().count_chars() > 20:
                    continue
                started = time.perf_counter()
                image = pdf[i].render(scale=dpi / 72).to_pil()
                result = ocr_stage.read_image(image, engine)
                seconds += time.perf_counter() - started
                cache.put(digest, engine, "jpn", i, result)
                pages += 1
            pdf.close()
    return pages, seconds


def _fold(text: str) -> str:
    s = default_settings()
    ignored = set(s.ignored_chars)
    return "".join(c for c in fold_text(MappedText.from_original(text), s).text if c not in ignored)


def evaluate(root: Path, engine: str, cache_dir: Path, limit: int | None):
    from rapidfuzz import fuzz

    sims: list[float] = []
    otsu = [0, 0]  # 乙 in the reference, 乙 read

    def on_report(label: dict, report) -> None:
        if report is None:
            return
        for c in report.clauses:
            if label.get("clauses", {}).get(c.clause_id) == "current" and c.actual_text:
                a, b = _fold(c.expected_text), _fold(c.actual_text)
                sims.append(fuzz.ratio(a, b) / 100)
                otsu[0] += a.count("乙")
                otsu[1] += min(a.count("乙"), b.count("乙"))

    root_limited = root
    if limit:
        root_limited = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
        labels = load_labels(root)
        specs = read_archive(root).contracts[:limit]
        keep = {s.id: labels[s.id] for s in specs if s.id in labels}
        for s in specs:
            for f in s.files:
                shutil.copy2(f, root_limited / f.name)
        (root_limited / "labels.json").write_text(json.dumps(keep, ensure_ascii=False), encoding="utf-8")
        # The manifest's rows of those contracts (reference, 類型, signing date), as the full corpus has them.
        with open(root / "manifest.csv", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        names = {f.name for s in specs for f in s.files}
        kept = [rows[0]] + [r for r in rows[1:] if any(n in r[1] for n in names)]
        with open(root_limited / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(kept)
    ingest = IngestOptions(ocr=True, ocr_engine=engine, ocr_cache=str(cache_dir))
    result = evaluate_archive(root_limited, ingest=ingest, on_report=on_report)
    return result, (statistics.mean(sims) if sims else 0.0), (otsu[1] / otsu[0] if otsu[0] else 1.0)


def confidences(root: Path, engine: str, cache_dir: Path, limit: int | None) -> None:
    """Confidence of characters read right and misread, aligned with the labelled reference's text."""
    import pypdfium2 as pdfium

    labels = load_labels(root)
    sets = load_reference_library()
    cache = ocr_cache.OcrCache(cache_dir)
    right: list[float] = []
    wrong: list[float] = []
    for spec in read_archive(root).contracts[:limit]:
        label = labels.get(spec.id) or {}
        ref_id, _, version = (label.get("reference") or "").partition("@")
        if ref_id not in sets:
            continue
        ref_text = _fold("".join(c.text for c in sets[ref_id].version(version or None).clauses))
        for path in spec.files:
            digest = file_digest(path)
            n = len(pdfium.PdfDocument(str(path)))
            for i in range(n):
                result = cache.get(digest, engine, "jpn", i)
                if result is None:
                    continue
                chars = [(ch, p) for ln in result.lines for ch, p in zip(ln.text, ln.confidences)]
                folded = [(_fold(ch), p) for ch, p in chars]
                seq = [(f, p) for f, p in folded if len(f) == 1]
                text = "".join(f for f, _ in seq)
                sm = SequenceMatcher(None, ref_text, text, autojunk=False)
                for tag, i1, i2, j1, j2 in sm.get_opcodes():
                    if tag == "equal":
                        right += [seq[j][1] for j in range(j1, j2)]
                    elif tag == "replace" and i2 - i1 == j2 - j1 and i2 - i1 <= 2:
                        wrong += [seq[j][1] for j in range(j1, j2)]
    for name, vals in (("read right", right), ("misread", wrong)):
        if not vals:
            print(f"{name}: none")
            continue
        qs = statistics.quantiles(vals, n=20)
        print(f"{name}: {len(vals)} characters; 5th percentile {qs[0]:.3f}, median {statistics.median(vals):.3f}, 95th {qs[-1]:.3f}")
    for t in (0.8, 0.9, 0.93, 0.95, 0.97):
        print(f"  below {t}: misread {sum(v < t for v in wrong) / max(1, len(wrong)):.1%}, "
              f"read right {sum(v < t for v in right) / max(1, len(right)):.2%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--configs", default=f"ppocr@{ocr_stage.RENDER_DPI}")
    parser.add_argument("--ablation", action="store_true", help="ppocr with each preparation step off in turn")
    parser.add_argument("--limit", type=int, help="only the first N contracts")
    parser.add_argument("--confidences", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the OCR caches under this folder")
    args = parser.parse_args(argv)
    why = ocr_stage.ocr_unavailable()
    if why:
        print(f"bench_ocr: {why}", file=sys.stderr)
        return 2
    configs = args.configs.split(",")
    if args.ablation:
        base = f"ppocr@{ocr_stage.RENDER_DPI}"
        configs = [base] + [f"{base}-{s}" for s in STEPS if ocr_stage.PREPARE.get(s)] + [
            f"{base}+{s}" for s in STEPS if not ocr_stage.PREPARE.get(s)
        ] + [f"{base}+binarize=otsu", f"{base}+binarize=sauvola"]
    print(f"corpus {args.corpus}, {time.strftime('%Y-%m-%d')}, 1 core per page")
    header = f"{'configuration':<34}{'pages':>6}{'s/page':>8}{'char sim':>9}{'乙 right':>9}" + "".join(
        f"{'F1 ' + k[:4]:>9}" for k in KINDS
    ) + f"{'statuses':>14}{'false miss':>11}{'mistakes':>9}"
    print(header)
    for spec in configs:
        engine, dpi, steps = parse_config(spec)
        keep = args.keep / spec.replace("@", "_") if args.keep else None
        cache_dir = keep or Path(tempfile.mkdtemp(prefix="ocr-cache-"))
        pages, seconds = ocr_corpus(args.corpus, engine, dpi, steps, cache_dir, args.limit)
        result, sim, otsu = evaluate(args.corpus, engine, cache_dir, args.limit)
        print(
            f"{spec:<34}{pages:>6}{seconds / max(1, pages):>8.2f}{sim:>9.3f}{otsu:>9.3f}"
            + "".join(f"{result.f1(k):>9.3f}" for k in KINDS)
            + f"{f'{result.statuses_ok}/{result.statuses_total}':>14}{result.false_missing:>11}{len(result.mistakes):>9}",
            flush=True,
        )
        if args.confidences:
            confidences(args.corpus, engine, cache_dir, args.limit)
        if len(configs) == 1 and result.mistakes:
            print("\n".join("  " + m for m in result.mistakes))
        if keep is None:
            shutil.rmtree(cache_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
