"""`flask import projects FILE --cohort SLUG [--dry-run] [--skip-invalid] [--on-conflict skip|new|update]
[--remove-missing-members]` (DESIGN §11).

Exit 0 when the file was imported (or, with --dry-run, would be); 1 when errors or conflicts without a choice
stopped it and nothing was written, for an unknown cohort and for a file that cannot be read. A conflict is a
project of the file carrying the number of a project of the cohort with another name: without
--on-conflict, the command lists them and stops. One commit at the end.
"""

import contextlib
import os

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from tracker.cohorts.services import get_by_slug
from tracker.core.services import ServiceError
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.plan import CONFLICT_CHOICES, Choices
from tracker.imports.reader import max_bytes


@click.group("import", help="Import data from spreadsheets.")
def import_cli():
    pass


@import_cli.command("projects", help="Import projects and team members from the forum spreadsheet (XLSX or CSV).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--cohort", "slug", required=True, help="Slug of the cohort to import into.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and projects and skip the rejected ones (default: any error stops it).")
@click.option("--on-conflict", type=click.Choice(CONFLICT_CHOICES), default=None,
              help="What to do with a project whose number is taken by another project of the cohort (another "
                   "name): update that project, create a new one with the next free number, or skip it. "
                   "Without it, conflicts stop the import.")
@click.option("--remove-missing-members", is_flag=True,
              help="Remove from the projects updated the members the file does not list (default: keep them). "
                   "Every removal is audited.")
@click.option("--rejected-output", type=click.Path(dir_okay=False, writable=True, path_type=str), default=None,
              help="Write the rows that are not imported, with an error column, and the warnings to this XLSX "
                   "file.")
@with_appcontext
def projects_command(file: str, slug: str, dry_run: bool, skip_invalid: bool, on_conflict: str | None,
                     remove_missing_members: bool, rejected_output: str | None) -> None:
    cohort = get_by_slug(slug)
    if cohort is None:
        raise click.ClickException(f"unknown cohort {slug!r} (flask cohort create creates one)")
    data = _read(file)
    filename = os.path.basename(file)
    choices = Choices(default=on_conflict, remove_missing=remove_missing_members)
    try:
        sheet = services.read_sheet(data, filename)
        if dry_run:
            preview = services.preview_import(cohort, data, filename, sheet=sheet, choices=choices)
        else:
            with _ProgressBar() as progress:
                preview = services.run_import(None, cohort, data, filename, skip_invalid=skip_invalid,
                                              progress=progress, sheet=sheet, choices=choices)
            db.session.commit()
    except services.ImportRejected as error:
        db.session.rollback()
        _print_conflicts(error.preview)
        _print_issues(error.preview)
        _print_summary(error.preview)
        _write_rejected(rejected_output, sheet, filename, cohort, choices)
        hint = " (--on-conflict skip|new|update)" if isinstance(error, services.ImportConflicts) else ""
        raise click.ClickException(f"{error.message}{hint}") from None
    except ServiceError as error:  # unreadable file, cohort changed meanwhile
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    except SQLAlchemyError as error:
        db.session.rollback()
        cause = getattr(error, "orig", None) or error
        raise click.ClickException(f"the import failed, nothing was written ({cause})") from None

    _print_conflicts(preview)
    _print_issues(preview)
    _print_summary(preview)
    wanted = rejected_output if preview.rejected_lines or preview.warnings else None
    _write_rejected(wanted, sheet, filename, cohort, choices)
    if dry_run:
        if preview.unresolved:
            raise click.ClickException(f"{len(preview.unresolved)} conflict(s): nothing would be imported "
                                       "(choose with --on-conflict skip|new|update)")
        if preview.has_errors and not (skip_invalid and preview.can_import_valid):
            raise click.ClickException("the file has errors: nothing would be imported "
                                       "(fix them, or use --skip-invalid to import the valid rows only)")
        click.secho("Dry run: nothing was written.", fg="yellow")
        return
    if preview.has_errors:
        click.secho(f"Imported the valid rows; {len(preview.rejected_lines)} row(s) were not imported.", fg="yellow")
    else:
        click.secho("Imported.", fg="green")


def _read(path: str) -> bytes:
    try:
        size = os.path.getsize(path)
        limit = max_bytes()
        if size > limit:
            raise click.ClickException(f"{path}: {size / 1024 / 1024:.1f} MB, more than the "
                                       f"{limit // (1024 * 1024)} MB an import accepts")
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror or error}") from None


class _ProgressBar(contextlib.AbstractContextManager):
    """progress(done, total) for run_import: the bar opens once the number of projects to write is known."""

    def __init__(self):
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not total:
            return  # nothing to write: no bar
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label="Writing projects")
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _rows(lines: list[int]) -> str:
    return ("row " if len(lines) == 1 else "rows ") + ", ".join(str(n) for n in lines)


def _print_conflicts(preview) -> None:
    if not preview.conflicts:
        return
    click.secho(f"{len(preview.conflicts)} conflict(s): same project number, another name in the cohort:",
                fg="yellow", err=True)
    for change in preview.conflicts:
        what = {None: "no choice", "update": "update the cohort's project", "skip": "skip",
                "new": f"create a new project {change.code}"}.get(change.choice, change.choice)
        if change.action == "rejected":
            what = "rejected (errors below)"
        click.echo(f"  {change.key}: file {change.name!r}, cohort {change.existing_name!r} → {what}", err=True)


def _print_issues(preview) -> None:
    for warning in preview.warnings:
        click.echo(f"  warning, {_rows(warning.lines)}: {warning.message} [{warning.code}]", err=True)
    if not preview.issues:
        return
    click.secho(f"{len(preview.issues)} error(s) in {preview.filename}:", fg="red", err=True)
    for issue in preview.issues:
        where = _rows(issue.lines)
        if issue.column:
            where += f", column {issue.column!r}"
        if issue.level == "project":
            where += f", project {issue.project_key} (whole project)"
        click.echo(f"  {where}: {issue.message} [{issue.code}]", err=True)


def _print_summary(preview) -> None:
    s = preview.summary
    click.echo(f"{preview.filename}: {preview.data_rows} data rows, sha256 {preview.sha256[:12]}…")
    click.echo(f"  {'':10} {'created':>8} {'updated':>8} {'unchanged':>10} {'rejected':>9}")
    click.echo(f"  {'projects':10} {s.projects_created:>8} {s.projects_updated:>8} {s.projects_unchanged:>10} "
               f"{s.projects_rejected:>9}")
    click.echo(f"  {'members':10} {s.members_created:>8} {s.members_updated:>8} {s.members_unchanged:>10} "
               f"{s.members_rejected:>9}")
    extra = {"conflicts without a choice": s.projects_conflicts, "projects skipped": s.projects_skipped,
             "members removed": s.members_removed, "warnings": s.warnings}
    if any(extra.values()):
        click.echo("  " + ", ".join(f"{label}: {n}" for label, n in extra.items() if n))


def _write_rejected(path: str | None, sheet, filename: str, cohort, choices: Choices) -> None:
    if not path:
        return
    try:
        with open(path, "wb") as handle:
            handle.write(services.rejected_rows_xlsx(None, filename, cohort=cohort, sheet=sheet, choices=choices))
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from None
    click.echo(f"Rejected rows written to {path}")
