"""The holder's home: what their project(s) need from them now, readable on a phone.

First the to-dos (issue 17): reports to fill or correct, the project's open action items (overdue first,
with the mentor who agreed them and the due date, "mark done" in one tap), the next planned session, the
latest reviewer comment and the milestones due. Then, for each project: milestones due within 30 days or
late, reports owed or returned, the latest shared mentoring summaries (never the staff notes: the column is
not even loaded), the trainings the team attended and progress against targets. A fixed number of queries
per project; holders have one or two projects.

Each statement is built once (`functools.cache`), its values bound at execution: the page runs about ten
small statements, and building each with its cache key cost about as much as running it (issue 20).
"""

import datetime as dt
import functools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, load_only

from tracker.auth.models import User
from tracker.extensions import db
from tracker.indicators.progress import project_progress
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession
from tracker.milestones.services import due_soon_and_late
from tracker.periods.models import PeriodReport
from tracker.periods.services import attention_reports
from tracker.projects.models import Member
from tracker.projects.services import holder_projects
from tracker.trainings.models import Attendance, Training

SUMMARIES_SHOWN = 3


@dataclass
class HolderProject:
    project: object
    milestones: list
    reports: list
    summaries: list
    trainings: list
    progress: list
    next_session: tuple | None = None  # (date, mentor name)
    latest_review: PeriodReport | None = None


@dataclass
class Todos:
    reports: list
    items: list  # open action items of the projects, overdue first
    milestones: list

    def __bool__(self) -> bool:
        return bool(self.reports or self.items or self.milestones)


_IDS = sa.bindparam("ids", expanding=True)
_PROJECT = sa.bindparam("project_id", type_=sa.Integer)


@functools.cache
def _open_items_statement() -> sa.Select:
    return (
        sa.select(ActionItem).join(ActionItem.session)
        .where(MentoringSession.project_id.in_(_IDS), ActionItem.done_date.is_(None),
               ActionItem.owner_kind == ActionOwner.PROJECT)
        .options(contains_eager(ActionItem.session).load_only(
                     MentoringSession.id, MentoringSession.project_id, MentoringSession.date,
                     MentoringSession.mentor_id).joinedload(MentoringSession.mentor))
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id))


def open_items(project_ids) -> list[ActionItem]:
    """The projects' own open action items, soonest due first (so overdue first), no due date last, with the
    session's mentor loaded: one query, staff notes never loaded."""
    if not project_ids:
        return []
    return list(db.session.scalars(_open_items_statement(), {"ids": list(project_ids)}))


@functools.cache
def _next_sessions_statement() -> sa.Select:
    return (sa.select(MentoringSession.project_id, MentoringSession.next_session_date, User.display_name)
            .join(User, User.id == MentoringSession.mentor_id)
            .where(MentoringSession.project_id.in_(_IDS),
                   MentoringSession.next_session_date >= sa.bindparam("today", type_=sa.Date))
            .order_by(MentoringSession.next_session_date))


def _next_sessions(project_ids, today: dt.date) -> dict[int, tuple]:
    """{project id: (date, mentor name)} of the nearest session planned from today on (one query)."""
    found: dict[int, tuple] = {}
    for project_id, day, mentor in db.session.execute(_next_sessions_statement(),
                                                      {"ids": list(project_ids), "today": today}):
        found.setdefault(project_id, (day, mentor))
    return found


@functools.cache
def _latest_reviews_statement() -> sa.Select:
    return (sa.select(PeriodReport)
            .where(PeriodReport.project_id.in_(_IDS), PeriodReport.review_comment.is_not(None),
                   PeriodReport.reviewed_at.is_not(None))
            .options(load_only(PeriodReport.id, PeriodReport.project_id, PeriodReport.period_label,
                               PeriodReport.status, PeriodReport.review_comment, PeriodReport.reviewed_at,
                               PeriodReport.reviewed_by_id),
                     joinedload(PeriodReport.reviewed_by))
            .order_by(PeriodReport.reviewed_at.desc(), PeriodReport.id.desc()))


def _latest_reviews(project_ids) -> dict[int, PeriodReport]:
    """{project id: the report last reviewed with a comment} (one query; the narratives are not loaded)."""
    found: dict[int, PeriodReport] = {}
    for report in db.session.scalars(_latest_reviews_statement(), {"ids": list(project_ids)}):
        found.setdefault(report.project_id, report)
    return found


@functools.cache
def _summaries_statement() -> sa.Select:
    return (sa.select(MentoringSession)
            .where(MentoringSession.project_id == _PROJECT, MentoringSession.shared_summary.is_not(None))
            .options(load_only(MentoringSession.id, MentoringSession.project_id, MentoringSession.date,
                               MentoringSession.mode, MentoringSession.shared_summary, MentoringSession.mentor_id),
                     joinedload(MentoringSession.mentor))
            .order_by(MentoringSession.date.desc(), MentoringSession.id.desc())
            .limit(SUMMARIES_SHOWN))


def _summaries(project_id: int) -> list[MentoringSession]:
    return list(db.session.scalars(_summaries_statement(), {"project_id": project_id}))


@functools.cache
def _trainings_statement() -> sa.Select:
    return (sa.select(Training.id, Training.date, Training.title, Training.topic, Training.duration_hours,
                      sa.func.count(Attendance.id).label("present"))
            .join(Attendance, Attendance.training_id == Training.id)
            .join(Member, Member.id == Attendance.member_id)
            .where(Member.project_id == _PROJECT, Attendance.present.is_(True))
            .group_by(Training.id, Training.date, Training.title, Training.topic, Training.duration_hours)
            .order_by(Training.date.desc()))


def _trainings(project_id: int) -> list[sa.Row]:
    """Trainings at least one team member attended, newest first, with how many of the team were there."""
    return list(db.session.execute(_trainings_statement(), {"project_id": project_id}))


def holder_todos(dashboard: list[HolderProject], items: list) -> Todos:
    return Todos(reports=[r for d in dashboard for r in d.reports], items=items,
                 milestones=[m for d in dashboard for m in d.milestones])


def holder_dashboard(user, today: dt.date) -> list[HolderProject]:
    projects = holder_projects(user)
    ids = [p.id for p in projects]
    milestones = due_soon_and_late(ids, today)
    reports = attention_reports(user, today, projects)
    sessions = _next_sessions(ids, today) if ids else {}
    reviews = _latest_reviews(ids) if ids else {}
    return [
        HolderProject(
            project=p,
            milestones=[m for m in milestones if m.project_id == p.id],
            reports=[r for r in reports if r.project.id == p.id],
            summaries=_summaries(p.id),
            trainings=_trainings(p.id),
            progress=project_progress(p.id, today),
            next_session=sessions.get(p.id),
            latest_review=reviews.get(p.id),
        )
        for p in projects
    ]
