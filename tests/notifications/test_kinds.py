"""Each notification kind (issue 17): the event or the daily scan creates it, and it reaches only the right
people. Holders only ever hear about their own projects."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import FROZEN_TODAY
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tests.periods.conftest import AFTER_T1, T1, Indicators, entries
from tests.periods.factories import PeriodReportFactory
from tracker.extensions import db
from tracker.mentoring import services as mentoring
from tracker.mentoring.models import ActionOwner
from tracker.notifications import scan
from tracker.notifications.models import Kind, Notification
from tracker.periods import workflow
from tracker.periods.models import ReportStatus

TODAY = FROZEN_TODAY
pytestmark = pytest.mark.usefixtures("frozen_today")


def _recipients(kind: Kind) -> set[int]:
    return set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == kind)))


def _indicators(w):
    if "indicators" not in w.__dict__:
        w.indicators = Indicators(w.a.project)
    return w.indicators


def _submitted(w):
    report, _ = workflow.save_report(w.holder, w.a.project, T1, entries(_indicators(w), revenue=5), {},
                                     None, submit=True, today=AFTER_T1)
    return report


def report_submitted(w):
    _submitted(w)
    return {w.mentor.id}


def report_returned(w):
    report = _submitted(w)
    workflow.return_report(w.mentor, report, report.version, "Il manque les ventes.")
    return {w.holder.id}


def report_approved(w):
    report = _submitted(w)
    workflow.approve_report(w.mentor, report, report.version, "Merci.")
    return {w.holder.id}


def report_corrected(w):
    report = _submitted(w)
    workflow.return_report(w.a.manager, report, report.version, "Il manque les ventes.")
    workflow.save_report(w.holder, w.a.project, T1, entries(_indicators(w), revenue=6), {}, report.version,
                         submit=True, report=report, today=AFTER_T1)
    return {w.a.manager.id}


def session_logged(w):
    mentoring.log_session(w.mentor, {"project_id": w.a.project.id, "date": TODAY, "duration_minutes": 60,
                                     "mode": "in_person", "shared_summary": "Prix revus."}, [])
    return {w.holder.id}


def action_item_assigned(w):
    mentoring.log_session(w.mentor, {"project_id": w.a.project.id, "date": TODAY, "duration_minutes": 45,
                                     "mode": "phone"},
                          [{"description": "Envoyer le devis", "owner_kind": "project", "due_date": TODAY},
                           {"description": "Appeler la banque", "owner_kind": "staff", "due_date": TODAY}])
    return {w.holder.id}


def _scan(w):
    scan.run(TODAY)


def report_due(w):
    _scan(w)
    return {w.holder.id, w.holder2.id}  # each about their own project (checked below)


def action_item_due(w):
    session = MentoringSessionFactory(project=w.a.project, mentor=w.mentor, date=TODAY - dt.timedelta(days=10))
    ActionItemFactory(session=session, due_date=TODAY)
    _scan(w)
    return {w.holder.id}


def action_item_overdue(w):
    session = MentoringSessionFactory(project=w.a.project, mentor=w.mentor, date=TODAY - dt.timedelta(days=10))
    ActionItemFactory(session=session, due_date=TODAY - dt.timedelta(days=1))  # the project's: its mentor hears
    ActionItemFactory(session=session, due_date=TODAY - dt.timedelta(days=2), owner_kind=ActionOwner.STAFF,
                      owner_user=w.a.admin)  # a staff owner: they hear
    ActionItemFactory(session=session, due_date=TODAY - dt.timedelta(days=2), done_date=TODAY)  # done: nobody
    _scan(w)
    return {w.mentor.id, w.a.admin.id}


def milestone_late(w):
    MilestoneFactory(project=w.a.project, planned_date=TODAY - dt.timedelta(days=3))
    MilestoneFactory(project=w.a.project, planned_date=TODAY + dt.timedelta(days=3))
    _scan(w)
    return {w.holder.id}


def project_quiet(w):
    MentoringSessionFactory(project=w.a.project, mentor=w.mentor, date=TODAY - dt.timedelta(days=61))
    MentoringSessionFactory(project=w.a.other_project, mentor=w.mentor2, date=TODAY - dt.timedelta(days=20))
    _scan(w)
    return {w.mentor.id}


def report_stalled(w):
    now = dt.datetime.now(dt.UTC)
    PeriodReportFactory(project=w.a.project, status=ReportStatus.SUBMITTED, submitted_by=w.holder,
                        submitted_at=now - dt.timedelta(days=15))
    PeriodReportFactory(project=w.a.other_project, status=ReportStatus.SUBMITTED, submitted_by=w.holder2,
                        submitted_at=now - dt.timedelta(days=13))
    _scan(w)
    return {w.a.manager.id, w.manager2.id}


CASES = {
    Kind.REPORT_SUBMITTED: report_submitted, Kind.REPORT_RETURNED: report_returned,
    Kind.REPORT_APPROVED: report_approved, Kind.REPORT_CORRECTED: report_corrected,
    Kind.SESSION_LOGGED: session_logged, Kind.ACTION_ITEM_ASSIGNED: action_item_assigned,
    Kind.REPORT_DUE: report_due, Kind.ACTION_ITEM_DUE: action_item_due, Kind.ACTION_ITEM_OVERDUE: action_item_overdue,
    Kind.MILESTONE_LATE: milestone_late, Kind.PROJECT_QUIET: project_quiet, Kind.REPORT_STALLED: report_stalled,
}


def test_every_kind_has_a_case():
    assert set(CASES) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
def test_the_kind_is_created_and_reaches_only_the_right_people(world, kind):
    expected = CASES[kind](world)
    db.session.flush()
    assert _recipients(kind) == expected
    for note in db.session.scalars(sa.select(Notification)):
        user = db.session.get(type(world.holder), note.user_id)
        if user.role == "holder":  # a holder never gets notice of another project
            assert note.project_id in user.project_ids, (kind, note)


@pytest.mark.parametrize("kind", [Kind.REPORT_STALLED, Kind.PROJECT_QUIET, Kind.MILESTONE_LATE,
                                  Kind.ACTION_ITEM_OVERDUE, Kind.REPORT_DUE])
def test_the_daily_scan_adds_each_notice_once(world, kind):
    CASES[kind](world)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.kind == kind))
    assert count > 0
    assert scan.run(TODAY) == 0
    assert scan.run(TODAY + dt.timedelta(days=1)) >= 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.kind == kind, Notification.dedupe_key.is_not(None))) >= count


def test_nobody_is_told_about_their_own_action(world):
    report = _submitted(world)
    workflow.return_report(world.mentor, report, report.version, "Il manque les ventes.")
    assert world.mentor.id not in _recipients(Kind.REPORT_RETURNED)
    assert world.holder.id not in _recipients(Kind.REPORT_SUBMITTED)


def test_the_scan_costs_the_same_queries_for_few_or_many_projects(world, count_queries):
    from tests.factories import ProjectFactory, UserFactory

    def grow(n):
        for _ in range(n):
            project = ProjectFactory(cohort=world.a.cohort)
            project.staff = [world.mentor]
            UserFactory(role="holder", projects=[project])
            session = MentoringSessionFactory(project=project, mentor=world.mentor, date=TODAY - dt.timedelta(days=90))
            ActionItemFactory(session=session, due_date=TODAY - dt.timedelta(days=1))
            MilestoneFactory(project=project, planned_date=TODAY - dt.timedelta(days=5))
        db.session.flush()

    grow(2)
    with count_queries() as few:
        scan.run(TODAY)
    grow(20)
    with count_queries() as many:
        scan.run(TODAY + dt.timedelta(days=1))
    selects = [s for s in many if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len([s for s in few if s.lstrip().upper().startswith("SELECT")])
