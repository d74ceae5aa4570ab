"""Small form helpers shared by features."""

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.fields import HiddenField, SelectField

from tracker.core.phones import normalise_phone


class VersionField(HiddenField):
    """The version the record had when the form was loaded (optimistic locking)."""


class OptionalSelectField(SelectField):
    """A select whose blank choice means None."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data == "":
            self.data = None

    def pre_validate(self, form):
        if self.data is None:
            return
        super().pre_validate(form)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def phone_validator(form, field):
    try:
        field.data = normalise_phone(field.data)
    except ValueError:
        raise ValidationError(
            _l("Numéro de téléphone invalide (exemple : 06 12 34 56 78 ou +212 6 12 34 56 78).")
        ) from None
