"""A PDF or text draft's annex written out as a DOCX, to be fixed like a Word draft."""
from __future__ import annotations

import bisect
import re
from pathlib import Path

import docx
from docx.shared import Mm

from ..checker import Analysis
from ..model import Clause, Document
from .plan import FixError


def annex_lines(doc: Document, clauses: list[Clause], first: int, last: int) -> list[str]:
    """Lines of the annex (articles ``first``..``last`` and the title before them), wrapped lines joined.

    A line continues the one before when its text is a later span of a paragraph
    starting at the line's beginning (no paragraph number or item label before it).
    """
    text = doc.text
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    line_of = lambda off: bisect.bisect_right(line_starts, off) - 1  # noqa: E731
    continuation: set[int] = set()
    for clause in clauses[first : last + 1]:
        for para in clause.paragraphs:
            for span in para[1:]:
                k = line_of(span.start)
                if not text[line_starts[k] : span.start].strip(" \t\u3000-・*"):
                    continuation.add(k)
    begin = line_of(clauses[first].start)
    # The annex title (別記, …特記事項) a few lines above the first article.
    for k in range(begin - 1, max(-1, begin - 6), -1):
        line = text[line_starts[k] : (line_starts[k + 1] - 1)].strip()
        if "特記事項" in line or re.fullmatch(r"別[記紙][0-9０-９一二三四五六七八九十]*", line):
            begin = k
            break
    end = line_of(clauses[last].end)
    out: list[str] = []
    for k in range(begin, end + 1):
        line = text[line_starts[k] : (line_starts[k + 1] - 1 if k + 1 < len(line_starts) else len(text))]
        if k in continuation and out:
            out[-1] += line.strip(" \t\u3000")
        else:
            out.append(line.rstrip())
    return out


def write_annex_docx(analysis: Analysis, out: Path) -> None:
    """The draft's annex (its matched articles, else its annex region, else every article) as a new DOCX."""
    path, doc, clauses, matches = analysis.files[0], analysis.documents[0], list(analysis.clauses), analysis.matches
    located = [ci for m in matches.values() for ci, _, _ in m.units]
    annex = [i for i, c in enumerate(clauses) if c.region == "annex"]
    chosen = located or annex or list(range(len(clauses)))
    if not chosen:
        raise FixError(str(path), "条番号のある条文が読み取れません / no numbered article could be read")
    lines = annex_lines(doc, clauses, min(chosen), max(chosen))
    document = docx.Document()
    for section in document.sections:  # A4, as Japanese offices print (python-docx's default is Letter)
        section.page_width, section.page_height = Mm(210), Mm(297)
    for line in lines:
        document.add_paragraph(line)
    document.save(str(out))
