"""JSON for the pickers (static/js/picker.js): GET ?q=…&page=N → {"results": [...], "more": bool}."""

from flask import Blueprint, request
from flask_login import current_user

from tracker.core.permissions import Action, require
from tracker.pickers import services

bp = Blueprint("pickers", __name__, url_prefix="/pickers")


def _page() -> int:
    value = request.args.get("page", "1")
    return min(int(value), 10_000) if value.isdigit() and int(value) > 0 else 1


@bp.route("/projects")
@require(Action.VIEW_PROJECT)
def projects():
    results, more = services.search_projects(current_user, request.args.get("q"), _page(),
                                              assigned_only=request.args.get("invite") == "1")
    return {"results": results, "more": more}


@bp.route("/staff")
@require(Action.REVIEW_REPORT)
def staff():
    results, more = services.search_staff(request.args.get("q"), _page())
    return {"results": results, "more": more}


@bp.route("/cohorts")
@require(Action.VIEW_COHORT)
def cohorts():
    results, more = services.search_cohorts(request.args.get("q"), _page())
    return {"results": results, "more": more}
