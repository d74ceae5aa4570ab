from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from tracker.core.fields import VersionField, strip
from tracker.core.i18n import LANGUAGE_NAMES, choices
from tracker.core.permissions import Role


class UserForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), filters=[strip], validators=[DataRequired(), Length(max=254),
                                                        Email(message=_l("Adresse e-mail invalide."))])
    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Rôle"), validators=[DataRequired()])
    locale = SelectField(_l("Langue"), validators=[DataRequired()])
    active = BooleanField(_l("Compte actif"), default=True,
                          description=_l("Un compte désactivé ne peut plus se connecter ; "
                                         "ses sessions ouvertes sont fermées."))
    project_ids = SelectMultipleField(_l("Projets du porteur"), coerce=int, validators=[Optional()],
                                      description=_l("Seulement pour le rôle porteur de projet."))
    password = PasswordField(_l("Mot de passe"), validators=[Optional(), Length(min=10, max=200)],
                             description=_l("Au moins 12 caractères. Laissez vide pour ne pas le changer."))
    version = VersionField()
    submit = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, projects=(), creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices(Role)
        self.locale.choices = list(LANGUAGE_NAMES.items())
        self.project_ids.choices = [(p.id, f"{p.cohort.name} — {p.name}") for p in projects]
        if creating:
            self.password.validators = [DataRequired(), Length(min=10, max=200)]
            self.password.description = _l("Au moins 12 caractères.")
            delattr(self, "active")
