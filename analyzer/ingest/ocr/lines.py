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
    rf"|{_NUM}(?=[甲乙丙]))"
)


def _space_after_label(part: _Part) -> None:
    """Put back the space between a leading label and its text where the page shows a gap, or
    where the label's shape ends it (_FUSED_LABEL)."""
    text, xs = part.text, part.xs
    m = _LABEL.match(text)
    if not m or m.end() >= len(text) or text[m.end()] in " \u3000":
        return
    k = m.end()
    pitch = _pitch(xs) if len(xs) == len(text) else 0.0
    gap = pitch and xs[k] - xs[k - 1] > LABEL_PITCH * pitch
    fused = _FUSED_LABEL.match(text)
    if gap or (fused and fused.end() == k):
        part.text = text[:k] + "\u3000" + text[k:]
        if len(xs) == len(text):
            part.xs = xs[:k] + [(xs[k - 1] + xs[k]) / 2] + xs[k:]
        part.probs = part.probs[:k] + [1.0] + part.probs[k:]
        part.alts = part.alts[:k] + [""] + part.alts[k:]


# An item label 一/二 at the start of a line read as the long vowel ー or katakana ニ: no word
# begins with ー, and a line beginning with ニ before anything but katakana (ニーズ) is an item.
_KATAKANA = re.compile(r"[\u30a0-\u30ffｦ-ﾟ]")


def _repair_item(part: _Part) -> None:
    text = part.text
    if len(text) > 1 and (text[0] == "ー" or (text[0] == "ニ" and not _KATAKANA.match(text[1]))):
        part.text = {"ー": "一", "ニ": "二"}[text[0]] + text[1:]
        part.probs[0] = REPAIRED_CONFIDENCE


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


def build_lines(fragments: list[Fragment], page_height: float | None = None) -> list[OcrLine]:
    """Lines of a page, top to bottom, from its fragments (horizontal writing); with the page's
    height, its page number is left out."""
    horizontal = [f for f in fragments if not f.vertical]
    if not horizontal:
        return []
    heights = [f.box[3] - f.box[1] for f in horizontal]
    height = median(heights)
    margin = min(f.box[0] for f in horizontal)
    lines: list[OcrLine] = []
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
                lines.append(_finish(cur, margin, height))
                cur = _Part(text, xs, probs, *f.box, alts)
                continue
            sep = "\u3000" if gap > SPACE_GAP * height or lone_label else ""
            cur.text += sep + text
            cur.xs += [cur.x1 + gap / 2] * len(sep) + xs
            cur.probs += [1.0] * len(sep) + probs
            cur.alts += [""] * len(sep) + alts
            cur.x1, cur.y0, cur.y1 = f.box[2], min(cur.y0, f.box[1]), max(cur.y1, f.box[3])
        if cur is not None:
            lines.append(_finish(cur, margin, height))
    return [ln for ln in lines if ln.text.strip() and not (page_height and _furniture(ln, page_height))]


def _finish(part: _Part, margin: float, height: float) -> OcrLine:
    _repair_label(part, part.x0 - margin < 1.5 * height)
    _repair_item(part)
    _space_after_label(part)
    return OcrLine(part.text, tuple(part.probs), (part.x0, part.y0, part.x1, part.y1), tuple(part.alts))
