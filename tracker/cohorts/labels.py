"""Translated labels of the cohorts enumerations; the app factory registers them with core."""

from flask_babel import lazy_gettext as _l

from tracker.cohorts.models import Frequency

LABELS = {
    Frequency: {
        Frequency.MONTHLY: _l("Mensuelle"),
        Frequency.QUARTERLY: _l("Trimestrielle"),
        Frequency.SEMIANNUAL: _l("Semestrielle"),
    },
}
