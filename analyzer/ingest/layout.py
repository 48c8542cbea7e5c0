"""Page layout from positioned characters: the lines of a page in human reading order.

Pure geometry, no PDF library: the PDF reader feeds it pdfium's (or pdfplumber's)
characters, and an OCR engine can feed it recognised characters the same way.
Input: ``Char`` records in content-stream order (text, box in PDF user space with
y up, em size, angle of the text direction) and optionally the cell boxes of ruled
tables. For one page (``analyse_page``):

1. the dominant text direction is the commonest character angle; characters at
   another angle (a diagonal 「複製」 watermark, a sideways stamp) are dropped and
   the page is turned so that the dominant text runs left to right, top to bottom
   (a /Rotate page, a landscape page drawn sideways);
2. characters inside table cells are set aside; the rest are grouped into rows
   (vertical overlap) and each row into segments (split at wide gaps);
3. short numbers outside the text block at the left or right edge (line numbers
   of a numbered draft) are dropped.

Across the pages of a document (``mark_furniture``): lines in the top or bottom
band that recur on many pages at the same place (running headers and footers),
page numbers there, and small isolated lines in the top band are furniture.

Reading (``reading_lines``): tables row by row, cell by cell, wrapped lines of a
cell joined; other text top to bottom, and on a two-column page (a vertical
gutter splitting the text rows) the left column before the right one.

Spaces: a space is kept where the content stream has one between two characters
that end up side by side (pdfium's generated spaces included); none is invented.
"""
from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF user space (y up)

# A line that is only a page number: 「3」「- 3 -」「3 / 10」「p. 3」 (segment.py uses it too).
PAGE_NUMBER = re.compile(r"^[-－―—‐–\s]*(?:[0-9０-９]+(?:\s*[/／]\s*[0-9０-９]+)?|[pP]\.?\s*\d+)[-－―—‐–\s]*$")

# --- direction ---------------------------------------------------------------------------
# Degrees a character's angle may differ from the page's dominant direction and still be
# page text: pdfium reports angles from the text matrix, exact for generated PDFs; scanned
# pages with an OCR text layer are skewed by 1–2° at most (a skew of 5° is visibly crooked).
ANGLE_TOLERANCE = 5.0
# Dominant angles this close to a multiple of 90° are snapped to it (same source).
SNAP_TOLERANCE = 2.0

# --- rows and segments ---------------------------------------------------------------------
# Two characters are on the same row when their vertical centres differ by less than this
# share of the smaller one's height: body lines are ≥ 1.15 em apart (the tightest leading of
# Japanese contracts), so half a height never reaches the next line.
ROW_TOLERANCE = 0.5
# A horizontal gap wider than this many ems starts a new segment of a row: justified
# Japanese text spaces characters by < 0.5 em and a word space is ~0.3 em, while column
# gutters and table gaps are ≥ 1.5 em (reportlab/Word two-column defaults: 12.5–36 pt at 10.5 pt).
SEGMENT_GAP = 1.5

# --- margin line numbers -------------------------------------------------------------------
MARGIN_NUMBER = re.compile(r"[0-9０-９]{1,4}")
# A margin number in a smaller font than the body: line numbers of drafts and numbered
# pleadings are set 1–3 pt smaller than 10.5 pt body text (8–9.5 pt), so ≤ 92 % of the body size.
SMALL_RATIO = 0.92
# Without a smaller font, a margin column is line numbers when it holds at least this many
# numbers, strictly increasing down the page (every 5th line of a 30-line page gives 6).
MIN_NUMBER_SEQUENCE = 4
# Tolerance, in ems, for "outside the text block" (the block edge is measured on glyph boxes).
EDGE_TOLERANCE = 0.25

# --- headers and footers -------------------------------------------------------------------
# Share of the page height at the top and the bottom where running headers, footers and page
# numbers sit: A4 margins of Japanese official documents are 20–35 mm (12 % of 297 mm ≈ 36 mm).
EDGE_BAND = 0.12
# Share of pages a line must recur on (at the same edge and place) to be a header/footer,
# and never fewer than MIN_RECURRENCE pages.
HEADER_FOOTER_SHARE = 0.5
MIN_RECURRENCE = 2
# "The same place": distance from the page edge equal within this many ems.
PLACE_TOLERANCE = 1.0

# --- columns -------------------------------------------------------------------------------
# A gutter lies in the middle part of the text block: not within this share of either side
# (a hanging indent or a label column sits in the outer 10–20 %).
GUTTER_MIDDLE = 0.25
# Narrowest gutter, in ems (reportlab's two-column builder leaves 24 pt ≈ 2.3 em; Word's
# default is 1.25 cm ≈ 3.4 em).
MIN_GUTTER = 1.0
# Segments allowed to cross the gutter (a title or a rule spanning both columns), as a share.
SPANNING_SHARE = 0.15
# Each column holds at least this share of the segments, and at least MIN_COLUMN_ROWS rows.
MIN_COLUMN_SHARE = 0.2
MIN_COLUMN_ROWS = 3

# --- tables --------------------------------------------------------------------------------
# A visual line of a cell is wrapped text continued on the next line when it reaches the
# cell's right edge within this many ems (the width of one more character plus padding).
WRAP_REACH = 2.0
# Characters that end a sentence: a cell's line reaching the right edge with one of these ends
# its paragraph (a wrapped line may well end with 「）」 or 「」」 of a parenthesis).
SENTENCE_END = tuple("。．.｡")

# Closing brackets that end a heading line of its own (「（秘密の保持）」), or a label 「第4」.
HEADING_END = tuple("）)】〕」")
# An article label alone on its line (「第4」「１」「(3)」): the heading or text after it is a line of its own.
LABEL_ALONE = re.compile(r"第?[0-9０-９一二三四五六七八九十]{1,3}条?[.．]?|[(（][0-9０-９]{1,2}[)）]|[⑴-⒇①-⑳]|その[0-9０-９]{1,2}")
# A line indented by this many ems (a paragraph's first-line indent is one em) opens a paragraph.
INDENT = 0.5
# A line opening a paragraph or an item: 「2 」「(1)」「（一）」「一 」「①」「ア 」 (segment.py's labels).
NEW_PARAGRAPH = re.compile(
    r"^(?:[0-9０-９]{1,2}[ \u3000]|[(（][0-9０-９一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}[ \u3000]"
    r"|[⑴-⒇①-⑳]|[アイウエオカキクケコサシスセソタチツテト][ \u3000]|第[0-9０-９一二三四五六七八九十])"
)

WHITESPACE = " \t\u3000\xa0"
NEWLINES = "\r\n"

BODY, MARGIN, HEADER, FOOTER = "body", "margin", "header", "footer"


class Char(NamedTuple):
    """One character as drawn: its text, box (PDF user space, y up), em size (0: take the
    box height) and the angle of its text direction in degrees, counterclockwise.
    (A NamedTuple: a page has thousands, and a tuple is made several times faster than a
    frozen dataclass.)"""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float = 0.0
    angle: float = 0.0


@dataclass(frozen=True)
class Table:
    """A ruled table: rows of cell boxes in PDF user space (None where a merged cell continues)."""

    rows: tuple[tuple[Box | None, ...], ...]


@dataclass(slots=True)
class _Glyph:
    text: str
    x0: float
    top: float  # reading frame: y down from the top of the turned page
    x1: float
    bottom: float
    size: float
    order: int  # rank among the page's kept characters in stream order
    lead: str  # whitespace the stream has just before this character

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Row:
    """A visual line of the page: segments (runs of glyphs without wide gaps), left to right."""

    segments: list[list[_Glyph]]
    kind: str = BODY

    @property
    def top(self) -> float:
        return min(g.top for s in self.segments for g in s)

    @property
    def bottom(self) -> float:
        return max(g.bottom for s in self.segments for g in s)

    @property
    def x0(self) -> float:
        return self.segments[0][0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1][-1].x1

    @property
    def size(self) -> float:
        return statistics.median(g.size for s in self.segments for g in s)

    @property
    def text(self) -> str:
        return _join([g for s in self.segments for g in s])


@dataclass
class TableBlock:
    """A table of the page: for each row, for each cell, the cell's rows of glyphs."""

    top: float
    cells: list[list[tuple[float, list[Row]]]]  # row → (cell right edge, rows of the cell)


@dataclass
class PageLayout:
    width: float  # of the turned page
    height: float
    angle: float  # dominant text direction (degrees counterclockwise) the page was turned by
    body_size: float
    rows: list[Row] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)  # watermark / margin / header / footer chars

    @property
    def chars(self) -> int:
        """Characters of the page's text (furniture excluded)."""
        free = sum(len(g.text) for r in self.rows if r.kind == BODY for s in r.segments for g in s)
        return free + sum(len(g.text) for t in self.tables for cells in t.cells for _, rs in cells
                          for r in rs for s in r.segments for g in s)


# ------------------------------------------------------------------------------ helpers


def _delta(a: float, b: float) -> float:
    d = abs(a - b) % 360
    return min(d, 360 - d)


def _is_ink(text: str) -> bool:
    return bool(text) and not text.isspace()


def dominant_angle(chars: Sequence[Char]) -> float:
    """The commonest text direction of the page's characters, in degrees counterclockwise."""
    raw = Counter(c.angle for c in chars if _is_ink(c.text))  # few distinct angles: round those
    counts: Counter = Counter()
    for value, n in raw.items():
        counts[round(value) % 360] += n
    if not counts:
        return 0.0
    angle = counts.most_common(1)[0][0]
    snapped = round(angle / 90) * 90 % 360
    return float(snapped) if _delta(angle, snapped) <= SNAP_TOLERANCE else float(angle)


class _Frame:
    """Turns PDF user space by -angle so that text at ``angle`` runs left to right; y downwards."""

    def __init__(self, angle: float, page: Box):
        self.quarter = int(angle // 90) % 4 if angle % 90 == 0 else None
        if self.quarter is not None:  # exact for the usual cases: no rounding noise
            self.cos, self.sin = ((1, 0), (0, 1), (-1, 0), (0, -1))[self.quarter]
        else:
            self.cos, self.sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        self.left = self.low = 0.0
        self.high = 0.0
        x0, top, x1, bottom = self._turn(page)
        self.left, self.right, self.low, self.high = x0, x1, -bottom, -top

    def _turn(self, box: Box) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = box
        q = self.quarter
        # The turned box's x extent and y extent (still y up), per quarter turn.
        if q == 0:
            a, b, c, d = x0, x1, y0, y1
        elif q == 1:  # (x, y) → (y, -x)
            a, b, c, d = y0, y1, -x1, -x0
        elif q == 2:  # (x, y) → (-x, -y)
            a, b, c, d = -x1, -x0, -y1, -y0
        elif q == 3:  # (x, y) → (-y, x)
            a, b, c, d = -y1, -y0, x0, x1
        else:
            xs, ys = [], []
            for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
                xs.append(x * self.cos + y * self.sin)
                ys.append(-x * self.sin + y * self.cos)
            a, b, c, d = min(xs), max(xs), min(ys), max(ys)
        return a - self.left, self.high - d, b - self.left, self.high - c

    def box(self, box: Box) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) of a user-space box in the turned frame."""
        return self._turn(box)

    @property
    def size(self) -> tuple[float, float]:
        return self.right - self.left, self.high - self.low


def _join(glyphs: Sequence[_Glyph]) -> str:
    """Text of glyphs in left-to-right order, with the stream's spaces between stream neighbours."""
    out: list[str] = []
    prev = None
    for g in glyphs:
        if prev is not None and g.order == prev.order + 1 and g.lead:
            out.append(g.lead)
        out.append(g.text)
        prev = g
    return "".join(out)


def _rows(glyphs: list[_Glyph]) -> list[Row]:
    """Glyphs grouped into rows (top to bottom), each split into segments at wide gaps."""
    glyphs = sorted(glyphs, key=lambda g: g.top + g.bottom)
    groups: list[list[_Glyph]] = []
    cy = height = 0.0
    for g in glyphs:
        h = g.bottom - g.top
        if groups and abs(g.cy - cy) <= ROW_TOLERANCE * min(h, height):
            groups[-1].append(g)
        else:
            groups.append([g])
            cy, height = g.cy, h
    rows = []
    for group in groups:
        group.sort(key=lambda g: (g.x0, g.order))
        segments = [[group[0]]]
        for g in group[1:]:
            prev = segments[-1][-1]
            if g.x0 - prev.x1 > SEGMENT_GAP * max(g.size, prev.size):
                segments.append([g])
            else:
                segments[-1].append(g)
        rows.append(Row(segments))
    return rows


# ------------------------------------------------------------------------------ one page


def analyse_page(chars: Sequence[Char], page: Box, tables: Sequence[Table] = ()) -> PageLayout:
    """Rows, tables and dropped furniture of one page (``chars`` in content-stream order)."""
    angle = dominant_angle(chars)
    frame = _Frame(angle, page)
    width, height = frame.size
    glyphs: list[_Glyph] = []
    dropped: Counter = Counter()
    lead = ""
    upright = frame.quarter == 0
    for c in chars:
        text = c.text
        if not text:
            continue
        if text in NEWLINES:  # pdfium's generated line ends: the layout decides lines
            lead = ""
            continue
        if text.isspace():
            lead += text
            continue
        if c.angle != angle and _delta(c.angle, angle) > ANGLE_TOLERANCE:
            dropped["watermark"] += len(text)
            continue
        if upright:  # the common case, inlined (a page has thousands of characters)
            x0, top, x1, bottom = c.x0 - frame.left, frame.high - c.y1, c.x1 - frame.left, frame.high - c.y0
        else:
            x0, top, x1, bottom = frame.box((c.x0, c.y0, c.x1, c.y1))
        size = c.size if c.size > 0 else bottom - top
        glyphs.append(_Glyph(text, x0, top, x1, bottom, size, len(glyphs), lead))
        lead = ""
    body_size = statistics.median(g.size for g in glyphs) if glyphs else 0.0
    layout = PageLayout(width, height, angle, body_size, dropped=dropped)

    free = glyphs
    for table in tables:
        block, free = _take_table(table, frame, free)
        if block is not None:
            layout.tables.append(block)
    layout.rows = _rows(free)
    _drop_margin_numbers(layout)
    return layout


def _take_table(table: Table, frame: _Frame, glyphs: list[_Glyph]) -> tuple[TableBlock | None, list[_Glyph]]:
    """The glyphs inside the table's cells, read as a block; the other glyphs."""
    cells = [[frame.box(b) if b is not None else None for b in row] for row in table.rows]
    flat = [(r, k, c) for r, row in enumerate(cells) for k, c in enumerate(row) if c is not None]
    if len(flat) < 2:  # a single frame around text is no table
        return None, glyphs
    inside: dict[tuple[int, int], list[_Glyph]] = {}
    rest = []
    for g in glyphs:
        cx, cy = (g.x0 + g.x1) / 2, g.cy
        for r, k, (x0, top, x1, bottom) in flat:
            if x0 <= cx <= x1 and top <= cy <= bottom:
                inside.setdefault((r, k), []).append(g)
                break
        else:
            rest.append(g)
    if not inside:
        return None, glyphs
    block_rows = []
    for r, row in enumerate(cells):
        line = []
        # Left to right on the page (pdfplumber lists cells in that order; sort to be sure).
        for k, c in sorted(((k, c) for k, c in enumerate(row) if c is not None), key=lambda kc: kc[1][0]):
            content = inside.get((r, k))
            if content:
                line.append((c[2], _rows(content)))
        if line:
            block_rows.append(line)
    top = min(c[1] for _, _, c in flat)
    return TableBlock(top, block_rows), rest


def _drop_margin_numbers(layout: PageLayout) -> None:
    """Mark as margin the short numbers left or right of the text block (line numbers)."""
    numbers: list[tuple[Row, int]] = []
    x0s, x1s = [], []
    for row in layout.rows:
        for k, seg in enumerate(row.segments):
            if MARGIN_NUMBER.fullmatch(_join(seg)):
                numbers.append((row, k))
            else:
                x0s.append(seg[0].x0)
                x1s.append(seg[-1].x1)
    for t in layout.tables:
        for cells in t.cells:
            for right, rows in cells:
                x0s += [r.x0 for r in rows]
                x1s.append(right)
    if not numbers or not x0s:
        return
    tol = EDGE_TOLERANCE * layout.body_size
    left_edge, right_edge = min(x0s), max(x1s)
    sides: dict[str, list[tuple[Row, int]]] = {"left": [], "right": []}
    for row, k in numbers:
        seg = row.segments[k]
        if seg[-1].x1 <= left_edge + tol:
            sides["left"].append((row, k))
        elif seg[0].x0 >= right_edge - tol:
            sides["right"].append((row, k))
    marked = set()
    for found in sides.values():
        values = [int(_join(row.segments[k]).translate(_FULLWIDTH_DIGITS)) for row, k in found]
        sequence = len(values) >= MIN_NUMBER_SEQUENCE and all(a < b for a, b in zip(values, values[1:]))
        for row, k in found:
            seg = row.segments[k]
            small = statistics.median(g.size for g in seg) <= SMALL_RATIO * layout.body_size
            if small or sequence:
                marked.add((id(row), k))
                layout.dropped[MARGIN] += len(seg)
    if not marked:
        return
    kept = []
    for row in layout.rows:
        segs = [s for k, s in enumerate(row.segments) if (id(row), k) not in marked]
        if segs:
            row.segments = segs
            kept.append(row)
    layout.rows = kept


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


# ------------------------------------------------------------------------------ document


def _edge_key(text: str) -> str:
    return re.sub(r"[0-9０-９]+", "#", re.sub(r"\s", "", text))


def mark_furniture(pages: Sequence[PageLayout], share: float = HEADER_FOOTER_SHARE) -> None:
    """Mark running headers and footers, page numbers and small top-band lines of every page."""
    candidates: list[tuple[PageLayout, Row, str, float]] = []  # page, row, edge, distance from it
    for page in pages:
        band = EDGE_BAND * page.height
        for row in page.rows:
            if row.bottom <= band:
                candidates.append((page, row, HEADER, row.top))
            elif row.top >= page.height - band:
                candidates.append((page, row, FOOTER, page.height - row.bottom))
    places: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for page, row, edge, dist in candidates:
        places.setdefault((edge, _edge_key(row.text)), []).append((id(page), dist))
    needed = max(MIN_RECURRENCE, share * len(pages))
    for page, row, edge, dist in candidates:
        text = row.text
        tol = PLACE_TOLERANCE * max(page.body_size, row.size)
        same = {p for p, d in places[(edge, _edge_key(text))] if abs(d - dist) <= tol}
        recurring = len(same) >= needed
        page_number = bool(PAGE_NUMBER.match(text))
        small_header = edge == HEADER and row.size <= SMALL_RATIO * page.body_size and _isolated(page, row)
        if recurring or page_number or small_header:
            row.kind = edge
            page.dropped[edge] += sum(len(g.text) for s in row.segments for g in s)


def _isolated(page: PageLayout, row: Row) -> bool:
    """True when the row is apart from the next row by more than a body line pitch."""
    below = [r.top for r in page.rows if r.top > row.bottom and r is not row]
    below += [t.top for t in page.tables if t.top > row.bottom]
    return not below or min(below) - row.bottom > page.body_size


# ------------------------------------------------------------------------------ reading


def read_document(pages: Sequence[PageLayout]) -> list[list[str]]:
    """Lines of every page in reading order, furniture left out (``mark_furniture`` included).

    A gutter found on some pages is tried on the others too: the last page of a two-column
    document often has a short right column, too short to show a gutter on its own.
    """
    mark_furniture(pages)
    found = [_gutter(_body_rows(p), p.body_size) if not p.tables else None for p in pages]
    known = sorted(g for g in found if g is not None)
    hint = known[len(known) // 2] if known else None
    out = []
    for page, gutter in zip(pages, found):
        if gutter is None and hint is not None and not page.tables:
            gutter = _gutter(_body_rows(page), page.body_size, hint)
        out.append(reading_lines(page, gutter))
    return out


def _body_rows(page: PageLayout) -> list[Row]:
    return [r for r in page.rows if r.kind == BODY]


def reading_lines(page: PageLayout, gutter: float | None = None) -> list[str]:
    """The page's text lines in reading order (furniture left out): tables and rows top to
    bottom, the rows split at ``gutter`` (default: the page's own) into left and right columns."""
    rows = _body_rows(page)
    blocks: list[tuple[float, list[str]]] = [(t.top, _table_lines(t)) for t in page.tables]
    if gutter is None and not page.tables:
        gutter = _gutter(rows, page.body_size)
    if gutter is None:
        blocks += [(r.top, [r.text]) for r in rows]
    else:
        blocks += _columns(rows, gutter)
    blocks.sort(key=lambda b: b[0])
    return [ln for _, lines in blocks for ln in lines]


def _gutter(rows: list[Row], em: float, hint: float | None = None) -> float | None:
    """The x of a vertical gutter splitting the rows into two columns, or None. With ``hint``
    (another page's gutter): that x, when few enough segments cross it."""
    segs = [(s[0].x0, s[-1].x1, i) for i, r in enumerate(rows) for s in r.segments]
    allowed = int(SPANNING_SHARE * len(segs))
    if hint is not None:
        crossing = sum(1 for a, b, _ in segs if a < hint < b)
        return hint if segs and crossing <= allowed else None
    if len(segs) < 2 * MIN_COLUMN_ROWS:
        return None
    left, right = min(s[0] for s in segs), max(s[1] for s in segs)
    lo, hi = left + GUTTER_MIDDLE * (right - left), right - GUTTER_MIDDLE * (right - left)
    # Sweep the segments' x extents: stretches covered by at most ``allowed`` segments.
    events = sorted([(a, 1) for a, _, _ in segs] + [(b, -1) for _, b, _ in segs])
    best: tuple[float, float] | None = None
    depth = 0
    for (x, step), (nxt, _) in zip(events, events[1:]):
        depth += step
        a, b = max(x, lo), min(nxt, hi)
        if depth <= allowed and b - a >= MIN_GUTTER * em and (best is None or b - a > best[1] - best[0]):
            best = (a, b)
    if best is None:
        return None
    mid = (best[0] + best[1]) / 2
    left_segs = [s for s in segs if s[1] <= mid]
    right_segs = [s for s in segs if s[0] >= mid]
    crossing = len(segs) - len(left_segs) - len(right_segs)
    if crossing > allowed:
        return None
    for side in (left_segs, right_segs):
        if len(side) < MIN_COLUMN_SHARE * len(segs) or len({i for _, _, i in side}) < MIN_COLUMN_ROWS:
            return None
    return mid


def _columns(rows: list[Row], gutter: float) -> list[tuple[float, list[str]]]:
    """Blocks of a two-column page: between rows spanning the gutter, left column then right."""
    blocks: list[tuple[float, list[str]]] = []
    left: list[str] = []
    right: list[str] = []
    start: float | None = None

    def flush() -> None:
        nonlocal left, right, start
        if left or right:
            blocks.append((start, left + right))
        left, right, start = [], [], None

    for row in rows:
        parts_l = [g for s in row.segments if s[-1].x1 <= gutter for g in s]
        parts_r = [g for s in row.segments if s[0].x0 >= gutter for g in s]
        if len(parts_l) + len(parts_r) < sum(len(s) for s in row.segments):  # spans the gutter
            flush()
            blocks.append((row.top, [row.text]))
            continue
        if start is None:
            start = row.top
        if parts_l:
            left.append(_join(parts_l))
        if parts_r:
            right.append(_join(parts_r))
    flush()
    return blocks


def _latin(ch: str) -> bool:
    """An ASCII letter: English words wrapped at a space get the space back; digits do not
    (a Japanese line may break inside 「第57号」)."""
    return ch.isascii() and ch.isalpha()


def _table_lines(table: TableBlock) -> list[str]:
    """Cells row by row, left to right; a cell's wrapped visual lines joined into one line.

    A visual line that reaches the cell's right edge is wrapped text, continued on the next
    line; when it ends a sentence there, the next line still continues it unless it opens a
    paragraph (an indent or a paragraph or item number, as segment.py reads them).
    """
    out: list[str] = []
    for cells in table.cells:
        for right, rows in cells:
            left = min(r.x0 for r in rows)
            lines: list[str] = []
            prev: Row | None = None
            for row in rows:
                text = row.text
                if prev is not None and lines and _continues(prev, row, text, left, right):
                    glue = " " if _latin(lines[-1][-1:]) and _latin(text[:1]) else ""
                    lines[-1] += glue + text
                else:
                    lines.append(text)
                prev = row
            out += lines
    return out


def _continues(prev: Row, row: Row, text: str, left: float, right: float) -> bool:
    if prev.x1 < right - WRAP_REACH * prev.size:
        # A short line ends its paragraph, unless it stops mid-phrase: a heading cell wrapped
        # before the cell's edge (「管理及び実施体」「制」) goes on to a line that opens nothing.
        return not (
            prev.text.endswith(SENTENCE_END + HEADING_END) or LABEL_ALONE.fullmatch(prev.text) or NEW_PARAGRAPH.match(text)
        )
    if not prev.text.endswith(SENTENCE_END):
        return True
    return row.x0 - left < INDENT * row.size and not NEW_PARAGRAPH.match(text)
