"""What the report form and the review page show beside a report's figures: the findings of the validation
rules (`tracker.periods.validation`), the plausibility bounds the form's script mirrors while the holder
types, and the project's earlier periods side by side with this one.

Two queries whatever the number of periods and indicators: the earlier reports with their values (one
outer join, light rows), and the size of the project's team. The cohort's forum date comes from the
project's cohort, which the pages load with the project.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.extensions import db
from tracker.indicators.models import Indicator
from tracker.periods.calendar import Period
from tracker.periods.entries import IndicatorEntry, cells_of
from tracker.periods.models import IndicatorValue, PeriodReport
from tracker.periods.validation import COMPARED_STATUSES, Earlier, Facts, Finding, Limit, check, limits
from tracker.periods.workflow import finding_field
from tracker.projects.models import Member, Project

PREVIOUS_COLUMNS = 3  # earlier periods shown beside this one: a year of quarterly reports fits a phone


def earlier_reports(project_id: int, before: dt.date) -> list[Earlier]:
    """The project's reports that ended before `before` and were submitted or approved, oldest first, with
    their figures (a report without figures is listed too: it is a period the project reported on)."""
    rows = db.session.execute(
        sa.select(PeriodReport.id, PeriodReport.period_label, PeriodReport.period_start, PeriodReport.period_end,
                  PeriodReport.status, IndicatorValue.indicator_id, IndicatorValue.cell, IndicatorValue.value)
        .outerjoin(IndicatorValue, IndicatorValue.report_id == PeriodReport.id)
        .where(PeriodReport.project_id == project_id, PeriodReport.period_end < before,
               PeriodReport.status.in_(COMPARED_STATUSES))
        .order_by(PeriodReport.period_end, PeriodReport.id)
    ).all()
    reports: dict[int, Earlier] = {}
    for report_id, label, start, end, status, indicator_id, cell, value in rows:
        report = reports.setdefault(report_id, Earlier(label, start, end, status))
        if indicator_id is not None:
            report.entries.setdefault(indicator_id, IndicatorEntry({})).cells[cell] = value
    return list(reports.values())


def team_size(project_id: int) -> int:
    """People on the project's team page (erased members still count: their row stays)."""
    return db.session.scalar(sa.select(sa.func.count(Member.id)).where(Member.project_id == project_id)) or 0


@dataclass
class ReportChecks:
    """The findings on one report's figures, with what the pages need to place and explain them."""

    findings: list[Finding]
    limits: list[Limit]
    earlier: list[Earlier] = field(default_factory=list)
    indicators: dict[int, Indicator] = field(default_factory=dict)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocks]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.blocks]

    @property
    def report_wide(self) -> list[Finding]:
        return [f for f in self.findings if f.indicator_id is None]

    def for_indicator(self, indicator_id: int) -> list[Finding]:
        return [f for f in self.findings if f.indicator_id == indicator_id]

    def limits_for(self, indicator_id: int) -> list[Limit]:
        return [limit for limit in self.limits if limit.indicator_id == indicator_id]

    def finding_for(self, limit: Limit) -> Finding | None:
        """The finding when the report's figures break this bound (shown before any script runs)."""
        return next((f for f in self.findings if f.code == limit.code and f.indicator_id == limit.indicator_id),
                    None)

    def indicator(self, finding: Finding) -> Indicator | None:
        return self.indicators.get(finding.indicator_id)

    @staticmethod
    def cells_of(indicator: Indicator):
        return cells_of(indicator)

    @property
    def columns(self) -> list[Earlier]:
        """The earlier periods shown beside this one, oldest first."""
        return self.earlier[-PREVIOUS_COLUMNS:]

    def previous(self, indicator_id: int) -> tuple[Earlier, IndicatorEntry] | None:
        """The latest earlier report holding a figure for this indicator, and its entry: what the form shows
        under each field ("previous period's value")."""
        for report in reversed(self.earlier):
            entry = report.entries.get(indicator_id)
            if entry is not None and entry.total is not None:
                return report, entry
        return None

    def field_errors(self) -> dict[str, str]:
        """{form field: message} of the blocking findings, for the report form."""
        return {name: f.message for f in self.blocking if (name := finding_field(f))}


def report_checks(project: Project, period: Period, indicators: list[Indicator],
                  entries: dict[int, IndicatorEntry]) -> ReportChecks:
    """Runs every rule on `entries` (typed or saved figures of `project` for `period`); two queries."""
    earlier = earlier_reports(project.id, period.start)
    facts = Facts(period=period, indicators=indicators, entries=entries, forum_date=project.cohort.forum_date,
                  team_size=team_size(project.id), earlier=earlier)
    return ReportChecks(check(facts), limits(facts), earlier, {i.id: i for i in indicators})
