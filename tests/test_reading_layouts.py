"""Issue 15: annexes as municipalities really lay them out — Word tables, numbering other than 第N,
headings without brackets — read right, and ``tokki fix`` writing into the table cells.

Each test builds the 福岡県 2023-10-10 annex (the reference text itself) in one layout and
checks what a clerk sees: every clause current, labels as printed, the heading not in the text.
"""
from __future__ import annotations

import copy
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import docx
import pytest
from revisions import W, resolve_all

from analyzer import analyze, load_reference_library
from analyzer.fix import fix_document
from analyzer.ingest.docx import read_docx
from analyzer.model import ClauseStatus, Document
from analyzer.segment import segment_document

REFERENCE = "fukuoka-pref@2023-10-10"
CURRENT = load_reference_library()["fukuoka-pref"].current
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
FW = str.maketrans("0123456789", "０１２３４５６７８９")


def _clauses(drop=(), old=False):
    clauses = [c for c in CURRENT.clauses if c.id not in drop]
    if old:  # the pre-2023-10-10 wording of 第15 and 第16 (seed 001 新旧対照表)
        previous = {c.id: c for c in load_reference_library()["fukuoka-pref"].version("pre-2023-10-10").clauses}
        clauses = [previous[c.id] if c.id in ("15", "16") else c for c in clauses]
    return clauses


def _statuses(path: Path, **kw) -> Counter:
    report = analyze([path], reference=REFERENCE, contract_type="1", **kw)
    assert report.error is None, report.error
    return Counter(r.status for r in report.clauses)


def _paragraph_label(k: int) -> str:
    return f"{k}\u3000" if k > 1 else ""


def write_table_annex(path: Path, layout: str, *, drop=(), old=False, sdt_row: bool = False) -> Path:
    """The annex as a Word table, one clause per row (or per several rows with ``split``)."""
    d = docx.Document()
    d.add_paragraph("別記")
    d.add_paragraph("保有個人情報取扱特記事項")
    cols = 3 if layout == "label|heading|text" else 2
    table = d.add_table(rows=0, cols=cols)
    table.style = "Table Grid"
    if layout == "label|heading|text":
        header = table.add_row().cells
        header[0].text, header[1].text, header[2].text = "条", "見出し", "内容"
    for c in _clauses(drop, old):
        n = int(c.id)
        if layout == "split":  # one row per paragraph, the label cell merged down
            rows = [table.add_row() for _ in c.paragraphs]
            rows[0].cells[0].text = f"第{n}"
            rows[0].cells[1].text = f"（{c.title}）"
            for k, (row, para) in enumerate(zip(rows, c.paragraphs), 1):
                if k == 1:
                    row.cells[1].add_paragraph(para)
                else:
                    row.cells[1].text = _paragraph_label(k) + para
            if len(rows) > 1:
                rows[0].cells[0].merge(rows[-1].cells[0])
            continue
        cells = table.add_row().cells
        if layout == "label|heading+text":
            cells[0].text, cells[1].text = f"第{n}", f"（{c.title}）"
            text_cell, first = cells[1], None
        elif layout == "label+heading|text":
            cells[0].text = f"第{n}（{c.title}）"
            text_cell, first = cells[1], c.paragraphs[0]
        else:  # 条 | 見出し | 内容, full-width labels and headings without brackets
            cells[0].text, cells[1].text = f"第{n}".translate(FW), c.title
            text_cell, first = cells[2], c.paragraphs[0]
        if first is not None:
            text_cell.text = first
        for k, para in enumerate(c.paragraphs, 1):
            if first is None or k > 1:
                text_cell.add_paragraph(_paragraph_label(k) + para)
    if sdt_row:  # a row inside a content control (w:sdt), as form templates have
        tr = table.rows[3]._tr
        sdt = copy.deepcopy(docx.oxml.parse_xml(f'<w:sdt xmlns:w="{W[1:-1]}"><w:sdtContent/></w:sdt>'))
        tr.addprevious(sdt)
        sdt.find(W + "sdtContent").append(tr)
    d.save(path)
    return path


TABLE_LAYOUTS = ["label|heading+text", "label+heading|text", "label|heading|text", "split"]


@pytest.mark.parametrize("layout", TABLE_LAYOUTS)
def test_docx_table_annex_reads_every_clause_current(tmp_path, layout):
    path = write_table_annex(tmp_path / "annex.docx", layout, sdt_row=layout == "label|heading+text")
    assert _statuses(path) == Counter({ClauseStatus.CURRENT: 19})
    clauses = segment_document(read_docx(path, "annex.docx"))
    assert [c.number for c in clauses] == list(range(1, 20))
    # The heading cell is the article's heading, never a word of its text.
    assert [c.heading for c in clauses] == [c.title for c in CURRENT.clauses]


def test_docx_table_every_cell_is_read_in_document_order(tmp_path):
    # 19 rows × 3 cells + the header row: lxml proxies deduplicated by id() dropped 51 of 57 cells.
    path = write_table_annex(tmp_path / "annex.docx", "label|heading|text")
    lines = read_docx(path, "annex.docx").text.split("\n")
    expected = ["別記", "保有個人情報取扱特記事項", "条", "見出し", "内容"]
    for c in CURRENT.clauses:
        expected += [f"第{c.id}".translate(FW), c.title, *c.paragraphs[0].split("\n")]  # items: line breaks
        expected += [f"{k}\u3000{p}" for k, p in enumerate(c.paragraphs[1:], 2)]
    assert lines == expected


def test_docx_nested_table_items_and_merged_title_row(tmp_path):
    d = docx.Document()
    table = d.add_table(rows=1, cols=2)
    title = table.rows[0].cells[0].merge(table.rows[0].cells[1])  # gridSpan title row
    title.text = "保有個人情報取扱特記事項"
    for c in CURRENT.clauses:
        cells = table.add_row().cells
        cells[0].text = f"第{c.id}"
        cells[1].text = f"（{c.title}）"
        lines = c.paragraphs[0].split("\n")
        cells[1].add_paragraph(lines[0])
        if len(lines) > 1:  # 第10: items 一–四 in a table nested in the cell, label | text
            inner = cells[1].add_table(rows=0, cols=2)
            for line in lines[1:]:
                label, text = line.split(" ", 1)
                row = inner.add_row().cells
                row[0].text, row[1].text = label, text
        for k, para in enumerate(c.paragraphs[1:], 2):
            cells[1].add_paragraph(f"{k}\u3000{para}")
    d.save(tmp_path / "nested.docx")
    assert _statuses(tmp_path / "nested.docx") == Counter({ClauseStatus.CURRENT: 19})


@pytest.mark.parametrize("layout", TABLE_LAYOUTS)
def test_fix_writes_into_the_table_cells_and_adds_a_row(tmp_path, layout):
    src = write_table_annex(tmp_path / "draft.docx", layout, drop=("4",), old=True)
    before = _statuses(src)
    assert before[ClauseStatus.MISSING] == 1 and before[ClauseStatus.OBSOLETE] == 2
    result = fix_document(src, tmp_path / "fixed.docx", reference=REFERENCE, contract_type="1", now=NOW)
    assert sorted((f.clause_id, f.action) for f in result.fixed) == [
        ("15", "replaced"), ("16", "replaced"), ("4", "inserted")
    ]
    accepted = resolve_all(tmp_path / "fixed.docx", tmp_path / "accepted.docx", accept=True)
    assert _statuses(accepted) == Counter({ClauseStatus.CURRENT: 19})
    rows = len(docx.Document(str(src)).tables[0].rows)
    assert len(docx.Document(str(accepted)).tables[0].rows) == rows + 1  # 第4 in a row of its own
    rejected = resolve_all(tmp_path / "fixed.docx", tmp_path / "rejected.docx", accept=False)
    assert read_docx(rejected, "r").text == read_docx(src, "s").text


STYLES = {
    "1": lambda n: f"{n}\u3000",
    "1.": lambda n: f"{n}.",
    "１．": lambda n: f"{n}．".translate(FW),
    "(1)": lambda n: f"({n})",
    "⑴": lambda n: chr(0x2474 + n - 1),
    "①": lambda n: chr(0x2460 + n - 1),
    "第1条": lambda n: f"第{n}条\u3000",
    "一": lambda n: "一二三四五六七八九十"[n - 1] + "\u3000" if n <= 10 else "十" + "一二三四五六七八九"[n - 11] + "\u3000",
    "その1": lambda n: f"その{n}\u3000",
}


def numbered_annex(label, *, heading: str = "line", drop=()) -> str:
    """The annex with article labels ``label(n)``; headings on their own line (brackets or not) or inline."""
    lines = ["保有個人情報取扱特記事項", ""]
    for c in _clauses(drop):
        n = int(c.id)
        first = c.paragraphs[0].split("\n")
        if heading == "line":
            lines += [f"（{c.title}）", label(n) + first[0]]
        elif heading == "plain":
            lines += [c.title, label(n) + first[0]]
        elif heading == "inline":
            lines += [f"{label(n).rstrip()}（{c.title}）{first[0]}"]
        elif heading == "alone":  # the label alone, then the heading, then the text
            lines += [label(n).strip(), f"（{c.title}）", first[0]]
        lines += first[1:]
        lines += [f"{k}\u3000{p}".translate(FW) for k, p in enumerate(c.paragraphs[1:], 2)]
    return "\n".join(lines)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("heading", ["line", "inline"])
def test_article_numbering_styles_beyond_dai(tmp_path, style, heading):
    path = tmp_path / "annex.txt"
    path.write_text(numbered_annex(STYLES[style], heading=heading), "utf-8")
    assert _statuses(path) == Counter({ClauseStatus.CURRENT: 19})
    clauses = segment_document(Document("a.txt", "txt", path.read_text("utf-8")))
    assert [c.number for c in clauses] == list(range(1, 20))
    assert clauses[2].label == STYLES[style](3).strip()  # printed as printed


@pytest.mark.parametrize("heading", ["plain", "alone"])
def test_labels_alone_and_headings_without_brackets(tmp_path, heading):
    path = tmp_path / "annex.txt"
    path.write_text(numbered_annex(STYLES["１．"], heading=heading, drop=("3", "12")), "utf-8")
    statuses = _statuses(path)
    assert statuses == Counter({ClauseStatus.CURRENT: 17, ClauseStatus.MISSING: 2})


def _numbers(text: str) -> list[int | None]:
    return [c.number for c in segment_document(Document("x.txt", "txt", text))]


def test_body_paragraph_numbers_are_not_articles():
    # A 第N条 contract's 項 numbers and an article's short (1)(2) list stay inside their articles.
    text = "業務委託契約書\n第1条　甲は乙に委託する。\n2　乙は受託する。\n3　乙は守る。\n第2条　乙は、次に掲げる。\n(1) 一つ目\n(2) 二つ目\n"
    assert _numbers(text) == [1, 2]


def test_heading_with_comma_is_a_heading():
    text = "特記事項\n（基本的事項）\n第1　乙は、守る。\n（収集、利用及び提供の制限）\n第2　乙は、収集しない。\n"
    clauses = segment_document(Document("x.txt", "txt", text))
    assert [(c.number, c.heading) for c in clauses] == [(1, "基本的事項"), (2, "収集、利用及び提供の制限")]
    assert "収集、利用" not in text[clauses[0].paragraphs[0][0].start : clauses[0].end]


def test_sub_items_without_a_space_are_split():
    text = "特記事項\n第1　乙は、次の措置を講じなければならない。\n(1)前項に定める措置\n(2)その他の措置\n"
    (clause,) = segment_document(Document("x.txt", "txt", text))
    items = [text[s.start : s.end] for s in clause.paragraphs[0]]
    assert items == ["乙は、次の措置を講じなければならない。", "前項に定める措置", "その他の措置"]


def test_heading_with_text_after_it_never_hides_the_next_article():
    # 第3 dropped, and the heading line of 第2 carries junk: 第4 must still be an article.
    text = "特記事項\n第1　乙は、守る。\n（秘密の保持）<script>alert(1)</script>\n第2　乙は、漏らさない。\n第4　乙は、収集しない。\n"
    assert _numbers(text) == [1, 2, 4]
    text = "特記事項\n第1　乙は、守る。\n（秘密の保持）<script>\n第4　乙は、収集しない。\n"
    assert _numbers(text) == [1, 4]


@pytest.mark.parametrize("title", ["別記 保有個人情報取扱特記事項 第1 基本的事項", "（別記）保有個人情報取扱特記事項　第1（基本的事項）"])
def test_title_on_the_same_line_as_the_first_article(title):
    text = f"契約書\n第1条　甲は委託する。\n代表取締役　○○\n{title}\n乙は、守る。\n第2　乙は、漏らさない。\n"
    clauses = segment_document(Document("x.txt", "txt", text))
    annex = [(c.label, c.heading, c.region) for c in clauses if c.region == "annex"]
    assert annex == [("第1", "基本的事項", "annex"), ("第2", None, "annex")]


def test_table_with_jo_labels_bracketed_headings_and_paren_paragraph_numbers(tmp_path):
    # 「第１条」 and 【見出し】 in one cell, the text beside it, 項 numbered 「（２）」: read as paragraphs,
    # not left in the text (which made 第2, 第7, 第14 "modified"); 第12 removed is missing.
    d = docx.Document()
    d.add_paragraph("別紙")
    d.add_paragraph("個人情報の取扱いに関する特記事項")
    table = d.add_table(rows=0, cols=2)
    for c in _clauses(drop=("12",)):
        cells = table.add_row().cells
        cells[0].text = f"第{c.id}条".translate(FW)
        cells[0].add_paragraph(f"【{c.title}】")
        cells[1].text = c.paragraphs[0]
        for k, para in enumerate(c.paragraphs[1:], 2):
            cells[1].add_paragraph(f"（{k}）{para}")
    d.save(tmp_path / "annex.docx")
    assert _statuses(tmp_path / "annex.docx") == Counter({ClauseStatus.CURRENT: 18, ClauseStatus.MISSING: 1})
    clauses = segment_document(read_docx(tmp_path / "annex.docx", "annex.docx"))
    assert [len(c.paragraphs) for c in clauses if c.number in (2, 7, 14)] == [2, 3, 3]


def test_paren_numbers_inside_an_item_list_stay_items():
    text = "特記事項\n第1　乙は、次に掲げる情報に限り取り扱う。\n（1）　氏名\n（2）　住所\n第2　乙は、守る。\n"
    (first, _) = segment_document(Document("x.txt", "txt", text))
    assert len(first.paragraphs) == 1 and [text[s.start : s.end] for s in first.paragraphs[0]][1:] == ["氏名", "住所"]
