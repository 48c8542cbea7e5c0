"""Archive layout: folders and files are contracts; manifest.csv regroups and supplies metadata."""
from __future__ import annotations

from datetime import date

import pytest

from analyzer.archive import read_archive
from analyzer.errors import UsageError


def _touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_archive_folders_and_files_are_contracts(tmp_path):
    _touch(tmp_path / "R06-010" / "本体.pdf")
    _touch(tmp_path / "R06-010" / "別記" / "特記事項.docx")
    _touch(tmp_path / "R06-002.txt")
    _touch(tmp_path / "R06-001.docx")
    _touch(tmp_path / ".DS_Store")
    _touch(tmp_path / "~$R06-001.docx")
    _touch(tmp_path / "R06-010" / ".hidden.txt")
    _touch(tmp_path / "notes.py")
    archive = read_archive(tmp_path)
    assert [c.id for c in archive.contracts] == ["R06-001", "R06-002", "R06-010"]
    # natural order of the paths: 別記/… sorts before 本体.pdf (U+5225 < U+672C)
    assert [p.name for p in archive.contracts[2].files] == ["特記事項.docx", "本体.pdf"]
    assert dict(archive.skipped) == {
        ".DS_Store": "hidden file",
        "~$R06-001.docx": "Office lock file",
        "R06-010/.hidden.txt": "hidden file",
        "notes.py": "not a document",
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_archive_manifest_regroups_and_supplies_metadata(tmp_path, encoding):
    _touch(tmp_path / "a.pdf")
    _touch(tmp_path / "a_別記.docx")
    _touch(tmp_path / "b.txt")
    manifest = "id,files,type,signed_on,reference\n契約A,a.pdf;a_別記.docx,2,2024-04-01,fukuoka-pref\nb,,3,,\n"
    (tmp_path / "manifest.csv").write_bytes(manifest.encode(encoding))
    archive = read_archive(tmp_path)
    a, b = sorted(archive.contracts, key=lambda c: c.id != "契約A")
    assert a.id == "契約A" and [p.name for p in a.files] == ["a.pdf", "a_別記.docx"]
    assert (a.type, a.signed_on, a.reference) == ("2", date(2024, 4, 1), "fukuoka-pref")
    assert b.id == "b" and b.type == "3" and [p.name for p in b.files] == ["b.txt"]
    assert len(archive.contracts) == 2


@pytest.mark.parametrize(
    "row",
    ["x,../outside.pdf,,,\n", "x,/etc/passwd,,,\n", ",,1,,\n", "x,a.pdf,,2024-02-30,\n"],
    ids=["dotdot", "absolute", "no-id-no-files", "bad-date"],
)
def test_archive_bad_manifest_rows_are_refused(tmp_path, row):
    _touch(tmp_path / "a.pdf")
    (tmp_path / "manifest.csv").write_text("id,files,type,signed_on,reference\n" + row, encoding="utf-8")
    with pytest.raises(UsageError):
        read_archive(tmp_path)
