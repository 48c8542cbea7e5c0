"""Text lines rebuilt from an OCR engine's boxes, with article labels repaired.

An engine returns boxes (fragments) in its own order, and splits a printed line
where the gap is wide: a label column 「第1」 and its text, a table's cells, a
hanging indent. Lines are rebuilt here from positions: fragments whose vertical
extents overlap form one line, read left to right; a wide gap after a lone
label is the space between the label and its text; a wide gap after text is a
cell boundary and starts a new line (a table read row by row, cell by cell).

Labels are found by position and shape even when misread: a line that starts at
the text's left margin with a 第 look-alike and a digit look-alike
(「箒1」「笫2」「第l」「第I」, 「- 第2」) is given its label back, and the space a
recogniser drops between label and text (「第1乙は」「2乙は」) is restored where
the page shows a gap. Repaired characters carry a low confidence so that
reports say they were guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from ...ja.chars import HIRAGANA, KANA_OR_KANJI, KATAKANA
from ...ja.numerals import parse_number
from .ppocr import Fragment

# Vertical overlap (share of the shorter box) for two fragments to be on one line.
SAME_LINE_OVERLAP = 0.5
# A gap wider than this many line heights between fragments of a line is a cell or
# column boundary (a new line), unless what comes before it is a lone label.
CELL_GAP = 1.5
# A gap wider than this many line heights inside a line is a printed space.
SPACE_GAP = 0.6
# Between a leading label and the next character, a centre-to-centre distance longer than
# this multiple of the line's median character pitch is the space after the label
# (glyph pitch varies ±15 % in a proportional font; a full-width space doubles it).
LABEL_PITCH = 1.5
# Page furniture: a short line holding a number in the top or bottom band of the page is the page
# number (「- 3 -」, which OCR reads 「o3」「。3」「-3-」), not the end of the clause above it.
FURNITURE_BAND = 0.07
FURNITURE_MAX_CHARS = 8
# Confidence given to characters put back by the label repair.
REPAIRED_CONFIDENCE = 0.5

_NUM = r"[0-9０-９]{1,3}"
_LABEL = re.compile(
    rf"^(?:第{_NUM}条?(?:の{_NUM})?|第[〇一二三四五六七八九十]+条?|{_NUM}[.．]?|[(（]{_NUM}[)）]|[(（][一二三四五六七八九十]{{1,3}}[)）]"
    r"|[一二三四五六七八九十]{1,3}|[⑴-⒇①-⑳]|[アイウエオカキクケコ])"
)
# 第 as recognisers misread it, and a digit as they misread it after 第.
_DAI_LIKE = "箒笫苐弟筆茅"
_DIGIT_LIKE = {"l": "1", "I": "1", "|": "1", "!": "1", "ｌ": "1", "Ｉ": "1", "O": "0", "o": "0", "Ｏ": "0"}
_REPAIR = re.compile(
    rf"^(?P<lead>[-－ー―‐・\s]*)(?P<dai>[第{_DAI_LIKE}])(?P<num>[0-9０-９lI|!ｌＩOoＯ]{{1,3}})(?P<rest>.*)$"
)


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidences: tuple[float, ...]  # one per character of text (inserted spaces: 1.0)
    box: tuple[float, float, float, float]
    alternatives: tuple[str, ...] = ()  # per character, the engine's next guesses ("" when none)


@dataclass
class _Part:
    text: str
    xs: list[float]
    probs: list[float]
    x0: float
    y0: float
    x1: float
    y1: float
    alts: list[str]


def _overlap(a: _Part, b: Fragment) -> float:
    lo, hi = max(a.y0, b.box[1]), min(a.y1, b.box[3])
    return max(0.0, hi - lo) / max(1.0, min(a.y1 - a.y0, b.box[3] - b.box[1]))


def _bands(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Fragments grouped into horizontal bands (one printed line each), top to bottom."""
    bands: list[tuple[_Part, list[Fragment]]] = []
    for f in sorted(fragments, key=lambda f: (f.box[1] + f.box[3]) / 2):
        for part, members in reversed(bands[-4:]):
            if _overlap(part, f) >= SAME_LINE_OVERLAP:
                members.append(f)
                part.y0, part.y1 = min(part.y0, f.box[1]), max(part.y1, f.box[3])
                break
        else:
            bands.append((_Part("", [], [], f.box[0], f.box[1], f.box[2], f.box[3], []), [f]))
    return [sorted(members, key=lambda f: f.box[0]) for _, members in bands]


def _pitch(xs: list[float]) -> float:
    steps = [b - a for a, b in zip(xs, xs[1:]) if b > a]
    return median(steps) if steps else 0.0


# Labels whose end the text's first character shows without a gap: a katakana item label before a
# kanji (「ア氏名」), a kanji numeral before katakana (「一アクセス」), a number before the party
# that begins every paragraph (「2乙は」); no word of a clause starts so.
_FUSED_LABEL = re.compile(
    r"^(?:[アイウエオカキクケコサシスセソ](?=[\u3400-\u9fff])|[一二三四五六七八九十]{1,3}(?=[\u30a1-\u30fa])"
    rf"|{_NUM}(?=[甲乙丙])"
    # 第N at a line's start before anything but what makes it a reference in running text
    # (第2項, 第1号, 第12条の規定, 第3章): 「第1受託者は」「第2委託者は」.
    rf"|第{_NUM}条?(?=[^\s0-9０-９項号章節款目者回次期位部編表のにをがでとへや及又若並か条、。,.）)]))"
)


def _space_after_label(part: _Part) -> None:
    """Put back the space between a leading label and its text where the page shows a gap, or
    where the label's shape ends it (_FUSED_LABEL)."""
    text, xs = part.text, part.xs
    m = _LABEL.match(text)
    if not m or m.end() >= len(text) or text[m.end()] in " \u3000":
        return
    k = m.end()
    if text[k] in "、,，" and m.group(0).isdigit() and k + 1 < len(text) and not text[k + 1].isdigit():
        # Speckle in a paragraph number's space read as a comma (「2、乙は」「2、前項の」): the
        # space it was (a wrapped 「…第1項、」「2、3項」 keeps its comma: a digit follows).
        part.text = text[:k] + "\u3000" + text[k + 1 :]
        return
    pitch = _pitch(xs) if len(xs) == len(text) else 0.0
    gap = pitch and xs[k] - xs[k - 1] > LABEL_PITCH * pitch
    fused = _FUSED_LABEL.match(text)
    if gap or (fused and fused.end() == k):
        _insert_space(part, k)


def _insert_space(part: _Part, k: int) -> None:
    text, xs = part.text, part.xs
    part.text = text[:k] + "\u3000" + text[k:]
    if len(xs) == len(text):
        part.xs = xs[:k] + [(xs[k - 1] + xs[k]) / 2] + xs[k:]
    part.probs = part.probs[:k] + [1.0] + part.probs[k:]
    part.alts = part.alts[:k] + [""] + part.alts[k:]


_KANJI_ITEMS = "一二三四五六七八九十"


def _next_item(part: _Part, before: list[_Part]) -> bool:
    """``part`` opens the item after one opened in the same cell, its label's space not read:
    「三不正アクセス…」 after 「二　作業場所…」."""
    text = part.text
    k = _KANJI_ITEMS.find(text[:1])
    if k < 1 or len(text) < 2 or text[1] in " \u3000" + _KANJI_ITEMS:
        return False
    if before and before[-1].text.endswith("第"):  # 「第」「三者」: a word wrapped, no item
        return False
    label = _KANJI_ITEMS[k - 1]
    return any(p.text.startswith((label + " ", label + "\u3000")) for p in before)


# An item label 一/二 at the start of a line read as the long vowel ー or katakana ニ: no word
# begins with ー (unless the line before ends inside a katakana word, 「サイバ」「ーセキュリティ」),
# and a line beginning with ニ before anything but katakana (ニーズ) is an item.


def _repair_item(part: _Part, prev_text: str) -> None:
    """The item label at the start of ``part`` put right, given the text of the line before."""
    text = part.text
    after_katakana = bool(KATAKANA.match(prev_text[-1:]))
    rest = text[1:].lstrip(" \u3000")
    if after_katakana and text[:1] in "一ー" and KATAKANA.match(rest[:1]):
        # The long vowel of a katakana word wrapped at the line's end (「サ」「ーバ」), even
        # where OCR read it as the kanji 一 and a label's space was put after it.
        cut = len(text) - len(rest)
        part.text = "ー" + rest
        part.probs = [REPAIRED_CONFIDENCE, *part.probs[cut:]]
        part.alts = ["", *part.alts[cut:]]
        part.xs = part.xs[cut - 1 :] if len(part.xs) == len(text) else part.xs
    elif len(text) > 2 and text[0] in _KANJI_ITEMS and text[1] in "ー―‐-－" and not KATAKANA.match(text[2]):
        # The label's space read as a dash (「三ー不正アクセス」): no long vowel follows a kanji.
        part.text = text[0] + "\u3000" + text[2:]
        part.probs[1] = 1.0
    elif len(text) > 1 and ((text[0] == "ー" and not after_katakana) or (text[0] == "ニ" and not KATAKANA.match(text[1]))):
        part.text = {"ー": "一", "ニ": "二"}[text[0]] + text[1:]
        part.probs[0] = REPAIRED_CONFIDENCE
        _space_after_label(part)


def _katakana_wrap(part: _Part, prev_text: str, prev_full: bool) -> None:
    """「…サイバーセキュリテ」「ィ　水準」: a katakana word wrapped at the line's end, not an item
    イ — the space put after it as a label's goes (the line before is full and ends in katakana)."""
    text = part.text
    if prev_full and KATAKANA.match(prev_text[-1:]) and len(text) > 2 and KATAKANA.match(text[0]) and text[1] == "\u3000":
        part.text = text[0] + text[2:]
        del part.probs[1], part.alts[1]
        if len(part.xs) > len(part.text):
            del part.xs[1]


def repair_items(lines: list[OcrLine]) -> list[OcrLine]:
    from ..layout import WRAP_REACH

    out: list[OcrLine] = []
    right = max((ln.box[2] for ln in lines), default=0.0)
    for line in lines:
        part = _Part(line.text, [], list(line.confidences), *line.box, list(line.alternatives or [""] * len(line.text)))
        if out:
            prev = out[-1]
            _katakana_wrap(part, prev.text, prev.box[2] >= right - WRAP_REACH * (prev.box[3] - prev.box[1]))
        _repair_item(part, out[-1].text if out else "")
        if part.text != line.text:
            line = OcrLine(part.text, tuple(part.probs), line.box, tuple(part.alts))
        out.append(line)
    return out


def _repair_label(part: _Part, at_margin: bool) -> None:
    """「箒1」「第l」「- 第2」 at the left margin → 「第1」「第2」 (repaired characters get a low confidence)."""
    text = part.text
    m = _REPAIR.match(text)
    if not m or not at_margin:
        return
    num = m["num"]
    fixed_num = "".join(_DIGIT_LIKE.get(c, c) for c in num)
    if not any(c.isdigit() for c in num) and len(num) > 1:
        return  # 「第II」: not a number we can trust
    rest = m["rest"]
    if m["dai"] == "第" and fixed_num == num and not m["lead"]:
        return
    # What follows must look like a label's end: a space, 条, a bracket or the text of a clause.
    if rest and rest[0].isascii() and rest[0].isalpha():
        return
    lead, n = len(m["lead"]), len(num)
    part.text = "第" + fixed_num + rest
    part.probs = [REPAIRED_CONFIDENCE] + [
        REPAIRED_CONFIDENCE if a != b else p for a, b, p in zip(num, fixed_num, part.probs[lead + 1 : lead + 1 + n])
    ] + part.probs[lead + 1 + n :]
    part.alts = [""] * (1 + n) + part.alts[lead + 1 + n :]
    if len(part.xs) == len(text):
        part.xs = part.xs[lead:]


def _furniture(line: OcrLine, page_height: float) -> bool:
    x0, y0, x1, y1 = line.box
    in_band = y1 < FURNITURE_BAND * page_height or y0 > (1 - FURNITURE_BAND) * page_height
    text = "".join(line.text.split())
    return in_band and len(text) <= FURNITURE_MAX_CHARS and any(c.isdigit() for c in text)


def _as_horizontal(f: Fragment, page_width: float) -> Fragment:
    """A column of vertical writing (縦書き) as a line: columns read right to left become lines read
    top to bottom, characters along the column left to right."""
    x0, y0, x1, y1 = f.box
    return Fragment(f.text, f.xs, f.probs, (y0, page_width - x1, y1, page_width - x0), False, f.alternatives)


Rule = tuple[float, float, float]  # (position, start, end): y, x0, x1 or x, y0, y1

# A horizontal ruling that spans at least this share of the table's width separates rows; a
# shorter one divides a column only (the rows of a cell merged down are read as one cell).
ROW_RULE_SPAN = 0.8


def _table(fragments: list[Fragment], rules: tuple[list[Rule], list[Rule]]):
    """The fragments inside a ruled table grouped by cell, row by row and left to right, with
    the table's top and bottom; None when the page has no table (three column borders — two
    columns, or a box is just a box — and two row borders at least)."""
    hs, vs = rules
    if len(vs) < 3 or len(hs) < 2:
        return None
    left, right = min(v[0] for v in vs), max(v[0] for v in vs)
    top, bottom = min(v[1] for v in vs), max(v[2] for v in vs)
    width = right - left
    rows = sorted(h[0] for h in hs if h[2] - h[1] >= ROW_RULE_SPAN * width and top - 20 <= h[0] <= bottom + 20)
    cols = sorted(v[0] for v in vs)
    if len(rows) < 2:
        return None
    cells: dict[tuple[int, int], list[Fragment]] = {}
    outside: list[Fragment] = []
    from bisect import bisect_right

    for f in fragments:
        # The first character's centre: a detected box is padded past its cell's border.
        cx, cy = (f.xs[0] if f.xs else f.box[0] + 1), (f.box[1] + f.box[3]) / 2
        if not (rows[0] <= cy <= rows[-1] and left - 5 <= cx <= right):
            outside.append(f)
            continue
        cells.setdefault((bisect_right(rows, cy), bisect_right(cols, cx)), []).append(f)
    return cells, outside, rows[0], rows[-1], cols


_ROW_LABEL = re.compile(r"^(?P<dai>第?)(?P<num>[0-9０-９]{1,2})(?P<jo>条?)$")


def _table_lines(cells: dict, bounds) -> list[OcrLine]:
    """A table's lines, cell by cell, row by row. A row of an article table (第N in its first
    cell) whose first cell OCR could not read (a seal over the label) gets its number from the
    row before, or, at the top of the page, from the row after: the row itself says an article
    is there."""
    out: list[OcrLine] = []
    first_col = min((c for _, c in cells), default=0)
    rows = []
    for r in sorted({r for r, _ in cells}):
        row = {c: _cell_lines(frags, *bounds(c)) for (rr, c), frags in cells.items() if rr == r}
        label_cell = row.get(first_col, [])
        rows.append((row, _ROW_LABEL.match(label_cell[0].text) if label_cell else None))
    last: re.Match | None = None
    for i, (row, found) in enumerate(rows):
        others = [ln for c, lines in row.items() if c != first_col for ln in lines]
        if found:
            last = found
        elif (not row.get(first_col) or row[first_col][0].text.startswith(("(", "（"))) and others:
            # No label, or the heading under the label (第N over its heading in one cell) opens it.
            after = next(((j, m) for j, (_, m) in enumerate(rows[i + 1 :], start=i + 1) if m), None)
            if last is not None:
                n, like = parse_number(last["num"]) + 1, last
            elif after is not None and parse_number(after[1]["num"]) - (after[0] - i) >= 1:
                n, like = parse_number(after[1]["num"]) - (after[0] - i), after[1]
            else:
                n = like = None
            if like is not None:
                label = f"{like['dai']}{n}{like['jo']}"
                row[first_col] = [OcrLine(label, (REPAIRED_CONFIDENCE,) * len(label), others[0].box, ("",) * len(label)),
                                  *row.get(first_col, [])]
                last = _ROW_LABEL.match(label)
        out += [ln for c in sorted(row) for ln in row[c]]
    return out


def build_lines(
    fragments: list[Fragment], page_height: float | None = None, rules: tuple[list[Rule], list[Rule]] | None = None
) -> list[OcrLine]:
    """Lines of a page, top to bottom, from its fragments; with the page's height, its page
    number is left out. A page written vertically (most boxes tall) is read column by column,
    right to left. With the page's ruled lines (prepare.rulings), a table is read cell by
    cell, row by row, as the digital reader does: a heading wrapped in its narrow cell stays
    whole instead of interleaving with the text beside it."""
    vertical = [f for f in fragments if f.vertical]
    if len(vertical) > len(fragments) / 2:
        width = max(f.box[2] for f in fragments)
        return build_lines([_as_horizontal(f, width) for f in vertical])
    table = _table(fragments, rules) if rules else None
    if table is not None:
        cells, outside, top, bottom, cols = table

        def bounds(c: int) -> tuple[float, float]:
            return cols[c - 1] if c > 0 else 0.0, cols[c] if c < len(cols) else 1e9
        above = [f for f in outside if f.box[1] < top]
        below = [f for f in outside if f.box[1] >= top]
        inside = _table_lines(cells, bounds)
        return build_lines(above, page_height) + inside + build_lines(below, page_height)
    horizontal = [f for f in fragments if not f.vertical]
    if not horizontal:
        return []
    height = median(f.box[3] - f.box[1] for f in horizontal)
    margin = min(f.box[0] for f in horizontal)
    lines = [_finish(p, margin, height) for p in _parts(horizontal, height)]
    lines = [ln for ln in lines if ln.text.strip() and not (page_height and _furniture(ln, page_height))]
    return restore_full_stops(restore_lost_digits(restore_first_labels(repair_items(lines), height)))


# A small round mark alone is a 。 pushed to the start of a line (禁則: a 。 never starts a line
# in typesetting, but a clerk's word processor wraps it there), which the recognizer reads as a
# Latin o or 0: its detected box (padding included) at most this share of the line height high
# and FULL_STOP_WIDTH wide (seen on benchmarks/scans: 30 × 24 px on 48-px lines; a capital O of
# the same print is ~40 px high).
FULL_STOP_HEIGHT = 0.7
FULL_STOP_WIDTH = 0.6
_FULL_STOP_LIKE = set("oO0°○〇。")


def _full_stop(f: Fragment, height: float) -> Fragment:
    x0, y0, x1, y1 = f.box
    if f.text in _FULL_STOP_LIKE and y1 - y0 <= FULL_STOP_HEIGHT * height and x1 - x0 <= FULL_STOP_WIDTH * height:
        return Fragment("。", f.xs, f.probs, f.box, f.vertical, f.alternatives)
    return f


def _parts(horizontal: list[Fragment], height: float) -> list[_Part]:
    """The printed lines (and cells, at wide gaps) of the fragments, top to bottom, left to right."""
    out: list[_Part] = []
    horizontal = [_full_stop(f, height) for f in horizontal]
    for band in _bands(horizontal):
        cur: _Part | None = None
        for f in band:
            xs, probs, text = list(f.xs), list(f.probs), f.text
            alts = list(f.alternatives) if len(f.alternatives) == len(text) else [""] * len(text)
            if len(xs) != len(text):  # a multi-character token of the dictionary
                xs = [f.box[0] + (i + 0.5) * (f.box[2] - f.box[0]) / max(1, len(text)) for i in range(len(text))]
                probs = (probs + [min(probs, default=0.0)] * len(text))[: len(text)]
            if cur is None:
                cur = _Part(text, xs, probs, *f.box, alts)
                continue
            gap = f.box[0] - cur.x1
            lone_label = _LABEL.fullmatch(cur.text.strip()) is not None
            if gap > CELL_GAP * height and not lone_label:
                out.append(cur)
                cur = _Part(text, xs, probs, *f.box, alts)
                continue
            _append(cur, "\u3000" if gap > SPACE_GAP * height or lone_label else "", text, xs, probs, alts, f.box)
        if cur is not None:
            out.append(cur)
    return out


def _append(cur: _Part, sep: str, text: str, xs: list[float], probs: list[float], alts: list[str], box) -> None:
    cur.xs += [(cur.x1 + box[0]) / 2] * len(sep) + xs
    cur.text += sep + text
    cur.probs += [1.0] * len(sep) + probs
    cur.alts += [""] * len(sep) + alts
    cur.x1, cur.y0, cur.y1 = max(cur.x1, box[2]), min(cur.y0, box[1]), max(cur.y1, box[3])


def _cell_lines(fragments: list[Fragment], left: float, right: float) -> list[OcrLine]:
    """The lines of one table cell, a line wrapped at the cell's edge joined to the next as the
    digital reader joins them (layout.py: a heading wrapped in its narrow cell, 「管理及び実施体」
    「制」, is one heading)."""
    from ..layout import HEADING_END, INDENT, LABEL_ALONE, NEW_PARAGRAPH, SENTENCE_END, WRAP_REACH

    horizontal = [f for f in fragments if not f.vertical]
    if not horizontal:
        return []
    height = median(f.box[3] - f.box[1] for f in horizontal)
    margin = min(f.box[0] for f in horizontal)
    joined: list[_Part] = []
    for part in _parts(horizontal, height):
        _mend(part, margin, height)  # a label's space first: 「二作業」 opens an item, 「二　作業」
        _repair_item(part, joined[-1].text if joined else "")
        if _next_item(part, joined):
            _insert_space(part, 1)
        if joined:
            prev = joined[-1]
            _katakana_wrap(part, prev.text, prev.x1 >= right - WRAP_REACH * height)
            if prev.x1 < right - WRAP_REACH * height:
                go_on = not (prev.text.endswith(SENTENCE_END + HEADING_END) or LABEL_ALONE.fullmatch(prev.text)
                             or NEW_PARAGRAPH.match(part.text))
            elif not prev.text.endswith(SENTENCE_END):
                # A full line without its 。 (lost to the scan) still ends where an item or a
                # paragraph number opens the next: 「…ほか」「三　不正アクセス…」.
                go_on = not NEW_PARAGRAPH.match(part.text)
            else:
                go_on = part.x0 - left < INDENT * height and not NEW_PARAGRAPH.match(part.text)
            if go_on:
                _append(prev, "", part.text, part.xs, part.probs, part.alts, (part.x0, part.y0, part.x1, part.y1))
                prev.x1 = part.x1  # where the last printed line ends decides the next join
                continue
        joined.append(part)
    lines = repair_items([ln for ln in (_finish(p, margin, height) for p in joined) if ln.text.strip()])
    return restore_full_stops(restore_first_labels(lines, height))


def _mend(part: _Part, margin: float, height: float) -> None:
    _repair_label(part, part.x0 - margin < 1.5 * height)
    _space_after_label(part)


def _finish(part: _Part, margin: float, height: float) -> OcrLine:
    _mend(part, margin, height)
    if len(part.text) > 1 and (part.text[-1] in "oO°" and KANA_OR_KANJI.match(part.text[-2])
                               or part.text[-1] == "0" and HIRAGANA.match(part.text[-2])):
        # 「…してはならないo」「…するものとする0」: a Latin letter never ends a Japanese sentence,
        # nor a digit a verb; the 。 it was.
        part.text = part.text[:-1] + "。"
        part.probs[-1] = REPAIRED_CONFIDENCE
    # The line starts where its first read character does: ink the recogniser read as nothing at
    # the box's start (a lone 一 before 「アクセス制御…」) leaves the text where an item's text is.
    x0 = max(part.x0, part.xs[0] - 0.6 * height) if part.xs and len(part.xs) == len(part.text) else part.x0
    return OcrLine(part.text, tuple(part.probs), (x0, part.y0, part.x1, part.y1), tuple(part.alts))


# The label before a second one, for a first label the engine lost (a lone 「一」 is one thin
# stroke, often not detected): 二 → 一, (2) → (1), ⑵ → ⑴, ② → ①, イ → ア.
_SECOND = re.compile(r"^(?:二|[(（]2[)）]|[(（]２[)）]|⑵|②|イ)(?=[\u3000 ]|[(（]?)")
_FIRST = {"二": "一", "⑵": "⑴", "②": "①", "イ": "ア"}
_ONE_LIKE = "1１lI|"
SENTENCE_OR_LIST_END = tuple("。：:")


def _first_label(m: re.Match) -> str:
    found = m.group(0)
    if found in _FIRST:
        return _FIRST[found]
    return found.replace("2", "1").replace("２", "１")


# A sentence's end as a duty or a definition closes it (「…してはならない」「…するものとする」).
_PREDICATE_END = re.compile(r"(?:ない|する|とする|こと|できる|られる|ものとする)$")
_PARAGRAPH_NUMBER = re.compile(r"^[0-9０-９]{1,2}[ \u3000]")


def restore_full_stops(lines: list[OcrLine]) -> list[OcrLine]:
    """The 。 a scan lost at a paragraph's end: a line ending in a sentence-final predicate
    followed by a line that opens the next numbered paragraph (「…複製してはならない」「2 前項の…」)."""
    out = list(lines)
    for i in range(len(out) - 1):
        line = out[i]
        if _PREDICATE_END.search(line.text) and _PARAGRAPH_NUMBER.match(out[i + 1].text):
            out[i] = OcrLine(line.text + "。", (*line.confidences, REPAIRED_CONFIDENCE), line.box,
                             (*(line.alternatives or ("",) * len(line.text)), ""))
    return out


def restore_first_labels(lines: list[OcrLine], height: float) -> list[OcrLine]:
    """Put back the first label of an item list where the engine lost it: a line opening
    「二　」 whose list has no 「一」 gets it on the line that begins the list — the first line
    after a sentence end, set in by a label's width like the items' text (position and
    shape, never a guess from wording)."""
    out = list(lines)
    for i, line in enumerate(out):
        m = _SECOND.match(line.text)
        if not m:
            continue
        first = _first_label(m)
        text_x = line.box[0] + (len(m.group(0)) + 1) * height * 0.9  # where the item's text starts
        start = None
        for j in range(i - 1, max(-1, i - 10), -1):
            prev = out[j]
            if prev.text.startswith(first):
                start = None
                break
            if first == "一" and prev.text[:1] in _ONE_LIKE and prev.text[1:2] in (" ", "\u3000"):
                # The list's 一 read as the digit 1 (or l, I): the kanji its 二 says it is.
                out[j] = OcrLine(first + prev.text[1:], (REPAIRED_CONFIDENCE, *prev.confidences[1:]), prev.box, prev.alternatives)
                break
            opened = _LABEL.match(prev.text)
            if prev.text.endswith(SENTENCE_OR_LIST_END) or (opened and prev.text[opened.end() : opened.end() + 1] in " \u3000"):
                break
            if abs(prev.box[0] - text_x) <= 0.8 * height and j > 0 and out[j - 1].text.endswith(SENTENCE_OR_LIST_END):
                start = j
        if start is not None:
            ln = out[start]
            label = first + "\u3000"
            out[start] = OcrLine(label + ln.text, (REPAIRED_CONFIDENCE,) * len(label) + ln.confidences,
                                 ln.box, ("",) * len(label) + tuple(ln.alternatives or ("",) * len(ln.text)))
    return out


_ARTICLE = re.compile(r"^(?P<dai>第)(?P<num>[0-9]{1,2})(?P<jo>条?)(?=[\u3000 (（]|$)")
# A title between two labels starts another numbering (the annex after the body's 第10条).
_TITLE = re.compile(r"特記事項|別記|別紙|覚書|特約|遵守事項")


def restore_lost_digits(lines: list[OcrLine]) -> list[OcrLine]:
    """Give an article label back the digit a seal or a speck took (「第1」 read after 第10 for
    第11): a label whose number does not follow the page's previous one of the same style, but
    whose digits are that number's next with one digit missing, is that next number — unless a
    title between them starts a new numbering."""
    out = list(lines)
    last: tuple[int, str] | None = None  # (number, 条 or "")
    for i, line in enumerate(out):
        if _TITLE.search(line.text) and not _ARTICLE.match(line.text):
            last = None
            continue
        m = _ARTICLE.match(line.text)
        if not m:
            continue
        n, style = int(m["num"]), m["jo"]
        if last is not None and last[1] == style and n <= last[0]:
            want = str(last[0] + 1)
            if len(want) == len(m["num"]) + 1 and any(want[:k] + want[k + 1 :] == m["num"] for k in range(len(want))):
                text = f"第{want}{style}" + line.text[m.end() :]
                confs = (line.confidences[0],) + (REPAIRED_CONFIDENCE,) * len(want) + line.confidences[m.end("num") :]
                alts = tuple(line.alternatives or ("",) * len(line.text))
                out[i] = OcrLine(text, confs, line.box, alts[:1] + ("",) * len(want) + alts[m.end("num") :])
                n = last[0] + 1
        last = (n, style)
    return out
