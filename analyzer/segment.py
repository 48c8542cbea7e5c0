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
from dataclasses import dataclass

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
_ITEM = re.compile(
    rf"(?P<label>[一二三四五六七八九十]{{1,3}}|[(（]{_SP}*(?:[0-9０-９]{{1,2}}|[一二三四五六七八九十]{{1,3}}){_SP}*[)）]"
    rf"|[⑴-⒇①-⑳]|[アイウエオカキクケコサシスセソタチツテト]){_SP}+(?=\S)"
)
_HEADING = re.compile(rf"^[（(【〔]{_SP}*(?P<title>[^（）()【】〔〕]{{1,40}}?){_SP}*[）)】〕]$")
# 「第1 基本的事項」 with the text on the next line: a short rest with no
# punctuation and no particle at its end is a heading, not the start of the text.
_BARE_HEADING = re.compile(r"[^、。，．,.]{1,20}(?<![はがをにのでとへもや])")
_SENTENCE_END = tuple("。．.）)」：:")
_INLINE_NOTE = re.compile(rf"[。）)]{_SP}*※")
# Lines that end the article before them: notes (注), 以上, supplementary provisions.
_TERMINATOR = re.compile(rf"^(?:[（(]?{_SP}*注{_SP}*[）)]?|注記|備考|以{_SP}*上|附{_SP}*則|記)$")


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
        out.append(_Line(pos + lead.end(), pos + lead.end() + len(body), body))
        pos += len(raw) + 1
    return out


def _is_noise(line: _Line) -> bool:
    return not line.text or bool(PAGE_NUMBER.match(line.text))


def _is_annex_title(text: str) -> bool:
    compact = re.sub(r"\s", "", text)
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
    pending_heading: tuple[str, int] | None = None
    prev: _Line | None = None  # previous content line
    prev_kind = "start"  # start | heading | title | article | paragraph | item | text

    def close() -> None:
        nonlocal current
        if current is not None:
            clauses.append(current.build())
            current = None

    in_note = False  # inside a ※ drafting note, which may wrap over several lines
    for line in lines:
        if _is_noise(line):
            continue
        text = line.text
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

        heading = _HEADING.match(text)
        # A heading holds no sentence of its own: a wrapped 「（以下「記録媒体」という。）」
        # line is continuation text.
        if heading and not re.search(r"[、。「]", heading.group("title")):
            pending_heading = (heading.group("title"), line.start)
            prev, prev_kind = line, "heading"
            continue

        art = _match_article(text)
        if art is None and prev_kind == "heading":
            # Some issuers number the 特記事項 「（秘密の保持）\n1 乙は…」 without 第:
            # a plain number right after a heading line starts an article too.
            para = _PARAGRAPH.match(text)
            if para:
                art = (para.group("num"), parse_number(para.group("num")), False, para.end())
        if art is not None:
            label, num, jo, rest_at = art
            sequential = (
                current is not None and current.number is not None and num == current.number + 1 and jo == current.jo
            )
            if ends_sentence or sequential:
                close()
                head = pending_heading if prev_kind == "heading" else None
                rest = text[rest_at:]
                inline = re.match(rf"[（(【〔]{_SP}*([^（）()【】〔〕]{{1,40}}?){_SP}*[）)】〕]{_SP}*", rest)
                title = head[0] if head else None
                if inline:
                    title, rest_at = inline.group(1), rest_at + inline.end()
                elif head is None and _BARE_HEADING.fullmatch(rest.strip()):
                    title, rest_at = rest.strip(), len(text)
                current = _Builder(doc_index, label, num, title, head[1] if head else line.start, region, jo, [[]], [False])
                if rest_at < len(text):
                    current.blocks[-1].append(Span(line.start + rest_at, line.end))
                current.end = line.end
                pending_heading = None
                prev, prev_kind = line, "article"
                continue

        if _TERMINATOR.match(text):
            close()
            pending_heading = None
            prev, prev_kind = line, "title"
            continue

        if _is_annex_title(text) and ends_sentence:
            close()
            region = "annex"
            pending_heading = None
            prev, prev_kind = line, "title"
            continue

        if current is None:
            prev, prev_kind = line, "text"
            continue

        para = _PARAGRAPH.match(text)
        after_items = current.item_seq is not None  # items often end without 。
        if para and parse_number(para.group("num")) == current.paragraph_no + 1 and (ends_sentence or after_items):
            current.paragraph_no += 1
            current.item_seq = None
            current.blocks.append([Span(line.start + para.end(), line.end)])
            current.soft.append(False)
            current.end = line.end
            prev, prev_kind = line, "paragraph"
            continue

        item = _ITEM.match(text)
        key = item_key(item.group("label")) if item else None
        if key is not None:
            expected_next = current.item_seq is not None and key == (current.item_seq[0], current.item_seq[1] + 1)
            first = key[1] == 1 and ends_sentence
            if expected_next or first:
                current.item_seq = key
                for span, key in _split_inline_items(text, line.start + item.end(), line.end, line.start, key):
                    current.blocks[-1].append(span)
                    current.item_seq = key
                current.end = line.end
                prev, prev_kind = line, "item"
                continue

        # Continuation text. An unnumbered line after a finished sentence may be
        # a 「ただし、」 paragraph of this article or text after the article (a
        # signature block, notes): it opens a "soft" block that matching may drop.
        if ends_sentence and prev_kind not in ("item",) and current.blocks[-1]:
            current.blocks.append([])
            current.soft.append(True)
            current.item_seq = None
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


def segment_documents(docs: list[Document]) -> list[Clause]:
    """Articles of every document of one contract, in document order."""
    return [c for i, d in enumerate(docs) for c in segment_document(d, i)]
