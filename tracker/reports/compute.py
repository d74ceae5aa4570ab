"""The figures of the cohort report (DESIGN §6, definitions §12): pure functions DataFrame → dict.

No Flask, no database: `queries.py` fetches the rows, these functions reduce them, and the tests feed
them hand-built frames. Frames are built with `frame()` (object columns) so Decimals, dates and None
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
from decimal import Decimal

import pandas as pd

from tracker.cohorts.models import Frequency
from tracker.indicators.models import IndicatorKind
from tracker.indicators.progress import compute_figures, compute_progress
from tracker.milestones.models import MilestoneCategory, MilestoneStatus
from tracker.periods.models import Cell, ReportStatus
from tracker.periods.services import periods_between
from tracker.projects.flags import is_women_led, is_young, is_youth_led
from tracker.projects.models import ProjectStatus, Sector, Sex, Stage
from tracker.trainings.models import Topic

CELLS = ("women_youth", "women_other", "men_youth", "men_other", "not_stated")
UNKNOWN = "unknown"
NO_SESSION_DAYS = 60
EVER_SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED)


def frame(rows, columns) -> pd.DataFrame:
    """A DataFrame that keeps Python values as they are (no NaN for None, no float for Decimal)."""
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns), dtype=object)


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
    out = dict.fromkeys(("members", "women", "men", "sex_not_stated", "youth", "young_women", "age_unknown",
                         "leads_women", "leads_men"), 0)
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

def indicators(catalogue: pd.DataFrame, targets: pd.DataFrame, values: pd.DataFrame,
               date_from: dt.date | None, ref: dt.date, include_submitted: bool = False) -> list[dict]:
    """catalogue: id, code, unit, kind, disaggregated, sort_order. targets: project_id, indicator_id,
    baseline_value, target_value. values: project_id, indicator_id, period_end, status, cell, value.

    Counted values: approved reports (plus submitted ones when `include_submitted`) of periods ending
    inside the window. Each project's figure is `progress.compute_figures` (flow: sum over periods;
    stock: latest period); actual = Σ over projects. Baseline and target = Σ over the targets (None when
    no target has one). Listed: indicators with a target or a counted value, in catalogue order."""
    statuses = {ReportStatus.APPROVED} | ({ReportStatus.SUBMITTED} if include_submitted else set())
    counted = _where(values, (s in statuses and _in_window(e, date_from, ref)
                              for s, e in zip(values["status"], values["period_end"], strict=True)))
    per_pair = defaultdict(list)
    for v in counted.itertuples(index=False):
        per_pair[(v.indicator_id, v.project_id)].append((v.period_end, v.cell, v.value))
    pairs_of = defaultdict(list)  # indicator id → its (project, values) pairs, so each pair is visited once
    for (iid, _pid), vals in per_pair.items():
        pairs_of[iid].append(vals)
    wanted = set(targets["indicator_id"]) | {iid for iid, _ in per_pair}
    out = []
    for ind in catalogue.sort_values(["sort_order", "code"], kind="stable").itertuples(index=False):
        if ind.id not in wanted:
            continue
        its_targets = _where(targets, (i == ind.id for i in targets["indicator_id"]))
        baselines = [b for b in its_targets["baseline_value"] if b is not None]
        goals = [t for t in its_targets["target_value"] if t is not None]
        baseline = sum(baselines, Decimal(0)) if baselines else None
        target = sum(goals, Decimal(0)) if goals else None
        actual, cells = None, {c: Decimal(0) for c in CELLS}
        for vals in pairs_of[ind.id]:
            figures = compute_figures(IndicatorKind(ind.kind), vals)
            if figures.total is not None:
                actual = (actual or Decimal(0)) + figures.total
            for cell, value in figures.cells.items():
                cells[str(Cell(cell))] += value
        progress = compute_progress(baseline, target, actual)
        out.append({
            "code": ind.code,
            "unit": str(ind.unit),
            "kind": str(ind.kind),
            "baseline": baseline,
            "target": target,
            "actual": actual,
            "progress": float(progress) if progress is not None else None,
            "cells": cells if ind.disaggregated else {},
        })
    return out


# ---------------------------------------------------------------- 7. completeness

def completeness(cohorts: pd.DataFrame, projects: pd.DataFrame, reports: pd.DataFrame,
                 date_from: dt.date | None, ref: dt.date) -> list[dict]:
    """cohorts: id, start_date, end_date, reporting_frequency. projects: id, cohort_id, status.
    reports: project_id, period_label, status, submitted_at.

    Periods: every period of each cohort's frequency (`periods.services.periods_between`) that ends
    inside the window. Owed = the cohort's active projects (DESIGN §5); submitted = those of them whose
    report was ever submitted (submitted_at set, or status submitted/approved/returned); approved = those
    whose report is approved. Cohorts sharing a label (same frequency) are added up; rows by period end."""
    active = defaultdict(set)
    for p in projects.itertuples(index=False):
        if p.status == ProjectStatus.ACTIVE:
            active[p.cohort_id].add(p.id)
    status_of = {(r.project_id, r.period_label): r for r in reports.itertuples(index=False)}
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
            for pid in active[c.id]:
                row["owed"] += 1
                report = status_of.get((pid, period.label))
                if report is None:
                    continue
                row["submitted"] += report.submitted_at is not None or report.status in EVER_SUBMITTED
                row["approved"] += report.status == ReportStatus.APPROVED
    return [{k: (int(v) if k != "period" else v) for k, v in rows[label].items()}
            for label in sorted(rows, key=lambda lbl: (ends[lbl], lbl))]
