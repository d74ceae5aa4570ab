"""Shared set-up for the period report tests: three indicators with targets on the holder's project.

The Actors cohort is quarterly from 2025-01-01 to 2026-12-31; `T1` is its first period.
"""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.indicators.factories import IndicatorFactory, TargetFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.indicators.models import IndicatorKind, Unit
from tracker.periods import workflow
from tracker.periods.calendar import Period
from tracker.periods.entries import IndicatorEntry
from tracker.periods.models import Cell, IndicatorValue, PeriodReport

T1 = Period("2025-T1", dt.date(2025, 1, 1), dt.date(2025, 3, 31))
AFTER_T1 = dt.date(2025, 4, 10)


class Indicators:
    def __init__(self, project):
        self.revenue = IndicatorFactory(code="t_revenue", name_fr="Chiffre d'affaires", unit=Unit.MAD)
        self.jobs = IndicatorFactory(code="t_jobs", name_fr="Emplois créés", unit=Unit.COUNT, disaggregated=True)
        self.margin = IndicatorFactory(code="t_margin", name_fr="Marge brute", unit=Unit.PERCENT,
                                       kind=IndicatorKind.STOCK, allow_negative=True)
        for indicator in (self.revenue, self.jobs, self.margin):
            TargetFactory(project=project, indicator=indicator, target_value=Decimal(100))
        db.session.flush()


@pytest.fixture
def indicators(actors):
    return Indicators(actors.project)


def entries(ind: Indicators, revenue=None, jobs=None, margin=None, comments=None) -> dict[int, IndicatorEntry]:
    """Entries as the form gives them: every indicator present, blank cells as None."""
    comments = comments or {}
    jobs = jobs or {}
    return {
        ind.revenue.id: IndicatorEntry({Cell.TOTAL: _d(revenue)}, comments.get("revenue")),
        ind.jobs.id: IndicatorEntry({cell: _d(jobs.get(cell)) for cell in (
            Cell.WOMEN_YOUTH, Cell.WOMEN_OTHER, Cell.MEN_YOUTH, Cell.MEN_OTHER, Cell.NOT_STATED)},
            comments.get("jobs")),
        ind.margin.id: IndicatorEntry({Cell.TOTAL: _d(margin)}, comments.get("margin")),
    }


def _d(value):
    return None if value is None else Decimal(str(value))


def stored_values(report_id) -> dict:
    rows = db.session.execute(
        sa.select(IndicatorValue.indicator_id, IndicatorValue.cell, IndicatorValue.value, IndicatorValue.comment)
        .where(IndicatorValue.report_id == report_id)
    ).all()
    return {(i, c): (v.normalize(), comment) for i, c, v, comment in rows}


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.entity_type == "period_report"))


def state_of(report_id) -> tuple:
    """Everything a refused action must leave as it was, read back with SQL."""
    row = db.session.execute(
        sa.select(PeriodReport.status, PeriodReport.version, PeriodReport.review_comment,
                  PeriodReport.submitted_by_id, PeriodReport.reviewed_by_id, PeriodReport.highlights)
        .where(PeriodReport.id == report_id)
    ).one()
    return tuple(row), stored_values(report_id), audit_count()


def report_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PeriodReport))


NARRATIVE = {"highlights": "", "difficulties": "", "support_needed": None}


def save_t1(actors, ind: Indicators, report=None, submit=False, **values):
    """The holder saves (or submits) the T1 report with these values, through the workflow, and flushes."""
    report, _ = workflow.save_report(actors.holder, actors.project, T1, entries(ind, **values), NARRATIVE,
                                     "" if report is None else report.version, submit=submit, report=report,
                                     today=AFTER_T1)
    db.session.flush()
    return report

