"""The scanned-contract corpus generator (benchmarks/scans/generate.py) itself, without OCR.

Image-only PDFs, labels for every manifest row, every degradation planned on
enough contracts, seals that a reader can find by colour. No eval gate here.
"""
from __future__ import annotations

import csv
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from conftest import load_script

pytest.importorskip("reportlab")
np = pytest.importorskip("numpy")
pdfium = pytest.importorskip("pypdfium2")
import pypdfium2.raw as pdfium_c  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


gen = load_script("benchmarks/scans/generate.py", "scan_corpus")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scans")
    gen.generate(out, seed=1, small=True)
    return out


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _tokens(listing: str) -> dict[str, str]:
    """``skew=+1.2;copy2;stamp=p2+p4`` → {"skew": "+1.2", "copy2": "", "stamp": "p2+p4"}."""
    return dict((t.partition("=")[0], t.partition("=")[2]) for t in listing.split(";") if t)


def _red(page, dpi: int) -> int:
    """Pixels of seal red (R > 150, G < 100, B < 100) on a page rendered at its scan resolution."""
    a = np.asarray(page.render(scale=dpi / 72).to_pil().convert("RGB")).astype(int)
    return int(((a[..., 0] > 150) & (a[..., 1] < 100) & (a[..., 2] < 100)).sum())


def test_files_are_image_only_pdfs(small):
    rows = _rows(small / "manifest.csv")
    assert len(rows) == 8
    for row in rows:
        path = small / row["files"]
        assert path.read_bytes()[:5] == b"%PDF-", path.name
        pdf = pdfium.PdfDocument(str(path))
        try:
            assert len(pdf) >= 1
            for i in range(len(pdf)):
                page = pdf[i]
                assert page.get_textpage().get_text_range() == "", f"{path.name} p{i + 1} has a text layer"
                images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
                assert len(images) == 1, f"{path.name} p{i + 1}"
        finally:
            pdf.close()


def test_labels_and_manifest(small):
    manifest = _rows(small / "manifest.csv")
    labels = json.loads((small / "labels.json").read_text("utf-8"))
    scans = _rows(small / "scans.csv")
    assert list(manifest[0]) == ["id", "files", "type", "signed_on", "reference"]
    assert list(scans[0])[:4] == ["id", "dpi", "pages", "degradations"]
    assert [r["id"] for r in manifest] == list(labels) == [r["id"] for r in scans]
    for row in manifest:
        label = labels[row["id"]]
        assert set(label) == {"clauses", "weakened", "error", "reference", "signed_on"}
        assert row["files"] == f"{row['id']}.pdf" and row["id"].startswith("S")
        if label["error"]:
            assert label["error"] == "empty" and label["clauses"] == {}
            assert "blank" in _tokens(next(s for s in scans if s["id"] == row["id"])["degradations"])
        else:
            assert len(label["clauses"]) >= 17 and label["signed_on"] == row["signed_on"]
            if row["reference"]:  # empty: tokki identifies it (as in the layout corpus)
                assert label["reference"].startswith(row["reference"] + "@")
    assert sum(1 for x in labels.values() if x["error"]) == 1


def test_small_carries_every_degradation(small):
    seen = Counter(name for r in _rows(small / "scans.csv") for name in _tokens(r["degradations"]))
    assert set(gen.DEGRADATIONS) <= set(seen), set(gen.DEGRADATIONS) - set(seen)
    assert {r["dpi"] for r in _rows(small / "scans.csv")} == {"200", "300"}


def test_full_plan_covers_every_degradation():
    scans = gen.plan(seed=1)  # the default 44, planned without rendering
    assert len(scans) >= 44
    assert [s.id[:4] for s in scans] == [f"S{n:03d}" for n in range(1, len(scans) + 1)]
    readable = [s for s in scans if "blank" not in s.deg]
    assert len(scans) - len(readable) == 2
    assert all(s.contract.error == "empty" for s in scans if s not in readable)
    seen = Counter(name for s in readable for name in s.deg)
    for name in gen.DEGRADATIONS:
        assert seen[name] >= 4, (name, seen[name])
    assert all(len([n for n in s.deg if n != "table"]) >= 2 for s in readable)  # several per contract
    assert 0.2 <= seen["table"] / len(readable) <= 0.3
    assert 0.35 <= sum(s.dpi == 300 for s in scans) / len(scans) <= 0.65
    for s in readable:
        if "stamp" in s.deg:
            assert s.color and s.contract.placement == "body"  # colour, a signature block to seal
        assert not ("upside_down" in s.deg and "sideways" in s.deg)
    assert len({(s.contract.layout, s.contract.mutation) for s in readable}) >= 16
    assert [s.id for s in gen.plan(seed=1)] == [s.id for s in scans]  # deterministic
    assert [s.id for s in gen.plan(seed=2)] != [s.id for s in scans]


def test_seals_are_red_and_only_where_stamped(small):
    stamped = unstamped = 0
    for row in _rows(small / "scans.csv"):
        tokens = _tokens(row["degradations"])
        pages = {int(p[1:]) for p in tokens["stamp"].split("+")} if "stamp" in tokens else set()
        pdf = pdfium.PdfDocument(str(small / f"{row['id']}.pdf"))
        try:
            for n in sorted(pages | {1}):  # the seals, and the first page of every contract
                red = _red(pdf[n - 1], int(row["dpi"]))
                if n in pages:
                    assert red > 300, f"{row['id']} p{n}: a seal with {red} red pixels"
                    stamped += 1
                else:  # no red at all without a seal (JPEG fringes round black text are not red)
                    assert red == 0, f"{row['id']} p{n}: {red} red pixels without a seal"
                    unstamped += 1
        finally:
            pdf.close()
        if "stamp" in tokens:
            assert len(pages) >= 2  # the signature block and an annex article
    assert stamped >= 2 and unstamped >= 4


def test_same_bytes_for_a_seed(tmp_path):
    scan = next(s for s in gen.plan(seed=3) if s.dpi == 200 and "blank" not in s.deg)
    for name in ("a", "b"):
        plan = next(s for s in gen.plan(seed=3) if s.id == scan.id)
        gen.write_scan(tmp_path / f"{name}.pdf", plan, gen.scan_pages(plan, random.Random(f"3:{plan.id}")))
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
