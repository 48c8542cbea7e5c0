"""Uploaded files: written into a temporary folder under names tokki makes, read, and removed.

No path from a request reaches the file system: a file is stored as ``NN.suffix`` in a folder of
its own and keeps its uploaded name (without any folder part) only as the name reports show.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import DocumentError
from ..files import natural_key
from ..ingest import load_document
from ..model import Document
from ..settings import Settings

CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def display_name(filename: str | None, index: int) -> str:
    """The uploaded file's own name, without folders or control characters (``file-N`` when it has none)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" .")[:200]
    return name or f"file-{index + 1}"


@dataclass(frozen=True)
class Upload:
    path: Path  # where tokki wrote it
    name: str  # the name the user gave it, as reports show it


class UploadFolder:
    """A temporary folder for one request's files, removed on close (``with``)."""

    def __init__(self, files=()) -> None:
        """``files``: uploaded files to copy in (objects with ``filename`` and a ``file`` to read)."""
        self.root = Path(tempfile.mkdtemp(prefix="tokki-serve-"))
        self.files: list[Upload] = []
        try:
            for f in files:
                self.add(f.filename, f.file)
        except BaseException:
            self.close()  # nothing left behind by a failed copy
            raise

    def add(self, filename: str | None, stream) -> Upload:
        """Copy one uploaded stream in (a file object with ``read``)."""
        name = display_name(filename, len(self.files))
        suffix = Path(name).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
        path = self.root / f"{len(self.files):02d}{suffix}"
        with open(path, "wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        upload = Upload(path, _unique(name, {u.name for u in self.files}))
        self.files.append(upload)
        return upload

    def in_order(self) -> list[Upload]:
        """Body and annexes in the order a folder of them is read (natural order of their names)."""
        return sorted(self.files, key=lambda u: natural_key(u.name))

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> UploadFolder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_uploads(uploads: list[Upload], settings: Settings) -> list[Document] | DocumentError:
    """The uploads' documents, named as uploaded, or the DocumentError of the first that cannot be read."""
    documents = []
    for u in uploads:
        try:
            documents.append(load_document(u.path, settings, display=u.name))
        except DocumentError as exc:
            return exc
    return documents


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, suffix = Path(name).stem, Path(name).suffix
    k = 2
    while f"{stem} ({k}){suffix}" in taken:
        k += 1
    return f"{stem} ({k}){suffix}"
