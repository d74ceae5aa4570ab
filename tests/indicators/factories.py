"""Factories for indicators and targets (fictional data only); the reported values are in tests/periods."""

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import Base, ProjectFactory
from tracker.indicators.models import Indicator, IndicatorKind, Target, Unit


class IndicatorFactory(Base):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"test_indicator_{n}")
    name_fr = factory.Sequence(lambda n: f"Indicateur fictif {n}")
    name_ar = factory.Sequence(lambda n: f"مؤشر تجريبي {n}")
    name_en = factory.Sequence(lambda n: f"Test indicator {n}")
    unit = Unit.COUNT
    kind = IndicatorKind.FLOW
    disaggregated = False
    allow_negative = False
    iris_ref = None
    active = True
    sort_order = factory.Sequence(lambda n: 1000 + n)


class TargetFactory(Base):
    class Meta:
        model = Target

    project = factory.SubFactory(ProjectFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    baseline_value = Decimal("0")
    baseline_date = dt.date(2025, 1, 1)
    target_value = Decimal("10")
    target_date = dt.date(2026, 12, 31)
