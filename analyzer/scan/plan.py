"""Planning a scan: the archive and the store → the contracts to check, as tasks.

A contract whose files (by SHA-256), manifest row and reference library are as the store last
judged them, with its reports in place, is unchanged; one whose files are unchanged but whose
references (or the tool) changed is re-judged from its stored text; the rest are read.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..archive import Archive, ContractSpec
from ..files import file_digest
from ..ingest import IngestOptions
from ..model import ContractStatus, Document
from ..outputs import report_paths
from ..references import bundled_reference_dir, load_reference_library
from ..store import FileRecord, Store
from ..version import __version__
from .tasks import ContractTask


def reference_fingerprint(library_dirs: Sequence[Path] = ()) -> tuple[str, list[str]]:
    """A hash of the tool version, the settings and every reference file; and the "set@version" list.

    A change in any of them (next year's revision, a tuned threshold) means
    every stored verdict is re-judged.
    """
    h = hashlib.sha256(__version__.encode())
    for folder in (bundled_reference_dir(), *map(Path, library_dirs)):
        for path in sorted(folder.rglob("*.toml")):
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    versions = [f"{s.id}@{v.version}" for s in load_reference_library(list(library_dirs)).values() for v in s.versions]
    return h.hexdigest(), versions


def spec_meta(spec: ContractSpec, ingest: IngestOptions | None = None, reference: str | None = None) -> dict:
    """What judges a contract besides its files; ``reference``: ``--reference`` for a contract
    without a manifest reference (None or auto: identify it)."""
    meta = {
        "type": spec.type,
        "signed_on": spec.signed_on.isoformat() if spec.signed_on else None,
        "reference": spec.reference or (reference if reference and reference != "auto" else None),
    }
    # Non-default ingest options (--password, --ocr…) change what a file reads as: a rerun
    # with them reads again the files a stored error (encrypted, ocr_required) came from.
    fingerprint = ingest.fingerprint() if ingest is not None else None
    if fingerprint is not None:
        meta["ingest"] = fingerprint
    return meta


def file_record(path: Path, rel: str) -> FileRecord:
    """The store's record of an input file. A file that vanished or cannot be read gets a marker
    instead of a digest: the worker then reports it (error code ``corrupt``), the scan goes on."""
    try:
        st = path.stat()
        return FileRecord(rel, file_digest(path), st.st_size, st.st_mtime)
    except OSError as exc:
        return FileRecord(rel, f"unreadable:{type(exc).__name__}", -1, 0.0)


def input_key(files: Sequence[FileRecord], meta: dict) -> str:
    payload = json.dumps([[(f.path, f.sha256) for f in files], meta], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def forms_key(files: Sequence[FileRecord], made_with: str) -> str:
    """What a contract's stored comparison forms were made from: its files' digests and
    ``match.forms_made_with`` (the tool, the settings, the dictionary)."""
    payload = json.dumps([[(f.path, f.sha256) for f in files], made_with])
    return hashlib.sha256(payload.encode()).hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:  # manifest paths come resolved
        return path.resolve().relative_to(root.resolve()).as_posix()


@dataclass(frozen=True)
class Planned:
    """A task with what the sink stores beside its result."""

    spec: ContractSpec
    files: list[FileRecord]
    input_key: str
    meta: dict
    forms_key: str  # ``forms_key``: what the comparison forms the sink stores are made from


@dataclass
class ScanPlan:
    tasks: list[ContractTask] = field(default_factory=list)
    planned: dict[int, Planned] = field(default_factory=dict)  # task key → what it was planned from
    unchanged: list[str] = field(default_factory=list)  # contract ids left as stored
    analysed: int = 0  # tasks that read files
    rejudged: int = 0  # tasks judged again from stored text (or a stored error)


def plan_scan(
    archive: Archive, root: Path, store: Store, fingerprint: str, *, out: Path | None,
    library_dirs: tuple[Path, ...], ingest: IngestOptions | None, reference: str | None, forms_made_with: str,
) -> ScanPlan:
    """The tasks of a scan of ``archive`` (read from ``root``) against what ``store`` holds.
    ``forms_made_with``: ``match.forms_made_with`` of the workers' settings."""
    plan = ScanPlan()
    stored = store.stored_contracts()
    for spec in archive.contracts:
        files = [file_record(p, _relative(p, root)) for p in spec.files]
        meta = spec_meta(spec, ingest, reference)
        key = input_key(files, meta)
        old = stored.get(spec.id)
        same_input = old is not None and old.input_key == key
        outputs_ok = (
            out is None
            or old is None
            or old.status in (ContractStatus.NO_REFERENCE, ContractStatus.FAILED)
            or all(p.exists() for p in report_paths(out, spec.id))
        )
        if same_input and old.judged_with == fingerprint and outputs_ok:
            plan.unchanged.append(spec.id)
            continue
        reuse: dict[str, Document] = {}
        stored_error = forms = None
        made_from = forms_key(files, forms_made_with)
        if same_input and old.status == ContractStatus.ERROR and old.error_code:
            stored_error = (old.error_code, old.error_message or "", old.error_file or "")
        else:
            docs = store.load_documents([f.path for f in files])
            sha = {f.path: f.sha256 for f in files}
            reuse = {path: doc for path, (digest, doc) in docs.items() if sha[path] == digest}
            if len(reuse) == len(files):
                forms = store.load_forms(spec.id, made_from)
        task = ContractTask(
            len(plan.tasks), spec.id, meta, tuple((str(p), f.path) for p, f in zip(spec.files, files)),
            reuse, stored_error, library_dirs, out is not None, ingest, forms,
        )
        plan.tasks.append(task)
        plan.planned[task.key] = Planned(spec, files, key, meta, made_from)
        if stored_error is not None or len(reuse) == len(files):
            plan.rejudged += 1
        else:
            plan.analysed += 1
    return plan
