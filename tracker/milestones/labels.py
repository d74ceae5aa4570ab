"""Translated labels of the milestones enumerations; the app factory registers them with core."""

from flask_babel import lazy_gettext as _l

from tracker.milestones.models import MilestoneCategory, MilestoneStatus

LABELS = {
    MilestoneCategory: {
        MilestoneCategory.LEGAL_REGISTRATION: _l("Immatriculation"),
        MilestoneCategory.PROTOTYPE: _l("Prototype"),
        MilestoneCategory.FIRST_SALE: _l("Première vente"),
        MilestoneCategory.FUNDING: _l("Financement"),
        MilestoneCategory.HIRING: _l("Recrutement"),
        MilestoneCategory.CERTIFICATION: _l("Certification"),
        MilestoneCategory.MARKET_ACCESS: _l("Accès au marché"),
        MilestoneCategory.OTHER: _l("Autre"),
    },
    MilestoneStatus: {
        MilestoneStatus.PLANNED: _l("Prévu"),
        MilestoneStatus.IN_PROGRESS: _l("En cours"),
        MilestoneStatus.ACHIEVED: _l("Atteint"),
        MilestoneStatus.DELAYED: _l("Retardé"),
        MilestoneStatus.DROPPED: _l("Abandonné"),
    },
}
