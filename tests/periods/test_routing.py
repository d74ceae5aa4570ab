"""Review routing (issue 17, DESIGN §5): every submitted report has a reviewer who is not its submitter."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories import ProjectFactory, UserFactory
from tests.periods.conftest import AFTER_T1, T1, entries
from tests.periods.factories import PeriodReportFactory
from tracker.core.audit import AuditEvent
from tracker.core.services import ServiceError
from tracker.extensions import db
from tracker.notifications.models import Kind, Notification
from tracker.periods import routing, workflow
from tracker.periods.models import PeriodReport, ReportStatus


def _submit(actor, project, indicators):
    report, _outcome = workflow.save_report(actor, project, T1, entries(indicators, revenue=10), {}, None,
                                            submit=True, today=AFTER_T1)
    db.session.flush()
    return report


def _notes(user, kind):
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id,
                                                            Notification.kind == kind)).all()


def test_a_holders_report_goes_to_the_projects_mentor(actors, indicators):
    actors.project.staff = [actors.staff]
    report = _submit(actors.holder, actors.project, indicators)
    assert report.reviewer_id == actors.staff.id
    [note] = _notes(actors.staff, Kind.REPORT_SUBMITTED)
    assert note.entity_id == report.id and note.project_id == actors.project.id


def test_a_report_the_mentor_submitted_goes_to_another_staff_member_of_the_cohort(actors, indicators):
    colleague = UserFactory(role="staff", display_name="Collègue")
    ProjectFactory(cohort=actors.cohort).staff = [colleague]
    UserFactory(role="staff", display_name="Ailleurs")  # not in this cohort: never asked
    actors.project.staff = [actors.staff]
    report = _submit(actors.staff, actors.project, indicators)
    assert report.reviewer_id == colleague.id
    assert _notes(actors.staff, Kind.REPORT_SUBMITTED) == []


def test_without_another_staff_member_a_manager_reviews(actors, indicators):
    actors.project.staff = [actors.staff]
    report = _submit(actors.staff, actors.project, indicators)
    assert report.reviewer_id == actors.manager.id


def test_the_least_loaded_mentor_is_asked_first(actors, indicators):
    busy, free = UserFactory(role="staff", display_name="A occupée"), UserFactory(role="staff", display_name="B libre")
    actors.project.staff = [busy, free]
    PeriodReportFactory(project=actors.other_project, status=ReportStatus.SUBMITTED, reviewer_id=busy.id)
    assert _submit(actors.holder, actors.project, indicators).reviewer_id == free.id


def test_a_corrected_report_goes_back_to_whoever_returned_it(actors, indicators):
    actors.project.staff = [actors.staff]
    report = _submit(actors.holder, actors.project, indicators)
    workflow.return_report(actors.manager, report, report.version, "Ajoutez les ventes de mars.")
    workflow.save_report(actors.holder, actors.project, T1, entries(indicators, revenue=12), {}, report.version,
                         submit=True, report=report, today=AFTER_T1)
    assert report.reviewer_id == actors.manager.id
    assert [n.kind for n in _notes(actors.manager, Kind.REPORT_CORRECTED)] == [Kind.REPORT_CORRECTED]


def test_managers_reassign_several_reports_at_once_audited(actors):
    reports = [PeriodReportFactory(project=p, status=ReportStatus.SUBMITTED, submitted_by=actors.holder,
                                   reviewer_id=actors.manager.id) for p in (actors.project, actors.other_project)]
    own = PeriodReportFactory(project=ProjectFactory(cohort=actors.cohort), status=ReportStatus.SUBMITTED,
                              submitted_by=actors.staff)
    changed, skipped = routing.reassign(actors.manager, reports + [own], actors.staff)
    assert changed == 2 and skipped == [own]  # nobody reviews their own submission
    assert [r.reviewer_id for r in reports] == [actors.staff.id] * 2
    assert len(_notes(actors.staff, Kind.REPORT_SUBMITTED)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "reassign")) == 2
    with pytest.raises(ServiceError):
        routing.reassign(actors.staff, reports, actors.admin)
    with pytest.raises(ServiceError):
        routing.reassign(actors.manager, reports, actors.holder)


def test_mentor_submitted_report_is_in_the_other_reviewers_list_not_the_mentors(app, actors, indicators, login_as):
    colleague = UserFactory(role="staff", display_name="Collègue relectrice")
    ProjectFactory(cohort=actors.cohort).staff = [colleague]
    actors.project.staff = [actors.staff]
    report = _submit(actors.staff, actors.project, indicators)
    db.session.commit()

    def sections(user):
        page = login_as(user).get("/period-reports/review").get_data(as_text=True)
        yours, others = page.split('id="others"')
        return yours, others

    mine, waiting = sections(actors.staff)
    assert f'data-report="{report.id}"' not in mine
    assert f'data-report="{report.id}"' in waiting and "Collègue relectrice" in waiting
    theirs, _rest = sections(colleague)
    assert f'data-report="{report.id}"' in theirs


def test_the_managers_stalled_list_shows_old_reports_only(app, actors, login_as):
    now = dt.datetime.now(dt.UTC)
    old = PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder,
                              submitted_at=now - dt.timedelta(days=30), reviewer_id=actors.staff.id)
    fresh = PeriodReportFactory(project=actors.other_project, status=ReportStatus.SUBMITTED,
                                submitted_by=actors.holder, submitted_at=now - dt.timedelta(days=2),
                                reviewer_id=actors.staff.id)
    db.session.commit()
    page = login_as("manager").get("/period-reports/review?stalled=1&mentor=all").get_data(as_text=True)
    assert f'data-report="{old.id}"' in page and f'data-report="{fresh.id}"' not in page
    assert 'data-age="30"' in page and 'name="report_ids"' in page


def test_reassigning_from_the_queue(app, actors, login_as):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder,
                                 submitted_at=dt.datetime.now(dt.UTC), reviewer_id=actors.manager.id)
    db.session.commit()
    response = login_as("manager").post("/period-reports/review/reassign", data={
        "report_ids": [str(report.id)], "reviewer_id": str(actors.staff.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PeriodReport, report.id).reviewer_id == actors.staff.id
    assert login_as("staff").post("/period-reports/review/reassign", data={
        "report_ids": [str(report.id)], "reviewer_id": str(actors.admin.id)}).status_code == 403


def test_the_demos_old_reports_show_in_the_managers_stalled_list(app, runner, login_as):
    from tests.conftest import login
    from tracker.auth.models import User

    assert runner.invoke(args=["demo", "load", "--password", "demo-password-123"]).exit_code == 0
    manager = db.session.scalar(sa.select(User).where(User.email == "manager@example.org"))
    waiting = db.session.scalars(sa.select(PeriodReport).where(
        PeriodReport.status == ReportStatus.SUBMITTED, PeriodReport.submitted_at < routing.stalled_since())).all()
    assert waiting  # the demo's submitted reports have waited since the end of their quarter
    page = login(app.test_client(), manager, "demo-password-123").get(
        "/period-reports/review?stalled=1&mentor=all").get_data(as_text=True)
    for report in waiting:
        assert f'data-report="{report.id}"' in page
    # Mentors never review what they entered themselves: the demo routes those to the other staff member.
    assert all(r.reviewer_id and r.reviewer_id != r.submitted_by_id for r in waiting)
    staff = db.session.scalar(sa.select(User).where(User.email == "staff@example.org"))
    yours = login(app.test_client(), staff, "demo-password-123").get("/period-reports/review").get_data(
        as_text=True).split('id="others"')[0]
    for report in waiting:
        assert (f'data-report="{report.id}"' in yours) == (report.reviewer_id == staff.id)


def test_a_submitted_report_without_a_submission_date_still_shows_in_the_queue(actors, login_as):
    """Reports submitted before the submission date was kept (or loaded by hand) have none: the queue
    shows them without an age instead of failing (found by the fuzz suite)."""
    from tracker.periods.models import ReportStatus

    PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, submitted_at=None)
    db.session.commit()
    response = login_as("manager").get("/period-reports/review")
    assert response.status_code == 200
    assert actors.project.name in response.get_data(as_text=True)


def test_the_queue_total_is_counted_on_the_reports_alone_and_equals_the_rows_listed(actors, count_queries):
    """Issue 20: the queue's totals are counted without joining the reports to their projects (12 ms for the
    10,000 a programme's queue can hold); for every filter they equal the rows the queue lists."""
    from tests.factories import CohortFactory
    from tracker.periods.services import ReviewFilters, review_queue_page

    elsewhere = ProjectFactory(cohort=CohortFactory())
    elsewhere.staff = [actors.staff]
    long_ago = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, reviewer=actors.staff,
                        submitted_at=long_ago)
    PeriodReportFactory(project=actors.other_project, status=ReportStatus.SUBMITTED, reviewer=actors.manager)
    PeriodReportFactory(project=elsewhere, status=ReportStatus.SUBMITTED)
    PeriodReportFactory(project=elsewhere, period_label="2025-T2", status=ReportStatus.APPROVED)
    db.session.flush()
    cases = [ReviewFilters(), ReviewFilters(reviewer_id=actors.staff.id),
             ReviewFilters(not_reviewer_id=actors.staff.id), ReviewFilters(cohort_id=actors.cohort.id),
             ReviewFilters(mentor_id=actors.staff.id),
             ReviewFilters(mentor_id=actors.staff.id, cohort_id=actors.cohort.id),
             ReviewFilters(submitted_before=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))]
    with count_queries() as statements:
        pages = [review_queue_page(f, 1, 100) for f in cases]
    listed, counted = [len(page.items) for page in pages], [page.total for page in pages]
    assert counted == listed
    assert listed[:3] == [3, 1, 2] and listed[6] == 1
    counts = [sql for sql in statements if "count(*)" in sql]
    assert len(counts) == len(cases) and not any("JOIN" in sql for sql in counts)
    # a page past the first starts where the first ended, in the queue's order
    first, second = review_queue_page(cases[0], 1, 2), review_queue_page(cases[0], 2, 2)
    assert [r.id for r in first.items + second.items] == [r.id for r in pages[0].items]
    assert (first.pages, second.has_prev, second.has_next) == (2, True, False)
