"""Projects and their teams: listing, creation, edits, status and the team rules of DESIGN §3–4.

Rules enforced here (raised as ServiceError, nothing written):
- a project always has exactly one lead member; marking another member lead moves the flag;
- ownership shares are 0–100 and sum to at most 100 per project;
- consent date is required; birth and consent dates cannot be in the future;
- a status other than active carries a date, and paused/dropped carry a reason.
"""

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload, subqueryload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.auth.models import User
from tracker.cohorts.models import Cohort
from tracker.core import audit, places
from tracker.core.permissions import STAFF_ROLES, Role, visible_project_ids
from tracker.core.services import ServiceError, check_version
from tracker.extensions import db
from tracker.projects import flags
from tracker.projects.models import (
    DEFAULT_CONSENT_PURPOSE,
    Member,
    Project,
    ProjectStatus,
    project_holders,
    project_staff,
)

PROJECT_FIELDS = [
    "cohort_id", "code", "name", "sector", "sub_sector", "summary", "stage", "legal_form",
    "registration_date", "province", "commune", "status", "status_date", "status_reason",
]
HOLDER_EDITABLE = {
    "name", "sub_sector", "summary", "stage", "legal_form", "registration_date", "province", "commune",
}
MEMBER_FIELDS = [
    "full_name", "sex", "birth_date", "role", "role_title", "is_lead", "ownership_pct", "phone", "email",
    "consent_date", "consent_purpose",
]
SORTS = {
    "name": (Project.name, Project.id),
    "code": (Project.code, Project.id),
    "cohort": (Cohort.name, Project.name),
    "sector": (Project.sector, Project.name),
    "status": (Project.status, Project.name),
    "updated": (Project.updated_at.desc(), Project.id),
}


# ---------------------------------------------------------------- reading

@dataclass
class ProjectFilters:
    cohort_id: int | None = None
    sector: str | None = None
    status: str | None = None
    province: str | None = None
    staff_id: int | None = None
    q: str | None = None
    women_led: bool = False
    youth_led: bool = False
    sort: str = "name"


def _list_conditions(user, filters: ProjectFilters) -> list:
    """The WHERE of the project list: the projects the user may see, filtered (on projects' own columns and
    relations only, so the count needs no join)."""
    conditions = []
    visible = visible_project_ids(user)
    if visible is not None:
        conditions.append(Project.id.in_(visible or [-1]))
    if filters.cohort_id:
        conditions.append(Project.cohort_id == filters.cohort_id)
    if filters.sector:
        conditions.append(Project.sector == filters.sector)
    if filters.status:
        conditions.append(Project.status == filters.status)
    if filters.province:
        conditions.append(sa.func.lower(Project.province) == filters.province.strip().lower())
    if filters.staff_id:
        conditions.append(Project.staff.any(User.id == filters.staff_id))
    if filters.women_led:
        conditions.append(flags.women_led_clause())
    if filters.youth_led:
        conditions.append(flags.youth_led_clause(dt.date.today(), *flags.youth_bounds()))
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        conditions.append(
            sa.or_(
                sa.func.lower(Project.name).like(like),
                sa.func.lower(Project.code).like(like),
                sa.func.lower(Project.sub_sector).like(like),
                sa.func.lower(Project.commune).like(like),
                Project.members.any(sa.func.lower(Member.full_name).like(like)),
            )
        )
    return conditions


def project_list_query(user, filters: ProjectFilters) -> sa.Select:
    """Projects the user may see, filtered and sorted, with what the list shows loaded eagerly."""
    return (
        sa.select(Project)
        .join(Project.cohort)  # the sort by cohort
        .options(
            joinedload(Project.cohort),
            # One statement each whatever the page size (selectinload splits above 500 ids: issue 9).
            subqueryload(Project.members),
            subqueryload(Project.staff),
        )
        .where(*_list_conditions(user, filters))
        .order_by(*SORTS.get(filters.sort, SORTS["name"]))
    )


def project_count(user, filters: ProjectFilters) -> int:
    """How many projects the list has: counted on the projects alone (every project has its cohort), not
    over the list's statement with its join, which the paginator would wrap (7 ms against 2 at 20,000)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(*_list_conditions(user, filters)))


# The distinct provinces as a skip scan of ix_projects_province: one index probe per province (a dozen)
# instead of reading all 20,000 projects for a DISTINCT; same values, same order, on SQLite and PostgreSQL.
_PROVINCES = sa.text("""
    WITH RECURSIVE seen(province) AS (
        SELECT (SELECT province FROM projects WHERE province IS NOT NULL ORDER BY province LIMIT 1)
        UNION ALL
        SELECT (SELECT p.province FROM projects AS p WHERE p.province > seen.province ORDER BY p.province LIMIT 1)
        FROM seen WHERE seen.province IS NOT NULL
    )
    SELECT province FROM seen WHERE province IS NOT NULL
""")


def assigned_project_ids(user) -> set[int]:
    """The projects a staff member is assigned to (one query; not cached: assignments change)."""
    return set(db.session.scalars(
        sa.select(project_staff.c.project_id).where(project_staff.c.user_id == user.id)))


def provinces() -> list[str]:
    return [r for r in db.session.scalars(_PROVINCES) if r]


def _active_staff():
    return sa.and_(User.role.in_(STAFF_ROLES), User.active.is_(True))


def staff_users() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(_active_staff())
            .order_by(User.display_name)
        )
    )


def chosen_staff(user_id: int | None) -> list[sa.Row]:
    """The (id, display_name) row of the staff member a list page is filtered on, or none: the only option a
    mentor filter renders; the others come from the staff picker as the person types. Reading and rendering all
    ~800 staff as options was about a fifth of the projects page's profiled time at scale (issue 20)."""
    if user_id is None:
        return []
    return list(db.session.execute(
        sa.select(User.id, User.display_name)
        .where(User.id == user_id, _active_staff())
    ))


def get_project(project_id: int) -> Project | None:
    return db.session.scalar(
        sa.select(Project)
        .where(Project.id == project_id)
        .options(joinedload(Project.cohort), selectinload(Project.members),
                 selectinload(Project.staff), selectinload(Project.holders))
    )


def get_project_with_cohort(project_id: int) -> Project | None:
    """The project and its cohort only, for pages about one of its records."""
    return db.session.scalar(sa.select(Project).where(Project.id == project_id).options(joinedload(Project.cohort)))


def holder_projects(user) -> list[Project]:
    """The holder's projects with their cohort, by name, in one query. The user's `projects` are set from
    it, so the permission checks of the page that follows (`user.project_ids`) ask nothing more."""
    projects = list(db.session.scalars(_holder_projects_statement(), {"user_id": user.id}))
    set_committed_value(user, "projects", projects)
    return projects


@functools.cache
def _holder_projects_statement() -> sa.Select:
    """Built once, its cache key with it (the holder's home asks at each view, issue 20)."""
    return (sa.select(Project)
            .join(project_holders, project_holders.c.project_id == Project.id)
            .where(project_holders.c.user_id == sa.bindparam("user_id", type_=sa.Integer))
            .options(joinedload(Project.cohort))
            .order_by(Project.name))


# ---------------------------------------------------------------- projects

def _project_snapshot(project: Project) -> dict:
    return audit.snapshot(project, PROJECT_FIELDS) | {"staff_ids": sorted(u.id for u in project.staff)}


def normalise_places(data: dict) -> dict:
    """Province and commune as the reference spells them ("SAFI", "إقليم آسفي" → "Safi"); an unknown one is
    kept as typed (the form says so). Only the keys present are touched."""
    if "province" in data:
        data["province"] = places.normalise_province(data["province"]).value
    if "commune" in data:
        data["commune"] = places.normalise_commune(data["commune"], data.get("province")).value
    return data


def _check_status(data: dict, today: dt.date) -> None:
    status = data.get("status") or ProjectStatus.ACTIVE
    if status != ProjectStatus.ACTIVE:
        if not data.get("status_date"):
            data["status_date"] = today
        if status in (ProjectStatus.PAUSED, ProjectStatus.DROPPED) and not (data.get("status_reason") or "").strip():
            raise ServiceError(_l("Indiquez la raison de la pause ou de l'abandon."), field="status_reason")
    if data.get("status_date") and data["status_date"] > today:
        raise ServiceError(_l("La date du statut ne peut pas être dans le futur."), field="status_date")


def _check_code(cohort_id: int, code: str | None, project_id: int | None) -> None:
    if not code:
        return
    other = db.session.scalar(
        sa.select(Project.id).where(
            Project.cohort_id == cohort_id, Project.code == code, Project.id != (project_id or -1)
        )
    )
    if other:
        raise ServiceError(_l("Un autre projet de cette cohorte porte déjà ce numéro."), field="code")


def _staff(staff_ids) -> list[User]:
    ids = [int(i) for i in staff_ids or []]
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(ids), User.role.in_([Role.ADMIN, Role.MANAGER, Role.STAFF]))
    ))


def create_project(actor, data: dict, lead: dict, staff_ids=(), today: dt.date | None = None) -> Project:
    """A project is created with its lead member, so it has exactly one lead from the start.

    Raises ServiceError (field set) when a rule of the module is broken by the project (status, its date and
    reason; a number another project of the cohort has) or by its lead (`add_member`); nothing is kept."""
    today = today or dt.date.today()
    data = normalise_places(dict(data))
    _check_status(data, today)
    _check_code(data["cohort_id"], data.get("code"), None)
    project = Project(**{k: v for k, v in data.items() if k in PROJECT_FIELDS})
    project.staff = _staff(staff_ids)
    db.session.add(project)
    db.session.flush()
    audit.record(actor, "create", "project", project.id, audit.diff({}, _project_snapshot(project)))
    add_member(actor, project, dict(lead, is_lead=True), today=today)
    return project


def update_project(actor, project: Project, data: dict, version, staff_ids=None,
                   today: dt.date | None = None) -> Project:
    """Holders change only the profile fields; staff change everything, status and staff too.

    Raises ConflictError when `version` is stale, ServiceError (field set) on the rules of the module."""
    check_version(project, version)
    today = today or dt.date.today()
    allowed = HOLDER_EDITABLE if actor.role == Role.HOLDER else set(PROJECT_FIELDS) - {"cohort_id"}
    data = normalise_places({k: v for k, v in data.items() if k in allowed})
    if "commune" in data and "province" not in data:
        data["commune"] = places.normalise_commune(data["commune"], project.province).value
    if actor.role != Role.HOLDER:
        merged = {k: data.get(k, getattr(project, k)) for k in ("status", "status_date", "status_reason")}
        if merged["status"] != project.status and "status_date" not in data:
            merged["status_date"] = None
        _check_status(merged, today)
        data.update(merged)
        _check_code(project.cohort_id, data.get("code"), project.id)
    before = _project_snapshot(project)
    for key, value in data.items():
        setattr(project, key, value)
    if staff_ids is not None and actor.role != Role.HOLDER:
        project.staff = _staff(staff_ids)
    db.session.flush()
    changes = audit.diff(before, _project_snapshot(project))
    if changes:
        audit.record(actor, "update", "project", project.id, changes)
    return project


# ---------------------------------------------------------------- members

def _clean_member(data: dict, today: dt.date) -> dict:
    data = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    data["full_name"] = " ".join((data.get("full_name") or "").split())
    if not data["full_name"]:
        raise ServiceError(_l("Le nom complet est obligatoire."), field="full_name")
    if not data.get("consent_date"):
        raise ServiceError(
            _l("La date de consentement au traitement des données est obligatoire."), field="consent_date"
        )
    if data["consent_date"] > today:
        raise ServiceError(_l("La date de consentement ne peut pas être dans le futur."), field="consent_date")
    data["consent_purpose"] = " ".join((data.get("consent_purpose") or DEFAULT_CONSENT_PURPOSE).split())
    if data.get("birth_date") and data["birth_date"] > today:
        raise ServiceError(_l("La date de naissance ne peut pas être dans le futur."), field="birth_date")
    share = data.get("ownership_pct")
    if share is not None and not (Decimal(0) <= Decimal(share) <= Decimal(100)):
        raise ServiceError(_l("La part du capital doit être comprise entre 0 et 100 %."), field="ownership_pct")
    if data.get("email"):
        data["email"] = data["email"].strip().lower()
    return data


def _check_shares(project: Project, member: Member | None, share) -> None:
    others = sum((m.ownership_pct or Decimal(0)) for m in project.members if m is not member)
    if others + Decimal(share or 0) > Decimal(100):
        raise ServiceError(
            _l("Les parts du capital de l'équipe dépasseraient 100 %% (déjà %(n)s %% pour les autres membres).",
               n=f"{others:g}"),
            field="ownership_pct",
        )


def _move_lead(actor, project: Project, new_lead: Member | None) -> None:
    for other in project.members:
        if other is not new_lead and other.is_lead:
            other.is_lead = False
            audit.record(actor, "update", "member", other.id, {"is_lead": [True, False]})
    # The partial unique index sees the old lead's flag cleared before the new one is set.
    db.session.flush()


def add_member(actor, project: Project, data: dict, today: dt.date | None = None) -> Member:
    """Adds a member, audited; the first one becomes the lead, and a new lead takes the flag from the old one.

    Raises ServiceError (field set) when the member breaks a rule of the module (name, consent, dates in the
    future, shares)."""
    today = today or dt.date.today()
    data = _clean_member(data, today)
    _check_shares(project, None, data.get("ownership_pct"))
    has_lead = any(m.is_lead for m in project.members)
    if not has_lead:
        data["is_lead"] = True  # the first member is the lead: a project always has exactly one
    member = Member(**data)
    if member.is_lead and has_lead:
        _move_lead(actor, project, member)
    project.members.append(member)
    db.session.flush()
    audit.record(actor, "create", "member", member.id,
                 audit.diff({}, audit.snapshot(member, MEMBER_FIELDS)) | {"project_id": [None, project.id]})
    return member


ERASED_MEMBER = _l("Ce membre a été effacé à sa demande : sa fiche ne peut plus être modifiée.")


def update_member(actor, member: Member, data: dict, version, today: dt.date | None = None) -> Member:
    """Raises ServiceError when the member was erased (editing would bring personal data back, law 09-08),
    the data breaks a team rule (shares, one lead), and ConflictError when `version` is stale."""
    if member.erased_at is not None:
        raise ServiceError(ERASED_MEMBER)
    check_version(member, version)
    today = today or dt.date.today()
    data = _clean_member(data, today)
    project = member.project
    _check_shares(project, member, data.get("ownership_pct"))
    if member.is_lead and not data.get("is_lead"):
        raise ServiceError(
            _l("Un projet a toujours un porteur principal : désignez un autre membre comme porteur principal."),
            field="is_lead",
        )
    with audit.recorded(actor, member, "member", MEMBER_FIELDS):
        if data.get("is_lead") and not member.is_lead:
            _move_lead(actor, project, member)
        for key, value in data.items():
            setattr(member, key, value)
    return member


def delete_member(actor, member: Member) -> None:
    """Removes a member, audited. Raises ServiceError when it is the lead (a project always has one)."""
    if member.is_lead:
        raise ServiceError(
            _l("Ce membre est le porteur principal : désignez d'abord un autre porteur principal.")
        )
    before = audit.snapshot(member, MEMBER_FIELDS) | {"project_id": member.project_id}
    project = member.project
    project.members.remove(member)
    db.session.flush()
    audit.record(actor, "delete", "member", member.id, audit.diff(before, {}))
