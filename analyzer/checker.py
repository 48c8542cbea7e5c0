"""The Checker: built once per process, asked about many contracts, from many threads.

``Checker(library_dirs, settings)`` loads the reference library and builds what every
contract is compared with: the comparison forms of every reference wording, the TF-IDF
queries of every version, the topic model. ``checker.analyze(paths, options)`` gives an
``Analysis``: the documents with their offset maps, the articles, the reference ranking,
the matches, the per-clause results and the metadata, with the ``Report`` built from them.
Report writers, ``fix``, ``identify``, ``scan`` and ``eval`` read an Analysis; none of them
reads or segments a file again.

A Checker holds no state that changes after it is built: many threads may call ``analyze``
at once (Sudachi gives each thread its own tokenizer; pdfium calls are serialised in
``ingest.pdf``). ``shared_checker`` keeps one per library and settings for the callers of the
plain ``analyze`` function.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .archive import contract_files
from .errors import DocumentError, UsageError
from .identify import Candidate, Identification, choose_set, client_names, rank_references
from .ingest import IngestOptions, load_document, readable_suffixes
from .judge import JudgeContext, findings_for, judge_clause, obsolete_content_findings
from .match import ContractText, NgramTexts, RefForms, clause_queries, match_clauses, prepare_contract, reference_forms
from .metadata import extract_metadata
from .model import (
    Clause,
    ClauseResult,
    ClauseStatus,
    ContractMetadata,
    Document,
    Finding,
    Match,
    OcrPage,
    ReferenceChoice,
    ReferenceSet,
    ReferenceVersion,
    Report,
    ReportError,
    TopicCoverage,
)
from .references import bundled_reference_dir, load_reference_library, resolve_reference, supersession
from .segment import segment_documents
from .settings import Settings, default_settings
from .topics import GUIDELINE, LinearModel, contract_coverage, coverage_findings, topic_model, topic_results

AUTO = "auto"


@dataclass(frozen=True)
class CheckOptions:
    """How one contract is checked (the options of ``tokki check`` and of a manifest row).

    ``reference``: ``ID[@VERSION]``, or ``"auto"``: identify the set and check against its latest
    version. ``tokutei``: the contract handles 特定個人情報. ``given_by`` ("cli" or "manifest"):
    where ``signed_on`` and ``contract_type`` came from. ``strict``: an unknown reference raises
    UsageError; otherwise (a scan's manifest row) the contract gets a ``no_reference`` report that
    says why. ``ingest``: how files are opened (password, OCR, conversion, size limit).
    """

    reference: str | None = AUTO
    contract_type: str | None = None
    signed_on: date | None = None
    contract_id: str | None = None
    tokutei: bool = False
    given_by: str = "cli"
    strict: bool = True
    ingest: IngestOptions | None = None


@dataclass(frozen=True)
class Analysis:
    """Everything one check found out about one contract, for every reader of it.

    ``documents`` is empty when a file could not be read (``report.error`` says why).
    ``reference_set``/``version``: what the contract was judged against; ``matches`` maps its
    clause ids to where the contract carries them. ``ranking`` is set when the reference was
    identified (``auto``).
    """

    report: Report
    files: tuple[Path, ...]
    reference_set: ReferenceSet
    version: ReferenceVersion
    documents: tuple[Document, ...] = ()
    clauses: tuple[Clause, ...] = ()
    contract: ContractText | None = None
    metadata: ContractMetadata | None = None
    ranking: Identification | None = None
    matches: dict[str, Match] = field(default_factory=dict)
    error: DocumentError | None = None  # the file that could not be read, as ingest raised it
    options: CheckOptions = CheckOptions()

    def raise_error(self) -> None:
        """Raise the DocumentError of an unreadable contract (for readers that need its text)."""
        if self.error is not None:
            raise self.error


def default_contract_id(paths: Sequence[Path | str], files: Sequence[Path]) -> str:
    """The contract id when none is given: a folder given alone → its name (as ``tokki scan`` names a
    contract folder); several files named with the same folder (``C001/本体.pdf C001/別記.pdf``) → that
    folder's name; otherwise the first file's name without suffix (files named from inside their folder
    say nothing about the folder: the current directory is not the contract)."""
    given = [Path(p) for p in paths]
    if len(given) == 1 and given[0].is_dir():
        return given[0].resolve().name
    parents = {p.parent for p in given}
    if len(given) > 1 and len(parents) == 1 and parents != {Path(".")}:
        return parents.pop().resolve().name
    return files[0].stem if files else (given[0].stem if given else "")


class Checker:
    """The reference library and everything derived from it, built once; see the module docstring."""

    def __init__(self, library_dirs: Sequence[Path | str] = (), settings: Settings | None = None):
        self.settings = settings or default_settings()
        self.library_dirs = tuple(Path(d) for d in library_dirs)
        self.library: dict[str, ReferenceSet] = load_reference_library(list(self.library_dirs))
        self._forms: dict[str, RefForms] = {
            s.id: reference_forms(s, self.settings) for s in self.library.values() if s.current.level == "clause"
        }
        self._queries: dict[tuple[str, str], NgramTexts] = {
            (s.id, v.version): NgramTexts.of(clause_queries(s, v, self._forms[s.id]), self.settings.ngram_range)
            for s in self.library.values() if s.id in self._forms for v in s.versions
        }
        self.topic_model: LinearModel = topic_model(self.library, self.settings, self.forms)

    def forms(self, ref_set: ReferenceSet) -> RefForms:
        """Comparison forms of every wording of ``ref_set`` (built once)."""
        return self._forms.get(ref_set.id) or reference_forms(ref_set, self.settings)

    def match(self, contract: ContractText, ref_set: ReferenceSet, version: ReferenceVersion):
        """(clause id → Match, clause id → best score) of ``contract`` against ``version``."""
        return match_clauses(contract, ref_set, version, self.forms(ref_set), self.settings,
                             self._queries.get((ref_set.id, version.version)))

    # ------------------------------------------------------------ reading

    def read(self, paths: Sequence[Path | str], ingest: IngestOptions | None = None
             ) -> tuple[list[Path], list[Document] | DocumentError]:
        """The contract's files (a folder's readable files, natural order) and their documents, or the
        DocumentError of the first that cannot be read (an error report, never a verdict)."""
        files = [Path(p) for p in paths]  # as given, for the report of a path with nothing to read
        try:
            files = contract_files(paths, readable_suffixes(ingest or IngestOptions()))
            return files, [load_document(path, self.settings, options=ingest) for path in files]
        except DocumentError as exc:
            return files, exc

    def analyze(self, paths: Sequence[Path | str], options: CheckOptions | None = None) -> Analysis:
        """Check one contract (main document plus annexes); see CheckOptions. Unknown references raise
        UsageError; unreadable files give an Analysis whose report carries the error code."""
        options = options or CheckOptions()
        files, documents = self.read(paths, options.ingest)
        if not options.contract_id:
            options = replace(options, contract_id=default_contract_id(paths, files))
        return self.analyze_documents(documents, files, options)

    def analyze_documents(
        self, documents: Sequence[Document] | DocumentError, files: Sequence[Path | str],
        options: CheckOptions | None = None, contract: ContractText | None = None,
    ) -> Analysis:
        """Judge already extracted documents (a scan re-judges stored text this way). ``contract``:
        their articles in comparison form as made before (``match.load_contract``), so that they
        are neither segmented nor normalized again."""
        options = options or CheckOptions()
        return _Run(self, options, [Path(p) for p in files]).analysis(documents, contract)


class _Run:
    """One contract's check: the steps of ``Checker.analyze_documents``, sharing the matches made."""

    def __init__(self, checker: Checker, options: CheckOptions, files: list[Path]):
        self.checker, self.options, self.files = checker, options, files
        self.library, self.settings = checker.library, checker.settings
        self._matches: dict[tuple[str, str], tuple[dict[str, Match], dict[str, float]]] = {}
        self.contract: ContractText | None = None

    def match(self, ref_set: ReferenceSet, version: ReferenceVersion):
        key = (ref_set.id, version.version)
        if key not in self._matches:  # identification and judging ask for the same version
            self._matches[key] = self.checker.match(self.contract, ref_set, version)
        return self._matches[key]

    def analysis(self, documents: Sequence[Document] | DocumentError, contract: ContractText | None) -> Analysis:
        o, library, settings = self.options, self.library, self.settings
        auto = o.reference in (None, AUTO)
        unknown = ""
        try:
            ref_set, version = resolve_reference(library, None if auto else o.reference)
        except UsageError as exc:
            if o.strict:
                raise
            unknown = exc.reason
            ref_set, version = resolve_reference(library, GUIDELINE)
        signed_on = o.signed_on
        base = dict(
            contract_id=o.contract_id or default_contract_id(self.files, self.files),
            files=tuple(str(p) for p in self.files),
            signed_on=signed_on,
            reference_id=ref_set.id,
            reference_version=version.version,
            reference_title=version.title,
            contract_type=o.contract_type,
            supersession=supersession(ref_set, version),  # the version checked against was replaced
        )
        if isinstance(documents, DocumentError):
            report = Report(**base, error=ReportError(documents.code, documents.reason, documents.path))
            return Analysis(report, tuple(self.files), ref_set, version, error=documents, options=o)
        documents = list(documents)

        if contract is None:
            contract = prepare_contract(documents, segment_documents(documents), settings)
        self.contract = contract
        clauses = list(contract.clauses)
        # What the contract says about itself; a date or 類型 given by the caller wins.
        meta = extract_metadata(documents, clauses=clauses).with_overrides(
            signed_on=o.signed_on, type=int(o.contract_type) if o.contract_type else None, source=o.given_by
        )
        base["metadata"] = meta
        if meta.signed_on is not None:
            signed_on = base["signed_on"] = meta.signed_on.value
        ocr = _ocr_pages(documents)
        notes: list[str] = []
        coverage = contract_coverage(contract, self.checker.topic_model, settings)
        choice = ranking = None
        tied: list[str] = []
        if unknown:
            choice = ReferenceChoice("none", 0.0)
            notes.append(
                f"{unknown}。国の指針の論点で確認しました / the reference is not in the library: checked against the"
                " national guideline's topics"
            )
        elif auto:
            names = client_names(meta)
            ranking = rank_references(contract, library, self.checker.forms, lambda s, v: self.match(s, v)[0], names)
            chosen = choose_set(ranking, library, names)
            candidates = tuple((c.id, c.version, c.score) for c in ranking.candidates[:5])
            method = "fewest_findings" if chosen.method == "tie" else chosen.method
            choice = ReferenceChoice(method, chosen.confidence, candidates, chosen.tied, chosen.evidence)
            if chosen.method == "none":
                notes.append(_no_reference_note(ranking.candidates[0] if ranking.candidates else None, chosen.confidence))
            else:
                tied = list(chosen.tied) if chosen.method == "tie" else [chosen.set_id]
                ref_set = library[tied[0]]
        if choice is not None and choice.method == "none":
            ref_set, version = resolve_reference(library, GUIDELINE)
        elif choice is not None:
            version = ref_set.current
        base.update(
            reference_id=ref_set.id, reference_version=version.version, reference_title=version.title,
            supersession=supersession(ref_set, version), choice=choice,
        )
        unreadable_pages = any(p.confidence < settings.ocr_poor_confidence for p in ocr)
        matches: dict[str, Match] = {}
        if version.level == "topic":
            # A topic-level set (national-guideline): each topic is current where an article covers it.
            results, findings = topic_results(version, coverage, contract)
        else:
            judged = [
                self._judge(library[i], library[i].current if choice else version, meta, signed_on, coverage,
                            unreadable_pages)
                for i in (tied or [ref_set.id])
            ]
            # Sets the text and the issuer named cannot tell apart: the one with fewer findings.
            k = min(range(len(judged)), key=lambda n: len(judged[n][1]))
            results, findings, matches = judged[k]
            if choice is not None and choice.method == "fewest_findings":
                ref_set = library[tied[k]]
                version = ref_set.current
                base.update(reference_id=ref_set.id, reference_version=version.version, reference_title=version.title,
                            supersession=supersession(ref_set, version))
                others = "、".join(f"{i}（指摘 {len(judged[n][1])} 件）" for n, i in enumerate(tied) if n != k)
                notes.append(
                    f"本文では {'・'.join(tied)} を区別できず、契約書に発行機関の記載もないため、それぞれと照合して指摘の少ない"
                    f" {ref_set.id}（指摘 {len(findings)} 件）を報告します。ほかの候補: {others}。違う場合は --reference で指定してください"
                    f" / the text cannot tell {', '.join(tied)} apart and names no issuer: checked against each, reporting"
                    f" the one with fewer findings"
                )
            if not matches:
                notes.insert(0, "特記事項の条項が見つかりません（添付漏れ・別ファイルの可能性） / no 特記事項 clause was found in these files")
        if choice is not None and choice.method in ("score", "issuer"):
            how = f"、発行機関の記載「{choice.evidence}」で判定" if choice.method == "issuer" else ""
            notes.append(
                f"参照文を自動判定: {ref_set.id}（{ref_set.issuer}、確信度 {choice.confidence:.2f}{how}）の最新版 {version.version} と照合 / "
                f"reference chosen automatically (confidence {choice.confidence:.2f})"
            )
        notes += _ocr_note(ocr) + [n for d in documents for n in d.notes]
        if not clauses:
            notes.insert(0, "条番号（第N）のある条文が読み取れませんでした / no numbered article could be read")
        report = Report(
            **base, clauses=_mark_ocr(results, ocr), findings=tuple(findings), notes=tuple(notes), coverage=coverage,
            ocr_pages=ocr,
        )
        return Analysis(report, tuple(self.files), ref_set, version, tuple(documents), tuple(clauses), contract, meta,
                        ranking, matches, options=o)

    def _judge(
        self, ref_set: ReferenceSet, version: ReferenceVersion, meta: ContractMetadata, signed_on: date | None,
        coverage: tuple[TopicCoverage, ...], unreadable_pages: bool,
    ) -> tuple[list[ClauseResult], list[Finding], dict[str, Match]]:
        """Every clause of a clause-level ``version`` judged against the contract, the findings, and
        the matches (empty when no clause was found at all)."""
        o = self.options
        forms = self.checker.forms(ref_set)
        matches, best = self.match(ref_set, version)
        ctx = JudgeContext(
            ref_set, version, forms, self.contract, self.settings, o.contract_type, o.tokutei,
            signed_on=signed_on, signed_on_source=meta.signed_on.where() if meta.signed_on else "",
        )
        results, findings = [], []
        for ref in version.clauses:
            result = judge_clause(ctx, ref, matches.get(ref.id), best.get(ref.id, 0.0))
            results.append(result)
            findings.extend(findings_for(ctx, result, ref))
        findings.extend(obsolete_content_findings(ctx))
        unreadable = unreadable_pages or any(r.status is ClauseStatus.REVIEW for r in results)
        findings.extend(coverage_findings(coverage, unreadable))
        return results, findings, matches


def _ocr_pages(documents: Sequence[Document]) -> tuple[OcrPage, ...]:
    return tuple(OcrPage(d.path, p.number, p.ocr_confidence) for d in documents for p in d.ocr_pages)


def _mark_ocr(results: Sequence[ClauseResult], ocr: tuple[OcrPage, ...]) -> tuple[ClauseResult, ...]:
    """Each clause read from an OCR page carries that page's confidence."""
    if not ocr:
        return tuple(results)
    conf = {(p.file, p.page): p.confidence for p in ocr}
    return tuple(
        replace(r, ocr_confidence=conf[(r.location.file, r.location.page)])
        if r.location is not None and (r.location.file, r.location.page) in conf else r
        for r in results
    )


def _ocr_note(ocr: tuple[OcrPage, ...]) -> list[str]:
    if not ocr:
        return []
    mean = sum(p.confidence for p in ocr) / len(ocr)
    return [
        f"{len(ocr)} ページを OCR で読み取りました（平均信頼度 {mean:.0%}）。誤認識がありうるので原本で確認してください"
        f" / {len(ocr)} page(s) read by OCR (mean confidence {mean:.2f}): check the findings against the original"
    ]


def _no_reference_note(closest: Candidate | None, confidence: float) -> str:
    near = (
        f"最も近い既知の参照は {closest.id}@{closest.version}（score {closest.score:.2f}、一致 {closest.exact}/{closest.clauses} 条）"
        if closest is not None else "参照ライブラリに条文単位の参照がありません"
    )
    return (
        f"参照文を特定できません（確信度 {confidence:.2f}）。既知の発行機関の特記事項と一致しません。{near}。"
        "国の指針 4-8-9(1) の論点で確認しました。発行機関の特記事項と照合するには --reference を指定するか、"
        "manifest.csv の reference に記入してください（特記事項の取り込みは tokki refs import）"
        " / no reference identified: checked against the national guideline's topics; give --reference or a"
        " manifest row to check against the issuer's text"
    )


# ---------------------------------------------------------------- one Checker per library

_SHARED: dict[tuple, tuple[tuple, Checker]] = {}
_SHARED_LOCK = threading.Lock()


def _library_state(library_dirs: Sequence[Path]) -> tuple:
    """What a Checker was built from on disk: every reference file's path, size and modification time."""
    out = []
    for root in (bundled_reference_dir(), *library_dirs):
        for path in sorted(Path(root).glob("*/*.toml")):
            st = path.stat()
            out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def shared_checker(library_dirs: Sequence[Path | str] = (), settings: Settings | None = None) -> Checker:
    """The process's Checker for this library and settings, built on first use and rebuilt when a
    reference file changes (the plain ``analyze`` function and the CLI use it; a server or a scan
    worker may as well build its own)."""
    settings = settings or default_settings()
    dirs = tuple(Path(d) for d in library_dirs)
    key = (dirs, settings)
    state = _library_state(dirs)
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is not None and found[0] == state:
            return found[1]
    checker = Checker(dirs, settings)
    with _SHARED_LOCK:
        _SHARED[key] = (state, checker)
    return checker


def identify(
    paths: Sequence[Path | str], *, library_dirs: Sequence[Path] = (), settings: Settings | None = None
) -> Identification:
    """Which reference version the contract follows (``tokki identify``): the ranking of its analysis.
    Unreadable files raise DocumentError."""
    analysis = shared_checker(library_dirs, settings).analyze(paths)
    analysis.raise_error()
    assert analysis.ranking is not None  # reference auto: always ranked
    return analysis.ranking


def analyze(
    paths: Sequence[Path | str],
    *,
    reference: str | None = AUTO,
    contract_type: str | None = None,
    signed_on: date | None = None,
    contract_id: str | None = None,
    library_dirs: Sequence[Path] = (),
    settings: Settings | None = None,
    tokutei: bool = False,
    given_by: str = "cli",
    ingest: IngestOptions | None = None,
) -> Report:
    """Check one contract and return its Report: ``shared_checker(library_dirs, settings).analyze``
    (see CheckOptions for the options)."""
    options = CheckOptions(reference, contract_type, signed_on, contract_id, tokutei, given_by, True, ingest)
    return shared_checker(library_dirs, settings).analyze(paths, options).report
