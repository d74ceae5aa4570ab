import datetime as dt
from decimal import Decimal

from tests.conftest import PASSWORD
from tests.factories import CohortFactory, ProjectFactory, UserFactory
from tracker.extensions import db
from tracker.indicators.catalogue import ensure_default_catalogue
from tracker.indicators.models import Indicator, Target
from tracker.mentoring.models import MentoringSession, SessionMode
from tracker.milestones.models import Milestone, MilestoneCategory
from tracker.periods.models import IndicatorValue, PeriodReport, ReportStatus
from tracker.trainings.models import Attendance, Topic, Training


def test_holder_with_overdue_reports_lands_on_them(client, actors):
    # The factory cohort runs from 2025-01-01 with quarterly reports: several have ended with none sent.
    response = client.post("/login", data={"email": actors.holder.email, "password": PASSWORD})
    assert response.location == "/#reports-due"
    page = client.get("/").get_data(as_text=True)
    assert "rapports de période vous attendent" in page
    assert 'id="reports-due"' in page and "2025-T1" in page


def test_holder_with_nothing_due_goes_home_or_to_next(client):
    project = ProjectFactory(cohort=CohortFactory(start_date=None, end_date=None))
    holder = UserFactory(role="holder", projects=[project])
    response = client.post("/login?next=/projects/", data={"email": holder.email, "password": PASSWORD})
    assert response.location == "/projects/"


def test_holder_home_shows_milestones_summaries_trainings_and_progress(actors, login_as):
    project, today = actors.project, dt.date.today()
    db.session.add(Milestone(project=project, title="Obtenir le label bio", category=MilestoneCategory.CERTIFICATION,
                             planned_date=today - dt.timedelta(days=3)))
    db.session.add(MentoringSession(project=project, mentor=actors.staff, date=today, duration_minutes=30,
                                    mode=SessionMode.PHONE, shared_summary="Résumé visible du porteur",
                                    staff_notes="Remarque interne confidentielle"))
    training = Training(title="Atelier prix de revient", topic=Topic.FINANCE, date=today, duration_hours=3)
    training.attendances = [Attendance(member=project.members[0], present=True)]
    db.session.add(training)
    ensure_default_catalogue()
    revenue = db.session.scalar(db.select(Indicator).where(Indicator.code == "revenue"))
    db.session.add(Target(project=project, indicator=revenue, baseline_value=Decimal(0), target_value=Decimal(1000)))
    report = PeriodReport(project=project, period_label="2025-T1", period_start=dt.date(2025, 1, 1),
                          period_end=dt.date(2025, 3, 31), status=ReportStatus.APPROVED)
    report.values = [IndicatorValue(indicator=revenue, value=Decimal(250))]
    db.session.add(report)
    db.session.flush()

    page = login_as("holder").get("/").get_data(as_text=True)
    assert "Obtenir le label bio" in page and "en retard" in page
    assert "Résumé visible du porteur" in page and "Remarque interne confidentielle" not in page
    assert "Atelier prix de revient" in page
    assert 'value="25"' in page  # 250 of a 1,000 MAD target
    assert actors.other_project.name not in page
