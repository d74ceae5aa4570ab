"""`flask backup create FILE` / `flask backup restore FILE`: database and uploaded files in one archive.

The rules (what the archive holds, what a restore checks first) are in tracker/backup/services.py.
"""

import pathlib

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import ROOT
from tracker.backup import services
from tracker.extensions import db

MIGRATIONS_DIR = ROOT / "migrations"
_FILE = click.Path(dir_okay=False, path_type=pathlib.Path)


@click.group("backup", help="Back up and restore the database and uploaded files.")
def backup_cli():
    pass


def _upload_dir() -> pathlib.Path:
    return pathlib.Path(current_app.config["UPLOAD_DIR"])


@backup_cli.command("create", help="Write FILE (a .tar.gz): the database, the files under UPLOAD_DIR and a "
                                   "manifest with row counts and checksums. FILE must not exist yet.")
@click.argument("file", type=_FILE)
@with_appcontext
def create_command(file: pathlib.Path) -> None:
    try:
        manifest = services.create_backup(file, db.engine.url, _upload_dir())
    except services.BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["tables"].values())
    uploads = sum(1 for name in manifest["files"] if name.startswith(services.UPLOADS_PREFIX))
    click.secho(f"Backup written to {file} ({file.stat().st_size:,} bytes).", fg="green")
    click.echo(f"  backend {manifest['backend']}, schema revision {manifest['alembic_revision']}")
    click.echo(f"  {len(manifest['tables'])} tables, {rows:,} rows; {uploads} uploaded files")


@backup_cli.command("restore", help="Replace the database and restore the uploaded files from FILE. Stop the "
                                    "app servers first. Every checksum is verified before anything changes.")
@click.argument("file", type=_FILE)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True,
              help="Restore a backup made at an older schema revision (run `flask db upgrade` afterwards). "
                   "A revision this code does not know is always refused.")
@with_appcontext
def restore_command(file: pathlib.Path, yes: bool, force: bool) -> None:
    url = db.engine.url
    try:
        manifest = services.read_manifest(file)
        warning = services.check_compatible(manifest, url, MIGRATIONS_DIR, force)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["tables"].values())
    target = url.render_as_string(hide_password=True)
    click.echo(f"Backup of {manifest['created_at']}: {manifest['backend']}, schema revision "
               f"{manifest['alembic_revision']}, {rows:,} rows, {len(manifest['files']) - 1} uploaded files.")
    if not yes and not click.confirm(f"Replace every table of {target} and restore the files into "
                                     f"{_upload_dir()}?", default=False):
        raise click.ClickException("restore cancelled; nothing was changed.")
    db.session.remove()
    db.engine.dispose()  # our own pooled connections must not hold locks or stale schema
    try:
        result = services.restore_backup(file, url, _upload_dir(), MIGRATIONS_DIR, force)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.engine.dispose()
    click.secho(f"Restored {len(manifest['tables'])} tables ({rows:,} rows, counts verified).", fg="green")
    click.echo(f"  uploaded files: {result.files_written} written, {result.files_unchanged} already identical; "
               f"{result.files_not_in_backup} other files under UPLOAD_DIR left in place")
    if result.dropped_tables:
        click.echo(f"  tables absent from the backup dropped: {', '.join(result.dropped_tables)}")
    if warning:
        click.secho(f"Warning: {warning}", fg="yellow")
