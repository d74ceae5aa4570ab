"""Picker searches × roles (issue 17): projects for everyone (holders: their own), staff and cohorts for the staff
side."""

from flask import url_for

from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


CASES = [
    ("pickers.projects", "", "GET", lambda a: url_for("pickers.projects", q="fictif"), S(302, 200, 200, 200, 200)),
    ("pickers.staff", "", "GET", lambda a: url_for("pickers.staff", q="a"), S(302, 200, 200, 200, 404)),
    ("pickers.cohorts", "", "GET", lambda a: url_for("pickers.cohorts", q="a"), S(302, 200, 200, 200, 404)),
]
