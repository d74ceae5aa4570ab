"""Personal data (law 09-08) through HTTP as an admin: find a member, see and export what is held, erase."""

import datetime as dt
import json
from decimal import Decimal
from html import unescape

import sqlalchemy as sa

from tests import factories
from tests.mentoring.factories import MentoringSessionFactory
from tests.trainings.factories import AttendanceFactory, TrainingFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.projects import services as project_services
from tracker.projects.models import Member, MemberRole, Sex
from tracker.trainings.models import Attendance

BASE = "/admin/privacy"


def _member(project, **kwargs) -> Member:
    """A member added through the projects service, so the audit trail holds their values as in real use."""
    data = {
        "full_name": "Salma Fictive-Benali", "sex": Sex.F, "birth_date": dt.date(1999, 4, 2),
        "role": MemberRole.CO_FOUNDER, "role_title": "Co-fondatrice", "ownership_pct": Decimal("30"),
        "phone": "+212661234567", "email": "salma.fictive@example.org", "consent_date": dt.date(2025, 1, 20),
        "consent_purpose": "Suivi du projet par le programme d'incubation",
    } | kwargs
    member = project_services.add_member(None, project, data, today=dt.date(2025, 6, 1))
    db.session.flush()
    return member


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _events(member_id, action=None):
    stmt = sa.select(AuditEvent).where(AuditEvent.entity_type == "member", AuditEvent.entity_id == member_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


# ---------------------------------------------------------------- finding a member

def test_search_by_name_email_phone_and_number(actors, login_as):
    member = _member(actors.project)
    other = _member(actors.other_project, full_name="Karim Fictif", phone="+212700000001",
                    email="karim.fictif@example.org")
    client = login_as("admin")

    def found(q):
        page = _text(client.get(f"{BASE}/", query_string={"q": q}))
        return {m.id for m in (member, other) if f'href="{BASE}/members/{m.id}"' in page}

    assert found("benali") == {member.id}
    assert found("karim.fictif@") == {other.id}
    assert found("06 61 23 45 67") == {member.id}  # the phone as people write it
    assert found(f"#{other.id}") == {other.id}
    assert found("") == {member.id, other.id}
    assert found("%") == set()  # LIKE wildcards are searched for literally
    for q in ("x" * 5000, "nul\x00", "3000000000", "#99999999999999999999"):
        assert client.get(f"{BASE}/", query_string={"q": q}).status_code == 200, q


def test_ids_beyond_any_column_are_404(actors, login_as):
    client = login_as("admin")
    for suffix in ("", "/export.json", "/erase"):
        assert client.get(f"{BASE}/members/99999999999999999999{suffix}").status_code == 404
        assert client.get(f"{BASE}/members/3000000000{suffix}").status_code == 404


def test_member_list_query_count_is_constant(actors, login_as, count_queries):
    client = login_as("admin")
    for i in range(3):
        _member(actors.project, full_name=f"Membre liste {i}", phone=None, email=None, ownership_pct=None)
    with count_queries() as few:
        client.get(f"{BASE}/", query_string={"q": "Membre liste"})
    for i in range(3, 30):
        _member(actors.other_project, full_name=f"Membre liste {i}", phone=None, email=None,
                ownership_pct=None)
    with count_queries() as many:
        page = _text(client.get(f"{BASE}/", query_string={"q": "Membre liste"}))
    assert "Membre liste 29" in page
    assert len(many) == len(few)


# ---------------------------------------------------------------- what is held, and its export

def test_member_page_shows_what_is_held(actors, login_as):
    member = _member(actors.project)
    twin = _member(actors.other_project, full_name="Salma F. Benali")  # same phone and e-mail
    account = factories.UserFactory(role="holder", display_name="Salma Fictive-Benali")
    page = _text(login_as("admin").get(f"{BASE}/members/{member.id}"))
    for value in ("Salma Fictive-Benali", "+212661234567", "salma.fictive@example.org", "Co-fondatrice",
                  "Suivi du projet par le programme d'incubation", actors.project.name):
        assert value in page
    assert f'href="{BASE}/members/{twin.id}"' in page  # probably the same person, in another team
    assert f'href="/admin/users/{account.id}/edit"' in page  # an account with the same name
    assert f'href="{BASE}/members/{member.id}/export.json"' in page
    assert f'href="{BASE}/members/{member.id}/erase"' in page


def test_export_holds_everything_but_staff_notes_and_is_audited(actors, login_as):
    member = _member(actors.project)
    training = TrainingFactory(cohort=actors.cohort, title="Formation fictive au plan d'affaires")
    AttendanceFactory(training=training, member=member, present=True)
    MentoringSessionFactory(project=actors.project, mentor=actors.staff,
                            staff_notes="Note interne fictive sur Salma Fictive-Benali")
    db.session.flush()
    response = login_as("admin").get(f"{BASE}/members/{member.id}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f"attachment; filename=membre-{member.id}.json"
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.data)
    assert data["member"]["full_name"] == "Salma Fictive-Benali"
    assert data["member"]["phone"] == "+212661234567"
    assert data["member"]["email"] == "salma.fictive@example.org"
    assert data["member"]["birth_date"] == "1999-04-02"
    assert data["member"]["sex"] == "F" and data["member"]["ownership_pct"] == "30.00"
    assert data["consent"] == {"date": "2025-01-20", "purpose": "Suivi du projet par le programme d'incubation"}
    assert data["project"]["id"] == actors.project.id and data["project"]["cohort"]["slug"] == actors.cohort.slug
    assert data["attendance"] == [{
        "training_id": training.id, "title": "Formation fictive au plan d'affaires", "date": "2025-03-12",
        "duration_hours": "3.00", "topic": "business_plan", "present": True,
    }]
    assert [e["action"] for e in data["audit_events"]] == ["create"]
    assert data["audit_events"][0]["changes"]["full_name"] == [None, "Salma Fictive-Benali"]
    assert b"Note interne fictive" not in response.data  # staff-only notes never leave
    exported = _events(member.id, "member.export")
    assert len(exported) == 1 and exported[0].user_id == actors.admin.id


def test_export_of_unknown_member_is_404_and_not_audited(actors, login_as):
    assert login_as("admin").get(f"{BASE}/members/999999/export.json").status_code == 404
    assert _events(999999) == []


# ---------------------------------------------------------------- erasure

def test_erase_page_says_what_goes_and_what_stays(actors, login_as):
    member = _member(actors.project)
    page = _text(login_as("admin").get(f"{BASE}/members/{member.id}/erase"))
    for label in ("Nom complet", "Téléphone", "E-mail", "Intitulé du rôle",  # erased
                  "Sexe", "Date de naissance", "Porteur principal", "Part du capital (%)"):  # kept
        assert label in page
    assert f"Tapez {member.id} pour confirmer" in page


def test_erase_refused_without_reason_or_with_a_wrong_confirmation(actors, login_as):
    member = _member(actors.project)
    client = login_as("admin")
    for data in ({}, {"reason": "Demande de la personne", "confirmation": str(member.id + 1)},
                 {"reason": "   ", "confirmation": str(member.id)}):
        response = client.post(f"{BASE}/members/{member.id}/erase", data=data)
        assert response.status_code == 200
        assert "Le formulaire contient des erreurs" in _text(response) or "motif" in _text(response)
        db.session.refresh(member)
        assert member.full_name == "Salma Fictive-Benali" and member.erased_at is None
    assert _events(member.id, "member.erase") == []


def test_erase_removes_identifying_values_everywhere_and_keeps_the_figures(actors, login_as):
    member = _member(actors.project)
    # a past phone and name, changed later: the trail holds them too
    project_services.update_member(None, member, {
        "full_name": "Salma Benali-Fictive", "sex": Sex.F, "birth_date": dt.date(1999, 4, 2),
        "role": MemberRole.CO_FOUNDER, "role_title": "Co-fondatrice", "is_lead": False,
        "ownership_pct": Decimal("30"), "phone": "+212662000000", "email": "salma.fictive@example.org",
        "consent_date": dt.date(2025, 1, 20), "consent_purpose": "Suivi du projet par le programme d'incubation",
    }, member.version, today=dt.date(2025, 6, 1))
    # another event quoting the name (an account created with it)
    account = factories.UserFactory(display_name="Compte fictif")
    from tracker.core import audit

    quoting = audit.record(None, "create", "user", account.id, {"display_name": [None, "Salma Benali-Fictive"]})
    unrelated = audit.record(None, "update", "project", actors.project.id, {"name": ["Projet A", "Projet B"]})
    training = TrainingFactory(cohort=actors.cohort)
    AttendanceFactory(training=training, member=member, present=True)
    db.session.flush()
    kept_before = {f: getattr(member, f) for f in ("project_id", "sex", "birth_date", "role", "is_lead",
                                                    "ownership_pct", "consent_date", "consent_purpose")}

    response = login_as("admin").post(f"{BASE}/members/{member.id}/erase", data={
        "reason": "Demande écrite de Salma Benali-Fictive du 1er juin", "confirmation": f"#{member.id}",
    })
    assert response.status_code == 302
    db.session.expire_all()
    member = db.session.get(Member, member.id)
    assert member.full_name == f"Membre effacé #{member.id}"
    assert (member.phone, member.email, member.role_title) == (None, None, None)
    assert member.erased_at is not None
    assert {f: getattr(member, f) for f in kept_before} == kept_before
    assert len(member.project.members) >= 2
    assert db.session.scalar(sa.select(sa.func.count()).where(Attendance.member_id == member.id)) == 1

    trail = json.dumps([e.changes for e in db.session.scalars(sa.select(AuditEvent))], ensure_ascii=False)
    for value in ("Salma Fictive-Benali", "Salma Benali-Fictive", "+212661234567", "+212662000000",
                  "salma.fictive@example.org", "Co-fondatrice"):
        assert value not in trail, value
    assert db.session.get(AuditEvent, quoting.id).changes == {"display_name": [None, "[erased]"]}
    assert db.session.get(AuditEvent, unrelated.id).changes == {"name": ["Projet A", "Projet B"]}
    own = _events(member.id)
    assert own[0].changes["sex"] == [None, "F"] and own[0].changes["birth_date"] == [None, "1999-04-02"]
    erase = _events(member.id, "member.erase")
    assert len(erase) == 1 and erase[0].user_id == actors.admin.id
    assert erase[0].changes["erased_fields"] == [None, ["full_name", "phone", "email", "role_title"]]
    assert erase[0].changes["reason"] == [None, "Demande écrite de [erased] du 1er juin"]

    # a second erasure is refused, the export now holds nothing identifying
    client = login_as("admin")
    again = client.post(f"{BASE}/members/{member.id}/erase", data={"reason": "x", "confirmation": str(member.id)})
    assert again.status_code == 302 and len(_events(member.id, "member.erase")) == 1
    exported = client.get(f"{BASE}/members/{member.id}/export.json").get_data(as_text=True)
    assert "Salma" not in exported and "+21266" not in exported
