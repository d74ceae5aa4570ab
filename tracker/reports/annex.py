"""The per-project annex of the cohort report PDF (issue 18): one page per project, laid out as the one-pager.

The figures are the cohort report's own, project by project: `project_figures` reduces the rows the report
was computed from (`services.cohort_report_and_rows`) with the same `compute` functions, window, reference
date and include-submitted option. So a project's team counts add up to the report's people section, its
milestones to the milestones section, and its indicator figures to the indicators section (summed, or
averaged for percentages). `annex_projects` then loads what the rows lack (names, titles: three queries,
whatever the number of projects).
"""

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.indicators.models import Indicator
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.projects.models import Project
from tracker.reports import compute

ANNEX_MAX_PROJECTS = 300  # an annex beyond that is a book: narrow the selection instead


class AnnexTooLargeError(ValueError):
    """Too many projects for a per-project annex."""


@dataclass
class ProjectFigures:
    project_id: int
    people: dict
    women_led: bool
    youth_led: bool
    milestones: list[dict] = field(default_factory=list)  # counted by the report's rules, by planned date
    indicators: list[dict] = field(default_factory=list)  # `compute.indicators` of the project alone


def _by_project(df: pd.DataFrame, column: str = "project_id") -> dict:
    if df.empty:
        return {}
    return {pid: group for pid, group in df.groupby(column, sort=False)}


def _counted_milestones(rows: pd.DataFrame, date_from: dt.date | None, ref: dt.date) -> list[dict]:
    """The milestones `compute.milestones` counts (planned by `ref`, or achieved inside the window)."""
    out = []
    for m in rows.itertuples(index=False):
        achieved_in_window = m.status == MilestoneStatus.ACHIEVED and compute._in_window(m.achieved_date, date_from,
                                                                                          ref)
        if not (m.planned_date <= ref or achieved_in_window):
            continue
        out.append({"id": m.id, "category": m.category, "planned_date": m.planned_date, "status": m.status,
                    "achieved_date": m.achieved_date,
                    "late": m.status not in (MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED)
                    and m.planned_date < ref})
    return sorted(out, key=lambda m: (m["planned_date"], m["id"]))


def project_figures(rows: dict, date_from: dt.date | None, ref: dt.date, include_submitted: bool,
                    min_age: int, max_age: int) -> list[ProjectFigures]:
    """Each selected project's figures (pure: the `queries.fetch_annex` rows in, no database)."""
    empty = {name: df.iloc[0:0] for name, df in rows.items()}
    members, milestones = _by_project(rows["members"]), _by_project(rows["milestones"])
    targets, values = _by_project(rows["targets"]), _by_project(rows["values"])
    out = []
    for project in rows["projects"].itertuples(index=False):
        pid = project.id
        its_members = members.get(pid, empty["members"])
        flags = compute.portfolio(rows["projects"].loc[rows["projects"]["id"] == pid], its_members, ref,
                                  min_age, max_age)
        out.append(ProjectFigures(
            project_id=pid,
            people=compute.people(its_members, ref, min_age, max_age),
            women_led=bool(flags["women_led"]),
            youth_led=bool(flags["youth_led"]),
            milestones=_counted_milestones(milestones.get(pid, empty["milestones"]), date_from, ref),
            indicators=compute.indicators(rows["indicators"], targets.get(pid, empty["targets"]),
                                          values.get(pid, empty["values"]), date_from, ref, include_submitted),
        ))
    return out


def annex_projects(figures: list[ProjectFigures]):
    """(projects by id with their cohort, milestone titles by id, indicators by code): three queries."""
    ids = [f.project_id for f in figures]
    if len(ids) > ANNEX_MAX_PROJECTS:
        raise AnnexTooLargeError(
            f"the annex has one page per project: {len(ids)} projects is more than {ANNEX_MAX_PROJECTS}; "
            "choose fewer cohorts.")
    projects = {p.id: p for p in db.session.scalars(
        sa.select(Project).where(Project.id.in_(ids)).options(joinedload(Project.cohort)))}
    milestone_ids = [m["id"] for f in figures for m in f.milestones]
    titles = dict(db.session.execute(sa.select(Milestone.id, Milestone.title).where(Milestone.id.in_(milestone_ids)))
                  .all()) if milestone_ids else {}
    codes = {i["code"] for f in figures for i in f.indicators}
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator).where(Indicator.code.in_(codes)))} \
        if codes else {}
    return projects, titles, indicators


def ordered(figures: list[ProjectFigures], projects: dict) -> list[ProjectFigures]:
    """Annex order: by cohort name, then project number and name (as the completeness grid)."""
    def key(f):
        p = projects[f.project_id]
        return (p.cohort.name.lower(), p.code or "", p.name.lower(), p.id)

    return sorted((f for f in figures if f.project_id in projects), key=key)
