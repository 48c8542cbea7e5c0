"""Topic coverage on real municipal texts (tests/fixtures/municipal, labelled by hand).

For every labelled document: which national-guideline topics (指針 4-8-9(1) ①–⑧, 派遣労働者)
tokki finds covered, against the labels, per (document, topic); and per article, which
topics it gave to which printed article. Usage:

    python3 benchmarks/topics_real.py [--articles]

Prints the accuracy per (document, topic), the false "not covered" (a topic the text covers,
reported as not covered) and the false "covered", then one line per mistake.
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests" / "fixtures" / "municipal"


def labelled_documents(folder: Path = SET) -> list[dict]:
    return tomllib.loads((folder / "labels.toml").read_text(encoding="utf-8"))["document"]


def measure(folder: Path = SET, kinds: tuple[str, ...] = ("annex", "body")) -> dict:
    from analyzer import Checker
    from analyzer.references import TOPICS

    checker = Checker()
    pairs = correct = false_missing = false_covered = 0
    mistakes: list[str] = []
    articles: list[str] = []
    for doc_label in labelled_documents(folder):
        if doc_label["kind"] not in kinds:
            continue
        analysis = checker.analyze([folder / doc_label["file"]])
        analysis.raise_error()
        coverage = {c.topic: c for c in analysis.report.coverage}
        for topic in TOPICS:
            want = bool(doc_label["topics"].get(topic))
            got = coverage[topic].covered
            pairs += 1
            correct += want == got
            where = ", ".join(loc.article for loc in coverage[topic].locations)
            if want and not got:
                false_missing += 1
                mistakes.append(f"{doc_label['file']}: topic {topic} covered by {doc_label['topics'][topic]}, reported not covered")
            elif got and not want:
                false_covered += 1
                mistakes.append(f"{doc_label['file']}: topic {topic} not covered, reported covered by {where}")
        for c in analysis.clauses:
            got = sorted(t for t, cov in coverage.items() if any(loc.article == c.label for loc in cov.locations))
            articles.append(f"{doc_label['file']}\t{c.label}\t{c.heading or ''}\t{got}")
    return {
        "pairs": pairs, "correct": correct, "false_missing": false_missing, "false_covered": false_covered,
        "accuracy": correct / pairs if pairs else 1.0, "mistakes": mistakes, "articles": articles,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", action="store_true", help="print every article with the topics it was given")
    args = parser.parse_args(argv)
    r = measure()
    print(f"(document, topic) pairs: {r['pairs']}, correct {r['correct']} ({r['accuracy']:.3f}); "
          f"false not-covered {r['false_missing']}, false covered {r['false_covered']}")
    for m in r["mistakes"]:
        print("  " + m)
    if args.articles:
        print("\n".join(r["articles"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
