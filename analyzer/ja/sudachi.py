"""Lazy Sudachi wrapper: tokens with offsets, and the orthographic folding used for comparison.

Sudachi (sudachipy + sudachidict_core) gives each word a normalized form, so
漏えい/漏洩, き損/毀損 and 取扱い/取り扱い compare equal. The dictionary loads
once per process, on first use (like spacy.lang.ja).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

# Sudachi refuses inputs above ~49 kB of UTF-8; clauses are far shorter, but a
# malformed document may hold one giant line, so long inputs are cut in chunks.
MAX_CHUNK_CHARS = 4000

_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]")


@dataclass(frozen=True)
class Token:
    surface: str
    normalized: str
    pos: tuple[str, ...]
    begin: int  # offsets into the tokenized string
    end: int
    oov: bool = False  # not in the dictionary (Sudachi made it up from the characters)


@lru_cache(maxsize=1)
def _dictionary():
    """The dictionary, loaded once per process and shared by every thread's tokenizer."""
    try:
        from sudachipy import Dictionary
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise RuntimeError(
            "sudachipy と sudachidict_core が必要です / sudachipy and sudachidict_core are required: "
            "pip install sudachipy sudachidict_core"
        ) from exc
    return Dictionary(dict="core")


# A Sudachi Tokenizer cannot be used by two threads at once ("Tokenizer is already in use"):
# each thread gets its own, over the one dictionary (a web server or a library caller may call
# analyze() from many threads).
_local = threading.local()


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tok


def _chunks(text: str):
    start = 0
    while start < len(text):
        end = min(len(text), start + MAX_CHUNK_CHARS)
        if end < len(text):  # prefer to cut after a sentence end
            cut = text.rfind("。", start, end)
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with [begin, end) character offsets into it."""
    tok = _tokenizer()
    out: list[Token] = []
    for base, chunk in _chunks(text):
        for m in tok.tokenize(chunk):
            out.append(
                Token(m.surface(), m.normalized_form(), tuple(m.part_of_speech()), base + m.begin(), base + m.end(),
                      m.is_oov())
            )
    return out


def fold_form(token: Token) -> str:
    """The form a token is compared by.

    Only words written with kanji are folded to Sudachi's normalized form
    (取扱い→取り扱い, き損→毀損, 漏えい→漏洩). Kana-only words keep their
    surface: their normalized forms depend on how an ambiguous kana run was cut
    (「ないよう」 alone is read as 内容), which would invent differences.
    """
    if _KANJI.search(token.surface):
        return token.normalized
    return token.surface


def has_kanji(text: str) -> bool:
    return bool(_KANJI.search(text))
