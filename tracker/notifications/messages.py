"""What each notification says and where it leads, rendered in the reader's language when shown."""

import datetime as dt

from flask import url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from tracker.core.dates import LONG, date_text
from tracker.core.i18n import isolate
from tracker.core.period_names import period_name
from tracker.notifications.models import Kind, Notification

KIND_LABELS = {
    Kind.REPORT_RETURNED: _l("Rapport renvoyé pour correction"),
    Kind.REPORT_APPROVED: _l("Rapport approuvé"),
    Kind.REPORT_DUE: _l("Rapport à remettre"),
    Kind.ACTION_ITEM_ASSIGNED: _l("Nouvelle action à mener"),
    Kind.ACTION_ITEM_DUE: _l("Action arrivée à échéance"),
    Kind.SESSION_LOGGED: _l("Séance d'accompagnement enregistrée"),
    Kind.MILESTONE_LATE: _l("Jalon en retard"),
    Kind.REPORT_SUBMITTED: _l("Rapport à relire"),
    Kind.REPORT_CORRECTED: _l("Rapport corrigé à relire"),
    Kind.ACTION_ITEM_OVERDUE: _l("Action en retard"),
    Kind.PROJECT_QUIET: _l("Projet sans séance depuis 60 jours"),
    Kind.REPORT_STALLED: _l("Rapport en attente depuis plus de 14 jours"),
}


def _day(value) -> str:
    if not value:
        return "—"
    try:
        return date_text(dt.date.fromisoformat(value), LONG)
    except (TypeError, ValueError):
        return str(value)


def text(note: Notification) -> str:
    """One sentence, in the current locale."""
    p = note.params or {}
    project = isolate(p.get("project", ""))
    period = isolate(period_name(p.get("period", "")))
    k = note.kind
    if k == Kind.REPORT_RETURNED:
        return gettext("%(project)s — %(period)s : renvoyé par %(reviewer)s. « %(comment)s »", project=project,
                       period=period, reviewer=p.get("reviewer", ""), comment=p.get("comment", ""))
    if k == Kind.REPORT_APPROVED:
        if p.get("comment"):
            return gettext("%(project)s — %(period)s : approuvé par %(reviewer)s. « %(comment)s »",
                           project=project, period=period, reviewer=p.get("reviewer", ""), comment=p["comment"])
        return gettext("%(project)s — %(period)s : approuvé par %(reviewer)s.", project=project, period=period,
                       reviewer=p.get("reviewer", ""))
    if k == Kind.REPORT_DUE:
        if p.get("state") == "overdue":
            return gettext("%(project)s — %(period)s : en retard, la période s'est terminée le %(date)s.",
                           project=project, period=period, date=_day(p.get("end")))
        return gettext("%(project)s — %(period)s : à remettre au plus tard le %(date)s.", project=project,
                       period=period, date=_day(p.get("end")))
    if k == Kind.ACTION_ITEM_ASSIGNED:
        if p.get("due"):
            return gettext("Nouvelle action convenue avec %(mentor)s : « %(item)s », pour le %(date)s.",
                           mentor=p.get("mentor", ""), item=p.get("item", ""), date=_day(p["due"]))
        return gettext("Nouvelle action convenue avec %(mentor)s : « %(item)s ».", mentor=p.get("mentor", ""),
                       item=p.get("item", ""))
    if k == Kind.ACTION_ITEM_DUE:
        return gettext("L'action « %(item)s » arrive à échéance le %(date)s.", item=p.get("item", ""),
                       date=_day(p.get("due")))
    if k == Kind.ACTION_ITEM_OVERDUE:
        return gettext("%(project)s : l'action « %(item)s » est en retard (échéance le %(date)s).",
                       project=project, item=p.get("item", ""), date=_day(p.get("due")))
    if k == Kind.SESSION_LOGGED:
        return gettext("Séance du %(date)s avec %(mentor)s enregistrée pour %(project)s.", date=_day(p.get("date")),
                       mentor=p.get("mentor", ""), project=project)
    if k == Kind.MILESTONE_LATE:
        return gettext("%(project)s : le jalon « %(milestone)s » prévu le %(date)s est en retard.",
                       project=project, milestone=p.get("milestone", ""), date=_day(p.get("planned")))
    if k == Kind.REPORT_SUBMITTED:
        return gettext("%(project)s — %(period)s : soumis, à vous de le relire.", project=project, period=period)
    if k == Kind.REPORT_CORRECTED:
        return gettext("%(project)s — %(period)s : corrigé et soumis de nouveau, à vous de le relire.",
                       project=project, period=period)
    if k == Kind.PROJECT_QUIET:
        if p.get("last"):
            return gettext("%(project)s : aucune séance depuis le %(date)s.", project=project, date=_day(p["last"]))
        return gettext("%(project)s : aucune séance d'accompagnement enregistrée.", project=project)
    days = int(p.get("days", 0) or 0)
    return ngettext("%(project)s — %(period)s : attend sa relecture depuis %(num)s jour.",
                    "%(project)s — %(period)s : attend sa relecture depuis %(num)s jours.", days,
                    project=project, period=period)


def destination(note: Notification) -> tuple[str, dict, str]:
    """(endpoint, values, anchor) of the page the notification leads to (one the recipient may open)."""
    p = note.params or {}
    if note.entity_type == "period_report" and note.kind in (Kind.REPORT_SUBMITTED, Kind.REPORT_CORRECTED,
                                                              Kind.REPORT_STALLED):
        return "periods.review_report", {"report_id": note.entity_id}, ""
    if note.kind in (Kind.REPORT_DUE, Kind.REPORT_RETURNED, Kind.REPORT_APPROVED) and note.project_id \
            and p.get("period"):
        return "periods.edit_report", {"project_id": note.project_id, "period_label": p["period"]}, ""
    if note.entity_type == "mentoring_session" and note.entity_id:
        return "mentoring.view_session", {"session_id": note.entity_id}, ""
    if note.entity_type == "milestone" and note.entity_id:
        return "milestones.view_milestone", {"milestone_id": note.entity_id}, ""
    if note.kind in (Kind.ACTION_ITEM_ASSIGNED, Kind.ACTION_ITEM_DUE):
        return "core.home", {}, "#todo-items"
    if note.project_id:
        return "projects.view_project", {"project_id": note.project_id}, ""
    return "notifications.inbox", {}, ""


def target(note: Notification) -> str:
    endpoint, values, anchor = destination(note)
    return url_for(endpoint, **values) + anchor
