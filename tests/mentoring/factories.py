"""Factories for mentoring sessions and action items (fictional data only); milestones are in tests/milestones."""

import datetime as dt

import factory

from tests.factories import Base, ProjectFactory, UserFactory
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode


class MentoringSessionFactory(Base):
    class Meta:
        model = MentoringSession

    project = factory.SubFactory(ProjectFactory)
    mentor = factory.SubFactory(UserFactory, role="staff")
    date = dt.date(2025, 3, 10)
    duration_minutes = 60
    mode = SessionMode.IN_PERSON
    topics = "Business plan, prix de vente"
    shared_summary = "Résumé partagé fictif : revoir les prix."
    staff_notes = "Note interne fictive : associés en désaccord."
    next_session_date = dt.date(2025, 4, 7)


class ActionItemFactory(Base):
    class Meta:
        model = ActionItem

    session = factory.SubFactory(MentoringSessionFactory)
    description = factory.Sequence(lambda n: f"Action fictive {n}")
    owner_kind = ActionOwner.PROJECT
    owner_user = None
    due_date = dt.date(2025, 4, 1)
    done_date = None
