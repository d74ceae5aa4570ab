"""Importing a cohort's projects and team members from the forum spreadsheet (DESIGN §7, issue 7).

parse (reader) → check every row and project (rules) → compare with the cohort (here) → preview → write.

- Projects are matched by (cohort, project number = Project.code), any case; members by (project, full name
  trimmed, any case). The cohort's projects and members are loaded once, whatever the number of rows.
- The file is the reference for the columns it has: a blank cell in a present column clears the field, a
  column the file does not have leaves the field as it is. Members of the project who are not in the file
  are kept (an import never deletes anyone); a lead marked in the file takes the flag from the current one.
- Re-importing the same file changes nothing; a changed file changes exactly what differs, and the preview
  lists it field by field as (old, new) typed values (enums, dates, Decimals). Free text (names, province,
  commune, role…) is compared without case or extra spaces, like the spelling variants of README rule 5.
- A member's role is inferred from the role text when the member is created, and again only when that text
  changes, so a role corrected in the app survives re-imports.
- A project is "update" when its own fields or anything in its team change; its `changes` list only its own
  fields, its members carry theirs.
- run_import flushes and never commits: the caller commits once, or rolls back on any exception (a failure
  half-way leaves only flushed rows in the caller's transaction). It writes one AuditEvent ("import" on the
  cohort) with the counts and the file's sha256, not one per record.
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.cohorts.models import Cohort
from tracker.core import audit
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.imports import rejected, rules
from tracker.imports.reader import ImportFileError, read_sheet
from tracker.imports.rules import Analysis, ExistingMember, ImportIssue, ProjectGroup, RowResult, name_key
from tracker.projects.models import DEFAULT_CONSENT_PURPOSE, Member, Project

__all__ = [
    "ImportFileError", "ImportRejected", "ImportIssue", "ImportSummary", "MemberChange", "ProjectChange",
    "ImportPreview", "preview_import", "run_import", "rejected_rows_xlsx",
]

# Project attribute → the column (rules field) it comes from.
PROJECT_COLUMNS = {
    "name": "project_name", "sector": "sector", "sub_sector": "sub_sector", "summary": "summary",
    "stage": "stage", "legal_form": "legal_form", "province": "province", "commune": "commune",
}
# Member attribute → its column; role is inferred from the role text.
MEMBER_COLUMNS = {
    "full_name": "full_name", "sex": "sex", "birth_date": "birth_date", "role": "role_title",
    "role_title": "role_title", "is_lead": "is_lead", "ownership_pct": "ownership_pct", "phone": "phone",
    "email": "email", "consent_date": "consent_date",
}
FLUSH_EVERY = 200  # projects per flush while writing: bounded memory, few round trips


class ImportRejected(ServiceError):
    """The file has errors and the user did not choose to import only the valid rows; nothing was written.
    `preview` lists the errors."""

    def __init__(self, message, preview: "ImportPreview"):
        super().__init__(message)
        self.preview = preview


@dataclass
class MemberChange:
    name: str
    action: str  # "create" | "update" | "unchanged" | "rejected"
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    line: int | None = None  # None: a member already in the project and not in the file (lead flag moved)
    is_lead: bool = False


@dataclass
class ProjectChange:
    key: str
    name: str
    action: str  # "create" | "update" | "unchanged" | "rejected"
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    members: list[MemberChange] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # every row of the file with this project number
    sector: Any = None  # Sector, or None when it could not be determined


@dataclass
class ImportSummary:
    projects_created: int = 0
    projects_updated: int = 0
    projects_unchanged: int = 0
    projects_rejected: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    members_rejected: int = 0  # rows not imported: row errors, duplicates and the rows of rejected projects


@dataclass
class ImportPreview:
    filename: str
    sha256: str
    data_rows: int
    issues: list[ImportIssue]
    summary: ImportSummary
    projects: list[ProjectChange]
    rejected_lines: list[int]
    language: str = "fr"  # the language of the file's headers
    file_format: str = "xlsx"

    @property
    def has_errors(self) -> bool:
        return bool(self.issues)

    @property
    def can_import_valid(self) -> bool:
        return any(p.action != "rejected" for p in self.projects)

    @property
    def has_changes(self) -> bool:
        return any(p.action in ("create", "update") for p in self.projects)


@dataclass
class _MemberOp:
    member: Member | None  # None = to create
    values: dict[str, Any]  # every value for a new member; only the changed ones for an existing member


@dataclass
class _ProjectOp:
    group: ProjectGroup
    project: Project | None  # None = to create
    values: dict[str, Any]
    members: list[_MemberOp]


@dataclass
class _Plan:
    preview: ImportPreview
    writes: list[_ProjectOp]
    lead_clears: list[Member]


# ---------------------------------------------------------------- analysis

def _cohort_projects(cohort: Cohort) -> dict[str, Project]:
    """The cohort's numbered projects with their teams, in two queries."""
    projects = db.session.scalars(
        sa.select(Project).where(Project.cohort_id == cohort.id).options(selectinload(Project.members))
    )
    found: dict[str, Project] = {}
    for project in projects:
        if project.code:
            found.setdefault(name_key(project.code), project)
    return found


def _teams(projects: dict[str, Project]) -> dict[str, list[ExistingMember]]:
    return {
        key: [ExistingMember(name_key(m.full_name), m.is_lead, m.ownership_pct) for m in project.members]
        for key, project in projects.items()
    }


def _analyse(data: bytes, filename: str, today: dt.date | None, projects: dict[str, Project]) -> tuple:
    sheet = read_sheet(data, filename)
    analysis = rules.analyse(sheet, today or dt.date.today(), _teams(projects))
    return sheet, analysis


def _with_purpose(values: dict[str, Any]) -> dict[str, Any]:
    """The forum's sheet records the consent date; the purpose is the one the forum form stated."""
    return {"consent_purpose": DEFAULT_CONSENT_PURPOSE, **values}


def _project_values(group: ProjectGroup, headers: rules.HeaderMap) -> dict[str, Any]:
    return {attr: group.values.get(attr) for attr, column in PROJECT_COLUMNS.items() if headers.present(column)}


def _member_values(row: RowResult, headers: rules.HeaderMap) -> dict[str, Any]:
    return {attr: row.member.get(attr) for attr, column in MEMBER_COLUMNS.items() if headers.present(column)}


# Free text compared without case or extra spaces: "SAFI" in a file whose other rows said "Safi" (README rule 5)
# is not a change, so importing a few rows of a project again does not rewrite its spelling.
TEXT_FIELDS = {"name", "sub_sector", "summary", "province", "commune", "full_name", "role_title"}


def _same(attr: str, old: Any, new: Any) -> bool:
    if attr in TEXT_FIELDS and isinstance(old, str) and isinstance(new, str):
        return name_key(old) == name_key(new)
    return old == new


def _changes(obj, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (getattr(obj, k), v) for k, v in values.items() if not _same(k, getattr(obj, k), v)}


def _plan_project(group: ProjectGroup, project: Project | None, headers: rules.HeaderMap,
                  rows_by_line: dict[int, RowResult], lead_clears: list[Member]) -> tuple[ProjectChange, _ProjectOp]:
    values = _project_values(group, headers)
    change = ProjectChange(key=group.key, name=group.values.get("name") or "", action="create",
                           lines=list(group.lines), sector=group.values.get("sector"))
    op = _ProjectOp(group, project, values, [])
    existing = {}
    if project is not None:
        for member in project.members:
            existing.setdefault(name_key(member.full_name), member)
        change.changes = _changes(project, values)
    surviving = {row.line for row in group.rows}
    file_lead = group.lead_row
    matched = set()
    for line in group.lines:
        row = rows_by_line[line]
        if line not in surviving:
            change.members.append(MemberChange(row.full_name or "", "rejected", line=line,
                                               is_lead=bool(row.member.get("is_lead"))))
            continue
        member_values = _member_values(row, headers)
        member = existing.get(row.name_fold)
        if member is None:
            op.members.append(_MemberOp(None, member_values))
            change.members.append(MemberChange(row.full_name, "create", line=line, is_lead=row.member["is_lead"]))
            continue
        matched.add(id(member))
        diff = _changes(member, member_values)
        if "role_title" not in diff:
            diff.pop("role", None)  # the role is inferred from the text: a role set in the app stays
        if diff.get("is_lead") == (True, False):
            lead_clears.append(member)
        if diff:
            op.members.append(_MemberOp(member, {k: new for k, (_, new) in diff.items()}))
        change.members.append(MemberChange(row.full_name, "update" if diff else "unchanged", diff, line,
                                           row.member["is_lead"]))
    if project is not None and file_lead is not None:
        for member in project.members:  # the lead flag moves to the lead marked in the file
            if member.is_lead and id(member) not in matched:
                lead_clears.append(member)
                change.members.append(MemberChange(member.full_name, "update", {"is_lead": (True, False)}))
    if project is not None:
        team_changed = any(m.action in ("create", "update") for m in change.members)
        change.action = "update" if change.changes or team_changed else "unchanged"
    return change, op


def _plan(cohort: Cohort, data: bytes, filename: str, today: dt.date | None) -> _Plan:
    projects = _cohort_projects(cohort)
    sheet, analysis = _analyse(data, filename, today, projects)
    rows_by_line = {row.line: row for row in analysis.rows}
    changes, writes, lead_clears = [], [], []
    for group in analysis.groups:
        if group.rejected:
            changes.append(ProjectChange(
                key=group.key, name=group.values.get("name") or "", action="rejected", lines=list(group.lines),
                sector=group.values.get("sector"),
                members=[MemberChange(rows_by_line[n].full_name or "", "rejected", line=n,
                                      is_lead=bool(rows_by_line[n].member.get("is_lead"))) for n in group.lines],
            ))
            continue
        change, op = _plan_project(group, projects.get(group.key_fold), analysis.headers, rows_by_line, lead_clears)
        changes.append(change)
        if change.action in ("create", "update"):
            writes.append(op)
    preview = ImportPreview(
        filename=filename, sha256=hashlib.sha256(data).hexdigest(), data_rows=len(sheet.rows),
        issues=analysis.issues, summary=_summary(changes, analysis), projects=changes,
        rejected_lines=list(analysis.rejected), language=analysis.headers.language, file_format=sheet.format,
    )
    return _Plan(preview, writes, lead_clears)


def _summary(changes: list[ProjectChange], analysis: Analysis) -> ImportSummary:
    summary = ImportSummary(members_rejected=len(analysis.rejected))
    for change in changes:
        name = {"create": "created", "update": "updated", "unchanged": "unchanged", "rejected": "rejected"}
        attr = f"projects_{name[change.action]}"
        setattr(summary, attr, getattr(summary, attr) + 1)
        for member in change.members:
            if member.action != "rejected":
                attr = f"members_{name[member.action]}"
                setattr(summary, attr, getattr(summary, attr) + 1)
    return summary


def preview_import(cohort: Cohort, data: bytes, filename: str, today: dt.date | None = None) -> ImportPreview:
    """What importing the file into the cohort would do, and every error; writes nothing.

    Raises ImportFileError when the file cannot be read (not a spreadsheet, empty, only headers, unknown or
    missing headers, formulas, too big, unknown encoding)."""
    return _plan(cohort, data, filename, today).preview


# ---------------------------------------------------------------- writing

def run_import(actor, cohort: Cohort, data: bytes, filename: str, *, skip_invalid: bool,
               today: dt.date | None = None, progress: Callable[[int, int], None] | None = None) -> ImportPreview:
    """Imports the file into the cohort and returns what was done (the same preview as preview_import).

    With errors in the file, raises ImportRejected (a ServiceError, nothing written) unless `skip_invalid`,
    which imports the valid rows and projects only (README rules). Raises ImportRejected too when no project
    is valid, ImportFileError when the file cannot be read, ConflictError when the cohort changed meanwhile.
    Flushes, never commits; on any exception the caller rolls back. `progress(done, total)` is called with
    done = 0 first, then after each project written."""
    plan = _plan(cohort, data, filename, today)
    preview = plan.preview
    if preview.has_errors and not skip_invalid:
        raise ImportRejected(_l(
            "Le fichier contient des erreurs (%(n)s) : rien n'a été importé. Corrigez-les, ou choisissez "
            "d'importer seulement les lignes et projets valides.", n=len(preview.issues)), preview)
    if not preview.can_import_valid:
        raise ImportRejected(_l("Aucun projet valide dans ce fichier : rien n'a été importé."), preview)
    total = len(plan.writes)
    if progress:
        progress(0, total)
    try:
        if plan.lead_clears:
            # The partial unique index allows one lead per project at any time: clear the old flags first.
            for member in plan.lead_clears:
                member.is_lead = False
            db.session.flush()
        for done, op in enumerate(plan.writes, start=1):
            write_project(cohort, op)
            if done % FLUSH_EVERY == 0:
                db.session.flush()
            if progress:
                progress(done, total)
        db.session.flush()
    except (sa.exc.IntegrityError, StaleDataError):
        raise ConflictError(_l(
            "Les projets de la cohorte ont été modifiés pendant l'import (un autre import en cours ?) : rien n'a "
            "été importé. Recommencez.")) from None
    summary = preview.summary
    audit.record(actor, "import", "cohort", cohort.id, {
        "file": filename, "sha256": preview.sha256, "data_rows": preview.data_rows, "skip_invalid": skip_invalid,
        **{name: getattr(summary, name) for name in summary.__dataclass_fields__},
        "rejected_lines": preview.rejected_lines,
    })
    db.session.flush()
    return preview


def write_project(cohort: Cohort, op: _ProjectOp) -> Project:
    """Writes one project and its team changes (called once per project to create or update)."""
    project = op.project
    if project is None:
        project = Project(cohort_id=cohort.id, code=op.group.key, **op.values)
        project.members = [Member(**_with_purpose(m.values)) for m in op.members]
        db.session.add(project)
        return project
    for key, value in op.values.items():
        if not _same(key, getattr(project, key), value):
            setattr(project, key, value)
    for member_op in op.members:
        if member_op.member is None:
            project.members.append(Member(**_with_purpose(member_op.values)))
        else:
            for key, value in member_op.values.items():
                setattr(member_op.member, key, value)
    return project


# ---------------------------------------------------------------- rejected rows

def rejected_rows_xlsx(data: bytes, filename: str, today: dt.date | None = None,
                       cohort: Cohort | None = None) -> bytes:
    """The rows that are not imported, with their original columns and an error column, in file order.

    Pass the cohort to apply the team rules as the import does for projects already in it (see rules,
    rule 4); without it the file is judged on its own. Raises ImportFileError like preview_import."""
    projects = _cohort_projects(cohort) if cohort is not None else {}
    sheet, analysis = _analyse(data, filename, today, projects)
    return rejected.rejected_xlsx(sheet, analysis)
