import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.core.fields import LocaleDateField, LocaleDecimalField, OptionalSelectField, VersionField
from tracker.core.forms import FlaskForm, SubmitOnceMixin  # FlaskForm: the text gate (core/text.py)
from tracker.core.i18n import choices
from tracker.trainings.models import Topic, TrainingMode


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class HoursField(LocaleDecimalField):
    """A number of hours as typed: 1,5 for an hour and a half (also "1.5", "١٫٥")."""


class TrainingForm(SubmitOnceMixin, FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(message=_l("Le titre est obligatoire.")),
                                                 Length(max=200)])
    cohort_id = OptionalSelectField(_l("Cohorte"), coerce=_optional_int, validators=[Optional()],
                                    description=_l("Sans cohorte, la formation est ouverte à tout le programme."))
    topic = OptionalSelectField(_l("Thème"), validators=[DataRequired(message=_l("Le thème est obligatoire."))])
    date = LocaleDateField(_l("Date"), validators=[DataRequired(message=_l("La date est obligatoire."))])
    duration_hours = HoursField(_l("Durée (heures)"), places=2,
                                  validators=[InputRequired(message=_l("La durée est obligatoire."))],
                                  invalid_value_message=_l("La durée doit être un nombre d'heures."),
                                  description=_l("Plus de 0 et au plus 100 heures, par exemple 3 ou 1,5."))
    trainer = StringField(_l("Formateur·rice"), validators=[Optional(), Length(max=160)])
    place = StringField(_l("Lieu"), validators=[Optional(), Length(max=160)])
    mode = OptionalSelectField(_l("Modalité"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    version = VersionField()
    submit = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort_id.choices = [("", _l("Tout le programme (toutes les cohortes)"))] + [
            (str(c.id), c.name) for c in cohorts
        ]
        self.topic.choices = choices(Topic, blank=_l("— choisir —"))
        self.mode.choices = choices(TrainingMode)

    def training_data(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name not in ("version", "submit", "csrf_token")}


class AttendanceSheetForm(FlaskForm):
    """Only the CSRF token and the button: the marks are read from the posted fields by `read_marks`."""

    submit = SubmitField(_l("Enregistrer la feuille"))


_MEMBER = re.compile(r"m-(\d+)\Z")
_ALL_PRESENT = re.compile(r"all-(\d+)\Z")
MARK_VALUES = {"present": True, "absent": False}


def read_marks(formdata) -> tuple[dict[int, bool], set[int], list[str]]:
    """From the posted sheet: ({member_id: present}, ids of the "all present" projects, malformed names).

    `m-<member_id>` carries "present" or "absent"; an unanswered member sends nothing and stays as recorded.
    `all-<project_id>` is sent when the project's "all present" box is ticked."""
    marks, all_present, invalid = {}, set(), []
    for name, value in formdata.items():
        if match := _MEMBER.match(name):
            if value not in MARK_VALUES:
                invalid.append(name)
            else:
                marks[int(match.group(1))] = MARK_VALUES[value]
        elif match := _ALL_PRESENT.match(name):
            all_present.add(int(match.group(1)))
        elif name.startswith(("m-", "all-")):
            invalid.append(name)
    return marks, all_present, invalid
