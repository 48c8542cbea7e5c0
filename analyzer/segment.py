"""Segment stage: Document text → numbered articles (Clause) with paragraphs, items and headings.

Works on the original text line by line and keeps offsets. Recognises 第1 /
第１ / 第 1 5 / 第一 / 第1条 labels, paragraph numbers (2, ２), items (一,
(1), ⑴, ①, ア) and the （見出し） line before an article. A line only starts an
article, paragraph or item when its context says so (the previous line ends a
sentence, or the number follows on from the last one), so wrapped lines that
begin with 「第三者」 or 「15年」 stay continuation lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .ingest.pdf import PAGE_NUMBER
from .ja.numerals import item_key, parse_number
from .model import Clause, Document, Span

_SP = r"[ \t\u3000]"
_DIGITS = r"[0-9０-９](?:[ \t\u3000]*[0-9０-９])*"
_KANJI_NUM = r"[〇一二三四五六七八九十百]+"

# Conversion artifacts before a line's content: list dashes 「- 」, bullets, **bold**.
_LEAD = re.compile(rf"^(?:{_SP}*(?:[-・]{_SP}+|\*\*))*{_SP}*")

_ARTICLE = re.compile(
    rf"第{_SP}*(?P<num>{_DIGITS}|{_KANJI_NUM}){_SP}*"
    rf"(?P<jo>条)?(?P<sub>{_SP}*の{_SP}*(?:{_DIGITS}|{_KANJI_NUM}))?(?:\*\*)?"
)
# After a bare 「第N」 label: what may not follow, or it is a reference in running text
# (第1項, 第2号, 第三者, 第3章 …).
_NOT_AFTER_BARE = set("項号章節款目者回次期位部編表款")
# After a label, spaced or not: particles that mean running text (第12条の規定, 第3条に).
_NOT_AFTER_JO = set("のにをがでとへや及又若並から")

_PARAGRAPH = re.compile(rf"(?P<num>[0-9０-９]{{1,2}}){_SP}+(?=\S)")
# A paragraph number with its space lost (OCR, or a clerk's typing): 「2前項の規定は」 after a
# finished sentence, when 2 is the next paragraph number. Not before a counter or unit, so the
# wrapped rest 「2項において」「15年」 of a sentence is never a paragraph.
_PARAGRAPH_TIGHT = re.compile(r"(?P<num>[0-9０-９]{1,2})(?=[^\s0-9０-９項号条章節款目日月年回件名人時分秒円倍割％%.．、，,)）〕」』])")
# A bracketed or enclosed label ends by itself, so 「(1)前項に…」 needs no space after it.
_PARAGRAPH_PAREN = re.compile(rf"[(（]{_SP}*(?P<num>[0-9０-９]{{1,2}}){_SP}*[)）]{_SP}*(?=\S)")
_ITEM = re.compile(
    rf"(?P<label>[一二三四五六七八九十]{{1,3}}|[(（]{_SP}*(?:[0-9０-９]{{1,2}}|[一二三四五六七八九十]{{1,3}}){_SP}*[)）]"
    rf"|[⑴-⒇①-⑳]|[アイウエオカキクケコサシスセソタチツテト])(?:{_SP}+|(?<=[)）⑴-⒇①-⑳]))(?=\S)"
)
_HEADING = re.compile(rf"^[（(【〔]{_SP}*(?P<title>[^（）()【】〔〕]{{1,40}}?){_SP}*[）)】〕]$")
# 「第1 基本的事項」 with the text on the next line: a short rest with no
# punctuation and no particle at its end is a heading, not the start of the text.
_BARE_HEADING = re.compile(r"[^、。，．,.]{1,20}(?<![はがをにのでとへもや])")
_SENTENCE_END = tuple("。．.）)」：:")
_WRAPPED_START = tuple("、。，．,）)」』")
_INLINE_NOTE = re.compile(rf"[。）)]{_SP}*※")
# Lines that end the article before them: notes (注), 以上, supplementary provisions.
_TERMINATOR = re.compile(rf"^(?:[（(]?{_SP}*注{_SP}*[）)]?|注記|備考|以{_SP}*上|附{_SP}*則|記)$")


# Article labels of annexes not numbered 第N (issue 15): 「1」「１」 alone or before the text,
# 「1.」「１．」, 「(1)」「⑴」, 「①」, kanji 「一」, 「その1」. A style is the article numbering of a
# region only when its labels form a run from 1 there (see _pick_style); elsewhere these
# are paragraph and item numbers.
_AFTER_LABEL = rf"(?={_SP}|[（(【〔]|$)"
_STYLES: dict[str, re.Pattern[str]] = {
    # Numbers alone on their line, when the paragraphs of an article are numbered 「２　…」 too.
    "arabic_alone": re.compile(rf"(?P<num>[0-9０-９]{{1,2}}){_SP}*$"),
    "arabic": re.compile(rf"(?P<num>[0-9０-９]{{1,2}}){_AFTER_LABEL}"),
    "dot": re.compile(r"(?P<num>[0-9０-９]{1,2})[.．](?![0-9０-９])"),
    "paren": re.compile(rf"[(（]{_SP}*(?P<num>[0-9０-９]{{1,2}}){_SP}*[)）]"),
    "enclosed_paren": re.compile(r"(?P<num>[⑴-⒇])"),
    "circled": re.compile(r"(?P<num>[①-⑳])"),
    "kanji": re.compile(rf"(?P<num>[一二三四五六七八九十]{{1,3}}){_AFTER_LABEL}"),
    "sono": re.compile(rf"その{_SP}*(?P<num>[0-9０-９]{{1,2}}|[一二三四五六七八九十]{{1,3}}){_AFTER_LABEL}"),
}
# Labels a style needs in its run from 1 before it is taken for the articles of a region
# (an annex has more; a list of two is an item list).
MIN_STYLE_RUN = 3
# How far an article number may jump over dropped articles when the line before it does
# not end a sentence (a heading line with other text after it, 「（秘密の保持）<script>」):
# up to two articles dropped in a row.
MAX_LABEL_GAP = 3
# A heading in brackets at the start of a line, with what follows it.
_INLINE_HEADING = re.compile(rf"[（(【〔]{_SP}*(?P<title>[^（）()【】〔〕]{{1,40}}?){_SP}*[）)】〕]{_SP}*")
# A heading printed without brackets on its own line (a table's 見出し column, 「秘密の保持」):
# short, no punctuation, no subject or object particle of a sentence, no particle at its end.
# (は in 「又は」「若しくは」 is a conjunction.)
_PLAIN_HEADING = re.compile(r"(?!.*(?:(?<![又く])は|[がを]))[^、。，．,.「」『』]{1,30}(?<![はがをにのでとへもやて])")
# The same right after a label alone on its line (a table's label cell), where a heading may list
# with 、 or ，(「利用、提供の制限」) but never ends with one.
_PLAIN_HEADING_AFTER_LABEL = re.compile(
    r"(?!.*(?:(?<![又く])は|[がを]))[^。．.「」『』]{1,30}(?<![はがをにのでとへもやて、，,])"
)
# An item label alone on its line, its text on the next (a nested table: 一 | text).
_ITEM_ALONE = re.compile(rf"(?P<label>[一二三四五六七八九十]{{1,3}}|[(（]{_SP}*[0-9０-９]{{1,2}}{_SP}*[)）]|[⑴-⒇①-⑳]|[アイウエオカキ])$")
# A line that is a title and nothing else, even after a line without 。 (the signature block
# before 「別記」 on the next page): 「別記」「別紙２」「保有個人情報取扱特記事項」.
_STANDALONE_TITLE = re.compile(r"別[記紙][0-9０-９一二三四五六七八九十]*|(?:別[記紙])?[^、。，．「」『』（）()]{0,30}特記事項")
# An item line at least this share of the text's wrapping width was wrapped at the margin, so a
# short line after it is the rest of the item (「…必要な」「措置」), not a heading.
WRAPPED_SHARE = 0.85
# Percentile of content line lengths taken as the wrapping width (robust to a few long lines).
WRAP_PERCENTILE = 0.9
# An annex title with the first article on the same line: 「別記 個人情報取扱特記事項 第1 基本的事項」.
_TITLE_THEN_ARTICLE = re.compile(
    rf"^(?P<title>[^。、]{{0,30}}特記事項){_SP}*(?=第{_SP}*[1１一](?![0-9０-９一二三四五六七八九十]))"
)


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the content (after artifacts)
    end: int
    text: str  # content as printed


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        lead = _LEAD.match(raw)
        body = raw[lead.end() :].rstrip()
        if body.endswith("**"):
            body = body[:-2].rstrip()
        start = pos + lead.end()
        title = _TITLE_THEN_ARTICLE.match(body)
        if title:  # two lines: the title, then the article
            out.append(_Line(start, start + len(title.group("title")), title.group("title")))
            out.append(_Line(start + title.end(), start + len(body), body[title.end() :]))
        else:
            out.append(_Line(start, start + len(body), body))
        pos += len(raw) + 1
    return out


def _wrap_width(lines: list[_Line]) -> int:
    """Length of a full line of the text: where a PDF's lines wrap (a Word paragraph is one long line)."""
    lengths = sorted(len(line.text) for line in lines if line.text)
    return lengths[int(WRAP_PERCENTILE * (len(lengths) - 1))] if lengths else 0


def _is_noise(line: _Line) -> bool:
    return not line.text or bool(PAGE_NUMBER.match(line.text))


def _is_annex_title(text: str) -> bool:
    # 「（別記）保有個人情報取扱特記事項」「【別紙1】」: the bracketed 別記 is part of the title
    compact = re.sub(r"^[（(【〔](別[記紙][0-9０-９一二三四五六七八九十]*)[）)】〕]", r"\1", re.sub(r"\s", "", text))
    if not compact or len(compact) > 40 or compact.endswith("。") or compact.startswith(("第", "（", "(")):
        return False
    if compact in ("別記", "別紙") or re.fullmatch(r"別[記紙][0-9０-９一二三四五六七八九十]*", compact):
        return True
    return "特記事項" in compact and not re.search(r"[はをがにで]、", compact)


@dataclass
class _Builder:
    doc_index: int
    label: str
    number: int | None
    heading: str | None
    start: int
    region: str
    jo: bool
    blocks: list[list[Span]]
    soft: list[bool]
    paragraph_no: int = 1
    item_seq: tuple[str, int] | None = None
    outer_items: list[tuple[str, int]] = field(default_factory=list)  # enclosing item levels: (1) around ア
    end: int = 0

    def build(self) -> Clause:
        paras = tuple(tuple(b) for b in self.blocks if b)
        soft = tuple(s for b, s in zip(self.blocks, self.soft) if b)
        return Clause(self.doc_index, self.label, self.number, self.heading, self.start, self.end, paras, self.region, soft)


def segment_document(doc: Document, doc_index: int = 0) -> list[Clause]:
    """Articles of one document, in reading order."""
    lines = _lines(doc.text)
    clauses: list[Clause] = []
    current: _Builder | None = None
    region = "body"
    style = _region_style(lines)  # None: 第N labels (re-read at an annex title)
    wrap_width = _wrap_width(lines)
    pending_heading: tuple[str, int] | None = None
    prev: _Line | None = None  # previous content line
    prev_kind = "start"  # start | heading | title | article | paragraph | item | text

    def close() -> None:
        nonlocal current
        if current is not None:
            clauses.append(current.build())
            current = None

    def starts_article(k: int) -> bool:
        """The next content line after line ``k`` starts with an article label."""
        for nxt in lines[k + 1 :]:
            if not _is_noise(nxt):
                return (_match_styled(nxt.text, style) if style else _match_article(nxt.text)) is not None
        return False

    in_note = False  # inside a ※ drafting note, which may wrap over several lines
    blank = False  # an empty line (an empty Word paragraph) since the previous content line
    for index, line in enumerate(lines):
        if not line.text:
            blank = True
            continue
        if _is_noise(line) and not (style in ("arabic", "arabic_alone") and re.fullmatch("[0-9０-９]{1,2}", line.text)):
            continue
        text = line.text
        after_blank, blank = blank, False
        # ※ lines are drafting notes of a template (「※ 再委託することが予想される場合は、
        # 次のような表現にする。」), not clause text; the note runs to its 。.
        if text.startswith("※") or (in_note and not _match_article(text) and not _HEADING.match(text)):
            in_note = not text.endswith(("。", "）", ")"))
            continue
        in_note = False
        note = _INLINE_NOTE.search(text)
        if note:  # 「…ならない。※ 事故発生時は…」: the clause text ends before the ※
            in_note = not text.endswith(("。", "）", ")"))
            line = _Line(line.start, line.start + note.start() + 1, text[: note.start() + 1])
            text = line.text
        ends_sentence = prev is None or prev_kind in ("start", "heading", "title") or prev.text.endswith(_SENTENCE_END)
        # An empty line before a title or an article label ends what came before (a signature block
        # without 。, then 「別記」); elsewhere it may be a blank paragraph between wrapped lines.
        boundary = ends_sentence or after_blank

        # The line after a label alone on its line (a table's label cell, 「第1」「１」)
        label_alone = current is not None and prev_kind == "article" and current.heading is None and not any(current.blocks)
        heading = _HEADING.match(text)
        title = heading.group("title") if heading else None
        # A heading holds no sentence of its own: a wrapped 「（以下「記録媒体」という。）」
        # line is continuation text. A heading may list with 、 or ， (「（収集、利用及び提供の
        # 制限）」) when it stands where a heading can: not inside a sentence.
        if title and not re.search(r"[。「」]", title) and (ends_sentence or not re.search(r"[、，,]", title)):
            if label_alone:
                current.heading = title
            else:
                pending_heading = (title, line.start)
            prev, prev_kind = line, "heading"
            continue
        if label_alone and _PLAIN_HEADING_AFTER_LABEL.fullmatch(text):
            # 「第1」 then 「秘密の保持」: a 条 | 見出し | 内容 table, one cell per line
            current.heading = text
            prev, prev_kind = line, "heading"
            continue
        inline = _INLINE_HEADING.match(text) if label_alone else None
        if inline and inline.end() < len(text) and not re.search(r"[。「」]", inline.group("title")):
            # 「１」 then 「（基本的事項）乙は、…」: the heading starts the article's first line
            current.heading = inline.group("title")
            current.blocks[-1].append(Span(line.start + inline.end(), line.end))
            current.end = line.end
            prev, prev_kind = line, "text"
            continue
        if (
            (ends_sentence or prev_kind == "item" and len(prev.text) < WRAPPED_SHARE * wrap_width)
            and prev_kind != "heading" and _PLAIN_HEADING.fullmatch(text) and not _is_annex_title(text)
            and not (_ITEM.match(text) or _PARAGRAPH.match(text))  # a short last item 「（2）住所」
            and starts_article(index)
        ):
            # 「秘密の保持」 without brackets on the line before its article
            pending_heading = (text, line.start)
            prev, prev_kind = line, "heading"
            continue

        art = _match_styled(text, style) if style else _match_article(text)
        if art is None and prev_kind == "heading" and style is None:
            # Some issuers number the 特記事項 「（秘密の保持）\n1 乙は…」 without 第:
            # a plain number right after a heading line starts an article too.
            para = _PARAGRAPH.match(text)
            if para:
                art = (para.group("num"), parse_number(para.group("num")), False, para.end())
        if art is not None:
            label, num, jo, rest_at = art
            last = current.number if current is not None and current.number is not None else None
            sequential = last is not None and num is not None and 0 < num - last <= MAX_LABEL_GAP and jo == current.jo
            # A styled label (「1.」「(1)」) continues its run: a lower number is an item or a note.
            rising = style is None or num is None or (num > last if last is not None else num == 1 or ends_sentence)
            # The first article of a region may follow a table's header row (条 | 見出し | 内容), also
            # when the title before it was lost (a running header): 「第1」 after the body's 「第10条」.
            first = num == 1 and (current is None or current.jo != jo)
            if (boundary or sequential or first) and rising:
                close()
                head = pending_heading if prev_kind == "heading" else None
                rest = text[rest_at:]
                inline = _INLINE_HEADING.match(rest)
                title = head[0] if head else None
                if inline:
                    title, rest_at = inline.group("title"), rest_at + inline.end()
                elif head is None and (
                    _BARE_HEADING.fullmatch(rest.strip()) or _PLAIN_HEADING_AFTER_LABEL.fullmatch(rest.strip())
                ):
                    title, rest_at = rest.strip(), len(text)
                current = _Builder(doc_index, label, num, title, head[1] if head else line.start, region, jo, [[]], [False])
                if rest_at < len(text):
                    current.blocks[-1].append(Span(line.start + rest_at, line.end))
                current.end = line.end
                pending_heading = None
                prev, prev_kind = line, "article"
                continue
        if _is_noise(line):  # a lone number that is not the next article: a page number
            continue

        if _TERMINATOR.match(text):
            close()
            pending_heading = None
            prev, prev_kind = line, "title"
            continue

        if _is_annex_title(text) and (boundary or _STANDALONE_TITLE.fullmatch(re.sub(r"[\s（）()【】〔〕]", "", text))):
            close()
            region = "annex"
            style = _region_style(lines[index + 1 :])
            pending_heading = None
            prev, prev_kind = line, "title"
            continue

        if current is None:
            prev, prev_kind = line, "text"
            continue

        para = _PARAGRAPH.match(text)
        in_paren_list = any(level[0] == "paren" for level in (current.item_seq, *current.outer_items) if level)
        if para is None and not in_paren_list:
            # 「（２）乙は、…」: paragraphs numbered in brackets, where no (1) item list is open
            para = _PARAGRAPH_PAREN.match(text)
        if para is None and ends_sentence:
            para = _PARAGRAPH_TIGHT.match(text)
        after_items = current.item_seq is not None  # items often end without 。
        # The next number and a full-width space: a paragraph even when the line before lost its
        # 。 (OCR drops a line-final 。; running text never breaks before 「3　」).
        spaced = bool(para) and "\u3000" in text[len(para.group("num")) : para.end()]
        if para and parse_number(para.group("num")) == current.paragraph_no + 1 and (ends_sentence or after_items or spaced):
            current.paragraph_no += 1
            current.item_seq = None
            current.outer_items.clear()
            current.blocks.append([Span(line.start + para.end(), line.end)])
            current.soft.append(False)
            current.end = line.end
            prev, prev_kind = line, "paragraph"
            continue

        item = _ITEM.match(text) or _ITEM_ALONE.match(text)
        if item is None and current.item_seq is not None and current.item_seq[0] == _KANJI_KEY and current.item_seq[1] < 10:
            # The next kanji item with its space lost (OCR: 「二作業場所」), never a word (二重, 二者).
            item = re.match(rf"(?P<label>{'一二三四五六七八九十'[current.item_seq[1]]}){_ITEM_TIGHT_NEXT}", text)
        key = item_key(item.group("label")) if item else None
        if key is not None:
            expected_next = current.item_seq is not None and key == (current.item_seq[0], current.item_seq[1] + 1)
            # The next item of an enclosing level closes the inner list: （1）ア イ ウ （2）.
            outer = next((k for k, o in enumerate(current.outer_items) if key == (o[0], o[1] + 1)), None)
            # A label alone on its line is an item even after a line without 。 (a nested table), and so
            # is a sub-list under an item that introduces it (「（1） …次の個人情報」 then 「ア 氏名」).
            sublist = prev_kind == "item" and current.item_seq is not None and key[0] != current.item_seq[0]
            # An article whose text opens with its list (「1 個人情報等の定義」 then 「(1) この特記仕様書において…」).
            opening = not current.blocks[-1] and len(current.blocks) == 1
            first = key[1] == 1 and (ends_sentence or item.re is _ITEM_ALONE or sublist or opening)
            if expected_next or first or outer is not None:
                if outer is not None and not expected_next:
                    del current.outer_items[outer:]
                elif first and current.item_seq is not None and key[0] != current.item_seq[0]:
                    current.outer_items.append(current.item_seq)
                current.item_seq = key
                for span, key in _split_inline_items(text, line.start + item.end(), line.end, line.start, key):
                    if span.end > span.start:  # a label alone: its text follows on the next line
                        current.blocks[-1].append(span)
                    current.item_seq = key
                current.end = line.end
                prev, prev_kind = line, "item"
                continue

        # Continuation text. An unnumbered line after a finished sentence may be
        # a 「ただし、」 paragraph of this article or text after the article (a
        # signature block, notes): it opens a "soft" block that matching may drop.
        # A line starting with 、 or 。 is the rest of the line before it (a PDF wrapped before the comma).
        # An item list stays open across it: the next item (「三」 after 「二」) may still follow, when
        # the line was the rest of an item whose 、 at the start was lost (OCR).
        if ends_sentence and prev_kind not in ("item",) and current.blocks[-1] and not text.startswith(_WRAPPED_START):
            current.blocks.append([])
            current.soft.append(True)
        if current.item_seq is not None:
            for span, key in _split_inline_items(text, line.start, line.end, line.start, current.item_seq):
                current.blocks[-1].append(span)
                current.item_seq = key
        else:
            current.blocks[-1].append(Span(line.start, line.end))
        current.end = line.end
        prev, prev_kind = line, "text"

    close()
    return clauses


_KANJI_KEY = item_key("一")[0]
# What may follow a kanji item label whose space was lost: not a numeral, counter or the rest of a
# word a numeral begins (二重, 二次, 二者, 二つ, 二人).
_ITEM_TIGHT_NEXT = r"(?=[^\s〇一二三四五六七八九十百千万つ人者重次回件日月年時分秒倍割番号条項部通・、。])"


def _split_inline_items(text: str, start: int, end: int, line_start: int, key: tuple[str, int]):
    """Spans of an item line, split where the next items follow on the same line (「三 … 四 …」)."""
    pos = start
    while True:
        nxt = None
        # The trailing space is a lookahead so that spaced-out text (「三 不 正 … 四 そ の 他」)
        # offers every character as a candidate label.
        for m in re.finditer(rf"{_SP}+(?P<label>\S{{1,4}}?)(?={_SP}+\S)", text[pos - line_start : end - line_start]):
            k = item_key(m.group("label"))
            if k == (key[0], key[1] + 1):
                nxt = m
                break
        if nxt is None and key[0] == _KANJI_KEY and key[1] < 10:
            # The spaces lost (OCR: 「確保四その他」): the next kanji numeral before kana, never
            # inside a number or a word (四半期, 第四).
            label = "一二三四五六七八九十"[key[1]]
            nxt = re.search(rf"(?<=[^\s〇一二三四五六七八九十百第])(?P<label>{label})(?=[ぁ-んァ-ヶ])",
                            text[pos - line_start : end - line_start])
        if nxt is None:
            yield Span(pos, end), key
            return
        yield Span(pos, pos + nxt.start()), key
        key = (key[0], key[1] + 1)
        rest = text[pos - line_start + nxt.end() : end - line_start]
        pos = pos + nxt.end() + (len(rest) - len(rest.lstrip(" \t\u3000")))


def operative_spans(text: str) -> list[Span]:
    """Spans of a reference text without its item labels (one paragraph or item per line)."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        m = _ITEM.match(line)
        cut = m.end() if m and item_key(m.group("label")) else 0
        spans.append(Span(pos + cut, pos + len(line)))
        pos += len(line) + 1
    return spans


def _match_article(text: str) -> tuple[str, int | None, bool, int] | None:
    """(label, number, has 条, offset after the label) when the line starts an article."""
    m = _ARTICLE.match(text)
    if not m:
        return None
    after = m.end()
    rest = text[after:]
    jo = m.group("jo") is not None
    rest_stripped = rest.lstrip(" \t\u3000")
    spaced = rest_stripped != rest or text[after - 1] in " \t\u3000"
    label = text[:after].rstrip(" \t\u3000*")
    if not rest_stripped:  # the label alone on its line, the text on the next
        return label, parse_number(m.group("num")), jo, len(text)
    nxt = rest_stripped[0]
    if nxt in _NOT_AFTER_JO:
        # A particle after the label is running text, spaced or not: a wrapped line of a
        # character-spaced PDF starts 「第 1 2 条 の 規 定 に 基 づ き」 (no article text starts with の/に/を…).
        return None
    if not jo and (not (spaced or nxt in "（(") or nxt in _NOT_AFTER_BARE):
        # A bare 第N needs a separator (space or a heading in parentheses).
        return None
    return label, parse_number(m.group("num")), jo, after + (len(rest) - len(rest_stripped))


def _style_number(style: str, raw: str) -> int | None:
    if style in ("enclosed_paren", "circled"):
        key = item_key(raw)
        return key[1] if key else None
    return parse_number(raw)


def _match_styled(text: str, style: str) -> tuple[str, int | None, bool, int] | None:
    """(label, number, False, offset after the label) when the line starts with a ``style`` label."""
    m = _STYLES[style].match(text)
    if not m:
        return None
    rest = text[m.end() :]
    rest_stripped = rest.lstrip(" \t\u3000")
    if rest_stripped and rest_stripped[0] in _NOT_AFTER_JO and rest_stripped == rest:
        return None  # 「1の規定」: running text
    return m.group(0), _style_number(style, m.group("num")), False, m.end() + len(rest) - len(rest_stripped)


def _pick_style(lines: list[_Line]) -> str | None:
    """The article numbering of a region without 第N labels: the style whose labels form a run
    1, 2, 3… (numbers rising, small gaps allowed for dropped articles, lower numbers skipped as
    paragraph numbers, a second 1 ending it) of at least MIN_STYLE_RUN,
    the earliest such run when several do (the articles come before their own items)."""
    best: tuple[int, str] | None = None
    for style in _STYLES:
        first, last, count = None, 0, 0
        for i, line in enumerate(lines):
            m = _match_styled(line.text, style)
            if m is None or m[1] is None:
                continue
            if first is None:
                if m[1] != 1:
                    continue
                first = i
            elif m[1] == 1:
                break  # the run ends where the numbering starts again (notes, a second list)
            elif m[1] <= last or m[1] - last > MAX_LABEL_GAP:
                continue  # a paragraph number 「2」 inside an article, or a number in the text
            last, count = m[1], count + 1
        if first is not None and count >= MIN_STYLE_RUN and (best is None or first < best[0]):
            best = (first, style)
    return best[1] if best else None


def _region_style(lines: list[_Line]) -> str | None:
    """None when the region numbers its articles 第N (or 第N条), else the style it uses, if any."""
    if any(_match_article(line.text) for line in lines):
        return None
    return _pick_style(lines)


def segment_documents(docs: list[Document]) -> list[Clause]:
    """Articles of every document of one contract, in document order."""
    return [c for i, d in enumerate(docs) for c in segment_document(d, i)]
