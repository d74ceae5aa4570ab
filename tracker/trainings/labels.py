"""Translated labels of the trainings enumerations; the app factory registers them with core."""

from flask_babel import lazy_gettext as _l

from tracker.trainings.models import Topic, TrainingMode

LABELS = {
    Topic: {
        Topic.BUSINESS_PLAN: _l("Business plan"),
        Topic.FINANCE: _l("Finance"),
        Topic.MARKETING: _l("Marketing"),
        Topic.LEGAL: _l("Juridique"),
        Topic.DIGITAL: _l("Numérique"),
        Topic.PRODUCTION_QUALITY: _l("Production et qualité"),
        Topic.SOFT_SKILLS: _l("Compétences transversales"),
        Topic.OTHER: _l("Autre"),
    },
    TrainingMode: {
        TrainingMode.IN_PERSON: _l("En présentiel"),
        TrainingMode.ONLINE: _l("En ligne"),
        TrainingMode.HYBRID: _l("Hybride"),
    },
}
