"""The daily scan: notices that depend on the date rather than on someone's action (issue 17).

- holders: a report due within DUE_SOON_DAYS days or overdue; a project action item that comes due (its
  due date is today or past); a milestone that became late;
- staff: an action item overdue (to its staff owner, or to the session's mentor for the project's items);
  an assigned active project without a session for QUIET_DAYS days;
- managers: a submitted report waiting more than routing.STALLED_DAYS days.

Each notice carries a key (what, which record, which date), so running the scan again the same day, or
the next day while nothing changed, adds nothing. A fixed number of queries whatever the data size.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.core.permissions import Role
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.notifications.models import Kind, Notification
from tracker.periods.models import PeriodReport, ReminderKind, ReportStatus
from tracker.periods.routing import STALLED_DAYS
from tracker.projects.models import Project, ProjectStatus, project_holders, project_staff

QUIET_DAYS = 60
CHUNK = 500


@dataclass
class Candidate:
    user_id: int
    key: str
    kind: Kind
    project_id: int | None
    entity_type: str
    entity_id: int | None
    params: dict = field(default_factory=dict)


def _links(table) -> dict[int, list[int]]:
    """{project id: [active user ids]} for project_holders or project_staff (one query)."""
    role_ok = User.role == Role.HOLDER if table is project_holders else User.role != Role.HOLDER
    links: dict[int, list[int]] = {}
    for project_id, user_id in db.session.execute(
            sa.select(table.c.project_id, table.c.user_id).join(User, User.id == table.c.user_id)
            .where(User.active.is_(True), role_ok)):
        links.setdefault(project_id, []).append(user_id)
    return links


def _reports_due(today: dt.date, holders: dict[int, list[int]]) -> list[Candidate]:
    from tracker.periods.services import reports_due

    linked = sa.select(project_holders.c.project_id).join(User, User.id == project_holders.c.user_id).where(
        User.role == Role.HOLDER, User.active.is_(True))
    out = []
    for due in reports_due(linked, today):
        if due.kind not in (ReminderKind.DUE_SOON, ReminderKind.OVERDUE):
            continue
        state = "overdue" if due.kind == ReminderKind.OVERDUE else "due_soon"
        params = {"project": due.project.name, "period": due.period.label, "end": due.period.end.isoformat(),
                  "state": state}
        for user_id in holders.get(due.project.id, []):
            out.append(Candidate(user_id, f"report_due:{due.project.id}:{due.period.label}:{state}",
                                 Kind.REPORT_DUE, due.project.id, "period_report",
                                 due.report.id if due.report else None, params))
    return out


def _action_items(today: dt.date, holders: dict[int, list[int]]) -> list[Candidate]:
    rows = db.session.execute(
        sa.select(ActionItem.id, ActionItem.description, ActionItem.due_date, ActionItem.owner_kind,
                  ActionItem.owner_user_id, MentoringSession.mentor_id, Project.id, Project.name)
        .join(MentoringSession, MentoringSession.id == ActionItem.session_id)
        .join(Project, Project.id == MentoringSession.project_id)
        .where(ActionItem.done_date.is_(None), ActionItem.due_date <= today, Project.status == ProjectStatus.ACTIVE))
    out = []
    for item_id, text, due, owner_kind, owner_id, mentor_id, project_id, name in rows:
        params = {"item": text, "due": due.isoformat(), "project": name}
        if owner_kind == ActionOwner.PROJECT:
            for user_id in holders.get(project_id, []):
                out.append(Candidate(user_id, f"item_due:{item_id}:{due.isoformat()}", Kind.ACTION_ITEM_DUE,
                                     project_id, "action_item", item_id, params))
        if due < today:
            staff_id = owner_id if owner_kind == ActionOwner.STAFF else mentor_id
            out.append(Candidate(staff_id, f"item_overdue:{item_id}:{due.isoformat()}", Kind.ACTION_ITEM_OVERDUE,
                                 project_id, "action_item", item_id, params))
    return out


def _late_milestones(today: dt.date, holders: dict[int, list[int]]) -> list[Candidate]:
    rows = db.session.execute(
        sa.select(Milestone.id, Milestone.title, Milestone.planned_date, Project.id, Project.name)
        .join(Project, Project.id == Milestone.project_id)
        .where(Milestone.planned_date < today, Project.status == ProjectStatus.ACTIVE,
               Milestone.status.not_in([MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED]),
               Project.id.in_(sa.select(project_holders.c.project_id))))
    return [Candidate(user_id, f"milestone_late:{mid}:{planned.isoformat()}", Kind.MILESTONE_LATE, pid, "milestone",
                      mid, {"milestone": title, "planned": planned.isoformat(), "project": name})
            for mid, title, planned, pid, name in rows for user_id in holders.get(pid, [])]


def _quiet_projects(today: dt.date, mentors: dict[int, list[int]]) -> list[Candidate]:
    limit = today - dt.timedelta(days=QUIET_DAYS)
    last = sa.func.max(MentoringSession.date)
    rows = db.session.execute(
        sa.select(Project.id, Project.name, last, Project.created_at)
        .outerjoin(MentoringSession, MentoringSession.project_id == Project.id)
        .where(Project.status == ProjectStatus.ACTIVE, Project.id.in_(sa.select(project_staff.c.project_id)))
        .group_by(Project.id, Project.name, Project.created_at))
    out = []
    for pid, name, last_day, created in rows:
        if last_day is not None and last_day >= limit:
            continue
        if last_day is None and created.date() >= limit:
            continue  # a project just added has not had the time
        marker = last_day.isoformat() if last_day else "none"
        for user_id in mentors.get(pid, []):
            out.append(Candidate(user_id, f"quiet:{pid}:{marker}", Kind.PROJECT_QUIET, pid, "project", pid,
                                 {"project": name, "last": last_day.isoformat() if last_day else None}))
    return out


def _stalled_reports(today: dt.date) -> list[Candidate]:
    manager_ids = list(db.session.scalars(sa.select(User.id).where(User.role == Role.MANAGER, User.active.is_(True))))
    if not manager_ids:
        return []
    since = dt.datetime.combine(today - dt.timedelta(days=STALLED_DAYS), dt.time(), tzinfo=dt.UTC)
    rows = db.session.execute(
        sa.select(PeriodReport.id, PeriodReport.period_label, PeriodReport.submitted_at, Project.id, Project.name)
        .join(Project, Project.id == PeriodReport.project_id)
        .where(PeriodReport.status == ReportStatus.SUBMITTED, PeriodReport.submitted_at < since))
    out = []
    for rid, label, submitted, pid, name in rows:
        days = (today - submitted.date()).days
        for user_id in manager_ids:
            out.append(Candidate(user_id, f"stalled:{rid}:{submitted.date().isoformat()}", Kind.REPORT_STALLED, pid,
                                 "period_report", rid, {"project": name, "period": label, "days": days}))
    return out


def _add_new(candidates: list[Candidate]) -> int:
    """Adds the candidates whose (user, key) was never given; the keys are checked by chunks."""
    unique = {(c.user_id, c.key): c for c in candidates if c.user_id}
    keys = sorted({key for _uid, key in unique})
    existing = set()
    for start in range(0, len(keys), CHUNK):
        existing |= set(db.session.execute(
            sa.select(Notification.user_id, Notification.dedupe_key)
            .where(Notification.dedupe_key.in_(keys[start:start + CHUNK]))).tuples())
    added = 0
    for (user_id, key), c in unique.items():
        if (user_id, key) in existing:
            continue
        db.session.add(Notification(user_id=user_id, kind=c.kind, project_id=c.project_id, entity_type=c.entity_type,
                                    entity_id=c.entity_id, params=c.params, dedupe_key=key))
        added += 1
    db.session.flush()
    return added


def run(today: dt.date) -> int:
    """Adds today's time-based notices; returns how many (flushes, does not commit)."""
    holders = _links(project_holders)
    mentors = _links(project_staff)
    candidates = (_reports_due(today, holders) + _action_items(today, holders) + _late_milestones(today, holders)
                  + _quiet_projects(today, mentors) + _stalled_reports(today))
    return _add_new(candidates)
