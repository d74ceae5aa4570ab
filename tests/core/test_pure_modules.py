"""Issue 16 point 5: the pure modules stay pure. The report's figures (`reports/compute.py`), the frame
builder they share with the queries, the reporting calendar, report entries and indicator figures run no
query: nothing they import, however indirectly, imports `tracker.extensions` (the database).

Models modules are the one stop of the walk: they declare tables and the enums the pure code reads
(`ReportStatus`, `Frequency`…) and run nothing, but they import `db` to declare the tables."""

import ast
from pathlib import Path

import pytest

import tracker

PACKAGE = Path(tracker.__file__).parent
PURE = (
    "tracker.reports.compute",
    "tracker.reports.frames",
    "tracker.periods.calendar",
    "tracker.periods.entries",
    "tracker.indicators.figures",
)
DATABASE = "tracker.extensions"


def _path(module: str) -> Path | None:
    relative = Path(*module.split(".")[1:])
    for candidate in (PACKAGE / relative.with_suffix(".py"), PACKAGE / relative / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _tracker_imports(module: str) -> set[str]:
    """The tracker modules `module` imports, at module level or inside a function."""
    path = _path(module)
    if path is None:
        return set()
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "tracker":
                continue
            found.add(node.module)
            # `from tracker.reports import compute` imports the module tracker.reports.compute
            found |= {f"{node.module}.{a.name}" for a in node.names if _path(f"{node.module}.{a.name}")}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "tracker"}
    return found


def _chain_to_database(start: str) -> list[str] | None:
    """The import chain from `start` to tracker.extensions, or None when there is none."""
    parents: dict[str, str | None] = {start: None}
    todo = [start]
    while todo:
        module = todo.pop()
        if module == DATABASE:
            chain = [module]
            while parents[chain[-1]] is not None:
                chain.append(parents[chain[-1]])
            return chain[::-1]
        if module.endswith(".models") and module != start:
            continue
        for imported in sorted(_tracker_imports(module)):
            if imported not in parents:
                parents[imported] = module
                todo.append(imported)
    return None


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_nothing_that_reaches_the_database(module):
    assert _path(module) is not None, module
    assert _chain_to_database(module) is None, " → ".join(_chain_to_database(module))


def test_the_walk_finds_an_indirect_import_of_the_database():
    assert _chain_to_database("tracker.periods.services") == ["tracker.periods.services", DATABASE]
    # forms.py imports no database itself, only through the workflow it calls
    chain = _chain_to_database("tracker.periods.forms")
    assert chain is not None and len(chain) > 2 and chain[-1] == DATABASE, chain
