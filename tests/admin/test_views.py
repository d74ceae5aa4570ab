import re

import sqlalchemy as sa

from tests.conftest import PASSWORD, login
from tracker.auth.models import User
from tracker.auth.services import verify_password
from tracker.core.audit import AuditEvent
from tracker.extensions import db


def test_admin_creates_a_holder_linked_to_projects_without_a_password(actors, login_as):
    client = login_as("admin")
    response = client.post("/admin/users/new", data={
        "email": "  Nouvelle.Porteuse@Example.org ", "display_name": "Nouvelle Porteuse", "role": "holder",
        "locale": "ar", "password": "a-long-password", "project_ids": [str(actors.project.id),
                                                                       str(actors.other_project.id)]})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nouvelle.porteuse@example.org"))
    assert {p.id for p in user.projects} == {actors.project.id, actors.other_project.id}
    # No password is typed by the admin any more: the person chooses it from the invitation (issue 17).
    assert not user.has_password and not verify_password(user, "a-long-password")
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "user",
                                                            AuditEvent.entity_id == user.id)
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["create", "invitation_sent"]
    assert "password_hash" not in events[0].changes


def test_the_role_has_no_default_and_holders_come_first(actors, login_as):
    client = login_as("admin")
    page = client.get("/admin/users/new").get_data(as_text=True)
    options = re.findall(r'<option (?:selected )?value="([a-z]*)"', page.split('name="role"')[1].split("</select>")[0])
    assert options == ["", "holder", "staff", "manager", "admin"]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    missing = client.post("/admin/users/new", data={"email": "nobody@example.org", "display_name": "X",
                                                    "locale": "fr"})
    assert missing.status_code == 200 and "Choisissez le rôle du compte." in missing.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == count


def test_duplicate_email_is_refused(actors, login_as):
    client = login_as("admin")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    dup = client.post("/admin/users/new", data={"email": actors.staff.email.upper(), "display_name": "X",
                                                "role": "staff", "locale": "fr"})
    assert dup.status_code == 200
    assert "Un compte existe déjà avec cette adresse e-mail." in dup.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == count


def test_admin_changes_role_and_project_links_is_audited(actors, login_as):
    client = login_as("admin")
    holder = actors.holder
    response = client.post(f"/admin/users/{holder.id}/edit", data={
        "email": holder.email, "display_name": holder.display_name, "role": "holder", "locale": "fr",
        "active": "y", "project_ids": [str(actors.other_project.id)], "version": str(holder.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert [p.id for p in db.session.get(User, holder.id).projects] == [actors.other_project.id]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "update",
                                                          AuditEvent.entity_id == holder.id))
    assert event.changes["project_ids"] == [[actors.project.id], [actors.other_project.id]]


def test_admin_cannot_deactivate_themself(actors, login_as):
    client = login_as("admin")
    client.post(f"/admin/users/{actors.admin.id}/edit", data={
        "email": actors.admin.email, "display_name": "A", "role": "admin", "locale": "fr",
        "version": str(actors.admin.version)})
    db.session.expire_all()
    assert db.session.get(User, actors.admin.id).active is True


def test_reactivated_user_can_log_in_again(app, actors, login_as):
    admin = login_as("admin")
    admin.post(f"/admin/users/{actors.staff.id}/deactivate")
    db.session.expire_all()
    staff = db.session.get(User, actors.staff.id)
    assert staff.active is False
    admin.post(f"/admin/users/{staff.id}/edit", data={
        "email": staff.email, "display_name": staff.display_name, "role": "staff", "locale": "fr", "active": "y",
        "version": str(staff.version)})
    assert login(app.test_client(), staff, PASSWORD)


def test_the_accounts_list_pages_and_filters_by_role(actors, login_as):
    """The list's statements are built once (issue 20): the role, page and page size are bound at each view."""
    from tests.factories import UserFactory
    from tracker.auth.services import user_list_page

    for n in range(3):
        UserFactory(role="staff", display_name=f"Zz mentor fictif {n}")
    UserFactory(role="staff", display_name="Aa mentor fictif désactivé", active=False)
    db.session.commit()
    everyone = user_list_page(None, per_page=100)
    assert everyone.total == len(everyone.items) == db.session.query(User).count()
    assert everyone.items[-1].display_name == "Aa mentor fictif désactivé"  # active accounts first, by name
    staff = user_list_page("staff", per_page=2)
    total = db.session.query(User).filter(User.role == "staff").count()
    assert staff.total == total >= 5 and staff.pages == -(-total // 2) and len(staff.items) == 2
    seen = [u.id for n in range(1, staff.pages + 1)
            for u in (staff if n == 1 else _next_page(n)).items]
    assert sorted(seen) == sorted(u.id for u in db.session.query(User).filter(User.role == "staff"))
    page = login_as("admin").get("/admin/users?role=staff").get_data(as_text=True)
    shown = re.findall(r"<td>(Aa mentor fictif désactivé|Zz mentor fictif \d)</td>", page)
    assert shown == ["Zz mentor fictif 0", "Zz mentor fictif 1", "Zz mentor fictif 2", "Aa mentor fictif désactivé"]
    assert actors.holder.display_name not in page


def _next_page(n: int):
    from flask import current_app

    from tracker.auth.services import user_list_page

    with current_app.test_request_context(f"/admin/users?role=staff&page={n}"):
        return user_list_page("staff", per_page=2)
