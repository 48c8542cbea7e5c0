"""One analysis, reused (issue 19): a Checker built once answers for many contracts; fix, identify and
the matching read the analysis instead of reading, segmenting or matching again; the store is read
through its read API, read-only where nothing should be written."""
from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from builders import write_docx
from contracts import build_annex

import analyzer.checker as checker_module
from analyzer import CheckOptions, Checker, analyze, identify, shared_checker
from analyzer.errors import StoreError
from analyzer.fix import fix_analysis, fix_document
from analyzer.report.json import report_to_dict
from analyzer.report.summary import archive_figures
from analyzer.scan import scan_archive
from analyzer.store import MIGRATIONS, Store, open_existing

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
NOW = datetime(2026, 12, 7, tzinfo=timezone.utc)


def test_one_checker_answers_like_a_fresh_one_for_every_contract():
    contracts = [CORPUS / n for n in ("C001-clean", "C007-old-before.pdf", "C015-set-toshima.docx", "C047-modified.txt")]
    checker = Checker()
    reused = [report_to_dict(checker.analyze([p]).report) for p in contracts]
    fresh = [report_to_dict(Checker().analyze([p]).report) for p in reversed(contracts)]
    assert reused == list(reversed(fresh))
    assert reused[1]["status"] == "findings" and reused[0]["status"] == "ok"


def test_identification_and_judging_match_each_version_once(monkeypatch):
    calls: list[tuple[str, str]] = []
    real = Checker.match

    def match(self, contract, ref_set, version):
        calls.append((ref_set.id, version.version))
        return real(self, contract, ref_set, version)

    monkeypatch.setattr(Checker, "match", match)
    checker = Checker()
    analysis = checker.analyze([CORPUS / "C007-old-before.pdf"])
    versions = [(s.id, v.version) for s in checker.library.values() if s.current.level == "clause" for v in s.versions]
    assert sorted(calls) == sorted(versions)  # each ranked once; the chosen one judged from the same matches
    chosen = (analysis.reference_set.id, analysis.version.version)
    assert chosen in versions and analysis.ranking is not None
    assert analysis.ranking.candidates[0].id == analysis.reference_set.id


def test_analysis_holds_what_the_report_was_made_from():
    analysis = Checker().analyze([CORPUS / "C012-modified"], CheckOptions(reference="fukuoka-pref"))
    assert [Path(d.path).name for d in analysis.documents] == [p.name for p in analysis.files]
    ids = {c.id for c in analysis.version.clauses}
    assert analysis.matches and set(analysis.matches) <= ids
    for clause_id, match in analysis.matches.items():
        result = next(r for r in analysis.report.clauses if r.clause_id == clause_id)
        first = analysis.clauses[match.units[0][0]]
        assert result.location.article == first.label  # the report's article is the matched one
    assert analysis.ranking is None  # the reference was given


def test_an_unreadable_contract_is_an_analysis_with_its_error():
    analysis = Checker().analyze([CORPUS / "C080-bad-encrypted.pdf"])
    assert analysis.report.status == "error" and analysis.report.error.code.value == "encrypted"
    assert analysis.documents == () and analysis.error is not None
    with pytest.raises(type(analysis.error)):
        analysis.raise_error()


def _count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = checker_module.load_document

    def load(path, *a, **k):
        reads.append(Path(path).suffix)
        return real(path, *a, **k)

    monkeypatch.setattr(checker_module, "load_document", load)
    return reads


def test_fix_of_a_text_draft_reads_it_once(tmp_path, monkeypatch):
    src = tmp_path / "draft.txt"
    src.write_text(build_annex(old=True), encoding="utf-8")
    reads = _count_reads(monkeypatch)
    result = fix_document(src, tmp_path / "fixed.docx", now=NOW)
    assert result.annex_written and result.fixed
    assert reads == [".txt", ".docx"]  # the draft, then the annex DOCX written from it (was 4 reads)


def test_fix_from_an_analysis_reads_nothing_again(tmp_path, monkeypatch):
    src = write_docx(tmp_path / "draft.docx", build_annex(old=True).splitlines())
    checker = shared_checker()
    analysis = checker.analyze([src])
    reads = _count_reads(monkeypatch)
    result = fix_analysis(analysis, tmp_path / "fixed.docx", checker=checker, now=NOW)
    assert reads == [] and {f.clause_id for f in result.fixed} >= {"15", "16"}
    assert result.report is analysis.report


def test_identify_is_the_ranking_of_the_analysis():
    path = CORPUS / "C013-set-police.pdf"
    ranking = identify([path])
    assert ranking == shared_checker().analyze([path]).ranking
    assert ranking.reference is not None and ranking.reference[0] == "fukuoka-police"


def test_shared_checker_is_rebuilt_when_a_reference_file_changes(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "reference_clauses" / "toshima", lib / "toshima-copy")
    for f in (lib / "toshima-copy").glob("*.toml"):
        f.write_text(f.read_text(encoding="utf-8").replace('id = "toshima"', 'id = "toshima-copy"'), encoding="utf-8")
    first = shared_checker([lib])
    assert shared_checker([lib]) is first and "toshima-copy" in first.library
    target = sorted((lib / "toshima-copy").glob("*.toml"))[-1]
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 10**9))
    assert shared_checker([lib]) is not first


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("store")
    archive = work / "archive"
    archive.mkdir()
    for name in ("C001-clean", "C007-old-before.pdf", "C080-bad-encrypted.pdf"):
        src = CORPUS / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, archive / name)
    scan_archive(archive, db=work / "t.sqlite", out=None, jobs=1)
    return work / "t.sqlite"


def test_store_read_api_gives_the_figures_and_reports_and_writes_nothing(scanned):
    before = scanned.read_bytes()
    with open_existing(scanned) as store:
        assert store.read_only
        fig = archive_figures(store)
        assert [c.id for c in fig.contracts] == ["C001-clean", "C007-old-before", "C080-bad-encrypted"]
        assert [c.status for c in fig.contracts] == ["ok", "findings", "error"]
        report = store.contract_report("C007-old-before")
        assert report["schema"] == "tokki.report/1" and report["status"] == "findings"
        assert store.contract_report("nope") is None
        assert {r["clause"] for r in store.finding_rows(kind="obsolete")} >= {"15", "16"}
        assert store.finding_rows(clause="15", since="2999-01-01") == []
        with pytest.raises(sqlite3.Error):  # read-only: even a direct write is refused
            store.db.execute("DELETE FROM findings")
    assert scanned.read_bytes() == before


def test_read_only_store_older_than_the_schema_is_refused_with_advice(tmp_path):
    old = tmp_path / "old.sqlite"
    Store(old, MIGRATIONS[:2]).close()
    with pytest.raises(StoreError) as err:
        Store(old, read_only=True)
    assert "tokki scan" in str(err.value)
    Store(old).close()  # a scan (read-write) migrates it
    with Store(old, read_only=True) as store:
        assert store.migrations() == [name for name, _ in MIGRATIONS]


def test_plain_analyze_is_the_shared_checkers_report():
    path = CORPUS / "C045-old-after.pdf"
    assert report_to_dict(analyze([path])) == report_to_dict(shared_checker().analyze([path]).report)


def test_stored_comparison_forms_read_back_as_made():
    """What a scan keeps of a contract (its articles in comparison form) reads back equal, judges
    the same, and anything else (damaged, made over other documents) reads as None."""
    from analyzer.match import dump_contract, load_contract

    checker = Checker()
    for path in (CORPUS / "C001-clean", CORPUS / "C010-noise.docx", CORPUS / "C007-old-before.pdf"):
        analysis = checker.analyze([path])
        data = dump_contract(analysis.contract)
        again = load_contract(analysis.documents, data)
        assert again == analysis.contract
        rejudged = checker.analyze_documents(analysis.documents, analysis.files, analysis.options, again)
        assert report_to_dict(rejudged.report) == report_to_dict(analysis.report)
        assert load_contract(analysis.documents, data[:-3]) is None
        assert load_contract(analysis.documents, b"\x05\x00\x00\x00garbage") is None
    assert load_contract((), dump_contract(checker.analyze([CORPUS / "C001-clean"]).contract)) is None
