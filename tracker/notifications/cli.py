"""`flask notifications digest` and `flask mail test`."""

import datetime as dt

import click
from flask.cli import with_appcontext

from tracker.core import email, jobs, mail
from tracker.core.cli_options import iso_date
from tracker.extensions import db
from tracker.notifications import digest, scan


@click.group("notifications", help="In-app notifications and their daily e-mail digest.")
def notifications_cli():
    pass


@notifications_cli.command(
    "digest",
    help="Add today's time-based notifications (reports and action items due, late milestones, quiet projects, "
         "stalled reviews), then e-mail each person one digest of what they have not read and want by e-mail, "
         "with the holders' report reminders. At most one e-mail per person per day: running it again the same "
         "day sends nothing. Replaces `flask reminders send`.",
)
@click.option("--today", callback=iso_date, default=None, help="Reference date (YYYY-MM-DD); default: today.")
@click.option("--dry-run", is_flag=True, help="Print who would get a digest; send and record nothing.")
@with_appcontext
def digest_command(today: dt.date | None, dry_run: bool):
    today = today or dt.date.today()
    added = scan.run(today)
    if dry_run:
        pending = digest.pending(today)
        db.session.rollback()
        for item in pending:
            click.echo(f"{item.user.email} ({item.user.locale}): {item.size} item(s)")
        click.secho(f"Dry run: {len(pending)} digest(s) would be sent; nothing was sent or recorded.", fg="yellow")
        return
    db.session.commit()
    click.echo(f"{added} new notification(s) for {today.isoformat()}.")
    pending = digest.pending(today)
    sent, failures = 0, []
    for item in pending:
        payload = digest.render(item)
        try:
            jobs.enqueue(mail.deliver, payload)  # from the command line: sent now, or queued with REDIS_URL
        except mail.MailError as error:
            failures.append(f"{item.user.email}: {error}")
            if error.fatal:
                break
            continue
        digest.mark_sent(item, today)  # committed one by one: a later failure never resends this one
        db.session.commit()
        sent += 1
    click.echo(f"Sent {sent} digest(s) of {len(pending)}.")
    if failures:
        raise click.ClickException(f"{len(pending) - sent} digest(s) not sent (run the command again to retry):\n  "
                                   + "\n  ".join(failures))


@click.group("mail", help="Outgoing e-mail.")
def mail_cli():
    pass


@mail_cli.command("test", help="Send a test message with the configured MAIL_* settings, at once (not queued).")
@click.option("--to", "to", required=True, help="Recipient address.")
@click.option("--locale", default="fr", type=click.Choice(["fr", "ar", "en"]), help="Language of the message.")
@with_appcontext
def test_command(to: str, locale: str):
    from flask_babel import lazy_gettext as _l

    if "@" not in to:
        raise click.BadParameter(f"not an e-mail address: {to!r}", param_hint="--to")
    payload = email.compose(to, locale, "test", _l("%(app)s : message de test", app=email.app_name()),
                            link=email.external_url("auth.login"))
    try:
        mail.deliver(payload)
    except mail.MailError as error:
        raise click.ClickException(f"not sent: {error}") from None
    server = mail.setting("MAIL_BACKEND", "smtp")
    if server != "memory":
        server = f"{mail.setting('MAIL_SERVER')}:{mail.setting('MAIL_PORT', '')}".rstrip(":")
    click.secho(f"Test message sent to {to} through {server}.", fg="green")
