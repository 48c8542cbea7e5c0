"""新旧対照表: two versions of a reference set side by side, as the issuers publish them.

``render_comparison(old, new)`` returns one self-contained HTML document
(inline CSS, no scripts, no network, A4 print layout) in the official form
(seed 001 lines 650–665): 改正後（新） on the left, 改正前（旧） on the right,
one row per clause in the new version's order, changed words underlined,
runs of unchanged clauses collapsed to 「第1～第14 略」.

Clauses are paired by ``id`` (the clause identity across versions; Toshima
renumbered its articles in 2023, so the printed ``label`` may differ).
Alternatives (※ wordings) are not shown; 特定個人情報 paragraphs follow the
paragraphs under 「【特定個人情報の取扱いのある場合】」.

The changed words come from a character diff (difflib, no autojunk) of each
clause's printed text, its one-sided edits slid onto word boundaries and its
runs widened to whole Sudachi words (「第1[2]条」 → 「第[12]条」). They are passed
to the template as (text, changed) segments cut from the raw text, never as
markup, so Jinja2 autoescaping covers every character of the documents.
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher


from ..ja.sudachi import tokenize
from ..model import ReferenceClause, ReferenceVersion
from .html import template_environment

TEMPLATE = "comparison.html.j2"

TOKUTEI_NOTE = "【特定個人情報の取扱いのある場合】"
NEW_CLAUSE = "（新設）"
REMOVED_CLAUSE = "（削除）"
OMITTED = "略"
RANGE_SEP = "～"  # U+FF5E, as in 「第1～第14 略」
PUNCTUATION = "、。，．（）「」『』 　"  # word edges on either side
CLOSING = "、。，．）」』"
OPENING = "（「『"

Segments = tuple[tuple[str, bool], ...]


# ---------------------------------------------------------------- view values


@dataclass(frozen=True)
class Line:
    """One printed line of a clause cell.

    kind: "para" (a paragraph, with 「第15 」 or 「2 」 in front), "item" (a 号
    line of a paragraph, as written) or "note" (the 特定個人情報 sub-heading).
    """

    kind: str
    segments: Segments


@dataclass(frozen=True)
class Cell:
    """One side of a row: the （title） line and the clause lines, or a placeholder
    (「（新設）」 / 「（削除）」) when the clause does not exist on this side."""

    title: Segments = ()
    lines: tuple[Line, ...] = ()
    placeholder: str = ""


@dataclass(frozen=True)
class Row:
    """kind: "same" (collapsed run, ``summary`` 「第1～第14 略」), "changed", "added" or "removed"."""

    kind: str
    clause_ids: tuple[str, ...]
    new: Cell
    old: Cell
    summary: str = ""


# ---------------------------------------------------------------- diff


@dataclass(frozen=True)
class _Words:
    """Word boundaries of a text: offsets where a word starts or ends, and the
    one-token hiragana runs (particles such as 「に」「する」) by their start."""

    cuts: frozenset[int]
    particles: dict[int, int]
    tokenized: bool


def _words(text: str) -> _Words:
    """Sudachi token edges plus line, punctuation and text ends; when Sudachi is
    unavailable, punctuation and script changes only."""
    cuts = {0, len(text)}
    particles: dict[int, int] = {}
    for i, ch in enumerate(text):
        if ch == "\n" or ch in PUNCTUATION:
            cuts.update((i, i + 1))
    try:
        for line_start, line in _lines_with_offsets(text):
            for tok in tokenize(line):
                b, e = line_start + tok.begin, line_start + tok.end
                cuts.update((b, e))
                if all(_script(ch) == "hira" for ch in tok.surface):
                    particles[b] = e
        tokenized = True
    except (ImportError, RuntimeError):  # pragma: no cover - declared dependency
        for i in range(1, len(text)):
            if _script(text[i - 1]) != _script(text[i]):
                cuts.add(i)
        tokenized = False
    return _Words(frozenset(cuts), particles, tokenized)


def _lines_with_offsets(text: str):
    start = 0
    for line in text.split("\n"):
        if line:
            yield start, line
        start += len(line) + 1


def _script(ch: str) -> str:
    if "\u3040" <= ch <= "\u309f":
        return "hira"
    if "\u30a0" <= ch <= "\u30ff":
        return "kata"
    if "\u3400" <= ch <= "\u9fff" or ch in "々〆":
        return "kanji"
    return "other"


def _slide(text: str, start: int, end: int, lo: int, hi: int, cuts: frozenset[int]) -> tuple[int, int]:
    """Best placement of a pure insertion/deletion ``text[start:end]`` among the equivalent ones.

    Between equal runs a one-sided edit can often slide: 「求め[ることができ]るもの」 and
    「求める[ことができる]もの」 are the same diff. Candidates stay within [lo, hi) (the
    neighbouring equal runs); the one whose both edges are word boundaries wins, then
    the one that keeps punctuation on the right side, then the one closest to difflib's.
    """
    cands = [(start, end)]
    s, e = start, end
    while s - 1 >= lo and text[s - 1] == text[e - 1]:
        s, e = s - 1, e - 1
        cands.append((s, e))
    s, e = start, end
    while e < hi and text[s] == text[e]:
        s, e = s + 1, e + 1
        cands.append((s, e))
    if len(cands) == 1:
        return start, end

    def score(c: tuple[int, int]) -> tuple[int, int, int]:
        words = (c[0] in cuts) + (c[1] in cuts)
        # 「。[追記。]」 rather than 「[。追記]。」: an edit should not start with a
        # closing mark nor end with an opening one
        marks = (text[c[0]] not in CLOSING) + (text[c[1] - 1] not in OPENING)
        return words, marks, -abs(c[0] - start)

    return max(cands, key=score)


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(flags):
        if flags[i]:
            j = i
            while j < len(flags) and flags[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _to_words(flags: list[bool], text: str, words: _Words) -> None:
    """Widen each changed run to whole words (「第1[2]条」 → 「第[12]条」), never across a line."""
    if not words.tokenized:
        return
    cuts = sorted(words.cuts)
    for s, e in _runs(flags):
        s2 = max(c for c in cuts if c <= s)
        e2 = min(c for c in cuts if c >= e)
        for i in range(s2, e2):
            if text[i] != "\n":
                flags[i] = True


def _merge_gaps(flags: list[bool], text: str, words: _Words) -> None:
    """Join changed runs separated by one equal character or by one particle-like
    hiragana word (「[受託業務に従事]する[者の義務]」), never across a line break."""
    runs = _runs(flags)
    for (_, e), (s, _) in zip(runs, runs[1:]):
        gap = text[e:s]
        if "\n" in gap:
            continue
        if len(gap) <= 1 or (len(gap) <= 2 and words.particles.get(e) == s):
            for i in range(e, s):
                flags[i] = True


def diff_flags(a: str, b: str) -> tuple[list[bool], list[bool]]:
    """Per-character changed flags of ``a`` (old) and ``b`` (new).

    A character diff (difflib, autojunk off); one-sided edits slid onto word
    boundaries, changed runs widened to whole words and joined across a single
    equal character or particle.
    """
    fa, fb = [False] * len(a), [False] * len(b)
    if a == b:
        return fa, fb
    wa, wb = _words(a), _words(b)
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        prev_eq = k > 0 and ops[k - 1][0] == "equal"
        next_eq = k + 1 < len(ops) and ops[k + 1][0] == "equal"
        if tag == "delete":
            lo = ops[k - 1][1] if prev_eq else i1
            hi = ops[k + 1][2] if next_eq else i2
            i1, i2 = _slide(a, i1, i2, lo, hi, wa.cuts)
        elif tag == "insert":
            lo = ops[k - 1][3] if prev_eq else j1
            hi = ops[k + 1][4] if next_eq else j2
            j1, j2 = _slide(b, j1, j2, lo, hi, wb.cuts)
        for i in range(i1, i2):
            fa[i] = True
        for j in range(j1, j2):
            fb[j] = True
    for flags, text, words in ((fa, a, wa), (fb, b, wb)):
        _to_words(flags, text, words)
        _merge_gaps(flags, text, words)
    return fa, fb


def segments(text: str, flags: list[bool]) -> Segments:
    """(text, changed) runs of ``text``; they join back to ``text`` exactly."""
    out: list[tuple[str, bool]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or flags[i] != flags[start]:
            out.append((text[start:i], flags[start]))
            start = i
    return tuple(out)


# ---------------------------------------------------------------- clause layout


def _layout(clause: ReferenceClause) -> list[tuple[str, str]]:
    """(kind, text) lines of a clause as printed: 「第15 本文」, 「2 本文」, 号 lines as written,
    then the 特定個人情報 paragraphs (numbered on) under their note line."""
    lines: list[tuple[str, str]] = []

    def para(prefix: str, text: str) -> None:
        first, *items = text.split("\n")
        lines.append(("para", f"{prefix} {first}"))
        lines.extend(("item", item) for item in items)

    for n, text in enumerate(clause.paragraphs, start=1):
        para(clause.label if n == 1 else str(n), text)
    if clause.tokutei_paragraphs:
        lines.append(("note", TOKUTEI_NOTE))
        for n, text in enumerate(clause.tokutei_paragraphs, start=len(clause.paragraphs) + 1):
            para(str(n), text)
    return lines


def _cell_lines(layout: list[tuple[str, str]], flags: list[bool] | None) -> tuple[Line, ...]:
    """Cut the diffed body text (non-note lines joined by newlines) back into lines.

    ``flags`` None marks every body character as changed (a new or removed clause).
    """
    out: list[Line] = []
    pos = 0
    for kind, text in layout:
        if kind == "note":
            out.append(Line(kind, ((text, False),)))
            continue
        line_flags = [True] * len(text) if flags is None else flags[pos : pos + len(text)]
        out.append(Line(kind, segments(text, line_flags)))
        pos += len(text) + 1
    return tuple(out)


def _body(layout: list[tuple[str, str]]) -> str:
    return "\n".join(text for kind, text in layout if kind != "note")


def _same(a: ReferenceClause, b: ReferenceClause) -> bool:
    return (a.label, a.title, a.paragraphs, a.tokutei_paragraphs) == (
        b.label,
        b.title,
        b.paragraphs,
        b.tokutei_paragraphs,
    )


def _whole(clause: ReferenceClause) -> Cell:
    title = ((clause.title, True),) if clause.title else ()
    return Cell(title=title, lines=_cell_lines(_layout(clause), None))


def _changed_row(old: ReferenceClause, new: ReferenceClause) -> Row:
    old_layout, new_layout = _layout(old), _layout(new)
    fo, fn = diff_flags(_body(old_layout), _body(new_layout))
    to, tn = diff_flags(old.title, new.title)
    return Row(
        kind="changed",
        clause_ids=(new.id,),
        new=Cell(title=segments(new.title, tn), lines=_cell_lines(new_layout, fn)),
        old=Cell(title=segments(old.title, to), lines=_cell_lines(old_layout, fo)),
    )


def _summary(labels: list[str]) -> str:
    if len(labels) == 1:
        return f"{labels[0]} {OMITTED}"
    return f"{labels[0]}{RANGE_SEP}{labels[-1]} {OMITTED}"


def _pairs(old: ReferenceVersion, new: ReferenceVersion) -> list[tuple[ReferenceClause | None, ReferenceClause | None]]:
    """(old, new) clause pairs in the new order; old-only clauses follow the shared clause that
    precedes them in the old order (at the start when none does)."""
    new_ids = {c.id for c in new.clauses}
    after: dict[str | None, list[ReferenceClause]] = {}
    anchor: str | None = None
    for c in old.clauses:
        if c.id in new_ids:
            anchor = c.id
        else:
            after.setdefault(anchor, []).append(c)
    pairs: list[tuple[ReferenceClause | None, ReferenceClause | None]] = [(c, None) for c in after.get(None, [])]
    for c in new.clauses:
        pairs.append((old.clause(c.id), c))
        pairs.extend((o, None) for o in after.get(c.id, []))
    return pairs


def comparison_rows(old: ReferenceVersion, new: ReferenceVersion) -> list[Row]:
    """The rows of the 新旧対照表, unchanged runs collapsed."""
    rows: list[Row] = []
    run: list[ReferenceClause] = []

    def flush() -> None:
        if run:
            text = _summary([c.label for c in run])
            rows.append(
                Row(
                    kind="same",
                    clause_ids=tuple(c.id for c in run),
                    new=Cell(),
                    old=Cell(),
                    summary=text,
                )
            )
            run.clear()

    for o, n in _pairs(old, new):
        if o is not None and n is not None and _same(o, n):
            run.append(n)
            continue
        flush()
        if o is None and n is not None:
            rows.append(Row("added", (n.id,), new=_whole(n), old=Cell(placeholder=NEW_CLAUSE)))
        elif n is None and o is not None:
            rows.append(Row("removed", (o.id,), new=Cell(placeholder=REMOVED_CLAUSE), old=_whole(o)))
        elif o is not None and n is not None:
            rows.append(_changed_row(o, n))
    flush()
    return rows


# ---------------------------------------------------------------- rendering


def comparison_context(old: ReferenceVersion, new: ReferenceVersion) -> dict:
    """What ``comparison.html.j2`` (and ``comparison_body.html.j2`` with ``comparison.css`` where a web
    page embeds it) is rendered with."""
    rows = comparison_rows(old, new)
    counts = {kind: sum(len(r.clause_ids) for r in rows if r.kind == kind) for kind in ("changed", "added", "removed")}
    return dict(old=old, new=new, rows=rows, counts=counts)


def render_comparison(old: ReferenceVersion, new: ReferenceVersion) -> str:
    """新旧対照表 of ``old`` → ``new`` (two versions of one reference set) as one HTML document."""
    return template_environment().get_template(TEMPLATE).render(**comparison_context(old, new))
