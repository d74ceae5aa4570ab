"""Issue 16 point 4: core does not import features. Features register what core needs from them (labels,
the home page, project assignments) when the app is created; imports run only from features to core."""

import ast
from pathlib import Path

import tracker
from tracker.core.i18n import label
from tracker.core.permissions import Role

PACKAGE = Path(tracker.__file__).parent
SHARED = {"core", "extensions"}  # what core may import from the package


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_no_module_of_core_imports_a_feature():
    offending = []
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] == "tracker" and len(parts) > 1 and parts[1] not in SHARED:
                offending.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert offending == []


def test_the_walk_sees_function_level_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from tracker.projects.models import Project\n", encoding="utf-8")
    assert _imports(module) == [(2, "tracker.projects.models")]


def test_features_registered_their_labels_with_core(app):
    from tracker.periods.models import ReportStatus
    from tracker.projects.models import Sector

    with app.test_request_context():
        assert label(Sector.AGRICULTURE) == "Agriculture moderne"
        assert label(ReportStatus.SUBMITTED) == "Soumis"
        assert label(Role.HOLDER) == "Porteur de projet"
