"""Obligation strength: what each sentence makes a party do, and whether a contract weakens it.

A sentence of a 特記事項 is classified by its main predicate (the end of the
sentence), read on Sudachi's normalized forms so 「できる」/「出来る」 and
「しなければならない」/「しなくてはならない」 agree:

- prohibition — 「…してはならない」「…することができない」
- duty — 「…しなければならない」「…ものとする」「…こと。」, or a plain verb as the
  main predicate (「甲は…調査を行う。」「…を求める。」)
- effort — 「…よう努める」「…努めなければならない」「…努めるものとする」
- power — 「…することができる（ものとする）」「…し得る」
- none — definitions and exceptions (「…という。」「同様とする。」「この限りでない。」)

``compare_strength`` pairs each reference sentence with the contract sentence
most like it (order does not matter) and reports a contract sentence that is
weaker (duty → power or effort, prohibition → anything else, a duty-carrying
modifier such as 直ちに or 書面で dropped) or stronger.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from .ja.sudachi import Token, tokenize
from .segment import _ITEM


class Strength(StrEnum):
    PROHIBITION = "prohibition"
    DUTY = "duty"
    EFFORT = "effort"
    POWER = "power"
    NONE = "none"


# How binding each kind is; a contract sentence of a lower rank than its reference is weaker.
RANK = {Strength.PROHIBITION: 3, Strength.DUTY: 3, Strength.EFFORT: 1, Strength.POWER: 0, Strength.NONE: None}
LABEL_JA = {
    Strength.PROHIBITION: "禁止",
    Strength.DUTY: "義務",
    Strength.EFFORT: "努力義務",
    Strength.POWER: "権限（任意）",
    Strength.NONE: "（規範なし）",
}

# Verbs that state rather than oblige when they end a sentence (「…という。」「…を含む。」).
_STATING_VERBS = {"言う", "含む", "限る", "除く", "準ずる", "同じ", "有る", "在る", "成る"}


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offsets into the text it was cut from
    end: int
    strength: Strength
    predicate: str  # the words that decided the strength, as written


@dataclass(frozen=True)
class StrengthRules:
    """What else, besides the predicate, makes a sentence weaker, as a lawyer reads it (issue 18);
    every word already folded like the compared text (settings [judge])."""

    modifiers: tuple[str, ...] = ()  # duty-carrying words whose loss weakens (直ちに, 書面で, あらかじめ)
    promptness: tuple[str, ...] = ()  # strongest first: 直ちに → 速やかに is weaker
    consent: tuple[str, ...] = ()  # 承諾, 承認 … replaced by
    notice: tuple[str, ...] = ()  # 通知, 届出 … : consent made a notice
    remedies: tuple[str, ...] = ()  # 損害賠償, 契約の解除: one dropped from an enumeration
    conditions: tuple[str, ...] = ()  # regexes: a duty made conditional (求めがあったときは)
    exceptions: tuple[str, ...] = ()  # regexes: an exception added (ただし…この限りでない)


@dataclass(frozen=True)
class StrengthChange:
    """A contract sentence weaker or stronger than the reference sentence it corresponds to."""

    weakened: bool
    reference: Sentence
    contract: Sentence
    reason: str  # Japanese, e.g. 「義務 → 権限（任意）」「「直ちに」がありません」


def split_sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence: cut after 。 outside brackets, and before a line that starts
    an item (「一 …」「(1) …」); other line breaks are printed wraps inside a sentence."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "（(「『":
            depth += 1
        elif ch in "）)」』" and depth:
            depth -= 1
        if ch == "。" and depth == 0:
            end = i + 1
        elif ch == "\n" and _ITEM.match(text, i + 1):
            end, depth = i, 0
        else:
            continue
        if text[start:end].strip():
            out.append((start, end))
        start = end + (ch == "\n")
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def _predicate_forms(tokens: list[Token]) -> tuple[list[str], list[Token]]:
    """Normalized forms of a sentence's words with polite endings made plain
    (「なりません」→「ならない」, 「できます」→「できる」), and the tokens they stand for."""
    forms, toks = [], []
    for t in tokens:
        if t.pos[0] in ("補助記号", "空白"):
            continue
        if t.normalized == "ず" and forms and forms[-1] == "ます":  # ません → ない
            forms[-1], toks[-1] = "ない", t
            continue
        if t.normalized == "ます":
            forms.append("ます")
            toks.append(t)
            continue
        forms.append(t.normalized)
        toks.append(t)
    if len(forms) > 1 and forms[-1] == "ます":  # 「します」: the verb before ます is the predicate
        forms.pop()
        toks.pop()
    return forms, toks


def classify(sentence: str) -> tuple[Strength, str]:
    """(strength, the predicate words as written) of one sentence.

    Read without whitespace: extraction splits words at line ends and spaces out characters
    (「行 わなければならない」「しなければなら\nない」), which Japanese does not separate.
    """
    kept = [i for i, ch in enumerate(sentence) if not ch.isspace()]  # compact index → original index
    tokens = tokenize("".join(sentence[i] for i in kept))
    forms, toks = _predicate_forms(tokens)
    if not forms:
        return Strength.NONE, ""

    def ends(*pattern: str) -> bool:
        return tuple(core[-len(pattern) :]) == pattern

    end = max(t.end for t in tokens if t.pos[0] not in ("補助記号", "空白"))

    def words(n: int) -> str:  # the last n words of the sentence (polite endings included), as written
        first = len(forms) - min(n, len(forms))
        return sentence[kept[toks[first].begin] : kept[end - 1] + 1]

    # 「…ものとする」: the clause before it carries the meaning; the ending makes it binding.
    mono = tuple(forms[-3:]) == ("物", "と", "為る")
    core = forms[:-3] if mono else forms
    extra = 3 if mono else 0
    if "努める" in core[-6:]:  # 「…よう努める」「努めなければならない」: an effort, however phrased
        at = len(core) - 1 - core[::-1].index("努める")
        return Strength.EFFORT, words(len(forms) - at)
    if ends("ない", "ば", "成る", "ない"):
        return Strength.DUTY, words(5 + extra)
    if ends("ない", "て", "は", "成る", "ない"):
        return Strength.DUTY, words(6 + extra)
    if ends("て", "は", "成る", "ない") or ends("で", "は", "成る", "ない"):
        return Strength.PROHIBITION, words(4 + extra)
    if ends("出来る", "ない") or ends("得る", "ない"):
        return Strength.PROHIBITION, words((4 if len(core) > 3 and core[-4] == "こと" else 2) + extra)
    if ends("こと", "が", "出来る"):
        return Strength.POWER, words(3 + extra)
    # 「し得る」 (can) but not 「承認を得る」 (obtain): 得る is a power only right after a verb.
    if ends("出来る") or (ends("得る") and len(core) > 1 and toks[len(core) - 2].pos[0] == "動詞"):
        return Strength.POWER, words(1 + extra)
    if mono:
        return Strength.DUTY, words(4)
    if ends("と", "為る"):  # 「同様とする」: a statement, not an act
        return Strength.NONE, ""
    last = toks[len(core) - 1]
    if core[-1] == "こと" and len(core) > 1 and toks[len(core) - 2].pos[0] == "動詞":  # 「甲の指示に従うこと。」
        return Strength.DUTY, words(2)
    if last.pos[0] == "動詞" and core[-1] not in _STATING_VERBS:
        return Strength.DUTY, words(1)
    return Strength.NONE, ""


def sentences(text: str) -> list[Sentence]:
    out = []
    for start, end in split_sentences(text):
        strength, predicate = classify(text[start:end])
        out.append(Sentence(text[start:end], start, end, strength, predicate))
    return out


def compare_strength(
    reference: str,
    contract: str,
    *,
    modifiers: tuple[str, ...] = (),
    rules: StrengthRules | None = None,
    fold: Callable[[str], str] = lambda s: s,
    min_similarity: float = 0.5,
) -> list[StrengthChange]:
    """Weakened and strengthened sentences of ``contract`` against ``reference``.

    Each reference sentence is paired with the contract sentence most like it
    (ratio of the ``fold``ed texts ≥ ``min_similarity``). A paired sentence is
    weaker by its predicate, or by the ``rules`` (a duty-carrying modifier
    dropped, 直ちに made 速やかに, consent made a notice, a remedy dropped, a
    condition or an exception added). An unpaired reference sentence that lays
    down a duty, or an item (号) of one, deleted is weaker; an unpaired contract
    sentence that adds an exception (「ただし、…この限りでない。」) is weaker, one
    that adds a duty stronger. ``fold`` is the comparison normalization, so
    ただちに/直ちに and 委託者/甲 agree; ``modifiers`` adds to ``rules.modifiers``.
    """
    rules = rules or StrengthRules()
    if modifiers:
        rules = StrengthRules(**{**rules.__dict__, "modifiers": tuple(dict.fromkeys(rules.modifiers + modifiers))})
    ref_sents, act_sents = sentences(reference), sentences(contract)
    act_folded = [fold(a.text) for a in act_sents]
    # Pair on what the sentences are about, without the predicates being compared.
    act_subject = [fold(_subject(a)) for a in act_sents]
    used: set[int] = set()
    changes = []
    paired: list[tuple[Sentence, int]] = []
    for r in ref_sents:
        r_folded, r_subject = fold(r.text), fold(_subject(r))
        scored = [(fuzz.ratio(r_subject, f) / 100, i) for i, f in enumerate(act_subject) if i not in used]
        score, i = max(scored) if scored else (0.0, -1)
        if score < min_similarity:
            if RANK[r.strength] is not None or _is_item(r.text):  # a duty or an item of one, deleted
                what = "号" if _is_item(r.text) else "義務の文"
                changes.append(StrengthChange(True, r, _empty(a_at=0), f"{what}「{_short(r.text)}」が削除されています"))
            continue
        used.add(i)
        paired.append((r, i))
        change = _sentence_change(r, act_sents[i], r_folded, act_folded[i], rules)
        if change is not None:
            changes.append(change)
    ref_has_exception = any(_matches(rules.exceptions, fold(r.text)) for r in ref_sents)
    for i, a in enumerate(act_sents):
        if i in used:
            continue
        before = [r for r, j in paired if j < i]
        anchor = before[-1] if before else (ref_sents[0] if ref_sents else _empty(a_at=0))
        if not ref_has_exception and _matches(rules.exceptions, act_folded[i]):
            changes.append(StrengthChange(True, anchor, a, f"例外「{_short(a.text)}」が加わっています"))
        elif RANK[a.strength] is not None:
            changes.append(StrengthChange(False, _empty(a_at=a.start), a, f"義務の文「{_short(a.text)}」が加わっています"))
    return changes


def _empty(a_at: int) -> Sentence:
    return Sentence("", a_at, a_at, Strength.NONE, "")


def _short(text: str, n: int = 30) -> str:
    flat = "".join(text.split())
    return flat if len(flat) <= n else flat[:n] + "…"


def _is_item(text: str) -> bool:
    m = _ITEM.match(text.lstrip())
    return bool(m) and not text.lstrip().startswith(("第",))


def _matches(patterns: tuple[str, ...], text: str) -> str:
    """The first of ``patterns`` (regexes) found in ``text``, as found ("" when none)."""
    for p in patterns:
        m = re.search(p, text)
        if m:
            return m.group(0)
    return ""


def _subject(s: Sentence) -> str:
    body = s.text.rstrip("。 ")
    return body[: len(body) - len(s.predicate)] if s.predicate and body.endswith(s.predicate) else body


def _sentence_change(r: Sentence, a: Sentence, r_folded: str, a_folded: str, rules: StrengthRules) -> StrengthChange | None:
    rr, ar = RANK[r.strength], RANK[a.strength]
    if rr is not None and (ar is None or ar < rr):
        return StrengthChange(True, r, a, f"{LABEL_JA[r.strength]} → {LABEL_JA[a.strength]}")
    if ar is not None and (rr is None or ar > rr):
        return StrengthChange(False, r, a, f"{LABEL_JA[r.strength]} → {LABEL_JA[a.strength]}")
    if rr is None:
        return None
    weaker: list[str] = []
    stronger: list[str] = []
    # Promptness: 直ちに → 速やかに → 遅滞なく, each weaker than the one before.
    rank = lambda text: next((k for k, w in enumerate(rules.promptness) if w in text), None)  # noqa: E731
    rp, ap = rank(r_folded), rank(a_folded)
    if rp is not None and ap is not None and rp != ap:
        (weaker if ap > rp else stronger).append(f"「{rules.promptness[rp]}」が「{rules.promptness[ap]}」になっています")
    timing = set(rules.promptness) if rp is not None and ap is not None else set()
    weaker += [f"「{m}」がありません" for m in rules.modifiers if m in r_folded and m not in a_folded and m not in timing]
    stronger += [f"「{m}」が加わっています" for m in rules.modifiers if m in a_folded and m not in r_folded and m not in timing]
    consent = [w for w in rules.consent if w in r_folded]
    if consent and not any(w in a_folded for w in rules.consent):
        notice = [w for w in rules.notice if w in a_folded and w not in r_folded]
        if notice:
            weaker.append(f"「{consent[0]}」が「{notice[0]}」になっています")
    weaker += [f"「{m}」がありません" for m in rules.remedies if m in r_folded and m not in a_folded]
    condition = _matches(rules.conditions, a_folded)
    if condition and not _matches(rules.conditions, r_folded):
        weaker.append(f"条件「{condition}」が加わっています")
    exception = _matches(rules.exceptions, a_folded)
    if exception and not _matches(rules.exceptions, r_folded):
        weaker.append(f"例外「{exception}」が加わっています")
    if weaker:
        return StrengthChange(True, r, a, "、".join(weaker))
    if stronger:
        return StrengthChange(False, r, a, "、".join(stronger))
    return None
