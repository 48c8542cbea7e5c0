"""Files: check a destination before any work, write atomically, and turn every OS failure into
one OutputError naming the path and the reason (Japanese and English); a file's digest and the
natural order of names (別紙2 before 別紙10).

Commands check their destinations first (``ensure_writable``), so an unwritable
folder is reported before a long scan starts; a write that fails later (disk
full) raises the same error and leaves the old file, never a half-written one.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from .errors import OutputError

# errno → (Japanese, English) reason shown to the user.
_REASONS = {
    errno.EACCES: ("書き込みの権限がありません", "permission denied"),
    errno.EPERM: ("書き込みの権限がありません", "operation not permitted"),
    errno.ENOSPC: ("ディスクの空きがありません", "no space left on the device"),
    errno.EDQUOT: ("ディスクの割り当て（クォータ）を超えました", "disk quota exceeded"),
    errno.EROFS: ("読み取り専用のファイルシステムです", "read-only file system"),
    errno.ENOTDIR: ("パスの途中がフォルダではありません", "a part of the path is not a folder"),
    errno.EISDIR: ("フォルダです。ファイル名を指定してください", "it is a folder: give a file name"),
    errno.ENAMETOOLONG: ("パスが長すぎます", "file name too long"),
    errno.EEXIST: ("同じ名前のファイルがあります", "a file of that name exists"),
}


def reason_of(exc: OSError) -> tuple[str, str]:
    """(Japanese, English) reason of an OSError, for the one line a user reads."""
    return _REASONS.get(exc.errno, (f"{exc.strerror or exc}", f"{exc.strerror or type(exc).__name__}"))


def output_error(path: Path | str, exc: OSError) -> OutputError:
    """The OutputError for an OSError raised while writing ``path``."""
    return OutputError(str(path), *reason_of(exc))


def _existing_ancestor(path: Path) -> Path:
    """``path`` itself or its nearest ancestor that exists (where a folder would be created)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _probe(folder: Path, shown: Path) -> None:
    """Create and remove a temporary file in ``folder``: the one test every file system
    (permissions, read-only mounts, ACLs, root squash) answers truthfully."""
    if not folder.is_dir():
        raise output_error(shown, OSError(errno.ENOTDIR, "not a directory"))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tokki-probe-", dir=folder)
    except OSError as exc:
        raise output_error(shown, exc) from exc
    os.close(fd)
    os.unlink(tmp)


def ensure_writable(path: Path | str, *, folder: bool = False) -> None:
    """Raise OutputError unless ``path`` (a file, or a folder with ``folder``) can be written.

    Nothing is created: a missing folder is fine when its nearest existing ancestor
    is writable (it is created at the first write).
    """
    path = Path(path)
    if folder:
        if path.exists() and not path.is_dir():
            raise OutputError(str(path), "フォルダではなくファイルです", "it is a file, not a folder")
        _probe(_existing_ancestor(path), path)
        return
    if path.is_dir():
        raise output_error(path, OSError(errno.EISDIR, "is a directory"))
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(str(path), "書き込み禁止のファイルです", "the file is read-only")
    _probe(_existing_ancestor(path.parent), path)


@lru_cache(maxsize=1)
def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it (/proc), else by setting
    and restoring it once (a process sets its umask at start, so this is read once)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_atomic(path: Path | str, save: Callable[[str], None], *, private: bool = False) -> None:
    """Have ``save`` write a temporary file in ``path``'s folder, then rename it over ``path``:
    an interrupted or failed run leaves the old file, never a half-written one.
    The file gets the mode a newly created file would (the user's umask: 0644 under umask 022,
    so colleagues on a shared server can open a report), or keeps the mode of the file it
    replaces; ``private`` (caches of personal information) keeps it to the owner (0600).
    Any OS failure is an OutputError naming ``path``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise output_error(path, exc) from exc
    os.close(fd)
    try:
        save(tmp)
        if not private:
            try:
                mode = stat.S_IMODE(path.stat().st_mode)
            except FileNotFoundError:
                mode = 0o666 & ~_umask()
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(path, exc) from exc
        raise


def write_atomic(path: Path | str, text: str, *, private: bool = False) -> None:
    """Write ``text`` (UTF-8, LF) to ``path`` atomically (see save_atomic)."""
    save_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline="\n"), private=private)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB blocks (a scan's change detection, the OCR cache key)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def natural_key(path: str) -> list:
    """Sort key comparing digit runs as numbers: 別紙2 before 別紙10."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path)]
