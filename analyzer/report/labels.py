"""How clause ids are shown to a clerk (shared by the report writers and the archive summary)."""
from __future__ import annotations


def clause_label(clause: str) -> str:
    """How a finding's clause is shown: 第15 for an article, 論点② for a national-guideline topic (topic-2)."""
    topic = clause.removeprefix("topic-")
    if topic != clause:
        return f"論点{chr(0x2460 + int(topic) - 1)}" if topic.isdigit() and 1 <= int(topic) <= 20 else f"論点 {topic}"
    return f"第{clause}"
