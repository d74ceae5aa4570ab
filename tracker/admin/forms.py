from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from tracker.core.fields import VersionField, strip
from tracker.core.forms import FlaskForm  # the text gate (core/text.py) on every field
from tracker.core.i18n import LANGUAGE_NAMES, label
from tracker.core.permissions import Role

# Holders first: most accounts are theirs. No default: the admin picks the role (issue 17).
ROLE_ORDER = (Role.HOLDER, Role.STAFF, Role.MANAGER, Role.ADMIN)


class UserForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), filters=[strip], validators=[DataRequired(), Length(max=254),
                                                        Email(message=_l("Adresse e-mail invalide."))])
    display_name = StringField(_l("Nom affiché"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Rôle"), validators=[DataRequired(message=_l("Choisissez le rôle du compte."))])
    locale = SelectField(_l("Langue"), validators=[DataRequired()])
    active = BooleanField(_l("Compte actif"), default=True,
                          description=_l("Un compte désactivé ne peut plus se connecter ; "
                                         "ses sessions ouvertes sont fermées."))
    project_ids = SelectMultipleField(_l("Projets du porteur"), coerce=int, validators=[Optional()],
                                      validate_choice=False,
                                      description=_l("Seulement pour le rôle porteur de projet. Tapez un nom ou "
                                                     "un numéro pour chercher."))
    password = PasswordField(_l("Mot de passe"), validators=[Optional(), Length(min=10, max=200)],
                             description=_l("Au moins 12 caractères. Laissez vide pour ne pas le changer."))
    version = VersionField()
    submit = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, projects=(), creating=False, **kwargs):
        """`projects`: the holder's current projects (the picker searches the others on the server).
        Creating, there is no password: the person chooses it from the invitation e-mail."""
        super().__init__(*args, **kwargs)
        self.role.choices = [("", _l("— choisir —"))] + [(r.value, label(r)) for r in ROLE_ORDER]
        self.locale.choices = list(LANGUAGE_NAMES.items())
        self.project_ids.choices = [(p.id, f"{p.code} · {p.name}" if p.code else p.name) for p in projects]
        if creating:
            delattr(self, "password")
            delattr(self, "active")
