"""The cohort report of DESIGN §6 / §12 as one dict, and its JSON form.

`cohort_report` runs a fixed number of statements (`aggregates.statements`: 11, whatever the number of
projects; tested with 5 and 50). Every section is grouped in SQL and finished by `sections` (issue 20);
only the projects (one row each: sector, status, stage, province) reach Python as rows.
Every format (screen, XLSX, CSV, PDF, JSON) must be built from this dict so the figures agree.
"""

import datetime as dt
import json
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from tracker.cohorts.models import Cohort
from tracker.core.text import for_export_deep
from tracker.extensions import db
from tracker.indicators.models import Indicator
from tracker.reports import aggregates, queries, sections
from tracker.reports.frames import frame
from tracker.reports.tables import Names

FRAMES = ("cohorts", "projects")  # counted by sector, status, stage, province; the completeness grid
SECTIONS = ("filters", "portfolio", "people", "trainings", "mentoring", "milestones", "indicators", "completeness",
            "trends")


def cohort_report(cohort_ids: list[int], date_from: dt.date | None, date_to: dt.date | None,
                  include_submitted: bool = False, today: dt.date | None = None) -> dict:
    """The §12 report for the given cohorts and window [date_from, date_to] (both optional).

    The reference date is `date_to`, else `today` (else the current date); youth bounds come from the
    app config (YOUTH_MIN_AGE/YOUTH_MAX_AGE). Unknown cohort ids are ignored. Raises ValueError when
    `date_from` is after the reference date."""
    ref = date_to or today or dt.date.today()
    if date_from is not None and date_from > ref:
        raise ValueError("date_from is after the reference date")
    min_age, max_age = current_app.config["YOUTH_MIN_AGE"], current_app.config["YOUTH_MAX_AGE"]
    return _report(list(cohort_ids), date_from, date_to, ref, include_submitted, min_age, max_age)


def cohort_report_and_rows(cohort_ids: list[int], date_from: dt.date | None, date_to: dt.date | None,
                           include_submitted: bool = False, today: dt.date | None = None) -> tuple[dict, dict]:
    """`cohort_report` and the raw rows of the per-project annex (`queries.fetch_annex`: projects, members,
    milestones, targets, values, catalogue), which `annex.py` reduces project by project with the rules of
    `compute`. Only the annex needs them: the report itself reads grouped rows.

    Raises ValueError when `date_from` is after the reference date (`cohort_report`)."""
    report = cohort_report(cohort_ids, date_from, date_to, include_submitted, today)
    return report, queries.fetch_annex(cohort_ids)


def fetch_grouped(cohort_ids, date_from, ref, include_submitted: bool, min_age: int, max_age: int) -> dict:
    """Runs `aggregates.statements` (11, whatever the number of projects): DataFrames for the cohorts and
    projects, row lists for the grouped ones."""
    connection = db.session.connection()
    out = {}
    for name, stmt in aggregates.statements(cohort_ids, date_from, ref, include_submitted, min_age, max_age).items():
        result = connection.execute(stmt)
        rows = result.all()
        out[name] = frame(rows, list(result.keys())) if name in FRAMES else rows
    return out


def _report(cohort_ids, date_from, date_to, ref, include_submitted: bool, min_age: int, max_age: int) -> dict:
    rows = fetch_grouped(cohort_ids, date_from, ref, include_submitted, min_age, max_age)
    indicators, trends = sections.indicators_and_trends(rows["catalogue"], rows["indicator_values"],
                                                        rows["value_labels"], rows["cohorts"], date_from, ref)
    return {
        "filters": {
            "cohorts": sorted(rows["cohorts"]["slug"]),
            "from": date_from,
            "to": date_to,
            "include_submitted": bool(include_submitted),
            "reference_date": ref,
        },
        "portfolio": sections.portfolio(rows["projects"], rows["people"][0]),
        "people": sections.people(rows["people"][0]),
        "trainings": sections.trainings(rows["trainings"], rows["participants"][0]),
        "mentoring": sections.mentoring(rows["mentoring"], rows["projects"]),
        "milestones": sections.milestones(rows["milestones"]),
        "indicators": indicators,
        "completeness": sections.completeness(rows["cohorts"], rows["projects"], rows["reports"], date_from, ref),
        "trends": trends,
    }


def _default(value):
    """Decimals become strings (exact: "12.50"), dates ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def to_json(report: dict) -> str:
    """Keys in §12 order (insertion order, never sorted), UTF-8 text as is."""
    return json.dumps(for_export_deep(report), default=_default, ensure_ascii=False, indent=2)


def report_json(cohort_ids: list[int], date_from: dt.date | None, date_to: dt.date | None,
                include_submitted: bool = False, today: dt.date | None = None) -> str:
    """`cohort_report` as JSON text (`to_json`). Raises ValueError when `date_from` is after the reference
    date."""
    return to_json(cohort_report(cohort_ids, date_from, date_to, include_submitted, today))


def report_names(report: dict, locale: str) -> Names:
    """Names of the report's cohorts and indicators in `locale` (two queries), for the files' labels."""
    slugs = report["filters"]["cohorts"]
    cohorts = {slug: name for slug, name in db.session.execute(
        sa.select(Cohort.slug, Cohort.name).where(Cohort.slug.in_(slugs)))}
    codes = [ind["code"] for ind in report["indicators"]]
    indicators = {i.code: i.name(locale)
                  for i in db.session.scalars(sa.select(Indicator).where(Indicator.code.in_(codes)))}
    return Names(cohorts, indicators)
