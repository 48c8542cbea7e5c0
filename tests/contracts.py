"""Contract texts built from the committed seed excerpts (used by the tests and corpus/generate.py)."""
from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"

_ARTICLE_LINE = re.compile(r"^(\s*(?:- )?)(\*\*)?第(\d+)(\*\*)?")
_HEADING_LINE = re.compile(r"^\s*[(（][^()（）]+[)）]\s*$")

# Seed 001 新旧対照表 (lines 651–664): the pre-revision wording of 第15 and 第16.
OLD_WORDING = {
    "随時実地の調査等を行うものとする": "随時実地の調査等をすることができるものとする",
    "資料の提出を求めるものとする": "資料の提出を求めることができるものとする",
}


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fukuoka_annex() -> str:
    return fixture_text("seed001-fukuoka-annex.txt")


def police_annex() -> str:
    return fixture_text("seed000-police-annex.txt")


def split_annex(text: str) -> tuple[list[str], dict[int, list[str]], list[str]]:
    """(lines before 第1, clause number → its lines incl. the heading line, lines from 注 on)."""
    lines = text.split("\n")
    starts: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        m = _ARTICLE_LINE.match(line)
        if m:
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            begin = j if j >= 0 and _HEADING_LINE.match(lines[j]) else i
            starts.append((int(m.group(3)), begin))
    tail_at = next(i for i, line in enumerate(lines) if line.strip() == "注")
    head = lines[: starts[0][1]]
    clauses = {}
    for k, (num, begin) in enumerate(starts):
        end = starts[k + 1][1] if k + 1 < len(starts) else tail_at
        clauses[num] = lines[begin:end]
    return head, clauses, lines[tail_at:]


def build_annex(
    text: str | None = None,
    *,
    drop: tuple[int, ...] = (),
    old: bool = False,
    label=lambda n: f"第{n}",
    with_title: bool = True,
    with_notes: bool = True,
    order: list[int] | None = None,
) -> str:
    """The seed annex with clauses dropped, reordered, relabelled or in the old wording."""
    head, clauses, tail = split_annex(text or fukuoka_annex())
    out = list(head) if with_title else []
    for num in order or sorted(clauses):
        if num in drop:
            continue
        for line in clauses[num]:
            m = _ARTICLE_LINE.match(line)
            if m:
                line = m.group(1) + label(num) + line[m.end() :]
            out.append(line)
    if with_notes:
        out.extend(tail)
    result = "\n".join(out)
    if old:
        for new, previous in OLD_WORDING.items():
            result = result.replace(new, previous)
    return result


def embedded_contract(**annex_options) -> str:
    """The test contract body with the annex embedded as 第20条–第38条 after 19 body articles."""
    annex = build_annex(label=lambda n: f"第{n + 19}条", with_title=False, with_notes=False, **annex_options)
    return fixture_text("contract-body.txt").replace("{annex}", annex)
