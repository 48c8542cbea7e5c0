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
import os
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


LINKED_FOLDER = "シンボリックリンクのフォルダは辿りません / symlinked folder not followed"
OUTSIDE_LINK = "アーカイブ外を指すリンク / link pointing outside the archive"


def _link_reason(path: Path, root: Path) -> str | None:
    """Why a symbolic link is not read: links to folders are never followed (no loops, no
    double counting); a file link is read only when its target is inside the archive."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # broken or looping: let the reader report it on this file
        return None
    if target.is_dir():
        return LINKED_FOLDER
    if not target.is_relative_to(root.resolve()):
        return OUTSIDE_LINK
    return None


def _files_under(folder: Path, root: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    """Documents under ``folder`` (os.walk without following folder links), the rest listed as skipped."""
    out = []

    def unlistable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        skipped.append((_rel(where, root), f"フォルダを読めません / cannot list the folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False, onerror=unlistable):
        base = Path(dirpath)
        for d in list(dirnames):
            if (base / d).is_symlink():
                dirnames.remove(d)
                skipped.append((_rel(base / d, root), LINKED_FOLDER))
            elif d.startswith("."):
                dirnames.remove(d)
                skipped.append((_rel(base / d, root), "hidden file"))
        for f in filenames:
            p = base / f
            reason = _link_reason(p, root) or _skip_reason(p)
            if reason:
                skipped.append((_rel(p, root), reason))
            else:
                out.append(p)
    return sorted(out, key=lambda q: natural_key(str(q)))


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


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
    try:
        path = (root / rel).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop
        raise UsageError(f"{where}: パスを解決できません（リンクの循環） / cannot resolve the path: {rel}") from exc
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
        reason = _link_reason(entry, root) or _skip_reason(entry)
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
