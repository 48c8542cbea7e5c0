"""Reports: every format renders; JSON validates; HTML escapes document text and highlights changes."""
from __future__ import annotations

import json

import jsonschema
import pytest
from builders import write_image_pdf
from contracts import build_annex, fukuoka_annex, police_annex
from html_dom import parse

from analyzer import analyze
from analyzer.report import render_report
from analyzer.report.html import highlight
from analyzer.report.json import report_schema


@pytest.fixture
def reports(tmp_path, write):
    return {
        "clean": analyze([write("a.txt", fukuoka_annex())]),
        "police": analyze([write("p.txt", police_annex())]),
        "old": analyze([write("o.txt", build_annex(old=True))], signed_on=None, contract_type="2"),
        "dropped": analyze([write("d.txt", build_annex(drop=(12, 17)))]),
        "error": analyze([write_image_pdf(tmp_path / "scan.pdf")]),
    }


@pytest.mark.parametrize("name", ["clean", "police", "old", "dropped", "error"])
def test_report_json_validates(reports, name):
    data = json.loads(render_report(reports[name], "json"))
    jsonschema.validate(data, report_schema())
    expected = {"clean": "ok", "police": "ok", "old": "findings", "dropped": "findings", "error": "error"}[name]
    assert data["status"] == reports[name].status == expected


# The verdict each report gives: (HTML banner class, banner words, text verdict line).
VERDICTS = {
    "clean": ("ok", "問題なし", "判定: 問題なし / no findings"),
    "police": ("ok", "問題なし", "判定: 問題なし / no findings"),  # identified as fukuoka-police: all current
    "old": ("bad", "要修正", "判定: 要修正 / action required"),  # 第15・第16 old wording, no signing date: error
    "dropped": ("bad", "要修正", "判定: 要修正 / action required"),  # 第12 (mandatory) missing
    "error": ("error", "読み取りエラー", "判定: 読み取りエラー [ocr_required] / error"),
}


@pytest.mark.parametrize("name", ["clean", "police", "old", "dropped", "error"])
def test_report_html_and_text_give_the_verdict(reports, name):
    css, words, line = VERDICTS[name]
    html = render_report(reports[name], "html")
    page = parse(html)  # well-formed: every element closed
    banner = page.one(cls="verdict")
    assert banner.classes == {"verdict", css} and banner.one(cls="big").own_text() == words
    assert page.find_all(tag="dd")[0].text == reports[name].contract_id  # the first line of the metadata: 契約
    assert "http://" not in html and "https://" not in html and "<script" not in html
    text = render_report(reports[name], "text")
    assert text.splitlines()[0] == f"tokki 特記事項チェック: {reports[name].contract_id}"
    assert line in text.splitlines() and "\033[" not in text
    if name == "error":
        assert banner.find_all(tag="code")[0].text == "ocr_required"


def test_report_html_escapes_document_text(write):
    text = build_annex().replace("随時実地の調査等を行う", "随時実地の<script>alert(1)</script>調査等を行う")
    html = render_report(analyze([write("x.txt", text)]), "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_html_highlights_changed_words(write):
    html = render_report(analyze([write("o.txt", build_annex(old=True))]), "html")
    assert "<mark>することができる</mark>" in html
    assert "<mark>行う</mark>" in html
    assert "要修正" in html


def test_report_text_colour_only_when_asked(write):
    report = analyze([write("o.txt", build_annex(old=True))])
    assert "\033[31m判定: 要修正 / action required\033[0m" in render_report(report, "text", color=True).splitlines()
    assert "\033[" not in render_report(report, "text", color=False)
    clean = analyze([write("c.txt", fukuoka_annex())])
    assert "\033[32m判定: 問題なし / no findings\033[0m" in render_report(clean, "text", color=True).splitlines()


HIGHLIGHT = [
    ("abcabc", ["b"], [("a", False), ("b", True), ("cabc", False)]),
    ("調査等を行うものとする", ["行う"], [("調査等を", False), ("行う", True), ("ものとする", False)]),
    ("abc", ["x", ""], [("abc", False)]),
    ("aXbX", ["X", "X"], [("a", False), ("X", True), ("b", False), ("X", True)]),
    # A change quoted from the normalized text is marked where the contract breaks a line or a word
    # with a space, or writes the digits full-width — the whole quoted words, no more.
    ("随時実地の調査等を\n行うものとする", ["調査等を行う"], [("随時実地の", False), ("調査等を\n行う", True), ("ものとする", False)]),
    ("甲は、乙に 対し、報告", ["乙に対し"], [("甲は、", False), ("乙に 対し", True), ("、報告", False)]),
    ("第１５条 甲は", ["15"], [("第", False), ("１５", True), ("条 甲は", False)]),
]


@pytest.mark.parametrize(("text", "needles", "expected"), HIGHLIGHT)
def test_report_highlight_segments(text, needles, expected):
    assert highlight(text, needles) == expected
