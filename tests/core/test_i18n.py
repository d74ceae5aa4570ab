import pathlib
import re

import pytest
from babel.messages.pofile import read_po

from tests.conftest import login

TRANSLATIONS = pathlib.Path(__file__).resolve().parents[2] / "tracker" / "translations"


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_catalogue_is_complete(locale):
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"missing catalogue {path}"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    empty, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert empty == [], f"{len(empty)} untranslated in {locale}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {locale}"
    assert len(catalog) > 100


def test_catalogue_covers_every_string_of_the_template(tmp_path):
    """The .pot in the repo is the one extraction gives today: no string escapes translation."""
    from babel.messages.frontend import CommandLineInterface

    pot = tmp_path / "fresh.pot"
    root = TRANSLATIONS.parents[1]
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-k", "_l", "--omit-header",
        "-o", str(pot), str(root / "tracker"), str(root / "templates"),
    ])
    with pot.open("rb") as handle:
        fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with (TRANSLATIONS / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert sorted(fresh - known) == []


def test_arabic_pages_are_right_to_left_and_translated(client, actors):
    login(client, actors.staff)
    client.post("/language", data={"locale": "ar"})
    page = client.get("/projects/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page
    assert "المشاريع" in page or "مشاريع" in page
    assert re.search(r"[\u0600-\u06FF]", page)


def test_language_choice_is_remembered_for_the_user(app, actors):
    client = login(app.test_client(), actors.staff)
    client.post("/language", data={"locale": "en"})
    assert actors.staff.locale == "en"
    other = login(app.test_client(), actors.staff)
    assert '<html lang="en" dir="ltr">' in other.get("/").get_data(as_text=True)


def test_visitor_choice_is_kept_in_the_session(client):
    client.post("/language", data={"locale": "ar"})
    assert '<html lang="ar" dir="rtl">' in client.get("/login").get_data(as_text=True)


def test_dates_and_numbers_follow_the_locale(app, actors):
    client = login(app.test_client(), actors.admin)
    actors.cohort.forum_date = __import__("datetime").date(2025, 3, 8)
    client.post("/language", data={"locale": "fr"})
    fr = client.get(f"/cohorts/{actors.cohort.slug}").get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    en = client.get(f"/cohorts/{actors.cohort.slug}").get_data(as_text=True)
    assert "8 mars 2025" in fr
    assert "Mar 8, 2025" in en


def test_templates_follow_force_locale_and_a_language_change_within_a_request(app):
    """Templates look the catalogue up once per locale (`i18n.install_template_gettext`): an e-mail rendered
    in its recipient's language inside a French request, then the request's own language again."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    template = "{{ _('Utilisateurs') }} · {{ ngettext('%(num)s projet', '%(num)s projets', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert render_template_string(template) == "Utilisateurs · 2 projets"
        with force_locale("ar"):
            assert render_template_string(template).startswith("المستخدمون · ")
        with force_locale("en"):
            assert render_template_string(template) == "Users · 2 projects"
        assert render_template_string(template) == "Utilisateurs · 2 projets"
        from flask import session
        session["locale"] = "en"
        refresh()  # what a language change does mid-request
        assert render_template_string(template) == "Users · 2 projects"
