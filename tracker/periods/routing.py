"""Who reviews a submitted report (DESIGN §5, issue 17).

The reviewer is the project's mentor (an active staff-side account assigned to the project). A report the
mentor submitted themselves goes to another staff member of the cohort (assigned to one of its projects),
or to a manager when there is none, and to an admin as the last resort; among equals, the one with the fewest
reports waiting for them. A corrected report goes back to whoever returned it when they still can review it.
Managers reassign (`reassign`), several reports at once. Nobody is ever asked to review their own submission.
"""

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth.models import User
from tracker.core import audit
from tracker.core.models import utcnow
from tracker.core.permissions import Action, Role, can
from tracker.core.services import ServiceError
from tracker.extensions import db
from tracker.notifications.models import Kind
from tracker.notifications.services import notify
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.projects.models import Project, project_staff

STALLED_DAYS = 14
STAFF_SIDE = (Role.ADMIN, Role.MANAGER, Role.STAFF)


def _eligible(user: User | None, submitter_id: int | None) -> bool:
    return user is not None and user.active and user.role in STAFF_SIDE and user.id != submitter_id


def _least_loaded(candidates: list[User]) -> User | None:
    """The candidate with the fewest submitted reports waiting for them (one aggregate query)."""
    if not candidates:
        return None
    ids = [u.id for u in candidates]
    load = dict(db.session.execute(
        sa.select(PeriodReport.reviewer_id, sa.func.count(PeriodReport.id))
        .where(PeriodReport.status == ReportStatus.SUBMITTED, PeriodReport.reviewer_id.in_(ids))
        .group_by(PeriodReport.reviewer_id)).all())
    return min(candidates, key=lambda u: (load.get(u.id, 0), u.display_name.lower(), u.id))


def choose_reviewer(report: PeriodReport, submitter_id: int | None, prefer_id: int | None = None) -> User | None:
    """The reviewer the module docstring describes, or None when nobody but the submitter could review.
    `prefer_id`: who returned the report, asked first when they still can review it."""
    project = db.session.get(Project, report.project_id)
    preferred = db.session.get(User, prefer_id) if prefer_id else None
    if _eligible(preferred, submitter_id):
        return preferred
    mentors = [u for u in project.staff if _eligible(u, submitter_id)]
    if mentors:
        return _least_loaded(mentors)
    cohort_staff = list(db.session.scalars(
        sa.select(User).where(User.id.in_(
            sa.select(project_staff.c.user_id).join(Project, Project.id == project_staff.c.project_id)
            .where(Project.cohort_id == project.cohort_id)),
            User.role == Role.STAFF, User.active.is_(True), User.id != (submitter_id or -1))))
    for pool in (cohort_staff, _active(Role.MANAGER, submitter_id), _active(Role.ADMIN, submitter_id)):
        if pool:
            return _least_loaded(pool)
    return None


def _active(role: Role, submitter_id: int | None) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role == role, User.active.is_(True),
                                                         User.id != (submitter_id or -1))))


def route(actor, report: PeriodReport, corrected: bool) -> User | None:
    """Sets the reviewer of a report just submitted and tells them (report submitted, or corrected)."""
    reviewer = choose_reviewer(report, report.submitted_by_id, report.reviewed_by_id if corrected else None)
    report.reviewer_id = reviewer.id if reviewer else None
    db.session.flush()
    if reviewer is not None:
        notify([reviewer.id], Kind.REPORT_CORRECTED if corrected else Kind.REPORT_SUBMITTED, actor=actor,
               project_id=report.project_id, entity_type="period_report", entity_id=report.id,
               params=_params(report))
    return reviewer


def _params(report: PeriodReport) -> dict:
    project = report.project or db.session.get(Project, report.project_id)
    return {"project": project.name, "period": report.period_label}


def reassign(actor, reports: list[PeriodReport], reviewer: User) -> tuple[int, list[PeriodReport]]:
    """Gives these submitted reports to `reviewer`, audited, and tells them. Returns (how many changed,
    the reports skipped: not submitted any more, or submitted by the reviewer).
    Raises ServiceError when the actor may not reassign or the reviewer cannot review."""
    if not can(actor, Action.REASSIGN_REVIEW):
        raise ServiceError(_l("Votre rôle ne vous permet pas de réattribuer les relectures."))
    if reviewer is None or not reviewer.active or reviewer.role not in STAFF_SIDE:
        raise ServiceError(_l("Choisissez un membre actif de l'équipe du programme."), field="reviewer_id")
    changed, skipped = 0, []
    for report in reports:
        if report.status != ReportStatus.SUBMITTED or report.submitted_by_id == reviewer.id:
            skipped.append(report)
            continue
        if report.reviewer_id == reviewer.id:
            continue
        before = report.reviewer_id
        report.reviewer_id = reviewer.id
        audit.record(actor, "reassign", "period_report", report.id, {"reviewer_id": [before, reviewer.id]})
        notify([reviewer.id], Kind.REPORT_SUBMITTED, actor=actor, project_id=report.project_id,
               entity_type="period_report", entity_id=report.id, params=_params(report))
        changed += 1
    db.session.flush()
    return changed, skipped


def stalled_since(now: dt.datetime | None = None) -> dt.datetime:
    """Submitted before this moment = waiting more than STALLED_DAYS days."""
    return (now or utcnow()) - dt.timedelta(days=STALLED_DAYS)
