"""`flask import projects FILE --cohort SLUG [--dry-run] [--skip-invalid]` (DESIGN §11).

Exit 0 when the file was imported (or, with --dry-run, would be); 1 when errors stopped it and nothing was
written, for an unknown cohort and for a file that cannot be read. One commit at the end.
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
@click.option("--rejected-output", type=click.Path(dir_okay=False, writable=True, path_type=str), default=None,
              help="Write the rows that are not imported, with an error column, to this XLSX file.")
@with_appcontext
def projects_command(file: str, slug: str, dry_run: bool, skip_invalid: bool, rejected_output: str | None) -> None:
    cohort = get_by_slug(slug)
    if cohort is None:
        raise click.ClickException(f"unknown cohort {slug!r} (flask cohort create creates one)")
    data = _read(file)
    filename = os.path.basename(file)
    try:
        if dry_run:
            preview = services.preview_import(cohort, data, filename)
        else:
            with _ProgressBar() as progress:
                preview = services.run_import(None, cohort, data, filename, skip_invalid=skip_invalid,
                                              progress=progress)
            db.session.commit()
    except services.ImportRejected as error:
        db.session.rollback()
        _print_issues(error.preview)
        _print_summary(error.preview)
        _write_rejected(rejected_output, data, filename, cohort)
        raise click.ClickException(str(error.message)) from None
    except ServiceError as error:  # unreadable file, cohort changed meanwhile
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    except SQLAlchemyError as error:
        db.session.rollback()
        cause = getattr(error, "orig", None) or error
        raise click.ClickException(f"the import failed, nothing was written ({cause})") from None

    _print_issues(preview)
    _print_summary(preview)
    _write_rejected(rejected_output if preview.rejected_lines else None, data, filename, cohort)
    if dry_run:
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


def _print_issues(preview) -> None:
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


def _write_rejected(path: str | None, data: bytes, filename: str, cohort) -> None:
    if not path:
        return
    try:
        with open(path, "wb") as handle:
            handle.write(services.rejected_rows_xlsx(data, filename, cohort=cohort))
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from None
    click.echo(f"Rejected rows written to {path}")
