"""Writing a fix plan into the DOCX: word-level w:del/w:ins runs, inserted paragraphs and table rows,
and a comment on every change, all by the author 「tokki」."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

from lxml import etree

from ..ingest.docx import W, paragraph_atoms
from .plan import NewParagraph, NewRow, Para, Plan, first_run, para_at

AUTHOR = "tokki"
AUTHOR_INITIALS = "tk"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


class _Revisions:
    """Unique w:id values and the author/date attributes of tracked changes."""

    def __init__(self, body, when: datetime) -> None:
        ids = [int(v) for v in body.xpath("//@w:id") if str(v).lstrip("-").isdigit()]
        self.next_id = max(ids, default=0) + 1
        self.date = when.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

    def mark(self, tag: str):
        el = etree.Element(W + tag)
        el.set(W + "id", str(self.next_id))
        el.set(W + "author", AUTHOR)
        el.set(W + "date", self.date)
        self.next_id += 1
        return el


def _el(tag: str, **attrs):
    el = etree.Element(W + tag)
    for k, v in attrs.items():
        el.set(W + k, v)
    return el


def _clean_rpr(run):
    """A copy of the run's w:rPr without tracked-change marks, or None."""
    rpr = run.find(W + "rPr") if run is not None else None
    if rpr is None:
        return None
    rpr = copy.deepcopy(rpr)
    for child in list(rpr):
        if child.tag in (W + "ins", W + "del", W + "moveFrom", W + "moveTo", W + "rPrChange"):
            rpr.remove(child)
    return rpr


def _text_run(text: str, template_run):
    r = _el("r")
    rpr = _clean_rpr(template_run)
    if rpr is not None:
        r.append(rpr)
    parts = text.split("\t")
    for k, part in enumerate(parts):
        if k:
            r.append(_el("tab"))
        if part:
            t = _el("t")
            t.text = part
            t.set(XML_SPACE, "preserve")
            r.append(t)
    return r


def _split_run_before(el) -> None:
    """Split the run holding ``el`` (a w:t, w:tab, w:br) so that ``el`` starts a run."""
    run = el.getparent()
    children = [c for c in run if c.tag != W + "rPr"]
    if not children or children[0] is el:
        return
    new = _el("r")
    for name, value in run.attrib.items():
        new.set(name, value)
    rpr = run.find(W + "rPr")
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    moving = children[children.index(el) :]
    for c in moving:
        new.append(c)
    run.addnext(new)


def _split_at(p, offset: int) -> None:
    """Make a run boundary before the paragraph's visible character ``offset``."""
    pos = 0
    for el, text in paragraph_atoms(p):
        if pos + len(text) > offset:
            k = offset - pos
            if k > 0:  # inside a w:t: split the text node
                second = _el("t")
                second.text = text[k:]
                second.set(XML_SPACE, "preserve")
                el.text = text[:k]
                el.set(XML_SPACE, "preserve")
                el.addnext(second)
                el = second
            _split_run_before(el)
            return
        pos += len(text)


def _runs_in(p, start: int, end: int) -> list:
    """Runs whose visible characters lie in [start, end) (after splitting at both ends), in order."""
    runs, pos = [], 0
    for el, text in paragraph_atoms(p):
        if start <= pos < end and el.getparent() not in runs:
            runs.append(el.getparent())
        pos += len(text)
    return runs


def _delete_runs(runs, rev: _Revisions) -> list:
    """Wrap the runs in w:del (one per group of adjacent siblings); the wrappers in order."""
    wrappers = []
    group: list = []
    for run in runs + [None]:
        if group and (run is None or run.getprevious() is not group[-1]):
            d = rev.mark("del")
            group[0].addprevious(d)
            for r in group:
                d.append(r)
                for t in r.iter(W + "t"):
                    t.tag = W + "delText"
                for t in r.iter(W + "instrText"):
                    t.tag = W + "delInstrText"
            wrappers.append(d)
            group = []
        if run is not None:
            group.append(run)
    return wrappers


def _anchor_comment(first, last, comment_id: int) -> None:
    first.addprevious(_el("commentRangeStart", id=str(comment_id)))
    end = _el("commentRangeEnd", id=str(comment_id))
    last.addnext(end)
    ref = _el("r")
    ref.append(_el("commentReference", id=str(comment_id)))
    end.addnext(ref)


def _apply_paragraph_edits(p, edits: list[tuple[int, int, str, int]], rev: _Revisions) -> None:
    """Tracked edits (start, end, new text, comment id) in paragraph-local offsets, non-overlapping."""
    for s, e, _, _ in edits:
        _split_at(p, s)
        _split_at(p, e)
    # Right to left: earlier offsets stay valid while later ones are edited.
    for s, e, text, cid in sorted(edits, reverse=True):
        runs = _runs_in(p, s, e)
        wrappers = _delete_runs(runs, rev) if runs else []
        if text:
            template = runs[0] if runs else first_run(p, s - 1 if s > 0 else 0)
            ins = rev.mark("ins")
            ins.append(_text_run(text, template))
            if wrappers:
                wrappers[-1].addnext(ins)
            else:
                before = _runs_in(p, s - 1, s) if s > 0 else []
                if before:
                    _outermost(before[-1], p).addnext(ins)
                else:
                    after = _runs_in(p, s, s + 1)
                    if after:
                        _outermost(after[0], p).addprevious(ins)
                    else:
                        p.append(ins)
            last = ins
        else:
            last = wrappers[-1]
        first = wrappers[0] if wrappers else last
        _anchor_comment(first, last, cid)


def _outermost(run, p):
    """The run itself, or the tracked-change wrapper around it that is a child of the paragraph level it sits in."""
    el = run
    while el.getparent() is not p and el.getparent().tag in (W + "ins", W + "moveTo"):
        el = el.getparent()
    return el


def _mark_paragraph(p, tag: str, rev: _Revisions) -> None:
    """Track the paragraph mark itself as inserted or deleted (w:pPr/w:rPr/w:ins|w:del)."""
    ppr = p.find(W + "pPr")
    if ppr is None:
        ppr = _el("pPr")
        p.insert(0, ppr)
    rpr = ppr.find(W + "rPr")
    if rpr is None:
        rpr = _el("rPr")
        tail = [c for c in ppr if c.tag in (W + "sectPr", W + "pPrChange")]
        if tail:
            tail[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, rev.mark(tag))


def _new_paragraph(spec: NewParagraph, rev: _Revisions):
    p = _el("p")
    ppr = spec.template.find(W + "pPr") if spec.template is not None else None
    if ppr is not None:
        ppr = copy.deepcopy(ppr)
        for child in list(ppr):
            if child.tag in (W + "sectPr", W + "pPrChange") or (child.tag == W + "numPr" and not spec.keep_numbering):
                ppr.remove(child)
        rpr = ppr.find(W + "rPr")
        if rpr is not None:
            for child in list(rpr):
                if child.tag in (W + "ins", W + "del", W + "moveFrom", W + "moveTo", W + "rPrChange"):
                    rpr.remove(child)
        p.append(ppr)
    _mark_paragraph(p, "ins", rev)
    if spec.label or spec.text:
        ins = rev.mark("ins")
        if spec.label:
            ins.append(_text_run(spec.label, spec.label_template if spec.label_template is not None else spec.body_template))
        if spec.text:
            ins.append(_text_run(spec.text, spec.body_template))
        p.append(ins)
    return p


def _delete_paragraph(p, rev: _Revisions):
    runs = []
    for el, _ in paragraph_atoms(p):
        if el.getparent() not in runs:
            runs.append(el.getparent())
    wrappers = _delete_runs(runs, rev)
    _mark_paragraph(p, "del", rev)
    return wrappers


def apply_plan(document, paras: list[Para], plan: Plan, when: datetime) -> None:
    body = document.element.body
    rev = _Revisions(body, when)
    comments = document.comments

    def new_comment(text: str) -> int:
        c = comments.add_comment(text, author=AUTHOR, initials=AUTHOR_INITIALS)
        c._comment_elm.set(W + "date", rev.date)
        return c.comment_id

    by_para: dict[int, list[tuple[int, int, str, int]]] = {}
    for e in sorted(plan.edits, key=lambda e: (e.start, e.end)):
        k = para_at(paras, e.start)
        para = paras[k]
        s, t = e.start - para.text_start, e.end - para.text_start
        if s < 0 or t > para.end - para.text_start:
            continue  # inside an automatic-numbering label: not text of the runs
        edits = by_para.setdefault(k, [])
        if edits and s < edits[-1][1]:
            continue  # overlapping edits cannot both be tracked; the first one stands
        edits.append((s, t, e.text, new_comment(e.comment)))
    for k, edits in by_para.items():
        _apply_paragraph_edits(paras[k].element, edits, rev)
    for k, text in plan.deleted_paragraphs:
        p = paras[k].element
        wrappers = _delete_paragraph(p, rev)
        if wrappers:
            _anchor_comment(wrappers[0], wrappers[-1], new_comment(text))
    # Insertions: several after one anchor keep their planned order.
    placed: dict[tuple[int, bool], object] = {}
    placed_rows: dict[object, object] = {}  # anchor row → the last row inserted after it
    for ins in sorted(plan.insertions, key=lambda i: (i.anchor, not i.after, i.order)):
        if ins.row is not None:
            tr = _new_table_row(ins.row, rev)
            if ins.after:
                placed_rows.get(ins.row.anchor, ins.row.anchor).addnext(tr)
                placed_rows[ins.row.anchor] = tr
            else:
                ins.row.anchor.addprevious(tr)
            new = [p for tc in tr.findall(W + "tc") for p in tc.findall(W + "p")]
        elif ins.after:
            new = [_new_paragraph(spec, rev) for spec in ins.paragraphs]
            key = (ins.anchor, ins.after)
            ref = placed.get(key, paras[ins.anchor].element)
            for p in new:
                ref.addnext(p)
                ref = p
            placed[key] = ref
        else:
            new = [_new_paragraph(spec, rev) for spec in ins.paragraphs]
            anchor = paras[ins.anchor].element
            for p in new:
                anchor.addprevious(p)
        content = [p for p in new if len(p) > 1]
        if content:
            cid = new_comment(ins.comment)
            first = content[0][1]
            last = content[-1][-1]
            _anchor_comment(first, last, cid)


def _new_table_row(row: NewRow, rev: _Revisions):
    """The w:tr of ``row``: the template's row and cell properties, the new paragraphs, marked inserted."""
    tr = _el("tr")
    for child in row.template:
        if child.tag in (W + "tblPrEx", W + "trPr"):
            tr.append(copy.deepcopy(child))
    trpr = tr.find(W + "trPr")
    if trpr is None:
        trpr = _el("trPr")
        tr.insert(1 if tr.find(W + "tblPrEx") is not None else 0, trpr)
    trpr.append(rev.mark("ins"))
    for tc_template, specs in zip((c for c in row.template if c.tag == W + "tc"), row.cells):
        tc = _el("tc")
        tcpr = tc_template.find(W + "tcPr")
        if tcpr is not None:
            tcpr = copy.deepcopy(tcpr)
            for merge in tcpr.findall(W + "vMerge"):  # the new row is a row of its own
                tcpr.remove(merge)
            tc.append(tcpr)
        for spec in specs or [NewParagraph("", tc_template.find(W + "p"), keep_numbering=False)]:
            tc.append(_new_paragraph(spec, rev))
        tr.append(tc)
    return tr
