"""Raw data sheets of the XLSX cohort report (DESIGN §6): the rows behind the figures.

One explicit-column statement per sheet (8 in all, whatever the number of projects), each returned as a
DataFrame of plain Python values (dates, Decimals, ints, text; enums as their codes). Column names are
machine-stable keys, like the section sheets. The rows are those the report reads:

- projects, members (personal data: names, birth dates, phones, e-mails, consent), targets: every row
  of the selected cohorts' projects;
- trainings / attendance: trainings held inside the window [from, reference date] with the attendance
  of the selected projects' members (cohort trainings, and programme-wide ones a selected member
  was recorded at);
- sessions: mentoring sessions inside the window, WITHOUT the staff-only notes; action_items: the
  items of those sessions;
- milestones: those the report counts (planned on or before the reference date, or achieved inside
  the window), with the late flag on the reference date;
- indicator_values: the values that count: approved (plus submitted when the option is on) of
  periods ending inside the window.
"""

import datetime as dt
import enum

import sqlalchemy as sa
from pandas import DataFrame

from tracker.auth.models import User
from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.indicators.models import Indicator, Target
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.periods.models import IndicatorValue, PeriodReport, ReportStatus
from tracker.projects.models import Member, Project
from tracker.reports.frames import frame
from tracker.trainings.models import Attendance, Training

SHEETS = ("projects", "members", "attendance", "sessions", "action_items", "milestones", "targets",
          "indicator_values")


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def _frame(stmt: sa.Select) -> DataFrame:
    result = db.session.execute(stmt)
    return frame(([_plain(v) for v in row] for row in result.all()), list(result.keys()))


def _window(column, date_from: dt.date | None, ref: dt.date):
    return column <= ref if date_from is None else column.between(date_from, ref)


def _projects(ids) -> DataFrame:
    return _frame(
        sa.select(Project.id.label("project_id"), Cohort.slug.label("cohort"), Project.code, Project.name,
                  Project.sector, Project.sub_sector, Project.stage, Project.legal_form,
                  Project.registration_date, Project.province, Project.commune, Project.status,
                  Project.status_date)
        .join(Cohort, Project.cohort_id == Cohort.id)
        .where(Project.cohort_id.in_(ids)).order_by(Cohort.slug, Project.code, Project.id)
    )


def _members(ids) -> DataFrame:
    return _frame(
        sa.select(Member.id.label("member_id"), Member.project_id, Project.code.label("project_code"),
                  Project.name.label("project_name"), Member.full_name, Member.sex, Member.birth_date,
                  Member.role, Member.role_title, Member.is_lead, Member.ownership_pct, Member.phone,
                  Member.email, Member.consent_date, Member.consent_purpose)
        .join(Project, Member.project_id == Project.id)
        .where(Project.cohort_id.in_(ids)).order_by(Project.id, Member.is_lead.desc(), Member.id)
    )


def _attendance(ids, date_from: dt.date | None, ref: dt.date) -> DataFrame:
    selected = sa.select(Project.id).where(Project.cohort_id.in_(ids))
    members_of_selected = sa.select(Member.id).where(Member.project_id.in_(selected))
    return _frame(
        sa.select(Training.id.label("training_id"), Training.date, Training.title, Training.topic,
                  Training.duration_hours, Member.project_id, Project.code.label("project_code"),
                  Attendance.member_id, Member.full_name, Attendance.present)
        .join(Attendance, Attendance.training_id == Training.id)
        .join(Member, Attendance.member_id == Member.id)
        .join(Project, Member.project_id == Project.id)
        .where(Attendance.member_id.in_(members_of_selected), _window(Training.date, date_from, ref),
               sa.or_(Training.cohort_id.in_(ids), Training.cohort_id.is_(None)))
        .order_by(Training.date, Training.id, Project.id, Member.full_name, Member.id)
    )


def _sessions(ids, date_from: dt.date | None, ref: dt.date) -> DataFrame:
    # staff_notes is deliberately absent: the file may leave the staff room.
    return _frame(
        sa.select(MentoringSession.id.label("session_id"), MentoringSession.date, MentoringSession.project_id,
                  Project.code.label("project_code"), Project.name.label("project_name"),
                  User.display_name.label("mentor"), MentoringSession.duration_minutes, MentoringSession.mode,
                  MentoringSession.topics, MentoringSession.shared_summary, MentoringSession.next_session_date)
        .join(Project, MentoringSession.project_id == Project.id)
        .join(User, MentoringSession.mentor_id == User.id)
        .where(Project.cohort_id.in_(ids), _window(MentoringSession.date, date_from, ref))
        .order_by(MentoringSession.date, MentoringSession.id)
    )


def _action_items(ids, date_from: dt.date | None, ref: dt.date) -> DataFrame:
    return _frame(
        sa.select(ActionItem.id.label("item_id"), ActionItem.session_id, MentoringSession.date.label("session_date"),
                  MentoringSession.project_id, Project.code.label("project_code"), ActionItem.description,
                  ActionItem.owner_kind, ActionItem.due_date, ActionItem.done_date)
        .join(MentoringSession, ActionItem.session_id == MentoringSession.id)
        .join(Project, MentoringSession.project_id == Project.id)
        .where(Project.cohort_id.in_(ids), _window(MentoringSession.date, date_from, ref))
        .order_by(MentoringSession.date, ActionItem.id)
    )


def _milestones(ids, date_from: dt.date | None, ref: dt.date) -> DataFrame:
    achieved_in_window = sa.and_(Milestone.status == MilestoneStatus.ACHIEVED,
                                 _window(Milestone.achieved_date, date_from, ref))
    milestones = _frame(
        sa.select(Milestone.id.label("milestone_id"), Milestone.project_id, Project.code.label("project_code"),
                  Milestone.title, Milestone.category, Milestone.planned_date, Milestone.status,
                  Milestone.achieved_date)
        .join(Project, Milestone.project_id == Project.id)
        .where(Project.cohort_id.in_(ids), sa.or_(Milestone.planned_date <= ref, achieved_in_window))
        .order_by(Project.id, Milestone.planned_date, Milestone.id)
    )
    milestones["late"] = [
        status not in (MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED) and planned < ref
        for status, planned in zip(milestones["status"], milestones["planned_date"], strict=True)
    ]
    return milestones


def _targets(ids) -> DataFrame:
    return _frame(
        sa.select(Target.project_id, Project.code.label("project_code"), Indicator.code.label("indicator"),
                  Indicator.unit, Target.baseline_value, Target.baseline_date, Target.target_value,
                  Target.target_date)
        .join(Project, Target.project_id == Project.id)
        .join(Indicator, Target.indicator_id == Indicator.id)
        .where(Project.cohort_id.in_(ids))
        .order_by(Project.id, Indicator.sort_order, Indicator.code)
    )


def _indicator_values(ids, date_from: dt.date | None, ref: dt.date, include_submitted: bool) -> DataFrame:
    statuses = [ReportStatus.APPROVED] + ([ReportStatus.SUBMITTED] if include_submitted else [])
    return _frame(
        sa.select(PeriodReport.project_id, Project.code.label("project_code"), PeriodReport.period_label,
                  PeriodReport.period_start, PeriodReport.period_end, PeriodReport.status,
                  Indicator.code.label("indicator"), Indicator.unit, Indicator.kind, IndicatorValue.cell,
                  IndicatorValue.value)
        .join(PeriodReport, IndicatorValue.report_id == PeriodReport.id)
        .join(Project, PeriodReport.project_id == Project.id)
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .where(Project.cohort_id.in_(ids), PeriodReport.status.in_(statuses),
               _window(PeriodReport.period_end, date_from, ref))
        .order_by(Project.id, PeriodReport.period_end, Indicator.sort_order, Indicator.code, IndicatorValue.id)
    )


def raw_frames(cohort_ids, date_from: dt.date | None, ref: dt.date,
               include_submitted: bool = False) -> dict[str, DataFrame]:
    """The raw sheets for the report of `cohort_ids` over [date_from, ref], in `SHEETS` order."""
    ids = list(cohort_ids)
    return {
        "projects": _projects(ids),
        "members": _members(ids),
        "attendance": _attendance(ids, date_from, ref),
        "sessions": _sessions(ids, date_from, ref),
        "action_items": _action_items(ids, date_from, ref),
        "milestones": _milestones(ids, date_from, ref),
        "targets": _targets(ids),
        "indicator_values": _indicator_values(ids, date_from, ref, include_submitted),
    }
