"""Accept or reject every tracked change of a DOCX on its XML, as Word's "Accept All" / "Reject All" would.

Used by the tests of ``tokki fix`` to check what a clerk gets from either button,
without trusting the code that wrote the changes.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RUN_LEVEL = (W + "ins", W + "del", W + "moveFrom", W + "moveTo")


def _is_mark(el) -> bool:
    """A w:ins/w:del inside w:rPr: the paragraph mark (or run properties) changed, not content."""
    return el.getparent() is not None and el.getparent().tag == W + "rPr"


def _unwrap(el) -> None:
    parent = el.getparent()
    index = parent.index(el)
    for child in list(el):
        parent.insert(index, child)
        index += 1
    parent.remove(el)


def _merge_with_next(p) -> None:
    """Remove the paragraph mark of ``p``: its content joins the next paragraph."""
    nxt = p.getnext()
    content = [c for c in p if c.tag != W + "pPr"]
    if nxt is not None and nxt.tag == W + "p":
        ppr = nxt.find(W + "pPr")
        at = 1 if ppr is not None else 0
        for child in content:
            nxt.insert(at, child)
            at += 1
    p.getparent().remove(p)


def _resolve(root, keep: str) -> None:
    """keep="ins": accept (insertions stay, deletions go); keep="del": reject."""
    for tr in list(root.iter(W + "tr")):  # inserted table rows: w:trPr/w:ins
        trpr = tr.find(W + "trPr")
        mark = trpr.find(W + "ins") if trpr is not None else None
        if mark is not None:
            if keep == "ins":
                trpr.remove(mark)
            else:
                tr.getparent().remove(tr)
    drop = W + ("del" if keep == "ins" else "ins")
    stay = W + keep
    drop_move, stay_move = (W + "moveFrom", W + "moveTo") if keep == "ins" else (W + "moveTo", W + "moveFrom")
    for el in list(root.iter(*_RUN_LEVEL)):
        if _is_mark(el):
            continue
        if el.tag in (drop, drop_move):
            el.getparent().remove(el)
        elif el.tag in (stay, stay_move):
            _unwrap(el)
    if keep == "del":
        for t in root.iter(W + "delText"):
            t.tag = W + "t"
        for t in root.iter(W + "delInstrText"):
            t.tag = W + "instrText"
    # Paragraph marks: a dropped mark merges the paragraph into the next one.
    for p in list(root.iter(W + "p")):
        ppr = p.find(W + "pPr")
        rpr = ppr.find(W + "rPr") if ppr is not None else None
        if rpr is None:
            continue
        marks = [c for c in rpr if c.tag in _RUN_LEVEL]
        for m in marks:
            rpr.remove(m)
        if any(m.tag in (drop, drop_move) for m in marks):
            _merge_with_next(p)
    for el in list(root.iter(W + "rPrChange", W + "pPrChange")):
        el.getparent().remove(el)


def resolve_all(src: Path, dst: Path, *, accept: bool) -> Path:
    """Write ``dst``: ``src`` with every tracked change accepted (or rejected)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                _resolve(root, "ins" if accept else "del")
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zout.writestr(item, data)
    return dst


def tracked(src: Path, tag: str, author: str | None = None) -> list:
    """The w:ins / w:del elements (run level) of the document, optionally by one author."""
    root = etree.fromstring(zipfile.ZipFile(src).read("word/document.xml"))
    return [
        el for el in root.iter(W + tag)
        if not _is_mark(el) and (author is None or el.get(W + "author") == author)
    ]


def part_xml(src: Path, name: str) -> str:
    with zipfile.ZipFile(src) as z:
        return z.read(name).decode("utf-8") if name in z.namelist() else ""
