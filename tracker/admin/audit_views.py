"""The audit viewer for admins: filter the trail by user, action, entity and date; before → after."""

from flask import Blueprint, current_app, render_template, request

from tracker.admin import audit_query as q
from tracker.core.audit import AuditEvent
from tracker.core.permissions import Action, require
from tracker.core.view_helpers import load_or_404
from tracker.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PER_PAGE = 50


def _helpers() -> dict:
    return {
        "action_label": q.action_label, "entity_label": q.entity_label, "change_rows": q.change_rows,
        "display_value": q.display_value, "NO_USER": q.NO_USER, "raw_json": q.raw_json,
    }


@bp.route("/")
@require(Action.VIEW_AUDIT)
def list_events():
    actions, entity_types = q.distinct_actions(), q.distinct_entity_types()
    filters = q.parse_filters(request.args, actions, entity_types)
    page = None
    if filters.valid:
        page = db.paginate(q.events_query(filters), per_page=current_app.config.get("AUDIT_PER_PAGE", PER_PAGE),
                           error_out=False)
    events = page.items if page else []
    return render_template(
        "admin/audit_list.html", page=page, events=events, filters=filters, actions=actions,
        entity_types=entity_types, users=q.filter_users(), authors=q.authors(events),
        links=q.entity_links(events), **_helpers(),
    )


@bp.route("/<int:event_id>")
@require(Action.VIEW_AUDIT)
def view_event(event_id: int):
    event = load_or_404(AuditEvent, event_id)
    return render_template(
        "admin/audit_detail.html", event=event, authors=q.authors([event]), links=q.entity_links([event]),
        **_helpers(),
    )
