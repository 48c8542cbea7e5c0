"""Character classes of Japanese text, shared by the OCR line builder and the comparison."""
from __future__ import annotations

import re

HIRAGANA = re.compile(r"[\u3041-\u3096]")
# Katakana letters, the long vowel ー and the middle dot included, and half-width katakana.
KATAKANA = re.compile(r"[\u30a0-\u30ffｦ-ﾟ]")
# A letter of a word: hiragana, katakana (not ー or ・) or a kanji — what punctuation or a
# Latin letter never sits inside.
KANA_OR_KANJI = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")
