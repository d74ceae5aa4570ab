"""Locale choice and the translated labels of every enumeration shown to users."""

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية", "en": "English"}


def select_locale() -> str:
    """User profile, then the visitor's session, then the browser, limited to our languages."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and services run in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def isolate(text) -> str:
    """Wrap a left-to-right token (period label, code, number) in Unicode isolates (FSI … PDI) so an Arabic
    sentence around it does not reorder it ("2025-T1" must not read "T1-2025"); works in titles and flashes."""
    return f"\u2068{text}\u2069"


def text_direction() -> str:
    return get_locale().text_direction if get_locale() else "ltr"


def enum_labels() -> dict:
    """{EnumClass: {member: lazy label}}. Imported lazily so models stay free of Flask-Babel."""
    from tracker.cohorts.models import Frequency
    from tracker.core.permissions import Role
    from tracker.indicators.models import IndicatorKind, Unit
    from tracker.mentoring.models import ActionOwner, SessionMode
    from tracker.milestones.models import MilestoneCategory, MilestoneStatus
    from tracker.periods.models import Cell, ReportStatus
    from tracker.projects.models import LegalForm, MemberRole, ProjectStatus, Sector, Sex, Stage
    from tracker.trainings.models import Topic, TrainingMode

    return {
        Role: {
            Role.ADMIN: _l("Administrateur"),
            Role.MANAGER: _l("Responsable de programme"),
            Role.STAFF: _l("Chargé d'accompagnement"),
            Role.HOLDER: _l("Porteur de projet"),
        },
        Frequency: {
            Frequency.MONTHLY: _l("Mensuelle"),
            Frequency.QUARTERLY: _l("Trimestrielle"),
            Frequency.SEMIANNUAL: _l("Semestrielle"),
        },
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
        SessionMode: {
            SessionMode.IN_PERSON: _l("En présentiel"),
            SessionMode.PHONE: _l("Téléphone"),
            SessionMode.VIDEO: _l("Visioconférence"),
            SessionMode.FIELD_VISIT: _l("Visite de terrain"),
        },
        ActionOwner: {ActionOwner.PROJECT: _l("Le projet"), ActionOwner.STAFF: _l("L'équipe du programme")},
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
        Unit: {Unit.COUNT: _l("nombre"), Unit.MAD: _l("MAD"), Unit.HOURS: _l("heures"), Unit.PERCENT: _l("%")},
        IndicatorKind: {IndicatorKind.FLOW: _l("flux"), IndicatorKind.STOCK: _l("stock")},
    }


_LABELS: dict | None = None


def label(member) -> str:
    """Translated label of an enum member; '—' for None (e.g. sex not stated is handled by callers)."""
    global _LABELS
    if member is None:
        return "—"
    if _LABELS is None:
        _LABELS = enum_labels()
    return str(_LABELS[type(member)][member])


def choices(enum_cls, blank: str | None = None) -> list[tuple[str, str]]:
    """WTForms choices for an enum, labels evaluated lazily in the current locale."""
    global _LABELS
    if _LABELS is None:
        _LABELS = enum_labels()
    items = [(m.value, _LABELS[enum_cls][m]) for m in enum_cls]
    return ([("", blank)] if blank is not None else []) + items
