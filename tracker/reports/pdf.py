"""The report PDFs (WeasyPrint, A4): the cohort report (DESIGN §6) and the holder's one-pager.

`cohort_pdf` is built from the §12 dict of `services.cohort_report`, through `exporters.sections`, so its
tables hold the rows and values of the XLSX sheets (the §12 key is printed beside each translated label).
Only names are looked up (cohorts by slug, indicators by code: two queries); no figure is recomputed,
except the sums of §12 cells shown as "jobs for women / for youth" (`job_callouts`).

Charts are horizontal bars drawn in HTML/CSS on the server (WeasyPrint runs no script). Text is in the
asked locale (`force_locale`): labels through Flask-Babel, numbers and dates with its format functions.
Arabic pages are `dir="rtl"`, shaped by Pango/HarfBuzz with the vendored Noto Sans Arabic TTF, which is
embedded in the PDF. WeasyPrint may only read files under the static folder (no network, no other path).
"""

import datetime as dt
import logging
import pathlib
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_datetime, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from tracker.cohorts.models import Cohort
from tracker.core.i18n import label
from tracker.extensions import db
from tracker.indicators.models import Indicator, IndicatorKind, Unit
from tracker.milestones.models import Milestone, MilestoneCategory
from tracker.periods.models import Cell
from tracker.projects.models import ProjectStatus, Sector, Sex, Stage
from tracker.reports import exporters
from tracker.reports.compute import CELLS, UNKNOWN

# WeasyPrint logs every rendering step at INFO; the app logs INFO (CLI output stays readable). Warnings stay.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

RATE_FORMAT = "#,##0.0%"
# Indicators whose women and youth figures the report calls out (DESIGN §6.6).
JOB_CODES = ("jobs_created", "temporary_jobs")
WOMEN_CELLS = ("women_youth", "women_other")
YOUTH_CELLS = ("women_youth", "men_youth")

SECTION_TITLES = {
    "filters": _l("Filtres"),
    "portfolio": _l("Portefeuille"),
    "people": _l("Personnes"),
    "trainings": _l("Formations"),
    "mentoring": _l("Accompagnement"),
    "milestones": _l("Jalons"),
    "indicators": _l("Indicateurs"),
    "completeness": _l("Complétude des données"),
}

# (section, first part of the §12 key) -> label; nested keys add the label of their code.
KEY_LABELS = {
    ("filters", "cohorts"): _l("Cohorte"),
    ("filters", "from"): _l("Du"),
    ("filters", "to"): _l("Au"),
    ("filters", "include_submitted"): _l("Valeurs soumises incluses"),
    ("filters", "reference_date"): _l("Date de référence du rapport"),
    ("portfolio", "projects"): _l("Projets"),
    ("portfolio", "by_sector"): _l("Par secteur"),
    ("portfolio", "by_status"): _l("Par statut"),
    ("portfolio", "by_stage"): _l("Par stade"),
    ("portfolio", "by_province"): _l("Par province"),
    ("portfolio", "women_led"): _l("Portés par des femmes"),
    ("portfolio", "youth_led"): _l("Portés par des jeunes"),
    ("people", "members"): _l("Membres des équipes"),
    ("people", "women"): _l("Femmes"),
    ("people", "men"): _l("Hommes"),
    ("people", "sex_not_stated"): _l("Sexe non précisé"),
    ("people", "youth"): _l("Jeunes"),
    ("people", "young_women"): _l("Jeunes femmes"),
    ("people", "age_unknown"): _l("Âge inconnu (sans date de naissance)"),
    ("people", "leads_women"): _l("Porteuses principales"),
    ("people", "leads_men"): _l("Porteurs principaux"),
    ("trainings", "sessions"): _l("Sessions de formation"),
    ("trainings", "hours"): _l("Heures de formation"),
    ("trainings", "participants"): _l("Participants (présents au moins une fois)"),
    ("trainings", "person_hours"): _l("Heures-participants"),
    ("trainings", "attendance_rate"): _l("Taux de présence"),
    ("trainings", "participants_by_cell"): _l("Participants par sexe et jeunesse"),
    ("trainings", "projects_with_business_plan_training"): _l("Projets formés au business plan"),
    ("mentoring", "sessions"): _l("Séances de mentorat"),
    ("mentoring", "hours"): _l("Heures de mentorat"),
    ("mentoring", "projects_mentored"): _l("Projets accompagnés"),
    ("mentoring", "median_sessions_per_project"): _l("Séances par projet (médiane)"),
    ("mentoring", "projects_without_session_60d"): _l("Projets actifs sans séance depuis 60 jours"),
    ("mentoring", "open_action_items"): _l("Actions ouvertes"),
    ("mentoring", "overdue_action_items"): _l("Actions en retard"),
    ("milestones", "planned"): _l("Jalons prévus"),
    ("milestones", "achieved"): _l("Jalons atteints"),
    ("milestones", "achieved_on_time"): _l("Atteints à temps"),
    ("milestones", "late"): _l("En retard"),
    ("milestones", "dropped"): _l("Abandonnés"),
    ("milestones", "achievement_rate"): _l("Taux de réalisation"),
    ("milestones", "by_category"): _l("Par catégorie"),
}
SUB_LABELS = {"planned": _l("prévus"), "achieved": _l("atteints")}
ENUM_OF = {"by_sector": Sector, "by_status": ProjectStatus, "by_stage": Stage,
           "by_category": MilestoneCategory, "participants_by_cell": Cell}


# ---------------------------------------------------------------- formatting (inside force_locale)

def _is_rate(key: str) -> bool:
    return key == "progress" or key.endswith("_rate")


def fmt(key: str, value) -> str:
    """A §12 value as text in the current locale: integers and amounts as numbers (amounts with up to two
    decimals: "12,5", "1 200"), rates as per cent with one decimal, dates long, booleans yes/no, missing "—"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, int):
        return format_decimal(value)
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.##")
    if isinstance(value, float):
        return format_percent(value, RATE_FORMAT) if _is_rate(key) else format_decimal(value, format="#,##0.#")
    if isinstance(value, dt.datetime):
        return format_datetime(value, "medium")
    if isinstance(value, dt.date):
        return format_date(value, "long")
    return str(value)


def _code_label(part: str, code: str) -> str:
    if code == UNKNOWN:
        return _("Non renseigné")
    enum_cls = ENUM_OF.get(part)
    return code if enum_cls is None else _enum_label(enum_cls, code)  # a province is shown as written


def _enum_label(enum_cls, code) -> str:
    try:
        return label(enum_cls(code))
    except ValueError:
        return str(code)


def key_label(section: str, key: str) -> str:
    """The translated label of a §12 key, e.g. ("milestones", "by_category.funding.planned") →
    "Par catégorie — Financement — prévus"."""
    parts = key.split(".")
    words = [str(KEY_LABELS.get((section, parts[0]), parts[0]))]
    if len(parts) > 1:
        words.append(_code_label(parts[0], parts[1]))
    if len(parts) > 2:
        words.append(str(SUB_LABELS.get(parts[2], parts[2])))
    return " — ".join(words)


def _width(value, total) -> int:
    """Bar length in whole per cent of `total`, within 0–100 (the figure beside it says the truth)."""
    if value is None or not total:
        return 0
    return max(0, min(100, round(float(value) / float(total) * 100)))


@dataclass
class Bar:
    label: str
    value: str
    width: int
    tone: str = ""


def _count_bars(counts: dict, part: str, tone: str = "") -> list[Bar]:
    total = max(counts.values(), default=0)
    return [Bar(_code_label(part, code), format_decimal(n), _width(n, total), tone) for code, n in counts.items()]


def _share(n, total) -> str:
    return f"{format_decimal(n)} ({format_percent(n / total, RATE_FORMAT)})" if total else format_decimal(n)


# ---------------------------------------------------------------- the cohort report

def job_callouts(report: dict) -> list[dict]:
    """For each job indicator broken down by cell: its total and the jobs held by women (the two women
    cells) and by youth (the two youth cells), DESIGN §4. Decimal figures from the §12 dict."""
    out = []
    for ind in report["indicators"]:
        cells = ind.get("cells") or {}
        if ind["code"] not in JOB_CODES or not cells:
            continue
        out.append({
            "code": ind["code"],
            "total": ind["actual"],
            "women": sum((Decimal(cells.get(c) or 0) for c in WOMEN_CELLS), Decimal(0)),
            "youth": sum((Decimal(cells.get(c) or 0) for c in YOUTH_CELLS), Decimal(0)),
        })
    return out


def _names(report: dict) -> tuple[list[Cohort], dict[str, Indicator]]:
    slugs = report["filters"]["cohorts"]
    cohorts = list(db.session.scalars(sa.select(Cohort).where(Cohort.slug.in_(slugs)).order_by(Cohort.name)))
    codes = [ind["code"] for ind in report["indicators"]]
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator).where(Indicator.code.in_(codes)))}
    return cohorts, indicators


def _scalar_rows(section: str, rows: list[list]) -> list[dict]:
    return [{"key": key, "label": key_label(section, key), "value": fmt(key.rsplit(".", 1)[-1], value)}
            for key, value in rows]


def _filter_rows(rows: list[list], cohorts: list[Cohort]) -> list[dict]:
    names = {c.slug: c.name for c in cohorts}
    out = []
    for key, value in rows:
        if key == "cohorts":
            shown = f"{names[value]} ({value})" if value in names else value
        else:
            shown = fmt(key, value)
        out.append({"key": key, "label": key_label("filters", key), "value": shown})
    return out


def _indicator_rows(rows: list[list], indicators: dict[str, Indicator], locale: str) -> list[dict]:
    columns = exporters.INDICATOR_COLUMNS
    out = []
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        ind = indicators.get(row["code"])
        unit, kind = row["unit"], row["kind"]
        cells = [row[f"cells.{c}"] for c in CELLS]
        progress = row["progress"]
        out.append({
            "code": row["code"],
            "name": ind.name(locale) if ind else row["code"],
            "unit": _enum_label(Unit, unit),
            "kind": _enum_label(IndicatorKind, kind),
            "baseline": fmt("baseline", row["baseline"]),
            "target": fmt("target", row["target"]),
            "actual": fmt("actual", row["actual"]),
            "progress": fmt("progress", progress),
            "width": _width(progress, 1),
            "over": progress is not None and progress > 1,
            "cells": [fmt(c, v) for c, v in zip(CELLS, cells, strict=True)] if any(v is not None for v in cells)
            else None,
        })
    return out


def _charts(report: dict) -> dict[str, list]:
    portfolio, people, trainings = report["portfolio"], report["people"], report["trainings"]
    milestones = report["milestones"]
    members = people["members"]
    charts: dict[str, list] = {
        "by_sector": _count_bars(portfolio["by_sector"], "by_sector"),
        "by_status": _count_bars(portfolio["by_status"], "by_status", "tone-muted"),
        "people": [
            Bar(_("Femmes"), _share(people["women"], members), _width(people["women"], members), "tone-women"),
            Bar(_("Hommes"), _share(people["men"], members), _width(people["men"], members)),
            Bar(_("Sexe non précisé"), _share(people["sex_not_stated"], members),
                _width(people["sex_not_stated"], members), "tone-muted"),
            Bar(_("Jeunes"), _share(people["youth"], members), _width(people["youth"], members), "tone-youth"),
            Bar(_("Jeunes femmes"), _share(people["young_women"], members),
                _width(people["young_women"], members), "tone-women"),
        ],
        "participants": _count_bars(trainings["participants_by_cell"], "participants_by_cell", "tone-youth"),
        "milestones": [],
        "completeness": [],
    }
    for code, figures in milestones["by_category"].items():
        planned, achieved = figures["planned"], figures["achieved"]
        charts["milestones"].append(Bar(_code_label("by_category", code),
                                        f"{format_decimal(achieved)} / {format_decimal(planned)}",
                                        _width(achieved, planned)))
    for row in report["completeness"]:
        owed = row["owed"]
        charts["completeness"].append(Bar(row["period"], f"{format_decimal(row['approved'])} / {format_decimal(owed)}",
                                          _width(row["approved"], owed)))
    return charts


def cohort_context(report: dict, locale: str, generated_at: dt.datetime) -> dict:
    """Everything the cohort template shows, already translated and formatted (call inside force_locale)."""
    cohorts, indicators = _names(report)
    parts = exporters.sections(report)
    tables = {name: _scalar_rows(name, parts[name][1]) for name in exporters.SCALAR_SECTIONS}
    jobs = []
    for job in job_callouts(report):
        total = job["total"] or Decimal(0)
        ind = indicators.get(job["code"])
        jobs.append({
            "name": ind.name(locale) if ind else job["code"],
            "total": fmt("actual", job["total"]),
            "women": fmt("actual", job["women"]),
            "youth": fmt("actual", job["youth"]),
            "women_share": format_percent(job["women"] / total, RATE_FORMAT) if total else None,
            "youth_share": format_percent(job["youth"] / total, RATE_FORMAT) if total else None,
        })
    indicator_rows = _indicator_rows(parts["indicators"][1], indicators, locale)
    return {
        "titles": {k: str(v) for k, v in SECTION_TITLES.items()},
        "programmes": sorted({c.programme for c in cohorts if c.programme}),
        "cohorts": cohorts,
        "filters": _filter_rows(parts["filters"][1], cohorts),
        "generated_at": format_datetime(generated_at, "medium"),
        "include_submitted": bool(report["filters"]["include_submitted"]),
        "tables": tables,
        "indicators": indicator_rows,
        "indicator_bars": [Bar(i["name"], i["progress"], i["width"], "tone-warn" if i["over"] else "")
                           for i in indicator_rows],
        "completeness": [dict(zip(exporters.COMPLETENESS_COLUMNS, r, strict=True)) for r in parts["completeness"][1]],
        "jobs": jobs,
        "charts": _charts(report),
        "cell_labels": [label(Cell(c)) for c in CELLS],
    }


# ---------------------------------------------------------------- rendering

class _StaticOnlyFetcher(URLFetcher):
    """Lets WeasyPrint read files under the static folder (stylesheets, fonts), nothing else; a missing
    file stops the rendering rather than giving a PDF without its Arabic font."""

    def __init__(self, root: pathlib.Path):
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        from urllib.request import url2pathname

        path = pathlib.Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"outside the static folder: {url}")
        return super().fetch(url, headers)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ") + '"'


def page_counter_css() -> str:
    """The translated "Page X / Y" as a CSS `content` value, with the page counters in place."""
    text = _("Page %(page)s / %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    out = []
    for i, piece in enumerate(text.split("\x00")):
        if i % 2:
            out.append(f"counter({piece})")  # 'page' or 'pages'
        elif piece:
            out.append(_css_string(piece))
    return " ".join(out)


def _html(template: str, locale: str, **context) -> str:
    return render_template(template, locale=locale, direction="rtl" if locale == "ar" else "ltr",
                           page_counter=page_counter_css(), **context)


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint with the static folder as base URL (stylesheets, the embedded font) and nothing else."""
    static = pathlib.Path(current_app.static_folder).resolve()
    document = HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=_StaticOnlyFetcher(static))
    return document.write_pdf()


def cohort_html(report: dict, locale: str, generated_at: dt.datetime) -> str:
    """The HTML the cohort PDF is printed from (`lang`/`dir` of the locale)."""
    with force_locale(locale):
        return _html("reports/pdf/cohort.html", locale, **cohort_context(report, locale, generated_at))


def cohort_pdf(report: dict, locale: str, generated_at: dt.datetime) -> bytes:
    """The cohort report as an A4 PDF in `locale` ('fr', 'ar', 'en'), from the §12 dict."""
    return html_to_pdf(cohort_html(report, locale, generated_at))


# ---------------------------------------------------------------- the holder's one-pager

def one_pager_context(project, locale: str, today: dt.date, generated_at: dt.datetime) -> dict:
    """Profile, team counts, milestones and progress of one project (call inside force_locale).

    Team counts follow tracker/projects/flags (youth at `today`); progress is
    `indicators.progress.project_progress` (approved values only), so it equals the project's pages."""
    from tracker.indicators.progress import project_progress
    from tracker.projects import flags

    min_age, max_age = flags.youth_bounds()
    members = list(project.members)
    young = [m for m in members if flags.is_young(m.birth_date, today, min_age, max_age)]
    project_flags = flags.project_flags(project, today)
    milestones = list(db.session.scalars(
        sa.select(Milestone).where(Milestone.project_id == project.id)
        .order_by(Milestone.planned_date, Milestone.id)))
    progress = []
    for row in project_progress(project.id, today):
        progress.append({
            "name": row.indicator.name(locale),
            "unit": label(row.indicator.unit),
            "baseline": fmt("baseline", row.baseline),
            "target": fmt("target", row.target_value),
            "actual": fmt("actual", row.actual),
            "progress": fmt("progress", float(row.progress) if row.progress is not None else None),
            "width": _width(row.progress, 1),
        })
    return {
        "project": project,
        "sector": label(project.sector),
        "status": label(project.status),
        "stage": label(project.stage) if project.stage else None,
        "team": {
            "members": format_decimal(len(members)),
            "women": format_decimal(sum(m.sex == Sex.F for m in members)),
            "men": format_decimal(sum(m.sex == Sex.M for m in members)),
            "youth": format_decimal(len(young)),
        },
        "flags": project_flags,
        "milestones": [{
            "title": m.title,
            "category": label(m.category),
            "status": label(m.status),
            "late": m.is_late(today),
            "planned": format_date(m.planned_date, "medium"),
            "achieved": format_date(m.achieved_date, "medium") if m.achieved_date else "—",
        } for m in milestones],
        "progress": progress,
        "progress_bars": [Bar(r["name"], r["progress"], r["width"]) for r in progress],
        "generated_at": format_datetime(generated_at, "medium"),
        "today": format_date(today, "long"),
    }


def one_pager_pdf(project, locale: str) -> bytes:
    """One A4 page (more if the project has many milestones) about `project`, in `locale`."""
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with force_locale(locale):
        html = _html("reports/pdf/one_pager.html", locale,
                     **one_pager_context(project, locale, dt.date.today(), generated_at))
    return html_to_pdf(html)
