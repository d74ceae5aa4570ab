from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

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
