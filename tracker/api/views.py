"""/api/v1/: read-only JSON under the same POLICY as the pages (see tracker/api/auth.py for who is asking).

Views stay thin: parse the query string, ask tracker/api/services.py, serialise with tracker/api/schemas.py.
"""

import datetime as dt
import hashlib

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.api import auth, pagination, services
from tracker.api.auth import api_view
from tracker.api.schemas import (
    CohortReportSchema,
    CohortSchema,
    IndicatorSchema,
    PeriodReportSchema,
    ProjectSchema,
    TargetSchema,
)
from tracker.cohorts.models import Cohort
from tracker.cohorts.services import get_by_slug
from tracker.core.fields import query_date
from tracker.core.permissions import Action, public
from tracker.core.problems import problem
from tracker.core.query_args import int_arg
from tracker.extensions import csrf
from tracker.indicators.models import Indicator, Target
from tracker.periods.models import PeriodReport
from tracker.projects.models import Project, ProjectStatus, Sector
from tracker.projects.services import ProjectFilters
from tracker.reports.services import cohort_report, to_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only, and a bearer token is no ambient credential: there is nothing to forge
bp.before_request(auth.authenticate)

YES = ("1", "true", "yes", "on")


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Vary"] = "Authorization, Origin"
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["API_CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization, If-None-Match"
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Retry-After"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def _page(stmt, id_column, schema, row=lambda obj: obj):
    try:
        items, next_url = pagination.fetch(stmt, id_column)
    except pagination.BadPage as error:
        return problem(400, _("Paramètre de pagination invalide : %(name)s.", name=str(error)))
    response = jsonify({"data": schema(many=True).dump([row(i) for i in items]), "next": next_url})
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.route("/cohorts")
@api_view(Action.VIEW_COHORT, "projects:read", schema=CohortSchema, summary="Cohorts", paginated=True)
def list_cohorts():
    return _page(services.cohorts_query(), Cohort.id, CohortSchema)


PROJECT_PARAMS = [
    ("cohort", "integer", "Cohort id."), ("sector", "string", "digital, agriculture, training_services, "
                                                              "local_products."),
    ("status", "string", "active, graduated, paused, dropped."), ("province", "string", "Province name."),
    ("staff", "integer", "Id of an assigned staff member."), ("q", "string", "Text in name, number, place."),
    ("women_led", "boolean", "Women-led projects only."), ("youth_led", "boolean", "Youth-led projects only."),
]


@bp.route("/projects")
@api_view(Action.VIEW_PROJECT, "projects:read", schema=ProjectSchema, paginated=True, params=PROJECT_PARAMS,
          summary="Projects the token's owner may see, with the list page's filters")
def list_projects():
    filters = ProjectFilters(
        cohort_id=int_arg("cohort", strict=True), sector=request.args.get("sector") or None,
        status=request.args.get("status") or None, province=request.args.get("province") or None,
        staff_id=int_arg("staff", strict=True), q=request.args.get("q") or None,
        women_led=request.args.get("women_led") in YES, youth_led=request.args.get("youth_led") in YES,
    )
    if filters.sector not in (None, *Sector) or filters.status not in (None, *ProjectStatus):
        abort(400)
    today, people = dt.date.today(), auth.may_see_people()
    return _page(services.projects_query(current_user, filters), Project.id, ProjectSchema,
                 lambda p: services.project_row(p, today, people))


def _project_or_404(project_id: int) -> Project:
    project = services.visible_project(current_user, project_id)
    if project is None:
        abort(404)
    return project


@bp.route("/projects/<int:project_id>")
@api_view(Action.VIEW_PROJECT, "projects:read", schema=ProjectSchema, summary="One project")
def get_project(project_id: int):
    project = _project_or_404(project_id)
    return jsonify(ProjectSchema().dump(services.project_row(project, dt.date.today(), auth.may_see_people())))


@bp.route("/indicators")
@api_view(Action.VIEW_PROJECT, "indicators:read", schema=IndicatorSchema, paginated=True,
          summary="The indicator catalogue")
def list_indicators():
    return _page(services.indicators_query(), Indicator.id, IndicatorSchema)


@bp.route("/projects/<int:project_id>/targets")
@api_view(Action.VIEW_PROJECT, "indicators:read", schema=TargetSchema, paginated=True,
          summary="A project's targets")
def list_targets(project_id: int):
    return _page(services.targets_query(_project_or_404(project_id)), Target.id, TargetSchema, services.target_row)


@bp.route("/projects/<int:project_id>/reports")
@api_view(Action.VIEW_PROJECT, "indicators:read", schema=PeriodReportSchema, paginated=True,
          summary="A project's period reports: status, and the values once approved")
def list_reports(project_id: int):
    return _page(services.reports_query(_project_or_404(project_id)), PeriodReport.id, PeriodReportSchema,
                 services.report_row)


REPORT_PARAMS = [
    ("cohort", "string", "Cohort slug (required; repeat for several cohorts), as `flask report cohort --cohort`."),
    ("from", "string", "Start of the window, YYYY-MM-DD (included)."),
    ("to", "string", "End of the window and reference date, YYYY-MM-DD (default: today)."),
    ("include_submitted", "boolean", "Count submitted (not yet approved) values too."),
]


@bp.route("/report")
@api_view(Action.EXPORT_COHORT, "report:read", schema=CohortReportSchema, params=REPORT_PARAMS,
          summary="The cohort report: the §12 JSON of `flask report cohort --format json`, ETag-validated")
def cohort_report_json():
    errors: list = []
    ids = []
    for slug in dict.fromkeys(request.args.getlist("cohort")):
        cohort = get_by_slug(slug)
        if cohort is None:
            return problem(400, _("Cohorte inconnue."))
        ids.append(cohort.id)
    if not ids:
        return problem(400, _("Choisissez au moins une cohorte (paramètre cohort)."))
    date_from = query_date(request.args.get("from"), _("Date de début invalide : utilisez le format AAAA-MM-JJ."),
                           errors)
    date_to = query_date(request.args.get("to"), _("Date de fin invalide : utilisez le format AAAA-MM-JJ."), errors)
    if errors:
        return problem(400, str(errors[0]))
    try:
        report = cohort_report(ids, date_from, date_to, request.args.get("include_submitted") in YES)
    except ValueError:
        return problem(400, _("La date de début est postérieure à la date de fin."))
    body = to_json(report) + "\n"
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


# ---------------------------------------------------------------- the description of all the above

@bp.route("/openapi.json")
@public
def openapi_document():
    from tracker.api.openapi import build

    return jsonify(build())


@bp.route("/docs")
@public
def docs():
    """A readable page rendered on the server from the OpenAPI document: no script, so the CSP stays whole."""
    from tracker.api.openapi import build

    return render_template("api/docs.html", spec=build())
