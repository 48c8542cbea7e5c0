"""Reference import: an official notice (PDF/DOCX/TXT) → reference_clauses/<id>/<version>.toml.

The notice is read with the ingest stage and segmented with the segment stage;
this module only finds the 特記事項 section, turns its articles back into
reference text, reads which items are mandatory from the 注, reads the 類型
table when the notice has one, and rebuilds the superseded version from the 旧
column of a 新旧対照表.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .errors import UsageError
from .files import write_atomic
from .ingest import load_document
from .ja.chars import pad
from .ja.numerals import item_key, parse_number
from .model import Clause, Document, ReferenceClause, ReferenceVersion, Span
from .references import CONTRACT_TYPES, load_reference_library
from .segment import _ITEM, segment_document
from .settings import Settings, default_settings
from .topics import TOPIC_MARKS, is_annex_title, reference_topics

_SP = r"[ \t\u3000]"
_NUM = r"[0-9０-９](?:[ \t\u3000]*[0-9０-９])*|[〇一二三四五六七八九十百]+"
# 「第1~第14 略」: a row of a 新旧対照表 that stands for unchanged articles.
_OMITTED = re.compile(
    rf"第{_SP}*(?P<a>{_NUM}){_SP}*条?(?:{_SP}*[~～〜˜\-－ー―]{_SP}*第{_SP}*(?P<b>{_NUM}){_SP}*条?)?{_SP}*[（(]?略[）)]?"
)
# 「第1、第2、第4、第11から第14まで及び第19」 (also 第11条～第14条, 第十一から第十四まで).
_REF = re.compile(
    rf"第{_SP}*(?P<a>{_NUM}){_SP}*条?(?:{_SP}*(?:から|[~～〜\-－―]){_SP}*第{_SP}*(?P<b>{_NUM}){_SP}*条?(?:{_SP}*まで)?)?"
)
_UNDERLINE = re.compile(rf"{_SP}*</?u>{_SP}*")
_MARK = {"○": "○", "〇": "○", "◯": "○", "△": "△", "—": "—", "－": "—", "-": "—", "ー": "—", "―": "—", "×": "—"}
_TYPE_ROW = re.compile(rf"^第{_SP}*(?P<n>{_NUM})\s*[^\t]*(?P<marks>(?:\t{_SP}*[○〇◯△—－\-ー―×]{_SP}*){{4}})$")
_TYPES_HEADER = re.compile(rf"類型{_SP}*[1１].*類型{_SP}*[2２].*類型{_SP}*[3３].*類型{_SP}*[4４]")
_NEW_HEADERS = ("新", "改正後", "現行")  # a header cell naming the column
_OLD_HEADERS = ("旧", "改正前")


@dataclass(frozen=True)
class ImportResult:
    """What ``import_notice`` found: the version(s) to write and what a person should check."""

    versions: tuple[ReferenceVersion, ...]  # oldest first
    mandatory_note: str  # the 注 sentence the mandatory items were read from ("" when none)
    warnings: tuple[str, ...] = ()
    issuer_source: str = ""  # where the issuer was read (「東大阪市（以下「甲」」), "--issuer", or ""


# ---------------------------------------------------------------- text


def _canonical(text: str) -> str:
    """Reference-file spelling of extracted text: 全角 parentheses, no underline tags (README of reference_clauses/)."""
    text = _UNDERLINE.sub("", text).replace("**", "")
    return text.replace("(", "（").replace(")", "）").strip()


_WRAP_SPACE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")


def _wrap_width(texts: list[str]) -> float | None:
    """Printed line width of a notice whose paragraphs were extracted one per line with a space
    at each printed line end (「…保有個人情報を 当該事務の…」): the typical run before such a space.
    None when there are too few such spaces to tell wraps from real spaces."""
    runs = [len(run) for t in texts for run in _WRAP_SPACE.split(t)[:-1] if len(run) >= 20]
    return statistics.median(runs) if len(runs) >= 5 else None


def _unwrap(text: str, width: float | None) -> str:
    """Remove the spaces that mark printed line ends; keep real ones (「バックアップ記録の作成 ほか」)."""
    if width is None:
        return text
    pieces, last = [], 0
    for m in _WRAP_SPACE.finditer(text):
        if 0.8 * width <= m.start() - last <= 1.1 * width:
            pieces.append(text[last : m.start()])
            last = m.end()
    return "".join(pieces) + text[last:]


def _article_lines(doc: Document, spans: tuple[Span, ...], width: float | None) -> list[str]:
    """One paragraph's spans → its body line and one line per item (「一 …」), as printed."""
    text = doc.text
    lines: list[str] = []
    prev_end = -1
    for i, span in enumerate(spans):
        line_start = text.rfind("\n", 0, span.start) + 1
        prefix = text[max(line_start, prev_end) : span.start].strip(" \t\u3000-・*")
        body = _unwrap(text[span.start : span.end].strip(), width)
        label = _ITEM.match(prefix + " 。") if prefix else None
        if label and label.group("label") == prefix and item_key(prefix):
            lines.append(f"{prefix} {body}")  # an item, or a paragraph numbered as one (「(1) この特記仕様書において…」)
        elif i == 0 or not lines or _starts_item(body):
            lines.append(body)
        else:  # a wrapped line of the same paragraph or item
            lines[-1] += body
        prev_end = span.end
    return [_canonical(line) for line in lines]


def _starts_item(text: str) -> bool:
    """A line that begins with an item label of its own (「ア 氏名」 under 「(1)」)."""
    m = _ITEM.match(text)
    return bool(m and item_key(m.group("label")))


def _paragraphs(doc: Document, clause: Clause, width: float | None) -> tuple[str, ...]:
    out: list[str] = []
    for block, soft in zip(clause.paragraphs, clause.soft or (False,) * len(clause.paragraphs)):
        lines = _article_lines(doc, block, width)
        if soft and out:  # 「ただし、…」 printed on its own line belongs to the paragraph before it
            out[-1] += "\n".join(lines)
        else:
            out.append("\n".join(lines))
    return tuple(p for p in out if p)


def _line_no(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# ---------------------------------------------------------------- the 特記事項 section


@dataclass(frozen=True)
class _Section:
    title: str
    articles: tuple[tuple[Clause, ...], ...]  # numbered 1, 2, 3 … in order; each with its alternative forms
    end: int  # offset where the articles end (the 注 line, or the end of the last article)


def _title_offsets(text: str, settings: Settings) -> list[tuple[int, str]]:
    """Lines that can title a 特記事項 section (not a table of contents line): 特記事項, or an annex
    word with personal information (個人情報の取扱いに関する特約・覚書, 個人情報保護に関する遵守事項,
    個人情報取扱特記仕様書 …: settings [topics] annex_titles), and the document's start (an annex
    printed without a title)."""
    out, pos = [(0, "")], 0
    for raw in text.split("\n"):
        compact = re.sub(r"[\s*#\-]", "", raw)
        titled = "特記事項" in compact or is_annex_title(compact, settings)
        if titled and len(compact) <= 40 and not re.search(r"[・…。]|\.{3}|[はをがにで]、", compact):
            out.append((pos, compact))
        pos += len(raw) + 1
    return out


def _find_section(doc: Document, settings: Settings) -> _Section | None:
    """The longest run of articles numbered from 1 right after a title line (or from the document's
    start), in any numbering the reading stage knows (第N, 第N条, 1, 1., (1)).

    An article printed again with the same number right after itself is an
    alternative wording of it (the ※ forms of a 記載例), not a new article.
    """
    best: _Section | None = None
    for offset, title in _title_offsets(doc.text, settings):
        sub = Document(doc.path, doc.format, doc.text[offset:])
        run: list[list[Clause]] = []
        for c in segment_document(sub):
            if run and c.number == run[-1][0].number:
                run[-1].append(c)
                continue
            if c.number != len(run) + 1 or (title and not run and sub.text.count("\n", 0, c.start) > _TITLE_GAP_LINES):
                break
            run.append([c])
        if not run:
            continue
        note = _TERMINATOR_LINE.search(sub.text, run[-1][-1].start)
        end = note.start() if note else run[-1][-1].end
        articles = tuple(tuple(_shift(c, offset) for c in forms) for forms in run)
        # Of runs as long, a titled one wins over one found from the document's start, and the title
        # nearest the articles over an earlier one (a page title, a table of contents).
        if best is None or len(articles) > len(best.articles) or (len(articles) == len(best.articles) and title):
            best = _Section(title or _first_line(doc.text), articles, offset + end)
    return best


def _no_articles(doc: Document) -> str:
    """Why no section was found, for a clerk: where reading stopped and what it expected."""
    clauses = segment_document(doc)
    lines = doc.text.count("\n") + 1
    if not clauses:
        return (
            f"特記事項の番号のある条（第1、第1条、1、(1) など）が見つかりません（全 {lines} 行を読みました）。条番号と"
            f"見出しの書き方を確認してください / no numbered 特記事項 article (第1, 第1条, 1, (1)) found in {lines} lines"
        )
    first = clauses[0]
    return (
        f"{_line_no(doc.text, first.start)} 行目: 最初に見つかった条は「{first.label}」です。特記事項の条は 1 から始まる"
        f"番号（第1、第1条、1、(1)）を期待しています / line {_line_no(doc.text, first.start)}: the first article found is"
        f" {first.label!r}, expected one numbered 1"
    )


def _first_line(text: str) -> str:
    """The document's first short line, as the title of an annex printed without a title line."""
    for line in text.split("\n"):
        compact = re.sub(r"\s", "", line)
        if compact:
            return compact if len(compact) <= 40 else ""
    return ""


# The first article follows its title within a few lines (a heading, a blank line, a 記載例 note).
_TITLE_GAP_LINES = 8
_TERMINATOR_LINE = re.compile(rf"^{_SP}*(?:[（(]?{_SP}*注{_SP}*[）)]?|注記|備考){_SP}*$", re.M)


def _shift(c: Clause, offset: int) -> Clause:
    paras = tuple(tuple(Span(s.start + offset, s.end + offset) for s in p) for p in c.paragraphs)
    return replace(c, start=c.start + offset, end=c.end + offset, paragraphs=paras)


# ---------------------------------------------------------------- 注, 類型 table


def parse_item_list(text: str) -> list[int]:
    """Article numbers named by 「第1、第2、第4、第11から第14まで及び第19」, ranges expanded, in order."""
    out: list[int] = []
    for m in _REF.finditer(text):
        a = parse_number(m.group("a"))
        b = parse_number(m.group("b")) if m.group("b") else a
        if a is None or b is None or b < a:
            continue
        out.extend(n for n in range(a, b + 1) if n not in out)
    return out


def _sentences(text: str) -> list[str]:
    """Split at 。 outside parentheses (「必須事項である（…を除く。）が、…」 is one sentence)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "（(" 
        depth -= ch in "）)" and depth > 0
        if ch == "。" and depth == 0:
            out.append(text[start : i + 1])
            start = i + 1
    return out + [text[start:]]


def _mandatory(text: str) -> tuple[list[int], str]:
    """The articles a 注 calls 必須事項, with the sentence it says so in."""
    for sentence in _sentences(text):
        flat = re.sub(r"\s", "", sentence)
        at = flat.find("必須")
        if at < 0:
            continue
        head = flat[:at]
        # The list precedes 「に掲げる」「については」「は、」 before 必須.
        cut = max(head.rfind("については"), head.rfind("に掲げる"), head.rfind("は、"))
        numbers = parse_item_list(head[: cut if cut > 0 else len(head)])
        if numbers:
            return numbers, flat.lstrip("注-・ 0123456789０１２３４５６７８９")
    return [], ""


def _types_table(text: str) -> dict[int, dict[str, str]]:
    """「第 1 基本的事項 ○ ○ ○ ○」 rows under a 類型1–4 header (tab-separated cells)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not _TYPES_HEADER.search(line):
            continue
        rows: dict[int, dict[str, str]] = {}
        for row in lines[i + 1 :]:
            if not row.strip():
                continue
            m = _TYPE_ROW.match(row.strip(" \u3000"))
            if not m:
                break
            marks = [_MARK[c.strip(" \u3000")] for c in m.group("marks").split("\t")[1:]]
            rows[parse_number(m.group("n"))] = dict(zip(CONTRACT_TYPES, marks))
        if rows:
            return rows
    return {}


# ---------------------------------------------------------------- 新旧対照表


@dataclass(frozen=True)
class _Comparison:
    new: Document  # the 新 column as text
    old: Document  # the 旧 column
    unchanged_new: frozenset[int]  # articles a 「略」 row keeps as they are
    unchanged_old: frozenset[int]
    first_line: int
    last_line: int


def _omitted(cell: str) -> set[int]:
    m = _OMITTED.fullmatch(cell.strip(" \u3000"))
    if not m:
        return set()
    a = parse_number(m.group("a"))
    b = parse_number(m.group("b")) if m.group("b") else a
    return set(range(a, b + 1)) if a is not None and b is not None else set()


def _text_tables(text: str) -> list[tuple[int, list[list[str]]]]:
    """Blocks of tab-separated two-cell lines (a table as text extraction gives it), with their first line."""
    tables, rows, first = [], [], 0
    for i, line in enumerate(text.split("\n") + [""]):
        cells = line.split("\t")
        if len(cells) == 2:
            if not rows:
                first = i + 1
            rows.append(cells)
        elif line.strip() or i == len(text.split("\n")):
            if rows:
                tables.append((first, rows))
            rows = []
    return tables


def _docx_tables(path: Path) -> list[tuple[int, list[list[str]]]]:
    """Two-column Word tables, each cell's paragraphs joined by line breaks."""
    import docx

    out = []
    for t in docx.Document(str(path)).tables:
        rows = [[cell.text for cell in row.cells] for row in t.rows]
        rows = [r for r in rows if len(r) == 2]
        if rows:
            out.append((0, rows))
    return out


def _pdf_tables(path: Path) -> list[tuple[int, list[list[str]]]]:
    """Two-column ruled tables found by pdfplumber's layout analysis (one table per page at most here)."""
    import pdfplumber

    out = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                rows = [[c or "" for c in r] for r in table if len(r) == 2]
                if rows:
                    out.append((0, rows))
    return out


def _find_comparison(path: Path, doc: Document) -> _Comparison | None:
    """A two-column 新旧対照表 with at least one 「略」 row or a 新/旧 header row."""
    tables = _text_tables(doc.text)
    if not tables and doc.format == "docx":
        tables = _docx_tables(path)
    if not tables and doc.format == "pdf":
        tables = _pdf_tables(path)
    for first, rows in tables:
        header = [re.sub(r"\s", "", c) for c in rows[0]]
        named = any(h in _NEW_HEADERS + _OLD_HEADERS for h in header)
        if not named and not any(_omitted(line) for r in rows for c in r for line in c.split("\n")):
            continue
        swap = header[0] in _OLD_HEADERS or header[1] in _NEW_HEADERS
        columns: list[list[str]] = [[], []]
        unchanged: list[set[int]] = [set(), set()]
        for row in rows[1:] if named else rows:
            for k, cell in enumerate(row):
                for line in cell.split("\n"):
                    kept = _omitted(line)
                    if kept:
                        unchanged[k] |= kept
                    elif line.strip():
                        columns[k].append(line.strip())
        docs = [Document(doc.path, doc.format, "\n".join(col)) for col in columns]
        if swap:
            docs.reverse()
            unchanged.reverse()
        return _Comparison(docs[0], docs[1], frozenset(unchanged[0]), frozenset(unchanged[1]), first, first + len(rows) - 1)
    return None


def _column_clauses(col: Document) -> dict[int, tuple[Clause, tuple[str, ...]]]:
    return {c.number: (c, _paragraphs(col, c, None)) for c in segment_document(col) if c.number is not None}


# ---------------------------------------------------------------- import


def import_notice(
    path: Path,
    set_id: str,
    version: date,
    *,
    issuer: str | None = None,
    mandatory: str | None = None,
    settings: Settings | None = None,
) -> ImportResult:
    """Read an official notice and build its reference version(s).

    ``issuer`` overrides the issuer read from the notice. ``mandatory`` sets the mandatory
    articles where the notice marks none (or overrides its 注): ``"1,2,4-7"``, or ``"topics"`` for
    the articles that cover a national topic ①–⑧. Every clause gets its topics predicted
    (``topics_predicted``: a person checks them). Raises DocumentError for an unreadable file and
    UsageError when the notice holds no 特記事項 section (saying where reading stopped).
    """
    settings = settings or default_settings()
    doc = load_document(path, settings)
    section = _find_section(doc, settings)
    if section is None:
        raise UsageError(f"{path}: {_no_articles(doc)}")
    warnings: list[str] = []
    name = Path(path).name
    text = doc.text
    raw_lines = [text[s.start : s.end] for forms in section.articles for s in forms[0].spans]
    width = _wrap_width(raw_lines)

    note_text = text[section.end : section.end + 3000]
    marked, note = _mandatory(note_text)
    if not marked and mandatory is None:
        warnings.append("注に必須事項の記載が見つかりません。--mandatory 1,2,4-7 か --mandatory topics で指定してください"
                        " / no mandatory items found in a 注: give --mandatory")
    types = _types_table(text)
    issuer_source = "--issuer" if issuer else ""
    if not issuer:
        issuer, issuer_source = read_issuer(note_text)
    if not issuer:
        issuer, issuer_source = read_issuer(text)
    if not issuer:
        warnings.append("発行機関が文書に見つかりません。--issuer で指定してください / issuer not named in the notice: pass --issuer")

    first, last = _line_no(text, section.articles[0][0].start), _line_no(text, section.end)
    clauses = []
    for c, *alternatives in section.articles:
        cid = str(c.number)
        a, b = _line_no(text, c.start), _line_no(text, alternatives[-1].end if alternatives else c.end)
        clauses.append(
            ReferenceClause(
                id=cid,
                label=re.sub(r"\s", "", c.label),
                title=re.sub(r"\s", "", _canonical(c.heading or "")),
                mandatory=False,
                paragraphs=_paragraphs(doc, c, width),
                types=types.get(c.number, {}),
                source=f"{name} lines {a}–{b}",
                alternatives=tuple(_paragraphs(doc, alt, width) for alt in alternatives),
            )
        )
    empty = [c.label for c in clauses if not c.paragraphs]
    if empty:  # a heading whose text the notice does not print (cut off): nothing to compare with
        warnings.append(f"本文のない条を除きました: {'、'.join(empty)} / articles without text left out")
        clauses = [c for c in clauses if c.paragraphs]
    predicted = reference_topics(clauses, section.title, load_reference_library(), settings)
    clauses = [replace(c, topics=t, topics_labelled=False) for c, t in zip(clauses, predicted)]
    if mandatory is not None:
        chosen = _mandatory_option(mandatory, clauses)
        note = f"tokki refs import --mandatory {mandatory}"
    else:
        chosen = set(marked)
    clauses = [replace(c, mandatory=int(c.id) in chosen) for c in clauses]
    missing_numbers = sorted(n for n in chosen if n > len(clauses))
    if missing_numbers:
        warnings.append(f"必須事項 {missing_numbers} に当たる条がありません / mandatory items not found as articles")
    current = ReferenceVersion(
        set_id=set_id,
        issuer=issuer or "",
        title=section.title,
        version=version.isoformat(),
        effective=version,
        superseded_on=None,
        source=f"{name} lines {first}–{last}",
        clauses=tuple(clauses),
    )
    versions = [current]
    comparison = _find_comparison(Path(path), doc)
    if comparison is not None:
        old, more = _superseded(current, comparison, name)
        versions.insert(0, old)
        warnings += more
    return ImportResult(tuple(versions), note, tuple(warnings), issuer_source)


def format_import(result: ImportResult) -> str:
    """What an import found, for the clerk to confirm before using it: issuer, title, and per
    article its label, heading, mandatory mark and predicted topics."""
    v = result.versions[-1]
    where = f"（{result.issuer_source}）" if result.issuer_source and result.issuer_source != "--issuer" else ""
    lines = [
        f"取り込んだ内容 / imported: {v.set_id}@{v.version}  {len(v.clauses)} 条",
        f"  発行機関 / issuer: {v.issuer or '不明 / unknown'}{where}",
        f"  表題 / title: {v.title or '—'}",
        f"  必須事項の根拠 / mandatory from: {result.mandatory_note or 'なし / none'}",
        "  条          見出し                          必須  論点（予測） / topics (predicted)",
    ]
    for c in v.clauses:
        topics = "".join(TOPIC_MARKS[t] for t in c.topics) or "—"
        lines.append(f"  {pad(c.label, 10)}  {pad(c.title or '—', 30)}  {'●' if c.mandatory else ' '}     {topics}")
    if len(result.versions) > 1:
        old = result.versions[0]
        lines.append(f"  新旧対照表の旧欄から / from the 旧 column: {old.set_id}@{old.version}")
    lines.append("論点は予測です。確認したら各条の topics_predicted の行を消してください"
                 " / topics are predicted: check them, then remove each topics_predicted line")
    return "\n".join(lines) + "\n"



# A municipality or prefecture as printed: kanji ending 都道府県市区町村 (「下関市」, 「中野区」,
# 「福岡県」); words that only look like one (「市町村」, 「本市」, 「当該区」) are not.
_BODY = r"[一-龥ヶケ]{1,6}?(?:都|道|府|県|市|区|町|村)"
_NOT_A_NAME = re.compile(r"^(?:都道府県|市町村|市区町村|区市町村|本|当|同|各|全|他|該|当該|この|その|貴).{0,1}$|^(?:本|当|同|各|全|他|当該)")
_ISSUER_PATTERNS = (
    # 「東大阪市（以下「甲」という。）」, 「福岡県警察本部長（以下「甲」…」: the 甲 definition.
    re.compile(rf"(?P<name>{_BODY})(?:[一-龥]{{0,8}})?[（(]以下[「『](?:甲|委託者|発注者)[」』]"),
    # 「委託者である福岡県を」 (a 注).
    re.compile(rf"委託者である(?P<name>{_BODY})"),
    # 「東大阪市個人情報保護条例」, 「中野区個人情報の保護に関する条例」: the ordinance named.
    re.compile(rf"(?P<name>{_BODY})個人情報(?:の)?保護(?:に関する)?(?:法律施行)?条例"),
    # 「愛知県における特定個人情報の取扱いに関する規程」: the body's own rules.
    re.compile(rf"(?P<name>{_BODY})における(?:特定)?個人情報"),
    # 「高松市発注の」, 「中野区が提供した」, 「堺市の」 … in the clauses.
    re.compile(rf"(?P<name>{_BODY})(?:発注|が(?:提供|保有|指定|許可)|の(?:指示|承諾|職員))"),
)


def _mandatory_option(spec: str, clauses: list[ReferenceClause]) -> set[int]:
    """``--mandatory``: 「1,2,4-7」 (article numbers and ranges) or 「topics」 (the articles covering ①–⑧)."""
    if spec.strip() == "topics":
        return {int(c.id) for c in clauses if any(t != "haken" for t in c.topics)}
    out: set[int] = set()
    for part in spec.replace("、", ",").split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:[-~～]\s*(\d+)\s*)?", part)
        if not m or (m.group(2) and int(m.group(2)) < int(m.group(1))):
            raise UsageError(
                f"--mandatory {spec}: 「1,2,4-7」（条番号と範囲）か「topics」で指定してください"
                " / give article numbers and ranges (1,2,4-7) or 'topics'"
            )
        out.update(range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1))
    return out


def read_issuer(text: str) -> tuple[str, str]:
    """(issuer, where it was read) from a notice's text: its 甲 definition, a 注's 「委託者である…」,
    the ordinance it names, a body named in its clauses; ("", "") when it names none."""
    flat = re.sub(r"\s", "", text)
    for pattern in _ISSUER_PATTERNS:
        for m in pattern.finditer(flat):
            name = m.group("name")
            if not _NOT_A_NAME.search(name) and len(name) >= 2:
                return name, m.group(0)
    return "", ""


def _flat(paragraphs: tuple[str, ...]) -> str:
    return re.sub(r"\s", "", "".join(paragraphs))


def _superseded(current: ReferenceVersion, table: _Comparison, name: str) -> tuple[ReferenceVersion, list[str]]:
    """The version before ``current``: its articles, with those the 旧 column prints replaced."""
    warnings = []
    new_cols = _column_clauses(table.new)
    old_cols = _column_clauses(table.old)
    by_number = {int(c.id): c for c in current.clauses}

    def agreeing(cols: dict[int, tuple[Clause, tuple[str, ...]]]) -> int:
        return sum(n in by_number and _flat(by_number[n].paragraphs) == _flat(p) for n, (_, p) in cols.items())

    if agreeing(old_cols) > agreeing(new_cols):  # no header, and the current text is on the right
        new_cols, old_cols = old_cols, new_cols
        table = replace(table, unchanged_new=table.unchanged_old, unchanged_old=table.unchanged_new)
    for n, (_, paragraphs) in new_cols.items():
        ref = by_number.get(n)
        if ref is None or _flat(ref.paragraphs) != _flat(paragraphs):
            warnings.append(f"新旧対照表の新 第{n} が特記事項の本文と一致しません / the 新 column of 第{n} differs from the notice's text")
    clauses = []
    for ref in current.clauses:
        n = int(ref.id)
        if n in old_cols:
            clause, paragraphs = old_cols[n]
            title = _canonical(clause.heading or "") or ref.title
            clauses.append(replace(ref, title=title, paragraphs=paragraphs, source=f"{name} 新旧対照表 lines {table.first_line}–{table.last_line} (旧)"))
        elif n in table.unchanged_old or n not in new_cols:
            clauses.append(ref)  # 「略」: unchanged
        # else: printed only in the 新 column → added by this revision
    for n in sorted(set(old_cols) - set(by_number)):
        clause, paragraphs = old_cols[n]
        clauses.append(
            ReferenceClause(f"old-{n}", f"第{n}", _canonical(clause.heading or ""), False, paragraphs, source=f"{name} 新旧対照表 (旧)")
        )
    old = replace(
        current,
        version=f"pre-{current.version}",
        effective=None,
        superseded_on=current.effective,
        source=f"{name} 新旧対照表 lines {table.first_line}–{table.last_line} (旧 column; unchanged articles from {current.source})",
        clauses=tuple(clauses),
    )
    return old, warnings


# ---------------------------------------------------------------- TOML output


def _toml_str(s: str) -> str:
    body = s.replace("\\", "\\\\").replace('"', '\\"')
    if "\n" in s:
        return '"""\n' + body + '"""'
    return '"' + body + '"'


def render_toml(v: ReferenceVersion, *, origin: str = "", mandatory_note: str = "") -> str:
    """One version as a reference file in the layout of reference_clauses/README.md."""
    out = [f"# {v.issuer} {v.title} — {v.version}", f"# tokki refs import: {origin}" if origin else "", "[reference]"]
    out += [f"id = {_toml_str(v.set_id)}", f"issuer = {_toml_str(v.issuer)}", f"title = {_toml_str(v.title)}"]
    out.append(f"version = {_toml_str(v.version)}")
    if v.effective:
        out.append(f"effective = {v.effective.isoformat()}")
    if v.superseded_on:
        out.append(f"superseded_on = {v.superseded_on.isoformat()}")
    out.append(f"source = {_toml_str(v.source)}")
    if mandatory_note:
        out.append(f"mandatory_source = {_toml_str(mandatory_note)}")
    for c in v.clauses:
        out += ["", "[[clause]]", f"id = {_toml_str(c.id)}", f"label = {_toml_str(c.label)}", f"title = {_toml_str(c.title)}"]
        out.append(f"mandatory = {'true' if c.mandatory else 'false'}")
        out.append("topics = [" + ", ".join(f'"{t}"' for t in c.topics) + "]")
        if not c.topics_labelled:
            out.append("topics_predicted = true  # predicted by tokki refs import: check, then remove this line")
        if c.types:
            out.append("types = { " + ", ".join(f'"{k}" = "{m}"' for k, m in sorted(c.types.items())) + " }")
        out.append(f"source = {_toml_str(c.source)}")
        out.append("paragraphs = [")
        out += [f"  {_toml_str(p)}," for p in c.paragraphs]
        out.append("]")
    return "\n".join(line for line in out if line is not None) + "\n"


def write_import(result: ImportResult, out_dir: Path, *, origin: str, force: bool = False) -> list[Path]:
    """Write ``<out_dir>/<id>/<version>.toml`` for every version; existing files need ``force``."""
    targets = [Path(out_dir) / v.set_id / f"{v.version}.toml" for v in result.versions]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise UsageError(f"{existing[0]}: すでにあります。上書きは --force / file exists (use --force to overwrite)")
    for v, target in zip(result.versions, targets):
        note = result.mandatory_note if any(c.mandatory for c in v.clauses) else ""
        write_atomic(target, render_toml(v, origin=origin, mandatory_note=note))
    return targets

