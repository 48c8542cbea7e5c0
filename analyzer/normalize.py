"""Normalize stage: original text spans → comparison form with a map back to the original.

The comparison form is NFKC text without whitespace or punctuation, with party
names folded to one role each (甲/委託者/発注者 → 甲) and words written in kanji
folded to Sudachi's normalized form (漏えい→漏洩). It is used only to compare;
reports quote the original through ``Comparable.map``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .ja import sudachi
from .ja.textmap import MappedText, replacement_pattern
from .model import Span
from .settings import Settings

# Characters that join the preceding base character (decomposed kana voicing
# marks from some PDF producers, combining accents).
_COMBINING = {"\u3099", "\u309a"}

# A bare body name used as the client party (「県は」「市が」): folded like 甲.
# Only when it stands alone (no kanji before) and a particle follows, so 県民,
# 福岡県の, 市町村 are left alone.
_BODY_PARTY = re.compile(r"(?<![\u3400-\u9fff々])[県市区町村](?=[はがのにをとへ]|から|より)")


class WordSpan(NamedTuple):
    """A word of the comparison form: [start, end) in Comparable.text and its part of speech.

    A named tuple, not a dataclass: a contract has tens of thousands (four times faster to make)."""

    start: int
    end: int
    pos: str  # first POS field, e.g. 動詞, 助詞
    kana_only: bool


@dataclass(frozen=True)
class Comparable:
    text: str
    map: MappedText
    words: tuple[WordSpan, ...]

    def original_span(self, i: int, j: int) -> tuple[int, int] | None:
        return self.map.span(i, j)


def _nfkc(mt: MappedText) -> MappedText:
    if unicodedata.is_normalized("NFKC", mt.text):  # most contract text: nothing to rewrite
        return mt
    pieces: list[tuple[str, int, int]] = []
    text, i, n = mt.text, 0, len(mt.text)
    while i < n:
        j = i + 1
        while j < n and (text[j] in _COMBINING or unicodedata.combining(text[j])):
            j += 1
        pieces.append((unicodedata.normalize("NFKC", text[i:j]), i, j))
        i = j
    return mt.rewrite(pieces)


@lru_cache(maxsize=8)
def _replacements(settings: Settings) -> tuple[dict[str, str], re.Pattern[str]]:
    table = {a: b for a, b in settings.variants}
    client, contractor = settings.client_names[-1], settings.contractor_names[-1]
    table.update({name: client for name in settings.client_names})
    table.update({name: contractor for name in settings.contractor_names})
    return table, replacement_pattern(table)


_DROPPED = re.compile(r"[\s*]+")  # \s is str.isspace in Python's re


def fold_text(mt: MappedText, settings: Settings) -> MappedText:
    """NFKC, drop whitespace and Markdown emphasis, fold variants and party names."""
    mt = _nfkc(mt)
    mt = mt.sub(_DROPPED, lambda m: "")
    table, pattern = _replacements(settings)
    mt = mt.sub(pattern, lambda m: table[m.group()])
    client = settings.client_names[-1]
    return mt.sub(_BODY_PARTY, lambda m: client)


def make_comparable(mt: MappedText, settings: Settings) -> Comparable:
    """Comparison form of an already-mapped text.

    Idempotent (tests/test_properties.py): dropping a space or an ignored character can
    leave a combining mark next to a letter (「A´」→ NFKC「A ́」→「Á」 once the space goes;
    「C.̧」→「Ç」 once 「.」 goes), so a result that is not NFKC-normal is folded again.
    """
    comp = _make_comparable_once(mt, settings)
    for _ in range(3):
        if unicodedata.is_normalized("NFKC", comp.text):
            break
        comp = _make_comparable_once(comp.map, settings)
    return comp


@lru_cache(maxsize=8)
def _deletion(chars: str) -> dict[int, None]:
    return str.maketrans("", "", chars)


def _make_comparable_once(mt: MappedText, settings: Settings) -> Comparable:
    folded = fold_text(mt, settings)
    ignored = _deletion(settings.ignored_chars)
    pieces: list[tuple[str, int, int]] = []
    words: list[WordSpan] = []
    pos_in_out = 0
    for tok in sudachi.tokenize(folded.text):
        form = sudachi.fold_form(tok).translate(ignored)
        if not form:
            continue
        pieces.append((form, tok.begin, tok.end))
        words.append(WordSpan(pos_in_out, pos_in_out + len(form), tok.pos[0], not sudachi.has_kanji(tok.surface)))
        pos_in_out += len(form)
    out = folded.rewrite(pieces)
    return Comparable(out.text, out, tuple(words))


def normalize_spans(text: str, spans: Iterable[Span], settings: Settings) -> Comparable:
    """Comparison form of the given spans of ``text`` (offsets map into ``text``)."""
    # Joined before tokenizing: a word broken across lines (取り扱 / う) is one word.
    joined = MappedText.concat(MappedText.from_original(text[s.start : s.end], s.start) for s in spans)
    return make_comparable(joined, settings)


def concat_comparables(parts: list[Comparable]) -> Comparable:
    words: list[WordSpan] = []
    shift = 0
    for p in parts:
        words.extend(WordSpan(w.start + shift, w.end + shift, w.pos, w.kana_only) for w in p.words)
        shift += len(p.text)
    mt = MappedText.concat(p.map for p in parts)
    return Comparable(mt.text, mt, tuple(words))


def normalize_text(text: str, settings: Settings) -> Comparable:
    """Comparison form of a whole string (offsets map into it)."""
    return make_comparable(MappedText.from_original(text), settings)
