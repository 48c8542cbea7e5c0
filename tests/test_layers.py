"""The package's layers (issue 19): no import cycle inside ``analyzer``, and no module imports from a
floor above its own (ARCHITECTURE: values at the bottom, the pure stages, the Checker, the readers
of an analysis, the scan, the command line). Imports inside functions count too: grimp reads them all.
"""
from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp")

# Floor by floor, bottom up; a module may import from its own floor (without a cycle) or below.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("analyzer.version", "analyzer.errors", "analyzer.ja", "analyzer.model"),
    ("analyzer.messages",),
    ("analyzer.references", "analyzer.settings", "analyzer.files"),
    ("analyzer.ingest", "analyzer.archive"),
    # The stages: functions of values.
    ("analyzer.normalize", "analyzer.segment", "analyzer.strength", "analyzer.metadata", "analyzer.match",
     "analyzer.identify", "analyzer.judge", "analyzer.topics"),
    ("analyzer.checker",),
    # Readers of an analysis, and the store.
    ("analyzer.report", "analyzer.fix", "analyzer.store", "analyzer.outputs", "analyzer.importer"),
    ("analyzer.scan", "analyzer.evaluate"),
    ("analyzer.cli", "analyzer.__main__", "analyzer.serve"),
)


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("analyzer")


def floor_of(module: str) -> int | None:
    found = None
    for i, floor in enumerate(FLOORS):
        if any(module == m or module.startswith(m + ".") for m in floor):
            found = i
    return found


def test_every_module_has_a_floor(graph):
    assert sorted(m for m in graph.modules if m != "analyzer" and floor_of(m) is None) == []


def cycles(graph) -> list[str]:
    found = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                found.add(" → ".join((module, *chain)))
    return sorted(found)


def upward(graph) -> list[str]:
    found = []
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == "analyzer":
                found.append(f"{module} → analyzer (the package: import the module itself)")
            elif module != "analyzer" and floor_of(imported) > floor_of(module):
                found.append(f"{module} (floor {floor_of(module) + 1}) → {imported} (floor {floor_of(imported) + 1})")
    return sorted(found)


def test_no_import_cycle(graph):
    assert cycles(graph) == []


def test_no_module_imports_from_a_floor_above(graph):
    assert upward(graph) == []


def test_the_checks_catch_a_planted_cycle_and_upward_import():
    planted = grimp.build_graph("analyzer")
    planted.add_import(importer="analyzer.model", imported="analyzer.checker")
    assert any(c.startswith("analyzer.model → analyzer.checker") for c in cycles(planted))
    assert "analyzer.model (floor 1) → analyzer.checker (floor 6)" in upward(planted)
