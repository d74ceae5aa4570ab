import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.cohorts.services import chosen_cohort
from tracker.core.dates import date_text
from tracker.core.forms import ConfirmForm
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, Role, can, require
from tracker.core.query_args import date_arg, int_arg
from tracker.core.urls import is_safe_next
from tracker.core.view_helpers import load_or_404, reload_after_failed_save
from tracker.extensions import db
from tracker.mentoring import services
from tracker.mentoring.forms import EMPTY_ROWS, SessionForm
from tracker.projects.models import Project
from tracker.projects.services import chosen_staff

bp = Blueprint("mentoring", __name__, url_prefix="/sessions")

# Submit buttons that redraw the form instead of saving it (the form works without JavaScript).
REDRAW_BUTTONS = ("add_item", "remove_item", "refresh")


def _project_url(project_id: int) -> str:
    return url_for("projects.view_project", project_id=project_id) + "#timeline"


def _redraw(form: SessionForm) -> None:
    """The no-JavaScript path of the inline items: one more row, or one row fewer, nothing saved."""
    if "add_item" in request.form and len(form.items) < form.items.max_entries:
        form.add_blank_item()
    if "remove_item" in request.form:
        # Rows are numbered as posted (possibly with gaps); the button names a posted number.
        posted = sorted({int(key.split("-")[1]) for key in request.form
                         if key.startswith("items-") and key.split("-")[1].isdigit()})
        number = int_arg("remove_item", request.form)
        if number in posted:
            form.items.entries.pop(posted.index(number))


def _form_project_id(default=None):
    """The project whose milestones the item rows offer: the one posted, else the given one."""
    if request.method == "POST":
        return int_arg("project_id", request.form) or default
    return default


def _render_form(form, mentoring_session=None, conflict=None):
    # The picker searches every project on the server (issue 17); the page itself offers only the user's
    # assigned projects and the one chosen, so it works without JavaScript too and stays small at any scale.
    assigned = services.assigned_project_choices(current_user, form.project_id.data)
    return render_template(
        "mentoring/session_form.html",
        form=form,
        mentoring_session=mentoring_session,
        conflict=conflict,
        assigned_projects=assigned,
        item_template=form.item_template(),
        existing_items={item.id: item for item in mentoring_session.action_items} if mentoring_session else {},
    )


def _success(message_for_new: bool, mentoring_session) -> None:
    day = date_text(mentoring_session.date)
    name = mentoring_session.project.name
    if message_for_new:
        flash(_("La séance du %(date)s avec « %(project)s » a été enregistrée.", date=day, project=name), "success")
    else:
        flash(_("La séance du %(date)s avec « %(project)s » a été modifiée.", date=day, project=name), "success")


@bp.route("/")
@require(Action.LOG_SESSION)
def list_sessions():
    filters = services.SessionFilters(
        cohort_id=int_arg("cohort"),
        project_id=int_arg("project"),
        mentor_id=int_arg("mentor"),
        date_from=date_arg("from"),
        date_to=date_arg("to"),
        mine=request.args.get("mine") == "1",
    )
    page = db.paginate(
        services.session_list_query(current_user, filters),
        per_page=current_app.config.get("SESSIONS_PER_PAGE", 25),
        error_out=False,
        count=False,
    )
    # Counted up to COUNT_AHEAD sessions past this page (without the paginator's join to the projects).
    counted_to = (page.page - 1) * page.per_page + services.COUNT_AHEAD
    page.total = services.session_count(current_user, filters, up_to=counted_to)
    more = page.total > counted_to
    if more:
        page.total = counted_to
    today = dt.date.today()
    return render_template(
        "mentoring/session_list.html",
        page=page,
        more=more,
        filters=filters,
        counts=services.action_item_counts([s.id for s in page.items], today),
        cohorts=chosen_cohort(filters.cohort_id),
        mentors=chosen_staff(filters.mentor_id),
        project=db.session.get(Project, filters.project_id) if filters.project_id else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Action.LOG_SESSION)
def create_session():
    preselected = int_arg("project")
    manager_view = current_user.role != Role.STAFF
    staff = services.staff_users()
    form = SessionForm(
        mentors=staff if manager_view else [current_user],
        owners=staff,
        milestones=services.project_milestones(_form_project_id(preselected)),
        with_mentor=manager_view,
    )
    if request.method == "GET":
        form.project_id.data = preselected
        form.date.data = dt.date.today()
        if manager_view:
            form.mentor_id.data = current_user.id
        form.duration_minutes.data = 60
        for _row in range(EMPTY_ROWS):
            form.add_blank_item()
    elif any(name in request.form for name in REDRAW_BUTTONS):
        _redraw(form)
    elif form.validate():
        if not form.claim_submission():  # a double click or a resent page: the session exists once
            flash(_("Ce formulaire avait déjà été envoyé : la séance n'a été enregistrée qu'une fois."), "info")
            return redirect(_project_url(form.project_id.data))
        rows = form.filled_items()
        data = form.session_data()
        if not manager_view:
            data["mentor_id"] = current_user.id
        # Item errors are named `items-<position>-<field>`, positions counted in `rows`.
        with saving(form, rows=rows) as outcome:
            mentoring_session = services.log_session(current_user, data, [item for _entry, item in rows])
        if not outcome.ok:
            form.release_submission()
        else:
            _success(True, mentoring_session)
            return redirect(_project_url(mentoring_session.project_id))
    return _render_form(form)


@bp.route("/<int:session_id>")
@require(Action.VIEW_SESSION)
def view_session(session_id: int):
    mentoring_session = load_or_404(services.get_session, session_id, Action.VIEW_SESSION)
    return render_template("mentoring/session_detail.html", mentoring_session=mentoring_session,
                           today=dt.date.today(), history=services.done_history(mentoring_session.action_items))


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@require(Action.EDIT_SESSION)
def edit_session(session_id: int):
    mentoring_session = load_or_404(services.get_session, session_id, Action.EDIT_SESSION)
    manager_view = current_user.role != Role.STAFF
    staff = services.staff_users(include_ids=[mentoring_session.mentor_id] + [
        item.owner_user_id for item in mentoring_session.action_items])
    kwargs = dict(mentors=staff if manager_view else [current_user], owners=staff, with_mentor=manager_view,
                  milestones=services.project_milestones(_form_project_id(mentoring_session.project_id)))
    if request.method == "GET":
        form = SessionForm(obj=mentoring_session, items=[
            {"id": item.id, "description": item.description, "owner_kind": item.owner_kind.value,
             "owner_user_id": item.owner_user_id, "due_date": item.due_date, "milestone_id": item.milestone_id}
            for item in mentoring_session.action_items
        ], **kwargs)
        form.version.data = mentoring_session.version
        form.add_blank_item()
        return _render_form(form, mentoring_session)

    form = SessionForm(**kwargs)
    conflict = None
    if any(name in request.form for name in REDRAW_BUTTONS):
        _redraw(form)
    elif form.validate():
        rows = form.filled_items()
        with saving(form, rows=rows) as outcome:
            services.update_session(current_user, mentoring_session, form.session_data(),
                                    [item for _entry, item in rows], form.version.data)
        if not outcome.ok:
            mentoring_session, conflict = reload_after_failed_save(outcome, services.get_session, session_id, form)
        else:
            _success(False, mentoring_session)
            return redirect(_project_url(mentoring_session.project_id))
    return _render_form(form, mentoring_session, conflict)


@bp.route("/<int:session_id>/delete", methods=["GET", "POST"])
@require(Action.EDIT_SESSION)
def delete_session(session_id: int):
    mentoring_session = load_or_404(services.get_session, session_id, Action.EDIT_SESSION)
    form = ConfirmForm()
    if form.validate_on_submit():
        project_id = mentoring_session.project_id
        with saving(catch=()):
            services.delete_session(current_user, mentoring_session)
        flash(_("La séance a été supprimée."), "success")
        return redirect(_project_url(project_id))
    return render_template("mentoring/session_delete.html", form=form, mentoring_session=mentoring_session)


def _toggle_item(item_id: int, done: bool):
    item = load_or_404(services.get_action_item, item_id, Action.COMPLETE_ACTION_ITEM, check=lambda i: i.session)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with saving() as outcome:
        if done:
            changed = services.complete_action_item(current_user, item)
            message = _("L'action est marquée comme faite.") if changed else _("Cette action était déjà faite.")
        else:
            changed = services.reopen_action_item(current_user, item)
            message = _("L'action est de nouveau ouverte.") if changed else _("Cette action était déjà ouverte.")
    if outcome.ok:
        flash(message, "success" if changed else "info")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else _project_url(item.session.project_id))


@bp.route("/action-items/<int:item_id>/done", methods=["POST"])
@require(Action.COMPLETE_ACTION_ITEM)
def complete_action_item(item_id: int):
    return _toggle_item(item_id, done=True)


@bp.route("/action-items/<int:item_id>/reopen", methods=["POST"])
@require(Action.MANAGE_ACTION_ITEM)
def reopen_action_item(item_id: int):
    return _toggle_item(item_id, done=False)


@bp.route("/milestones")
@require(Action.LOG_SESSION)
def project_milestones():
    """The milestones of one project, for session_form.js after the project is changed."""
    project = db.session.get(Project, int_arg("project") or 0)
    if project is None or not can(current_user, Action.VIEW_PROJECT, project):
        abort(404)
    return {"milestones": [{"id": m.id, "title": m.title} for m in services.project_milestones(project.id)]}
