"""Invitation and password-reset routes × roles (issue 17), joined to tests/core/test_permission_matrix.py."""

from flask import url_for

from tests.factories import ProjectFactory, UserFactory
from tests.roles import ROLES
from tracker.auth import tokens
from tracker.auth.models import NO_PASSWORD, TokenPurpose
from tracker.extensions import db


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


EVERYONE = S(302, 200, 200, 200, 200)
INVITERS = S(302, 200, 200, 200, 404)


def _pending(a, assigned: bool):
    """A holder invited but without a password, on the holder's project or on one assigned to staff."""
    cache = a.__dict__.setdefault("_pending_holders", {})
    if assigned not in cache:
        project = a.project
        if assigned:
            project = ProjectFactory(cohort=a.cohort)
            project.staff = [a.staff]
        cache[assigned] = UserFactory(role="holder", password_hash=NO_PASSWORD, projects=[project])
        db.session.commit()
    return cache[assigned]


def _token(a):
    if "_reset_secret" not in a.__dict__:
        a._reset_secret, _token = tokens.issue(a.manager, TokenPurpose.RESET)
        db.session.commit()
    return a._reset_secret


CASES = [
    ("auth.forgot_password", "", "GET", lambda a: url_for("auth.forgot_password"), S(200, 200, 200, 200, 200)),
    ("auth.set_password", "unknown", "GET", lambda a: url_for("auth.set_password", token="not-a-token"),
     S(404, 404, 404, 404, 404)),
    ("auth.set_password", "valid", "GET", lambda a: url_for("auth.set_password", token=_token(a)),
     S(200, 200, 200, 200, 200)),
    ("invitations.invite_holder", "", "GET", lambda a: url_for("invitations.invite_holder"), INVITERS),
    ("invitations.invite_leads", "", "GET", lambda a: url_for("invitations.invite_leads", cohort=a.cohort.id),
     INVITERS),
    ("invitations.invite_leads", "missing", "GET", lambda a: url_for("invitations.invite_leads", cohort=987654),
     S(302, 404, 404, 404, 404)),
    # Staff resend only to holders of the projects assigned to them.
    ("invitations.resend", "unassigned", "POST", lambda a: url_for("invitations.resend", user_id=_pending(a, False).id),
     S(302, 302, 302, 403, 404)),
    ("invitations.resend", "assigned", "POST", lambda a: url_for("invitations.resend", user_id=_pending(a, True).id),
     S(302, 302, 302, 302, 404)),
]
