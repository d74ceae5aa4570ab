"""Grouped SQL for the cohort report's heavy sections (issue 20): the database adds up, Python gets a few rows.

The indicator values, mentoring sessions with their action items, training attendance and period reports
are reduced by `GROUP BY` statements that run alike on PostgreSQL and SQLite; the window, the reference date
and the counted statuses are in the `WHERE`. The indicator values are read from `report_value_sums`, the
values of each report × indicator side by side, kept in the same transaction as every write of the values
(`tracker/periods/value_sums.py`): a third of the rows, and no join-and-group of the raw values per click.
What comes back is a handful of rows per project at most
(mentoring: one per project with sessions; participants: one per member present), or per indicator × period
× cell; `sections.py` turns them into the §12 figures, with exactly the rules of `compute.py`.

Amounts are added up in whole cents (`ROUND(x * 100)` cast to an integer): SQLite stores NUMERIC as a
float, so adding the stored amounts could drift by a cent; integers cannot. `sections.py` turns the cents
back into Decimals with two places, as the columns give them.

`statements()` lists every statement of the report (names → Select), so the benchmark can time the database
alone (the "floor" of issue 20) on the very SQL the report runs.
"""

import datetime as dt

import sqlalchemy as sa

from tracker.cohorts.models import Cohort
from tracker.core.models import cents
from tracker.indicators.models import Indicator, Target
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.periods.models import Cell, PeriodReport, ReportStatus, ReportValueSums
from tracker.projects.models import Member, Project, ProjectStatus
from tracker.trainings.models import Attendance, Topic, Training

NO_SESSION_DAYS = 60
EVER_SUBMITTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED)


def _flag(condition):
    return sa.case((condition, 1), else_=0)


def _window(column, date_from: dt.date | None, ref: dt.date):
    return column <= ref if date_from is None else sa.and_(column >= date_from, column <= ref)


def _selected(cohort_ids) -> sa.Select:
    return sa.select(Project.id).where(Project.cohort_id.in_(cohort_ids))


# ---------------------------------------------------------------- rows of a few per project (as before)

def cohorts(ids) -> sa.Select:
    return (sa.select(Cohort.id, Cohort.slug, Cohort.start_date, Cohort.end_date, Cohort.reporting_frequency)
            .where(Cohort.id.in_(ids)).order_by(Cohort.slug))


def projects(ids) -> sa.Select:
    return (sa.select(Project.id, Project.cohort_id, Project.sector, Project.status, Project.stage,
                      Project.province)
            .where(Project.cohort_id.in_(ids)).order_by(Project.id))


def members(ids) -> sa.Select:
    return (sa.select(Member.id, Member.project_id, Member.sex, Member.birth_date, Member.is_lead,
                      Member.ownership_pct)
            .where(Member.project_id.in_(_selected(ids))).order_by(Member.id))


def milestones(ids, date_from, ref) -> sa.Select:
    """Per category, the milestones the report counts (planned by `ref`, or achieved inside the window):
    how many, achieved (by `ref`), achieved on time, late on `ref`, dropped (the rules of `compute.milestones`)."""
    achieved_status = Milestone.status == MilestoneStatus.ACHIEVED
    achieved = sa.and_(achieved_status, sa.or_(Milestone.achieved_date.is_(None), Milestone.achieved_date <= ref))
    open_ = Milestone.status.not_in([MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED])
    return (
        sa.select(Milestone.category, sa.func.count().label("planned"),
                  sa.func.sum(_flag(achieved)).label("achieved"),
                  sa.func.sum(_flag(sa.and_(achieved, Milestone.achieved_date <= Milestone.planned_date)))
                  .label("achieved_on_time"),
                  sa.func.sum(_flag(sa.and_(open_, Milestone.planned_date < ref))).label("late"),
                  sa.func.sum(_flag(Milestone.status == MilestoneStatus.DROPPED)).label("dropped"))
        .where(Milestone.project_id.in_(_selected(ids)),
               sa.or_(Milestone.planned_date <= ref,
                      sa.and_(achieved_status, _window(Milestone.achieved_date, date_from, ref))))
        .group_by(Milestone.category)
        .order_by(Milestone.category)
    )


# ---------------------------------------------------------------- trainings

def _attendance(ids):
    """Attendance of the selected projects' members, with their project."""
    return (sa.select(Attendance.training_id, Attendance.member_id, Attendance.present, Member.project_id)
            .join(Member, Attendance.member_id == Member.id)
            .where(Member.project_id.in_(_selected(ids)))
            .subquery())


def trainings(ids, date_from, ref) -> sa.Select:
    """One row per training held inside the window (the cohorts' own, and programme-wide ones a selected
    member was recorded at): its duration in cents, attendance rows recorded and present."""
    att = _attendance(ids)
    # Attendance added up per training first: the trainings then join a few thousand rows, and "a selected
    # member was recorded at it" is that a row is there (no subquery per training).
    recorded = (
        sa.select(att.c.training_id, sa.func.count(att.c.member_id).label("recorded"),
                  sa.func.sum(_flag(att.c.present.is_(True))).label("present"))
        .group_by(att.c.training_id)
        .subquery()
    )
    return (
        sa.select(Training.id.label("training_id"), cents(Training.duration_hours).label("duration_cents"),
                  sa.func.coalesce(recorded.c.recorded, 0).label("recorded"),
                  sa.func.coalesce(recorded.c.present, 0).label("present"))
        .outerjoin(recorded, recorded.c.training_id == Training.id)
        .where(_window(Training.date, date_from, ref),
               sa.or_(Training.cohort_id.in_(ids),
                      sa.and_(Training.cohort_id.is_(None), recorded.c.training_id.is_not(None))))
        .order_by(Training.id)
    )


def participants(ids, date_from, ref) -> sa.Select:
    """One row per selected member present at a training of the window: whether one was on the business plan."""
    att = _attendance(ids)
    return (
        sa.select(att.c.member_id, att.c.project_id,
                  sa.func.max(_flag(Training.topic == Topic.BUSINESS_PLAN)).label("business_plan"))
        .join(Training, Training.id == att.c.training_id)
        .where(att.c.present.is_(True), _window(Training.date, date_from, ref),
               sa.or_(Training.cohort_id.in_(ids), Training.cohort_id.is_(None)))
        .group_by(att.c.member_id, att.c.project_id)
        .order_by(att.c.member_id)
    )


# ---------------------------------------------------------------- mentoring

def mentoring(ids, date_from, ref) -> sa.Select:
    """One row per selected project with sessions: sessions and minutes inside the window, a session in the
    last 60 days, and action items of sessions held by `ref` still open on `ref` (and overdue)."""
    recent_from = ref - dt.timedelta(days=NO_SESSION_DAYS)
    open_on_ref = sa.or_(ActionItem.done_date.is_(None), ActionItem.done_date > ref)
    # Every session's open items, added up once; the sessions held after `ref` are left out below, by a
    # CASE on the joined rows, rather than by a second pass over the sessions to choose the items.
    items = (
        sa.select(ActionItem.session_id, sa.func.count().label("open"),
                  sa.func.sum(_flag(ActionItem.due_date < ref)).label("overdue"))
        .join(MentoringSession, ActionItem.session_id == MentoringSession.id)
        .where(open_on_ref, MentoringSession.project_id.in_(_selected(ids)))
        .group_by(ActionItem.session_id)
        .subquery()
    )
    in_window = _window(MentoringSession.date, date_from, ref)
    held = MentoringSession.date <= ref
    return (
        sa.select(MentoringSession.project_id,
                  sa.func.sum(_flag(in_window)).label("sessions"),
                  sa.func.sum(sa.case((in_window, MentoringSession.duration_minutes), else_=0)).label("minutes"),
                  sa.func.max(_flag(MentoringSession.date.between(recent_from, ref))).label("recent"),
                  sa.func.coalesce(sa.func.sum(sa.case((held, items.c.open))), 0).label("open_items"),
                  sa.func.coalesce(sa.func.sum(sa.case((held, items.c.overdue))), 0).label("overdue_items"))
        .outerjoin(items, items.c.session_id == MentoringSession.id)
        .where(MentoringSession.project_id.in_(_selected(ids)))
        .group_by(MentoringSession.project_id)
        .order_by(MentoringSession.project_id)
    )


# ---------------------------------------------------------------- indicators

def catalogue(ids) -> sa.Select:
    """The indicator catalogue with, per indicator, the selected projects' targets added up (in cents)."""
    goals = (
        sa.select(Target.indicator_id, sa.func.count().label("targets"),
                  sa.func.sum(cents(Target.baseline_value)).label("baseline_cents"),
                  sa.func.count(Target.baseline_value).label("baselines"),
                  sa.func.sum(cents(Target.target_value)).label("target_cents"),
                  sa.func.count(Target.target_value).label("goals"))
        .where(Target.project_id.in_(_selected(ids)))
        .group_by(Target.indicator_id)
        .subquery()
    )
    return (
        sa.select(Indicator.id, Indicator.code, Indicator.unit, Indicator.kind, Indicator.disaggregated,
                  Indicator.sort_order, goals.c.targets, goals.c.baseline_cents, goals.c.baselines,
                  goals.c.target_cents, goals.c.goals)
        .outerjoin(goals, goals.c.indicator_id == Indicator.id)
        .order_by(Indicator.sort_order, Indicator.code)
    )


def _counted(ids, date_from, ref, include_submitted: bool):
    statuses = [ReportStatus.APPROVED] + ([ReportStatus.SUBMITTED] if include_submitted else [])
    return (PeriodReport.project_id.in_(_selected(ids)), PeriodReport.status.in_(statuses),
            _window(PeriodReport.period_end, date_from, ref))


BROKEN_DOWN = tuple(str(c) for c in Cell if c != Cell.TOTAL)


def _values_per_report(ids, date_from, ref, include_submitted: bool) -> sa.Subquery:
    """`indicator_values`, step 1: one row per report × indicator, its cells side by side as columns, read
    from the sums kept with the values (`tracker/periods/value_sums.py`)."""
    s = ReportValueSums
    return (
        sa.select(PeriodReport.project_id, s.indicator_id, PeriodReport.period_end, PeriodReport.period_label,
                  s.first_value_id.label("first_id"), s.broken_down.label("cells"), s.total_cents.label("total"),
                  *(getattr(s, f"{cell}_cents").label(cell) for cell in BROKEN_DOWN))
        .join(PeriodReport, s.report_id == PeriodReport.id)
        .where(*_counted(ids, date_from, ref, include_submitted))
        .subquery()
    )


def _values_by_end(per_report: sa.Subquery) -> sa.Subquery:
    """`indicator_values`, step 2: each row with its period end's total, its rank among the labels of that end,
    the pair's last end, and the running count of each cell over those labels."""
    v = per_report.c
    pair, at_end = (v.project_id, v.indicator_id), (v.project_id, v.indicator_id, v.period_end)
    cells_cents = sum((sa.func.coalesce(v[cell], 0) for cell in BROKEN_DOWN), sa.literal(0, sa.BigInteger))
    end_total = sa.case((sa.func.sum(v.cells).over(partition_by=at_end) > 0,
                         sa.func.sum(cells_cents).over(partition_by=at_end)),
                        else_=sa.func.sum(sa.func.coalesce(v.total, 0)).over(partition_by=at_end))
    return (
        sa.select(v.indicator_id, v.project_id, v.period_end, v.period_label, v.first_id,
                  *(v[cell] for cell in BROKEN_DOWN),
                  end_total.label("end_total"),
                  sa.func.row_number().over(partition_by=at_end, order_by=v.period_label, rows=(None, 0))
                  .label("nth_label"),
                  sa.func.max(v.period_end).over(partition_by=pair).label("last_end"),
                  *(sa.func.count(v[cell]).over(partition_by=at_end, order_by=v.period_label, rows=(None, 0))
                    .label(f"{cell}_nth_at_end") for cell in BROKEN_DOWN))
        .subquery()
    )


def _ranked_values(by_end: sa.Subquery) -> sa.Subquery:
    """`indicator_values`, step 3: the previous period's total and each cell's running count over the
    project's periods."""
    e = by_end.c
    order = (e.period_end, e.period_label)
    return (
        sa.select(e, sa.func.lag(e.end_total).over(partition_by=(e.project_id, e.indicator_id), order_by=order,
                                                    rows=(None, 0)).label("previous"),
                  *(sa.func.count(e[cell]).over(partition_by=(e.project_id, e.indicator_id), order_by=order,
                                                rows=(None, 0)).label(f"{cell}_nth") for cell in BROKEN_DOWN))
        .subquery()
    )


def indicator_values(ids, date_from, ref, include_submitted: bool) -> sa.Select:
    """The counted indicator values, one row per indicator × period (end and label) with any of them:

    - the period columns, over the projects whose first label at that end this is (so that adding up the
      rows of an end gives each project once): Σ of their period totals (`total_cents`), how many they are
      (`reporting`), Σ of (total − the project's previous period total) — the change of the stock figures —
      (`change_cents`) and how many report for the first time (`first`). A period's total is the sum of its
      five cells when any is there, else its total cell (`figures.period_total`);
    - for each of the five cells, `<cell>_cents` (Σ of the values), `<cell>_first` (projects giving the cell
      for the first time: flows), `<cell>_latest_cents` and `<cell>_latest_projects` (the part of the
      projects' latest period and how many projects it holds the cell for: stocks);
    - `first_id`, the first value id (the order in which the periods' labels appear).

    One statement reads the values once. They are first put side by side, one row per report × indicator
    with its cells as columns, so the window functions run over a third of the rows: "first time for this
    cell" is the cell's running count over the project's periods, "first label at that end" its running
    count over the labels of the end, and the previous period's total is the total of the end of the row
    before the end's first label."""
    ranked = _ranked_values(_values_by_end(_values_per_report(ids, date_from, ref, include_submitted)))
    r = ranked.c
    head = r.nth_label == 1  # the project's first label at that end stands for its period
    latest = r.period_end == r.last_end
    columns = [
        sa.func.sum(sa.case((head, r.end_total), else_=0)).label("total_cents"),
        sa.func.sum(_flag(head)).label("reporting"),
        sa.func.sum(sa.case((head, r.end_total - sa.func.coalesce(r.previous, 0)), else_=0)).label("change_cents"),
        sa.func.sum(_flag(sa.and_(head, r.previous.is_(None)))).label("first"),
    ]
    for cell in BROKEN_DOWN:
        given = r[cell].is_not(None)  # a running count stays at 1 on the periods after the first without the cell
        columns += [
            sa.func.sum(r[cell]).label(f"{cell}_cents"),
            sa.func.sum(_flag(sa.and_(given, r[f"{cell}_nth"] == 1))).label(f"{cell}_first"),
            sa.func.sum(sa.case((latest, r[cell]))).label(f"{cell}_latest_cents"),
            sa.func.sum(_flag(sa.and_(given, latest, r[f"{cell}_nth_at_end"] == 1))).label(f"{cell}_latest_projects"),
        ]
    return (
        sa.select(r.indicator_id, r.period_end, r.period_label, sa.func.min(r.first_id).label("first_id"), *columns)
        .group_by(r.indicator_id, r.period_end, r.period_label)
        .order_by(r.indicator_id, r.period_end, r.period_label)
    )


# ---------------------------------------------------------------- completeness

def reports(ids) -> sa.Select:
    """Per cohort × period label, over the cohort's active projects: reports ever submitted, approved."""
    return (
        sa.select(Project.cohort_id, PeriodReport.period_label,
                  sa.func.sum(_flag(sa.or_(PeriodReport.submitted_at.is_not(None),
                                           PeriodReport.status.in_(EVER_SUBMITTED)))).label("submitted"),
                  sa.func.sum(_flag(PeriodReport.status == ReportStatus.APPROVED)).label("approved"))
        .join(Project, PeriodReport.project_id == Project.id)
        .where(Project.cohort_id.in_(ids), Project.status == ProjectStatus.ACTIVE)
        .group_by(Project.cohort_id, PeriodReport.period_label)
        .order_by(Project.cohort_id, PeriodReport.period_label)
    )


def statements(cohort_ids, date_from: dt.date | None, ref: dt.date, include_submitted: bool) -> dict[str, sa.Select]:
    """Every statement of the report, by name: 10, whatever the number of projects."""
    ids = list(cohort_ids)
    return {
        "cohorts": cohorts(ids),
        "projects": projects(ids),
        "members": members(ids),
        "trainings": trainings(ids, date_from, ref),
        "participants": participants(ids, date_from, ref),
        "mentoring": mentoring(ids, date_from, ref),
        "milestones": milestones(ids, date_from, ref),
        "catalogue": catalogue(ids),
        "indicator_values": indicator_values(ids, date_from, ref, include_submitted),
        "reports": reports(ids),
    }
