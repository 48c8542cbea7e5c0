"""Japanese numerals as printed in article labels: 15, １５, 1 5, 十五, 二十二.

>>> parse_number("１ ５")
15
>>> parse_number("二十二")
22
"""
from __future__ import annotations

import unicodedata

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100}


def parse_number(text: str) -> int | None:
    """Integer value of Arabic (any width, spaced) or kanji numerals; None when not a number."""
    s = "".join(unicodedata.normalize("NFKC", text).split())
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, digit = 0, None
    for ch in s:
        if ch in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[ch] if digit is None else digit * 10 + _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            total += (1 if digit is None else digit) * _KANJI_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


# Item label sequences (一 二 …, ア イ …, ① ② …): the successor of a label, for
# telling a real item from a wrapped line that happens to start with one.
_SEQUENCES = (
    "一二三四五六七八九十",
    "アイウエオカキクケコサシスセソタチツテト",
    "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳",
    "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇",
)


def item_key(label: str) -> tuple[str, int] | None:
    """(sequence name, 1-based position) of an item label such as 一, ア, ①, (1), （２）."""
    raw = label.strip()
    for seq in _SEQUENCES:
        if len(raw) == 1 and raw in seq:
            return (seq[0], seq.index(raw) + 1)
    s = unicodedata.normalize("NFKC", raw)
    if s.startswith("(") and s.endswith(")"):
        n = parse_number(s[1:-1])
        return ("paren", n) if n else None
    n = parse_number(s)
    if n and not s.isdigit():
        return ("一", n)
    return None
