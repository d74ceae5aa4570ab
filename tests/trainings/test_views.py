import datetime as dt
import re

import sqlalchemy as sa

from tests.factories import CohortFactory, MemberFactory, ProjectFactory
from tests.trainings.factories import AttendanceFactory, TrainingFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.projects.models import ProjectStatus
from tracker.trainings.models import Attendance, Topic, Training

CONFLICT = "Cet enregistrement a été modifié par"


def form_data(**overrides):
    data = {"title": "Vendre en ligne", "cohort_id": "", "topic": "marketing", "date": "2025-05-20",
            "duration_hours": "3", "trainer": "Reda Fictif", "place": "En ligne", "mode": "online"}
    return data | overrides


def marks_of(training):
    db.session.expire_all()
    return dict(db.session.execute(sa.select(Attendance.member_id, Attendance.present)
                                   .where(Attendance.training_id == training.id)).all())


def training_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Training))


# ---------------------------------------------------------------- create, edit, delete

def test_create_training_through_the_form(actors, login_as):
    client = login_as("staff")
    response = client.post("/trainings/new", data=form_data(cohort_id=str(actors.cohort.id), duration_hours="1,5"),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "La formation « Vendre en ligne » a été créée." in page
    training = db.session.scalar(sa.select(Training).where(Training.title == "Vendre en ligne"))
    assert training.cohort_id == actors.cohort.id
    assert str(training.duration_hours) == "1.50"
    assert training.topic == Topic.MARKETING


def test_create_without_cohort_is_shown_as_programme_wide(actors, login_as):
    client = login_as("manager")
    response = client.post("/trainings/new", data=form_data(), follow_redirects=True)
    assert "Tout le programme" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Training.cohort_id).where(Training.title == "Vendre en ligne")) is None


def test_invalid_input_gets_french_messages_and_writes_nothing(actors, login_as):
    client = login_as("staff")
    before = training_count()
    page = client.post("/trainings/new", data=form_data(title="  ", date="", duration_hours="")).get_data(as_text=True)
    assert "Le titre est obligatoire." in page
    assert "La date est obligatoire." in page
    assert "La durée est obligatoire." in page
    assert "Le formulaire contient des erreurs" in page
    for value, message in (("0", "supérieure à 0"), ("150", "au plus 100 heures"), ("trois", "un nombre d")):
        response = client.post("/trainings/new", data=form_data(duration_hours=value))
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), value
    assert training_count() == before


def test_edit_conflict_keeps_input_and_shows_the_saved_values(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort, title="Titre initial")
    client = login_as("staff")
    stale = training.version
    training.title = "Titre d'un collègue"
    db.session.commit()  # another user's save, committed before this form is posted
    response = client.post(f"/trainings/{training.id}/edit",
                           data=form_data(title="Ma saisie", version=str(stale), cohort_id=str(actors.cohort.id)))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CONFLICT in page
    assert 'value="Ma saisie"' in page
    assert "Titre d&#39;un collègue" in page
    db.session.expire_all()
    assert db.session.get(Training, training.id).title == "Titre d'un collègue"


def test_edit_saves_and_audits(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort, title="Avant")
    client = login_as("admin")
    assert 'value="Avant"' in client.get(f"/trainings/{training.id}/edit").get_data(as_text=True)
    response = client.post(f"/trainings/{training.id}/edit", data=form_data(
        title="Après", version=str(training.version), cohort_id=str(actors.cohort.id)))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "training",
                                                          AuditEvent.action == "update"))
    assert event.changes["title"] == ["Avant", "Après"]


def test_delete_is_confirmed_then_audited(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort, title="Formation à retirer")
    AttendanceFactory(training=training, member=actors.project.lead)
    db.session.commit()
    client = login_as("staff")
    confirm = client.get(f"/trainings/{training.id}/delete").get_data(as_text=True)
    assert "Formation à retirer" in confirm
    assert "1 présence enregistrée sera supprimée" in confirm
    assert db.session.get(Training, training.id) is not None  # a GET deletes nothing
    response = client.post(f"/trainings/{training.id}/delete", follow_redirects=True)
    assert "La formation « Formation à retirer » a été supprimée." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Training, training.id) is None
    assert marks_of(training) == {}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "delete",
                                                          AuditEvent.entity_type == "training"))
    assert event.changes["title"] == ["Formation à retirer", None]
    assert event.user_id == actors.staff.id


def test_detail_groups_attendance_by_project(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    AttendanceFactory(training=training, member=actors.project.lead, present=True)
    AttendanceFactory(training=training, member=actors.other_project.lead, present=False)
    page = login_as("staff").get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Présents : 1 sur 2 enregistrés." in page
    first = page.index(actors.project.name)
    second = page.index(actors.other_project.name)
    assert page.index(actors.project.lead.full_name) > first
    assert page.index(actors.other_project.lead.full_name) > second


# ---------------------------------------------------------------- list

def test_list_shows_columns_and_counts(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort, title="Prévisions financières", topic=Topic.FINANCE,
                               trainer="Hanane Fictive", place="Safi")
    AttendanceFactory(training=training, member=actors.project.lead, present=True)
    AttendanceFactory(training=training, member=actors.other_project.lead, present=False)
    TrainingFactory(cohort=None, title="Module ouvert à tous")
    page = login_as("staff").get("/trainings/").get_data(as_text=True)
    assert "Prévisions financières" in page and "Finance" in page and "Hanane Fictive" in page
    assert "1 / 2" in page
    assert "0 / 0" in page
    assert "Tout le programme" in page
    assert "2 formations" in page


def test_list_filters(actors, login_as):
    TrainingFactory(cohort=actors.cohort, title="Cohorte et finance", topic=Topic.FINANCE, date=dt.date(2025, 2, 1))
    TrainingFactory(cohort=CohortFactory(), title="Autre cohorte", topic=Topic.LEGAL, date=dt.date(2025, 6, 1))
    TrainingFactory(cohort=None, title="Ouverte à tous", topic=Topic.FINANCE, date=dt.date(2025, 9, 1))
    client = login_as("staff")

    def titles(query):
        page = client.get(f"/trainings/?{query}").get_data(as_text=True)
        return {t for t in ("Cohorte et finance", "Autre cohorte", "Ouverte à tous") if t in page}

    assert titles(f"cohort={actors.cohort.id}") == {"Cohorte et finance"}
    assert titles("cohort=programme") == {"Ouverte à tous"}
    assert titles("topic=finance") == {"Cohorte et finance", "Ouverte à tous"}
    assert titles("from=2025-03-01&to=2025-08-31") == {"Autre cohorte"}
    assert titles("from=01/06/2025") == {"Autre cohorte", "Ouverte à tous"}
    assert client.get("/trainings/?topic=bogus").status_code == 400
    assert client.get("/trainings/?cohort=bogus").status_code == 400
    page = client.get("/trainings/?from=demain").get_data(as_text=True)
    assert "La date « demain » n&#39;est pas valide : ce filtre est ignoré." in page


def test_list_query_count_is_the_same_for_5_and_50_trainings(actors, login_as, count_queries):
    client = login_as("staff")
    members = [actors.project.lead, actors.other_project.lead]

    def add(n):
        for i in range(n):
            training = TrainingFactory(cohort=actors.cohort if i % 2 else None, title=f"Séance fictive {i}")
            for member in members:
                AttendanceFactory(training=training, member=member, present=bool(i % 3))
        db.session.flush()

    add(5)
    client.get("/trainings/")
    with count_queries() as few:
        five = client.get("/trainings/").get_data(as_text=True)
    add(45)
    with count_queries() as many:
        fifty = client.get("/trainings/").get_data(as_text=True)
    rows = re.compile(r'<a href="/trainings/\d+">')
    assert len(rows.findall(five)) == 5
    assert len(rows.findall(fifty)) == 25  # one page
    assert "50 formations" in fifty
    assert len(many) == len(few), (len(few), len(many))


# ---------------------------------------------------------------- attendance sheet

def sheet_project(cohort, n, **kwargs):
    project = ProjectFactory(cohort=cohort, **kwargs)
    return project, [project.lead, *[MemberFactory(project=project) for _ in range(n - 1)]]


def test_sheet_lists_members_grouped_by_project(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    paused, _ = sheet_project(actors.cohort, 1, status=ProjectStatus.PAUSED, name="Projet en pause")
    AttendanceFactory(training=training, member=actors.project.lead, present=True)
    client = login_as("staff")
    page = client.get(f"/trainings/{training.id}/attendance").get_data(as_text=True)
    for project in (actors.project, actors.other_project):
        assert f'id="p-{project.id}-title"' in page and project.code in page
        assert f'name="m-{project.lead.id}"' in page
    other = actors.other_project
    assert page.index(f'id="p-{other.id}-title"') < page.index(f'name="m-{other.lead.id}"')
    assert re.search(rf'id="m-{actors.project.lead.id}-present" value="present" autocomplete="off" checked', page)
    assert "Non renseigné" in page  # the other project's lead has no mark yet
    # the counts sit in the sticky save bar, each in its own element the script updates
    assert re.search(r'data-count="present">1<.*data-count="absent">0<.*data-count="unrecorded">1<', page, re.S)
    assert 'data-attendance-filter' in page and 'name="rest_absent"' in page
    assert "Projet en pause" not in page
    assert "Afficher aussi le projet non actif" in page
    assert "Projet en pause" in client.get(f"/trainings/{training.id}/attendance?inactive=1").get_data(as_text=True)
    assert 'src="/static/js/attendance.js"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (CSP)
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handler


def test_sheet_is_saved_in_one_post_and_editable_later(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    project, members = sheet_project(actors.cohort, 3)
    client = login_as("staff")
    url = f"/trainings/{training.id}/attendance"
    response = client.post(url, data={f"m-{members[0].id}": "present", f"m-{members[1].id}": "present",
                                      f"m-{members[2].id}": "absent", f"m-{actors.project.lead.id}": "absent"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Présences enregistrées : 2 présents, 2 absents." in page
    assert marks_of(training) == {members[0].id: True, members[1].id: True, members[2].id: False,
                                  actors.project.lead.id: False}
    # Later: one member changes, the rest are re-sent as they were, one is left unanswered.
    client.post(url, data={f"m-{members[0].id}": "present", f"m-{members[1].id}": "present",
                           f"m-{members[2].id}": "present"})
    assert marks_of(training) == {members[0].id: True, members[1].id: True, members[2].id: True,
                                  actors.project.lead.id: False}
    audit_rows = list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == "training", AuditEvent.entity_id == training.id,
        AuditEvent.action == "record_attendance").order_by(AuditEvent.id)))
    assert len(audit_rows) == 2
    assert audit_rows[1].changes == {f"member:{members[2].id}": [False, True]}


def test_all_present_records_the_whole_project_without_javascript(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    project, members = sheet_project(actors.cohort, 4)
    client = login_as("staff")
    response = client.post(f"/trainings/{training.id}/attendance",
                           data={f"all-{project.id}": "1", f"m-{members[1].id}": "absent"}, follow_redirects=True)
    assert "4 présents, 0 absent" in response.get_data(as_text=True)
    assert marks_of(training) == {m.id: True for m in members}


def test_foreign_member_is_refused_with_input_kept(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    stranger = ProjectFactory(cohort=CohortFactory()).lead
    db.session.commit()  # the refused POST rolls back what this test has not committed
    client = login_as("staff")
    response = client.post(f"/trainings/{training.id}/attendance",
                           data={f"m-{actors.project.lead.id}": "present", f"m-{stranger.id}": "present"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"ne font pas partie des projets de la cohorte de cette formation (n° {stranger.id})" in page
    assert re.search(rf'id="m-{actors.project.lead.id}-present" value="present" autocomplete="off" checked', page)
    assert marks_of(training) == {}


def test_malformed_fields_are_refused(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    db.session.commit()
    client = login_as("staff")
    page = client.post(f"/trainings/{training.id}/attendance",
                       data={f"m-{actors.project.lead.id}": "peut-être"}).get_data(as_text=True)
    assert "illisibles" in page
    page = client.post(f"/trainings/{training.id}/attendance", data={"all-999999": "1"}).get_data(as_text=True)
    assert "ne figure pas sur cette feuille" in page
    assert marks_of(training) == {}


def test_programme_wide_training_asks_for_the_cohort(actors, login_as):
    training = TrainingFactory(cohort=None)
    other_cohort = CohortFactory(name="Cohorte voisine")
    client = login_as("manager")
    chooser = client.get(f"/trainings/{training.id}/attendance").get_data(as_text=True)
    assert f"/trainings/{training.id}/attendance?cohort={actors.cohort.id}" in chooser
    assert "Cohorte voisine" in chooser
    assert 'name="m-' not in chooser
    url = f"/trainings/{training.id}/attendance?cohort={actors.cohort.id}"
    assert f'name="m-{actors.project.lead.id}"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data={f"m-{actors.project.lead.id}": "present"})
    assert response.status_code == 302 and response.location.endswith(url)
    assert marks_of(training) == {actors.project.lead.id: True}
    # A member of another cohort is refused on this cohort's sheet.
    stranger = ProjectFactory(cohort=other_cohort).lead
    db.session.commit()  # the refused POST rolls back what this test has not committed
    page = client.post(url, data={f"m-{stranger.id}": "present"}).get_data(as_text=True)
    assert "ne font pas partie des projets de la cohorte" in page
    assert stranger.id not in marks_of(training)
    assert client.get(f"/trainings/{training.id}/attendance?cohort=999999").status_code == 404


def test_holder_cannot_post_a_sheet(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    response = login_as("holder").post(f"/trainings/{training.id}/attendance",
                                       data={f"m-{actors.project.lead.id}": "present"})
    assert response.status_code == 404
    assert marks_of(training) == {}


def test_sheet_query_count_is_the_same_for_5_and_50_members(actors, login_as, count_queries):
    client = login_as("staff")

    def measure(size):
        cohort = CohortFactory()
        training = TrainingFactory(cohort=cohort)
        members = []
        for _ in range(size // 5):  # five members per project
            members += sheet_project(cohort, 5)[1]
        for member in members[::2]:
            AttendanceFactory(training=training, member=member, present=True)
        db.session.flush()
        url = f"/trainings/{training.id}/attendance"
        data = {f"m-{m.id}": "absent" for m in members}
        client.get(url)
        with count_queries() as get:
            page = client.get(url).get_data(as_text=True)
        assert page.count('value="absent"') == size
        with count_queries() as post:
            assert client.post(url, data=data).status_code == 302
        assert len(marks_of(training)) == size
        return len(get), len(post)

    five, fifty = measure(5), measure(50)
    assert five == fifty


def test_mark_the_rest_absent_records_every_member_left_without_an_answer(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort)
    project, members = sheet_project(actors.cohort, 3)
    client = login_as("staff")
    response = client.post(f"/trainings/{training.id}/attendance",
                           data={f"m-{members[0].id}": "present", "rest_absent": "1"}, follow_redirects=True)
    assert response.status_code == 200
    marks = marks_of(training)
    assert marks[members[0].id] is True
    assert marks[members[1].id] is False and marks[members[2].id] is False
    assert marks[actors.project.lead.id] is False and marks[actors.other_project.lead.id] is False


def test_attendance_for_a_training_in_the_future_is_refused_with_a_clear_message(actors, login_as):
    import datetime as dt

    training = TrainingFactory(cohort=actors.cohort, date=dt.date.today() + dt.timedelta(days=3))
    client = login_as("staff")
    url = f"/trainings/{training.id}/attendance"
    page = client.get(url).get_data(as_text=True)
    assert 'id="attendance-refused"' in page and "la présence se note à partir de ce jour-là" in page
    assert 'name="rest_absent"' not in page  # no sheet to fill
    response = client.post(url, data={f"m-{actors.project.lead.id}": "present"}, follow_redirects=True)
    assert "la présence se note à partir de ce jour-là" in response.get_data(as_text=True).replace("&#39;", "'")
    assert marks_of(training) == {}
