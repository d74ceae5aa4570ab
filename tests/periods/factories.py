"""Factories for period reports and their values (fictional data only); indicators are in tests/indicators."""

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import Base, ProjectFactory
from tests.indicators.factories import IndicatorFactory
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportStatus


class PeriodReportFactory(Base):
    """A 2025-T1 draft (the Actors cohort is quarterly from 2025-01-01); a second report of the same project
    needs its own `period_label`."""

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
