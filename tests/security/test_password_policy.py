"""Passwords of at least 12 characters (OWASP ASVS 4.0 V2.1.1), checked on every way to set one."""

import pytest

from tracker.auth.services import check_password_rules
from tracker.core.services import ServiceError


def test_the_minimum_is_twelve_characters(app):
    assert app.config["PASSWORD_MIN_LENGTH"] == 12
    with pytest.raises(ServiceError):
        check_password_rules("eleven-char")
    check_password_rules("twelve-chars")


def test_admin_cannot_set_an_eleven_character_password(actors, login_as):
    # Accounts are created without a password (issue 17: invitations); an admin still resets one on edit.
    client = login_as("admin")
    staff = actors.staff
    data = {"email": staff.email, "display_name": staff.display_name, "role": "staff", "locale": "fr",
            "active": "y", "version": str(staff.version)}
    page = client.post(f"/admin/users/{staff.id}/edit", data=data | {"password": "eleven-char"})
    assert page.status_code == 200
    assert "au moins 12 caractères" in page.get_data(as_text=True)
    ok = client.post(f"/admin/users/{staff.id}/edit", data=data | {"password": "twelve-chars"})
    assert ok.status_code == 302
