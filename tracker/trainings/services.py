"""Trainings and their attendance (DESIGN §3; issue 4 items 1 and 7).

Rules enforced here (raised as ServiceError, nothing written):
- a training has a title, a topic and a date; its duration is more than 0 and at most 100 hours;
- its cohort is optional: no cohort means a programme-wide training open to every cohort;
- a training's cohort cannot change while attendance is recorded for members of another cohort;
- attendance is recorded only for members of the projects of the training's cohort (for a programme-wide
  training: of the cohort chosen on the sheet), one row per training × member.

Every change writes an AuditEvent: create/update/delete of the training with its fields before → after,
and one event per attendance sheet saved with the members whose mark changed.
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from tracker.cohorts.models import Cohort
from tracker.cohorts.services import all_cohorts
from tracker.core import audit
from tracker.core.dates import LONG, date_text
from tracker.core.services import ServiceError, check_version
from tracker.extensions import db
from tracker.projects.models import Member, Project, ProjectStatus
from tracker.trainings.models import Attendance, Topic, Training, TrainingMode

TRAINING_FIELDS = ["cohort_id", "title", "topic", "date", "duration_hours", "trainer", "place", "mode", "description"]
MAX_DURATION_HOURS = Decimal(100)
_LENGTHS = {"title": 200, "trainer": 160, "place": 160}


# ---------------------------------------------------------------- reading

@dataclass
class TrainingFilters:
    cohort_id: int | None = None
    programme_wide: bool = False  # only trainings open to every cohort
    topic: Topic | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def training_list_query(filters: TrainingFilters) -> sa.Select:
    """Trainings, newest first, with their cohort loaded; attendance totals come from `attendance_totals`."""
    stmt = sa.select(Training).options(joinedload(Training.cohort))
    if filters.programme_wide:
        stmt = stmt.where(Training.cohort_id.is_(None))
    elif filters.cohort_id:
        stmt = stmt.where(Training.cohort_id == filters.cohort_id)
    if filters.topic:
        stmt = stmt.where(Training.topic == filters.topic)
    if filters.date_from:
        stmt = stmt.where(Training.date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Training.date <= filters.date_to)
    return stmt.order_by(Training.date.desc(), Training.id.desc())


def _totals_subquery(training_ids: list[int]):
    """Per training of `training_ids`: members recorded present and members recorded at all (only those
    trainings' attendances are read, through the (training_id, member_id) index)."""
    return (
        sa.select(
            Attendance.training_id,
            sa.func.sum(sa.case((Attendance.present, 1), else_=0)).label("present"),
            sa.func.count(Attendance.id).label("recorded"),
        )
        .where(Attendance.training_id.in_(training_ids))
        .group_by(Attendance.training_id)
        .subquery()
    )


def attendance_totals(training_ids) -> dict[int, tuple[int, int]]:
    """{training_id: (present, recorded)} for the trainings of a list page, in one grouped query.

    Trainings without any attendance get (0, 0)."""
    ids = list(training_ids)
    if not ids:
        return {}
    totals = _totals_subquery(ids)
    rows = db.session.execute(
        sa.select(Training.id, totals.c.present, totals.c.recorded)
        .outerjoin(totals, totals.c.training_id == Training.id)
        .where(Training.id.in_(ids))
    ).all()
    return {tid: (int(present or 0), int(recorded or 0)) for tid, present, recorded in rows}


def get_training(training_id: int) -> Training | None:
    return db.session.scalar(
        sa.select(Training).where(Training.id == training_id).options(joinedload(Training.cohort))
    )


@dataclass
class ProjectAttendance:
    """One project's block on the training page: its members' marks."""

    project_id: int
    name: str
    code: str | None
    rows: list = field(default_factory=list)  # (member_id, full_name, present)

    @property
    def present(self) -> int:
        return sum(1 for row in self.rows if row[2])

    @property
    def recorded(self) -> int:
        return len(self.rows)


def training_attendance(training: Training) -> list[ProjectAttendance]:
    """The recorded attendance of a training grouped by project (one query)."""
    rows = db.session.execute(
        sa.select(Project.id, Project.name, Project.code, Member.id, Member.full_name, Attendance.present)
        .select_from(Attendance)
        .join(Member, Attendance.member_id == Member.id)
        .join(Project, Member.project_id == Project.id)
        .where(Attendance.training_id == training.id)
        .order_by(Project.name, Project.id, Member.is_lead.desc(), Member.full_name, Member.id)
    ).all()
    groups = []
    for (project_id, name, code), members in itertools.groupby(rows, key=lambda r: (r[0], r[1], r[2])):
        groups.append(ProjectAttendance(project_id, name, code, [(r[3], r[4], r[5]) for r in members]))
    return groups




def member_attendance_counts(project_id: int) -> dict[int, tuple[int, int]]:
    """{member_id: (present, recorded)} for every member of the project, in one grouped query."""
    rows = db.session.execute(
        sa.select(
            Member.id,
            sa.func.sum(sa.case((Attendance.present, 1), else_=0)),
            sa.func.count(Attendance.id),
        )
        .outerjoin(Attendance, Attendance.member_id == Member.id)
        .where(Member.project_id == project_id)
        .group_by(Member.id)
    ).all()
    return {member_id: (int(present or 0), int(recorded or 0)) for member_id, present, recorded in rows}


def cohort_choices(training: Training) -> list[tuple[Cohort, int]]:
    """For a programme-wide training's sheet: every cohort with the attendance already recorded in it."""
    recorded = dict(
        db.session.execute(
            sa.select(Project.cohort_id, sa.func.count(Attendance.id))
            .select_from(Attendance)
            .join(Member, Attendance.member_id == Member.id)
            .join(Project, Member.project_id == Project.id)
            .where(Attendance.training_id == training.id)
            .group_by(Project.cohort_id)
        ).all()
    )
    return [(cohort, recorded.get(cohort.id, 0)) for cohort in all_cohorts()]


# ---------------------------------------------------------------- trainings

def _clean(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in TRAINING_FIELDS}
    data["title"] = " ".join((data.get("title") or "").split())
    if not data["title"]:
        raise ServiceError(_l("Le titre est obligatoire."), field="title")
    for key in ("trainer", "place", "description"):
        data[key] = (data.get(key) or "").strip() or None
    for key, limit in _LENGTHS.items():
        if data.get(key) and len(data[key]) > limit:
            raise ServiceError(_l("Ce texte est trop long (%(max)s caractères au plus).", max=limit), field=key)
    if not data.get("date"):
        raise ServiceError(_l("La date est obligatoire."), field="date")
    if not data.get("topic"):
        raise ServiceError(_l("Le thème est obligatoire."), field="topic")
    data["topic"] = Topic(data["topic"])
    data["mode"] = TrainingMode(data.get("mode") or TrainingMode.IN_PERSON)
    data["duration_hours"] = _duration(data.get("duration_hours"))
    cohort_id = data.get("cohort_id") or None
    if cohort_id is not None and db.session.get(Cohort, cohort_id) is None:
        raise ServiceError(_l("Cette cohorte n'existe pas."), field="cohort_id")
    data["cohort_id"] = cohort_id
    return data


def _duration(value) -> Decimal:
    """Hours to the hundredth (the column's precision): more than 0, at most MAX_DURATION_HOURS."""
    if value in (None, ""):
        raise ServiceError(_l("La durée est obligatoire."), field="duration_hours")
    try:
        hours = Decimal(str(value).replace(",", "."))
        if not hours.is_finite():
            raise InvalidOperation
        hours = hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ServiceError(_l("La durée doit être un nombre d'heures."), field="duration_hours") from None
    if not (Decimal(0) < hours <= MAX_DURATION_HOURS):
        raise ServiceError(
            _l("La durée doit être supérieure à 0 et d'au plus %(max)s heures.", max=MAX_DURATION_HOURS),
            field="duration_hours",
        )
    return hours


def _check_cohort_change(training: Training, cohort_id: int | None) -> None:
    """Attendance recorded for another cohort's members would no longer belong to the training."""
    if cohort_id is None or cohort_id == training.cohort_id:
        return
    outside = db.session.scalar(
        sa.select(sa.func.count(Attendance.id))
        .join(Member, Attendance.member_id == Member.id)
        .join(Project, Member.project_id == Project.id)
        .where(Attendance.training_id == training.id, Project.cohort_id != cohort_id)
    )
    if outside:
        raise ServiceError(
            _l("Des présences sont déjà enregistrées pour des membres d'une autre cohorte (%(num)s) : "
               "la formation ne peut pas changer de cohorte.", num=outside),
            field="cohort_id",
        )


def create_training(actor, data: dict) -> Training:
    """Creates a training after the rules above; raises ServiceError (field set) otherwise."""
    data = _clean(data)
    training = Training(**data)
    db.session.add(training)
    db.session.flush()
    audit.record(actor, "create", "training", training.id, audit.diff({}, audit.snapshot(training, TRAINING_FIELDS)))
    return training


def update_training(actor, training: Training, data: dict, version) -> Training:
    """Raises ConflictError when the form was loaded from an older version, ServiceError on a broken rule."""
    check_version(training, version)
    data = _clean(data)
    _check_cohort_change(training, data["cohort_id"])
    audit.update(actor, training, "training", TRAINING_FIELDS, data)
    return training


def delete_training(actor, training: Training) -> None:
    """Deletes the training and its attendance; the audit keeps both as they were."""
    marks = dict(
        db.session.execute(
            sa.select(Attendance.member_id, Attendance.present).where(Attendance.training_id == training.id)
        ).all()
    )
    before = audit.snapshot(training, TRAINING_FIELDS) | {
        "attendance": {str(member_id): present for member_id, present in sorted(marks.items())} or None
    }
    training_id = training.id
    db.session.delete(training)
    db.session.flush()
    audit.record(actor, "delete", "training", training_id, audit.diff(before, {}))


# ---------------------------------------------------------------- attendance

@dataclass
class AttendanceSheet:
    """What the sheet lists: the projects of one cohort (active ones unless asked) and the marks so far."""

    training: Training
    cohort: Cohort | None
    projects: list[Project]
    marks: dict[int, bool]  # member_id -> present, for every recorded member of the cohort
    include_inactive: bool = False
    hidden_projects: int = 0  # projects of the cohort left out because they are not active

    @property
    def members(self) -> list[Member]:
        return [m for p in self.projects for m in p.members]

    def counts(self, marks: dict[int, bool] | None = None) -> tuple[int, int, int]:
        """(present, absent, not recorded) among the listed members."""
        marks = self.marks if marks is None else marks
        values = [marks.get(m.id) for m in self.members]
        return values.count(True), values.count(False), values.count(None)


def attendance_sheet(training: Training, cohort_id: int | None = None,
                     include_inactive: bool = False) -> AttendanceSheet:
    """The sheet of a training: its own cohort, or for a programme-wide one the cohort asked for.

    The number of queries does not depend on the number of projects or members. With no cohort (a
    programme-wide training and none chosen, or an unknown id) the sheet lists nothing."""
    cohort = training.cohort if training.cohort_id else (db.session.get(Cohort, cohort_id) if cohort_id else None)
    if cohort is None:
        return AttendanceSheet(training, None, [], {}, include_inactive)
    stmt = (
        sa.select(Project)
        .where(Project.cohort_id == cohort.id)
        .options(selectinload(Project.members))
        .order_by(Project.name, Project.id)
    )
    hidden = 0
    if not include_inactive:
        stmt = stmt.where(Project.status == ProjectStatus.ACTIVE)
        hidden = db.session.scalar(
            sa.select(sa.func.count(Project.id)).where(
                Project.cohort_id == cohort.id, Project.status != ProjectStatus.ACTIVE
            )
        )
    projects = list(db.session.scalars(stmt))
    marks = dict(
        db.session.execute(
            sa.select(Attendance.member_id, Attendance.present)
            .join(Member, Attendance.member_id == Member.id)
            .join(Project, Member.project_id == Project.id)
            .where(Attendance.training_id == training.id, Project.cohort_id == cohort.id)
        ).all()
    )
    return AttendanceSheet(training, cohort, projects, marks, include_inactive, hidden)


def mark_all_present(sheet: AttendanceSheet, marks: dict[int, bool], project_ids) -> dict[int, bool]:
    """The marks with every member of the "all present" projects set present.

    Raises ServiceError when a project is not on the sheet."""
    by_id = {p.id: p for p in sheet.projects}
    unknown = sorted(set(project_ids) - by_id.keys())
    if unknown:
        raise ServiceError(_l("Ce projet ne figure pas sur cette feuille de présence : rien n'a été enregistré."))
    marks = dict(marks)
    for project_id in project_ids:
        marks.update({m.id: True for m in by_id[project_id].members})
    return marks


def mark_rest_absent(sheet: AttendanceSheet, marks: dict[int, bool]) -> dict[int, bool]:
    """The marks with every member of the sheet left without an answer set absent ("mark the rest absent")."""
    return {**{m.id: False for m in sheet.members}, **marks}


def attendance_refused(training: Training, today: dt.date):
    """The reason attendance cannot be recorded yet (a training dated in the future), else None."""
    if training.date is not None and training.date > today:
        return _l("Cette formation a lieu le %(date)s : la présence se note à partir de ce jour-là.",
                  date=date_text(training.date, LONG))
    return None


@dataclass
class AttendanceResult:
    present: int  # marks saved as present on this sheet
    absent: int
    changes: dict[str, list]  # {"member:<id>": [before, after]} for the members whose mark changed


def record_attendance(actor, training: Training, marks: dict[int, bool], cohort_id: int | None = None,
                      today: dt.date | None = None) -> AttendanceResult:
    """Saves a whole sheet: marks {member_id: present}; existing rows are updated, missing ones created.

    A training dated after `today` (default: today) takes no attendance: raises ServiceError, nothing written.

    Every member must belong to a project of the training's cohort (for a programme-wide training, of
    `cohort_id` when given, else of any cohort); otherwise raises ServiceError and nothing is written. Writes one
    AuditEvent listing the members whose mark changed. The number of queries does not depend on the
    number of members."""
    refused = attendance_refused(training, today or dt.date.today())
    if refused:
        raise ServiceError(refused)
    marks = {int(member_id): bool(present) for member_id, present in marks.items()}
    cohort_id = training.cohort_id or cohort_id
    stmt = sa.select(Member.id).join(Member.project).where(Member.id.in_(marks or [-1]))
    if cohort_id is not None:
        stmt = stmt.where(Project.cohort_id == cohort_id)
    foreign = sorted(marks.keys() - set(db.session.scalars(stmt)))
    if foreign:
        raise ServiceError(
            _l("Ces membres ne font pas partie des projets de la cohorte de cette formation (n° %(ids)s) : "
               "rien n'a été enregistré.", ids=", ".join(str(i) for i in foreign))
        )
    existing = dict(
        db.session.execute(
            sa.select(Attendance.member_id, Attendance.present)
            .where(Attendance.training_id == training.id, Attendance.member_id.in_(marks or [-1]))
        ).all()
    )
    changes, new_rows, flips = {}, [], {True: [], False: []}
    for member_id, present in sorted(marks.items()):
        before = existing.get(member_id)
        if member_id not in existing:
            new_rows.append({"training_id": training.id, "member_id": member_id, "present": present})
        elif before == present:
            continue
        else:
            flips[present].append(member_id)
        changes[f"member:{member_id}"] = [before, present]
    # Set-based writes: at most one INSERT and two UPDATEs whatever the size of the sheet.
    try:
        if new_rows:
            db.session.execute(sa.insert(Attendance), new_rows)
        for present, member_ids in flips.items():
            if member_ids:
                db.session.execute(
                    sa.update(Attendance)
                    .where(Attendance.training_id == training.id, Attendance.member_id.in_(member_ids))
                    .values(present=present)
                )
    except IntegrityError as error:  # another sheet for the same training created the same rows meanwhile
        raise ServiceError(
            _l("Quelqu'un d'autre a enregistré cette feuille au même moment. "
               "Rechargez la page, vérifiez puis enregistrez à nouveau.")
        ) from error
    if changes:
        audit.record(actor, "record_attendance", "training", training.id, changes)
    present = sum(1 for value in marks.values() if value)
    return AttendanceResult(present=present, absent=len(marks) - present, changes=changes)
