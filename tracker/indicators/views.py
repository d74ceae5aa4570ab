import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.core import formatting
from tracker.core.forms import ConfirmForm
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, require
from tracker.core.services import CONFLICT_MESSAGE, ConflictError
from tracker.core.view_helpers import load_or_404, reload_after_failed_save
from tracker.indicators import services
from tracker.indicators.forms import IndicatorForm, TargetsForm
from tracker.indicators.models import Indicator
from tracker.indicators.progress import project_progress
from tracker.projects.services import get_project_with_cohort

bp = Blueprint("indicators", __name__, url_prefix="/indicators")


def _percent(fraction) -> str:
    """A progress fraction as a locale percentage with one decimal, uncapped (1.5 → 150,0 %); '—' when unknown.
    The one formatting of the app (core.formatting), so the holder home and the reports print the same."""
    return formatting.rate(fraction)


def _bar(fraction) -> int:
    """The progress bar's fill: 0–100 (the figure beside it is not capped)."""
    if fraction is None:
        return 0
    return max(0, min(100, int(fraction * 100)))


# ---------------------------------------------------------------- catalogue (admin)

@bp.route("/")
@require(Action.MANAGE_CATALOGUE)
def list_indicators():
    return render_template("indicators/indicator_list.html", rows=services.catalogue(), confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@require(Action.MANAGE_CATALOGUE)
def create_indicator():
    form = IndicatorForm()
    if form.validate_on_submit():
        with saving(form) as outcome:
            indicator = services.create_indicator(current_user, form.indicator_data())
        if outcome.ok:
            flash(_("L'indicateur « %(code)s » a été ajouté au catalogue.", code=indicator.code), "success")
            return redirect(url_for("indicators.list_indicators"))
    return render_template("indicators/indicator_form.html", form=form, indicator=None, usage=None)


@bp.route("/<int:indicator_id>/edit", methods=["GET", "POST"])
@require(Action.MANAGE_CATALOGUE)
def edit_indicator(indicator_id: int):
    indicator = load_or_404(Indicator, indicator_id)
    form = IndicatorForm(obj=indicator)
    if request.method == "GET":
        form.unit.data = indicator.unit.value
        form.kind.data = indicator.kind.value
        form.loaded_at.data = indicator.updated_at.isoformat()
    conflict = None
    if form.validate_on_submit():
        with saving(form) as outcome:
            services.update_indicator(current_user, indicator, form.indicator_data(), form.loaded_at.data)
        if not outcome.ok:
            indicator, conflict = reload_after_failed_save(
                outcome, Indicator, indicator_id, form, stamp=lambda i: ("loaded_at", i.updated_at.isoformat()))
        else:
            flash(_("L'indicateur « %(code)s » a été enregistré.", code=indicator.code), "success")
            return redirect(url_for("indicators.list_indicators"))
    return render_template("indicators/indicator_form.html", form=form, indicator=indicator,
                           usage=services.usage(indicator), conflict=conflict)


@bp.route("/<int:indicator_id>/deactivate", methods=["GET", "POST"])
@require(Action.MANAGE_CATALOGUE)
def deactivate_indicator(indicator_id: int):
    indicator = load_or_404(Indicator, indicator_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with saving(catch=()):
            services.set_active(current_user, indicator, False)
        flash(_("L'indicateur « %(code)s » est désactivé : il n'est plus proposé pour de nouvelles cibles.",
                code=indicator.code), "success")
        return redirect(url_for("indicators.list_indicators"))
    return render_template("indicators/indicator_deactivate.html", form=form, indicator=indicator,
                           usage=services.usage(indicator))


@bp.route("/<int:indicator_id>/reactivate", methods=["POST"])
@require(Action.MANAGE_CATALOGUE)
def reactivate_indicator(indicator_id: int):
    indicator = load_or_404(Indicator, indicator_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with saving(catch=()):
        services.set_active(current_user, indicator, True)
    flash(_("L'indicateur « %(code)s » est de nouveau proposé.", code=indicator.code), "success")
    return redirect(url_for("indicators.list_indicators"))


@bp.route("/<int:indicator_id>/delete", methods=["GET", "POST"])
@require(Action.MANAGE_CATALOGUE)
def delete_indicator(indicator_id: int):
    indicator = load_or_404(Indicator, indicator_id)
    usage = services.usage(indicator)
    form = ConfirmForm()
    if form.validate_on_submit():
        code = indicator.code
        with saving() as outcome:
            services.delete_indicator(current_user, indicator)
        if outcome.ok:
            flash(_("L'indicateur « %(code)s » a été supprimé du catalogue.", code=code), "success")
        return redirect(url_for("indicators.list_indicators"))
    return render_template("indicators/indicator_delete.html", form=form, indicator=indicator, usage=usage)


# ---------------------------------------------------------------- targets and progress

@bp.route("/projects/<int:project_id>")
@require(Action.VIEW_PROJECT)
def project_targets(project_id: int):
    project = load_or_404(get_project_with_cohort, project_id, Action.VIEW_PROJECT)
    include_submitted = request.args.get("submitted") == "1"
    today = dt.date.today()
    rows = project_progress(project.id, today, include_submitted=include_submitted)
    return render_template(
        "indicators/project_targets.html",
        project=project,
        rows=rows,
        include_submitted=include_submitted,
        today=today,
        percent=_percent,
        bar=_bar,
    )


def _flash_saved(result: services.TargetsResult) -> None:
    if not result.changed:
        flash(_("Aucun changement : les cibles étaient déjà à jour."), "info")
        return
    parts = []
    if result.created:
        parts.append(ngettext("%(num)s cible ajoutée", "%(num)s cibles ajoutées", len(result.created)))
    if result.updated:
        parts.append(ngettext("%(num)s cible modifiée", "%(num)s cibles modifiées", len(result.updated)))
    if result.deleted:
        parts.append(ngettext("%(num)s cible supprimée", "%(num)s cibles supprimées", len(result.deleted)))
    flash(_("Cibles enregistrées : %(changes)s.", changes=", ".join(parts)), "success")


def _show_row_errors(form: TargetsForm, pairs, error: services.TargetRowsError) -> None:
    """Each message beside its input; a message about a whole row above the row; about a row the page does
    not show (an indicator no longer offered), in a flash."""
    shown = {indicator.id for indicator, _target in pairs}
    rows = form.by_indicator()
    for indicator_id, errors in error.errors.items():
        row = rows.get(indicator_id) if indicator_id in shown else None
        for name, messages in errors.items():
            texts = [str(m) for m in messages]
            if row is None:
                flash(" ".join(texts), "danger")
            elif name:
                row[name].errors = list(row[name].errors) + texts
            else:
                row.row_errors = texts


@bp.route("/projects/<int:project_id>/targets", methods=["GET", "POST"])
@require(Action.MANAGE_PROJECT)
def edit_targets(project_id: int):
    project = load_or_404(get_project_with_cohort, project_id, Action.MANAGE_PROJECT)
    pairs = services.target_rows(project.id)
    form = TargetsForm()
    if request.method == "GET":
        form.fill(pairs)
    conflicts: dict[int, object] = {}
    if form.validate_on_submit():
        with saving(catch=(services.TargetRowsError, ConflictError, IntegrityError), show=False) as outcome:
            result = services.save_targets(current_user, project, form.inputs())
        error = outcome.error
        if isinstance(error, services.TargetRowsError):
            pairs = services.target_rows(project.id)  # the stored state, reloaded after the rollback
            _show_row_errors(form, pairs, error)
            flash(str(error.message), "warning" if error.conflicts else "danger")
            saved = {indicator.id: target for indicator, target in pairs}
            for indicator_id in error.conflicts:
                conflicts[indicator_id] = saved.get(indicator_id)
                form.show_saved(indicator_id, saved.get(indicator_id))
        elif error is not None:
            # Lost a race after the version checks: nothing written. The rows keep the versions they were
            # loaded with, so saving again finds exactly which rows the other person changed.
            flash(str(CONFLICT_MESSAGE), "warning")
            pairs = services.target_rows(project.id)
        else:
            _flash_saved(result)
            return redirect(url_for("indicators.project_targets", project_id=project_id))
    elif request.method == "POST":
        flash(_("Certaines valeurs sont illisibles : rien n'a été enregistré."), "danger")
    form.complete(pairs)
    return render_template(
        "indicators/targets_form.html",
        project=project,
        pairs=pairs,
        form=form,
        rows=form.by_indicator(),
        conflicts=conflicts,
    )
