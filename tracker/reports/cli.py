"""`flask report cohort` (DESIGN §11): the §12 report as JSON, a CSV ZIP, an XLSX workbook or a PDF;
`flask report iati`."""

import datetime as dt
import pathlib

import click
from flask.cli import with_appcontext

from tracker.cohorts.services import get_by_slug
from tracker.reports import exporters
from tracker.reports.services import cohort_report, to_json

FORMATS = ("json", "csv", "xlsx", "pdf")
BINARY_FORMATS = ("csv", "xlsx", "pdf")
LOCALES = ("fr", "ar", "en")


@click.group("report", help="Cohort reports.")
def report_cli():
    pass


def _date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD.") from None


@report_cli.command("cohort", help="The cohort report of DESIGN §6 (JSON keys of §12).")
@click.option("--cohort", "slugs", multiple=True, required=True, metavar="SLUG",
              help="Cohort slug; repeat for several cohorts.")
@click.option("--from", "date_from", callback=_date, metavar="YYYY-MM-DD", help="Start of the window (included).")
@click.option("--to", "date_to", callback=_date, metavar="YYYY-MM-DD",
              help="End of the window and reference date (included; default: today).")
@click.option("--include-submitted", is_flag=True, help="Count submitted (not yet approved) values too.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=pathlib.Path),
              help="File to write (required for csv, xlsx and pdf; json goes to standard output without it).")
@click.option("--locale", type=click.Choice(LOCALES), default="fr", show_default=True,
              help="Language of the pdf (labels, numbers, dates; ar is right-to-left). Other formats use §12 keys.")
@with_appcontext
def cohort_command(slugs, date_from, date_to, include_submitted, fmt, output, locale) -> None:
    if fmt in BINARY_FORMATS and output is None:
        raise click.UsageError(f"--format {fmt} writes a binary file: give it with --output FILE.")
    if date_from and date_to and date_from > date_to:
        raise click.UsageError(f"--from {date_from} is after --to {date_to}.")
    ids = []
    for slug in dict.fromkeys(slugs):
        cohort = get_by_slug(slug)
        if cohort is None:
            raise click.ClickException(f"no cohort with the slug {slug!r}.")
        ids.append(cohort.id)
    try:
        report = cohort_report(ids, date_from, date_to, include_submitted)
    except ValueError as error:
        raise click.ClickException(f"{error} (--from {date_from}, reference date: --to or today).") from None

    if fmt == "json":
        text = to_json(report) + "\n"
        if output is None:
            click.echo(text, nl=False)
            return
        data = text.encode("utf-8")
    elif fmt == "csv":
        data = exporters.to_csv_zip(report)
    elif fmt == "pdf":
        from tracker.reports.pdf import cohort_pdf  # WeasyPrint is loaded on first use only

        data = cohort_pdf(report, locale, dt.datetime.now(dt.UTC).replace(microsecond=0))
    else:
        from tracker.reports.raw import raw_frames  # raw data sheets, as in the downloaded XLSX

        data = exporters.to_xlsx(report, raw=raw_frames(ids, date_from, report["filters"]["reference_date"],
                                                        include_submitted))
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"Report written to {output} ({len(data)} bytes).", err=True)


@report_cli.command("iati", help="IATI 2.03 activities file of a cohort (one activity per project).")
@click.option("--cohort", "slug", required=True, metavar="SLUG", help="Cohort slug.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=pathlib.Path),
              help="XML file to write.")
@with_appcontext
def iati_command(slug, output) -> None:
    from tracker.reports.iati import EmptyCohortError, cohort_activities_xml

    cohort = get_by_slug(slug)
    if cohort is None:
        raise click.ClickException(f"no cohort with the slug {slug!r}.")
    try:
        data = cohort_activities_xml(cohort)
    except EmptyCohortError:
        raise click.ClickException(f"cohort {slug!r} has no project: an IATI file needs one activity at least.") \
            from None
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"IATI file written to {output} ({len(data)} bytes).", err=True)
