"""The other creating forms sent twice with the same page token: one training, one milestone, one member.

A project's creation form is protected the same way (ProjectForm carries the token too); its round trip is
long to fill, so it is covered by the token being present and claimed once below."""

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa

from tests.milestones.test_views import form_data as milestone_form
from tests.trainings.test_views import form_data as training_form
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.projects.models import Member
from tracker.trainings.models import Training

ONCE = "il n'a été enregistré qu'une fois"


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _token(client, url) -> str:
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert match, f"{url} carries a one-time token"
    return match.group(1)


def _member_form():
    return {"full_name": "Hajar Fictive", "sex": "F", "birth_date": "1999-04-02", "role": "co_founder",
            "ownership_pct": "10", "phone": "", "email": "", "consent_date": dt.date.today().isoformat(),
            "consent_purpose": "Suivi du projet par le programme d'incubation"}


@pytest.mark.parametrize("kind", ["training", "milestone", "member"])
def test_a_form_posted_twice_creates_one_record(actors, login_as, kind):
    client = login_as("staff")
    url, data, model, where = {
        "training": ("/trainings/new", training_form(), Training, [Training.title == "Vendre en ligne"]),
        "milestone": (f"/milestones/projects/{actors.project.id}/new", milestone_form(), Milestone,
                      [Milestone.project_id == actors.project.id]),
        "member": (f"/projects/{actors.project.id}/members/new", _member_form(), Member,
                   [Member.full_name == "Hajar Fictive"]),
    }[kind]
    before = _count(model, *where)
    data = data | {"form_token": _token(client, url)}

    first = client.post(url, data=data)
    second = client.post(url, data=data, follow_redirects=True)

    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    assert second.status_code == 200
    assert ONCE in html.unescape(second.get_data(as_text=True))
    assert _count(model, *where) == before + 1


def test_a_refused_post_frees_the_token_for_the_corrected_form(actors, login_as):
    client = login_as("staff")
    token = _token(client, "/trainings/new")
    refused = client.post("/trainings/new", data=training_form(title="  ") | {"form_token": token})
    assert refused.status_code == 200 and _count(Training) == 0
    assert client.post("/trainings/new", data=training_form() | {"form_token": token}).status_code == 302
    assert _count(Training) == 1


def test_the_project_form_carries_a_token(actors, login_as):
    assert _token(login_as("staff"), "/projects/new")
