"""The layout corpus generator (benchmarks/layouts/generate.py) itself: deterministic, complete, files open.

No eval gate here: the readers it exercises are being rewritten (issue 15 item 4).
"""
from __future__ import annotations

import csv
import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from conftest import load_script

pytest.importorskip("reportlab")
ROOT = Path(__file__).resolve().parents[1]


gen = load_script("benchmarks/layouts/generate.py", "layout_corpus")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("layouts")
    gen.generate(out, seed=1)
    return out


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_deterministic_per_seed(corpus, tmp_path):
    gen.generate(tmp_path / "again", seed=1)
    for name in ("manifest.csv", "labels.json", "layouts.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (corpus / name).read_bytes(), name
    gen.generate(tmp_path / "other", seed=2)
    assert (tmp_path / "other" / "labels.json").read_bytes() != (corpus / "labels.json").read_bytes()


def test_manifest_and_labels_format(corpus):
    manifest = _rows(corpus / "manifest.csv")
    labels = json.loads((corpus / "labels.json").read_text("utf-8"))
    assert len(manifest) >= 60
    assert list(manifest[0]) == ["id", "files", "type", "signed_on", "reference"]
    assert [r["id"] for r in manifest] == list(labels)
    for row in manifest:
        label = labels[row["id"]]
        assert set(label) == {"clauses", "weakened", "error", "reference", "signed_on"}
        for f in row["files"].split(";"):
            assert (corpus / f).is_file(), f
        assert row["type"] in "1234" and row["signed_on"]
        if label["error"]:
            assert label["clauses"] == {} and label["reference"] is None
            continue
        ref_id, version = label["reference"].split("@")
        assert row["reference"] in ("", ref_id)
        ids = [c["id"] for c in tomllib.loads((ROOT / "reference_clauses" / ref_id / f"{version}.toml").read_text("utf-8"))["clause"]]
        assert list(label["clauses"]) == ids
        assert set(label["weakened"]) <= {cid for cid, s in label["clauses"].items() if s in ("modified", "obsolete")}


def test_every_layout_twice_with_variants(corpus):
    rows = _rows(corpus / "layouts.csv")
    per_layout = Counter(r["layout"] for r in rows)
    expected = {name for name, *_ in gen.LAYOUTS}
    assert set(per_layout) == expected
    assert min(per_layout.values()) >= 2
    for layout in expected:
        assert len({r["variant"] for r in rows if r["layout"] == layout}) >= 2, layout


def test_labels_follow_the_mutation(corpus):
    """Status semantics from construction: obsolete only on 第15/第16, drops by 類型, one edit per modified."""
    rows = {r["id"]: r for r in _rows(corpus / "layouts.csv")}
    manifest = {r["id"]: r for r in _rows(corpus / "manifest.csv")}
    labels = json.loads((corpus / "labels.json").read_text("utf-8"))
    seen = Counter()
    for cid, label in labels.items():
        mutation = rows[cid]["mutation"]
        seen[mutation] += 1
        bad = {k: v for k, v in label["clauses"].items() if v != "current"}
        if mutation == "obsolete":
            assert bad == {"15": "obsolete", "16": "obsolete"} and label["weakened"] == ["15", "16"]
        elif mutation in ("drop1", "drop2"):
            assert len(bad) == (1 if mutation == "drop1" else 2)
            for k, v in bad.items():
                dash = gen.TYPES[k][manifest[cid]["type"]] == "—"
                assert v == ("not_applicable" if dash else "missing")
        elif mutation in ("modified", "weakened"):
            assert list(bad.values()) == ["modified"]
            assert label["weakened"] == (list(bad) if mutation == "weakened" else [])
        elif mutation != "error":
            assert bad == {} and label["weakened"] == []
    assert {"clean", "drop1", "drop2", "obsolete", "modified", "weakened", "error"} <= set(seen)


def test_files_open(corpus):
    import docx
    import pypdfium2

    manifest = _rows(corpus / "manifest.csv")
    kinds = Counter()
    for row in manifest:
        for f in row["files"].split(";"):
            path = corpus / f
            if path.suffix == ".docx":
                doc = docx.Document(str(path))
                assert doc.paragraphs or doc.tables
            elif path.suffix == ".pdf":
                pdf = pypdfium2.PdfDocument(str(path))
                assert len(pdf) >= 1
                pdf.close()
            else:
                assert path.read_bytes()
            kinds[path.suffix] += 1
    assert {".docx", ".pdf", ".txt"} <= set(kinds)


def test_docx_structures(corpus):
    """The DOCX table layouts are Word structures: vMerge, gridSpan, a nested table."""
    import docx

    rows = _rows(corpus / "layouts.csv")
    manifest = {r["id"]: r["files"].split(";")[-1] for r in _rows(corpus / "manifest.csv")}
    for layout, marker in (("docx-table-vmerge", "w:vMerge"), ("docx-table-gridspan-nested", "w:gridSpan")):
        for r in (r for r in rows if r["layout"] == layout):
            xml = docx.Document(str(corpus / manifest[r["id"]])).element.xml
            assert marker in xml, r["id"]
            if layout == "docx-table-gridspan-nested":
                assert xml.count("<w:tbl>") >= 2, r["id"]  # items (第10, toshima 第2) in a nested table


def test_pdf_geometry(corpus):
    """Rotated, sideways and stamp-only pages are what their layout says."""
    import pypdfium2

    rows = _rows(corpus / "layouts.csv")
    manifest = {r["id"]: r["files"].split(";")[-1] for r in _rows(corpus / "manifest.csv")}

    def pages(cid):
        pdf = pypdfium2.PdfDocument(str(corpus / manifest[cid]))
        return [pdf[i] for i in range(len(pdf))]

    for r in rows:
        if r["layout"] == "pdf-rotate90":
            assert any(p.get_rotation() == 90 for p in pages(r["id"])), r["id"]
        elif r["layout"] == "pdf-sideways":
            boxes = [p.get_mediabox() for p in pages(r["id"])]
            assert any(b[2] - b[0] > b[3] - b[1] for b in boxes), r["id"]
        elif r["layout"] == "pdf-stamp-only":
            text = "".join(p.get_textpage().get_text_range() for p in pages(r["id"]))
            assert len(text.split()) <= 6, r["id"]  # only stamps and page numbers


def test_plain_mode_is_text(tmp_path):
    contracts = gen.generate(tmp_path, seed=1, plain=True)
    manifest = _rows(tmp_path / "manifest.csv")
    for c, row in zip(contracts, manifest):
        assert row["files"].endswith(".pdf" if c.error else ".txt")
