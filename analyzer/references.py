"""References stage: reference_clauses/<set>/<version>.toml → ReferenceSet / ReferenceVersion.

The bundled folder is always loaded; ``--library DIR`` adds a folder of the
same layout (a municipality's own set, a newly published revision).
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib.resources import files
from datetime import date
from pathlib import Path

from .errors import ReferenceDataError, UsageError
from .model import ReferenceClause, ReferenceSet, ReferenceVersion, Supersession

TYPE_MARKS = {"○", "△", "—"}  # 類型 table marks (seed 000 lines 241–261)
CONTRACT_TYPES = ("1", "2", "3", "4")
# National-guideline topics ①–⑧ of 指針 4-8-9(1) (seed 002 from line 1061) and 派遣労働者.
TOPICS = ("1", "2", "3", "4", "5", "6", "7", "8", "haken")


def bundled_reference_dir() -> Path:
    """reference_clauses/ of the source tree, or its installed copy."""
    here = Path(__file__).resolve().parent
    tree = here.parent / "reference_clauses"
    if tree.is_dir():
        return tree
    return Path(str(files("analyzer.reference_clauses")))


def _req(table: dict, key: str, kind: type, where: str):
    if key not in table:
        raise ValueError(f"{where}: '{key}' がありません / missing key '{key}'")
    value = table[key]
    if not isinstance(value, kind):
        raise ValueError(f"{where}: '{key}' must be {kind.__name__}")
    return value


def _parse_clause(raw: dict, where: str) -> ReferenceClause:
    cid = str(_req(raw, "id", (str, int), where))
    where = f"{where} clause {cid}"
    paragraphs = _req(raw, "paragraphs", list, where)
    if not paragraphs or not all(isinstance(p, str) and p.strip() for p in paragraphs):
        raise ValueError(f"{where}: paragraphs must be non-empty strings")
    types = {str(k): v for k, v in raw.get("types", {}).items()}
    for k, v in types.items():
        if k not in CONTRACT_TYPES or v not in TYPE_MARKS:
            raise ValueError(f"{where}: types must map 1–4 to one of ○ △ — (got {k}={v})")
    topics = raw.get("topics", [])
    if not all(t in TOPICS for t in topics):
        raise ValueError(f"{where}: topics must be among {', '.join(TOPICS)} (got {topics})")
    alternatives, alternative_topics = [], []
    for alt in raw.get("alternative", []):
        alt_paras = alt.get("paragraphs") if isinstance(alt, dict) else None
        if not alt_paras or not all(isinstance(p, str) and p.strip() for p in alt_paras):
            raise ValueError(f"{where}: each [[clause.alternative]] needs non-empty paragraphs")
        alternatives.append(tuple(p.strip() for p in alt_paras))
        # An alternative wording carries its own topics (Toshima 第6条 ※: 再委託 with audits of the
        # subcontractor); without the key it has the clause's.
        alt_topics = alt.get("topics", topics)
        if not all(t in TOPICS for t in alt_topics):
            raise ValueError(f"{where}: alternative topics must be among {', '.join(TOPICS)} (got {alt_topics})")
        alternative_topics.append(tuple(alt_topics))
    tokutei = raw.get("tokutei_paragraphs", [])
    if not all(isinstance(p, str) and p.strip() for p in tokutei):
        raise ValueError(f"{where}: tokutei_paragraphs must be non-empty strings")
    return ReferenceClause(
        id=cid,
        label=str(raw.get("label", f"第{cid}")),
        title=str(raw.get("title", "")),
        mandatory=bool(_req(raw, "mandatory", bool, where)),
        paragraphs=tuple(p.strip() for p in paragraphs),
        types=types,
        source=str(raw.get("source", "")),
        alternatives=tuple(alternatives),
        tokutei_paragraphs=tuple(p.strip() for p in tokutei),
        topics=tuple(topics),
        alternative_topics=tuple(alternative_topics),
        obsolete_content=bool(raw.get("obsolete_content", False)),
        # Topics labelled by a person: not the case without the key, or when tokki refs import
        # predicted them (topics_predicted = true until a person checks them and removes the key).
        topics_labelled="topics" in raw and not raw.get("topics_predicted", False),
    )


def load_reference_file(path: Path) -> ReferenceVersion:
    """Load and validate one version file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        ref = _req(data, "reference", dict, "[reference]")
        clauses = tuple(_parse_clause(c, path.name) for c in _req(data, "clause", list, "[[clause]]"))
        ids = [c.id for c in clauses]
        if len(set(ids)) != len(ids):
            raise ValueError("clause ids must be unique")
        effective = ref.get("effective")
        superseded = ref.get("superseded_on")
        for name, value in (("effective", effective), ("superseded_on", superseded)):
            if value is not None and not isinstance(value, date):
                raise ValueError(f"{name} must be a TOML date (YYYY-MM-DD)")
        if ref.get("level", "clause") not in ("clause", "topic"):
            raise ValueError("level must be 'clause' or 'topic'")
        if effective is None and superseded is None:
            raise ValueError("a version needs 'effective' or 'superseded_on'")
        return ReferenceVersion(
            set_id=_req(ref, "id", str, "[reference]"),
            issuer=_req(ref, "issuer", str, "[reference]"),
            title=_req(ref, "title", str, "[reference]"),
            version=str(_req(ref, "version", str, "[reference]")),
            effective=effective,
            superseded_on=superseded,
            source=str(ref.get("source", "")),
            clauses=clauses,
            path=str(path),
            level=str(ref.get("level", "clause")),
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ReferenceDataError(str(path), str(exc)) from exc


@lru_cache(maxsize=256)
def _load_cached(path: Path, mtime: float) -> ReferenceVersion:
    # Parsed once per process while the file is unchanged (every contract of a scan reloads the library).
    return load_reference_file(path)


def _sort_key(v: ReferenceVersion) -> tuple[date, int]:
    # A version known only by its end date sorts before a version in force from that date
    # (pre-2024-04-01 before 2024-04-01): same date, lower rank.
    return (v.effective, 1) if v.effective else (v.superseded_on, 0)


def load_reference_library(extra_dirs: list[Path] | tuple[Path, ...] = ()) -> dict[str, ReferenceSet]:
    """All reference sets: the bundled reference_clauses/ plus each ``--library`` folder."""
    # A --library version with the same id and version as an earlier folder's replaces it
    # (an imported notice overrides the bundled copy); within one folder a version is unique.
    versions: dict[str, dict[str, ReferenceVersion]] = {}
    for root in (bundled_reference_dir(), *map(Path, extra_dirs)):
        if not root.is_dir():
            raise UsageError(f"{root}: 参照フォルダがありません / reference folder not found")
        seen: set[tuple[str, str]] = set()
        for path in sorted(root.glob("*/*.toml")):
            v = _load_cached(path, path.stat().st_mtime)
            if (v.set_id, v.version) in seen:
                raise ReferenceDataError(str(path), f"{v.set_id}@{v.version} が重複しています / duplicate version")
            seen.add((v.set_id, v.version))
            versions.setdefault(v.set_id, {})[v.version] = v
    library: dict[str, ReferenceSet] = {}
    for set_id, by_version in versions.items():
        vs = sorted(by_version.values(), key=_sort_key)
        library[set_id] = ReferenceSet(set_id, vs[-1].issuer, vs[-1].title, tuple(vs))
    return library


def library_overrides(extra_dirs: list[Path] | tuple[Path, ...] = ()) -> list[str]:
    """One line (Japanese / English) per version a ``--library`` folder replaces (same id and version
    as the bundled or an earlier folder's), naming what the replacement lacks: a 類型 table,
    mandatory items, topics, articles."""
    out: list[str] = []
    known: dict[tuple[str, str], ReferenceVersion] = {}
    for root in (bundled_reference_dir(), *map(Path, extra_dirs)):
        if not root.is_dir():
            continue
        for path in sorted(root.glob("*/*.toml")):
            v = _load_cached(path, path.stat().st_mtime)
            old = known.get((v.set_id, v.version))
            known[(v.set_id, v.version)] = v
            if old is None:
                continue
            lost = []
            if any(c.types for c in old.clauses) and not any(c.types for c in v.clauses):
                lost.append("類型表 / 類型 table")
            if sum(c.mandatory for c in old.clauses) > sum(c.mandatory for c in v.clauses):
                lost.append(f"必須事項 {sum(c.mandatory for c in old.clauses)}→{sum(c.mandatory for c in v.clauses)} / mandatory items")
            if any(c.topics_labelled and c.topics for c in old.clauses) and not any(c.topics_labelled for c in v.clauses):
                lost.append("確認済みの論点 / checked topics")
            if len(v.clauses) < len(old.clauses):
                lost.append(f"条 {len(old.clauses)}→{len(v.clauses)} / articles")
            what = f"（失われるもの: {'、'.join(lost)}）" if lost else ""
            out.append(f"{path} が {v.set_id}@{v.version}（{old.path or '同梱'}）を置き換えます{what}"
                       f" / replaces {v.set_id}@{v.version}" + (f", dropping: {', '.join(lost)}" if lost else ""))
    return out


DEFAULT_REFERENCE = "fukuoka-pref"


def resolve_reference(library: dict[str, ReferenceSet], spec: str | None) -> tuple[ReferenceSet, ReferenceVersion]:
    """``ID[@VERSION]`` → (set, version); the set's latest version when none is given."""
    spec = spec or DEFAULT_REFERENCE
    set_id, _, version = spec.partition("@")
    ref_set = library.get(set_id)
    if ref_set is None:
        known = ", ".join(sorted(library))
        raise UsageError(f"参照 '{set_id}' がありません / unknown reference '{set_id}' (known: {known})")
    ver = ref_set.version(version or None)
    if ver is None:
        known = ", ".join(v.version for v in ref_set.versions)
        raise UsageError(f"'{set_id}' に版 '{version}' がありません / unknown version (known: {known})")
    return ref_set, ver


def supersession(ref_set: ReferenceSet, version: ReferenceVersion) -> Supersession | None:
    """How ``version`` was replaced: by the next version of its set, since that version's effective
    date (else ``version.superseded_on``, as the judge's date rule reads it); None for the latest."""
    names = [v.version for v in ref_set.versions]
    if version.version not in names:
        return None
    later = ref_set.versions[names.index(version.version) + 1:]
    if later:
        return Supersession(version.version, later[0].version, later[0].effective or version.superseded_on)
    if version.superseded_on is not None:  # superseded, but the later version is not loaded
        return Supersession(version.version, None, version.superseded_on)
    return None
