"""Indicator catalogue and targets rows of the permission matrix (tests/core/test_permission_matrix.py
gathers them).

That module imports this one while it is being imported, so nothing is imported back from it: the
S(...) helper and the profiles needed are restated here, in the same shape."""

from flask import url_for

from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


ADMIN_ONLY = S(302, 200, 403, 403, 404)
ADMIN_ONLY_POST = S(302, 302, 403, 403, 404)  # a successful POST redirects
STAFF_SIDE = S(302, 200, 200, 200, 404)
STAFF_SIDE_POST = S(302, 302, 302, 302, 404)
OWN_PROJECT = S(302, 200, 200, 200, 200)
OTHER_PROJECT = S(302, 200, 200, 200, 404)


def _indicator(a):
    """An active indicator nobody uses (so it can also be deleted), and a target on the holder's project."""
    if getattr(a, "_indicator", None) is None:
        a._indicator = IndicatorFactory()
        TargetFactory(project=a.project, indicator=IndicatorFactory())
    return a._indicator


def _url(endpoint):
    return lambda a: url_for(endpoint, indicator_id=_indicator(a).id)


def _project_url(endpoint, project):
    def build(a):
        _indicator(a)
        return url_for(endpoint, project_id=getattr(a, project).id)

    return build


CASES = [
    ("indicators.list_indicators", "", "GET", lambda a: url_for("indicators.list_indicators"), ADMIN_ONLY),
    ("indicators.create_indicator", "", "GET", lambda a: url_for("indicators.create_indicator"), ADMIN_ONLY),
    ("indicators.edit_indicator", "", "GET", _url("indicators.edit_indicator"), ADMIN_ONLY),
    ("indicators.deactivate_indicator", "", "GET", _url("indicators.deactivate_indicator"), ADMIN_ONLY),
    ("indicators.deactivate_indicator", "post", "POST", _url("indicators.deactivate_indicator"), ADMIN_ONLY_POST),
    ("indicators.reactivate_indicator", "post", "POST", _url("indicators.reactivate_indicator"), ADMIN_ONLY_POST),
    ("indicators.delete_indicator", "", "GET", _url("indicators.delete_indicator"), ADMIN_ONLY),
    ("indicators.delete_indicator", "post", "POST", _url("indicators.delete_indicator"), ADMIN_ONLY_POST),
]

for _variant, _project, _view in (("own", "project", OWN_PROJECT), ("other", "other_project", OTHER_PROJECT)):
    CASES += [
        ("indicators.project_targets", _variant, "GET",
         _project_url("indicators.project_targets", _project), _view),
        ("indicators.edit_targets", _variant, "GET", _project_url("indicators.edit_targets", _project), STAFF_SIDE),
        ("indicators.edit_targets", f"{_variant}-post", "POST",
         _project_url("indicators.edit_targets", _project), STAFF_SIDE_POST),
    ]
