"""A second labelled corpus: the same clause content in the page layouts real offices produce.

    python3 benchmarks/layouts/generate.py OUT [--seed N] [--plain]

Independent of corpus/generate.py (which tests the clause *content*: deletions,
old wording, noise). This one tests *reading*: every contract carries one of
the layouts below, and the labels come from how the contract was built, never
from running tokki. OUT gets manifest.csv and labels.json in the format of
corpus/ (labels: clauses, weakened, error, reference, signed_on; no findings
or exit code), layouts.csv (id → layout, variant, content mutation, format)
and the contract files: one file per contract, or a folder with the main
contract (業務委託契約書, 第1条… with 項 numbers 「2」) and the annex as
separate files.

Reference texts are data: reference_clauses/*/*.toml (fukuoka-pref 2023-10-10
as the current text, pre-2023-10-10 for obsolete wording, fukuoka-police and
toshima 2023-04-01 for variety).

Content mutations (spread over all layouts, so every layout is seen with
clean and faulty content):

- clean — the current 福岡県 text: 19 × current;
- drop1 / drop2 — one or two clauses deleted (half of the time the rest is
  renumbered, as a clerk deleting an item does): missing, or not_applicable
  where the 類型 table marks the clause — for the contract's type;
- obsolete — the pre-2023-10-10 text: only 第15 and 第16 changed in that
  revision (できる → 行う / 求める), so only they are obsolete (and weakened);
- modified — a change of substance that keeps the strength of the duty
  (an added sentence, a narrowed noun phrase, a deleted duty object);
- weakened — a weaker duty (しなければならない → 努めるものとする, a
  prohibition turned into an effort, or 直ちに / 書面で / あらかじめ dropped):
  modified and weakened;
- police / toshima — clean annexes of the other reference sets, checked
  against that set.

Layouts (``layouts.csv``; every layout has at least two variants and two
contracts). Why offices produce them:

DOCX (python-docx, real Word structures)
 1. ``docx-table-2col`` — annex typed as a 2-column table 「第N | （見出し）本文」,
    heading and text as separate paragraphs of the cell, or on one line.
    Word users align labels and text with a table instead of tab stops.
 2. ``docx-table-labelhead`` — 「第N（見出し） | 本文」: the heading moves to the
    label column (common in 別紙 tables printed from Excel templates).
 3. ``docx-table-3col`` — 「条 | 見出し | 内容」 with a header row, headings
    without brackets: the 新旧対照表 / checklist form re-used as the annex.
 4. ``docx-table-vmerge`` — one clause over several rows (each 項 and 号 in its
    own row) with the label cell (and heading cell) merged vertically: clerks
    split long cells so Word can break the table between pages.
 5. ``docx-table-gridspan-nested`` — a title row merged across the columns
    (gridSpan) and the items of 第10 in a table nested in the clause's cell:
    the issuer's template pasted into a table of the department's form.
 6. ``numbering-<style>`` — the annex articles numbered 「1 本文」, 「１」 alone
    on a line, 「1.」, 「１．」, 「(1)」, 「⑴」, 「第1条」, 「一」, 「その1」
    instead of 第N (DOCX paragraphs or TXT in UTF-8 / CP932); headings with
    and without brackets, some with 、 or ，, sometimes on the same line as the
    text; sub-items 「(1)アクセス…」 without a space after the label. Every
    municipality re-numbers the prefecture's model in its own house style.

PDF (reportlab, CID font HeiseiMin-W3, text wrapped at 30–45 characters
with breaks anywhere inside words)
 7. ``pdf-ruled-table`` — ruled table, label/heading cell on the left and the
    wrapped clause on the right (2 and 3 columns): Word/Excel tables printed
    to PDF.
 8. ``pdf-line-numbers`` — small line numbers in the left margin (every line,
    every 5th line): drafts exported for 法規審査 / legal review.
 9. ``pdf-header-watermark`` — running header and footer (title, page X of
    N, 「写」 / 「取扱注意」 stamp) and a big diagonal grey 「複製禁止」 /
    「社外秘」 watermark drawn as text: copies handed to contractors.
10. ``pdf-rotate90`` — annex pages with /Rotate 90 whose content is drawn so
    it reads upright on screen (a landscape annex saved by a scanner driver
    or a print-to-PDF of a rotated page); ``pdf-sideways`` — a landscape
    page (MediaBox wider than tall) with the text drawn rotated 90°: an A4
    portrait annex pasted sideways into a landscape file.
11. ``pdf-two-columns`` — two columns of text on a landscape or A4 page:
    gazette (公報) style and booklet prints of the 要綱.
12. ``pdf-title-label-line`` — the annex title and the first label on one
    line (「別記　保有個人情報取扱特記事項　第1　基本的事項」): a template
    whose title paragraph lost its line break.
13. ``pdf-stamp-only`` — an image-only scan whose only text is a 「写」 stamp
    and a page number added by the copier (error ``ocr_required``);
    ``pdf-stamp-page`` — such a page inside an otherwise text PDF (a signed
    page scanned back in): readable, clauses labelled as built.

``--plain`` writes every readable contract instead as one TXT with its annex in
the canonical form (第N（見出し）, 「2」 paragraphs, 「一」 items), same ids
and labels: tokki on it must be all right, which checks the labels
independently of the layout readers.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = ROOT / "reference_clauses"
REVISION = "2023-10-10"  # fukuoka-pref: the revised 特記事項 applies from this date

FONT = "HeiseiMin-W3"
FW = str.maketrans("0123456789", "０１２３４５６７８９")
KANJI = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
         "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十", "二十一"]
KATAKANA = "アイウエオカキクケコ"
CIRCLED_PAREN = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"


# --- reference data ------------------------------------------------------------------------------

def load_reference(ref_id: str, version: str) -> dict:
    return tomllib.loads((REFERENCES / ref_id / f"{version}.toml").read_text("utf-8"))


def latest_version(ref_id: str) -> str:
    versions = [tomllib.loads(p.read_text("utf-8"))["reference"] for p in (REFERENCES / ref_id).glob("*.toml")]
    return str(max(versions, key=lambda v: str(v.get("effective", "")))["version"])


@dataclass
class Article:
    cid: str  # the reference clause id: identity for the labels, never printed
    title: str  # heading without brackets
    paragraphs: list[str]  # one per 項; item lines (号) follow the paragraph's first line after "\n"


def articles_of(ref_id: str, version: str) -> list[Article]:
    return [Article(c["id"], c["title"], list(c["paragraphs"])) for c in load_reference(ref_id, version)["clause"]]


PREF_CURRENT = load_reference("fukuoka-pref", "2023-10-10")
TYPES = {c["id"]: c["types"] for c in PREF_CURRENT["clause"]}
MANDATORY = [c["id"] for c in PREF_CURRENT["clause"] if c["mandatory"]]
OPTIONAL = [c["id"] for c in PREF_CURRENT["clause"] if not c["mandatory"]]

# Changes of substance that keep the strength of every sentence: (clause, old, new). Each is asserted to apply.
MODIFY = [
    ("18", "確実な方法により運搬しなければならない。",
     "確実な方法により運搬しなければならない。運搬の記録は、契約期間の満了後3年間保存するものとする。"),
    ("8", "目的以外の目的に利用し、又は提供してはならない。", "目的以外の目的に利用してはならない。"),
    ("11", "在職中及び退職後において", "在職中において"),
    ("9", "復元又は判読が不可能な方法により", "乙が適当と認める方法により"),
    ("17", "取扱状況を記録し、甲に報告するものとする。", "取扱状況を記録するものとする。"),
    ("4", "この契約が終了し、又は解除された後においても、同様とする。", ""),
]
# Weaker duties: (clause, old, new). The clause is modified and carries a weakened finding.
WEAKEN = [
    # An exception added to a prohibition (issue 18: a lawyer reads it as weaker).
    ("12", "第三者にその取扱いを委託してはならない。",
     "第三者にその取扱いを委託してはならない。ただし、乙の子会社に委託する場合は、この限りでない。"),
    ("1", "適切な措置を講じなければならない。", "適切な措置を講じるよう努めるものとする。"),
    ("5", "適法かつ公正な手段により収集しなければならない。", "適法かつ公正な手段により収集するよう努めなければならない。"),
    ("18", "確実な方法により運搬しなければならない。", "確実な方法により運搬するよう努めるものとする。"),
    ("9", "記録媒体の廃棄等を行わなければならない。", "記録媒体の廃棄等を行うよう努めるものとする。"),
    ("13", "事務完了後直ちに甲に返還し", "事務完了後甲に返還し"),
    ("14", "甲に書面で報告するものとする。", "甲に報告するものとする。"),
    ("6", "保管場所の外へ持ち出してはならない。", "保管場所の外へ持ち出さないよう努めるものとする。"),
    ("3", "あらかじめ甲の承諾を得るものとする。", "甲の承諾を得るものとする。"),
]
# Headings written with 、 or ，by some offices (headings are not compared: same clause).
HEADING_VARIANTS = {"7": "複写、複製等の禁止", "19": "契約解除，損害賠償", "8": "利用、提供の制限"}


# --- contracts -----------------------------------------------------------------------------------

@dataclass
class Contract:
    id: str
    layout: str
    variant: str
    fmt: str  # docx / pdf / txt
    mutation: str = "clean"
    type: str = "1"
    signed_on: str = "2024-04-01"
    reference: str = "fukuoka-pref"
    auto_reference: bool = False  # manifest reference left empty (the text is clearly this set)
    placement: str = "annex"  # annex (annex alone) / body (body then annex, one file) / folder (two files)
    articles: list[Article] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # printed article numbers
    status: dict[str, str] = field(default_factory=dict)
    weakened: list[str] = field(default_factory=list)
    error: str | None = None
    chars: int = 38  # PDF wrap width
    style: str = ""  # numbering style (layout 6)
    encoding: str = "utf-8"
    annex_title: str = "保有個人情報取扱特記事項"

    def label(self) -> dict:
        if self.error:
            return {"clauses": {}, "weakened": [], "error": self.error, "reference": None, "signed_on": None}
        return {"clauses": self.status, "weakened": sorted(self.weakened, key=int), "error": None,
                "reference": f"{self.reference}@{latest_version(self.reference)}", "signed_on": self.signed_on}


def _date(rng: random.Random, before: bool | None = None) -> str:
    if before is None:
        before = rng.random() < 0.25
    if before:
        return f"2023-{rng.randint(4, 9):02d}-{rng.randint(1, 28):02d}"
    year = rng.choice([2023, 2024, 2024, 2025])
    month = rng.randint(11, 12) if year == 2023 else rng.randint(1, 12)
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def _edit(articles: list[Article], cid: str, old: str, new: str) -> None:
    art = next(a for a in articles if a.cid == cid)
    hits = [i for i, p in enumerate(art.paragraphs) if old in p]
    assert len(hits) == 1, f"edit of 第{cid} does not apply: {old}"
    art.paragraphs[hits[0]] = art.paragraphs[hits[0]].replace(old, new)


def apply_mutation(c: Contract, rng: random.Random) -> None:
    """Fill articles, printed numbers and labels for the contract's mutation (labels from construction)."""
    m = c.mutation
    if m == "police":
        c.reference = "fukuoka-police"
        c.articles = articles_of("fukuoka-police", "2023-11-29")
    elif m == "toshima":
        c.reference, c.annex_title = "toshima", "個人情報特記事項"
        c.articles = articles_of("toshima", "2023-04-01")
    elif m == "obsolete":
        c.articles = articles_of("fukuoka-pref", "pre-2023-10-10")
        c.signed_on = _date(rng, before=rng.random() < 0.5)
    else:
        c.articles = articles_of("fukuoka-pref", "2023-10-10")
    c.status = {a.cid: "current" for a in c.articles}
    c.numbers = list(range(1, len(c.articles) + 1))
    if m == "obsolete":
        # Only 第15 and 第16 changed in the 2023-10-10 revision (できる → 行う / 求める).
        c.status.update({"15": "obsolete", "16": "obsolete"})
        c.weakened = ["15", "16"]
    elif m in ("drop1", "drop2"):
        n = 1 if m == "drop1" else 2
        if rng.random() < 0.5:  # a clause the type marks —: not_applicable
            c.type = rng.choice("34") if n == 1 else "3"  # type 4 marks only 第7 —
            pool = [cid for cid in OPTIONAL if TYPES[cid][c.type] == "—"]
        else:
            pool = [cid for cid in TYPES if cid != "1"]
        dropped = rng.sample(pool, n)
        for cid in dropped:
            c.status[cid] = "not_applicable" if TYPES[cid][c.type] == "—" else "missing"
        c.articles = [a for a in c.articles if a.cid not in dropped]
        if rng.random() < 0.5:
            c.numbers = list(range(1, len(c.articles) + 1))  # renumbered
        else:
            c.numbers = [int(a.cid) for a in c.articles]
    elif m == "modified":
        cid, old, new = rng.choice(MODIFY)
        _edit(c.articles, cid, old, new)
        c.status[cid] = "modified"
    elif m == "weakened":
        cid, old, new = rng.choice(WEAKEN)
        _edit(c.articles, cid, old, new)
        c.status[cid] = "modified"
        c.weakened = [cid]


# --- text forms of an article --------------------------------------------------------------------

def split_items(paragraph: str) -> tuple[str, list[tuple[str, str]]]:
    """(first line, [(item label, item text)]) of a paragraph; labels as in the reference (一, （1）, ア)."""
    first, *items = paragraph.split("\n")
    out = []
    for line in items:
        label, _, text = line.partition(" ")
        out.append((label, text))
    return first, out


def item_label(label: str, style: str) -> str:
    """The item label re-styled: kanji 一… become (1) or ア in house styles that use kanji for articles."""
    if label in KANJI and style in ("paren", "katakana"):
        n = KANJI.index(label)
        return f"({n})" if style == "paren" else KATAKANA[n - 1]
    return label


def para_label(k: int, fullwidth: bool) -> str:
    return str(k).translate(FW) if fullwidth else str(k)


def canonical_lines(c: Contract, sep: str = "　") -> list[str]:
    """The annex as plain logical lines: 第N（見出し）, paragraphs 「2」, items 「一」 (``sep`` after the item label)."""
    jo = c.reference == "toshima"
    out = ["別記", c.annex_title]
    for a, n in zip(c.articles, c.numbers):
        out.append(f"第{n}{'条' if jo else ''}（{a.title}）")
        for k, p in enumerate(a.paragraphs, start=1):
            first, items = split_items(p)
            out.append(first if k == 1 else f"{k}　{first}")
            out.extend(f"{lab}{sep}{text}" for lab, text in items)
    return out


def label_text(c: Contract, n: int) -> str:
    return f"第{n}条" if c.reference == "toshima" else f"第{n}"


# --- main contract body --------------------------------------------------------------------------

WAREKI = lambda d: "令和{}年{}月{}日".format(int(d[:4]) - 2018, int(d[5:7]), int(d[8:10]))  # noqa: E731

BODY_ARTICLES = [
    ("総則", ["甲及び乙は、この契約書に定めるもののほか、別添の仕様書に従い、法令を遵守し、この契約を誠実に履行しなければならない。"]),
    ("委託業務", ["甲は、{work}（以下「委託業務」という。）を乙に委託し、乙はこれを受託する。"]),
    ("履行期間", ["履行期間は、{start}から{end}までとする。"]),
    ("委託料", ["委託料は、金{fee}円（うち取引に係る消費税及び地方消費税の額金{tax}円）とする。",
               "乙は、委託業務が完了したときは、前項の委託料の支払を甲に請求するものとする。"]),
    ("権利義務の譲渡等の禁止", ["乙は、この契約により生ずる権利又は義務を第三者に譲渡し、又は承継させてはならない。ただし、あらかじめ甲の書面による承諾を得たときは、この限りでない。"]),
    ("監督", ["甲は、委託業務の適正な履行を確保するため、監督職員を定め、乙に通知するものとする。",
             "監督職員は、必要があると認めるときは、乙に対し委託業務の実施について指示をすることができる。"]),
    ("検査", ["乙は、委託業務を完了したときは、遅滞なく業務完了届を甲に提出しなければならない。",
             "甲は、前項の届出を受けたときは、その日から起算して10日以内に検査を行うものとする。"]),
    ("個人情報の保護", ["乙は、この契約による業務を処理するための個人情報の取扱いについては、別記「{title}」を守らなければならない。"]),
    ("契約の解除", ["甲は、乙がこの契約に違反したときは、この契約を解除することができる。"]),
    ("協議", ["この契約に定めのない事項及びこの契約に関し疑義が生じた事項については、甲乙協議の上、定めるものとする。"]),
]
WORKS = ["県民意識調査データ入力業務", "健康診断結果通知書作成業務", "庁舎総合管理業務", "税務システム保守業務",
         "コールセンター運営業務", "介護認定調査票印刷業務"]


def body_lines(c: Contract, rng: random.Random) -> list[str]:
    """A short 業務委託契約書 (第1条… with 「2」 paragraphs), closing with the signing date."""
    year = int(c.signed_on[:4])
    fee = rng.randint(12, 95) * 110000
    fill = {"work": rng.choice(WORKS), "start": WAREKI(c.signed_on), "end": f"令和{year - 2018 + 1}年3月31日",
            "fee": f"{fee:,}", "tax": f"{fee // 11:,}", "title": c.annex_title}
    out = ["業務委託契約書", "",
           "　福岡県（以下「甲」という。）と株式会社みらい情報サービス（以下「乙」という。）とは、次の条項により業務委託契約を締結する。"]
    for n, (title, paras) in enumerate(BODY_ARTICLES, start=1):
        out.append(f"（{title}）")
        for k, p in enumerate(paras, start=1):
            out.append((f"第{n}条　" if k == 1 else f"{k}　") + p.format(**fill))
    out += ["　この契約の締結を証するため、本書2通を作成し、甲乙記名押印の上、各自1通を保有する。", "",
            WAREKI(c.signed_on), "甲　福岡県福岡市博多区東公園7番7号", "　　福岡県知事　○○　○○",
            "乙　福岡県福岡市中央区天神1丁目1番1号", "　　株式会社みらい情報サービス", "　　代表取締役　○○　○○"]
    return out


# --- TXT -----------------------------------------------------------------------------------------

def numbered_lines(c: Contract, rng: random.Random) -> list[str]:
    """The annex in a house numbering style (layout 6): the article label replaced by the style's."""
    style = c.style
    bracket = rng.random() < 0.6
    inline_heading = rng.random() < 0.35  # heading and text on one line
    # items: 「(1)アクセス…」 (no space) or 「一　…」; ア where the articles themselves are (1) / ⑴
    items_style = {"kanji": "paren", "paren": "katakana", "uparen": "katakana"}.get(style) or rng.choice(["kanji", "paren"])
    fw_para = rng.random() < 0.5
    out = ["別記", c.annex_title, ""]
    for a, n in zip(c.articles, c.numbers):
        title = HEADING_VARIANTS.get(a.cid, a.title) if rng.random() < 0.5 else a.title
        head = f"（{title}）" if bracket else title
        # a heading on the text's line is always bracketed: 「（基本的事項）乙は、…」 (unbracketed and glued
        # to the text, 「基本的事項乙は、…」, no reader could tell where it ends, and no office prints it)
        inline = f"（{title}）"
        lab = {"arabic": str(n), "fullwidth": str(n).translate(FW), "dot": f"{n}.", "fwdot": f"{str(n).translate(FW)}．",
               "paren": f"({n})", "uparen": CIRCLED_PAREN[n - 1], "jo": f"第{n}条", "kanji": KANJI[n],
               "sono": f"その{n}"}[style]
        first_para = []
        for k, p in enumerate(a.paragraphs, start=1):
            first, items = split_items(p)
            if k == 1:
                first_para.append(first)
            else:
                first_para.append(f"{para_label(k, fw_para)}　{first}")
            for lab_i, text in items:
                li = item_label(lab_i, items_style)
                # sub-items written without a space after a bracketed label: 「(1)アクセス…」
                first_para.append(f"{li}{text}" if li.startswith("(") else f"{li}　{text}")
        if style == "arabic":  # law style: heading line, then 「1　本文」
            out.append(f"（{title}）")
            out.append(f"{lab}　{first_para[0]}")
        elif style == "fullwidth":  # 「１」 alone on a line
            out.append(lab)
            out.append(f"{inline}{first_para[0]}" if inline_heading else head)
            if not inline_heading:
                out.append(first_para[0])
        elif inline_heading:
            out.append(f"{lab}{'' if style in ('dot', 'fwdot', 'paren', 'uparen') else '　'}{inline}{first_para[0]}")
        else:
            out.append(f"{lab}　{head}")
            out.append(first_para[0])
        out.extend(first_para[1:])
    return out


def write_txt(path: Path, lines: list[str], encoding: str) -> str:
    text = "\r\n".join(lines) + "\r\n" if encoding == "cp932" else "\n".join(lines) + "\n"
    try:
        path.write_bytes(text.encode(encoding))
        return encoding
    except UnicodeEncodeError:  # ⑴ is not in CP932: such a file stays UTF-8
        path.write_bytes(text.encode("utf-8"))
        return "utf-8"


# --- DOCX ----------------------------------------------------------------------------------------

def _docx_modules():
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    return docx, WD_BREAK, qn, Mm, Pt


def _font(run, name: str, size: float) -> None:
    _, _, qn, _, Pt = _docx_modules()
    run.font.size = Pt(size)
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(container, text: str, font: tuple[str, float], bold: bool = False, first: bool = False):
    """Add a paragraph to a document or cell (``first``: reuse the cell's empty first paragraph)."""
    p = container.paragraphs[0] if first and container.paragraphs and not container.paragraphs[0].text else container.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    _font(run, *font)
    return p


def _new_document(font: tuple[str, float]):
    docx, *_ = _docx_modules()
    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.size = _docx_modules()[4](font[1])
    style.font.name = font[0]
    style.element.get_or_add_rPr().get_or_add_rFonts().set(_docx_modules()[2]("w:eastAsia"), font[0])
    return doc


def _borders(table) -> None:
    try:
        table.style = "Table Grid"
    except KeyError:
        pass


def _col_widths(table, widths_mm: list[float]) -> None:
    Mm = _docx_modules()[3]
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)


def _clause_rows(a: Article, style: str = "kanji") -> list[str]:
    """Paragraph and item lines of a clause: 「2　…」, 「一　…」."""
    out = []
    for k, p in enumerate(a.paragraphs, start=1):
        first, items = split_items(p)
        out.append(first if k == 1 else f"{k}　{first}")
        out.extend(f"{item_label(lab, style)}　{text}" for lab, text in items)
    return out


def docx_annex(doc, c: Contract, rng: random.Random, font: tuple[str, float]) -> None:
    """Write the annex of ``c`` into ``doc`` in the contract's DOCX layout."""
    lay, var = c.layout, c.variant
    _para(doc, "別記", font)
    small = (font[0], font[1] - 1)
    if lay != "docx-table-gridspan-nested":
        _para(doc, c.annex_title, (font[0], font[1] + 2), bold=True)
    if lay == "docx-table-2col":
        t = doc.add_table(rows=0, cols=2)
        _borders(t)
        for a, n in zip(c.articles, c.numbers):
            row = t.add_row().cells
            _para(row[0], label_text(c, n), font, first=True)
            lines = _clause_rows(a)
            if var == "heading-para":
                _para(row[1], f"（{a.title}）", font, first=True)
                for line in lines:
                    _para(row[1], line, font)
            else:  # heading-inline: 「（見出し）乙は、…」 in one paragraph
                _para(row[1], f"（{a.title}）{lines[0]}", font, first=True)
                for line in lines[1:]:
                    _para(row[1], line, font)
        _col_widths(t, [18, 150] if var == "heading-para" else [14, 156])
    elif lay == "docx-table-labelhead":
        t = doc.add_table(rows=0, cols=2)
        _borders(t)
        for a, n in zip(c.articles, c.numbers):
            row = t.add_row().cells
            if var == "brackets":
                _para(row[0], f"{label_text(c, n)}（{a.title}）", font, first=True)
            else:  # label and heading on two lines of the cell, no brackets, smaller font
                _para(row[0], label_text(c, n).translate(FW), small, first=True)
                _para(row[0], a.title, small)
            for i, line in enumerate(_clause_rows(a)):
                _para(row[1], line, font if var == "brackets" else small, first=i == 0)
        _col_widths(t, [45, 125] if var == "brackets" else [30, 140])
    elif lay == "docx-table-3col":
        t = doc.add_table(rows=1, cols=3)
        _borders(t)
        for cell, head in zip(t.rows[0].cells, ["条", "見出し", "内容"]):
            _para(cell, head, font, bold=True, first=True)
        for a, n in zip(c.articles, c.numbers):
            row = t.add_row().cells
            lab = label_text(c, n)
            _para(row[0], lab.translate(FW) if var == "fullwidth-labels" else lab, font, first=True)
            _para(row[1], a.title, font, first=True)
            for i, line in enumerate(_clause_rows(a)):
                _para(row[2], line, font, first=i == 0)
        _col_widths(t, [16, 36, 118])
    elif lay == "docx-table-vmerge":
        cols = 2 if var == "2col" else 3
        t = doc.add_table(rows=0, cols=cols)
        _borders(t)
        for a, n in zip(c.articles, c.numbers):
            lines = _clause_rows(a)
            start = len(t.rows)
            for line in lines:
                row = t.add_row().cells
                _para(row[cols - 1], line, font, first=True)
            top = t.cell(start, 0)
            if cols == 2:
                _para(top, f"{label_text(c, n)}", font, first=True)
                _para(top, f"（{a.title}）", font)
            else:
                _para(top, label_text(c, n), font, first=True)
                _para(t.cell(start, 1), a.title, font, first=True)
            if len(lines) > 1:  # vertical merge of the label (and heading) cells over the clause's rows
                for col in range(cols - 1):
                    t.cell(start, col).merge(t.cell(len(t.rows) - 1, col))
        _col_widths(t, [28, 142] if cols == 2 else [14, 34, 122])
    elif lay == "docx-table-gridspan-nested":
        cols = 2 if var == "2col" else 3
        t = doc.add_table(rows=1, cols=cols)
        _borders(t)
        title = t.cell(0, 0).merge(t.cell(0, cols - 1))  # gridSpan title row
        _para(title, c.annex_title, (font[0], font[1] + 1), bold=True, first=True)
        for a, n in zip(c.articles, c.numbers):
            row = t.add_row().cells
            _para(row[0], label_text(c, n), font, first=True)
            if cols == 3:
                _para(row[1], a.title, font, first=True)
                cell = row[2]
            else:
                cell = row[1]
                _para(cell, f"（{a.title}）", font, first=True)
            for k, p in enumerate(a.paragraphs, start=1):
                first, items = split_items(p)
                _para(cell, first if k == 1 else f"{k}　{first}", font, first=True)
                if items:  # the items of the paragraph in a table nested in the cell
                    inner = cell.add_table(rows=len(items), cols=2)
                    _borders(inner)
                    for r, (lab, text) in enumerate(items):
                        _para(inner.cell(r, 0), lab, small, first=True)
                        _para(inner.cell(r, 1), text, small, first=True)
        _col_widths(t, [22, 148] if cols == 2 else [16, 34, 120])
    else:  # numbering styles as paragraphs
        for line in numbered_lines(c, rng)[2:]:
            _para(doc, line, font)


def write_docx(path: Path, c: Contract, rng: random.Random, with_body: bool, body_only: bool = False) -> None:
    _, WD_BREAK, _, Mm, _ = _docx_modules()
    font = rng.choice([("ＭＳ 明朝", 10.5), ("游明朝", 10.5), ("ＭＳ ゴシック", 10.0), ("ＭＳ 明朝", 11.0)])
    doc = _new_document(font)
    sec = doc.sections[0]
    sec.left_margin = sec.right_margin = Mm(rng.choice([20, 25, 30]))
    if with_body or body_only:
        for line in body_lines(c, rng):
            _para(doc, line, font)
        if not body_only:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    if not body_only:
        docx_annex(doc, c, rng, font)
    doc.core_properties.author = "福岡県"
    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(buf.getvalue())


# --- PDF -----------------------------------------------------------------------------------------

A4W, A4H = 595.2756, 841.8898
# Text drawn with fill+stroke and a hairline stroke: the CID font is not embedded, and pdfium drops
# zero-width glyph boxes of a one-character text object on machines without a Japanese font; a
# stroked object's box keeps its width (the same reason as the project's own PDF test builder).
STROKE = 0.05


def wrap(line: str, width: int) -> list[str]:
    """Hard-wrap at ``width`` characters, anywhere (Japanese typesetting breaks inside words)."""
    return [line[i:i + width] for i in range(0, len(line), width)] or [""]


def wrap_all(lines: list[str], width: int) -> list[str]:
    return [piece for line in lines for piece in wrap(line, width)]


class Pdf:
    def __init__(self, path: Path, size=(A4W, A4H)):
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen.canvas import Canvas
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        # a path, or a binary file object (benchmarks/scans renders the PDF in memory)
        self.c = Canvas(path if hasattr(path, "write") else str(path), pagesize=size, invariant=1)
        self.size = size
        self.begin(size)

    def begin(self, size, rotation: int = 0) -> None:
        self.c.setPageSize(size)
        self.c.setPageRotation(rotation)
        self.size = size
        self.c.setLineWidth(STROKE)

    def text(self, x: float, y: float, s: str, size: float = 10.5, grey: float = 0.0) -> None:
        if not s:
            return
        self.c.setFont(FONT, size)
        self.c.setFillGray(grey)
        self.c.setStrokeGray(grey)
        self.c.setLineWidth(STROKE)
        self.c.drawString(x, y, s, mode=2)
        self.c.setFillGray(0)
        self.c.setStrokeGray(0)

    def next_page(self) -> None:
        self.c.showPage()

    def save(self) -> None:
        self.c.save()


def paginate(lines: list[str], per_page: int) -> list[list[str]]:
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]


def draw_flow(pdf: Pdf, lines: list[str], *, x0: float = 70, top: float = A4H - 80, leading: float = 17,
              size: float = 10.5) -> None:
    y = top
    for line in lines:
        pdf.text(x0, y, line, size)
        y -= leading


def pdf_body_pages(pdf: Pdf, c: Contract, rng: random.Random) -> None:
    """The main contract, plain pages (its layout is not under test)."""
    lines = wrap_all(body_lines(c, rng), 40)
    for page in paginate(lines, 38):
        pdf.begin((A4W, A4H))
        draw_flow(pdf, page, top=A4H - 70, leading=18)
        pdf.next_page()


def annex_flow_lines(c: Contract) -> list[str]:
    """Logical annex lines for the flowing PDF layouts: 第N（見出し） on its own line."""
    return canonical_lines(c)


def scan_image(seed: int, size=(595, 842)):
    """A grey page with black bars where lines of text would be, like a photocopy."""
    from PIL import Image, ImageDraw
    img = Image.new("L", size, 232)
    d = ImageDraw.Draw(img)
    r = random.Random(seed)
    y = 110
    while y < size[1] - 90:
        d.rectangle([72, y, 72 + r.randint(250, size[0] - 150), y + 8], fill=20)
        y += 21
    d.ellipse([size[0] - 170, size[1] - 170, size[0] - 110, size[1] - 110], outline=60, width=3)  # a seal
    return img


def draw_scan_page(pdf: Pdf, seed: int, stamp: str, page_no: str) -> None:
    from reportlab.lib.utils import ImageReader
    pdf.begin((A4W, A4H))
    pdf.c.drawImage(ImageReader(scan_image(seed)), 0, 0, width=A4W, height=A4H)
    pdf.c.rect(A4W - 90, A4H - 70, 40, 40)
    pdf.text(A4W - 82, A4H - 60, stamp, 22)
    pdf.text(A4W / 2 - 12, 28, page_no, 9)
    pdf.next_page()


def pdf_ruled_table(pdf: Pdf, c: Contract, three: bool) -> None:
    size, lead = 9.5, 13.5
    cw = min(c.chars, 38) if three else c.chars
    x0, right = 50, A4W - 45
    text_w = cw * size + 8
    if three:
        cols = [x0, x0 + 36, x0 + 36 + 90]
    else:
        cols = [x0, right - text_w]
    cols.append(right)
    top_y, bottom_y = A4H - 60, 50

    def header(y):
        pdf.text(x0, y + 22, "別記", size)
        pdf.text(x0 + 150, y + 22, c.annex_title, size + 2)
        if three:
            pdf.c.rect(x0, y - 16, right - x0, 16)
            for x, h in zip(cols, ["条", "見出し", "内容"]):
                pdf.text(x + 4, y - 12, h, size)
            for x in cols[1:-1]:
                pdf.c.line(x, y, x, y - 16)
            return y - 16
        return y

    pdf.begin((A4W, A4H))
    y = header(top_y - 20)
    for a, n in zip(c.articles, c.numbers):
        body = wrap_all(_clause_rows(a), cw)
        if three:
            left = [[label_text(c, n)], wrap(a.title, 7)]
        else:
            left = [[label_text(c, n), *wrap(f"（{a.title}）", int((cols[1] - cols[0] - 8) // size))]]
        rows = max(len(body), *(len(x) for x in left))
        height = rows * lead + 8
        if y - height < bottom_y:
            pdf.next_page()
            pdf.begin((A4W, A4H))
            y = header(top_y - 20) if three else top_y
        pdf.c.rect(x0, y - height, right - x0, height)
        for x in cols[1:-1]:
            pdf.c.line(x, y, x, y - height)
        for col, cell in enumerate(left):
            for i, line in enumerate(cell):
                pdf.text(cols[col] + 4, y - 4 - (i + 1) * lead + 3, line, size)
        for i, line in enumerate(body):
            pdf.text(cols[-2] + 4, y - 4 - (i + 1) * lead + 3, line, size)
        y -= height
    pdf.next_page()


def pdf_line_numbers(pdf: Pdf, c: Contract, every: int) -> None:
    lines = wrap_all(annex_flow_lines(c), c.chars)
    per = 40
    count = 0
    for page in paginate(lines, per):
        pdf.begin((A4W, A4H))
        y = A4H - 75
        for line in page:
            count += 1
            if count % every == 0:
                pdf.text(40, y, str(count), 6.5, grey=0.35)
            pdf.text(72, y, line, 10)
            y -= 17.5
        pdf.next_page()


def pdf_header_watermark(pdf: Pdf, c: Contract, variant: str) -> None:
    lines = wrap_all(annex_flow_lines(c), c.chars)
    pages = paginate(lines, 34)
    stamp, mark = ("写", "複製禁止") if variant == "copy-stamp" else ("取扱注意", "社外秘")
    for i, page in enumerate(pages, start=1):
        pdf.begin((A4W, A4H))

        def watermark():
            pdf.c.saveState()
            pdf.c.translate(A4W / 2, A4H / 2)
            pdf.c.rotate(45)
            pdf.text(-2.0 * 60, -30, mark, 60, grey=0.85)
            pdf.c.restoreState()

        if variant == "copy-stamp":
            watermark()  # under the text
        pdf.text(60, A4H - 40, f"{c.annex_title}（{WAREKI(c.signed_on)}契約）", 8)
        pdf.c.rect(A4W - 110, A4H - 52, 50 if len(stamp) > 1 else 26, 22)
        pdf.text(A4W - 105, A4H - 45, stamp, 11)
        draw_flow(pdf, page, x0=72, top=A4H - 90, leading=19)
        footer = f"{i} / {len(pages)}" if variant == "copy-stamp" else f"- {i} -（全{len(pages)}頁）"
        pdf.text(A4W / 2 - 20, 30, footer, 8)
        if variant != "copy-stamp":
            watermark()  # over the text
        pdf.next_page()


def pdf_rotate90(pdf: Pdf, c: Contract, variant: str) -> None:
    """Pages with /Rotate 90 whose content is drawn turned, so that it reads upright on screen."""
    lines = wrap_all(annex_flow_lines(c), c.chars)
    pages = paginate(lines, 36)
    for i, page in enumerate(pages):
        rotated = variant == "all-annex-pages" or i == 1
        if not rotated:
            pdf.begin((A4W, A4H))
            draw_flow(pdf, page, top=A4H - 80, leading=18)
            pdf.next_page()
            continue
        # reportlab writes a rotated page's MediaBox swapped: A4H wide, A4W tall (landscape), shown
        # as an A4 portrait page once the viewer turns it clockwise. A displayed point (u, v) is the
        # MediaBox point (A4H - v, u): draw in a frame translated to (A4H, 0) and turned 90°.
        pdf.begin((A4W, A4H), rotation=90)
        pdf.c.saveState()
        pdf.c.translate(A4H, 0)
        pdf.c.rotate(90)
        draw_flow(pdf, page, top=A4H - 80, leading=18)
        pdf.c.restoreState()
        pdf.next_page()


def pdf_sideways(pdf: Pdf, c: Contract, variant: str) -> None:
    """A landscape MediaBox whose text is drawn turned 90° (an A4 portrait page pasted sideways)."""
    lines = wrap_all(annex_flow_lines(c), c.chars)
    for page in paginate(lines, 36):
        pdf.begin((A4H, A4W))
        pdf.c.saveState()
        if variant == "ccw":  # text runs bottom to top
            pdf.c.translate(A4H, 0)
            pdf.c.rotate(90)
        else:  # text runs top to bottom
            pdf.c.translate(0, A4W)
            pdf.c.rotate(-90)
        # now a portrait frame of A4W × A4H
        y = A4H - 80
        for line in page:
            pdf.text(70, y, line, 10.5)
            y -= 18
        pdf.c.restoreState()
        pdf.next_page()


def pdf_two_columns(pdf: Pdf, c: Contract, variant: str) -> None:
    if variant == "landscape":
        size, (w, h), width, lead, per = 10.0, (A4H, A4W), min(c.chars, 36), 15, 30
    else:
        size, (w, h), width, lead, per = 7.6, (A4W, A4H), 30, 12, 56
    lines = wrap_all(annex_flow_lines(c), width)
    gap = 26
    col_w = width * size
    x_left = (w - 2 * col_w - gap) / 2
    for page in paginate(lines, 2 * per):
        pdf.begin((w, h))
        for col, chunk in enumerate((page[:per], page[per:])):
            draw_flow(pdf, chunk, x0=x_left + col * (col_w + gap), top=h - 60, leading=lead, size=size)
        pdf.c.line(w / 2, h - 50, w / 2, 50)
        pdf.next_page()


def pdf_title_label_line(pdf: Pdf, c: Contract, variant: str) -> None:
    a, n = c.articles[0], c.numbers[0]
    if variant == "plain-heading":
        first = f"別記　{c.annex_title}　{label_text(c, n)}　{a.title}"
    else:
        first = f"（別記）{c.annex_title}　{label_text(c, n)}（{a.title}）"
    rest = canonical_lines(c)[3:]  # everything after 「第1（見出し）」
    lines = [first] + wrap_all(rest, c.chars)
    for page in paginate(lines, 38):
        pdf.begin((A4W, A4H))
        draw_flow(pdf, page, top=A4H - 72, leading=18)
        pdf.next_page()


def write_pdf(path: Path, c: Contract, rng: random.Random, with_body: bool, body_only: bool = False) -> None:
    pdf = Pdf(path)
    if with_body or body_only:
        pdf_body_pages(pdf, c, rng)
    if body_only:
        pdf.save()
        return
    lay, var = c.layout, c.variant
    if lay == "pdf-ruled-table":
        pdf_ruled_table(pdf, c, three=var == "3col")
    elif lay == "pdf-line-numbers":
        pdf_line_numbers(pdf, c, 1 if var == "every-line" else 5)
    elif lay == "pdf-header-watermark":
        pdf_header_watermark(pdf, c, var)
    elif lay == "pdf-rotate90":
        pdf_rotate90(pdf, c, var)
    elif lay == "pdf-sideways":
        pdf_sideways(pdf, c, var)
    elif lay == "pdf-two-columns":
        pdf_two_columns(pdf, c, var)
    elif lay == "pdf-title-label-line":
        pdf_title_label_line(pdf, c, var)
    elif lay == "pdf-stamp-page":
        lines = wrap_all(annex_flow_lines(c), c.chars)
        pages = paginate(lines, 36)
        at = 1 if var == "middle" else len(pages)  # the scanned page: inside, or after the last
        for i, page in enumerate(pages):
            if i == at:
                draw_scan_page(pdf, rng.randint(0, 999), "写", f"- {i + 1} -")
            pdf.begin((A4W, A4H))
            draw_flow(pdf, page, top=A4H - 80, leading=18)
            pdf.text(A4W / 2 - 10, 30, f"- {i + 1 + (i > at)} -", 9)
            pdf.next_page()
        if at == len(pages):
            draw_scan_page(pdf, rng.randint(0, 999), "写", f"- {at + 1} -")
    elif lay == "pdf-stamp-only":
        stamp = "写" if var == "copy" else "原本"
        for i in range(rng.randint(2, 3)):
            draw_scan_page(pdf, rng.randint(0, 999), stamp, f"{i + 1}")
    else:
        raise ValueError(lay)
    pdf.save()


# --- the plan ------------------------------------------------------------------------------------

NUMBER_STYLES = ["arabic", "fullwidth", "dot", "fwdot", "paren", "uparen", "jo", "kanji", "sono"]
# (layout, [variants], format): each layout gets its variants in turn over its contracts.
LAYOUTS = [
    ("docx-table-2col", ["heading-para", "heading-inline"], "docx", 3),
    ("docx-table-labelhead", ["brackets", "no-brackets-smallfont"], "docx", 3),
    ("docx-table-3col", ["fullwidth-labels", "ascii-labels"], "docx", 3),
    ("docx-table-vmerge", ["2col", "3col"], "docx", 3),
    ("docx-table-gridspan-nested", ["2col", "3col"], "docx", 3),
    *[(f"numbering-{s}", ["docx", "txt"], "", 2) for s in NUMBER_STYLES],
    ("pdf-ruled-table", ["2col", "3col"], "pdf", 4),
    ("pdf-line-numbers", ["every-line", "every-5th"], "pdf", 4),
    ("pdf-header-watermark", ["copy-stamp", "handling-stamp"], "pdf", 4),
    ("pdf-rotate90", ["all-annex-pages", "one-page"], "pdf", 3),
    ("pdf-sideways", ["ccw", "cw"], "pdf", 3),
    ("pdf-two-columns", ["landscape", "portrait"], "pdf", 4),
    ("pdf-title-label-line", ["plain-heading", "bracket-heading"], "pdf", 4),
    ("pdf-stamp-page", ["middle", "last"], "pdf", 2),
    ("pdf-stamp-only", ["copy", "original"], "pdf", 2),
]
MUTATIONS = ["clean", "drop1", "obsolete", "modified", "weakened", "drop2", "clean", "weakened", "modified",
             "obsolete", "drop1", "police", "toshima"]
# Layouts where another reference set's numbering (第N条 for toshima) would change the layout itself.
NO_TOSHIMA = ("numbering-", "pdf-title-label-line")


def plan(seed: int) -> list[Contract]:
    rng = random.Random(seed)
    muts = MUTATIONS[:]
    rng.shuffle(muts)
    contracts: list[Contract] = []
    k = 0
    for layout, variants, fmt, count in LAYOUTS:
        for j in range(count):
            variant = variants[j % len(variants)]
            c = Contract(id="", layout=layout, variant=variant, fmt=fmt or variant)
            if layout.startswith("numbering-"):
                c.style = layout.removeprefix("numbering-")
            c.type = rng.choice("1122234")
            c.signed_on = _date(rng)
            c.chars = rng.randint(30, 45)
            if layout == "pdf-stamp-only":
                c.error, c.mutation = "ocr_required", "error"
            else:
                m = muts[k % len(muts)]
                k += 1
                if m == "toshima" and layout.startswith(NO_TOSHIMA):
                    m = "clean"
                c.mutation = m
                apply_mutation(c, rng)
            c.placement = "annex" if c.error else rng.choice(["annex", "body", "folder"])
            c.encoding = rng.choice(["utf-8", "cp932"]) if c.fmt == "txt" else "utf-8"
            # A handful with an empty reference column: only where the text clearly is one set
            # (fukuoka-pref 第1 as issued tells it from fukuoka-police; toshima's own clauses).
            if not c.error and c.mutation in ("clean", "obsolete", "toshima") and rng.random() < 0.35:
                c.auto_reference = c.status.get("1") == "current"
            c.id = f"L{len(contracts) + 1:03d}-{layout.removeprefix('docx-').removeprefix('pdf-')}-{c.mutation}"
            contracts.append(c)
    return contracts


def render(c: Contract, out: Path, rng: random.Random, plain: bool) -> list[str]:
    """Write the contract's files; returns their paths relative to ``out``."""
    if plain and not c.error:
        lines = canonical_lines(c, sep=" ")  # the annex alone, items spaced as in the reference data
        path = out / f"{c.id}.txt"
        write_txt(path, lines, "utf-8")
        return [path.name]
    fmt = c.fmt
    writers = {"docx": write_docx, "pdf": write_pdf}
    if c.placement == "folder":
        folder = out / c.id
        folder.mkdir(parents=True, exist_ok=True)
        body_fmt = rng.choice(["docx", "pdf", "txt"])
        body = folder / f"01_契約書.{body_fmt}"
        if body_fmt == "txt":
            write_txt(body, body_lines(c, rng), "utf-8")
        else:
            writers[body_fmt](body, c, rng, with_body=True, body_only=True)
        annex = folder / f"02_別記_特記事項.{fmt}"
        paths = [body, annex]
    else:
        annex = out / f"{c.id}.{fmt}"
        paths = [annex]
    with_body = c.placement == "body"
    if fmt == "txt":
        lines = (body_lines(c, rng) + [""] if with_body else []) + numbered_lines(c, rng)
        c.encoding = write_txt(annex, lines, c.encoding)
    else:
        writers[fmt](annex, c, rng, with_body=with_body)
    return [p.relative_to(out).as_posix() for p in paths]


def generate(out: Path, seed: int = 1, plain: bool = False) -> list[Contract]:
    """Write the corpus into ``out`` (created); returns the contracts with their labels."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    contracts = plan(seed)
    manifest, labels, layouts = [], {}, []
    for c in contracts:
        rng = random.Random(f"{seed}:{c.id}")  # rendering draws: one contract never shifts another
        files = render(c, out, rng, plain)
        manifest.append([c.id, ";".join(files), c.type, c.signed_on, "" if c.auto_reference else c.reference])
        labels[c.id] = c.label()
        layouts.append([c.id, c.layout, c.variant, c.mutation, "txt" if plain and not c.error else c.fmt,
                        c.placement, c.encoding if c.fmt == "txt" else ""])
    with open(out / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "files", "type", "signed_on", "reference"])
        w.writerows(manifest)
    with open(out / "layouts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "layout", "variant", "mutation", "format", "placement", "encoding"])
        w.writerows(layouts)
    (out / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return contracts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plain", action="store_true",
                    help="write every readable annex as canonical plain text (checks the labels, not the readers)")
    args = ap.parse_args(argv)
    contracts = generate(args.out, args.seed, args.plain)
    print(f"{len(contracts)} contracts → {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
