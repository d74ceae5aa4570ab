"""The report PDFs (WeasyPrint, A4): the cohort report (DESIGN §6) and the holder's one-pager.

`cohort_pdf` is built from the §12 dict of `services.cohort_report`, through `tables.report_tables`, so its
tables hold the rows and values of the XLSX sheets, with the same labels (no keys) and the same formatting
(`tracker.core.formatting`). It opens with the written summary (`summary.py`), ends with the trends of every
indicator and, when asked, one annex page per project laid out as the one-pager (`annex.py`). Headings give
the PDF bookmarks: the report and its sections, the annex and its projects. Only names are looked up
(cohorts, indicators; the annex adds projects and milestone titles); no figure is recomputed, except the
sums of §12 cells shown as "jobs for women / for youth" (`job_callouts`).

Charts are horizontal bars drawn in HTML/CSS on the server (WeasyPrint runs no script). Text is in the
asked locale (`force_locale`). Arabic pages are `dir="rtl"`, shaped by Pango/HarfBuzz. Arabic letters are
set in Noto Naskh Arabic 2.016 (`vendor/noto-naskh-arabic`), whose every letter form is one glyph: a PDF
maps each glyph back to one text, and Noto Sans Arabic 2.012 draws letters as a shared skeleton plus dot
glyphs, so its text extracted as other letters ("ققرير" for "تقرير"). Latin text stays in Noto Sans
Arabic. The PDF is tagged (`pdf_tags`) and carries its language. WeasyPrint may only read files under the
static folder (no network, no other path).
"""

import datetime as dt
import logging
import pathlib
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from tracker.cohorts.models import Cohort
from tracker.core.dates import LONG, date_text, datetime_text
from tracker.core.formatting import Kind, figure_kind, text
from tracker.core.i18n import isolate, label
from tracker.core.period_names import period_name
from tracker.core.text import for_export
from tracker.extensions import db
from tracker.milestones.models import Milestone, MilestoneCategory, MilestoneStatus
from tracker.periods.models import Cell
from tracker.projects.models import ProjectStatus, Sector, Sex, Stage
from tracker.reports import annex, labels, summary
from tracker.reports.compute import CELLS
from tracker.reports.services import report_names
from tracker.reports.tables import SCALAR_SECTIONS, Names, Table, report_tables

# WeasyPrint logs every rendering step at INFO; the app logs INFO (CLI output stays readable). Warnings stay.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Indicators whose women and youth figures the report calls out (DESIGN §6.6).
JOB_CODES = ("jobs_created", "temporary_jobs")
WOMEN_CELLS = ("women_youth", "women_other")
YOUTH_CELLS = ("women_youth", "men_youth")


def fmt(key: str, value) -> str:
    """A §12 value as text in the current locale (`formatting.text` with the key's kind)."""
    return text(value, labels.value_kind(key, value))


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
    return [Bar(labels.code_label(part, code), text(n, Kind.COUNT), _width(n, total), tone)
            for code, n in counts.items()]


def _share(n, total) -> str:
    return f"{text(n, Kind.COUNT)} ({text(n / total, Kind.RATE)})" if total else text(n, Kind.COUNT)


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


def shown_rows(table: Table) -> list[dict]:
    """A table's rows as the PDF prints them: the label, then each value formatted."""
    return [{"label": row.label, "values": [text(v.value, v.kind) for v in row.values], "key": row.key}
            for row in table.rows]


def _indicator_rows(report: dict, names: Names) -> list[dict]:
    out = []
    for ind in report["indicators"]:
        unit, progress = ind["unit"], ind["progress"]
        cells = ind.get("cells") or {}
        out.append({
            "code": ind["code"],
            "name": names.indicators.get(ind["code"], ind["code"]),
            "unit": labels.unit_label(unit),
            "kind": labels.kind_label(ind["kind"]),
            "aggregation": labels.aggregation_label(unit),
            "mean": labels.is_mean(unit),
            "projects_reporting": text(ind.get("projects_reporting"), Kind.COUNT),
            **{k: text(ind[k], figure_kind(ind[k], unit)) for k in ("baseline", "target", "actual")},
            "progress": text(progress, Kind.RATE),
            "width": _width(progress, 1),
            "over": progress is not None and progress > 1,
            "cells": [text(cells.get(c), figure_kind(cells.get(c), unit)) for c in CELLS] if cells else None,
        })
    return out


def _trends(report: dict, names: Names) -> list[dict]:
    """Each indicator's periods as printed: the period's value, the cumulative figure, progress and bar."""
    out = []
    for trend in report.get("trends", []):
        unit = trend["unit"]
        out.append({
            "code": trend["code"],
            "name": names.indicators.get(trend["code"], trend["code"]),
            "target": text(trend["target"], figure_kind(trend["target"], unit)),
            "periods": [{
                "period": p["period"],
                "value": text(p["value"], figure_kind(p["value"], unit)),
                "cumulative": text(p["cumulative"], figure_kind(p["cumulative"], unit)),
                "progress": text(p["progress"], Kind.RATE),
                "reporting": text(p["projects_reporting"], Kind.COUNT),
                "width": _width(p["progress"], 1),
            } for p in trend["periods"]],
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
        charts["milestones"].append(Bar(labels.code_label("by_category", code),
                                        f"{text(achieved, Kind.COUNT)} / {text(planned, Kind.COUNT)}",
                                        _width(achieved, planned)))
    for row in report["completeness"]:
        owed, approved = row["owed"], row["approved"]
        # "5 / 8" is one left-to-right run: unisolated, an Arabic page shows it as "8 / 5".
        fraction = isolate(f"{text(approved, Kind.COUNT)} / {text(owed, Kind.COUNT)}")
        charts["completeness"].append(Bar(period_name(row["period"]), fraction, _width(approved, owed)))
    return charts


def _jobs(report: dict, names: Names) -> list[dict]:
    units = {ind["code"]: ind["unit"] for ind in report["indicators"]}
    jobs = []
    for job in job_callouts(report):
        total, unit = job["total"] or Decimal(0), units[job["code"]]
        jobs.append({
            "name": names.indicators.get(job["code"], job["code"]),
            **{k: text(job[k], figure_kind(job[k], unit)) for k in ("total", "women", "youth")},
            "women_share": text(float(job["women"] / total), Kind.RATE) if total else None,
            "youth_share": text(float(job["youth"] / total), Kind.RATE) if total else None,
        })
    return jobs


def cohort_context(report: dict, locale: str, generated_at: dt.datetime, rows: dict | None = None) -> dict:
    """Everything the cohort template shows, already translated and formatted (call inside force_locale).
    `rows` (from `services.cohort_report_and_rows`) adds the per-project annex."""
    names = report_names(report, locale)
    cohorts = list(db.session.scalars(sa.select(Cohort).where(Cohort.slug.in_(report["filters"]["cohorts"]))
                                      .order_by(Cohort.name)))
    tables = report_tables(report, names)
    indicator_rows = _indicator_rows(report, names)
    return {
        "titles": {k: str(v) for k, v in labels.SECTION_TITLES.items()},
        "programmes": sorted({c.programme for c in cohorts if c.programme}),
        "cohorts": cohorts,
        "filters": shown_rows(tables["filters"]),
        "generated_at": datetime_text(generated_at, LONG),
        "include_submitted": bool(report["filters"]["include_submitted"]),
        "summary": [s.text for s in summary.summary(report)],
        "tables": {name: shown_rows(tables[name]) for name in SCALAR_SECTIONS},
        "indicators": indicator_rows,
        "indicator_bars": [Bar(i["name"], i["progress"], i["width"], "tone-warn" if i["over"] else "")
                           for i in indicator_rows],
        "trends": _trends(report, names),
        "completeness": report["completeness"],
        "jobs": _jobs(report, names),
        "charts": _charts(report),
        "cell_labels": [label(Cell(c)) for c in CELLS],
        "annex": _annex_pages(report, rows, locale) if rows is not None else None,
    }


def _annex_pages(report: dict, rows: dict, locale: str) -> list[dict]:
    config = current_app.config
    filters = report["filters"]
    figures = annex.project_figures(rows, filters["from"], filters["reference_date"], filters["include_submitted"],
                                    config["YOUTH_MIN_AGE"], config["YOUTH_MAX_AGE"])
    projects, titles, indicators = annex.annex_projects(figures)
    pages = []
    for f in annex.ordered(figures, projects):
        project = projects[f.project_id]
        progress = [_progress_row(indicators[i["code"]].name(locale) if i["code"] in indicators else i["code"],
                                  i["unit"], i["baseline"], i["target"], i["actual"], i["progress"])
                    for i in f.indicators]
        pages.append(_page(project, f.people, {"women_led": f.women_led, "youth_led": f.youth_led},
                           [_milestone_row(titles.get(m["id"], ""), m["category"], m["status"], m["late"],
                                           m["planned_date"], m["achieved_date"]) for m in f.milestones],
                           progress))
    return pages


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
    """WeasyPrint with the static folder as base URL (stylesheets, the embedded fonts) and nothing else;
    tagged (structure for screen readers and text extraction)."""
    static = pathlib.Path(current_app.static_folder).resolve()
    document = HTML(string=for_export(html), base_url=static.as_uri() + "/", url_fetcher=_StaticOnlyFetcher(static))
    return document.write_pdf(pdf_tags=True)


def cohort_html(report: dict, locale: str, generated_at: dt.datetime, rows: dict | None = None) -> str:
    """The HTML the cohort PDF is printed from (`lang`/`dir` of the locale); `rows` adds the annex."""
    with force_locale(locale):
        return _html("reports/pdf/cohort.html", locale, **cohort_context(report, locale, generated_at, rows))


def cohort_pdf(report: dict, locale: str, generated_at: dt.datetime, rows: dict | None = None) -> bytes:
    """The cohort report as an A4 PDF in `locale` ('fr', 'ar', 'en'), from the §12 dict; with `rows`
    (`services.cohort_report_and_rows`), one annex page per project. Raises annex.AnnexTooLargeError."""
    return html_to_pdf(cohort_html(report, locale, generated_at, rows))


# ---------------------------------------------------------------- a project's page (one-pager and annex)

def _progress_row(name: str, unit, baseline, target, actual, progress) -> dict:
    progress = float(progress) if progress is not None else None
    return {
        "name": name,
        "unit": labels.unit_label(unit),
        "baseline": text(baseline, figure_kind(baseline, unit)),
        "target": text(target, figure_kind(target, unit)),
        "actual": text(actual, figure_kind(actual, unit)),
        "progress": text(progress, Kind.RATE),
        "width": _width(progress, 1),
    }


def _milestone_row(title: str, category, status, late: bool, planned: dt.date, achieved: dt.date | None) -> dict:
    return {
        "title": title,
        "category": labels.enum_label(MilestoneCategory, category),
        "status": labels.enum_label(MilestoneStatus, status),
        "late": late,
        "planned": date_text(planned),
        "achieved": date_text(achieved) if achieved else "—",
    }


def _page(project, people: dict, flags: dict, milestones: list[dict], progress: list[dict]) -> dict:
    """What `reports/pdf/_project.html` shows about one project."""
    return {
        "project": project,
        "sector": labels.enum_label(Sector, project.sector),
        "status": labels.enum_label(ProjectStatus, project.status),
        "stage": labels.enum_label(Stage, project.stage) if project.stage else None,
        "team": {k: text(people[k], Kind.COUNT) for k in ("members", "women", "men", "youth")},
        "flags": flags,
        "milestones": milestones,
        "progress": progress,
        "progress_bars": [Bar(r["name"], r["progress"], r["width"]) for r in progress],
    }


def one_pager_context(project, locale: str, today: dt.date, generated_at: dt.datetime) -> dict:
    """Profile, team counts, milestones and progress of one project (call inside force_locale).

    Team counts follow tracker/projects/flags (youth at `today`); progress is
    `indicators.progress.project_progress` (approved values only), so it equals the project's pages."""
    from tracker.indicators.progress import project_progress
    from tracker.projects import flags

    min_age, max_age = flags.youth_bounds()
    members = list(project.members)
    people = {
        "members": len(members),
        "women": sum(m.sex == Sex.F for m in members),
        "men": sum(m.sex == Sex.M for m in members),
        "youth": sum(flags.is_young(m.birth_date, today, min_age, max_age) for m in members),
    }
    milestones = list(db.session.scalars(
        sa.select(Milestone).where(Milestone.project_id == project.id)
        .order_by(Milestone.planned_date, Milestone.id)))
    progress = [_progress_row(row.indicator.name(locale), row.indicator.unit, row.baseline, row.target_value,
                              row.actual, row.progress)
                for row in project_progress(project.id, today)]
    page = _page(project, people, flags.project_flags(project, today),
                 [_milestone_row(m.title, m.category, m.status, m.is_late(today), m.planned_date, m.achieved_date)
                  for m in milestones], progress)
    return {**page, "generated_at": datetime_text(generated_at, LONG), "today": date_text(today, LONG)}


def one_pager_pdf(project, locale: str) -> bytes:
    """One A4 page (more if the project has many milestones) about `project`, in `locale`."""
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with force_locale(locale):
        html = _html("reports/pdf/one_pager.html", locale,
                     page=one_pager_context(project, locale, dt.date.today(), generated_at))
    return html_to_pdf(html)
