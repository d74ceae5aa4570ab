from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.cohorts.models import Frequency
from tracker.core.fields import LocaleDateField, VersionField
from tracker.core.forms import FlaskForm  # the text gate (core/text.py) on every field
from tracker.core.i18n import choices


class CohortForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=160)],
                       description=_l("Par exemple : Innov Impact 2025 — Safi."))
    slug = StringField(_l("Identifiant"), validators=[Optional(), Length(max=80)],
                       description=_l("Utilisé dans les adresses et les commandes ; déduit du nom s'il est vide."))
    programme = StringField(_l("Programme"), validators=[Optional(), Length(max=160)])
    city = StringField(_l("Ville"), validators=[Optional(), Length(max=80)])
    province = StringField(_l("Province"), validators=[Optional(), Length(max=80)])
    forum_date = LocaleDateField(_l("Date du forum"), validators=[Optional()])
    start_date = LocaleDateField(_l("Début de l'accompagnement"), validators=[Optional()])
    end_date = LocaleDateField(_l("Fin de l'accompagnement"), validators=[Optional()])
    reporting_frequency = SelectField(_l("Fréquence des rapports"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    version = VersionField()
    submit = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reporting_frequency.choices = choices(Frequency)

    def cohort_data(self) -> dict:
        data = {name: f.data for name, f in self._fields.items() if name not in ("version", "submit", "csrf_token")}
        data["reporting_frequency"] = Frequency(data["reporting_frequency"])
        return data
