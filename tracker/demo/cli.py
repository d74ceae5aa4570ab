import secrets
import sys
import time

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from tracker.core.services import ServiceError
from tracker.demo import data, scale
from tracker.demo.services import load_demo
from tracker.extensions import db


@click.group("demo", help="Fictional demo data.")
def demo_cli():
    pass


@demo_cli.command("load", help="Load the fictional demo cohort innov-impact-demo-safi (idempotent).")
@click.option(
    "--password", envvar="DEMO_PASSWORD", default=None, show_envvar=True,
    help="Password of the demo accounts created by this run (default: $DEMO_PASSWORD, else a generated one, "
         "printed once). Existing accounts keep their password.",
)
@with_appcontext
def load_command(password: str | None) -> None:
    generated = not password
    password = password or secrets.token_urlsafe(12)
    try:
        counts = load_demo(password)
        db.session.commit()  # one transaction: a failure anywhere leaves the database as it was
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    except (SQLAlchemyError, OSError) as error:
        db.session.rollback()
        cause = getattr(error, "orig", None) or error  # the driver's one-line message, without the SQL
        raise click.ClickException(
            f"the demo could not be loaded, nothing was written ({cause}). "
            "Is the database up to date (`flask db upgrade`) and UPLOAD_DIR writable?"
        ) from None
    _print_summary(counts)
    _print_accounts(password if generated and counts["users"] else None, counts["users"])


@demo_cli.command("scale", help="Load the DESIGN §10 scale data set (fictional national programme) for benchmarks.")
@click.option("--fraction", type=click.FloatRange(0, 1, min_open=True), default=1.0, show_default=True,
              help="Share of the full set to create (e.g. 0.05 for SQLite).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same data).")
@click.option("--password", envvar="DEMO_PASSWORD", default=None, show_envvar=True,
              help="Password of every scale account (default: $DEMO_PASSWORD, else a generated one, printed once).")
@with_appcontext
def scale_command(fraction: float, seed: int, password: str | None) -> None:
    generated = not password
    password = password or secrets.token_urlsafe(12)
    plan = scale.ScalePlan.for_fraction(fraction)
    start = time.perf_counter()
    try:
        with click.progressbar(length=plan.projects, label=f"{plan.projects} projects in {plan.cohorts} cohorts",
                               file=sys.stderr) as bar:
            counts = scale.load_scale(password, fraction, seed, progress=bar.update)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    except SQLAlchemyError as error:
        db.session.rollback()
        cause = getattr(error, "orig", None) or error
        raise click.ClickException(f"the scale data set could not be loaded, nothing was written ({cause}). "
                                   "Is the database up to date (`flask db upgrade`)?") from None
    click.secho(f"Scale data set loaded in {time.perf_counter() - start:.0f} s. Rows:", fg="green")
    for key, value in counts.items():
        click.echo(f"  {key:<20} {value:>10,}")
    click.echo(f"Accounts: scale.admin@{scale.EMAIL_DOMAIN}, scale.manager1@…, scale.staff0001@…, "
               f"scale.holder00001@{scale.EMAIL_DOMAIN}")
    if generated:
        click.secho(f"Password of the scale accounts (shown once): {password}", fg="cyan")


def _print_summary(counts: dict[str, int]) -> None:
    if not any(counts.values()):
        click.secho(f"Demo cohort {data.COHORT['slug']}: already loaded, nothing created.", fg="yellow")
        return
    click.secho(f"Demo cohort {data.COHORT['slug']} loaded. Created:", fg="green")
    for key, value in counts.items():
        if value:
            click.echo(f"  {key.replace('_', ' '):<20} {value:>6}")


def _print_accounts(generated_password: str | None, created_users: int) -> None:
    click.echo("Demo accounts:")
    for account in data.ACCOUNTS:
        linked = f" (project {account.project_code})" if account.project_code else ""
        click.echo(f"  {account.email:<22} {account.role.value}{linked}")
    if generated_password:
        # Shown this once only: it is stored hashed and cannot be displayed again.
        click.secho(f"Password of the accounts created now (shown once): {generated_password}", fg="cyan")
    elif not created_users:
        click.echo("Existing accounts keep their current password.")
