"""Reference data: every file in reference_clauses/ loads and validates; the 福岡県 set is right."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analyzer.errors import ReferenceDataError, UsageError
from analyzer.references import bundled_reference_dir, load_reference_file, load_reference_library, resolve_reference
from analyzer.settings import load_settings

REFERENCE_FILES = sorted(bundled_reference_dir().glob("*/*.toml"))


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_references_every_file_loads(path):
    version = load_reference_file(path)
    # The file's set and version are its folder and file name (what --reference ID@VERSION finds).
    assert (version.set_id, version.version) == (path.parent.name, path.stem)
    ids = [c.id for c in version.clauses]
    assert ids and len(set(ids)) == len(ids), "clause ids are unique"
    assert all(c.source for c in version.clauses), "every clause cites its source"
    assert all(c.paragraphs and all(p.strip() for p in c.paragraphs) for c in version.clauses), "no empty clause text"
    assert all(set(c.types.values()) <= {"○", "△", "—"} for c in version.clauses), "類型 marks are ○ △ —"
    assert all(set(c.types) <= {"1", "2", "3", "4"} for c in version.clauses), "類型 are 1–4"


def test_references_settings_load():
    s = load_settings()
    assert 0 < s.min_similarity <= s.strong_similarity <= 1


def test_references_fukuoka_versions():
    ref_set = load_reference_library()["fukuoka-pref"]
    old, new = ref_set.versions
    assert (old.version, new.version) == ("pre-2023-10-10", "2023-10-10")
    assert new.effective == date(2023, 10, 10) and old.superseded_on == date(2023, 10, 10)
    assert ref_set.current is new
    assert [c.id for c in new.clauses] == [str(n) for n in range(1, 20)]
    # 注2 (seed 001 line 854): 第1, 第2, 第4, 第11–第14, 第19 are mandatory.
    assert {c.id for c in new.clauses if c.mandatory} == {"1", "2", "4", "11", "12", "13", "14", "19"}
    # 新旧対照表: only 第15 and 第16 changed.
    changed = {c.id for c, o in zip(new.clauses, old.clauses) if c.paragraphs != o.paragraphs}
    assert changed == {"15", "16"}
    assert "することができる" in old.clause("15").text and "行う" in new.clause("15").text
    # 類型 table (seed 000): 第3 is — for 類型3, 第17 is △ everywhere.
    assert new.clause("3").types["3"] == "—" and set(new.clause("17").types.values()) == {"△"}


def test_references_resolve():
    library = load_reference_library()
    assert resolve_reference(library, None)[1].version == "2023-10-10"
    assert resolve_reference(library, "fukuoka-pref@pre-2023-10-10")[1].version == "pre-2023-10-10"
    with pytest.raises(UsageError):
        resolve_reference(library, "nowhere")
    with pytest.raises(UsageError):
        resolve_reference(library, "fukuoka-pref@1999")


def _write_set(root: Path, body: str) -> None:
    (root / "city").mkdir(parents=True)
    (root / "city" / "2024-04-01.toml").write_text(body, encoding="utf-8")


def test_references_extra_library_folder(tmp_path):
    _write_set(
        tmp_path,
        '[reference]\nid = "city"\nissuer = "某市"\ntitle = "特記事項"\nversion = "2024-04-01"\n'
        'effective = 2024-04-01\n\n[[clause]]\nid = "1"\ntitle = "秘密の保持"\nmandatory = true\n'
        'source = "test"\nparagraphs = ["乙は、知り得た個人情報を他に漏らしてはならない。"]\n',
    )
    library = load_reference_library([tmp_path])
    assert {"fukuoka-pref", "city"} <= set(library)


@pytest.mark.parametrize(
    "body",
    [
        '[reference]\nid = "city"\n',  # no clauses, no issuer
        '[reference]\nid="city"\nissuer="x"\ntitle="x"\nversion="1"\neffective=2024-04-01\n'
        '[[clause]]\nid="1"\nmandatory=true\nparagraphs=[]\n',  # empty paragraphs
        '[reference]\nid="city"\nissuer="x"\ntitle="x"\nversion="1"\neffective=2024-04-01\n'
        '[[clause]]\nid="1"\nmandatory=true\nparagraphs=["a"]\ntypes={"5"="○"}\n',  # bad 類型
        "not toml at all [",
    ],
)
def test_references_invalid_file_is_refused_with_its_name(tmp_path, body):
    _write_set(tmp_path, body)
    with pytest.raises(ReferenceDataError) as err:
        load_reference_library([tmp_path])
    assert "2024-04-01.toml" in str(err.value)


def test_references_every_seed_set_is_there():
    library = load_reference_library()
    assert {"fukuoka-pref", "fukuoka-police", "pref-itaku-kijun", "national-guideline"} <= set(library)
    police = library["fukuoka-police"].current
    assert len(police.clauses) == 19 and police.effective == date(2023, 11, 29)
    assert {c.id for c in police.clauses if c.mandatory} == {"1", "2", "4", "11", "12", "13", "14", "19"}
    kijun = library["pref-itaku-kijun"].current
    assert len(kijun.clauses) == 16
    assert {c.id for c in kijun.clauses if c.tokutei_paragraphs} == {"5", "6", "11"}
    guideline = library["national-guideline"].current
    assert guideline.level == "topic"
    assert [c.id for c in guideline.clauses] == [str(n) for n in range(1, 9)] + ["haken"]


def test_references_topic_level_set_checks_topics_not_wording(tmp_path):
    from analyzer import analyze

    path = tmp_path / "a.txt"
    path.write_text("第1 乙は、秘密を守る。", encoding="utf-8")
    # A topic-level set is checked by topic (tests/test_topics.py): one result per topic, no wording diff.
    report = analyze([path], reference="national-guideline")
    assert [c.clause_id for c in report.clauses] == [*(str(n) for n in range(1, 9)), "haken"]
    assert all(not c.changes for c in report.clauses)
