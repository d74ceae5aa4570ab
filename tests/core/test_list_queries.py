"""Every list page costs the same number of SQL statements for 5 and for 50 rows (no N+1)."""

import datetime as dt

import pytest

from tests.factories import CohortFactory, ProjectFactory, UserFactory
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode


def _projects(actors, n):
    for _ in range(n):
        project = ProjectFactory(cohort=actors.cohort)
        project.staff = [actors.staff]
        session = MentoringSession(project=project, mentor=actors.staff, date=dt.date.today(), duration_minutes=30,
                                   mode=SessionMode.PHONE)
        session.action_items = [ActionItem(description="x", owner_kind=ActionOwner.PROJECT)]
        db.session.add(session)


def _cohorts(actors, n):
    for _ in range(n):
        ProjectFactory(cohort=CohortFactory())


def _users(actors, n):
    for _ in range(n):
        UserFactory(role="holder", projects=[actors.project])


PAGES = [
    ("/projects/?per_page=100", "staff", _projects),
    ("/?status=", "staff", _projects),
    ("/?mentor=all", "manager", _projects),
    ("/cohorts/", "staff", _cohorts),
    ("/admin/users", "admin", _users),
]


@pytest.mark.parametrize("url, role, fill", PAGES, ids=[p[0] for p in PAGES])
def test_query_count_does_not_grow_with_rows(app, actors, login_as, count_queries, url, role, fill):
    app.config["PROJECTS_PER_PAGE"] = 100
    client = login_as(role)
    fill(actors, 5)
    db.session.flush()
    client.get(url)  # warm caches of the first request
    with count_queries() as five:
        first = client.get(url)
    fill(actors, 45)
    db.session.flush()
    client.get(url)  # the portfolio recomputes the figures the new rows made stale (constant too: test_services)
    with count_queries() as fifty:
        second = client.get(url)
    app.config["PROJECTS_PER_PAGE"] = 25
    assert first.status_code == second.status_code == 200
    assert len(second.get_data()) > len(first.get_data())  # the extra rows are really shown
    assert len(fifty) == len(five), f"{url}: {len(five)} queries for 5 rows, {len(fifty)} for 50"
