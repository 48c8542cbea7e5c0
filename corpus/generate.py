"""Generate the sample archive in corpus/ (deterministic; the generated files are committed).

    python corpus/generate.py

Each contract is built from the committed seed excerpts in tests/fixtures/
with tests/contracts.py and tests/builders.py; labels.json holds the expected
status of every clause.
"""
from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from builders import write_docx, write_pdf  # noqa: E402
from contracts import build_annex, embedded_contract, police_annex  # noqa: E402

ALL = [str(n) for n in range(1, 20)]


def lines(text: str) -> list[str]:
    """Logical lines without the seed converter's 「- 」 and ** artifacts."""
    out = []
    for line in text.split("\n"):
        line = line.replace("**", "").strip()
        out.append(line[2:] if line.startswith("- ") else line)
    return out


def body_only() -> str:
    return embedded_contract().split("第20条")[0]


def expected(**overrides: str) -> dict[str, str]:
    return {n: overrides.get(n, "current") for n in ALL}


def main() -> None:
    contracts = []

    def add(cid, files, status, type_="", signed_on="", reference="fukuoka-pref"):
        contracts.append(
            {"id": cid, "files": files, "type": type_, "signed_on": signed_on, "reference": reference,
             "clauses": status}
        )

    for child in HERE.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        elif child.suffix in {".txt", ".pdf", ".docx"}:
            child.unlink()

    # 1. Body as text, annex as PDF: the current 2023-10-10 text.
    d = HERE / "R06-001-kenshin"
    d.mkdir()
    (d / "01_契約書.txt").write_text(body_only(), encoding="utf-8")
    write_pdf(d / "02_別記_特記事項.pdf", lines(build_annex()))
    add(d.name, ["R06-001-kenshin/01_契約書.txt", "R06-001-kenshin/02_別記_特記事項.pdf"], expected(),
        "1", "2024-04-01")

    # 2. Body as PDF, annex as DOCX with Word numbering: copied from a pre-revision template.
    d = HERE / "R05-014-data-entry"
    d.mkdir()
    write_pdf(d / "01_契約書.pdf", lines(body_only()))
    write_docx(d / "02_別記.docx", lines(build_annex(old=True)), autonumber_articles=True)
    add(d.name, ["R05-014-data-entry/01_契約書.pdf", "R05-014-data-entry/02_別記.docx"],
        expected(**{"15": "obsolete", "16": "obsolete"}), "1", "2024-06-01")

    # 3. One DOCX, annex in a table, 第12 (再委託の禁止, mandatory) dropped.
    write_docx(HERE / "R06-002-call-center.docx", lines(body_only()) + lines(build_annex(drop=(12,))),
               annex_in_table=True)
    add("R06-002-call-center", ["R06-002-call-center.docx"], expected(**{"12": "missing"}), "2", "2024-05-10")

    # 4. Police wording (委託者/受託者), one CP932 text file, annex embedded in the body as 第20条–.
    text = embedded_contract(text=police_annex()).replace("甲", "委託者").replace("乙", "受託者")
    (HERE / "R06-003-maintenance.txt").write_bytes(text.encode("cp932", errors="replace"))
    add("R06-003-maintenance", ["R06-003-maintenance.txt"], expected(**{"1": "modified"}), "3", "2024-07-01")

    with open(HERE / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "files", "type", "signed_on", "reference"])
        for c in contracts:
            w.writerow([c["id"], ";".join(c["files"]), c["type"], c["signed_on"], c["reference"]])
    labels = {c["id"]: {"clauses": c["clauses"], "error": None} for c in contracts}
    (HERE / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
