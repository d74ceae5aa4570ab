from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.api.access_tokens import DEFAULT_DAYS, SCOPE_LABELS, SCOPES
from tracker.core.fields import strip
from tracker.core.forms import FlaskForm, Form  # the text gate (core/text.py) on every field


class TokenForm(FlaskForm):
    name = StringField(_l("Nom du jeton"), filters=[strip], validators=[DataRequired(), Length(max=80)],
                       description=_l("Pour le reconnaître, par exemple « Power BI du bailleur »."))
    scopes = SelectMultipleField(_l("Portées"), validators=[DataRequired()],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    days = IntegerField(_l("Durée de validité (jours)"), default=DEFAULT_DAYS,
                        validators=[DataRequired(), NumberRange(min=1, max=365)])
    email = EmailField(_l("Compte (administrateurs : laisser vide pour le vôtre)"), filters=[strip],
                       validators=[Optional(), Length(max=254)])
    submit = SubmitField(_l("Créer le jeton"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = [(s, f"{s} — {SCOPE_LABELS[s]}") for s in SCOPES]


class RevokeTokenForm(FlaskForm):
    submit = SubmitField(_l("Révoquer"))


__all__ = ["Form", "RevokeTokenForm", "TokenForm"]
