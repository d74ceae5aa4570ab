from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Optional

from tracker.core.fields import OptionalSelectField
from tracker.core.forms import FlaskForm  # the text gate (core/text.py) on every field
from tracker.imports.storage import EXTENSIONS

ACCEPT = ",".join(f".{ext}" for ext in EXTENSIONS)
MODE_ALL, MODE_VALID = "all", "valid"


def _optional_int(value):
    return int(value) if value not in (None, "") and str(value).isdigit() else None


class UploadForm(FlaskForm):
    """The cohort and the spreadsheet; what the file holds is checked by the import services."""

    cohort_id = OptionalSelectField(
        _l("Cohorte"), coerce=_optional_int,
        validators=[DataRequired(message=_l("Choisissez la cohorte qui recevra les projets."))],
        description=_l("Les projets du fichier sont créés ou mis à jour dans cette cohorte."))
    file = FileField(_l("Fichier du forum (XLSX ou CSV)"),
                     validators=[FileRequired(message=_l("Choisissez un fichier XLSX ou CSV."))],
                     render_kw={"accept": ACCEPT})
    submit = SubmitField(_l("Prévisualiser l'import"))

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort_id.choices = [("", _l("— choisir —"))] + [(str(c.id), c.name) for c in cohorts]


class ConfirmImportForm(FlaskForm):
    """`all`: the file has no error, import it; `valid`: import only the valid rows and projects.
    `choices`: the digest of the conflict choices the preview showed (tracker.imports.plan.Choices.digest)."""

    mode = HiddenField(validators=[AnyOf([MODE_ALL, MODE_VALID])])
    choices = HiddenField()


CONFLICT_LABELS = {
    "update": _l("Mettre à jour ce projet"),
    "new": _l("Créer un nouveau projet"),
    "skip": _l("Ignorer"),
}


class ChoicesForm(FlaskForm):
    """The choices for the conflicts: one radio group per conflicting project (`conflict-<number>`, read by
    the view, which knows the conflicts), this select to fill the ones left blank, and whether members the
    file does not list are removed."""

    apply_all = SelectField(
        _l("Pour chaque conflit sans choix"), validators=[Optional()],
        choices=[("", _l("— choisir projet par projet —"))] + list(CONFLICT_LABELS.items()))
    remove_missing = BooleanField(
        _l("Retirer les membres absents du fichier"),
        description=_l("Sinon, les membres déjà enregistrés que le fichier ne cite pas sont gardés. Chaque retrait "
                       "est inscrit au journal d'audit."))
    submit = SubmitField(_l("Appliquer ces choix"))


class CancelImportForm(FlaskForm):
    """Only the CSRF token: cancelling deletes the stored file."""
