"""Generate the labelled sample archive in corpus/ (deterministic per seed; the files are committed).

    python corpus/generate.py                 # corpus/, seed 1 (the tuning corpus)
    python corpus/generate.py OUT --seed 2    # a held-out corpus (what the CI gate also builds)

Every contract is built from the committed seed excerpts in tests/fixtures/
(tests/contracts.py) and rendered by tests/builders.py as TXT (UTF-8, CP932),
PDF (running headers, page numbers, sentences across pages, two columns) or
DOCX (annex in a table, 第N in its own run, Word automatic numbering).
The archive is laid out the way `tokki scan` reads one: one folder per
contract (main contract + annex) or one file per contract, manifest.csv
(id, files, type, signed_on, reference) and labels.json (each clause's
status, the weakened clauses, the expected error code).
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from builders import write_docx, write_image_pdf, write_pdf  # noqa: E402
from contracts import build_annex, embedded_contract, fixture_text, police_annex  # noqa: E402

ALL = [str(n) for n in range(1, 20)]
# The 類型 ○/△/— table of seed 000 lines 239–261, as recorded in the reference data.
TYPE_TABLE = {
    c["id"]: c["types"]
    for c in tomllib.loads((HERE.parent / "reference_clauses/fukuoka-pref/2023-10-10.toml").read_text("utf-8"))["clause"]
}
MANDATORY = [1, 2, 4, 11, 12, 13, 14, 19]  # seed 001 注2
OPTIONAL = [n for n in range(1, 20) if n not in MANDATORY]

# Real modifications: (clause, old text, new text, weakened?) — each changes an obligation or its scope.
EDITS = [
    (14, "直ちに被害の発生", "被害の発生", True),
    (13, "事務完了後直ちに", "事務完了後", True),
    (14, "甲に書面で報告する", "甲に報告する", True),
    (1, "適切な措置を講じなければならない。", "適切な措置を講じるよう努めるものとする。", True),
    (5, "適法かつ公正な手段により収集しなければならない。", "適法かつ公正な手段により収集するよう努めるものとする。", True),
    (9, "保護管理責任者等の指示に従い、", "", False),
    (4, "この契約が終了し、又は解除された後においても、同様とする。", "", False),
    (18, "確実な方法により運搬しなければならない。", "確実な方法により運搬しなければならない。運搬の記録は3年間保存する。", False),
    (12, "第三者にその取扱いを委託してはならない。", "第三者にその取扱いを委託してはならない。ただし、子会社に委託する場合はこの限りでない。", False),
    (8, "当該事務の目的以外の目的に利用し、又は提供してはならない。", "当該事務の目的以外の目的に利用してはならない。", False),
]

# Orthographic and extraction noise that must change no status.
NOISE = [
    ("漏えい", "漏洩"),
    ("毀損", "き損"),
    ("取り扱う", "取扱う"),
    ("取扱い", "取り扱い"),
    ("第66条第2項", "第６６条第２項"),
    ("平成15年", "平成１５年"),
    ("、", "，"),
    ("。", "．"),
]

PARTIES = {
    "甲乙": None,
    "委託者受託者": ("委託者", "受託者"),
    "発注者受注者": ("発注者", "受注者"),
}


# Clean contracts of the other reference sets: (reference id, seed fixture).
OTHER_SETS = {
    "set_police": ("fukuoka-police", "seed000-police-annex.txt"),
    "set_kijun": ("pref-itaku-kijun", "seed004-kijun-annex.txt"),
    "set_toshima": ("toshima", "seed002-toshima-new-alternatives.txt"),
}


def _clause_ids(reference: str) -> list[str]:
    """Clause ids of the latest version of a bundled reference set (the ids are data, not under test)."""
    files = sorted((HERE.parent / "reference_clauses" / reference).glob("*.toml"))
    versions = [tomllib.loads(f.read_text("utf-8")) for f in files]
    latest = max(versions, key=lambda v: str(v["reference"].get("effective", "")))
    return [c["id"] for c in latest["clause"]]


@dataclass
class Case:
    id: str
    annex: str  # the annex text (seed excerpt, transformed)
    status: dict[str, str] = field(default_factory=lambda: {n: "current" for n in ALL})
    weakened: list[str] = field(default_factory=list)
    error: str | None = None
    embedded: bool = False
    signed_on: str = ""
    type: str = ""
    reference: str = "fukuoka-pref"


def _lines(text: str) -> list[str]:
    """Logical lines without the seed converter's 「- 」 and ** artifacts."""
    out = []
    for line in text.split("\n"):
        line = line.replace("**", "").strip()
        out.append(line[2:] if line.startswith("- ") else line)
    return out


def _parties(text: str, naming: str) -> str:
    names = PARTIES[naming]
    if names is None:
        return text
    return text.replace("甲", names[0]).replace("乙", names[1])


def _body() -> str:
    return embedded_contract().split("第20条")[0]


def _date(rng: random.Random, before: bool | None = None) -> str:
    if before is None:
        before = rng.random() < 0.3
    year, month = (2023, rng.randint(4, 9)) if before else (rng.choice([2023, 2024, 2025]), rng.randint(1, 12))
    if not before and year == 2023 and month < 11:
        month = 11
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def _absent(clause: int, contract_type: str) -> str:
    """Label of a dropped clause: not_applicable where the 類型 table (seed 000) marks it —."""
    return "not_applicable" if TYPE_TABLE[str(clause)].get(contract_type) == "—" else "missing"


def plan(rng: random.Random, count: int) -> list[Case]:
    """The cases: every category at least once, the rest drawn at random."""
    kinds = ["clean", "police", "parties", "drop_mandatory", "drop_optional", "drop_two", "old_before",
             "old_after", "embedded", "noise", "spaced", "modified", *OTHER_SETS, "bad"]
    if count < len(kinds) + 5:
        raise ValueError(f"count must be at least {len(kinds) + 5} (every case, and every bad input)")
    order = kinds + [rng.choice(kinds[:-1]) for _ in range(count - len(kinds) - 5)] + ["bad"] * 5
    cases: list[Case] = []
    bad_kinds = ["scan", "encrypted", "truncated", "zero", "doc", "scan_annex"]
    for i, kind in enumerate(order, start=1):
        case = Case(f"C{i:03d}-{kind.replace('_', '-')}", build_annex(), signed_on=_date(rng), type=rng.choice("1122234"))
        if kind == "clean":
            pass
        elif kind in OTHER_SETS:  # a clean contract of another reference set, checked against it
            case.reference, fixture = OTHER_SETS[kind]
            case.annex = fixture_text(fixture)
            case.status = {cid: "current" for cid in _clause_ids(case.reference)}
        elif kind == "police":
            case.annex = police_annex()
            case.status["1"] = "modified"  # the police 第1 adds 「以下「番号利用法」という。」
        elif kind == "parties":
            case.annex = _parties(build_annex(), rng.choice(["委託者受託者", "発注者受注者"]))
        elif kind.startswith("drop"):
            pool = MANDATORY if kind == "drop_mandatory" else OPTIONAL if kind == "drop_optional" else list(range(1, 20))
            dropped = rng.sample(pool, 2 if kind == "drop_two" else 1)
            if rng.random() < 0.5:  # renumber the rest, as a clerk deleting an item does
                kept = [n for n in range(1, 20) if n not in dropped]
                case.annex = build_annex(drop=tuple(dropped), label=lambda n, kept=kept: f"第{kept.index(n) + 1}")
            else:
                case.annex = build_annex(drop=tuple(dropped))
            for n in dropped:
                case.status[str(n)] = _absent(n, case.type)
        elif kind.startswith("old"):
            case.annex = build_annex(old=True)
            case.signed_on = _date(rng, before=kind == "old_before")
            case.status.update({"15": "obsolete", "16": "obsolete"})
            case.weakened = ["15", "16"]
        elif kind == "embedded":
            case.embedded = True
            variant = rng.choice(["clean", "drop", "old"])
            if variant == "drop":
                n = rng.randint(1, 19)
                case.annex = build_annex(drop=(n,))
                case.status[str(n)] = _absent(n, case.type)
            elif variant == "old":
                case.annex = build_annex(old=True)
                case.status.update({"15": "obsolete", "16": "obsolete"})
                case.weakened = ["15", "16"]
        elif kind == "noise":
            text = build_annex()
            for a, b in rng.sample(NOISE, rng.randint(2, len(NOISE))):
                text = text.replace(a, b)
            case.annex = text
        elif kind == "spaced":
            lines = build_annex().split("\n")
            picks = set(rng.sample(range(len(lines)), 12))
            case.annex = "\n".join(" ".join(ln) if i in picks else ln for i, ln in enumerate(lines))
        elif kind == "modified":
            clause, old, new, weak = rng.choice(EDITS)
            assert old in case.annex, f"edit of 第{clause} does not apply"
            case.annex = case.annex.replace(old, new)
            case.status[str(clause)] = "modified"
            if weak:
                case.weakened = [str(clause)]
        elif kind == "bad":
            case.error = bad_kinds[sum(1 for c in cases if c.error) % len(bad_kinds)]
            case.id = f"C{i:03d}-bad-{case.error.replace('_', '-')}"
            case.status = {}
        cases.append(case)
    return cases


def _encode_txt(text: str, rng: random.Random) -> tuple[bytes, str]:
    if rng.random() < 0.35:
        try:
            return text.encode("cp932"), "cp932"
        except UnicodeEncodeError:
            pass
    return text.encode("utf-8"), "utf-8"


def render(case: Case, out: Path, rng: random.Random) -> list[str]:
    """Write the case's files under ``out``; return their paths relative to ``out``."""
    if case.error:
        return _render_bad(case, out)
    annex_lines = _lines(case.annex)
    fmt = rng.choice(["txt", "txt", "pdf", "pdf", "docx", "docx"])
    folder = not case.embedded and rng.random() < 0.5
    docx_opts = rng.choice([{}, {"annex_in_table": True}, {"label_in_own_run": True}, {"autonumber_articles": True}])
    pdf_opts = rng.choice([{}, {"lines_per_page": 20}, {"two_columns": True}, {"chars_per_line": 30}])

    def write(path: Path, lines: list[str], kind: str) -> None:
        if kind == "txt":
            data, _ = _encode_txt("\n".join(lines), rng)
            path.with_suffix(".txt").write_bytes(data)
        elif kind == "pdf":
            write_pdf(path.with_suffix(".pdf"), lines, **pdf_opts)
        else:
            opts = dict(docx_opts)
            if case.embedded:
                opts.pop("autonumber_articles", None)  # 第N条 labels are typed, not numbered
            write_docx(path.with_suffix(".docx"), lines, **opts)

    if folder:
        d = out / case.id
        d.mkdir()
        body_fmt = rng.choice(["txt", "pdf", "docx"])
        write(d / "01_契約書", _lines(_body()), body_fmt)
        write(d / "02_別記_特記事項", annex_lines, fmt)
        return sorted(str(p.relative_to(out)) for p in d.iterdir())
    if case.embedded:  # the annex as 第20条–第38条 of the body
        head, _, tail = fixture_text("contract-body.txt").partition("{annex}")
        annex = build_annex(case.annex, label=lambda n: f"第{n + 19}条", with_title=False, with_notes=False)
        lines = _lines(head + annex + tail)
    elif rng.random() < 0.5:
        lines = _lines(_body()) + annex_lines  # body and annex in one file
    else:
        lines = annex_lines  # the annex alone
    write(out / case.id, lines, fmt)
    return [next(p.name for p in out.iterdir() if p.stem == case.id)]


def _render_bad(case: Case, out: Path) -> list[str]:
    lines = _lines(case.annex)
    if case.error == "scan":
        write_image_pdf(out / f"{case.id}.pdf")
        case.error = "ocr_required"
        return [f"{case.id}.pdf"]
    if case.error == "encrypted":
        write_pdf(out / f"{case.id}.pdf", lines, encrypt_password="tokki")
        return [f"{case.id}.pdf"]
    if case.error == "truncated":
        path = write_pdf(out / f"{case.id}.pdf", lines)
        path.write_bytes(path.read_bytes()[:700])
        case.error = "corrupt"
        return [f"{case.id}.pdf"]
    if case.error == "zero":
        (out / f"{case.id}.docx").write_bytes(b"")
        case.error = "empty"
        return [f"{case.id}.docx"]
    if case.error == "doc":
        # An OLE2 header: a legacy Word .doc, which tokki does not read.
        (out / f"{case.id}.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
        case.error = "unsupported_format"
        return [f"{case.id}.doc"]
    # scan_annex: a readable body with a scanned annex must not read as "19 missing".
    d = out / case.id
    d.mkdir()
    (d / "01_契約書.txt").write_text(_body(), encoding="utf-8")
    write_image_pdf(d / "02_別記.pdf", pages=1)
    case.error = "ocr_required"
    return [f"{case.id}/01_契約書.txt", f"{case.id}/02_別記.pdf"]


def generate(out: Path, seed: int = 1, count: int = 84) -> list[Case]:
    """Write ``count`` labelled contracts, manifest.csv and labels.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for child in out.iterdir():
        if child.name in ("generate.py", "README.md"):
            continue
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    rng = random.Random(seed)
    cases = plan(rng, count)
    rows = []
    for case in cases:
        files = render(case, out, rng)
        rows.append([case.id, ";".join(files), case.type, case.signed_on, case.reference])
    with open(out / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "files", "type", "signed_on", "reference"])
        writer.writerows(rows)
    labels = {
        c.id: {"clauses": c.status, "weakened": c.weakened, "error": c.error} for c in cases
    }
    (out / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=HERE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=84)
    args = parser.parse_args()
    cases = generate(args.out, args.seed, args.count)
    print(f"{len(cases)} contracts written to {args.out}")


if __name__ == "__main__":
    main()
