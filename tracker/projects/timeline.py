"""One chronological stream of what happened to a project (issue: project timeline).

The events are gathered by one UNION ALL of (date, kind, id) that SQL sorts and pages, then each kind's
rows are fetched in one query, so a page costs the same whatever the project's history.
Only what has happened by `today` is listed; planned milestones and the next session are in `upcoming()`.
Holders get the same stream; templates show them the shared summary of sessions, never the staff notes.
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.periods.models import PeriodReport
from tracker.projects.models import Member
from tracker.trainings.models import Attendance, Training

KINDS = ("training", "session", "action_done", "milestone", "report")


@dataclass
class Event:
    date: dt.date
    kind: str
    obj: object
    extra: object = None  # trainings: the project's members who attended


def _union(project_id: int, today: dt.date):
    training = (
        sa.select(Training.date.label("date"), sa.literal("training").label("kind"), Training.id.label("id"))
        .join(Attendance, Attendance.training_id == Training.id)
        .join(Member, Member.id == Attendance.member_id)
        .where(Member.project_id == project_id, Attendance.present.is_(True), Training.date <= today)
        .group_by(Training.id, Training.date)
    )
    session = sa.select(MentoringSession.date, sa.literal("session"), MentoringSession.id).where(
        MentoringSession.project_id == project_id, MentoringSession.date <= today)
    done = (
        sa.select(ActionItem.done_date, sa.literal("action_done"), ActionItem.id)
        .join(ActionItem.session)
        .where(MentoringSession.project_id == project_id, ActionItem.done_date.is_not(None),
               ActionItem.done_date <= today)
    )
    milestone_date = sa.case((Milestone.status == MilestoneStatus.ACHIEVED, Milestone.achieved_date),
                             else_=Milestone.planned_date)
    milestone = sa.select(milestone_date, sa.literal("milestone"), Milestone.id).where(
        Milestone.project_id == project_id, milestone_date <= today)
    report = sa.select(PeriodReport.period_end, sa.literal("report"), PeriodReport.id).where(
        PeriodReport.project_id == project_id, PeriodReport.period_end <= today)
    return sa.union_all(training, session, done, milestone, report).subquery()


def _load(kind: str, ids: list[int], project_id: int) -> dict[int, object]:
    if not ids:
        return {}
    if kind == "training":
        rows = db.session.scalars(sa.select(Training).where(Training.id.in_(ids)))
    elif kind == "session":
        rows = db.session.scalars(sa.select(MentoringSession).where(MentoringSession.id.in_(ids)).options(
            selectinload(MentoringSession.mentor), selectinload(MentoringSession.action_items)))
    elif kind == "action_done":
        rows = db.session.scalars(sa.select(ActionItem).where(ActionItem.id.in_(ids)))
    elif kind == "milestone":
        rows = db.session.scalars(sa.select(Milestone).where(Milestone.id.in_(ids)))
    else:
        rows = db.session.scalars(sa.select(PeriodReport).where(PeriodReport.id.in_(ids)))
    return {row.id: row for row in rows}


def _attendees(training_ids: list[int], project_id: int) -> dict[int, list[str]]:
    if not training_ids:
        return {}
    rows = db.session.execute(
        sa.select(Attendance.training_id, Member.full_name)
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.training_id.in_(training_ids), Member.project_id == project_id,
               Attendance.present.is_(True))
        .order_by(Member.full_name)
    )
    names: dict[int, list[str]] = {}
    for training_id, name in rows:
        names.setdefault(training_id, []).append(name)
    return names


@dataclass
class TimelinePage:
    events: list[Event]
    page: int
    pages: int
    total: int


def timeline(project_id: int, today: dt.date, page: int = 1, per_page: int = 20) -> TimelinePage:
    stream = _union(project_id, today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stream))
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    keys = db.session.execute(
        sa.select(stream.c.date, stream.c.kind, stream.c.id)
        .order_by(stream.c.date.desc(), stream.c.kind, stream.c.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    by_kind: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for _, kind, obj_id in keys:
        by_kind[kind].append(obj_id)
    loaded = {kind: _load(kind, ids, project_id) for kind, ids in by_kind.items() if ids}
    attendees = _attendees(by_kind["training"], project_id)
    events = [
        Event(date, kind, loaded[kind][obj_id], attendees.get(obj_id) if kind == "training" else None)
        for date, kind, obj_id in keys
        if obj_id in loaded.get(kind, {})
    ]
    return TimelinePage(events, page, pages, total)


def upcoming(project_id: int, today: dt.date, limit: int = 5) -> dict:
    """What is planned next: milestones not yet reached and the next planned session."""
    milestones = list(db.session.scalars(
        sa.select(Milestone)
        .where(Milestone.project_id == project_id, Milestone.planned_date >= today,
               Milestone.status.not_in([MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED]))
        .order_by(Milestone.planned_date).limit(limit)
    ))
    next_session = db.session.scalar(
        sa.select(sa.func.min(MentoringSession.next_session_date))
        .where(MentoringSession.project_id == project_id, MentoringSession.next_session_date >= today)
    )
    return {"milestones": milestones, "next_session": next_session}
