import datetime as dt

from tests.factories import MemberFactory, ProjectFactory, UserFactory
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode
from tracker.milestones.models import Milestone, MilestoneCategory, MilestoneStatus
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.projects.timeline import timeline, upcoming
from tracker.trainings.models import Attendance, Topic, Training

TODAY = dt.date(2025, 10, 15)


def build_history(project, mentor, sessions=3):
    member = project.members[0]
    absent = MemberFactory(project=project)
    training = Training(title="Business plan", topic=Topic.BUSINESS_PLAN, date=dt.date(2025, 2, 1), duration_hours=6)
    training.attendances = [Attendance(member=member, present=True), Attendance(member=absent, present=False)]
    skipped = Training(title="Marketing", topic=Topic.MARKETING, date=dt.date(2025, 2, 8), duration_hours=3)
    skipped.attendances = [Attendance(member=member, present=False)]
    db.session.add_all([training, skipped])
    for i in range(sessions):
        s = MentoringSession(project=project, mentor=mentor, date=dt.date(2025, 3, 1) + dt.timedelta(days=7 * i),
                             duration_minutes=60, mode=SessionMode.VIDEO, shared_summary=f"Résumé {i}",
                             staff_notes=f"Note interne {i}")
        s.action_items = [ActionItem(description=f"Action {i}", owner_kind=ActionOwner.PROJECT,
                                     done_date=dt.date(2025, 4, 1) if i == 0 else None)]
        db.session.add(s)
    db.session.add_all([
        Milestone(project=project, title="Premier client", category=MilestoneCategory.FIRST_SALE,
                  planned_date=dt.date(2025, 5, 1), status=MilestoneStatus.ACHIEVED,
                  achieved_date=dt.date(2025, 4, 20)),
        Milestone(project=project, title="Certification", category=MilestoneCategory.CERTIFICATION,
                  planned_date=dt.date(2026, 1, 1)),
        PeriodReport(project=project, period_label="2025-T2", period_start=dt.date(2025, 4, 1),
                     period_end=dt.date(2025, 6, 30), status=ReportStatus.APPROVED),
    ])
    db.session.flush()


def test_one_stream_newest_first_without_future_events():
    project, mentor = ProjectFactory(), UserFactory(role="staff")
    build_history(project, mentor)
    stream = timeline(project.id, TODAY)
    kinds = [(e.date, e.kind) for e in stream.events]
    assert kinds == [
        (dt.date(2025, 6, 30), "report"),
        (dt.date(2025, 4, 20), "milestone"),
        (dt.date(2025, 4, 1), "action_done"),
        (dt.date(2025, 3, 15), "session"),
        (dt.date(2025, 3, 8), "session"),
        (dt.date(2025, 3, 1), "session"),
        (dt.date(2025, 2, 1), "training"),  # the marketing training was missed: not in the stream
    ]
    assert stream.events[-1].extra == [project.members[0].full_name]
    soon = upcoming(project.id, TODAY)
    assert [m.title for m in soon["milestones"]] == ["Certification"]


# count + page keys + one load per kind (5) + mentors and action items of sessions (2) + training attendees (1)
TIMELINE_QUERY_BUDGET = 10


def test_timeline_pages_within_a_fixed_query_budget_whatever_the_history(count_queries):
    small, big, mentor = ProjectFactory(), ProjectFactory(), UserFactory(role="staff")
    build_history(small, mentor, sessions=2)
    build_history(big, mentor, sessions=40)
    with count_queries() as few:
        timeline(small.id, TODAY)
    with count_queries() as many:
        page = timeline(big.id, TODAY, page=2, per_page=20)
    assert len(few) <= TIMELINE_QUERY_BUDGET and len(many) <= TIMELINE_QUERY_BUDGET
    # 33 of the 40 sessions are on or before TODAY, plus a training, a done item, a milestone, a report
    assert (page.total, page.pages, len(page.events)) == (37, 2, 17)


def test_holder_sees_summary_but_never_staff_notes_on_the_project_page(actors, login_as):
    build_history(actors.project, actors.staff)
    holder_page = login_as("holder").get(f"/projects/{actors.project.id}").get_data(as_text=True)
    staff_page = login_as("staff").get(f"/projects/{actors.project.id}").get_data(as_text=True)
    assert "Résumé 1" in holder_page and "Note interne" not in holder_page
    assert "Note interne 1" in staff_page
