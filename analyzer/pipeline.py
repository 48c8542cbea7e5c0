"""The pipeline: files → ingest → segment → normalize/match → judge → Report.

``analyze`` is the library entry point the CLI and the tests call.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from .archive import contract_files
from .errors import DocumentError, UsageError
from .ingest import IngestOptions, load_document, readable_suffixes
from .identify import Candidate, choose_set, client_names, rank_references
from .judge import JudgeContext, findings_for, judge_clause, obsolete_content_findings
from .match import ContractText, match_clauses, prepare_contract, reference_forms
from .model import (
    ClauseResult,
    ClauseStatus,
    ContractMetadata,
    Document,
    Finding,
    OcrPage,
    ReferenceChoice,
    ReferenceSet,
    ReferenceVersion,
    Report,
    ReportError,
    TopicCoverage,
)
from .references import load_reference_library, resolve_reference, supersession
from .metadata import extract_metadata
from .segment import segment_documents
from .settings import Settings, default_settings
from .topics import GUIDELINE, contract_coverage, coverage_findings, topic_results


AUTO = "auto"


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
    """Check one contract (main document plus annexes) against a reference version.

    ``reference`` is ``ID[@VERSION]``, or ``"auto"`` (the default): identify the set,
    then check against its latest version; when no set is clearly identified,
    UsageError says so instead of guessing.
    ``tokutei``: the contract handles 特定個人情報, so the paragraphs a reference
    requires only in that case are required.
    Unknown references raise UsageError; unreadable files give a Report with
    ``status == "error"`` and the error code, never a partial verdict.
    ``ingest``: how files are opened (password, OCR, conversion, size limit).
    """
    settings = settings or default_settings()
    ingest = ingest or IngestOptions()
    files = [Path(p) for p in paths]  # as given, for the report of a path with nothing to read
    documents: list[Document] | DocumentError
    try:
        files = contract_files(paths, readable_suffixes(ingest))
        documents = load_documents(files, settings, ingest)
    except DocumentError as exc:  # nothing to read, or an unreadable file: an error report, never a verdict
        documents = exc
    return check_documents(
        documents,
        files=files,
        reference=reference,
        contract_type=contract_type,
        signed_on=signed_on,
        contract_id=contract_id or default_contract_id(paths, files),
        library_dirs=library_dirs,
        settings=settings,
        tokutei=tokutei,
        given_by=given_by,
    )


def load_documents(
    files: Sequence[Path], settings: Settings, ingest: IngestOptions | None = None
) -> list[Document]:
    """Ingest every file of one contract; the first unreadable one raises its DocumentError."""
    return [load_document(path, settings, options=ingest) for path in files]


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


def check_documents(
    documents: list[Document] | DocumentError,
    *,
    files: Sequence[Path | str],
    reference: str | None = AUTO,
    contract_type: str | None = None,
    signed_on: date | None = None,
    contract_id: str | None = None,
    library_dirs: Sequence[Path] = (),
    settings: Settings | None = None,
    tokutei: bool = False,
    given_by: str = "cli",
    strict: bool = True,
) -> Report:
    """Judge already extracted documents (a scan re-judges stored text this way).

    ``documents`` may be the DocumentError that ingest raised: the report then
    carries its code. Options as for ``analyze``; ``given_by`` ("cli" or
    "manifest") says where ``signed_on`` and ``contract_type`` came from.
    ``strict``: an unknown ``reference`` raises UsageError; otherwise (a scan's
    manifest row) the contract gets a ``no_reference`` report that says why.
    """
    settings = settings or default_settings()
    library = load_reference_library(library_dirs)
    auto = reference in (None, AUTO)
    unknown = ""
    try:
        ref_set, version = resolve_reference(library, None if auto else reference)
    except UsageError as exc:
        if strict:
            raise
        unknown = exc.reason
        ref_set, version = resolve_reference(library, GUIDELINE)
    files = [Path(p) for p in files]
    base = dict(
        contract_id=contract_id or default_contract_id(files, files),
        files=tuple(str(p) for p in files),
        signed_on=signed_on,
        reference_id=ref_set.id,
        reference_version=version.version,
        reference_title=version.title,
        contract_type=contract_type,
        supersession=supersession(ref_set, version),  # the version checked against was replaced
    )
    if isinstance(documents, DocumentError):
        return Report(**base, error=ReportError(documents.code, documents.reason, documents.path))

    # What the contract says about itself; a date or 類型 given by the caller wins.
    meta = extract_metadata(documents).with_overrides(
        signed_on=signed_on, type=int(contract_type) if contract_type else None, source=given_by
    )
    base["metadata"] = meta
    if meta.signed_on is not None:
        signed_on = base["signed_on"] = meta.signed_on.value

    clauses = segment_documents(documents)
    contract = prepare_contract(documents, clauses, settings)
    ocr = _ocr_pages(documents)
    notes: list[str] = []
    coverage = contract_coverage(contract, library, settings)
    choice = None
    tied: list[str] = []
    if unknown:
        choice = ReferenceChoice("none", 0.0)
        notes.append(
            f"{unknown}。国の指針の論点で確認しました / the reference is not in the library: checked against the"
            " national guideline's topics"
        )
    elif auto:
        names = client_names(meta)
        ranking = rank_references(contract, library, settings, names)
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
    if version.level == "topic":
        # A topic-level set (national-guideline): each topic is current where an article covers it.
        results, findings = topic_results(version, coverage, contract)
    else:
        judged = [
            _judge(library[i], library[i].current if choice else version, contract, meta, signed_on, contract_type,
                   tokutei, settings, coverage, unreadable_pages)
            for i in (tied or [ref_set.id])
        ]
        # Sets the text and the issuer named cannot tell apart: the one with fewer findings.
        k = min(range(len(judged)), key=lambda n: len(judged[n][1]))
        results, findings, matched = judged[k]
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
        if not matched:
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
    return Report(
        **base, clauses=_mark_ocr(results, ocr), findings=tuple(findings), notes=tuple(notes), coverage=coverage,
        ocr_pages=ocr,
    )


def _judge(
    ref_set: ReferenceSet, version: ReferenceVersion, contract: ContractText, meta: ContractMetadata,
    signed_on: date | None, contract_type: str | None, tokutei: bool, settings: Settings,
    coverage: tuple[TopicCoverage, ...], unreadable_pages: bool,
) -> tuple[list[ClauseResult], list[Finding], bool]:
    """Every clause of a clause-level ``version`` judged against the contract, the findings, and
    whether any clause was found at all."""
    forms = reference_forms(ref_set, settings)
    matches, best = match_clauses(contract, ref_set, version, forms, settings)
    ctx = JudgeContext(
        ref_set, version, forms, contract, settings, contract_type, tokutei,
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
    return results, findings, bool(matches)


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
