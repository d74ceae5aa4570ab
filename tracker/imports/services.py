"""Importing a cohort's projects and team members from the forum spreadsheet (DESIGN §7, issues 7 and 14).

read the file (reader; the web keeps the result, see parsed.py) → check rows and projects (checks) → compare
with the cohort and the user's choices (plan) → preview → write (here).

- Nothing is written while a conflict (same number, another name) has no choice: run_import raises
  ImportConflicts. Errors stop the import too (ImportRejected) unless `skip_invalid`; warnings never do.
- run_import flushes and never commits: the caller commits once, or rolls back on any exception (a failure
  half-way leaves only flushed rows in the caller's transaction). It writes one AuditEvent ("import" on the
  cohort) with the counts, the choices and the file's sha256, plus one "delete" event per member removed
  because the file does not list them (removal chosen by the user).
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from tracker.cohorts.models import Cohort
from tracker.core import audit
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.imports import checks, plan, rejected
from tracker.imports.checks import ImportIssue
from tracker.imports.plan import Choices, MemberChange, ProjectChange, ProjectOp
from tracker.imports.reader import ImportFileError, Sheet, read_sheet
from tracker.projects.models import DEFAULT_CONSENT_PURPOSE, Member, Project
from tracker.projects.services import MEMBER_FIELDS

__all__ = [
    "ImportFileError", "ImportRejected", "ImportConflicts", "ImportIssue", "ImportSummary", "MemberChange",
    "ProjectChange", "ImportPreview", "Choices", "preview_import", "run_import", "rejected_rows_xlsx",
]
FLUSH_EVERY = 200  # projects per flush while writing: bounded memory, few round trips


class ImportRejected(ServiceError):
    """The file has errors and the user did not choose to import only the valid rows; nothing was written.
    `preview` lists the errors."""

    def __init__(self, message, preview: "ImportPreview"):
        super().__init__(message)
        self.preview = preview


class ImportConflicts(ImportRejected):
    """Projects of the file carry the number of another project of the cohort and nobody chose what to do
    with them; nothing was written."""


@dataclass
class ImportSummary:
    projects_created: int = 0
    projects_updated: int = 0
    projects_unchanged: int = 0
    projects_rejected: int = 0
    projects_conflicts: int = 0  # conflicts still without a choice
    projects_skipped: int = 0  # conflicts the user chose to skip
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    members_rejected: int = 0  # rows not imported: row errors, duplicates and the rows of rejected projects
    members_removed: int = 0  # existing members the file does not list, removal chosen
    warnings: int = 0


@dataclass
class ImportPreview:
    filename: str
    sha256: str
    data_rows: int
    issues: list[ImportIssue]  # errors
    summary: ImportSummary
    projects: list[ProjectChange]  # conflicts first
    rejected_lines: list[int]
    language: str = "fr"  # the language of the file's headers
    file_format: str = "xlsx"
    warnings: list[ImportIssue] = field(default_factory=list)
    choices: Choices = field(default_factory=Choices)

    @property
    def has_errors(self) -> bool:
        return bool(self.issues)

    @property
    def can_import_valid(self) -> bool:
        """Some project is not rejected (skipping every conflict is a choice, not an error)."""
        return any(p.action != "rejected" for p in self.projects)

    @property
    def has_changes(self) -> bool:
        return any(p.action in ("create", "update") for p in self.projects)

    @property
    def conflicts(self) -> list[ProjectChange]:
        return [p for p in self.projects if p.conflict]

    @property
    def unresolved(self) -> list[ProjectChange]:
        return [p for p in self.projects if p.unresolved]

    @property
    def missing_members(self) -> bool:
        """Some project to update has members the file does not list (kept, or removed by choice)."""
        return any(m.action in ("kept", "removed") for p in self.projects for m in p.members)


_COUNTED = {"create": "created", "update": "updated", "unchanged": "unchanged", "rejected": "rejected",
            "conflict": "conflicts", "skipped": "skipped"}
_MEMBER_COUNTED = {"create": "created", "update": "updated", "unchanged": "unchanged", "removed": "removed"}


def _summary(result: plan.Plan) -> ImportSummary:
    summary = ImportSummary(members_rejected=len(result.rejected), warnings=len(result.warnings))
    for change in result.projects:
        attr = f"projects_{_COUNTED[change.action]}"
        setattr(summary, attr, getattr(summary, attr) + 1)
        if change.action in ("rejected", "conflict", "skipped"):
            continue
        for member in change.members:
            if member.action in _MEMBER_COUNTED:
                attr = f"members_{_MEMBER_COUNTED[member.action]}"
                setattr(summary, attr, getattr(summary, attr) + 1)
    return summary


def _plan(cohort: Cohort, sheet: Sheet, today: dt.date | None, choices: Choices | None) -> plan.Plan:
    today = today or dt.date.today()
    parsed = checks.parse_sheet(sheet, today)
    return plan.build_plan(parsed, plan.cohort_projects(cohort), choices or Choices(), today)


def _preview(result: plan.Plan, sheet: Sheet, filename: str, sha256: str, choices: Choices | None) -> ImportPreview:
    return ImportPreview(
        filename=filename, sha256=sha256, data_rows=len(sheet.rows), issues=result.issues,
        summary=_summary(result), projects=result.projects, rejected_lines=list(result.rejected),
        language=result.language, file_format=sheet.format,
        warnings=result.warnings, choices=choices or Choices(),
    )


def _sheet_of(data: bytes | None, filename: str, sheet: Sheet | None, sha256: str | None) -> tuple[Sheet, str]:
    if sheet is None:
        sheet = read_sheet(data, filename)
    return sheet, sha256 or hashlib.sha256(data or b"").hexdigest()


def preview_import(cohort: Cohort, data: bytes | None, filename: str, today: dt.date | None = None, *,
                   sheet: Sheet | None = None, sha256: str | None = None,
                   choices: Choices | None = None) -> ImportPreview:
    """What importing the file into the cohort would do with these choices, every error and warning;
    writes nothing. Pass `sheet` (and `sha256`) when the file was already read: it is not read again.

    Raises ImportFileError when the file cannot be read (not a spreadsheet, empty, only headers, unknown or
    missing headers, formulas, too big, too many rows, unknown encoding)."""
    sheet, sha256 = _sheet_of(data, filename, sheet, sha256)
    return _preview(_plan(cohort, sheet, today, choices), sheet, filename, sha256, choices)


# ---------------------------------------------------------------- writing

def run_import(actor, cohort: Cohort, data: bytes | None, filename: str, *, skip_invalid: bool,
               today: dt.date | None = None, progress: Callable[[int, int], None] | None = None,
               sheet: Sheet | None = None, sha256: str | None = None,
               choices: Choices | None = None) -> ImportPreview:
    """Imports the file into the cohort with the user's choices and returns what was done.

    Raises ImportConflicts (nothing written) while a conflict has no choice; ImportRejected when the file has
    errors and not `skip_invalid` (which imports the valid rows and projects only, README rules), or when no
    project is valid; ImportFileError when the file cannot be read; ConflictError when the cohort changed
    meanwhile. Flushes, never commits; on any exception the caller rolls back. `progress(done, total)` is
    called with done = 0 first, then after each project written."""
    sheet, sha256 = _sheet_of(data, filename, sheet, sha256)
    result = _plan(cohort, sheet, today, choices)
    preview = _preview(result, sheet, filename, sha256, choices)
    _check_can_write(preview, skip_invalid)
    try:
        _write(actor, result, cohort, progress, sha256)
    except (sa.exc.IntegrityError, StaleDataError):
        raise ConflictError(_l(
            "Les projets de la cohorte ont été modifiés pendant l'import (un autre import en cours ?) : rien n'a "
            "été importé. Recommencez.")) from None
    summary = preview.summary
    audit.record(actor, "import", "cohort", cohort.id, {
        "file": filename, "sha256": sha256, "data_rows": preview.data_rows, "skip_invalid": skip_invalid,
        **{name: getattr(summary, name) for name in summary.__dataclass_fields__},
        "rejected_lines": preview.rejected_lines,
        "conflicts": {p.key: {"choice": p.choice, "existing_name": p.existing_name, "name": p.name, "code": p.code}
                      for p in preview.conflicts},
        "remove_missing_members": preview.choices.remove_missing,
    })
    db.session.flush()
    return preview


def _check_can_write(preview: ImportPreview, skip_invalid: bool) -> None:
    if preview.unresolved:
        raise ImportConflicts(_l(
            "Projets du fichier qui portent le numéro d'un autre projet de la cohorte : %(n)s. Choisissez pour "
            "chacun « mettre à jour », « créer un nouveau projet » ou « ignorer ». Rien n'a été importé.",
            n=len(preview.unresolved)), preview)
    if preview.has_errors and not skip_invalid:
        raise ImportRejected(_l(
            "Le fichier contient des erreurs (%(n)s) : rien n'a été importé. Corrigez-les, ou choisissez "
            "d'importer seulement les lignes et projets valides.", n=len(preview.issues)), preview)
    if not preview.can_import_valid:
        raise ImportRejected(_l("Aucun projet valide dans ce fichier : rien n'a été importé."), preview)


def _write(actor, result: plan.Plan, cohort: Cohort, progress, sha256: str) -> None:
    total = len(result.writes)
    if progress:
        progress(0, total)
    if result.lead_clears or result.removals:
        # The partial unique index allows one lead per project at any time: clear the old flags first.
        for member in result.lead_clears:
            member.is_lead = False
        for member in result.removals:
            _remove_member(actor, member, sha256)
        db.session.flush()
    for done, op in enumerate(result.writes, start=1):
        write_project(cohort, op)
        if done % FLUSH_EVERY == 0:
            db.session.flush()
        if progress:
            progress(done, total)
    db.session.flush()


def _remove_member(actor, member: Member, sha256: str) -> None:
    """A member the file does not list, removal chosen: audited like a removal from the team page."""
    before = audit.snapshot(member, MEMBER_FIELDS) | {"project_id": member.project_id}
    audit.record(actor, "delete", "member", member.id, audit.diff(before, {}) | {"import_sha256": [None, sha256]})
    member.project.members.remove(member)


def _with_purpose(values: dict[str, Any]) -> dict[str, Any]:
    """The forum's sheet records the consent date; the purpose is the one the forum form stated."""
    return {"consent_purpose": DEFAULT_CONSENT_PURPOSE, **values}


def write_project(cohort: Cohort, op: ProjectOp) -> Project:
    """Writes one project and its team changes (called once per project to create or update)."""
    project = op.project
    if project is None:
        project = Project(cohort_id=cohort.id, code=op.code, **op.values)
        project.members = [Member(**_with_purpose(m.values)) for m in op.members]
        db.session.add(project)
        return project
    for key, value in op.values.items():
        if not plan.same(key, getattr(project, key), value):
            setattr(project, key, value)
    for member_op in op.members:
        if member_op.member is None:
            project.members.append(Member(**_with_purpose(member_op.values)))
        else:
            for key, value in member_op.values.items():
                setattr(member_op.member, key, value)
    return project


# ---------------------------------------------------------------- rejected rows

def rejected_rows_xlsx(data: bytes | None, filename: str, today: dt.date | None = None,
                       cohort: Cohort | None = None, *, sheet: Sheet | None = None,
                       choices: Choices | None = None) -> bytes:
    """The rows that are not imported, with their original columns and an error column, in file order, and
    a "warnings" sheet listing every warning with the text as typed.

    Pass the cohort (and the choices) to judge the team rules on the team as the import would leave it;
    without it the file is judged on its own. Raises ImportFileError like preview_import."""
    sheet, _ = _sheet_of(data, filename, sheet, "-")
    today = today or dt.date.today()
    parsed = checks.parse_sheet(sheet, today)
    projects = plan.cohort_projects(cohort) if cohort is not None else {}
    result = plan.build_plan(parsed, projects, choices or Choices(), today)
    return rejected.rejected_xlsx(sheet, parsed.headers.language, result.rejected, result.warnings)
