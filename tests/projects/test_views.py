import sqlalchemy as sa

from tests.factories import ProjectFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.projects.models import Member, Project

CONFLICT = "Cet enregistrement a été modifié par"


def edit_data(project, **overrides):
    data = {"code": project.code, "name": project.name, "sector": project.sector.value, "status": "active",
            "version": str(project.version), "province": "Safi", "commune": "Safi"}
    return data | overrides


def test_second_of_two_concurrent_edits_gets_conflict_with_input_kept(actors, login_as):
    project = actors.project
    first, second = login_as("staff"), login_as("manager")
    assert first.get(f"/projects/{project.id}/edit").status_code == 200
    assert second.get(f"/projects/{project.id}/edit").status_code == 200
    stale = project.version

    saved = first.post(f"/projects/{project.id}/edit", data=edit_data(project, name="Nom de la première"))
    assert saved.status_code == 302

    clash = second.post(f"/projects/{project.id}/edit",
                        data=edit_data(project, name="Nom de la seconde", version=str(stale)))
    page = clash.get_data(as_text=True)
    assert clash.status_code == 200
    assert CONFLICT in page
    assert 'value="Nom de la seconde"' in page  # what the second user typed is still in the form
    assert "Nom de la première" in page  # and the saved value is shown beside it
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "Nom de la première"


def test_member_edit_conflict_keeps_input(actors, login_as):
    member = actors.project.members[0]
    client = login_as("staff")
    stale = member.version
    member.full_name = "Changé entre-temps"
    db.session.commit()  # another user's save, committed before this form is posted
    response = client.post(f"/projects/{actors.project.id}/members/{member.id}/edit", data={
        "full_name": "Ma saisie", "role": "founder", "is_lead": "y", "consent_date": "2025-01-10",
        "version": str(stale)})
    assert response.status_code == 200
    assert CONFLICT in response.get_data(as_text=True)
    assert 'value="Ma saisie"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Member, member.id).full_name == "Changé entre-temps"


def test_create_project_through_the_form(actors, login_as):
    client = login_as("staff")
    response = client.post("/projects/new", data={
        "cohort_id": str(actors.cohort.id), "code": "P99", "name": "Coopérative Argan Bleu",
        "sector": "local_products", "status": "active", "staff_ids": [str(actors.staff.id)],
        "lead-full_name": "Hind Fictive", "lead-sex": "F", "lead-role": "founder",
        "lead-consent_date": "2025-02-01", "lead-phone": "06 12 34 56 78", "lead-ownership_pct": "100",
    })
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.code == "P99"))
    assert project.lead.full_name == "Hind Fictive"
    assert project.lead.phone == "+212612345678"


def test_bad_input_gets_a_message_and_changes_nothing(actors, login_as):
    client = login_as("staff")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Member))
    response = client.post(f"/projects/{actors.project.id}/members/new", data={
        "full_name": "Sans consentement", "role": "founder", "phone": "12345", "email": "pas-un-email",
        "ownership_pct": "150"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Numéro de téléphone invalide" in page
    assert "Adresse e-mail invalide." in page
    assert "entre 0 et 100" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == before


def test_ownership_sum_over_100_is_refused_in_the_form(actors, login_as):
    project = ProjectFactory(cohort=actors.cohort, lead__ownership_pct=80)
    client = login_as("staff")
    response = client.post(f"/projects/{project.id}/members/new", data={
        "full_name": "Associée Fictive", "role": "co_founder", "consent_date": "2025-01-10", "ownership_pct": "30"})
    assert response.status_code == 200
    assert "dépasseraient 100 %" in response.get_data(as_text=True)
    assert len(project.members) == 1


def test_holder_edits_own_profile_only(actors, login_as):
    client = login_as("holder")
    page = client.get(f"/projects/{actors.project.id}/edit").get_data(as_text=True)
    assert 'name="status"' not in page and 'name="staff_ids"' not in page
    response = client.post(f"/projects/{actors.project.id}/edit", data={
        "name": "Mon projet renommé", "version": str(actors.project.version), "status": "dropped"})
    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, actors.project.id)
    assert project.name == "Mon projet renommé"
    assert project.status.value == "active"


def test_delete_member_is_confirmed_and_audited(actors, login_as):
    member = Member(project=actors.project, full_name="À retirer", consent_date=actors.project.lead.consent_date,
                    consent_purpose="Suivi")
    db.session.add(member)
    db.session.commit()
    client = login_as("staff")
    confirm = client.get(f"/projects/{actors.project.id}/members/{member.id}/delete")
    assert "À retirer" in confirm.get_data(as_text=True)
    assert db.session.get(Member, member.id) is not None  # a GET deletes nothing
    assert client.post(f"/projects/{actors.project.id}/members/{member.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, member.id) is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "delete",
                                                          AuditEvent.entity_id == member.id))
    assert event.changes["full_name"] == ["À retirer", None]


def test_project_list_query_count_does_not_grow_with_rows(actors, login_as, count_queries):
    client = login_as("staff")
    client.get("/projects/")
    with count_queries() as few:
        client.get("/projects/")
    for _ in range(12):
        project = ProjectFactory(cohort=actors.cohort)
        project.staff = [actors.staff]
    db.session.flush()
    with count_queries() as many:
        response = client.get("/projects/")
    assert response.get_data(as_text=True).count("/projects/") > 12
    assert len(many) == len(few)


def test_project_list_filters_by_query_string(actors, login_as):
    ProjectFactory(cohort=actors.cohort, name="Ferme Hydroponique Fictive", sector="agriculture")
    client = login_as("staff")
    page = client.get("/projects/?sector=agriculture").get_data(as_text=True)
    assert "Ferme Hydroponique Fictive" in page and actors.project.name not in page
    every = db.session.scalar(sa.select(sa.func.count(Project.id)))
    assert "1 projet" in page and f"{every} projets" in client.get("/projects/").get_data(as_text=True)
    assert client.get("/projects/?sector=bogus").status_code == 400
