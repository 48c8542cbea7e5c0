"""What a finding says, in Japanese and in English, rendered from its fields.

A ``Finding`` carries what was found (its kind, clause, severity, where, and the values a
message needs: ``params``); the report layer asks this module for the words. ``message_id``
names the message:

- ``clause_missing``: name, why (``mandatory`` / ``as_needed`` / ``optional``), type;
- ``clause_obsolete``: name, matched_version, current_version, replace (bool), diff, rule;
- ``clause_modified``: name, current_version, changes;
- ``clause_review``: name;
- ``stale_article``: article, title, old_version, current_version, file;
- ``topic_missing`` / ``topic_review``: mark, name, name_en;

and a finding with the facet ``weakened`` adds ``weakened`` (the weaker duties, in words).

``finding_message(f)`` is the bilingual message of ``tokki.report/1`` (``findings[].message``,
「日本語 / English」, unchanged since the first wave); ``finding_message(f, "ja")`` and
``finding_message(f, "en")`` give one language. Each message is a function of the finding and its
params giving (Japanese, English), and the bilingual text where it is not 「Japanese / English」.
"""
from __future__ import annotations

from .model import Finding

WEAKENED = "weakened"

_WHY = {
    "mandatory": ("必須事項です", "mandatory item"),
    "as_needed": ("類型{type}では必要に応じて規定", "as needed for type {type}"),
    "optional": ("任意事項です", "optional item"),
}


def _clause_missing(f: Finding, p: dict) -> tuple[str, ...]:
    why_ja, why_en = (s.format(type=p.get("type") or "") for s in _WHY[p["why"]])
    ja = f"{p['name']}がありません（{why_ja}）"
    both = f"{p['name']}がありません（{why_ja} / {why_en}） / clause {f.clause} is missing"  # as since the first wave
    return ja, f"clause {f.clause} is missing ({why_en})", both


def _clause_obsolete(f: Finding, p: dict) -> tuple[str, ...]:
    action = f"現行（{p['current_version']}）に差し替えてください" if p["replace"] else "参考"
    rule = p.get("rule") or ""  # the signing-date rule that applied, 「日本語 / English」
    rule_ja, _, rule_en = rule.partition(" / ")
    head = f"{p['name']}は改正前（{p['matched_version']}）の文言です。{action}: {p['diff']}"
    en = f"clause {f.clause} uses the superseded wording of {p['matched_version']}"
    if not rule:
        return head, en
    return f"{head}［{rule_ja}］", f"{en} [{rule_en}]", f"{head}［{rule}］ / {en}"


def _clause_modified(f: Finding, p: dict) -> tuple[str, ...]:
    ja = f"{p['name']}が参照文（{p['current_version']}）と異なります（{p['changes']}箇所）"
    en = f"clause {f.clause} differs from the reference"
    return ja, en


def _clause_review(f: Finding, p: dict) -> tuple[str, ...]:
    ja = f"{p['name']}は OCR の読取りが不十分で判定できません。原本で確認してください"
    en = f"clause {f.clause} could not be judged from the OCR text: check the original"
    return ja, en


def _stale_article(f: Finding, p: dict) -> tuple[str, ...]:
    title = f"（{p['title']}）" if p.get("title") else ""
    ja = (f"{p['article']}{title}は旧版（{p['old_version']}）にだけある条で、現行（{p['current_version']}）"
          f"にはありません。削除してください（{p['file']}）")
    en = f"article {p['article']} belongs only to the superseded version {p['old_version']}"
    return ja, en


def _topic_missing(f: Finding, p: dict) -> tuple[str, ...]:
    ja = f"国の指針 4-8-9(1) {p['mark']}「{p['name']}」に当たる条項が見つかりません"
    en = f"no article covers national-guideline topic {p['mark']} ({p['name_en']})"
    return ja, en


def _topic_review(f: Finding, p: dict) -> tuple[str, ...]:
    ja = (f"国の指針 4-8-9(1) {p['mark']}「{p['name']}」に当たる条項は、OCR で読み取れない箇所があり有無を判定できません。"
          "原本で確認してください")
    en = f"topic {p['mark']} ({p['name_en']}): parts OCR could not read may hold it"
    return ja, en


_MESSAGES = {
    "clause_missing": _clause_missing,
    "clause_obsolete": _clause_obsolete,
    "clause_modified": _clause_modified,
    "clause_review": _clause_review,
    "stale_article": _stale_article,
    "topic_missing": _topic_missing,
    "topic_review": _topic_review,
}
MESSAGE_IDS = tuple(_MESSAGES)


def finding_message(f: Finding, lang: str = "ja/en") -> str:
    """The finding in words: ``"ja/en"`` (the report's bilingual message), ``"ja"`` or ``"en"``."""
    p = dict(f.params)
    ja, en, *given = _MESSAGES[f.message_id](f, p)
    both = given[0] if given else f"{ja} / {en}"
    if WEAKENED in f.facets and p.get(WEAKENED):
        head, _, tail = both.rpartition(" / ")  # 「日本語 / English」; the Japanese may hold 「必須 / mandatory」
        ja = f"{ja}。義務が弱められています: {p[WEAKENED]}"
        en = f"{en}; obligation weakened"
        both = f"{head}。義務が弱められています: {p[WEAKENED]} / {tail}; obligation weakened"
    return {"ja": ja, "en": en}.get(lang, both)
