import pytest
from flask import Blueprint

from config import TestingConfig
from tracker import create_app
from tracker.core.permissions import public


@pytest.fixture
def exploding_client(app):
    """A view that raises, in an app with debug off and exceptions not propagated, as in production."""
    other = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                       "PROPAGATE_EXCEPTIONS": False, "TESTING": False, "DEBUG": False})
    bp = Blueprint("boom", __name__)

    @bp.route("/__boom")
    @public
    def explode():
        raise RuntimeError("secret-internal-detail")

    other.register_blueprint(bp)
    return other.test_client()


def test_500_shows_a_translated_page_without_stack_trace(exploding_client):
    response = exploding_client.get("/__boom", headers={"Accept-Language": "ar"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in page and "secret-internal-detail" not in page
    assert 'dir="rtl"' in page


@pytest.mark.parametrize("url, method, status", [
    ("/no-such-page", "GET", 404),
    ("/logout", "GET", 405),
    ("/language", "POST", 400),
])
def test_error_pages_are_translated(client, url, method, status):
    french = client.open(url, method=method, headers={"Accept-Language": "fr"})
    english = client.open(url, method=method, headers={"Accept-Language": "en"})
    assert french.status_code == english.status_code == status
    assert '<html lang="fr"' in french.get_data(as_text=True)
    assert '<html lang="en"' in english.get_data(as_text=True)
    assert "Traceback" not in french.get_data(as_text=True)


def test_413_for_an_oversized_request(app, client):
    previous = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/login", data={"email": "x" * 4096, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = previous
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)


def test_csrf_is_enforced_when_enabled(app, actors):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": actors.staff.email, "password": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
