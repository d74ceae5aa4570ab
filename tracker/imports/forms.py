from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import AnyOf, DataRequired

from tracker.core.fields import OptionalSelectField
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
    """`all`: the file has no error, import it; `valid`: import only the valid rows and projects."""

    mode = HiddenField(validators=[AnyOf([MODE_ALL, MODE_VALID])])


class CancelImportForm(FlaskForm):
    """Only the CSRF token: cancelling deletes the stored file."""
