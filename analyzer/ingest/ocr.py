"""OCR of scanned PDF pages with Tesseract (``--ocr``; optional extra ``tokki[ocr]``).

Input: a pypdfium2 page without a text layer. Output: its text as lines and the
mean word confidence (0–1) Tesseract gives, which reports show beside every
clause read from such a page. Needs the ``tesseract`` program with the
Japanese data (Debian: tesseract-ocr, tesseract-ocr-jpn) and pytesseract.
"""
from __future__ import annotations

import re
import shutil
from functools import lru_cache

# Rendering resolution: Tesseract's documentation recommends at least 300 dpi; 10.5 pt
# Japanese body text at 300 dpi is ~44 px per character, well inside its range.
OCR_DPI = 300
# Seconds for one page: a dense A4 page takes 3–10 s at 300 dpi on one core.
OCR_PAGE_TIMEOUT = 180
# --psm 6: one uniform block of text, which a contract page is; faster and steadier on
# Japanese than the default automatic layout analysis.
TESSERACT_CONFIG = "--psm 6"

INSTALL_HINT = (
    "pip install 'tokki[ocr]'（ソースからは pip install -e '.[ocr]'）と Tesseract（apt-get install tesseract-ocr"
    " tesseract-ocr-jpn）が必要です / needs pip install 'tokki[ocr]' (from the source: pip install -e '.[ocr]')"
    " and Tesseract (apt-get install tesseract-ocr tesseract-ocr-jpn)"
)


@lru_cache(maxsize=4)
def ocr_unavailable(lang: str = "jpn") -> str | None:
    """Why OCR cannot run here (None: it can)."""
    try:
        import pytesseract
    except ImportError:
        return "pytesseract がありません / pytesseract is not installed: " + INSTALL_HINT
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return "tesseract がありません / the tesseract program is not installed: " + INSTALL_HINT
    try:
        langs = set(pytesseract.get_languages(config=""))
    except Exception as exc:  # noqa: BLE001 — a broken tesseract install is "unavailable", with its reason
        return f"tesseract を実行できません / tesseract does not run: {exc}"
    missing = [code for code in lang.split("+") if code not in langs]
    if missing:
        return f"Tesseract の言語データ {'+'.join(missing)} がありません / missing Tesseract language data: " + INSTALL_HINT
    return None


def _is_wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F  # CJK, kana and full-width forms: no spaces between them


# Tesseract leaves the gaps between Japanese characters out, and with them the space that
# separates a line's label from its text (「第1　乙は」「2　乙は」「(1)　…」), which segment
# needs. A gap after a leading label wider than this share of the line's height is that space
# (measured on 300-dpi renders: a space ≥ 0.5 em, glyph gaps inside a run up to ~0.6 em,
# so only label gaps are restored).
SPACE_GAP = 0.3
_LABEL = re.compile(
    r"^(?:第[0-9０-９〇一二三四五六七八九十百]+条?(?:の[0-9０-９一二三四五六七八九十]+)?|[0-9０-９]{1,2}"
    r"|[(（][0-9０-９一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}|[⑴-⒇①-⑳]|[アイウエオカキクケコ])$"
)


def _join_words(words: list[tuple[str, int, int, int]]) -> str:
    """Join (text, left, width, height) words of one line: no spaces inside Japanese, a space
    between Latin words, and the space after a leading label where the page shows a gap."""
    out = ""
    prev_end = 0
    height = sorted(h for _, _, _, h in words)[len(words) // 2] if words else 0
    for text, left, width, _ in words:
        if out:
            latin = not (_is_wide(out[-1]) or _is_wide(text[0]))
            label_gap = left - prev_end > SPACE_GAP * height and _LABEL.match(out)
            if latin or label_gap:
                out += " "
        out += text
        prev_end = left + width
    return out


def ocr_page(page, lang: str = "jpn") -> tuple[list[str], float]:
    """(lines, mean confidence 0–1) of a rendered PDF page. Raises RuntimeError on a Tesseract timeout."""
    import pytesseract

    image = page.render(scale=OCR_DPI / 72).to_pil().convert("L")
    data = pytesseract.image_to_data(
        image, lang=lang, config=TESSERACT_CONFIG, output_type=pytesseract.Output.DICT, timeout=OCR_PAGE_TIMEOUT
    )
    lines: dict[tuple[int, int, int], list[tuple[str, int, int, int]]] = {}
    weighted = chars = 0.0
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append((word, data["left"][i], data["width"][i], data["height"][i]))
        weighted += conf * len(word)
        chars += len(word)
    text_lines = [_join_words(words) for _, words in sorted(lines.items())]
    return text_lines, (weighted / chars / 100.0) if chars else 0.0
