"""Generate the labelled sample archive in corpus/ (deterministic per seed; the files are committed).

    python corpus/generate.py                 # corpus/, seed 1 (the tuning corpus)
    python corpus/generate.py OUT --seed 2    # a held-out corpus (what the CI gate also builds)

Every contract is built from the committed seed excerpts in tests/fixtures/
(tests/contracts.py) and rendered by tests/builders.py as TXT (UTF-8, CP932),
PDF (running headers, page numbers, sentences across pages, two columns) or
DOCX (annex in a table, 第N in its own run, Word automatic numbering).
The archive is laid out the way `tokki scan` reads one: one folder per
contract (main contract + annex) or one file per contract, manifest.csv
(id, files, type, signed_on, reference) and labels.json: everything a user
of `tokki check` sees — each clause's status, the weakened clauses, the
expected error code, each finding's severity, the exit code, the reference
`id@version` checked against and the signing date the report uses.

Some contracts exercise the automatic paths (drawn with a second random
stream, so the main stream — formats, edits, dates — is the same as before
they existed): an empty `reference` column (tokki identifies the reference
set, labelled with the set the contract was built from) and an empty
`signed_on` column (the date is read from the text: the contract body then
carries its closing and signature block with the fixture's date
令和6年4月1日 in one of several printed forms; a contract of the annex alone
prints no date, labelled null).
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

try:  # tests/builders.py renders PDFs with reportlab, from the test extra
    from builders import write_docx, write_image_pdf, write_pdf  # noqa: E402
except ModuleNotFoundError as exc:
    sys.exit(f"{exc.name} がありません / {exc.name} is not installed: pip install -e '.[test]'")
from contracts import build_annex, embedded_contract, fixture_text, police_annex  # noqa: E402

ALL = [str(n) for n in range(1, 20)]
# The 類型 ○/△/— table of seed 000 lines 239–261, as recorded in the reference data.
TYPE_TABLE = {
    c["id"]: c["types"]
    for c in tomllib.loads((HERE.parent / "reference_clauses/fukuoka-pref/2023-10-10.toml").read_text("utf-8"))["clause"]
}
MANDATORY = [1, 2, 4, 11, 12, 13, 14, 19]  # seed 001 注2
OPTIONAL = [n for n in range(1, 20) if n not in MANDATORY]
# Seed 001: the revised 特記事項 applies to contracts made on or after 令和5年10月10日; a contract made
# before keeps the old wording (「特記事項の差替えは不要です」).
REVISION = "2023-10-10"

# The signing date printed in tests/fixtures/contract-body.txt (the line after the closing sentence),
# and the forms a contract with an empty signed_on column prints it in (all read by analyzer.ja.dates).
PRINTED_DATE = "2024-04-01"
PRINTED_FORMS = ["令和6年4月1日", "令和６年４月１日", "2024年4月1日", "令和六年四月一日", "令 和 6 年 4 月 1 日", "R6.4.1"]
# Shares of the automatic paths, drawn per contract from the second random stream.
AUTO_REFERENCE_SHARE = {"fukuoka-pref": 0.15, "other": 0.5}
AUTO_DATE_SHARE = 0.3

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
    # An exception added to a prohibition weakens it (issue 18: a lawyer reads it so).
    (12, "第三者にその取扱いを委託してはならない。", "第三者にその取扱いを委託してはならない。ただし、子会社に委託する場合はこの限りでない。", True),
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


def _latest(reference: str) -> tuple[str, list[str]]:
    """Version name and clause ids of the latest version of a bundled reference set
    (the ids and versions are data, not under test)."""
    files = sorted((HERE.parent / "reference_clauses" / reference).glob("*.toml"))
    versions = [tomllib.loads(f.read_text("utf-8")) for f in files]
    latest = max(versions, key=lambda v: str(v["reference"].get("effective", "")))
    return latest["reference"]["version"], [c["id"] for c in latest["clause"]]


def _clause_ids(reference: str) -> list[str]:
    return _latest(reference)[1]


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
    auto_reference: bool = False  # manifest reference left empty: tokki must identify `reference`
    auto_date: bool = False  # manifest signed_on left empty: tokki must read the date from the text
    date_form: str = PRINTED_FORMS[0]  # how the signing date is printed when auto_date
    printed_date: str | None = None  # the signing date the rendered text prints (set by render)

    def expected_signed_on(self) -> str | None:
        """The date the report must use: the manifest's, else the one printed in the text."""
        return self.printed_date if self.auto_date else self.signed_on

    def findings(self) -> dict[str, dict[str, str]]:
        """Expected findings on the reference clauses, {clause id: {kind: severity}} (README rules)."""
        if self.error:
            return {}
        signed = self.expected_signed_on()
        before = signed is not None and signed < REVISION  # no date: judged as signed after (error)
        out: dict[str, dict[str, str]] = {}
        for cid, status in self.status.items():
            found: dict[str, str] = {}
            mandatory = int(cid) in MANDATORY if cid.isdigit() else False
            if status == "missing":
                mark = TYPE_TABLE[cid].get(self.type)
                found["missing"] = "error" if mandatory else "info" if mark == "△" else "warning"
            elif status == "obsolete":
                found["obsolete"] = "info" if before else "error"
            elif status == "modified":
                found["modified"] = "warning"
            if cid in self.weakened:
                # Old wording signed before its revision was the current text then: information only.
                found["weakened"] = (
                    "info" if status == "obsolete" and before else "error" if mandatory else "warning"
                )
            if found:
                assert self.reference == "fukuoka-pref", "severity rules are those of seed 001"
                out[cid] = found
        return out

    def identifiable(self) -> bool:
        """Whether tokki can tell the reference set from the text. fukuoka-pref and fukuoka-police
        (seeds 001 and 000) differ only in 第1: without it a contract carries the same clauses
        of both, word for word, and tokki must name neither (README: `tokki identify`)."""
        return not (self.reference == "fukuoka-pref" and self.status.get("1") in ("missing", "not_applicable"))

    def label(self) -> dict:
        """The case's entry in labels.json (format: corpus/README.md)."""
        findings = self.findings()
        refused = self.auto_reference and not self.identifiable()
        if self.error or refused:
            exit_code = 2
        else:
            exit_code = 1 if any("error" in f.values() for f in findings.values()) else 0
        return {
            "clauses": self.status,
            "weakened": self.weakened,
            "error": self.error,
            "findings": findings,
            "exit": exit_code,
            "reference": None if self.error or refused else "{}@{}".format(self.reference, _latest(self.reference)[0]),
            "signed_on": None if self.error else self.expected_signed_on(),
        }


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


def _signature(form: str) -> str:
    """The closing sentence and signature block of the test contract, its date printed as ``form``."""
    tail = fixture_text("contract-body.txt").partition("{annex}")[2]
    assert PRINTED_FORMS[0] in tail, "the fixture's signing date moved"
    return tail.replace(PRINTED_FORMS[0], form)


def _signed_body(form: str) -> str:
    """The contract body with its closing and signature block (dated ``form``), without the annex."""
    return fixture_text("contract-body.txt").partition("{annex}")[0] + _signature(form)


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


def plan(rng: random.Random, count: int, auto: random.Random | None = None) -> list[Case]:
    """The cases: every category at least once, the rest drawn at random.

    ``auto`` (a second stream; default: none of the automatic paths) picks the contracts whose
    manifest leaves ``reference`` or ``signed_on`` empty: a share of each, and always the first
    ``clean`` contract (both), the first of each other reference set (reference) and the first
    ``old_after`` and ``embedded`` contracts (date), so a small corpus exercises them too. Never
    ``police`` (its point is the fukuoka-pref check of a police annex; identified, it is a clean
    fukuoka-police contract), ``old_before`` (the printed date is after the revision) or ``bad``.
    """
    kinds = ["clean", "police", "parties", "drop_mandatory", "drop_optional", "drop_two", "old_before",
             "old_after", "embedded", "noise", "spaced", "modified", *OTHER_SETS, "bad"]
    if count < len(kinds) + 5:
        raise ValueError(f"count must be at least {len(kinds) + 5} (every case, and every bad input)")
    order = kinds + [rng.choice(kinds[:-1]) for _ in range(count - len(kinds) - 5)] + ["bad"] * 5
    cases: list[Case] = []
    bad_kinds = ["scan", "encrypted", "truncated", "zero", "doc", "scan_annex"]
    seen: set[str] = set()
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
        if auto is not None:
            # Three draws per contract whatever its kind: one contract's eligibility never shifts another's.
            ref_draw, date_draw, case.date_form = auto.random(), auto.random(), auto.choice(PRINTED_FORMS)
            first = kind not in seen
            if kind not in ("police", "old_before", "bad"):
                share = AUTO_REFERENCE_SHARE["fukuoka-pref" if case.reference == "fukuoka-pref" else "other"]
                case.auto_reference = ref_draw < share or (first and (kind == "clean" or kind in OTHER_SETS))
                if case.reference == "fukuoka-pref" and case.status["1"] == "modified":
                    # 第1 is what tells fukuoka-pref from fukuoka-police; a modified 第1 is close to both,
                    # and which one tokki should name is a judgment call, not a label.
                    case.auto_reference = False
                case.auto_date = date_draw < AUTO_DATE_SHARE or (first and kind in ("clean", "old_after", "embedded"))
        seen.add(kind)
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

    # A contract whose manifest gives no date carries the body's closing and signature block;
    # the others keep the body as it always was (no date), except the embedded form, which
    # always printed the fixture's closing and date.
    body = _signed_body(case.date_form) if case.auto_date else _body()
    if folder:
        d = out / case.id
        d.mkdir()
        body_fmt = rng.choice(["txt", "pdf", "docx"])
        write(d / "01_契約書", _lines(body), body_fmt)
        write(d / "02_別記_特記事項", annex_lines, fmt)
        case.printed_date = PRINTED_DATE if case.auto_date else None
        return sorted(str(p.relative_to(out)) for p in d.iterdir())
    if case.embedded:  # the annex as 第20条–第38条 of the body
        head, _, tail = fixture_text("contract-body.txt").partition("{annex}")
        if case.auto_date:
            tail = _signature(case.date_form)
        annex = build_annex(case.annex, label=lambda n: f"第{n + 19}条", with_title=False, with_notes=False)
        lines = _lines(head + annex + tail)
        case.printed_date = PRINTED_DATE
    elif rng.random() < 0.5:
        lines = _lines(body) + annex_lines  # body and annex in one file
        case.printed_date = PRINTED_DATE if case.auto_date else None
    else:
        lines = annex_lines  # the annex alone: no date printed
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
    cases = plan(rng, count, random.Random(f"{seed}/automatic paths"))
    rows = []
    for case in cases:
        files = render(case, out, rng)
        rows.append([
            case.id, ";".join(files), case.type,
            "" if case.auto_date else case.signed_on,
            "" if case.auto_reference else case.reference,
        ])
    with open(out / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "files", "type", "signed_on", "reference"])
        writer.writerows(rows)
    labels = {c.id: c.label() for c in cases}
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
