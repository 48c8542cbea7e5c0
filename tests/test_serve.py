"""tokki serve (issue 20): the check page, its downloads, the JSON API, and who may use them.

Driven with FastAPI's TestClient against the app as ``tokki serve`` builds it; the browser tests
are in test_serve_browser.py.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra: pip install -e '.[serve]'")
from builders import write_docx  # noqa: E402
from contracts import build_annex  # noqa: E402
from docx import Document as DocxDocument  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from analyzer.checker import shared_checker  # noqa: E402
from analyzer.cli import main  # noqa: E402
from analyzer.scan import scan_archive  # noqa: E402
from analyzer.serve import ServeConfig, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "analyzer" / "serve" / "static"
LOCAL = "http://127.0.0.1:8000"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _lines(text: str) -> list[str]:
    return text.split("\n")


@pytest.fixture(scope="module")
def app():
    return create_app(ServeConfig(), shared_checker())


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app, base_url=LOCAL)


@pytest.fixture(scope="module")
def old_draft(tmp_path_factory) -> Path:
    """A Word annex whose 第15 and 第16 still have the pre-2023 wording."""
    path = tmp_path_factory.mktemp("drafts") / "R06-015_特記事項.docx"
    write_docx(path, _lines(build_annex(old=True)))
    return path


def _csrf(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200
    return page.cookies.get("tokki_csrf") or client.cookies.get("tokki_csrf")


def _upload(path: Path, name: str | None = None):
    return ("files", (name or path.name, path.read_bytes(), "application/octet-stream"))


def test_check_page_has_the_form_and_loads_nothing_from_elsewhere(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert 'type="file"' in html and "multiple" in html and 'name="csrf"' in html
    assert '<option value="auto">' in html and "fukuoka-pref@2023-10-10" in html
    assert 'src="/static/htmx.min.js"' in html
    # No CDN: every script, stylesheet and image comes from this server.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url
    assert client.get("/static/htmx.min.js").status_code == 200
    # No store yet: the page says how to fill the archive.
    assert "tokki scan" in html


def test_check_shows_the_report_in_the_page_and_offers_the_fixed_docx(client, old_draft):
    csrf = _csrf(client)
    r = client.post("/check", files=[_upload(old_draft)], data={"csrf": csrf, "reference": "auto"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.text
    assert "<html" not in html  # a fragment for the page, not a page
    assert "fukuoka-pref @ 2023-10-10" in html  # the identified set
    # 第15 is obsolete, with the changed words marked on both sides.
    assert re.search(r'id="c15".*?旧版', html, re.S)
    assert "<mark>" in html
    links = dict(re.findall(r'href="(/results/[^"]+\.(json|html|docx))"', html)[i][::-1] for i in range(3))
    report = client.get(links["json"]).json()
    assert report["contract"]["files"] == ["R06-015_特記事項.docx"]
    assert [c["status"] for c in report["clauses"] if c["id"] in ("15", "16")] == ["obsolete", "obsolete"]
    page = client.get(links["html"])
    assert page.headers["content-type"].startswith("text/html") and "<!DOCTYPE html>" in page.text
    fixed = client.get(links["docx"])
    assert "R06-015" in fixed.headers["content-disposition"]
    body = DocxDocument(io.BytesIO(fixed.content)).element.body
    insertions = body.findall(f".//{W}ins")
    assert insertions and {i.get(f"{W}author") for i in insertions} == {"tokki"}


def test_choosing_files_fills_the_options_from_them(client):
    csrf = _csrf(client)
    text = ("業務委託契約書\n\n契約締結日　令和6年4月1日\n\n" + build_annex(old=True)).encode()
    r = client.post("/prefill", files=[("files", ("契約書.txt", text, "text/plain"))], data={"csrf": csrf},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="options"' in r.text
    assert 'value="2024-04-01"' in r.text and "令和6年4月1日" in r.text


def test_check_refuses_a_post_without_its_csrf_token(client, old_draft):
    _csrf(client)
    r = client.post("/check", files=[_upload(old_draft)], data={"csrf": "forged"})
    assert r.status_code == 403 and "CSRF" in r.text


def test_api_check_gives_what_tokki_check_prints(client, old_draft, tmp_path, capsys, monkeypatch):
    api = client.post("/api/check", files=[_upload(old_draft)])
    assert api.status_code == 200
    local = tmp_path / old_draft.name
    local.write_bytes(old_draft.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert main(["check", old_draft.name, "--format", "json"]) == 1  # an error finding
    assert api.json() == json.loads(capsys.readouterr().out)


def test_api_fix_returns_the_corrected_docx(client, old_draft):
    r = client.post("/api/fix", files={"file": (old_draft.name, old_draft.read_bytes())})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    text = "".join(t.text or "" for t in DocxDocument(io.BytesIO(r.content)).element.body.iter(f"{W}t"))
    assert "行う" in text


def test_api_errors_have_the_cli_codes_and_messages(client, tmp_path):
    empty = client.post("/api/check", files=[("files", ("空.txt", b"", "text/plain"))])
    assert empty.status_code == 422
    assert empty.json()["error"]["code"] == "empty" and empty.json()["status"] == "error"
    unknown = client.post("/api/check", files=[("files", ("a.txt", "第1 甲は".encode(), "text/plain"))],
                          data={"reference": "nowhere-city"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "usage" and "nowhere-city" in unknown.json()["error"]["message"]
    bad_type = client.post("/api/check", files=[("files", ("a.txt", b"x", "text/plain"))], data={"type": "9"})
    assert bad_type.status_code == 400 and "類型" in bad_type.json()["error"]["message"]
    fix_pdf_error = client.post("/api/fix", files={"file": ("壊れた.pdf", b"%PDF-1.4 broken", "application/pdf")})
    assert fix_pdf_error.status_code == 422 and fix_pdf_error.json()["error"]["code"] == "corrupt"


def test_uploaded_names_never_reach_the_file_system(client):
    before = set(Path(tempfile.gettempdir()).glob("tokki-serve-*"))
    # An obsolete clause is shown as the contract has it: here with markup in it.
    text = build_annex(old=True).replace("することができる", "することができる<script>alert(1)</script>", 1).encode()
    r = client.post("/api/check", files=[("files", ("../../../etc/契約書.txt", text, "text/plain"))])
    assert r.status_code == 200
    assert r.json()["contract"]["files"] == ["契約書.txt"]
    assert set(Path(tempfile.gettempdir()).glob("tokki-serve-*")) == before  # removed after the response
    csrf = _csrf(client)
    page = client.post("/check", files=[("files", ("x.txt", text, "text/plain"))], data={"csrf": csrf},
                       headers={"HX-Request": "true"})
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text


def test_token_is_required_off_loopback(app):
    guarded = create_app(ServeConfig(host="0.0.0.0", token="s3cret"), shared_checker())
    client = TestClient(guarded, base_url="http://192.0.2.10:8000")
    page = client.get("/")
    assert page.status_code == 401 and "?token=" in page.text
    api = client.get("/api/contracts")
    assert api.status_code == 401 and api.json()["error"]["code"] == "unauthorized"
    assert client.get("/api/contracts", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/contracts", headers={"Authorization": "Bearer s3cret"}).status_code == 404  # no store
    login = client.get("/?token=s3cret", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/"
    assert "tokki_token=s3cret" in login.headers["set-cookie"] and "SameSite=Strict" in login.headers["set-cookie"]
    assert client.get("/").status_code == 200  # the cookie now carries it


def test_loopback_answers_only_to_local_names(client):
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200


def test_uploads_over_the_limit_are_refused():
    small = TestClient(create_app(ServeConfig(max_upload=1000), shared_checker()), base_url=LOCAL)
    r = small.post("/api/check", files=[("files", ("big.txt", b"x" * 5000, "text/plain"))])
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_api_reads_the_archive(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "R06-001.txt").write_text(build_annex(old=True), "utf-8")
    (archive / "R06-002.txt").write_text(build_annex(), "utf-8")
    db = tmp_path / "t.sqlite"
    scan_archive(archive, db=db, out=None, jobs=1)
    client = TestClient(create_app(ServeConfig(db=db), shared_checker()), base_url=LOCAL)
    rows = {c["id"]: c for c in client.get("/api/contracts").json()}
    assert {k: v["status"] for k, v in rows.items()} == {"R06-001": "findings", "R06-002": "ok"}
    report = client.get("/api/contracts/R06-001").json()
    assert report["contract"]["id"] == "R06-001" and report["status"] == "findings"
    missing = client.get("/api/contracts/R06-999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert "アーカイブ 2 件" in client.get("/").text


def test_docs_are_served_from_here():
    client = TestClient(create_app(ServeConfig(), shared_checker()), base_url=LOCAL)
    docs = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert '"validatorUrl": null' in docs  # no request to swagger.io's validator
    assert "/api/check" in client.get("/openapi.json").json()["paths"]


def test_vendored_files_are_the_pinned_ones():
    listed = re.findall(r"sha256 ([0-9a-f]{64})(?:\s+(\S+))?", (STATIC / "VENDORED.txt").read_text("utf-8"))
    files = {"htmx.min.js": listed[0][0], **{name: digest for digest, name in listed[1:]}}
    for name, digest in files.items():
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
    assert (STATIC / "htmx.LICENSE").exists() and (STATIC / "swagger-ui" / "LICENSE").exists()


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory) -> Path:
    """A small scanned archive: two with the pre-2023 第15/第16, one current, one with 第12 dropped."""
    root = tmp_path_factory.mktemp("serve-archive")
    archive = root / "archive"
    archive.mkdir()
    (archive / "R05-001.txt").write_text("契約日 令和5年4月1日\n" + build_annex(old=True), "utf-8")
    (archive / "R06-002.txt").write_text("契約日 令和6年4月1日\n" + build_annex(old=True), "utf-8")
    (archive / "R06-003.txt").write_text("契約日 令和6年5月1日\n" + build_annex(), "utf-8")
    (archive / "R06-004.txt").write_text("契約日 令和6年6月1日\n" + build_annex(drop=(12,)), "utf-8")
    db = root / "t.sqlite"
    scan_archive(archive, db=db, out=None, jobs=1)
    return db


def test_archive_pages_show_the_store(archive_db):
    client = TestClient(create_app(ServeConfig(db=archive_db), shared_checker()), base_url=LOCAL)
    dashboard = client.get("/archive").text
    assert "表1 不備のある契約" in dashboard and 'href="/archive/contracts/R06-002"' in dashboard
    listed = client.get("/archive/contracts").text
    assert re.search(r'id="shown">4<', listed)
    old = client.get("/archive/contracts", params={"kind": "obsolete"}).text
    assert re.search(r'id="shown">2<', old) and "R05-001" in old and "R06-003" not in old
    by_year = client.get("/archive/contracts", params={"kind": "obsolete", "year": "2024"}).text
    assert re.search(r'id="shown">1<', by_year) and "R06-002" in by_year and "R05-001" not in by_year
    by_clause = client.get("/archive/contracts", params={"clause": "12"}).text
    assert re.search(r'id="shown">1<', by_clause) and "R06-004" in by_clause
    csv_rows = client.get("/archive/contracts.csv", params={"kind": "obsolete"}).text.lstrip("\ufeff").splitlines()
    assert csv_rows[0].startswith("契約ID,") and csv_rows[0].endswith(",確認")
    assert sorted(r.split(",")[0] for r in csv_rows[1:]) == ["R05-001", "R06-002"]
    xlsx = client.get("/archive/contracts.xlsx", params={"status": "ok"})
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert [r[0].value for r in book["契約"].iter_rows(min_row=2)] == ["R06-003"]
    assert book.sheetnames == ["契約", "条", "指摘", "確認"]
    report = client.get("/archive/contracts/R06-002").text
    assert "指摘の確認" in report and 'id="c15"' in report
    assert client.get("/archive/contracts/R06-999").status_code == 404
    refs = client.get("/references/fukuoka-pref", params={"old": "pre-2023-10-10", "new": "2023-10-10"}).text
    assert "新旧対照表" in refs and "<u>" in refs
    assert client.get("/references/nowhere").status_code == 404


def test_reviewer_decisions_are_kept_apart_and_hold_while_the_clause_is_unchanged(archive_db, tmp_path):
    db = tmp_path / "t.sqlite"
    db.write_bytes(archive_db.read_bytes())
    client = TestClient(create_app(ServeConfig(db=db), shared_checker()), base_url=LOCAL)
    csrf = _csrf(client)
    before = _scan_rows(db)
    r = client.post("/archive/contracts/R06-002/decisions", headers={"HX-Request": "true"},
                    data={"csrf": csrf, "clause": "15", "kind": "obsolete", "decision": "resolved",
                          "reason": "差替え済み", "reviewer": "監査 花子"})
    assert r.status_code == 200 and "対応済み — 差替え済み — 監査 花子" in r.text
    assert _scan_rows(db) == before  # scan results untouched
    api = client.post("/api/contracts/R06-002/decisions",
                      json={"clause": "16", "kind": "obsolete", "decision": "accepted", "reviewer": "監査 花子"})
    assert api.status_code == 201 and api.json()["decision"] == "accepted"
    assert client.post("/archive/contracts/R06-002/decisions",
                       data={"csrf": "forged", "clause": "15", "kind": "obsolete", "decision": "resolved",
                             "reviewer": "x"}).status_code == 403
    bad = client.post("/api/contracts/R06-002/decisions", json={"clause": "3", "kind": "missing",
                                                                "decision": "resolved", "reviewer": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "usage"
    assert "対応済み 1・問題なし 1" in client.get("/archive/contracts").text
    # A rescan that re-judges the same text keeps them; a changed 第15 makes that one outdated.
    archive = tmp_path / "archive"
    archive.mkdir()
    src = archive_db.parent / "archive"
    for f in src.iterdir():
        (archive / f.name).write_bytes(f.read_bytes())
    scan_archive(archive, db=db, out=None, jobs=1)
    decided = {d["clause"]: d for d in client.get("/api/contracts/R06-002/decisions").json()}
    assert decided["15"]["decision"]["reason"] == "差替え済み" and decided["16"]["decision"] is not None
    text = (archive / "R06-002.txt").read_text("utf-8")
    assert "随時実地の調査等" in text
    (archive / "R06-002.txt").write_text(text.replace("随時実地の調査等", "随時、実地の調査等", 1), "utf-8")
    scan_archive(archive, db=db, out=None, jobs=1)
    decided = {d["clause"]: d for d in client.get("/api/contracts/R06-002/decisions").json()}
    assert decided["15"]["decision"] is None and decided["15"]["outdated"]["reviewer"] == "監査 花子"
    assert decided["16"]["decision"] is not None


def _scan_rows(db: Path) -> list:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return [con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ("contracts", "clauses", "findings")]
    finally:
        con.close()
