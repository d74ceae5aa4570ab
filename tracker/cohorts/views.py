import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.cohorts import services
from tracker.cohorts.forms import CohortForm
from tracker.cohorts.models import Cohort
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, require
from tracker.core.view_helpers import load_or_404
from tracker.extensions import db

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")


@bp.route("/")
@require(Action.VIEW_COHORT)
def list_cohorts():
    page = db.paginate(
        sa.select(Cohort).order_by(Cohort.start_date.desc().nulls_last(), Cohort.name), per_page=25, error_out=False
    )
    return render_template("cohorts/cohort_list.html", page=page,
                           stats=services.cohort_stats([c.id for c in page.items]))


@bp.route("/new", methods=["GET", "POST"])
@require(Action.EDIT_COHORT)
def create_cohort():
    form = CohortForm()
    if request.method == "GET":
        form.reporting_frequency.data = "quarterly"
    if form.validate_on_submit():
        with saving(form) as outcome:
            cohort = services.create_cohort(current_user, form.cohort_data())
        if outcome.ok:
            flash(_("La cohorte « %(name)s » a été créée.", name=cohort.name), "success")
            return redirect(url_for("cohorts.view_cohort", slug=cohort.slug))
    return render_template("cohorts/cohort_form.html", form=form, cohort=None)


@bp.route("/<slug>")
@require(Action.VIEW_COHORT)
def view_cohort(slug: str):
    cohort = load_or_404(services.get_by_slug, slug)
    stats = services.cohort_stats([cohort.id])[cohort.id]
    return render_template("cohorts/cohort_detail.html", cohort=cohort, row=stats)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@require(Action.EDIT_COHORT)
def edit_cohort(slug: str):
    cohort = load_or_404(services.get_by_slug, slug)
    form = CohortForm(obj=cohort)
    if request.method == "GET":
        form.version.data = cohort.version
        form.reporting_frequency.data = cohort.reporting_frequency.value
    if form.validate_on_submit():
        with saving(form) as outcome:
            services.update_cohort(current_user, cohort, form.cohort_data(), form.version.data)
        if outcome.conflict:
            form.version.data = db.session.scalar(sa.select(Cohort.version).where(Cohort.id == cohort.id))
        elif outcome.ok:
            flash(_("La cohorte a été enregistrée."), "success")
            return redirect(url_for("cohorts.view_cohort", slug=cohort.slug))
    return render_template("cohorts/cohort_form.html", form=form, cohort=cohort)
