"""Personal data (law 09-08): an admin exports everything held about one member, or erases them."""

import io

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core.downloads import send_download
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, require
from tracker.core.view_helpers import load_or_404
from tracker.extensions import db
from tracker.privacy import services
from tracker.privacy.forms import FIELD_LABELS, KEPT_REASONS, EraseForm, places_rewritten
from tracker.projects.models import Member

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy")

PER_PAGE = 50


@bp.route("/")
@require(Action.PERSONAL_DATA)
def list_members():
    q = request.args.get("q", "")
    page = db.paginate(services.member_search_query(q),
                       per_page=current_app.config.get("PRIVACY_PER_PAGE", PER_PAGE), error_out=False)
    return render_template("privacy/member_list.html", page=page, q=q)


@bp.route("/members/<int:member_id>")
@require(Action.PERSONAL_DATA)
def view_member(member_id: int):
    member = load_or_404(Member, member_id)
    return render_template(
        "privacy/member_detail.html", member=member, data=services.personal_data(member),
        others=services.other_records(member),
        accounts=services.linked_accounts(member) if member.erased_at is None else [],
        identifying=services.IDENTIFYING_FIELDS, labels=FIELD_LABELS,
    )


@bp.route("/members/<int:member_id>/export.json")
@require(Action.PERSONAL_DATA)
def export_member(member_id: int):
    member = load_or_404(Member, member_id)
    with saving(catch=()):
        body = services.export_member(current_user, member)
    response = send_download(io.BytesIO(body), mimetype="application/json", download_name=f"membre-{member.id}.json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/members/<int:member_id>/erase", methods=["GET", "POST"])
@require(Action.PERSONAL_DATA)
def erase_member(member_id: int):
    member = load_or_404(Member, member_id)
    if member.erased_at is not None:
        flash(_("Ce membre a déjà été effacé."), "info")
        return redirect(url_for("privacy.view_member", member_id=member.id))
    form = EraseForm(member_id=member.id)
    if form.validate_on_submit():
        with saving(form) as outcome:
            result = services.erase_member(current_user, member, form.reason.data)
        if outcome.ok:
            flash(_("Les données identifiantes du membre n° %(id)s ont été effacées. Textes réécrits : %(places)s. "
                    "Les chiffres des rapports sont inchangés.", id=member.id, places=places_rewritten(result)),
                  "success")
            return redirect(url_for("privacy.view_member", member_id=member.id))
    return render_template("privacy/member_erase.html", member=member, form=form,
                           others=services.other_records(member),
                           identifying=services.IDENTIFYING_FIELDS, kept=services.KEPT_FIELDS,
                           labels=FIELD_LABELS, reasons=KEPT_REASONS)
