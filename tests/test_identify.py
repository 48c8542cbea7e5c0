"""identify: the reference set and version a contract follows; never a confident wrong answer."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from contracts import build_annex, embedded_contract, fixture_text, fukuoka_annex, police_annex

from analyzer.cli import main
from analyzer import analyze
from analyzer import identify
from analyzer.identify import CONFIDENCE_FLOOR

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("text", "expected", "deciding"),
    [
        (fukuoka_annex(), ("fukuoka-pref", "2023-10-10"), ("15", "16")),
        (build_annex(old=True), ("fukuoka-pref", "pre-2023-10-10"), ("15", "16")),
        (embedded_contract(old=True), ("fukuoka-pref", "pre-2023-10-10"), ("15", "16")),
        (police_annex(), ("fukuoka-police", "2023-11-29"), ()),
        (fixture_text("seed004-kijun-annex.txt"), ("pref-itaku-kijun", "undated"), ()),
    ],
    ids=["fukuoka-current", "fukuoka-old", "fukuoka-old-embedded", "police", "seed004"],
)
def test_identify_seed_texts(write, text, expected, deciding):
    result = identify([write("c.txt", text)])
    assert result.reference == expected
    assert result.confidence >= 0.9
    assert result.deciding_clauses == deciding


def test_identify_unknown_issuer_is_not_named(write):
    # 久喜市 (seed 003): no reference set here.
    result = identify([write("kuki.txt", fixture_text("seed003-kuki-standard.txt"))])
    assert result.reference is None and result.confidence < CONFIDENCE_FLOOR


def test_identify_undecidable_version_says_so(write):
    # Without 第15 and 第16 nothing tells the two 福岡県 versions apart.
    result = identify([write("c.txt", build_annex(drop=(15, 16)))])
    assert result.reference is None and result.confidence < CONFIDENCE_FLOOR
    assert {(c.id, c.version) for c in result.candidates[:2]} == {
        ("fukuoka-pref", "2023-10-10"),
        ("fukuoka-pref", "pre-2023-10-10"),
    }


def test_identify_tells_the_prefecture_from_its_police_when_no_clause_is_word_for_word(write):
    # A scan read by OCR: 保 misread as 呆 wherever it occurs, so 第1 and most other articles
    # are not carried word for word. The two sets differ in one phrase of 第1 only (the
    # police's 「。以下「番号利用法」という。」); the prefecture's 第1 is closer, and that decides.
    text = fukuoka_annex().replace("保護", "呆護").replace("保有", "呆有")
    result = identify([write("scan.txt", text)])
    assert result.candidates[0].exact == result.candidates[1].exact
    assert result.reference == ("fukuoka-pref", "2023-10-10")
    police = identify([write("police.txt", police_annex().replace("保護", "呆護").replace("保有", "呆有"))])
    assert police.reference == ("fukuoka-police", "2023-11-29")


def test_identify_corpus_versions():
    # On the corpus: contracts with 第15/第16 present are identified with the right 福岡県 version.
    labels = json.loads((ROOT / "corpus" / "labels.json").read_text("utf-8"))
    with (ROOT / "corpus" / "manifest.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    checked = 0
    for row in rows:
        label = labels[row["id"]]
        st = label["clauses"]
        if label["error"] or row["reference"] != "fukuoka-pref" or "police" in row["id"]:
            continue
        if st.get("15") == "missing" or st.get("16") == "missing":
            continue
        if any(v == "modified" for v in st.values()):
            continue
        files = [ROOT / "corpus" / f for f in row["files"].split(";")]
        version = "pre-2023-10-10" if st["15"] == "obsolete" else "2023-10-10"
        result = identify(files)
        assert result.reference == ("fukuoka-pref", version), row["id"]
        checked += 1
    assert checked >= 40


def test_identify_cli_json(capsys, write):
    assert main(["identify", "--format", "json", str(write("c.txt", build_annex(old=True)))]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reference"] == {"id": "fukuoka-pref", "version": "pre-2023-10-10"}
    # Every clause matches the old version exactly, and 第15・第16 tell it from the current one.
    assert data["confidence"] == 1.0 and data["deciding_clauses"] == ["15", "16"]
    assert data["candidates"][0] == {"id": "fukuoka-pref", "version": "pre-2023-10-10", "score": 1.0}
    assert data["candidates"][1]["version"] == "2023-10-10" and data["candidates"][1]["score"] < 1.0


@pytest.mark.parametrize(
    ("fixture", "version"),
    [("seed002-toshima-old.txt", "2021-08-01"), ("seed002-toshima-new.txt", "2023-04-01")],
)
def test_identify_toshima_old_from_new(write, fixture, version):
    result = identify([write("t.txt", fixture_text(fixture))])
    assert result.reference == ("toshima", version)
    assert result.confidence >= 0.9


def _body(client: str) -> str:
    return fixture_text("contract-body.txt").replace("{annex}", "").replace("福岡県（以下", f"{client}（以下").replace(
        "福岡県知事", client)


@pytest.mark.parametrize(
    ("client", "expected"),
    [("福岡県警察本部長", "fukuoka-police"), ("福岡県知事", "fukuoka-pref")],
)
def test_sets_sharing_their_text_are_told_apart_by_the_issuer_the_contract_names(write, client, expected):
    # Without 第1 the prefecture's and the police's annexes are the same text: the body's 甲 decides.
    files = [write("01_契約書.txt", _body(client)), write("02_別記.txt", build_annex(drop=(1,)))]
    ranking = identify(files)
    assert ranking.reference is not None and ranking.reference[0] == expected
    assert client in ranking.issuer_named
    report = analyze(files)
    assert report.reference_id == expected and report.status != "no_reference"
    assert report.choice.method == "issuer" and client in report.choice.evidence
    assert set(report.choice.tied) == {"fukuoka-pref", "fukuoka-police"}
    assert any(f"発行機関の記載「{report.choice.evidence}」で判定" in n for n in report.notes)


def test_sets_nothing_tells_apart_are_each_checked_and_the_closer_reported(write):
    # An annex alone, without 第1 and naming no issuer: checked against both, the one with fewer
    # findings reported, the other named.
    annex = build_annex(drop=(1, 12))  # 第12 missing too: a finding either way
    report = analyze([write("annex.txt", annex)])
    assert report.choice.method == "fewest_findings"
    assert set(report.choice.tied) == {"fukuoka-pref", "fukuoka-police"}
    other = ({"fukuoka-pref", "fukuoka-police"} - {report.reference_id}).pop()
    note = next(n for n in report.notes if "指摘の少ない" in n)
    assert other in note and "--reference" in note
    assert [f.clause for f in report.findings if f.kind.value == "missing" and f.clause.isdigit()] == ["1", "12"]
    # The report is the one with fewer findings: the other set gives as many or more.
    other_report = analyze([write("annex2.txt", annex)], reference=other)
    assert len(report.findings) <= len(other_report.findings)
