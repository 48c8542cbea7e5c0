"""Measure the topic classifier leave-one-issuer-out, and the probability thresholds behind topics.* in settings.toml.

    python benchmarks/tune_topics.py

For each issuer (福岡県 = pref + police, 豊島区, seed 004's prefecture), the
model is trained without that issuer's reference sets (the guideline's topic
texts always in) and applied to the issuer's latest version, each clause as
one article:

- accuracy: topic accuracy (top topic among the gold topics, clauses with
  topics) and label accuracy (top label with ``none`` among the gold labels,
  ``none`` for clauses without topics), as in tests/test_topics.py;
- coverage, per threshold pair: *false missing* — a topic the issuer's text
  covers (some clause carries it) but no clause is classified into; *false
  covered* — after dropping every clause that carries topic t, some other
  clause is still classified into t (the finding would be missed).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.references import load_reference_library  # noqa: E402
from analyzer.settings import default_settings  # noqa: E402
from analyzer.topics import (  # noqa: E402
    GUIDELINE,
    SAME_ISSUER,
    TopicModel,
    article_topics,
    leave_one_issuer_out,
    training_examples,
)


def main() -> None:
    settings = default_settings()
    library = load_reference_library()
    print("leave-one-issuer-out accuracy (topic / label incl. none):")
    for r in leave_one_issuer_out(settings, library):
        print(f"  {r.issuer:<18} topic {r.topic_accuracy:.3f} ({r.topic_correct}/{r.clauses})"
              f"   label {r.label_accuracy:.3f} ({r.label_correct}/{r.all_clauses})")
        for m in r.mistakes:
            print(f"      {m}")

    examples = training_examples(library, settings)
    latest = {}
    for set_id, ref_set in library.items():
        if set_id == GUIDELINE or SAME_ISSUER.get(set_id, set_id) != set_id:
            continue
        latest[set_id] = ref_set.current
    grid = [(c, s) for c in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5) for s in (0.4, 0.5, 0.6, 0.7, 0.8, 1.0) if c <= s]
    totals = {g: [0, 0] for g in grid}
    for issuer, version in latest.items():
        model = TopicModel([e for e in examples if e.group != issuer])
        from analyzer.normalize import normalize_text
        from analyzer.topics import _words

        rows = []
        for c in version.clauses:
            form = normalize_text("\n".join(c.paragraphs), settings)
            rows.append((form.text, _words(form), c.title))
        probs = model.predict(rows)
        gold = [set(c.topics) for c in version.clauses]
        present = {t for g in gold for t in g}
        for cut, second in grid:
            s = settings.with_overrides(topic_cover_probability=cut, topic_second_probability=second)
            pred = [set(article_topics(p, s)) for p in probs]
            covered = set().union(*pred)
            false_missing = sorted(present - covered)
            false_covered = sorted(
                t for t in present if any(t in p for p, g in zip(pred, gold) if t not in g)
            )
            totals[(cut, second)][0] += len(false_missing)
            totals[(cut, second)][1] += len(false_covered)
            if (cut, second) == (settings.topic_cover_probability, settings.topic_second_probability):
                print(f"  {issuer}@{version.version} at the configured thresholds: "
                      f"false missing {false_missing}, false covered {false_covered}")
    print("\nthresholds (cover, second): false missing + false covered over the held-out issuers")
    for (cut, second), (fm, fc) in totals.items():
        print(f"  {cut:.2f} {second:.2f}: missing {fm}  covered {fc}")


if __name__ == "__main__":
    main()
