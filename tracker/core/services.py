"""What every feature's services share: the translatable error they raise and the version check."""

from flask_babel import lazy_gettext as _l

CONFLICT_MESSAGE = _l(
    "Cet enregistrement a été modifié par quelqu'un d'autre pendant que vous le modifiiez. "
    "Vos saisies sont conservées ci-dessous : vérifiez la version actuelle puis enregistrez à nouveau."
)


class ServiceError(Exception):
    """A rule was broken. `message` is a lazy translated string the view flashes as is."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone saved the record since this form was loaded."""


def check_version(obj, expected_version) -> None:
    """Raises ConflictError unless the form was loaded from the version now stored."""
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = None
    if expected != obj.version:
        raise ConflictError(CONFLICT_MESSAGE)
