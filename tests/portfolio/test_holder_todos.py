"""The holder's home shows their to-dos first (issue 17), within a fixed number of statements."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import FROZEN_TODAY
from tests.factories import UserFactory
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tests.periods.factories import PeriodReportFactory
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, ActionOwner
from tracker.periods.models import ReportStatus

TODAY = FROZEN_TODAY
pytestmark = pytest.mark.usefixtures("frozen_today")
# Statements for the holder home, user loading and bell included, whatever the rows (14 before issue 20 loaded
# the holder's projects once).
HOME_BUDGET = 12


def _items(actors, n=3):
    mentor = UserFactory(role="staff", display_name="Karima Mentor")
    session = MentoringSessionFactory(project=actors.project, mentor=mentor, date=TODAY - dt.timedelta(days=40),
                                      next_session_date=TODAY + dt.timedelta(days=9))
    later = ActionItemFactory(session=session, description="Préparer le dossier de la banque",
                              due_date=TODAY + dt.timedelta(days=12))
    overdue = ActionItemFactory(session=session, description="Relancer le fournisseur",
                                due_date=TODAY - dt.timedelta(days=20))
    for k in range(n - 2):
        ActionItemFactory(session=session, description=f"Action en plus {k}", due_date=TODAY + dt.timedelta(days=30))
    ActionItemFactory(session=session, description="Tâche du mentor", owner_kind=ActionOwner.STAFF, owner_user=mentor)
    ActionItemFactory(session=session, description="Déjà faite", done_date=TODAY)
    other = MentoringSessionFactory(project=actors.other_project, mentor=mentor)
    ActionItemFactory(session=other, description="Action d'un autre projet", due_date=TODAY)
    db.session.commit()
    return overdue, later


def test_open_items_come_first_overdue_first_with_mentor_and_due_date(actors, login_as):
    overdue, later = _items(actors)
    page = login_as("holder").get("/").get_data(as_text=True)
    todo = page[page.index('id="todo"'):page.index('class="holder-project')]
    assert todo.index("Relancer le fournisseur") < todo.index("Préparer le dossier de la banque")
    assert "Karima Mentor" in todo and "en retard" in todo
    assert "Tâche du mentor" not in todo and "Déjà faite" not in todo and "Action d'un autre projet" not in page
    assert f'/sessions/action-items/{overdue.id}/done' in todo
    assert page.index('id="todo"') < page.index('class="holder-project')


def test_mark_done_in_one_tap(actors, login_as):
    overdue, _later = _items(actors)
    client = login_as("holder")
    response = client.post(f"/sessions/action-items/{overdue.id}/done", data={"next": "/#todo-items"})
    assert response.status_code == 302 and response.location == "/#todo-items"
    assert db.session.scalar(sa.select(ActionItem.done_date).where(ActionItem.id == overdue.id)) == TODAY
    assert "Relancer le fournisseur" not in client.get("/").get_data(as_text=True)


def test_next_session_and_latest_reviewer_comment(actors, login_as):
    _items(actors)
    PeriodReportFactory(project=actors.project, status=ReportStatus.APPROVED, reviewed_by=actors.staff,
                        reviewed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
                        review_comment="Beau trimestre, continuez ainsi.")
    PeriodReportFactory(project=actors.other_project, status=ReportStatus.RETURNED, reviewed_by=actors.staff,
                        reviewed_at=dt.datetime.now(dt.UTC), review_comment="Commentaire d'un autre projet")
    db.session.commit()
    page = login_as("holder").get("/").get_data(as_text=True)
    assert "Beau trimestre, continuez ainsi." in page and "Commentaire d'un autre projet" not in page
    session_card = page[page.index('id="next-session"'):page.index('id="latest-review"')]
    assert "Karima Mentor" in session_card


def test_holder_home_stays_within_its_budget(actors, login_as, count_queries):
    client = login_as("holder")
    _items(actors, 3)
    MilestoneFactory(project=actors.project, planned_date=TODAY - dt.timedelta(days=2))
    client.get("/")
    with count_queries() as few:
        assert client.get("/").status_code == 200
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff, date=TODAY - dt.timedelta(days=5))
    for k in range(25):
        ActionItemFactory(session=session, description=f"Encore {k}", due_date=TODAY + dt.timedelta(days=k))
        MilestoneFactory(project=actors.project, planned_date=TODAY + dt.timedelta(days=k % 20))
    PeriodReportFactory(project=actors.project, status=ReportStatus.RETURNED, reviewed_by=actors.staff,
                        reviewed_at=dt.datetime.now(dt.UTC), review_comment="À corriger")
    db.session.commit()
    with count_queries() as many:
        page = client.get("/")
    assert page.status_code == 200 and "Encore 24" in page.get_data(as_text=True)
    assert len(many) == len(few), (len(few), len(many))
    assert len(many) <= HOME_BUDGET, len(many)
