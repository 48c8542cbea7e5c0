"""Planning a fix: which words of the draft change, which paragraphs are inserted and how they are
shaped (offsets into Document.text; the paragraphs new text copies its formatting from)."""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from ..checker import Analysis
from ..errors import TokkiError
from ..ingest.docx import W, format_number, iter_paragraphs, paragraph_atoms, paragraph_line
from ..judge import diff_regions
from ..match import similarity
from ..messages import finding_message
from ..model import Change, ChangeKind, Clause, ClauseResult, ClauseStatus, Document, Report, ReferenceClause, Span
from ..normalize import Comparable, normalize_spans
from ..segment import operative_spans
from ..settings import Settings

# A contract line less similar than this to the reference line it stands for is
# rewritten as a whole (delete the line's text, insert the reference's) instead of
# being patched word by word: below it a word diff is a patchwork nobody can review.
REWRITE_BELOW = 0.5


class FixError(TokkiError):
    """The draft cannot be fixed (unreadable file, output path is the input…); the message says why."""


@dataclass(frozen=True)
class FixedClause:
    """One reference clause tokki changed in the draft."""

    clause_id: str
    label: str  # the reference's label (第15)
    title: str
    action: str  # "replaced" (obsolete/modified wording) | "inserted" (missing mandatory clause)
    where: str  # the article as printed in the draft, or the article the insertion follows
    changes: tuple[Change, ...]  # expected = inserted text, actual = deleted text


# ---------------------------------------------------------------- edit plan (offsets into Document.text)


@dataclass
class Edit:
    """Replace doc text [start, end) (a pure insertion when equal) by ``text``, with a comment."""

    start: int
    end: int
    text: str
    comment: str


@dataclass
class NewParagraph:
    text: str
    template: object  # w:p whose pPr is copied
    label: str = ""  # printed label run (第12, 2, 一) before the text
    label_template: object | None = None  # w:r whose rPr the label run copies
    body_template: object | None = None  # w:r whose rPr the text run copies
    keep_numbering: bool = True


@dataclass
class Insertion:
    """New paragraphs after (or before) an existing paragraph, with one comment over them."""

    anchor: int  # paragraph index
    after: bool
    paragraphs: list[NewParagraph]
    comment: str
    order: int = 0
    row: NewRow | None = None  # the clause goes into a new table row instead of new paragraphs


@dataclass
class NewRow:
    """A table row like ``template`` (its cells' properties), inserted after or before ``anchor`` (a w:tr),
    with the new paragraphs of each cell, in cell order."""

    template: object
    anchor: object
    cells: list[list[NewParagraph]]


@dataclass
class Plan:
    edits: list[Edit] = field(default_factory=list)
    deleted_paragraphs: list[tuple[int, str]] = field(default_factory=list)
    insertions: list[Insertion] = field(default_factory=list)
    fixed: list[FixedClause] = field(default_factory=list)
    not_fixed: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Para:
    element: object
    label: str  # automatic-numbering label (not in the runs)
    start: int  # offset of the line in Document.text
    text_start: int  # offset of the first character of the runs' text
    end: int


def paragraph_index(document) -> tuple[list[Para], str]:
    paras: list[Para] = []
    lines: list[str] = []
    pos = 0
    for p, label in iter_paragraphs(document):
        text = "".join(t for _, t in paragraph_atoms(p))
        line = paragraph_line(label, text)
        text_start = pos + (len(line) - len(text))
        paras.append(Para(p, label, pos, text_start, pos + len(line)))
        lines.append(line)
        pos += len(line) + 1
    return paras, "\n".join(lines)


def para_at(paras: list[Para], offset: int) -> int:
    return max(0, bisect.bisect_right([p.start for p in paras], offset) - 1)


# ---------------------------------------------------------------- word-level edits of one line


def _mid(starts: tuple[int, ...], ends: tuple[int, ...], k: int) -> bool:
    """Comparison characters k-1 and k come from one original word (a folded token)."""
    return 0 < k < len(starts) and ends[k - 1] > starts[k]


def _snap(regions, ref: Comparable, act: Comparable):
    """Regions widened on both sides by the same amount until no boundary cuts a folded word, then merged."""
    rs, re_, as_, ae = ref.map.starts, ref.map.ends, act.map.starts, act.map.ends
    n, m = len(ref.text), len(act.text)
    out: list[list[int]] = []
    for i1, i2, j1, j2 in sorted(regions):
        i1, j1 = max(0, i1), max(0, j1)
        i2, j2 = min(n, max(i1, i2)), min(m, max(j1, j2))
        while i1 > 0 and j1 > 0 and (_mid(rs, re_, i1) or _mid(as_, ae, j1)):
            i1, j1 = i1 - 1, j1 - 1
        while i2 < n and j2 < m and (_mid(rs, re_, i2) or _mid(as_, ae, j2)):
            i2, j2 = i2 + 1, j2 + 1
        if out and (i1 <= out[-1][1] or j1 <= out[-1][3]):
            last = out[-1]
            last[1], last[3] = max(last[1], i2), max(last[3], j2)
            last[0], last[2] = min(last[0], i1), min(last[2], j1)
        else:
            out.append([i1, i2, j1, j2])
    return [tuple(r) for r in out]


def _side_span(c: Comparable, k1: int, k2: int, lo: int, hi: int) -> tuple[int, int]:
    """Original [start, end) of comparison chars [k1, k2) with the uncompared characters
    (punctuation, spaces) on both sides, within the line [lo, hi)."""
    start = c.map.ends[k1 - 1] if k1 > 0 else lo
    end = c.map.starts[k2] if k2 < len(c.text) else hi
    return start, max(start, end)


def line_edits(
    ref: Comparable, ref_text: str, ref_line: Span, act: Comparable, doc_text: str, act_line: Span, settings: Settings
) -> list[tuple[int, int, str]]:
    """Edits (start, end, new text) of the contract line ``act_line`` of ``doc_text`` that turn it into the
    reference line ``ref_line`` of ``ref_text``: the word-level regions of judge.diff_regions, and the
    punctuation and spacing between equal words, so accepting them all gives the reference wording
    (up to the spelling variants and party names the comparison folds)."""
    ignorable = set(settings.ignored_chars) | {" ", "\u3000", "\t"}
    regions = _snap(diff_regions(ref, act), ref, act)
    edits: list[tuple[int, int, str]] = []

    def add(a: tuple[int, int], r: tuple[int, int]) -> None:
        old, new = doc_text[a[0] : a[1]], ref_text[r[0] : r[1]]
        s, e = a
        while old and new and old[0] == new[0] and old[0] in ignorable:
            old, new, s = old[1:], new[1:], s + 1
        while old and new and old[-1] == new[-1] and old[-1] in ignorable:
            old, new, e = old[:-1], new[:-1], e - 1
        if old != new:
            edits.append((s, s + len(old), new))

    n, m = len(ref.text), len(act.text)
    pi = pj = 0
    sentinel = (n, n, m, m)
    for index, region in enumerate([*regions, sentinel]):
        i1, i2, j1, j2 = region
        last = index == len(regions)
        # Equal stretch ref [pi, i1) ↔ act [pj, j1): the gaps (punctuation, spaces) between its
        # characters; a boundary next to a region is part of that region's edit, the line's own
        # start and end belong to the stretch.
        first_k = pi if index == 0 else pi + 1
        last_k = i1 if last else i1 - 1
        for k in range(first_k, last_k + 1):
            kj = pj + (k - pi)
            if kj > m or _mid(ref.map.starts, ref.map.ends, k) or _mid(act.map.starts, act.map.ends, kj):
                continue
            add(_side_span(act, kj, kj, act_line.start, act_line.end), _side_span(ref, k, k, ref_line.start, ref_line.end))
        if last:
            break
        add(_side_span(act, j1, j2, act_line.start, act_line.end), _side_span(ref, i1, i2, ref_line.start, ref_line.end))
        pi, pj = i2, j2
    return sorted(edits)


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class Context:
    doc: Document
    paras: list[Para]
    clauses: list[Clause]
    settings: Settings
    report: Report
    version_label: str  # fukuoka-pref@2023-10-10
    parties: tuple[tuple[str, str], ...] = ()  # reference's party name → the contract's (甲 → 委託者)

    def speak(self, text: str) -> str:
        """Reference text in the contract's party names (inserted and replacing text)."""
        for ref_name, name in self.parties:
            text = text.replace(ref_name, name)
        return text


def party_names(reference_text: str, contract_text: str, settings: Settings) -> tuple[tuple[str, str], ...]:
    """(reference name, contract name) per party where they differ: each side's name is the one of
    settings' client / contractor names the text uses most (甲/乙, 委託者/受託者, 発注者/受注者)."""
    out = []
    for names in (settings.client_names, settings.contractor_names):
        def most(text: str, names=names) -> str | None:
            counts = {n: text.count(n) for n in names}
            best = max(names, key=lambda n: (counts[n], len(n)))
            return best if counts[best] else None

        ours, theirs = most(reference_text), most(contract_text)
        if ours and theirs and ours != theirs:
            out.append((ours, theirs))
    return tuple(sorted(out, key=lambda pair: -len(pair[0])))


def _ref_lines(expected: str, ref: ReferenceClause) -> list[tuple[Span, bool, int]]:
    """(operative span, is an item line, paragraph number 1.. or 0 for items and continuation) per line."""
    spans = operative_spans(expected)
    lines = expected.split("\n")
    for paragraphs in (ref.paragraphs, (*ref.paragraphs, *ref.tokutei_paragraphs), *ref.alternatives):
        if "\n".join(paragraphs) == expected:
            break
    else:
        paragraphs = tuple(lines)
    starts, k = {}, 0
    for number, para in enumerate(paragraphs, start=1):
        starts[k] = number
        k += para.count("\n") + 1
    pos, out = 0, []
    for i, (line, span) in enumerate(zip(lines, spans)):
        out.append((span, span.start > pos, 0 if span.start > pos else starts.get(i, 0)))
        pos += len(line) + 1
    return out


def _why(ctx: Context, result: ClauseResult, ref: ReferenceClause, head: str) -> str:
    msgs = [finding_message(f) for f in ctx.report.findings if f.clause == result.clause_id]
    name = f"{ref.label}（{ref.title}）" if ref.title else ref.label
    lines = [head, *msgs, f"参照 / reference: {ctx.version_label} {name}"]
    if ref.source:
        lines.append(f"出典 / source: {ref.source}")
    return "\n".join(lines)


def _unit_spans(ctx: Context, units) -> list[Span]:
    return [s for ci, a, e in units for para in ctx.clauses[ci].paragraphs[a:e] for s in para]


_PARA_NUMBER = re.compile(r"^[-・*\s]*([0-9０-９]{1,2})([ \u3000]+)")
# Text before a paragraph's operative text that is only its number or item label (or nothing).
_ONLY_LABEL = re.compile(
    r"[-・*\s]*(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3}|[(（][^)）]{1,3}[)）]|[⑴-⒇①-⑳]|[アイウエオカキクケコサシスセソタチツテト])?[ \u3000]*"
)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _paragraph_label(ctx: Context, spans: list[Span], number: int) -> str:
    """「2 」 or 「２　」 like the numbered paragraphs of the draft."""
    for s in spans:
        line_start = ctx.doc.text.rfind("\n", 0, s.start) + 1
        m = _PARA_NUMBER.match(ctx.doc.text[line_start : s.start])
        if m:
            digits = str(number)
            if m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")) != m.group(1):
                digits = digits.translate(_FULLWIDTH)
            return digits + m.group(2)
    return str(number).translate(_FULLWIDTH) + "\u3000"


def first_run(p, offset: int | None = None):
    """The w:r holding the paragraph's character at ``offset`` (default: its first visible character)."""
    atoms = paragraph_atoms(p)
    pos = 0
    for el, text in atoms:
        if offset is None or pos + len(text) > offset:
            return el.getparent()
        pos += len(text)
    runs = p.findall(f".//{W}r")
    return runs[0] if runs else None


def _plan_replacement(ctx: Context, plan: Plan, result: ClauseResult, ref: ReferenceClause, units) -> None:
    settings, doc_text = ctx.settings, ctx.doc.text
    expected = result.expected_text
    ref_lines = _ref_lines(expected, ref)
    act_spans = [_without_item_label(doc_text, s) for s in _unit_spans(ctx, units)]
    ref_cmp = [normalize_spans(expected, [s], settings) for s, _, _ in ref_lines]
    act_cmp = [normalize_spans(doc_text, [s], settings) for s in act_spans]
    # Align reference lines with contract lines in order (most similar pairs; every line
    # of equal-length lists pairs): unpaired reference lines become new paragraphs,
    # unpaired contract lines are deleted.
    R, A = len(ref_lines), len(act_spans)
    sims = [[similarity(r.text, a.text) for a in act_cmp] for r in ref_cmp]
    best = [[0.0] * (A + 1) for _ in range(R + 1)]
    for i in range(R - 1, -1, -1):
        for j in range(A - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + sims[i][j] + 0.5)
    pairs, i, j = [], 0, 0
    while i < R and j < A:
        if best[i][j] == best[i + 1][j + 1] + sims[i][j] + 0.5:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    paired_ref = {i for i, _ in pairs}
    paired_act = {j for _, j in pairs}
    changes: list[Change] = []
    head = {
        ClauseStatus.OBSOLETE: f"改正前（{result.matched_version}）の文言を現行に差し替えます / superseded wording replaced",
        ClauseStatus.MODIFIED: "参照文と異なる文言を現行に合わせます / wording brought in line with the reference",
    }[result.status]

    def comment_for(old: str, new: str) -> str:
        kind = ChangeKind.REPLACED if old and new else ChangeKind.DELETED if not new else ChangeKind.INSERTED
        change = Change(kind, new, old)
        changes.append(change)
        return _why(ctx, result, ref, f"{change.describe()}。{head}")

    for i, j in pairs:
        span_r, span_a = ref_lines[i][0], act_spans[j]
        if sims[i][j] < REWRITE_BELOW:
            edits = [(span_a.start, span_a.end, expected[span_r.start : span_r.end])]
        else:
            edits = line_edits(ref_cmp[i], expected, span_r, act_cmp[j], doc_text, span_a, settings)
        for s, e, text in edits:
            text = ctx.speak(text)
            plan.edits.append(Edit(s, e, text, comment_for(doc_text[s:e], text)))

    for j, span in enumerate(act_spans):
        if j in paired_act:
            continue
        k = para_at(ctx.paras, span.start)
        para = ctx.paras[k]
        if k in {d for d, _ in plan.deleted_paragraphs}:
            continue
        comment = comment_for(doc_text[span.start : span.end], "")
        if _ONLY_LABEL.fullmatch(doc_text[para.text_start : span.start]) and not doc_text[span.end : para.end].strip():
            plan.deleted_paragraphs.append((k, comment))
        else:
            plan.edits.append(Edit(span.start, span.end, "", comment))

    # New paragraphs for unpaired reference lines, after the paragraph of the line before.
    first_para = para_at(ctx.paras, act_spans[0].start)
    first_el = ctx.paras[first_para].element
    for i, (span_r, is_item, number) in enumerate(ref_lines):
        if i in paired_ref:
            continue
        before = [j for ri, j in pairs if ri < i]
        after = [j for ri, j in pairs if ri > i]
        if before:
            anchor, is_after = para_at(ctx.paras, act_spans[before[-1]].end), True
        elif after:
            anchor, is_after = para_at(ctx.paras, act_spans[after[0]].start), False
        else:
            anchor, is_after = first_para, True
        line_start = expected.rfind("\n", 0, span_r.start) + 1
        text = ctx.speak(expected[span_r.start : span_r.end])
        label = expected[line_start : span_r.start] if is_item else (_paragraph_label(ctx, act_spans, number) if number > 1 else "")
        template = _template_line(ctx, act_spans, item=is_item)
        template = first_el if template is None else template
        new = NewParagraph(text, template, label, first_run(template), first_run(template), keep_numbering=template is not first_el)
        comment = comment_for("", label + text)
        plan.insertions.append(Insertion(anchor, is_after, [new], comment, order=i))
    plan.fixed.append(
        FixedClause(result.clause_id, ref.label, ref.title, "replaced", result.location.article if result.location else "", tuple(changes))
    )


def _without_item_label(text: str, span: Span) -> Span:
    """The span without an item label it starts with (「三 …」 read as continuation text when 二 is
    missing): compared like the reference lines, whose labels are not part of the wording."""
    inner = operative_spans(text[span.start : span.end])[0]
    return Span(span.start + inner.start, span.end)


def _template_line(ctx: Context, spans: list[Span], *, item: bool):
    """A paragraph of the clause (not its first) with a label of the wanted kind: an item or a numbered paragraph."""
    first = para_at(ctx.paras, spans[0].start)
    for s in spans:
        k = para_at(ctx.paras, s.start)
        if k == first:
            continue
        prefix = ctx.doc.text[ctx.paras[k].start : s.start]
        if not prefix.strip():
            continue
        if bool(_PARA_NUMBER.match(prefix + " ")) != item:
            return ctx.paras[k].element
    return None


_LABEL = re.compile(r"第[ \u3000]*(?P<num>[0-9０-９]+(?:[ \u3000]*[0-9０-９])*|[〇一二三四五六七八九十百]+)[ \u3000]*(?P<jo>条)?")


# The number inside a label of another style: 「1.」「(1)」「⑴」「①」「一」「その1」.
_LABEL_NUMBER = re.compile(r"[0-9０-９]+|[〇一二三四五六七八九十百]+|[⑴-⒇]|[①-⑳]")


def _render_label(printed: str, number: int) -> str:
    """The label of article ``number`` written like ``printed`` (第１条, 第十二, 第 1 5 → 第16, （３）, ⑷)."""
    m = _LABEL.search(printed)
    span = m.span("num") if m else None
    if span is None:
        other = _LABEL_NUMBER.search(printed)
        if other is None:
            return f"第{number}"
        span = other.span()
    num = printed[span[0] : span[1]]
    if re.fullmatch(r"[〇一二三四五六七八九十百]+", num):
        digits = format_number(number, "japaneseCounting")
    elif num in "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇":
        digits = format_number(number, "decimalEnclosedParen")
    elif num in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        digits = format_number(number, "decimalEnclosedCircle")
    elif re.search(r"[０-９]", num):
        digits = format_number(number, "decimalFullWidth")
    else:
        digits = str(number)
    return printed[: span[0]] + digits + printed[span[1] :]


def _plan_missing(ctx: Context, plan: Plan, missing: list[ClauseResult], refs: dict[str, ReferenceClause],
                  order: list[str], matches) -> None:
    present = {cid: m for cid, m in matches.items()}
    # Consecutive missing clauses after the same neighbour are numbered on from it.
    counters: dict[int, int] = {}
    inserted: list[tuple[float, int]] = []  # (position among ctx.clauses, number given)
    for result in missing:
        ref = refs[result.clause_id]
        pos = order.index(result.clause_id)
        prev = next((present[c] for c in reversed(order[:pos]) if c in present), None)
        nxt = next((present[c] for c in order[pos + 1 :] if c in present), None)
        if prev is None and nxt is None:
            plan.not_fixed.append((result.clause_id, "特記事項が見つからないため挿入位置がありません / no annex to insert into"))
            continue
        neighbour = ctx.clauses[max(ci for ci, _, _ in prev.units)] if prev else ctx.clauses[min(ci for ci, _, _ in nxt.units)]
        shape = _clause_shape(ctx, neighbour)
        at = ctx.clauses.index(neighbour)
        if prev is not None:
            anchor, after = para_at(ctx.paras, neighbour.end), True
            step = counters.get(anchor, 0) + 1
            counters[anchor] = step
            number = (neighbour.number or 0) + step
        else:
            anchor, after = para_at(ctx.paras, neighbour.start), False
            number = max(1, (neighbour.number or 2) - 1)
        kept = next((c for c in ctx.clauses if c.number == number and _deleted(ctx, c)), None)
        if kept is not None:  # 「第12 削除」: the contract keeps the number of a deleted article
            plan.not_fixed.append((
                result.clause_id,
                f"{kept.label} は「削除」として番号が残されています。必須事項なので「削除」を現行の文言に改めるか確認してください"
                f" / {kept.label} is kept as 「削除」: replace it with the current wording or confirm the deletion",
            ))
            continue
        inserted.append((at + 0.5 if after else at - 0.5, number))
        row = _new_row(ctx, neighbour, ref, result.expected_text, number, after)
        if row is not None:
            paragraphs = [p for cell in row.cells for p in cell]
        else:
            paragraphs = _new_clause_paragraphs(ctx, shape, ref, result.expected_text, number, leading_blanks=after)
        comment = _why(
            ctx, result, ref,
            f"必須事項 {ref.label}（{ref.title}）がないため、現行の文言を挿入します / missing mandatory clause inserted",
        )
        plan.insertions.append(Insertion(anchor, after, paragraphs, comment, order=10_000 + pos, row=row))
        where = f"{neighbour.label} の{'後' if after else '前'} / {'after' if after else 'before'} {neighbour.label}"
        plan.fixed.append(
            FixedClause(result.clause_id, ref.label, ref.title, "inserted", where,
                        (Change(ChangeKind.INSERTED, result.expected_text, ""),))
        )
    _plan_renumbering(ctx, plan, inserted)


def _deleted(ctx: Context, clause: Clause) -> bool:
    """The article reads 「削除」 alone (its number kept after the article was deleted)."""
    body = "".join(ctx.doc.text[s.start : s.end] for para in clause.paragraphs for s in para)
    return "".join(body.split()).strip("。") == "削除"


def _label_number(ctx: Context, clause: Clause) -> tuple[int, int] | None:
    """Document offsets of the number printed in the article's label (None: Word numbers it)."""
    spans = [s for para in clause.paragraphs for s in para]
    art = ctx.paras[para_at(ctx.paras, spans[0].start if spans else clause.end)]
    m = _LABEL.search(ctx.doc.text[art.start : spans[0].start if spans else art.end])
    if m is None or (art.label and art.start + m.start() < art.text_start):  # as _clause_shape tells auto labels
        return None
    return art.start + m.start("num"), art.start + m.end("num")


# 「第13の規定」「第13（事故報告）」: a cross-reference to an article of a 第N annex — not 第12条 or
# 法律第57号 of a law, nor the 第2項 of 第66条第2項.
_CROSS_REF = re.compile(r"(?<![法例則）)条号])第(?P<num>[0-9０-９]+)(?![0-9０-９条項号])")


def _plan_renumbering(ctx: Context, plan: Plan, inserted: list[tuple[float, int]]) -> None:
    """Inserted articles whose numbers the contract already uses (it was renumbered when one was
    dropped): the articles after them, and 「第N」 references to those in the annex's text, take
    the next numbers as tracked changes. A contract that kept the number (「第12 削除」) has no clash."""
    if not inserted or any(_label_number(ctx, c) is None for c in ctx.clauses if c.number is not None):
        return  # Word numbers the articles (it renumbers them itself), or a label was not found
    later = lambda ci: [n for pos, n in inserted if pos < ci]  # noqa: E731
    # The article right after an insertion carries the number given to the inserted one.
    clash = any(ctx.clauses[int(pos + 0.5)].number == n for pos, n in inserted if int(pos + 0.5) < len(ctx.clauses))
    if not clash:
        return
    renumbered: dict[int, int] = {}
    comment = "挿入した条に合わせて番号を繰り下げます / renumbered after the inserted article"
    doc_index = {c.doc_index for c in ctx.clauses}
    for ci, clause in enumerate(ctx.clauses):
        shift = len(later(ci))
        if not shift or clause.number is None:
            continue
        renumbered[clause.number] = clause.number + shift
        span = _label_number(ctx, clause)
        if span is not None:
            old = ctx.doc.text[span[0] : span[1]]
            plan.edits.append(Edit(*span, _renumber_like(old, clause.number + shift), comment))
    if len(doc_index) != 1:
        return
    labels = {_label_number(ctx, c) for c in ctx.clauses}
    for clause in ctx.clauses:  # references in the articles' text (not in a 注 about the reference)
        for m in _CROSS_REF.finditer(ctx.doc.text, clause.start, clause.end):
            span = m.span("num")
            n = int(unicodedata.normalize("NFKC", m.group("num")))
            if span not in labels and n in renumbered:
                plan.edits.append(Edit(*span, _renumber_like(m.group("num"), renumbered[n]), comment))


def _renumber_like(printed: str, number: int) -> str:
    """``number`` in the digits of ``printed`` (full-width stays full-width)."""
    text = str(number)
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if re.search(r"[０-９]", printed) else text


def _cell_of(p):
    """(w:tr, index of the cell in its row) of a paragraph standing directly in a table cell, or None."""
    tc = p.getparent()
    tr = tc.getparent() if tc is not None else None
    if tc is None or tc.tag != W + "tc" or tr is None or tr.tag != W + "tr":
        return None
    return tr, [c for c in tr if c.tag == W + "tc"].index(tc)


def _new_row(ctx: Context, clause: Clause, ref: ReferenceClause, expected: str, number: int,
             after: bool) -> NewRow | None:
    """A new table row for a missing clause when its neighbour ``clause`` is laid out in table rows
    (「第N | （見出し）本文」, 「第N（見出し） | 本文」, 「条 | 見出し | 内容」): each cell gets what the
    neighbour's cell in the same column holds (label, heading, text). None when it is not in a table."""
    text = ctx.doc.text
    ks = range(para_at(ctx.paras, clause.start), para_at(ctx.paras, clause.end) + 1)
    where = {k: _cell_of(ctx.paras[k].element) for k in ks}
    if not ks or any(w is None for w in where.values()):
        return None
    rows = list(dict.fromkeys(w[0] for w in where.values()))
    if len({r.getparent() for r in rows}) != 1:
        return None
    own = {ctx.paras[k].element for k in ks}
    if any(p not in own and "".join(t for _, t in paragraph_atoms(p)).strip() for r in rows for p in r.iter(W + "p")):
        return None  # the rows hold other clauses too (a whole annex in one cell): insert paragraphs
    spans = [sp for para in clause.paragraphs for sp in para]
    if not spans:
        return None
    first_text = para_at(ctx.paras, spans[0].start)
    template = rows[0]
    cells: list[list[NewParagraph]] = [[] for c in template if c.tag == W + "tc"]
    for k in ks:
        para = ctx.paras[k]
        col = where[k][1]
        if col >= len(cells) or k > first_text and where[k][1] == where[first_text][1]:
            continue
        line = text[para.text_start : para.end]
        run = first_run(para.element)
        if k == first_text:
            prefix = text[para.text_start : spans[0].start]
            label = _render_label(prefix, number) if prefix.strip() else ""
            for n, (span, is_item, para_no) in enumerate(_ref_lines(expected, ref)):
                if n == 0:
                    lead = label
                elif is_item:
                    lead = expected[expected.rfind("\n", 0, span.start) + 1 : span.start]
                else:
                    lead = _paragraph_label(ctx, spans, para_no) if para_no > 1 else ""
                cells[col].append(NewParagraph(expected[span.start : span.end], para.element, lead, run, run,
                                                keep_numbering=False))
        elif line.strip():  # the label cell 「第3」 or a heading 「（秘密の保持）」「秘密の保持」
            if clause.heading and clause.heading in line:
                line = line.replace(clause.heading, ref.title, 1)
            if clause.label and line.lstrip().startswith(clause.label):
                line = _render_label(line, number)
            cells[col].append(NewParagraph(line, para.element, "", run, run, keep_numbering=False))
    return NewRow(template, rows[-1] if after else rows[0], cells)


@dataclass
class _Shape:
    """How the neighbouring article is laid out: paragraphs for its heading, label line, numbered paragraphs, items."""

    heading: object | None  # w:p of a （見出し） line of its own
    heading_text: str  # e.g. "(基本的事項)"
    blanks_between: int  # blank paragraphs between heading and article
    article: object  # w:p of the label line
    label_printed: str  # 第1 / 第１条 as printed
    label_auto: bool  # the label comes from Word's automatic numbering
    separator: str  # between the label and the text (with the heading when it is inline)
    inline_heading: bool  # 「第1条（目的）　乙は…」
    heading_title: str
    label_run: object | None
    body_run: object | None
    paragraph: object | None  # w:p of a numbered paragraph (2 …)
    item: object | None
    trailing_blanks: int
    spans: list[Span]


def _clause_shape(ctx: Context, clause: Clause) -> _Shape:
    text = ctx.doc.text
    spans = [s for para in clause.paragraphs for s in para]
    k_art = para_at(ctx.paras, spans[0].start if spans else clause.end)
    art = ctx.paras[k_art]
    heading_el, heading_text, between = None, "", 0
    k_first = para_at(ctx.paras, clause.start)
    if clause.heading and k_first < k_art:
        heading_el = ctx.paras[k_first].element
        heading_text = text[ctx.paras[k_first].text_start : ctx.paras[k_first].end].strip()
        between = sum(1 for k in range(k_first + 1, k_art) if not text[ctx.paras[k].start : ctx.paras[k].end].strip())
    first_span = spans[0].start if spans else art.end
    line = text[art.start : first_span]
    m = _LABEL.search(line)
    label_printed = m.group(0).rstrip(" \u3000") if m else clause.label
    label_pos = art.start + (m.start() if m else 0)
    label_end = label_pos + len(label_printed)
    separator = text[label_end:first_span] if m else ""
    auto = bool(art.label) and (m is None or label_pos < art.text_start)
    inline_heading = bool(clause.heading) and heading_el is None and clause.heading in separator
    k_end = para_at(ctx.paras, clause.end)
    trailing = 0
    k = k_end + 1
    while k < len(ctx.paras) and not text[ctx.paras[k].start : ctx.paras[k].end].strip():
        trailing, k = trailing + 1, k + 1
    if k >= len(ctx.paras):
        trailing = min(trailing, between)
    return _Shape(
        heading_el, heading_text, between, art.element, label_printed, auto, separator, inline_heading, clause.heading or "",
        None if auto else first_run(art.element, label_pos - art.text_start if m else None),
        first_run(art.element, first_span - art.text_start),
        _template_line(ctx, spans, item=False), _template_line(ctx, spans, item=True), trailing, spans,
    )


def _heading_like(sample: str, title: str) -> str:
    """「（調査）」 with the brackets of the neighbour's heading ``sample``."""
    m = re.match(r"^(\s*[（(【〔]\s*)[^（）()【】〔〕]*?(\s*[）)】〕]\s*)$", sample)
    return f"{m.group(1)}{title}{m.group(2)}" if m else f"（{title}）"


def _new_clause_paragraphs(ctx: Context, shape: _Shape, ref: ReferenceClause, expected: str, number: int,
                           *, leading_blanks: bool) -> list[NewParagraph]:
    out: list[NewParagraph] = []
    blank = lambda: NewParagraph("", shape.article, keep_numbering=False)  # noqa: E731
    if leading_blanks:
        out.extend(blank() for _ in range(shape.trailing_blanks))
    if shape.heading is not None and ref.title:
        out.append(NewParagraph(_heading_like(shape.heading_text, ref.title), shape.heading,
                                 body_template=first_run(shape.heading)))
        out.extend(blank() for _ in range(shape.blanks_between))
    lines = _ref_lines(expected, ref)
    for n, (span, is_item, para_no) in enumerate(lines):
        text = ctx.speak(expected[span.start : span.end])
        if n == 0:
            separator = shape.separator
            if shape.inline_heading:
                separator = separator.replace(shape.heading_title, ref.title, 1)
            label = "" if shape.label_auto else _render_label(shape.label_printed, number) + separator
            out.append(NewParagraph(text, shape.article, label, shape.label_run, shape.body_run))
        elif is_item:
            line_start = expected.rfind("\n", 0, span.start) + 1
            template = shape.item or shape.article
            out.append(NewParagraph(text, template, expected[line_start : span.start], first_run(template),
                                     first_run(template), keep_numbering=template is not shape.article))
        else:
            template = shape.paragraph or shape.article
            label = _paragraph_label(ctx, shape.spans, para_no) if para_no > 1 else ""
            out.append(NewParagraph(text, template, label, first_run(template), first_run(template),
                                     keep_numbering=template is not shape.article))
    if not leading_blanks:
        out.extend(blank() for _ in range(shape.trailing_blanks))
    return out


def plan_fixes(analysis: Analysis, paras: list[Para], settings: Settings) -> Plan:
    """The edits that bring a DOCX draft to its reference's current wording: obsolete and modified
    clauses rewritten, missing mandatory clauses inserted, the rest left to a person (``not_fixed``)."""
    report, version, matches = analysis.report, analysis.version, analysis.matches
    doc = analysis.documents[0]
    reference_text = "\n".join(c.text for c in version.clauses)
    ctx = Context(doc, paras, list(analysis.clauses), settings, report, version_spec(report),
                  party_names(reference_text, doc.text, settings))
    refs = {c.id: c for c in version.clauses}
    plan = Plan()
    missing = []
    for result in report.clauses:
        ref = refs.get(result.clause_id)
        if ref is None:
            continue
        if result.status in (ClauseStatus.OBSOLETE, ClauseStatus.MODIFIED):
            match = matches.get(result.clause_id)
            if match is None or not _unit_spans(ctx, match.units):
                plan.not_fixed.append((result.clause_id, "条の位置を特定できません / clause not located"))
                continue
            _plan_replacement(ctx, plan, result, ref, match.units)
        elif result.status is ClauseStatus.MISSING:
            if result.mandatory:
                missing.append(result)
            else:
                plan.not_fixed.append((result.clause_id, "任意事項のため挿入しません / optional clause, not inserted"))
    _plan_missing(ctx, plan, missing, refs, [c.id for c in version.clauses], matches)
    return plan


def version_spec(report: Report) -> str:
    return f"{report.reference_id}@{report.reference_version}"
