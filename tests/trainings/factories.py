"""Factories for trainings and attendance (kept here: tests/factories.py belongs to the foundation)."""

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import Base, CohortFactory
from tracker.trainings.models import Attendance, Topic, Training, TrainingMode


class TrainingFactory(Base):
    class Meta:
        model = Training

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Formation fictive {n}")
    topic = Topic.BUSINESS_PLAN
    date = dt.date(2025, 3, 12)
    duration_hours = Decimal("3")
    trainer = "Formatrice Fictive"
    place = "Espace incubateur, Safi"
    mode = TrainingMode.IN_PERSON


class AttendanceFactory(Base):
    class Meta:
        model = Attendance

    training = factory.SubFactory(TrainingFactory)
    member = None
    present = True
