"""`flask report cohort` (DESIGN §11): the §12 report as JSON, a CSV ZIP, an XLSX workbook or a PDF;
`flask report iati`; `flask report check-sums`."""

import datetime as dt
import pathlib

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.cohorts.services import get_by_slug
from tracker.core.cli_options import iso_date
from tracker.core.formatting import DIALECTS
from tracker.core.i18n import catalogue_message, missing_catalogues
from tracker.reports import exporters
from tracker.reports.queries import fetch_annex
from tracker.reports.services import cohort_report, report_names, to_json

FORMATS = ("json", "csv", "xlsx", "pdf")
BINARY_FORMATS = ("csv", "xlsx", "pdf")
LOCALES = ("fr", "ar", "en")


@click.group("report", help="Cohort reports.")
def report_cli():
    pass



@report_cli.command("cohort", help="The cohort report of DESIGN §6 (JSON keys of §12).")
@click.option("--cohort", "slugs", multiple=True, required=True, metavar="SLUG",
              help="Cohort slug; repeat for several cohorts.")
@click.option("--from", "date_from", callback=iso_date, metavar="YYYY-MM-DD", help="Start of the window (included).")
@click.option("--to", "date_to", callback=iso_date, metavar="YYYY-MM-DD",
              help="End of the window and reference date (included; default: today).")
@click.option("--include-submitted", is_flag=True, help="Count submitted (not yet approved) values too.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=pathlib.Path),
              help="File to write (required for csv, xlsx and pdf; json goes to standard output without it).")
@click.option("--locale", type=click.Choice(LOCALES), default="fr", show_default=True,
              help="Language of the csv, xlsx and pdf (labels, numbers, dates; ar is right-to-left). "
                   "json keeps the §12 keys.")
@click.option("--csv-dialect", "dialect", type=click.Choice(sorted(DIALECTS)),
              help="CSV separators: excel-fr (';' and a decimal comma) or excel-en (',' and a decimal point). "
                   "Default: excel-fr for fr and ar, excel-en for en.")
@click.option("--annex", is_flag=True, help="pdf: add one page per project (the one-pager of each project).")
@with_appcontext
def cohort_command(slugs, date_from, date_to, include_submitted, fmt, output, locale, dialect, annex) -> None:
    if fmt in BINARY_FORMATS and output is None:
        raise click.UsageError(f"--format {fmt} writes a binary file: give it with --output FILE.")
    if date_from and date_to and date_from > date_to:
        raise click.UsageError(f"--from {date_from} is after --to {date_to}.")
    if dialect and fmt != "csv":
        raise click.UsageError("--csv-dialect only applies to --format csv.")
    if annex and fmt != "pdf":
        raise click.UsageError("--annex only applies to --format pdf.")
    missing = missing_catalogues(current_app, [locale])
    if missing and fmt != "json":
        raise click.ClickException(catalogue_message(current_app, missing))
    ids = []
    for slug in dict.fromkeys(slugs):
        cohort = get_by_slug(slug)
        if cohort is None:
            raise click.ClickException(f"no cohort with the slug {slug!r}.")
        ids.append(cohort.id)
    try:
        report = cohort_report(ids, date_from, date_to, include_submitted)
        rows = fetch_annex(ids) if annex and fmt == "pdf" else None
    except ValueError as error:
        raise click.ClickException(f"{error} (--from {date_from}, reference date: --to or today).") from None

    if fmt == "json":
        text = to_json(report) + "\n"
        if output is None:
            click.echo(text, nl=False)
            return
        data = text.encode("utf-8")
    else:
        data = _file(fmt, report, rows, ids, locale, dialect, annex, date_from, include_submitted)
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"Report written to {output} ({len(data)} bytes).", err=True)


def _file(fmt, report, rows, ids, locale, dialect, annex, date_from, include_submitted) -> bytes:
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    names = report_names(report, locale)
    if fmt == "csv":
        return exporters.to_csv_zip(report, locale, dialect, names)
    if fmt == "pdf":
        from tracker.reports.annex import AnnexTooLargeError
        from tracker.reports.pdf import cohort_pdf  # WeasyPrint is loaded on first use only

        try:
            return cohort_pdf(report, locale, generated_at, rows=rows if annex else None)
        except AnnexTooLargeError as error:
            raise click.ClickException(str(error)) from None
    from tracker.reports.raw import raw_frames  # raw data sheets, as in the downloaded XLSX

    raw = raw_frames(ids, date_from, report["filters"]["reference_date"], include_submitted)
    return exporters.to_xlsx(report, generated_at, raw=raw, locale=locale, names=names)


@report_cli.command("iati", help="IATI 2.03 activities file of a cohort (one activity per project).")
@click.option("--cohort", "slug", required=True, metavar="SLUG", help="Cohort slug.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=pathlib.Path),
              help="XML file to write.")
@with_appcontext
def iati_command(slug, output) -> None:
    from tracker.reports.iati import EmptyCohortError, IatiNotConfiguredError, UndatedCohortError, cohort_activities_xml

    cohort = get_by_slug(slug)
    if cohort is None:
        raise click.ClickException(f"no cohort with the slug {slug!r}.")
    try:
        data = cohort_activities_xml(cohort)
    except IatiNotConfiguredError as error:
        raise click.ClickException(str(error)) from None
    except UndatedCohortError:
        raise click.ClickException(f"cohort {slug!r} has no start, forum or end date: IATI needs an activity "
                                   f"date; set them with the cohort's page.") from None
    except EmptyCohortError:
        raise click.ClickException(f"cohort {slug!r} has no project: an IATI file needs one activity at least.") \
            from None
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"IATI file written to {output} ({len(data)} bytes).", err=True)


@report_cli.command("check-sums", help="Check the indicator sums the reports read against the values "
                                       "(report_value_sums, indicator_end_sums); --fix rewrites them.")
@click.option("--fix", is_flag=True, help="Rewrite every sum from the values when any differs.")
@with_appcontext
def check_sums_command(fix) -> None:
    from tracker.extensions import db
    from tracker.periods import end_sums, value_sums

    connection = db.session.connection()
    differing = value_sums.differing(connection)
    ends = end_sums.differing(connection)
    if not differing and not ends:
        click.echo("The indicator sums equal the values.")
        return
    reports = len({row.report_id for row in differing})
    projects = len({row.project_id for row in ends})
    if not fix:
        raise click.ClickException(f"the indicator sums of {reports} report(s) and the sums per period end of "
                                   f"{projects} project(s) differ from their values; "
                                   f"run `flask report check-sums --fix`.")
    value_sums.rebuild(connection)
    end_sums.rebuild(connection)
    db.session.commit()
    click.echo(f"The indicator sums of {reports} report(s) and the sums per period end of {projects} project(s) "
               f"differed; every sum was rewritten from the values.")
