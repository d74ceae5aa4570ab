"""DESIGN §4 edges, checked on the Python rules and on the SQL filters alike."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import MemberFactory, ProjectFactory
from tracker.extensions import db
from tracker.projects import flags
from tracker.projects.models import Project, Sex

REF = dt.date(2025, 12, 31)


def _sql(clause, project) -> bool:
    return db.session.scalar(sa.select(Project.id).where(Project.id == project.id, clause)) is not None


def _value(value, project) -> bool:
    """The per-row form of a rule, as a page's select list reads it."""
    return bool(db.session.scalar(sa.select(value).select_from(Project).where(Project.id == project.id)))


def _project(lead_sex=Sex.M, lead_share=None, lead_birth=dt.date(1980, 1, 1), others=()):
    project = ProjectFactory(lead__sex=lead_sex, lead__ownership_pct=lead_share, lead__birth_date=lead_birth)
    for sex, share in others:
        MemberFactory(project=project, sex=sex, ownership_pct=share)
    db.session.flush()
    db.session.refresh(project)
    return project


@pytest.mark.parametrize("lead_sex, lead_share, others, expected", [
    (Sex.F, None, (), True),  # the lead is a woman
    (Sex.M, Decimal("49"), [(Sex.F, Decimal("51"))], True),  # exactly 51 %
    (Sex.M, Decimal("40"), [(Sex.F, Decimal("30")), (Sex.F, Decimal("30"))], True),  # women together 60 %
    (Sex.M, Decimal("49.01"), [(Sex.F, Decimal("50.99"))], False),  # 50.99 %
    (Sex.M, Decimal("50"), [(Sex.F, Decimal("50"))], False),  # exactly 50 %
    (Sex.M, None, [(Sex.F, None), (Sex.F, None)], False),  # no ownership recorded
    (None, None, [(Sex.F, Decimal("40"))], False),  # lead's sex not stated
])
def test_women_led(lead_sex, lead_share, others, expected):
    project = _project(lead_sex, lead_share, others=others)
    assert flags.is_women_led(project.members) is expected
    assert _sql(flags.women_led_clause(), project) is expected
    assert _value(flags.women_led_value(), project) is expected


@pytest.mark.parametrize("birth, expected", [
    (dt.date(1991, 1, 1), True),  # 34 on the reference date
    (dt.date(1990, 12, 31), False),  # exactly 35 on the reference date
    (dt.date(1991, 12, 31), True),  # turns 34 on the reference date
    (dt.date(2010, 12, 31), True),  # turns 15 on the reference date
    (dt.date(2011, 1, 1), False),  # 14
    (None, False),  # no birth date: age unknown, never young
])
def test_youth_led(birth, expected):
    project = _project(lead_birth=birth)
    assert flags.is_youth_led(project.members, REF, 15, 34) is expected
    assert _sql(flags.youth_led_clause(REF, 15, 34), project) is expected
    assert _value(flags.youth_led_value(*flags.birth_date_range(REF, 15, 34)), project) is expected


@pytest.mark.parametrize("birth, ref, age", [
    (dt.date(2000, 2, 29), dt.date(2015, 2, 28), 14),
    (dt.date(2000, 2, 29), dt.date(2015, 3, 1), 15),
    (dt.date(1993, 2, 28), dt.date(2028, 2, 29), 35),
    (dt.date(1993, 3, 1), dt.date(2028, 2, 29), 34),
])
def test_age_on_leap_days_agrees_with_sql_bounds(birth, ref, age):
    assert flags.age_on(birth, ref) == age
    after, until = flags.birth_date_range(ref, 15, 34)
    assert (after < birth <= until) == flags.is_young(birth, ref, 15, 34)


def test_youth_bounds_come_from_configuration(app):
    app.config.update(YOUTH_MIN_AGE=18, YOUTH_MAX_AGE=29)
    try:
        project = _project(lead_birth=dt.date(1994, 6, 1))
        assert flags.project_flags(project, REF)["youth_led"] is False
    finally:
        app.config.update(YOUTH_MIN_AGE=15, YOUTH_MAX_AGE=34)
    assert flags.project_flags(project, REF)["youth_led"] is True
