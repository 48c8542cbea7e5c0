"""Japanese dates in running text, with offsets into the original text.

    >>> find_dates("契約日 令和6年4月1日")[0].value
    datetime.date(2024, 4, 1)
    >>> parse_date("令 和 5 年 1 1 月 2 9 日")
    datetime.date(2023, 11, 29)

API
---
``DateMatch(value, start, end, text)``
    One date found: ``value`` is a ``datetime.date``; ``text[start:end]`` of the
    searched string is ``text`` (the date exactly as printed, spaces included).
``find_dates(text) -> list[DateMatch]``
    Every full date (year, month and day) in reading order, non-overlapping.
``parse_date(text) -> date | None``
    The date when the whole string (surrounding whitespace aside) is one date.

Forms read (digits may be ASCII, full-width or kanji; any character may be
separated by spaces or line breaks, as PDF extraction gives 「令 和 5 年」):

- era:      令和6年4月1日, 令和元年5月1日, 平成31年4月30日, 昭和/大正/明治, ㋿/㍻ ligatures
- letter:   R6.4.1, R6/4/1, R.6.4.1, H31.4.30 (M T S H R; one separator kind per date)
- western:  2024年4月1日, 2024/4/1, 2024-04-01, 2024.4.1, 二〇二四年四月一日
- both:     令和6(2024)年4月1日, 2024（令和6）年4月1日, 2024年（令和6年）4月1日
- month end: 令和7年3月末日 (the last day of that month)

Rules (decided, and tested in tests/test_dates.py):

- A 年月 without a day is not a date here (「令和6年4月分」 is no signing date).
- Impossible days are not dates (2月30日, 13月, 4月31日).
- An era year before the era began is rejected (令和元年4月30日 did not exist),
  but dates after an era ended are accepted as the era's arithmetic
  (平成31年5月1日 → 2019-05-01, 平成32年3月31日 → 2020-03-31): documents
  drafted before the 2019 era change printed them, and they mean that day.
- When a date prints both era and western year and they disagree, it is
  not taken (which one the drafter meant is a guess).
- Numbers with no 月 and 日 are not dates: 「平成15年法律第57号」 gives nothing.
- A western year or a letter form glued to a preceding digit or letter is
  not taken (「12024年」, 「VER6.4.1」); a preceding number separated by
  whitespace is ignored, unless the year itself is spaced out (ambiguous).
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .numerals import parse_number

__all__ = ["DateMatch", "find_dates", "parse_date", "ERAS"]

# Era name → (western year of 元年 minus 1, first day of the era).
ERAS: dict[str, tuple[int, date]] = {
    "明治": (1867, date(1868, 1, 1)),  # 改元 of 1868-10-23 applied from 1 January of 明治元年
    "大正": (1911, date(1912, 7, 30)),
    "昭和": (1925, date(1926, 12, 25)),
    "平成": (1988, date(1989, 1, 8)),
    "令和": (2018, date(2019, 5, 1)),
}
_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}


@dataclass(frozen=True)
class DateMatch:
    """A date found in text: its value and its [start, end) offsets in the original string."""

    value: date
    start: int
    end: int
    text: str


_KN = "〇一二三四五六七八九十"
_ERA_NAME = r"(?P<era>明治|大正|昭和|平成|令和)"
_ERA_YEAR = rf"(?P<ey>元|[0-9]{{1,2}}|[{_KN}]{{1,3}})"
_WEST = r"(?P<wy>(?:1[89]|20)[0-9]{2}|[〇一二三四五六七八九]{4})"
_MONTH = rf"(?P<m>[0-9]{{1,2}}|[{_KN}]{{1,2}})"
_DAY = rf"(?P<d>[0-9]{{1,2}}|[{_KN}]{{1,3}})"
_DAY_KANJI = rf"(?:{_DAY}日|(?P<eom>末日))"

# The patterns run on the compact form (NFKC, whitespace removed), so
# full-width parentheses are ASCII here.
_PATTERNS = [
    # 令和6年4月1日 / 令和6(2024)年4月1日 / 令和6年(2024年)4月1日
    (
        "era",
        re.compile(
            rf"{_ERA_NAME}{_ERA_YEAR}(?:\((?P<wy2>[0-9]{{4}})年?\))?年(?:\((?P<wy3>[0-9]{{4}})年?\))?{_MONTH}月{_DAY_KANJI}"
        ),
    ),
    # 2024年4月1日 / 2024(令和6)年4月1日 / 2024年(令和6年)4月1日
    (
        "west",
        re.compile(
            rf"{_WEST}(?:\((?P<era2>明治|大正|昭和|平成|令和)(?P<ey2>元|[0-9]{{1,2}}|[{_KN}]{{1,3}})年?\))?年"
            rf"(?:\((?P<era3>明治|大正|昭和|平成|令和)(?P<ey3>元|[0-9]{{1,2}}|[{_KN}]{{1,3}})年?\))?{_MONTH}月{_DAY_KANJI}"
        ),
    ),
    # R6.4.1 / R.6.4.1 / R6/4/1 / H31.4.30
    ("letter", re.compile(r"(?P<letter>[MTSHR])\.?(?P<ey>元|[0-9]{1,2})(?P<sep>[./-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")),
    # 2024/4/1 / 2024-04-01 / 2024.4.1
    ("numeric", re.compile(r"(?P<wy>(?:1[89]|20)[0-9]{2})(?P<sep>[./-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")),
]


_DATE_CHARS = re.compile(r"[0-9年]")
_NON_SPACE = re.compile(r"\S+")  # \S: not str.isspace


def _compact(text: str) -> tuple[str, list[int]]:
    """NFKC text without whitespace, and for each of its characters the original offset."""
    if unicodedata.is_normalized("NFKC", text):  # every character is its own NFKC: drop whitespace only
        runs = _NON_SPACE.findall(text)
        where = [i for m in _NON_SPACE.finditer(text) for i in range(m.start(), m.end())]
        return "".join(runs), where
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                chars.append(c)
                where.append(i)
    return "".join(chars), where


def _year(era: str, token: str) -> int | None:
    n = 1 if token == "元" else parse_number(token)
    if n is None or n < 1:
        return None
    return ERAS[era][0] + n


def _make(year: int, month_token: str, day_token: str | None) -> date | None:
    month = parse_number(month_token)
    if month is None or not 1 <= month <= 12:
        return None
    if day_token is None:  # 末日
        return date(year, month, calendar.monthrange(year, month)[1])
    day = parse_number(day_token)
    if day is None or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _value(kind: str, m: re.Match[str]) -> date | None:
    g = m.groupdict()
    if kind == "era" or kind == "letter":
        era = g.get("era") or _LETTERS[g["letter"]]
        year = _year(era, g["ey"])
        if year is None:
            return None
        for other in (g.get("wy2"), g.get("wy3")):
            if other and int(other) != year:
                return None
        value = _make(year, g["m"], g["d"] if not g.get("eom") else None)
        if value is None or value < ERAS[era][1]:
            return None
        return value
    year = parse_number(g["wy"])
    if year is None:
        return None
    for era_key, ey_key in (("era2", "ey2"), ("era3", "ey3")):
        if g.get(era_key):
            other = _year(g[era_key], g[ey_key])
            if other != year:
                return None
    return _make(year, g["m"], g["d"] if not g.get("eom") else None)


def _glued(compact: str, where: list[int], i: int, j: int, kind: str) -> bool:
    """True when the match compact[i:j] runs into a neighbouring digit or letter."""
    def spaced(a: int, b: int) -> bool:  # original text between compact chars a and b has whitespace
        return where[b] - where[a] > 1

    if i > 0:
        prev = compact[i - 1]
        if kind in ("west", "numeric") and prev.isdigit():
            year_spaced = any(spaced(k, k + 1) for k in range(i, i + 3))
            if not spaced(i - 1, i) or year_spaced:
                return True
        if kind == "letter" and (prev.isascii() and prev.isalnum()):
            return True
    if j < len(compact) and kind in ("letter", "numeric") and compact[j].isdigit() and not spaced(j - 1, j):
        return True
    return False


def find_dates(text: str) -> list[DateMatch]:
    """Every full date in ``text`` (reading order, non-overlapping; leftmost, then longest, wins)."""
    if not _DATE_CHARS.search(unicodedata.normalize("NFKC", text)):  # every pattern needs 年 or a digit
        return []
    compact, where = _compact(text)
    found: list[tuple[int, int, date]] = []
    for kind, pattern in _PATTERNS:
        pos = 0
        while True:
            m = pattern.search(compact, pos)
            if m is None:
                break
            value = _value(kind, m)
            if value is not None and not _glued(compact, where, m.start(), m.end(), kind):
                found.append((m.start(), m.end(), value))
            pos = m.start() + 1
    found.sort(key=lambda t: (t[0], -t[1]))
    out: list[DateMatch] = []
    last_end = 0
    for i, j, value in found:
        if i < last_end:
            continue
        start, end = where[i], where[j - 1] + 1
        out.append(DateMatch(value, start, end, text[start:end]))
        last_end = j
    return out


def parse_date(text: str) -> date | None:
    """The date when all of ``text`` (whitespace aside) is one date, else None."""
    stripped = text.strip()
    if not stripped:
        return None
    matches = find_dates(stripped)
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(stripped):
        return matches[0].value
    return None


def parse_given_date(text: str) -> date:
    """A date a user gave (``--signed-on``, a manifest's ``signed_on``): 2024-04-01, or any
    form ``parse_date`` reads (令和6年4月1日, R6.4.1…).

    Raises ValueError with a one-line Japanese/English message; a well-formed but
    impossible date says so and names the month's last day:

    >>> parse_given_date("令和6年4月1日")
    datetime.date(2024, 4, 1)
    >>> parse_given_date("2023-02-30")
    Traceback (most recent call last):
    ...
    ValueError: 2023-02-30 という日付はありません（2023年2月は28日まで） / no such date: 2023-02-30 (February 2023 has 28 days)
    """
    value = text.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    found = parse_date(value)
    if found is not None:
        return found
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", unicodedata.normalize("NFKC", value))
    if m:
        year, month, day = map(int, m.groups())
        if not 1 <= month <= 12:
            raise ValueError(f"{value} という日付はありません（月は 1〜12） / no such date: {value} (month must be 1–12)")
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(
                f"{value} という日付はありません（{year}年{month}月は{last}日まで） / no such date: {value}"
                f" ({calendar.month_name[month]} {year} has {last} days)"
            )
    raise ValueError(
        f"日付は YYYY-MM-DD（例: 2024-04-01）か 令和6年4月1日 の形で指定してください / expected a date such as 2024-04-01: {value!r}"
    )
