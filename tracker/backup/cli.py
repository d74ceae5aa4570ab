"""`flask backup create FILE` / `flask backup restore FILE`: database and uploaded files in one archive."""

import click


@click.group("backup", help="Back up and restore the database and uploaded files.")
def backup_cli():
    pass
