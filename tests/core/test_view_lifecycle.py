"""Issue 16 point 1: one request lifecycle. Views call services inside `core.lifecycle.saving`, which alone
commits or rolls back; these tests hold it to that against the test database."""

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from sqlalchemy.orm.exc import StaleDataError

import tracker
from tests.factories import CohortFactory
from tracker.cohorts.forms import CohortForm
from tracker.cohorts.models import Cohort
from tracker.core.lifecycle import saving
from tracker.core.services import CONFLICT_MESSAGE, ConflictError, ServiceError
from tracker.extensions import db

PACKAGE = Path(tracker.__file__).parent


def _view_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name == "views.py" or p.name.endswith("_views.py"))


def _session_calls(path: Path, root: Path = PACKAGE) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}()")
    return found


def test_no_view_module_commits_or_rolls_back():
    modules = _view_modules()
    assert len(modules) > 15  # the walk does find the views
    assert [call for path in modules for call in _session_calls(path)] == []


def test_the_walk_sees_commits_and_rollbacks(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def v():\n    db.session.commit()\n    session.rollback()\n", encoding="utf-8")
    assert sorted(_session_calls(module, tmp_path)) == ["views.py:2 .commit()", "views.py:3 .rollback()"]


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/", method="POST"):
        yield


def _names() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Cohort.name)))


def test_commits_on_success(request_ctx):
    with saving() as outcome:
        CohortFactory(name="Cohorte gardée")
    db.session.rollback()  # a rollback after the commit undoes nothing
    assert outcome.ok and not outcome.conflict
    assert "Cohorte gardée" in _names()
    assert get_flashed_messages() == []


def test_after_commit_runs_only_once_committed(request_ctx):
    ran = []
    with saving() as outcome:
        outcome.after_commit(lambda: ran.append("files removed"))
        assert ran == []
    assert ran == ["files removed"]


def test_a_service_error_rolls_back_and_goes_beside_its_field(request_ctx):
    form = CohortForm(meta={"csrf": False})
    cleaned = []
    with saving(form) as outcome:
        outcome.on_rollback(lambda: cleaned.append(True))
        CohortFactory(name="Cohorte refusée")
        raise ServiceError("Nom déjà pris.", field="name")
    assert not outcome.ok and not outcome.conflict
    assert isinstance(outcome.error, ServiceError)
    assert "Cohorte refusée" not in _names()
    assert form.name.errors == ["Nom déjà pris."]
    assert get_flashed_messages(with_categories=True) == [("danger", "Nom déjà pris.")]
    assert cleaned == [True]


def test_a_conflict_is_flashed_as_a_warning(request_ctx):
    form = CohortForm(meta={"csrf": False})
    with saving(form) as outcome:
        CohortFactory(name="Cohorte en conflit")
        raise ConflictError(CONFLICT_MESSAGE)
    assert outcome.conflict
    assert "Cohorte en conflit" not in _names()
    assert get_flashed_messages(with_categories=True) == [("warning", str(CONFLICT_MESSAGE))]
    assert not any(field.errors for field in form)


def test_show_false_leaves_the_error_to_the_view(request_ctx):
    with saving(show=False) as outcome:
        raise ServiceError("Refusé.")
    assert str(outcome.error) == "Refusé."
    assert get_flashed_messages() == []


def test_an_unexpected_error_rolls_back_and_propagates(request_ctx):
    cleaned = []
    with pytest.raises(ZeroDivisionError), saving() as outcome:
        outcome.on_rollback(lambda: cleaned.append(True))
        CohortFactory(name="Cohorte perdue")
        1 / 0  # noqa: B018
    assert "Cohorte perdue" not in _names()
    assert cleaned == [True]
    assert get_flashed_messages() == []


def test_errors_outside_catch_propagate_after_the_rollback(request_ctx):
    with pytest.raises(ServiceError), saving(catch=()):
        CohortFactory(name="Cohorte non attrapée")
        raise ServiceError("Refusé.")
    assert "Cohorte non attrapée" not in _names()


def test_a_lost_version_race_becomes_a_conflict(request_ctx):
    cohort = CohortFactory(name="Cohorte disputée")
    db.session.commit()
    with saving() as outcome:
        # Someone else saved it since it was loaded: the identity map still holds the old version.
        db.session.execute(sa.update(Cohort).where(Cohort.id == cohort.id).values(version=Cohort.version + 1)
                           .execution_options(synchronize_session=False))
        cohort.city = "Essaouira"
    assert outcome.conflict
    assert isinstance(outcome.error.__cause__, StaleDataError)
    assert get_flashed_messages(with_categories=True) == [("warning", str(CONFLICT_MESSAGE))]
    assert db.session.get(Cohort, cohort.id).city == "Safi"


def test_a_lost_race_outside_catch_propagates_as_a_conflict(request_ctx):
    with pytest.raises(ConflictError), saving(catch=()):
        raise StaleDataError("UPDATE matched 0 rows")
