"""Judge stage: Match per reference clause → ClauseResult (current / obsolete / modified / missing) and Findings.

A clause is current when its comparison form equals the reference's (so
orthographic, width, punctuation and party-name variants never count),
obsolete when it equals or is closer to a superseded version, modified
otherwise. Changes are located on the comparison forms, widened to whole
words, and quoted from the original texts.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from .messages import WEAKENED
from .metadata import document_title
from .match import ContractText, RefForms, match_clauses, similarity
from .model import (
    Change,
    ChangeKind,
    ClauseResult,
    ClauseStatus,
    Finding,
    FindingKind,
    Location,
    Match,
    ReferenceClause,
    ReferenceSet,
    ReferenceVersion,
    Severity,
)
from .normalize import Comparable, fold_text, make_comparable, normalize_text
from .ja import sudachi
from .ja.chars import KANA_OR_KANJI, KATAKANA
from .ja.textmap import MappedText
from .settings import Settings
from .segment import operative_spans
from .strength import StrengthChange, StrengthRules, compare_strength

# Diff regions separated by at most this many equal characters are one change
# (「調査等をすることが」 vs 「調査等を行うことが」 should not split around a shared kana).
MERGE_GAP = 2
# Parts of speech a kana-only word may have and still stand alone as a change;
# any other kana-only word (こと, が, できる…) is shown with the word before it,
# so an added 「ことができる」 reads 「求める」→「求めることができる」.
_STANDALONE_POS = {"副詞", "接続詞", "連体詞", "感動詞"}
# Words whose ending changes with what follows them (Sudachi's first POS field).
_INFLECTING_POS = {"動詞", "助動詞", "形容詞"}


@dataclass(frozen=True)
class JudgeContext:
    ref_set: ReferenceSet
    version: ReferenceVersion
    ref_forms: RefForms
    contract: ContractText
    settings: Settings
    contract_type: str | None = None
    tokutei: bool = False  # the contract handles 特定個人情報
    signed_on: date | None = None  # the contract's signing date, when known
    signed_on_source: str = ""  # where it came from, e.g. 「--signed-on」「契約書.pdf p.3」


def revision_date(ctx: JudgeContext, old_version: str) -> date | None:
    """The date the wording of ``old_version`` stopped being current: the effective date of the next version."""
    names = [v.version for v in ctx.ref_set.versions]
    if old_version not in names:
        return None
    i = names.index(old_version)
    nxt = ctx.ref_set.versions[i + 1] if i + 1 < len(ctx.ref_set.versions) else None
    return (nxt.effective if nxt else None) or ctx.ref_set.versions[i].superseded_on


def obsolete_rule(ctx: JudgeContext, old_version: str) -> tuple[Severity, str]:
    """Severity of old wording by signing date, and the rule that applied (the notice: contracts made
    under the old text need not be replaced, seed 001 line 647 「特記事項の差替えは不要です」)."""
    revised = revision_date(ctx, old_version)
    if revised is None:
        return Severity.ERROR, ""
    if ctx.signed_on is None:
        return Severity.ERROR, (
            f"契約日が見つからないため、{revised} の改正後の契約として扱いました"
            f" / signing date not found: treated as signed after the {revised} revision"
        )
    where = f"（{ctx.signed_on_source}）" if ctx.signed_on_source else ""
    if ctx.signed_on < revised:
        return Severity.INFO, (
            f"契約日 {ctx.signed_on}{where}は {revised} の改正前のため、差替えは不要です"
            f" / predates the {revised} revision; replacement not required"
        )
    return Severity.ERROR, (
        f"契約日 {ctx.signed_on}{where}は {revised} の改正後です。現行の文言が必要です"
        f" / signed on or after the {revised} revision: the current wording is required"
    )


def _word_bounds(c: Comparable, i: int, j: int) -> tuple[int, int]:
    """Widen [i, j) to whole words of ``c`` (an empty range stays empty)."""
    if i >= j:
        return i, j
    lo, hi = i, j
    for w in c.words:
        if w.start <= i < w.end:
            lo = min(lo, w.start)
        if w.start < j <= w.end:
            hi = max(hi, w.end)
    return lo, hi


def _word_at(c: Comparable, i: int):
    for w in c.words:
        if w.start <= i < w.end:
            return w
    return None


def _word_before(c: Comparable, i: int):
    prev = None
    for w in c.words:
        if w.end <= i:
            prev = w
        else:
            break
    return prev


def _regions(a: str, b: str) -> list[tuple[int, int, int, int]]:
    ops = [op for op in SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    merged: list[list[int]] = []
    for _, i1, i2, j1, j2 in ops:
        if merged and i1 - merged[-1][1] <= MERGE_GAP and j1 - merged[-1][3] <= MERGE_GAP:
            merged[-1][1], merged[-1][3] = i2, j2
        else:
            merged.append([i1, i2, j1, j2])
    return [tuple(m) for m in merged]


def _quote(mt: MappedText, original: str, i: int, j: int) -> str:
    span = mt.span(i, j)
    if span is None:
        return ""
    return original[span[0] : span[1]].replace("\r", "").replace("\n", "")


@lru_cache(maxsize=8)
def strength_rules(settings: Settings) -> StrengthRules:
    """settings [judge] as the strength stage reads them: words folded like the compared text
    (regular expressions kept as written)."""
    fold = lambda words: tuple(normalize_text(w, settings).text for w in words)  # noqa: E731
    return StrengthRules(
        modifiers=fold(settings.duty_modifiers), promptness=fold(settings.promptness),
        consent=fold(settings.consent_words), notice=fold(settings.notice_words), remedies=fold(settings.remedies),
        conditions=settings.conditions, exceptions=settings.exceptions,
    )


def _change_kind(expected: str, actual: str) -> ChangeKind:
    if not actual:
        return ChangeKind.DELETED
    if not expected:
        return ChangeKind.INSERTED
    return ChangeKind.REPLACED


def obligation_changes(expected_text: str, actual_text: str, settings: Settings) -> list[StrengthChange]:
    """Sentences of the contract wording weaker or stronger than the reference's (see strength.py)."""
    fold = lambda s: normalize_text(s, settings).text  # noqa: E731
    return compare_strength(expected_text, actual_text, rules=strength_rules(settings), fold=fold)


def _with_strength(changes: list[Change], strength: list[StrengthChange]) -> list[Change]:
    """A word change inside a weakened (strengthened) sentence is a weakening (strengthening)."""
    out = []
    for c in changes:
        pair = next(
            (p for p in strength if (c.actual and c.actual in p.contract.text) or (c.expected and c.expected in p.reference.text)),
            None,
        )
        if pair is not None:
            c = Change(ChangeKind.WEAKENED if pair.weakened else ChangeKind.STRENGTHENED, c.expected, c.actual)
        out.append(c)
    return out


def describe_obligation(change: StrengthChange) -> str:
    """「義務 → 権限（任意）（現行「行うものとする」が「ことができるものとする」）」 for a report."""
    ref, act = change.reference, change.contract
    if ref.strength is not act.strength and ref.text and act.text:
        return f"{change.reason}（現行「{ref.predicate}」が「{act.predicate}」になっています）"
    if not ref.text or not act.text:  # a sentence deleted or added: the reason quotes it
        return change.reason
    return f"{change.reason}（現行「{_one_line(ref.text)}」）"


def _one_line(text: str) -> str:
    return "".join(line.strip() for line in text.splitlines())


def diff_regions(ref: Comparable, act: Comparable) -> list[tuple[int, int, int, int]]:
    """Changed regions (i1, i2, j1, j2) of the comparison forms, ``ref.text[i1:i2]`` against
    ``act.text[j1:j2]``, widened to whole words; ``ref.map``/``act.map`` give their original offsets.

    The regions ``diff_changes`` quotes; tokki fix edits the same regions in the document.
    """
    a, b = ref.text, act.text
    out: list[tuple[int, int, int, int]] = []
    for i1, i2, j1, j2 in _regions(a, b):
        # Widen to words on both sides by the same amount (the context is shared text).
        wi1, wi2 = _word_bounds(ref, i1, i2)
        wj1, wj2 = _word_bounds(act, j1, j2)
        left = max(i1 - wi1, j1 - wj1)
        right = max(wi2 - i2, wj2 - j2)
        i1, j1 = max(0, i1 - left), max(0, j1 - left)
        i2, j2 = min(len(a), i2 + right), min(len(b), j2 + right)
        if i1 == i2 or j1 == j2:  # pure insertion or deletion
            side, start = (act, j1) if i1 == i2 else (ref, i1)
            first = _word_at(side, start)
            prev = _word_before(side, start)
            if first is not None and prev is not None and first.kana_only and first.pos not in _STANDALONE_POS:
                n = start - prev.start
                i1, j1 = i1 - n, j1 - n
        else:
            # An ending replaced after a verb, auxiliary or adjective (講じ｜なければならない against
            # 講ずる｜よう努める): the word it inflects changes with it, or accepting the change would
            # leave the contract's inflection (「講ずるなければならない」). Both sides share that word.
            prev_r, prev_a = _word_before(ref, i1), _word_before(act, j1)
            firsts = (_word_at(ref, i1), _word_at(act, j1))
            if (prev_r is not None and prev_a is not None and prev_r.pos in _INFLECTING_POS
                    and i1 - prev_r.start == j1 - prev_a.start
                    and any(f is not None and f.kana_only and f.pos not in _STANDALONE_POS for f in firsts)):
                n = i1 - prev_r.start
                i1, j1 = i1 - n, j1 - n
        out.append((i1, i2, j1, j2))
    return out


def diff_changes(ref: Comparable, ref_text: str, act: Comparable, doc_text: str, settings: Settings) -> list[Change]:
    """Word-level changes from the reference wording to the contract's, quoted as written."""
    a, b = ref.text, act.text
    changes: list[Change] = []
    for i1, i2, j1, j2 in diff_regions(ref, act):
        expected_cmp, actual_cmp = a[i1:i2], b[j1:j2]
        changes.append(
            Change(
                _change_kind(expected_cmp, actual_cmp),
                _quote(ref.map, ref_text, i1, i2),
                _quote(act.map, doc_text, j1, j2),
            )
        )
    return changes


def _location(ctx: JudgeContext, match: Match) -> Location:
    ci = match.units[0][0]
    clause = ctx.contract.clauses[ci]
    doc = ctx.contract.documents[clause.doc_index]
    first_para = clause.paragraphs[match.units[0][1]]
    page = doc.page_at(first_para[0].start if first_para else clause.start)
    label = " + ".join(ctx.contract.clauses[u[0]].label for u in match.units)
    if match.units[0][1] > 0:  # a paragraph of the article, not the whole
        label += f" 第{match.units[0][1] + 1}項"
    return Location(doc.path, page, label, document_title(doc))


def _actual_text(ctx: JudgeContext, match: Match) -> str:
    parts = []
    for ci, a, e in match.units:
        clause = ctx.contract.clauses[ci]
        spans = [s for para in clause.paragraphs[a:e] for s in para]
        if spans:
            text = ctx.contract.documents[clause.doc_index].text
            parts.append(text[spans[0].start : spans[-1].end])
    return "\n".join(parts)


def _ocr_doubts(ctx: JudgeContext, match: Match) -> dict[int, tuple[float, str]] | None:
    """Document offset → (confidence, the engine's other guesses) of the doubted characters of the
    pages the match was read from by OCR; None when no part of it was read by OCR."""
    doubts: dict[int, tuple[float, str]] = {}
    seen = False
    for ci, _, _ in match.units:
        clause = ctx.contract.clauses[ci]
        doc = ctx.contract.documents[clause.doc_index]
        for page in doc.pages:
            if page.ocr_confidence is not None and page.start <= clause.end and clause.start <= page.end:
                seen = True
                doubts.update((o, (c, alt)) for o, c, alt in page.ocr_doubts)
    return doubts if seen else None


_FULL_STOPS = tuple("。．.｡")


def ocr_repair(
    ref_text: str, read: MappedText, doubts: dict[int, tuple[float, str]], settings: Settings
) -> tuple[MappedText, list[str]]:
    """The OCR-read text ``read`` with its plausible misreadings put right, and what was put right
    (「乙→且」: the reference's character, then what OCR read).

    A misreading is one character read for another at a character the engine doubted (confidence
    below ``ocr_low_confidence``), where the reference's character is one of the engine's own other
    guesses there or a confusable pair of reference_clauses/settings.toml [ocr]; one kanji read for
    another (or two) inside a word of the reference where what was read makes no word (措置 read
    措量 or 描量, 認識 read 認臓: Sudachi's dictionary has no such word, whatever the engine's
    confidence);
    or a single dropped character next to a doubted one, at a printed line's start or end (where
    the detector's box cuts: 「サ」「バ等」 for サーバ), or whose loss leaves a word as no word, also
    beside misread ones (「乙は、こ」 read 「乙ばこ」); one character alone read below
    ``ocr_unread_below`` (the engine bet against itself: 審 read 響 at 0.35) unless it carries
    meaning alone (``ocr_never_guessed``: 不, a numeral) or a party was read (``ocr_kept_as_read``); the few
    characters of a paragraph's last line the detector did not find (「同様とす」 where the
    reference has 「同様とする。」). Everything else is left as read, so a difference that
    carries meaning (できる/行う, 直ちに, a missing sentence) stays a change. Compared on the
    folded forms (width, spaces, party names), before any word normalization.
    """
    low, ignored = settings.ocr_low_confidence, set(settings.ignored_chars)
    # The reference without its item labels (一, 二…), as the contract's matched text is.
    ref_mt = MappedText.concat(MappedText.from_original(ref_text[sp.start : sp.end], sp.start) for sp in operative_spans(ref_text))
    ref_folded = fold_text(ref_mt, settings)
    ref = ref_folded.text
    got = fold_text(read, settings)

    def doubt(j: int) -> tuple[float, str]:
        if not 0 <= j < len(got.text):
            return 1.0, ""
        found = [doubts[k] for k in range(got.starts[j], got.ends[j]) if k in doubts]
        return min(found) if found else (1.0, "")

    def doubted(j: int) -> bool:
        return doubt(j)[0] < low

    def misread(e: str, j: int, alone: bool = False) -> bool:
        conf, guesses = doubt(j)
        if e == "ー" and got.text[j] == "一" and KATAKANA.match(got.text[j - 1 : j]) and KATAKANA.match(got.text[j + 1 : j + 2]):
            return True  # the kanji 一 inside a katakana word (サ一バ) is its long vowel, however sure
        if alone and conf < settings.ocr_unread_below:
            # One character the engine bet against (never a run of them: that may be a new phrase).
            return e not in settings.ocr_never_guessed and got.text[j] not in settings.ocr_never_guessed + settings.ocr_kept_as_read
        return conf < low and (e in guesses or tuple(sorted((e, got.text[j]))) in settings.ocr_confusions)

    def lost_line_end(expected: str, i2: int, j1: int) -> bool:
        """The short last line of a paragraph (「る。」) the detector did not find: the reading stops
        mid-sentence where the reference ends its paragraph."""
        return (len(expected) <= settings.ocr_lost_line_end and expected.endswith(_FULL_STOPS)
                and not set(expected) & set(settings.ocr_never_dropped)
                and ref_text[ref_folded.ends[i2 - 1] :].lstrip(" \u3000")[:1] in ("", "\n")
                and j1 > 0 and not got.text[j1 - 1].endswith(_FULL_STOPS))

    # Document offsets where a printed line (or a box: the text jumps a label or a space) starts or
    # ends — a line break in the text, or a jump in the offsets of the matched text, joined from its
    # lines: the detector's box cuts characters there.
    breaks = [k for k in range(1, len(read.text)) if read.text[k - 1] == "\n" or read.starts[k] > read.ends[k - 1]]
    line_starts = {read.starts[k] for k in breaks}
    line_ends = {read.ends[k - 1] for k in breaks}

    def at_line_edge(j: int) -> bool:
        return j in (0, len(got.text)) or got.starts[j] in line_starts or got.ends[j - 1] in line_ends

    def dropped(ch: str, i: int, j: int) -> bool:
        """Reference character ``ch`` (i), missing before got.text[j], was lost by OCR."""
        return ch not in settings.ocr_never_dropped and (
            doubted(j - 1) or doubted(j) or dropped_no_word(i, j) or at_line_edge(j))

    ref_words = [t for t in sudachi.tokenize(ref) if len(t.surface) >= 2 and sudachi.has_kanji(t.surface) and not t.oov]
    got_words = {(t.begin, t.end) for t in sudachi.tokenize(got.text) if not t.oov}

    def no_word(i: int, j: int) -> bool:
        """Reference character i, read as got.text[j], breaks a dictionary word into no word."""
        if not (sudachi.has_kanji(ref[i]) and sudachi.has_kanji(got.text[j])):
            return False
        word = next((t for t in ref_words if t.begin <= i < t.end), None)
        if word is None:
            return False
        start = j - (i - word.begin)
        seen = got.text[start : start + len(word.surface)]
        differs = sum(a != b for a, b in zip(word.surface, seen))
        # One or two characters of the word (措置 read 描量): what was read must be no word.
        return 1 <= differs <= 2 and (start, start + len(word.surface)) not in got_words

    def dropped_no_word(i: int, j: int) -> bool:
        """Reference character i, missing before got.text[j], leaves a kanji word as no word (措置 read 措)."""
        word = next((t for t in ref_words if t.begin <= i < t.end), None)
        if word is None or not sudachi.has_kanji(ref[i]):
            return False
        start = j - (i - word.begin)
        rest = word.surface[: i - word.begin] + word.surface[i - word.begin + 1 :]
        return got.text[start : start + len(rest)] == rest and (start, start + len(rest)) not in got_words

    pieces: list[tuple[str, int, int]] = []
    fixed: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ref, got.text, autojunk=False).get_opcodes():
        expected, seen = ref[i1:i2], got.text[j1:j2]
        if tag == "insert" and all(c in ignored for c in seen) and KANA_OR_KANJI.match(got.text[j1 - 1 : j1]) and KANA_OR_KANJI.match(got.text[j2 : j2 + 1]):
            # A speck read as 。 or 、 inside a word (「取り扱。う」): no punctuation splits a word.
            fixed.append(f"（なし）→{seen}")
        elif tag == "equal" or all(c in ignored for c in expected + seen):
            pieces.extend((c, j, j + 1) for j, c in enumerate(seen, start=j1))
        elif tag == "replace" and len(expected) == len(seen):
            for k, (e, r) in enumerate(zip(expected, seen)):
                if e != r and (misread(e, j1 + k, alone=len(seen) == 1) or no_word(i1 + k, j1 + k)):
                    fixed.append(f"{e}→{r}")
                    r = e
                pieces.append((r, j1 + k, j1 + k + 1))
        elif tag == "replace" and len(seen) + 1 == len(expected) <= 3 and (d := _one_lost(expected, seen, i1, j1, misread, dropped)) is not None:
            # A character lost beside misread ones (「乙は、こ」 read 「乙ばこ」).
            for k, e in enumerate(expected):
                if k == d:
                    fixed.append(f"{e}→（脱落）")
                    pieces.append((e, j1 + k, j1 + k))
                    continue
                j = j1 + k - (k > d)
                if e != got.text[j]:
                    fixed.append(f"{e}→{got.text[j]}")
                pieces.append((e, j, j + 1))
        elif (tag == "delete" and len(expected) == 1 and dropped(expected, i1, j1)) or (
            tag == "delete" and lost_line_end(expected, i2, j1)
        ):
            fixed.append(f"{expected}→（脱落）")
            pieces.append((expected, j1, j1))
        else:
            pieces.extend((c, j, j + 1) for j, c in enumerate(seen, start=j1))
    return (got.rewrite(pieces), fixed) if fixed else (read, [])


def _one_lost(expected: str, seen: str, i1: int, j1: int, misread, dropped) -> int | None:
    """Where one character of ``expected`` was lost, every other one read as itself or misread."""
    for d in range(len(expected)):
        rest = expected[:d] + expected[d + 1 :]
        if dropped(expected[d], i1 + d, j1 + d) and all(
            e == r or misread(e, j1 + k) for k, (e, r) in enumerate(zip(rest, seen))
        ):
            return d
    return None


def _unit_text(ctx: JudgeContext, match: Match) -> MappedText:
    """The matched paragraphs as written, mapped to their document offsets (as match.py joins them)."""
    parts = []
    for ci, a, e in match.units:
        clause = ctx.contract.clauses[ci]
        text = ctx.contract.documents[clause.doc_index].text
        parts += [MappedText.from_original(text[s.start : s.end], s.start) for para in clause.paragraphs[a:e] for s in para]
    return MappedText.concat(parts)


def _mean_confidence(act: Comparable, doubts: dict[int, tuple[float, str]]) -> float:
    """Mean OCR confidence of the characters behind ``act`` (undoubted characters count 1.0)."""
    if not act.text:
        return 1.0
    return sum(
        min((doubts.get(k, (1.0, ""))[0] for k in range(s, e)), default=1.0) for s, e in zip(act.map.starts, act.map.ends)
    ) / len(act.text)


def _poor_ocr_pages(ctx: JudgeContext) -> str:
    """「file p.N 62%」 for every page OCR read below the poor-confidence level ("" when none)."""
    low = ctx.settings.ocr_poor_confidence
    return ", ".join(
        f"{d.path} p.{p.number} {p.ocr_confidence:.0%}"
        for d in ctx.contract.documents for p in d.pages
        if p.ocr_confidence is not None and p.ocr_confidence < low
    )


def _ocr_article(ctx: JudgeContext, ref: ReferenceClause):
    """The contract's article read by OCR with the number and heading of ``ref`` (None: none)."""
    if not ref.id.isdigit() or not ref.title:
        return None
    want = fold_text(MappedText.from_original(ref.title), ctx.settings).text
    for clause in ctx.contract.clauses:
        doc = ctx.contract.documents[clause.doc_index]
        if clause.number != int(ref.id) or not clause.heading or not any(p.ocr_confidence is not None for p in doc.pages):
            continue
        heading = fold_text(MappedText.from_original(clause.heading.strip("（）() ")), ctx.settings).text
        if similarity(want, heading) >= ctx.settings.ocr_heading_similarity:
            return clause
    return None


def _versions_before(ctx: JudgeContext) -> list[ReferenceVersion]:
    out = []
    for v in ctx.ref_set.versions:
        if v.version == ctx.version.version:
            break
        out.append(v)
    return out


def judge_clause(ctx: JudgeContext, ref: ReferenceClause, match: Match | None, best: float) -> ClauseResult:
    mark = ref.types.get(ctx.contract_type or "", "")
    if match is None:
        status = ClauseStatus.NOT_APPLICABLE if mark == "—" else ClauseStatus.MISSING
        expected = ref.wordings()[ref.accepted(ctx.tokutei)[0]]
        notes: tuple[str, ...] = ()
        poor = _poor_ocr_pages(ctx)
        if not poor and not ctx.contract.clauses and any(p.ocr_confidence is not None for d in ctx.contract.documents for p in d.pages):
            # Text read by OCR in which no numbered article was found: never "every clause missing".
            poor = "番号のある条を読み取れません / no numbered article found in the OCR text"
        if status is ClauseStatus.MISSING and poor:
            # Not found on pages OCR could hardly read: it may be there, illegible to the engine.
            status = ClauseStatus.REVIEW
            notes = (
                f"OCR の読取りが不十分なページがあり、有無を判定できません（{poor}）。原本で確認してください"
                f" / pages read too poorly by OCR to tell whether the clause is there ({poor}): check the original",
            )
        elif status is ClauseStatus.MISSING and (seen := _ocr_article(ctx, ref)) is not None:
            # Its label and heading were read, its text was not (a seal, a stain): it is there.
            status = ClauseStatus.REVIEW
            notes = (
                f"{seen.label}（{seen.heading}）は見出しまで読めましたが、本文を OCR で読み取れません。原本で確認してください"
                f" / {seen.label} and its heading were read by OCR, its text was not: check the original",
            )
        return ClauseResult(
            ref.id, ref.title, status, ref.mandatory, round(best, 3), None, None, expected_text=expected,
            notes=notes, label=ref.label,
        )

    act = ctx.contract.unit_comparable(match.units)
    forms = ctx.ref_forms[(ctx.version.version, ref.id)]
    accepted_idx = ref.accepted(ctx.tokutei)
    # The accepted wording closest to the contract's (an alternative ※ form, the
    # text with or without 特定個人情報 paragraphs): changes are shown against it.
    k = max(accepted_idx, key=lambda i: (forms[i].text == act.text, similarity(forms[i].text, act.text)))
    cur, expected_text = forms[k], ref.wordings()[k]
    sim_cur = similarity(cur.text, act.text)
    status, matched_version, sim = ClauseStatus.CURRENT, ctx.version.version, sim_cur
    notes: list[str] = []
    doubts = _ocr_doubts(ctx, match) if act.text != cur.text else None
    if doubts is not None:
        repaired, misread = ocr_repair(expected_text, _unit_text(ctx, match), doubts, ctx.settings)
        if misread:
            # Judged on the text put right; quotes still show what OCR read.
            act = make_comparable(repaired, ctx.settings)
            sim_cur = sim = similarity(cur.text, act.text)
            notes.append(f"OCR の誤認識の可能性 / possible OCR misreading: {'、'.join(misread)}")
        if act.text != cur.text and (conf := _mean_confidence(act, doubts)) < ctx.settings.ocr_poor_confidence:
            status = ClauseStatus.REVIEW
            notes.append(
                f"OCR の読取りが不十分で判定できません（信頼度 {conf:.0%}）。原本で確認してください"
                f" / OCR text too poor to judge (confidence {conf:.2f}): check the original"
            )
    if act.text != cur.text and status is not ClauseStatus.REVIEW:
        status = ClauseStatus.MODIFIED
        accepted = {forms[i].text for i in accepted_idx}
        best_old: tuple[float, str] | None = None
        for v in _versions_before(ctx):
            for form in ctx.ref_forms.get((v.version, ref.id), ()):
                if form.text in accepted:
                    continue
                s = similarity(form.text, act.text)
                if best_old is None or s > best_old[0]:
                    best_old = (s, v.version)
        if best_old is not None and best_old[0] > sim_cur:
            status, sim, matched_version = ClauseStatus.OBSOLETE, best_old[0], best_old[1]

    clause = ctx.contract.clauses[match.units[0][0]]
    if clause.heading and ref.title:
        s = ctx.settings
        if fold_text(MappedText.from_original(clause.heading), s).text != fold_text(
            MappedText.from_original(ref.title), s
        ).text:
            notes.append(f"見出しが異なります / heading differs: 「{clause.heading}」 (参照: 「{ref.title}」)")
    doc_text = ctx.contract.documents[clause.doc_index].text
    actual_text = _actual_text(ctx, match)
    changes: list[Change] = []
    obligations: tuple[str, ...] = ()
    if status not in (ClauseStatus.CURRENT, ClauseStatus.REVIEW):
        strength = obligation_changes(expected_text, actual_text, ctx.settings)
        changes = _with_strength(diff_changes(cur, expected_text, act, doc_text, ctx.settings), strength)
        obligations = tuple(("weakened" if c.weakened else "strengthened", describe_obligation(c)) for c in strength)
    return ClauseResult(
        ref.id,
        ref.title,
        status,
        ref.mandatory,
        round(sim, 3),
        matched_version,
        _location(ctx, match),
        tuple(changes),
        expected_text,
        actual_text,
        tuple(notes),
        ref.label,
        obligations,
    )


def _name(r: ClauseResult, ref: ReferenceClause) -> str:
    return f"{ref.label}（{r.title}）" if r.title else ref.label


def findings_for(ctx: JudgeContext, result: ClauseResult, ref: ReferenceClause) -> list[Finding]:
    name = _name(result, ref)
    mark = ref.types.get(ctx.contract_type or "", "")
    out: list[Finding] = []
    if result.status is ClauseStatus.MISSING:
        if ref.mandatory:
            sev, why = Severity.ERROR, "mandatory"
        elif mark == "△":
            sev, why = Severity.INFO, "as_needed"
        else:
            sev, why = Severity.WARNING, "optional"
        out.append(Finding(FindingKind.MISSING, ref.id, sev, "clause_missing",
                           {"name": name, "why": why, "type": ctx.contract_type}))
    elif result.status is ClauseStatus.OBSOLETE:
        severity, rule = obsolete_rule(ctx, result.matched_version or "")
        out.append(Finding(
            FindingKind.OBSOLETE, ref.id, severity, "clause_obsolete",
            {"name": name, "matched_version": result.matched_version, "current_version": ctx.version.version,
             "replace": severity is Severity.ERROR, "diff": "、".join(c.describe() for c in result.changes), "rule": rule},
            result.location,
        ))
    elif result.status is ClauseStatus.MODIFIED:
        out.append(Finding(FindingKind.MODIFIED, ref.id, Severity.WARNING, "clause_modified",
                           {"name": name, "current_version": ctx.version.version, "changes": len(result.changes)},
                           result.location))
    elif result.status is ClauseStatus.REVIEW:
        out.append(Finding(FindingKind.REVIEW, ref.id, Severity.WARNING, "clause_review", {"name": name},
                           result.location))
    weakened = [text for kind, text in result.obligations if kind == "weakened"]
    if weakened and out:
        # One problem, one finding (issue 18): the clause's finding gains the facet of a weaker duty.
        # Obsolete wording stays an obsolete finding; modified wording whose duty is weaker is a
        # weakened one. The severity is the graver of the two.
        severity = Severity.ERROR if ref.mandatory else Severity.WARNING
        # Old wording signed before its revision was the current text then: information only.
        if result.status is ClauseStatus.OBSOLETE and obsolete_rule(ctx, result.matched_version or "")[0] is Severity.INFO:
            severity = Severity.INFO
        first = out[0]
        kind = FindingKind.WEAKENED if first.kind is FindingKind.MODIFIED else first.kind
        out[0] = replace(
            first, kind=kind, severity=max(first.severity, severity, key=_GRAVITY.__getitem__),
            params={**first.params, WEAKENED: "；".join(weakened)}, facets=(first.kind.value, FindingKind.WEAKENED.value),
        )
    return out


_GRAVITY = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


def obsolete_content_findings(ctx: JudgeContext) -> list[Finding]:
    """Findings for articles of a superseded version that the current one dropped and the contract still has.

    E.g. the old Toshima 罰則 articles citing the repealed 豊島区個人情報等の保護に関する条例
    (reference data: ``obsolete_content = true``).
    """
    current_ids = {c.id for c in ctx.version.clauses}
    out: list[Finding] = []
    for old in _versions_before(ctx):
        stale = tuple(c for c in old.clauses if c.obsolete_content and c.id not in current_ids)
        if not stale:
            continue
        matches, _ = match_clauses(ctx.contract, ctx.ref_set, replace(old, clauses=stale), ctx.ref_forms, ctx.settings)
        for clause in stale:
            m = matches.get(clause.id)
            if m is None:
                continue
            loc = _location(ctx, m)
            out.append(Finding(
                FindingKind.OBSOLETE, clause.id, Severity.ERROR, "stale_article",
                {"article": loc.article, "title": clause.title, "old_version": old.version,
                 "current_version": ctx.version.version, "file": loc.file},
                loc,
            ))
            current_ids.add(clause.id)  # report each stale article once
    return out
