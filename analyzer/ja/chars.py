"""Character classes of Japanese text, shared by the OCR line builder and the comparison, and the
display width of text in a terminal (a kanji takes two columns)."""
from __future__ import annotations

import re
import unicodedata

HIRAGANA = re.compile(r"[\u3041-\u3096]")
# Katakana letters, the long vowel ー and the middle dot included, and half-width katakana.
KATAKANA = re.compile(r"[\u30a0-\u30ffｦ-ﾟ]")
# A letter of a word: hiragana, katakana (not ー or ・) or a kanji — what punctuation or a
# Latin letter never sits inside.
KANA_OR_KANJI = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide and full-width characters two, others one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns."""
    return text + " " * max(0, width - display_width(text))
