"""OCR results kept by file digest, so that no page is OCR'd twice.

A rescan, a re-judge after a reference change, ``tokki fix`` after ``tokki check``
read the same scanned pages again: OCR is seconds per page, the rest milliseconds.
The cache is a folder of JSON files, one per (file digest, engine, language,
page), written atomically, readable only by the user (0600 files in a 0700
folder: the text is personal information). Entries carry the version of the
OCR stage; a different version is a miss.

- ``tokki check``/``fix``: ``$XDG_CACHE_HOME/tokki/ocr`` (``~/.cache/tokki/ocr``);
- ``tokki scan``: ``ocr-cache/`` beside the scan's store, so the archive's OCR text
  stays with the archive's results.
``--ocr-cache DIR`` chooses another folder.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ...errors import OutputError
from ...files import write_atomic
from . import OcrResult

# Bump when the text OCR produces for the same page changes (engine, preparation, lines).
STAGE_VERSION = "2026-12-07.16b"


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tokki" / "ocr"


def _stage_key(engine: str, lang: str) -> str:
    from .. import ocr as stage  # read at call time: benchmarks vary them

    raw = json.dumps(
        [STAGE_VERSION, engine, lang, stage.RENDER_DPI, stage.DOUBT_BELOW, sorted(stage.PREPARE.items())], default=str
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


class OcrCache:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, digest: str, engine: str, lang: str, page: int) -> Path:
        return self.root / digest[:2] / f"{digest}-{_stage_key(engine, lang)}-p{page + 1}.json"

    def get(self, digest: str, engine: str, lang: str, page: int) -> OcrResult | None:
        try:
            data = json.loads(self._path(digest, engine, lang, page).read_text(encoding="utf-8"))
            return OcrResult.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or damaged: read the page again

    def put(self, digest: str, engine: str, lang: str, page: int, result: OcrResult) -> None:
        path = self._path(digest, engine, lang, page)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic(path, json.dumps(result.to_json(), ensure_ascii=False), private=True)  # 0600
        except (OSError, OutputError):
            pass  # a cache that cannot be written costs time, never a result
