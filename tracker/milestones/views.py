"""Milestones of a project, their edits and their evidence files.

Staff and the project's holder edit (EDIT_MILESTONE); whoever sees the project sees its milestones and
downloads their files (VIEW_PROJECT). Outside their projects a holder gets 404 on every route here.
"""

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from tracker.core.downloads import send_download
from tracker.core.errors import render_error
from tracker.core.forms import ConfirmForm
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, require
from tracker.core.services import ConflictError, ServiceError
from tracker.core.urls import is_safe_next
from tracker.core.view_helpers import load_or_404, reload_after_failed_save
from tracker.milestones import services, uploads
from tracker.milestones.forms import EvidenceForm, MarkAchievedForm, MilestoneForm
from tracker.milestones.models import MilestoneStatus

bp = Blueprint("milestones", __name__, url_prefix="/milestones")

FILTERS = (None, services.LATE, *(status.value for status in MilestoneStatus))


# ---------------------------------------------------------------- loading

def _list_url(project_id: int) -> str:
    return url_for("milestones.list_milestones", project_id=project_id)


def _detail_url(milestone_id: int, anchor: str = "") -> str:
    return url_for("milestones.view_milestone", milestone_id=milestone_id) + (f"#{anchor}" if anchor else "")


# ---------------------------------------------------------------- milestones

@bp.route("/projects/<int:project_id>")
@require(Action.VIEW_PROJECT)
def list_milestones(project_id: int):
    project = load_or_404(services.get_project, project_id, Action.VIEW_PROJECT)
    status = request.args.get("status") or None
    if status not in FILTERS:
        abort(400)
    today = dt.date.today()
    return render_template(
        "milestones/milestone_list.html",
        project=project,
        rows=services.project_milestones(project.id, status, today),
        counts=services.status_counts(project.id, today),
        status=status,
        statuses=list(MilestoneStatus),
        today=today,
    )


@bp.route("/projects/<int:project_id>/new", methods=["GET", "POST"])
@require(Action.EDIT_MILESTONE)
def create_milestone(project_id: int):
    project = load_or_404(services.get_project, project_id, Action.EDIT_MILESTONE)
    form = MilestoneForm()
    if request.method == "GET":
        form.status.data = MilestoneStatus.PLANNED.value
    if form.validate_on_submit():
        if not form.claim_submission():
            flash(_("Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois."), "info")
            return redirect(url_for("milestones.list_milestones", project_id=project.id))
        with saving(form) as outcome:
            milestone = services.create_milestone(current_user, project, form.milestone_data())
        if not outcome.ok:
            form.release_submission()
            project = services.get_project(project_id)
        else:
            flash(_("Le jalon « %(title)s » a été ajouté. Vous pouvez y joindre des preuves.",
                    title=milestone.title), "success")
            return redirect(_detail_url(milestone.id, "evidence"))
    return render_template("milestones/milestone_form.html", form=form, project=project, milestone=None)


@bp.route("/<int:milestone_id>")
@require(Action.VIEW_PROJECT)
def view_milestone(milestone_id: int):
    milestone = load_or_404(services.get_milestone, milestone_id, Action.VIEW_PROJECT)
    return render_template(
        "milestones/milestone_detail.html",
        milestone=milestone,
        project=milestone.project,
        today=dt.date.today(),
        evidence_form=EvidenceForm(),
        max_bytes=uploads.max_bytes(),
        max_mb=uploads.max_megabytes(),
    )


@bp.route("/<int:milestone_id>/edit", methods=["GET", "POST"])
@require(Action.EDIT_MILESTONE)
def edit_milestone(milestone_id: int):
    milestone = load_or_404(services.get_milestone, milestone_id, Action.EDIT_MILESTONE)
    form = MilestoneForm(obj=milestone)
    if request.method == "GET":
        form.version.data = milestone.version
        form.category.data = milestone.category.value
        form.status.data = milestone.status.value
    conflict = None
    if form.validate_on_submit():
        with saving(form) as outcome:
            services.update_milestone(current_user, milestone, form.milestone_data(), form.version.data)
        if not outcome.ok:
            milestone, conflict = reload_after_failed_save(outcome, services.get_milestone, milestone_id, form)
        else:
            flash(_("Le jalon « %(title)s » a été enregistré.", title=milestone.title), "success")
            return redirect(_detail_url(milestone.id))
    return render_template("milestones/milestone_form.html", form=form, project=milestone.project,
                           milestone=milestone, conflict=conflict)


@bp.route("/<int:milestone_id>/delete", methods=["GET", "POST"])
@require(Action.EDIT_MILESTONE)
def delete_milestone(milestone_id: int):
    milestone = load_or_404(services.get_milestone, milestone_id, Action.EDIT_MILESTONE)
    form = ConfirmForm()
    if form.validate_on_submit():
        project_id, title = milestone.project_id, milestone.title
        # The files go once their rows are gone; if the commit fails they are kept.
        with saving(catch=ConflictError, show=False) as outcome:
            paths = services.delete_milestone(current_user, milestone)
            outcome.after_commit(lambda: uploads.remove(paths))
        if outcome.conflict:
            flash(_("Ce jalon a été modifié entre-temps : vérifiez-le avant de le supprimer."), "warning")
            return redirect(_detail_url(milestone_id))
        flash(_("Le jalon « %(title)s » a été supprimé.", title=title), "success")
        return redirect(_list_url(project_id))
    return render_template("milestones/milestone_delete.html", form=form, milestone=milestone,
                           project=milestone.project, linked_items=services.linked_action_items(milestone.id))


@bp.route("/<int:milestone_id>/achieved", methods=["POST"])
@require(Action.EDIT_MILESTONE)
def mark_achieved(milestone_id: int):
    milestone = load_or_404(services.get_milestone, milestone_id, Action.EDIT_MILESTONE)
    form = MarkAchievedForm()
    if not form.validate_on_submit():
        abort(400)
    target = request.form.get("next")
    back = target if is_safe_next(target) else _detail_url(milestone_id)
    with saving(catch=ConflictError, show=False) as outcome:
        changed = services.mark_achieved(current_user, milestone, form.version.data)
    if outcome.conflict:
        flash(_("Ce jalon a été modifié entre-temps : vérifiez-le puis marquez-le à nouveau comme atteint."),
              "warning")
        return redirect(_detail_url(milestone_id))
    if changed:
        flash(_("Le jalon « %(title)s » est marqué comme atteint aujourd'hui.", title=milestone.title), "success")
    else:
        flash(_("Ce jalon était déjà atteint."), "info")
    return redirect(back)


# ---------------------------------------------------------------- evidence files

@bp.route("/<int:milestone_id>/evidence", methods=["POST"])
@require(Action.EDIT_MILESTONE)
def upload_evidence(milestone_id: int):
    milestone = load_or_404(services.get_milestone, milestone_id, Action.EDIT_MILESTONE)
    form = EvidenceForm()
    if not form.validate_on_submit():
        abort(400)
    with saving(catch=(uploads.FileTooLarge, ServiceError), show=False) as outcome:
        added, skipped = services.add_evidence(current_user, milestone, form.files.data)
        # The service cleans up after its own refusals; a failed commit leaves these files without rows.
        outcome.on_rollback(lambda: uploads.remove(a.stored_path for a in added))
    error = outcome.error
    if isinstance(error, uploads.FileTooLarge):
        return render_error(413, _(
            "« %(name)s » dépasse %(max)s Mo : aucun fichier n'a été enregistré. Réduisez-le "
            "(photo moins lourde, PDF compressé) ou envoyez-le en plusieurs parties.",
            name=error.file_name, max=error.limit_mb))
    if error is not None:
        flash(str(error.message), "danger")
        if isinstance(error, uploads.UploadRefused):
            flash(_("Aucun fichier n'a été enregistré."), "warning")
        return redirect(_detail_url(milestone_id, "evidence"))
    if added:
        flash(ngettext("Un fichier a été ajouté.", "%(num)s fichiers ont été ajoutés.", len(added)), "success")
    if skipped:
        flash(_("Déjà joint à ce jalon, non ajouté à nouveau : %(names)s", names=", ".join(skipped)), "info")
    return redirect(_detail_url(milestone_id, "evidence"))


@bp.route("/evidence/<int:attachment_id>")
@require(Action.VIEW_PROJECT)
def download_evidence(attachment_id: int):
    attachment = load_or_404(services.get_attachment, attachment_id, Action.VIEW_PROJECT, check=lambda a: a.milestone)
    path = uploads.absolute_path(attachment.stored_path)
    if path is None or not path.is_file():
        current_app.logger.warning("Evidence file missing on disk: attachment %s (%s)",
                                   attachment.id, attachment.stored_path)
        abort(404)
    response = send_download(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, etag=attachment.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Never rendered as a page of this site, whatever a browser makes of it; not kept by shared caches.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/evidence/<int:attachment_id>/delete", methods=["GET", "POST"])
@require(Action.EDIT_MILESTONE)
def delete_evidence(attachment_id: int):
    attachment = load_or_404(services.get_attachment, attachment_id, Action.EDIT_MILESTONE, check=lambda a: a.milestone)
    form = ConfirmForm()
    milestone_id, name = attachment.milestone_id, attachment.original_name
    if form.validate_on_submit():
        with saving(catch=()) as outcome:
            path = services.delete_attachment(current_user, attachment)
            outcome.after_commit(lambda: uploads.remove([path]))
        flash(_("Le fichier « %(name)s » a été supprimé.", name=name), "success")
        return redirect(_detail_url(milestone_id, "evidence"))
    return render_template("milestones/evidence_delete.html", form=form, attachment=attachment,
                           milestone=attachment.milestone, project=attachment.milestone.project)
