"""Measure the score margins behind match.min_similarity and match.strong_similarity.

    python3 benchmarks/tune_thresholds.py

Genuine: the score of every clause matched in labelled variants (clean,
police wording, modified, old 第15/第16). Impostor: for each clause dropped
from the embedded-annex contract, the best score any other article reaches
(a body article on the same topic). A threshold must sit between them.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from contracts import build_annex, embedded_contract, police_annex  # noqa: E402

from analyzer import analyze  # noqa: E402

MODIFICATIONS = [
    ("直ちに被害の発生", "被害の発生"),
    ("この契約が終了し、又は解除された後においても、同様とする。", ""),
    ("運搬しなければならない。", "運搬しなければならない。運搬の記録は3年間保存する。"),
]


def main() -> None:
    genuine: list[tuple[float, str]] = []
    impostor: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        def run(name: str, text: str, reference: str = "fukuoka-pref"):
            # The reference each variant is measured against, named: some variants (a
            # clause dropped from the embedded annex) cannot be identified with the
            # default `auto` (confidence < 0.5), and guessing would measure nothing.
            path = Path(tmp) / f"{name}.txt"
            path.write_text(text, encoding="utf-8")
            return analyze([path], reference=reference)

        variants = {
            "clean": build_annex(),
            "police": police_annex(),
            "old": build_annex(old=True),
            "embedded": embedded_contract(),
            **{f"mod{i}": build_annex().replace(a, b) for i, (a, b) in enumerate(MODIFICATIONS)},
        }
        for name, text in variants.items():
            reference = "fukuoka-police" if name == "police" else "fukuoka-pref"
            for c in run(name, text, reference).clauses:
                if c.location is not None:
                    genuine.append((c.similarity, f"{name} 第{c.clause_id} {c.status.value}"))
        for n in range(1, 20):
            report = run(f"drop{n}", embedded_contract(drop=(n,)))
            c = report.clauses[n - 1]
            assert c.clause_id == str(n) and c.location is None, (n, c.clause_id, c.status)
            impostor.append((c.similarity, f"drop 第{n}: best other article"))

    genuine.sort()
    impostor.sort(reverse=True)
    print("lowest genuine scores (matched clauses, incl. real modifications):")
    for s, what in genuine[:5]:
        print(f"  {s:.3f}  {what}")
    print("highest impostor scores (best article for a clause the contract lacks):")
    for s, what in impostor[:5]:
        print(f"  {s:.3f}  {what}")
    exact = [s for s, w in genuine if "current" in w]
    print(f"current clauses: min score {min(exact):.3f} over {len(exact)}")


if __name__ == "__main__":
    main()
