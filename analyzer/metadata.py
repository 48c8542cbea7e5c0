"""Contract metadata read from the text: title, signing date, period, parties, data kinds, 類型.

API
---
``extract_metadata(documents: list[Document]) -> ContractMetadata``
    Reads the documents of one contract (main contract, annexes, in reading
    order) and returns what it printed. Nothing is guessed: a value not found
    is ``None``.
``ContractMetadata``
    ``title``, ``signed_on``, ``period_start``, ``period_end``, ``client``,
    ``contractor``, ``tokutei``, ``yohairyo``, ``records`` (each a ``Field`` or
    ``None``), ``suggested_type`` (1–4 or ``None``) and ``type_reasons`` (the
    ``Field``\\ s of the keywords that suggested it). ``to_json()`` gives a
    JSON-able dict: dates in ISO form, each field ``{"value", "text", "file",
    "page", "source"}`` or ``null``. ``with_overrides(signed_on=…, type=…,
    source="manifest"|"cli")`` replaces values given by manifest.csv or the
    CLI (their ``Field.source`` says so).
``Field``
    ``value`` (``date`` / ``str`` / ``int`` / ``bool``), ``text`` (as printed),
    ``file`` (``Document.path``), ``page`` (1-based, ``None`` for TXT/DOCX),
    ``start``/``end`` (offsets into that document's text) and ``source``
    (``"text"``, or ``"manifest"``/``"cli"`` for overrides).

What is read (words and keyword tables are data: reference_clauses/metadata.toml):

- title: a labelled line (契約件名・件名・業務名…); else a specific heading line
  (「○○業務委託契約書」); else the work name defined in the body
  (「県民健康調査データ入力業務（以下「委託業務」という。）」); else a generic
  heading (「業務委託契約書」).
- signed_on: a labelled date (契約締結日・契約日…) at the start of a line or table
  cell; else a line holding only a date that follows the closing sentence
  (「…締結を証するため…」) or precedes party lines of a signature block
  (甲/乙/委託者/受託者…, 住所/氏名…). A date in running text (「令和5年10月10日
  以降」) or a law number (「平成15年法律第57号」) is never taken.
- period_start / period_end: the dates after 履行期間・委託期間・契約期間
  (「令和6年4月1日から令和7年3月31日まで」). When the start is 「契約締結の日」,
  only the end is set.
- client / contractor: the name lines of a party block (「委託者 福岡県知事 服部
  誠太郎」; 住所・所在地 lines are skipped, 氏名・商号又は名称 lines preferred);
  else the name defined in the preamble (「福岡県（以下「甲」という。）」).
- tokutei / yohairyo: ``Field(True)`` where a sentence outside the 特記事項 annex
  names 特定個人情報・個人番号・マイナンバー (or 要配慮個人情報, 病歴…) without
  being a condition or the 注 (「…の有無」「…を取り扱う場合」); ``Field(False)``
  where it says the work does not handle it (「個人番号は取り扱わない」); else None.
- records: the largest count stated with 件 (or 人分) in a sentence about
  個人情報/データ/名簿…, not a threshold (「1,000件以上…の場合」): 「約1,200件」 → 1200,
  「1万件」 → 10000.
- suggested_type: the 類型 whose keywords (seed 000 lines 215–235) occur most in
  the title, the work name and work-description lines; keywords in the title or
  work name count first. A tie suggests nothing.

The 特記事項 annex (from the first annex article found by analyzer.segment) is
left out of the tokutei/yohairyo/records search: the reference text itself
mentions 「特定個人情報の有無」 in its 注.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from .ja.dates import DateMatch, find_dates, parse_date
from .model import Clause, ContractMetadata, Document, Field
from .references import bundled_reference_dir
from .segment import segment_document

__all__ = ["Field", "ContractMetadata", "MetadataRules", "extract_metadata", "load_rules"]

METADATA_FILE = "metadata.toml"
# A PDF line at least this share of the longest line, not ending in 。, is wrapped (see _Doc).
WRAP_SHARE = 0.6


# ---------------------------------------------------------------- rules (data)


@dataclass(frozen=True)
class MetadataRules:
    title_labels: tuple[str, ...]
    document_title_words: tuple[str, ...]
    signed_labels: tuple[str, ...]
    period_labels: tuple[str, ...]
    closing: tuple[str, ...]
    title_suffixes: tuple[str, ...]
    generic_titles: tuple[str, ...]
    work_terms: tuple[str, ...]
    work_description: tuple[str, ...]
    client: tuple[str, ...]
    contractor: tuple[str, ...]
    address_labels: tuple[str, ...]
    name_labels: tuple[str, ...]
    address_marks: tuple[str, ...]
    tokutei: tuple[str, ...]
    yohairyo: tuple[str, ...]
    not_handling: tuple[str, ...]
    negations: tuple[str, ...]
    record_units: tuple[str, ...]
    record_context: tuple[str, ...]
    record_thresholds: tuple[str, ...]
    types: tuple[tuple[int, str, tuple[str, ...]], ...]  # (number, label, keywords)


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> MetadataRules:
    """Read reference_clauses/metadata.toml (or ``path``)."""
    data = tomllib.loads((path or bundled_reference_dir() / METADATA_FILE).read_text(encoding="utf-8"))
    lab, par, per = data["labels"], data["parties"], data["personal"]
    types = tuple((int(t["number"]), t["label"], tuple(t["keywords"])) for t in data["type"])
    if sorted(t[0] for t in types) != [1, 2, 3, 4]:
        raise ValueError(f"{METADATA_FILE}: [[type]] must define 類型 1–4 once each")
    return MetadataRules(
        title_labels=_longest_first(lab["title"]),
        signed_labels=_longest_first(lab["signed_on"]),
        period_labels=_longest_first(lab["period"]),
        closing=tuple(lab["closing"]),
        title_suffixes=tuple(lab["title_heading_suffixes"]),
        document_title_words=tuple(lab.get("document_title_words", ())),
        generic_titles=tuple(lab["generic_titles"]),
        work_terms=_longest_first(lab["work_terms"]),
        work_description=_longest_first(lab["work_description"]),
        client=_longest_first(par["client"]),
        contractor=_longest_first(par["contractor"]),
        address_labels=_longest_first(par["address"]),
        name_labels=_longest_first(par["name"]),
        address_marks=tuple(par["address_marks"]),
        tokutei=_longest_first(per["tokutei"]),
        yohairyo=_longest_first(per["yohairyo"]),
        not_handling=tuple(per["not_handling"]),
        negations=tuple(per["negations"]),
        record_units=_longest_first(per["record_units"]),
        record_context=tuple(per["record_context"]),
        record_thresholds=tuple(per["record_thresholds"]),
        types=types,
    )


# ---------------------------------------------------------------- text helpers

_SP = r"[ \t\u3000]"
_SEP = r"[ \t\u3000:：|｜]"


def _spaced(word: str) -> str:
    """Regex for ``word`` with optional spaces between its characters (PDF extraction)."""
    return f"{_SP}*".join(re.escape(c) for c in word)


def _alt(words) -> str:
    return "|".join(_spaced(w) for w in words)


def _squash(text: str) -> str:
    """Display form of a value: whitespace runs → one space, NFKC-free (text kept as printed)."""
    return re.sub(r"[\s\u3000]+", " ", text).strip()


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str  # without the newline


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


class _Doc:
    """A document with the facts the extractors share (lines, dates, annex start, flat view)."""

    def __init__(self, doc: Document, clauses: Sequence[Clause] | None = None):
        self.doc = doc
        self.text = doc.text
        self.lines = _lines(doc.text)
        self.dates = find_dates(doc.text)
        annex = [c.start for c in (segment_document(doc) if clauses is None else clauses) if c.region == "annex"]
        self.annex_start = min(annex) if annex else len(doc.text)
        # The text before the annex with PDF line wraps undone: extraction gives
        # 「株式会社\nテスト情報サービス（以下「乙」…」 and 「令和6年4月1日か\nら…」.
        # A line break is a wrap when the document is a PDF and the line before
        # it is full (≥ WRAP_SHARE of the longest line) and does not end a sentence.
        wraps = set()
        if doc.format == "pdf":
            longest = max((len(ln.text.strip()) for ln in self.lines), default=0)
            for ln in self.lines:
                body = ln.text.strip()
                if body and len(body) >= WRAP_SHARE * longest and not body.endswith("。"):
                    wraps.add(ln.end)
        keep = [i for i in range(self.annex_start) if i not in wraps] if wraps else list(range(self.annex_start))
        self.flat = "".join(doc.text[i] for i in keep) if wraps else doc.text[: self.annex_start]
        self.where = keep

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original [start, end) of flat characters i..j-1."""
        return self.where[i], self.where[j - 1] + 1

    def field(self, value, start: int, end: int) -> Field:
        return Field(value, self.text[start:end], self.doc.path, self.doc.page_at(start), start, end)

    def flat_field(self, value, i: int, j: int) -> Field:
        return self.field(value, *self.span(i, j))

    def dates_in(self, start: int, end: int) -> list[DateMatch]:
        return [d for d in self.dates if start <= d.start and d.end <= end]


# ---------------------------------------------------------------- title


def _title(docs: list[_Doc], rules: MetadataRules) -> Field[str] | None:
    labelled = re.compile(rf"^{_SP}*(?:{_alt(rules.title_labels)}){_SEP}+(?P<v>\S.*?){_SP}*$")
    for d in docs:
        for line in d.lines:
            if line.start >= d.annex_start:
                break
            m = labelled.match(line.text)
            if m:
                return d.field(_squash(m.group("v")), line.start + m.start("v"), line.start + m.end("v"))
    heading = None
    if docs:
        d = docs[0]
        for line in [ln for ln in d.lines if ln.text.strip()][:10]:
            compact = re.sub(r"\s", "", line.text)
            if len(compact) <= 60 and "。" not in compact and compact.endswith(rules.title_suffixes):
                s = line.start + len(line.text) - len(line.text.lstrip())
                heading = d.field(_squash(line.text), s, line.start + len(line.text.rstrip()))
                break
    if heading is not None and re.sub(r"\s", "", heading.value) not in rules.generic_titles:
        return heading
    work = _work_name(docs, rules)
    return work or heading


def _work_name(docs: list[_Doc], rules: MetadataRules) -> Field[str] | None:
    """「県民健康調査データ入力業務（以下「委託業務」という。）」 → 県民健康調査データ入力業務."""
    pattern = re.compile(
        rf"(?P<v>[^\s、。，．「」『』（）()は]{{2,60}}?)[（(]以下[「『](?:{'|'.join(map(re.escape, rules.work_terms))})[」』]という。?\s*[）)]"
    )
    for d in docs:
        m = pattern.search(d.flat)
        if m:
            return d.flat_field(m.group("v"), m.start("v"), m.end("v"))
    return None


# ---------------------------------------------------------------- signing date


def _party_line(rules: MetadataRules) -> re.Pattern[str]:
    roles = _alt(rules.client + rules.contractor)
    subs = _alt(rules.address_labels + rules.name_labels)
    return re.compile(rf"^{_SP}*(?:(?:{roles})(?:{_SEP}|[（(]|$)|(?:{subs}){_SEP})")


def _signed_on(docs: list[_Doc], rules: MetadataRules) -> Field[date] | None:
    labelled = re.compile(rf"^{_SP}*(?:{_alt(rules.signed_labels)}){_SEP}*")
    for d in docs:
        for line in d.lines:
            m = labelled.match(line.text)
            if not m:
                continue
            at = line.start + m.end()
            found = d.dates_in(at, line.end)
            if found and found[0].start == at:
                return d.field(found[0].value, found[0].start, found[0].end)
    party = _party_line(rules)
    closing = re.compile(_alt(rules.closing))
    for d in docs:
        content = [ln for ln in d.lines if ln.text.strip()]
        for i, line in enumerate(content):
            value = parse_date(line.text)
            if value is None:
                continue
            before = any(closing.search(ln.text) for ln in content[max(0, i - 3) : i])
            after = any(party.match(ln.text) for ln in content[i + 1 : i + 4])
            if before or after:
                found = d.dates_in(line.start, line.end)
                return d.field(value, found[0].start, found[0].end)
    return None


# ---------------------------------------------------------------- period


_FROM_TO = re.compile(r"(?:から|より|～|〜|~|－|ー|―|‐|-|至)")


def _period(docs: list[_Doc], rules: MetadataRules) -> tuple[Field[date] | None, Field[date] | None]:
    label = re.compile(_alt(rules.period_labels))
    for d in docs:
        for fm in label.finditer(d.flat):
            label_end = d.span(fm.start(), fm.end())[1]
            after = [x for x in d.dates if x.start >= label_end]
            if not after:
                continue
            first = after[0]
            gap = re.sub(r"\s", "", d.text[label_end : first.start])
            if len(gap) > 40 or "。" in gap:
                continue
            second = after[1] if len(after) > 1 else None
            between = re.sub(r"\s", "", d.text[first.end : second.start]) if second is not None else ""
            if second is not None and len(between) <= 6 and _FROM_TO.fullmatch(between):
                return d.field(first.value, first.start, first.end), d.field(second.value, second.start, second.end)
            if re.search(r"契約締結の?日", gap) and re.sub(r"\s", "", d.text[first.end : first.end + 6]).startswith("まで"):
                return None, d.field(first.value, first.start, first.end)
    return None, None


# ---------------------------------------------------------------- parties


def _block_name(d: _Doc, lines: list[_Line], first_at: int, rules: MetadataRules) -> Field[str] | None:
    """The name lines of a party block (address lines dropped); ``first_at`` = where line 0's value begins."""
    addr = re.compile(rf"^{_SP}*(?:{_alt(rules.address_labels)}){_SEP}*")
    name = re.compile(rf"^{_SP}*(?:{_alt(rules.name_labels)}){_SEP}*")
    named: list[tuple[int, int]] = []
    plain: list[tuple[int, int]] = []
    for k, line in enumerate(lines):
        s = first_at if k == 0 else line.start
        text = d.text[s : line.end]
        if not text.strip():
            continue
        if addr.match(text):
            continue
        m = name.match(text)
        if m:
            named.append((s + m.end(), line.end))
            continue
        if re.search(r"[0-9０-９]", text) and any(mark in text for mark in rules.address_marks):
            continue  # an unlabelled address: 「福岡県○○市○○町1番1号」
        plain.append((s, line.end))
    spans = named or plain
    spans = [(s + len(d.text[s:e]) - len(d.text[s:e].lstrip()), e) for s, e in spans]
    spans = [(s, e - (len(d.text[s:e]) - len(re.sub(rf"{_SP}*[印㊞]?{_SP}*$", "", d.text[s:e])))) for s, e in spans]
    spans = [(s, e) for s, e in spans if e > s]
    if not spans:
        return None
    value = " ".join(_squash(d.text[s:e]) for s, e in spans)
    return d.field(value, spans[0][0], spans[-1][1])


def _parties(docs: list[_Doc], rules: MetadataRules) -> tuple[Field[str] | None, Field[str] | None]:
    found: dict[str, Field[str]] = {}
    roles = {"client": rules.client, "contractor": rules.contractor}
    starts = {
        role: re.compile(rf"^{_SP}*(?:{_alt(words)})(?:{_SEP}+|$)") for role, words in roles.items()
    }
    any_role = re.compile(rf"^{_SP}*(?:{_alt(rules.client + rules.contractor)})(?:{_SEP}+|$)")
    for d in docs:
        content = d.lines  # the whole document: a signature block may follow an embedded annex
        for i, line in enumerate(content):
            for role, pattern in starts.items():
                if role in found:
                    continue
                m = pattern.match(line.text)
                if not m or "。" in line.text:
                    continue
                block = [line]
                for nxt in content[i + 1 : i + 5]:
                    if not nxt.text.strip() or any_role.match(nxt.text) or "。" in nxt.text:
                        break
                    if re.match(rf"^{_SP}*(?:第|[（(])", nxt.text):
                        break
                    block.append(nxt)
                value = _block_name(d, block, line.start + m.end(), rules)
                if value is not None:
                    found[role] = value
    preamble = {
        role: re.compile(
            rf"(?P<v>[^\s、。「」『』（）()]{{2,60}}?)[（(]以下[「『](?:{'|'.join(map(re.escape, words))})[」』]という。?\s*[）)]"
        )
        for role, words in roles.items()
    }
    for role, pattern in preamble.items():
        if role in found:
            continue
        for d in docs:
            m = pattern.search(d.flat)
            if m:
                i = m.start("v")
                if d.flat[i] == "と" and i > 0 and d.flat[i - 1] in "）)":
                    i += 1  # 「…（以下「甲」という。）と株式会社…」
                found[role] = d.flat_field(d.flat[i : m.end("v")], i, m.end("v"))
                break
    return found.get("client"), found.get("contractor")


# ---------------------------------------------------------------- personal data


def _sentence(text: str, at: int, limit: int = 200) -> str:
    """The sentence around ``at`` (bounded by 。 or a line break that is not a PDF wrap), spaces removed."""
    lo = max(0, at - limit)
    s = max(text.rfind("。", lo, at), text.rfind("\n", lo, at))
    s = lo if s < 0 else s + 1
    ends = [i for i in (text.find("。", at, at + limit), text.find("\n", at, at + limit)) if i >= 0]
    e = min(ends) + 1 if ends else min(len(text), at + limit)
    return re.sub(r"\s", "", text[s:e])


def _handles(docs: list[_Doc], words: tuple[str, ...], rules: MetadataRules) -> Field[bool] | None:
    pattern = re.compile(_alt(words))
    negative: Field[bool] | None = None
    for d in docs:
        for m in pattern.finditer(d.flat):
            sentence = _sentence(d.flat, m.start())
            if any(w in sentence for w in rules.not_handling):
                continue
            if any(w in sentence for w in rules.negations):
                negative = negative or d.flat_field(False, m.start(), m.end())
                continue
            return d.flat_field(True, m.start(), m.end())
    return negative


_COUNT = re.compile(r"(?P<n>[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)[ \u3000]*(?P<mult>万|千)?[ \u3000]*")


def _records(docs: list[_Doc], rules: MetadataRules) -> Field[int] | None:
    units = "|".join(map(re.escape, rules.record_units))
    pattern = re.compile(_COUNT.pattern + rf"(?P<unit>{units})")
    best: Field[int] | None = None
    for d in docs:
        for m in pattern.finditer(d.flat):
            if m.start() > 0 and re.match(r"[0-9０-９,，.．]", d.flat[m.start() - 1]):
                continue
            tail = re.sub(r"\s", "", d.flat[m.end() : m.end() + 6])
            if tail.startswith(rules.record_thresholds):
                continue
            if not any(w in _sentence(d.flat, m.start()) for w in rules.record_context):
                continue
            number = float(unicodedata.normalize("NFKC", m.group("n")).replace(",", ""))
            number *= {"万": 10000, "千": 1000}.get(m.group("mult") or "", 1)
            i = m.start()
            if d.flat[max(0, i - 1) : i] == "約":
                i -= 1
            f = d.flat_field(int(number), i, m.end())
            if best is None or f.value > best.value:
                best = f
    return best


# ---------------------------------------------------------------- 類型


def _suggest_type(
    docs: list[_Doc], rules: MetadataRules, named: list[Field[str]]
) -> tuple[int | None, tuple[Field[str], ...]]:
    """類型 from keywords in the title/work name (``named``), then work-description lines."""
    described: list[Field[str]] = []
    label = re.compile(rf"^{_SP}*(?:{_alt(rules.work_description)}){_SEP}*(?P<v>.*)$")
    for d in docs:
        for line in d.lines:
            if line.start >= d.annex_start:
                break
            m = label.match(line.text)
            if m and m.group("v").strip():
                described.append(d.field(m.group("v"), line.start + m.start("v"), line.end))
    by_doc = {d.doc.path: d for d in docs}
    scores: dict[int, tuple[int, int]] = {}
    reasons: dict[int, list[Field[str]]] = {}
    for number, _label, keywords in rules.types:
        hits: list[tuple[int, Field[str]]] = []
        for rank, fields in ((0, named), (1, described)):
            for f in fields:
                d = by_doc[f.file]
                for kw in keywords:
                    for m in re.finditer(_spaced(kw), f.text):
                        s = f.start + m.start()
                        hits.append((rank, d.field(kw, s, f.start + m.end())))
        seen: set[tuple[int, int]] = set()
        unique = []
        for rank, f in hits:
            if (f.start, f.end) not in seen:
                seen.add((f.start, f.end))
                unique.append((rank, f))
        scores[number] = (sum(1 for r, _ in unique if r == 0), len(unique))
        reasons[number] = [f for _, f in unique]
    best = max(scores.values())
    winners = [n for n, s in scores.items() if s == best]
    if best == (0, 0) or len(winners) != 1:
        return None, ()
    return winners[0], tuple(reasons[winners[0]])


# ---------------------------------------------------------------- entry point


def extract_metadata(documents: list[Document], rules: MetadataRules | None = None,
                     clauses: Sequence[Clause] | None = None) -> ContractMetadata:
    """Metadata of one contract from its documents (reading order); see the module docstring.
    ``clauses``: the documents' articles when already segmented (``Clause.doc_index`` into
    ``documents``)."""
    rules = rules or load_rules()
    docs = [
        _Doc(doc, None if clauses is None else [c for c in clauses if c.doc_index == i])
        for i, doc in enumerate(documents)
    ]
    title = _title(docs, rules)
    work = _work_name(docs, rules)
    named = [f for f in (title, work) if f is not None]
    if title is not None and work is not None and (title.file, title.start) == (work.file, work.start):
        named = [title]
    start, end = _period(docs, rules)
    client, contractor = _parties(docs, rules)
    suggested, reasons = _suggest_type(docs, rules, named)
    return ContractMetadata(
        title=title,
        signed_on=_signed_on(docs, rules),
        period_start=start,
        period_end=end,
        client=client,
        contractor=contractor,
        tokutei=_handles(docs, rules.tokutei, rules),
        yohairyo=_handles(docs, rules.yohairyo, rules),
        records=_records(docs, rules),
        suggested_type=suggested,
        type_reasons=reasons,
    )


# The first lines a document's own title is looked for in (a 別記 line, the title, a blank).
TITLE_LINES = 8


def document_title(document: Document, rules: MetadataRules | None = None) -> str:
    """The document's own title as printed (「別記 保有個人情報取扱特記事項」「業務委託契約書」), to name
    it in a report instead of its file name; "" when its first lines hold none."""
    rules = rules or load_rules()
    seen = 0
    for line in document.text.split("\n"):
        flat = " ".join(line.split())
        if not flat:
            continue
        seen += 1
        if seen > TITLE_LINES:
            break
        compact = flat.replace(" ", "")
        if len(compact) <= 40 and not compact.endswith("。") and any(w in compact for w in rules.document_title_words):
            return flat
    return ""
