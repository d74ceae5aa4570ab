"""IATI 2.03 activities file of one cohort (DESIGN §11 `flask report iati`, issues 6 and 18).

The file needs `IATI_ORG_REF`, the publishing organisation's identifier: without it no file is made
(`IatiNotConfiguredError`), rather than one under a placeholder. One `iati-activity` per project, elements
in the order of `iati-activities-schema.xsd`: iati-identifier (`IATI_ORG_REF`-<cohort slug>-<project code>),
reporting-org (config), title (project name), description (summary, else a sentence naming the cohort),
participating-org (the programme as extending organisation, the project as implementing one),
activity-status (from the project status), activity-date (the cohort's programme start, else its forum
date — left out when it has neither, never the day the row was created —, planned end, actual end of
graduated/dropped projects), recipient-country, sector (DAC 5-digit code of the project's sector), then
one result whose indicators are the project's targeted or reported indicators:
- measure from the unit (percent → 2 "percentage", anything else → 1 "unit"), ascending;
- baseline (year, date, value) when the target has one;
- one period per calendar year (`iati_periods.yearly_periods`), each with the year's share of the target
  and the year's APPROVED actual (submitted, draft and returned values never leave the programme), so
  every period with an actual has a target. A disaggregated indicator's actual is given as the total (no
  dimension) followed by one actual per non-empty cell with `sex` (female / male / not stated) and `age`
  (the youth bounds, e.g. "15-34", or "other") dimensions.
Each narrative's `xml:lang` follows its script (`script_lang`): Arabic text is "ar" whatever the file's
language, Latin text the language it was given in, or the one data is entered in (BABEL_DEFAULT_LOCALE).

Five statements whatever the number of projects (projects, targets, approved values, catalogue, and
the cohort itself, loaded by the caller). Codes used: ActivityStatus, ActivityDateType,
OrganisationRole/Type, IndicatorMeasure, ResultType and DAC sectors from the IATI code lists.
"""

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from lxml import etree

from tracker.cohorts.models import Cohort
from tracker.core.text import for_export
from tracker.extensions import db
from tracker.indicators.models import Indicator, Target, Unit
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportStatus
from tracker.projects.models import LegalForm, Project, ProjectStatus, Sector
from tracker.reports import labels
from tracker.reports.iati_periods import yearly_periods

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ACTIVITY_STATUS = {  # IATI ActivityStatus
    ProjectStatus.ACTIVE: "2",  # implementation
    ProjectStatus.GRADUATED: "4",  # closed
    ProjectStatus.PAUSED: "6",  # suspended
    ProjectStatus.DROPPED: "5",  # cancelled
}
SECTOR_DAC = {  # DAC 5-digit purpose codes (vocabulary 1)
    Sector.DIGITAL: "22040",  # information and communication technology
    Sector.AGRICULTURE: "31120",  # agricultural development
    Sector.TRAINING_SERVICES: "25030",  # business development services
    Sector.LOCAL_PRODUCTS: "32130",  # small and medium-sized enterprises development
}
ORG_TYPE = {  # IATI OrganisationType of the project's legal form
    LegalForm.COMPANY: "72",  # private sector in aid recipient country
    LegalForm.AUTO_ENTREPRENEUR: "72",
    LegalForm.COOPERATIVE: "72",
    LegalForm.ASSOCIATION: "24",  # partner-country-based NGO
}
MEASURE = {Unit.PERCENT: "2"}  # IndicatorMeasure; the rest is "1" (unit)
CELL_SEX = {
    Cell.WOMEN_YOUTH: "female", Cell.WOMEN_OTHER: "female",
    Cell.MEN_YOUTH: "male", Cell.MEN_OTHER: "male", Cell.NOT_STATED: "not stated",
}
YOUTH_CELLS = (Cell.WOMEN_YOUTH, Cell.MEN_YOUTH)
CELL_ORDER = (Cell.WOMEN_YOUTH, Cell.WOMEN_OTHER, Cell.MEN_YOUTH, Cell.MEN_OTHER, Cell.NOT_STATED)


ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN_LETTERS = re.compile(r"[A-Za-z\u00C0-\u024F]")


class EmptyCohortError(ValueError):
    """IATI needs at least one activity: a cohort without projects has no file."""


class UndatedCohortError(ValueError):
    """IATI needs an activity date, and only the cohort's programme or forum dates may give one."""


class IatiNotConfiguredError(ValueError):
    """IATI_ORG_REF (the publishing organisation's IATI identifier) is not set."""

    def __str__(self) -> str:
        return ("IATI_ORG_REF is not set: set it to your organisation's IATI identifier (e.g. MA-RC-12345, "
                "see iatistandard.org organisation identifiers), with IATI_ORG_NAME and IATI_ORG_TYPE.")


def identifier_part(text: str) -> str:
    """Letters, digits, dot, underscore and hyphen only (IATI identifiers carry no spaces or slashes)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "x"


def _amount(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sub(parent, tag: str, **attrs) -> etree._Element:
    return etree.SubElement(parent, tag, {k.replace("_", "-"): for_export(str(v))
                                          for k, v in attrs.items() if v is not None})


def script_lang(text: str, declared: str | None = None, data_language: str = "fr") -> str:
    """The language of a narrative by its script: Arabic letters → "ar"; Latin text → the declared language
    (a name in English stays "en"), else the language data is entered in (`data_language`)."""
    arabic, latin = len(ARABIC_LETTERS.findall(text)), len(LATIN_LETTERS.findall(text))
    if arabic > latin:
        return "ar"
    if declared and declared != "ar":
        return declared
    return data_language


def _narratives(parent, tag: str, texts: list[tuple[str | None, str]], file_lang: str, data_language: str,
                **attrs) -> etree._Element:
    """<tag><narrative>…</narrative>…</tag>. Each narrative's language follows its script (`script_lang`); it
    gets xml:lang when that differs from the file's. One narrative per language."""
    element = _sub(parent, tag, **attrs)
    seen = set()
    for declared, text in texts:
        lang = script_lang(text, declared, data_language)
        if lang in seen:
            continue
        seen.add(lang)
        narrative = etree.SubElement(element, "narrative")
        if lang != file_lang:
            narrative.set(XML_LANG, lang)
        narrative.text = for_export(text)  # stored text may hold characters XML 1.0 refuses
    return element


def _fetch(cohort: Cohort):
    projects = list(db.session.scalars(
        sa.select(Project).where(Project.cohort_id == cohort.id).order_by(Project.code, Project.id)
    ))
    ids = sa.select(Project.id).where(Project.cohort_id == cohort.id)
    catalogue = {i.id: i for i in db.session.scalars(sa.select(Indicator))}
    targets = defaultdict(dict)
    for t in db.session.execute(
        sa.select(Target.project_id, Target.indicator_id, Target.baseline_value, Target.baseline_date,
                  Target.target_value, Target.target_date).where(Target.project_id.in_(ids))
    ):
        targets[t.project_id][t.indicator_id] = t
    values = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))  # project -> indicator -> period -> cell
    for v in db.session.execute(
        sa.select(PeriodReport.project_id, PeriodReport.period_label, PeriodReport.period_start,
                  PeriodReport.period_end, IndicatorValue.indicator_id, IndicatorValue.cell, IndicatorValue.value)
        .join(PeriodReport, IndicatorValue.report_id == PeriodReport.id)
        .where(PeriodReport.project_id.in_(ids), PeriodReport.status == ReportStatus.APPROVED)
    ):
        key = (v.period_start, v.period_end, v.period_label)
        values[v.project_id][v.indicator_id][key][Cell(v.cell)] = v.value
    return projects, catalogue, targets, values


def _indicator_texts(indicator: Indicator, lang: str) -> list[tuple[str | None, str]]:
    names = {"fr": indicator.name_fr, "ar": indicator.name_ar, "en": indicator.name_en}
    first = lang if names.get(lang) else "fr"
    return [(first, names[first])] + [(code, text) for code, text in names.items() if text and code != first]


def _indicator(result, indicator: Indicator, target, by_period: dict, cohort: Cohort, lang: str,
               age_band: str, data_language: str) -> None:
    element = _sub(result, "indicator", measure=MEASURE.get(indicator.unit, "1"), ascending="1")
    _narratives(element, "title", _indicator_texts(indicator, lang), lang, data_language)
    described = _("Unité : %(unit)s ; nature : %(kind)s.", unit=labels.unit_label(indicator.unit),
                  kind=labels.kind_label(indicator.kind))
    if indicator.iris_ref:
        described += " " + _("Référence IRIS+ : %(ref)s.", ref=indicator.iris_ref)
    described += " " + _("Cibles et réalisés par année civile ; cibles réparties au prorata des jours.")
    _narratives(element, "description", [(lang, described)], lang, data_language)
    _sub(element, "reference", vocabulary="99", code=indicator.code)
    if target is not None and target.baseline_value is not None:
        day = target.baseline_date or cohort.start_date or cohort.forum_date
        year = (day or target.target_date or cohort.end_date or dt.date.today()).year
        _sub(element, "baseline", year=year, iso_date=day.isoformat() if day else None,
             value=_amount(target.baseline_value))
    for year in yearly_periods(indicator.kind, target, cohort, by_period):
        period = _sub(element, "period")
        _sub(period, "period-start", iso_date=year.start.isoformat())
        _sub(period, "period-end", iso_date=year.end.isoformat())
        _sub(period, "target", value=_amount(year.target))
        if year.actual is None:
            continue
        _sub(period, "actual", value=_amount(year.actual))  # the total; then the cells, when broken down
        if not indicator.disaggregated:
            continue
        for cell in CELL_ORDER:
            if cell not in year.cells:
                continue
            actual = _sub(period, "actual", value=_amount(year.cells[cell]))
            _sub(actual, "dimension", name="sex", value=CELL_SEX[cell])
            if cell != Cell.NOT_STATED:
                _sub(actual, "dimension", name="age", value=age_band if cell in YOUTH_CELLS else "other")


def _activity_dates(activity, project: Project, cohort: Cohort, today: dt.date) -> None:
    """Start from the cohort's programme start, else its forum date (never the day a row was created or
    imported; left out without either); planned end from the programme end; actual end when the project
    graduated or dropped. The caller makes sure the cohort has at least one of these dates."""
    start = cohort.start_date or cohort.forum_date
    if start:
        _sub(activity, "activity-date", type="2" if start <= today else "1", iso_date=start.isoformat())
    if cohort.end_date:
        _sub(activity, "activity-date", type="3", iso_date=cohort.end_date.isoformat())
    if project.status in (ProjectStatus.GRADUATED, ProjectStatus.DROPPED) and project.status_date:
        _sub(activity, "activity-date", type="4", iso_date=project.status_date.isoformat())


def _activity(root, project: Project, cohort: Cohort, catalogue, targets, values, now: str, config) -> None:
    lang = config["IATI_LANGUAGE"]
    data = config["BABEL_DEFAULT_LOCALE"]  # the language people type the programme's data in
    activity = _sub(root, "iati-activity", last_updated_datetime=now, default_currency=config["IATI_CURRENCY"])
    activity.set(XML_LANG, lang)
    code = project.code or f"P{project.id}"
    _sub(activity, "iati-identifier").text = "-".join(
        (config["IATI_ORG_REF"], identifier_part(cohort.slug), identifier_part(code)))
    _narratives(activity, "reporting-org", [(None, config["IATI_ORG_NAME"])], lang, data,
                ref=config["IATI_ORG_REF"], type=config["IATI_ORG_TYPE"])
    _narratives(activity, "title", [(None, project.name)], lang, data)
    summary = (project.summary or "").strip()
    generated = _("Projet %(code)s accompagné dans la cohorte « %(cohort)s ».", code=code, cohort=cohort.name)
    _narratives(activity, "description", [(None, summary)] if summary else [(lang, generated)], lang, data, type="1")
    _narratives(activity, "participating-org", [(None, config["IATI_ORG_NAME"])], lang, data,
                ref=config["IATI_ORG_REF"], type=config["IATI_ORG_TYPE"], role="3")
    _narratives(activity, "participating-org", [(None, project.name)], lang, data,
                type=ORG_TYPE.get(project.legal_form), role="4")
    _sub(activity, "activity-status", code=ACTIVITY_STATUS[project.status])
    _activity_dates(activity, project, cohort, dt.date.today())
    _sub(activity, "recipient-country", code=config["IATI_COUNTRY"])
    _sub(activity, "sector", vocabulary="1", code=SECTOR_DAC[project.sector], percentage="100")

    project_targets, project_values = targets.get(project.id, {}), values.get(project.id, {})
    shown = sorted(set(project_targets) | set(project_values),
                   key=lambda i: (catalogue[i].sort_order, catalogue[i].code))
    if not shown:
        return
    result = _sub(activity, "result", type="2", aggregation_status="1")
    _narratives(result, "title", [(lang, _("Indicateurs de résultat suivis par le programme"))], lang, data)
    age_band = f"{config['YOUTH_MIN_AGE']}-{config['YOUTH_MAX_AGE']}"
    for indicator_id in shown:
        _indicator(result, catalogue[indicator_id], project_targets.get(indicator_id),
                   project_values.get(indicator_id, {}), cohort, lang, age_band, data)


def cohort_activities(cohort: Cohort, generated_at: dt.datetime | None = None) -> etree._ElementTree:
    """The IATI document of `cohort`; raises IatiNotConfiguredError without IATI_ORG_REF, UndatedCohortError
    when the cohort has no programme, forum or end date, EmptyCohortError when it has no project."""
    config = current_app.config
    if not config.get("IATI_ORG_REF"):
        raise IatiNotConfiguredError()
    generated_at = (generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    now = generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if not (cohort.start_date or cohort.forum_date or cohort.end_date):
        raise UndatedCohortError(cohort.slug)  # the schema wants one activity date; none may be made up
    projects, catalogue, targets, values = _fetch(cohort)
    if not projects:
        raise EmptyCohortError(cohort.slug)
    root = etree.Element("iati-activities", {"version": "2.03", "generated-datetime": now})
    with force_locale(config["IATI_LANGUAGE"]):
        for project in projects:
            _activity(root, project, cohort, catalogue, targets, values, now, config)
    return etree.ElementTree(root)


def cohort_activities_xml(cohort: Cohort, generated_at: dt.datetime | None = None) -> bytes:
    return etree.tostring(cohort_activities(cohort, generated_at), xml_declaration=True, encoding="UTF-8",
                          pretty_print=True)
