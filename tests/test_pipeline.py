"""Acceptance: one contract end to end, on texts built from seeds 000 and 001."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from contracts import build_annex, embedded_contract, fukuoka_annex, police_annex

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import analyze
from analyzer.errors import UsageError
from analyzer.model import ChangeKind, ClauseStatus, FindingKind, Severity
from analyzer.messages import finding_message

ALL = [str(n) for n in range(1, 20)]


def statuses(report) -> dict[str, str]:
    return {c.clause_id: c.status.value for c in report.clauses}


def test_pipeline_seed001_annex_is_all_current(write):
    report = analyze([write("annex.txt", fukuoka_annex())])
    assert report.status == "ok"
    assert statuses(report) == {n: "current" for n in ALL}
    assert report.findings == ()
    assert [c.location.article for c in report.clauses] == [f"第{n}" for n in ALL]


def test_pipeline_police_annex_differs_only_in_clause_1(write):
    report = analyze([write("police.txt", police_annex())], reference="fukuoka-pref")
    st = statuses(report)
    assert st.pop("1") == "modified"
    assert set(st.values()) == {"current"}
    (change,) = report.clauses[0].changes
    assert change.kind is ChangeKind.INSERTED
    assert "以下「番号利用法」という" in change.actual
    # Heading 第7 differs (複写又は複製の禁止 vs …等の禁止): a note, not a modification.
    assert any("見出し" in n for n in report.clauses[6].notes)
    assert [(f.kind, f.clause) for f in report.findings] == [(FindingKind.MODIFIED, "1")]


def test_pipeline_old_15_16_are_obsolete_with_changed_spans(write):
    report = analyze([write("old.txt", build_annex(old=True))])
    st = statuses(report)
    assert {k for k, v in st.items() if v != "current"} == {"15", "16"}
    c15, c16 = report.clauses[14], report.clauses[15]
    assert c15.status is ClauseStatus.OBSOLETE and c15.matched_version == "pre-2023-10-10"
    assert [(c.expected, c.actual) for c in c15.changes] == [("行う", "することができる")]
    assert [(c.expected, c.actual) for c in c16.changes] == [("求める", "求めることができる")]
    assert all(c.kind is ChangeKind.WEAKENED for c in c15.changes + c16.changes)
    kinds = {(f.kind, f.clause, f.severity) for f in report.findings}
    assert (FindingKind.OBSOLETE, "15", Severity.ERROR) in kinds
    assert (FindingKind.OBSOLETE, "16", Severity.ERROR) in kinds
    assert report.has_errors


@pytest.mark.parametrize(
    ("dropped", "severity", "has_errors", "topic"),
    [(12, Severity.ERROR, True, ["topic-2"]), (17, Severity.WARNING, False, [])],
)
def test_pipeline_dropped_clause_is_missing(write, dropped, severity, has_errors, topic):
    report = analyze([write("drop.txt", build_annex(drop=(dropped,)))])
    st = statuses(report)
    assert st.pop(str(dropped)) == "missing"
    assert set(st.values()) == {"current"}
    # 第12 is the only 再委託 article, so guideline topic ② is uncovered too (a warning).
    assert [(f.kind, f.clause, f.severity) for f in report.findings] == [(FindingKind.MISSING, str(dropped), severity)] + [
        (FindingKind.MISSING, t, Severity.WARNING) for t in topic
    ]
    assert report.has_errors is has_errors


def test_pipeline_type_marks_set_severity_and_not_applicable(write):
    # 類型3 (seed 000 table): 第3 is —, 第17 is △.
    report = analyze([write("drop.txt", build_annex(drop=(3, 17)))], contract_type="3")
    st = statuses(report)
    assert st["3"] == "not_applicable" and st["17"] == "missing"
    assert [(f.clause, f.severity) for f in report.findings] == [("17", Severity.INFO)]


def test_pipeline_embedded_annex_in_body_is_found(write):
    report = analyze([write("contract.txt", embedded_contract())])
    assert statuses(report) == {n: "current" for n in ALL}
    assert [c.location.article for c in report.clauses] == [f"第{n + 19}条" for n in range(1, 20)]


@pytest.mark.parametrize("dropped", range(1, 20))
def test_pipeline_embedded_no_body_article_taken_for_a_dropped_clause(write, dropped):
    # The body has 再委託の制限, 秘密の保持, 調査等, 損害賠償, 資料の返還, 事故の報告 …
    report = analyze([write("contract.txt", embedded_contract(drop=(dropped,)))], reference="fukuoka-pref")
    st = statuses(report)
    assert st.pop(str(dropped)) == "missing"
    assert set(st.values()) == {"current"}


def test_pipeline_reordered_and_renumbered_clauses_match_by_content(write):
    order = [2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 12, 14, 16, 15, 17, 18, 19]
    text = build_annex(order=order, label=lambda n: f"第{order.index(n) + 1}")
    report = analyze([write("reordered.txt", text)])
    assert statuses(report) == {n: "current" for n in ALL}
    assert report.clauses[0].location.article == "第2"


def test_pipeline_clause_split_in_two_and_two_merged(write):
    text = build_annex()
    # 第14 split: its paragraph 3 becomes an article of its own.
    text = text.replace("- 3 乙は、第1項の事案が", "(事故報告の続き)\n第14の2 乙は、第1項の事案が")
    # 第17 and 第18 merged into one article.
    text = text.replace("甲に報告するものとする。\n\n(運搬)\n\n第18 ", "甲に報告するものとする。\n2 ")
    report = analyze([write("split.txt", text)])
    assert statuses(report) == {n: "current" for n in ALL}
    assert "第14" in report.clauses[13].location.article


NOISE = [
    ("漏えい", "漏洩"),
    ("毀損", "き損"),
    ("取扱い", "取り扱い"),
    ("第66条第2項", "第６６条第２項"),
    ("、", "，"),
    ("。", "．"),
    ("乙は、", "受託者は、"),
    ("甲の", "委託者の"),
]


def test_pipeline_orthographic_noise_changes_no_status(write):
    text = build_annex()
    for a, b in NOISE:
        text = text.replace(a, b)
    report = analyze([write("noise.txt", text)])
    assert statuses(report) == {n: "current" for n in ALL}, [c.changes for c in report.clauses if c.changes]


def test_pipeline_spaced_characters_and_line_breaks_change_no_status(write):
    lines = build_annex().split("\n")
    out = []
    for line in lines:
        if line.startswith(("第15", "第16", "- 2 乙は、おそれ")):
            line = " ".join(line)  # 「第 1 5 甲 は 、」 as some PDF extractions give
        elif len(line) > 60:
            line = line[:30] + "\n" + line[30:]  # a sentence broken across lines
        out.append(line)
    report = analyze([write("spaced.txt", "\n".join(out))])
    assert statuses(report) == {n: "current" for n in ALL}


@pytest.mark.parametrize(
    ("edit", "clause", "kind"),
    [
        (("直ちに被害の発生", "被害の発生"), "14", ChangeKind.WEAKENED),
        (("講じなければならない。\n\n(管理", "講じるよう努めるものとする。\n\n(管理"), "1", ChangeKind.WEAKENED),
        (("この契約が終了し、又は解除された後においても、同様とする。", ""), "4", ChangeKind.DELETED),
        # An added duty sentence: a stronger change, the clause modified (issue 18).
        (("運搬しなければならない。", "運搬しなければならない。運搬の記録は3年間保存する。"), "18", ChangeKind.STRENGTHENED),
    ],
)
def test_pipeline_real_modifications_are_reported(write, edit, clause, kind):
    text = build_annex().replace(*edit)
    report = analyze([write("mod.txt", text)], reference="fukuoka-pref")
    st = statuses(report)
    assert st.pop(clause) == "modified"
    assert set(st.values()) == {"current"}
    result = report.clauses[int(clause) - 1]
    assert [c.kind for c in result.changes] == [kind]
    # One problem, one finding: modified wording with a weaker duty is a weakened finding.
    (finding,) = [f for f in report.findings if f.clause == clause]
    assert finding.kind is (FindingKind.WEAKENED if kind is ChangeKind.WEAKENED else FindingKind.MODIFIED)


def test_pipeline_main_contract_and_annex_files(write):
    body = write("01_契約書.txt", embedded_contract().split("第20条")[0])
    annex = write("02_別記.txt", fukuoka_annex())
    report = analyze([annex, body])
    assert report.files == (str(body), str(annex))  # natural order, not argument order
    assert statuses(report) == {n: "current" for n in ALL}
    assert report.clauses[0].location.file == str(annex)


def test_pipeline_no_annex_says_so(write):
    report = analyze([write("body.txt", embedded_contract().split("第20条")[0])], reference="fukuoka-pref")
    assert {c.status for c in report.clauses} == {ClauseStatus.MISSING}
    assert any("見つかりません" in n for n in report.notes)


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400), st.sampled_from([0, 50, 200]))
def test_pipeline_never_raises_on_arbitrary_text(noise, cut):
    # Arbitrary Unicode, alone or spliced into a real annex, gives a report, never an exception.
    text = build_annex()[:cut] + noise + build_annex()[cut * 3 :]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.txt"
        path.write_text(text, encoding="utf-8")
        report = analyze([path], reference="fukuoka-pref")
    if report.error is not None:  # e.g. control characters: not a text file — no verdict on any clause
        assert report.status == "error" and report.clauses == () and report.findings == ()
    else:
        assert [c.clause_id for c in report.clauses] == ALL
        assert report.status == ("findings" if report.findings else "ok")
        assert report.has_errors is any(f.severity is Severity.ERROR for f in report.findings)


CITY_SET = """
[reference]
id = "city"
issuer = "某市"
title = "個人情報取扱特記事項"
version = "2024-04-01"
effective = 2024-04-01

[[clause]]
id = "1"
title = "秘密の保持"
mandatory = true
source = "test"
paragraphs = ["乙は、この契約による業務に関して知り得た個人情報を他に漏らしてはならない。"]
topics = ["1"]

[[clause]]
id = "2"
title = "再委託の禁止"
mandatory = true
source = "test"
paragraphs = ["乙は、個人情報の取扱いを第三者に委託してはならない。"]
topics = ["2"]
  [[clause.alternative]]
  paragraphs = ["乙は、あらかじめ甲の承諾を得た場合を除き、個人情報の取扱いを第三者に委託してはならない。"]
  note = "※ 再委託を認める場合"

[[clause]]
id = "3"
title = "複写の制限"
mandatory = true
source = "test"
paragraphs = ["乙は、甲の承諾なしに個人情報を複写してはならない。"]
tokutei_paragraphs = ["乙は、特定個人情報を複製してはならない。"]
topics = ["3"]
"""


@pytest.fixture
def city_library(tmp_path):
    (tmp_path / "lib" / "city").mkdir(parents=True)
    (tmp_path / "lib" / "city" / "2024-04-01.toml").write_text(CITY_SET, encoding="utf-8")
    return tmp_path / "lib"


def _city_contract(clause2: str, clause3: str) -> str:
    return (
        "個人情報取扱特記事項\n（秘密の保持）\n第1条 乙は、この契約による業務に関して知り得た個人情報を他に漏らしてはならない。\n"
        f"（再委託の禁止）\n第2条 {clause2}\n（複写の制限）\n第3条 {clause3}\n"
    )


@pytest.mark.parametrize(
    ("clause2", "clause3", "tokutei", "expected"),
    [
        ("乙は、個人情報の取扱いを第三者に委託してはならない。", "乙は、甲の承諾なしに個人情報を複写してはならない。", False,
         ["current", "current", "current"]),
        # The ※ alternative is the same clause, not a modification.
        ("乙は、あらかじめ甲の承諾を得た場合を除き、個人情報の取扱いを第三者に委託してはならない。",
         "乙は、甲の承諾なしに個人情報を複写してはならない。\n2 乙は、特定個人情報を複製してはならない。", False,
         ["current", "current", "current"]),
        # With --tokutei the 特定個人情報 paragraph is required.
        ("乙は、個人情報の取扱いを第三者に委託してはならない。", "乙は、甲の承諾なしに個人情報を複写してはならない。", True,
         ["current", "current", "modified"]),
        ("乙は、個人情報の取扱いを第三者に委託してはならない。",
         "乙は、甲の承諾なしに個人情報を複写してはならない。\n2 乙は、特定個人情報を複製してはならない。", True,
         ["current", "current", "current"]),
    ],
)
def test_pipeline_alternatives_and_tokutei_paragraphs(write, city_library, clause2, clause3, tokutei, expected):
    path = write("city.txt", _city_contract(clause2, clause3))
    report = analyze([path], reference="city", library_dirs=[city_library], tokutei=tokutei)
    assert [c.status.value for c in report.clauses] == expected
    if expected[2] == "modified":
        # The required 特定個人情報 paragraph lays down a prohibition: its deletion weakens the clause.
        assert report.clauses[2].changes[0].kind is ChangeKind.WEAKENED
        assert "特定個人情報" in report.clauses[2].changes[0].expected


@pytest.mark.parametrize(
    ("fixture", "reference", "count"),
    [
        ("seed001-fukuoka-annex.txt", "fukuoka-pref", 19),
        ("seed000-police-annex.txt", "fukuoka-police", 19),
        ("seed004-kijun-annex.txt", "pref-itaku-kijun", 16),
    ],
)
def test_pipeline_each_seed_against_its_own_latest_version_is_all_current(write, fixture, reference, count):
    from contracts import fixture_text

    report = analyze([write("seed.txt", fixture_text(fixture))], reference=reference)
    assert [c.status.value for c in report.clauses] == ["current"] * count
    assert report.findings == ()


def test_pipeline_toshima_old_against_new_lists_changed_added_and_obsolete_articles(write):
    from contracts import fixture_text

    report = analyze([write("old.txt", fixture_text("seed002-toshima-old.txt"))], reference="toshima")
    by_status = {s: [c.clause_id for c in report.clauses if c.status.value == s] for s in ("obsolete", "missing")}
    # Changed since 2021-08-01 (ids are the 2023-04-01 numbering; old 第5 is new 第4 …).
    assert by_status["obsolete"] == ["1", "3", "4", "6", "13", "15", "16", "18", "19"]
    # Added in 2023-04-01: 第9, 第20 (管轄裁判所), 第21 (準拠法).
    assert by_status["missing"] == ["9", "20", "21"]
    # The old 罰則 articles citing the repealed 条例 are obsolete content.
    stale = [f for f in report.findings if f.clause.startswith("old-")]
    assert [(f.kind, f.clause, f.severity) for f in stale] == [
        (FindingKind.OBSOLETE, "old-18", Severity.ERROR),
        (FindingKind.OBSOLETE, "old-19", Severity.ERROR),
    ]
    assert "第18条" in finding_message(stale[0])


def test_pipeline_toshima_template_notes_are_not_clause_text(write):
    # The new 記載例 as printed, with ※ drafting notes and alternative forms: every article is
    # found and current except 第2 and 第16, whose notes and forms are interleaved in the template.
    from contracts import fixture_text

    report = analyze([write("new.txt", fixture_text("seed002-toshima-new.txt"))], reference="toshima")
    assert [c.clause_id for c in report.clauses if c.status.value != "current"] == ["2", "16"]
    assert all(c.location is not None for c in report.clauses)


def test_pipeline_auto_reference_checks_against_the_latest_version_of_the_identified_set(write):
    from contracts import fixture_text

    report = analyze([write("old.txt", build_annex(old=True))])
    assert (report.reference_id, report.reference_version) == ("fukuoka-pref", "2023-10-10")
    assert {c.clause_id for c in report.clauses if c.status is ClauseStatus.OBSOLETE} == {"15", "16"}
    assert any("自動判定" in n for n in report.notes)
    # 第15/第16 dropped: the version is open, the set is not — still checked, against the latest.
    report = analyze([write("drop.txt", build_annex(drop=(15, 16)))])
    assert report.reference_id == "fukuoka-pref"
    report = analyze([write("police.txt", police_annex())])
    assert report.reference_id == "fukuoka-police" and report.status == "ok"
    # 久喜市: no reference set here, no guess: the national topics only, the closest set named.
    kuki = analyze([write("kuki.txt", fixture_text("seed003-kuki-standard.txt"))])
    assert kuki.status == "no_reference" and kuki.reference_id == "national-guideline"
    assert kuki.choice.method == "none" and kuki.choice.candidates
    with pytest.raises(UsageError):  # a reference the library does not have is the user's mistake
        analyze([write("kuki2.txt", fixture_text("seed003-kuki-standard.txt"))], reference="kuki-city")
