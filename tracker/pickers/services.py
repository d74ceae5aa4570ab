"""Server-side search behind every project, user and cohort picker: by name or number, 20 results at a time.

Each search is one query (21 rows fetched to know whether there is more), whatever the size of the
programme, and returns only what the asking user may see (holders: their projects; invitations by staff:
the projects assigned to them).
"""

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.cohorts.models import Cohort
from tracker.core.permissions import STAFF_ROLES, Role, assigned_project_ids, visible_project_ids
from tracker.extensions import db
from tracker.projects.models import Project

PAGE_SIZE = 20


def _text(q: str | None) -> str:
    return " ".join((q or "").split())[:100]


def search_projects(user, q: str | None, page: int = 1, assigned_only: bool = False) -> tuple[list[dict], bool]:
    """([{"value", "text", "group"}], more) for projects whose name or number contains `q`."""
    q = _text(q)
    stmt = sa.select(Project.id, Project.code, Project.name, Cohort.name).join(Project.cohort)
    visible = visible_project_ids(user)
    if visible is not None:
        stmt = stmt.where(Project.id.in_(visible or [-1]))
    if assigned_only and user.role == Role.STAFF:
        stmt = stmt.where(Project.id.in_(assigned_project_ids(user) or [-1]))
    if q:
        stmt = stmt.where(sa.or_(Project.name.icontains(q, autoescape=True),
                                 Project.code.icontains(q, autoescape=True)))
    stmt = stmt.order_by(Project.name, Project.id).offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    rows = db.session.execute(stmt).all()
    results = [{"value": pid, "text": f"{code} · {name}" if code else name, "group": cohort}
               for pid, code, name, cohort in rows[:PAGE_SIZE]]
    return results, len(rows) > PAGE_SIZE


def search_staff(q: str | None, page: int = 1) -> tuple[list[dict], bool]:
    """Active admins, managers and staff whose name or e-mail contains `q` (reviewers, mentors)."""
    q = _text(q)
    stmt = sa.select(User.id, User.display_name, User.role).where(User.role.in_(STAFF_ROLES), User.active.is_(True))
    if q:
        stmt = stmt.where(sa.or_(User.display_name.icontains(q, autoescape=True),
                                 User.email.icontains(q, autoescape=True)))
    stmt = stmt.order_by(User.display_name, User.id).offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    rows = db.session.execute(stmt).all()
    from tracker.core.i18n import label

    results = [{"value": uid, "text": name, "group": str(label(role))} for uid, name, role in rows[:PAGE_SIZE]]
    return results, len(rows) > PAGE_SIZE


def search_cohorts(q: str | None, page: int = 1) -> tuple[list[dict], bool]:
    """Cohorts whose name or slug contains `q`, by name; each with its city and forum year to tell apart
    cohorts of the same name."""
    q = _text(q)
    stmt = sa.select(Cohort.id, Cohort.name, Cohort.city, Cohort.forum_date)
    if q:
        stmt = stmt.where(sa.or_(Cohort.name.icontains(q, autoescape=True), Cohort.slug.icontains(q, autoescape=True)))
    stmt = stmt.order_by(Cohort.name, Cohort.id).offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    rows = db.session.execute(stmt).all()
    results = [{"value": cid, "text": name,
                "group": " · ".join(part for part in (city, forum and str(forum.year)) if part) or None}
               for cid, name, city, forum in rows[:PAGE_SIZE]]
    return results, len(rows) > PAGE_SIZE
