"""Archive layout: a department's folder → the contracts in it (files, 類型, signing date, reference).

Every immediate subdirectory of the folder is one contract (its files,
recursively); every document directly in the folder is one contract.
manifest.csv (UTF-8 or CP932; columns id, files, type, signed_on, reference,
files being ``;``-separated paths relative to the folder) regroups files and
supplies the metadata. Hidden files, Office lock files (~$*.docx), the
manifest and labels are not contracts: they are listed as skipped.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import UsageError
from .ingest import READERS, UNSUPPORTED_HINTS, natural_key
from .ingest.text import decode_bytes

MANIFEST = "manifest.csv"
LABELS = "labels.json"
DOCUMENT_SUFFIXES = set(READERS) | set(UNSUPPORTED_HINTS)


@dataclass(frozen=True)
class ContractSpec:
    id: str
    files: tuple[Path, ...]
    type: str | None = None
    signed_on: date | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Archive:
    root: Path
    contracts: tuple[ContractSpec, ...]
    skipped: tuple[tuple[str, str], ...]  # (path relative to root, reason)


def _skip_reason(path: Path) -> str | None:
    name = path.name
    if name.startswith("."):
        return "hidden file"
    if name.startswith("~$"):
        return "Office lock file"
    if path.is_file() and path.suffix.lower() not in DOCUMENT_SUFFIXES:
        return "not a document"
    return None


def _files_under(folder: Path, root: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    out = []
    for p in sorted(folder.rglob("*"), key=lambda q: natural_key(str(q))):
        if p.is_dir():
            continue
        reason = _skip_reason(p) or next(
            ("hidden file" for part in p.relative_to(folder).parts[:-1] if part.startswith(".")), None
        )
        if reason:
            skipped.append((str(p.relative_to(root)), reason))
        else:
            out.append(p)
    return out


def contract_folder_files(folder: Path) -> list[Path]:
    """The documents of one contract folder, in natural order."""
    return _files_under(folder, folder, [])


def _read_manifest(root: Path) -> list[dict[str, str]]:
    path = root / MANIFEST
    try:
        text, _ = decode_bytes(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: manifest を読めません / cannot read the manifest: {exc}") from exc
    rows = []
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        row = {(k or "").strip().lstrip("\ufeff"): (v or "").strip() for k, v in row.items()}
        if not row.get("id") and not row.get("files"):
            raise UsageError(f"{path}:{n}: id か files が必要です / a row needs id or files")
        rows.append(row)
    return rows


def _manifest_path(root: Path, rel: str, where: str) -> Path:
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        raise UsageError(f"{where}: アーカイブ外のパスです / path outside the archive: {rel}")
    return path


def read_archive(root: Path) -> Archive:
    """The contracts of an archive folder, in natural order of their ids."""
    root = Path(root)
    if not root.is_dir():
        raise UsageError(f"{root}: フォルダがありません / no such folder")
    skipped: list[tuple[str, str]] = []
    grouped: dict[str, list[Path]] = {}
    for entry in sorted(root.iterdir(), key=lambda p: natural_key(p.name)):
        if entry.name in (MANIFEST, LABELS):
            continue
        reason = _skip_reason(entry)
        if reason:
            skipped.append((entry.name, reason))
        elif entry.is_dir():
            grouped[entry.name] = _files_under(entry, root, skipped)
        else:
            grouped[entry.stem] = [entry]

    specs: dict[str, ContractSpec] = {}
    if (root / MANIFEST).is_file():
        for n, row in enumerate(_read_manifest(root), start=2):
            where = f"{root / MANIFEST}:{n}"
            files = [_manifest_path(root, f.strip(), where) for f in row.get("files", "").split(";") if f.strip()]
            cid = row.get("id") or Path(files[0]).stem
            if files:
                # Files the manifest groups leave the contracts the folder layout made.
                listed = set(files)
                for key in list(grouped):
                    grouped[key] = [p for p in grouped[key] if p.resolve() not in listed]
                    if not grouped[key] and key != cid:
                        del grouped[key]
            else:
                files = grouped.get(cid, [])
            grouped.pop(cid, None)
            try:
                signed = date.fromisoformat(row["signed_on"]) if row.get("signed_on") else None
            except ValueError as exc:
                raise UsageError(f"{where}: signed_on は YYYY-MM-DD / bad signed_on: {row['signed_on']}") from exc
            specs[cid] = ContractSpec(
                cid, tuple(files), row.get("type") or None, signed, row.get("reference") or None
            )
    for cid, files in grouped.items():
        if files:
            specs.setdefault(cid, ContractSpec(cid, tuple(files)))
        else:
            skipped.append((cid, "empty folder"))
    contracts = tuple(specs[k] for k in sorted(specs, key=natural_key))
    return Archive(root, contracts, tuple(skipped))
