"""Translated labels of the mentoring enumerations; the app factory registers them with core."""

from flask_babel import lazy_gettext as _l

from tracker.mentoring.models import ActionOwner, SessionMode

LABELS = {
    SessionMode: {
        SessionMode.IN_PERSON: _l("En présentiel"),
        SessionMode.PHONE: _l("Téléphone"),
        SessionMode.VIDEO: _l("Visioconférence"),
        SessionMode.FIELD_VISIT: _l("Visite de terrain"),
    },
    ActionOwner: {ActionOwner.PROJECT: _l("Le projet"), ActionOwner.STAFF: _l("L'équipe du programme")},
}
