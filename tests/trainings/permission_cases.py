"""Trainings rows of the permission matrix (tests/core/test_permission_matrix.py gathers them).

That module imports this one while it is being imported, so nothing is imported back from it: the
S(...) helper and the one profile needed are restated here, in the same shape."""

from flask import url_for

from tests.roles import ROLES
from tests.trainings.factories import AttendanceFactory, TrainingFactory


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


STAFF_SIDE = S(302, 200, 200, 200, 404)
STAFF_SIDE_POST = S(302, 302, 302, 302, 404)  # a successful POST redirects


def _training(a):
    """One training of the actors' cohort, with the holder's project's lead recorded present."""
    if getattr(a, "_training", None) is None:
        a._training = TrainingFactory(cohort=a.cohort)
        AttendanceFactory(training=a._training, member=a.project.lead, present=True)
    return a._training


def _url(endpoint):
    return lambda a: url_for(endpoint, training_id=_training(a).id)


CASES = [
    ("trainings.list_trainings", "", "GET", lambda a: url_for("trainings.list_trainings"), STAFF_SIDE),
    ("trainings.create_training", "", "GET", lambda a: url_for("trainings.create_training"), STAFF_SIDE),
    ("trainings.view_training", "", "GET", _url("trainings.view_training"), STAFF_SIDE),
    ("trainings.edit_training", "", "GET", _url("trainings.edit_training"), STAFF_SIDE),
    ("trainings.delete_training", "", "GET", _url("trainings.delete_training"), STAFF_SIDE),
    ("trainings.delete_training", "post", "POST", _url("trainings.delete_training"), STAFF_SIDE_POST),
    ("trainings.edit_attendance", "", "GET", _url("trainings.edit_attendance"), STAFF_SIDE),
    ("trainings.edit_attendance", "post", "POST", _url("trainings.edit_attendance"), STAFF_SIDE_POST),
]
