"""The holder's home: what their project(s) need from them now, readable on a phone.

For each project: milestones due within 30 days or late, reports owed or returned, the latest shared
mentoring summaries (never the staff notes: the column is not even loaded), the trainings the team attended
and progress against targets. A fixed number of queries per project; holders have one or two projects.
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only

from tracker.extensions import db
from tracker.indicators.progress import project_progress
from tracker.mentoring.models import MentoringSession
from tracker.milestones.services import due_soon_and_late
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


def _summaries(project_id: int) -> list[MentoringSession]:
    return list(db.session.scalars(
        sa.select(MentoringSession)
        .where(MentoringSession.project_id == project_id, MentoringSession.shared_summary.is_not(None))
        .options(load_only(MentoringSession.id, MentoringSession.project_id, MentoringSession.date,
                           MentoringSession.mode, MentoringSession.shared_summary, MentoringSession.mentor_id),
                 joinedload(MentoringSession.mentor))
        .order_by(MentoringSession.date.desc(), MentoringSession.id.desc())
        .limit(SUMMARIES_SHOWN)
    ))


def _trainings(project_id: int) -> list[sa.Row]:
    """Trainings at least one team member attended, newest first, with how many of the team were there."""
    return list(db.session.execute(
        sa.select(Training.id, Training.date, Training.title, Training.topic, Training.duration_hours,
                  sa.func.count(Attendance.id).label("present"))
        .join(Attendance, Attendance.training_id == Training.id)
        .join(Member, Member.id == Attendance.member_id)
        .where(Member.project_id == project_id, Attendance.present.is_(True))
        .group_by(Training.id, Training.date, Training.title, Training.topic, Training.duration_hours)
        .order_by(Training.date.desc())
    ))


def holder_dashboard(user, today: dt.date) -> list[HolderProject]:
    projects = holder_projects(user)
    ids = [p.id for p in projects]
    milestones = due_soon_and_late(ids, today)
    reports = attention_reports(user, today)
    return [
        HolderProject(
            project=p,
            milestones=[m for m in milestones if m.project_id == p.id],
            reports=[r for r in reports if r.project.id == p.id],
            summaries=_summaries(p.id),
            trainings=_trainings(p.id),
            progress=project_progress(p.id, today),
        )
        for p in projects
    ]
