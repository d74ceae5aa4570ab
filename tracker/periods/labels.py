"""Translated labels of the periods enumerations; the app factory registers them with core."""

from flask_babel import lazy_gettext as _l

from tracker.periods.models import Cell, ReportStatus

LABELS = {
    ReportStatus: {
        ReportStatus.DRAFT: _l("Brouillon"),
        ReportStatus.SUBMITTED: _l("Soumis"),
        ReportStatus.APPROVED: _l("Approuvé"),
        ReportStatus.RETURNED: _l("Renvoyé"),
    },
    Cell: {
        Cell.TOTAL: _l("Total"),
        Cell.WOMEN_YOUTH: _l("Femmes jeunes"),
        Cell.WOMEN_OTHER: _l("Femmes non jeunes"),
        Cell.MEN_YOUTH: _l("Hommes jeunes"),
        Cell.MEN_OTHER: _l("Hommes non jeunes"),
        Cell.NOT_STATED: _l("Non précisé"),
    },
}
