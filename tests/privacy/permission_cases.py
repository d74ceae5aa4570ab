"""Personal-data routes × roles, joined to tests/core/test_permission_matrix.py (same row shape): admin only,
even for a member of the holder's own project (holders get 404, as for anything they may not see)."""

from flask import url_for

from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


ADMIN_ONLY = S(302, 200, 403, 403, 404)


def _member(a):
    return a.project.members[0]


CASES = [
    ("privacy.list_members", "", "GET", lambda a: url_for("privacy.list_members"), ADMIN_ONLY),
    ("privacy.list_members", "search", "GET", lambda a: url_for("privacy.list_members", q="Membre"), ADMIN_ONLY),
    ("privacy.view_member", "", "GET",
     lambda a: url_for("privacy.view_member", member_id=_member(a).id), ADMIN_ONLY),
    ("privacy.export_member", "", "GET",
     lambda a: url_for("privacy.export_member", member_id=_member(a).id), ADMIN_ONLY),
    ("privacy.erase_member", "", "GET",
     lambda a: url_for("privacy.erase_member", member_id=_member(a).id), ADMIN_ONLY),
    ("privacy.erase_member", "empty-post", "POST",
     lambda a: url_for("privacy.erase_member", member_id=_member(a).id), ADMIN_ONLY),
]
