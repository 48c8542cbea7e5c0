"""Settings: comparison tables and tuned thresholds, read from reference_clauses/settings.toml.

Values live in the TOML (with their source and how they were tuned); this
module only loads and validates them.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .errors import ReferenceDataError
from .references import bundled_reference_dir

SETTINGS_FILE = "settings.toml"

# DOCX packages are refused before python-docx inflates them (zip and XML bombs);
# reference_clauses/settings.toml [ingest] gives each value's rationale.
DEFAULT_DOCX_MAX_UNCOMPRESSED = 256 * 1024 * 1024
DEFAULT_DOCX_MAX_RATIO = 200
DEFAULT_DOCX_MAX_MEMBERS = 5000


@dataclass(frozen=True)
class Settings:
    ignored_chars: str
    client_names: tuple[str, ...]
    contractor_names: tuple[str, ...]
    variants: tuple[tuple[str, str], ...]
    candidates: int
    ngram_range: tuple[int, int]
    min_similarity: float
    strong_similarity: float
    duty_modifiers: tuple[str, ...]
    max_bytes: int
    topic_cover_probability: float = 0.3
    topic_second_probability: float = 0.5
    # [topics]: what makes an article one about personal information (analyzer/topics.py).
    personal_information: tuple[str, ...] = ("個人情報",)
    annex_titles: tuple[str, ...] = ("特記事項",)
    annex_title_length: int = 50
    topic_keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()  # topic → regular expressions (headings)
    topic_sentence_keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()  # … (first sentences)
    docx_max_uncompressed: int = DEFAULT_DOCX_MAX_UNCOMPRESSED
    docx_max_ratio: float = DEFAULT_DOCX_MAX_RATIO
    docx_max_members: int = DEFAULT_DOCX_MAX_MEMBERS
    # OCR-aware comparison ([ocr]): confusable character pairs, sorted within each pair.
    ocr_confusions: tuple[tuple[str, str], ...] = ()  # sorted: the settings' repr keys caches across processes
    ocr_low_confidence: float = 0.95
    ocr_never_dropped: str = ""
    ocr_unread_below: float = 0.5
    ocr_never_guessed: str = ""
    ocr_kept_as_read: str = ""
    ocr_lost_line_end: int = 3
    ocr_heading_similarity: float = 0.8
    ocr_poor_confidence: float = 0.80
    # [judge]: what else weakens a duty (analyzer/strength.py StrengthRules).
    promptness: tuple[str, ...] = ()
    consent_words: tuple[str, ...] = ()
    notice_words: tuple[str, ...] = ()
    remedies: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 < self.min_similarity <= 1.0:
            raise ValueError("match.min_similarity must be in (0, 1]")
        if not self.min_similarity <= self.strong_similarity <= 1.0:
            raise ValueError("match.strong_similarity must be in [min_similarity, 1]")
        if self.candidates < 1:
            raise ValueError("match.candidates must be ≥ 1")
        if not 1 <= self.ngram_range[0] <= self.ngram_range[1]:
            raise ValueError("match.ngram_min ≤ ngram_max, both ≥ 1")
        if not 0.0 < self.topic_cover_probability <= self.topic_second_probability <= 1.0:
            raise ValueError("topics: 0 < cover_probability ≤ second_probability ≤ 1")
        if self.max_bytes < 1:
            raise ValueError("ingest.max_bytes must be positive")
        if self.docx_max_uncompressed < 1 or self.docx_max_ratio <= 1 or self.docx_max_members < 1:
            raise ValueError("ingest.docx_max_uncompressed ≥ 1, docx_max_ratio > 1, docx_max_members ≥ 1")

    def with_overrides(self, **kw) -> Settings:
        return replace(self, **kw)


def load_settings(path: Path | None = None) -> Settings:
    path = path or bundled_reference_dir() / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        n, m, j, i, t = data["normalize"], data["match"], data["judge"], data["ingest"], data["topics"]
        return Settings(
            ignored_chars=n["ignored_chars"],
            client_names=tuple(n["client"]),
            contractor_names=tuple(n["contractor"]),
            variants=tuple((a, b) for a, b in n["variants"]),
            candidates=int(m["candidates"]),
            ngram_range=(int(m["ngram_min"]), int(m["ngram_max"])),
            min_similarity=float(m["min_similarity"]),
            strong_similarity=float(m["strong_similarity"]),
            duty_modifiers=tuple(j["duty_modifiers"]),
            promptness=tuple(j.get("promptness", ())),
            consent_words=tuple(j.get("consent", ())),
            notice_words=tuple(j.get("notice", ())),
            remedies=tuple(j.get("remedies", ())),
            conditions=tuple(j.get("conditions", ())),
            exceptions=tuple(j.get("exceptions", ())),
            max_bytes=int(i["max_bytes"]),
            topic_cover_probability=float(t["cover_probability"]),
            topic_second_probability=float(t["second_probability"]),
            personal_information=tuple(t.get("personal_information", ("個人情報",))),
            annex_titles=tuple(t.get("annex_titles", ("特記事項",))),
            annex_title_length=int(t.get("annex_title_length", 50)),
            topic_keywords=tuple((k, tuple(v)) for k, v in sorted(t.get("keywords", {}).items())),
            topic_sentence_keywords=tuple((k, tuple(v)) for k, v in sorted(t.get("sentence_keywords", {}).items())),
            docx_max_uncompressed=int(i.get("docx_max_uncompressed", DEFAULT_DOCX_MAX_UNCOMPRESSED)),
            docx_max_ratio=float(i.get("docx_max_ratio", DEFAULT_DOCX_MAX_RATIO)),
            docx_max_members=int(i.get("docx_max_members", DEFAULT_DOCX_MAX_MEMBERS)),
            **_ocr_settings(data.get("ocr", {})),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ReferenceDataError(str(path), f"{type(exc).__name__}: {exc}") from exc


def _ocr_settings(o: dict) -> dict:
    pairs = tuple(sorted({tuple(sorted(p)) for p in o.get("confusions", [])}))
    if any(len(p) != 2 or len(p[0]) != 1 or len(p[1]) != 1 for p in pairs):
        raise ValueError("ocr.confusions: pairs of single characters")
    return {
        "ocr_confusions": pairs,
        "ocr_low_confidence": float(o.get("low_confidence", 0.95)),
        "ocr_never_dropped": str(o.get("never_dropped", "")),
        "ocr_unread_below": float(o.get("unread_below", 0.5)),
        "ocr_never_guessed": str(o.get("never_guessed", "")),
        "ocr_kept_as_read": str(o.get("kept_as_read", "")),
        "ocr_lost_line_end": int(o.get("lost_line_end", 3)),
        "ocr_heading_similarity": float(o.get("heading_similarity", 0.8)),
        "ocr_poor_confidence": float(o.get("poor_confidence", 0.80)),
    }


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    return load_settings()
