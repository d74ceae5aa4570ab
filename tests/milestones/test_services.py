import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories import ProjectFactory
from tests.mentoring.factories import ActionItemFactory
from tests.milestones.factories import AttachmentFactory, MilestoneFactory
from tracker.core.audit import AuditEvent
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.milestones import services
from tracker.milestones.models import Attachment, Milestone, MilestoneCategory, MilestoneStatus

TODAY = dt.date(2025, 6, 15)


def data(**overrides):
    base = {"title": "Première vente en boutique", "category": "first_sale", "planned_date": dt.date(2025, 9, 30),
            "status": "planned", "achieved_date": None, "evidence_note": ""}
    return base | overrides


def audit_rows(entity_type=None):
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    return db.session.scalars(stmt).all()


# ---------------------------------------------------------------- status rules

def test_create_cleans_and_audits(actors):
    milestone = services.create_milestone(actors.holder, actors.project,
                                          data(title="  Première   vente ", evidence_note="  \n"), today=TODAY)
    assert (milestone.title, milestone.category, milestone.status) == (
        "Première vente", MilestoneCategory.FIRST_SALE, MilestoneStatus.PLANNED)
    assert milestone.evidence_note is None and milestone.version == 1
    [event] = audit_rows("milestone")
    assert (event.action, event.entity_id, event.user_id) == ("create", milestone.id, actors.holder.id)
    assert event.changes["title"] == [None, "Première vente"]
    assert event.changes["project_id"] == [None, actors.project.id]


@pytest.mark.parametrize("overrides, field", [
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"category": None}, "category"),
    ({"category": "party"}, "category"),
    ({"status": ""}, "status"),
    ({"planned_date": None}, "planned_date"),
    ({"status": "achieved"}, "achieved_date"),  # achieved needs its date
    ({"status": "achieved", "achieved_date": TODAY + dt.timedelta(days=1)}, "achieved_date"),  # not in the future
    ({"evidence_note": "x" * 4001}, "evidence_note"),
])
def test_refused_input_names_the_field_and_writes_nothing(actors, overrides, field):
    with pytest.raises(ServiceError) as refused:
        services.create_milestone(actors.staff, actors.project, data(**overrides), today=TODAY)
    assert refused.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Milestone)) == 0
    assert audit_rows("milestone") == []


def test_achieved_today_is_accepted(actors):
    milestone = services.create_milestone(actors.staff, actors.project,
                                          data(status="achieved", achieved_date=TODAY), today=TODAY)
    assert milestone.status == MilestoneStatus.ACHIEVED and milestone.achieved_date == TODAY


@pytest.mark.parametrize("status", ["planned", "in_progress", "delayed", "dropped"])
def test_an_achieved_date_is_cleared_when_the_milestone_is_not_achieved(actors, status):
    milestone = MilestoneFactory(project=actors.project, status=MilestoneStatus.ACHIEVED,
                                 achieved_date=dt.date(2025, 5, 2))
    services.update_milestone(actors.holder, milestone, data(status=status, achieved_date=dt.date(2025, 5, 2)),
                              milestone.version, today=TODAY)
    assert milestone.achieved_date is None
    [event] = audit_rows("milestone")
    assert event.changes["achieved_date"] == ["2025-05-02", None]
    assert event.changes["status"] == ["achieved", status]


@pytest.mark.parametrize("status, planned, late", [
    (MilestoneStatus.PLANNED, TODAY - dt.timedelta(days=1), True),  # planned date passed yesterday
    (MilestoneStatus.PLANNED, TODAY, False),  # due today is not late yet
    (MilestoneStatus.PLANNED, TODAY + dt.timedelta(days=1), False),
    (MilestoneStatus.IN_PROGRESS, TODAY - dt.timedelta(days=30), True),
    (MilestoneStatus.DELAYED, TODAY - dt.timedelta(days=30), True),
    (MilestoneStatus.ACHIEVED, TODAY - dt.timedelta(days=30), False),
    (MilestoneStatus.DROPPED, TODAY - dt.timedelta(days=30), False),
])
def test_is_late_in_python_and_in_sql_agree(actors, status, planned, late):
    milestone = MilestoneFactory(project=actors.project, status=status, planned_date=planned,
                                 achieved_date=TODAY - dt.timedelta(days=40) if status == "achieved" else None)
    assert milestone.is_late(TODAY) is late
    in_sql = db.session.scalar(sa.select(sa.func.count()).select_from(Milestone)
                               .where(Milestone.id == milestone.id, services.late_clause(TODAY)))
    assert in_sql == int(late)
    assert services.status_counts(actors.project.id, TODAY)["late"] == int(late)


# ---------------------------------------------------------------- updates, conflicts, quick action

def test_update_audits_before_and_after_and_bumps_the_version(actors):
    milestone = MilestoneFactory(project=actors.project, title="Avant")
    version = milestone.version
    services.update_milestone(actors.staff, milestone,
                              data(title="Après", status="achieved", achieved_date=TODAY - dt.timedelta(days=2)),
                              str(version), today=TODAY)
    db.session.flush()
    assert milestone.version == version + 1
    [event] = audit_rows("milestone")
    assert event.action == "update"
    assert event.changes["title"] == ["Avant", "Après"]
    assert event.changes["achieved_date"] == [None, (TODAY - dt.timedelta(days=2)).isoformat()]
    assert "project_id" not in event.changes


def test_saving_unchanged_values_writes_no_audit_row(actors):
    milestone = MilestoneFactory(project=actors.project, **{k: v for k, v in data().items()
                                                          if k not in ("category", "status", "evidence_note")})
    services.update_milestone(actors.staff, milestone, data(), milestone.version, today=TODAY)
    assert audit_rows("milestone") == []


def test_a_stale_version_is_a_conflict_and_changes_nothing(actors):
    milestone = MilestoneFactory(project=actors.project, title="Saisi par l'autre")
    with pytest.raises(ConflictError):
        services.update_milestone(actors.staff, milestone, data(title="Ma version"), milestone.version - 1,
                                  today=TODAY)
    assert milestone.title == "Saisi par l'autre"
    assert audit_rows() == []


def test_mark_achieved_sets_today_once(actors):
    milestone = MilestoneFactory(project=actors.project, status=MilestoneStatus.DELAYED)
    assert services.mark_achieved(actors.holder, milestone, milestone.version, today=TODAY) is True
    assert (milestone.status, milestone.achieved_date) == (MilestoneStatus.ACHIEVED, TODAY)
    # A second tap, with the version the page had: harmless, nothing more is written.
    assert services.mark_achieved(actors.holder, milestone, milestone.version - 1, today=TODAY) is False
    [event] = audit_rows("milestone")
    assert event.changes == {"status": ["delayed", "achieved"], "achieved_date": [None, TODAY.isoformat()]}


def test_mark_achieved_with_a_stale_version_is_a_conflict(actors):
    milestone = MilestoneFactory(project=actors.project)
    with pytest.raises(ConflictError):
        services.mark_achieved(actors.holder, milestone, milestone.version + 1, today=TODAY)
    assert milestone.status == MilestoneStatus.PLANNED


# ---------------------------------------------------------------- deletion

def test_delete_audits_the_milestone_and_its_files_and_returns_their_paths(actors):
    milestone = MilestoneFactory(project=actors.project, title="À supprimer")
    attachment = AttachmentFactory(milestone=milestone, original_name="facture.pdf")
    item = ActionItemFactory(session__project=actors.project, milestone=milestone)
    db.session.flush()
    milestone_id, attachment_id, sha = milestone.id, attachment.id, attachment.sha256
    paths = services.delete_milestone(actors.holder, milestone)
    assert paths == [attachment.stored_path]
    db.session.expire_all()
    assert db.session.get(Milestone, milestone_id) is None and db.session.get(Attachment, attachment_id) is None
    assert item.milestone_id is None  # the action item stays, without its milestone
    events = {(e.entity_type, e.action, e.entity_id): e.changes for e in audit_rows()}
    assert events[("attachment", "delete", attachment_id)]["original_name"] == ["facture.pdf", None]
    assert events[("attachment", "delete", attachment_id)]["sha256"] == [sha, None]
    assert events[("milestone", "delete", milestone_id)]["title"] == ["À supprimer", None]


# ---------------------------------------------------------------- reading

def test_project_milestones_by_planned_date_with_file_counts_and_filters(actors):
    later = MilestoneFactory(project=actors.project, planned_date=TODAY + dt.timedelta(days=10))
    late = MilestoneFactory(project=actors.project, planned_date=TODAY - dt.timedelta(days=10))
    done = MilestoneFactory(project=actors.project, planned_date=TODAY - dt.timedelta(days=20),
                            status=MilestoneStatus.ACHIEVED, achieved_date=TODAY - dt.timedelta(days=25))
    MilestoneFactory(project=actors.other_project)
    AttachmentFactory(milestone=done)
    AttachmentFactory(milestone=done)
    assert services.project_milestones(actors.project.id, today=TODAY) == [(done, 2), (late, 0), (later, 0)]
    assert services.project_milestones(actors.project.id, "late", today=TODAY) == [(late, 0)]
    assert services.project_milestones(actors.project.id, "achieved", today=TODAY) == [(done, 2)]
    counts = services.status_counts(actors.project.id, TODAY)
    assert (counts["all"], counts["late"], counts["planned"], counts["achieved"], counts["dropped"]) == (3, 1, 2, 1, 0)


def test_due_soon_and_late_in_one_query(actors, count_queries):
    third = ProjectFactory(cohort=actors.cohort)
    late = MilestoneFactory(project=actors.project, planned_date=TODAY - dt.timedelta(days=90),
                            status=MilestoneStatus.DELAYED)
    today_ = MilestoneFactory(project=actors.other_project, planned_date=TODAY)
    edge = MilestoneFactory(project=actors.project, planned_date=TODAY + dt.timedelta(days=30))
    MilestoneFactory(project=actors.project, planned_date=TODAY + dt.timedelta(days=31))  # not due soon
    MilestoneFactory(project=actors.project, planned_date=TODAY - dt.timedelta(days=5),
                     status=MilestoneStatus.ACHIEVED, achieved_date=TODAY - dt.timedelta(days=6))
    MilestoneFactory(project=actors.project, planned_date=TODAY - dt.timedelta(days=5),
                     status=MilestoneStatus.DROPPED)
    MilestoneFactory(project=third, planned_date=TODAY)  # not one of the projects asked for
    ids = [actors.project.id, actors.other_project.id]
    expected = [(late.id, actors.project.name, True), (today_.id, actors.other_project.name, False),
                (edge.id, actors.project.name, False)]
    db.session.flush()
    db.session.expire_all()
    with count_queries() as queries:
        rows = [(m.id, m.project.name, m.is_late(TODAY)) for m in services.due_soon_and_late(ids, TODAY)]
    assert rows == expected
    assert len(queries) == 1
    assert services.due_soon_and_late([], TODAY) == []
