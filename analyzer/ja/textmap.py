"""Text with a map back to the original: every derived character knows its source span.

Normalization rewrites text for comparison (NFKC, spaces dropped, variants
folded); a ``MappedText`` keeps, for each derived character, the [start, end)
span of the original characters it came from, so a report can quote the
contract as written (the idea of pdfplumber's TextMap).
"""
from __future__ import annotations

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

    def replace_all(self, table: dict[str, str]) -> MappedText:
        """Replace every occurrence of the table's keys, longest key first, left to right."""
        if not table:
            return self
        keys = sorted(table, key=len, reverse=True)
        pieces: list[tuple[str, int, int]] = []
        i, n, text = 0, len(self.text), self.text
        firsts = {k[0] for k in keys}
        while i < n:
            if text[i] in firsts:
                for k in keys:
                    if text.startswith(k, i):
                        pieces.append((table[k], i, i + len(k)))
                        i += len(k)
                        break
                else:
                    pieces.append((text[i], i, i + 1))
                    i += 1
            else:
                pieces.append((text[i], i, i + 1))
                i += 1
        return self.rewrite(pieces)
