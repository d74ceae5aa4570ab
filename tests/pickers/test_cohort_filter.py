"""The cohort filter of the list pages (issue 20): a cohort picker that renders "all" and the chosen cohort only,
however many cohorts the programme has; the others come from /pickers/cohorts as one types."""

import datetime as dt
import re

import pytest

from tests.factories import CohortFactory
from tracker.extensions import db

# page address, the filter's id, who looks
PAGES = [
    ("/projects/?", "f-cohort", "staff"),
    ("/sessions/?", "f-cohort", "staff"),
    ("/trainings/?", "f-cohort", "staff"),
    ("/period-reports/review?", "f-cohort", "manager"),
    ("/period-reports/due?", "f-cohort", "manager"),
    ("/?", "pf-cohort", "staff"),
    ("/?mentor=all&", "pf-cohort", "manager"),
]


def _select(html: str, select_id: str) -> re.Match:
    select = re.search(rf'<select[^>]* id="{select_id}"(?P<attrs>[^>]*)>(?P<body>.*?)</select>', html, re.S)
    assert select is not None, f"no #{select_id}"
    return select


def _options(select: re.Match) -> list[tuple[str, bool, str]]:
    return [(value, bool(chosen), text.strip())
            for value, chosen, text in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>',
                                                  select.group("body"))]


@pytest.fixture
def many_cohorts(actors):
    cohorts = [CohortFactory(name=f"Forum fictif {n:02d}", slug=f"forum-fictif-{n:02d}", city="Ville fictive",
                             forum_date=dt.date(2024 + n % 2, 5, 1)) for n in range(30)]
    db.session.commit()
    return cohorts


@pytest.mark.parametrize(("address", "select_id", "role"), PAGES)
def test_the_filter_renders_only_all_and_the_chosen_cohort(many_cohorts, actors, login_as, address, select_id, role):
    client = login_as(role)
    chosen = many_cohorts[17]
    response = client.get(f"{address}cohort={chosen.id}")
    assert response.status_code == 200
    select = _select(response.get_data(as_text=True), select_id)
    assert 'data-picker="/pickers/cohorts' in select.group(0)
    options = _options(select)
    assert options[0] == ("", False, "Toutes") and options[-1] == (str(chosen.id), True, "Forum fictif 17")
    assert len(options) == (3 if address.startswith("/trainings/") else 2)  # the trainings' "whole programme"

    unfiltered = client.get(address).get_data(as_text=True)
    names = {text for _, _, text in _options(_select(unfiltered, select_id))}
    assert not names & {cohort.name for cohort in [*many_cohorts, actors.cohort]}
    assert "tom-select.complete.min.js" in unfiltered


def test_the_picker_finds_every_cohort_the_filter_no_longer_lists(many_cohorts, login_as):
    client = login_as("staff")
    first = client.get("/pickers/cohorts?q=fictif").get_json()
    assert len(first["results"]) == 20 and first["more"] is True
    second = client.get("/pickers/cohorts?q=fictif&page=2").get_json()
    assert len(second["results"]) == 10 and second["more"] is False
    found = [r["value"] for r in first["results"] + second["results"]]
    assert found == [cohort.id for cohort in many_cohorts]  # by name
    assert first["results"][1] == {"value": many_cohorts[1].id, "text": "Forum fictif 01",
                                   "group": "Ville fictive · 2025"}
    by_slug = client.get("/pickers/cohorts?q=forum-fictif-07").get_json()["results"]
    assert [r["text"] for r in by_slug] == ["Forum fictif 07"]


def test_the_trainings_filter_keeps_its_whole_programme_choice(many_cohorts, login_as):
    client = login_as("staff")
    html = client.get("/trainings/?cohort=programme").get_data(as_text=True)
    assert _options(_select(html, "f-cohort")) == [("", False, "Toutes"),
                                                   ("programme", True, "Tout le programme (sans cohorte)")]
