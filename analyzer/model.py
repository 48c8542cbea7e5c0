"""Immutable value objects passed between the pipeline stages (no I/O here).

ingest → Document; segment → Clause; references → ReferenceVersion;
match → Match; judge → ClauseResult / Finding; pipeline → Report.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any, Generic, TypeVar

from .errors import ErrorCode, ExitCode


class ClauseStatus(StrEnum):
    """Verdict for one reference clause (tokki.report/1 ``clauses[].status``)."""

    CURRENT = "current"
    OBSOLETE = "obsolete"
    MODIFIED = "modified"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"
    # Read by OCR too poorly to judge (a human compares it with the original): never a
    # guess of modified or missing on a bad scan.
    REVIEW = "review"


class FindingKind(StrEnum):
    """Kinds of finding (tokki.report/1 ``findings[].kind``)."""

    MISSING = "missing"
    OBSOLETE = "obsolete"
    MODIFIED = "modified"
    WEAKENED = "weakened"
    REVIEW = "review"  # a clause OCR read too poorly to judge


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class ContractStatus(StrEnum):
    """A contract's verdict (tokki.report/1 ``status``; a scan's ``contracts.status``)."""

    OK = "ok"
    FINDINGS = "findings"
    ERROR = "error"  # a file could not be read
    NO_REFERENCE = "no_reference"  # no reference identified: checked against the national guideline's topics
    FAILED = "failed"  # a scan only: the worker died or judging raised


class ChangeKind(StrEnum):
    """How a contract span differs from the reference (``clauses[].changes[].kind``)."""

    WEAKENED = "weakened"
    STRENGTHENED = "strengthened"
    DELETED = "deleted"
    INSERTED = "inserted"
    REPLACED = "replaced"


# ---------------------------------------------------------------- documents


@dataclass(frozen=True)
class Page:
    """A page of a document: 1-based number and its [start, end) offsets in Document.text.

    ``ocr_confidence`` (0–1) is set on a scanned page whose text was read by OCR (``--ocr``);
    ``ocr_doubts`` then lists the (offset in Document.text, confidence, the engine's other guesses)
    of every character the engine read with a confidence below 0.98, for the OCR-aware comparison
    (judge).
    """

    number: int
    start: int
    end: int
    ocr_confidence: float | None = None
    ocr_doubts: tuple[tuple[int, float, str], ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class Document:
    """The text of one input file as written, with page boundaries where the format has pages."""

    path: str
    format: str  # "pdf" | "docx" | "txt"
    text: str
    pages: tuple[Page, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ocr_pages(self) -> tuple[Page, ...]:
        """Pages whose text came from OCR."""
        return tuple(p for p in self.pages if p.ocr_confidence is not None)

    def page_at(self, offset: int) -> int | None:
        """Page number holding ``offset``; None for formats without pages."""
        if not self.pages:
            return None
        starts = [p.start for p in self.pages]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        return self.pages[i].number


@dataclass(frozen=True)
class Span:
    """[start, end) offsets into Document.text."""

    start: int
    end: int


@dataclass(frozen=True)
class Clause:
    """One numbered article of a contract (第1, 第２条, 第 1 5 …) as printed.

    ``paragraphs`` holds, per paragraph, the spans of its operative text
    (the paragraph body and its items) without the printed labels, so the
    comparison sees the text and the report can still quote the label.
    """

    doc_index: int
    label: str  # as printed, e.g. "第２２条"
    number: int | None
    heading: str | None  # text inside the preceding （…） line, as printed
    start: int  # start of the label (or of the heading line when present)
    end: int
    paragraphs: tuple[tuple[Span, ...], ...]
    region: str = "body"  # "body" | "annex" (after a 別記/特記事項 title line)
    # soft[i]: paragraph i starts without a number after a finished sentence — a
    # 「ただし、」 paragraph or text that follows the article (signature block, notes).
    soft: tuple[bool, ...] = ()

    @property
    def spans(self) -> tuple[Span, ...]:
        return tuple(s for para in self.paragraphs for s in para)


# ---------------------------------------------------------------- contract metadata (metadata.py)

T = TypeVar("T")


@dataclass(frozen=True)
class Field(Generic[T]):
    """One extracted value and where it was printed (or who gave it, for overrides)."""

    value: T
    text: str
    file: str
    page: int | None
    start: int
    end: int
    source: str = "text"  # "text" | "manifest" | "cli"

    def to_json(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"value": value, "text": self.text, "file": self.file, "page": self.page, "source": self.source}

    def where(self) -> str:
        """Where the value came from, for a report line: 「契約書.pdf p.3」「manifest.csv」「指定 / given」."""
        if self.source != "text":
            return {"manifest": "manifest.csv", "cli": "指定 / given"}.get(self.source, self.source)
        name = self.file.replace("\\", "/").rsplit("/", 1)[-1]
        return f"{name} p.{self.page}" if self.page else name

    @classmethod
    def given(cls, value: T, source: str) -> Field[T]:
        """A value given outside the text (manifest.csv, a CLI option)."""
        return cls(value, "", "", None, 0, 0, source)


@dataclass(frozen=True)
class ContractMetadata:
    title: Field[str] | None = None
    signed_on: Field[date] | None = None
    period_start: Field[date] | None = None
    period_end: Field[date] | None = None
    client: Field[str] | None = None
    contractor: Field[str] | None = None
    tokutei: Field[bool] | None = None
    yohairyo: Field[bool] | None = None
    records: Field[int] | None = None
    suggested_type: int | None = None
    type_reasons: tuple[Field[str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("title", "signed_on", "period_start", "period_end", "client", "contractor",
                     "tokutei", "yohairyo", "records"):
            f = getattr(self, name)
            out[name] = f.to_json() if f is not None else None
        out["suggested_type"] = self.suggested_type
        out["type_reasons"] = [r.to_json() for r in self.type_reasons]
        return out

    def with_overrides(
        self, *, signed_on: date | None = None, type: int | None = None, tokutei: bool | None = None,
        source: str = "manifest",
    ) -> ContractMetadata:
        """Values from manifest.csv or the CLI replace the text's (``source`` names which)."""
        changes: dict[str, Any] = {}
        if signed_on is not None:
            changes["signed_on"] = Field.given(signed_on, source)
        if type is not None:
            if type not in (1, 2, 3, 4):
                raise ValueError("類型は 1〜4 / type must be 1-4")
            changes["suggested_type"] = type
            changes["type_reasons"] = (Field.given(f"類型{type}", source),)
        if tokutei is not None:
            changes["tokutei"] = Field.given(tokutei, source)
        return replace(self, **changes)


# ---------------------------------------------------------------- reference data


@dataclass(frozen=True)
class ReferenceClause:
    """One clause of a reference version (e.g. 福岡県 第15（調査）)."""

    id: str
    label: str
    title: str
    mandatory: bool
    paragraphs: tuple[str, ...]
    types: dict[str, str] = field(default_factory=dict)  # 類型 "1".."4" → ○ / △ / —
    source: str = ""
    # Accepted alternative wordings of the whole clause (Toshima's ※ forms).
    alternatives: tuple[tuple[str, ...], ...] = ()
    # Paragraphs required only when the contract handles 特定個人情報 (seed 004 第5, 第6, 第11).
    tokutei_paragraphs: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # national-guideline topics "1"–"8", "haken"
    alternative_topics: tuple[tuple[str, ...], ...] = ()  # topics of each alternative, parallel to ``alternatives``
    obsolete_content: bool = False  # content of a superseded regime (Toshima's old 罰則)
    topics_labelled: bool = True  # ``topics`` were given by a person (the topic model trains on those only)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def wordings(self) -> list[str]:
        """Every wording that identifies the clause: the text, the text with its
        特定個人情報 paragraphs (if any), then the alternatives."""
        out = [self.text]
        if self.tokutei_paragraphs:
            out.append("\n".join([*self.paragraphs, *self.tokutei_paragraphs]))
        return out + ["\n".join(alt) for alt in self.alternatives]

    def accepted(self, tokutei: bool = False) -> list[int]:
        """Indices into ``wordings()`` a contract may use, the expected one first.

        With ``tokutei`` the 特定個人情報 paragraphs are required; without it they
        may be present or absent.
        """
        idx = list(range(len(self.wordings())))
        if self.tokutei_paragraphs and tokutei:
            idx = [1] + idx[2:]
        return idx


@dataclass(frozen=True)
class ReferenceVersion:
    """One version of a reference set, as published on its effective date."""

    set_id: str
    issuer: str
    title: str
    version: str
    effective: date | None
    superseded_on: date | None
    source: str
    clauses: tuple[ReferenceClause, ...]
    path: str = ""
    level: str = "clause"  # "clause": wording to match; "topic": topics to cover (national guideline)

    def clause(self, clause_id: str) -> ReferenceClause | None:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        return None


@dataclass(frozen=True)
class ReferenceSet:
    """All versions of one issuer's 特記事項, oldest first."""

    id: str
    issuer: str
    title: str
    versions: tuple[ReferenceVersion, ...]

    @property
    def current(self) -> ReferenceVersion:
        return self.versions[-1]

    def previous(self, version: str) -> ReferenceVersion | None:
        """The version before ``version`` (None for the first)."""
        names = [v.version for v in self.versions]
        i = names.index(version)
        return self.versions[i - 1] if i > 0 else None

    def version(self, version: str | None) -> ReferenceVersion | None:
        if version is None:
            return self.current
        for v in self.versions:
            if v.version == version:
                return v
        return None


@dataclass(frozen=True)
class Supersession:
    """The reference version a report was checked against was replaced by a later one.

    A notice on the report, not a finding: a contract signed before ``since``
    may keep the older text (the notice, seed 001 line 647: 特記事項の差替えは不要).
    ``replaced_by`` is the next version (None when the version says it was
    superseded but no later one is loaded); ``since`` is that version's
    effective date (else this version's ``superseded_on``; None when unknown).
    """

    version: str
    replaced_by: str | None
    since: date | None

    def signed_before(self, signed_on: date | None) -> bool | None:
        """Whether a contract signed on ``signed_on`` predates the replacement (None: a date is unknown)."""
        if signed_on is None or self.since is None:
            return None
        return signed_on < self.since


# ---------------------------------------------------------------- matching and judgment


@dataclass(frozen=True)
class Match:
    """A reference clause aligned with one or more contract clauses (a split clause has two)."""

    clause_id: str
    units: tuple[tuple[int, int, int], ...]  # (clause index, first paragraph, end paragraph) each
    score: float


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    expected: str
    actual: str

    def describe(self) -> str:
        """The change in words for a clerk: what the contract says and what the current text says."""
        if not self.actual:
            return f"現行の「{self.expected}」が契約書にありません"
        if not self.expected:
            return f"契約書の「{self.actual}」は現行にありません"
        return f"契約書「{self.actual}」→ 現行「{self.expected}」"


@dataclass(frozen=True)
class Location:
    """Where a clause was read: the file, its page, the article's label as printed, and the
    document's title, by which a report names the document (issue 18)."""

    file: str
    page: int | None
    article: str  # label as printed
    title: str = ""  # the document's own title (「保有個人情報取扱特記事項」), "" when it prints none


@dataclass(frozen=True)
class ClauseResult:
    clause_id: str
    title: str
    status: ClauseStatus
    mandatory: bool
    similarity: float
    matched_version: str | None
    location: Location | None
    changes: tuple[Change, ...] = ()
    expected_text: str = ""  # the current reference wording
    actual_text: str = ""  # the contract's wording, as written
    notes: tuple[str, ...] = ()
    label: str = ""  # the reference's label as printed (第15, 第16条)
    # ("weakened" | "strengthened", description) per sentence whose obligation changed (strength.py).
    obligations: tuple[tuple[str, str], ...] = ()
    # Mean OCR confidence (0–1) of the page the clause was read from, when that page was scanned (--ocr).
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class Finding:
    """One problem on one clause: what (``kind``), on which clause, how grave, where the contract
    has it (``location``: file, page, article as printed; None for what is missing), and the
    values its message is made of (``params``; the words come from ``analyzer.messages`` by
    ``message_id``, in Japanese or English). ``facets``: its aspects when it has more than one (an
    obsolete clause whose duty is also weaker: ("obsolete", "weakened")); empty for a single-aspect
    finding."""

    kind: FindingKind
    clause: str
    severity: Severity
    message_id: str
    params: dict = field(default_factory=dict, compare=True)
    location: Location | None = None
    facets: tuple[str, ...] = ()

    @property
    def weakened(self) -> bool:
        return self.kind is FindingKind.WEAKENED or FindingKind.WEAKENED.value in self.facets


@dataclass(frozen=True)
class TopicCoverage:
    """Whether the contract covers one national-guideline topic (①–⑧, 派遣労働者), and where."""

    topic: str  # "1".."8", "haken"
    name: str  # Japanese name of the topic
    covered: bool
    locations: tuple[Location, ...] = ()  # covering articles, in document order


@dataclass(frozen=True)
class OcrPage:
    """A page of the contract whose text was read by OCR, with Tesseract's mean confidence (0–1)."""

    file: str
    page: int
    confidence: float


@dataclass(frozen=True)
class ReferenceChoice:
    """How the reference set was chosen when the caller left it to tokki (``--reference auto``).

    ``method``: "score" (the text decides), "issuer" (sets the text cannot tell apart, told apart
    by the issuer the contract names: ``evidence``), "fewest_findings" (nothing decides: checked
    against every set in ``tied``, the one with fewer findings reported), "none" (no known set:
    the contract is checked against the national guideline's topics only).
    """

    method: str
    confidence: float
    candidates: tuple[tuple[str, str, float], ...] = ()  # (set id, version, score), best first
    tied: tuple[str, ...] = ()
    evidence: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "confidence": round(self.confidence, 3),
            "candidates": [{"id": i, "version": v, "score": round(s, 3)} for i, v, s in self.candidates],
            "tied": list(self.tied),
            "evidence": self.evidence or None,
        }


@dataclass(frozen=True)
class ReportError:
    code: ErrorCode
    message: str
    file: str = ""


@dataclass(frozen=True)
class Report:
    contract_id: str
    files: tuple[str, ...]
    signed_on: date | None
    reference_id: str
    reference_version: str
    reference_title: str
    clauses: tuple[ClauseResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    error: ReportError | None = None
    contract_type: str | None = None
    notes: tuple[str, ...] = ()
    coverage: tuple[TopicCoverage, ...] = ()  # national-guideline topics (empty for an unreadable contract)
    metadata: ContractMetadata | None = None  # what the contract text says about itself (None when unreadable)
    ocr_pages: tuple[OcrPage, ...] = ()  # pages read by OCR (--ocr); empty when every page had text
    supersession: Supersession | None = None  # the version checked against was replaced (a notice)
    choice: ReferenceChoice | None = None  # how --reference auto chose (None: the reference was given)

    @property
    def ocr_confidence(self) -> float | None:
        """Mean OCR confidence over the OCR-read pages (None: no page was read by OCR)."""
        if not self.ocr_pages:
            return None
        return sum(p.confidence for p in self.ocr_pages) / len(self.ocr_pages)

    @property
    def status(self) -> ContractStatus:
        if self.error is not None:
            return ContractStatus.ERROR
        if self.choice is not None and self.choice.method == "none":
            return ContractStatus.NO_REFERENCE  # checked against the national guideline's topics only
        return ContractStatus.FINDINGS if self.findings else ContractStatus.OK

    @property
    def has_errors(self) -> bool:
        return self.error is not None or any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def exit_code(self) -> ExitCode:
        """What ``tokki check`` exits with: 2 for an unreadable contract, 1 for a finding of severity error, else 0."""
        if self.error is not None:
            return ExitCode.USAGE
        return ExitCode.FINDINGS if self.has_errors else ExitCode.OK
