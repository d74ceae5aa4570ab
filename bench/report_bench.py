"""The cohort report (every section) on the DESIGN §10 scale set: the 500-project cohort and the whole
programme, median of 5 runs each, set against the *floor* measured in the same run: the raw rows the
report needs, read with one `pandas.read_sql` per table (same tables, columns and project selection as
`tracker/reports/queries.py`, no joins, no computing). Goals (DESIGN §10): ≤ 2× the floor, under 1 s
(cohort) and 5 s (programme) on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mowakaba_scale .venv/bin/python -m bench.report_bench
    .venv/bin/python -m bench.report_bench --fraction 0.05      # SQLite file in a temp dir
    .venv/bin/python -m bench.report_bench --smoke              # seconds, SQLite, nothing written to RESULTS.md
"""

import argparse
import statistics
import time

import pandas
import sqlalchemy as sa

from bench import common
from tracker.cohorts.models import Cohort
from tracker.demo import scale
from tracker.extensions import db
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
GOALS = {"cohort": 1.0, "programme": 5.0}


def floor(cohort_ids: list[int]) -> tuple[float, int]:
    ids = ", ".join(str(int(i)) for i in cohort_ids)
    start, rows = time.perf_counter(), 0
    with db.engine.connect() as conn:
        for sql in FLOOR.values():
            rows += len(pandas.read_sql(sa.text(sql.format(ids=ids)), conn))
    return time.perf_counter() - start, rows


def report(cohort_ids: list[int]) -> float:
    start = time.perf_counter()
    cohort_report(cohort_ids, None, None)
    db.session.rollback()  # nothing cached between runs: every run reads the database again
    return time.perf_counter() - start


def measure(cohort_ids: list[int], runs: int) -> dict:
    floors, reports, rows = [], [], 0
    for _ in range(runs):  # interleaved, so a busy machine slows both alike
        seconds, rows = floor(cohort_ids)
        floors.append(seconds)
        reports.append(report(cohort_ids))
    f, r = statistics.median(floors), statistics.median(reports)
    return {"floor": f, "report": r, "ratio": r / f, "rows": rows, "max": max(reports)}


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
             "| report | raw rows | floor (read_sql) s | report s (median) | worst s | ratio | goal |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    with app.app_context():
        big = db.session.scalar(sa.select(Cohort.id).where(Cohort.slug == scale.BIG_COHORT_SLUG))
        every = list(db.session.scalars(sa.select(Cohort.id).order_by(Cohort.id)))
        size = db.session.scalar(sa.text(f"SELECT count(*) FROM projects WHERE cohort_id = {int(big)}"))
        for label, ids, goal in ((f"cohort of {size} projects", [big], GOALS["cohort"]),
                                 (f"whole programme ({len(every)} cohorts)", every, GOALS["programme"])):
            m = measure(ids, runs)
            verdict = "met" if m["ratio"] <= 2 and m["report"] < goal else "NOT met"
            lines.append(f"| {label} | {m['rows']:,} | {m['floor']:.3f} | {m['report']:.3f} | {m['max']:.3f} "
                         f"| {m['ratio']:.2f}× | ≤ 2× and < {goal:g} s: {verdict} |")
    common.record("Cohort report (bench/report_bench.py)", app, lines, args.smoke)
    return lines


if __name__ == "__main__":
    main()
