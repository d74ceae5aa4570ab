"""The heavy sections of the cohort report from the grouped rows of `aggregates.py` (pure, no database).

Each function gives exactly what its namesake in `compute.py` gives from the raw rows — same keys, same
Decimal places, same None and zero cases — with a few rows per project at most as input. Amounts arrive in
whole cents and leave as Decimals with two places; an empty sum stays `Decimal(0)` as `sum([], Decimal(0))`
gives it. Indicator rules (DESIGN §12, `figures.compute_figures`): a project's flow figure is the Σ of its
period totals, its stock figure its latest period's total; additive units add the projects up, percentages
(`compute.NON_ADDITIVE_UNITS`) take the mean over the projects that report them, to the cent.

The stock figures come from `indicator_values`' change column: Σ over projects of (period total − the
project's previous total), period by period, adds up to Σ of each project's latest total as of any date.
"""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from tracker.indicators.figures import compute_progress
from tracker.indicators.models import IndicatorKind
from tracker.milestones.models import MilestoneCategory
from tracker.projects.models import ProjectStatus
from tracker.reports.compute import (
    CELLS,
    CENT,
    NON_ADDITIVE_UNITS,
    PEOPLE_KEYS,
    _code,
    _rate,
    completeness_rows,
    portfolio_counts,
    window_periods,
)


def decimal(cents) -> Decimal:
    """Whole cents as a Decimal with two places (1250 → Decimal("12.50"))."""
    return Decimal(int(cents)).scaleb(-2)


def _sum(cents, count: int) -> Decimal:
    """`sum(values, Decimal(0))`: Decimal(0) without values, else the exact sum with two places."""
    return decimal(cents or 0) if count else Decimal(0)


def _aggregate(cents, count: int, mean: bool) -> Decimal | None:
    """`compute._aggregate`: None without values, else the sum or the mean (to the cent, half up)."""
    if not count:
        return None
    total = decimal(cents or 0)
    return (total / count).quantize(CENT, rounding=ROUND_HALF_UP) if mean else total


# ---------------------------------------------------------------- 1. portfolio and 2. people

def portfolio(projects: pd.DataFrame, people_row) -> dict:
    """`compute.portfolio` from `aggregates.projects` and the women-led and youth-led counts of
    `aggregates.people`."""
    return portfolio_counts(projects, int(people_row.women_led), int(people_row.youth_led))


def people(people_row) -> dict:
    """`compute.people` from `aggregates.people` (one row)."""
    return {key: int(getattr(people_row, key)) for key in PEOPLE_KEYS}


# ---------------------------------------------------------------- 3. trainings

def trainings(sessions: list, participants) -> dict:
    """sessions: `aggregates.trainings` rows; participants: the one row of `aggregates.participants`."""
    recorded = sum(int(s.recorded) for s in sessions)
    present = sum(int(s.present) for s in sessions)
    return {
        "sessions": len(sessions),
        "hours": _sum(sum(int(s.duration_cents) for s in sessions), len(sessions)),
        "participants": int(participants.participants),
        "person_hours": _sum(sum(int(s.duration_cents) * int(s.present) for s in sessions), present),
        "attendance_rate": _rate(present, recorded),
        "participants_by_cell": {cell: int(getattr(participants, cell)) for cell in CELLS},
        "projects_with_business_plan_training": int(participants.business_plan_projects),
    }


# ---------------------------------------------------------------- 4. mentoring

def mentoring(rows: list, projects: pd.DataFrame) -> dict:
    """rows: `aggregates.mentoring` (one per project with sessions)."""
    per_project = {r.project_id: int(r.sessions) for r in rows if r.sessions}
    counts = [per_project.get(pid, 0) for pid in projects["id"]]
    recent = {r.project_id for r in rows if r.recent}
    active = [p.id for p in projects.itertuples(index=False) if p.status == ProjectStatus.ACTIVE]
    minutes = sum(int(r.minutes or 0) for r in rows)
    return {
        "sessions": sum(per_project.values()),
        "hours": (Decimal(minutes) / 60).quantize(Decimal("0.01")),
        "projects_mentored": len(per_project),
        "median_sessions_per_project": float(statistics.median(counts)) if counts else None,
        "projects_without_session_60d": sum(1 for pid in active if pid not in recent),
        "open_action_items": sum(int(r.open_items) for r in rows),
        "overdue_action_items": sum(int(r.overdue_items) for r in rows),
    }


# ---------------------------------------------------------------- 5. milestones

def milestones(rows: list) -> dict:
    """`compute.milestones` from `aggregates.milestones` (one row per category)."""
    by_category = {str(c): {"planned": 0, "achieved": 0} for c in MilestoneCategory}
    out = dict.fromkeys(("planned", "achieved", "achieved_on_time", "late", "dropped"), 0)
    for r in rows:
        for key in out:
            out[key] += int(getattr(r, key) or 0)
        category = by_category.setdefault(_code(r.category), {"planned": 0, "achieved": 0})
        category["planned"] += int(r.planned)
        category["achieved"] += int(r.achieved or 0)
    out["achievement_rate"] = _rate(out["achieved"], out["planned"] - out["dropped"])
    out["by_category"] = by_category
    return out


# ---------------------------------------------------------------- 6. indicators and trends

def _trend_columns(calendar: list[tuple[str, dt.date]], label_rows: list) -> list[tuple[str, dt.date]]:
    """`compute._trend_columns`: the calendar's periods, then the counted values' labels in the order the
    values were stored (their first id, `aggregates.value_labels`), one column per end date."""
    first_seen = {(r.period_label, r.period_end): r.first_id for r in label_rows}
    labels: dict[dt.date, list[str]] = defaultdict(list)
    for label, end in list(calendar) + sorted(first_seen, key=first_seen.get):
        if label not in labels[end]:
            labels[end].append(label)
    return [(" / ".join(labels[end]), end) for end in sorted(labels)]


def _cells(cell_rows: list, kind: IndicatorKind, mean: bool) -> dict:
    """cell_rows: `aggregates.indicator_values` (a period end per row, the five cells as columns)."""
    sums, counts = defaultdict(int), defaultdict(int)
    for r in cell_rows:
        for cell in CELLS:
            if kind == IndicatorKind.STOCK:
                sums[cell] += int(getattr(r, f"{cell}_latest_cents") or 0)
                counts[cell] += int(getattr(r, f"{cell}_latest_projects") or 0)
            else:
                sums[cell] += int(getattr(r, f"{cell}_cents") or 0)
                counts[cell] += int(getattr(r, f"{cell}_first") or 0)
    return {c: _aggregate(sums[c], counts[c], True) if mean else _sum(sums[c], counts[c]) for c in CELLS}


def _series(period_rows: list, kind: IndicatorKind, ends: list[dt.date], mean: bool) -> list[dict]:
    """Per column end: that period's value over the projects reporting it, and the cumulative figure."""
    by_end = {r.period_end: r for r in period_rows}
    out, running, projects = [], 0, 0
    for end in ends:
        row = by_end.get(end)
        if row is not None:
            running += int(row.change_cents if kind == IndicatorKind.STOCK else row.total_cents)
            projects += int(row.first)
        reporting = int(row.reporting) if row is not None else 0
        out.append({"value": _aggregate(row.total_cents if row is not None else 0, reporting, mean),
                    "cumulative": _aggregate(running, projects, mean), "projects_reporting": reporting})
    return out


@dataclass
class _Period:
    """An indicator's period end over the projects reporting it (the rows of its labels added up)."""

    period_end: dt.date
    total_cents: int = 0
    reporting: int = 0
    change_cents: int = 0
    first: int = 0


def _periods(value_rows: list) -> list[_Period]:
    by_end: dict[dt.date, _Period] = {}
    for r in value_rows:
        period = by_end.setdefault(r.period_end, _Period(r.period_end))
        period.total_cents += int(r.total_cents or 0)
        period.reporting += int(r.reporting or 0)
        period.change_cents += int(r.change_cents or 0)
        period.first += int(r.first or 0)
    return [by_end[end] for end in sorted(by_end)]


def indicators_and_trends(catalogue: list, value_rows: list, label_rows: list, cohorts: pd.DataFrame,
                          date_from: dt.date | None, ref: dt.date) -> tuple[list[dict], list[dict]]:
    """`compute.indicators_and_trends` from `aggregates.catalogue`, `aggregates.indicator_values` and
    `aggregates.value_labels`."""
    cells_of = defaultdict(list)
    for r in value_rows:
        cells_of[r.indicator_id].append(r)
    periods_of = {indicator: _periods(rows) for indicator, rows in cells_of.items()}
    columns = _trend_columns(window_periods(cohorts, date_from, ref), label_rows)
    ends = [end for _label, end in columns]
    indicators, trends = [], []
    reported = set(cells_of)
    for ind in sorted(catalogue, key=lambda i: (i.sort_order, i.code)):
        if not ind.targets and ind.id not in reported:
            continue
        mean = str(ind.unit) in NON_ADDITIVE_UNITS
        kind = IndicatorKind(ind.kind)
        baseline = _aggregate(ind.baseline_cents, ind.baselines or 0, mean)
        target = _aggregate(ind.target_cents, ind.goals or 0, mean)
        periods_of_ind = periods_of.get(ind.id, [])
        series = _series(periods_of_ind, kind, ends, mean)
        projects = sum(r.first for r in periods_of_ind)
        column = "change_cents" if kind == IndicatorKind.STOCK else "total_cents"
        actual = _aggregate(sum(getattr(r, column) for r in periods_of_ind), projects, mean)
        progress = compute_progress(baseline, target, actual)
        head = {"code": ind.code, "unit": str(ind.unit), "kind": str(ind.kind), "baseline": baseline,
                "target": target}
        indicators.append({
            **head,
            "actual": actual,
            "progress": float(progress) if progress is not None else None,
            "projects_reporting": projects,
            "cells": _cells(cells_of[ind.id], kind, mean) if ind.disaggregated else {},
        })
        periods = []
        for (label, end), row in zip(columns, series, strict=True):
            progress = compute_progress(baseline, target, row["cumulative"])
            periods.append({"period": label, "end": end, "value": row["value"], "cumulative": row["cumulative"],
                            "progress": float(progress) if progress is not None else None,
                            "projects_reporting": row["projects_reporting"]})
        trends.append({**head, "periods": periods})
    return indicators, trends


# ---------------------------------------------------------------- 7. completeness

def completeness(cohorts: pd.DataFrame, projects: pd.DataFrame, report_rows: list, date_from: dt.date | None,
                 ref: dt.date) -> list[dict]:
    """`compute.completeness` from `aggregates.reports` (per cohort × label, active projects only)."""
    active = Counter(p.cohort_id for p in projects.itertuples(index=False) if p.status == ProjectStatus.ACTIVE)
    counted = {(r.cohort_id, r.period_label): r for r in report_rows}

    def count(cohort_id: int, label: str) -> tuple[int, int, int]:
        found = counted.get((cohort_id, label))
        return active[cohort_id], (found.submitted if found else 0), (found.approved if found else 0)

    return completeness_rows(cohorts, date_from, ref, count)
