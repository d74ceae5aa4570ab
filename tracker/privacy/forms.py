from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.core.forms import FlaskForm  # the text gate (core/text.py) on every field
from tracker.privacy.services import REASON_MAX


class EraseForm(FlaskForm):
    """An erasure cannot be undone: the admin states why and types the member's number to confirm."""

    reason = TextAreaField(
        _l("Motif de l'effacement"), validators=[DataRequired(), Length(max=REASON_MAX)],
        description=_l("Par exemple : demande de la personne reçue le …, retrait du consentement."),
    )
    confirmation = StringField(_l("Numéro du membre, pour confirmer"), validators=[DataRequired()])

    def __init__(self, *args, member_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.member_id = member_id

    def validate_confirmation(self, field):
        if (field.data or "").strip().removeprefix("#") != str(self.member_id):
            raise ValidationError(_l("Tapez le numéro %(id)s pour confirmer l'effacement.", id=self.member_id))


FIELD_LABELS = {
    "full_name": _l("Nom complet"),
    "phone": _l("Téléphone"),
    "email": _l("E-mail"),
    "role_title": _l("Intitulé du rôle"),
    "project_id": _l("Projet"),
    "sex": _l("Sexe"),
    "birth_date": _l("Date de naissance"),
    "role": _l("Rôle dans le projet"),
    "is_lead": _l("Porteur principal"),
    "ownership_pct": _l("Part du capital (%)"),
    "consent_date": _l("Date de consentement"),
    "consent_purpose": _l("Finalité du consentement"),
}

# Why each kept field stays after an erasure (shown on the confirmation page; README "Personal data").
KEPT_REASONS = {
    "project_id": _l("les chiffres de l'équipe du projet"),
    "sex": _l("femmes, hommes, jeunes femmes, projets portés par des femmes"),
    "birth_date": _l("l'âge à la date de référence de chaque rapport (jeunes, projets portés par des jeunes)"),
    "role": _l("la composition des équipes"),
    "is_lead": _l("porteurs principaux par sexe, projets portés par des femmes ou des jeunes"),
    "ownership_pct": _l("projets portés par des femmes (part du capital détenue par des femmes)"),
    "consent_date": _l("la preuve du consentement sur lequel reposait le traitement"),
    "consent_purpose": _l("la preuve du consentement sur lequel reposait le traitement"),
}


# What an erasure rewrote, one phrase per kind of place (tracker/privacy/services.py FREE_TEXT), for its
# confirmation message. Functions, so that each count gets the plural form of the reader's language.
PLACES = {
    "sessions": lambda n: ngettext("%(num)s séance de mentorat", "%(num)s séances de mentorat", n),
    "action_items": lambda n: ngettext("%(num)s action à mener", "%(num)s actions à mener", n),
    "milestones": lambda n: ngettext("%(num)s jalon", "%(num)s jalons", n),
    "attachments": lambda n: ngettext("%(num)s nom de pièce justificative", "%(num)s noms de pièces justificatives",
                                      n),
    "reports": lambda n: ngettext("%(num)s rapport de période", "%(num)s rapports de période", n),
    "indicator_values": lambda n: ngettext("%(num)s commentaire d'indicateur", "%(num)s commentaires d'indicateurs",
                                           n),
    "projects": lambda n: ngettext("%(num)s fiche de projet", "%(num)s fiches de projet", n),
    "trainings": lambda n: ngettext("%(num)s formation", "%(num)s formations", n),
    "notifications": lambda n: ngettext("%(num)s notification", "%(num)s notifications", n),
    "audit_events": lambda n: ngettext("%(num)s événement du journal", "%(num)s événements du journal", n),
}


def places_rewritten(result) -> str:
    """"3 séances de mentorat, 1 jalon, 4 événements du journal", or a phrase saying there were none."""
    counts = dict(result.rewritten, audit_events=result.scrubbed_events)
    parts = [PLACES[kind](n) for kind, n in counts.items() if n and kind in PLACES]
    return ", ".join(parts) if parts else _("aucun texte ne citait ce membre")
