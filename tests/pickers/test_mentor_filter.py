"""The mentor filter of the list pages (issue 20): a staff picker that renders "all" and the chosen person only,
however many staff there are; the others come from /pickers/staff as one types."""

import re

import pytest

from tests.factories import UserFactory
from tracker.extensions import db

# page address (without the mentor), the filter's id and query-string name, the "all" value, who looks
PAGES = [
    ("/projects/?", "f-staff", "staff", "", "manager"),
    ("/sessions/?", "f-mentor", "mentor", "", "manager"),
    ("/period-reports/review?", "f-mentor", "mentor", "all", "manager"),
    ("/period-reports/due?", "f-mentor", "mentor", "all", "manager"),
    ("/?", "pf-mentor", "mentor", "all", "manager"),
]


def _options(html: str, select_id: str) -> list[tuple[str, bool, str]]:
    select = re.search(rf'<select[^>]* id="{select_id}"(?P<attrs>[^>]*)>(?P<body>.*?)</select>', html, re.S)
    assert select is not None, f"no #{select_id}"
    assert 'data-picker="/pickers/staff"' in select.group(0)
    return [(value, bool(chosen), text.strip())
            for value, chosen, text in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>',
                                                  select.group("body"))]


@pytest.fixture
def many_staff(actors):
    people = [UserFactory(role="staff", display_name=f"Mentor fictif {n:02d}") for n in range(30)]
    db.session.commit()
    return people


@pytest.mark.parametrize(("address", "select_id", "name", "everyone", "role"), PAGES)
def test_the_filter_renders_only_all_and_the_chosen_mentor(many_staff, login_as, address, select_id, name,
                                                          everyone, role):
    client = login_as(role)
    chosen = many_staff[17]
    response = client.get(f"{address}{name}={chosen.id}")
    assert response.status_code == 200
    assert _options(response.get_data(as_text=True), select_id) == [
        (everyone, False, "Tous"), (str(chosen.id), True, "Mentor fictif 17")]

    unfiltered = client.get(f"{address}{name}={everyone}" if everyone else address)
    assert _options(unfiltered.get_data(as_text=True), select_id) == [(everyone, False, "Tous")]
    assert "tom-select.complete.min.js" in unfiltered.get_data(as_text=True)


def test_a_staff_member_sees_their_own_name_chosen_by_default(actors, login_as):
    html = login_as("staff").get("/period-reports/review").get_data(as_text=True)
    assert _options(html, "f-mentor") == [("all", False, "Tous"),
                                          (str(actors.staff.id), True, actors.staff.display_name)]


def test_the_picker_finds_every_mentor_the_filter_no_longer_lists(many_staff, login_as):
    client = login_as("manager")
    found = set()
    for page in (1, 2):
        found |= {r["value"] for r in client.get(f"/pickers/staff?q=fictif&page={page}").get_json()["results"]}
    assert found == {person.id for person in many_staff}
