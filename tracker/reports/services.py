"""The cohort report of DESIGN §6 / §12 as one dict, and its JSON form.

`cohort_report` runs a fixed number of queries (`queries.fetch_all`: 10 statements, whatever the
number of projects; tested with 5 and 50) and hands the rows to the pure functions of `compute`.
Every format (screen, XLSX, CSV, PDF, JSON) must be built from this dict so the figures agree.
"""

import datetime as dt
import json
from decimal import Decimal

from flask import current_app

from tracker.reports import compute, queries

SECTIONS = ("filters", "portfolio", "people", "trainings", "mentoring", "milestones", "indicators", "completeness")


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
    rows = queries.fetch_all(cohort_ids)
    return {
        "filters": {
            "cohorts": sorted(rows["cohorts"]["slug"]),
            "from": date_from,
            "to": date_to,
            "include_submitted": bool(include_submitted),
            "reference_date": ref,
        },
        "portfolio": compute.portfolio(rows["projects"], rows["members"], ref, min_age, max_age),
        "people": compute.people(rows["members"], ref, min_age, max_age),
        "trainings": compute.trainings(rows["trainings"], rows["members"], date_from, ref, min_age, max_age),
        "mentoring": compute.mentoring(rows["sessions"], rows["projects"], date_from, ref),
        "milestones": compute.milestones(rows["milestones"], date_from, ref),
        "indicators": compute.indicators(rows["indicators"], rows["targets"], rows["values"], date_from, ref,
                                         include_submitted),
        "completeness": compute.completeness(rows["cohorts"], rows["projects"], rows["reports"], date_from, ref),
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
    return json.dumps(report, default=_default, ensure_ascii=False, indent=2)


def report_json(cohort_ids: list[int], date_from: dt.date | None, date_to: dt.date | None,
                include_submitted: bool = False, today: dt.date | None = None) -> str:
    return to_json(cohort_report(cohort_ids, date_from, date_to, include_submitted, today))
