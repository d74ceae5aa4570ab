"""Server-side picker searches (issue 17): by name or number, 20 at a time, within what the user may see."""

from tests.factories import ProjectFactory, UserFactory
from tracker.extensions import db


def test_projects_by_name_or_number_twenty_at_a_time(actors, login_as):
    for n in range(45):
        ProjectFactory(cohort=actors.cohort, code=f"Z{n:02d}", name=f"Coopérative des dattes {n:02d}")
    ProjectFactory(cohort=actors.cohort, code="Q77", name="Atelier de poterie")
    db.session.commit()
    client = login_as("staff")
    first = client.get("/pickers/projects?q=dattes").get_json()
    assert len(first["results"]) == 20 and first["more"] is True
    third = client.get("/pickers/projects?q=dattes&page=3").get_json()
    assert len(third["results"]) == 5 and third["more"] is False
    seen = {r["value"] for page in (1, 2, 3)
            for r in client.get(f"/pickers/projects?q=dattes&page={page}").get_json()["results"]}
    assert len(seen) == 45
    by_number = client.get("/pickers/projects?q=q77").get_json()["results"]
    assert [r["text"] for r in by_number] == ["Q77 · Atelier de poterie"]
    assert by_number[0]["group"] == actors.cohort.name


def test_wildcards_are_searched_literally(actors, login_as):
    ProjectFactory(cohort=actors.cohort, name="Recyclage 100% local")
    db.session.commit()
    client = login_as("admin")
    assert [r["text"] for r in client.get("/pickers/projects?q=100%25").get_json()["results"]][0].endswith(
        "Recyclage 100% local")
    assert client.get("/pickers/projects?q=_%25_").get_json()["results"] == []


def test_holders_find_their_own_projects_only(actors, login_as):
    results = login_as("holder").get("/pickers/projects?q=").get_json()["results"]
    assert [r["value"] for r in results] == [actors.project.id]


def test_staff_inviting_find_the_projects_assigned_to_them(actors, login_as):
    mine = ProjectFactory(cohort=actors.cohort, name="Projet confié")
    mine.staff = [actors.staff]
    db.session.commit()
    results = login_as("staff").get("/pickers/projects?invite=1").get_json()["results"]
    assert [r["value"] for r in results] == [mine.id]


def test_staff_search_lists_active_staff_side_accounts(actors, login_as):
    UserFactory(role="staff", display_name="Zineb Relectrice")
    UserFactory(role="staff", display_name="Zineb Partie", active=False)
    UserFactory(role="holder", display_name="Zineb Porteuse")
    db.session.commit()
    results = login_as("manager").get("/pickers/staff?q=zineb").get_json()["results"]
    assert [r["text"] for r in results] == ["Zineb Relectrice"]


def test_bad_page_numbers_fall_back_to_the_first_page(actors, login_as):
    client = login_as("admin")
    for page in ("0", "-1", "abc", "99999999999999999999"):
        response = client.get(f"/pickers/projects?page={page}")
        assert response.status_code == 200 and "results" in response.get_json()
