"""DOCX reader: body paragraphs and table cells in document order, with Word's automatic numbering.

python-docx leaves list numbering out of ``paragraph.text``; an annex whose
「第1」「第2」 come from numbering.xml would lose every article label. The
labels are rendered here from the numbering definitions (numFmt, lvlText,
start, overrides) and put in front of the paragraph text.

Before python-docx inflates anything, ``check_package`` reads the zip
directory and refuses zip bombs (member count, total and per-member
inflated size and ratio) and XML parts with a DTD (entity bombs, external
entities): WordprocessingML never carries a <!DOCTYPE>.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from ..errors import CorruptDocument, DocumentTooLarge
from ..model import Document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_KANJI = "〇一二三四五六七八九"
_AIUEO = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"


def _kanji_counting(n: int) -> str:
    if n <= 0:
        return str(n)
    out = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        q, n = divmod(n, value)
        if q:
            out += ("" if q == 1 else _KANJI[q]) + unit
    return out + (_KANJI[n] if n else "")


def _roman(n: int) -> str:
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
            (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out


def format_number(n: int, fmt: str) -> str:
    """Render counter ``n`` in a w:numFmt format (the Japanese ones contracts use, and the common others)."""
    if fmt in ("decimal", "decimalZero"):
        return f"{n:02d}" if fmt == "decimalZero" and n < 10 else str(n)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("japaneseCounting", "ideographTraditional", "chineseCounting", "chineseCountingThousand"):
        return _kanji_counting(n)
    if fmt in ("ideographDigital", "japaneseDigitalTenThousand"):
        return "".join(_KANJI[int(d)] for d in str(n))
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt in ("aiueoFullWidth", "aiueo") and 1 <= n <= len(_AIUEO):
        return _AIUEO[n - 1]
    if fmt in ("irohaFullWidth", "iroha") and 1 <= n <= len(_IROHA):
        return _IROHA[n - 1]
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


def _val(el, tag: str, default: str | None = None) -> str | None:
    child = el.find(W + tag) if el is not None else None
    return child.get(W + "val") if child is not None else default


class _Numbering:
    """Counters for Word's automatic numbering, advanced paragraph by paragraph."""

    def __init__(self, numbering_el) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstractNumId → ilvl → (start, fmt, text)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId → (abstractNumId, start overrides)
        self.counters: dict[str, dict[int, int]] = {}
        if numbering_el is None:
            return
        for absn in numbering_el.findall(W + "abstractNum"):
            levels = {}
            for lvl in absn.findall(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl", "0"))
                levels[ilvl] = (
                    int(_val(lvl, "start", "1") or 1),
                    _val(lvl, "numFmt", "decimal") or "decimal",
                    _val(lvl, "lvlText", "") or "",
                )
            self.levels[absn.get(W + "abstractNumId")] = levels
        for num in numbering_el.findall(W + "num"):
            overrides = {}
            for ov in num.findall(W + "lvlOverride"):
                start = _val(ov, "startOverride")
                if start is not None:
                    overrides[int(ov.get(W + "ilvl", "0"))] = int(start)
            self.nums[num.get(W + "numId")] = (_val(num, "abstractNumId", "") or "", overrides)

    def label(self, num_id: str, ilvl: int) -> str:
        if num_id not in self.nums or num_id == "0":
            return ""
        abs_id, overrides = self.nums[num_id]
        levels = self.levels.get(abs_id, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        start = overrides.get(ilvl, levels[ilvl][0])
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = levels[ilvl][2]
        for k in range(ilvl + 1):
            if f"%{k + 1}" in text:
                lv = levels.get(k, (1, "decimal", ""))
                value = counters.get(k, overrides.get(k, lv[0]))
                text = text.replace(f"%{k + 1}", format_number(value, lv[1]))
        return text


def paragraph_atoms(p) -> list[tuple[object, str]]:
    """Visible pieces of a w:p in order, each with its element: w:t (its text), w:tab ("\\t"), w:br/w:cr ("\\n").

    Runs count also inside insertions and hyperlinks; deleted text and field codes do not.
    Tabs and breaks count only inside runs (a w:tab in w:pPr/w:tabs is a tab stop, not text).
    tokki fix uses the elements to edit the characters this reader reports.
    """
    out: list[tuple[object, str]] = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
        if any(anc.tag in (W + "del", W + "moveFrom") for anc in el.iterancestors()):
            continue
        if el.tag == W + "t":
            out.append((el, el.text or ""))
        elif el.getparent() is not None and el.getparent().tag == W + "r":
            out.append((el, "\t" if el.tag == W + "tab" else "\n"))
    return out


def _paragraph_text(p) -> str:
    """Visible text of a w:p: runs (also inside insertions and hyperlinks), not deleted text or field codes."""
    return "".join(text for _, text in paragraph_atoms(p))


def _num_pr(p, styles: dict[str, tuple[str, int]]) -> tuple[str, int] | None:
    ppr = p.find(W + "pPr")
    numpr = ppr.find(W + "numPr") if ppr is not None else None
    if numpr is not None:
        num_id = _val(numpr, "numId")
        if num_id is not None:
            return num_id, int(_val(numpr, "ilvl", "0") or 0)
    style = _val(ppr, "pStyle") if ppr is not None else None
    return styles.get(style) if style else None


# Members above this inflated size are held to the ratio limit (small parts compress
# arbitrarily well: an empty header part of 2 KB can show 30×).
RATIO_CHECK_MIN_BYTES = 1 << 20
# Bytes of each XML part read for a DTD: the prolog, where <!DOCTYPE> must stand.
DTD_SCAN_BYTES = 4096
_DTD = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def check_package(path: Path, name: str, settings=None) -> None:
    """Refuse a DOCX whose zip would exhaust memory when inflated, or whose XML declares entities.

    Reads only the zip directory and the first bytes of each XML part (zipfile
    never inflates a member past the size its directory entry declares, so
    the declared sizes bound what python-docx may inflate later).
    """
    if settings is None:
        from ..settings import default_settings

        settings = default_settings()
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if len(members) > settings.docx_max_members:
                raise CorruptDocument(
                    name, f"ZIP の要素が多すぎます（{len(members):,} 個） / too many zip members ({len(members):,})"
                )
            total = sum(m.file_size for m in members)
            if total > settings.docx_max_uncompressed:
                raise DocumentTooLarge(
                    name, f"展開後 {total:,} バイトで上限 {settings.docx_max_uncompressed:,} を超えます（ZIP 爆弾の可能性）"
                    " / inflates past the limit (zip bomb?)",
                )
            for m in members:
                if m.file_size >= RATIO_CHECK_MIN_BYTES and m.file_size > settings.docx_max_ratio * max(m.compress_size, 1):
                    raise CorruptDocument(
                        name, f"{m.filename} の圧縮率が異常です（{m.file_size / max(m.compress_size, 1):,.0f} 倍、ZIP 爆弾の可能性）"
                        " / abnormal compression ratio (zip bomb?)",
                    )
            for m in members:
                if m.filename.lower().endswith((".xml", ".rels")):
                    with zf.open(m) as fh:
                        prolog = fh.read(DTD_SCAN_BYTES)
                    if any(marker in prolog for marker in _DTD):
                        raise CorruptDocument(
                            name, f"{m.filename} に DTD（<!DOCTYPE>・<!ENTITY>）があります。安全のため読みません"
                            " / XML part declares a DTD or entities: refused (entity bomb?)",
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise CorruptDocument(name, f"DOCX を開けません（破損または形式違い） / cannot open the DOCX: {exc}") from exc
    except zlib.error as exc:
        raise CorruptDocument(name, f"DOCX が破損しています / damaged DOCX: {exc}") from exc


def open_docx(path: Path, name: str, settings=None):
    """python-docx Document of ``path``, after ``check_package``; CorruptDocument when it cannot be opened."""
    check_package(path, name, settings)
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise RuntimeError("python-docx is required") from exc
    try:
        return docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise CorruptDocument(name, f"DOCX を開けません（破損または形式違い） / cannot open the DOCX: {exc}") from exc
    except Exception as exc:  # lxml parse errors and similar from a damaged package
        raise CorruptDocument(name, f"DOCX が破損しています / damaged DOCX: {type(exc).__name__}: {exc}") from exc


# Elements that wrap block content, table rows or cells without being one: content
# controls (w:sdt → w:sdtContent), custom XML, and tracked insertions/moves of rows.
_WRAPPERS = (W + "sdt", W + "customXml", W + "ins", W + "moveTo")


def _content(el):
    """What a wrapper element holds: w:sdtContent for a content control, its children otherwise."""
    if el.tag == W + "sdt":
        content = el.find(W + "sdtContent")
        return content if content is not None else ()
    return el


def _children(el, tag: str):
    """Children of ``el`` with ``tag``, also those inside wrappers (a row in a content control),
    in document order. Walks the tree itself: lxml element proxies are recreated on access, so
    remembering them by ``id()`` would skip cells whose proxies reuse a freed id."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(_content(child), tag)


def iter_paragraphs(document):
    """(w:p element, automatic-numbering label) of every body paragraph and table-cell paragraph, in reading order.

    Document.text of read_docx is these paragraphs' ``label text`` joined with newlines.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    # Look the numbering part up by relationship: a DOCX without lists has none.
    numbering_rel = next((r for r in document.part.rels.values() if r.reltype == RT.NUMBERING), None)
    numbering = _Numbering(numbering_rel.target_part.element if numbering_rel is not None else None)
    styles: dict[str, tuple[str, int]] = {}
    for st in document.styles.element.findall(W + "style"):
        ppr = st.find(W + "pPr")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        if numpr is not None and _val(numpr, "numId"):
            styles[st.get(W + "styleId")] = (_val(numpr, "numId"), int(_val(numpr, "ilvl", "0") or 0))

    def walk(container):
        for el in container:
            if el.tag == W + "p":
                num = _num_pr(el, styles)
                yield el, numbering.label(*num) if num else ""
            elif el.tag == W + "tbl":
                for tr in _children(el, W + "tr"):
                    for tc in _children(tr, W + "tc"):
                        yield from walk(tc)
            elif el.tag in _WRAPPERS:
                yield from walk(_content(el))

    yield from walk(document.element.body)


def paragraph_line(label: str, text: str) -> str:
    """The line of Document.text for a paragraph: its numbering label, a space, its text."""
    return f"{label} {text}" if label and text else label or text


def read_docx(path: Path, name: str, settings=None) -> Document:
    document = open_docx(path, name, settings)
    lines = [paragraph_line(label, _paragraph_text(p)) for p, label in iter_paragraphs(document)]
    return Document(name, "docx", "\n".join(lines))
