"""Plain-text reader: UTF-8 (with or without BOM), UTF-16 with BOM, CP932/Shift_JIS, EUC-JP."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import CorruptDocument
from ..model import Document, Page

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff、。「」（）]")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding). Raises ValueError when no Japanese encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # CP932 and EUC-JP byte ranges overlap; both may decode. Keep the reading
    # with the most Japanese characters (a wrong guess yields mostly symbols).
    best: tuple[int, str, str] | None = None
    for enc in ("cp932", "euc_jp"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = len(_JAPANESE.findall(text))
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is None:
        raise ValueError("not UTF-8, CP932 or EUC-JP")
    return best[1], best[2]


def read_text(path: Path, name: str) -> Document:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorruptDocument(name, "テキストではありません（バイナリ） / binary data, not a text file")
    try:
        text, _ = decode_bytes(data)
    except ValueError as exc:
        raise CorruptDocument(name, f"文字コードを判別できません / unknown text encoding: {exc}") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" not in text:
        return Document(name, "txt", text)
    # Form feeds are page breaks (pdftotext output): keep them as pages.
    pages, offset = [], 0
    chunks = text.split("\f")
    for number, chunk in enumerate(chunks, start=1):
        pages.append(Page(number, offset, offset + len(chunk)))
        offset += len(chunk) + 1
    return Document(name, "txt", "\n".join(chunks), tuple(pages))
