"""The words of the report files: the on-screen labels of every §12 key, section and column (issue 18).

Files speak the reader's language: sheet names, CSV headers and PDF tables use these labels, and the keys
(§12 paths such as `portfolio.by_sector.digital`) appear only in the JSON and in the XLSX "keys" sheet.
Labels are lazy strings: call `str()` inside `force_locale`. `value_kind` says how each value reads
(`tracker.core.formatting.Kind`): the same rule for the screen, the XLSX, the CSV and the PDF.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.core.formatting import Kind, kind_of
from tracker.core.i18n import label
from tracker.indicators.models import IndicatorKind, Unit
from tracker.mentoring.models import ActionOwner, SessionMode
from tracker.milestones.models import MilestoneCategory, MilestoneStatus
from tracker.periods.models import Cell, ReportStatus
from tracker.projects.models import LegalForm, MemberRole, ProjectStatus, Sector, Sex, Stage
from tracker.reports.compute import NON_ADDITIVE_UNITS, UNKNOWN
from tracker.trainings.models import Topic

SECTION_TITLES = {
    "cover": _l("Rapport"),
    "filters": _l("Filtres"),
    "summary": _l("En bref"),
    "portfolio": _l("Portefeuille"),
    "people": _l("Personnes"),
    "trainings": _l("Formations"),
    "mentoring": _l("Accompagnement"),
    "milestones": _l("Jalons"),
    "indicators": _l("Indicateurs"),
    "completeness": _l("Complétude des données"),
    "trends": _l("Tendances des indicateurs"),
    "attention": _l("Projets à suivre"),
    "annex": _l("Annexe : fiches projets"),
    "keys": _l("Clés"),
}

# (section, first part of the §12 key) -> label; nested keys add the label of their code.
KEY_LABELS = {
    ("filters", "cohorts"): _l("Cohorte"),
    ("filters", "from"): _l("Du"),
    ("filters", "to"): _l("Au"),
    ("filters", "include_submitted"): _l("Valeurs soumises incluses"),
    ("filters", "reference_date"): _l("Date de référence du rapport"),
    ("filters", "generated_at"): _l("Généré le"),
    ("portfolio", "projects"): _l("Projets"),
    ("portfolio", "by_sector"): _l("Par secteur"),
    ("portfolio", "by_status"): _l("Par statut"),
    ("portfolio", "by_stage"): _l("Par stade"),
    ("portfolio", "by_province"): _l("Par province"),
    ("portfolio", "women_led"): _l("Portés par des femmes"),
    ("portfolio", "youth_led"): _l("Portés par des jeunes"),
    ("people", "members"): _l("Membres des équipes"),
    ("people", "women"): _l("Femmes"),
    ("people", "men"): _l("Hommes"),
    ("people", "sex_not_stated"): _l("Sexe non précisé"),
    ("people", "youth"): _l("Jeunes"),
    ("people", "young_women"): _l("Jeunes femmes"),
    ("people", "age_unknown"): _l("Âge inconnu (sans date de naissance)"),
    ("people", "leads_women"): _l("Porteuses principales"),
    ("people", "leads_men"): _l("Porteurs principaux"),
    ("trainings", "sessions"): _l("Sessions de formation"),
    ("trainings", "hours"): _l("Heures de formation"),
    ("trainings", "participants"): _l("Participants (présents au moins une fois)"),
    ("trainings", "person_hours"): _l("Heures-participants"),
    ("trainings", "attendance_rate"): _l("Taux de présence"),
    ("trainings", "participants_by_cell"): _l("Participants par sexe et jeunesse"),
    ("trainings", "projects_with_business_plan_training"): _l("Projets formés au business plan"),
    ("mentoring", "sessions"): _l("Séances de mentorat"),
    ("mentoring", "hours"): _l("Heures de mentorat"),
    ("mentoring", "projects_mentored"): _l("Projets accompagnés"),
    ("mentoring", "median_sessions_per_project"): _l("Séances par projet (médiane)"),
    ("mentoring", "projects_without_session_60d"): _l("Projets actifs sans séance depuis 60 jours"),
    ("mentoring", "open_action_items"): _l("Actions ouvertes"),
    ("mentoring", "overdue_action_items"): _l("Actions en retard"),
    ("milestones", "planned"): _l("Jalons prévus"),
    ("milestones", "achieved"): _l("Jalons atteints"),
    ("milestones", "achieved_on_time"): _l("Atteints à temps"),
    ("milestones", "late"): _l("En retard"),
    ("milestones", "dropped"): _l("Abandonnés"),
    ("milestones", "achievement_rate"): _l("Taux de réalisation"),
    ("milestones", "by_category"): _l("Par catégorie"),
}
SUB_LABELS = {"planned": _l("prévus"), "achieved": _l("atteints")}
ENUM_OF = {"by_sector": Sector, "by_status": ProjectStatus, "by_stage": Stage,
           "by_category": MilestoneCategory, "participants_by_cell": Cell}
RATE_KEYS = ("attendance_rate", "achievement_rate", "progress")

# Columns of the table sections: (key, label). Indicator cells follow the five §12 cells.
INDICATOR_COLUMNS = (
    ("name", _l("Indicateur")),
    ("unit", _l("Unité")),
    ("kind", _l("Type")),
    ("aggregation", _l("Agrégation")),
    ("projects_reporting", _l("Projets déclarants")),
    ("baseline", _l("Valeur de référence")),
    ("target", _l("Cible")),
    ("actual", _l("Réalisé")),
    ("progress", _l("Progression")),
)
COMPLETENESS_COLUMNS = (
    ("period", _l("Période")),
    ("owed", _l("Attendus")),
    ("submitted", _l("Soumis")),
    ("approved", _l("Approuvés")),
)
TREND_COLUMNS = (
    ("name", _l("Indicateur")),
    ("period", _l("Période")),
    ("value", _l("Valeur de la période")),
    ("cumulative", _l("Cumul à la fin de la période")),
    ("target", _l("Cible")),
    ("progress", _l("Progression")),
    ("projects_reporting", _l("Projets déclarants")),
)
MEASURE_COLUMNS = (("label", _l("Mesure")), ("value", _l("Valeur")))

# Units and kinds as a funder reads them (never the bare codes "count", "flow", "stock").
UNIT_LABELS = {Unit.COUNT: _l("Nombre"), Unit.MAD: _l("Dirhams (MAD)"), Unit.HOURS: _l("Heures"),
               Unit.PERCENT: _l("Pourcentage")}
KIND_LABELS = {IndicatorKind.FLOW: _l("Flux (somme des périodes)"),
               IndicatorKind.STOCK: _l("Stock (dernière valeur)")}

# Raw data sheets (tracker/reports/raw.py): sheet and column labels, and the enum behind a column.
RAW_TITLES = {
    "projects": _l("Données — projets"),
    "members": _l("Données — membres"),
    "attendance": _l("Données — présences"),
    "sessions": _l("Données — séances"),
    "action_items": _l("Données — actions"),
    "milestones": _l("Données — jalons"),
    "targets": _l("Données — cibles"),
    "indicator_values": _l("Données — valeurs"),
}
RAW_COLUMNS = {
    "project_id": _l("N° interne du projet"),
    "cohort": _l("Cohorte"),
    "code": _l("Numéro"),
    "name": _l("Nom"),
    "sector": _l("Secteur"),
    "sub_sector": _l("Sous-secteur"),
    "stage": _l("Stade"),
    "legal_form": _l("Forme juridique"),
    "registration_date": _l("Date d'immatriculation"),
    "province": _l("Province"),
    "commune": _l("Commune"),
    "status": _l("Statut"),
    "status_date": _l("Date du statut"),
    "member_id": _l("N° interne du membre"),
    "project_code": _l("Numéro du projet"),
    "project_name": _l("Projet"),
    "full_name": _l("Nom complet"),
    "sex": _l("Sexe"),
    "birth_date": _l("Date de naissance"),
    "role": _l("Rôle"),
    "role_title": _l("Fonction"),
    "is_lead": _l("Porteur principal"),
    "ownership_pct": _l("Part du capital (%)"),
    "phone": _l("Téléphone"),
    "email": _l("E-mail"),
    "consent_date": _l("Date du consentement"),
    "consent_purpose": _l("Finalité du consentement"),
    "training_id": _l("N° interne de la formation"),
    "date": _l("Date"),
    "title": _l("Titre"),
    "topic": _l("Thème"),
    "duration_hours": _l("Durée (heures)"),
    "present": _l("Présent"),
    "session_id": _l("N° interne de la séance"),
    "mentor": _l("Chargé d'accompagnement"),
    "duration_minutes": _l("Durée (minutes)"),
    "mode": _l("Modalité"),
    "topics": _l("Sujets"),
    "shared_summary": _l("Résumé partagé"),
    "next_session_date": _l("Prochaine séance"),
    "item_id": _l("N° interne de l'action"),
    "session_date": _l("Date de la séance"),
    "description": _l("Description"),
    "owner_kind": _l("Responsable"),
    "due_date": _l("Échéance"),
    "done_date": _l("Faite le"),
    "milestone_id": _l("N° interne du jalon"),
    "category": _l("Catégorie"),
    "planned_date": _l("Date prévue"),
    "achieved_date": _l("Atteint le"),
    "late": _l("En retard"),
    "indicator": _l("Indicateur"),
    "unit": _l("Unité"),
    "kind": _l("Type"),
    "baseline_value": _l("Valeur de référence"),
    "baseline_date": _l("Date de référence"),
    "target_value": _l("Cible"),
    "target_date": _l("Date de la cible"),
    "period_label": _l("Période"),
    "period_start": _l("Début de la période"),
    "period_end": _l("Fin de la période"),
    "cell": _l("Catégorie (sexe et jeunesse)"),
    "value": _l("Valeur"),
}
RAW_ENUMS = {
    "sector": Sector, "stage": Stage, "legal_form": LegalForm, "sex": Sex, "role": MemberRole, "topic": Topic,
    "mode": SessionMode, "owner_kind": ActionOwner, "category": MilestoneCategory, "cell": Cell,
}
RAW_STATUS_ENUMS = {"projects": ProjectStatus, "milestones": MilestoneStatus, "indicator_values": ReportStatus}
RAW_KINDS = {"ownership_pct": Kind.POINTS}  # other raw columns read by their value's type


def title(section: str) -> str:
    return str(SECTION_TITLES[section])


def enum_label(enum_cls, code) -> str:
    """The translated label of a code; "Non renseigné" for the report's `unknown`; the code as written
    when it is not a member (a province, free text)."""
    if code is None:
        return ""
    if code == UNKNOWN:
        return _("Non renseigné")
    try:
        return label(enum_cls(code))
    except ValueError:
        return str(code)


def code_label(part: str, code: str) -> str:
    enum_cls = ENUM_OF.get(part)
    if code == UNKNOWN:
        return _("Non renseigné")
    return str(code) if enum_cls is None else enum_label(enum_cls, code)  # a province is shown as written


def key_label(section: str, key: str) -> str:
    """The label of a §12 key, e.g. ("milestones", "by_category.funding.planned") →
    "Par catégorie — Financement — prévus"."""
    parts = key.split(".")
    words = [str(KEY_LABELS.get((section, parts[0]), parts[0]))]
    if len(parts) > 1:
        words.append(code_label(parts[0], parts[1]))
    if len(parts) > 2:
        words.append(str(SUB_LABELS.get(parts[2], parts[2])))
    return " — ".join(words)


def value_kind(key: str, value) -> Kind:
    """How a §12 value reads: rates (and progress) as percentages, the rest by type."""
    leaf = key.rsplit(".", 1)[-1]
    return kind_of(value, rate=leaf in RATE_KEYS or leaf.endswith("_rate"))


def unit_label(unit) -> str:
    return enum_label_map(UNIT_LABELS, Unit, unit)


def kind_label(kind) -> str:
    return enum_label_map(KIND_LABELS, IndicatorKind, kind)


def enum_label_map(labels: dict, enum_cls, code) -> str:
    try:
        return str(labels[enum_cls(code)])
    except (ValueError, KeyError):
        return str(code)


def is_mean(unit) -> bool:
    return str(unit) in NON_ADDITIVE_UNITS


def aggregation_label(unit) -> str:
    return _("Moyenne des projets") if is_mean(unit) else _("Somme des projets")
