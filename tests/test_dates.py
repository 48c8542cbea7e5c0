"""Japanese dates (analyzer.ja.dates): forms, invalid dates, offsets into the original text."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analyzer.ja.dates import DateMatch, find_dates, parse_date

FIXTURES = Path(__file__).parent / "fixtures"

# (printed form, expected date or None when it is not a full date)
FORMS = [
    ("令和6年4月1日", date(2024, 4, 1)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("令和1年5月1日", date(2019, 5, 1)),
    ("平成31年4月30日", date(2019, 4, 30)),
    ("平成元年1月8日", date(1989, 1, 8)),
    ("昭和64年1月7日", date(1989, 1, 7)),
    ("昭和50年12月31日", date(1975, 12, 31)),
    ("大正元年7月30日", date(1912, 7, 30)),
    ("明治45年7月29日", date(1912, 7, 29)),
    ("R6.4.1", date(2024, 4, 1)),
    ("R6/4/1", date(2024, 4, 1)),
    ("R.6.4.1", date(2024, 4, 1)),
    ("H31.4.30", date(2019, 4, 30)),
    ("Ｒ６．４．１", date(2024, 4, 1)),
    ("S63.12.1", date(1988, 12, 1)),
    ("2024年4月1日", date(2024, 4, 1)),
    ("2024/4/1", date(2024, 4, 1)),
    ("2024-04-01", date(2024, 4, 1)),
    ("2024.4.1", date(2024, 4, 1)),
    ("令和６年４月１日", date(2024, 4, 1)),
    ("２０２４年１２月２５日", date(2024, 12, 25)),
    ("令和五年十一月二十九日", date(2023, 11, 29)),
    ("令和元年十二月三十一日", date(2019, 12, 31)),
    ("二〇二四年四月一日", date(2024, 4, 1)),
    ("令 和 5 年 1 1 月 2 9 日", date(2023, 11, 29)),
    ("令和6年\n4月1日", date(2024, 4, 1)),  # wrapped by PDF extraction
    ("令和6(2024)年4月1日", date(2024, 4, 1)),
    ("令和6（2024）年4月1日", date(2024, 4, 1)),
    ("2024（令和6）年4月1日", date(2024, 4, 1)),
    ("2024年（令和6年）4月1日", date(2024, 4, 1)),
    ("㋿6年4月1日", date(2024, 4, 1)),
    ("㍻31年4月1日", date(2019, 4, 1)),
    ("令和7年3月末日", date(2025, 3, 31)),
    ("令和6年2月末日", date(2024, 2, 29)),
    ("令和6年2月29日", date(2024, 2, 29)),  # leap year
    # Lenient after an era's end (drafted before the 2019 era change): the era's arithmetic.
    ("平成31年5月1日", date(2019, 5, 1)),
    ("平成32年3月31日", date(2020, 3, 31)),
    # Not dates.
    ("令和5年2月29日", None),  # not a leap year
    ("2024年2月30日", None),
    ("令和6年4月31日", None),
    ("令和6年13月1日", None),
    ("令和6年0月1日", None),
    ("R6.2.30", None),
    ("令和元年4月30日", None),  # before 令和 began (2019-05-01)
    ("平成元年1月7日", None),  # still 昭和64年
    ("令和6年4月", None),  # 年月 without a day
    ("令和6年4月分", None),
    ("平成15年法律第57号", None),  # a law number
    ("令和6(2023)年4月1日", None),  # era and western year disagree
    ("2024（令和5）年4月1日", None),
    ("令和　　年　　月　　日", None),  # a blank form line
    ("12024年4月1日", None),
    ("VER6.4.1", None),
    ("1.2.3", None),
    ("第3条", None),
]


@pytest.mark.parametrize("text,expected", FORMS, ids=[f[0].replace("\n", "⏎") for f in FORMS])
def test_parse_date_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,expected", [f for f in FORMS if f[1] is not None], ids=lambda v: str(v))
def test_find_dates_covers_the_whole_printed_form(text, expected):
    [m] = find_dates(text)
    assert (m.value, m.start, m.end, m.text) == (expected, 0, len(text), text)


def test_offsets_in_running_text():
    text = "第3条　履行期間は、令和6年4月1日から令和７年３月３１日までとする。"
    first, second = find_dates(text)
    assert first == DateMatch(date(2024, 4, 1), 10, 18, "令和6年4月1日")
    assert second.value == date(2025, 3, 31)
    assert text[second.start : second.end] == second.text == "令和７年３月３１日"


def test_offsets_of_a_spaced_date_keep_the_spaces():
    text = "福 警 総 第 9 5 4 号\n\n令 和 5 年 1 1 月 2 9 日\n\n各部長"
    [m] = find_dates(text)
    assert m.value == date(2023, 11, 29)
    assert m.start == text.index("令")
    assert m.text == "令 和 5 年 1 1 月 2 9 日"


def test_law_numbers_and_day_less_dates_give_nothing_but_real_dates_do():
    text = "個人情報の保護に関する法律（平成15年法律第57号）に基づき、令和5年10月10日以降に契約したもの（令和6年4月分）"
    assert [(m.value, m.text) for m in find_dates(text)] == [(date(2023, 10, 10), "令和5年10月10日")]


def test_a_number_before_a_western_year_separated_by_a_space_is_not_part_of_it():
    text = "2 2024年4月1日から"
    [m] = find_dates(text)
    assert (m.value, m.start) == (date(2024, 4, 1), 2)
    assert parse_date(text) is None  # not the whole string


def test_numeric_form_does_not_stop_inside_a_longer_number():
    assert find_dates("R6.4.123") == []
    assert [m.value for m in find_dates("2024.4.15。")] == [date(2024, 4, 15)]


def test_overlapping_forms_give_one_match():
    # The western year inside 「令和6(2024)年」 must not be read again as a date of its own.
    for text in ("令和6(2024)年4月1日", "2024年（令和6年）4月1日"):
        assert [(m.value, m.start, m.end) for m in find_dates(text)] == [(date(2024, 4, 1), 0, len(text))]


def test_seed000_notice_date_line():
    """Seed 000 line 8 (PDF extraction, a space between every character) is 2023-11-29."""
    text = (FIXTURES / "seed000-notice.txt").read_text(encoding="utf-8")
    line = text.split("\n")[7]
    assert line.strip() == "令 和 5 年 1 1 月 2 9 日"
    assert parse_date(line) == date(2023, 11, 29)
    dates = find_dates(text)
    assert dates[0].value == date(2026, 12, 31)  # 保存期間 3年（令和8年12月31日まで）
    notice = next(m for m in dates if m.text.startswith("令 和"))
    assert notice.value == date(2023, 11, 29)
    assert text[notice.start : notice.end] == "令 和 5 年 1 1 月 2 9 日"
    # The 旧通達 date in the running text: 「（令和5年3月31日付け、福警総第346号。…）」
    assert date(2023, 3, 31) in [m.value for m in dates]
