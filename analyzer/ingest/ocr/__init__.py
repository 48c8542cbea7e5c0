"""OCR of scanned pages (``--ocr``): page image → prepared image → engine → text lines.

- ``prepare``: grayscale, red seal ink removed, deskewed, turned upright (prepare.py);
- the engine: PP-OCRv6 small on ONNX Runtime (``ppocr``, the default, ppocr.py) or
  Tesseract (``tesseract``, tesseract.py), chosen by measurement (README, OCR);
- ``lines``: lines rebuilt from the engine's boxes, labels repaired (lines.py).

The result keeps each character's confidence, so the comparison can tell a likely
misreading (a lone low-confidence 且 where the reference has 乙) from a real change.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ...ja.chars import KANA_OR_KANJI
from .lines import REPAIRED_CONFIDENCE, OcrLine

ENGINES = ("ppocr", "tesseract")
DEFAULT_ENGINE = "ppocr"

INSTALL_HINT = {
    "ppocr": "pip install 'tokki[ocr]'（ソースからは pip install -e '.[ocr]'）が必要です"
    " / needs pip install 'tokki[ocr]' (from the source: pip install -e '.[ocr]')",
    "tesseract": "pip install 'tokki[ocr]' と Tesseract（apt-get install tesseract-ocr tesseract-ocr-jpn）が必要です"
    " / needs pip install 'tokki[ocr]' and Tesseract (apt-get install tesseract-ocr tesseract-ocr-jpn)",
}


def mean_confidence(lines) -> float:
    """Mean confidence of the characters (spaces aside) of ``lines``; 0 when there are none."""
    probs = [p for ln in lines for c, p in zip(ln.text, ln.confidences) if not c.isspace()]
    return sum(probs) / len(probs) if probs else 0.0


@dataclass(frozen=True)
class OcrResult:
    """What OCR read on one page."""

    lines: tuple[OcrLine, ...]
    engine: str
    rotation: int = 0  # quarter turns (degrees) applied to make the text upright
    skew: float = 0.0  # degrees the page was turned back by

    @property
    def confidence(self) -> float:
        """Mean character confidence (0–1) of the page; 0 when nothing was read."""
        return mean_confidence(self.lines)

    def to_json(self) -> dict:
        return {
            "engine": self.engine, "rotation": self.rotation, "skew": round(self.skew, 2),
            "lines": [[ln.text, [round(c, 3) for c in ln.confidences], list(ln.alternatives), list(ln.box)]
                      for ln in self.lines],
        }

    @classmethod
    def from_json(cls, data: dict) -> OcrResult:
        lines = tuple(OcrLine(t, tuple(c), tuple(b), tuple(a)) for t, c, a, b in data["lines"])
        return cls(lines, data["engine"], int(data.get("rotation", 0)), float(data.get("skew", 0.0)))


@lru_cache(maxsize=8)
def ocr_unavailable(engine: str = DEFAULT_ENGINE, lang: str = "jpn") -> str | None:
    """Why OCR with ``engine`` cannot run here (None: it can)."""
    if engine not in ENGINES:
        return f"OCR エンジン {engine} はありません（{', '.join(ENGINES)}） / unknown OCR engine {engine}"
    from importlib.util import find_spec

    for name in ("cv2", "numpy"):  # page preparation
        if find_spec(name) is None:
            return f"{name} がありません / {name} is not installed: " + INSTALL_HINT[engine]
    if engine == "ppocr":
        from . import ppocr

        why = ppocr.unavailable()
    else:
        from . import tesseract

        why = tesseract.unavailable(lang)
    return f"{why}: {INSTALL_HINT[engine]}" if why else None


def read_image(image, engine: str = DEFAULT_ENGINE, lang: str = "jpn", steps: dict | None = None) -> OcrResult:
    """OCR of one page image (PIL image or numpy array, any mode).

    ``steps`` switches preparation steps (prepare.prepare's keywords); the default is
    the measured choice in ``PREPARE``.
    """
    from . import prepare as prep

    steps = PREPARE | (steps or {})
    prepared = prep.prepare(image, **steps)
    img, rotation = prepared.image, prepared.rotation
    if engine == "tesseract":
        from . import tesseract

        lines = tesseract.read(img, lang)
    else:
        fragments, height, rules, rotation = ppocr_page(prepared, steps["orient"])
        return OcrResult(tuple(page_lines(fragments, height, rules)), engine, rotation, prepared.skew)
    return OcrResult(tuple(ln for ln in lines if _legible(ln)), engine, rotation, prepared.skew)


def ppocr_page(prepared, orient: bool = True) -> tuple[list, int, tuple, int]:
    """What PP-OCR reads on a prepared page (prepare.Prepared): fragments, the height and ruled
    lines of the page as read, and its quarter turns."""
    from . import prepare as prep

    fragments, img, rotation = _ppocr_page(prepared.image, prepared.rotation, orient)
    return fragments, img.shape[0], prep.rulings(img), rotation


def page_lines(fragments, height: int, rules) -> list[OcrLine]:
    """The legible lines built from a page's fragments (lines.build_lines, noise left out)."""
    from .lines import build_lines

    return [ln for ln in build_lines(fragments, height, rules) if _legible(ln)]


def _ppocr_page(img, rotation: int, orient: bool):
    """PP-OCR's fragments of a prepared page, the page as read and its quarter turns."""
    from . import ppocr
    from . import prepare as prep

    boxes = ppocr.detect(img)
    if orient and (rotation in (90, 270) or _mostly_tall(boxes)):
        # A page that looks sideways may be vertical writing (縦書き) standing upright, and a page
        # of tall boxes a sideways page the projection rule did not turn (a ruled table's
        # borders fill its blank rows): the reading the recogniser is surer of decides. Each
        # reading is turned upright first — the recogniser turns tall boxes a quarter for
        # itself, so a sideways page one way reads well as "vertical" and the horizontal
        # reading must not lose for being upside down.
        if rotation in (90, 270):
            wide, wide_boxes, wide_rotation = img, boxes, rotation
            tall = prep.rotate(img, rotation)
            tall_boxes = ppocr.detect(tall)
        else:
            tall, tall_boxes = img, boxes
            wide, wide_rotation = prep.rotate(img, 90), 90
            wide_boxes = ppocr.detect(wide)
        wide, wide_boxes, wide_rotation = _upright(wide, wide_boxes, wide_rotation)
        if _sample_confidence(tall, tall_boxes, vertical=True) > _sample_confidence(wide, wide_boxes) + 0.05:
            img, boxes, rotation = tall, tall_boxes, 0
        else:
            img, boxes, rotation = wide, wide_boxes, wide_rotation
    elif orient:
        img, boxes, rotation = _upright(img, boxes, rotation)
    return _without_faint(ppocr.read(img, boxes), img), img, rotation


# A kanji or kana whose darkest pixels are this much fainter than the page's print is no print:
# a seal's own characters left by the red dropout (「印締表」「役取代」), show-through. Contrast is
# (paper − the character's 5th-percentile gray) / (paper − the page's median of that), measured
# on benchmarks/scans seed 1 (every stamped page and a quarter of the others, 2026-12-07): seal
# residue 0.07–0.60 (most ≤ 0.2), printed kanji and kana ≥ 0.86; digits, Latin letters and
# punctuation are thin and never dropped (a 「1」 measured 0.44).
FAINT_PRINT = 0.35


def _without_faint(fragments, img) -> list:
    """``fragments`` without the characters too faint to be print (FAINT_PRINT)."""
    from .ppocr import Fragment

    def darkness(f, x: float) -> float:
        x0, y0, x1, y1 = (int(v) for v in f.box)
        half = 0.4 * (y1 - y0)
        crop = img[max(0, y0) : y1, max(0, int(x - half)) : int(x + half)]
        return float(np.percentile(crop, 5)) if crop.size else 255.0

    wide = [f for f in fragments if not f.vertical and len(f.xs) == len(f.text)]
    if not wide:
        return fragments
    paper = float(np.median(img[::4, ::4]))
    dark = {id(f): [darkness(f, x) for x in f.xs] for f in wide}
    ink = float(np.median([d for ds in dark.values() for d in ds]))
    if paper - ink < 1:
        return fragments
    out = []
    for f in fragments:
        if id(f) not in dark:
            out.append(f)
            continue
        keep = [k for k, (ch, d) in enumerate(zip(f.text, dark[id(f)]))
                if not KANA_OR_KANJI.match(ch) or (paper - d) / (paper - ink) >= FAINT_PRINT]
        if len(keep) == len(f.text):
            out.append(f)
        elif keep:
            alts = f.alternatives if len(f.alternatives) == len(f.text) else ("",) * len(f.text)
            out.append(Fragment("".join(f.text[k] for k in keep), tuple(f.xs[k] for k in keep),
                                tuple(f.probs[k] for k in keep), f.box, f.vertical, tuple(alts[k] for k in keep)))
    return out



def _upright(img, boxes, rotation: int):
    """The page turned 180° when PP-OCR's text-direction classifier reads most lines upside down."""
    from . import ppocr

    if boxes and ppocr.upside_down_share(img, boxes) > 0.5:
        img = np.ascontiguousarray(img[::-1, ::-1])
        return img, ppocr.detect(img), (rotation + 180) % 360
    return img, boxes, rotation


def _mostly_tall(boxes) -> bool:
    """More than half of the boxes tall (ppocr's own test for a vertical line)."""
    from .ppocr import VERTICAL_RATIO

    tall = sum(1 for b in boxes if np.ptp(b[:, 1]) >= VERTICAL_RATIO * np.ptp(b[:, 0]))
    return tall > len(boxes) / 2


# Lines recognised to compare two readings of a page (the longest boxes).
SAMPLE_LINES = 6


def _sample_confidence(img, boxes, vertical: bool = False) -> float:
    """Mean character probability of the page's longest boxes (of the wanted direction)."""
    from . import ppocr

    def length(b):
        w, h = np.ptp(b[:, 0]), np.ptp(b[:, 1])
        return (h if vertical else w) if (h > w) == vertical else 0.0

    chosen = sorted(boxes, key=length, reverse=True)[:SAMPLE_LINES]
    chosen = [b for b in chosen if length(b) > 0]
    probs = [p for f in ppocr.read(img, chosen) for p in f.probs] if chosen else []
    return sum(probs) / len(probs) if probs else 0.0


# A line read with a mean confidence below this is noise (speckle, a seal's rim, a punch hole read
# as characters), not text: measured on blank scanned sheets of benchmarks/scans (README, OCR).
NOISE_LINE = 0.6


def _legible(line: OcrLine) -> bool:
    # A label put back by lines.py (a table row's number under a seal) is no noise.
    return mean_confidence([line]) >= NOISE_LINE or set(line.confidences) == {REPAIRED_CONFIDENCE}


# Preparation steps kept because they help (measured: benchmarks/bench_ocr.py, README).
PREPARE: dict = {"red": True, "deskew": True, "orient": True, "denoise": False, "binarize": None}


# Resolution pages are rendered at for OCR (measured: benchmarks/bench_ocr.py, README).
RENDER_DPI = 300
# Characters read below this confidence are kept as doubts on the page (model.Page.ocr_doubts).
DOUBT_BELOW = 0.98


def read_pdf_pages(pdf, indices: list[int], engine: str, lang: str, jobs: int = 1, cache=None,
                   digest: str | None = None, on_page=None) -> dict[int, OcrResult]:
    """OCR of the 0-based pages ``indices`` of an open pypdfium2 document, ``jobs`` pages at a time.

    pdfium is not thread-safe: pages are rendered one at a time under a lock, and OCR'd in
    parallel (ONNX Runtime and OpenCV release the GIL). Results found in ``cache`` (by the file's
    ``digest``) are not read again; new ones are added to it.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    lock = threading.Lock()
    done = [0]
    out: dict[int, OcrResult] = {}
    todo = []
    for i in indices:
        hit = cache.get(digest, engine, lang, i) if cache is not None and digest else None
        if hit is not None:
            out[i] = hit
        else:
            todo.append(i)

    from ..pdfium import PDFIUM_LOCK

    def one(i: int) -> tuple[int, OcrResult]:
        with PDFIUM_LOCK:
            page = pdf[i]
            image = page.render(scale=RENDER_DPI / 72).to_pil()
            page.close()
        result = read_image(image, engine, lang)
        if cache is not None and digest:
            cache.put(digest, engine, lang, i, result)
        if on_page is not None:
            with lock:
                done[0] += 1
                on_page(done[0], len(todo))
        return i, result

    if jobs > 1 and len(todo) > 1:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            out.update(pool.map(one, todo))
    else:
        out.update(one(i) for i in todo)
    return out
