import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories import ProjectFactory, UserFactory
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tracker.core.audit import AuditEvent
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.mentoring import services
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode

TODAY = dt.date(2025, 6, 30)


def session_data(actors, **overrides):
    data = {"project_id": actors.project.id, "date": dt.date(2025, 6, 27), "duration_minutes": 45,
            "mode": SessionMode.PHONE, "topics": "  Prix   de vente ", "shared_summary": "Revoir la grille.",
            "staff_notes": "Tension entre associés.", "next_session_date": dt.date(2025, 7, 20)}
    return data | overrides


def item(**overrides):
    data = {"description": "Envoyer le devis", "owner_kind": "project", "owner_user_id": None,
            "due_date": dt.date(2025, 7, 10), "milestone_id": None}
    return data | overrides


def audit_rows(entity_type=None):
    stmt = sa.select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    return db.session.execute(stmt.order_by(AuditEvent.id)).all()


# ---------------------------------------------------------------- logging

def test_log_session_with_two_items_writes_everything_and_audits_each(actors):
    milestone = MilestoneFactory(project=actors.project)
    session = services.log_session(actors.staff, session_data(actors), [
        item(milestone_id=milestone.id),
        item(description="Relancer la banque", owner_kind="staff", due_date=None),
    ], today=TODAY)
    assert session.mentor_id == actors.staff.id  # defaults to the actor
    assert session.topics == "Prix de vente"
    first, second = session.action_items
    assert first.milestone_id == milestone.id and first.owner_user_id is None
    assert second.owner_kind == ActionOwner.STAFF and second.owner_user_id == actors.staff.id  # the mentor
    assert audit_rows() == [
        ("create", "mentoring_session", session.id),
        ("create", "action_item", first.id),
        ("create", "action_item", second.id),
    ]
    created = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "action_item"))
    assert created.changes["session_id"] == [None, session.id]


@pytest.mark.parametrize("overrides, items, field", [
    ({"date": dt.date(2025, 7, 1)}, [], "date"),
    ({"duration_minutes": 0}, [], "duration_minutes"),
    ({"duration_minutes": 601}, [], "duration_minutes"),
    ({"next_session_date": dt.date(2025, 6, 26)}, [], "next_session_date"),
    ({"next_session_date": dt.date(2027, 7, 1)}, [], "next_session_date"),
    ({"project_id": None}, [], "project_id"),
    ({}, [item(description="   ")], "items-0-description"),
    ({}, [item(), item(due_date=dt.date(2025, 6, 1))], "items-1-due_date"),
    ({}, [item(due_date=dt.date(2028, 1, 1))], "items-0-due_date"),
])
def test_invalid_sessions_are_refused_with_the_field_named(actors, overrides, items, field):
    with pytest.raises(ServiceError) as error:
        services.log_session(actors.manager, session_data(actors, **overrides), items, today=TODAY)
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentoringSession)) == 0


def test_the_milestone_must_belong_to_the_project(actors):
    elsewhere = MilestoneFactory(project=actors.other_project)
    with pytest.raises(ServiceError) as error:
        services.log_session(actors.staff, session_data(actors), [item(milestone_id=elsewhere.id)], today=TODAY)
    assert error.value.field == "items-0-milestone_id"
    assert "jalon" in str(error.value.message)


def test_staff_log_only_their_own_sessions(actors):
    with pytest.raises(ServiceError) as error:
        services.log_session(actors.staff, session_data(actors, mentor_id=actors.manager.id), [], today=TODAY)
    assert error.value.field == "mentor_id"


def test_managers_log_for_an_active_staff_member_only(actors):
    session = services.log_session(actors.manager, session_data(actors, mentor_id=actors.staff.id), [], today=TODAY)
    assert session.mentor_id == actors.staff.id
    gone = UserFactory(role="staff", active=False)
    for mentor in (gone, actors.holder):
        with pytest.raises(ServiceError) as error:
            services.log_session(actors.manager, session_data(actors, mentor_id=mentor.id), [], today=TODAY)
        assert error.value.field == "mentor_id"


def test_a_staff_owned_item_goes_to_an_active_staff_member(actors):
    with pytest.raises(ServiceError) as error:
        services.log_session(actors.staff, session_data(actors),
                             [item(owner_kind="staff", owner_user_id=actors.holder.id)], today=TODAY)
    assert error.value.field == "items-0-owner_user_id"
    session = services.log_session(actors.staff, session_data(actors),
                                   [item(owner_kind="staff", owner_user_id=actors.manager.id)], today=TODAY)
    assert session.action_items[0].owner_user_id == actors.manager.id


def test_a_project_owned_item_names_nobody(actors):
    session = services.log_session(actors.staff, session_data(actors),
                                   [item(owner_kind="project", owner_user_id=actors.manager.id)], today=TODAY)
    assert session.action_items[0].owner_user_id is None


def test_an_actor_cannot_log_for_a_project_they_cannot_see(actors):
    with pytest.raises(ServiceError) as error:
        services.log_session(actors.holder, session_data(actors, project_id=actors.other_project.id,
                                                         mentor_id=actors.staff.id), [], today=TODAY)
    assert error.value.field == "project_id"


# ---------------------------------------------------------------- editing

def test_update_edits_adds_and_removes_items_and_audits_each(actors):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff, date=dt.date(2025, 6, 2))
    kept = ActionItemFactory(session=session, description="À garder", due_date=dt.date(2025, 6, 20))
    dropped = ActionItemFactory(session=session, description="À retirer")
    db.session.flush()
    version = session.version
    services.update_session(actors.staff, session, session_data(actors, date=dt.date(2025, 6, 2)), [
        item(id=kept.id, description="Gardée et reformulée", due_date=dt.date(2025, 6, 20)),
        item(description="Nouvelle"),
    ], version, today=TODAY)
    db.session.flush()
    descriptions = [i.description for i in session.action_items]
    assert descriptions == ["Gardée et reformulée", "Nouvelle"]
    dropped_id = dropped.id
    stored = db.session.scalars(sa.select(ActionItem.description).where(ActionItem.session_id == session.id)).all()
    assert sorted(stored) == ["Gardée et reformulée", "Nouvelle"]
    rows = audit_rows("action_item")
    assert rows[0] == ("delete", "action_item", dropped_id)
    assert ("update", "action_item", kept.id) in rows
    assert [r[0] for r in rows] == ["delete", "update", "create"]
    deleted = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_id == dropped_id,
                                                             AuditEvent.action == "delete"))
    assert deleted.changes["description"] == ["À retirer", None]
    assert session.version > version


def test_changing_only_the_items_still_bumps_the_version(actors):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff, date=dt.date(2025, 6, 2),
                                      next_session_date=None)
    db.session.flush()
    version = session.version
    data = {k: getattr(session, k) for k in services.SESSION_FIELDS}
    services.update_session(actors.staff, session, data, [item()], version, today=TODAY)
    db.session.flush()
    assert session.version == version + 1
    assert audit_rows("mentoring_session") == []  # nothing of the session itself changed


def test_update_keeps_the_done_date_of_kept_items(actors):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff, date=dt.date(2025, 6, 2))
    done = ActionItemFactory(session=session, done_date=dt.date(2025, 6, 10))
    db.session.flush()
    services.update_session(actors.staff, session, session_data(actors, date=dt.date(2025, 6, 2)),
                            [item(id=done.id, description=done.description, due_date=done.due_date)],
                            session.version, today=TODAY)
    assert done.done_date == dt.date(2025, 6, 10)


def test_a_stale_version_is_a_conflict_and_changes_nothing(actors):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff)
    db.session.flush()
    with pytest.raises(ConflictError):
        services.update_session(actors.staff, session, session_data(actors, topics="Autre"), [],
                                session.version - 1, today=TODAY)
    assert session.topics == "Business plan, prix de vente"


def test_a_deactivated_mentor_stays_on_their_past_session(actors):
    gone = UserFactory(role="staff", active=False)
    session = MentoringSessionFactory(project=actors.project, mentor=gone, date=dt.date(2025, 6, 2))
    db.session.flush()
    services.update_session(actors.manager, session,
                            session_data(actors, date=dt.date(2025, 6, 2), mentor_id=gone.id, topics="Corrigé"),
                            [], session.version, today=TODAY)
    assert session.topics == "Corrigé"


def test_delete_session_audits_the_session_and_its_items(actors):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff)
    first = ActionItemFactory(session=session)
    db.session.flush()
    session_id = session.id
    services.delete_session(actors.manager, session)
    assert db.session.get(MentoringSession, session_id) is None
    assert db.session.get(ActionItem, first.id) is None
    assert ("delete", "action_item", first.id) in audit_rows()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "mentoring_session"))
    assert event.action == "delete" and event.changes["staff_notes"][1] is None


# ---------------------------------------------------------------- action items

def test_complete_and_reopen_are_audited_and_idempotent(actors):
    action = ActionItemFactory(session=MentoringSessionFactory(project=actors.project, mentor=actors.staff))
    assert services.complete_action_item(actors.holder, action, today=TODAY) is True
    assert action.done_date == TODAY
    assert services.complete_action_item(actors.holder, action, today=TODAY) is False
    assert services.reopen_action_item(actors.staff, action) is True
    assert action.done_date is None
    assert services.reopen_action_item(actors.staff, action) is False
    changes = db.session.scalars(sa.select(AuditEvent.changes).where(AuditEvent.entity_type == "action_item")
                                 .order_by(AuditEvent.id)).all()
    assert changes == [{"done_date": [None, "2025-06-30"]}, {"done_date": ["2025-06-30", None]}]


def test_open_action_items_in_one_query_with_session_and_owner_loaded(actors, count_queries):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff)
    later = ActionItemFactory(session=session, due_date=dt.date(2025, 8, 1))
    undated = ActionItemFactory(session=session, due_date=None)
    sooner = ActionItemFactory(session=session, due_date=dt.date(2025, 7, 1), owner_kind=ActionOwner.STAFF,
                               owner_user=actors.staff)
    ActionItemFactory(session=session, done_date=dt.date(2025, 6, 1))
    ActionItemFactory(session=MentoringSessionFactory(project=actors.other_project))
    db.session.flush()
    db.session.expunge_all()
    with count_queries() as queries:
        items = services.open_action_items([actors.project.id])
        seen = [(i.id, i.session.project_id, i.session.date, i.owner_user and i.owner_user.display_name)
                for i in items]
    assert len(queries) == 1
    assert [row[0] for row in seen] == [sooner.id, later.id, undated.id]
    assert seen[0][3] == actors.staff.display_name
    assert services.open_action_items([]) == []


def test_action_item_counts_are_one_aggregate(actors, count_queries):
    first = MentoringSessionFactory(project=actors.project)
    second = MentoringSessionFactory(project=actors.project)
    ActionItemFactory(session=first, due_date=dt.date(2025, 6, 1))
    ActionItemFactory(session=first, due_date=dt.date(2025, 7, 1))
    ActionItemFactory(session=first, due_date=dt.date(2025, 6, 1), done_date=dt.date(2025, 6, 2))
    db.session.flush()
    with count_queries() as queries:
        counts = services.action_item_counts([first.id, second.id], TODAY)
    assert len(queries) == 1
    assert counts == {first.id: (2, 1)}


def test_project_choices_put_my_projects_first_then_group_by_cohort(actors):
    mine = ProjectFactory(cohort=actors.cohort, name="Zz mon projet")
    mine.staff = [actors.staff]
    db.session.flush()
    assigned, groups = services.project_choices(actors.staff)
    assert [p.id for p in assigned] == [mine.id]
    assert [name for name, _ in groups] == [actors.cohort.name]
    assert mine.id not in [p.id for p in groups[0][1]]
    assert {actors.project.id, actors.other_project.id} <= {p.id for p in groups[0][1]}
    holder_assigned, holder_groups = services.project_choices(actors.holder)
    assert holder_assigned == [] and [p.id for p in holder_groups[0][1]] == [actors.project.id]


def test_session_count_matches_the_listed_sessions_for_every_filter(actors):
    """Scale (issue 9): the list's total is counted on the sessions table alone; it must equal the number of
    sessions the list query returns, whatever the filters and the user's visibility."""
    from tests.factories import CohortFactory

    cohort, other_cohort = CohortFactory(), CohortFactory()
    p1, p2 = ProjectFactory(cohort=cohort), ProjectFactory(cohort=other_cohort)
    mentor = UserFactory(role="staff")
    MentoringSessionFactory(project=p1, mentor=mentor, date=dt.date(2025, 2, 1))
    MentoringSessionFactory(project=p1, date=dt.date(2025, 3, 1))
    MentoringSessionFactory(project=p2, mentor=mentor, date=dt.date(2025, 4, 1))
    holder = UserFactory(role="holder")
    p2.holders = [holder]
    db.session.flush()
    cases = [
        (actors.manager, services.SessionFilters()),
        (actors.manager, services.SessionFilters(cohort_id=cohort.id)),
        (actors.manager, services.SessionFilters(mentor_id=mentor.id)),
        (actors.manager, services.SessionFilters(mentor_id=mentor.id, date_from=dt.date(2025, 3, 1))),
        (actors.manager, services.SessionFilters(project_id=p2.id, date_to=dt.date(2025, 3, 31))),
        (mentor, services.SessionFilters(mine=True)),
        (holder, services.SessionFilters()),
    ]
    counts = []
    for user, filters in cases:
        listed = db.session.scalars(services.session_list_query(user, filters)).unique().all()
        assert services.session_count(user, filters) == len(listed)
        assert services.session_count(user, filters, up_to=1) == min(len(listed), 2)  # 2: "more than 1"
        counts.append(len(listed))
    assert counts[:5] == [3, 2, 2, 1, 0]


def test_first_open_action_items_are_the_most_urgent_with_the_total_in_one_query(actors, count_queries):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff)
    other = MentoringSessionFactory(project=actors.other_project, mentor=actors.staff)
    dates = [dt.date(2025, 7, day) for day in (9, 2, 5, 30, 1)]
    made = [ActionItemFactory(session=s, due_date=d) for s, d in zip([session, other] * 3, dates, strict=False)]
    made.append(ActionItemFactory(session=session, due_date=None))
    ActionItemFactory(session=session, done_date=dt.date(2025, 6, 1))
    db.session.flush()
    db.session.expunge_all()
    ids = [actors.project.id, actors.other_project.id]
    every = services.open_action_items(ids)
    with count_queries() as queries:
        first, total = services.first_open_action_items(ids, 3)
        owners = [i.owner_user and i.owner_user.display_name for i in first]
    assert len(queries) == 1
    assert total == len(every) == len(made) == 6
    assert [i.id for i in first] == [i.id for i in every[:3]]
    assert [i.due_date for i in first] == [dt.date(2025, 7, 1), dt.date(2025, 7, 2), dt.date(2025, 7, 5)]
    assert len(owners) == 3
    assert services.first_open_action_items(ids, 10)[1] == 6 and len(services.first_open_action_items(ids, 10)[0]) == 6
    assert services.first_open_action_items([], 3) == ([], 0)
    assert services.first_open_action_items([actors.project.id + actors.other_project.id + 999], 3) == ([], 0)
