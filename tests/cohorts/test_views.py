import datetime as dt

import sqlalchemy as sa

from tracker.cohorts.models import Cohort
from tracker.core.audit import AuditEvent
from tracker.extensions import db


def test_manager_creates_a_cohort_with_a_derived_slug(login_as, actors):
    client = login_as("manager")
    response = client.post("/cohorts/new", data={
        "name": "Innov Impact 2026 — Safi", "reporting_frequency": "semiannual", "start_date": "2026-01-01",
        "end_date": "2027-06-30"})
    assert response.status_code == 302
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.slug == "innov-impact-2026-safi"))
    assert cohort.reporting_frequency.value == "semiannual"
    assert response.location == "/cohorts/innov-impact-2026-safi"


def test_duplicate_slug_and_reversed_dates_are_refused(login_as, actors):
    client = login_as("manager")
    dup = client.post("/cohorts/new", data={"name": "X", "slug": actors.cohort.slug,
                                            "reporting_frequency": "quarterly"})
    reversed_dates = client.post("/cohorts/new", data={"name": "Y", "reporting_frequency": "quarterly",
                                                       "start_date": "2026-01-01", "end_date": "2025-01-01"})
    bad_slug = client.post("/cohorts/new", data={"name": "Z", "slug": "Pas Un Slug!",
                                                 "reporting_frequency": "quarterly"})
    assert dup.status_code == reversed_dates.status_code == bad_slug.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 1


def test_edit_cohort_is_audited_and_version_checked(login_as, actors):
    client = login_as("admin")
    cohort = actors.cohort
    data = {"name": cohort.name, "slug": cohort.slug, "reporting_frequency": "monthly",
            "forum_date": "2025-03-08", "version": str(cohort.version)}
    assert client.post(f"/cohorts/{cohort.slug}/edit", data=data).status_code == 302
    stale = client.post(f"/cohorts/{cohort.slug}/edit", data=data | {"reporting_frequency": "quarterly"})
    assert stale.status_code == 200
    db.session.expire_all()
    saved = db.session.get(Cohort, cohort.id)
    assert saved.reporting_frequency.value == "monthly" and saved.forum_date == dt.date(2025, 3, 8)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "cohort"))
    assert event.changes["reporting_frequency"] == ["quarterly", "monthly"]


def test_cohort_figures_equal_a_count_of_the_rows_in_one_statement(actors, login_as, count_queries):
    """Projects, active projects and team members per cohort (issue 20: one statement, members counted per
    project) against a count of the ORM rows themselves; a cohort without projects counts zeros."""
    from tests.factories import CohortFactory, MemberFactory, ProjectFactory
    from tracker.cohorts.services import cohort_stats
    from tracker.projects.models import Member, Project, ProjectStatus

    second, empty = CohortFactory(), CohortFactory()
    for n in range(4):
        project = ProjectFactory(cohort=second, lead=n != 3)
        for _ in range(n):
            MemberFactory(project=project)
    ProjectFactory(cohort=second, status=ProjectStatus.DROPPED, status_reason="Abandon",
                   status_date=dt.date(2026, 2, 1))
    db.session.flush()
    ids = [actors.cohort.id, second.id, empty.id]
    projects = db.session.scalars(sa.select(Project)).all()
    members = db.session.scalars(sa.select(Member)).all()
    expected = {cid: {"projects": sum(p.cohort_id == cid for p in projects),
                      "active": sum(p.cohort_id == cid and p.status == ProjectStatus.ACTIVE for p in projects),
                      "members": sum(m.project.cohort_id == cid for m in members)} for cid in ids}
    with count_queries() as statements:
        found = cohort_stats(ids)
    assert found == expected
    assert found[second.id]["projects"] == 5 and found[second.id]["active"] == 4 and found[empty.id]["members"] == 0
    assert len(statements) == 1
    page = login_as("manager").get("/cohorts/").get_data(as_text=True)
    assert second.name in page
