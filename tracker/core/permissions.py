"""DESIGN §2 as data: who may do what, and the one function that checks it.

`POLICY` maps each action to the scope each role has. Views declare their action with
`@require(Action.X)`; object-level checks go through `authorize(action, obj)`; templates get `can`.
A holder is never told that something outside their projects exists: they get 404, not 403.
"""

import enum
from functools import wraps

from flask import abort
from flask_login import current_user

from tracker.extensions import login_manager


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    HOLDER = "holder"


STAFF_ROLES = (Role.ADMIN, Role.MANAGER, Role.STAFF)  # the programme's team: may mentor, review, be assigned


class Scope(enum.StrEnum):
    ALL = "all"
    OWN_PROJECT = "own_project"  # holder: only projects they are linked to
    OWN_RECORD = "own_record"  # staff: only records they authored (e.g. their mentoring sessions)
    ASSIGNED = "assigned"  # staff: only the projects assigned to them
    NONE = "none"


class Action(enum.StrEnum):
    USE_APP = "use_app"  # home, own account, language
    MANAGE_USERS = "manage_users"
    MANAGE_CATALOGUE = "manage_catalogue"
    VIEW_COHORT = "view_cohort"
    EDIT_COHORT = "edit_cohort"
    VIEW_PROJECT = "view_project"
    CREATE_PROJECT = "create_project"
    EDIT_PROJECT = "edit_project"  # profile and team
    MANAGE_PROJECT = "manage_project"  # status, assigned staff
    VIEW_TRAINING = "view_training"
    EDIT_TRAINING = "edit_training"
    VIEW_SESSION = "view_session"
    LOG_SESSION = "log_session"
    EDIT_SESSION = "edit_session"
    VIEW_STAFF_NOTES = "view_staff_notes"
    COMPLETE_ACTION_ITEM = "complete_action_item"  # holders: only the items their project owns
    MANAGE_ACTION_ITEM = "manage_action_item"  # reopen a done item; complete one the programme's team owns
    EDIT_MILESTONE = "edit_milestone"
    SUBMIT_REPORT = "submit_report"
    REVIEW_REPORT = "review_report"
    REOPEN_REPORT = "reopen_report"
    VIEW_COHORT_REPORT = "view_cohort_report"
    EXPORT_COHORT = "export_cohort"
    EXPORT_ONE_PAGER = "export_one_pager"
    IMPORT_PROJECTS = "import_projects"
    VIEW_AUDIT = "view_audit"
    PERSONAL_DATA = "personal_data"
    INVITE_HOLDER = "invite_holder"  # create a holder account for a project and e-mail the invitation
    REASSIGN_REVIEW = "reassign_review"  # choose who reviews a submitted report


A, P, R, N, S = Scope.ALL, Scope.OWN_PROJECT, Scope.OWN_RECORD, Scope.NONE, Scope.ASSIGNED

# action: (admin, manager, staff, holder)
_TABLE: dict[Action, tuple[Scope, Scope, Scope, Scope]] = {
    Action.USE_APP: (A, A, A, A),
    Action.MANAGE_USERS: (A, N, N, N),
    Action.MANAGE_CATALOGUE: (A, N, N, N),
    Action.VIEW_COHORT: (A, A, A, N),
    Action.EDIT_COHORT: (A, A, N, N),
    Action.VIEW_PROJECT: (A, A, A, P),
    Action.CREATE_PROJECT: (A, A, A, N),
    Action.EDIT_PROJECT: (A, A, A, P),
    Action.MANAGE_PROJECT: (A, A, A, N),
    Action.VIEW_TRAINING: (A, A, A, N),  # holders see their own attendance on their project page
    Action.EDIT_TRAINING: (A, A, A, N),
    Action.VIEW_SESSION: (A, A, A, P),
    Action.LOG_SESSION: (A, A, A, N),
    Action.EDIT_SESSION: (A, A, R, N),
    Action.VIEW_STAFF_NOTES: (A, A, A, N),
    Action.COMPLETE_ACTION_ITEM: (A, A, A, P),
    Action.MANAGE_ACTION_ITEM: (A, A, A, N),
    Action.EDIT_MILESTONE: (A, A, A, P),
    Action.SUBMIT_REPORT: (A, A, A, P),
    Action.REVIEW_REPORT: (A, A, A, N),
    Action.REOPEN_REPORT: (A, A, N, N),
    Action.VIEW_COHORT_REPORT: (A, A, A, N),
    Action.EXPORT_COHORT: (A, A, N, N),
    Action.EXPORT_ONE_PAGER: (A, A, A, P),
    Action.IMPORT_PROJECTS: (A, A, A, N),
    Action.VIEW_AUDIT: (A, N, N, N),
    Action.PERSONAL_DATA: (A, N, N, N),
    Action.INVITE_HOLDER: (A, A, S, N),
    Action.REASSIGN_REVIEW: (A, A, N, N),
}

POLICY: dict[Action, dict[Role, Scope]] = {
    action: dict(zip(Role, scopes, strict=True)) for action, scopes in _TABLE.items()
}


def scope_of(user, action: Action) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope.NONE
    return POLICY[action][Role(user.role)]


def _project_id_of(obj) -> int | None:
    """Every object a scoped permission is checked on says which project it belongs to (a project, itself)."""
    return getattr(obj, "project_id", None)


def can(user, action: Action, obj=None) -> bool:
    """True when `user` may perform `action`, on `obj` when given.

    Without an object, a scoped permission (own project, own record) answers True: the caller
    then filters what it lists with `visible_project_ids`.
    """
    scope = scope_of(user, action)
    if scope is Scope.NONE:
        return False
    if scope is Scope.ALL or obj is None:
        return True
    if scope is Scope.OWN_PROJECT:
        return _project_id_of(obj) in user.project_ids
    if scope is Scope.ASSIGNED:
        return _project_id_of(obj) in assigned_project_ids(user)
    return getattr(obj, "author_id", None) == user.id


def deny(user):
    """Holders get 404 so they cannot probe what exists; other roles get 403."""
    abort(404 if user.is_authenticated and user.role == Role.HOLDER else 403)


def authorize(action: Action, obj=None, user=None) -> None:
    user = user if user is not None else current_user
    if not can(user, action, obj):
        deny(user)


_assignments = None  # the projects feature's answer, registered at app creation


def register_assignments(lookup) -> None:
    """`lookup(user) -> set[int]`: the projects a staff member is assigned to (tracker.projects.services)."""
    global _assignments
    _assignments = lookup


def assigned_project_ids(user) -> set[int]:
    """The projects a staff member is assigned to (one query; not cached: assignments change)."""
    if _assignments is None:
        raise RuntimeError("no project assignments registered: create the app with tracker.create_app")
    return _assignments(user)


def visible_project_ids(user) -> set[int] | None:
    """Project ids a user may see; None means every project."""
    if scope_of(user, Action.VIEW_PROJECT) is Scope.ALL:
        return None
    return set(user.project_ids)


def require(action: Action):
    """Login required, then the role must hold some scope for `action`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if scope_of(current_user, action) is Scope.NONE:
                deny(current_user)
            return view(*args, **kwargs)

        wrapped.required_action = action
        return wrapped

    return decorator


def public(view):
    """Mark a view reachable without login (login page, health check, language choice)."""
    view.public = True
    return view
