"""The inbox (every role), its bell in the navigation bar, and the per-kind e-mail preferences."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core.forms import ConfirmForm
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, require
from tracker.core.urls import is_safe_next
from tracker.extensions import db
from tracker.mentoring.models import ActionItem
from tracker.notifications import messages, services
from tracker.notifications.models import Kind, Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PER_PAGE = 20
ITEM_KINDS = (Kind.ACTION_ITEM_ASSIGNED, Kind.ACTION_ITEM_DUE, Kind.ACTION_ITEM_OVERDUE)


def unread_for_bell() -> int:
    """The bell's count: one statement per page, run only when a signed-in page draws the navigation bar."""
    if "unread_notifications" not in g:
        g.unread_notifications = services.unread_count(current_user) if current_user.is_authenticated else 0
    return g.unread_notifications


@bp.app_context_processor
def _bell():
    return {"unread_notifications": unread_for_bell}


@bp.route("/")
@require(Action.USE_APP)
def inbox():
    page = db.paginate(services.inbox_query(current_user), per_page=PER_PAGE, error_out=False)
    item_ids = [n.entity_id for n in page.items if n.kind in ITEM_KINDS and n.entity_id]
    items = {i.id: i for i in db.session.scalars(sa.select(ActionItem).where(ActionItem.id.in_(item_ids)))} \
        if item_ids else {}
    return render_template("notifications/inbox.html", page=page, text=messages.text, labels=messages.KIND_LABELS,
                           items=items, form=ConfirmForm())


@bp.route("/<int:notification_id>")
@require(Action.USE_APP)
def open_notification(notification_id: int):
    """Marks the notification read and goes where it leads (someone else's notification: 404)."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    with saving(catch=()):
        services.mark_read(current_user, note)
    return redirect(messages.target(note))


@bp.route("/read-all", methods=["POST"])
@require(Action.USE_APP)
def mark_all_read():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with saving(catch=()):
        count = services.mark_all_read(current_user)
    if count:
        flash(_("Toutes vos notifications sont marquées comme lues."), "success")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("notifications.inbox"))


@bp.route("/settings", methods=["GET", "POST"])
@require(Action.USE_APP)
def settings():
    form = ConfirmForm()
    current = services.preferences(current_user)
    if form.validate_on_submit():
        choices = {kind: request.form.get(f"pref-{kind.value}") == "email" for kind in current}
        with saving(catch=()):
            services.set_preferences(current_user, choices)
        flash(_("Vos préférences de notification sont enregistrées."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, preferences=current,
                           labels=messages.KIND_LABELS)
