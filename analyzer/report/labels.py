"""Words shown to a clerk that several writers share: clause labels, the superseded-version notice."""
from __future__ import annotations

from datetime import date

from ..model import ReferenceChoice, Supersession


def clause_label(clause: str) -> str:
    """How a finding's clause is shown: 第15 for an article, 論点② for a national-guideline topic (topic-2)."""
    topic = clause.removeprefix("topic-")
    if topic != clause:
        return f"論点{chr(0x2460 + int(topic) - 1)}" if topic.isdigit() and 1 <= int(topic) <= 20 else f"論点 {topic}"
    return f"第{clause}"


def supersession_notice(s: Supersession, reference_id: str, signed_on: date | None) -> tuple[str, str]:
    """(Japanese, English) notice for the top of a report that was checked against a superseded
    version, with what the signing date means (the caller joins the two with " / ")."""
    v, by, since = s.version, s.replaced_by, s.since
    if by and since:
        # Versions are usually named by their effective date: say the date once.
        new = f"{since} 施行の改正" if by == since.isoformat() else f"{since} 施行の版 {by}"
        ja, en = f"参照した版 {v} は {new}で置き換えられた旧版です", f"version {v} was superseded by {by} (in force from {since})"
    elif by:
        ja, en = f"参照した版 {v} は版 {by} で改正された旧版です", f"version {v} was superseded by {by}"
    else:
        when_ja, when_en = (f" {since} に", f" on {since}") if since else ("", "")
        ja, en = f"参照した版 {v} は{when_ja}改正された旧版です（新しい版は参照データにありません）", (
            f"version {v} was superseded{when_en} (the later version is not loaded)")
    latest_ja = f"最新版（--reference {reference_id}）" if by else "新しい版（tokki refs import で取り込み）"
    latest_en = f"the latest version (--reference {reference_id})" if by else "the later version (tokki refs import)"
    before = s.signed_before(signed_on)
    if since is None:
        return ja, en
    if before is None:
        return (
            ja + f"。契約日が不明です。施行日より前の契約なら差替えは不要、以後なら{latest_ja}で照合してください",
            en + f"; signing date unknown: no replacement needed if signed before {since}, "
            f"otherwise check against {latest_en}",
        )
    if before:
        return (
            ja + f"。契約日 {signed_on} は施行日より前のため、差替えは不要です",
            en + f"; signed on {signed_on}, before that date: no replacement needed",
        )
    return (
        ja + f"。契約日 {signed_on} は施行日以後のため、{latest_ja}で照合してください",
        en + f"; signed on {signed_on}, on or after that date: check against {latest_en}",
    )


def no_reference_advice(choice: ReferenceChoice | None) -> str:
    """What to do about a contract checked against the national topics only (a scan's summary line)."""
    near = ""
    if choice is not None and choice.candidates:
        set_id, version, score = choice.candidates[0]
        near = f"（最も近い既知の参照: {set_id}@{version}、score {score:.2f}）"
    return (
        f"参照文を特定できません{near}。国の指針の論点だけを確認しました。--reference ID を指定するか、manifest.csv の"
        " reference 列に記入して再実行してください / no reference identified: give --reference or a manifest row"
    )
