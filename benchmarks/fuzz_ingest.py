"""Bounded mutation fuzz of PDF and DOCX ingest: no mutated file may raise anything but a DocumentError.

    python3 benchmarks/fuzz_ingest.py                    # 2,000 mutants, seed 1
    python3 benchmarks/fuzz_ingest.py --iterations 20000 --seed 7

Needs reportlab, from the test extra: pip install -e '.[test]'.

Fixtures (text PDF, two-column PDF, encrypted PDF, plain and auto-numbered DOCX, DOCX with
the annex in a table) are built by tests/builders.py, plus four table layouts of
benchmarks/layouts (a ruled PDF table; Word tables with a header row, merged label cells,
a merged title row and a nested table). Each iteration mutates one of them (byte flips,
truncation, inserted or deleted runs, a zip member's bytes flipped or truncated, a member
dropped or replaced by junk XML, and for DOCX well-formed XML with malformed tables: cells
and rows dropped or duplicated, absurd gridSpan/vMerge, rows in content controls, tables
nested 40 deep), reads it with ``load_document`` and segments what it read. Prints the
outcome counts (a Document, each error code, and "code (Exception)" for a failure only the
last-resort handler caught) and every uncaught exception; exits 1 if any.
tests/test_fuzz.py runs a few hundred iterations of the same loop (marked slow).
"""
from __future__ import annotations

import argparse
import copy
import csv
import importlib.util
import io
import random
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

try:  # tests/builders.py renders PDFs with reportlab, from the test extra
    from builders import write_docx, write_pdf
except ModuleNotFoundError as exc:
    sys.exit(f"{exc.name} がありません / {exc.name} is not installed: pip install -e '.[test]'")
from contracts import build_annex  # noqa: E402

from analyzer.errors import DocumentError  # noqa: E402
from analyzer.ingest import IngestOptions, load_document  # noqa: E402
from analyzer.segment import segment_document  # noqa: E402
from analyzer.settings import default_settings  # noqa: E402


def _lines(text: str) -> list[str]:
    return [ln.replace("**", "").strip().removeprefix("- ") for ln in text.split("\n")]


def build_fixtures(folder: Path) -> dict[str, bytes]:
    """name → bytes of each seed file the mutations start from."""
    lines = _lines(build_annex())
    paths = [
        write_pdf(folder / "annex.pdf", lines),
        write_pdf(folder / "twocol.pdf", lines[:40], two_columns=True),
        write_pdf(folder / "locked.pdf", lines[:20], encrypt_password="pw"),
        write_docx(folder / "annex.docx", lines),
        write_docx(folder / "autonumbered.docx", lines, autonumber_articles=True),
        write_docx(folder / "table.docx", lines, annex_in_table=True),
    ]
    # Tables as offices lay them out (issue 15): ruled PDF tables, Word tables one clause per row
    # (3 columns with a header row, merged label cells, a merged title row with a nested table).
    layouts = _layout_corpus()
    layouts.generate(folder / "layouts", seed=1)
    wanted = {"pdf-ruled-table", "docx-table-3col", "docx-table-vmerge", "docx-table-gridspan-nested"}
    with open(folder / "layouts" / "layouts.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["layout"] in wanted]
    for layout in sorted(wanted):
        row = next(r for r in rows if r["layout"] == layout)
        files = sorted((folder / "layouts").glob(f"{row['id']}*"))
        annex = sorted(files[0].glob("*")) if files[0].is_dir() else files
        paths.append(annex[-1])
    return {f"{p.parent.name}-{p.name}" if p.parent != folder else p.name: p.read_bytes() for p in paths}


def _layout_corpus():
    """benchmarks/layouts/generate.py as a module (not a package: loaded by path)."""
    spec = importlib.util.spec_from_file_location("layout_corpus", ROOT / "benchmarks" / "layouts" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- mutations (bytes → bytes)


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 8, 64])):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def insert_run(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + bytes(rng.randrange(256) for _ in range(rng.choice([1, 16, 512]))) + data[at:]


def delete_run(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.choice([1, 16, 512, 4096]) :]


def _rezip(data: bytes, edit) -> bytes:
    """Rewrite a zip (DOCX), letting ``edit(name, bytes)`` return new bytes or None (drop the member)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            new = edit(item.filename, src.read(item))
            if new is not None:
                dst.writestr(item.filename, new)
    return buf.getvalue()


def corrupt_member(data: bytes, rng: random.Random) -> bytes:
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    victim = rng.choice(names)
    how = rng.choice(["flip", "truncate", "drop", "junk", "empty"])

    def edit(name: str, blob: bytes) -> bytes | None:
        if name != victim:
            return blob
        if how == "drop":
            return None
        if how == "empty":
            return b""
        if how == "junk":
            return b"<?xml version='1.0'?><w:document xmlns:w='urn:x'><w:body><w:p>" * rng.randrange(1, 50)
        if not blob:
            return blob
        return flip_bytes(blob, rng) if how == "flip" else truncate(blob, rng)

    return _rezip(data, edit)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def mangle_table(data: bytes, rng: random.Random) -> bytes:
    """Well-formed XML, malformed tables: cells and rows dropped or duplicated, absurd gridSpan and
    vMerge values, rows in content controls, cells without paragraphs, tables nested deep."""
    from lxml import etree

    def edit(name: str, blob: bytes) -> bytes:
        if name != "word/document.xml":
            return blob
        root = etree.fromstring(blob)
        for _ in range(rng.choice([1, 3, 10])):
            tables = list(root.iter(_W + "tbl"))
            cells = list(root.iter(_W + "tc"))
            rows = list(root.iter(_W + "tr"))
            if not tables or not cells:
                break
            how = rng.choice(["drop_cell", "drop_row", "dup_row", "span", "vmerge", "sdt", "empty_cell", "nest",
                              "drop_paragraphs", "text_in_row"])
            tc, tr = rng.choice(cells), rng.choice(rows)
            if how == "drop_cell" and tc.getparent() is not None:
                tc.getparent().remove(tc)
            elif how == "drop_row" and tr.getparent() is not None:
                tr.getparent().remove(tr)
            elif how == "dup_row" and tr.getparent() is not None:
                tr.addnext(copy.deepcopy(tr))
            elif how in ("span", "vmerge"):
                tcpr = tc.find(_W + "tcPr")
                if tcpr is None:
                    tcpr = etree.SubElement(tc, _W + "tcPr")
                    tc.insert(0, tcpr)
                el = etree.SubElement(tcpr, _W + ("gridSpan" if how == "span" else "vMerge"))
                el.set(_W + "val", rng.choice(["0", "-3", "99999", "x", "restart", "continue", ""]))
            elif how == "sdt" and tr.getparent() is not None:
                sdt = etree.Element(_W + "sdt")
                tr.addprevious(sdt)
                etree.SubElement(sdt, _W + "sdtContent").append(tr)
            elif how == "empty_cell":
                for child in list(tc):
                    tc.remove(child)
            elif how == "nest":
                inner = copy.deepcopy(rng.choice(tables))
                for _ in range(rng.choice([1, 5, 40])):
                    wrapper = etree.Element(_W + "tbl")
                    etree.SubElement(etree.SubElement(wrapper, _W + "tr"), _W + "tc").append(inner)
                    inner = wrapper
                tc.append(inner)
            elif how == "drop_paragraphs":
                for p in tc.findall(_W + "p"):
                    tc.remove(p)
            elif how == "text_in_row":  # a paragraph where only cells belong
                p = etree.SubElement(tr, _W + "p")
                etree.SubElement(etree.SubElement(p, _W + "r"), _W + "t").text = "第1　乙は、守る。"
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    return _rezip(data, edit)


BYTE_MUTATIONS = [flip_bytes, truncate, insert_run, delete_run]


def mutate(name: str, data: bytes, rng: random.Random) -> tuple[str, bytes]:
    ops = BYTE_MUTATIONS + ([corrupt_member] * 3 + [mangle_table] * 4 if name.endswith(".docx") else [])
    op = rng.choice(ops)
    return op.__name__, op(data, rng)


# ---------------------------------------------------------------- the loop


def fuzz(iterations: int, seed: int, folder: Path, verbose: bool = True) -> tuple[Counter, list[str]]:
    """(outcome counts, uncaught exception reports) of ``iterations`` mutants."""
    rng = random.Random(seed)
    fixtures = build_fixtures(folder)
    settings = default_settings()
    options = IngestOptions(password=None)
    outcomes: Counter = Counter()
    uncaught: list[str] = []
    names = sorted(fixtures)
    for i in range(iterations):
        name = rng.choice(names)
        op, data = mutate(name, fixtures[name], rng)
        path = folder / f"mutant{Path(name).suffix}"
        path.write_bytes(data)
        try:
            doc = load_document(path, settings, display=f"{name}#{i}", options=options)
            segment_document(doc)  # and what reads the text next must take whatever a table gave
            outcomes["document"] += 1
        except DocumentError as exc:
            # Failures the readers did not name themselves reach load_document's last-resort handler.
            cause = exc.__cause__
            named = cause is None or isinstance(cause, (DocumentError, OSError)) or "failed to read" not in exc.reason
            outcomes[exc.code.value if named else f"{exc.code.value} ({type(cause).__name__})"] += 1
        except Exception:  # noqa: BLE001 — what the fuzz is looking for
            outcomes["UNCAUGHT"] += 1
            report = f"#{i} {name} {op} (seed {seed}):\n{traceback.format_exc()}"
            uncaught.append(report)
            if verbose:
                print(report, file=sys.stderr)
    return outcomes, uncaught


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tokki-fuzz-") as tmp:
        outcomes, uncaught = fuzz(args.iterations, args.seed, Path(tmp))
    elapsed = time.perf_counter() - started
    print(f"{args.iterations} mutants (seed {args.seed}) in {elapsed:.1f} s")
    for outcome, n in outcomes.most_common():
        print(f"  {outcome:20} {n}")
    print(f"uncaught exceptions: {len(uncaught)}")
    return 1 if uncaught else 0


if __name__ == "__main__":
    sys.exit(main())
