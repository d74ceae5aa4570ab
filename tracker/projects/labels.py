"""Translated labels of the projects enumerations; the app factory registers them with core."""

from flask_babel import lazy_gettext as _l

from tracker.projects.models import LegalForm, MemberRole, ProjectStatus, Sector, Sex, Stage

LABELS = {
    Sector: {
        Sector.DIGITAL: _l("Technologies numériques"),
        Sector.AGRICULTURE: _l("Agriculture moderne"),
        Sector.TRAINING_SERVICES: _l("Formation et services"),
        Sector.LOCAL_PRODUCTS: _l("Produits du terroir"),
    },
    Stage: {
        Stage.IDEA: _l("Idée"),
        Stage.PROTOTYPE: _l("Prototype"),
        Stage.EARLY_REVENUE: _l("Premiers revenus"),
        Stage.GROWTH: _l("Croissance"),
    },
    LegalForm: {
        LegalForm.NONE: _l("Non constituée"),
        LegalForm.AUTO_ENTREPRENEUR: _l("Auto-entrepreneur"),
        LegalForm.COOPERATIVE: _l("Coopérative"),
        LegalForm.ASSOCIATION: _l("Association"),
        LegalForm.COMPANY: _l("Société"),
    },
    ProjectStatus: {
        ProjectStatus.ACTIVE: _l("Actif"),
        ProjectStatus.GRADUATED: _l("Diplômé"),
        ProjectStatus.PAUSED: _l("En pause"),
        ProjectStatus.DROPPED: _l("Abandonné"),
    },
    Sex: {Sex.F: _l("Femme"), Sex.M: _l("Homme")},
    MemberRole: {
        MemberRole.FOUNDER: _l("Fondateur·rice"),
        MemberRole.CO_FOUNDER: _l("Co-fondateur·rice"),
        MemberRole.EMPLOYEE: _l("Salarié·e"),
    },
}
