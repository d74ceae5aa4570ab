"""The audit viewer's queries: filters read from the query string, the filtered trail, and links to entities.

Every page of events costs a bounded number of statements whatever its length: the page itself (and its
count), one for the authors shown, and one per entity type present on the page for the "still exists" links.
Bad filter values are reported as translated messages, never raised.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l

from tracker.auth.models import User
from tracker.core.audit import AuditEvent
from tracker.core.dates import date_text
from tracker.core.fields import query_date
from tracker.core.i18n import label
from tracker.core.period_names import period_name
from tracker.extensions import db

NO_USER = "none"  # the user filter's value for events without an author (failed logins, command line)
ERASED = "[erased]"  # what a law 09-08 erasure leaves in place of a value (tracker/privacy/services.py)

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: a larger one names nothing (404, never a 500)


ACTION_LABELS = {
    "create": _l("Création"),
    "update": _l("Modification"),
    "delete": _l("Suppression"),
    "login": _l("Connexion"),
    "login_failed": _l("Échec de connexion"),
    "login.lockout": _l("Connexions bloquées"),
    "login.slowdown": _l("Connexions ralenties"),
    "login.unlock": _l("Connexions débloquées"),
    "password_changed": _l("Mot de passe changé"),
    "password_reset": _l("Mot de passe réinitialisé"),
    "submit": _l("Soumission"),
    "edit": _l("Retour en brouillon"),
    "approve": _l("Approbation"),
    "return": _l("Renvoi"),
    "reopen": _l("Réouverture"),
    "import": _l("Import"),
    "export": _l("Export"),
    "record_attendance": _l("Feuille de présence"),
    "deactivate": _l("Désactivation"),
    "reactivate": _l("Réactivation"),
    "member.export": _l("Export de données personnelles"),
    "member.erase": _l("Effacement de données personnelles"),
    "api_token.create": _l("Jeton d'API créé"),
    "api_token.use": _l("Jeton d'API utilisé"),
    "api_token.revoke": _l("Jeton d'API révoqué"),
    "invitation_sent": _l("Invitation envoyée"),
    "password_reset_requested": _l("Réinitialisation du mot de passe demandée"),
    "reassign": _l("Réattribution de la relecture"),
}

# The fields services record, as the forms call them; anything else shows its stored name.
FIELD_LABELS = {
    "title": _l("Titre"), "name": _l("Nom"), "full_name": _l("Nom complet"), "display_name": _l("Nom affiché"),
    "email": _l("Adresse e-mail"), "role": _l("Rôle"), "locale": _l("Langue"), "active": _l("Actif"),
    "status": _l("Statut"), "date": _l("Date"), "due_date": _l("Échéance"), "done_date": _l("Fait le"),
    "planned_date": _l("Date prévue"), "achieved_date": _l("Date d'atteinte"), "description": _l("Description"),
    "sex": _l("Sexe"), "birth_date": _l("Date de naissance"), "phone": _l("Téléphone"),
    "duration_hours": _l("Durée (heures)"), "duration_minutes": _l("Durée (minutes)"), "topic": _l("Thème"),
    "topics": _l("Sujets abordés"), "mode": _l("Modalité"), "trainer": _l("Formateur·rice"), "place": _l("Lieu"),
    "sector": _l("Secteur"), "stage": _l("Stade"), "legal_form": _l("Forme juridique"), "province": _l("Province"),
    "commune": _l("Commune"), "summary": _l("Résumé"), "shared_summary": _l("Résumé partagé"),
    "staff_notes": _l("Notes internes"), "next_session_date": _l("Prochaine séance"), "category": _l("Catégorie"),
    "review_comment": _l("Commentaire de relecture"), "highlights": _l("Faits marquants de la période"),
    "difficulties": _l("Difficultés rencontrées"), "support_needed": _l("Appui souhaité de la part du programme"),
    "period": _l("Période"), "target_value": _l("Cible"), "baseline_value": _l("Situation de départ"),
    "target_date": _l("Date de la cible"), "baseline_date": _l("Date de la situation de départ"),
    "reason": _l("Motif"), "comment": _l("Commentaire"), "reviewer": _l("Relecture"),
    "consent_date": _l("Date du consentement"), "consent_purpose": _l("Finalité du consentement"),
    "is_lead": _l("Porteur principal"), "ownership_pct": _l("Part du capital (%)"), "project_id": _l("Projet"),
    "role_title": _l("Fonction"), "cohort": _l("Cohorte"), "owner": _l("Responsable"),
}


def _value_enums() -> dict:
    """(entity type, field) → the enumeration whose stored values the field holds: shown by their labels."""
    from tracker.core.permissions import Role
    from tracker.mentoring.models import ActionOwner, SessionMode
    from tracker.milestones.models import MilestoneCategory, MilestoneStatus
    from tracker.periods.models import ReportStatus
    from tracker.projects.models import LegalForm, MemberRole, ProjectStatus, Sector, Sex, Stage
    from tracker.trainings.models import Topic, TrainingMode

    return {
        ("user", "role"): Role, ("member", "role"): MemberRole, ("member", "sex"): Sex,
        ("project", "status"): ProjectStatus, ("project", "sector"): Sector, ("project", "stage"): Stage,
        ("project", "legal_form"): LegalForm, ("milestone", "status"): MilestoneStatus,
        ("milestone", "category"): MilestoneCategory, ("period_report", "status"): ReportStatus,
        ("training", "topic"): Topic, ("training", "mode"): TrainingMode, ("mentoring_session", "mode"): SessionMode,
        ("action_item", "owner"): ActionOwner,
    }

_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ENTITY_LABELS = {
    "user": _l("Compte"),
    "cohort": _l("Cohorte"),
    "project": _l("Projet"),
    "member": _l("Membre"),
    "training": _l("Formation"),
    "mentoring_session": _l("Séance"),
    "action_item": _l("Action à mener"),
    "milestone": _l("Jalon"),
    "attachment": _l("Pièce justificative"),
    "indicator": _l("Indicateur"),
    "target": _l("Cible"),
    "period_report": _l("Rapport de période"),
    "api_token": _l("Jeton d'API"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def entity_label(entity_type: str) -> str:
    return str(ENTITY_LABELS.get(entity_type, entity_type))


@dataclass
class AuditFilters:
    user: int | str | None = None  # a user id, NO_USER, or None for everyone
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: list = field(default_factory=list)  # translated messages; no event is listed when any

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.user, self.action, self.entity_type, self.entity_id,
                                           self.date_from, self.date_to))


def parse_filters(args, actions: list[str], entity_types: list[str]) -> AuditFilters:
    """Filters from request.args. `actions` and `entity_types` are the values the trail holds: anything
    else is refused with a message rather than silently matching nothing."""
    f = AuditFilters()
    raw_user = (args.get("user") or "").strip()
    if raw_user == NO_USER:
        f.user = NO_USER
    elif raw_user:
        try:
            f.user = int(raw_user)
        except ValueError:
            f.errors.append(_l("Utilisateur inconnu."))
        else:
            if not 0 < f.user <= MAX_ID or db.session.get(User, f.user) is None:
                f.errors.append(_l("Utilisateur inconnu."))
    f.action = (args.get("action") or "").strip() or None
    if f.action is not None and f.action not in actions:
        f.errors.append(_l("Action inconnue."))
    f.entity_type = (args.get("entity") or "").strip() or None
    if f.entity_type is not None and f.entity_type not in entity_types:
        f.errors.append(_l("Type d'élément inconnu."))
    raw_id = (args.get("entity_id") or "").strip()
    if raw_id:
        try:
            f.entity_id = int(raw_id)
            if not 1 <= f.entity_id <= MAX_ID:
                raise ValueError
        except ValueError:
            f.entity_id = None
            f.errors.append(_l("Numéro d'élément invalide : indiquez un nombre entier positif."))
    f.date_from = query_date(args.get("from"), _l("Date de début invalide : utilisez le format AAAA-MM-JJ."), f.errors)
    f.date_to = query_date(args.get("to"), _l("Date de fin invalide : utilisez le format AAAA-MM-JJ."), f.errors)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        f.errors.append(_l("La date de début est postérieure à la date de fin."))
    return f


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    """Dates are typed in the app's time zone; the trail is stored in UTC."""
    zone = get_timezone()  # the one the pages format times with
    midnight = dt.datetime.combine(day, dt.time.min)
    local = zone.localize(midnight) if hasattr(zone, "localize") else midnight.replace(tzinfo=zone)
    return local.astimezone(dt.UTC)


def events_query(f: AuditFilters) -> sa.Select:
    """Newest first; the id breaks ties between events of the same instant."""
    stmt = sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if f.user == NO_USER:
        stmt = stmt.where(AuditEvent.user_id.is_(None))
    elif f.user is not None:
        stmt = stmt.where(AuditEvent.user_id == f.user)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == f.entity_type)
    if f.entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == f.entity_id)
    # The first and last days Python knows bound nothing (and have no day before or after: an overflow).
    if f.date_from and f.date_from > dt.date.min:
        stmt = stmt.where(AuditEvent.created_at >= _local_midnight_utc(f.date_from))
    if f.date_to and f.date_to < dt.date.max:
        stmt = stmt.where(AuditEvent.created_at < _local_midnight_utc(f.date_to + dt.timedelta(days=1)))
    return stmt


def distinct_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def distinct_entity_types() -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)
    ))


def filter_users() -> list[tuple[int, str, str]]:
    """(id, display name, e-mail) of every account, for the user filter."""
    return [tuple(row) for row in db.session.execute(
        sa.select(User.id, User.display_name, User.email).order_by(User.display_name, User.id)
    )]


def authors(events) -> dict[int, User]:
    ids = {e.user_id for e in events if e.user_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def _link_targets() -> dict:
    """entity type → (id column, extra column or None, name column or None, url builder(id, extra))."""
    from tracker.api.models import ApiToken
    from tracker.cohorts.models import Cohort
    from tracker.indicators.models import Indicator, Target
    from tracker.mentoring.models import ActionItem, MentoringSession
    from tracker.milestones.models import Attachment, Milestone
    from tracker.periods.models import PeriodReport
    from tracker.projects.models import Member, Project
    from tracker.trainings.models import Training

    return {
        "user": (User.id, None, User.display_name, lambda i, _: url_for("admin.edit_user", user_id=i)),
        "cohort": (Cohort.id, Cohort.slug, Cohort.name, lambda i, slug: url_for("cohorts.view_cohort", slug=slug)),
        "project": (Project.id, None, Project.name, lambda i, _: url_for("projects.view_project", project_id=i)),
        "member": (Member.id, None, Member.full_name, lambda i, _: url_for("privacy.view_member", member_id=i)),
        "training": (Training.id, None, Training.title,
                     lambda i, _: url_for("trainings.view_training", training_id=i)),
        "mentoring_session": (MentoringSession.id, None, MentoringSession.date,
                              lambda i, _: url_for("mentoring.view_session", session_id=i)),
        "action_item": (ActionItem.id, ActionItem.session_id, ActionItem.description,
                        lambda i, session_id: url_for("mentoring.view_session", session_id=session_id)),
        "milestone": (Milestone.id, None, Milestone.title,
                      lambda i, _: url_for("milestones.view_milestone", milestone_id=i)),
        "attachment": (Attachment.id, Attachment.milestone_id, Attachment.original_name,
                       lambda i, milestone_id: url_for("milestones.view_milestone", milestone_id=milestone_id)),
        "indicator": (Indicator.id, None, Indicator.code,
                      lambda i, _: url_for("indicators.edit_indicator", indicator_id=i)),
        "target": (Target.id, Target.project_id, None,
                   lambda i, project_id: url_for("indicators.project_targets", project_id=project_id)),
        "period_report": (PeriodReport.id, None, PeriodReport.period_label,
                          lambda i, _: url_for("periods.review_report", report_id=i)),
        "api_token": (ApiToken.id, None, ApiToken.name,
                      lambda i, _: url_for("tokens.list_tokens")),  # admins see every token
    }


@dataclass(frozen=True)
class EntityLink:
    url: str
    name: str | None  # what the entity is called today (a name, a title, a date, a period), if anything


def _entity_name(entity_type: str, value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return date_text(value)
    if entity_type == "period_report":
        return period_name(value)
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def entity_links(events) -> dict[tuple[str, int], EntityLink]:
    """{(entity type, id): link with its name} for the entities of `events` that still exist; one query per
    type."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.entity_id is not None:
            wanted.setdefault(e.entity_type, set()).add(e.entity_id)
    targets = _link_targets()
    links = {}
    for entity_type, ids in wanted.items():
        if entity_type not in targets:
            continue
        id_column, extra, name, build = targets[entity_type]
        columns = [id_column, extra if extra is not None else sa.null(), name if name is not None else sa.null()]
        for row in db.session.execute(sa.select(*columns).where(id_column.in_(ids))):
            links[(entity_type, row[0])] = EntityLink(build(row[0], row[1]), _entity_name(entity_type, row[2]))
    return links


@dataclass
class ChangeRow:
    field: str
    before: object
    after: object
    paired: bool  # True: a before → after pair; False: a single value (e.g. an import's summary figure)
    entity_type: str = ""

    def shown(self, value) -> str:
        """A value as the rest of the app writes it: an enumeration by its label, a date in the short form."""
        enum_cls = _value_enums().get((self.entity_type, self.field))
        if enum_cls is not None and isinstance(value, str):
            try:
                return label(enum_cls(value))
            except ValueError:
                pass
        return display_value(value)

    @property
    def label(self) -> str:
        return field_label(self.field)


def field_label(name: str) -> str:
    """A recorded field as the forms call it ("due_date" → "Échéance")."""
    return str(FIELD_LABELS.get(name, name))


def raw_json(event: AuditEvent) -> str:
    """The event as stored, for the "details" box."""
    text = json.dumps({"action": event.action, "entity": event.entity_type, "id": event.entity_id,
                       "changes": event.changes}, ensure_ascii=False, sort_keys=True, indent=2, default=str)
    return text.replace(ERASED, f"[{_l('effacé')}]")


def change_rows(event: AuditEvent) -> list[ChangeRow]:
    """The event's changes as rows. Services store {field: [before, after]}; a few actions (imports) store
    plain values, shown in the "after" column."""
    rows = []
    for name, value in sorted((event.changes or {}).items()):
        if isinstance(value, list) and len(value) == 2 and event.action != "import":
            rows.append(ChangeRow(name, value[0], value[1], True, event.entity_type))
        else:
            rows.append(ChangeRow(name, None, value, False, event.entity_type))
    return rows


def display_value(value) -> str:
    """A stored value as text, with the erasure mark in the reader's language."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_l("oui") if value else _l("non"))
    if isinstance(value, str) and _DATE_TEXT.match(value):  # dates read as everywhere else in the app
        try:
            return date_text(dt.date.fromisoformat(value))
        except ValueError:
            return value

    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return text.replace(ERASED, f"[{_l('effacé')}]")
