"""Milestones of a project and their evidence files: lists, creation, edits, deletion, uploads.

Rules enforced here (raised as ServiceError, nothing written):
- a milestone has a title (at most 200 characters), a category, a planned date and a status;
- an achieved milestone has an achieved date, which is not in the future;
- a milestone that is not achieved has no achieved date: one sent with another status is cleared, not
  refused (a phone user who switches the status back should not have to empty a date field first);
- the version the form was loaded from must be the one stored (optimistic locking, ConflictError).

*Late* is DESIGN §3: not achieved nor dropped, and the planned date has passed (`Milestone.is_late`,
`late_clause` in SQL). Evidence files are checked and written by `uploads`; this module adds their rows.
Every change is audited (before → after); services flush, never commit. Files of deleted rows are
removed by the caller after its commit (`uploads.remove`), so a failed commit loses no file.
"""

import datetime as dt
import functools

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.core import audit
from tracker.core.services import ServiceError, check_version
from tracker.extensions import db
from tracker.mentoring.models import ActionItem
from tracker.milestones import uploads
from tracker.milestones.models import Attachment, Milestone, MilestoneCategory, MilestoneStatus
from tracker.projects.models import Project

EDITABLE_FIELDS = ["title", "category", "planned_date", "status", "achieved_date", "evidence_note"]
MILESTONE_FIELDS = ["project_id", *EDITABLE_FIELDS]
ATTACHMENT_FIELDS = ["milestone_id", "original_name", "content_type", "size_bytes", "sha256", "stored_path",
                     "uploaded_by_id"]
CLOSED = (MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED)
TITLE_MAX, NOTE_MAX = 200, 4000
DUE_SOON_DAYS = 30
LATE = "late"  # the list filter that is not a status


# ---------------------------------------------------------------- reading

def late_clause(today: dt.date) -> sa.ColumnElement[bool]:
    """SQL form of `Milestone.is_late(today)`."""
    return sa.and_(Milestone.status.not_in(CLOSED), Milestone.planned_date < today)


def get_project(project_id: int) -> Project | None:
    return db.session.scalar(
        sa.select(Project).where(Project.id == project_id).options(joinedload(Project.cohort))
    )


def get_milestone(milestone_id: int) -> Milestone | None:
    """A milestone with what its page shows: project and cohort, files and who uploaded them."""
    return db.session.scalar(
        sa.select(Milestone)
        .where(Milestone.id == milestone_id)
        .options(
            joinedload(Milestone.project).joinedload(Project.cohort),
            selectinload(Milestone.attachments).joinedload(Attachment.uploaded_by),
        )
    )


def get_attachment(attachment_id: int) -> Attachment | None:
    """A file with its milestone and project (the permission check needs the project)."""
    return db.session.scalar(
        sa.select(Attachment)
        .where(Attachment.id == attachment_id)
        .options(joinedload(Attachment.milestone).joinedload(Milestone.project))
    )


def project_milestones(project_id: int, status: str | None = None,
                       today: dt.date | None = None) -> list[tuple[Milestone, int]]:
    """(milestone, number of evidence files) for one project, by planned date, in one query.

    `status` is a MilestoneStatus value, or "late" for the late ones (DESIGN §3); None lists them all.
    """
    today = today or dt.date.today()
    files = (
        sa.select(sa.func.count(Attachment.id))
        .where(Attachment.milestone_id == Milestone.id)
        .correlate(Milestone)
        .scalar_subquery()
    )
    stmt = sa.select(Milestone, files).where(Milestone.project_id == project_id)
    if status == LATE:
        stmt = stmt.where(late_clause(today))
    elif status:
        stmt = stmt.where(Milestone.status == MilestoneStatus(status))
    return [(m, int(n)) for m, n in db.session.execute(stmt.order_by(Milestone.planned_date, Milestone.id))]


def status_counts(project_id: int, today: dt.date | None = None) -> dict[str, int]:
    """{status value: n, "late": n, "all": n} for one project, in one aggregate query."""
    today = today or dt.date.today()
    rows = db.session.execute(
        sa.select(
            Milestone.status,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((late_clause(today), 1), else_=0)), 0),
        )
        .where(Milestone.project_id == project_id)
        .group_by(Milestone.status)
    ).all()
    counts = {status.value: 0 for status in MilestoneStatus} | {LATE: 0, "all": 0}
    for status, n, late in rows:
        counts[MilestoneStatus(status).value] = int(n)
        counts[LATE] += int(late)
        counts["all"] += int(n)
    return counts


def due_soon_and_late(project_ids, today: dt.date | None = None, days: int = DUE_SOON_DAYS) -> list[Milestone]:
    """Open milestones (not achieved nor dropped) of these projects that are late or due within `days`,
    soonest first, in one query, each with its project loaded (for the holder home).

    `m.is_late(today)` tells the late ones from those merely due soon.
    """
    ids = list(project_ids or [])
    if not ids:
        return []
    until = (today or dt.date.today()) + dt.timedelta(days=days)
    return list(db.session.scalars(_due_soon_and_late_statement(), {"ids": ids, "until": until}))


@functools.cache
def _due_soon_and_late_statement() -> sa.Select:
    """Built once, its cache key with it; the projects and the last planned date are bound at execution (the
    holder's home asks at each view, issue 20)."""
    return (
        sa.select(Milestone)
        .join(Milestone.project)
        .where(
            Milestone.project_id.in_(sa.bindparam("ids", expanding=True)),
            Milestone.status.not_in(CLOSED),
            Milestone.planned_date <= sa.bindparam("until", type_=sa.Date),
        )
        .options(contains_eager(Milestone.project))
        .order_by(Milestone.planned_date, Milestone.id)
    )


def linked_action_items(milestone_id: int) -> int:
    """How many action items serve this milestone (they stay, without a milestone, if it is deleted)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ActionItem).where(ActionItem.milestone_id == milestone_id)
    ) or 0


# ---------------------------------------------------------------- milestones

def _clean(data: dict, today: dt.date) -> dict:
    data = {key: data.get(key) for key in EDITABLE_FIELDS}
    data["title"] = " ".join((data["title"] or "").split())
    if not data["title"]:
        raise ServiceError(_l("Indiquez l'intitulé du jalon."), field="title")
    if len(data["title"]) > TITLE_MAX:
        raise ServiceError(_l("L'intitulé ne doit pas dépasser %(max)s caractères.", max=TITLE_MAX), field="title")
    try:
        data["category"] = MilestoneCategory(data["category"])
    except ValueError:
        raise ServiceError(_l("Choisissez la catégorie du jalon."), field="category") from None
    try:
        data["status"] = MilestoneStatus(data["status"])
    except ValueError:
        raise ServiceError(_l("Choisissez le statut du jalon."), field="status") from None
    if not data["planned_date"]:
        raise ServiceError(_l("Indiquez la date prévue."), field="planned_date")
    if data["status"] == MilestoneStatus.ACHIEVED:
        if not data["achieved_date"]:
            raise ServiceError(_l("Indiquez la date à laquelle le jalon a été atteint."), field="achieved_date")
        if data["achieved_date"] > today:
            raise ServiceError(_l("La date d'atteinte ne peut pas être dans le futur."), field="achieved_date")
    else:
        data["achieved_date"] = None
    data["evidence_note"] = (data["evidence_note"] or "").strip() or None
    if data["evidence_note"] and len(data["evidence_note"]) > NOTE_MAX:
        raise ServiceError(_l("La note ne doit pas dépasser %(max)s caractères.", max=NOTE_MAX),
                           field="evidence_note")
    return data


def create_milestone(actor, project: Project, data: dict, today: dt.date | None = None) -> Milestone:
    """A new milestone of `project` from EDITABLE_FIELDS. Raises ServiceError (module rules); audited."""
    data = _clean(data, today or dt.date.today())
    milestone = Milestone(project=project, **data)
    db.session.add(milestone)
    db.session.flush()
    audit.record(actor, "create", "milestone", milestone.id,
                 audit.diff({}, audit.snapshot(milestone, MILESTONE_FIELDS)))
    return milestone


def update_milestone(actor, milestone: Milestone, data: dict, version, today: dt.date | None = None) -> Milestone:
    """Edits every field of EDITABLE_FIELDS (staff and the project's holder alike).

    Raises ConflictError when `version` is stale, ServiceError on the module rules; audits what changed.
    """
    check_version(milestone, version)
    data = _clean(data, today or dt.date.today())
    audit.update(actor, milestone, "milestone", MILESTONE_FIELDS, data)
    return milestone


def mark_achieved(actor, milestone: Milestone, version, today: dt.date | None = None) -> bool:
    """The one-tap "achieved today". Already achieved: nothing changes and False is returned (a double tap
    is harmless). Otherwise raises ConflictError when `version` is stale; audited."""
    if milestone.status == MilestoneStatus.ACHIEVED:
        return False
    check_version(milestone, version)
    with audit.recorded(actor, milestone, "milestone", MILESTONE_FIELDS):
        milestone.status = MilestoneStatus.ACHIEVED
        milestone.achieved_date = today or dt.date.today()
    return True


def delete_milestone(actor, milestone: Milestone) -> list[str]:
    """Deletes a milestone and its evidence rows; the trail keeps what they held (file name and sha256).

    Action items that served it stay, without a milestone (ON DELETE SET NULL). Returns the stored paths
    of its files, for the caller to remove once the deletion is committed.
    """
    paths = []
    for attachment in milestone.attachments:
        audit.record(actor, "delete", "attachment", attachment.id,
                     audit.diff(audit.snapshot(attachment, ATTACHMENT_FIELDS), {}))
        paths.append(attachment.stored_path)
    audit.record(actor, "delete", "milestone", milestone.id,
                 audit.diff(audit.snapshot(milestone, MILESTONE_FIELDS), {}))
    db.session.delete(milestone)
    db.session.flush()
    return paths


# ---------------------------------------------------------------- evidence files

def add_evidence(actor, milestone: Milestone, files,
                 today: dt.date | None = None) -> tuple[list[Attachment], list[str]]:
    """Stores uploaded files (werkzeug FileStorage objects) as evidence of `milestone`, all or nothing.

    Returns (attachments added, names skipped because the same content is already attached to this
    milestone — a double tap on "send" stores nothing twice). Raises ServiceError when no file was
    chosen or more than MAX_FILES_PER_UPLOAD were, uploads.UploadRefused naming the first refused file,
    uploads.FileTooLarge for one over the limit; whatever this call had written is then removed and no
    row is added. The caller commits, and removes the returned files' paths if the commit fails.
    """
    files = [f for f in files or [] if f is not None and getattr(f, "filename", None)]
    if not files:
        raise ServiceError(_l("Choisissez au moins un fichier."), field="files")
    if len(files) > uploads.MAX_FILES_PER_UPLOAD:
        raise ServiceError(_l("Envoyez au plus %(max)s fichiers à la fois.", max=uploads.MAX_FILES_PER_UPLOAD),
                           field="files")
    known = set(db.session.scalars(sa.select(Attachment.sha256).where(Attachment.milestone_id == milestone.id)))
    stored: list[uploads.StoredFile] = []
    skipped: list[str] = []
    added: list[Attachment] = []
    try:
        for upload in files:
            result = uploads.store(upload, today)
            if result.sha256 in known:
                uploads.remove([result.stored_path])
                skipped.append(result.original_name)
                continue
            known.add(result.sha256)
            stored.append(result)
        for result in stored:
            attachment = Attachment(milestone=milestone, original_name=result.original_name,
                                    content_type=result.content_type, size_bytes=result.size_bytes,
                                    sha256=result.sha256, stored_path=result.stored_path,
                                    uploaded_by_id=getattr(actor, "id", None))
            db.session.add(attachment)
            added.append(attachment)
        db.session.flush()
    except BaseException:
        uploads.remove(s.stored_path for s in stored)
        raise
    for attachment in added:
        audit.record(actor, "create", "attachment", attachment.id,
                     audit.diff({}, audit.snapshot(attachment, ATTACHMENT_FIELDS)))
    return added, skipped


def delete_attachment(actor, attachment: Attachment) -> str:
    """Deletes one evidence row (audited with its name and sha256); returns its stored path, for the
    caller to remove once the deletion is committed."""
    audit.record(actor, "delete", "attachment", attachment.id,
                 audit.diff(audit.snapshot(attachment, ATTACHMENT_FIELDS), {}))
    path = attachment.stored_path
    db.session.delete(attachment)
    db.session.flush()
    return path
