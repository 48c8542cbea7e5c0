"""Text with a map back to the original: every derived character knows its source span.

Normalization rewrites text for comparison (NFKC, spaces dropped, variants
folded); a ``MappedText`` keeps, for each derived character, the [start, end)
span of the original characters it came from, so a report can quote the
contract as written (the idea of pdfplumber's TextMap).
"""
from __future__ import annotations

import re

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MappedText:
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def from_original(cls, text: str, offset: int = 0) -> MappedText:
        n = len(text)
        return cls(text, tuple(range(offset, offset + n)), tuple(range(offset + 1, offset + n + 1)))

    @classmethod
    def concat(cls, parts: Iterable[MappedText]) -> MappedText:
        parts = list(parts)
        return cls(
            "".join(p.text for p in parts),
            tuple(s for p in parts for s in p.starts),
            tuple(e for p in parts for e in p.ends),
        )

    def __len__(self) -> int:
        return len(self.text)

    def span(self, i: int, j: int) -> tuple[int, int] | None:
        """Original [start, end) covering derived characters i..j-1 (None when empty)."""
        if i >= j:
            return None
        return min(self.starts[i:j]), max(self.ends[i:j])

    def rewrite(self, pieces: Iterable[tuple[str, int, int]]) -> MappedText:
        """Build a new text from (replacement, i, j) pieces: each replaces derived chars i..j-1.

        Every character of a replacement maps to the union of the spans it replaced.
        """
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        self_starts, self_ends = self.starts, self.ends
        for rep, i, j in pieces:
            if not rep:
                continue
            if j == i + 1:  # one character for one (the common case)
                s, e = self_starts[i], self_ends[i]
            elif i < j:
                s, e = min(self_starts[i:j]), max(self_ends[i:j])
            else:  # pure insertion: anchor on the neighbouring character
                k = min(i, len(self.text) - 1)
                s, e = (self_starts[k], self_ends[k]) if k >= 0 else (0, 0)
            text.append(rep)
            if len(rep) == 1:
                starts.append(s)
                ends.append(e)
            else:
                starts.extend([s] * len(rep))
                ends.extend([e] * len(rep))
        return MappedText("".join(text), tuple(starts), tuple(ends))

    def map_chars(self, fn: Callable[[str], str]) -> MappedText:
        """Apply ``fn`` to each character independently (fn may return '' or several chars)."""
        return self.rewrite((fn(c), i, i + 1) for i, c in enumerate(self.text))

    def splice(self, edits: Iterable[tuple[str, int, int]]) -> MappedText:
        """``rewrite`` where only the (replacement, i, j) edits change the text (sorted, not
        overlapping, i < j) and every other character is kept as it is, copied by slices."""
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        last = 0
        for rep, i, j in edits:
            text.append(self.text[last:i])
            starts.extend(self.starts[last:i])
            ends.extend(self.ends[last:i])
            if rep:
                s, e = min(self.starts[i:j]), max(self.ends[i:j])
                text.append(rep)
                starts.extend([s] * len(rep))
                ends.extend([e] * len(rep))
            last = j
        if last == 0:
            return self
        text.append(self.text[last:])
        starts.extend(self.starts[last:])
        ends.extend(self.ends[last:])
        return MappedText("".join(text), tuple(starts), tuple(ends))

    def sub(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> MappedText:
        """Every match of ``pattern`` replaced by ``replace(match)`` (as ``re.sub``), mapped."""
        return self.splice((replace(m), m.start(), m.end()) for m in pattern.finditer(self.text) if m.end() > m.start())

    def replace_all(self, table: dict[str, str]) -> MappedText:
        """Replace every occurrence of the table's keys, longest key first, left to right."""
        if not table:
            return self
        return self.sub(replacement_pattern(table), lambda m: table[m.group()])


def replacement_pattern(table: dict[str, str]) -> re.Pattern[str]:
    """One regex for ``replace_all``: the keys longest first, so the longest match at each place wins."""
    keys = sorted((k for k in table if k), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys)) or "(?!)")
