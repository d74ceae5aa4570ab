"""Province and commune in the project forms and services (issue 14): one spelling per province, a searchable
list, and an unknown value kept as typed with a warning."""

import html

import pytest

from tests.projects.test_views import edit_data
from tracker.extensions import db
from tracker.projects import services


@pytest.mark.parametrize("typed", ["SAFI", "Province de Safi", "إقليم آسفي", " safi "])
def test_the_edit_form_stores_one_spelling_of_safi(actors, login_as, typed):
    project = actors.project
    client = login_as("staff")
    response = client.post(f"/projects/{project.id}/edit", data=edit_data(project, province=typed,
                                                                           commune="sebt gzoula"),
                           follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(project)
    assert (project.province, project.commune) == ("Safi", "Sebt Gzoula")
    assert "absente" not in html.unescape(response.get_data(as_text=True))


def test_an_unknown_province_is_kept_as_typed_with_a_warning(actors, login_as):
    project = actors.project
    client = login_as("staff")
    response = client.post(f"/projects/{project.id}/edit",
                           data=edit_data(project, province="Atlantis", commune="Ville Haute"), follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    db.session.refresh(project)
    assert (project.province, project.commune) == ("Atlantis", "Ville Haute")
    assert "La province « Atlantis » n'est pas dans la liste officielle" in page
    assert "La commune" not in page  # no commune reference for an unknown province: nothing to warn about


def test_an_unknown_commune_of_safi_is_a_warning(actors, login_as):
    project = actors.project
    response = login_as("staff").post(f"/projects/{project.id}/edit",
                                      data=edit_data(project, province="Safi", commune="Tamanar"),
                                      follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "La commune « Tamanar » n'est pas dans la liste des communes de la province Safi" in page
    db.session.refresh(project)
    assert project.commune == "Tamanar"


@pytest.mark.parametrize("lang, label", [("fr", "Safi — Marrakech-Safi"), ("ar", "آسفي (Safi) — مراكش آسفي")])
def test_the_form_offers_a_searchable_list(actors, login_as, lang, label):
    actors.staff.locale = lang  # the profile's language wins
    db.session.flush()
    client = login_as("staff")
    page = html.unescape(client.get(f"/projects/{actors.project.id}/edit").get_data(as_text=True))
    assert 'list="province-options"' in page and '<datalist id="province-options">' in page
    assert f'<option value="Safi">{label}</option>' in page
    assert page.count("<option value=", page.index('<datalist id="province-options">')) >= 75
    assert '<option value="Sebt Gzoula">' in page  # the communes of the project's province


def test_services_normalise_whoever_calls_them(actors):
    project = services.update_project(actors.staff, actors.project, {"province": "إقليم آسفي"},
                                      actors.project.version)
    assert project.province == "Safi"
