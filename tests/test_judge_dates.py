"""Date-aware judgment: old wording is a deficiency only in contracts signed on or after the revision."""
from __future__ import annotations

from datetime import date

import pytest
from contracts import build_annex

from analyzer import analyze
from analyzer.cli import main
from analyzer.messages import finding_message


@pytest.fixture
def old_contract(tmp_path):
    path = tmp_path / "old.txt"
    path.write_text(build_annex(old=True), encoding="utf-8")
    return path


def _obsolete(report):
    return {f.clause: f for f in report.findings if f.kind.value in ("obsolete", "weakened")}


@pytest.mark.parametrize(
    "signed_on, severity, words",
    [
        (date(2023, 10, 9), "info", "差替えは不要"),
        (date(2023, 10, 10), "error", "改正後"),
        (date(2025, 4, 1), "error", "改正後"),
        (None, "error", "契約日が見つからない"),
    ],
)
def test_old_wording_severity_follows_the_signing_date(old_contract, signed_on, severity, words):
    report = analyze([old_contract], reference="fukuoka-pref", signed_on=signed_on)
    obsolete = [f for f in report.findings if f.kind.value == "obsolete"]
    assert [f.clause for f in obsolete] == ["15", "16"]
    assert {f.severity.value for f in obsolete} == {severity}
    assert all(words in finding_message(f) and "2023-10-10" in finding_message(f) for f in obsolete)
    # One problem, one finding: the weaker duty (できる for 行う/求める) is a facet of the obsolete one.
    assert not [f for f in report.findings if f.kind.value == "weakened"]
    assert all(f.facets == ("obsolete", "weakened") and "義務が弱められています" in finding_message(f) for f in obsolete)


def test_old_wording_signed_before_the_revision_exits_0(old_contract, capsys):
    args = ["check", str(old_contract), "--reference", "fukuoka-pref"]
    assert main([*args, "--signed-on", "2023-06-16"]) == 0
    assert "predates the 2023-10-10 revision" in capsys.readouterr().out
    assert main([*args, "--signed-on", "2023-11-01"]) == 1


@pytest.mark.parametrize("printed, severity", [("令和6年4月1日", "error"), ("令和5年6月1日", "info")])
def test_signing_date_read_from_the_contract_decides(tmp_path, printed, severity):
    from contracts import embedded_contract

    text = embedded_contract(old=True)
    assert text.count("\n令和6年4月1日\n") == 1  # the date line above the signatures
    path = tmp_path / "契約書.txt"
    path.write_text(text.replace("\n令和6年4月1日\n", f"\n{printed}\n"), encoding="utf-8")
    report = analyze([path], reference="fukuoka-pref")
    assert report.metadata.signed_on.text == printed and report.metadata.signed_on.source == "text"
    obsolete = [f for f in report.findings if f.kind.value == "obsolete"]
    assert [f.clause for f in obsolete] == ["15", "16"]
    assert {f.severity.value for f in obsolete} == {severity}
    assert all("契約書.txt" in finding_message(f) for f in obsolete)
    # A date given on the command line wins and says so.
    given = analyze([path], reference="fukuoka-pref", signed_on=date(2023, 1, 5))
    assert given.signed_on == date(2023, 1, 5) and given.metadata.signed_on.source == "cli"
    assert {f.severity.value for f in given.findings if f.kind.value == "obsolete"} == {"info"}
