"""Contract metadata (analyzer.metadata): title, signing date, period, parties, data kinds, 類型.

Inputs: the corpus contracts (corpus/generate.py prints the body of
tests/fixtures/contract-body.txt: 履行期間 令和6年4月1日〜令和7年3月31日 in 第3条,
and — only in embedded contracts — the closing with the date line 令和6年4月1日
above the signatures), the seed texts, and contracts written here as TXT,
PDF and DOCX.
"""
from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from builders import _wrap, write_docx, write_pdf
from contracts import embedded_contract, fixture_text, police_annex

from analyzer.errors import DocumentError
from analyzer.ingest import load_document
from analyzer.metadata import ContractMetadata, Field, extract_metadata, load_rules
from analyzer.settings import default_settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
BODY_TITLE = "県民健康調査データ入力業務"


def load(*paths: Path):
    settings = default_settings()
    return [load_document(p, settings) for p in paths]


def lines_of(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n")]


# ---------------------------------------------------------------- the body template


def test_embedded_contract_txt(write):
    [doc] = load(write("contract.txt", embedded_contract()))
    m = extract_metadata([doc])
    assert m.title.value == BODY_TITLE  # generic heading 「業務委託契約書」 → the work name of 第2条
    assert m.signed_on.value == date(2024, 4, 1)
    assert m.signed_on.text == "令和6年4月1日"
    # the signing date is the one above the signatures, not the 履行期間 start of 第3条
    assert m.signed_on.start == doc.text.rindex("令和6年4月1日")
    assert (m.signed_on.file, m.signed_on.page) == (doc.path, None)
    assert (m.period_start.value, m.period_end.value) == (date(2024, 4, 1), date(2025, 3, 31))
    assert m.period_start.start == doc.text.index("令和6年4月1日")
    assert m.client.value == "福岡県知事 ○○ ○○"
    assert m.contractor.value == "株式会社テスト情報サービス 代表取締役 試験 太郎"
    assert m.contractor.text.startswith("株式会社テスト情報サービス")
    assert m.suggested_type == 1
    assert [r.value for r in m.type_reasons] == ["データ入力", "入力業務"]
    assert (m.tokutei, m.yohairyo, m.records) == (None, None, None)


def test_body_without_closing_has_no_signing_date_but_has_parties_from_the_preamble(write):
    body = fixture_text("contract-body.txt").split("{annex}")[0]
    [doc] = load(write("body.txt", body))
    m = extract_metadata([doc])
    assert m.signed_on is None  # only 履行期間 dates: none of them is a signing date
    assert m.period_end.value == date(2025, 3, 31)
    assert (m.client.value, m.contractor.value) == ("福岡県", "株式会社テスト情報サービス")
    assert m.client.text == "福岡県" and doc.text[m.client.start : m.client.end] == "福岡県"


def test_police_annex_notes_do_not_mean_tokutei(write):
    """The 注 of the 特記事項 mentions 「要配慮個人情報の有無、特定個人情報の有無」 and 第1 cites 番号利用法."""
    body = fixture_text("contract-body.txt").split("{annex}")[0]
    annex = police_annex()
    assert "特定個人情報の有無" in annex and "番号利用法" in annex
    docs = load(write("01_契約書.txt", body), write("02_別記.txt", annex))
    m = extract_metadata(docs)
    assert (m.tokutei, m.yohairyo) == (None, None)
    assert m.title.value == BODY_TITLE


def test_kijun_annex_special_clauses_do_not_mean_tokutei(write):
    """Seed 004's 【特定個人情報の取扱いのある場合】 clauses are conditional annex text."""
    [doc] = load(write("annex.txt", fixture_text("seed004-kijun-annex.txt")))
    assert "受託者は、特定個人情報を取り扱う区域" in doc.text
    m = extract_metadata([doc])
    assert m.tokutei is None


# ---------------------------------------------------------------- PDF and DOCX


SIGNED_CONTRACT = lines_of(embedded_contract().replace("令和6年4月1日\n\n甲", "令和5年12月1日\n\n甲"))


def test_pdf_signing_date_with_page(tmp_path):
    path = write_pdf(tmp_path / "contract.pdf", SIGNED_CONTRACT, lines_per_page=20)
    [doc] = load(path)
    m = extract_metadata([doc])
    assert m.signed_on.value == date(2023, 12, 1)
    # The page the builder put the date line on, counted from its own wrapping.
    wrapped = _wrap(SIGNED_CONTRACT, 38)
    expected_page = wrapped.index("令和5年12月1日") // 20 + 1
    assert expected_page > 1
    assert m.signed_on.page == expected_page
    assert m.period_start.page == 1 and m.period_start.value == date(2024, 4, 1)
    assert m.title.value == BODY_TITLE  # wrapped over two PDF lines
    assert m.contractor.value.startswith("株式会社テスト情報サービス")
    assert m.to_json()["signed_on"] == {
        "value": "2023-12-01", "text": "令和5年12月1日", "file": str(path), "page": expected_page, "source": "text",
    }


def test_docx_signing_date(tmp_path):
    path = write_docx(tmp_path / "contract.docx", SIGNED_CONTRACT, label_in_own_run=True)
    [doc] = load(path)
    m = extract_metadata([doc])
    assert (m.signed_on.value, m.signed_on.page, m.signed_on.file) == (date(2023, 12, 1), None, str(path))
    assert m.client.value == "福岡県知事 ○○ ○○"


def test_spaced_pdf_date_line(tmp_path):
    lines = ["業務委託契約書", "", "この契約の締結を証するため、本書2通を作成し、各自その1通を保有する。", "",
             "令 和 5 年 1 1 月 2 9 日", "", "委託者　福岡県知事　服部　誠太郎", "受託者　株式会社サンプル"]
    [doc] = load(write_pdf(tmp_path / "spaced.pdf", lines))
    m = extract_metadata([doc])
    assert m.signed_on.value == date(2023, 11, 29)
    assert m.signed_on.text == "令 和 5 年 1 1 月 2 9 日"
    assert m.client.value == "福岡県知事 服部 誠太郎"


# ---------------------------------------------------------------- labelled forms

COVER = """委託契約書

契約件名　○○市民アンケート調査業務
契約締結日：令和5年12月1日
履行期間　令和5年12月1日～令和6年3月31日
委託者　福岡県知事　服部　誠太郎
受託者
住所　福岡市中央区天神1丁目1番1号
商号又は名称　株式会社サンプル
代表者　代表取締役　見本　花子

（業務の内容）
第2条　本業務では、アンケートの回答者約1,200件の氏名、住所及び個人番号を含む特定個人情報を取り扱う。
第3条　令和5年10月10日以降に締結した契約には、個人情報の保護に関する法律（平成15年法律第57号）に基づく改正後の特記事項を添付する。
"""


def test_labelled_cover_sheet(write):
    [doc] = load(write("cover.txt", COVER))
    m = extract_metadata([doc])
    assert m.title.value == "○○市民アンケート調査業務"
    assert (m.signed_on.value, m.signed_on.text) == (date(2023, 12, 1), "令和5年12月1日")
    assert (m.period_start.value, m.period_end.value) == (date(2023, 12, 1), date(2024, 3, 31))
    assert m.client.value == "福岡県知事 服部 誠太郎"
    assert m.contractor.value == "株式会社サンプル 代表取締役 見本 花子"  # 住所 line skipped
    assert m.tokutei.value is True and m.tokutei.text in ("個人番号", "特定個人情報")
    assert (m.records.value, m.records.text) == (1200, "約1,200件")
    assert m.yohairyo is None
    assert m.suggested_type == 2
    assert [r.value for r in m.type_reasons] == ["アンケート"]


def test_running_text_dates_and_law_numbers_are_not_signing_dates(write):
    text = """業務委託契約書
第1条　令和5年10月10日以降に締結した契約には、改正後の特記事項を添付する。
第2条　個人情報の保護に関する法律（平成15年法律第57号）を遵守する。
第3条　契約日から起算して10日以内に、令和6年1月10日までに報告する。
"""
    [doc] = load(write("c.txt", text))
    assert extract_metadata([doc]).signed_on is None


def test_notice_date_line_is_not_a_signing_date():
    """Seed 000: 「令 和 5 年 1 1 月 2 9 日」 heads a notice (各部長 殿), not a signature block."""
    [doc] = load(FIXTURES / "seed000-notice.txt")
    m = extract_metadata([doc])
    assert m.signed_on is None
    assert m.tokutei is None and m.yohairyo is None  # only the 注 and 番号利用法 mention them
    assert m.period_start is None and m.period_end is None


def test_period_from_signing_day_has_only_an_end(write):
    [doc] = load(write("c.txt", "第3条　履行期間は、契約締結の日から令和7年3月末日までとする。\n"))
    m = extract_metadata([doc])
    assert m.period_start is None
    assert (m.period_end.value, m.period_end.text) == (date(2025, 3, 31), "令和7年3月末日")


@pytest.mark.parametrize(
    "sentence,records",
    [
        ("対象データは1万件である。", 10000),
        ("受診者名簿（約３，５００件）を貸与する。", 3500),
        ("保有個人情報は1.2万件を想定する。", 12000),
        ("1,000件以上の保有個人情報を取り扱う場合は、実地調査を行う。", None),  # the audit's rule, a threshold
        ("委託料は、金3,300,000円とする。", None),
        ("苦情は3件あった。", None),  # no personal-data context
    ],
)
def test_records(write, sentence, records):
    [doc] = load(write("c.txt", f"業務委託契約書\n第1条　{sentence}\n"))
    m = extract_metadata([doc])
    assert (m.records.value if m.records else None) == records


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("本業務では、個人番号を含む申請書を入力する。", True),
        ("本業務では、マイナンバーカードの交付申請データを取り扱う。", True),
        ("本業務では、個人番号は取り扱わない。", False),
        ("乙は、特定個人情報を取り扱う場合は、甲の指示に従う。", None),  # a condition
        ("「保有個人情報の秘匿性等その内容」には、特定個人情報の有無が含まれる。", None),
    ],
)
def test_tokutei(write, sentence, expected):
    [doc] = load(write("c.txt", f"業務委託契約書\n第1条　{sentence}\n"))
    m = extract_metadata([doc])
    assert (m.tokutei.value if m.tokutei else None) is expected
    assert m.yohairyo is None


def test_yohairyo(write):
    [doc] = load(write("c.txt", "業務委託契約書\n第1条　本業務では、受診者の病歴を含む健診結果を入力する。\n"))
    m = extract_metadata([doc])
    assert m.yohairyo.value is True and m.yohairyo.text == "病歴"


@pytest.mark.parametrize(
    "title,expected,reasons",
    [
        ("○○公園指定管理業務協定書", 4, ["指定管理", "公園"]),
        ("基幹システム保守点検業務委託契約書", 3, ["システム", "保守", "点検"]),
        ("職員定期健康診断業務委託契約書", 1, ["健康診断"]),
        ("県民健康づくり大会運営業務委託契約書", 2, ["大会"]),
        ("健康診断システム業務委託契約書", None, []),  # 類型1 and 類型3 tie: no suggestion
        ("清掃業務委託契約書", None, []),
    ],
)
def test_type_from_the_title(write, title, expected, reasons):
    [doc] = load(write("c.txt", f"{title}\n\n第1条　甲及び乙は、この契約を履行しなければならない。\n"))
    m = extract_metadata([doc])
    assert m.title.value == title
    assert m.suggested_type == expected
    assert [r.value for r in m.type_reasons] == reasons


def test_type_from_a_work_description_line(write):
    [doc] = load(write("c.txt", "業務委託契約書\n\n業務内容　参加者名簿の作成及び研修会の運営\n"))
    m = extract_metadata([doc])
    assert m.suggested_type == 2
    assert [r.value for r in m.type_reasons] == ["研修会", "参加者"]


def test_type_keywords_are_data():
    rules = load_rules()
    assert [t[0] for t in rules.types] == [1, 2, 3, 4]
    assert "データ入力" in rules.types[0][2] and "指定管理" in rules.types[3][2]


# ---------------------------------------------------------------- JSON and overrides


def test_to_json_and_overrides(write):
    [doc] = load(write("contract.txt", embedded_contract()))
    m = extract_metadata([doc])
    data = json.loads(json.dumps(m.to_json(), ensure_ascii=False))
    assert data["signed_on"]["value"] == "2024-04-01"
    assert data["signed_on"]["file"] == str(doc.path)
    assert data["tokutei"] is None
    assert data["suggested_type"] == 1
    assert data["type_reasons"][0]["value"] == "データ入力"
    o = m.with_overrides(signed_on=date(2023, 11, 27), type=2, source="manifest")
    assert o.signed_on == Field.given(date(2023, 11, 27), "manifest")
    assert o.to_json()["signed_on"]["source"] == "manifest"
    assert o.suggested_type == 2 and o.title == m.title
    with pytest.raises(ValueError):
        m.with_overrides(type=5)
    assert ContractMetadata().to_json()["title"] is None


# ---------------------------------------------------------------- the corpus


def _corpus_rows():
    with open(CORPUS / "manifest.csv", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh)]


@pytest.mark.slow
def test_corpus_metadata():
    """Every readable corpus contract: what its text prints, and nothing else.

    The corpus prints one signing date only in the embedded contracts (the
    body's closing, 令和6年4月1日); manifest.csv's signed_on is a label the
    generator does not print, so it is not what the text must give.
    """
    settings = default_settings()
    labels = json.loads((CORPUS / "labels.json").read_text("utf-8"))
    counts = {"with_body": 0, "printed_signing": 0, "signed_found": 0, "annex_only": 0}
    for row in _corpus_rows():
        try:
            docs = [load_document(CORPUS / f, settings) for f in row["files"].split(";")]
        except DocumentError as exc:  # the bad-* inputs: each fails with its labelled error code
            assert exc.code.value == labels[row["id"]]["error"], row["id"]
            continue
        assert not labels[row["id"]]["error"], f"{row['id']} should not be readable"
        m = extract_metadata(docs)
        text = "\n".join(d.text for d in docs)
        if "履行期間" in text:
            counts["with_body"] += 1
            assert m.title.value == BODY_TITLE, row["id"]
            assert (m.period_start.value, m.period_end.value) == (date(2024, 4, 1), date(2025, 3, 31)), row["id"]
            assert m.client.value in ("福岡県", "福岡県知事 ○○ ○○"), row["id"]
            assert m.contractor.value.startswith("株式会社テスト情報サービス"), row["id"]
            assert m.suggested_type == 1, row["id"]  # データ入力業務
        else:
            counts["annex_only"] += 1
            assert (m.title, m.period_start, m.client, m.contractor) == (None, None, None, None), row["id"]
        if "締結を証する" in text.replace(" ", ""):
            counts["printed_signing"] += 1
            if m.signed_on is not None:
                counts["signed_found"] += 1
                assert m.signed_on.value == date(2024, 4, 1), row["id"]
        else:
            assert m.signed_on is None, row["id"]
        assert (m.tokutei, m.yohairyo, m.records) == (None, None, None), row["id"]
    assert counts["printed_signing"] >= 4
    assert counts["signed_found"] == counts["printed_signing"]
    assert counts["with_body"] + counts["annex_only"] == 78
