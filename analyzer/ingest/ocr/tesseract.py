"""Tesseract (``--ocr-engine tesseract``): the alternative engine, kept for comparison.

Needs the ``tesseract`` program with the Japanese data (Debian: tesseract-ocr,
tesseract-ocr-jpn) and pytesseract. Measured against PP-OCR in
benchmarks/bench_ocr.py (README, OCR): less accurate on Japanese scans, so not the
default. Word confidences are given to each character of the word.
"""
from __future__ import annotations

import shutil

from .lines import OcrLine, _LABEL

# Seconds for one page: a dense A4 page takes 3–10 s at 300 dpi on one core.
OCR_PAGE_TIMEOUT = 180
# --psm 6: one uniform block of text, which a contract page is; faster and steadier on
# Japanese than the default automatic layout analysis.
TESSERACT_CONFIG = "--psm 6"
# Tesseract leaves the gaps between Japanese characters out, and with them the space that
# separates a line's label from its text (「第1　乙は」「2　乙は」「(1)　…」), which segment
# needs. A gap after a leading label wider than this share of the line's height is that space
# (measured on 300-dpi renders: a space ≥ 0.5 em, glyph gaps inside a run up to ~0.6 em,
# so only label gaps are restored).
SPACE_GAP = 0.3


def unavailable(lang: str = "jpn") -> str | None:
    try:
        import pytesseract
    except ImportError:
        return "pytesseract がありません / pytesseract is not installed"
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return "tesseract がありません / the tesseract program is not installed"
    try:
        langs = set(pytesseract.get_languages(config=""))
    except Exception as exc:  # noqa: BLE001 — a broken tesseract install is "unavailable", with its reason
        return f"tesseract を実行できません / tesseract does not run: {exc}"
    missing = [code for code in lang.split("+") if code not in langs]
    if missing:
        return f"Tesseract の言語データ {'+'.join(missing)} がありません / missing Tesseract language data"
    return None


def _is_wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F  # CJK, kana and full-width forms: no spaces between them


def _join_words(words: list[tuple[str, int, int, int, float]]) -> OcrLine:
    """Join (text, left, width, height, confidence) words of one line: no spaces inside Japanese,
    a space between Latin words, and the space after a leading label where the page shows a gap."""
    out = ""
    conf: list[float] = []
    prev_end = 0
    height = sorted(w[3] for w in words)[len(words) // 2] if words else 0
    for text, left, width, _, c in words:
        if out:
            latin = not (_is_wide(out[-1]) or _is_wide(text[0]))
            label_gap = left - prev_end > SPACE_GAP * height and _LABEL.fullmatch(out)
            if latin or label_gap:
                out += " "
                conf.append(1.0)
        out += text
        conf += [c] * len(text)
        prev_end = left + width
    x0 = min((w[1] for w in words), default=0)
    return OcrLine(out, tuple(conf), (float(x0), 0.0, float(prev_end), 0.0))


def read(image, lang: str = "jpn") -> list[OcrLine]:
    """Lines of a prepared page image (numpy gray or BGR). Raises RuntimeError on a timeout."""
    import pytesseract
    from PIL import Image

    data = pytesseract.image_to_data(
        Image.fromarray(image if image.ndim == 2 else image[:, :, ::-1]), lang=lang, config=TESSERACT_CONFIG,
        output_type=pytesseract.Output.DICT, timeout=OCR_PAGE_TIMEOUT,
    )
    lines: dict[tuple[int, int, int], list[tuple[str, int, int, int, float]]] = {}
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append((word, data["left"][i], data["width"][i], data["height"][i], conf / 100.0))
    return [_join_words(words) for _, words in sorted(lines.items())]
