"""What importing a parsed file into a cohort would do, project by project and member by member (issue 14).

- A file's project is the cohort's project with the same number only when the names agree too
  (tracker.imports.matching). The same number with another name is a **conflict**: nothing happens to it
  until the user chooses, for that project, "update" (the file's values go into the existing project),
  "new" (a new project with the next free number) or "skip". Conflicts come first in the list.
- The file is the reference for the columns it has: a blank cell in a present column clears the field, a
  column the file does not have leaves the field as it is. Members are matched by full name (trimmed, any
  case). Existing members the file does not list are kept, unless the user chose to remove them
  (`Choices.remove_missing`); a lead marked in the file takes the flag from the current one.
- The team rules (README rule 4) and the women-/youth-led flags are computed on the team as it will be:
  the file's members, plus the existing members kept, for a project that is updated; the file's alone for
  a project created. A file whose project sums to 100 % is never judged with the old team on top.
- Re-importing the same file changes nothing; a changed file changes exactly what differs, listed field by
  field as (old, new) typed values. Free text (names, commune…) is compared without case or extra spaces.
- A member's role is inferred from the role text when the member is created, and again only when that text
  changes, so a role corrected in the app survives re-imports.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.imports import checks, matching
from tracker.imports.checks import ImportIssue, Parsed, ProjectGroup, RowResult, TeamFigures, TeamMember
from tracker.imports.normalise import fold, name_key
from tracker.projects.models import Member, Project

CONFLICT_CHOICES = ("update", "new", "skip")
# Project attribute → the column it comes from.
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
# Free text compared without case or extra spaces: "SAFI" in a file whose other rows said "Safi" (README rule 5)
# is not a change, so importing a few rows of a project again does not rewrite its spelling.
TEXT_FIELDS = {"name", "sub_sector", "summary", "province", "commune", "full_name", "role_title"}


@dataclass
class Choices:
    """What the user chose for the conflicts (by project number, folded) and for members missing from the
    file. `default` applies to every conflict without its own choice (the command line's --on-conflict)."""

    per_project: dict[str, str] = field(default_factory=dict)
    default: str | None = None
    remove_missing: bool = False

    def of(self, key_fold: str) -> str | None:
        return self.per_project.get(key_fold) or self.default

    def to_dict(self) -> dict:
        return {"per_project": dict(sorted(self.per_project.items())), "default": self.default,
                "remove_missing": self.remove_missing}

    @classmethod
    def from_dict(cls, payload: dict | None) -> "Choices":
        payload = payload or {}
        per_project = {str(k): v for k, v in (payload.get("per_project") or {}).items() if v in CONFLICT_CHOICES}
        default = payload.get("default") if payload.get("default") in CONFLICT_CHOICES else None
        return cls(per_project, default, bool(payload.get("remove_missing")))

    def digest(self) -> str:
        """Names this set of choices: the confirmation applies the choices the preview showed, no others."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class MemberChange:
    name: str
    action: str  # "create" | "update" | "unchanged" | "rejected" | "kept" (not in the file) | "removed"
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    line: int | None = None  # None: a member already in the project and not in the file
    is_lead: bool = False


@dataclass
class ProjectChange:
    key: str  # the number in the file
    name: str
    action: str  # "create" | "update" | "unchanged" | "rejected" | "conflict" (no choice yet) | "skipped"
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    members: list[MemberChange] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # every row of the file with this project number
    sector: Any = None  # Sector, or None when it could not be determined
    code: str | None = None  # the number the project will have (another one for "new")
    conflict: bool = False  # same number as a project of the cohort, another name
    existing_name: str | None = None  # that project's name
    choice: str | None = None
    team: TeamFigures | None = None  # the team as it will be, for a project written
    warnings: list[ImportIssue] = field(default_factory=list)

    @property
    def unresolved(self) -> bool:
        return self.action == "conflict"


@dataclass
class MemberOp:
    member: Member | None  # None = to create
    values: dict[str, Any]  # every value for a new member; only the changed ones for an existing member


@dataclass
class ProjectOp:
    group: ProjectGroup
    project: Project | None  # None = to create
    code: str
    values: dict[str, Any]
    members: list[MemberOp]


@dataclass
class Plan:
    projects: list[ProjectChange]  # conflicts first, then file order
    writes: list[ProjectOp]
    lead_clears: list[Member]  # flags to clear before anything else (one lead per project in the database)
    removals: list[Member]  # existing members the file does not list, removal chosen
    issues: list[ImportIssue]  # errors (rows and projects), by first row
    warnings: list[ImportIssue]
    rejected: dict[int, list[ImportIssue]]  # row number → why it is not imported, in file order
    language: str = "fr"  # of the file's headers


# ---------------------------------------------------------------- the cohort

def cohort_projects(cohort: Cohort) -> dict[str, Project]:
    """The cohort's numbered projects with their teams, in two queries, by folded number."""
    projects = db.session.scalars(
        sa.select(Project).where(Project.cohort_id == cohort.id).options(selectinload(Project.members))
    )
    found: dict[str, Project] = {}
    for project in projects:
        if project.code:
            found.setdefault(name_key(project.code), project)
    return found


def same(attr: str, old: Any, new: Any) -> bool:
    if attr in TEXT_FIELDS and isinstance(old, str) and isinstance(new, str):
        return name_key(old) == name_key(new)
    return old == new


def changes_of(obj, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (getattr(obj, k), v) for k, v in values.items() if not same(k, getattr(obj, k), v)}


def _team_member(member: Member) -> TeamMember:
    return TeamMember(name_key(member.full_name), member.is_lead, member.ownership_pct, member.sex,
                      member.birth_date)


# ---------------------------------------------------------------- one project

class _ProjectPlanner:
    """The change and the write of one file project, given what it becomes (create, update, new)."""

    def __init__(self, planner: "_Planner", group: ProjectGroup):
        self.planner, self.group, self.headers = planner, group, planner.parsed.headers
        self.values = {attr: group.values.get(attr) for attr, column in PROJECT_COLUMNS.items()
                       if self.headers.present(column)}

    def change(self, action: str, **extra) -> ProjectChange:
        return ProjectChange(key=self.group.key, name=self.group.values.get("name") or "", action=action,
                             lines=list(self.group.lines), sector=self.group.values.get("sector"),
                             warnings=list(self.group.warnings), **extra)

    def member_values(self, row: RowResult) -> dict[str, Any]:
        return {attr: row.member.get(attr) for attr, column in MEMBER_COLUMNS.items() if self.headers.present(column)}

    def rows_in_order(self):
        """(row, surviving) for every row with this number, in file order: rejected members stay in place."""
        surviving = {r.line for r in self.group.rows}
        for line in self.group.lines:
            yield self.planner.rows_by_line[line], line in surviving

    @staticmethod
    def rejected_member(row: RowResult) -> MemberChange:
        return MemberChange(row.full_name or "", "rejected", line=row.line, is_lead=bool(row.member.get("is_lead")))

    def create(self, code: str, change: ProjectChange) -> ProjectOp:
        change.members = []
        op = ProjectOp(self.group, None, code, self.values, [])
        for row, surviving in self.rows_in_order():
            if not surviving:
                change.members.append(self.rejected_member(row))
                continue
            op.members.append(MemberOp(None, self.member_values(row)))
            change.members.append(MemberChange(row.full_name, "create", line=row.line, is_lead=row.member["is_lead"]))
        change.changes = {k: (None, v) for k, v in self.values.items() if v not in (None, "")}
        return op

    def update(self, project: Project, change: ProjectChange, remove_missing: bool) -> ProjectOp:
        op = ProjectOp(self.group, project, project.code or self.group.key, self.values, [])
        change.changes = changes_of(project, self.values)
        existing: dict[str, Member] = {}
        for member in project.members:
            if member.erased_at is None:  # an erased member's name is gone: never matched, never removed
                existing.setdefault(name_key(member.full_name), member)
        matched = {id(m) for r in self.group.rows if (m := existing.get(r.name_fold)) is not None}
        for row, surviving in self.rows_in_order():
            if surviving:
                self._member_update(row, existing.get(row.name_fold), op, change)
            else:
                change.members.append(self.rejected_member(row))
        file_lead = self.group.lead_row is not None
        for member in project.members:
            if id(member) not in matched:
                self._missing_member(member, file_lead, remove_missing, change)
        return op

    def _member_update(self, row: RowResult, member: Member | None, op: ProjectOp, change: ProjectChange) -> None:
        values = self.member_values(row)
        if member is None:
            op.members.append(MemberOp(None, values))
            change.members.append(MemberChange(row.full_name, "create", line=row.line, is_lead=row.member["is_lead"]))
            return
        diff = changes_of(member, values)
        if "role_title" not in diff:
            diff.pop("role", None)  # the role is inferred from the text: a role set in the app stays
        if diff.get("is_lead") == (True, False):
            self.planner.lead_clears.append(member)
        if diff:
            op.members.append(MemberOp(member, {k: new for k, (_, new) in diff.items()}))
        change.members.append(MemberChange(row.full_name, "update" if diff else "unchanged", diff, row.line,
                                           row.member["is_lead"]))

    def _missing_member(self, member: Member, file_lead: bool, remove: bool, change: ProjectChange) -> None:
        if remove and member.erased_at is None:
            self.planner.removals.append(member)
            change.members.append(MemberChange(member.full_name, "removed", is_lead=member.is_lead))
            return
        diff = {}
        if member.is_lead and file_lead:  # the lead flag moves to the lead marked in the file
            self.planner.lead_clears.append(member)
            diff = {"is_lead": (True, False)}
        change.members.append(MemberChange(member.full_name, "kept", diff, is_lead=member.is_lead and not diff))


# ---------------------------------------------------------------- the whole file

class _Planner:
    def __init__(self, parsed: Parsed, projects: dict[str, Project], choices: Choices, today: dt.date):
        self.parsed, self.projects, self.choices, self.today = parsed, projects, choices, today
        self.rows_by_line = {row.line: row for row in parsed.rows}
        self.taken = set(projects) | {g.key_fold for g in parsed.groups}
        self.names = {fold(p.name): p.code for p in projects.values()}
        self.lead_clears: list[Member] = []
        self.removals: list[Member] = []
        self.writes: list[ProjectOp] = []
        self.team_issues: dict[str, list[ImportIssue]] = {}

    def plan(self, group: ProjectGroup) -> ProjectChange:
        one = _ProjectPlanner(self, group)
        if group.rejected:
            return self._rejected(one, group.issues)
        project = self.projects.get(group.key_fold)
        if project is None:
            return self._write(one, group, None, one.change("create", code=group.key), [])
        conflict = not matching.names_agree(project.name, group.values.get("name"))
        choice = self.choices.of(group.key_fold) if conflict else "update"
        extra = {"conflict": conflict, "existing_name": project.name, "choice": choice if conflict else None}
        if choice in (None, "new") and (issues := checks.check_team(group, one.headers, [])):
            return self._rejected(one, issues)  # judged on its own until the user chooses; no number spent
        if choice is None:
            change = one.change("conflict", code=group.key, **extra)
            change.changes = changes_of(project, one.values)  # what "update" would do, shown to help choose
            change.members = [MemberChange(r.full_name, "create", line=r.line) for r in group.rows]
            return change
        if choice == "skip":
            return one.change("skipped", code=group.key, **extra)
        if choice == "new":
            code = matching.next_free_code(group.key, self.taken)
            return self._write(one, group, None, one.change("create", code=code, **extra), [])
        in_file = {r.name_fold for r in group.rows}
        kept = [_team_member(m) for m in project.members  # erased members are never matched nor removed
                if (m.erased_at is not None or name_key(m.full_name) not in in_file)
                and (m.erased_at is not None or not self.choices.remove_missing)]
        return self._write(one, group, project, one.change("update", code=project.code, **extra), kept)

    def _rejected(self, one: _ProjectPlanner, issues: list[ImportIssue]) -> ProjectChange:
        change = one.change("rejected", code=one.group.key)
        change.members = [one.rejected_member(self.rows_by_line[n]) for n in one.group.lines]
        self.team_issues[one.group.key_fold] = issues
        return change

    def _write(self, one: _ProjectPlanner, group: ProjectGroup, project: Project | None, change: ProjectChange,
               kept: list[TeamMember]) -> ProjectChange:
        issues = checks.check_team(group, one.headers, kept)
        if issues:
            return self._rejected(one, issues)
        op = one.create(change.code, change) if project is None else one.update(project, change,
                                                                                 self.choices.remove_missing)
        change.team = checks.team_figures(checks.team_after_import(group, kept), self.today)
        if project is not None:
            touched = any(m.action in ("create", "update", "removed") or m.changes for m in change.members)
            change.action = "update" if change.changes or touched else "unchanged"
        elif not change.conflict and (other := self.names.get(fold(change.name))):
            change.warnings.append(self._same_name(group, other))
        if change.action in ("create", "update"):
            self.writes.append(op)
        return change

    def _same_name(self, group: ProjectGroup, other: str) -> ImportIssue:
        return ImportIssue(list(group.lines), self.parsed.headers.header("key"), "same_name_other_number", _l(
            "Un projet nommé « %(name)s » existe déjà dans la cohorte sous le numéro %(other)s : le projet "
            "%(key)s du fichier sera créé à part. Vérifiez le numéro.", name=group.values.get("name"),
            other=other, key=group.key), group.key, "warning", group.key)


def build_plan(parsed: Parsed, projects: dict[str, Project], choices: Choices, today: dt.date) -> Plan:
    """Every project of the file against the cohort's `projects` (see cohort_projects), with the choices."""
    planner = _Planner(parsed, projects, choices, today)
    changes = [planner.plan(group) for group in parsed.groups]
    row_issues = [i for r in parsed.rows for i in r.issues]
    project_issues = [i for issues in planner.team_issues.values() for i in issues]
    issues = sorted(row_issues + project_issues, key=lambda i: (min(i.lines), i.level != "row"))
    rejected: dict[int, list[ImportIssue]] = {r.line: list(r.issues) for r in parsed.rows if r.issues}
    for group in parsed.groups:
        for row in group.rows if group.key_fold in planner.team_issues else ():
            rejected[row.line] = list(planner.team_issues[group.key_fold])
    written = {name_key(c.key) for c in changes if c.action not in ("rejected", "skipped")}
    warnings = [w for r in parsed.rows if r.ok and r.key_fold in written for w in r.warnings]
    warnings += [w for c in changes if c.action not in ("rejected", "skipped") for w in c.warnings]
    warnings.sort(key=lambda i: min(i.lines))
    changes.sort(key=lambda c: not c.conflict)  # stable: conflicts first, each part in file order
    return Plan(changes, planner.writes, planner.lead_clears, planner.removals, issues, warnings,
                dict(sorted(rejected.items())), parsed.headers.language)
