import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import CohortFactory, MemberFactory, ProjectFactory
from tests.trainings.factories import AttendanceFactory, TrainingFactory
from tracker.core.audit import AuditEvent
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.projects.models import ProjectStatus
from tracker.trainings import services
from tracker.trainings.models import Attendance, Topic, Training, TrainingMode


def training_data(**overrides):
    data = {"title": "  Construire   son business plan ", "topic": Topic.BUSINESS_PLAN, "date": dt.date(2025, 4, 2),
            "duration_hours": Decimal("3.5"), "trainer": " Hanane Fictive ", "place": "", "mode": TrainingMode.HYBRID,
            "cohort_id": None, "description": None}
    return data | overrides


def events(entity_id, action=None):
    stmt = sa.select(AuditEvent).where(AuditEvent.entity_type == "training", AuditEvent.entity_id == entity_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def team(project, n):
    """`n` more members in `project`, besides its lead."""
    return [MemberFactory(project=project) for _ in range(n)]


# ---------------------------------------------------------------- trainings

def test_create_training_cleans_input_and_audits(actors):
    training = services.create_training(actors.staff, training_data(cohort_id=actors.cohort.id))
    assert training.title == "Construire son business plan"
    assert training.trainer == "Hanane Fictive" and training.place is None
    assert training.duration_hours == Decimal("3.50")
    [event] = events(training.id, "create")
    assert event.user_id == actors.staff.id
    assert event.changes["title"] == [None, "Construire son business plan"]
    assert event.changes["cohort_id"] == [None, actors.cohort.id]


def test_a_training_without_cohort_is_programme_wide(actors):
    training = services.create_training(actors.staff, training_data())
    assert training.cohort_id is None


@pytest.mark.parametrize("field, value, message", [
    ("title", "   ", "Le titre est obligatoire."),
    ("date", None, "La date est obligatoire."),
    ("topic", None, "Le thème est obligatoire."),
    ("duration_hours", None, "La durée est obligatoire."),
    ("duration_hours", Decimal("0"), "supérieure à 0"),
    ("duration_hours", Decimal("-2"), "supérieure à 0"),
    ("duration_hours", Decimal("0.004"), "supérieure à 0"),  # rounds to 0.00 in the column
    ("duration_hours", Decimal("100.01"), "au plus 100 heures"),
    ("duration_hours", "NaN", "nombre d'heures"),
    ("duration_hours", "trois", "nombre d'heures"),
    ("cohort_id", 999_999, "Cette cohorte n'existe pas."),
    ("title", "x" * 201, "trop long"),
])
def test_training_rules_refuse_and_write_nothing(actors, field, value, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Training))
    with pytest.raises(ServiceError) as error:
        services.create_training(actors.staff, training_data(**{field: value}))
    assert error.value.field == field
    assert message in str(error.value.message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Training)) == before


def test_duration_of_exactly_100_hours_is_accepted(actors):
    assert services.create_training(actors.staff, training_data(duration_hours="100")).duration_hours == 100


def test_update_training_audits_before_and_after(actors):
    training = TrainingFactory(cohort=actors.cohort, title="Ancien titre")
    services.update_training(actors.manager, training, training_data(title="Nouveau titre", cohort_id=actors.cohort.id),
                             training.version)
    [event] = events(training.id, "update")
    assert event.changes["title"] == ["Ancien titre", "Nouveau titre"]
    assert event.user_id == actors.manager.id


def test_update_from_a_stale_version_is_a_conflict(actors):
    training = TrainingFactory(cohort=actors.cohort, title="Tel quel")
    stale = training.version
    training.place = "Ailleurs"
    db.session.flush()
    with pytest.raises(ConflictError):
        services.update_training(actors.staff, training, training_data(title="Perdu"), stale)
    assert training.title == "Tel quel"


def test_cohort_cannot_change_under_recorded_attendance(actors):
    training = TrainingFactory(cohort=actors.cohort)
    AttendanceFactory(training=training, member=actors.project.lead)
    other = CohortFactory()
    with pytest.raises(ServiceError) as error:
        services.update_training(actors.staff, training, training_data(cohort_id=other.id), training.version)
    assert error.value.field == "cohort_id"
    assert training.cohort_id == actors.cohort.id
    # Opening it to the whole programme keeps every recorded member eligible.
    services.update_training(actors.staff, training, training_data(cohort_id=None), training.version)
    assert training.cohort_id is None


def test_delete_training_removes_attendance_and_keeps_it_in_the_audit(actors):
    training = TrainingFactory(cohort=actors.cohort, title="À supprimer")
    AttendanceFactory(training=training, member=actors.project.lead, present=True)
    AttendanceFactory(training=training, member=actors.other_project.lead, present=False)
    training_id = training.id
    services.delete_training(actors.admin, training)
    db.session.expire_all()
    assert db.session.get(Training, training_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)
                             .where(Attendance.training_id == training_id)) == 0
    [event] = events(training_id, "delete")
    assert event.changes["title"] == ["À supprimer", None]
    assert event.changes["attendance"][0] == {str(actors.project.lead.id): True,
                                              str(actors.other_project.lead.id): False}


# ---------------------------------------------------------------- lists

def test_list_query_filters(actors):
    other = CohortFactory()
    finance = TrainingFactory(cohort=actors.cohort, topic=Topic.FINANCE, date=dt.date(2025, 5, 1))
    legal = TrainingFactory(cohort=other, topic=Topic.LEGAL, date=dt.date(2025, 6, 1))
    wide = TrainingFactory(cohort=None, topic=Topic.FINANCE, date=dt.date(2025, 7, 1))

    def ids(**filters):
        return [t.id for t in db.session.scalars(services.training_list_query(services.TrainingFilters(**filters)))]

    assert ids() == [wide.id, legal.id, finance.id]  # newest first
    assert ids(cohort_id=actors.cohort.id) == [finance.id]
    assert ids(programme_wide=True) == [wide.id]
    assert ids(topic=Topic.FINANCE) == [wide.id, finance.id]
    assert ids(date_from=dt.date(2025, 5, 2), date_to=dt.date(2025, 7, 1)) == [wide.id, legal.id]


def test_attendance_totals_in_one_query(actors, count_queries):
    training, empty = TrainingFactory(cohort=actors.cohort), TrainingFactory(cohort=actors.cohort)
    AttendanceFactory(training=training, member=actors.project.lead, present=True)
    AttendanceFactory(training=training, member=actors.other_project.lead, present=False)
    with count_queries() as queries:
        totals = services.attendance_totals([training.id, empty.id])
    assert totals == {training.id: (1, 2), empty.id: (0, 0)}
    assert len(queries) == 1


def test_member_attendance_counts(actors, count_queries):
    project = actors.project
    [second] = team(project, 1)
    first_training = TrainingFactory(cohort=actors.cohort, title="Premier module", date=dt.date(2025, 2, 1))
    later = TrainingFactory(cohort=None, title="Module du programme", topic=Topic.MARKETING, date=dt.date(2025, 3, 1))
    AttendanceFactory(training=first_training, member=project.lead, present=True)
    AttendanceFactory(training=first_training, member=second, present=False)
    AttendanceFactory(training=later, member=project.lead, present=True)
    AttendanceFactory(training=later, member=actors.other_project.lead, present=True)  # not this project

    with count_queries() as queries:
        counts = services.member_attendance_counts(project.id)
    assert len(queries) == 1
    assert counts == {project.lead.id: (2, 2), second.id: (0, 1)}
    assert services.member_attendance_counts(ProjectFactory(cohort=actors.cohort).id) != {}  # lead with (0, 0)


# ---------------------------------------------------------------- attendance

def test_sheet_lists_active_projects_unless_asked(actors):
    paused = ProjectFactory(cohort=actors.cohort, status=ProjectStatus.PAUSED)
    ProjectFactory(cohort=CohortFactory())  # another cohort never shows
    training = TrainingFactory(cohort=actors.cohort)
    AttendanceFactory(training=training, member=actors.project.lead, present=False)
    sheet = services.attendance_sheet(training)
    assert {p.id for p in sheet.projects} == {actors.project.id, actors.other_project.id}
    assert sheet.hidden_projects == 1
    assert sheet.marks == {actors.project.lead.id: False}
    assert sheet.counts() == (0, 1, 1)
    everything = services.attendance_sheet(training, include_inactive=True)
    assert paused.id in {p.id for p in everything.projects}


def test_programme_wide_sheet_needs_a_cohort(actors):
    training = TrainingFactory(cohort=None)
    assert services.attendance_sheet(training).projects == []
    sheet = services.attendance_sheet(training, cohort_id=actors.cohort.id)
    assert sheet.cohort.id == actors.cohort.id and len(sheet.projects) == 2


def test_record_attendance_creates_then_updates_with_one_audit_event_each(actors):
    training = TrainingFactory(cohort=actors.cohort)
    lead, other_lead = actors.project.lead, actors.other_project.lead
    [extra] = team(actors.project, 1)

    result = services.record_attendance(actors.staff, training, {lead.id: True, extra.id: True, other_lead.id: False})
    assert (result.present, result.absent) == (2, 1)
    rows = dict(db.session.execute(sa.select(Attendance.member_id, Attendance.present)
                                   .where(Attendance.training_id == training.id)).all())
    assert rows == {lead.id: True, extra.id: True, other_lead.id: False}

    result = services.record_attendance(actors.staff, training, {lead.id: True, extra.id: False, other_lead.id: False})
    assert result.changes == {f"member:{extra.id}": [True, False]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)
                             .where(Attendance.training_id == training.id)) == 3  # unique pair: updated in place
    first, second = events(training.id, "record_attendance")
    assert first.changes == {f"member:{lead.id}": [None, True], f"member:{extra.id}": [None, True],
                             f"member:{other_lead.id}": [None, False]}
    assert second.changes == {f"member:{extra.id}": [True, False]}


def test_saving_an_unchanged_sheet_writes_no_audit_event(actors):
    training = TrainingFactory(cohort=actors.cohort)
    marks = {actors.project.lead.id: True}
    services.record_attendance(actors.staff, training, marks)
    result = services.record_attendance(actors.staff, training, marks)
    assert result.changes == {}
    assert len(events(training.id, "record_attendance")) == 1


def test_member_of_another_cohort_is_refused_and_nothing_written(actors):
    training = TrainingFactory(cohort=actors.cohort)
    stranger = ProjectFactory(cohort=CohortFactory()).lead
    with pytest.raises(ServiceError) as error:
        services.record_attendance(actors.staff, training, {actors.project.lead.id: True, stranger.id: True})
    assert str(stranger.id) in str(error.value.message)
    assert "rien n'a été enregistré" in str(error.value.message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    assert events(training.id) == []


def test_unknown_member_id_is_refused(actors):
    training = TrainingFactory(cohort=actors.cohort)
    with pytest.raises(ServiceError):
        services.record_attendance(actors.staff, training, {987_654: True})


def test_programme_wide_training_takes_the_chosen_cohort_only(actors):
    training = TrainingFactory(cohort=None)
    elsewhere = ProjectFactory(cohort=CohortFactory()).lead
    services.record_attendance(actors.staff, training, {elsewhere.id: True})  # any cohort when none is given
    with pytest.raises(ServiceError):
        services.record_attendance(actors.staff, training, {elsewhere.id: False}, cohort_id=actors.cohort.id)
    assert db.session.scalar(sa.select(Attendance.present).where(Attendance.member_id == elsewhere.id)) is True


def test_all_present_marks_every_member_of_the_project(actors):
    training = TrainingFactory(cohort=actors.cohort)
    members = [actors.project.lead, *team(actors.project, 2)]
    sheet = services.attendance_sheet(training)
    marks = services.mark_all_present(sheet, {members[1].id: False, actors.other_project.lead.id: False},
                                      {actors.project.id})
    assert marks == {m.id: True for m in members} | {actors.other_project.lead.id: False}
    with pytest.raises(ServiceError):
        services.mark_all_present(sheet, {}, {ProjectFactory(cohort=CohortFactory()).id})


def test_record_attendance_same_query_count_for_5_and_50_members(actors, count_queries):
    def measure(size):
        training = TrainingFactory(cohort=actors.cohort)
        project = ProjectFactory(cohort=actors.cohort)
        members = [project.lead, *team(project, size - 1)]
        services.record_attendance(actors.staff, training, {m.id: True for m in members[: size // 2]})
        marks = {m.id: False for m in members}  # half of them updated, half created
        db.session.expire_all()
        with count_queries() as queries:
            result = services.record_attendance(actors.staff, training, marks)
        assert result.absent == size
        return len(queries)

    five, fifty = measure(5), measure(50)
    assert five == fifty
