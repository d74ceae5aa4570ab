import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.core.fields import LocaleDateField, OptionalSelectField, VersionField, strip
from tracker.core.forms import FlaskForm, SubmitOnceMixin  # FlaskForm: the text gate (core/text.py)
from tracker.core.i18n import choices
from tracker.milestones import uploads
from tracker.milestones.models import MilestoneCategory, MilestoneStatus
from tracker.milestones.services import NOTE_MAX, TITLE_MAX


class MilestoneForm(SubmitOnceMixin, FlaskForm):
    """Shape only; the status rules (achieved date required, not in the future, cleared otherwise) are the
    service's, which names the field it refuses."""

    title = StringField(_l("Intitulé du jalon"), filters=[strip],
                        validators=[DataRequired(message=_l("Indiquez l'intitulé du jalon.")), Length(max=TITLE_MAX)],
                        render_kw={"dir": "auto", "maxlength": TITLE_MAX})
    category = OptionalSelectField(_l("Catégorie"),
                                   validators=[DataRequired(message=_l("Choisissez la catégorie du jalon."))])
    planned_date = LocaleDateField(_l("Date prévue"), validators=[DataRequired(message=_l("Indiquez la date prévue."))])
    status = RadioField(_l("Statut"), validators=[InputRequired(message=_l("Choisissez le statut du jalon."))])
    achieved_date = LocaleDateField(
        _l("Date d'atteinte"), validators=[Optional()],
        description=_l("Obligatoire quand le jalon est atteint ; elle ne peut pas être dans le futur. "
                       "Elle est effacée si le jalon n'est pas atteint."),
    )
    evidence_note = TextAreaField(
        _l("Note sur les preuves"), validators=[Optional(), Length(max=NOTE_MAX)],
        description=_l("Ce qui montre que le jalon est atteint : facture, attestation, photo… "
                       "Les fichiers se joignent sur la page du jalon."),
        render_kw={"rows": 3, "dir": "auto", "maxlength": NOTE_MAX},
    )
    version = VersionField()

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices(MilestoneCategory, blank=_l("— choisir —"))
        self.status.choices = choices(MilestoneStatus)
        # Date pickers on phones then refuse a future achieved date before the server has to.
        self.achieved_date.render_kw = {"max": (today or dt.date.today()).isoformat()}

    def milestone_data(self) -> dict:
        return {name: self[name].data for name in (
            "title", "category", "planned_date", "status", "achieved_date", "evidence_note")}


class EvidenceForm(FlaskForm):
    """One or more files; what they may be is checked from their content by `uploads`."""

    files = MultipleFileField(_l("Ajouter des fichiers"), render_kw={"accept": uploads.ACCEPT, "multiple": True})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.files.description = _l(
            "PDF, JPEG, PNG, XLSX ou DOCX ; %(max)s Mo au plus par fichier, %(count)s fichiers au plus à la fois.",
            max=uploads.max_megabytes(), count=uploads.MAX_FILES_PER_UPLOAD)


class MarkAchievedForm(FlaskForm):
    """The one-tap "achieved today" button, with the version the milestone was shown with."""

    version = VersionField()
