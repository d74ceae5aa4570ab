"""Issue 16 point 2: the view helpers every feature shares (core.view_helpers, core.query_args)."""

import pytest
from flask import get_flashed_messages
from werkzeug.exceptions import BadRequest, NotFound

from tests.factories import CohortFactory
from tracker.cohorts.forms import CohortForm
from tracker.cohorts.models import Cohort
from tracker.cohorts.services import all_cohorts
from tracker.core import view_helpers
from tracker.core.permissions import Action
from tracker.core.query_args import int_arg
from tracker.core.services import ServiceError
from tracker.core.view_helpers import apply_error, load_or_404


def test_load_or_404_by_model_or_by_getter(app):
    cohort = CohortFactory()
    assert load_or_404(Cohort, cohort.id) is cohort
    assert load_or_404(lambda slug: cohort if slug == cohort.slug else None, cohort.slug) is cohort
    for missing in (cohort.id + 1000, 0, 2**31, 10**20):  # ids no column holds: 404, not a database error
        with pytest.raises(NotFound):
            load_or_404(Cohort, missing)


def test_load_or_404_checks_the_permission_on_the_object_or_its_parent(app, monkeypatch):
    cohort = CohortFactory()
    checked = []
    monkeypatch.setattr(view_helpers, "authorize", lambda action, obj: checked.append((action, obj)))
    load_or_404(Cohort, cohort.id, Action.EDIT_COHORT)
    load_or_404(Cohort, cohort.id, Action.VIEW_COHORT, check=lambda c: ("parent of", c))
    assert checked == [(Action.EDIT_COHORT, cohort), (Action.VIEW_COHORT, ("parent of", cohort))]


def test_apply_error_without_a_matching_field_only_flashes(app):
    with app.test_request_context("/", method="POST"):
        form = CohortForm(meta={"csrf": False})
        apply_error(form, ServiceError("Inconnu.", field="no_such_field"))
        apply_error(form, ServiceError("Trop long.", field="name"), flash_too=False)
        assert form.name.errors == ["Trop long."]
        assert get_flashed_messages(with_categories=True) == [("danger", "Inconnu.")]


def test_apply_error_names_rows_of_a_list(app):
    with app.test_request_context("/", method="POST"):
        rows = [(CohortForm(meta={"csrf": False}), None), (CohortForm(meta={"csrf": False}), None)]
        rows = [(type("Entry", (), {"form": form})(), item) for form, item in rows]
        apply_error(None, ServiceError("Ville ?", field="items-1-city"), rows=rows, flash_too=False)
        assert rows[1][0].form.city.errors == ["Ville ?"]
        assert not rows[0][0].form.city.errors


@pytest.mark.parametrize("raw, expected", [("12", 12), (str(2**31 - 1), 2**31 - 1)])
def test_strict_int_arg_reads_ids(app, raw, expected):
    with app.test_request_context(f"/?cohort={raw}"):
        assert int_arg("cohort", strict=True) == expected


@pytest.mark.parametrize("raw", ["", "abc", "-1", " 5", str(2**31), "²"])
def test_strict_int_arg_refuses_with_400(app, raw):
    with app.test_request_context("/", query_string={"cohort": raw}), pytest.raises(BadRequest):
        int_arg("cohort", strict=True)


def test_strict_int_arg_absent_is_none(app):
    with app.test_request_context("/"):
        assert int_arg("cohort", strict=True) is None


def test_all_cohorts_by_name(app):
    CohortFactory(name="Zagora")
    CohortFactory(name="Agadir")
    names = [c.name for c in all_cohorts()]
    assert names == sorted(names) and {"Agadir", "Zagora"} <= set(names)


class _Outcome:
    def __init__(self, conflict: bool):
        self.conflict, self.ok = conflict, False


def test_after_a_lost_race_the_form_takes_the_current_version(app):
    cohort = CohortFactory()
    with app.test_request_context("/", method="POST"):
        form = CohortForm(meta={"csrf": False})
        form.version.data = cohort.version - 1
        record, conflict = view_helpers.reload_after_failed_save(_Outcome(True), Cohort, cohort.id, form)
        assert record is cohort and conflict is cohort
        assert form.version.data == cohort.version  # saving again is a deliberate overwrite


def test_after_a_refused_save_the_record_is_reloaded_without_a_conflict(app):
    cohort = CohortFactory()
    with app.test_request_context("/", method="POST"):
        form = CohortForm(meta={"csrf": False})
        form.version.data = "7"
        record, conflict = view_helpers.reload_after_failed_save(
            _Outcome(False), Cohort, cohort.id, form, stamp=lambda c: ("name", "unused"))
        assert (record, conflict, form.version.data) == (cohort, None, "7")


def test_a_record_deleted_meanwhile_is_a_404(app):
    with app.test_request_context("/", method="POST"):
        with pytest.raises(NotFound):
            view_helpers.reload_after_failed_save(_Outcome(True), lambda ident: None, 1,
                                                  CohortForm(meta={"csrf": False}))
