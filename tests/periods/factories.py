"""Factories for indicators, targets, period reports and their values (fictional data only)."""

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import Base, ProjectFactory
from tracker.indicators.models import Indicator, IndicatorKind, Target, Unit
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportStatus


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
    active = True
    sort_order = factory.Sequence(lambda n: n)


class TargetFactory(Base):
    class Meta:
        model = Target

    project = factory.SubFactory(ProjectFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    baseline_value = Decimal(0)
    baseline_date = dt.date(2025, 1, 1)
    target_value = Decimal(100)
    target_date = dt.date(2026, 12, 31)


class PeriodReportFactory(Base):
    """A 2025-T1 report (the Actors cohort is quarterly from 2025-01-01)."""

    class Meta:
        model = PeriodReport

    project = factory.SubFactory(ProjectFactory)
    period_label = "2025-T1"
    period_start = dt.date(2025, 1, 1)
    period_end = dt.date(2025, 3, 31)
    status = ReportStatus.DRAFT
    highlights = "Premières ventes au marché hebdomadaire."


class IndicatorValueFactory(Base):
    class Meta:
        model = IndicatorValue

    report = factory.SubFactory(PeriodReportFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    cell = Cell.TOTAL
    value = Decimal(10)
