import click
from flask.cli import with_appcontext

from tracker.cohorts import services
from tracker.cohorts.models import Frequency
from tracker.core.cli_options import iso_date
from tracker.core.services import ServiceError
from tracker.extensions import db


@click.group("cohort", help="Manage cohorts.")
def cohort_cli():
    pass


@cohort_cli.command("create", help="Create a cohort; exits 1 if the slug exists.")
@click.argument("slug")
@click.option("--name", required=True, help="Cohort name, e.g. 'Innov Impact 2025 — Safi'.")
@click.option("--city", default=None, help="City of the forum.")
@click.option("--province", default=None, help="Province.")
@click.option("--programme", default=None, help="Programme the cohort belongs to.")
@click.option("--forum-date", callback=iso_date, default=None, help="Forum date (YYYY-MM-DD).")
@click.option("--start", callback=iso_date, default=None, help="Start of the support (YYYY-MM-DD).")
@click.option("--end", callback=iso_date, default=None, help="End of the support (YYYY-MM-DD).")
@click.option("--frequency", type=click.Choice([f.value for f in Frequency]), default="quarterly",
              show_default=True, help="Reporting frequency.")
@with_appcontext
def create_cohort_command(slug, name, city, province, programme, forum_date, start, end, frequency):
    try:
        cohort = services.create_cohort(None, {
            "slug": slug, "name": name, "city": city, "province": province, "programme": programme,
            "forum_date": forum_date, "start_date": start, "end_date": end,
            "reporting_frequency": Frequency(frequency),
        })
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.secho(f"Created cohort {cohort.slug}: {cohort.name}", fg="green")
