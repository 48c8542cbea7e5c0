"""Store: the SQLite database of a scanned archive (scans, contracts, files, text, clauses, findings).

Input: what ``analyzer.scan`` produces per contract; output: the rows that
``tokki summary`` / ``tokki findings`` and the summary files read. Schema
changes are named migrations recorded in the ``migrations`` table, applied in
order when a store is opened, so an older store keeps working.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import StoreError, UsageError
from .files import reason_of
from .messages import finding_message
from .model import Document, Page, Report, Severity

DEFAULT_DB = Path("reports/tokki.sqlite")

# (name, SQL). Never edit an applied migration: add a new one.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_initial",
        """
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,               -- running | complete | interrupted
            root TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            reference_versions TEXT NOT NULL,   -- JSON list of "set@version"
            reference_fingerprint TEXT NOT NULL,
            contracts INTEGER, analysed INTEGER, rejudged INTEGER, unchanged INTEGER
        );
        CREATE TABLE contracts (
            id TEXT PRIMARY KEY,
            files TEXT NOT NULL,                -- JSON list of paths relative to the archive
            type TEXT,                          -- 類型
            signed_on TEXT,
            reference_spec TEXT,                -- the manifest's reference column (NULL = auto)
            input_key TEXT NOT NULL,            -- hash of the file hashes and the metadata above
            judged_with TEXT NOT NULL,          -- reference fingerprint the verdict was made with
            scan_id INTEGER REFERENCES scans(id),
            status TEXT NOT NULL,               -- ok | findings | error | no_reference | failed
            reference_id TEXT,
            reference_version TEXT,
            error_code TEXT,
            error_message TEXT,
            error_file TEXT,
            worst_severity TEXT,
            report TEXT                         -- tokki.report/1 JSON
        );
        CREATE TABLE files (
            path TEXT PRIMARY KEY,              -- relative to the archive
            contract_id TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime REAL NOT NULL
        );
        CREATE TABLE documents (                -- extracted text, to re-judge without extracting
            path TEXT PRIMARY KEY REFERENCES files(path) ON DELETE CASCADE,
            sha256 TEXT NOT NULL,
            format TEXT NOT NULL,
            text TEXT NOT NULL,
            pages TEXT NOT NULL,                -- JSON [[number, start, end(, ocr confidence, [[offset, confidence, guesses], ...])], ...]
            notes TEXT NOT NULL                 -- JSON list
        );
        CREATE TABLE segments (                 -- segmented text: numbered articles as printed
            path TEXT NOT NULL REFERENCES documents(path) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            label TEXT NOT NULL,
            number INTEGER,
            heading TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            region TEXT NOT NULL,
            PRIMARY KEY (path, position)
        );
        CREATE TABLE clauses (
            contract_id TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            clause_id TEXT NOT NULL,
            label TEXT NOT NULL,
            title TEXT NOT NULL,
            status TEXT NOT NULL,
            mandatory INTEGER NOT NULL,
            similarity REAL NOT NULL,
            matched_version TEXT,
            file TEXT, page INTEGER, article TEXT,
            PRIMARY KEY (contract_id, position)
        );
        CREATE TABLE findings (
            contract_id TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            clause TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            PRIMARY KEY (contract_id, position)
        );
        CREATE TABLE skipped (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
        """,
    ),
    (
        "0002_auditor_indexes",
        """
        CREATE INDEX findings_by_clause ON findings(clause, kind);
        CREATE INDEX clauses_by_status ON clauses(clause_id, status);
        CREATE INDEX contracts_by_signing ON contracts(signed_on);
        """,
    ),
    (
        "0003_finding_facets",
        """
        -- One problem, one finding: an obsolete clause with a weaker duty is one finding with the
        -- facets "obsolete weakened" (space-separated), empty for a single-aspect finding.
        ALTER TABLE findings ADD COLUMN facets TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0004_contract_forms",
        """
        -- A contract's articles in comparison form (analyzer.match.dump_contract), to re-judge without
        -- segmenting or normalizing again, while its files and the tool are as when they were made.
        CREATE TABLE forms (
            contract_id TEXT PRIMARY KEY REFERENCES contracts(id) ON DELETE CASCADE,
            made_from TEXT NOT NULL,            -- hash of the files' digests, the tool and its settings
            data BLOB NOT NULL
        );
        """,
    ),
    (
        "0005_decisions",
        """
        -- A reviewer's decision on a finding (tokki serve): 対応済み (resolved) or 問題なし (accepted), with a
        -- reason, a name and a time. Scans never write here. A decision holds while the clause reads as
        -- it did (text_key, a hash of the contract's text of the clause when it was made).
        CREATE TABLE decisions (
            contract_id TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
            clause TEXT NOT NULL,
            kind TEXT NOT NULL,
            text_key TEXT NOT NULL,
            decision TEXT NOT NULL,             -- resolved | accepted
            reason TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (contract_id, clause, kind)
        );
        """,
    ),
)

DECISIONS = ("resolved", "accepted")  # 対応済み, 問題なし

_CONTRACT_COLUMNS = (
    "id, files, type, signed_on, reference_spec, input_key, judged_with, scan_id, status, reference_id,"
    " reference_version, error_code, error_message, error_file, worst_severity, report"
)
_CONTRACT_UPDATE = ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in _CONTRACT_COLUMNS.split(",")[1:])

SEVERITY_ORDER = {Severity.ERROR.value: 3, Severity.WARNING.value: 2, Severity.INFO.value: 1}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FileRecord:
    path: str  # relative to the archive root
    sha256: str
    size: int
    mtime: float


@dataclass(frozen=True)
class StoredContract:
    id: str
    input_key: str
    judged_with: str
    status: str
    error_code: str | None
    error_message: str | None
    error_file: str | None


class Store:
    """One SQLite file; every write method is one transaction.

    ``read_only``: opened for reading only (summaries, the web page): nothing, not even a
    migration, is written; a store older than this tool's schema is refused with advice. SQL
    lives in this module only: readers use the methods below."""

    def __init__(self, path: Path | str, migrations: Sequence[tuple[str, str]] = MIGRATIONS, *,
                 read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        try:
            if read_only:
                self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                          check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, isolation_level=None)  # explicit BEGIN/COMMIT below
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            if read_only:
                self.db.execute("PRAGMA query_only = ON")
                missing = [name for name, _ in migrations if name not in self.migrations()]
            else:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                self.migrate(migrations)
        except (sqlite3.Error, OSError) as exc:
            raise store_error(self.path, exc) from exc
        if read_only and missing:
            self.db.close()
            raise StoreError(str(self.path), "古い形式のストアです。tokki scan を一度実行すると更新されます",
                             "the store predates this version: run tokki scan once to update it")

    # ------------------------------------------------------------ schema

    def migrate(self, migrations: Sequence[tuple[str, str]] = MIGRATIONS) -> list[str]:
        """Apply the migrations not yet recorded, in order; return their names."""
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {r[0] for r in self.db.execute("SELECT name FROM migrations")}
        applied = []
        for name, sql in migrations:
            if name in done:
                continue
            with self.transaction():
                for statement in filter(str.strip, sql.split(";")):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO migrations VALUES (?, ?)", (name, now()))
            applied.append(name)
        return applied

    def migrations(self) -> list[str]:
        try:
            return [r[0] for r in self.db.execute("SELECT name FROM migrations ORDER BY name")]
        except sqlite3.OperationalError:  # no table: not a tokki store, or an empty file
            return []

    def transaction(self):
        return _Transaction(self.db, self.path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ scans

    def begin_scan(self, root: str, tool_version: str, reference_versions: list[str], fingerprint: str) -> int:
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO scans (started_at, status, root, tool_version, reference_versions, reference_fingerprint)"
                " VALUES (?, 'running', ?, ?, ?, ?)",
                (now(), root, tool_version, json.dumps(reference_versions, ensure_ascii=False), fingerprint),
            )
            return int(cur.lastrowid)

    def last_scan(self) -> tuple[str, str] | None:
        """(status, skipped files as JSON) of the most recent scan, None for a new store."""
        row = self.db.execute("SELECT status FROM scans ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        skipped = json.dumps(sorted(map(list, self.db.execute("SELECT * FROM skipped"))), ensure_ascii=False)
        return row[0], skipped

    def finish_scan(self, scan_id: int, status: str, counts: dict[str, int]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE scans SET finished_at = ?, status = ?, contracts = ?, analysed = ?, rejudged = ?, unchanged = ?"
                " WHERE id = ?",
                (now(), status, counts.get("contracts", 0), counts.get("analysed", 0), counts.get("rejudged", 0),
                 counts.get("unchanged", 0), scan_id),
            )

    def set_skipped(self, skipped: Iterable[tuple[str, str]]) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM skipped")
            self.db.executemany("INSERT OR REPLACE INTO skipped VALUES (?, ?)", skipped)

    # ------------------------------------------------------------ contracts

    def stored_contracts(self) -> dict[str, StoredContract]:
        rows = self.db.execute(
            "SELECT id, input_key, judged_with, status, error_code, error_message, error_file FROM contracts"
        )
        return {r["id"]: StoredContract(*r) for r in rows}

    def remove_contracts(self, keep: set[str]) -> list[str]:
        """Delete the contracts no longer in the archive."""
        gone = [r[0] for r in self.db.execute("SELECT id FROM contracts") if r[0] not in keep]
        with self.transaction():
            self.db.executemany("DELETE FROM contracts WHERE id = ?", [(g,) for g in gone])
        return gone

    def load_documents(self, paths: Sequence[str]) -> dict[str, tuple[str, Document]]:
        """path → (sha256, Document) for the stored extracted text of these files."""
        out = {}
        for path in paths:
            r = self.db.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone()
            if r is not None:
                pages = tuple(_page(p) for p in json.loads(r["pages"]))
                out[path] = (r["sha256"], Document(r["path"], r["format"], r["text"], pages, tuple(json.loads(r["notes"]))))
        return out

    def load_forms(self, contract_id: str, made_from: str) -> bytes | None:
        """The contract's stored comparison forms if they were made from ``made_from``."""
        r = self.db.execute("SELECT data FROM forms WHERE contract_id = ? AND made_from = ?",
                            (contract_id, made_from)).fetchone()
        return None if r is None else bytes(r[0])

    def touch_contract(self, contract_id: str, scan_id: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE contracts SET scan_id = ? WHERE id = ?", (scan_id, contract_id))

    def save_contract(
        self,
        *,
        contract_id: str,
        spec: dict,
        files: Sequence[FileRecord],
        input_key: str,
        judged_with: str,
        scan_id: int,
        status: str,
        report: Report | None,
        report_json: str | None,
        documents: Sequence[Document] | None,
        segments: dict[str, list[tuple]] | None,
        error: tuple[str, str, str] | None = None,
        forms: tuple[str, bytes] | None = None,
    ) -> None:
        """Replace everything stored about one contract, in one transaction.

        ``documents`` None keeps the stored text (a re-judge); ``error`` is
        (code, message, file) when the contract could not be judged; ``forms``:
        (made from, data) of its comparison forms, when made (None keeps the stored
        ones, unless the text was read again).
        """
        code, message, efile = error or (None, None, None)
        if report is not None and report.error is not None:
            code, message, efile = report.error.code.value, report.error.message, report.error.file
        worst = None
        if report is not None and report.findings:
            worst = max((f.severity.value for f in report.findings), key=SEVERITY_ORDER.__getitem__)
        with self.transaction():
            db = self.db
            db.execute("DELETE FROM clauses WHERE contract_id = ?", (contract_id,))
            db.execute("DELETE FROM findings WHERE contract_id = ?", (contract_id,))
            if documents is not None:
                db.execute("DELETE FROM files WHERE contract_id = ?", (contract_id,))
            db.execute(
                # An upsert, not INSERT OR REPLACE: a replaced row would cascade-delete the stored files and text.
                f"INSERT INTO contracts ({_CONTRACT_COLUMNS}) VALUES ({','.join('?' * 16)})"
                f" ON CONFLICT(id) DO UPDATE SET {_CONTRACT_UPDATE}",
                (
                    contract_id, json.dumps([f.path for f in files], ensure_ascii=False), spec.get("type"),
                    # The date the verdict used: the manifest's, else the one read from the contract.
                    report.signed_on.isoformat() if report is not None and report.signed_on else spec.get("signed_on"),
                    spec.get("reference"), input_key, judged_with, scan_id, status,
                    report.reference_id if report and report.error is None else None,
                    report.reference_version if report and report.error is None else None,
                    code, message, efile, worst, report_json,
                ),
            )
            if documents is not None:
                db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)",
                    [(f.path, contract_id, i, f.sha256, f.size, f.mtime) for i, f in enumerate(files)],
                )
                sha = {f.path: f.sha256 for f in files}
                for d in documents:
                    db.execute(
                        "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?)",
                        (d.path, sha[d.path], d.format, d.text,
                         json.dumps([_page_json(p) for p in d.pages]),
                         json.dumps(list(d.notes), ensure_ascii=False)),
                    )
                    db.execute("DELETE FROM segments WHERE path = ?", (d.path,))
                    db.executemany(
                        "INSERT INTO segments VALUES (?,?,?,?,?,?,?,?)",
                        [(d.path, i, *seg) for i, seg in enumerate((segments or {}).get(d.path, []))],
                    )
                if forms is None:
                    db.execute("DELETE FROM forms WHERE contract_id = ?", (contract_id,))
            if forms is not None:
                db.execute("INSERT OR REPLACE INTO forms VALUES (?,?,?)", (contract_id, forms[0], forms[1]))
            if report is not None:
                db.executemany(
                    "INSERT INTO clauses VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        (contract_id, i, c.clause_id, c.label, c.title, c.status.value, int(c.mandatory),
                         c.similarity, c.matched_version,
                         c.location.file if c.location else None, c.location.page if c.location else None,
                         c.location.article if c.location else None)
                        for i, c in enumerate(report.clauses)
                    ],
                )
                db.executemany(
                    "INSERT INTO findings (contract_id, position, clause, kind, severity, message, facets)"
                    " VALUES (?,?,?,?,?,?,?)",
                    [(contract_id, i, f.clause, f.kind.value, f.severity.value, finding_message(f), " ".join(f.facets))
                     for i, f in enumerate(report.findings)],
                )


    # ------------------------------------------------------------ reading (summary, findings, the web page)

    def contract_rows(self) -> list[sqlite3.Row]:
        """Every contract with its verdict columns and, from its stored report, ``sup_type``, ``sup_by``,
        ``sup_since``, ``sup_before`` (the supersession notice) and ``ocr_pages``, ``ocr_confidence``."""
        return self.db.execute(_CONTRACTS_SQL).fetchall()

    def clause_rows(self) -> list[sqlite3.Row]:
        """Every clause verdict, by contract and position, with the contract's ``reference_id`` and
        ``verdict`` (its status)."""
        return self.db.execute(
            "SELECT cl.*, c.reference_id, c.status AS verdict FROM clauses cl JOIN contracts c ON c.id = cl.contract_id"
            " ORDER BY cl.contract_id, cl.position"
        ).fetchall()

    def finding_rows(self, *, clause: str | None = None, kind: str | None = None,
                     since: str | None = None) -> list[sqlite3.Row]:
        """Findings matching every given filter (``kind`` also matches a facet: an obsolete clause that is
        also weakened; ``since``: signed on or after this ISO date), with the contract's ``signed_on``,
        ``reference_id`` and ``reference_version``, by contract and position."""
        sql = (
            "SELECT f.*, c.signed_on, c.reference_id, c.reference_version"
            " FROM findings f JOIN contracts c ON c.id = f.contract_id WHERE 1=1"
        )
        args: list = []
        if clause is not None:
            sql += " AND f.clause = ?"
            args.append(clause)
        if kind is not None:
            sql += " AND (f.kind = ? OR instr(' ' || f.facets || ' ', ' ' || ? || ' ') > 0)"
            args += [kind, kind]
        if since is not None:
            sql += " AND c.signed_on >= ?"
            args.append(since)
        return self.db.execute(sql + " ORDER BY f.contract_id, f.position", args).fetchall()

    # ------------------------------------------------------------ reviewers' decisions (tokki serve)

    def record_decision(self, contract_id: str, clause: str, kind: str, text_key: str, decision: str,
                        reason: str, reviewer: str) -> dict:
        """Keep a reviewer's decision on one finding (replacing an earlier one on it); the row as stored."""
        if decision not in DECISIONS:
            raise UsageError(f"判断は {' / '.join(DECISIONS)} のどれかです / decision must be one of {', '.join(DECISIONS)}")
        row = (contract_id, clause, kind, text_key, decision, reason, reviewer, now())
        with self.transaction():
            if self.db.execute("SELECT 1 FROM contracts WHERE id = ?", (contract_id,)).fetchone() is None:
                raise UsageError(f"契約 {contract_id} はありません / no contract {contract_id}")
            self.db.execute("INSERT OR REPLACE INTO decisions VALUES (?,?,?,?,?,?,?,?)", row)
        return dict(zip(("contract_id", "clause", "kind", "text_key", "decision", "reason", "reviewer", "decided_at"), row))

    def decisions(self, contract_id: str | None = None) -> list[sqlite3.Row]:
        """Reviewers' decisions, of one contract or all, by contract, clause and kind."""
        sql = "SELECT * FROM decisions"
        args: tuple = ()
        if contract_id is not None:
            sql += " WHERE contract_id = ?"
            args = (contract_id,)
        return self.db.execute(sql + " ORDER BY contract_id, clause, kind", args).fetchall()

    def skipped(self) -> list[tuple[str, str]]:
        """(path, reason) of the files the last scan left out, by path."""
        return [(r[0], r[1]) for r in self.db.execute("SELECT path, reason FROM skipped ORDER BY path")]

    def latest_scan(self) -> dict | None:
        """The most recent scan's row (started_at, status, tool_version, counts…), None for a new store."""
        row = self.db.execute("SELECT * FROM scans ORDER BY id DESC LIMIT 1").fetchone()
        return dict(row) if row else None

    def contract_report(self, contract_id: str) -> dict | None:
        """A contract's stored tokki.report/1 JSON, None when there is none (unknown id, failed worker)."""
        row = self.db.execute("SELECT report FROM contracts WHERE id = ?", (contract_id,)).fetchone()
        if row is None or not row[0]:
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            return None


def _stored_supersession(path: str) -> str:
    """SQL: a field of the stored report's ``supersession`` (tokki.report/1, added field; NULL when the
    report is absent, unreadable or made before the field existed)."""
    return f"CASE WHEN json_valid(report) THEN json_extract(report, '$.supersession{path}') END"


_CONTRACTS_SQL = (
    "SELECT *, CASE WHEN json_valid(report) THEN json_type(report, '$.supersession') END AS sup_type, "
    f"{_stored_supersession('.replaced_by')} AS sup_by, {_stored_supersession('.since')} AS sup_since, "
    f"{_stored_supersession('.signed_before')} AS sup_before, "
    "CASE WHEN json_valid(report) THEN json_array_length(report, '$.ocr.pages') END AS ocr_pages, "
    "CASE WHEN json_valid(report) THEN json_extract(report, '$.ocr.mean_confidence') END AS ocr_confidence "
    "FROM contracts"
)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, ROLLBACK on any exception; SQLite failures become StoreError."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc
        return self.db

    def __exit__(self, exc_type, exc, _tb) -> None:
        try:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        except sqlite3.Error as error:
            raise store_error(self.path, error) from error
        if isinstance(exc, sqlite3.Error):
            raise store_error(self.path, exc) from exc


# SQLite's messages → (Japanese, English) reasons for the one line a user reads.
_SQLITE_REASONS = (
    ("unable to open", "データベースを開けません（フォルダがない・権限がない）", "unable to open the database file"),
    ("readonly", "読み取り専用です（権限を確認してください）", "the database is read-only"),
    ("not a database", "SQLite のデータベースではありません", "the file is not a tokki database"),
    ("full", "ディスクの空きがありません", "the disk is full"),
    ("locked", "ほかの tokki が使用中です。終わってから実行してください", "the database is locked by another process"),
    ("disk i/o", "ディスクの読み書きに失敗しました", "disk I/O error"),
)


def store_error(path: Path, exc: Exception) -> StoreError:
    """The StoreError for a failure of the SQLite store at ``path``."""
    if isinstance(exc, OSError):
        return StoreError(str(path), *reason_of(exc))
    text = str(exc).lower()
    for needle, ja, en in _SQLITE_REASONS:
        if needle in text:
            return StoreError(str(path), ja, en)
    return StoreError(str(path), f"データベースのエラー（{exc}）", f"database error: {exc}")


def open_existing(path: Path | str) -> Store:
    """Open, read-only, a store that must already exist (``tokki summary`` / ``tokki findings``)."""
    if not Path(path).is_file():
        raise UsageError(f"{path}: ストアがありません。先に tokki scan を実行してください / no store: run tokki scan first")
    return Store(path, read_only=True)


def _page_json(p: Page) -> list:
    """[number, start, end] and, for a page read by OCR, its confidence and doubted characters
    ([[offset, confidence, other guesses], ...]): a re-judge compares OCR text as the first judge did."""
    if p.ocr_confidence is None:
        return [p.number, p.start, p.end]
    return [p.number, p.start, p.end, p.ocr_confidence, [list(d) for d in p.ocr_doubts]]


def _page(row: list) -> Page:
    doubts = tuple((int(d[0]), float(d[1]), str(d[2]) if len(d) > 2 else "") for d in row[4]) if len(row) > 4 else ()
    return Page(*row[:4], ocr_doubts=doubts)
