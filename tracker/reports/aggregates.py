"""Grouped SQL for the cohort report's heavy sections (issue 20): the database adds up, Python gets a few rows.

The indicator values, mentoring sessions with their action items, training attendance and period reports
are reduced by `GROUP BY` statements that run alike on PostgreSQL and SQLite; the window, the reference date
and the counted statuses are in the `WHERE`. The indicator values are read from `indicator_end_sums`, the
values of each project × indicator × period end side by side, kept in the same transaction as every write of
the values and of the reports' statuses (`tracker/periods/end_sums.py`): a third of the rows, and no
join-and-group of the raw values per click.
What comes back is one row per project at most (the projects; mentoring: one per project with sessions), one
row (people, participants), or one per indicator × period end; `sections.py` turns them into the §12
figures, with exactly the rules of `compute.py`.

Amounts are added up in whole cents (`ROUND(x * 100)` cast to an integer): SQLite stores NUMERIC as a
float, so adding the stored amounts could drift by a cent; integers cannot. `sections.py` turns the cents
back into Decimals with two places, as the columns give them.

`statements()` lists every statement of the report (names → Select), so the benchmark can time the database
alone (the "floor" of issue 20) on the very SQL the report runs.
"""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.cohorts.models import Cohort
from tracker.core.models import cents
from tracker.indicators.models import Indicator, Target
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.periods.models import (
    DISAGGREGATED_CELLS,
    IndicatorEndSums,
    PeriodReport,
    ReportStatus,
    ReportValueSums,
)
from tracker.projects.flags import WOMEN_OWNERSHIP_THRESHOLD, birth_date_range
from tracker.projects.models import Member, Project, ProjectStatus, Sex
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


def _young(birth_date, ref: dt.date, min_age: int, max_age: int):
    """`flags.is_young` on `ref` as SQL (the same bounds as `flags.youth_led_clause`): NULL birth → not young."""
    after, until = birth_date_range(ref, min_age, max_age)
    return sa.and_(birth_date > after, birth_date <= until)


def people(ids, ref, min_age, max_age) -> sa.Select:
    """`compute.people` in one row: the team memberships of the selected projects by sex, youth on `ref`,
    age unknown, and the leads' sex; with `compute.portfolio`'s women-led and youth-led projects."""
    m = Member
    woman, man = m.sex == Sex.F, m.sex == Sex.M
    young = _young(m.birth_date, ref, min_age, max_age)
    lead = m.is_lead.is_(True)
    counts = {
        "members": sa.true(), "women": woman, "men": man,
        "sex_not_stated": sa.or_(m.sex.is_(None), m.sex.not_in([Sex.F, Sex.M])),
        "youth": young, "young_women": sa.and_(young, woman), "age_unknown": m.birth_date.is_(None),
        "leads_women": sa.and_(lead, woman), "leads_men": sa.and_(lead, man),
    }
    women_led, youth_led = _leadership(ids, ref, min_age, max_age)
    return (sa.select(*(sa.func.coalesce(sa.func.sum(_flag(c)), 0).label(key) for key, c in counts.items()),
                      women_led.label("women_led"), youth_led.label("youth_led"))
            .where(m.project_id.in_(_selected(ids))))


def _leadership(ids, ref, min_age, max_age):
    """`compute.portfolio`'s women-led and youth-led projects, as two scalar subqueries (`flags.is_women_led`:
    a woman leads, or women own at least the threshold; `flags.is_youth_led`: the first lead is young on
    `ref`)."""
    m = Member
    selected = m.project_id.in_(_selected(ids))
    per_project = (
        sa.select(sa.func.max(_flag(sa.and_(m.is_lead.is_(True), m.sex == Sex.F))).label("woman_leads"),
                  sa.func.coalesce(sa.func.sum(sa.case((m.sex == Sex.F, cents(m.ownership_pct)))), 0)
                  .label("women_share_cents"))
        .where(selected)
        .group_by(m.project_id)
        .subquery()
    )
    first_leads = sa.select(sa.func.min(m.id)).where(selected, m.is_lead.is_(True)).group_by(m.project_id)
    women_led = (sa.select(sa.func.count()).select_from(per_project)
                 .where(sa.or_(per_project.c.woman_leads == 1,
                               per_project.c.women_share_cents >= int(WOMEN_OWNERSHIP_THRESHOLD * 100))))
    lead = aliased(Member)
    youth_led = (sa.select(sa.func.count()).select_from(lead)
                 .where(lead.id.in_(first_leads), _young(lead.birth_date, ref, min_age, max_age)))
    return women_led.scalar_subquery(), youth_led.scalar_subquery()


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


def participants(ids, date_from, ref, min_age, max_age) -> sa.Select:
    """`compute.trainings`' participants in one row: the selected members present at a training of the
    window (each once per project), by disaggregation cell on `ref` (`compute.cell_of`), and the projects
    with one of them at a business-plan training."""
    att = _attendance(ids)
    present = (
        sa.select(att.c.member_id, att.c.project_id,
                  sa.func.max(_flag(Training.topic == Topic.BUSINESS_PLAN)).label("business_plan"))
        .join(Training, Training.id == att.c.training_id)
        .where(att.c.present.is_(True), _window(Training.date, date_from, ref),
               sa.or_(Training.cohort_id.in_(ids), Training.cohort_id.is_(None)))
        .group_by(att.c.member_id, att.c.project_id)
        .subquery()
    )
    young = _young(Member.birth_date, ref, min_age, max_age)
    other = sa.or_(Member.birth_date.is_(None), sa.not_(young))  # age unknown is never youth
    cells = {
        "not_stated": sa.or_(Member.sex.is_(None), Member.sex.not_in([Sex.F, Sex.M])),
        "women_youth": sa.and_(Member.sex == Sex.F, young),
        "women_other": sa.and_(Member.sex == Sex.F, other),
        "men_youth": sa.and_(Member.sex == Sex.M, young),
        "men_other": sa.and_(Member.sex == Sex.M, other),
    }
    return (
        sa.select(sa.func.count().label("participants"),
                  sa.func.count(sa.distinct(sa.case((present.c.business_plan == 1, present.c.project_id))))
                  .label("business_plan_projects"),
                  *(sa.func.coalesce(sa.func.sum(_flag(condition)), 0).label(cell)
                    for cell, condition in cells.items()))
        .select_from(present)
        .join(Member, Member.id == present.c.member_id)
    )


# ---------------------------------------------------------------- mentoring

def mentoring(ids, date_from, ref) -> sa.Select:
    """One row per selected project with sessions: sessions and minutes inside the window, a session in the
    last 60 days, and action items of sessions held by `ref` still open on `ref` (and overdue)."""
    recent_from = ref - dt.timedelta(days=NO_SESSION_DAYS)
    open_on_ref = sa.or_(ActionItem.done_date.is_(None), ActionItem.done_date > ref)
    # The open items are added up per project on their own (a few per project), then joined to the
    # sessions' sums: the sessions are read once, and never joined to their items row by row.
    items = (
        sa.select(MentoringSession.project_id, sa.func.count().label("open"),
                  sa.func.sum(_flag(ActionItem.due_date < ref)).label("overdue"))
        .join(MentoringSession, ActionItem.session_id == MentoringSession.id)
        .where(open_on_ref, MentoringSession.date <= ref, MentoringSession.project_id.in_(_selected(ids)))
        .group_by(MentoringSession.project_id)
        .subquery()
    )
    in_window = _window(MentoringSession.date, date_from, ref)
    sessions = (
        sa.select(MentoringSession.project_id,
                  sa.func.sum(_flag(in_window)).label("sessions"),
                  sa.func.sum(sa.case((in_window, MentoringSession.duration_minutes), else_=0)).label("minutes"),
                  sa.func.max(_flag(MentoringSession.date.between(recent_from, ref))).label("recent"))
        .where(MentoringSession.project_id.in_(_selected(ids)))
        .group_by(MentoringSession.project_id)
        .subquery()
    )
    return (
        sa.select(sessions.c.project_id, sessions.c.sessions, sessions.c.minutes, sessions.c.recent,
                  sa.func.coalesce(items.c.open, 0).label("open_items"),
                  sa.func.coalesce(items.c.overdue, 0).label("overdue_items"))
        .outerjoin(items, items.c.project_id == sessions.c.project_id)
        .order_by(sessions.c.project_id)
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


BROKEN_DOWN = tuple(str(c) for c in DISAGGREGATED_CELLS)  # column names


def _values_per_end(ids, date_from, ref, include_submitted: bool) -> sa.Subquery:
    """`indicator_values`, step 1: one row per project × indicator × period end (a project may have two labels
    ending the same day): the end's total and each cell's sum over those labels, read from the sums kept per
    end (`tracker/periods/end_sums.py`) in the order of their key, so the window below needs no sort."""
    e = IndicatorEndSums
    return (
        sa.select(e.project_id, e.indicator_id, e.period_end, e.end_total_cents.label("end_total"),
                  *(getattr(e, f"{cell}_cents").label(cell) for cell in BROKEN_DOWN))
        .where(e.include_submitted == sa.literal(include_submitted, sa.Boolean), e.project_id.in_(_selected(ids)),
               _window(e.period_end, date_from, ref))
        .subquery()
    )


def _values_over_time(per_end: sa.Subquery) -> sa.Subquery:
    """`indicator_values`, step 2, one window over each project × indicator, in the order of the period ends:
    the previous end's total, the next end (none: this is the project's latest), and each cell's running
    count of ends giving it (1 where the cell is given: the first time)."""
    e = per_end.c
    # One window clause for all (lag and lead ignore the frame): the database walks the rows once.
    over = {"partition_by": (e.project_id, e.indicator_id), "order_by": e.period_end, "rows": (None, 0)}
    return (
        sa.select(e, sa.func.lag(e.end_total).over(**over).label("previous"),
                  sa.func.lead(e.period_end).over(**over).label("next_end"),
                  *(sa.func.count(e[cell]).over(**over).label(f"{cell}_nth") for cell in BROKEN_DOWN))
        .subquery()
    )


def indicator_values(ids, date_from, ref, include_submitted: bool) -> sa.Select:
    """The counted indicator values, one row per indicator × period end with any of them:

    - the period columns, over the projects reporting that end: Σ of their period totals (`total_cents`),
      how many they are (`reporting`), Σ of (total − the project's previous period total) — the change of
      the stock figures — (`change_cents`) and how many report for the first time (`first`);
    - for each of the five cells, `<cell>_cents` (Σ of the values), `<cell>_first` (projects giving the cell
      for the first time: flows), `<cell>_latest_cents` and `<cell>_latest_projects` (the part of the
      projects' latest period and how many projects it holds the cell for: stocks).

    One statement, one window: the values added up per project and period end (`indicator_end_sums`), each
    project's ends walked once in date order."""
    r = _values_over_time(_values_per_end(ids, date_from, ref, include_submitted)).c
    latest = r.next_end.is_(None)
    columns = [
        sa.func.sum(r.end_total).label("total_cents"),
        sa.func.count().label("reporting"),
        sa.func.sum(r.end_total - sa.func.coalesce(r.previous, 0)).label("change_cents"),
        sa.func.sum(_flag(r.previous.is_(None))).label("first"),
    ]
    for cell in BROKEN_DOWN:
        given = r[cell].is_not(None)
        columns += [
            sa.func.sum(r[cell]).label(f"{cell}_cents"),
            sa.func.sum(_flag(sa.and_(given, r[f"{cell}_nth"] == 1))).label(f"{cell}_first"),
            sa.func.sum(sa.case((latest, r[cell]))).label(f"{cell}_latest_cents"),
            sa.func.sum(_flag(sa.and_(given, latest))).label(f"{cell}_latest_projects"),
        ]
    return (sa.select(r.indicator_id, r.period_end, *columns)
            .group_by(r.indicator_id, r.period_end)
            .order_by(r.indicator_id, r.period_end))


def value_labels(ids, date_from, ref, include_submitted: bool) -> sa.Select:
    """The period labels of the counted values with each end, and the first value id of each (the order in
    which the trend columns name them)."""
    r, s = PeriodReport, ReportValueSums
    return (sa.select(r.period_label, r.period_end, sa.func.min(s.first_value_id).label("first_id"))
            .join(r, s.report_id == r.id)
            .where(*_counted(ids, date_from, ref, include_submitted))
            .group_by(r.period_label, r.period_end)
            .order_by(r.period_end, r.period_label))


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


def statements(cohort_ids, date_from: dt.date | None, ref: dt.date, include_submitted: bool, min_age: int,
               max_age: int) -> dict[str, sa.Select]:
    """Every statement of the report, by name: 11, whatever the number of projects. Youth is on `ref`,
    between `min_age` and `max_age` (the YOUTH_MIN_AGE and YOUTH_MAX_AGE settings)."""
    ids = list(cohort_ids)
    return {
        "cohorts": cohorts(ids),
        "projects": projects(ids),
        "people": people(ids, ref, min_age, max_age),
        "trainings": trainings(ids, date_from, ref),
        "participants": participants(ids, date_from, ref, min_age, max_age),
        "mentoring": mentoring(ids, date_from, ref),
        "milestones": milestones(ids, date_from, ref),
        "catalogue": catalogue(ids),
        "indicator_values": indicator_values(ids, date_from, ref, include_submitted),
        "value_labels": value_labels(ids, date_from, ref, include_submitted),
        "reports": reports(ids),
    }
