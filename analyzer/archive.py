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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import CorruptDocument, DocumentError, EmptyDocument, UnsupportedFormat, UsageError
from .files import natural_key
from .ingest import READERS, UNSUPPORTED_HINTS
from .ingest.text import decode_bytes
from .ja.dates import parse_given_date

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


def _names(entries: list[str], limit: int = 3) -> str:
    more = f" ほか {len(entries) - limit} 件 / and {len(entries) - limit} more" if len(entries) > limit else ""
    return "・".join(entries[:limit]) + more


def _no_document(folder: Path, skipped: list[tuple[str, str]]) -> DocumentError:
    """Why a folder given as one contract holds nothing to read: ``empty`` or ``unsupported_format``."""
    others = [path for path, reason in skipped if reason == "not a document"]
    if others:
        return UnsupportedFormat(
            str(folder),
            f"対応形式（PDF・DOCX・TXT）のファイルがありません（{_names(others)}） / no PDF, DOCX or TXT file in the folder",
        )
    if skipped:
        return EmptyDocument(
            str(folder),
            f"隠しファイル・ロックファイルのほかにファイルがありません（{_names([p for p, _ in skipped])}）"
            " / the folder holds only hidden or lock files",
        )
    return EmptyDocument(str(folder), "フォルダが空です / the folder is empty")


def looks_like_archive(folder: Path) -> int:
    """The number of contracts when ``folder`` is laid out as an archive rather than one contract, else 0.

    An archive has a manifest.csv (or labels.json), or two or more subfolders holding documents
    (each subfolder is one contract to ``tokki scan``); a contract folder has its files directly in it.
    """
    folder = Path(folder)
    marked = (folder / MANIFEST).is_file() or (folder / LABELS).is_file()
    subfolders = 0
    if not marked:
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith(".") and contract_folder_files(entry):
                subfolders += 1
                if subfolders >= 2:
                    break
    if not marked and subfolders < 2:
        return 0
    try:
        return len(read_archive(folder).contracts)
    except UsageError:  # an unreadable manifest: still an archive, for tokki scan to report on
        return -1


def contract_files(paths: Sequence[Path | str], readable: Iterable[str] = READERS) -> list[Path]:
    """The files of one contract in reading order: natural order of their paths (別紙2 before 別紙10).

    A folder stands for the documents in it (recursively; hidden and lock files left out).
    Raises a DocumentError naming the path when there is nothing to read: a path that does not
    exist (``corrupt``), a folder with no file (``empty``), a folder with no document of a
    ``readable`` format (``unsupported_format``); and UsageError for a folder laid out as an
    archive of several contracts (that is ``tokki scan``'s input).
    """
    readable = set(readable)
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            count = looks_like_archive(p)
            if count:
                ja, en = (f"契約 {count} 件の", f" of {count} contracts") if count > 0 else ("契約の", "")
                raise UsageError(
                    f"{p}: 1件の契約ではなく、{ja}アーカイブのようです。一括照合は tokki scan {p} を使ってください"
                    f"（1件の契約なら、そのファイルを指定してください） / looks like an archive{en}: check it with"
                    f" `tokki scan {p}` (or name the files of one contract)"
                )
            skipped: list[tuple[str, str]] = []
            found = _files_under(p, p, skipped)
            if not found:
                raise _no_document(p, skipped)
            if not any(f.suffix.lower() in readable for f in found):
                raise UnsupportedFormat(
                    str(p),
                    f"読める形式のファイルがありません（{_names([_rel(f, p) for f in found])}） / no file in a format tokki reads"
                    " (PDF, DOCX, TXT; .doc and .rtf with --convert)",
                )
            files.extend(found)
        elif p.exists() or p.is_symlink():  # a broken link is reported by the reader
            files.append(p)
        else:
            raise CorruptDocument(str(p), "ファイルがありません / no such file or folder")
    return sorted(files, key=lambda p: natural_key(str(p)))


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
    if root.is_file():
        raise UsageError(
            f"{root}: フォルダではなくファイルです。1件の契約は tokki check {root} で照合します"
            f" / a file, not an archive folder: check one contract with `tokki check {root}`"
        )
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
                signed = parse_given_date(row["signed_on"]) if row.get("signed_on") else None
            except ValueError as exc:
                raise UsageError(f"{where}: signed_on: {exc}") from exc
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
