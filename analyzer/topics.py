"""Topics stage: which of the national guideline's topics (指針 4-8-9(1) ①–⑧ and 派遣労働者) a contract covers, and where.

Works for a contract of any issuer, also one with no reference set here: a
scikit-learn classifier, trained at run time on the clauses of every
clause-level reference set (their ``topics`` labels in reference_clauses/)
plus the guideline's own topic texts (the ``national-guideline`` set), labels
each contract article with topics. A clause without topics is a training
example of the class ``none`` (definitions, 管轄裁判所, 準拠法, 収集の制限 …).
The fitted model is kept as vocabularies and coefficients (``LinearModel``) in
a cache file keyed by a hash of the reference files, so only the first run
after a change of the reference data imports scikit-learn and trains.

Features: TF-IDF over character 2–3-grams and over Sudachi words of the
comparison form (party names folded, normalized spellings), and over
character 1–2-grams of the heading. One logistic regression per label
(one-vs-rest); each reference clause weighs 1 in total however many wordings
(versions, ※ alternatives) it has, so an issuer with many versions does not
dominate. The model is small (≈100 texts).

scikit-learn is imported inside the functions that train.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .errors import OutputError
from .files import write_atomic
from .match import ContractText, RefForms, _char_ngrams, gram_key, gram_keys, reference_forms
from .metadata import document_title
from .model import (
    ClauseResult,
    ClauseStatus,
    Finding,
    FindingKind,
    Location,
    ReferenceVersion,
    Severity,
    TopicCoverage,
)
from .normalize import Comparable, normalize_text
from .references import TOPICS, load_reference_library
from .settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from .model import ReferenceClause, ReferenceSet

NONE = "none"
LABELS = (*TOPICS, NONE)
GUIDELINE = "national-guideline"
# Sets that are one issuer's text under two names: the police 別記 is the prefecture's 特記事項
# with 委託者/受託者 spelled out (DOMAIN.md), so leave-one-issuer-out holds them out together.
SAME_ISSUER = {"fukuoka-police": "fukuoka-pref"}

# Japanese names of the topics, as the guideline words them (seed 002 lines 1066–1091), shortened.
TOPIC_NAMES = {
    "1": "秘密保持・目的外利用の禁止",
    "2": "再委託の制限",
    "3": "複製等の制限",
    "4": "安全管理措置",
    "5": "漏えい等の事案発生時の対応",
    "6": "委託終了時の消去・媒体の返却",
    "7": "契約解除・損害賠償",
    "8": "定期的報告・監査",
    "haken": "派遣労働者の秘密保持",
}
TOPIC_MARKS = {"1": "①", "2": "②", "3": "③", "4": "④", "5": "⑤", "6": "⑥", "7": "⑦", "8": "⑧", "haken": "派遣"}


@dataclass(frozen=True)
class Example:
    """One training text: a wording of a reference clause, with its labels and issuer group."""

    group: str  # issuer for leave-one-issuer-out; "national-guideline" is always trained on
    key: str  # set:version:clause id (for reporting)
    clause: str  # set:clause id — the clause across versions and wordings (for weights)
    title: str
    text: str  # comparison form
    words: str  # Sudachi words of the comparison form, space-separated
    labels: frozenset[str]


def _words(c: Comparable) -> str:
    return " ".join(c.text[w.start : w.end] for w in c.words)


def training_examples(
    library: dict[str, ReferenceSet], settings: Settings, forms: Callable[[ReferenceSet], RefForms] | None = None
) -> list[Example]:
    """Every distinct wording of every reference clause, labelled (the guideline's topics label themselves).

    ``forms``: a set's comparison forms as the Checker keeps them (computed here when not given)."""
    forms = forms or (lambda ref_set: reference_forms(ref_set, settings))
    out: list[Example] = []
    seen: set[tuple[str, str]] = set()
    for set_id in sorted(library):
        ref_set = library[set_id]
        group = SAME_ISSUER.get(set_id, set_id)
        # The comparison forms the matcher uses.
        set_forms = forms(ref_set) if ref_set.current.level == "clause" else {}
        for version in ref_set.versions:
            topic_level = version.level == "topic"
            for clause in version.clauses:
                if not topic_level and not clause.topics_labelled:
                    continue  # unlabelled or predicted (an import): never trained as "no topic"
                base = (clause.id,) if topic_level else clause.topics
                alt_topics = clause.alternative_topics or tuple(base for _ in clause.alternatives)
                # Forms in wordings() order: the text, the text with its 特定個人情報 paragraphs (if any),
                # the alternatives; the fullest main wording is taken, then every alternative.
                clause_forms = set_forms.get((version.version, clause.id)) or tuple(
                    normalize_text(w, settings) for w in clause.wordings()
                )
                n_alt = len(clause.alternatives)
                main = clause_forms[len(clause_forms) - n_alt - 1]
                wordings = [(main, base)] + list(zip(clause_forms[len(clause_forms) - n_alt :], map(tuple, alt_topics)))
                for form, topics in wordings:
                    if (group, form.text) in seen:
                        continue
                    seen.add((group, form.text))
                    out.append(
                        Example(
                            group=group,
                            key=f"{set_id}:{version.version}:{clause.id}",
                            clause=f"{set_id}:{clause.id}",
                            title=clause.title,
                            text=form.text,
                            words=_words(form),
                            labels=frozenset(topics) or frozenset({NONE}),
                        )
                    )
    return out


class TopicModel:
    """Fitted vectorizers and one binary classifier per label."""

    def __init__(self, examples: list[Example]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.labels = [lab for lab in LABELS if any(lab in e.labels for e in examples)]
        self._vectorizers = [
            (TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True), "text"),
            (
                TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True),
                "words",
            ),
            (TfidfVectorizer(analyzer="char", ngram_range=(1, 2)), "title"),
        ]
        for vec, field in self._vectorizers:
            vec.fit([getattr(e, field) for e in examples])
        x = self._features([(e.text, e.words, e.title) for e in examples])
        # Each reference clause weighs 1 in total over its wordings (versions, ※ alternatives).
        per_clause = Counter(e.clause for e in examples)
        weights = np.array([1.0 / per_clause[e.clause] for e in examples])
        self._models = []
        for lab in self.labels:
            y = np.array([lab in e.labels for e in examples], dtype=int)
            # One-vs-rest logistic regression. Compared leave one issuer out with complement naive
            # Bayes (which imports ~0.4 s faster): naive Bayes scored alike on the reference clauses but
            # gave ordinary body articles (委託料, 履行期間) topics, having no notion of off-topic text.
            # liblinear fits in ~0.1 s (lbfgs ~1 s, too slow for a scan worker's time limit);
            # intercept_scaling 10 leaves the intercept practically unpenalized, as lbfgs does — with
            # the default 1, off-topic body articles (委託料) came out as ②.
            model = LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear", intercept_scaling=10)
            self._models.append(model.fit(x, y, sample_weight=weights))

    def _features(self, rows: list[tuple[str, str, str]]):
        from scipy.sparse import hstack

        index = {"text": 0, "words": 1, "title": 2}
        return hstack([vec.transform([r[index[f]] for r in rows]) for vec, f in self._vectorizers]).tocsr()

    def linear(self) -> LinearModel:
        """The fitted model as vocabularies and coefficients (see LinearModel)."""
        blocks = []
        for vec, field in self._vectorizers:
            blocks.append(
                {
                    "field": field,
                    "analyzer": "words" if vec.analyzer == "word" else "char",
                    "ngram": list(vec.ngram_range),
                    "sublinear": bool(vec.sublinear_tf),
                    "lowercase": bool(vec.lowercase),
                    "vocab": {t: int(i) for t, i in sorted(vec.vocabulary_.items(), key=lambda x: x[1])},
                    "idf": vec.idf_.tolist(),
                }
            )
        coef = np.vstack([m.coef_[0] for m in self._models])
        return LinearModel(list(self.labels), blocks, coef, [float(m.intercept_[0]) for m in self._models])

    def predict(self, rows: list[tuple[str, str, str]]) -> list[dict[str, float]]:  # noqa: D401
        """Per row (comparison form, words, heading): label → probability (one-vs-rest, not summing to 1)."""
        if not rows:
            return []
        x = self._features(rows)
        cols = [m.predict_proba(x)[:, 1] for m in self._models]
        return [{lab: float(col[i]) for lab, col in zip(self.labels, cols)} for i in range(len(rows))]


def top_label(probs: dict[str, float]) -> str:
    """The most probable label, ``none`` included."""
    return max(probs, key=lambda lab: (probs[lab], lab != NONE))


def top_topic(probs: dict[str, float]) -> str:
    """The most probable topic (``none`` left out)."""
    return max((lab for lab in probs if lab != NONE), key=lambda lab: probs[lab])


def article_topics(probs: dict[str, float], settings: Settings) -> tuple[str, ...]:
    """Topics one article is taken to cover.

    The article's best topic counts when it beats ``none`` and reaches
    ``topics.cover_probability``; a further topic counts when it reaches
    ``topics.second_probability`` (an article on records kept *and reported*
    covers ④ and ⑧).
    """
    best = top_topic(probs)
    if probs[best] < settings.topic_cover_probability or probs.get(NONE, 0.0) > probs[best]:
        return ()
    if settings.topic_second_probability >= 1.0:  # second topics switched off
        return (best,)
    others = [t for t in probs if t not in (best, NONE) and probs[t] >= settings.topic_second_probability]
    return (best, *sorted(others, key=lambda t: -probs[t]))


class LinearModel:
    """What prediction needs from a fitted TopicModel — vocabularies, idf weights, coefficients — in numpy
    alone, so checking a contract imports no scikit-learn (≈1 s of start-up) once the model is cached."""

    def __init__(self, labels: list[str], blocks: list[dict], coef, intercept):
        self.labels = labels
        self.blocks = blocks  # per feature block: field, analyzer, ngram, sublinear, lowercase, vocab, idf
        self.coef = np.asarray(coef, dtype=np.float64)  # labels × features
        self.intercept = np.asarray(intercept, dtype=np.float64)
        # Each character block's vocabulary as sorted n-gram keys (``match.gram_keys``) and their columns.
        self._char_keys: list[tuple[np.ndarray, np.ndarray] | None] = []
        for block in blocks:
            if block["analyzer"] == "char":
                keys = np.array([gram_key(g) for g in block["vocab"]], dtype=np.uint64)
                order = np.argsort(keys)
                cols = np.fromiter(block["vocab"].values(), dtype=np.intp, count=len(keys))
                self._char_keys.append((keys[order], cols[order]))
            else:
                self._char_keys.append(None)

    @staticmethod
    def _terms(text: str, block: dict) -> Counter[str]:
        if block["analyzer"] == "words":
            return Counter(text.split())
        return _char_ngrams(text, tuple(block["ngram"]))  # TfidfVectorizer's default: lowercased

    def predict(self, rows: list[tuple[str, str, str]]) -> list[dict[str, float]]:
        """Per row (comparison form, words, heading): label → probability, as TopicModel.predict."""
        if not rows:
            return []
        index = {"text": 0, "words": 1, "title": 2}
        parts = []
        for block, char_keys in zip(self.blocks, self._char_keys):
            vocab, idf = block["vocab"], np.asarray(block["idf"])
            x = np.zeros((len(rows), len(vocab)))
            texts = [row[index[block["field"]]] for row in rows]
            if char_keys is not None:  # every row's n-grams at once, as integer keys
                keys, cols = char_keys
                grams, at = gram_keys(texts, tuple(block["ngram"]))
                pos = np.minimum(np.searchsorted(keys, grams), max(len(keys) - 1, 0))
                known = keys[pos] == grams if len(keys) else np.zeros(len(grams), dtype=bool)
                cells, tf = np.unique(at[known] * len(vocab) + cols[pos[known]], return_counts=True)
                ri, ci = np.divmod(cells, max(len(vocab), 1))
                x[ri, ci] = 1.0 + np.log(tf) if block["sublinear"] else tf
            else:
                for i, text in enumerate(texts):
                    counts = {vocab[t]: n for t, n in self._terms(text, block).items() if t in vocab}
                    if counts:
                        tf = np.array(list(counts.values()), dtype=np.float64)
                        x[i, list(counts)] = 1.0 + np.log(tf) if block["sublinear"] else tf
            x *= idf
            norms = np.linalg.norm(x, axis=1, keepdims=True)
            parts.append(x / np.where(norms == 0, 1.0, norms))
        decision = np.hstack(parts) @ self.coef.T + self.intercept
        probs = 1.0 / (1.0 + np.exp(-decision))
        return [{lab: float(probs[i, k]) for k, lab in enumerate(self.labels)} for i in range(len(rows))]

    def to_json(self) -> dict:
        return {
            "format": MODEL_FORMAT,
            "labels": self.labels,
            "blocks": self.blocks,
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
        }

    @classmethod
    def from_json(cls, data: dict) -> LinearModel:
        return cls(data["labels"], data["blocks"], data["coef"], data["intercept"])


# Bump when the features or the training change: cached models of another format are not used.
MODEL_FORMAT = 1


def _model_key(library: dict[str, ReferenceSet], settings: Settings) -> str:
    """Hash of everything the model is trained from: the reference files' bytes and the settings."""
    h = hashlib.sha256(f"{MODEL_FORMAT}|{settings!r}".encode())
    for ref_set in sorted(library.values(), key=lambda r: r.id):
        for v in ref_set.versions:
            h.update(f"|{ref_set.id}@{v.version}|".encode())
            h.update(Path(v.path).read_bytes() if v.path else repr(v).encode())
    return h.hexdigest()[:32]


def cache_dir():
    """Where trained topic models are kept: $TOKKI_CACHE_DIR, else $XDG_CACHE_HOME/tokki, else ~/.cache/tokki."""
    if os.environ.get("TOKKI_CACHE_DIR"):
        return Path(os.environ["TOKKI_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tokki"


def topic_model(
    library: dict[str, ReferenceSet], settings: Settings, forms: Callable[[ReferenceSet], RefForms] | None = None
) -> LinearModel:
    """The model for ``library``: from the on-disk cache (keyed by a hash of the reference files and
    settings), else trained with scikit-learn (≈1.5 s) and cached on disk. The Checker keeps it."""

    key = _model_key(library, settings)
    path = cache_dir() / f"topics-{key}.json"
    model = None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") == MODEL_FORMAT:
            model = LinearModel.from_json(data)
    except (OSError, ValueError, KeyError):
        pass
    if model is None:
        model = TopicModel(training_examples(library, settings, forms)).linear()
        try:  # a cache that cannot be written (read-only home) only costs the training next time
            write_atomic(path, json.dumps(model.to_json(), ensure_ascii=False))
        except OutputError:
            pass
    return model


# ---------------------------------------------------------------- contracts


def _flat(text: str) -> str:
    return "".join(text.split())


def is_annex_title(line: str, settings: Settings) -> bool:
    """A title line of an annex on personal information (「個人情報取扱特記事項」, 「個人情報の取扱いに関する
    特約」, 「個人情報保護に関する遵守事項」): short, naming personal information and an annex word."""
    flat = _flat(line)
    return (0 < len(flat) <= settings.annex_title_length and not flat.endswith("。")
            and any(t in flat for t in settings.personal_information) and any(w in flat for w in settings.annex_titles))


@lru_cache(maxsize=8)
def _patterns(keywords: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, re.Pattern]]:
    return [(t, re.compile("|".join(words))) for t, words in keywords if words]


def names_personal_information(text: str, settings: Settings) -> bool:
    """The text names personal information (個人情報, 個人番号 … : settings [topics])."""
    flat = _flat(text)
    return any(t in flat for t in settings.personal_information)


def _mostly(flags: list[bool]) -> list[bool]:
    """A run of three or more articles most of which are about personal information is so throughout
    (an annex whose title names none: 「別紙2 … 特記仕様書」, 「業務の推進体制」 in it)."""
    return [True] * len(flags) if len(flags) >= 3 and 2 * sum(flags) > len(flags) else flags


def named_topics(heading: str, body: str, settings: Settings) -> set[str]:
    """Topics an article names in its heading, or in its first sentence when the heading names
    none (「（個人情報の保護）」) or there is no heading (settings [topics.keywords],
    [topics.sentence_keywords]); later sentences give details and exceptions (「再委託する場合を
    除き」), not the article's subject."""
    named = {t for t, pattern in _patterns(settings.topic_keywords) if pattern.search(_flat(heading))}
    if named:
        return named
    first = _flat(body).split("。", 1)[0]
    return {t for t, pattern in _patterns(settings.topic_sentence_keywords) if pattern.search(first)}


def _article_named_topics(contract: ContractText, ci: int, settings: Settings) -> set[str]:
    clause = contract.clauses[ci]
    doc = contract.documents[clause.doc_index]
    body = clause.paragraphs[0][0].start if clause.paragraphs and clause.paragraphs[0] else clause.start
    return named_topics(clause.heading or "", doc.text[body : clause.end], settings)


def reference_topics(
    clauses: Sequence[ReferenceClause], title: str, library: dict[str, ReferenceSet], settings: Settings
) -> list[tuple[str, ...]]:
    """Predicted topics of the clauses of an imported notice titled ``title``, as a contract's
    articles would get them: only clauses about personal information (the title names it, the
    clause does, or most clauses do) get any."""
    model = topic_model(library, settings)
    about = _mostly([is_annex_title(title, settings) or names_personal_information(c.text, settings) for c in clauses])
    forms = [normalize_text(c.text, settings) for c in clauses]
    probs = model.predict([(f.text, _words(f), c.title) for f, c in zip(forms, clauses)])
    out = []
    for c, p, pi in zip(clauses, probs, about):
        found = set(article_topics(p, settings)) | named_topics(c.title, c.text, settings) if pi else set()
        out.append(tuple(t for t in TOPICS if t in found))
    return out


def about_personal_information(contract: ContractText, settings: Settings) -> list[bool]:
    """Per article: whether its duty is about personal information — its text names it, or it is
    one of a run of articles (one document, one region) under an annex title on personal
    information (see reference_clauses/settings.toml [topics])."""
    out: list[bool] = []
    annex = False
    for ci, clause in enumerate(contract.clauses):
        doc = contract.documents[clause.doc_index]
        prev = contract.clauses[ci - 1] if ci else None
        if prev is None or (prev.doc_index, prev.region) != (clause.doc_index, clause.region):
            # The lines before the run's first article (after the previous article of the document).
            since = prev.end if prev is not None and prev.doc_index == clause.doc_index else 0
            head = doc.text[max(since, clause.start - 400) : clause.start]
            annex = any(is_annex_title(line, settings) for line in head.splitlines())
        out.append(annex or names_personal_information(doc.text[clause.start : clause.end], settings))
    runs: dict[tuple[int, str], list[int]] = {}  # one document, one region
    for ci, clause in enumerate(contract.clauses):
        runs.setdefault((clause.doc_index, clause.region), []).append(ci)
    for members in runs.values():
        for ci, flag in zip(members, _mostly([out[ci] for ci in members])):
            out[ci] = flag
    return out


def _article_location(contract: ContractText, ci: int) -> Location:
    clause = contract.clauses[ci]
    doc = contract.documents[clause.doc_index]
    first = clause.paragraphs[0][0].start if clause.paragraphs and clause.paragraphs[0] else clause.start
    return Location(doc.path, doc.page_at(first), clause.label, document_title(doc))


def contract_coverage(contract: ContractText, model: LinearModel, settings: Settings) -> tuple[TopicCoverage, ...]:
    """For each topic ①–⑧ and 派遣労働者: covered or not, and the articles that cover it (document order)."""
    rows, where = [], []
    about = about_personal_information(contract, settings)
    for ci, clause in enumerate(contract.clauses):
        blocks = contract.blocks[ci]
        if not blocks or not about[ci]:
            continue
        text = "".join(b.text for b in blocks)  # the article's form, without building its map
        if not text:
            continue
        rows.append((text, " ".join(b.text[w.start : w.end] for b in blocks for w in b.words), clause.heading or ""))
        where.append(ci)
    found: dict[str, list[Location]] = {t: [] for t in TOPICS}
    for ci, probs in zip(where, model.predict(rows)):
        named = _article_named_topics(contract, ci, settings)
        for t in TOPICS:
            if t in article_topics(probs, settings) or t in named:
                found[t].append(_article_location(contract, ci))
    return tuple(
        TopicCoverage(topic=t, name=TOPIC_NAMES[t], covered=bool(found[t]), locations=tuple(found[t])) for t in TOPICS
    )


# ---------------------------------------------------------------- measurement


@dataclass(frozen=True)
class LoioResult:
    """Leave-one-issuer-out figures for one held-out issuer."""

    issuer: str
    clauses: int  # held-out wordings with at least one topic
    topic_correct: int  # … whose top predicted topic is among their labels
    all_clauses: int  # every held-out wording, those without topics as ``none``
    label_correct: int  # … whose top label, ``none`` included, is among their labels (``none`` if unlabelled)
    mistakes: tuple[str, ...] = ()

    @property
    def topic_accuracy(self) -> float:
        return self.topic_correct / self.clauses if self.clauses else 1.0

    @property
    def label_accuracy(self) -> float:
        return self.label_correct / self.all_clauses if self.all_clauses else 1.0


def leave_one_issuer_out(settings: Settings, library: dict[str, ReferenceSet] | None = None) -> list[LoioResult]:
    """Train without one issuer's sets (the guideline texts always in), predict that issuer's clause wordings.

    Two figures per issuer: *topic accuracy* — of the held-out wordings that
    carry topics, the fraction whose most probable topic is one of them (what
    decides where a topic is covered); *label accuracy* — of all held-out
    wordings, the fraction whose most probable label including ``none`` is
    among their labels (``none`` for a clause without topics), which also
    scores telling a clause outside the eight topics from one inside.
    """
    library = library if library is not None else load_reference_library()
    examples = training_examples(library, settings)
    issuers = sorted({e.group for e in examples} - {GUIDELINE})
    results = []
    for issuer in issuers:
        train = [e for e in examples if e.group != issuer]
        test = [e for e in examples if e.group == issuer]
        model = TopicModel(train)
        probs = model.predict([(e.text, e.words, e.title) for e in test])
        tc = tn = lc = 0
        mistakes = []
        for e, p in zip(test, probs):
            label = top_label(p)
            lc += label in e.labels
            if NONE not in e.labels:
                tn += 1
                topic = top_topic(p)
                tc += topic in e.labels
                if topic not in e.labels:
                    mistakes.append(f"{e.key} {e.title}: {sorted(e.labels)} → {topic}")
            if label not in e.labels:
                mistakes.append(f"{e.key} {e.title}: {sorted(e.labels)} → {label} (label)")
        results.append(LoioResult(issuer, tn, tc, len(test), lc, tuple(mistakes)))
    return results


# ---------------------------------------------------------------- report parts

TOPIC_NAMES_EN = {
    "1": "confidentiality, no use beyond purpose",
    "2": "limits on subcontracting",
    "3": "limits on copying",
    "4": "safety-management measures",
    "5": "response to leaks",
    "6": "erasure and return at the end",
    "7": "termination and damages",
    "8": "reporting and audits",
    "haken": "confidentiality of dispatched workers",
}


def coverage_findings(coverage: tuple[TopicCoverage, ...], unreadable_pages: bool = False) -> list[Finding]:
    """A ``missing`` warning (clause ``topic-N``) for each topic ①–⑧ no article covers; a
    ``review`` warning instead when what OCR could not read (a poor page, a clause under
    review) may hold the article.

    Warning, not error: the classifier reads meaning, not wording, and is wrong
    for some clauses of an issuer it was not trained on (see
    leave_one_issuer_out), so an uncovered topic is a point for a person to
    check; a warning never changes the exit status.
    No finding for 派遣労働者 (haken): the guideline requires it only where the
    work is done by dispatched workers (4-8-9(5)), which the contract text does
    not tell; the coverage table still shows it.
    """
    out = []
    for c in coverage:
        if c.covered or c.topic == "haken":
            continue
        params = {"mark": TOPIC_MARKS[c.topic], "name": c.name, "name_en": TOPIC_NAMES_EN[c.topic]}
        if unreadable_pages:
            out.append(Finding(FindingKind.REVIEW, f"topic-{c.topic}", Severity.WARNING, "topic_review", params))
        else:
            out.append(Finding(FindingKind.MISSING, f"topic-{c.topic}", Severity.WARNING, "topic_missing", params))
    return out


def topic_results(
    version: ReferenceVersion, coverage: tuple[TopicCoverage, ...], contract: ContractText
) -> tuple[tuple[ClauseResult, ...], tuple[Finding, ...]]:
    """Clause results of a topic-level reference: a covered topic is ``current`` at its first covering
    article (the others in the notes), an uncovered one ``missing``; findings as ``coverage_findings``
    but with the topic ids of the reference (``"3"``, not ``"topic-3"``)."""
    by_topic = {c.topic: c for c in coverage}
    results = []
    findings = []
    for ref in version.clauses:
        cov = by_topic.get(ref.id)
        covered = bool(cov and cov.covered)
        notes: tuple[str, ...] = ()
        actual = ""
        if covered:
            first = cov.locations[0]
            actual = _article_text(contract, first)
            if len(cov.locations) > 1:
                others = "、".join(loc.article for loc in cov.locations[1:])
                notes = (f"ほかに {others} もこの論点に当たります / also covered by {others}",)
        results.append(
            ClauseResult(
                clause_id=ref.id,
                title=ref.title,
                status=ClauseStatus.CURRENT if covered else ClauseStatus.MISSING,
                mandatory=ref.mandatory and ref.id != "haken",  # 派遣労働者: only where they are used
                similarity=1.0 if covered else 0.0,
                matched_version=version.version if covered else None,
                location=cov.locations[0] if covered else None,
                expected_text=ref.text,
                actual_text=actual,
                notes=notes,
                label=ref.label,
            )
        )
    for f in coverage_findings(coverage):
        findings.append(replace(f, clause=f.clause.removeprefix("topic-")))
    return tuple(results), tuple(findings)


def _article_text(contract: ContractText, loc: Location) -> str:
    for clause in contract.clauses:
        doc = contract.documents[clause.doc_index]
        if doc.path == loc.file and clause.label == loc.article:
            return doc.text[clause.start : clause.end].strip()
    return ""
