from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from tracker.core.fields import strip
from tracker.core.forms import FlaskForm  # the text gate (core/text.py) on every field
from tracker.core.i18n import LANGUAGE_NAMES


class InviteHolderForm(FlaskForm):
    """A holder invited by staff to one or more of their projects (the picker searches on the server)."""

    email = EmailField(_l("Adresse e-mail"), filters=[strip], validators=[
        DataRequired(), Length(max=254), Email(message=_l("Adresse e-mail invalide."))])
    display_name = StringField(_l("Nom affiché"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Langue des e-mails et de l'application"), validators=[DataRequired()])
    project_ids = SelectMultipleField(_l("Projets"), coerce=int, validate_choice=False,
                                      validators=[DataRequired(message=_l("Choisissez au moins un projet."))])
    submit = SubmitField(_l("Envoyer l'invitation"))

    def __init__(self, *args, selected=(), **kwargs):
        """`selected`: the projects to show as chosen (the picker adds others from the server)."""
        super().__init__(*args, **kwargs)
        self.locale.choices = list(LANGUAGE_NAMES.items())
        self.project_ids.choices = [(p.id, project_label(p)) for p in selected]


def project_label(project) -> str:
    return f"{project.code} · {project.name}" if project.code else project.name


class InviteLeadsForm(FlaskForm):
    """CSRF for the bulk page; the ticked leads (`lead`) and their languages (`locale-<id>`) are read
    from the posted lists."""

    submit = SubmitField(_l("Inviter les porteurs cochés"))
