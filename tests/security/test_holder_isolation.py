"""A project holder tries every route with another project's ids: 404 for GET and for POST, nothing changes.

The rows come from the permission matrix (tests/core/test_permission_matrix.py and every feature's
permission_cases.py): each row whose variant is "other…" (an object of a project the holder is not linked
to), and every other row where the matrix expects the holder to get 404 (staff-side pages). Each URL is
tried with every method its route accepts; a POST carries a plausible payload (and a small PDF), so a
missing check would have something to write. CSRF is off in TestingConfig, so the POST reaches the view:
the 404 comes from the permission check, not from a missing token. "Nothing changes" is every row of every
table and the list of files under UPLOAD_DIR, compared before and after.
"""

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.core.test_permission_matrix import CASES
from tests.mentoring.permission_cases import _session
from tracker.extensions import db

# Routes on another project's object that the matrix has no "other" row for.
EXTRA = [
    ("mentoring.delete_session", "other", "GET",
     lambda a: url_for("mentoring.delete_session", session_id=_session(a, "other").id), None),
]


def _is_other(variant: str) -> bool:
    return variant == "other" or variant.startswith("other-")


ROWS = [case for case in CASES if _is_other(case[1]) or case[4]["holder"] == 404] + EXTRA
PAYLOAD = {
    "name": "Projet détourné", "title": "Jalon détourné", "summary": "Résumé détourné", "notes": "x",
    "status": "achieved", "decision": "approve", "reason": "Réouverture détournée", "comment": "x",
    "date": "2025-02-01", "due_date": "2025-02-01", "achieved_on": "2025-02-01", "version": "1",
    "first_name": "Intrus", "last_name": "Exemple", "email": "intrus@example.org", "role": "admin",
    "locale": "fr", "mode": "all", "confirm": "y", "submit": "1", "action": "submit",
}


def _fingerprint() -> dict[str, str]:
    """A digest of every row of every table, as this test's transaction sees it."""
    conn = db.session.connection()
    digests = {}
    for name in sorted(sa.inspect(conn).get_table_names()):
        rows = conn.execute(sa.select(sa.text("*")).select_from(sa.table(name))).all()
        digests[name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    return digests


def _upload_listing(app) -> list[str]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _methods(app, endpoint: str) -> list[str]:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    return sorted(rule.methods & {"GET", "POST"})


@pytest.mark.parametrize(
    "endpoint, variant, method, build, expected", ROWS,
    ids=[f"{row[0]}{'-' + row[1] if row[1] else ''}" for row in ROWS],
)
def test_holder_gets_404_and_changes_nothing(app, actors, login_as, endpoint, variant, method, build, expected):
    client = login_as("holder")
    with app.test_request_context():
        url = build(actors)
    db.session.commit()  # objects built for the URL are real data; the test's transaction still ends it
    before, files_before = _fingerprint(), _upload_listing(app)

    for http_method in _methods(app, endpoint):
        data = None
        if http_method == "POST":
            data = {**PAYLOAD, "files": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "preuve.pdf")}
        response = client.open(url, method=http_method, data=data)
        assert response.status_code == 404, f"holder {http_method} {url}"

    db.session.expire_all()
    assert _fingerprint() == before, f"something changed after the holder's requests to {url}"
    assert _upload_listing(app) == files_before


def test_every_other_project_row_expects_404_for_the_holder():
    """The matrix agrees: a row about another project's object never lets the holder in."""
    rows = [case for case in CASES if _is_other(case[1])]
    assert len(rows) >= 30
    assert [case[:2] for case in rows if case[4]["holder"] != 404] == []


def test_the_same_requests_on_the_own_project_do_change_something(app, actors, login_as):
    """Control: the harness sees a write when there is one (the holder's own milestone marked achieved)."""
    from tests.milestones.permission_cases import _milestone

    client = login_as("holder")
    with app.test_request_context():
        milestone = _milestone(actors, "own")
        url = url_for("milestones.mark_achieved", milestone_id=milestone.id)
    db.session.commit()
    before = _fingerprint()
    response = client.post(url, data=PAYLOAD)
    assert response.status_code == 302
    db.session.expire_all()
    changed = {name for name, digest in _fingerprint().items() if before[name] != digest}
    assert "milestones" in changed
