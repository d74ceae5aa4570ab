from flask_babel import lazy_gettext as _l
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.core.fields import LocaleDateField, LocaleIntegerField, OptionalSelectField, VersionField, strip

# the text gate (core/text.py) on every field
from tracker.core.forms import FlaskForm, Form, SubmitOnceMixin, int_or_none
from tracker.core.i18n import choices
from tracker.mentoring.models import ActionOwner, SessionMode
from tracker.mentoring.services import MAX_DURATION, MIN_DURATION

EMPTY_ROWS = 2  # blank action-item rows offered on a new session


class ActionItemForm(Form):
    """One inline action-item row. Every field is optional here: a blank row is ignored, and the
    service says what a filled-in row lacks. No CSRF of its own: the session form carries it."""

    id = HiddenField(filters=[int_or_none])
    description = StringField(_l("Action à mener"), filters=[strip], validators=[Optional(), Length(max=500)])
    owner_kind = OptionalSelectField(_l("Qui s'en charge"), validators=[Optional()])
    owner_user_id = OptionalSelectField(_l("Membre de l'équipe"), coerce=int_or_none, validate_choice=False,
                                        validators=[Optional()])
    due_date = LocaleDateField(_l("Échéance"), validators=[Optional()])
    milestone_id = OptionalSelectField(_l("Jalon concerné"), coerce=int_or_none, validate_choice=False,
                                       validators=[Optional()])

    def is_blank(self) -> bool:
        """Nothing typed or picked: the row was offered and left alone."""
        typed_date = bool(self.due_date.raw_data and self.due_date.raw_data[0])  # even if invalid
        return not (self.description.data or typed_date or self.milestone_id.data or self.id.data)

    def item_data(self) -> dict:
        return {
            "id": self.id.data,
            "description": self.description.data or "",
            "owner_kind": self.owner_kind.data or ActionOwner.PROJECT.value,
            "owner_user_id": self.owner_user_id.data,
            "due_date": self.due_date.data,
            "milestone_id": self.milestone_id.data,
        }


class SessionForm(SubmitOnceMixin, FlaskForm):
    project_id = OptionalSelectField(_l("Projet"), coerce=int_or_none, validate_choice=False,
                                     validators=[DataRequired(message=_l("Choisissez le projet accompagné."))])
    date = LocaleDateField(_l("Date de la séance"),
                           validators=[DataRequired(message=_l("Indiquez la date de la séance."))])
    mentor_id = OptionalSelectField(_l("Mentor"), coerce=int_or_none,
                                    validators=[DataRequired(message=_l("Choisissez le mentor."))])
    duration_minutes = LocaleIntegerField(
        _l("Durée (minutes)"),
        validators=[
            InputRequired(message=_l("Indiquez la durée en minutes.")),
            NumberRange(min=MIN_DURATION, max=MAX_DURATION,
                        message=_l("La durée doit être comprise entre %(min)s et %(max)s minutes.")),
        ],
        render_kw={"inputmode": "numeric", "min": MIN_DURATION, "max": MAX_DURATION},
    )
    mode = RadioField(_l("Mode"), validators=[InputRequired(message=_l("Indiquez le mode de la séance."))])
    topics = StringField(_l("Sujets abordés"), filters=[strip], validators=[Optional(), Length(max=300)],
                         description=_l("Quelques mots : business plan, prix de vente, dossier de financement…"))
    shared_summary = TextAreaField(
        _l("Résumé partagé"), validators=[Optional(), Length(max=10000)],
        description=_l("Visible par le porteur de projet."), render_kw={"rows": 4, "dir": "auto"},
    )
    staff_notes = TextAreaField(
        _l("Notes internes"), validators=[Optional(), Length(max=10000)],
        description=_l("Réservées à l'équipe du programme : jamais visibles par le porteur de projet."),
        render_kw={"rows": 3, "dir": "auto"},
    )
    next_session_date = LocaleDateField(_l("Prochaine séance"), validators=[Optional()])
    items = FieldList(FormField(ActionItemForm), min_entries=0, max_entries=50)
    version = VersionField()
    # The buttons (save, add_item, remove_item, refresh) are plain <button>s in the template: the view
    # tells them apart by name, and only "save" validates.

    def __init__(self, *args, mentors=(), owners=(), milestones=(), with_mentor=True, **kwargs):
        """`mentors`: who may be picked as mentor (managers and admins only: `with_mentor`);
        `owners`: staff-side users an item may be given to; `milestones`: of the chosen project."""
        super().__init__(*args, **kwargs)
        self.mode.choices = choices(SessionMode)
        self.mentor_id.choices = [("", _l("— choisir —"))] + [(u.id, u.display_name) for u in mentors]
        self.owner_choices = choices(ActionOwner)
        self.owner_user_choices = [("", _l("Le mentor de la séance"))] + [(u.id, u.display_name) for u in owners]
        self.milestone_choices = [("", "—")] + [(m.id, m.title) for m in milestones]
        for entry in self.items:
            self.set_item_choices(entry.form)
        if not with_mentor:
            delattr(self, "mentor_id")

    def set_item_choices(self, item_form: ActionItemForm) -> None:
        item_form.owner_kind.choices = self.owner_choices
        item_form.owner_user_id.choices = self.owner_user_choices
        item_form.milestone_id.choices = self.milestone_choices

    def add_blank_item(self):
        entry = self.items.append_entry()
        self.set_item_choices(entry.form)
        return entry

    def item_template(self) -> ActionItemForm:
        """An unbound row named `items-__INDEX__-…` that session_form.js copies to add rows."""
        row = ActionItemForm(prefix="items-__INDEX__-", meta={"csrf": False})
        self.set_item_choices(row)
        return row

    def filled_items(self) -> list:
        """The rows that hold something, in form order, as (entry, item dict)."""
        return [(entry, entry.form.item_data()) for entry in self.items if not entry.form.is_blank()]

    def session_data(self) -> dict:
        data = {name: self[name].data for name in (
            "project_id", "date", "duration_minutes", "mode", "topics", "shared_summary", "staff_notes",
            "next_session_date") if name in self._fields}
        if "mentor_id" in self._fields:
            data["mentor_id"] = self.mentor_id.data
        return data
