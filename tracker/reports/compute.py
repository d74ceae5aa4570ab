"""The figures of the cohort report (DESIGN §6, definitions §12): pure functions DataFrame → dict.

No Flask, no database: `queries.py` fetches the rows, these functions reduce them, and the tests feed
them hand-built frames. Frames are built with `frames.frame()` (object columns) so Decimals, dates and None
survive untouched. Conventions of the output:
- counts are int; amounts (hours, indicator figures) are Decimal — `services.report_json` writes them
  as JSON strings ("12.50") so no precision is lost; rates are float in [0, 1], None when the
  denominator is 0; `progress` and the median are floats (progress is not capped);
- the window is [date_from, ref] both ends included, where ref is the reference date (`to`, else
  today); date_from None means no lower bound;
- enum-keyed maps (by_sector, by_status, by_stage, by_category, cells) list every code, zeros included,
  so keys are stable; a missing optional value (stage, province) is counted under "unknown".
Youth and women-led rules are those of `tracker.projects.flags` (called, not re-derived).
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from tracker.cohorts.models import Frequency
from tracker.indicators.figures import compute_figures, compute_progress, period_cells, period_total
from tracker.indicators.models import IndicatorKind
from tracker.milestones.models import MilestoneCategory, MilestoneStatus
from tracker.periods.calendar import periods_between
from tracker.periods.models import DISAGGREGATED_CELLS, Cell, ReportStatus
from tracker.projects.flags import is_women_led, is_young, is_youth_led
from tracker.projects.models import ProjectStatus, Sector, Sex, Stage
from tracker.trainings.models import Topic

CELLS = tuple(str(c) for c in DISAGGREGATED_CELLS)
UNKNOWN = "unknown"
PEOPLE_KEYS = ("members", "women", "men", "sex_not_stated", "youth", "young_women", "age_unknown", "leads_women",
               "leads_men")
NO_SESSION_DAYS = 60
EVER_SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED)
NON_ADDITIVE_UNITS = ("percent",)  # units whose projects' figures are averaged, never added (DESIGN §12)
CENT = Decimal("0.01")


def _where(df: pd.DataFrame, mask) -> pd.DataFrame:
    """Rows where `mask` (a list of booleans) holds; safe on empty frames, unlike df[list]."""
    return df.loc[pd.Series(list(mask), index=df.index, dtype=bool)]


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _in_window(day: dt.date | None, date_from: dt.date | None, ref: dt.date) -> bool:
    return day is not None and (date_from is None or day >= date_from) and day <= ref


def _code(value) -> str:
    return UNKNOWN if value is None else str(value)


def _counts(values, codes) -> dict[str, int]:
    out = {str(c): 0 for c in codes}
    for v in values:
        key = _code(v)
        out[key] = out.get(key, 0) + 1
    return out


def cell_of(sex, birth_date, ref: dt.date, min_age: int, max_age: int) -> str:
    """A person's disaggregation cell on `ref`; sex not stated wins, age unknown is never youth."""
    if sex is None or sex not in (Sex.F, Sex.M):
        return "not_stated"
    young = is_young(birth_date, ref, min_age, max_age)
    return f"{'women' if sex == Sex.F else 'men'}_{'youth' if young else 'other'}"


# ---------------------------------------------------------------- 1. portfolio

def portfolio(projects: pd.DataFrame, members: pd.DataFrame, ref: dt.date, min_age: int, max_age: int) -> dict:
    """projects: id, sector, status, stage, province. members: project_id, sex, birth_date, is_lead,
    ownership_pct. Women-led and youth-led as `flags.is_women_led` / `is_youth_led` on `ref`."""
    by_project = defaultdict(list)
    for m in members.itertuples(index=False):
        by_project[m.project_id].append(m)
    women_led = sum(1 for pid in projects["id"] if is_women_led(by_project[pid]))
    youth_led = sum(1 for pid in projects["id"] if is_youth_led(by_project[pid], ref, min_age, max_age))
    return portfolio_counts(projects, women_led, youth_led)


def portfolio_counts(projects: pd.DataFrame, women_led: int, youth_led: int) -> dict:
    """The portfolio section from the projects (id, sector, status, stage, province) and the two led counts."""
    provinces = sorted({_code(p) for p in projects["province"]})
    return {
        "projects": len(projects),
        "by_sector": _counts(projects["sector"], Sector),
        "by_status": _counts(projects["status"], ProjectStatus),
        "by_stage": _counts(projects["stage"], Stage),
        "by_province": _counts(projects["province"], provinces),
        "women_led": women_led,
        "youth_led": youth_led,
    }


# ---------------------------------------------------------------- 2. people

def people(members: pd.DataFrame, ref: dt.date, min_age: int, max_age: int) -> dict:
    """Team memberships of the selected projects; youth on `ref`; no birth date → age_unknown."""
    out = dict.fromkeys(PEOPLE_KEYS, 0)
    for m in members.itertuples(index=False):
        young = is_young(m.birth_date, ref, min_age, max_age)
        out["members"] += 1
        out["women"] += m.sex == Sex.F
        out["men"] += m.sex == Sex.M
        out["sex_not_stated"] += m.sex not in (Sex.F, Sex.M)
        out["youth"] += young
        out["young_women"] += young and m.sex == Sex.F
        out["age_unknown"] += m.birth_date is None
        out["leads_women"] += bool(m.is_lead) and m.sex == Sex.F
        out["leads_men"] += bool(m.is_lead) and m.sex == Sex.M
    return {k: int(v) for k, v in out.items()}


# ---------------------------------------------------------------- 3. trainings

def trainings(rows: pd.DataFrame, members: pd.DataFrame, date_from: dt.date | None, ref: dt.date,
              min_age: int, max_age: int) -> dict:
    """rows: training_id, date, duration_hours, topic, member_id, project_id, present (one row per
    attendance; attendance columns None for a training without any). Only trainings inside the window."""
    rows = _where(rows, (_in_window(d, date_from, ref) for d in rows["date"]))
    sessions = rows.drop_duplicates("training_id")
    recorded = _where(rows, (m is not None for m in rows["member_id"]))
    present = _where(recorded, (bool(p) for p in recorded["present"]))
    participants = set(present["member_id"])
    person_by_id = {m.id: m for m in members.itertuples(index=False)}
    by_cell = dict.fromkeys(CELLS, 0)
    for member_id in participants:
        m = person_by_id[member_id]
        by_cell[cell_of(m.sex, m.birth_date, ref, min_age, max_age)] += 1
    bp_projects = {a.project_id for a in present.itertuples(index=False) if a.topic == Topic.BUSINESS_PLAN}
    return {
        "sessions": len(sessions),
        "hours": sum(sessions["duration_hours"], Decimal(0)),
        "participants": len(participants),
        "person_hours": sum(present["duration_hours"], Decimal(0)),
        "attendance_rate": _rate(len(present), len(recorded)),
        "participants_by_cell": by_cell,
        "projects_with_business_plan_training": len(bp_projects),
    }


# ---------------------------------------------------------------- 4. mentoring

def mentoring(rows: pd.DataFrame, projects: pd.DataFrame, date_from: dt.date | None, ref: dt.date) -> dict:
    """rows: session_id, project_id, date, duration_minutes, item_id, due_date, done_date (one row per
    action item; item columns None for a session without items).

    Sessions, hours and projects mentored count sessions inside the window. The median of sessions
    per project is taken over every selected project (zeros included; None without projects).
    Action items are counted as they stood on `ref`: from sessions held on or before it, open when not
    done on or before it, overdue when also due before it."""
    sessions = rows.drop_duplicates("session_id")
    window = _where(sessions, (_in_window(d, date_from, ref) for d in sessions["date"]))
    per_project: dict[int, int] = defaultdict(int)
    for pid in window["project_id"]:
        per_project[pid] += 1
    counts = [int(per_project.get(pid, 0)) for pid in projects["id"]]
    recent_from = ref - dt.timedelta(days=NO_SESSION_DAYS)
    recent = {s.project_id for s in sessions.itertuples(index=False) if recent_from <= s.date <= ref}
    active = [p.id for p in projects.itertuples(index=False) if p.status == ProjectStatus.ACTIVE]
    items = _where(rows, (i is not None and d <= ref for i, d in zip(rows["item_id"], rows["date"], strict=True)))
    open_items = _where(items, (done is None or done > ref for done in items["done_date"]))
    overdue = [due for due in open_items["due_date"] if due is not None and due < ref]
    minutes = sum(int(m) for m in window["duration_minutes"])
    return {
        "sessions": len(window),
        "hours": (Decimal(minutes) / 60).quantize(Decimal("0.01")),
        "projects_mentored": len(per_project),
        "median_sessions_per_project": float(statistics.median(counts)) if counts else None,
        "projects_without_session_60d": sum(1 for pid in active if pid not in recent),
        "open_action_items": len(open_items),
        "overdue_action_items": len(overdue),
    }


# ---------------------------------------------------------------- 5. milestones

def milestones(rows: pd.DataFrame, date_from: dt.date | None, ref: dt.date) -> dict:
    """rows: id, project_id, category, planned_date, status, achieved_date.

    Counted: milestones planned on or before `ref`, plus those achieved inside the window. Achieved =
    status achieved (with its date, when known, on or before `ref`); on time = achieved on or before the
    planned date; late = `Milestone.is_late(ref)` (neither achieved nor dropped, planned before ref)."""
    by_category = {str(c): {"planned": 0, "achieved": 0} for c in MilestoneCategory}
    out = dict.fromkeys(("planned", "achieved", "achieved_on_time", "late", "dropped"), 0)
    for m in rows.itertuples(index=False):
        achieved_in_window = m.status == MilestoneStatus.ACHIEVED and _in_window(m.achieved_date, date_from, ref)
        if not (m.planned_date <= ref or achieved_in_window):
            continue
        achieved = m.status == MilestoneStatus.ACHIEVED and (m.achieved_date is None or m.achieved_date <= ref)
        out["planned"] += 1
        out["achieved"] += achieved
        out["achieved_on_time"] += achieved and m.achieved_date is not None and m.achieved_date <= m.planned_date
        out["late"] += m.status not in (MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED) and m.planned_date < ref
        out["dropped"] += m.status == MilestoneStatus.DROPPED
        category = by_category.setdefault(_code(m.category), {"planned": 0, "achieved": 0})
        category["planned"] += 1
        category["achieved"] += achieved
    out = {k: int(v) for k, v in out.items()}
    out["achievement_rate"] = _rate(out["achieved"], out["planned"] - out["dropped"])
    out["by_category"] = by_category
    return out


# ---------------------------------------------------------------- 6. indicators

def _mean(values: list[Decimal]) -> Decimal | None:
    """The mean of non-additive figures, to the cent (half away from zero), None without values."""
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def _aggregate(values: list[Decimal], mean: bool) -> Decimal | None:
    """Sum (amounts, counts) or mean (percentages) of the projects' figures; None without any."""
    if not values:
        return None
    return _mean(values) if mean else sum(values, Decimal(0))


def _counted(values: pd.DataFrame, date_from: dt.date | None, ref: dt.date, include_submitted: bool):
    statuses = {ReportStatus.APPROVED} | ({ReportStatus.SUBMITTED} if include_submitted else set())
    return _where(values, (s in statuses and _in_window(e, date_from, ref)
                           for s, e in zip(values["status"], values["period_end"], strict=True)))


def _pairs(counted: pd.DataFrame) -> dict[int, dict[int, list]]:
    """indicator id → project id → [(period_end, cell, value)], so each pair is visited once."""
    out: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for v in counted.itertuples(index=False):
        out[v.indicator_id][v.project_id].append((v.period_end, v.cell, v.value))
    return out


def _targets_of(targets: pd.DataFrame) -> dict[int, tuple[list, list]]:
    """indicator id → (baselines set, target values set) over the selected projects, in one pass."""
    out: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for iid, baseline, goal in zip(targets["indicator_id"], targets["baseline_value"], targets["target_value"],
                                   strict=True):
        baselines, goals = out[iid]
        if baseline is not None:
            baselines.append(baseline)
        if goal is not None:
            goals.append(goal)
    return out


def _goals(by_indicator: dict, indicator_id: int, mean: bool) -> tuple[Decimal | None, Decimal | None]:
    baselines, goals = by_indicator.get(indicator_id, ([], []))
    return _aggregate(baselines, mean), _aggregate(goals, mean)


def indicators(catalogue: pd.DataFrame, targets: pd.DataFrame, values: pd.DataFrame,
               date_from: dt.date | None, ref: dt.date, include_submitted: bool = False) -> list[dict]:
    """catalogue: id, code, unit, kind, disaggregated, sort_order. targets: project_id, indicator_id,
    baseline_value, target_value. values: project_id, indicator_id, period_end, status, cell, value
    (period_label may be there too).

    Counted values: approved reports (plus submitted ones when `include_submitted`) of periods ending
    inside the window. Each project's figure is `figures.compute_figures` (flow: sum over periods;
    stock: latest period). Additive units (count, MAD, hours): actual, baseline, target and cells are
    Σ over projects (None when no target has a baseline / target). Non-additive units (percent,
    `NON_ADDITIVE_UNITS`): the mean over the projects that report them (targets: over the projects that
    have one), to the cent. `projects_reporting` = projects with a counted value. Listed: indicators with
    a target or a counted value, in catalogue order."""
    return _indicators(catalogue, _prepare(targets, values, date_from, ref, include_submitted))


@dataclass
class _Prepared:
    """What the indicators and the trends both read: counted values, by indicator and project; targets."""

    counted: pd.DataFrame
    per_pair: dict
    goals_of: dict
    wanted: set


def _prepare(targets, values, date_from, ref, include_submitted) -> _Prepared:
    counted = _counted(values, date_from, ref, include_submitted)
    per_pair = _pairs(counted)
    return _Prepared(counted, per_pair, _targets_of(targets), set(targets["indicator_id"]) | set(per_pair))


def indicators_and_trends(catalogue: pd.DataFrame, targets: pd.DataFrame, values: pd.DataFrame,
                          cohorts: pd.DataFrame, date_from: dt.date | None, ref: dt.date,
                          include_submitted: bool = False) -> tuple[list[dict], list[dict]]:
    """`indicators` and `trends` at once, reading the values a single time."""
    prepared = _prepare(targets, values, date_from, ref, include_submitted)
    return _indicators(catalogue, prepared), _trends(catalogue, cohorts, prepared, date_from, ref)


def _indicators(catalogue: pd.DataFrame, prepared: _Prepared) -> list[dict]:
    per_pair, goals_of, wanted = prepared.per_pair, prepared.goals_of, prepared.wanted
    out = []
    for ind in catalogue.sort_values(["sort_order", "code"], kind="stable").itertuples(index=False):
        if ind.id not in wanted:
            continue
        mean = str(ind.unit) in NON_ADDITIVE_UNITS
        baseline, target = _goals(goals_of, ind.id, mean)
        totals, cells = [], defaultdict(list)
        for vals in per_pair.get(ind.id, {}).values():
            figures = compute_figures(IndicatorKind(ind.kind), vals)
            if figures.total is not None:
                totals.append(figures.total)
            for cell, value in figures.cells.items():
                cells[str(Cell(cell))].append(value)
        actual = _aggregate(totals, mean)
        progress = compute_progress(baseline, target, actual)
        out.append({
            "code": ind.code,
            "unit": str(ind.unit),
            "kind": str(ind.kind),
            "baseline": baseline,
            "target": target,
            "actual": actual,
            "progress": float(progress) if progress is not None else None,
            "projects_reporting": len(totals),
            "cells": ({c: _aggregate(cells[c], mean) if mean else sum(cells[c], Decimal(0)) for c in CELLS}
                      if ind.disaggregated else {}),
        })
    return out


# ---------------------------------------------------------------- 6b. trends

def window_periods(cohorts: pd.DataFrame, date_from: dt.date | None, ref: dt.date) -> list[tuple[str, dt.date]]:
    """(label, end) of every period of each cohort's frequency that ends inside the window, by end."""
    found: dict[str, dt.date] = {}
    for c in cohorts.itertuples(index=False):
        if c.start_date is None or c.end_date is None:
            continue
        for period in periods_between(Frequency(c.reporting_frequency), c.start_date, c.end_date):
            if _in_window(period.end, date_from, ref):
                found.setdefault(period.label, period.end)
    return sorted(found.items(), key=lambda item: (item[1], item[0]))


def _trend_columns(calendar: list[tuple[str, dt.date]], counted: pd.DataFrame) -> list[tuple[str, dt.date]]:
    """The periods of the trends: the cohorts' calendar in the window plus any period a counted value
    belongs to, one column per end date (labels sharing an end are joined, "2025-03 / 2025-T1")."""
    labels: dict[dt.date, list[str]] = defaultdict(list)
    pairs = list(calendar)
    if "period_label" in counted.columns:
        pairs += list(zip(counted["period_label"], counted["period_end"], strict=True))
    else:
        pairs += [(e.isoformat(), e) for e in counted["period_end"]]
    for label, end in pairs:
        if label not in labels[end]:
            labels[end].append(label)
    return [(" / ".join(labels[end]), end) for end in sorted(labels)]


def _project_series(vals: list) -> list[tuple[dt.date, Decimal]]:
    """One project's (period end, period total) by end, each period reduced alone by the rules of
    `figures.compute_figures` (the five cells when any is there, else the total cell)."""
    by_end = period_cells(vals)
    return [(end, period_total(by_end[end])) for end in sorted(by_end)]


def _indicator_trend(kind: IndicatorKind, series: list[list], columns: list[dt.date], mean: bool) -> list[dict]:
    """For each column end: the value of that period (Σ, or mean, over the projects reporting it) and the
    cumulative figure as of its end (each project's flow sum / latest stock, then Σ or mean)."""
    rows = []
    position = [0] * len(series)
    running = [None] * len(series)  # each project's figure as of the current column
    for end in columns:
        in_period = []
        for i, points in enumerate(series):
            while position[i] < len(points) and points[position[i]][0] <= end:
                point_end, total = points[position[i]]
                position[i] += 1
                if kind == IndicatorKind.FLOW:
                    running[i] = (running[i] or Decimal(0)) + total
                else:
                    running[i] = total
                if point_end == end:
                    in_period.append(total)
        rows.append({
            "value": _aggregate(in_period, mean),
            "cumulative": _aggregate([r for r in running if r is not None], mean),
            "projects_reporting": len(in_period),
        })
    return rows


def trends(catalogue: pd.DataFrame, targets: pd.DataFrame, values: pd.DataFrame, cohorts: pd.DataFrame,
           date_from: dt.date | None, ref: dt.date, include_submitted: bool = False) -> list[dict]:
    """Each listed indicator (same list and order as `indicators`) period by period.

    Periods: `window_periods` of the cohorts plus those of the counted values, by end. For each:
    `value` = the figures reported for that period alone (Σ over projects, or mean for non-additive
    units); `cumulative` = the indicator's actual as of the period's end (same rules as `indicators`
    with the window cut there, so the last row equals the report's actual); `progress` = (cumulative −
    baseline) / (target − baseline) with the indicator's baseline and target; `projects_reporting` = the
    projects that reported that period."""
    return _trends(catalogue, cohorts, _prepare(targets, values, date_from, ref, include_submitted), date_from, ref)


def _trends(catalogue: pd.DataFrame, cohorts: pd.DataFrame, prepared: _Prepared, date_from: dt.date | None,
            ref: dt.date) -> list[dict]:
    columns = _trend_columns(window_periods(cohorts, date_from, ref), prepared.counted)
    per_pair, goals_of, wanted = prepared.per_pair, prepared.goals_of, prepared.wanted
    out = []
    for ind in catalogue.sort_values(["sort_order", "code"], kind="stable").itertuples(index=False):
        if ind.id not in wanted:
            continue
        mean = str(ind.unit) in NON_ADDITIVE_UNITS
        baseline, target = _goals(goals_of, ind.id, mean)
        kind = IndicatorKind(ind.kind)
        series = [_project_series(vals) for vals in per_pair.get(ind.id, {}).values()]
        rows = _indicator_trend(kind, series, [end for _label, end in columns], mean)
        periods = []
        for (label, end), row in zip(columns, rows, strict=True):
            progress = compute_progress(baseline, target, row["cumulative"])
            periods.append({"period": label, "end": end, "value": row["value"], "cumulative": row["cumulative"],
                            "progress": float(progress) if progress is not None else None,
                            "projects_reporting": row["projects_reporting"]})
        out.append({"code": ind.code, "unit": str(ind.unit), "kind": str(ind.kind), "baseline": baseline,
                    "target": target, "periods": periods})
    return out


# ---------------------------------------------------------------- 7. completeness

def completeness(cohorts: pd.DataFrame, projects: pd.DataFrame, reports: pd.DataFrame,
                 date_from: dt.date | None, ref: dt.date) -> list[dict]:
    """cohorts: id, start_date, end_date, reporting_frequency. projects: id, cohort_id, status.
    reports: project_id, period_label, status, submitted_at.

    Periods: every period of each cohort's frequency (`periods.calendar.periods_between`) that ends
    inside the window. Owed = the cohort's active projects (DESIGN §5); submitted = those of them whose
    report was ever submitted (submitted_at set, or status submitted/approved/returned); approved = those
    whose report is approved. Cohorts sharing a label (same frequency) are added up; rows by period end."""
    active = defaultdict(set)
    for p in projects.itertuples(index=False):
        if p.status == ProjectStatus.ACTIVE:
            active[p.cohort_id].add(p.id)
    status_of = {(r.project_id, r.period_label): r for r in reports.itertuples(index=False)}

    def count(cohort_id: int, label: str) -> tuple[int, int, int]:
        found = [status_of.get((pid, label)) for pid in active[cohort_id]]
        found = [r for r in found if r is not None]
        return (len(active[cohort_id]),
                sum(r.submitted_at is not None or r.status in EVER_SUBMITTED for r in found),
                sum(r.status == ReportStatus.APPROVED for r in found))

    return completeness_rows(cohorts, date_from, ref, count)


def completeness_rows(cohorts: pd.DataFrame, date_from: dt.date | None, ref: dt.date, count) -> list[dict]:
    """One row per period label ending inside the window, owed/submitted/approved added up over the cohorts
    that share the label; `count(cohort_id, label)` gives one cohort's (owed, submitted, approved). Rows by
    period end. Shared by the raw-row computation and the grouped one (sections.py)."""
    rows: dict[str, dict] = {}
    ends: dict[str, dt.date] = {}
    for c in cohorts.itertuples(index=False):
        if c.start_date is None or c.end_date is None:
            continue
        for period in periods_between(Frequency(c.reporting_frequency), c.start_date, c.end_date):
            if not _in_window(period.end, date_from, ref):
                continue
            row = rows.setdefault(period.label, {"period": period.label, "owed": 0, "submitted": 0, "approved": 0})
            ends[period.label] = period.end
            owed, submitted, approved = count(c.id, period.label)
            row["owed"] += int(owed)
            row["submitted"] += int(submitted)
            row["approved"] += int(approved)
    return [rows[label] for label in sorted(rows, key=lambda lbl: (ends[lbl], lbl))]
