"""Mentoring sessions and their action items: logging, edits, deletion, completion and the lists.

Rules enforced here (raised as ServiceError, nothing written):
- the project exists and the actor may see it;
- the mentor is an active admin, manager or staff user; a staff actor is always the mentor of the
  sessions they log or edit (only managers and admins log on behalf of someone else);
- the session date is not in the future; the duration is 1–600 minutes; the next session date is
  neither before the session nor more than two years after it;
- an action item has a description; its due date, when new or changed, is neither before the
  session nor more than two years after it; a staff-owned item names an admin, manager or staff
  user (the mentor by default); the milestone it serves belongs to the session's project.

Staff notes are stored and audited like every other field; hiding them from holders is the job of
the templates (see templates/mentoring/session_detail.html) and of `can(…, VIEW_STAFF_NOTES)`.
"""

import datetime as dt
import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from tracker.auth.models import User
from tracker.cohorts.models import Cohort
from tracker.core import audit
from tracker.core.audit import AuditEvent
from tracker.core.models import utcnow
from tracker.core.permissions import STAFF_ROLES, Action, Role, can, visible_project_ids
from tracker.core.services import ServiceError, check_version
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode
from tracker.milestones.models import Milestone
from tracker.projects.models import Project, project_staff

SESSION_FIELDS = [
    "project_id", "mentor_id", "date", "duration_minutes", "mode", "topics", "shared_summary", "staff_notes",
    "next_session_date",
]
ITEM_FIELDS = ["session_id", "description", "owner_kind", "owner_user_id", "due_date", "done_date", "milestone_id"]
MIN_DURATION, MAX_DURATION = 1, 600
# A date typed with the wrong year (2052 for 2025) is the usual mistake on a phone keyboard.
HORIZON = dt.timedelta(days=731)


# ---------------------------------------------------------------- reading

def get_session(session_id: int) -> MentoringSession | None:
    """A session with what its page shows: project and cohort, mentor, action items and their owners."""
    return db.session.scalar(
        sa.select(MentoringSession)
        .where(MentoringSession.id == session_id)
        .options(
            joinedload(MentoringSession.project).joinedload(Project.cohort),
            joinedload(MentoringSession.mentor),
            selectinload(MentoringSession.action_items).joinedload(ActionItem.owner_user),
            selectinload(MentoringSession.action_items).joinedload(ActionItem.milestone),
        )
    )


def get_action_item(item_id: int) -> ActionItem | None:
    return db.session.scalar(
        sa.select(ActionItem).where(ActionItem.id == item_id).options(joinedload(ActionItem.session))
    )




@functools.cache
def _open_items_statement(limited: bool) -> sa.Select:
    """Open items of the projects `ids` (bound at execution, as `limit` when `limited`), soonest due first: built
    once, its cache key with it (building it cost about as much as running it, issue 20)."""
    stmt = (
        sa.select(ActionItem)
        .join(ActionItem.session)
        .where(MentoringSession.project_id.in_(sa.bindparam("ids", expanding=True)), ActionItem.done_date.is_(None))
        .options(
            contains_eager(ActionItem.session).load_only(
                MentoringSession.id, MentoringSession.project_id, MentoringSession.date, MentoringSession.mentor_id),
            joinedload(ActionItem.owner_user).load_only(User.id, User.display_name),
        )
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
    )
    if limited:
        stmt = stmt.add_columns(sa.func.count().over().label("total")).limit(sa.bindparam("limit", type_=sa.Integer))
    return stmt


def open_action_items(project_ids) -> list[ActionItem]:
    """Open action items of these projects, soonest due first (no due date last), in one query.

    Each item comes with what the lists show (the portfolio, the project page): its session's `project_id`,
    `date` and `mentor_id`, and its staff owner's name, so they need no query per row. Nothing else of the
    session or the owner is read: a portfolio page lists about seventy items, and each column read costs.
    """
    ids = list(project_ids or [])
    if not ids:
        return []
    return list(db.session.scalars(_open_items_statement(False), {"ids": ids}))


def first_open_action_items(project_ids, limit: int) -> tuple[list[ActionItem], int]:
    """The `limit` most urgent open action items of these projects (as `open_action_items` orders them) and how
    many are open in all, in one query."""
    ids = list(project_ids or [])
    if not ids:
        return [], 0
    rows = db.session.execute(_open_items_statement(True), {"ids": ids, "limit": limit}).all()
    return [item for item, _ in rows], (rows[0].total if rows else 0)


@dataclass
class SessionFilters:
    cohort_id: int | None = None
    project_id: int | None = None
    mentor_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    mine: bool = False


def _session_conditions(user, filters: SessionFilters) -> list:
    """The list's WHERE clauses, on session columns only (the cohort through a project-id subquery), so the
    page count needs no join."""
    conditions = []
    visible = visible_project_ids(user)
    if visible is not None:
        conditions.append(MentoringSession.project_id.in_(visible or [-1]))
    if filters.cohort_id:
        conditions.append(MentoringSession.project_id.in_(
            sa.select(Project.id).where(Project.cohort_id == filters.cohort_id)))
    if filters.project_id:
        conditions.append(MentoringSession.project_id == filters.project_id)
    if filters.mine:
        conditions.append(MentoringSession.mentor_id == user.id)
    elif filters.mentor_id:
        conditions.append(MentoringSession.mentor_id == filters.mentor_id)
    if filters.date_from:
        conditions.append(MentoringSession.date >= filters.date_from)
    if filters.date_to:
        conditions.append(MentoringSession.date <= filters.date_to)
    return conditions


def session_list_query(user, filters: SessionFilters) -> sa.Select:
    """Sessions the user may see, newest first, with project, cohort and mentor loaded eagerly.

    The long texts (summary, staff notes) are deferred: the list never shows them.
    """
    return (
        sa.select(MentoringSession)
        .join(MentoringSession.project)
        .options(
            contains_eager(MentoringSession.project).joinedload(Project.cohort),
            joinedload(MentoringSession.mentor),
            defer(MentoringSession.shared_summary),
            defer(MentoringSession.staff_notes),
        )
        .where(*_session_conditions(user, filters))
        .order_by(MentoringSession.date.desc(), MentoringSession.id.desc())
    )


# The list counts this many sessions past the first it shows, and says "more than" beyond: counting the whole
# programme's 400,000 sessions cost 25-30 ms on every view (issue 20), to print a number nobody pages through.
COUNT_AHEAD = 10_000


def session_count(user, filters: SessionFilters, up_to: int | None = None) -> int:
    """How many sessions `session_list_query` lists, or `up_to` + 1 when there are more than `up_to`: counted
    on the sessions table alone (every session has a project), without joining them to the projects."""
    conditions = _session_conditions(user, filters)
    if up_to is None:
        return db.session.scalar(sa.select(sa.func.count()).select_from(MentoringSession).where(*conditions))
    first = sa.select(MentoringSession.id).where(*conditions).limit(up_to + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(first))


def action_item_counts(session_ids, today: dt.date) -> dict[int, tuple[int, int]]:
    """{session id: (open, overdue)} for these sessions, in one aggregate query."""
    ids = list(session_ids)
    if not ids:
        return {}
    is_open = ActionItem.done_date.is_(None)
    rows = db.session.execute(
        sa.select(
            ActionItem.session_id,
            sa.func.sum(sa.case((is_open, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(is_open, ActionItem.due_date < today), 1), else_=0)),
        )
        .where(ActionItem.session_id.in_(ids))
        .group_by(ActionItem.session_id)
    ).all()
    return {sid: (int(open_ or 0), int(overdue or 0)) for sid, open_, overdue in rows}


@dataclass
class ProjectChoice:
    id: int
    label: str
    cohort_id: int
    cohort_name: str


def project_choices(user) -> tuple[list[ProjectChoice], list[tuple[str, list[ProjectChoice]]]]:
    """The projects a user may log a session for: (assigned to them, [(cohort name, others)]).

    Two queries whatever the number of projects: explicit columns, no ORM objects.
    """
    stmt = (
        sa.select(Project.id, Project.code, Project.name, Cohort.id, Cohort.name)
        .join(Project.cohort)
        .order_by(Cohort.name, Cohort.id, Project.name, Project.id)
    )
    visible = visible_project_ids(user)
    if visible is not None:
        stmt = stmt.where(Project.id.in_(visible or [-1]))
    rows = [
        ProjectChoice(pid, f"{code} · {name}" if code else name, cid, cname)
        for pid, code, name, cid, cname in db.session.execute(stmt)
    ]
    assigned_ids = set(db.session.scalars(sa.select(project_staff.c.project_id).where(
        project_staff.c.user_id == user.id)))
    assigned = sorted((r for r in rows if r.id in assigned_ids), key=lambda r: r.label.lower())
    groups: list[tuple[str, list[ProjectChoice]]] = []
    for row in rows:
        if row.id in assigned_ids:
            continue
        if not groups or groups[-1][1][0].cohort_id != row.cohort_id:
            groups.append((row.cohort_name, []))
        groups[-1][1].append(row)
    return assigned, groups


def assigned_project_choices(user, selected_id: int | None = None) -> list[ProjectChoice]:
    """The projects assigned to the user, plus the selected one (one query), by name."""
    stmt = sa.select(Project.id, Project.code, Project.name, Cohort.id, Cohort.name).join(Project.cohort)
    condition = Project.id.in_(sa.select(project_staff.c.project_id).where(project_staff.c.user_id == user.id))
    if selected_id:
        condition = sa.or_(condition, Project.id == selected_id)
    stmt = stmt.where(condition)
    visible = visible_project_ids(user)
    if visible is not None:
        stmt = stmt.where(Project.id.in_(visible or [-1]))
    return [ProjectChoice(pid, f"{code} · {name}" if code else name, cid, cname)
            for pid, code, name, cid, cname in db.session.execute(stmt.order_by(Project.name, Project.id))]


def staff_users(include_ids=()) -> list[User]:
    """Active admins, managers and staff, plus the given users even if deactivated (a past mentor)."""
    condition = sa.and_(User.role.in_(STAFF_ROLES), User.active.is_(True))
    extra = [i for i in include_ids if i]
    if extra:
        condition = sa.or_(condition, User.id.in_(extra))
    return list(db.session.scalars(sa.select(User).where(condition).order_by(User.display_name, User.id)))


def project_milestones(project_id: int | None) -> list[Milestone]:
    if not project_id:
        return []
    return list(db.session.scalars(
        sa.select(Milestone).where(Milestone.project_id == project_id).order_by(Milestone.planned_date, Milestone.id)
    ))


# ---------------------------------------------------------------- checks

def _check_project(actor, project_id) -> Project:
    project = db.session.get(Project, project_id) if project_id else None
    visible = visible_project_ids(actor)
    if project is None or (visible is not None and project.id not in visible):
        raise ServiceError(_l("Choisissez le projet accompagné."), field="project_id")
    return project


def _check_mentor(actor, mentor_id, current_mentor_id: int | None) -> User:
    if actor.role == Role.STAFF and mentor_id != actor.id and mentor_id != current_mentor_id:
        raise ServiceError(_l("Vous ne pouvez enregistrer que vos propres séances."), field="mentor_id")
    mentor = db.session.get(User, mentor_id) if mentor_id else None
    if mentor is None or mentor.role not in STAFF_ROLES:
        raise ServiceError(_l("Le mentor doit être un membre de l'équipe du programme."), field="mentor_id")
    if not mentor.active and mentor.id != current_mentor_id:
        raise ServiceError(_l("Ce compte est désactivé : choisissez un autre mentor."), field="mentor_id")
    return mentor


def _clean_session(data: dict, today: dt.date) -> dict:
    data = {k: v for k, v in data.items() if k in SESSION_FIELDS}
    for key in ("topics", "shared_summary", "staff_notes"):
        data[key] = (data.get(key) or "").strip() or None
    if data.get("topics"):
        data["topics"] = " ".join(data["topics"].split())
    day = data.get("date")
    if not day:
        raise ServiceError(_l("Indiquez la date de la séance."), field="date")
    if day > today:
        raise ServiceError(_l("La date de la séance ne peut pas être dans le futur."), field="date")
    duration = data.get("duration_minutes")
    if duration is None or not (MIN_DURATION <= duration <= MAX_DURATION):
        raise ServiceError(
            _l("La durée doit être comprise entre %(min)s et %(max)s minutes.", min=MIN_DURATION, max=MAX_DURATION),
            field="duration_minutes",
        )
    if not data.get("mode"):
        raise ServiceError(_l("Indiquez le mode de la séance."), field="mode")
    data["mode"] = SessionMode(data["mode"])
    following = data.get("next_session_date")
    if following and following < day:
        raise ServiceError(
            _l("La prochaine séance ne peut pas être avant la date de cette séance."), field="next_session_date"
        )
    if following and following > day + HORIZON:
        raise ServiceError(
            _l("La prochaine séance doit être prévue dans les deux ans qui suivent la séance."),
            field="next_session_date",
        )
    return data


def _clean_items(items, session_day: dt.date, mentor_id: int, milestone_ids: set[int],
                 existing: dict[int, ActionItem]) -> list[dict]:
    """Checked copies of the item dicts; a ServiceError's field is `items-<position>-<name>`."""
    staff_ids: dict[int, bool] | None = None
    cleaned = []
    for position, raw in enumerate(items):
        def error(message, name, position=position):
            return ServiceError(message, field=f"items-{position}-{name}")

        item = {k: raw.get(k) for k in ("id", "description", "owner_kind", "owner_user_id", "due_date",
                                        "milestone_id")}
        item["description"] = " ".join((item["description"] or "").split())
        if not item["description"]:
            raise error(_l("Décrivez l'action à mener, ou videz la ligne."), "description")
        if len(item["description"]) > 500:
            raise error(_l("La description d'une action ne peut pas dépasser 500 caractères."), "description")
        item["owner_kind"] = ActionOwner(item["owner_kind"] or ActionOwner.PROJECT)
        current = existing.get(item["id"]) if item["id"] else None
        if item["owner_kind"] == ActionOwner.STAFF:
            owner_id = item["owner_user_id"] or mentor_id
            if owner_id != mentor_id and owner_id != (current.owner_user_id if current else None):
                if staff_ids is None:
                    staff_ids = dict(db.session.execute(
                        sa.select(User.id, User.active).where(User.role.in_(STAFF_ROLES))).all())
                if not staff_ids.get(owner_id):
                    raise error(_l("Choisissez un membre actif de l'équipe du programme."), "owner_user_id")
            item["owner_user_id"] = owner_id
        else:
            item["owner_user_id"] = None
        due = item["due_date"]
        if current is not None and due == current.due_date:
            due = None  # a due date saved earlier stays as it is: editing other fields must remain possible
        if due and due < session_day:
            raise error(_l("L'échéance ne peut pas être avant la date de la séance."), "due_date")
        if due and due > session_day + HORIZON:
            raise error(_l("L'échéance doit tomber dans les deux ans qui suivent la séance."), "due_date")
        if item["milestone_id"] and item["milestone_id"] not in milestone_ids:
            raise error(_l("Ce jalon n'appartient pas au projet de la séance."), "milestone_id")
        cleaned.append(item)
    return cleaned


def _milestone_ids(project_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(Milestone.id).where(Milestone.project_id == project_id)))


def _item_snapshot(item: ActionItem) -> dict:
    return audit.snapshot(item, ITEM_FIELDS)


def _add_items(actor, session: MentoringSession, items: list[dict]) -> None:
    created = []
    for data in items:
        item = ActionItem(**{k: v for k, v in data.items() if k != "id"})
        session.action_items.append(item)
        created.append(item)
    db.session.flush()
    for item in created:
        audit.record(actor, "create", "action_item", item.id, audit.diff({}, _item_snapshot(item)))
    _tell_holders_of_items(actor, session, [i for i in created if i.owner_kind == ActionOwner.PROJECT])


def _tell_holders_of_items(actor, session: MentoringSession, items: list[ActionItem]) -> None:
    """The project's holders learn of each action item they now own (issue 17)."""
    from tracker.notifications.models import Kind
    from tracker.notifications.services import holders_of, notify

    if not items:
        return
    holders = holders_of(session.project_id)
    mentor = db.session.get(User, session.mentor_id)
    for item in items:
        notify(holders, Kind.ACTION_ITEM_ASSIGNED, actor=actor, project_id=session.project_id,
               entity_type="action_item", entity_id=item.id,
               params={"item": item.description, "due": item.due_date.isoformat() if item.due_date else None,
                       "mentor": mentor.display_name if mentor else ""})


# ---------------------------------------------------------------- writing

def log_session(actor, data: dict, items: list[dict], today: dt.date | None = None) -> MentoringSession:
    """A session and its action items, written together.

    `data` holds SESSION_FIELDS (mentor_id defaults to the actor); `items` are dicts with description,
    owner_kind, owner_user_id (staff items: the mentor when empty), due_date and milestone_id.
    Raises ServiceError (module rules) before anything is written; audits the session and each item.
    """
    today = today or dt.date.today()
    data = _clean_session(dict(data, mentor_id=data.get("mentor_id") or actor.id), today)
    project = _check_project(actor, data.get("project_id"))
    mentor = _check_mentor(actor, data["mentor_id"], None)
    cleaned = _clean_items(items, data["date"], mentor.id, _milestone_ids(project.id), {})
    session = MentoringSession(**data)
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "create", "mentoring_session", session.id,
                 audit.diff({}, audit.snapshot(session, SESSION_FIELDS)))
    from tracker.notifications.models import Kind
    from tracker.notifications.services import holders_of, notify

    notify(holders_of(project.id), Kind.SESSION_LOGGED, actor=actor, project_id=project.id,
           entity_type="mentoring_session", entity_id=session.id,
           params={"project": project.name, "date": session.date.isoformat(), "mentor": mentor.display_name})
    _add_items(actor, session, cleaned)
    return session


def update_session(actor, session: MentoringSession, data: dict, items: list[dict], version,
                   today: dt.date | None = None) -> MentoringSession:
    """Edits a session and replaces its action items with `items`.

    An item dict with the `id` of one of this session's items updates it (its done date is kept); one
    without (or with an unknown id) is created; the session's items missing from `items` are deleted.
    Raises ConflictError when `version` is stale, ServiceError on the module rules; audits every change.
    """
    check_version(session, version)
    today = today or dt.date.today()
    data = _clean_session(dict(data, mentor_id=data.get("mentor_id") or session.mentor_id), today)
    project = _check_project(actor, data.get("project_id") or session.project_id)
    data["project_id"] = project.id
    mentor = _check_mentor(actor, data["mentor_id"], session.mentor_id)
    existing = {item.id: item for item in session.action_items}
    cleaned = _clean_items(items, data["date"], mentor.id, _milestone_ids(project.id), existing)

    before = audit.snapshot(session, SESSION_FIELDS)
    for key, value in data.items():
        setattr(session, key, value)
    kept_ids = {item["id"] for item in cleaned if item["id"] in existing}
    items_changed = False
    for item_id, item in existing.items():
        if item_id not in kept_ids:
            snapshot = _item_snapshot(item)
            session.action_items.remove(item)
            audit.record(actor, "delete", "action_item", item_id, audit.diff(snapshot, {}))
            items_changed = True
    for data_item in cleaned:
        item = existing.get(data_item["id"]) if data_item["id"] else None
        if item is None:
            continue
        item_before = _item_snapshot(item)
        for key in ("description", "owner_kind", "owner_user_id", "due_date", "milestone_id"):
            setattr(item, key, data_item[key])
        changes = audit.diff(item_before, _item_snapshot(item))
        if changes:
            audit.record(actor, "update", "action_item", item.id, changes)
            items_changed = True
    new_items = [item for item in cleaned if item["id"] not in kept_ids]
    if new_items:
        items_changed = True
    if items_changed:
        # The items are part of what the form showed: touching the session bumps its version, so a
        # concurrent edit of the items alone is caught like any other.
        session.updated_at = utcnow()
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(session, SESSION_FIELDS))
    if changes:
        audit.record(actor, "update", "mentoring_session", session.id, changes)
    _add_items(actor, session, new_items)
    return session


def delete_session(actor, session: MentoringSession) -> None:
    """Deletes a session and its action items; the audit trail keeps what they held."""
    for item in session.action_items:
        audit.record(actor, "delete", "action_item", item.id, audit.diff(_item_snapshot(item), {}))
    audit.record(actor, "delete", "mentoring_session", session.id,
                 audit.diff(audit.snapshot(session, SESSION_FIELDS), {}))
    db.session.delete(session)
    db.session.flush()


def complete_action_item(actor, item: ActionItem, today: dt.date | None = None) -> bool:
    """Marks an item done today. Already done: nothing changes and False is returned (double clicks).

    A holder may only complete the items their project owns (owner "project"); one the programme's team
    owns is theirs to close: raises ServiceError. The date stays in the audit trail for good.
    """
    if item.owner_kind != ActionOwner.PROJECT and not can(actor, Action.MANAGE_ACTION_ITEM, item.session):
        raise ServiceError(_l("Cette action est confiée à l'équipe du programme : c'est elle qui la marque comme "
                              "faite."))
    if item.done_date is not None:
        return False
    item.done_date = today or dt.date.today()
    db.session.flush()
    audit.record(actor, "update", "action_item", item.id, {"done_date": [None, item.done_date.isoformat()]})
    return True


def reopen_action_item(actor, item: ActionItem) -> bool:
    """Clears the done date. Already open: nothing changes and False is returned.

    Only the programme's team reopens (raises ServiceError for a holder); the date it clears stays in the audit
    trail, and the session page shows it in the item's history (`done_history`).
    """
    if not can(actor, Action.MANAGE_ACTION_ITEM, item.session):
        raise ServiceError(_l("Seule l'équipe du programme peut rouvrir une action faite."))
    if item.done_date is None:
        return False
    previous = item.done_date
    item.done_date = None
    db.session.flush()
    audit.record(actor, "update", "action_item", item.id, {"done_date": [previous.isoformat(), None]})
    return True


@dataclass
class DoneChange:
    """One change of an item's done date, from the audit trail: done on `done`, or reopened (the date it
    had is `done`) on `at` by `by`."""

    at: dt.datetime
    by: str | None
    reopened: bool
    done: dt.date


def done_history(items) -> dict[int, list[DoneChange]]:
    """{item id: its done/reopen changes, oldest first} for these items, in one query. Edits of a session
    never touch a done date, so this is every date an item was ever marked done."""
    ids = [item.id for item in items]
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(AuditEvent.entity_id, AuditEvent.created_at, AuditEvent.changes, User.display_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.entity_type == "action_item", AuditEvent.entity_id.in_(ids),
               AuditEvent.action == "update")
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    history: dict[int, list[DoneChange]] = {}
    for item_id, at, changes, name in rows:
        before, after = (changes or {}).get("done_date") or (None, None)
        if before == after:
            continue
        try:
            day = dt.date.fromisoformat(after or before)
        except (TypeError, ValueError):
            continue
        history.setdefault(item_id, []).append(DoneChange(at=at, by=name, reopened=after is None, done=day))
    return history
