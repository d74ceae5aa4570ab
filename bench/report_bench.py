"""The cohort report (every section) on the DESIGN §10 scale set: the 500-project cohort and the whole
programme, median of 5 runs each, set against two floors measured in the same run:

- the *old raw-read floor* (issue 9): the raw rows the row-by-row report needed, read with one
  `pandas.read_sql` per table (same tables, columns and project selection as `tracker/reports/queries.py`);
- the *new floor* (issue 20): the time the database needs to execute the report's own statements
  (`tracker/reports/aggregates.statements`, the grouped SQL) and return their rows through the driver's
  cursor, with no Python processing.

Goals (issue 20): whole programme ≤ 1.5× the new floor and under 3 s; the 500-project cohort under 0.3 s.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mowakaba_scale .venv/bin/python -m bench.report_bench
    .venv/bin/python -m bench.report_bench --fraction 0.05      # SQLite file in a temp dir
    .venv/bin/python -m bench.report_bench --smoke              # seconds, SQLite, nothing written to RESULTS.md
"""

import argparse
import statistics
import time

import pandas
import sqlalchemy as sa
from flask import current_app

from bench import common
from tracker.cohorts.models import Cohort
from tracker.demo import scale
from tracker.extensions import db
from tracker.reports import aggregates
from tracker.reports.services import cohort_report

# (table, columns, how the rows are tied to the selected projects) — what queries.py reads.
_PROJECTS = "SELECT id FROM projects WHERE cohort_id IN ({ids})"
_MEMBERS = f"SELECT id FROM members WHERE project_id IN ({_PROJECTS})"
_SESSIONS = f"SELECT id FROM mentoring_sessions WHERE project_id IN ({_PROJECTS})"
_REPORTS = f"SELECT id FROM period_reports WHERE project_id IN ({_PROJECTS})"
FLOOR = {
    "cohorts": "SELECT id, slug, start_date, end_date, reporting_frequency FROM cohorts WHERE id IN ({ids})",
    "projects": "SELECT id, cohort_id, sector, status, stage, province FROM projects WHERE cohort_id IN ({ids})",
    "members": f"SELECT id, project_id, sex, birth_date, is_lead, ownership_pct FROM members "
               f"WHERE project_id IN ({_PROJECTS})",
    "trainings": "SELECT id, date, duration_hours, topic, cohort_id FROM trainings "
                 "WHERE cohort_id IN ({ids}) OR cohort_id IS NULL",
    "attendances": f"SELECT training_id, member_id, present FROM attendances WHERE member_id IN ({_MEMBERS})",
    "mentoring_sessions": f"SELECT id, project_id, date, duration_minutes FROM mentoring_sessions "
                          f"WHERE project_id IN ({_PROJECTS})",
    "action_items": f"SELECT id, session_id, due_date, done_date FROM action_items WHERE session_id IN ({_SESSIONS})",
    "milestones": f"SELECT id, project_id, category, planned_date, status, achieved_date FROM milestones "
                  f"WHERE project_id IN ({_PROJECTS})",
    "indicators": "SELECT id, code, unit, kind, disaggregated, sort_order FROM indicators",
    "targets": f"SELECT project_id, indicator_id, baseline_value, target_value FROM targets "
               f"WHERE project_id IN ({_PROJECTS})",
    "period_reports": f"SELECT id, project_id, period_label, period_end, status, submitted_at FROM period_reports "
                      f"WHERE project_id IN ({_PROJECTS})",
    "indicator_values": f"SELECT report_id, indicator_id, cell, value FROM indicator_values "
                        f"WHERE report_id IN ({_REPORTS})",
}
GOALS = {"cohort": 0.3, "programme": 3.0}
RATIO_GOAL = 1.5  # whole programme, to the new floor


def raw_floor(cohort_ids: list[int]) -> tuple[float, int]:
    ids = ", ".join(str(int(i)) for i in cohort_ids)
    start, rows = time.perf_counter(), 0
    with db.engine.connect() as conn:
        for sql in FLOOR.values():
            rows += len(pandas.read_sql(sa.text(sql.format(ids=ids)), conn))
    return time.perf_counter() - start, rows


def grouped_floor(cohort_ids: list[int]) -> tuple[float, int]:
    """The report's statements executed and their rows fetched by the DBAPI cursor (no SQLAlchemy rows)."""
    import datetime as dt

    config = current_app.config
    statements = aggregates.statements(cohort_ids, None, dt.date.today(), False, config["YOUTH_MIN_AGE"],
                                       config["YOUTH_MAX_AGE"])
    start, rows = time.perf_counter(), 0
    with db.engine.connect() as conn:
        for stmt in statements.values():
            rows += len(conn.execute(stmt).cursor.fetchall())
    return time.perf_counter() - start, rows


def report(cohort_ids: list[int]) -> float:
    start = time.perf_counter()
    cohort_report(cohort_ids, None, None)
    db.session.rollback()  # nothing cached between runs: every run reads the database again
    return time.perf_counter() - start


def measure(cohort_ids: list[int], runs: int) -> dict:
    raws, floors, reports, raw_rows, rows = [], [], [], 0, 0
    for _ in range(runs):  # interleaved, so a busy machine slows all alike
        seconds, raw_rows = raw_floor(cohort_ids)
        raws.append(seconds)
        seconds, rows = grouped_floor(cohort_ids)
        floors.append(seconds)
        reports.append(report(cohort_ids))
    f, r = statistics.median(floors), statistics.median(reports)
    return {"raw": statistics.median(raws), "raw_rows": raw_rows, "floor": f, "rows": rows, "report": r,
            "ratio": r / f, "max": max(reports)}


def main(argv=None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny SQLite set, 1 run, nothing recorded")
    parser.add_argument("--fraction", type=float, default=0.05, help="size of the set to create when missing")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    fraction = common.SMOKE_FRACTION if args.smoke else args.fraction
    runs = 1 if args.smoke else args.runs
    app = common.make_app(common.database_url(args.smoke, fraction))
    loaded = common.ensure_scale(app, fraction)
    lines = [f"scale set created for this run in {loaded:.1f} s (fraction {fraction})" if loaded else
             "scale set already loaded", "",
             "| report | raw rows | old raw-read floor s | grouped rows | new floor s | report s (median) | worst s "
             "| ratio to new floor | goal |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    with app.app_context():
        big = db.session.scalar(sa.select(Cohort.id).where(Cohort.slug == scale.BIG_COHORT_SLUG))
        every = list(db.session.scalars(sa.select(Cohort.id).order_by(Cohort.id)))
        size = db.session.scalar(sa.text(f"SELECT count(*) FROM projects WHERE cohort_id = {int(big)}"))
        for label, ids, goal in ((f"cohort of {size} projects", [big], GOALS["cohort"]),
                                 (f"whole programme ({len(every)} cohorts)", every, GOALS["programme"])):
            m = measure(ids, runs)
            programme = ids is every
            met = m["report"] < goal and (m["ratio"] <= RATIO_GOAL or not programme)
            wanted = f"≤ {RATIO_GOAL:g}× and < {goal:g} s" if programme else f"< {goal:g} s"
            lines.append(f"| {label} | {m['raw_rows']:,} | {m['raw']:.3f} | {m['rows']:,} | {m['floor']:.3f} "
                         f"| {m['report']:.3f} | {m['max']:.3f} | {m['ratio']:.2f}× | {wanted}: "
                         f"{'met' if met else 'NOT met'} |")
    common.record("Cohort report (bench/report_bench.py)", app, lines, args.smoke)
    return lines


if __name__ == "__main__":
    main()
