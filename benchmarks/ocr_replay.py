"""Re-judge a scanned corpus in seconds: record the engine's raw output once, replay it after.

    python3 benchmarks/ocr_replay.py RAW_DIR eval --ocr CORPUS --ocr-cache none
    python3 benchmarks/ocr_replay.py RAW_DIR check --ocr --ocr-cache none --format json FILE

Runs any ``tokki`` command with page OCR split at the engine: the first run OCRs every page
as usual and keeps, per page image (by its pixels' SHA-1), what PP-OCR returned after
preparation and orientation (fragments, page height, rulings, quarter turns, skew) in
RAW_DIR; later runs rebuild the lines (ocr/lines.py) and judge from that, so a change to line
building or to the comparison is measured on a whole corpus in ~20 s instead of ~8 min.
A change to preparation, orientation or the engine needs the affected pages recorded again:
remove RAW_DIR (or its files for those pages). ``--ocr-cache none`` keeps the OCR cache,
which holds built lines, out of the way. Development tool; needs the ocr extra.
"""
from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np

import analyzer.ingest.ocr as ocr
from analyzer.cli import main
from analyzer.ingest.ocr import prepare as prep


def replaying(raw_dir: Path):
    raw_dir.mkdir(parents=True, exist_ok=True)

    def read_image(image, engine: str = "ppocr", lang: str = "jpn", steps: dict | None = None) -> ocr.OcrResult:
        if engine != "ppocr" or steps:
            raise SystemExit("ocr_replay: PP-OCR with the default preparation only")
        path = raw_dir / f"{hashlib.sha1(np.asarray(image).tobytes()).hexdigest()}.pkl"
        if path.exists():
            raw, skew = pickle.loads(path.read_bytes())
        else:
            prepared = prep.prepare(image, **ocr.PREPARE)
            raw, skew = ocr.ppocr_page(prepared, ocr.PREPARE["orient"]), prepared.skew
            path.write_bytes(pickle.dumps((raw, skew)))
        fragments, height, rules, rotation = raw
        return ocr.OcrResult(tuple(ocr.page_lines(fragments, height, rules)), engine, rotation, skew)

    return read_image


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ocr.read_image = replaying(Path(sys.argv[1]))
    sys.exit(main(sys.argv[2:]))
