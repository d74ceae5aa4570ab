from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.core.fields import strip
from tracker.core.forms import FlaskForm  # the text gate (core/text.py) on every field


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), filters=[strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Rester connecté sur cet appareil"), default=False)
    submit = SubmitField(_l("Se connecter"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()])
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(), Length(min=10, max=200)],
        description=_l("Au moins 12 caractères."),
    )
    confirm = PasswordField(
        _l("Confirmer le nouveau mot de passe"),
        validators=[DataRequired(), EqualTo("password", message=_l("Les deux mots de passe ne correspondent pas."))],
    )
    submit = SubmitField(_l("Changer le mot de passe"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), filters=[strip], validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Recevoir un lien"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(), Length(max=200)],
                             description=_l("Au moins 12 caractères."))
    confirm = PasswordField(
        _l("Confirmer le mot de passe"),
        validators=[DataRequired(), EqualTo("password", message=_l("Les deux mots de passe ne correspondent pas."))],
    )
    submit = SubmitField(_l("Enregistrer mon mot de passe"))
