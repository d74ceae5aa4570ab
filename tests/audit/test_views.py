"""The audit viewer: filters, validation, before → after, links, pagination, bounded queries, and the
actions the issue says must be recorded (each one made for real, then found in the viewer)."""

import datetime as dt
import re
from html import unescape

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import PASSWORD
from tests.periods.factories import PeriodReportFactory
from tracker.core import audit
from tracker.extensions import db
from tracker.periods import workflow
from tracker.periods.models import ReportStatus
from tracker.projects.models import Project

URL = "/admin/audit/"


def _event(actor, action, entity_type, entity_id, changes=None, at=None):
    event = audit.record(actor, action, entity_type, entity_id, changes)
    if at is not None:
        event.created_at = at
    db.session.flush()
    return event


def _utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def _page(client, **args):
    response = client.get(URL, query_string=args)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _listed_ids(html: str) -> list[int]:
    """Event ids in page order, read from the links to their detail pages."""
    return [int(n) for n in re.findall(r'href="/admin/audit/(\d+)"', html)]


def test_events_newest_first_with_who_when_entity_and_before_after(actors, login_as):
    old = _event(actors.manager, "update", "project", actors.project.id,
                 {"name": ["Ancien nom fictif", "Nouveau nom fictif"]}, at=_utc(2025, 1, 15, 10, 0))
    new = _event(actors.staff, "create", "cohort", actors.cohort.id, {"slug": [None, actors.cohort.slug]},
                 at=_utc(2025, 2, 2, 9, 30))
    html = _page(login_as("admin"), entity_id=actors.project.id, entity="project")
    assert _listed_ids(html) == [old.id]
    html = _page(login_as("admin"))
    ids = _listed_ids(html)
    assert ids.index(new.id) < ids.index(old.id)
    assert actors.manager.display_name in html and actors.manager.email in html
    assert "Ancien nom fictif" in html and "Nouveau nom fictif" in html and "→" in html
    # French short format in the app's time zone (Casablanca, UTC+1 on that day)
    assert "15 janv. 2025, 11:00" in html  # one short form, app time zone (issue 19)
    assert f'href="/projects/{actors.project.id}"' in html
    assert f'href="/cohorts/{actors.cohort.slug}"' in html


def test_entity_that_no_longer_exists_is_named_without_link(actors, login_as):
    _event(actors.admin, "delete", "training", 987654, {"title": ["Formation fictive", None]})
    html = _page(login_as("admin"), entity="training", entity_id=987654)
    assert "n° 987654" in html and "n'existe plus" in html
    assert "/trainings/987654" not in html


def test_filters_by_user_action_entity_and_dates(actors, login_as):
    a = _event(actors.manager, "update", "project", actors.project.id, {"x": [1, 2]}, at=_utc(2025, 1, 10, 12))
    b = _event(actors.staff, "update", "project", actors.other_project.id, {"x": [1, 2]}, at=_utc(2025, 2, 10, 12))
    c = _event(None, "login_failed", "user", None, {"email": [None, "x@example.org"]}, at=_utc(2025, 3, 10, 12))
    client = login_as("admin")
    assert set(_listed_ids(_page(client, user=actors.manager.id))) == {a.id}
    assert c.id in _listed_ids(_page(client, user="none"))
    assert set(_listed_ids(_page(client, user="none"))).isdisjoint({a.id, b.id})
    assert c.id in _listed_ids(_page(client, action="login_failed"))
    assert {a.id, b.id}.isdisjoint(_listed_ids(_page(client, action="login_failed")))
    assert set(_listed_ids(_page(client, entity="project", entity_id=actors.other_project.id))) == {b.id}
    window = set(_listed_ids(_page(client, **{"from": "2025-02-01", "to": "2025-02-28"})))
    assert window == {b.id}
    # Dates are days in the app's time zone: 23:30 UTC on 19 January is 00:30 on the 20th in Casablanca.
    late = _event(actors.staff, "update", "project", actors.project.id, {"x": [2, 3]}, at=_utc(2025, 1, 19, 23, 30))
    assert late.id in _listed_ids(_page(client, **{"from": "2025-01-20", "to": "2025-01-20"}))
    assert late.id not in _listed_ids(_page(client, **{"from": "2025-01-19", "to": "2025-01-19"}))


@pytest.mark.parametrize("args, message", [
    ({"user": "abc"}, "Utilisateur inconnu."),
    ({"user": "99999999"}, "Utilisateur inconnu."),
    ({"action": "no_such_action"}, "Action inconnue."),
    ({"entity": "spaceship"}, "Type d'élément inconnu."),
    ({"entity_id": "-3"}, "Numéro d'élément invalide"),
    ({"entity_id": "12abc"}, "Numéro d'élément invalide"),
    ({"entity_id": "99999999999999999999999"}, "Numéro d'élément invalide"),
    ({"entity_id": "3000000000"}, "Numéro d'élément invalide"),  # beyond PostgreSQL's integer
    ({"action": "login\x00x"}, "Action inconnue."),  # the NUL is removed by the text gate: "loginx"
    ({"from": "2025-13-01"}, "Date de début invalide"),
    ({"to": "demain"}, "Date de fin invalide"),
    ({"from": "2025-05-01", "to": "2025-04-01"}, "La date de début est postérieure à la date de fin."),
    ({"page": "x"}, None),
])
def test_bad_filters_give_a_translated_message_not_an_error(actors, login_as, args, message):
    _event(actors.manager, "update", "project", actors.project.id, {"x": [1, 2]})
    html = _page(login_as("admin"), **args)
    if message:
        assert message in html
        assert _listed_ids(html) == []  # nothing listed under a filter that was not understood
    else:
        assert _listed_ids(html)


def test_arabic_page_is_translated_layout(actors, login_as):
    actors.admin.locale = "ar"
    db.session.flush()
    _event(actors.manager, "update", "project", actors.project.id, {"x": [1, 2]})
    html = _page(login_as("admin"))
    assert 'dir="rtl"' in html


def test_detail_page_shows_before_after_and_ip(actors, login_as, app):
    event = _event(actors.manager, "update", "member", 4242, {"phone": ["+212600000001", "+212600000002"]})
    event.ip = "192.0.2.7"
    db.session.flush()
    client = login_as("admin")
    response = client.get(f"{URL}{event.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "+212600000001" in html and "+212600000002" in html and "192.0.2.7" in html
    assert "/admin/audit/?entity=member&amp;entity_id=4242\"" in html  # every event about that member
    assert client.get(f"{URL}{event.id + 100000}").status_code == 404
    assert client.get(f"{URL}99999999999999999999").status_code == 404


def test_erased_values_read_as_erased(actors, login_as):
    event = _event(actors.admin, "update", "member", 1, {"full_name": ["[erased]", "[erased]"]})
    html = login_as("admin").get(f"{URL}{event.id}").get_data(as_text=True)
    assert "[effacé]" in html and "[erased]" not in html


def test_pagination(actors, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_PER_PAGE", 5)
    events = [_event(actors.staff, "update", "project", actors.project.id, {"n": [i, i + 1]},
                     at=_utc(2025, 1, 1) + dt.timedelta(minutes=i)) for i in range(7)]
    client = login_as("admin")
    first = _listed_ids(_page(client, entity="project", entity_id=actors.project.id))
    second = _listed_ids(_page(client, entity="project", entity_id=actors.project.id, page=2))
    assert first == [e.id for e in reversed(events)][:5]
    assert second == [e.id for e in reversed(events)][5:]


def test_query_count_does_not_grow_with_the_events_shown(actors, login_as, count_queries):
    client = login_as("admin")
    kinds = [("project", actors.project.id), ("cohort", actors.cohort.id), ("user", actors.staff.id),
             ("member", actors.project.members[0].id)]
    users = [actors.manager, actors.staff, actors.admin, None]

    def add(n):
        for i in range(n):
            entity_type, entity_id = kinds[i % len(kinds)]
            _event(users[i % len(users)], "update", entity_type, entity_id, {"n": [i, i + 1]})

    add(4)
    with count_queries() as few:
        _page(client, action="update")
    add(40)
    with count_queries() as many:
        page = _page(client, action="update")
    assert len(_listed_ids(page)) == 44
    assert len(many) == len(few)


# ---------------------------------------------------------------- the actions that must be recorded

def _found(client, action, entity_type=None, entity_id=None) -> str:
    args = {"action": action}
    if entity_type:
        args |= {"entity": entity_type, "entity_id": entity_id}
    html = _page(client, **args)
    assert _listed_ids(html), f"no {action} event in the viewer"
    return html


def test_login_failure_appears(app, actors, login_as):
    response = app.test_client().post("/login", data={"email": actors.staff.email, "password": "wrong-" + PASSWORD})
    assert response.status_code in (200, 401)
    html = _found(login_as("admin"), "login_failed", "user", actors.staff.id)
    assert "Échec de connexion" in html
    # unknown e-mail: the address typed is what is kept
    app.test_client().post("/login", data={"email": "nobody@example.org", "password": "x" * 12})
    assert "nobody@example.org" in _found(login_as("admin"), "login_failed")


def _submitted(actors, project=None):
    report = PeriodReportFactory(project=project or actors.project, status=ReportStatus.SUBMITTED,
                                 submitted_by=actors.holder)
    db.session.flush()
    return report


def test_approval_return_and_reopening_appear(actors, login_as):
    report = _submitted(actors)
    assert workflow.approve_report(actors.staff, report, report.version)
    workflow.reopen_report(actors.manager, report, report.version, "Chiffre de ventes à revoir")
    returned = _submitted(actors, actors.other_project)
    assert workflow.return_report(actors.staff, returned, returned.version, "Il manque les justificatifs")
    db.session.flush()
    client = login_as("admin")
    approve = _found(client, "approve", "period_report", report.id)
    assert "Approbation" in approve and actors.staff.display_name in approve
    reopen = _found(client, "reopen", "period_report", report.id)
    assert "Chiffre de ventes à revoir" in reopen and actors.manager.display_name in reopen
    assert "Il manque les justificatifs" in _found(client, "return", "period_report", returned.id)


def test_import_appears(actors, login_as):
    from tests.imports.conftest import REFERENCE_DATE, SAMPLE_CSV
    from tracker.imports.services import run_import

    cohort = factories.CohortFactory()
    run_import(actors.staff, cohort, SAMPLE_CSV.read_bytes(), "forum.csv", skip_invalid=True, today=REFERENCE_DATE)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(Project.cohort_id == cohort.id))
    html = _found(login_as("admin"), "import", "cohort", cohort.id)
    assert "forum.csv" in html and actors.staff.display_name in html


def test_personal_data_export_and_erasure_appear(app, actors, login_as):
    member = actors.project.members[0]
    client = login_as("admin")
    assert client.get(f"/admin/privacy/members/{member.id}/export.json").status_code == 200
    response = client.post(f"/admin/privacy/members/{member.id}/erase",
                           data={"reason": "Demande écrite de la personne", "confirmation": str(member.id)})
    assert response.status_code == 302
    assert "Export de données personnelles" in _found(client, "member.export", "member", member.id)
    html = _found(client, "member.erase", "member", member.id)
    assert "Demande écrite de la personne" in html and "full_name" in html


def test_every_entity_type_links_to_a_page_that_opens(actors, login_as):
    """One real entity of each type the viewer knows; each link leads to a page the admin can open."""
    from tests.indicators.factories import IndicatorFactory, TargetFactory
    from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
    from tests.milestones.factories import AttachmentFactory, MilestoneFactory
    from tests.trainings.factories import TrainingFactory
    from tracker.admin import audit_query
    from tracker.api import access_tokens

    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff)
    milestone = MilestoneFactory(project=actors.project)
    entities = {
        "user": actors.staff, "cohort": actors.cohort, "project": actors.project,
        "member": actors.project.members[0], "training": TrainingFactory(cohort=actors.cohort),
        "mentoring_session": session, "action_item": ActionItemFactory(session=session),
        "milestone": milestone, "attachment": AttachmentFactory(milestone=milestone),
        "indicator": IndicatorFactory(), "target": TargetFactory(project=actors.project),
        "period_report": _submitted(actors),
        "api_token": access_tokens.create(None, actors.staff, name="Outil", scopes=["projects:read"])[1],
    }
    assert set(entities) == set(audit_query.ENTITY_LABELS)
    for entity_type, obj in entities.items():
        _event(actors.admin, "update", entity_type, obj.id, {"n": [0, 1]})
    client = login_as("admin")
    for entity_type, obj in entities.items():
        html = _page(client, entity=entity_type, entity_id=obj.id)
        assert "n'existe plus" not in html, entity_type
        # the entity as a link with its name (its number when it has none, e.g. a target)
        link = re.search(rf'<a href="([^"]+)">(<bdi>[^<]+</bdi>|n° {obj.id})</a>', html)
        assert link, entity_type
        assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200, (entity_type, link.group(1))
