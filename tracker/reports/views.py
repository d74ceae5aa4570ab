"""The cohort report on screen (DESIGN §6): filters, seven sections with charts, completeness grid, needs attention.

Every figure comes from `services.cohort_report` (the dict every export is built from), so the page
agrees with the files. Each figure cell carries `data-metric` (its path in the §12 dict, dotted:
`people.women`, `portfolio.by_sector.digital`, `indicators.<code>.actual`, `indicators.<code>.cells.<cell>`,
`completeness.<period>.owed`, `milestones.by_category.<code>.planned`) and `data-value` (the raw value:
integers and decimals as `str()` gives them, "12.50"; rates and progress as Python floats, 0.5; dates ISO;
empty for None). Figures derived for reading only (percentages of members, jobs for women) carry no
`data-metric`. Chart data goes to `static/js/report-charts.js` in `application/json` blocks (no inline JS).
"""

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from tracker.cohorts.services import all_cohorts
from tracker.core import formatting
from tracker.core.i18n import isolate, label
from tracker.core.permissions import Action, can, require
from tracker.extensions import db
from tracker.indicators.models import Indicator, IndicatorKind, Unit
from tracker.milestones.models import MilestoneCategory
from tracker.periods.models import Cell, ReportStatus
from tracker.projects.models import ProjectStatus, Sector, Stage
from tracker.reports import attention as attention_list
from tracker.reports import grid as completeness_grid
from tracker.reports import labels, services, summary
from tracker.reports.compute import CELLS, UNKNOWN
from tracker.reports.filters import parse_filters

bp = Blueprint("reports", __name__, url_prefix="/reports")

JOB_INDICATORS = ("jobs_created",)  # called out for women and youth (DESIGN §6.6)
FILE_FORMATS = ("xlsx", "csv", "pdf", "json")


def raw_value(value) -> str:
    """The `data-value` of a figure cell (module docstring)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown(key: str, value) -> str:
    """A §12 figure as the page shows it (`formatting`: counts whole, amounts with two decimals, rates in
    per cent with one decimal), the same text as in the PDF."""
    return formatting.text(value, labels.value_kind(key, value))


def _enum_label(enum_cls, code: str) -> str:
    if code == UNKNOWN:
        return _("Non renseigné")
    try:
        return label(enum_cls(code))
    except ValueError:
        return code


def _number(value) -> float | None:
    return None if value is None else float(value)


def _chart(kind: str, labels: list, datasets: list[dict], **options) -> dict:
    return {"type": kind, "labels": [str(x) for x in labels], "datasets": datasets, "options": options}


def _charts(report: dict, names: dict[str, str]) -> dict[str, dict]:
    """Chart.js data per section; the tables beside the charts show the same figures as text."""
    pf, people, tr, me, mi = (report[k] for k in ("portfolio", "people", "trainings", "mentoring", "milestones"))
    periods = report["completeness"]
    return {
        "chart-sector": _chart("bar", [_enum_label(Sector, c) for c in pf["by_sector"]],
                               [{"label": _("Projets"), "data": list(pf["by_sector"].values())}],
                               horizontal=True),
        "chart-status": _chart("doughnut", [_enum_label(ProjectStatus, c) for c in pf["by_status"]],
                               [{"label": _("Projets"), "data": list(pf["by_status"].values())}]),
        "chart-people": _chart(
            "bar",
            [_("Femmes"), _("Hommes"), _("Sexe non précisé"), _("Jeunes"), _("Jeunes femmes"), _("Âge inconnu")],
            [{"label": _("Membres des équipes"),
              "data": [people[k] for k in ("women", "men", "sex_not_stated", "youth", "young_women",
                                           "age_unknown")]}]),
        "chart-trainings": _chart(
            "bar", [label(Cell(c)) for c in CELLS],
            [{"label": _("Participants"), "data": [tr["participants_by_cell"][c] for c in CELLS]}]),
        "chart-mentoring": _chart(
            "bar",
            [_("Séances"), _("Projets accompagnés"), _("Projets sans séance depuis 60 jours"),
             _("Actions ouvertes"), _("Actions en retard")],
            [{"label": _("Accompagnement"),
              "data": [me[k] for k in ("sessions", "projects_mentored", "projects_without_session_60d",
                                       "open_action_items", "overdue_action_items")]}],
            horizontal=True),
        "chart-milestones": _chart(
            "bar", [_enum_label(MilestoneCategory, c) for c in mi["by_category"]],
            [{"label": _("Prévus"), "data": [v["planned"] for v in mi["by_category"].values()]},
             {"label": _("Atteints"), "data": [v["achieved"] for v in mi["by_category"].values()]}]),
        "chart-indicators": _chart(
            "bar", [names.get(row["code"], row["code"]) for row in report["indicators"]],
            [{"label": _("Progression (%)"),
              "data": [None if row["progress"] is None else round(row["progress"] * 100, 1)
                       for row in report["indicators"]]}],
            horizontal=True, percent=True),
        "chart-completeness": _chart(
            "bar", [isolate(row["period"]) for row in periods],  # "2025-T1" must not read "T1-2025" in Arabic
            [{"label": _("Attendus"), "data": [row["owed"] for row in periods]},
             {"label": _("Soumis"), "data": [row["submitted"] for row in periods]},
             {"label": _("Approuvés"), "data": [row["approved"] for row in periods]}]),
        "chart-trends": _trend_chart(report, names),
    }


def _trend_chart(report: dict, names: dict[str, str]) -> dict:
    """One line per indicator: its cumulative progress towards the target (%) at the end of each period."""
    trends = report["trends"]
    periods = [p["period"] for p in trends[0]["periods"]] if trends else []
    return _chart(
        "line", [isolate(p) for p in periods],
        [{"label": names.get(t["code"], t["code"]),
          "data": [None if p["progress"] is None else float(formatting.rounded(p["progress"], formatting.Kind.RATE))
                   for p in t["periods"]]} for t in trends],
        percent=True)


def _jobs(report: dict) -> list[dict]:
    """Jobs created for women and for youth, from the disaggregated cells of the job indicators."""
    out = []
    for row in report["indicators"]:
        if row["code"] not in JOB_INDICATORS or not row["cells"]:
            continue
        cells = row["cells"]
        out.append({
            "code": row["code"],
            "unit": row["unit"],
            "total": row["actual"],
            "women": cells["women_youth"] + cells["women_other"],
            "youth": cells["women_youth"] + cells["men_youth"],
            "young_women": cells["women_youth"],
        })
    return out


def _grid_labels() -> dict:
    return {
        completeness_grid.CellState.APPROVED: label(ReportStatus.APPROVED),
        completeness_grid.CellState.SUBMITTED: label(ReportStatus.SUBMITTED),
        completeness_grid.CellState.RETURNED: label(ReportStatus.RETURNED),
        completeness_grid.CellState.DRAFT: label(ReportStatus.DRAFT),
        completeness_grid.CellState.MISSING: _("Manquant"),
        completeness_grid.CellState.NOT_DUE: _("À venir"),
    }


def _download_links(filters, cohorts_by_id: dict) -> dict:
    """Links to the files (tracker/reports/downloads.py) with the same filters; IATI per chosen cohort."""
    args = filters.query_args()
    return {
        "files": [(fmt, url_for("report_files.cohort_file", fmt=fmt, **args)) for fmt in FILE_FORMATS],
        # An IATI file describes one cohort: the link works once a single cohort is chosen.
        "iati": [(cohorts_by_id[cid], url_for("report_files.iati_file", cohort=cid))
                 for cid in filters.cohort_ids if cid in cohorts_by_id] if len(filters.cohort_ids) == 1 else [],
        "iati_configured": bool(current_app.config.get("IATI_ORG_REF")),
    }


def _chips(filters, cohorts) -> list[tuple]:
    """(cohort, the same page without it) for each chosen cohort: removable chips that work without script."""
    by_id = {c.id: c for c in cohorts}
    args = request.args.to_dict(flat=False)
    chips = []
    for cid in filters.cohort_ids:
        if cid in by_id:
            rest = {**args, "cohort": [str(other) for other in filters.cohort_ids if other != cid]}
            chips.append((by_id[cid], url_for("reports.cohort_report", **rest)))
    return chips


@bp.route("/cohort")
@require(Action.VIEW_COHORT_REPORT)
def cohort_report():
    filters = parse_filters(request.args)
    cohorts = all_cohorts()
    context = {"filters": filters, "cohorts": cohorts, "raw": raw_value, "shown": shown,
               "chips": _chips(filters, cohorts) if filters.valid else []}
    if not filters.valid:
        return render_template("reports/cohort_report.html", report=None, errors=filters.errors, **context), 400
    today = dt.date.today()
    cohort_ids = filters.cohort_ids or [c.id for c in cohorts]
    try:
        report = services.cohort_report(cohort_ids, filters.date_from, filters.date_to, filters.include_submitted,
                                        today=today)
    except ValueError:  # parse_filters already refuses a start after the end; kept as a safety net
        errors = [_("La date de début est postérieure à la date de fin.")]
        return render_template("reports/cohort_report.html", report=None, errors=errors, **context), 400
    ref = report["filters"]["reference_date"]
    locale = str(get_locale() or "fr")
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator))}
    names = {code: i.name(locale) for code, i in indicators.items()}
    cohorts_by_id = {c.id: c for c in cohorts}
    return render_template(
        "reports/cohort_report.html",
        report=report,
        errors=[],
        today=today,
        selected=[cohorts_by_id[cid] for cid in filters.cohort_ids if cid in cohorts_by_id],
        charts=_charts(report, names),
        jobs=_jobs(report),
        indicator_names=names,
        grid=completeness_grid.completeness_grid(cohort_ids, filters.date_from, ref, today),
        attention=attention_list.needs_attention(cohort_ids, today),
        attention_top=attention_list.ATTENTION_TOP,
        sentences=summary.summary(report),
        quiet_days=attention_list.QUIET_DAYS,
        cohort_names={c.id: c.name for c in cohorts},
        downloads=_download_links(filters, cohorts_by_id) if can(current_user, Action.EXPORT_COHORT) else None,
        enums={"sector": Sector, "status": ProjectStatus, "stage": Stage, "category": MilestoneCategory,
               "unit": Unit, "kind": IndicatorKind, "cell": Cell},
        enum_label=_enum_label,
        unit_label=labels.unit_label,
        kind_label=labels.kind_label,
        is_mean=labels.is_mean,
        cells=CELLS,
        grid_labels=_grid_labels(),
        **context,
    )
