"""Empty lists say what would appear there and offer the action that fills them (issue 19)."""

import datetime as dt

from tests.conftest import login
from tests.factories import CohortFactory, ProjectFactory, UserFactory
from tests.trainings.factories import TrainingFactory
from tracker.extensions import db


def test_an_empty_project_page_offers_the_first_session_and_says_what_will_appear(actors, login_as):
    project = ProjectFactory(cohort=actors.cohort)
    db.session.commit()
    page = login_as("staff").get(f"/projects/{project.id}").get_data(as_text=True).replace("&#39;", "'")
    assert 'data-empty="timeline"' in page and "apparaîtront ici" in page
    assert f"/sessions/new?project={project.id}" in page and "Consigner la première séance" in page


def test_empty_milestones_offer_to_add_one(actors, login_as):
    project = ProjectFactory(cohort=actors.cohort)
    db.session.commit()
    page = login_as("staff").get(f"/milestones/projects/{project.id}").get_data(as_text=True)
    assert 'data-empty="milestones"' in page
    assert page.count(f"/milestones/projects/{project.id}/new") == 1  # once, in the empty state


def test_a_training_without_attendance_offers_the_sheet(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    db.session.commit()
    page = login_as("staff").get(f"/trainings/{training.id}").get_data(as_text=True)
    assert 'data-empty="attendance"' in page
    assert page.count(f'href="/trainings/{training.id}/attendance"') == 1  # the sheet's button, once


# Nothing recorded yet. page -> (empty-state keys, the action's link or None, roles that see it, roles that act).
STAFF_ROLES = ("admin", "manager", "staff")
EMPTY_LISTS = {
    "/": (("portfolio", "portfolio-items"), 'href="/projects/new"', STAFF_ROLES, STAFF_ROLES),
    "/sessions/": (("sessions",), 'href="/sessions/new', STAFF_ROLES, STAFF_ROLES),
    "/trainings/": (("trainings",), 'href="/trainings/new', STAFF_ROLES, STAFF_ROLES),
    "/projects/": (("projects",), 'href="/projects/new', (*STAFF_ROLES, "holder"), STAFF_ROLES),
    "/cohorts/": (("cohorts",), 'href="/cohorts/new"', STAFF_ROLES, ("admin", "manager")),
    "/period-reports/due": (("reports-due",), None, (*STAFF_ROLES, "holder"), ()),
    "/period-reports/review": (("review-mine", "review-others"), None, STAFF_ROLES, ()),
    "/notifications/": (("notifications",), None, (*STAFF_ROLES, "holder"), ()),
    "/indicators/": (("indicators",), 'href="/indicators/new"', ("admin",), ("admin",)),
    "/admin/audit/?to=2000-01-01": (("audit",), None, ("admin",), ()),
    "/account/tokens/": (("tokens",), None, (*STAFF_ROLES, "holder"), ()),
    "/admin/privacy/": (("members",), None, ("admin",), ()),
    "/reports/cohort": (("report-indicators", "report-periods"), None, STAFF_ROLES, ()),
}


def _empty_world():
    users = {role: UserFactory(role=role) for role in ("admin", "manager", "staff", "holder")}
    db.session.commit()
    return users


def test_every_empty_list_says_what_would_appear_and_offers_the_action_only_to_who_may_act(app):
    users = _empty_world()
    for role, user in users.items():
        client = login(app.test_client(), user)
        for path, (keys, action, seen_by, acted_by) in EMPTY_LISTS.items():
            response = client.get(path)
            if role not in seen_by:  # refused, or (the holder's "/") another page
                other = response.get_data(as_text=True)
                assert response.status_code in (403, 404) or f'data-empty="{keys[0]}"' not in other
                continue
            page = response.get_data(as_text=True)
            assert response.status_code == 200, (role, path)
            for key in keys:
                assert f'data-empty="{key}"' in page, (role, path, key)
            if role in acted_by:
                assert "data-empty-action" in page and action in page, (role, path)
            else:
                assert "data-empty-action" not in page, (role, path)
                if action:
                    assert action not in page, (role, path)


def test_an_empty_project_s_targets_and_reports_explain_themselves_and_only_staff_may_set_targets(actors, login_as):
    project = actors.project
    db.session.commit()
    staff_page = login_as("staff").get(f"/indicators/projects/{project.id}").get_data(as_text=True)
    assert 'data-empty="targets"' in staff_page and f'href="/indicators/projects/{project.id}/targets"' in staff_page
    holder_page = login_as("holder").get(f"/indicators/projects/{project.id}").get_data(as_text=True)
    assert 'data-empty="targets"' in holder_page and f"/indicators/projects/{project.id}/targets" not in holder_page
    assert "data-empty-action" not in holder_page
    starts_later = CohortFactory(start_date=dt.date.today() + dt.timedelta(days=400),
                                 end_date=dt.date.today() + dt.timedelta(days=800))
    future = ProjectFactory(cohort=starts_later)
    db.session.commit()
    assert 'data-empty="project-reports"' in login_as("staff").get(f"/projects/{future.id}").get_data(as_text=True)


def test_the_holder_home_cards_explain_themselves_and_offer_a_milestone(actors, login_as):
    db.session.commit()
    page = login_as("holder").get("/").get_data(as_text=True)
    for key in ("holder-milestones", "holder-targets", "holder-sessions", "holder-trainings"):
        assert f'data-empty="{key}"' in page, key
    assert f'href="/milestones/projects/{actors.project.id}/new"' in page
    assert "/sessions/new" not in page  # a holder never logs a session
    unlinked = UserFactory(role="holder")
    db.session.commit()
    assert 'data-empty="holder-home"' in login_as(unlinked).get("/").get_data(as_text=True)
