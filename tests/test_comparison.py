"""新旧対照表 (analyzer.report.comparison): rows paired by clause id, unchanged runs collapsed,
changed words underlined, all document text escaped."""
from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from analyzer.references import load_reference_library
from analyzer.report.comparison import comparison_rows, diff_flags, render_comparison, segments

VOID = {"meta", "col", "br", "hr", "img", "input", "link"}


class _Checker(HTMLParser):
    """Records the tag structure and fails on unbalanced tags; collects rows by data-clause."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.errors: list[str] = []
        self.rows: dict[str, list[str]] = {}  # data-clause → text of the row
        self._row: str | None = None
        self.lang = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "tr" and "data-clause" in attrs:
            self._row = attrs["data-clause"]
            self.rows[self._row] = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._row is not None:
            self.rows[self._row].append(data)


def _parse(html: str) -> _Checker:
    p = _Checker()
    p.feed(html)
    p.close()
    assert not p.errors, p.errors
    assert not p.stack, p.stack
    return p


def _row_html(html: str, clause_id: str) -> str:
    m = re.search(rf'<tr class="\w+" data-clause="{re.escape(clause_id)}">(.*?)</tr>', html, re.S)
    assert m, f"no row for {clause_id}"
    return m.group(1)


def _cells(row: str) -> tuple[str, str]:
    new, old = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return new, old


@pytest.fixture(scope="module")
def library():
    return load_reference_library()


@pytest.fixture(scope="module")
def fukuoka_html(library):
    ref = library["fukuoka-pref"]
    return render_comparison(ref.version("pre-2023-10-10"), ref.version("2023-10-10"))


@pytest.fixture(scope="module")
def toshima(library):
    ref = library["toshima"]
    return ref.version("2021-08-01"), ref.version("2023-04-01")


def test_comparison_fukuoka_collapses_unchanged_runs(fukuoka_html):
    p = _parse(fukuoka_html)
    assert p.lang == "ja"
    assert '<meta charset="utf-8">' in fukuoka_html
    assert "保有個人情報取扱特記事項 新旧対照表" in fukuoka_html
    assert fukuoka_html.count("第1～第14 略") == 2  # both columns, as in the official table
    assert fukuoka_html.count("第17～第19 略") == 2
    assert set(p.rows) == {"1 2 3 4 5 6 7 8 9 10 11 12 13 14", "15", "16", "17 18 19"}
    # the official column order: 改正後（新） left, 改正前（旧） right
    assert fukuoka_html.index("改正後（新）") < fukuoka_html.index("改正前（旧）")


def test_comparison_fukuoka_underlines_changed_words(fukuoka_html):
    new15, old15 = _cells(_row_html(fukuoka_html, "15"))
    assert "<u>行う</u>" in new15 and "することができる" not in new15
    assert "<u>することができる</u>" in old15
    assert "（調査）" in new15 and "（調査）" in old15  # same title, not underlined
    assert new15.count("<u>") == 1 and old15.count("<u>") == 1

    new16, old16 = _cells(_row_html(fukuoka_html, "16"))
    assert "<u>" not in new16  # pure deletion: nothing to underline on the new side
    assert "求める<u>ことができる</u>ものとする。" in old16
    assert "第16 甲は、" in new16 and "第16 甲は、" in old16


def test_comparison_fukuoka_is_self_contained(fukuoka_html):
    lowered = fukuoka_html.lower()
    assert "<script" not in lowered
    assert "http://" not in lowered and "https://" not in lowered
    assert "@page" in fukuoka_html and "A4" in fukuoka_html


def test_comparison_toshima_new_and_removed_clauses(toshima):
    old, new = toshima
    html = render_comparison(old, new)
    p = _parse(html)
    assert "<script" not in html.lower()
    old_ids = {c.id for c in old.clauses}
    new_only = [c.id for c in new.clauses if c.id not in old_ids]
    assert new_only == ["9", "10", "11", "20", "21"]
    for cid in new_only:
        new_cell, old_cell = _cells(_row_html(html, cid))
        assert "（新設）" in old_cell
        assert new.clause(cid).label in new_cell
    for cid in ("old-4", "old-18", "old-19"):
        new_cell, old_cell = _cells(_row_html(html, cid))
        assert "（削除）" in new_cell
        assert old.clause(cid).label in old_cell
        assert "<u>" in old_cell  # removed text underlined as a whole
    # old-only clauses follow the shared clause that precedes them in the old order
    order = list(p.rows)
    assert order.index("old-4") == order.index("3") + 1
    assert order[order.index("19") + 1 : order.index("19") + 3] == ["old-18", "old-19"]
    assert order[-2:] == ["20", "21"]


def test_comparison_toshima_pairs_by_id_across_renumbering(toshima):
    old, new = toshima
    rows = {r.clause_ids: r for r in comparison_rows(old, new)}
    assert rows[("2",)].kind == "same" and rows[("2",)].summary == "第2条 略"
    # id "17" is 第10条 in the old version and 第17条 in the new one: one row, the number underlined
    moved = rows[("17",)]
    assert moved.kind == "changed"
    new_text = "".join(t for line in moved.new.lines for t, _ in line.segments)
    old_text = "".join(t for line in moved.old.lines for t, _ in line.segments)
    assert new_text.startswith("第17条 ") and old_text.startswith("第10条 ")
    assert ("17", True) in moved.new.lines[0].segments and ("10", True) in moved.old.lines[0].segments
    # a title that differs is underlined
    retitled = rows[("3",)]
    assert retitled.new.title == (("個人情報に関する秘密保持", True),)
    assert retitled.old.title == (("受託業務に従事する者の義務", True),)


def test_comparison_escapes_document_text(library):
    ref = library["fukuoka-pref"]
    old, new = ref.version("pre-2023-10-10"), ref.version("2023-10-10")
    c15 = new.clause("15")
    evil = dataclasses.replace(
        c15,
        title='調査<img src=x onerror="alert(1)">',
        paragraphs=(c15.paragraphs[0].replace("行う", '行う<script>alert("x")</script>&'),),
    )
    new = dataclasses.replace(new, clauses=tuple(evil if c.id == "15" else c for c in new.clauses))
    html = render_comparison(old, new)
    _parse(html)
    assert "<script" not in html.lower()
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html


def test_comparison_identical_versions_collapse_to_one_row(library):
    ver = library["fukuoka-pref"].current
    rows = comparison_rows(ver, ver)
    assert len(rows) == 1 and rows[0].kind == "same" and rows[0].summary == "第1～第19 略"


def test_comparison_tokutei_paragraphs_follow_under_their_note(library):
    ver = library["pref-itaku-kijun"].current
    clause = next(c for c in ver.clauses if c.tokutei_paragraphs)
    changed = dataclasses.replace(clause, paragraphs=(clause.paragraphs[0] + "追記。", *clause.paragraphs[1:]))
    new = dataclasses.replace(ver, clauses=tuple(changed if c.id == clause.id else c for c in ver.clauses))
    html = render_comparison(ver, new)
    new_cell, old_cell = _cells(_row_html(html, clause.id))
    for cell in (new_cell, old_cell):
        assert "【特定個人情報の取扱いのある場合】" in cell
        first_tokutei = f"{len(clause.paragraphs) + 1} {clause.tokutei_paragraphs[0][:10]}"
        assert first_tokutei in cell
        assert cell.index("【特定個人情報の取扱いのある場合】") < cell.index(first_tokutei)
    assert "<u>追記。</u>" in new_cell and "<u>" not in old_cell


def test_comparison_diff_merges_runs_and_keeps_text():
    a, b = "甲は調査することができる。", "甲は調査を行う。"
    fa, fb = diff_flags(a, b)
    assert "".join(t for t, _ in segments(a, fa)) == a
    assert "".join(t for t, _ in segments(b, fb)) == b
    # runs split by one equal character are joined
    fa, fb = diff_flags("AxB", "CxD")
    assert fa == [True, True, True] and fb == [True, True, True]
    assert diff_flags("同じ", "同じ") == ([False, False], [False, False])
