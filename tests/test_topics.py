"""Topic coverage: the national guideline's topics ①–⑧ found in a contract of any issuer, and where."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import TOPIC_FIGURES, load_script
from contracts import build_annex, fixture_text, fukuoka_annex
from html_dom import parse

from analyzer import analyze
from analyzer.model import FindingKind, Severity
from analyzer.report import render_report
from analyzer.report.json import report_schema
from analyzer.settings import default_settings
from analyzer.topics import leave_one_issuer_out
from analyzer.messages import finding_message

ROOT = Path(__file__).resolve().parents[1]
EIGHT = [str(n) for n in range(1, 9)]


def covered(report) -> dict[str, list[str]]:
    return {c.topic: [loc.article for loc in c.locations] for c in report.coverage if c.covered}


def test_topics_leave_one_issuer_out_accuracy():
    results = leave_one_issuer_out(default_settings())
    assert {r.issuer for r in results} == {"fukuoka-pref", "pref-itaku-kijun", "toshima"}
    for r in results:
        TOPIC_FIGURES.append((r.issuer, r.topic_accuracy, r.clauses, r.label_accuracy, r.all_clauses))
    mean = sum(r.topic_accuracy for r in results) / len(results)
    # Gate: the most probable topic of a held-out clause that has topics is one of them.
    assert all(r.topic_accuracy >= 0.9 for r in results), [(r.issuer, r.mistakes) for r in results]
    assert mean >= 0.9
    # Telling clauses outside the eight topics (none) apart is weaker; measured 0.727 / 0.941 / 0.792
    # (福岡県 / seed 004 / 豊島区, 2026-12-02). Guard against regressions below that.
    assert all(r.label_accuracy >= 0.7 for r in results), [(r.issuer, r.mistakes) for r in results]


def test_topics_clean_fukuoka_contract_covers_all_eight_with_articles():
    report = analyze([ROOT / "corpus" / "C001-clean"])
    cov = covered(report)
    assert set(EIGHT) <= set(cov)
    # 再委託: the annex's 第12（再委託の禁止）; the body's 第6条（再委託の制限）, on the whole work and
    # not on personal information, covers no topic (issue 17), nor does its 第7条（秘密の保持）.
    assert cov["2"] == ["第12"] and "第7条" not in cov["1"]
    (sub,) = [c for c in report.coverage if c.topic == "2"]
    assert [Path(loc.file).name for loc in sub.locations] == ["02_別記_特記事項.pdf"]
    assert sub.locations[0].page is not None
    assert "第4" in cov["1"] and "第14" in cov["5"] and "第19" in cov["7"]
    assert "第15" in cov["8"] and "第13" in cov["6"] and "第6" in cov["3"]
    assert not [f for f in report.findings if f.clause.startswith("topic-")]
    # The text report's topic table: every topic ①–⑧ あり, ② at the annex's 第12.
    text = render_report(report, "text").splitlines()
    start = text.index("国の指針の論点（4-8-9(1) ①〜⑧・派遣労働者） / national-guideline topics")
    rows = {line.split()[0]: line.split(maxsplit=3)[1:] for line in text[start + 1 : start + 10]}
    assert list(rows) == ["①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "派遣"]
    assert all(rows[m][0] == "あり" for m in "①②③④⑤⑥⑦⑧")
    assert rows["②"][1] == "再委託の制限"
    assert [loc.split()[-1] for loc in rows["②"][2].split("、")] == ["第12"]


def test_topics_dropping_the_subcontracting_clause_loses_topic_2(write):
    report = analyze([write("drop12.txt", build_annex(drop=(12,)))])
    assert "2" not in covered(report)
    assert set(EIGHT) - {"2"} <= set(covered(report))
    topic = [(f.kind, f.clause, f.severity) for f in report.findings if f.clause.startswith("topic-")]
    assert topic == [(FindingKind.MISSING, "topic-2", Severity.WARNING)]
    assert any("再委託の制限" in finding_message(f) for f in report.findings if f.clause == "topic-2")
    # The text report's topic table says so on its row: ② なし, with no article.
    text = render_report(report, "text").splitlines()
    start = text.index("国の指針の論点（4-8-9(1) ①〜⑧・派遣労働者） / national-guideline topics")
    rows = {line.split()[0]: line.split()[1:] for line in text[start + 1 : start + 10]}
    assert rows["②"] == ["なし", "再委託の制限", "—"]
    assert all(rows[m][0] == "あり" for m in "①③④⑤⑥⑦⑧")
    # The HTML report's topic table says なし for ② only, with no article.
    rows = parse(render_report(report, "html")).one(tag="table", cls="coverage").one(tag="tbody").find_all(tag="tr")
    shown = {tr.find_all(tag="td")[0].text: (tr.find_all(tag="td")[2].one(cls="badge").text, tr.find_all(tag="td")[3].text)
             for tr in rows}
    assert {mark: state for mark, (state, _) in shown.items()} == {
        "①": "あり", "②": "なし", "③": "あり", "④": "あり", "⑤": "あり", "⑥": "あり", "⑦": "あり", "⑧": "あり",
        "派遣": "なし",
    }
    assert shown["②"][1] == "—" and "第4" in shown["①"][1]


def test_topics_warning_does_not_flip_exit_status(write):
    # 第17 (取扱記録) is optional; its topics ④⑧ stay covered by other articles: no topic finding, no error.
    report = analyze([write("drop17.txt", build_annex(drop=(17,)))])
    assert not report.has_errors
    assert not [f for f in report.findings if f.clause.startswith("topic-")]


def test_topics_national_guideline_check_json(write):
    path = write("drop12.txt", build_annex(drop=(12,)))
    report = analyze([path], reference="national-guideline")
    data = json.loads(render_report(report, "json"))
    jsonschema.validate(data, report_schema())
    assert data["reference"]["id"] == "national-guideline"
    status = {c["id"]: c["status"] for c in data["clauses"]}
    assert list(status) == [*EIGHT, "haken"]
    assert status == {**{t: "current" for t in EIGHT}, "2": "missing", "haken": "missing"}
    first = {c["id"]: c["location"] for c in data["clauses"]}
    assert first["1"]["article"] == "第4" and first["7"]["article"] == "第19"
    assert first["2"] is None
    assert [(f["kind"], f["clause"], f["severity"]) for f in data["findings"]] == [("missing", "2", "warning")]
    assert [c["topic"] for c in data["coverage"]] == [*EIGHT, "haken"]


def test_topics_contract_of_an_issuer_without_reference_set(write):
    # Seed 004's prefecture text is its own set; seed 003 久喜市 has none: a standard, not a contract, with
    # one body article that points to the annex — no topic is covered by it.
    kuki = analyze([write("kuki.txt", fixture_text("seed003-kuki-standard.txt"))], reference="national-guideline")
    assert kuki.error is None and len(kuki.coverage) == 9
    assert {c.clause_id: c.status.value for c in kuki.clauses}["2"] == "missing"
    # A contract body without its 特記事項: its 再委託の制限, 秘密の保持 and 契約の解除 articles are on the
    # whole work, not on personal information (issue 17), so no topic is covered: eight findings, not a pass.
    body = fixture_text("contract-body.txt").replace("{annex}", "")
    report = analyze([write("body.txt", body)], reference="national-guideline")
    assert covered(report) == {}
    assert [c.clause_id for c in report.clauses if c.status.value == "missing"] == [*EIGHT, "haken"]
    # The same article naming personal information covers ②.
    named = body.replace("委託業務の全部又は一部を第三者に委託", "委託業務に係る個人情報の処理を第三者に委託")
    assert covered(analyze([write("named.txt", named)], reference="national-guideline")) == {"2": ["第6条"]}


def test_topics_all_seed_annexes_cover_the_eight_topics(write):
    for name in ("seed000-police-annex.txt", "seed002-toshima-new.txt", "seed004-kijun-annex.txt"):
        report = analyze([write(name, fixture_text(name))], reference="national-guideline")
        missing = [c.clause_id for c in report.clauses if c.status.value == "missing"]
        assert missing in ([], ["haken"]), (name, missing)


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_topics_error_report_has_no_coverage(tmp_path, fmt):
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    report = analyze([bad], reference="fukuoka-pref")
    assert report.coverage == ()
    assert render_report(report, fmt)


def test_topics_cached_model_predicts_like_the_trained_one_without_scikit_learn(tmp_path):
    import subprocess
    import sys

    from analyzer.references import load_reference_library
    from analyzer.settings import default_settings
    from analyzer.topics import TopicModel, training_examples

    library, settings = load_reference_library(), default_settings()
    examples = training_examples(library, settings)
    trained = TopicModel(examples)
    rows = [(e.text, e.words, e.title) for e in examples] + [("乙は秘密を守る。", "乙 は 秘密 を 守る", "")]
    for a, b in zip(trained.predict(rows), trained.linear().predict(rows)):
        assert a.keys() == b.keys() and max(abs(a[k] - b[k]) for k in a) < 1e-9
    # First process trains and writes the cache; the next one checks a contract without importing scikit-learn.
    contract = tmp_path / "c.txt"
    contract.write_text(fukuoka_annex(), encoding="utf-8")
    env = {**__import__("os").environ, "TOKKI_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import sys; from analyzer import analyze; r = analyze([sys.argv[1]], reference='fukuoka-pref');"
        "print(sum(c.covered for c in r.coverage), 'sklearn' in sys.modules)"
    )
    first = subprocess.run([sys.executable, "-c", code, str(contract)], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code, str(contract)], env=env, capture_output=True, text=True)
    assert first.stdout.split()[0] == second.stdout.split()[0] == "8", first.stderr
    assert second.stdout.split()[1] == "False"
    assert len(list((tmp_path / "cache").glob("topics-*.json"))) == 1


# The real texts' misses, each explained (benchmarks/topics_real.py; tests/fixtures/municipal/README.md):
KNOWN_MISSES = {
    # 持ち出しの禁止 in the later sentences of an 適正管理 article (labelled ③ and ④): the classifier reads ④.
    "sankoushiryo10-tokki.txt: topic 3",
    # 「個人情報の収集、保管及び利用」 limited to the commissioned work, labelled ① by a judgement call.
    "ku-tokuyaku-joko-yoshiki1.txt: topic 1",
    # 「その利用及び提供は本人の同意を得た範囲に限る」 in one sentence of a 仕様書's 個人情報の保護.
    "body-tagajo-shiyosho.txt: topic 1",
    # The excerpt was stored on one line: its articles are not found at all.
    "sakai-bekki-tokki.txt: topic 1",
}


def test_topics_on_real_municipal_texts():
    # Real annexes and contract bodies of other issuers, labelled by hand (issue 17: ≥ 0.95 per
    # (document, topic); a body article on 期間, 検査, 委託料 or on 再委託 of the whole work never covers a topic).
    r = load_script("benchmarks/topics_real.py", "topics_real").measure()
    assert r["pairs"] >= 250 and r["accuracy"] >= 0.95
    assert r["false_covered"] == 0, r["mistakes"]
    assert {m.split(" covered by")[0] for m in r["mistakes"]} <= KNOWN_MISSES, r["mistakes"]
