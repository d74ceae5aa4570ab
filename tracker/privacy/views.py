"""Personal data (law 09-08): an admin exports everything held about one member, or erases them."""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.admin.audit_query import get_or_404
from tracker.core.permissions import Action, require
from tracker.core.services import ServiceError
from tracker.extensions import db
from tracker.privacy import services
from tracker.privacy.forms import FIELD_LABELS, KEPT_REASONS, EraseForm
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
    member = get_or_404(Member, member_id)
    return render_template(
        "privacy/member_detail.html", member=member, data=services.personal_data(member),
        others=services.other_records(member),
        accounts=services.linked_accounts(member) if member.erased_at is None else [],
        identifying=services.IDENTIFYING_FIELDS, labels=FIELD_LABELS,
    )


@bp.route("/members/<int:member_id>/export.json")
@require(Action.PERSONAL_DATA)
def export_member(member_id: int):
    member = get_or_404(Member, member_id)
    body = services.export_member(current_user, member)
    db.session.commit()
    response = make_response(body)
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = f'attachment; filename="membre-{member.id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/members/<int:member_id>/erase", methods=["GET", "POST"])
@require(Action.PERSONAL_DATA)
def erase_member(member_id: int):
    member = get_or_404(Member, member_id)
    if member.erased_at is not None:
        flash(_("Ce membre a déjà été effacé."), "info")
        return redirect(url_for("privacy.view_member", member_id=member.id))
    form = EraseForm(member_id=member.id)
    if form.validate_on_submit():
        try:
            result = services.erase_member(current_user, member, form.reason.data)
        except ServiceError as error:
            db.session.rollback()
            if error.field and error.field in form._fields:
                form[error.field].errors = list(form[error.field].errors) + [str(error.message)]
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("Les données identifiantes du membre n° %(id)s ont été effacées (%(n)s événements du journal "
                    "anonymisés). Les chiffres des rapports sont inchangés.", id=member.id, n=result.scrubbed_events),
                  "success")
            return redirect(url_for("privacy.view_member", member_id=member.id))
    return render_template("privacy/member_erase.html", member=member, form=form,
                           others=services.other_records(member),
                           identifying=services.IDENTIFYING_FIELDS, kept=services.KEPT_FIELDS,
                           labels=FIELD_LABELS, reasons=KEPT_REASONS)
