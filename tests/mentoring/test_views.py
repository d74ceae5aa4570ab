import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.conftest import FROZEN_TODAY
from tests.factories import ProjectFactory
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode

TODAY = FROZEN_TODAY
pytestmark = pytest.mark.usefixtures("frozen_today")
CONFLICT = "Cet enregistrement a été modifié par"


def form_data(project, **overrides):
    data = {"project_id": str(project.id), "date": (TODAY - dt.timedelta(days=1)).isoformat(),
            "duration_minutes": "45", "mode": "phone", "topics": "Prix de vente",
            "shared_summary": "Revoir la grille tarifaire.", "staff_notes": "Associés en désaccord.",
            "next_session_date": (TODAY + dt.timedelta(days=20)).isoformat()}
    return data | overrides


def row(index, description="", owner="project", owner_user="", due="", milestone="", item_id=""):
    return {f"items-{index}-id": str(item_id), f"items-{index}-description": description,
            f"items-{index}-owner_kind": owner, f"items-{index}-owner_user_id": str(owner_user),
            f"items-{index}-due_date": due, f"items-{index}-milestone_id": str(milestone)}


def sessions_of(project):
    return db.session.scalars(sa.select(MentoringSession).where(MentoringSession.project_id == project.id)).all()


def page_of(response):
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- log a session

def test_log_a_session_with_two_items_in_one_post_ignoring_empty_rows(actors, login_as):
    milestone = MilestoneFactory(project=actors.project, title="Première vente en boutique")
    client = login_as("staff")
    due = (TODAY + dt.timedelta(days=10)).isoformat()
    response = client.post("/sessions/new", data=form_data(actors.project) | row(0, "Envoyer trois devis", due=due,
                                                                                    milestone=milestone.id)
                           | row(1) | row(2, "Relancer la banque", owner="staff") | row(3), follow_redirects=False)
    assert response.status_code == 302
    assert response.location.endswith(f"/projects/{actors.project.id}#timeline")
    [session] = sessions_of(actors.project)
    assert session.mentor_id == actors.staff.id and session.mode == SessionMode.PHONE
    assert [(i.description, i.owner_kind, i.owner_user_id, i.milestone_id) for i in session.action_items] == [
        ("Envoyer trois devis", ActionOwner.PROJECT, None, milestone.id),
        ("Relancer la banque", ActionOwner.STAFF, actors.staff.id, None),
    ]
    audited = db.session.execute(sa.select(AuditEvent.entity_type, AuditEvent.action)
                                 .where(AuditEvent.entity_type != "user")).all()
    assert sorted(audited) == [("action_item", "create")] * 2 + [("mentoring_session", "create")]
    flashed = page_of(client.get(f"/projects/{actors.project.id}"))
    assert "a été enregistrée" in flashed


def test_the_new_form_defaults_to_today_the_current_user_and_an_hour(actors, login_as):
    MilestoneFactory(project=actors.project, title="Jalon du projet choisi")
    page = page_of(login_as("manager").get(f"/sessions/new?project={actors.project.id}"))
    assert f'value="{TODAY.isoformat()}"' in page
    assert re.search(rf'<option selected value="{actors.manager.id}">', page)
    assert 'name="duration_minutes"' in page and 'value="60"' in page
    assert re.search(rf'<option value="{actors.project.id}" selected>', page)
    assert page.count("data-item-row ") == 2 + 1  # two empty rows, plus the row template
    assert "Jalon du projet choisi" in page
    assert 'id="action-item-template"' in page and "items-__INDEX__-description" in page


def test_staff_always_log_as_themselves(actors, login_as):
    client = login_as("staff")
    page = page_of(client.get("/sessions/new"))
    assert 'name="mentor_id"' not in page
    response = client.post("/sessions/new", data=form_data(actors.project, mentor_id=str(actors.manager.id)))
    assert response.status_code == 302
    assert sessions_of(actors.project)[0].mentor_id == actors.staff.id


def test_managers_log_on_behalf_of_a_staff_member(actors, login_as):
    response = login_as("manager").post("/sessions/new",
                                        data=form_data(actors.project, mentor_id=str(actors.staff.id)))
    assert response.status_code == 302
    assert sessions_of(actors.project)[0].mentor_id == actors.staff.id


@pytest.mark.parametrize("overrides, message", [
    ({"date": (TODAY + dt.timedelta(days=1)).isoformat()}, "La date de la séance ne peut pas être dans le futur."),
    ({"duration_minutes": "0"}, "La durée doit être comprise entre 1 et 600 minutes."),
    ({"duration_minutes": "601"}, "La durée doit être comprise entre 1 et 600 minutes."),
    ({"next_session_date": (TODAY - dt.timedelta(days=30)).isoformat()},
     "La prochaine séance ne peut pas être avant la date de cette séance."),
    ({"project_id": ""}, "Choisissez le projet accompagné."),
    ({"mode": ""}, "Indiquez le mode de la séance."),
    (row(0, "", due=TODAY.isoformat()), "Décrivez l&#39;action à mener, ou videz la ligne."),
    (row(0, "Trop tôt", due=(TODAY - dt.timedelta(days=9)).isoformat()),
     "L&#39;échéance ne peut pas être avant la date de la séance."),
])
def test_invalid_input_is_explained_in_french_and_kept(actors, login_as, overrides, message):
    response = login_as("staff").post("/sessions/new", data=form_data(actors.project, topics="Ma saisie") | overrides)
    page = page_of(response)
    assert response.status_code == 200
    assert message in page
    assert 'value="Ma saisie"' in page
    assert sessions_of(actors.project) == []


def test_item_error_is_shown_beside_its_row(actors, login_as):
    response = login_as("staff").post("/sessions/new", data=form_data(actors.project) | row(0, "Bonne ligne")
                                      | row(1) | row(2, "Mauvaise", due=(TODAY - dt.timedelta(days=9)).isoformat()))
    page = page_of(response)
    # The error sits under the due date of the third posted row, whose posted number was 2.
    assert re.search(r'id="items-2-due_date-errors"[^>]*>\s*<div>L&#39;échéance', page)
    assert 'value="Bonne ligne"' in page


def test_add_item_without_javascript_redraws_with_one_more_row_and_saves_nothing(actors, login_as):
    client = login_as("staff")
    response = client.post("/sessions/new", data=form_data(actors.project) | row(0, "Déjà saisie") | row(1)
                           | {"add_item": "1"})
    page = page_of(response)
    assert response.status_code == 200
    assert page.count("data-item-row ") == 3 + 1
    assert 'value="Déjà saisie"' in page
    assert "Le formulaire contient des erreurs" not in page
    assert sessions_of(actors.project) == []


def test_remove_item_without_javascript_drops_that_row(actors, login_as):
    client = login_as("staff")
    response = client.post("/sessions/new", data=form_data(actors.project) | row(0, "Première") | row(2, "Seconde")
                           | {"remove_item": "2"})
    page = page_of(response)
    assert 'value="Première"' in page and "Seconde" not in page
    assert sessions_of(actors.project) == []


def test_refreshing_after_a_project_change_offers_the_new_projects_milestones(actors, login_as):
    MilestoneFactory(project=actors.project, title="Jalon A")
    MilestoneFactory(project=actors.other_project, title="Jalon B")
    page = page_of(login_as("staff").post("/sessions/new", data=form_data(actors.other_project) | row(0)
                                          | {"refresh": "1"}))
    assert "Jalon B" in page and "Jalon A" not in page


def test_milestones_json_lists_the_projects_milestones(actors, login_as):
    milestone = MilestoneFactory(project=actors.project, title="Immatriculation")
    response = login_as("staff").get(f"/sessions/milestones?project={actors.project.id}")
    assert response.get_json() == {"milestones": [{"id": milestone.id, "title": "Immatriculation"}]}
    assert login_as("staff").get("/sessions/milestones?project=999999").status_code == 404


def test_the_form_page_has_no_inline_script_or_handler(actors, login_as):
    page = page_of(login_as("manager").get("/sessions/new"))
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert re.findall(r"\son[a-z]+\s*=", page) == []
    assert "js/session_form.js" in page


# ---------------------------------------------------------------- edit and delete

def own_session(actors, **kwargs):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff,
                                      date=TODAY - dt.timedelta(days=3), next_session_date=None, **kwargs)
    db.session.flush()
    return session


def edit_data(session, **overrides):
    return form_data(session.project, date=session.date.isoformat(), next_session_date="",
                     version=str(session.version)) | overrides


def test_staff_edit_their_own_session_and_its_items(actors, login_as):
    session = own_session(actors)
    keep = ActionItemFactory(session=session, description="Garder", due_date=TODAY)
    drop = ActionItemFactory(session=session, description="Retirer", due_date=TODAY)
    db.session.commit()
    drop_id = drop.id
    client = login_as("staff")
    page = page_of(client.get(f"/sessions/{session.id}/edit"))
    assert 'value="Garder"' in page and 'value="Retirer"' in page
    response = client.post(f"/sessions/{session.id}/edit", data=edit_data(session, topics="Corrigé")
                           | row(0, "Garder, reformulée", due=TODAY.isoformat(), item_id=keep.id)
                           | row(3, "Ajoutée"))
    assert response.status_code == 302
    db.session.expire_all()
    session = db.session.get(MentoringSession, session.id)
    assert session.topics == "Corrigé"
    assert [i.description for i in session.action_items] == ["Garder, reformulée", "Ajoutée"]
    removal = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "action_item",
                                                            AuditEvent.action == "delete"))
    assert removal.entity_id == drop_id and removal.changes["description"] == ["Retirer", None]


def test_a_done_item_shows_as_done_in_the_edit_form_and_stays_done(actors, login_as):
    session = own_session(actors)
    done = ActionItemFactory(session=session, description="Déjà faite", due_date=dt.date(2020, 1, 1),
                             done_date=TODAY - dt.timedelta(days=1))
    db.session.commit()
    client = login_as("staff")
    assert "Faite le" in page_of(client.get(f"/sessions/{session.id}/edit"))
    # Its old due date (before the session) does not block saving other changes.
    response = client.post(f"/sessions/{session.id}/edit", data=edit_data(session, topics="Autre sujet")
                           | row(0, "Déjà faite", due="2020-01-01", item_id=done.id))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ActionItem, done.id).done_date == TODAY - dt.timedelta(days=1)


def test_staff_cannot_edit_another_mentors_session_but_a_manager_can(actors, login_as):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.manager,
                                      date=TODAY - dt.timedelta(days=3), next_session_date=None)
    db.session.flush()
    data = edit_data(session, topics="Par quelqu'un d'autre")
    assert login_as("staff").post(f"/sessions/{session.id}/edit", data=data).status_code == 403
    assert session.topics != "Par quelqu'un d'autre"
    response = login_as("admin").post(f"/sessions/{session.id}/edit", data=data | {"mentor_id": str(actors.manager.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MentoringSession, session.id).topics == "Par quelqu'un d'autre"


def test_edit_conflict_keeps_the_input_and_shows_the_saved_values(actors, login_as):
    session = own_session(actors)
    client = login_as("staff")
    stale = session.version
    session.topics = "Saisi entre-temps"
    db.session.commit()  # another user's save, committed before this form is posted
    response = client.post(f"/sessions/{session.id}/edit",
                           data=edit_data(session, topics="Ma version", version=str(stale)) | row(0, "Mon action"))
    page = page_of(response)
    assert response.status_code == 200
    assert CONFLICT in page
    assert 'value="Ma version"' in page and 'value="Mon action"' in page
    assert "Saisi entre-temps" in page
    assert f'name="version" type="hidden" value="{session.version}"' in page
    db.session.expire_all()
    assert db.session.get(MentoringSession, session.id).topics == "Saisi entre-temps"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 0


def test_delete_is_confirmed_then_audited(actors, login_as):
    session = own_session(actors)
    ActionItemFactory(session=session)
    db.session.commit()
    session_id = session.id
    client = login_as("staff")
    confirm = client.get(f"/sessions/{session_id}/delete")
    assert "Supprimer la séance du" in page_of(confirm)
    assert db.session.get(MentoringSession, session_id) is not None  # a GET deletes nothing
    response = client.post(f"/sessions/{session_id}/delete")
    assert response.status_code == 302 and response.location.endswith(f"/projects/{actors.project.id}#timeline")
    db.session.expire_all()
    assert db.session.get(MentoringSession, session_id) is None
    events = db.session.execute(sa.select(AuditEvent.entity_type, AuditEvent.action)).all()
    assert ("mentoring_session", "delete") in events and ("action_item", "delete") in events


# ---------------------------------------------------------------- done / reopen

def test_complete_and_reopen_an_item_then_go_back_to_next(actors, login_as):
    item = ActionItemFactory(session=own_session(actors))
    db.session.commit()
    client = login_as("staff")
    response = client.post(f"/sessions/action-items/{item.id}/done", data={"next": "/?tab=portfolio"})
    assert response.status_code == 302 and response.location == "/?tab=portfolio"
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).done_date == TODAY
    response = client.post(f"/sessions/action-items/{item.id}/reopen", data={"next": "https://evil.example/"})
    assert response.location.endswith(f"/projects/{actors.project.id}#timeline")
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).done_date is None
    changes = db.session.scalars(sa.select(AuditEvent.changes).where(
        AuditEvent.entity_type == "action_item", AuditEvent.entity_id == item.id).order_by(AuditEvent.id)).all()
    assert changes == [{"done_date": [None, TODAY.isoformat()]}, {"done_date": [TODAY.isoformat(), None]}]


def test_a_holder_marks_their_own_projects_item_done_but_not_anothers(actors, login_as):
    mine = ActionItemFactory(session=own_session(actors))
    theirs = ActionItemFactory(session=MentoringSessionFactory(project=actors.other_project))
    db.session.commit()
    client = login_as("holder")
    assert client.post(f"/sessions/action-items/{mine.id}/done").status_code == 302
    assert client.post(f"/sessions/action-items/{theirs.id}/done").status_code == 404
    db.session.expire_all()
    assert db.session.get(ActionItem, mine.id).done_date == TODAY
    assert db.session.get(ActionItem, theirs.id).done_date is None


def test_done_button_macro_switches_between_done_and_reopen(app, actors):
    from flask import render_template_string
    from flask_login import login_user

    item = ActionItemFactory(session=own_session(actors))
    source = ('{% from "mentoring/_action_item_button.html" import done_button %}'
              '{{ done_button(item, "/projects/1") }}')
    with app.test_request_context():
        login_user(actors.staff)
        open_html = render_template_string(source, item=item)
        item.done_date = TODAY
        done_html = render_template_string(source, item=item)
    assert f'action="/sessions/action-items/{item.id}/done"' in open_html
    assert f'action="/sessions/action-items/{item.id}/reopen"' in done_html
    for html in (open_html, done_html):
        assert 'name="csrf_token"' in html and 'name="next" value="/projects/1"' in html


# ---------------------------------------------------------------- list

def test_list_filters(actors, login_as):
    other_cohort_project = ProjectFactory()
    mine = MentoringSessionFactory(project=actors.project, mentor=actors.staff, date=dt.date(2025, 3, 1),
                                   topics="Sujet mine")
    MentoringSessionFactory(project=actors.other_project, mentor=actors.manager, date=dt.date(2025, 5, 1),
                            topics="Sujet manager")
    MentoringSessionFactory(project=other_cohort_project, mentor=actors.manager, date=dt.date(2025, 7, 1),
                            topics="Sujet ailleurs")
    db.session.flush()
    client = login_as("staff")

    def topics(query):
        page = page_of(client.get("/sessions/" + query))
        return {t for t in ("Sujet mine", "Sujet manager", "Sujet ailleurs") if t in page}

    assert topics("") == {"Sujet mine", "Sujet manager", "Sujet ailleurs"}
    assert topics("?mine=1") == {"Sujet mine"}
    assert topics(f"?mentor={actors.manager.id}") == {"Sujet manager", "Sujet ailleurs"}
    assert topics(f"?cohort={actors.cohort.id}") == {"Sujet mine", "Sujet manager"}
    assert topics(f"?project={actors.other_project.id}") == {"Sujet manager"}
    assert topics("?from=2025-04-01&to=2025-06-30") == {"Sujet manager"}
    assert topics("?from=pas-une-date") == {"Sujet mine", "Sujet manager", "Sujet ailleurs"}
    assert mine.staff_notes not in page_of(client.get("/sessions/"))


def test_list_shows_open_and_overdue_counts(actors, login_as):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff)
    ActionItemFactory(session=session, due_date=TODAY - dt.timedelta(days=1))
    ActionItemFactory(session=session, due_date=TODAY + dt.timedelta(days=1))
    ActionItemFactory(session=session, due_date=TODAY - dt.timedelta(days=1), done_date=TODAY)
    db.session.flush()
    page = page_of(login_as("staff").get("/sessions/"))
    assert re.search(r'<td class="text-end">2</td>\s*<td class="text-end"><span class="badge text-bg-danger">1</span>',
                     page)


def test_list_query_count_is_the_same_for_5_and_50_sessions(actors, login_as, count_queries):
    client = login_as("staff")

    def add_sessions(n):
        for i in range(n):
            project = ProjectFactory(cohort=actors.cohort)
            mentor = actors.staff if i % 2 else actors.manager
            session = MentoringSessionFactory(project=project, mentor=mentor, date=TODAY - dt.timedelta(days=i))
            ActionItemFactory(session=session, due_date=TODAY - dt.timedelta(days=1))
            ActionItemFactory(session=session, owner_kind=ActionOwner.STAFF, owner_user=mentor)
        db.session.flush()

    add_sessions(5)
    client.get("/sessions/")
    with count_queries() as few:
        first = client.get("/sessions/")
    add_sessions(45)
    with count_queries() as many:
        second = client.get("/sessions/")
    assert page_of(first).count('href="/sessions/') - page_of(first).count('href="/sessions/new') >= 5
    assert page_of(second).count("<tr>") > page_of(first).count("<tr>")
    assert len(many) == len(few), "\n".join(many)


# ---------------------------------------------------------------- counting a long list (issue 20)


def test_a_long_list_counts_a_window_past_the_page_and_says_more_than(app, actors, login_as, monkeypatch,
                                                                      count_queries):
    """Counting the whole programme's sessions on every view cost 25-30 ms at 400,000: the list counts
    COUNT_AHEAD sessions past the first it shows, says "more than" beyond, and the window moves with the page."""
    from tracker.mentoring import services

    monkeypatch.setattr(services, "COUNT_AHEAD", 6)
    app.config["SESSIONS_PER_PAGE"] = 2
    for day in range(11):
        MentoringSessionFactory(project=actors.project, mentor=actors.staff, date=dt.date(2025, 3, 1 + day))
    db.session.flush()
    client = login_as("staff")
    try:
        with count_queries() as statements:
            first = page_of(client.get("/sessions/"))
        assert "Plus de 6 séances" in first
        assert re.findall(r'page=(\d+)"', first)[-2:] == ["3", "2"]  # the window's last page (3), then "next"
        assert any("LIMIT" in sql and "count(*)" in sql for sql in statements)
        fourth = page_of(client.get("/sessions/?page=4"))  # sessions 7-8 of 11; the window reaches 12
        assert "11 séances" in fourth and "Plus de" not in fourth
        assert re.findall(r'page=(\d+)"', fourth)[-2:] == ["6", "5"]  # the real last page, then "next"
        assert page_of(client.get(f"/sessions/?project={actors.other_project.id}")).count("Plus de") == 0
    finally:
        app.config["SESSIONS_PER_PAGE"] = 25
