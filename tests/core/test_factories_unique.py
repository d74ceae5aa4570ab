"""One factory per model: two factories of the same model drift apart in their defaults, and a test then
depends on which module it happened to import from."""

import ast
import importlib
import inspect
from collections import defaultdict
from pathlib import Path

import factory

TESTS = Path(__file__).resolve().parents[1]


def _factory_modules() -> list[str]:
    return sorted(".".join(("tests", *path.relative_to(TESTS).with_suffix("").parts))
                  for path in TESTS.rglob("factories.py"))


def _factories_by_model() -> dict[type, list[str]]:
    """Model → the factories defined (not merely imported) in a tests/**/factories.py module."""
    found = defaultdict(list)
    for name in _factory_modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, factory.Factory) and value.__module__ == name
                    and not value._meta.abstract and value._meta.model is not None):
                found[value._meta.model].append(f"{name}.{attr}")
    return found


def test_every_model_has_exactly_one_factory():
    found = _factories_by_model()
    assert {"User", "Project", "Indicator", "Target", "PeriodReport", "IndicatorValue", "Milestone",
            "MentoringSession", "Training"} <= {model.__name__ for model in found}  # the walk found them
    duplicates = {model.__name__: names for model, names in found.items() if len(names) > 1}
    assert duplicates == {}


def _declares_a_model(node: ast.ClassDef) -> bool:
    return any(isinstance(inner, ast.ClassDef) and inner.name == "Meta"
               and any(isinstance(s, ast.Assign) and any(getattr(t, "id", None) == "model" for t in s.targets)
                       for s in inner.body)
               for inner in node.body)


def test_factories_live_only_in_factories_modules():
    """A factory class written in a test module would escape the check above."""
    elsewhere = []
    for path in TESTS.rglob("*.py"):
        if path.name == "factories.py" or "assets" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and _declares_a_model(node):
                elsewhere.append(f"{path.relative_to(TESTS)}:{node.lineno} {node.name}")
    assert elsewhere == []
