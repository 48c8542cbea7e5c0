"""The web app: the check page, downloads from one analysis, and the JSON API over the library.

``create_app(config)`` builds a FastAPI app around one Checker (thread-safe: FastAPI runs the
handlers below in its thread pool). Every page and answer is made by the library: the report
templates of ``analyzer.report``, ``fix_analysis``, the store's read API. Nothing here writes to
the store, and uploads live only as long as their request.
"""
from __future__ import annotations

import json
import secrets
from html import escape
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from pydantic import Field as PydanticField
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

from ..checker import AUTO, Analysis, CheckOptions, Checker, shared_checker
from ..errors import DocumentError, TokkiError, UsageError
from ..fix import FixError, fix_analysis
from ..ja.dates import parse_given_date
from ..metadata import extract_metadata
from ..report import render_report
from ..report.comparison import comparison_context
from ..report.decisions import DECISION_LABEL, decision_summary, describe, reviewed_findings, text_key
from ..report.html import report_context, stored_report_context, template_environment
from ..report.summary import (
    ArchiveFigures, ContractFilter, archive_figures, filter_choices, local_time, render_csv, summary_context,
    write_xlsx,
)
from ..references import resolve_reference
from ..store import Store, StoreError
from ..version import __version__
from .security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, Guard, ServeConfig, same_secret
from .uploads import Upload, UploadFolder, read_uploads

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERS = ("status", "clause", "kind", "year", "reference", "type")
KEPT_RESULTS = 32  # checks whose downloads stay available (newest first out of memory)
TYPES = ("1", "2", "3", "4")
EMPTY_FORM = {"reference": AUTO, "contract_type": "", "signed_on": "", "tokutei": False, "read_signed_on": "",
              "read_type": ""}


class DecisionIn(BaseModel):
    clause: str = PydanticField(description="条の ID（\"15\"、\"topic-3\"）")
    kind: str = PydanticField(description="指摘の種類 missing / obsolete / modified / weakened / review")
    decision: str = PydanticField(description="resolved（対応済み）/ accepted（問題なし）")
    reason: str = ""
    reviewer: str


@dataclass(frozen=True)
class CheckResult:
    """One check's outputs, made from one analysis: what the page shows and what it offers to download."""

    id: str
    name: str  # the contract's id (the first file's name without suffix)
    analysis: Analysis
    json: str
    html: str
    docx: bytes | None  # the fixed draft (one file checked, readable), else None
    docx_note: str  # why there is no fixed draft, or what it did


class _Results:
    """The last ``KEPT_RESULTS`` checks, by a random id, for their downloads."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, CheckResult] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, result: CheckResult) -> None:
        with self._lock:
            self._items[result.id] = result
            while len(self._items) > KEPT_RESULTS:
                self._items.popitem(last=False)

    def get(self, rid: str) -> CheckResult | None:
        with self._lock:
            return self._items.get(rid)


def templates() -> Environment:
    """The page templates, with the report's (a page embeds ``report_body.html.j2`` and ``report.css``)."""
    env = Environment(
        loader=ChoiceLoader([PackageLoader("analyzer.serve", "templates"), PackageLoader("analyzer.report", ".")]),
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(template_environment().filters)
    env.filters["localtime"] = local_time
    return env


def _error(status: int, code: str, message: str, file: str | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, **({"file": file} if file else {})}}
    return JSONResponse(body, status_code=status)


def create_app(config: ServeConfig | None = None, checker: Checker | None = None) -> FastAPI:
    config = config or ServeConfig()
    checker = checker or shared_checker(config.library_dirs)
    if config.db is not None and Path(config.db).exists():
        try:  # a store made by an earlier tokki gets its new tables (decisions); scan results are not touched
            Store(config.db).close()
        except StoreError:
            pass  # read-only or damaged: the pages say so
    env = templates()
    results = _Results()
    app = FastAPI(
        title="tokki", version=__version__, docs_url=None, redoc_url=None,
        description="特記事項チェック（tokki）の API。`POST /api/check` は `tokki check --format json` と同じ tokki.report/1 の JSON を返します。",
    )
    app.mount("/static", StaticFiles(packages=[("analyzer.serve", "static")]), name="static")

    # ------------------------------------------------------------ helpers

    def options_from(reference: str | None, contract_type: str | None, signed_on: str | None, tokutei: bool) -> CheckOptions:
        """The form's options as CheckOptions; a bad value raises UsageError (the CLI's messages)."""
        reference = (reference or AUTO).strip() or AUTO
        if reference != AUTO:
            resolve_reference(checker.library, reference)
        contract_type = (contract_type or "").strip() or None
        if contract_type is not None and contract_type not in TYPES:
            raise UsageError(f"類型は 1〜4 で指定してください / type must be 1-4: {contract_type}")
        when = None
        if signed_on and signed_on.strip():
            try:
                when = parse_given_date(signed_on)
            except ValueError as exc:
                raise UsageError(str(exc)) from exc
        return CheckOptions(reference=reference, contract_type=contract_type, signed_on=when, tokutei=tokutei)

    def check(files: list[UploadFile], options: CheckOptions, fix: bool = True) -> CheckResult:
        """Read the uploads, analyse them as one contract, and make every output from that analysis."""
        if not files or all(not (f.filename or "").strip() and f.size == 0 for f in files):
            raise UsageError("ファイルを選んでください / choose a file")
        with UploadFolder(files) as folder:
            uploads = folder.in_order()
            analysis = checker.analyze_documents(read_uploads(uploads, checker.settings), [u.name for u in uploads],
                                                 options)
            docx, note = fixed_draft(analysis, uploads) if fix else (None, "")
        report = analysis.report
        return CheckResult(secrets.token_urlsafe(12), report.contract_id, analysis,
                           render_report(report, "json"), render_report(report, "html"), docx, note)

    def fixed_draft(analysis: Analysis, uploads: list[Upload]) -> tuple[bytes | None, str]:
        """The fixed DOCX of a one-file draft (``tokki fix``), and what it did or why there is none."""
        if analysis.report.error is not None:
            return None, "読み取れないファイルがあるため修正案はありません / no fixed draft for an unreadable file"
        if len(uploads) != 1:
            return None, "修正案は1ファイルのときに作ります / a fixed draft is made for one file"
        with tempfile.TemporaryDirectory(prefix="tokki-serve-fix-") as tmp:
            out = Path(tmp) / "fixed.docx"
            try:
                fixed = fix_analysis(analysis, out, checker=checker, source=uploads[0].path)
            except (FixError, UsageError) as exc:
                return None, str(exc)
            n = len(fixed.fixed)
            return out.read_bytes(), (f"{n} 条を変更履歴で修正 / {n} clause(s) corrected" if fixed.changed
                                      else "修正する条はありません / nothing to correct")

    def csrf_ok(request: Request, field_value: str | None) -> bool:
        expected = request.cookies.get(CSRF_COOKIE)
        return same_secret(request.headers.get(CSRF_HEADER) or field_value, expected)

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        html = env.get_template(template).render(
            csrf=token, version=__version__, store=store_status(), library=checker.library,
            htmx=request.headers.get("hx-request") == "true", active=context.pop("active", "check"), **context,
        )
        response = HTMLResponse(html, status_code=status)
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    def store_status() -> dict:
        """What the archive holds, for the pages: {"path", "contracts"} or {"path", "missing": reason}."""
        if config.db is None:
            return {"path": None, "missing": "--db が指定されていません / no --db given"}
        if not Path(config.db).exists():
            return {"path": str(config.db), "missing": "まだありません / not created yet"}
        try:
            with Store(config.db, read_only=True) as store:
                return {"path": str(config.db), "contracts": len(store.contract_rows())}
        except StoreError as exc:
            return {"path": str(config.db), "missing": exc.reason}

    def open_store() -> Store | None:
        if config.db is None or not Path(config.db).exists():
            return None
        return Store(config.db, read_only=True)

    def stored(contract_id: str) -> tuple[dict, list] | JSONResponse:
        """A stored contract's report and reviewers' decisions, or the JSON error saying why there are none."""
        store = open_store()
        if store is None:
            return _error(404, "no_store", "アーカイブがありません / no archive")
        with store:
            report = store.contract_report(contract_id)
            decided = store.decisions(contract_id) if report is not None else []
        if report is None:
            return _error(404, "not_found", f"契約 {contract_id} のレポートはありません / no report for {contract_id}")
        return report, decided

    # ------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def check_page(request: Request):
        return page(request, "check.html.j2", result=None, error=None, form=EMPTY_FORM)

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    def check_form(
        request: Request,
        files: list[UploadFile] = File(default=[]),
        reference: str = Form(AUTO),
        contract_type: str = Form(""),
        signed_on: str = Form(""),
        tokutei: bool = Form(False),
        read_signed_on: str = Form(""),
        read_type: str = Form(""),
        csrf: str | None = Form(None, alias=CSRF_FIELD),
    ):
        htmx = request.headers.get("hx-request") == "true"
        target = "check_result.html.j2" if htmx else "check.html.j2"
        form = {"reference": reference, "contract_type": contract_type, "signed_on": signed_on, "tokutei": tokutei,
                "read_signed_on": read_signed_on, "read_type": read_type}
        # A value the form filled from the document and the clerk left as it was is not one they gave.
        if read_signed_on and signed_on.strip() == read_signed_on:
            signed_on = ""
        if read_type and contract_type == read_type:
            contract_type = ""
        if not csrf_ok(request, csrf):
            return page(request, target, 403, result=None, form=form,
                        error="ページを開き直してから送ってください（CSRF トークンが一致しません） / reload the page and send again")
        try:
            result = check(files, options_from(reference, contract_type, signed_on, tokutei))
        except UsageError as exc:
            return page(request, target, 400, result=None, error=str(exc), form=form)
        results.add(result)
        return page(request, target, result=result, error=None, form=form, **report_context(result.analysis.report))

    @app.post("/prefill", response_class=HTMLResponse, include_in_schema=False)
    def prefill(
        request: Request,
        files: list[UploadFile] = File(default=[]),
        reference: str = Form(AUTO),
        csrf: str | None = Form(None, alias=CSRF_FIELD),
    ):
        """The check form's options filled from the chosen files: signing date, suggested 類型, 特定個人情報."""
        form = {**EMPTY_FORM, "reference": reference}
        if not csrf_ok(request, csrf) or not files:
            return page(request, "check_options.html.j2", form=form)
        with UploadFolder(files) as folder:
            documents = read_uploads(folder.in_order(), checker.settings)
        if isinstance(documents, DocumentError):
            return page(request, "check_options.html.j2", form=form)  # the check itself will say why
        meta = extract_metadata(documents)
        said = []
        if meta.signed_on is not None:
            form["signed_on"] = form["read_signed_on"] = meta.signed_on.value.isoformat()
            said.append(f"契約日「{meta.signed_on.text}」（{meta.signed_on.where()}）")
        if meta.suggested_type is not None:
            form["contract_type"] = form["read_type"] = str(meta.suggested_type)
            said.append(f"類型{meta.suggested_type}（推定）")
        if meta.tokutei is not None and meta.tokutei.value:
            form["tokutei"] = True
            said.append("特定個人情報")
        return page(request, "check_options.html.j2", form=form, prefilled="・".join(said))

    @app.get("/results/{rid}.{fmt}", include_in_schema=False)
    def download(rid: str, fmt: str):
        result = results.get(rid)
        if result is None or fmt not in ("json", "html", "docx") or (fmt == "docx" and result.docx is None):
            return HTMLResponse("<p>見つかりません（時間が経ったか、もう一度チェックしてください） / not found: check again</p>",
                                status_code=404)
        name = {"json": f"{result.name}.json", "html": f"{result.name}.html", "docx": f"{result.name}_修正案.docx"}[fmt]
        body = {"json": result.json, "html": result.html, "docx": result.docx}[fmt]
        media = {"json": "application/json", "html": "text/html; charset=utf-8", "docx": DOCX_TYPE}[fmt]
        return Response(body, media_type=media, headers={"content-disposition": _attachment(name)})

    @app.get("/archive", response_class=HTMLResponse, include_in_schema=False)
    def archive(request: Request):
        store = open_store()
        if store is None:
            return page(request, "archive.html.j2", active="archive", fig=None)
        with store:
            context = summary_context(archive_figures(store), report_link=_report_link)
        return page(request, "archive.html.j2", active="archive", **context)

    def filtered(request: Request, store: Store) -> tuple[ContractFilter, ArchiveFigures, ArchiveFigures]:
        q = request.query_params
        keep = ContractFilter(**{k: q.get(k, "") for k in FILTERS})
        fig = archive_figures(store)
        return keep, fig, keep.of(fig, store)

    @app.get("/archive/contracts", response_class=HTMLResponse, include_in_schema=False)
    def contracts(request: Request):
        store = open_store()
        if store is None:
            return page(request, "contracts.html.j2", active="archive", fig=None)
        with store:
            keep, fig, shown = filtered(request, store)
            choices = filter_choices(fig, store)
            decisions = {k: describe(v) for k, v in decision_summary(store).items()}
        query = "?" + urlencode({k: v for k, v in vars(keep).items() if v}) if any(vars(keep).values()) else ""
        return page(request, "contracts.html.j2", active="archive", choices=choices, filters=vars(keep),
                    total=len(fig.contracts), query=query, decisions=decisions,
                    **summary_context(shown, report_link=_report_link))

    @app.get("/archive/contracts.{fmt}", include_in_schema=False)
    def export(request: Request, fmt: str):
        store = open_store()
        if store is None or fmt not in ("csv", "xlsx"):
            return HTMLResponse("<p>アーカイブがありません / no archive</p>", status_code=404)
        with store:
            _, _, shown = filtered(request, store)
            if fmt == "csv":
                body, media = render_csv(shown, decision_summary(store)).encode("utf-8"), "text/csv; charset=utf-8"
            else:
                with tempfile.TemporaryDirectory(prefix="tokki-serve-xlsx-") as tmp:
                    path = Path(tmp) / "contracts.xlsx"
                    write_xlsx(store, shown, path, with_decisions=True)
                    body, media = path.read_bytes(), XLSX_TYPE
        return Response(body, media_type=media, headers={"content-disposition": _attachment(f"契約一覧.{fmt}")})

    @app.get("/archive/contracts/{contract_id}", response_class=HTMLResponse, include_in_schema=False)
    def stored_report(request: Request, contract_id: str):
        found = stored(contract_id)
        if isinstance(found, JSONResponse):
            return page(request, "not_found.html.j2", 404, active="archive", back="/archive/contracts",
                        what=f"契約 {contract_id} のレポートはアーカイブにありません / no report for {contract_id}")
        report, decided = found
        return page(request, "stored_report.html.j2", active="archive", reviewed=reviewed_findings(report, decided),
                    decision_label=DECISION_LABEL, **stored_report_context(report))

    def decide(contract_id: str, clause: str, kind: str, decision: str, reason: str, reviewer: str) -> dict:
        """Record a reviewer's decision (the only write tokki serve makes to the store)."""
        if not reviewer.strip():
            raise UsageError("確認者の名前を入れてください / give the reviewer's name")
        if config.db is None or not Path(config.db).exists():
            raise UsageError("アーカイブがありません / no archive")
        with Store(config.db) as store:
            report = store.contract_report(contract_id)
            if report is None or not any((f["clause"], f["kind"]) == (clause, kind) for f in report["findings"]):
                raise UsageError(f"{contract_id} にその指摘はありません / no such finding in {contract_id}")
            return store.record_decision(contract_id, clause, kind, text_key(report, clause, kind), decision,
                                         reason.strip(), reviewer.strip())

    @app.post("/archive/contracts/{contract_id}/decisions", response_class=HTMLResponse, include_in_schema=False)
    def decide_form(
        request: Request, contract_id: str, clause: str = Form(...), kind: str = Form(...),
        decision: str = Form(...), reason: str = Form(""), reviewer: str = Form(""),
        csrf: str | None = Form(None, alias=CSRF_FIELD),
    ):
        if not csrf_ok(request, csrf):
            return HTMLResponse("<p class='problem'>ページを開き直してください（CSRF） / reload the page</p>", 403)
        try:
            decide(contract_id, clause, kind, decision, reason, reviewer)
        except UsageError as exc:
            return HTMLResponse(f"<p class='problem'>{escape(str(exc))}</p>", 400)
        if request.headers.get("hx-request") == "true":
            return stored_report(request, contract_id)
        return Response(status_code=303, headers={"location": _report_link(contract_id) + "#decisions"})

    @app.get("/references", response_class=HTMLResponse, include_in_schema=False)
    def references(request: Request):
        return page(request, "references.html.j2", active="references")

    @app.get("/references/{set_id}", response_class=HTMLResponse, include_in_schema=False)
    def comparison(request: Request, set_id: str, old: str = "", new: str = ""):
        ref_set = checker.library.get(set_id)
        missing = page(request, "not_found.html.j2", 404, active="references", back="/references",
                       what=f"参照文 {set_id}（{old} → {new}）はありません / no such reference or version")
        if ref_set is None:
            return missing
        old_v = ref_set.version(old or ref_set.versions[0].version)
        new_v = ref_set.version(new or None)
        if old_v is None or new_v is None:
            return missing
        return page(request, "references.html.j2", active="references", **comparison_context(old_v, new_v))

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="tokki API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},  # Swagger UI would ask validator.swagger.io otherwise
        )

    # ------------------------------------------------------------ API

    @app.post("/api/check", summary="1件の契約をチェック / check one contract",
              description="本体と別記のファイル（複数可）を1契約としてチェックし、tokki.report/1 の JSON を返します。"
                          "読み取れないファイルは 422 で、そのコードとメッセージを含むレポートを返します。")
    def api_check(
        files: list[UploadFile] = File(..., description="本体と別記 / the contract's files"),
        reference: str = Form(AUTO, description="ID[@VERSION] または auto"),
        contract_type: str = Form("", alias="type", description="類型 1〜4"),
        signed_on: str = Form("", description="契約日（2024-04-01、令和6年4月1日など）"),
        tokutei: bool = Form(False, description="特定個人情報を扱う"),
    ):
        try:
            result = check(files, options_from(reference, contract_type, signed_on, tokutei), fix=False)
        except UsageError as exc:
            return _error(400, "usage", str(exc))
        return JSONResponse(json.loads(result.json), status_code=422 if result.analysis.report.error else 200)

    @app.post("/api/fix", summary="修正案の DOCX / the fixed draft",
              description="1つのファイルをチェックし、現行の文言を変更履歴とコメントで入れた DOCX を返します（tokki fix と同じ）。",
              response_class=Response, responses={200: {"content": {DOCX_TYPE: {}}}})
    def api_fix(
        file: UploadFile = File(..., description="下書き（DOCX・PDF・TXT） / the draft"),
        reference: str = Form(AUTO),
        contract_type: str = Form("", alias="type"),
        signed_on: str = Form(""),
        tokutei: bool = Form(False),
    ):
        try:
            result = check([file], options_from(reference, contract_type, signed_on, tokutei))
        except UsageError as exc:
            return _error(400, "usage", str(exc))
        report = result.analysis.report
        if report.error is not None:
            return _error(422, report.error.code.value, report.error.message, report.error.file)
        if result.docx is None:
            return _error(422, "not_fixed", result.docx_note)
        return Response(result.docx, media_type=DOCX_TYPE,
                        headers={"content-disposition": _attachment(f"{result.name}_修正案.docx")})

    @app.get("/api/contracts", summary="アーカイブの契約 / contracts in the archive")
    def api_contracts():
        store = open_store()
        if store is None:
            return _error(404, "no_store", "アーカイブがありません（tokki scan DIR --db PATH で作ります） / no archive: tokki scan")
        with store:
            rows = store.contract_rows()
        keys = ("id", "status", "reference_id", "reference_version", "signed_on", "type", "worst_severity",
                "error_code", "error_message")
        return [{k: r[k] for k in keys} for r in rows]

    @app.get("/api/contracts/{contract_id}", summary="1件の契約のレポート / one contract's report")
    def api_contract(contract_id: str):
        found = stored(contract_id)
        return found if isinstance(found, JSONResponse) else found[0]

    @app.get("/api/contracts/{contract_id}/decisions", summary="確認の判断 / reviewers' decisions")
    def api_decisions(contract_id: str):
        found = stored(contract_id)
        if isinstance(found, JSONResponse):
            return found
        return [
            {"clause": f["clause"], "kind": f["kind"], "decision": f["decision"], "outdated": f["outdated"]}
            for f in reviewed_findings(*found)
        ]

    @app.post("/api/contracts/{contract_id}/decisions", status_code=201,
              summary="指摘に判断を記録 / record a decision on a finding",
              description="decision は resolved（対応済み）か accepted（問題なし）。JSON で送ります。")
    def api_decide(contract_id: str, body: DecisionIn):
        try:
            return decide(contract_id, body.clause, body.kind, body.decision, body.reason, body.reviewer)
        except UsageError as exc:
            return _error(400, "usage", str(exc))

    @app.exception_handler(TokkiError)
    def tokki_error(request: Request, exc: TokkiError):
        if isinstance(exc, StoreError):
            return _error(503, "store", str(exc))
        return _error(400, getattr(getattr(exc, "code", None), "value", "usage"), str(exc))

    app.add_middleware(Guard, config=config)  # host, token and size, before any route
    return app


def _report_link(contract_id: str) -> str:
    return f"/archive/contracts/{quote(contract_id, safe='')}"


def _attachment(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"

